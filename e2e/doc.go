// Package e2e holds Switchboard's browser tests: the dev server
// (examples/devserver) driven in headless Chromium through chromedp. It is a
// module of its own so that the core module never depends on a browser
// driver.
//
// The tests need Debian's chromium (or CHROMIUM_PATH pointing at a Chrome or
// Chromium binary). Without one they are skipped, unless
// E2E_REQUIRE_BROWSER is set, as .ci/run sets it: then they fail.
// Screenshots of every step go to .out/ at the repository's root.
package e2e
