package relay

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Default limits of the timestamp window. Five minutes each way is what most
// vendors document and leaves room for retries and ordinary clock drift.
const (
	DefaultMaxAge  = 300 * time.Second
	DefaultMaxSkew = 300 * time.Second
)

// maxLimit bounds each side of the window: a week-long window is no longer a
// replay defence, and the bound keeps age+skew far from Duration overflow.
const maxLimit = 7 * 24 * time.Hour

// maxTimestampDigits is the longest decimal that can fit in an int64; longer
// values are rejected before any arithmetic.
const maxTimestampDigits = 19

// Secret is one HMAC key. Several can be configured at once so that a vendor
// secret can be rotated without dropping deliveries signed with the old one.
type Secret struct {
	// ID is an optional, non-secret name ("2024-06", "old") reported in
	// Result so that logs show which key is still in use during a rotation.
	// It may appear in error messages, so never put key material in it.
	ID string
	// Value is the key exactly as the vendor shows it.
	Value []byte
}

// String describes the secret by its ID only, so printing a Secret (or a
// configuration holding one) cannot reveal the key.
func (s Secret) String() string {
	return "relay.Secret{ID: " + strconv.Quote(s.ID) + ", Value: [REDACTED]}"
}

// GoString is String, for %#v.
func (s Secret) GoString() string { return s.String() }

// Format prints String for every verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// LogValue keeps the key out of structured logs.
func (s Secret) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", s.ID), slog.String("value", "[REDACTED]"))
}

// Result describes a successful verification.
type Result struct {
	// SecretIndex is the position of the matching secret in the slice given to
	// NewVerifier.
	SecretIndex int
	// SecretID is that secret's ID (empty if none was given).
	SecretID string
	// Timestamp is the signed timestamp.
	Timestamp time.Time

	replayKey string // fingerprint recorded in the replay cache, if any
}

// VerifierOption configures NewVerifier.
type VerifierOption func(*verifierConfig)

type verifierConfig struct {
	maxAge, maxSkew time.Duration
	now             func() time.Time
	replay          ReplayCache
	replaySet       bool
	noReplay        bool
}

// WithMaxAge sets how old a signed timestamp may be (default 300 s). It must
// be a whole number of seconds between 1 s and 7 days, because timestamps are
// whole seconds and a fractional limit would only hide rounding.
func WithMaxAge(d time.Duration) VerifierOption {
	return func(c *verifierConfig) { c.maxAge = d }
}

// WithMaxSkew sets how far in the future a signed timestamp may be (default
// 300 s), which absorbs the vendor's clock running ahead of ours. It must be a
// whole number of seconds between 0 and 7 days.
func WithMaxSkew(d time.Duration) VerifierOption {
	return func(c *verifierConfig) { c.maxSkew = d }
}

// WithClock replaces time.Now, for tests and for a process whose clock is
// corrected elsewhere. The verifier's default replay cache uses it too.
func WithClock(now func() time.Time) VerifierOption {
	return func(c *verifierConfig) { c.now = now }
}

// WithReplayCache replaces the default per-verifier memory cache, typically
// with a store shared by every receiver instance. Passing nil is a
// configuration error rather than a way to switch replay protection off, so a
// forgotten initialisation cannot silently disable it; use
// WithoutReplayProtection for that.
func WithReplayCache(c ReplayCache) VerifierOption {
	return func(cfg *verifierConfig) { cfg.replay, cfg.replaySet = c, true }
}

// WithoutReplayProtection turns the replay check off, for receivers that
// deduplicate by event id downstream or verify the same delivery twice (a
// queue consumer re-checking what the edge already accepted).
func WithoutReplayProtection() VerifierOption {
	return func(c *verifierConfig) { c.noReplay = true }
}

// Verifier checks signed deliveries. It is safe for concurrent use; build one
// per endpoint at start-up and share it.
type Verifier struct {
	scheme          compiledScheme
	keys            []*hmacKey
	maxAge, maxSkew int64 // seconds
	window          time.Duration
	now             func() time.Time
	replay          ReplayCache
}

// NewVerifier validates the scheme, the secrets and the options. Any problem
// is an error wrapping ErrConfig: there is no configuration that skips the
// check. Secrets are copied, so the caller may wipe its slice afterwards.
//
// A secret with leading or trailing whitespace is rejected: it is almost
// always a newline picked up from a file or environment variable, which would
// make every delivery fail in production.
func NewVerifier(scheme Scheme, secrets []Secret, opts ...VerifierOption) (*Verifier, error) {
	cs, err := scheme.compile()
	if err != nil {
		return nil, err
	}
	cfg := verifierConfig{maxAge: DefaultMaxAge, maxSkew: DefaultMaxSkew, now: time.Now}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.now == nil {
		return nil, fmt.Errorf("%w: WithClock(nil)", ErrConfig)
	}
	if err := checkLimit("max age", cfg.maxAge, time.Second); err != nil {
		return nil, err
	}
	if err := checkLimit("max skew", cfg.maxSkew, 0); err != nil {
		return nil, err
	}
	if cfg.replaySet && cfg.replay == nil {
		return nil, fmt.Errorf("%w: WithReplayCache(nil); use WithoutReplayProtection to disable the check", ErrConfig)
	}
	if cfg.replaySet && cfg.noReplay {
		return nil, fmt.Errorf("%w: both WithReplayCache and WithoutReplayProtection given", ErrConfig)
	}
	keys, err := compileSecrets(secrets)
	if err != nil {
		return nil, err
	}
	v := &Verifier{
		scheme:  cs,
		keys:    keys,
		maxAge:  int64(cfg.maxAge / time.Second),
		maxSkew: int64(cfg.maxSkew / time.Second),
		window:  cfg.maxAge + cfg.maxSkew,
		now:     cfg.now,
		replay:  cfg.replay,
	}
	if !cfg.noReplay && v.replay == nil {
		v.replay = NewMemoryReplayCache(0, cfg.now)
	}
	return v, nil
}

func checkLimit(name string, d, lo time.Duration) error {
	if d < lo || d > maxLimit {
		return fmt.Errorf("%w: %s %v outside [%v, %v]", ErrConfig, name, d, lo, maxLimit)
	}
	if d%time.Second != 0 {
		return fmt.Errorf("%w: %s %v is not a whole number of seconds", ErrConfig, name, d)
	}
	return nil
}

func compileSecrets(secrets []Secret) ([]*hmacKey, error) {
	if len(secrets) == 0 {
		return nil, fmt.Errorf("%w: no secrets", ErrConfig)
	}
	keys := make([]*hmacKey, len(secrets))
	for i, s := range secrets {
		trimmed := bytes.TrimSpace(s.Value)
		switch {
		case len(trimmed) == 0:
			return nil, fmt.Errorf("%w: secret %d%s is empty or blank", ErrConfig, i, idLabel(s.ID))
		case len(trimmed) != len(s.Value):
			return nil, fmt.Errorf("%w: secret %d%s has leading or trailing whitespace", ErrConfig, i, idLabel(s.ID))
		}
		k, err := newHMACKey(s.ID, s.Value)
		if err != nil {
			return nil, fmt.Errorf("%w: secret %d%s: %v", ErrConfig, i, idLabel(s.ID), err)
		}
		keys[i] = k
	}
	return keys, nil
}

func idLabel(id string) string {
	if id == "" {
		return ""
	}
	return fmt.Sprintf(" (id %q)", id)
}

// Verify checks a delivery received now (by the verifier's clock).
// body must be the raw bytes as received: re-encoding JSON changes them.
func (v *Verifier) Verify(ctx context.Context, header http.Header, body []byte) (Result, error) {
	return v.VerifyAt(ctx, header, body, v.now())
}

// VerifyAt checks a delivery against the time it was received rather than
// now, so that a queue consumer processing a stored delivery later applies the
// same window the edge would have. The replay cache still expires entries by
// the verifier's clock, since that is when duplicates can still arrive.
//
// Checks run cheapest first (header shape, window) so that stale or garbled
// requests never cost an HMAC; the replay cache is consulted only for
// correctly signed requests, so forged traffic cannot fill it.
func (v *Verifier) VerifyAt(ctx context.Context, header http.Header, body []byte, receivedAt time.Time) (Result, error) {
	if receivedAt.IsZero() {
		return Result{}, fmt.Errorf("%w: zero receive time", ErrConfig)
	}
	sig, err := singleHeader(header, v.scheme.sigHeader)
	if err != nil {
		return Result{}, err
	}
	ts, err := singleHeader(header, v.scheme.tsHeader)
	if err != nil {
		return Result{}, err
	}
	secs, ok := parseSeconds(ts)
	if !ok {
		return Result{}, fmt.Errorf("%w: %s must be 1 to %d decimal digits of unix seconds that fit in 64 bits (got %d bytes)",
			ErrMalformedHeader, v.scheme.tsHeader, maxTimestampDigits, len(ts))
	}
	var mac [sha256.Size]byte
	if !decodeSignature(sig, v.scheme.sigPrefix, &mac) {
		return Result{}, fmt.Errorf("%w: %s must be %q followed by %d hex digits (got %d bytes)",
			ErrMalformedHeader, v.scheme.sigHeader, v.scheme.sigPrefix, 2*sha256.Size, len(sig))
	}
	if err := v.checkWindow(secs, receivedAt.Unix()); err != nil {
		return Result{}, err
	}
	idx := -1
	var sum [sha256.Size]byte
	for i, k := range v.keys {
		k.sum(&v.scheme, ts, body, &sum)
		if subtle.ConstantTimeCompare(sum[:], mac[:]) == 1 {
			idx = i
			break
		}
	}
	if idx < 0 {
		return Result{}, fmt.Errorf("%w: %s does not match any of %d secret(s) over %d body bytes",
			ErrNoMatchingSignature, v.scheme.sigHeader, len(v.keys), len(body))
	}
	res := Result{SecretIndex: idx, SecretID: v.keys[idx].id, Timestamp: time.Unix(secs, 0)}
	if v.replay != nil {
		key := replayKey(&mac)
		// One extra second covers the inclusive edge of the age limit.
		until := v.now().Add(v.window + time.Second)
		seen, err := v.replay.Seen(ctx, key, until)
		if err != nil {
			if isUnavailable(err) {
				return Result{}, err
			}
			return Result{}, fmt.Errorf("%w: replay cache: %w", ErrUnavailable, err)
		}
		if seen {
			return Result{}, fmt.Errorf("%w: signature already accepted (signed %d)", ErrReplay, secs)
		}
		res.replayKey = key
	}
	return res, nil
}

// Release removes an accepted delivery from the replay cache, so that the
// vendor's retry of a delivery we failed to process (5xx, crash) is accepted
// instead of being rejected as a replay. It is a no-op when replay protection
// is off or the cache cannot forget (does not implement ReplayForgetter).
func (v *Verifier) Release(ctx context.Context, res Result) error {
	if res.replayKey == "" || v.replay == nil {
		return nil
	}
	f, ok := v.replay.(ReplayForgetter)
	if !ok {
		return nil
	}
	if err := f.Forget(ctx, res.replayKey); err != nil {
		return fmt.Errorf("%w: replay cache: %w", ErrUnavailable, err)
	}
	return nil
}

func isUnavailable(err error) bool { return errors.Is(err, ErrUnavailable) }

// checkWindow compares in integer seconds. ts is never negative (no sign is
// accepted), so both differences fit in a uint64 even when now is negative or
// ts is near MaxInt64, and unsigned wrap-around yields the exact value.
func (v *Verifier) checkWindow(ts, now int64) error {
	if ts <= now {
		if age := uint64(now) - uint64(ts); age > uint64(v.maxAge) {
			return fmt.Errorf("%w: %s is %d s old, limit %d s", ErrTooOld, v.scheme.tsHeader, age, v.maxAge)
		}
		return nil
	}
	if ahead := uint64(ts) - uint64(now); ahead > uint64(v.maxSkew) {
		hint := ""
		if v.inWindow(ts/1000, now) {
			hint = "; it looks like milliseconds"
		}
		return fmt.Errorf("%w: %s is %d s ahead, limit %d s%s", ErrTooNew, v.scheme.tsHeader, ahead, v.maxSkew, hint)
	}
	return nil
}

func (v *Verifier) inWindow(ts, now int64) bool {
	if ts <= now {
		return uint64(now)-uint64(ts) <= uint64(v.maxAge)
	}
	return uint64(ts)-uint64(now) <= uint64(v.maxSkew)
}

// singleHeader returns the only value of a header, given its canonical key.
// Headers off the wire are canonical already; a map rebuilt by hand or
// from a queue may spell the key in any case, and all spellings together
// must still carry exactly one value.
func singleHeader(h http.Header, key string) (string, error) {
	vals := h[key]
	for k, vs := range h {
		if len(k) == len(key) && k != key && strings.EqualFold(k, key) {
			vals = append(vals[:len(vals):len(vals)], vs...)
		}
	}
	switch {
	case len(vals) == 0 || (len(vals) == 1 && vals[0] == ""):
		return "", fmt.Errorf("%w: %s", ErrMissingHeader, key)
	case len(vals) > 1:
		return "", fmt.Errorf("%w: %s sent %d times", ErrMalformedHeader, key, len(vals))
	}
	return vals[0], nil
}

// parseSeconds accepts only ASCII digits: no sign, no exponent, no fraction,
// no spaces, nothing that overflows int64.
func parseSeconds(s string) (int64, bool) {
	if len(s) == 0 || len(s) > maxTimestampDigits {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// decodeSignature parses prefix + 64 hex digits into dst without allocating.
func decodeSignature(v, prefix string, dst *[sha256.Size]byte) bool {
	if len(v) != len(prefix)+2*sha256.Size || v[:len(prefix)] != prefix {
		return false
	}
	v = v[len(prefix):]
	for i := range dst {
		hi, ok1 := fromHex(v[2*i])
		lo, ok2 := fromHex(v[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// replayKey fingerprints the MAC so that the cache (and whatever a shared
// store logs) never holds a value that is valid on the wire.
func replayKey(mac *[sha256.Size]byte) string {
	fp := sha256.Sum256(mac[:])
	return hex.EncodeToString(fp[:])
}

// hmacKey keys HMAC-SHA256 once and hands out pooled instances. After the
// first Reset, crypto/hmac keeps the marshaled inner and outer SHA-256 states
// and Reset merely restores them, so a verification costs no key-schedule
// compressions and no allocations, unlike a fresh hmac.New per request.
type hmacKey struct {
	id   string
	pool sync.Pool
}

type macState struct {
	h    hash.Hash
	head []byte // scratch for before + timestamp + between
	sum  [sha256.Size]byte
}

func newHMACKey(id string, secret []byte) (k *hmacKey, err error) {
	key := bytes.Clone(secret)
	// crypto/hmac panics on keys it refuses (short keys in FIPS 140-only
	// mode). Building the first instance here turns that into a config error
	// instead of a panic on the first request.
	defer func() {
		if r := recover(); r != nil {
			k, err = nil, fmt.Errorf("HMAC key rejected: %v", r)
		}
	}()
	first := newMACState(key)
	k = &hmacKey{id: id}
	k.pool.New = func() any { return newMACState(key) }
	k.pool.Put(first)
	return k, nil
}

func newMACState(key []byte) *macState {
	h := hmac.New(sha256.New, key)
	h.Reset() // switch crypto/hmac to restoring marshaled state on Reset
	return &macState{h: h, head: make([]byte, 0, 64)}
}

// sum writes HMAC(before + ts + between + body) into out.
func (k *hmacKey) sum(s *compiledScheme, ts string, body []byte, out *[sha256.Size]byte) {
	st := k.pool.Get().(*macState)
	st.head = append(append(append(st.head[:0], s.before...), ts...), s.between...)
	st.h.Write(st.head)
	st.h.Write(body)
	// Summing into pooled storage keeps out from escaping through the
	// interface call, which would cost an allocation per request.
	st.h.Sum(st.sum[:0])
	*out = st.sum
	st.h.Reset()
	k.pool.Put(st)
}
