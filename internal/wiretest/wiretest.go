// Package wiretest is the harness every vendor's wire tests use: an
// in-memory vendor (an httpmock transport) that records each request
// decoded the way the vendor reads it, and loads fixtures from testdata.
// A wire test asserts what went out (method, path, query, headers, content
// type, every field and file) and what came back decoded.
package wiretest

import (
	"bytes"
	"encoding/json"
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
)

// Request is one request as the vendor received it.
type Request struct {
	// Method and URL are the request line's; URL is absolute.
	Method string
	URL    string
	// Host, Path and Query are URL's parts; Path is unescaped.
	Host  string
	Path  string
	Query url.Values
	// Header holds every header sent.
	Header http.Header
	// ContentType is the body's media type without parameters
	// ("multipart/form-data"); Boundary is the multipart boundary.
	ContentType string
	Boundary    string
	// Body is the raw body.
	Body []byte
	// Form holds the fields of an urlencoded or multipart body.
	Form url.Values
	// Files holds the files of a multipart body by field name.
	Files map[string][]File
	// JSON is a JSON body decoded with numbers kept as json.Number; nil
	// when the body is not JSON.
	JSON any
}

// File is one file part of a multipart body.
type File struct {
	Name        string
	ContentType string
	Content     []byte
}

// Object returns the JSON body as an object, or nil.
func (r Request) Object() map[string]any {
	m, _ := r.JSON.(map[string]any)
	return m
}

// Response is one canned answer.
type Response struct {
	Status int
	Body   string
	Header http.Header
}

// Mock is an in-memory vendor. It is safe for concurrent use.
type Mock struct {
	t  testing.TB
	mt *httpmock.MockTransport

	mu   sync.Mutex
	reqs []Request
}

// New returns an empty Mock; requests without a responder fail.
func New(t testing.TB) *Mock {
	return &Mock{t: t, mt: httpmock.NewMockTransport()}
}

// Client returns an HTTP client whose requests reach the mock.
func (m *Mock) Client() *http.Client { return &http.Client{Transport: m.mt} }

// Transport returns the mock as a RoundTripper.
func (m *Mock) Transport() http.RoundTripper { return m.mt }

// Respond answers every method request to rawURL (httpmock syntax: an
// exact URL, with or without its query, or "=~regexp") with status and
// body as JSON.
func (m *Mock) Respond(method, rawURL string, status int, body string) {
	m.RespondSeq(method, rawURL, Response{Status: status, Body: body})
}

// RespondSeq answers successive requests with successive responses; the
// last one repeats.
func (m *Mock) RespondSeq(method, rawURL string, rs ...Response) {
	var mu sync.Mutex
	i := 0
	m.Handle(method, rawURL, func(*http.Request) (*http.Response, error) {
		mu.Lock()
		r := rs[min(i, len(rs)-1)]
		i++
		mu.Unlock()
		resp := httpmock.NewStringResponse(r.Status, r.Body)
		resp.Header.Set("Content-Type", "application/json")
		for k, vs := range r.Header {
			resp.Header[k] = vs
		}
		return resp, nil
	})
}

// Handle records each request to rawURL and answers it with fn.
func (m *Mock) Handle(method, rawURL string, fn func(*http.Request) (*http.Response, error)) {
	m.mt.RegisterResponder(method, rawURL, func(req *http.Request) (*http.Response, error) {
		m.record(req)
		return fn(req)
	})
}

// Requests returns every recorded request, oldest first.
func (m *Mock) Requests() []Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Request(nil), m.reqs...)
}

// Last returns the latest request, failing the test when there is none.
func (m *Mock) Last() Request {
	m.t.Helper()
	rs := m.Requests()
	if len(rs) == 0 {
		m.t.Fatal("wiretest: no request was sent")
	}
	return rs[len(rs)-1]
}

// Count reports how many requests were recorded.
func (m *Mock) Count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.reqs)
}

func (m *Mock) record(req *http.Request) {
	r, err := Decode(req)
	if err != nil {
		m.t.Errorf("wiretest: %v", err)
	}
	m.mu.Lock()
	m.reqs = append(m.reqs, r)
	m.mu.Unlock()
}

// Decode reads req (consuming its body, then restoring it) into a Request.
func Decode(req *http.Request) (Request, error) {
	r := Request{Method: req.Method, URL: req.URL.String(), Host: req.URL.Host, Path: req.URL.Path, Query: req.URL.Query(), Header: req.Header.Clone()}
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return r, err
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		r.Body = b
	}
	mt, params, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	r.ContentType = mt
	switch {
	case mt == "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(r.Body))
		if err != nil {
			return r, err
		}
		r.Form = form
	case mt == "multipart/form-data":
		r.Boundary = params["boundary"]
		r.Form, r.Files = url.Values{}, map[string][]File{}
		mr := multipart.NewReader(bytes.NewReader(r.Body), r.Boundary)
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return r, err
			}
			content, err := io.ReadAll(p)
			if err != nil {
				return r, err
			}
			if p.FileName() != "" {
				r.Files[p.FormName()] = append(r.Files[p.FormName()], File{Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Content: content})
			} else {
				r.Form.Add(p.FormName(), string(content))
			}
		}
	case len(bytes.TrimSpace(r.Body)) > 0 && (mt == "application/json" || json.Valid(r.Body)):
		dec := json.NewDecoder(bytes.NewReader(r.Body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err == nil {
			r.JSON = v
		}
	}
	return r, nil
}

// Fixture returns testdata/name, failing the test when it cannot be read.
func Fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("wiretest: fixture: %v", err)
	}
	return string(b)
}
