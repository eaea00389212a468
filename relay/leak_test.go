package relay

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestErrorsNeverLeak drives every error path with canary secrets, bodies,
// credentials and MACs and checks that no rendering of any error contains
// them, since errors are logged as-is.
func TestErrorsNeverLeak(t *testing.T) {
	const (
		secret     = "CANARYSECRET-3c9d1e"
		otherKey   = "CANARYOTHERKEY-77aa"
		credential = "CANARYCREDENTIAL-51f0"
		password   = "CANARYPASSWORD-e2b4"
		token      = "CANARYTOKEN-0123456789"
	)
	body := []byte(`{"text":"CANARYBODY-9f8e שלום"}`)
	clock := newTestClock(testNow)
	ts := "1700000000"
	mac := func(key string, b []byte) string {
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(ts + "."))
		m.Write(b)
		return hex.EncodeToString(m.Sum(nil))
	}
	goodMAC := mac(secret, body)
	otherMAC := mac(otherKey, body)
	canaries := []string{"CANARY", goodMAC, strings.ToUpper(goodMAC), otherMAC, goodMAC[:16], otherMAC[:16]}

	var errs []error
	collect := func(_ *http.Request, err error) { errs = append(errs, err) }
	add := func(_ any, err error) {
		if err == nil {
			t.Helper()
			t.Fatal("expected an error")
		}
		errs = append(errs, err)
	}

	// Configuration errors.
	add(NewVerifier(testScheme(), secrets(" "+secret)))
	add(NewVerifier(testScheme(), secrets(secret+"\n")))
	add(NewVerifier(testScheme(), []Secret{{Value: []byte(secret)}, {Value: []byte("\t")}}))
	add(NewSigner(testScheme(), []byte(secret+" ")))
	add(NewCredentialSet(credential, ""))
	add(HeaderCredentials(map[string][]string{"X-Api-Key": {credential, " "}}))
	add(SecretToken(QueryToken("t"), []string{token[:10]}))
	add(BasicAuth("r", []BasicCredential{{Username: "CANARYUSER:x", Password: password}}))
	add(BasicAuth("r", []BasicCredential{{Username: "u", Password: " "}}))

	// Verification errors.
	v := mustVerifier(t, []Secret{{ID: "current", Value: []byte(secret)}}, WithClock(clock.Now))
	hdr := func(ts, sig string) http.Header {
		return http.Header{"X-Webhook-Timestamp": {ts}, "X-Webhook-Signature": {sig}}
	}
	verify := func(h http.Header, b []byte) {
		_, err := v.Verify(context.Background(), h, b)
		add(nil, err)
	}
	verify(http.Header{}, body)
	verify(hdr(ts, "sha256="+goodMAC[:63]), body)
	verify(hdr(ts, goodMAC), body)
	verify(hdr(ts, "sha256="+goodMAC+"00"), body)
	verify(hdr(ts, "CANARYSIG"+goodMAC), body)
	verify(hdr("CANARYTS", "sha256="+goodMAC), body)
	verify(http.Header{"X-Webhook-Timestamp": {ts, ts}, "X-Webhook-Signature": {"sha256=" + goodMAC}}, body)
	verify(http.Header{"X-Webhook-Timestamp": {ts}, "X-Webhook-Signature": {"sha256=" + goodMAC, "sha256=" + otherMAC}}, body)
	verify(hdr("1699999000", "sha256="+goodMAC), body)
	verify(hdr("1700001000", "sha256="+goodMAC), body)
	verify(hdr("1700000000000", "sha256="+goodMAC), body)
	verify(hdr(ts, "sha256="+otherMAC), body)
	verify(hdr(ts, "sha256="+goodMAC), append(bytes.Clone(body), '\n'))
	if _, err := v.Verify(context.Background(), hdr(ts, "sha256="+goodMAC), body); err != nil {
		t.Fatal(err)
	}
	verify(hdr(ts, "sha256="+goodMAC), body) // replay
	verify(hdr(ts, "sha256="+strings.ToUpper(goodMAC)), body)
	_, err := v.VerifyAt(context.Background(), hdr(ts, "sha256="+goodMAC), body, time.Time{})
	add(nil, err)

	full := NewMemoryReplayCache(1, clock.Now)
	full.Seen(context.Background(), "occupied", clock.Now().Add(time.Hour))
	vf := mustVerifier(t, secrets(secret), WithClock(clock.Now), WithReplayCache(full))
	_, err = vf.Verify(context.Background(), hdr(ts, "sha256="+goodMAC), body)
	add(nil, err)
	vc := mustVerifier(t, secrets(secret), WithClock(clock.Now), WithReplayCache(failingCache{errors.New("store down")}))
	_, err = vc.Verify(context.Background(), hdr(ts, "sha256="+goodMAC), body)
	add(nil, err)

	// Middleware and guards report through OnError.
	mw, err := mustVerifier(t, secrets(secret), WithClock(clock.Now)).Middleware(WithMaxBodyBytes(8), WithOnError(collect))
	if err != nil {
		t.Fatal(err)
	}
	run := func(m Middleware, r *http.Request) {
		m(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), r)
	}
	req := func(h http.Header) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/hook?t=CANARYQUERY", bytes.NewReader(body))
		for k, v := range h {
			r.Header[k] = v
		}
		return r
	}
	run(mw, req(hdr(ts, "sha256="+goodMAC)))
	chunked := req(hdr(ts, "sha256="+goodMAC))
	chunked.ContentLength = -1
	run(mw, chunked)

	hc, _ := HeaderCredentials(map[string][]string{"X-Api-Key": {credential}}, WithOnError(collect))
	run(hc, req(http.Header{"X-Api-Key": {credential + "x"}}))
	run(hc, req(http.Header{"X-Api-Key": {credential, credential}}))
	run(hc, req(nil))
	st, _ := SecretToken(QueryToken("t"), []string{token}, WithOnError(collect))
	run(st, req(nil))
	ba, _ := BasicAuth("r", []BasicCredential{{Username: "CANARYUSER", Password: password}}, WithOnError(collect))
	bad := req(nil)
	bad.SetBasicAuth("CANARYUSER", password+"x")
	run(ba, bad)
	run(ba, req(nil))

	if len(errs) < 35 {
		t.Fatalf("only %d errors collected", len(errs))
	}
	for i, err := range errs {
		t.Logf("%2d %v", i, err)
		for _, format := range []string{"%s", "%v", "%+v", "%q", "%#v"} {
			text := fmt.Sprintf(format, err)
			for _, c := range canaries {
				if strings.Contains(text, c) {
					t.Errorf("error %d leaks %q with %s: %s", i, c, format, text)
				}
			}
		}
		if !wrapsSentinel(err) {
			t.Errorf("error %d (%v) wraps no sentinel", i, err)
		}
	}
}

func wrapsSentinel(err error) bool {
	for _, s := range []error{ErrConfig, ErrMissingHeader, ErrMalformedHeader, ErrTooOld, ErrTooNew,
		ErrNoMatchingSignature, ErrUnauthenticated, ErrForbidden, ErrBodyTooLarge, ErrReplay, ErrUnavailable} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func TestConfigValuesNeverPrintTheirSecrets(t *testing.T) {
	var buf strings.Builder
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	sec := Secret{ID: "2026-11", Value: []byte("relay-SENTINEL-secret")}
	cred := BasicCredential{Username: "ivr", Password: "basic-SENTINEL-pass"}
	for _, v := range []any{sec, &sec, cred, &cred, []Secret{sec}, []BasicCredential{cred}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, "SENTINEL") {
				t.Errorf("%s of %T leaks: %s", verb, v, out)
			}
		}
	}
	logger.Info("config", "secret", sec, "cred", cred)
	if strings.Contains(buf.String(), "SENTINEL") || !strings.Contains(buf.String(), "2026-11") {
		t.Errorf("log: %s", buf.String())
	}
}

func TestHeadersInAnySpelling(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	v, err := NewVerifier(testScheme(), []Secret{{Value: []byte("s3cret-value")}}, WithClock(func() time.Time { return now }), WithoutReplayProtection())
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(testScheme(), []byte("s3cret-value"), WithSignerClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"event":"incoming_message"}`)
	signed := s.Sign(body)
	lower := map[string][]string{}
	for k, vs := range signed {
		lower[strings.ToLower(k)] = vs
	}
	if _, err := v.Verify(context.Background(), lower, body); err != nil {
		t.Fatalf("lower-case keys from a queue: %v", err)
	}
	dup := signed.Clone()
	dup["x-webhook-signature"] = []string{"sha256=" + strings.Repeat("0", 64)}
	if _, err := v.Verify(context.Background(), dup, body); !errors.Is(err, ErrMalformedHeader) {
		t.Fatalf("a second spelling is a duplicate header: %v", err)
	}
}
