package voitex

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-go/switchboard/internal/wiretest"
)

const testKey = "1234567890abcdef-SENTINEL"

// anyURL matches every request, whichever of the four hosts it goes to.
const anyURL = "=~."

// newMockClient returns a client whose requests reach an in-memory Voitex
// answering a bare success until told otherwise with respond.
func newMockClient(t *testing.T, opts ...Option) (*Client, *wiretest.Mock) {
	t.Helper()
	m := wiretest.New(t)
	m.Respond(http.MethodPost, anyURL, 200, `{"status":"success","data":"ok","errors":[]}`)
	all := append([]Option{WithHTTPClient(m.Client()), WithRetryWait(1e6, 2e6)}, opts...)
	c, err := New(testKey, all...)
	require.NoError(t, err)
	return c, m
}

// respond makes the mock answer every request with status and the bodies in
// turn, the last one repeated.
func respond(m *wiretest.Mock, status int, bodies ...string) {
	rs := make([]wiretest.Response, len(bodies))
	for i, b := range bodies {
		rs[i] = wiretest.Response{Status: status, Body: b}
	}
	m.RespondSeq(http.MethodPost, anyURL, rs...)
}

func readFixture(t *testing.T, name string) []byte { return []byte(wiretest.Fixture(t, name)) }
