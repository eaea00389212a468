// Package relay verifies and guards inbound webhooks. It is the
// vendor-neutral foundation of the SDK's inbound handlers and uses the
// standard library only; it names no vendor, and each vendor package
// describes its own vendor with it.
//
// The vendors offer no sandbox, so a receiver that is subtly wrong is wrong in
// production: it drops real events or accepts forged ones. The package
// therefore refuses to be configured into "accept everything": an empty or
// blank secret, a nil clock or cache, or a window limit out of range is an error wrapping ErrConfig at
// construction, never a skipped check.
//
// # Signed deliveries
//
// A Scheme describes where a vendor puts its HMAC-SHA256 signature and
// timestamp and which bytes it signed; the vendor packages hold their
// vendors' presets, and any other vendor is described from its
// documentation. A Verifier checks, in order: exactly one well-formed
// signature and timestamp header (400 otherwise), a timestamp within the
// age and future-skew limits (300 s each by default, compared in integer
// seconds), a MAC matching one of several secrets (so secrets can rotate;
// Result says which matched), and that the signature was not accepted
// before (ErrReplay). Verification
// always runs over the raw body bytes, before anything parses them.
//
// Verifier.Middleware wraps a net/http handler: it caps the body (1 MiB by
// default, 413 above), verifies, and hands the next handler the identical
// bytes as r.Body and through RawBody. VerificationFromContext reports which
// secret matched. Rejections answer a generic status text; pass WithOnError
// to log the typed error, which never contains a MAC, a secret or the body.
//
// Replay protection defaults to a bounded in-memory cache per Verifier. With
// several receiver instances, implement ReplayCache over a shared store.
//
// # Unsigned deliveries and shared credentials
//
// HeaderCredentials checks shared secrets sent as headers (an account's
// client id and secret, an API key) in constant time, hashing both sides
// first so that length is not leaked either. For callbacks that carry no
// credential at all (an IVR asking what to do next in a call, say), combine
// SecretToken (a random token in the URL), BasicAuth and IPAllowlist. Each
// is a Middleware whose constructor validates its configuration.
//
// # Signing
//
// Signer produces the headers a vendor would send, for sandboxes and tests,
// so receivers are tested with verification on.
//
// # Mounting under routers
//
// Middleware is func(http.Handler) http.Handler, so it needs no adapter for
// net/http or chi, and the standard adapters of other routers suffice. The
// only requirement is that nothing reads the body before the middleware does:
// do not put body-binding or body-logging middleware in front of it.
//
// net/http and chi (chi's middleware type is the same function type):
//
//	verify, err := v.Middleware()
//	mux.Handle("POST /hooks/events", verify(handler))
//	r.With(verify).Post("/hooks/events", handler.ServeHTTP) // chi
//
// gin, through gin.WrapH (the handler sees the request gin received, with the
// body untouched as long as no earlier gin handler bound it):
//
//	router.POST("/hooks/events", gin.WrapH(verify(handler)))
//
// echo, through echo.WrapHandler, or echo.WrapMiddleware to keep echo
// handlers after it (they then read the verified body with
// relay.RawBody(c.Request().Context())):
//
//	e.POST("/hooks/events", echo.WrapHandler(verify(handler)))
//	e.POST("/hooks/events", echoHandler, echo.WrapMiddleware(verify))
//
// In every case a handler after the middleware may read r.Body normally or
// call RawBody; both return the verified bytes.
package relay
