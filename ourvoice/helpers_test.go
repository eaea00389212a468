package ourvoice

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

const testToken = "ov-test-token-SENTINEL-1234"

// captured is one request as the mock saw it.
type captured struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

type recorder struct {
	mu   sync.Mutex
	reqs []captured
}

func (r *recorder) add(req *http.Request) {
	var b []byte
	if req.Body != nil {
		b, _ = io.ReadAll(req.Body)
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, captured{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone(), Body: b})
	r.mu.Unlock()
}

func (r *recorder) all() []captured {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]captured(nil), r.reqs...)
}

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

// newMocked returns a client whose every request goes to a fresh mock
// transport and is recorded.
func newMocked(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport, *recorder) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	rec := &recorder{}
	base := []Option{WithHTTPClient(&http.Client{Transport: recordingRT{mt, rec}}), WithRetryWait(1e6, 2e6)}
	c, err := New(testToken, append(base, opts...)...)
	require.NoError(t, err)
	return c, mt, rec
}

type recordingRT struct {
	next http.RoundTripper
	rec  *recorder
}

func (r recordingRT) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		b, _ := io.ReadAll(req.Body)
		req.Body.Close()
		clone := req.Clone(req.Context())
		clone.Body = io.NopCloser(bytes.NewReader(b))
		r.rec.add(clone)
		req.Body = io.NopCloser(bytes.NewReader(b))
	} else {
		r.rec.add(req)
	}
	return r.next.RoundTrip(req)
}

func jsonResponder(status int, body string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	}
}
