package relay

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
)

var ctx = context.Background()

func TestNewVerifierRejectsBadConfig(t *testing.T) {
	good := secrets("s3cret-value")
	scheme := func(mut func(*Scheme)) Scheme {
		s := testScheme()
		mut(&s)
		return s
	}
	tests := []struct {
		name    string
		scheme  Scheme
		secrets []Secret
		opts    []VerifierOption
	}{
		{"nil secrets", testScheme(), nil, nil},
		{"empty secret", testScheme(), secrets(""), nil},
		{"blank secret", testScheme(), secrets(" \t\n"), nil},
		{"trailing newline", testScheme(), secrets("s3cret\n"), nil},
		{"leading space", testScheme(), secrets(" s3cret"), nil},
		{"one good one blank", testScheme(), secrets("s3cret", ""), nil},
		{"zero scheme", Scheme{}, good, nil},
		{"no signature header", scheme(func(s *Scheme) { s.SignatureHeader = "" }), good, nil},
		{"no timestamp header", scheme(func(s *Scheme) { s.TimestampHeader = "" }), good, nil},
		{"header with space", scheme(func(s *Scheme) { s.SignatureHeader = "X Sig" }), good, nil},
		{"same headers", scheme(func(s *Scheme) { s.TimestampHeader = "x-webhook-signature" }), good, nil},
		{"prefix with space", scheme(func(s *Scheme) { s.SignaturePrefix = "sha256= " }), good, nil},
		{"empty layout", scheme(func(s *Scheme) { s.Layout = "" }), good, nil},
		{"body not last", scheme(func(s *Scheme) { s.Layout = "{body}.{timestamp}" }), good, nil},
		{"no timestamp", scheme(func(s *Scheme) { s.Layout = "x.{body}" }), good, nil},
		{"two timestamps", scheme(func(s *Scheme) { s.Layout = "{timestamp}.{timestamp}.{body}" }), good, nil},
		{"two bodies", scheme(func(s *Scheme) { s.Layout = "{body}{timestamp}.{body}" }), good, nil},
		{"no separator", scheme(func(s *Scheme) { s.Layout = "{timestamp}{body}" }), good, nil},
		{"digit separator", scheme(func(s *Scheme) { s.Layout = "{timestamp}1{body}" }), good, nil},
		{"zero age", testScheme(), good, []VerifierOption{WithMaxAge(0)}},
		{"negative age", testScheme(), good, []VerifierOption{WithMaxAge(-time.Second)}},
		{"fractional age", testScheme(), good, []VerifierOption{WithMaxAge(1500 * time.Millisecond)}},
		{"huge age", testScheme(), good, []VerifierOption{WithMaxAge(8 * 24 * time.Hour)}},
		{"negative skew", testScheme(), good, []VerifierOption{WithMaxSkew(-time.Second)}},
		{"fractional skew", testScheme(), good, []VerifierOption{WithMaxSkew(time.Millisecond)}},
		{"nil clock", testScheme(), good, []VerifierOption{WithClock(nil)}},
		{"nil replay cache", testScheme(), good, []VerifierOption{WithReplayCache(nil)}},
		{"cache and no replay", testScheme(), good, []VerifierOption{WithReplayCache(NewMemoryReplayCache(1, nil)), WithoutReplayProtection()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewVerifier(tc.scheme, tc.secrets, tc.opts...)
			if !errors.Is(err, ErrConfig) || v != nil {
				t.Fatalf("NewVerifier = %v, %v; want nil, ErrConfig", v, err)
			}
		})
	}
}

func TestNewVerifierAcceptsOtherSchemes(t *testing.T) {
	// A Slack-style layout with a version tag and no signature prefix.
	s := Scheme{SignatureHeader: "X-Sig", TimestampHeader: "X-Ts", SignaturePrefix: "", Layout: "v0:{timestamp}:{body}"}
	clock := newTestClock(testNow)
	v, err := NewVerifier(s, secrets("k"), WithClock(clock.Now), WithMaxSkew(0))
	if err != nil {
		t.Fatal(err)
	}
	sg, err := NewSigner(s, []byte("k"), WithSignerClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	h := sg.Sign([]byte("payload"))
	if got := h.Get("X-Sig"); len(got) != 64 {
		t.Fatalf("signature %q", got)
	}
	if _, err := v.Verify(ctx, h, []byte("payload")); err != nil {
		t.Fatal(err)
	}
}

func TestWindowEdges(t *testing.T) {
	tests := []struct {
		name            string
		maxAge, maxSkew time.Duration
		offset          int64 // timestamp minus now, seconds
		want            error
	}{
		{"now", 0, 0, 0, nil},
		{"default age edge", 0, 0, -300, nil},
		{"default age edge+1", 0, 0, -301, ErrTooOld},
		{"default skew edge", 0, 0, 300, nil},
		{"default skew edge+1", 0, 0, 301, ErrTooNew},
		{"custom age edge", 60 * time.Second, 5 * time.Second, -60, nil},
		{"custom age edge+1", 60 * time.Second, 5 * time.Second, -61, ErrTooOld},
		{"custom skew edge", 60 * time.Second, 5 * time.Second, 5, nil},
		{"custom skew edge+1", 60 * time.Second, 5 * time.Second, 6, ErrTooNew},
		{"zero skew now", time.Second, 0, 0, nil},
		{"zero skew +1", time.Second, 0, 1, ErrTooNew},
		{"one second age edge", time.Second, 0, -1, nil},
		{"one second age edge+1", time.Second, 0, -2, ErrTooOld},
		{"epoch", 0, 0, -testNow, ErrTooOld},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []VerifierOption
			if tc.maxAge != 0 { // zero means "use the defaults"
				opts = append(opts, WithMaxAge(tc.maxAge), WithMaxSkew(tc.maxSkew))
			}
			clock := newTestClock(testNow)
			opts = append(opts, WithClock(clock.Now))
			v := mustVerifier(t, secrets("k"), opts...)
			s := mustSigner(t, "k")
			body := []byte(`{"a":1}`)
			h := s.SignAt(time.Unix(testNow+tc.offset, 0), body)
			_, err := v.Verify(ctx, h, body)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// A sub-second clock must not widen the window: the limit compares whole
// seconds of the receive time.
func TestWindowSubSecondClock(t *testing.T) {
	now := time.Unix(testNow, 999_999_999)
	v := mustVerifier(t, secrets("k"), WithClock(func() time.Time { return now }))
	s := mustSigner(t, "k")
	if _, err := v.Verify(ctx, s.SignAt(time.Unix(testNow-300, 0), nil), nil); err != nil {
		t.Fatalf("edge: %v", err)
	}
	if _, err := v.Verify(ctx, s.SignAt(time.Unix(testNow-301, 0), nil), nil); !errors.Is(err, ErrTooOld) {
		t.Fatalf("edge+1: %v", err)
	}
}

func TestTimestampFormats(t *testing.T) {
	s := mustSigner(t, "k")
	body := []byte("{}")
	tests := []struct {
		ts   string
		want error
	}{
		{"1700000000", nil},
		{"0001700000000", nil}, // leading zeros are still plain decimal seconds
		{"+1700000000", ErrMalformedHeader},
		{"-1700000000", ErrMalformedHeader},
		{"1.7e9", ErrMalformedHeader},
		{"1700000000.0", ErrMalformedHeader},
		{"1700000000.5", ErrMalformedHeader},
		{"0x6553f100", ErrMalformedHeader},
		{"1_700_000_000", ErrMalformedHeader},
		{" 1700000000", ErrMalformedHeader},
		{"1700000000 ", ErrMalformedHeader},
		{"１７００００００００", ErrMalformedHeader},                           // full-width digits
		{"1700000000000", ErrTooNew},                                 // milliseconds
		{"1700000000000000", ErrTooNew},                              // microseconds
		{"9223372036854775807", ErrTooNew},                           // MaxInt64
		{"9223372036854775808", ErrMalformedHeader},                  // overflows
		{"99999999999999999999", ErrMalformedHeader},                 // 20 digits
		{strings.Repeat("0", 19) + "1700000000", ErrMalformedHeader}, // too long
		{"0", ErrTooOld},
	}
	for _, tc := range tests {
		t.Run(tc.ts, func(t *testing.T) {
			v := mustVerifier(t, secrets("k"), WithClock(func() time.Time { return time.Unix(testNow, 0) }))
			h := s.SignWithTimestamp(tc.ts, body)
			_, err := v.Verify(ctx, h, body)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestMillisecondHint(t *testing.T) {
	v := mustVerifier(t, secrets("k"), WithClock(func() time.Time { return time.Unix(testNow, 0) }))
	h := mustSigner(t, "k").SignWithTimestamp("1700000000123", nil)
	_, err := v.Verify(ctx, h, nil)
	if !errors.Is(err, ErrTooNew) || !strings.Contains(err.Error(), "milliseconds") {
		t.Fatalf("err = %v", err)
	}
}

func TestExtremeClocks(t *testing.T) {
	s := mustSigner(t, "k")
	for _, now := range []time.Time{
		time.Unix(-1, 0),
		time.Unix(math.MinInt64/2, 0),
		time.Unix(math.MaxInt64/2, 0),
		time.Unix(0, 0),
	} {
		for _, ts := range []string{"0", "1700000000", "9223372036854775807"} {
			v := mustVerifier(t, secrets("k"), WithClock(func() time.Time { return now }), WithoutReplayProtection())
			_, err := v.Verify(ctx, s.SignWithTimestamp(ts, nil), nil)
			if err == nil && ts != "0" {
				t.Errorf("now=%d ts=%s accepted", now.Unix(), ts)
			}
			if err != nil && !errors.Is(err, ErrTooOld) && !errors.Is(err, ErrTooNew) {
				t.Errorf("now=%d ts=%s: %v", now.Unix(), ts, err)
			}
		}
	}
}

func TestSignatureHeaderShape(t *testing.T) {
	s := mustSigner(t, "k")
	body := []byte("{}")
	good := s.SignAt(time.Unix(testNow, 0), body)
	sig, ts := good.Get("X-Webhook-Signature"), good.Get("X-Webhook-Timestamp")
	hexPart := strings.TrimPrefix(sig, "sha256=")
	set := func(mut func(h http.Header)) http.Header {
		h := good.Clone()
		mut(h)
		return h
	}
	tests := []struct {
		name string
		h    http.Header
		want error
	}{
		{"good", good, nil},
		{"upper hex", set(func(h http.Header) { h.Set("X-Webhook-Signature", "sha256="+strings.ToUpper(hexPart)) }), nil},
		{"mixed hex", set(func(h http.Header) {
			h.Set("X-Webhook-Signature", "sha256="+strings.ToUpper(hexPart[:10])+hexPart[10:])
		}), nil},
		{"no signature", set(func(h http.Header) { h.Del("X-Webhook-Signature") }), ErrMissingHeader},
		{"empty signature", set(func(h http.Header) { h.Set("X-Webhook-Signature", "") }), ErrMissingHeader},
		{"no timestamp", set(func(h http.Header) { h.Del("X-Webhook-Timestamp") }), ErrMissingHeader},
		{"empty header map", http.Header{}, ErrMissingHeader},
		{"nil header map", nil, ErrMissingHeader},
		{"two signatures", set(func(h http.Header) { h.Add("X-Webhook-Signature", sig) }), ErrMalformedHeader},
		{"two timestamps", set(func(h http.Header) { h.Add("X-Webhook-Timestamp", ts) }), ErrMalformedHeader},
		{"63 hex", set(func(h http.Header) { h.Set("X-Webhook-Signature", sig[:len(sig)-1]) }), ErrMalformedHeader},
		{"65 hex", set(func(h http.Header) { h.Set("X-Webhook-Signature", sig+"0") }), ErrMalformedHeader},
		{"no prefix", set(func(h http.Header) { h.Set("X-Webhook-Signature", hexPart) }), ErrMalformedHeader},
		{"upper prefix", set(func(h http.Header) { h.Set("X-Webhook-Signature", "SHA256="+hexPart) }), ErrMalformedHeader},
		{"space after prefix", set(func(h http.Header) { h["X-Webhook-Signature"] = []string{"sha256= " + hexPart} }), ErrMalformedHeader},
		{"non-hex digit", set(func(h http.Header) { h.Set("X-Webhook-Signature", "sha256=g"+hexPart[1:]) }), ErrMalformedHeader},
		{"two in one", set(func(h http.Header) { h.Set("X-Webhook-Signature", sig+","+sig) }), ErrMalformedHeader},
		{"base64", set(func(h http.Header) {
			h.Set("X-Webhook-Signature", "sha256=q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=")
		}), ErrMalformedHeader},
		{"flipped hex digit", set(func(h http.Header) {
			b := []byte(hexPart)
			b[5] ^= 1
			h.Set("X-Webhook-Signature", "sha256="+string(b))
		}), ErrNoMatchingSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := mustVerifier(t, secrets("k"), WithClock(func() time.Time { return time.Unix(testNow, 0) }))
			_, err := v.Verify(ctx, tc.h, body)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	clock := newTestClock(testNow)
	v := mustVerifier(t, []Secret{
		{ID: "2025-old", Value: []byte("old-secret")},
		{ID: "2026-new", Value: []byte("new-secret")},
		{Value: []byte("unnamed-secret")},
	}, WithClock(clock.Now))
	tests := []struct {
		secret string
		index  int
		id     string
		want   error
	}{
		{"old-secret", 0, "2025-old", nil},
		{"new-secret", 1, "2026-new", nil},
		{"unnamed-secret", 2, "", nil},
		{"retired-secret", -1, "", ErrNoMatchingSignature},
	}
	for _, tc := range tests {
		t.Run(tc.secret, func(t *testing.T) {
			body := []byte(`{"secret":"` + tc.secret + `"}`)
			res, err := v.Verify(ctx, mustSigner(t, tc.secret).SignAt(clock.Now(), body), body)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || res.SecretIndex != tc.index || res.SecretID != tc.id {
				t.Fatalf("res = %+v, err = %v", res, err)
			}
			if !res.Timestamp.Equal(clock.Now()) {
				t.Fatalf("timestamp %v", res.Timestamp)
			}
		})
	}
}

func TestVerifyAtQueuedDelivery(t *testing.T) {
	clock := newTestClock(testNow)
	v := mustVerifier(t, secrets("k"), WithClock(clock.Now))
	body := []byte(`{"queued":true}`)
	h := mustSigner(t, "k").SignAt(clock.Now(), body)
	receivedAt := clock.Now().Add(2 * time.Second)
	clock.Advance(time.Hour) // the consumer runs an hour later

	if _, err := v.Verify(ctx, h, body); !errors.Is(err, ErrTooOld) {
		t.Fatalf("Verify now: %v", err)
	}
	if _, err := v.VerifyAt(ctx, h, body, receivedAt); err != nil {
		t.Fatalf("VerifyAt: %v", err)
	}
	// A duplicate of the same queued delivery is still a replay.
	if _, err := v.VerifyAt(ctx, h, body, receivedAt); !errors.Is(err, ErrReplay) {
		t.Fatalf("duplicate VerifyAt: %v", err)
	}
	if _, err := v.VerifyAt(ctx, h, body, time.Time{}); !errors.Is(err, ErrConfig) {
		t.Fatalf("zero receive time: %v", err)
	}
}

func TestReplay(t *testing.T) {
	clock := newTestClock(testNow)
	v := mustVerifier(t, secrets("k"), WithClock(clock.Now))
	s := mustSigner(t, "k", WithSignerClock(clock.Now))
	body := []byte(`{"id":1}`)
	h := s.Sign(body)

	res, err := v.Verify(ctx, h, body)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(ctx, h, body); !errors.Is(err, ErrReplay) {
		t.Fatalf("second delivery: %v", err)
	}
	// Changing the hex case does not make a new signature.
	upper := h.Clone()
	upper.Set("X-Webhook-Signature", "sha256="+strings.ToUpper(strings.TrimPrefix(h.Get("X-Webhook-Signature"), "sha256=")))
	if _, err := v.Verify(ctx, upper, body); !errors.Is(err, ErrReplay) {
		t.Fatalf("upper-case replay: %v", err)
	}
	// Still remembered at the last second the signature is acceptable.
	clock.Advance(300 * time.Second)
	if _, err := v.Verify(ctx, h, body); !errors.Is(err, ErrReplay) {
		t.Fatalf("replay at edge of window: %v", err)
	}
	// A new delivery of the same body is a different signature.
	if _, err := v.Verify(ctx, s.Sign(body), body); err != nil {
		t.Fatalf("fresh delivery: %v", err)
	}
	// Release lets the vendor's retry through.
	if err := v.Release(ctx, res); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(ctx, h, body); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

func TestReplayDisabled(t *testing.T) {
	clock := newTestClock(testNow)
	v := mustVerifier(t, secrets("k"), WithClock(clock.Now), WithoutReplayProtection())
	h := mustSigner(t, "k").SignAt(clock.Now(), nil)
	for i := 0; i < 3; i++ {
		res, err := v.Verify(ctx, h, nil)
		if err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
		if err := v.Release(ctx, res); err != nil {
			t.Fatal(err)
		}
	}
}

type failingCache struct{ err error }

func (f failingCache) Seen(context.Context, string, time.Time) (bool, error) { return false, f.err }

type recordingCache struct {
	keys  []string
	until []time.Time
}

func (c *recordingCache) Seen(_ context.Context, key string, until time.Time) (bool, error) {
	for _, k := range c.keys {
		if k == key {
			return true, nil
		}
	}
	c.keys, c.until = append(c.keys, key), append(c.until, until)
	return false, nil
}

func TestReplayCacheErrors(t *testing.T) {
	clock := newTestClock(testNow)
	h := mustSigner(t, "k").SignAt(clock.Now(), nil)

	v := mustVerifier(t, secrets("k"), WithClock(clock.Now), WithReplayCache(failingCache{errors.New("redis: connection refused")}))
	_, err := v.Verify(ctx, h, nil)
	if !errors.Is(err, ErrUnavailable) || HTTPStatus(err) != http.StatusServiceUnavailable {
		t.Fatalf("err = %v", err)
	}

	full := NewMemoryReplayCache(1, clock.Now)
	v = mustVerifier(t, secrets("k"), WithClock(clock.Now), WithReplayCache(full))
	if _, err := v.Verify(ctx, h, nil); err != nil {
		t.Fatal(err)
	}
	h2 := mustSigner(t, "k").SignAt(clock.Now().Add(-time.Second), nil)
	if _, err := v.Verify(ctx, h2, nil); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("full cache: %v", err)
	}

	// A custom cache sees a fingerprint, never the MAC, and an expiry that
	// covers the whole window.
	rc := &recordingCache{}
	v = mustVerifier(t, secrets("k"), WithClock(clock.Now), WithReplayCache(rc))
	if _, err := v.Verify(ctx, h, nil); err != nil {
		t.Fatal(err)
	}
	mac := strings.TrimPrefix(h.Get("X-Webhook-Signature"), "sha256=")
	if len(rc.keys) != 1 || len(rc.keys[0]) != 64 || rc.keys[0] == mac {
		t.Fatalf("keys %v", rc.keys)
	}
	if got := rc.until[0].Sub(clock.Now()); got < 600*time.Second {
		t.Fatalf("remembered for %v, want the whole 600 s window", got)
	}
	// Release on a cache that cannot forget is a no-op.
	if err := v.Release(ctx, Result{replayKey: rc.keys[0]}); err != nil {
		t.Fatal(err)
	}
}

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 200},
		{ErrMissingHeader, 400},
		{ErrMalformedHeader, 400},
		{ErrTooOld, 401},
		{ErrTooNew, 401},
		{ErrNoMatchingSignature, 401},
		{ErrUnauthenticated, 401},
		{ErrReplay, 401},
		{ErrForbidden, 403},
		{ErrBodyTooLarge, 413},
		{ErrConfig, 500},
		{ErrUnavailable, 503},
		{errors.New("unexpected EOF"), 400},
	}
	for _, tc := range tests {
		if got := HTTPStatus(tc.err); got != tc.want {
			t.Errorf("HTTPStatus(%v) = %d, want %d", tc.err, got, tc.want)
		}
		if tc.err != nil {
			if got := HTTPStatus(errors.Join(errors.New("context"), tc.err)); got != tc.want {
				t.Errorf("wrapped %v = %d", tc.err, got)
			}
		}
	}
}
