package voxio_test

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
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/voxio"
)

const (
	testClientID     = "cid-4f9a2b"
	testClientSecret = "csecret-8d1e77c0ffee"
	baseURL          = "https://www.voxio.chat/external-api"
)

// captured is one request as the vendor would have received it.
type captured struct {
	Method      string
	URL         *url.URL
	Header      http.Header
	ContentType string
	Fields      url.Values
	Files       map[string]part
	Body        []byte
}

type part struct {
	FileName    string
	ContentType string
	Content     []byte
}

type recorder struct {
	mu   sync.Mutex
	reqs []captured
}

func (r *recorder) all() []captured {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]captured(nil), r.reqs...)
}

// newMockClient returns a client whose requests go to a fresh httpmock
// transport.
func newMockClient(t *testing.T, opts ...voxio.Option) (*voxio.Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	opts = append([]voxio.Option{voxio.WithHTTPClient(&http.Client{Transport: mt}), voxio.WithRetryWait(time.Millisecond, 2*time.Millisecond)}, opts...)
	c, err := voxio.New(testClientID, testClientSecret, opts...)
	require.NoError(t, err)
	return c, mt
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// respond registers a responder for method+url that records each request
// and answers status with body.
func respond(t *testing.T, mt *httpmock.MockTransport, method, u string, status int, body []byte) *recorder {
	t.Helper()
	rec := &recorder{}
	mt.RegisterResponder(method, u, func(req *http.Request) (*http.Response, error) {
		c := capture(t, req)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, c)
		rec.mu.Unlock()
		resp := httpmock.NewBytesResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	return rec
}

func capture(t *testing.T, req *http.Request) captured {
	c := captured{Method: req.Method, URL: req.URL, Header: req.Header.Clone()}
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			t.Errorf("reading body: %v", err)
		}
		c.Body = b
	}
	ct := req.Header.Get("Content-Type")
	if ct == "" {
		return c
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Errorf("content type %q: %v", ct, err)
		return c
	}
	c.ContentType = mt
	if mt != "multipart/form-data" {
		return c
	}
	c.Fields = url.Values{}
	c.Files = map[string]part{}
	mr := multipart.NewReader(bytes.NewReader(c.Body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("multipart: %v", err)
			break
		}
		content, _ := io.ReadAll(p)
		if p.FileName() != "" {
			c.Files[p.FormName()] = part{FileName: p.FileName(), ContentType: p.Header.Get("Content-Type"), Content: content}
			continue
		}
		c.Fields.Add(p.FormName(), string(content))
	}
	return c
}
