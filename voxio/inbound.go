package voxio

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-go/switchboard/internal/inbound"
	"github.com/switchboard-go/switchboard/internal/transport"
	"github.com/switchboard-go/switchboard/relay"
)

// Headers Voxio sends with every Inbound Relay delivery.
const (
	// HeaderRelayEvent names the event (EventIncomingMessage,
	// EventMessageStatus). It is not signed.
	HeaderRelayEvent = "X-Voxio-Event"
	// HeaderRelayTimestamp is the signing time in unix seconds; the
	// handler refuses deliveries outside its window to stop replays.
	HeaderRelayTimestamp = "X-Voxio-Timestamp"
	// HeaderRelaySignature is "sha256=" + hex(HMAC-SHA256(relay secret,
	// timestamp + "." + raw body)).
	HeaderRelaySignature = "X-Voxio-Signature"
	// HeaderRelayClientID is the account's active API client id.
	HeaderRelayClientID = "X-Voxio-Client-Id"
	// HeaderRelayClientSecret is the account's active API client secret,
	// an extra account-level check; it is never logged or kept.
	HeaderRelayClientSecret = "X-Voxio-Client-Secret"
)

// RelayScheme returns how Voxio signs Inbound Relay deliveries, for
// relay.NewVerifier and relay.NewSigner (a queue consumer re-verifying a
// stored delivery, a test signing one):
//
//	X-Voxio-Signature: sha256=hex(HMAC-SHA256(relay secret, X-Voxio-Timestamp + "." + raw body))
//
// It is a function rather than a variable so that no caller can change the
// scheme under another's feet.
func RelayScheme() relay.Scheme {
	return relay.Scheme{
		SignatureHeader: HeaderRelaySignature,
		SignaturePrefix: "sha256=",
		TimestampHeader: HeaderRelayTimestamp,
		Layout:          relay.PlaceholderTimestamp + "." + relay.PlaceholderBody,
	}
}

// Credentials is an External API client-id and client-secret pair. It
// prints without the secret.
type Credentials struct {
	// ClientID is the client id, sent as X-Voxio-Client-Id.
	ClientID string
	// ClientSecret is the client secret, sent as X-Voxio-Client-Secret.
	ClientSecret string
}

// String names the client id only.
func (c Credentials) String() string { return "voxio.Credentials{ClientID: " + c.ClientID + "}" }

// Format prints String for every verb.
func (c Credentials) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// RelayConfig holds the secrets NewRelayHandler checks deliveries with.
// RelaySecret, ClientID and ClientSecret are required: a handler that skips
// a check cannot be built. How the handler behaves (limits, clock, replay
// store, error reporting) is set with RelayOptions.
type RelayConfig struct {
	// RelaySecret is the HMAC key set in Voxio's Inbound Relay settings. It
	// is never sent; X-Voxio-Signature is computed with it.
	RelaySecret string
	// ClientID is the account's active External API client id, which Voxio
	// sends as X-Voxio-Client-Id with every delivery.
	ClientID string
	// ClientSecret is the matching client secret, sent as
	// X-Voxio-Client-Secret. It is compared in constant time.
	ClientSecret string
	// OldRelaySecrets are still accepted during a rotation of the relay
	// secret.
	OldRelaySecrets []string
	// OldCredentials are client-id/client-secret pairs still accepted during
	// a rotation of the API credentials. Each delivery must match one pair.
	OldCredentials []Credentials
}

// String keeps secrets out of logs.
func (c RelayConfig) String() string {
	return "voxio.RelayConfig{ClientID: " + c.ClientID + ", secrets redacted}"
}

// Format prints String for every verb.
func (c RelayConfig) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// Defaults of the relay handler.
const (
	// DefaultRelayMaxBody caps a delivery's body; Voxio's events are a few
	// hundred bytes, so a larger body is answered 413 before any check.
	DefaultRelayMaxBody = inbound.DefaultMaxBody
	// DefaultRelayReadTimeout bounds how long the handler waits for the
	// whole body: Voxio sends it in one go, so a sender trickling bytes is
	// answered 408 instead of holding a goroutine.
	DefaultRelayReadTimeout = inbound.DefaultReadTimeout
	// DefaultRelayTimeout bounds the callback. Voxio's documentation asks
	// for a 2xx "quickly" and counts a timeout as a failed delivery, but
	// gives no number. The answer must reach Voxio before it gives up:
	// otherwise its retry would be acknowledged as a duplicate while the
	// first attempt may still fail, and the event would be lost. 5 s is
	// half the 10 s most webhook senders wait, and far more than a
	// callback that stores or enqueues the event needs. A callback past its
	// deadline has its context cancelled and the delivery is answered 500
	// and forgotten, so Voxio's retry is processed.
	DefaultRelayTimeout = 5 * time.Second
)

// Errors the handler reports to WithRelayOnError besides those of package
// relay (ErrNoMatchingSignature, ErrTooOld, ErrReplay, ...) and the
// callback's own.
var (
	// ErrBodyTooLarge: the body exceeded the cap (answered 413).
	ErrBodyTooLarge = inbound.ErrBodyTooLarge
	// ErrReadTimeout: the body did not arrive within the read timeout
	// (answered 408, connection closed).
	ErrReadTimeout = inbound.ErrReadTimeout
	// ErrCallbackTimeout: the callback did not return within its deadline
	// (answered 500; the delivery is forgotten so Voxio's retry is
	// processed).
	ErrCallbackTimeout = inbound.ErrCallbackTimeout
)

// PanicError is a panic recovered from the relay callback: the handler
// answered 500 and forgot the delivery, so Voxio's retry is processed, and
// the process did not crash. WithRelayOnError receives it; get it with
// errors.As(err, &pe) where pe is a *voxio.PanicError. Its fields:
//
//   - Value any: what the callback panicked with (not printed by Error,
//     since user code chose it and it could hold a secret).
//   - Stack []byte: the goroutine's stack at the panic.
type PanicError = inbound.PanicError

// RelayOption configures NewRelayHandler. An option given a value that
// cannot work is a construction error, never a silent default.
type RelayOption func(*relayConfig) error

type relayConfig struct {
	runner          inbound.Runner
	timeout         time.Duration
	maxAge, maxSkew time.Duration
	now             func() time.Time
	cache           relay.ReplayCache
	failOpen        *slog.Logger
}

// relayConfigError is a configuration error of the relay handler: it names
// voxio and matches relay.ErrConfig.
func relayConfigError(format string, args ...any) error {
	return fmt.Errorf("voxio: %w: "+format, append([]any{relay.ErrConfig}, args...)...)
}

// WithRelayOnError receives every rejected delivery with its typed error
// (from package relay, ErrBodyTooLarge, ErrReadTimeout), every callback
// failure (its error, *PanicError, ErrCallbackTimeout), and duplicates as
// relay.ErrReplay, so that they can be logged and counted while Voxio only
// sees a status. Errors never contain a secret, a signature or the body.
func WithRelayOnError(fn func(*http.Request, error)) RelayOption {
	return func(c *relayConfig) error {
		c.runner.OnError = fn
		return nil
	}
}

// WithRelayMaxBody caps a delivery's body (default DefaultRelayMaxBody);
// larger bodies are answered 413 before verification. n must be positive.
func WithRelayMaxBody(n int64) RelayOption {
	return func(c *relayConfig) error {
		if n <= 0 {
			return relayConfigError("WithRelayMaxBody(%d): must be positive", n)
		}
		c.runner.MaxBody = n
		return nil
	}
}

// WithRelayReadTimeout bounds how long the handler waits for the whole
// body (default DefaultRelayReadTimeout); a slower sender is answered 408.
// d must be positive.
func WithRelayReadTimeout(d time.Duration) RelayOption {
	return func(c *relayConfig) error {
		if d <= 0 {
			return relayConfigError("WithRelayReadTimeout(%v): must be positive", d)
		}
		c.runner.ReadTimeout = d
		return nil
	}
}

// WithRelayTimeout bounds the callback (default DefaultRelayTimeout), so
// that Voxio gets an answer before it gives up on the delivery. d must be
// positive.
func WithRelayTimeout(d time.Duration) RelayOption {
	return func(c *relayConfig) error {
		if d <= 0 {
			return relayConfigError("WithRelayTimeout(%v): must be positive", d)
		}
		c.timeout = d
		return nil
	}
}

// WithRelayMaxAge bounds how old a delivery's X-Voxio-Timestamp may be
// (default 300 s), the replay window. Voxio signs its retries anew, so a
// short window costs nothing. It must be whole seconds, 1 s to 7 days.
func WithRelayMaxAge(d time.Duration) RelayOption {
	return func(c *relayConfig) error {
		c.maxAge = d
		return nil
	}
}

// WithRelayMaxSkew bounds how far in the future X-Voxio-Timestamp may be
// (default 300 s), for a Voxio clock running ahead of ours. It must be
// whole seconds, 0 to 7 days.
func WithRelayMaxSkew(d time.Duration) RelayOption {
	return func(c *relayConfig) error {
		c.maxSkew = d
		return nil
	}
}

// WithRelayClock replaces time.Now for the timestamp window and the replay
// cache's expiry, so that tests (and voxiotest's clock) can move time.
func WithRelayClock(now func() time.Time) RelayOption {
	return func(c *relayConfig) error {
		if now == nil {
			return relayConfigError("WithRelayClock(nil)")
		}
		c.now = now
		return nil
	}
}

// WithRelayReplayCache replaces the handler's in-memory replay cache with
// a store shared by every receiver instance, so that a delivery accepted
// by one is a duplicate for all. It remembers a SHA-256 fingerprint of each
// accepted body (never the body), so that both a resent request and a
// retry Voxio signs anew are recognised, with one lookup per delivery; a
// store that also implements relay.ReplayForgetter lets a failed delivery
// be processed on retry. nil is an error: replay protection cannot be
// switched off by accident.
func WithRelayReplayCache(cache relay.ReplayCache) RelayOption {
	return func(c *relayConfig) error {
		if cache == nil {
			return relayConfigError("WithRelayReplayCache(nil)")
		}
		c.cache = cache
		return nil
	}
}

// WithRelayReplayFailOpen makes the handler process a verified delivery
// when the replay store cannot be reached, logging a warning to l for each
// one, instead of answering 503 so that Voxio redelivers later (the
// default). Opt in only when a duplicate reaching the callback is cheaper
// than a delayed one: while the store is down, a delivery Voxio repeats is
// processed again. l is required, so the choice is never silent.
func WithRelayReplayFailOpen(l *slog.Logger) RelayOption {
	return func(c *relayConfig) error {
		if l == nil {
			return relayConfigError("WithRelayReplayFailOpen(nil): a logger is required")
		}
		c.failOpen = l
		return nil
	}
}

// RelayHandler receives Voxio Inbound Relay deliveries. It is an
// http.Handler, safe for concurrent use.
type RelayHandler struct {
	runner    inbound.Runner
	verifier  *relay.Verifier
	cache     relay.ReplayCache
	forgetter relay.ReplayForgetter // nil when the cache cannot forget
	failOpen  *slog.Logger          // set: process when the cache is down
	window    time.Duration
	now       func() time.Time
	timeout   time.Duration
	creds     []credentialDigests
	fn        func(context.Context, Event) error
}

// credentialDigests are one accepted pair, hashed once at construction so
// that a delivery costs one hash per header however many pairs rotate.
type credentialDigests struct{ id, secret [sha256.Size]byte }

// NewRelayHandler returns the handler for Voxio's relay URL. For every POST
// it, in order:
//
//   - reads the body, at most WithRelayMaxBody (413 beyond) and within
//     WithRelayReadTimeout (408);
//   - compares X-Voxio-Client-Id and X-Voxio-Client-Secret with the
//     account's credentials in constant time (401);
//   - verifies X-Voxio-Signature over X-Voxio-Timestamp + "." + the raw body
//     with the relay secret (relay.Verifier), and the timestamp window (400
//     for missing or malformed headers, 401 for a wrong signature or a stale
//     or future timestamp);
//   - answers a duplicate of a delivery already accepted (the same signed
//     request, or the same payload signed again) with 200 and does not call
//     fn again, so Voxio stops retrying it (503 when the replay store is
//     down, so Voxio retries later);
//   - decodes the event (400 for a body that is not a JSON object) and
//     calls fn with a deadline (WithRelayTimeout). When fn returns nil the
//     answer is 200 {"ok":true,"event":...}; when it fails, panics
//     (*PanicError) or misses its deadline (ErrCallbackTimeout) the answer is
//     500, and the delivery is forgotten by the replay cache so that
//     Voxio's retry is processed.
//
// Voxio counts slow answers as failures: fn should accept the event (store
// or enqueue it) and return, and do slow work elsewhere. A missing secret,
// a nil fn or a bad option is an error matching relay.ErrConfig.
func NewRelayHandler(cfg RelayConfig, fn func(ctx context.Context, ev Event) error, opts ...RelayOption) (*RelayHandler, error) {
	if fn == nil {
		return nil, relayConfigError("nil relay callback")
	}
	rc := relayConfig{timeout: DefaultRelayTimeout, maxAge: relay.DefaultMaxAge, maxSkew: relay.DefaultMaxSkew, now: time.Now}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&rc); err != nil {
			return nil, err
		}
	}
	if rc.cache == nil {
		rc.cache = relay.NewMemoryReplayCache(0, rc.now)
	}
	secrets := []relay.Secret{{ID: "current", Value: []byte(cfg.RelaySecret)}}
	for i, s := range cfg.OldRelaySecrets {
		secrets = append(secrets, relay.Secret{ID: "old-" + strconv.Itoa(i), Value: []byte(s)})
	}
	// The verifier checks the signature and the window; deliveries are
	// deduplicated by their body below, which also catches a retry signed
	// anew, with one lookup in the (possibly remote) cache per delivery.
	v, err := relay.NewVerifier(RelayScheme(), secrets,
		relay.WithMaxAge(rc.maxAge), relay.WithMaxSkew(rc.maxSkew), relay.WithClock(rc.now), relay.WithoutReplayProtection())
	if err != nil {
		return nil, fmt.Errorf("voxio: %w", err)
	}
	h := &RelayHandler{
		runner:   rc.runner,
		verifier: v,
		cache:    rc.cache,
		failOpen: rc.failOpen,
		// One extra second covers the inclusive edge of the age limit, as
		// the verifier's own entries do.
		window:  rc.maxAge + rc.maxSkew + time.Second,
		now:     rc.now,
		timeout: rc.timeout,
		fn:      fn,
	}
	h.forgetter, _ = rc.cache.(relay.ReplayForgetter)
	pairs := append([]Credentials{{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret}}, cfg.OldCredentials...)
	for i, p := range pairs {
		for _, c := range []struct{ field, value string }{{"ClientID", p.ClientID}, {"ClientSecret", p.ClientSecret}} {
			var ve *transport.ValidationError
			if err := transport.CheckCredential(vendor, c.field, c.value); errors.As(err, &ve) {
				return nil, relayConfigError("credential pair %d: %s %s", i, ve.Field, ve.Rule)
			}
		}
		h.creds = append(h.creds, credentialDigests{id: sha256.Sum256([]byte(p.ClientID)), secret: sha256.Sum256([]byte(p.ClientSecret))})
	}
	return h, nil
}

// String names the handler without its secrets.
func (h *RelayHandler) String() string { return "voxio.RelayHandler" }

// Format prints String for every verb.
func (h *RelayHandler) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, h.String()) }

var (
	errCredentialHeaders = fmt.Errorf("%w: exactly one %s and one %s are required", relay.ErrUnauthenticated, HeaderRelayClientID, HeaderRelayClientSecret)
	errWrongCredentials  = fmt.Errorf("%w: %s/%s do not match the account's credentials", relay.ErrUnauthenticated, HeaderRelayClientID, HeaderRelayClientSecret)
)

// checkCredentials compares both headers with every accepted pair, always
// all of them, so timing reveals neither which header nor which pair failed.
func (h *RelayHandler) checkCredentials(header http.Header) error {
	ids, secrets := header[HeaderRelayClientID], header[HeaderRelayClientSecret]
	if len(ids) != 1 || len(secrets) != 1 || ids[0] == "" || secrets[0] == "" {
		return errCredentialHeaders
	}
	id, secret := sha256.Sum256([]byte(ids[0])), sha256.Sum256([]byte(secrets[0]))
	ok := 0
	for i := range h.creds {
		ok |= subtle.ConstantTimeCompare(id[:], h.creds[i].id[:]) & subtle.ConstantTimeCompare(secret[:], h.creds[i].secret[:])
	}
	if ok != 1 {
		return errWrongCredentials
	}
	return nil
}

// ServeHTTP implements http.Handler.
func (h *RelayHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	body, ok := h.runner.ReadBody(w, r)
	if !ok {
		return
	}
	if err := h.checkCredentials(r.Header); err != nil {
		h.fail(w, r, http.StatusUnauthorized, err)
		return
	}
	ctx := r.Context()
	res, err := h.verifier.Verify(ctx, r.Header, body)
	if err != nil {
		h.fail(w, r, relay.HTTPStatus(err), err)
		return
	}
	// A delivery whose payload was accepted before is a duplicate, whether
	// Voxio resent the same signed request or signed the payload anew for a
	// retry: acknowledge it so the retries stop, without handing it over
	// twice.
	bodyKey := bodyFingerprint(body)
	seen, err := h.cache.Seen(ctx, bodyKey, h.now().Add(h.window))
	if err != nil {
		if !errors.Is(err, relay.ErrUnavailable) {
			err = fmt.Errorf("%w: replay cache: %w", relay.ErrUnavailable, err)
		}
		if h.failOpen == nil {
			// 503: Voxio redelivers later, when the store can tell a
			// duplicate again.
			h.fail(w, r, relay.HTTPStatus(err), err)
			return
		}
		h.failOpen.LogAttrs(ctx, slog.LevelWarn, "voxio relay: replay store unavailable, processing without deduplication",
			slog.String("event", r.Header.Get(HeaderRelayEvent)), slog.String("error", err.Error()))
		h.runner.Report(r, err)
		seen = false
	}
	if seen {
		h.runner.Report(r, fmt.Errorf("%w: payload already accepted (signed %d)", relay.ErrReplay, res.Timestamp.Unix()))
		writeAck(w, "", true)
		return
	}
	ev, err := parseEvent(body, r.Header.Get(HeaderRelayEvent))
	if err != nil {
		h.forget(r, bodyKey)
		h.fail(w, r, http.StatusBadRequest, err)
		return
	}
	info := ev.Info()
	info.SignedAt = res.Timestamp
	info.ClientID = r.Header[HeaderRelayClientID][0] // exactly one, checked above
	if _, err := inbound.Invoke(ctx, h.timeout, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, h.fn(ctx, ev)
	}); err != nil {
		h.forget(r, bodyKey)
		h.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	writeAck(w, ev.EventName(), false)
}

// forget drops an accepted delivery from the replay cache, so that Voxio's
// retry of a delivery we failed is processed. A cache that cannot forget
// (no relay.ReplayForgetter) keeps it: the retry is then acknowledged as a
// duplicate, which is why a shared store should implement Forget.
func (h *RelayHandler) forget(r *http.Request, bodyKey string) {
	if h.forgetter == nil {
		return
	}
	if err := h.forgetter.Forget(context.WithoutCancel(r.Context()), bodyKey); err != nil {
		h.runner.Report(r, fmt.Errorf("%w: replay cache: %w", relay.ErrUnavailable, err))
	}
}

// bodyFingerprint keys a payload in the replay cache; like the verifier's
// keys it is a SHA-256 hex digest, never the content.
func bodyFingerprint(body []byte) string {
	const prefix = "voxio-body:"
	sum := sha256.Sum256(body)
	var b [len(prefix) + 2*sha256.Size]byte
	copy(b[:], prefix)
	hex.Encode(b[len(prefix):], sum[:])
	return string(b[:])
}

// fail answers status with a body that names only the status, so a prober
// learns nothing about which check failed; the detail goes to OnError.
func (h *RelayHandler) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	http.Error(w, http.StatusText(status), status)
	h.runner.Report(r, err)
}

var (
	contentTypeJSON = []string{"application/json"}
	ackDuplicate    = []byte(`{"ok":true,"duplicate":true}`)
)

// writeAck answers 200 the way Voxio's own sample receiver does:
// {"ok":true,"event":"..."}, or {"ok":true,"duplicate":true}.
func writeAck(w http.ResponseWriter, event string, duplicate bool) {
	w.Header()["Content-Type"] = contentTypeJSON
	w.WriteHeader(http.StatusOK)
	if duplicate {
		_, _ = w.Write(ackDuplicate)
		return
	}
	if !plainName(event) {
		// A name with quotes or control bytes: let encoding/json escape it.
		b, _ := json.Marshal(struct {
			OK    bool   `json:"ok"`
			Event string `json:"event"`
		}{true, event})
		_, _ = w.Write(b)
		return
	}
	b := make([]byte, 0, 24+len(event))
	b = append(b, `{"ok":true,"event":"`...)
	b = append(b, event...)
	b = append(b, `"}`...)
	_, _ = w.Write(b)
}

// plainName reports an event name that needs no JSON escaping, as every
// name Voxio documents ("incoming_message").
func plainName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
