package transport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRedirectsNeverCarryCredentialsElsewhere(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		_, _ = io.WriteString(w, `{}`)
	}))
	defer other.Close()
	var home atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		home.Add(1)
		switch r.URL.Path {
		case "/send":
			http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
		case "/moved":
			http.Redirect(w, r, "/here", http.StatusFound)
		case "/here":
			_, _ = io.WriteString(w, `{"ok":1}`)
		}
	}))
	defer srv.Close()
	c, err := New(Config{Vendor: "t", BaseURL: srv.URL, Auth: http.Header{"X-Api-Key": {"key-SENTINEL-1"}}})
	require.NoError(t, err)

	_, err = c.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/send", JSON: map[string]string{"a": "b"}}, nil)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, http.StatusTemporaryRedirect, e.StatusCode)
	assert.Equal(t, int32(0), elsewhere.Load(), "no request, and no key, went to another host")

	// A read redirected within the vendor's own origin is followed.
	var out struct{ OK int }
	_, err = c.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/moved"}, &out)
	require.NoError(t, err)
	assert.Equal(t, 1, out.OK)
}

// seekOnly hides everything but Read and Seek.
type seekOnly struct{ io.ReadSeeker }

func TestReadSeekerRefusedEarlyIsResentWhole(t *testing.T) {
	content := bytes.Repeat([]byte("0123456789abcdef"), 512<<10) // 8 MiB
	want := sha256.Sum256(content)
	var calls atomic.Int32
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 3 {
			// Refuse before reading the body, as a rate limiter does.
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		mr, err := r.MultipartReader()
		if err != nil {
			w.WriteHeader(400)
			return
		}
		p, err := mr.NextPart()
		if err != nil {
			w.WriteHeader(400)
			return
		}
		h := sha256.New()
		_, _ = io.Copy(h, p)
		got.Store(fmt.Sprintf("%x", h.Sum(nil)))
		_, _ = io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	c, err := New(Config{Vendor: "t", BaseURL: srv.URL}, WithRetryWait(time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/up", Multipart: &Multipart{
		Files: []FormFile{{Field: "upload_file", File: &File{Name: "a.wav", Reader: seekOnly{bytes.NewReader(content)}}}},
	}}, nil)
	require.NoError(t, err)
	assert.Equal(t, int32(4), calls.Load())
	assert.Equal(t, fmt.Sprintf("%x", want), got.Load())
}

func TestCancelDuringRateLimitWaitIsNotMaybeDelivered(t *testing.T) {
	hs := newHitServer(t, status(429, "5"))
	c := deliveryClient(t, hs.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := c.Do(ctx, &Request{Method: http.MethodPost, Path: "/x", Header: http.Header{"X-Test-Id": {"p"}}, JSON: 1}, nil)
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrMaybeDelivered, "the vendor refused the only attempt")
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, ErrRateLimited)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 5*time.Second, e.RetryAfter)
	assert.Equal(t, 1, hs.count("p"))
}

func TestUndecodableSuccessOfASendIsMaybeDelivered(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"id": "not-a-number"`)
	}))
	defer srv.Close()
	c, err := New(Config{Vendor: "t", BaseURL: srv.URL, Auth: http.Header{"Auth-Key": {"not-a-number"}}})
	require.NoError(t, err)
	var out struct {
		ID string `json:"id"`
	}
	_, err = c.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/send", JSON: 1}, &out)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, ErrMaybeDelivered, "the vendor accepted the send")
	assert.NotContains(t, fmt.Sprintf("%+v", err), "not-a-number", "the value is never quoted")
	_, err = c.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/get"}, &out)
	assert.NotErrorIs(t, err, ErrMaybeDelivered)
}

func TestDoStreamJSONIsNotTruncated(t *testing.T) {
	big := `{"data":"` + strings.Repeat("x", 2<<20) + `"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, big)
	}))
	defer srv.Close()
	c, err := New(Config{Vendor: "t", BaseURL: srv.URL})
	require.NoError(t, err)
	s, err := c.DoStream(context.Background(), &Request{Method: http.MethodGet, Path: "/m"})
	require.NoError(t, err)
	defer s.Close()
	b, err := io.ReadAll(s)
	require.NoError(t, err)
	assert.Equal(t, len(big), len(b))
	assert.True(t, json.Valid(b))
}

func TestRedactionEdgeCases(t *testing.T) {
	c, err := New(Config{Vendor: "t", BaseURL: "https://h.example", Identifiers: []string{"client-id"}, Auth: http.Header{
		"Client-Id": {"1001"}, "Client-Secret": {"sk_live_1001_abcdefXYZ"}, "Authorization": {"Bearer tok_SECRET_abcdef123"}, "X-Short": {"sk_live"},
	}})
	require.NoError(t, err)
	out := c.Redact(`id 1001 secret sk_live_1001_abcdefXYZ token tok_SECRET_abcdef123`)
	assert.Equal(t, `id 1001 secret [REDACTED] token [REDACTED]`, out)
	assert.Equal(t, `{"id":1001}`, string(c.redact.body([]byte(`{"id":1001}`))), "identifiers stay, bodies stay JSON")

	_, err = New(Config{Vendor: "voitex", Services: map[string]string{"sms": "https://sms.example"}}, WithServiceURL("smss", "http://127.0.0.1:1"))
	assert.ErrorIs(t, err, ErrValidation, "a misspelled service is an error, not ignored")

	_, err = (&File{Name: "a\r\nX-Evil: 1", Reader: strings.NewReader("x")}).resolve("f")
	assert.ErrorIs(t, err, ErrValidation)

}
