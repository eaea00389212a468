package voitex

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

const testKey = "1234567890abcdef-SENTINEL"

// wireFile is a file part as it arrived.
type wireFile struct {
	Name        string
	ContentType string
	Data        []byte
}

// wireRequest is a request as it reached the mock transport, decoded.
type wireRequest struct {
	Method      string
	URL         string
	Header      http.Header
	ContentType string // media type without parameters
	Fields      url.Values
	Files       map[string][]wireFile
	Body        []byte
}

// mock is a per-test mock transport answering every request with the next
// queued body (or the last one, repeated) and recording what it received.
type mock struct {
	mu     sync.Mutex
	reqs   []wireRequest
	bodies []string
	status int
}

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

func newMockClient(t *testing.T, opts ...Option) (*Client, *mock) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	m := &mock{status: 200}
	mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		wr := decodeWire(t, r)
		m.mu.Lock()
		defer m.mu.Unlock()
		m.reqs = append(m.reqs, wr)
		body := `{"status":"success","data":"ok","errors":[]}`
		if len(m.bodies) > 0 {
			body = m.bodies[0]
			if len(m.bodies) > 1 {
				m.bodies = m.bodies[1:]
			}
		}
		resp := httpmock.NewStringResponse(m.status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	all := append([]Option{WithHTTPClient(&http.Client{Transport: mt}), WithRetryWait(1e6, 2e6)}, opts...)
	c, err := New(testKey, all...)
	require.NoError(t, err)
	return c, m
}

func (m *mock) respond(bodies ...string) {
	m.mu.Lock()
	m.bodies = bodies
	m.mu.Unlock()
}

func (m *mock) requests() []wireRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]wireRequest(nil), m.reqs...)
}

func (m *mock) last(t *testing.T) wireRequest {
	t.Helper()
	reqs := m.requests()
	require.NotEmpty(t, reqs, "no request was sent")
	return reqs[len(reqs)-1]
}

func decodeWire(t *testing.T, r *http.Request) wireRequest {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("reading body: %v", err)
	}
	wr := wireRequest{Method: r.Method, URL: r.URL.String(), Header: r.Header.Clone(), Body: body, Files: map[string][]wireFile{}}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	wr.ContentType = mt
	switch mt {
	case "application/x-www-form-urlencoded":
		wr.Fields, err = url.ParseQuery(string(body))
		if err != nil {
			t.Errorf("form: %v", err)
		}
	case "multipart/form-data":
		wr.Fields = url.Values{}
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("multipart: %v", err)
				break
			}
			data, _ := io.ReadAll(p)
			if p.FileName() != "" {
				wr.Files[p.FormName()] = append(wr.Files[p.FormName()], wireFile{Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
			} else {
				wr.Fields.Add(p.FormName(), string(data))
			}
		}
	}
	return wr
}
