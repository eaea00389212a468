package relay

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSignerHeaders(t *testing.T) {
	clock := newTestClock(testNow)
	s := mustSigner(t, "whsec_relay_test", WithSignerClock(clock.Now))
	h := s.Sign([]byte(`{"event":"incoming_message","message":{"id":9001,"type":"text","text":"Hello"}}`))
	// Same input as the "ascii json" OpenSSL vector.
	if got := h.Get("X-Webhook-Signature"); got != "sha256=57621553e5c425d98acee5d769a46dc33c69535a1b3034e7aeba79c84e9dd1af" {
		t.Fatalf("signature %s", got)
	}
	if got := h.Get("X-Webhook-Timestamp"); got != "1700000000" {
		t.Fatalf("timestamp %s", got)
	}
	if len(h) != 2 {
		t.Fatalf("headers %v", h)
	}
}

func TestSignRequest(t *testing.T) {
	clock := newTestClock(testNow)
	s := mustSigner(t, "k", WithSignerClock(clock.Now))
	v := mustVerifier(t, secrets("k"), WithClock(clock.Now), WithoutReplayProtection())
	for _, body := range [][]byte{nil, {}, []byte(`{"text":"👍"}`)} {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		r, err := http.NewRequest(http.MethodPost, "http://example.test/hooks", rd)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("X-Webhook-Signature", "sha256=stale")
		if err := s.SignRequest(r); err != nil {
			t.Fatal(err)
		}
		if vals := r.Header.Values("X-Webhook-Signature"); len(vals) != 1 || vals[0] == "sha256=stale" {
			t.Fatalf("signature header %v", vals)
		}
		got, _ := io.ReadAll(r.Body)
		again, _ := r.GetBody()
		got2, _ := io.ReadAll(again)
		if !bytes.Equal(got, body) || !bytes.Equal(got2, body) || r.ContentLength != int64(len(body)) {
			t.Fatalf("body %q/%q, length %d", got, got2, r.ContentLength)
		}
		if _, err := v.Verify(ctx, r.Header, got); err != nil {
			t.Fatalf("verify signed request: %v", err)
		}
	}
	// A body that fails to read is reported, not signed.
	r, _ := http.NewRequest(http.MethodPost, "http://example.test/", io.NopCloser(failingBody{}))
	if err := s.SignRequest(r); err == nil {
		t.Fatal("unreadable body signed")
	}
	// Header may start nil.
	r = &http.Request{Method: http.MethodPost, Body: io.NopCloser(strings.NewReader("x"))}
	if err := s.SignRequest(r); err != nil || r.Header.Get("X-Webhook-Timestamp") == "" {
		t.Fatalf("nil header: %v", err)
	}
}

func TestNewSignerRejectsBadConfig(t *testing.T) {
	for _, secret := range []string{"", " ", "k\n"} {
		if _, err := NewSigner(testScheme(), []byte(secret)); !errors.Is(err, ErrConfig) {
			t.Errorf("secret %q: %v", secret, err)
		}
	}
	if _, err := NewSigner(Scheme{}, []byte("k")); !errors.Is(err, ErrConfig) {
		t.Error("zero scheme accepted")
	}
	if _, err := NewSigner(testScheme(), []byte("k"), WithSignerClock(nil)); !errors.Is(err, ErrConfig) {
		t.Error("nil clock accepted")
	}
}

func TestSignAtBeforeEpoch(t *testing.T) {
	s := mustSigner(t, "k")
	h := s.SignAt(time.Unix(-5, 0), nil)
	v := mustVerifier(t, secrets("k"))
	if _, err := v.Verify(ctx, h, nil); !errors.Is(err, ErrMalformedHeader) {
		t.Fatalf("negative timestamp: %v", err)
	}
}
