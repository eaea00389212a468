package voxio

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

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

// RelayConfig configures NewRelayHandler. RelaySecret, ClientID and
// ClientSecret are required: a handler that skips a check cannot be built.
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
	// MaxAge bounds how old a delivery's X-Voxio-Timestamp may be (whole
	// seconds; default 300 s). Voxio's retries are signed anew, so a short
	// window costs nothing.
	MaxAge time.Duration
	// MaxSkew bounds how far in the future X-Voxio-Timestamp may be, for
	// clocks that run ahead (whole seconds; default 300 s).
	MaxSkew time.Duration
	// MaxBodyBytes caps a delivery's body (default 1 MiB); larger bodies are
	// answered 413 before verification.
	MaxBodyBytes int64
	// Clock replaces time.Now, for tests.
	Clock func() time.Time
	// ReplayCache remembers accepted deliveries (default: in memory, per
	// handler): their signatures, and a fingerprint of their body so that a
	// retry Voxio signs anew is recognised too. Share one store between
	// receiver instances.
	ReplayCache relay.ReplayCache
	// OnError receives every rejected delivery with its typed error (from
	// package relay, or the callback's), and duplicates as relay.ErrReplay.
	// Errors never contain a secret, a signature or the body.
	OnError func(*http.Request, error)
}

// String keeps secrets out of logs.
func (c RelayConfig) String() string {
	return "voxio.RelayConfig{ClientID: " + c.ClientID + ", secrets redacted}"
}

// Format prints String for every verb.
func (c RelayConfig) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// RelayHandler receives Voxio Inbound Relay deliveries. It is an
// http.Handler, safe for concurrent use.
type RelayHandler struct {
	verifier *relay.Verifier
	cache    relay.ReplayCache
	window   time.Duration
	now      func() time.Time
	creds    []credentialPair
	maxBody  int64
	onError  func(*http.Request, error)
	fn       func(context.Context, Event) error
}

type credentialPair struct{ id, secret string }

// NewRelayHandler returns the handler for Voxio's relay URL. For every POST
// it, in order:
//
//   - reads the body, at most MaxBodyBytes (413 beyond);
//   - compares X-Voxio-Client-Id and X-Voxio-Client-Secret with the
//     account's credentials in constant time (401);
//   - verifies X-Voxio-Signature over X-Voxio-Timestamp + "." + the raw body
//     with the relay secret, and the timestamp window (400 for missing or
//     malformed headers, 401 for a wrong signature or a stale or future
//     timestamp);
//   - answers a duplicate of a delivery already accepted (the same signed
//     request, or the same payload signed again) with 200 and does not call
//     fn again, so Voxio stops retrying it;
//   - decodes the event and calls fn. When fn returns nil the answer is
//     200 {"ok":true,"event":...}; when it fails or panics the answer is
//     500, and the delivery is forgotten by the replay cache so that Voxio's
//     retry is processed.
//
// Voxio counts slow answers as failures: fn should accept the event (store
// or enqueue it) and return, and do slow work elsewhere.
func NewRelayHandler(cfg RelayConfig, fn func(ctx context.Context, ev Event) error) (*RelayHandler, error) {
	if fn == nil {
		return nil, fmt.Errorf("%w: voxio: nil relay callback", relay.ErrConfig)
	}
	secrets := []relay.Secret{{ID: "current", Value: []byte(cfg.RelaySecret)}}
	for i, s := range cfg.OldRelaySecrets {
		secrets = append(secrets, relay.Secret{ID: fmt.Sprintf("old-%d", i), Value: []byte(s)})
	}
	var opts []relay.VerifierOption
	if cfg.MaxAge != 0 {
		opts = append(opts, relay.WithMaxAge(cfg.MaxAge))
	}
	if cfg.MaxSkew != 0 {
		opts = append(opts, relay.WithMaxSkew(cfg.MaxSkew))
	}
	now := cfg.Clock
	if now == nil {
		now = time.Now
	}
	opts = append(opts, relay.WithClock(now))
	cache := cfg.ReplayCache
	if cache == nil {
		cache = relay.NewMemoryReplayCache(0, now)
	}
	opts = append(opts, relay.WithReplayCache(cache))
	v, err := relay.NewVerifier(relay.VoxioScheme(), secrets, opts...)
	if err != nil {
		return nil, fmt.Errorf("voxio: relay: %w", err)
	}
	window := cfg.MaxAge + cfg.MaxSkew
	if cfg.MaxAge == 0 {
		window += relay.DefaultMaxAge
	}
	if cfg.MaxSkew == 0 {
		window += relay.DefaultMaxSkew
	}
	h := &RelayHandler{verifier: v, cache: cache, window: window + time.Second, now: now, maxBody: cfg.MaxBodyBytes, onError: cfg.OnError, fn: fn}
	if h.maxBody == 0 {
		h.maxBody = relay.DefaultMaxBodyBytes
	}
	if h.maxBody < 0 {
		return nil, fmt.Errorf("%w: voxio: MaxBodyBytes must be positive", relay.ErrConfig)
	}
	pairs := append([]Credentials{{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret}}, cfg.OldCredentials...)
	for i, p := range pairs {
		if checkCredential("ClientID", p.ClientID) != nil || checkCredential("ClientSecret", p.ClientSecret) != nil {
			return nil, fmt.Errorf("%w: voxio: client credentials %d are empty, blank or padded with whitespace", relay.ErrConfig, i)
		}
		h.creds = append(h.creds, credentialPair{id: p.ClientID, secret: p.ClientSecret})
	}
	return h, nil
}

// String names the handler without its secrets.
func (h *RelayHandler) String() string { return "voxio.RelayHandler" }

// Format prints String for every verb.
func (h *RelayHandler) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, h.String()) }

var errWrongCredentials = fmt.Errorf("%w: %s/%s do not match the account's credentials", relay.ErrUnauthenticated, HeaderRelayClientID, HeaderRelayClientSecret)

// checkCredentials compares both headers with every accepted pair, always
// all of them, so timing reveals neither which header nor which pair failed.
func (h *RelayHandler) checkCredentials(header http.Header) error {
	ids, secrets := header.Values(HeaderRelayClientID), header.Values(HeaderRelayClientSecret)
	if len(ids) != 1 || len(secrets) != 1 || ids[0] == "" || secrets[0] == "" {
		return fmt.Errorf("%w: exactly one %s and one %s are required", relay.ErrUnauthenticated, HeaderRelayClientID, HeaderRelayClientSecret)
	}
	ok := false
	for _, p := range h.creds {
		idOK := relay.EqualCredential(ids[0], p.id)
		secretOK := relay.EqualCredential(secrets[0], p.secret)
		ok = ok || (idOK && secretOK)
	}
	if !ok {
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
	body, err := relay.ReadBody(w, r, h.maxBody)
	if err != nil {
		h.fail(w, r, err, relay.HTTPStatus(err))
		return
	}
	if err := h.checkCredentials(r.Header); err != nil {
		h.fail(w, r, err, http.StatusUnauthorized)
		return
	}
	res, err := h.verifier.Verify(r.Context(), r.Header, body)
	if errors.Is(err, relay.ErrReplay) {
		// Correctly signed and already accepted: Voxio is retrying a
		// delivery whose answer it did not see. Acknowledge it so the
		// retries stop, without handing it over twice.
		if h.onError != nil {
			h.onError(r, err)
		}
		writeAck(w, "", true)
		return
	}
	if err != nil {
		h.fail(w, r, err, relay.HTTPStatus(err))
		return
	}
	// The same payload signed again (a retry with a fresh timestamp) has a
	// new signature but the same body: it is a duplicate too.
	bodyKey := bodyFingerprint(body)
	seen, err := h.cache.Seen(r.Context(), bodyKey, h.now().Add(h.window))
	if err != nil {
		h.release(r, res, "")
		err = fmt.Errorf("%w: replay cache: %w", relay.ErrUnavailable, err)
		h.fail(w, r, err, relay.HTTPStatus(err))
		return
	}
	if seen {
		if h.onError != nil {
			h.onError(r, fmt.Errorf("%w: the same payload was accepted under another signature", relay.ErrReplay))
		}
		writeAck(w, "", true)
		return
	}
	ev, err := ParseEvent(body, r.Header.Get(HeaderRelayEvent))
	if err != nil {
		h.release(r, res, bodyKey)
		h.fail(w, r, err, http.StatusBadRequest)
		return
	}
	ev.Info().SignedAt = res.Timestamp
	ev.Info().ClientID = r.Header.Get(HeaderRelayClientID)
	if err := h.call(r, res, bodyKey, ev); err != nil {
		h.fail(w, r, err, http.StatusInternalServerError)
		return
	}
	writeAck(w, ev.EventName(), false)
}

// call runs the callback, releasing the delivery from the replay cache when
// it fails or panics so Voxio's retry is processed.
func (h *RelayHandler) call(r *http.Request, res relay.Result, bodyKey string, ev Event) (err error) {
	done := false
	defer func() {
		if !done || err != nil {
			h.release(r, res, bodyKey)
		}
	}()
	err = h.fn(r.Context(), ev)
	done = true
	return err
}

// release forgets an accepted delivery (its signature and body
// fingerprint), so that Voxio's retry of a delivery we failed is processed.
func (h *RelayHandler) release(r *http.Request, res relay.Result, bodyKey string) {
	ctx := context.WithoutCancel(r.Context())
	if err := h.verifier.Release(ctx, res); err != nil && h.onError != nil {
		h.onError(r, err)
	}
	if f, ok := h.cache.(relay.ReplayForgetter); ok && bodyKey != "" {
		if err := f.Forget(ctx, bodyKey); err != nil && h.onError != nil {
			h.onError(r, fmt.Errorf("%w: replay cache: %w", relay.ErrUnavailable, err))
		}
	}
}

// bodyFingerprint keys a payload in the replay cache; like the verifier's
// keys it is a SHA-256 hex digest, never the content.
func bodyFingerprint(body []byte) string {
	sum := sha256.Sum256(body)
	return "voxio-body:" + hex.EncodeToString(sum[:])
}

func (h *RelayHandler) fail(w http.ResponseWriter, r *http.Request, err error, status int) {
	if h.onError != nil {
		h.onError(r, err)
	}
	http.Error(w, http.StatusText(status), status)
}

func writeAck(w http.ResponseWriter, event string, duplicate bool) {
	ack := struct {
		OK        bool   `json:"ok"`
		Event     string `json:"event,omitempty"`
		Duplicate bool   `json:"duplicate,omitempty"`
	}{true, event, duplicate}
	b, _ := json.Marshal(ack)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
