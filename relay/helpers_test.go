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

func mustVerifier(t testing.TB, secrets []Secret, opts ...VerifierOption) *Verifier {
	t.Helper()
	v, err := NewVerifier(VoxioScheme(), secrets, opts...)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

func mustSigner(t testing.TB, secret string, opts ...SignerOption) *Signer {
	t.Helper()
	s, err := NewSigner(VoxioScheme(), []byte(secret), opts...)
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

func voxioHeader(ts, sig string) http.Header {
	h := http.Header{}
	if ts != "" {
		h.Set("X-Voxio-Timestamp", ts)
	}
	if sig != "" {
		h.Set("X-Voxio-Signature", sig)
	}
	return h
}
