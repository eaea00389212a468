package relay

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
)

// The pairs below compare the full Verify (header lookup and parsing,
// timestamp window against the real clock, MAC, constant-time compare) with
// what a naive receiver does per request: hex-decode the header, hmac.New,
// Write the string to sign, Sum, hmac.Equal. Run them together:
//
//	go test -run '^$' -bench . -benchmem -count 5 ./relay

const benchSecret = "whsec_benchmark_secret_value_0123456789"

func benchDelivery(b *testing.B, size int) (http.Header, []byte) {
	b.Helper()
	body := bytes.Repeat([]byte(`{"k":"שלום"}`), size/15+1)[:size]
	s := mustSigner(b, benchSecret)
	return s.Sign(body), body
}

func benchmarkVerify(b *testing.B, size int) {
	h, body := benchDelivery(b, size)
	v := mustVerifier(b, secrets(benchSecret), WithoutReplayProtection())
	bg := context.Background()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Verify(bg, h, body); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkHMAC(b *testing.B, size int) {
	h, body := benchDelivery(b, size)
	ts := h.Get("X-Webhook-Timestamp")
	sig := h.Get("X-Webhook-Signature")
	key := []byte(benchSecret)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		want, err := hex.DecodeString(strings.TrimPrefix(sig, "sha256="))
		if err != nil {
			b.Fatal(err)
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte(ts))
		m.Write([]byte("."))
		m.Write(body)
		if !hmac.Equal(m.Sum(nil), want) {
			b.Fatal("mismatch")
		}
	}
}

func BenchmarkVerify1KiB(b *testing.B)  { benchmarkVerify(b, 1<<10) }
func BenchmarkHMAC1KiB(b *testing.B)    { benchmarkHMAC(b, 1<<10) }
func BenchmarkVerify64KiB(b *testing.B) { benchmarkVerify(b, 64<<10) }
func BenchmarkHMAC64KiB(b *testing.B)   { benchmarkHMAC(b, 64<<10) }
