package ourvoice

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/transport"
	"github.com/switchboard-go/switchboard/internal/wiretest"
)

const testToken = "ov-test-token-SENTINEL-1234"

// newMocked returns a client whose every request goes to a fresh in-memory
// Our Voice, which records it. Requests to no registered URL fail.
func newMocked(t *testing.T, opts ...Option) (*Client, *wiretest.Mock) {
	t.Helper()
	m := wiretest.New(t)
	base := []Option{WithHTTPClient(m.Client()), WithRetryWait(1e6, 2e6)}
	c, err := New(testToken, append(base, opts...)...)
	require.NoError(t, err)
	return c, m
}

// recordEverything answers and records any request, whatever its method
// and URL, so that a test can prove that none went out.
func recordEverything(m *wiretest.Mock) {
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete} {
		m.Respond(method, "=~.", http.StatusTeapot, `{}`)
	}
}

func fixture(t testing.TB, name string) string { return wiretest.Fixture(t, name) }

// calls counts the recorded requests of method to path.
func calls(m *wiretest.Mock, method, path string) int {
	n := 0
	for _, r := range m.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// answer is an Our Voice answer as the transport hands it to the failure
// hook and then to a decoder.
func answer(status int, body string) *transport.Response {
	return &transport.Response{StatusCode: status, Body: []byte(body)}
}
