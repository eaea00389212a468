package chattu

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

const (
	testBase   = "https://bot.example.com"
	testKey    = "account-api-key"
	testCookie = "connect.sid=s%3Asession-secret-value.sig"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// captured is one request as it reached the mock transport.
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
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, captured{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone(), Body: body})
	r.mu.Unlock()
}

func (r *recorder) all() []captured {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]captured(nil), r.reqs...)
}

// mockClient returns a client whose requests go to a fresh httpmock
// transport. Every request is recorded; unregistered ones get 599 so a test
// notices them.
func mockClient(t testing.TB, opts ...Option) (*Client, *httpmock.MockTransport, *recorder) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	rec := &recorder{}
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		rec.add(req)
		return httpmock.NewStringResponse(599, `{"error":"no responder for `+req.Method+" "+req.URL.String()+`"}`), nil
	})
	all := append([]Option{WithHTTPClient(&http.Client{Transport: mt}), WithRetryWait(1e6, 2e6)}, opts...)
	c, err := New(testBase, testKey, all...)
	require.NoError(t, err)
	return c, mt, rec
}

// respond registers a responder that records the request and answers
// status with body and content type.
func respond(mt *httpmock.MockTransport, rec *recorder, method, url string, status int, body []byte, header http.Header) {
	mt.RegisterResponder(method, url, func(req *http.Request) (*http.Response, error) {
		rec.add(req)
		resp := httpmock.NewBytesResponse(status, body)
		resp.Header.Set("Content-Type", "application/json; charset=utf-8")
		for k, vs := range header {
			resp.Header[k] = vs
		}
		return resp, nil
	})
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

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
