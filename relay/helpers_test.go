package relay

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

// testClock is a settable clock shared by a verifier and its cache.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock(unix int64) *testClock { return &testClock{t: time.Unix(unix, 0)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(unix int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = time.Unix(unix, 0)
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const testNow = 1700000000

// testScheme is the scheme the package's tests sign and verify with: an
// HMAC-SHA256 of timestamp + "." + body, sent as "sha256=" + hex, the most
// common webhook wire format. relay itself ships no vendor's preset.
func testScheme() Scheme {
	return Scheme{
		SignatureHeader: "X-Webhook-Signature",
		SignaturePrefix: "sha256=",
		TimestampHeader: "X-Webhook-Timestamp",
		Layout:          PlaceholderTimestamp + "." + PlaceholderBody,
	}
}

func mustVerifier(t testing.TB, secrets []Secret, opts ...VerifierOption) *Verifier {
	t.Helper()
	v, err := NewVerifier(testScheme(), secrets, opts...)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

func mustSigner(t testing.TB, secret string, opts ...SignerOption) *Signer {
	t.Helper()
	s, err := NewSigner(testScheme(), []byte(secret), opts...)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	return s
}

func secrets(values ...string) []Secret {
	out := make([]Secret, len(values))
	for i, v := range values {
		out[i] = Secret{Value: []byte(v)}
	}
	return out
}

// signedHeader builds the headers of testScheme from their values; an
// empty value leaves its header out.
func signedHeader(ts, sig string) http.Header {
	h := http.Header{}
	if ts != "" {
		h.Set("X-Webhook-Timestamp", ts)
	}
	if sig != "" {
		h.Set("X-Webhook-Signature", sig)
	}
	return h
}
