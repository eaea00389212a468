package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/relay"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voxio"
)

// repoRoot is the repository the e2e module sits in.
const repoRoot = ".."

// TestDevServerInBrowser opens the dev server's page in headless Chromium
// and checks the three things a developer does with it: watch a message the
// application sends appear without a reload, make Voxio deliver an incoming
// message that the application verifies, and walk a call through the
// application's API Branch with the keypad; then a QR code shown as an
// image and scanned by a click, and the page at a phone's width. Each step
// leaves a screenshot in .out/.
func TestDevServerInBrowser(t *testing.T) {
	browser := findBrowser(t)
	env, page := startDevServer(t)
	app := startTestApp(t, env)

	ctx := newBrowser(t, browser)
	outDir := filepath.Join(repoRoot, ".out")
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := func(name string, action chromedp.Action[[]byte]) {
		t.Helper()
		png := value(t, ctx, "screenshot "+name, action)
		path := filepath.Join(outDir, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}

	// 1. The page opens and its live stream connects.
	do(t, ctx, "open the page",
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`#live-state[data-state="live"]`)),
		chromedp.Evaluate[chromedp.Void](`window.e2eMarker = "same page"`),
	)
	shot("devserver-1-open.png", chromedp.CaptureScreenshot())

	// 2. The application sends a WhatsApp message through the SDK; it shows
	// up in the Voxio conversation without a reload.
	vx, err := voxio.New(env["VOXIO_CLIENT_ID"], env["VOXIO_CLIENT_SECRET"], voxio.WithBaseURL(env["VOXIO_BASE_URL"]))
	if err != nil {
		t.Fatal(err)
	}
	const sent = "Your order 1234 has shipped"
	res, err := vx.Messages.Send(context.Background(), voxio.SendMessageParams{
		Recipient: voxio.Recipient{MobileCode: "972", Mobile: "501234567"}, Message: sent,
	})
	if err != nil {
		t.Fatalf("send through the SDK: %v", err)
	}
	do(t, ctx, "see the message appear",
		chromedp.WaitVisible(fmt.Sprintf(`//div[@id="region-voxio"]//li[contains(@class,"msg")]//span[contains(., %q)]`, sent)))
	if marker := value(t, ctx, "read the marker", chromedp.Evaluate[string](`window.e2eMarker`)); marker != "same page" {
		t.Fatalf("the page was reloaded (marker %q)", marker)
	}
	t.Logf("message %d sent through the SDK is on the page", res.Message.ID)
	shot("devserver-2-sdk-message.png", chromedp.Screenshot(chromedp.ID("voxio")))

	// 3. "Send incoming message": Voxio signs a delivery with the relay
	// secret; the application's handler verifies it.
	const incoming = "Where is my parcel?"
	do(t, ctx, "send an incoming message",
		chromedp.SetValue(chromedp.ID("voxio-relay-url"), app.URL+"/hooks/voxio"),
		chromedp.SetValue(chromedp.ID("voxio-text"), incoming),
		chromedp.Click(chromedp.ID("voxio-incoming")),
	)
	select {
	case ev := <-app.incoming:
		if ev.Message.Text != incoming || ev.Contact.Mobile != "972501234567" {
			t.Fatalf("the application got %q from %q", ev.Message.Text, ev.Contact.Mobile)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the application received no verified delivery")
	}
	do(t, ctx, "see the delivery accepted",
		chromedp.WaitVisible(`//form[@id="voxio-incoming-form"]//p[@data-ok="yes" and contains(., "accepted")]`),
		chromedp.WaitVisible(`//div[@id="region-voxio"]//li[contains(., "incoming_message") and contains(., "200 OK")]`),
	)
	if n := app.rejected(); n != 0 {
		t.Fatalf("the application rejected %d deliveries", n)
	}
	shot("devserver-3-incoming-message.png", chromedp.Screenshot(chromedp.ID("voxio")))

	// 4. A call through the application's API Branch, two key presses,
	// and the transcript.
	do(t, ctx, "walk a call",
		chromedp.SetValue(chromedp.ID("voitex-url"), app.URL+"/hooks/voitex?token=e2e-branch-token-0123456789"),
		chromedp.SetValue(chromedp.ID("voitex-branches"), "100, 200"),
		chromedp.Click(chromedp.ID("voitex-start")),
		waitText("call-transcript", "waiting for a key"),
		chromedp.Click(chromedp.ID("key-1")),
		waitText("call-transcript", "branch 200:"),
		chromedp.Click(chromedp.ID("key-2")),
		waitText("call-transcript", "outcome: goto at branch 300"),
	)
	transcript := value(t, ctx, "read the transcript", chromedp.Text(chromedp.ID("call-transcript")))
	for _, want := range []string{
		"branch 100: [tts: Welcome. Press 1 for billing]",
		`pressed "1" → 200`,
		"branch 200: [tts: Billing. Press 2 for your invoices]",
		`pressed "2" → 300`,
		"outcome: goto at branch 300",
	} {
		if !strings.Contains(transcript, want) {
			t.Fatalf("transcript lacks %q:\n%s", want, transcript)
		}
	}
	t.Logf("transcript:\n%s", transcript)
	shot("devserver-4-call.png", chromedp.Screenshot(chromedp.ID("voitex")))

	// 5. A session the application creates waits for a QR scan: the QR is
	// a real image on the page, and "Scan" connects the session.
	ov, err := ourvoice.New(env["OURVOICE_TOKEN"], ourvoice.WithBaseURL(env["OURVOICE_BASE_URL"]))
	if err != nil {
		t.Fatal(err)
	}
	created, err := ov.Sessions.Create(context.Background())
	if err != nil {
		t.Fatalf("create a session through the SDK: %v", err)
	}
	id := created.Session.ID
	do(t, ctx, "see the QR code",
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`(() => { const img = document.querySelector('img[alt^="QR code of session %s"]');
			return img && img.complete && img.naturalWidth > 0; })()`, id), chromedp.WithPollingTimeout(15*time.Second)),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("ourvoice").scrollIntoView()`),
	)
	shot("devserver-5-qr.png", chromedp.Screenshot(chromedp.ID("ourvoice")))
	do(t, ctx, "scan it", chromedp.Click(chromedp.ID("ov-scan-"+id)))
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, err := ov.Sessions.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == ourvoice.SessionConnected {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the session is %s after the click", got.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	do(t, ctx, "see it connected", waitText("region-ourvoice", "connected"),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`!document.querySelector('img[alt^="QR code of session %s"]')`, id), chromedp.WithPollingTimeout(15*time.Second)))

	// 6. At a phone's width nothing runs off the side of the page.
	do(t, ctx, "narrow width", chromedp.EmulateViewport(375, 800), chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	if value(t, ctx, "measure the width", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth + 1`)) {
		t.Fatal("the page is wider than a 375 px screen")
	}
	shot("devserver-6-narrow.png", chromedp.CaptureScreenshot())
	do(t, ctx, "back to a desktop width", chromedp.EmulateViewport(1280, 900))
	shot("devserver-page.png", chromedp.FullScreenshot(100))
	// The Voxio part once the statuses have moved on: the picture for the
	// README (examples/devserver/screenshot.png is a copy).
	do(t, ctx, "statuses move on", chromedp.WaitVisible(`//div[@id="region-voxio"]//span[contains(@class,"s-read")]`))
	shot("devserver-voxio.png", chromedp.Screenshot(chromedp.ID("voxio")))
}

// stepTimeout bounds one step of the test in the browser.
const stepTimeout = 30 * time.Second

// do runs the actions of one step, failing the test with the step's name.
func do(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// value runs one action and returns its value.
func value[T any](t *testing.T, ctx context.Context, step string, action chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, action)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	return v
}

// waitText waits until the element with id holds text.
func waitText(id, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](fmt.Sprintf(`(document.getElementById(%q)?.textContent ?? "").includes(%q)`, id, text),
		chromedp.WithPollingTimeout(15*time.Second))
}

// findBrowser returns the Chromium to drive: CHROMIUM_PATH, or Debian's
// chromium on the PATH.
func findBrowser(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("E2E_REQUIRE_BROWSER") != "" {
		t.Fatal("no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)")
	}
	t.Skip("no Chromium found (apt-get install chromium, or set CHROMIUM_PATH); set E2E_REQUIRE_BROWSER to fail instead")
	return ""
}

// newBrowser starts headless Chromium as this machine needs it: no
// sandbox (the tests may run as root), no GPU, no background networking
// (the network is closed), a fresh profile.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// The first run starts the browser and binds its life to ctx, so it
	// has no timeout of its own; each step has one.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// startDevServer builds and runs `go run ./examples/devserver` on free
// ports, and returns the environment lines it printed and the page's URL.
func startDevServer(t *testing.T) (map[string]string, string) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("go is not on the PATH")
	}
	bin := filepath.Join(t.TempDir(), "devserver")
	build := exec.Command(goBin, "build", "-o", bin, "./examples/devserver")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the dev server: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-voxio", "127.0.0.1:0", "-voitex", "127.0.0.1:0",
		"-ourvoice", "127.0.0.1:0", "-chattu", "127.0.0.1:0", "-status-every", "1s")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lockedWriter{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the dev server exited with %v: %s", err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Error("the dev server did not stop on an interrupt")
		}
	})

	env := map[string]string{}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("the dev server stopped: %s", stderr.String())
			}
			if kv, found := strings.CutPrefix(line, "export "); found {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = strings.Trim(v, "'")
			}
			if rest, found := strings.CutPrefix(line, "# Inspector: "); found {
				page, _, _ := strings.Cut(rest, " ")
				go func() {
					for range lines { // keep the pipe drained
					}
				}()
				return env, page
			}
		case <-timeout:
			t.Fatalf("the dev server printed no inspector address: %s", stderr.String())
		}
	}
}

// testApp is an application as a developer would write it with the SDK:
// a Voxio relay handler and a Voitex API Branch.
type testApp struct {
	URL      string
	incoming chan *voxio.IncomingMessage

	mu       sync.Mutex
	refusals int
}

func (a *testApp) rejected() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.refusals
}

func startTestApp(t *testing.T, env map[string]string) *testApp {
	t.Helper()
	app := &testApp{incoming: make(chan *voxio.IncomingMessage, 4)}
	relayHandler, err := voxio.NewRelayHandler(voxio.RelayConfig{
		RelaySecret: env["VOXIO_RELAY_SECRET"], ClientID: env["VOXIO_CLIENT_ID"], ClientSecret: env["VOXIO_CLIENT_SECRET"],
	}, func(_ context.Context, ev voxio.Event) error {
		if m, ok := ev.(*voxio.IncomingMessage); ok {
			app.incoming <- m
		}
		return nil
	}, voxio.WithRelayOnError(func(_ *http.Request, err error) {
		app.mu.Lock()
		app.refusals++
		app.mu.Unlock()
		t.Logf("relay delivery refused: %v", err)
	}))
	if err != nil {
		t.Fatal(err)
	}
	guard, err := relay.SecretToken(relay.QueryToken("token"), []string{"e2e-branch-token-0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	branch, err := voitex.NewBranchHandler(guard, func(_ context.Context, call *voitex.BranchRequest) (*voitex.BranchResponse, error) {
		if len(call.BranchData) == 0 {
			return voitex.NewBranchResponse().PlayTTS("Welcome. Press 1 for billing").Input("1", "200"), nil
		}
		if last := call.BranchData[len(call.BranchData)-1]; last.Branch == "100" && last.Input == "1" {
			return voitex.NewBranchResponse().PlayTTS("Billing. Press 2 for your invoices").Input("2", "300"), nil
		}
		return nil, errors.New("unexpected step")
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /hooks/voxio", relayHandler)
	mux.Handle("POST /hooks/voitex", branch)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	app.URL = srv.URL
	return app
}

// lockedWriter lets the process's stderr be read while it is written.
type lockedWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
