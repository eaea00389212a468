package chattu

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/wiretest"
)

const (
	testBase   = "https://bot.example.com"
	testKey    = "account-api-key"
	testCookie = "connect.sid=s%3Asession-secret-value.sig"
)

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// mockClient returns a client whose requests go to a fresh in-memory
// vendor. A request no responder expects fails the test (and is answered
// 599), so "nothing was sent" cannot pass by accident.
func mockClient(t testing.TB, opts ...Option) (*Client, *wiretest.Mock) {
	t.Helper()
	m := wiretest.New(t)
	rt := m.Transport()
	guard := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Errorf("unexpected request %s %s: %v", req.Method, req.URL, err)
			return httpmock.NewStringResponse(599, `{"error":"no responder"}`), nil
		}
		return resp, nil
	})
	all := append([]Option{WithHTTPClient(&http.Client{Transport: guard}), WithRetryWait(1e6, 2e6)}, opts...)
	c, err := New(testBase, testKey, all...)
	require.NoError(t, err)
	return c, m
}

// respond answers method url with status, body and headers.
func respond(m *wiretest.Mock, method, url string, status int, body string, header http.Header) {
	m.RespondSeq(method, url, wiretest.Response{Status: status, Body: body, Header: header})
}

func compactJSON(t testing.TB, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, json.Compact(&buf, b))
	return buf.String()
}

func jsonString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSpace(buf.String())
}
