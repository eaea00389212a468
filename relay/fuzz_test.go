package relay

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

var fuzzSecrets = []string{"fuzz-secret-old", "fuzz-secret-new"}

// FuzzVerify checks three properties on arbitrary input: Verify never panics
// and fails only with package sentinels; anything it accepts recomputes, with
// crypto/hmac directly, to the MAC that was sent; and a correctly signed
// delivery of the fuzzed body is accepted, but not after one byte of its
// body, timestamp or MAC is changed.
func FuzzVerify(f *testing.F) {
	s, err := NewSigner(testScheme(), []byte(fuzzSecrets[1]))
	if err != nil {
		f.Fatal(err)
	}
	good := s.SignWithTimestamp("1700000000", []byte(`{"a":1}`))
	f.Add("1700000000", good.Get("X-Webhook-Signature"), []byte(`{"a":1}`), uint32(0))
	f.Add("1700000000", strings.ToUpper(good.Get("X-Webhook-Signature")), []byte(`{"a":1}`), uint32(7))
	f.Add("1700000000000", good.Get("X-Webhook-Signature"), []byte(`{"a":1}`), uint32(1))
	f.Add("-1", "sha256=", []byte{}, uint32(99))
	f.Add("1.7e9", "sha256=zz", []byte("שלום 👍"), uint32(12345))
	f.Add("99999999999999999999", "", []byte{0xff, 0, '\n'}, uint32(1<<31))

	now := time.Unix(testNow, 0)
	v, err := NewVerifier(testScheme(), secrets(fuzzSecrets...),
		WithClock(func() time.Time { return now }), WithoutReplayProtection())
	if err != nil {
		f.Fatal(err)
	}
	sentinels := []error{ErrMissingHeader, ErrMalformedHeader, ErrTooOld, ErrTooNew, ErrNoMatchingSignature}

	f.Fuzz(func(t *testing.T, ts, sig string, body []byte, choice uint32) {
		bg := context.Background()
		// 1. Arbitrary headers.
		h := http.Header{"X-Webhook-Timestamp": {ts}, "X-Webhook-Signature": {sig}}
		res, err := v.Verify(bg, h, body)
		if err == nil {
			want := naiveMAC(fuzzSecrets[res.SecretIndex], ts, body)
			got, decErr := hex.DecodeString(strings.TrimPrefix(sig, "sha256="))
			if decErr != nil || !hmac.Equal(got, want) || !strings.HasPrefix(sig, "sha256=") {
				t.Fatalf("accepted ts=%q sig=%q without a matching MAC", ts, sig)
			}
		} else if !matchesAny(err, sentinels) {
			t.Fatalf("unexpected error %v", err)
		}

		// 2. A genuine delivery of this body, signed within the window.
		signedTS := strconv.FormatInt(testNow-300+int64(choice%601), 10)
		gh := s.SignWithTimestamp(signedTS, body)
		res, err = v.Verify(bg, gh, body)
		if err != nil || res.SecretIndex != 1 {
			t.Fatalf("genuine delivery rejected: %v", err)
		}

		// 3. Change exactly one byte of body, timestamp or MAC.
		sigHex := strings.TrimPrefix(gh.Get("X-Webhook-Signature"), "sha256=")
		b2, ts2, sig2 := append([]byte(nil), body...), []byte(signedTS), []byte(sigHex)
		pos := int(choice>>8) % (len(b2) + len(ts2) + len(sig2))
		delta := byte(choice>>24) | 1 // never zero
		switch {
		case pos < len(b2):
			b2[pos] ^= delta
		case pos < len(b2)+len(ts2):
			ts2[pos-len(b2)] ^= delta
		default:
			i := pos - len(b2) - len(ts2)
			// Change the nibble's value, not just its letter case.
			n, _ := fromHex(sig2[i])
			sig2[i] = "0123456789abcdef"[(n+1+delta%15)%16]
		}
		fh := http.Header{"X-Webhook-Timestamp": {string(ts2)}, "X-Webhook-Signature": {"sha256=" + string(sig2)}}
		if _, err := v.Verify(bg, fh, b2); err == nil {
			t.Fatalf("accepted after changing byte %d", pos)
		} else if !matchesAny(err, sentinels) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}

func naiveMAC(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

func matchesAny(err error, targets []error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
