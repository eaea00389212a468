package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Sentinel credentials: if any of these shows up in an error text, a
// formatted value or a log line, a secret has leaked.
var sentinels = []string{"SENTINEL-client-secret", "SENTINEL-auth-key", "SENTINEL-bearer", "SENTINEL-x-api-key", "SENTINEL-query", "SENTINEL-cookie", "SENTINEL-rotated"}

func assertNoSentinel(t *testing.T, where, s string) {
	t.Helper()
	for _, v := range sentinels {
		if strings.Contains(s, v) || strings.Contains(s, "SENTINEL") {
			t.Errorf("%s leaks a secret (%s): %s", where, v, s)
			return
		}
	}
}

func printAll(v any) []string {
	return []string{fmt.Sprint(v), fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%s", v), fmt.Sprintf("%q", v)}
}

func TestNoSecretInErrorsOrLogs(t *testing.T) {
	// A server that echoes every credential it received back in its error
	// bodies and messages, the worst case for redaction.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var got []string
		for _, k := range []string{"Client-Secret", "Auth-Key", "Authorization", "X-Api-Key", "Cookie"} {
			got = append(got, r.Header.Get(k))
		}
		echo := strings.Join(got, " ") + " " + r.URL.Query().Get("token")
		switch r.URL.Path {
		case "/reset":
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		case "/ok200error":
			fmt.Fprintf(w, `{"status":"error","remark":"bad key %s","message":["%s"],"apiKey":"unknown-key-value-123","newApiKey":"fresh-key-456"}`, echo, echo)
			return
		case "/garbage":
			fmt.Fprint(w, `{"status":`)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"status":"error","remark":"Unauthorized","message":["key %s rejected"],"password":"hunter22"}`, echo)
	}))
	defer srv.Close()

	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	decode := func(resp *Response) *Error {
		body := resp.Body
		if !bytes.Contains(body, []byte(`"status":"error"`)) {
			return nil
		}
		return &Error{Code: "error", Messages: []string{string(body)}}
	}
	c, err := New(Config{Vendor: "test", BaseURL: srv.URL, Failure: decode, Auth: http.Header{
		"Client-Secret": {sentinels[0]}, "Auth-Key": {sentinels[1]}, "Authorization": {"Bearer " + sentinels[2]}, "X-Api-Key": {sentinels[3]},
	}}, WithLogger(logger), WithHeader("Cookie", "session="+sentinels[5]), WithRetryWait(time.Millisecond, 2*time.Millisecond), WithSecret(sentinels[4]))
	require.NoError(t, err)

	// The key is rotated mid-flight: the old one must stay secret too.
	c.SetAuth(http.Header{"Client-Secret": {sentinels[0]}, "Auth-Key": {sentinels[1]}, "Authorization": {"Bearer " + sentinels[2]}, "X-Api-Key": {sentinels[6]}})

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	cDead, err := New(Config{Vendor: "test", BaseURL: "http://" + dead, Auth: http.Header{"X-Api-Key": {sentinels[3]}}}, WithLogger(logger), WithRetryMax(1), WithRetryWait(time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)

	q := map[string][]string{"token": {sentinels[4]}}
	var errs []error
	for _, p := range []string{"/unauthorized", "/ok200error", "/reset", "/garbage"} {
		_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, Path: p, Query: q, JSON: map[string]string{"apiKey": sentinels[3]}}, &struct{}{})
		require.Error(t, err, p)
		errs = append(errs, err)
	}
	_, err = c.DoStream(context.Background(), &Request{Method: http.MethodGet, Path: "/unauthorized", Query: q})
	require.Error(t, err)
	errs = append(errs, err)
	_, err = cDead.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x", Query: q}, nil)
	require.Error(t, err)
	errs = append(errs, err)
	errs = append(errs, fmt.Errorf("wrapped: %w", errs[0]))

	for i, err := range errs {
		for _, s := range printAll(err) {
			assertNoSentinel(t, fmt.Sprintf("error %d", i), s)
			assert.NotContains(t, s, "token=", "query string in error %d", i)
		}
		var e *Error
		if errors.As(err, &e) {
			assertNoSentinel(t, "Error.Body", string(e.Body))
			for _, m := range e.Messages {
				assertNoSentinel(t, "Error.Messages", m)
			}
			assertNoSentinel(t, "Error.Code", e.Code)
			assert.NotContains(t, string(e.Body), "unknown-key-value-123", "apiKey fields are redacted in bodies")
			assert.NotContains(t, string(e.Body), "fresh-key-456")
			assert.NotContains(t, string(e.Body), "hunter22")
		}
	}
	for _, s := range printAll(c) {
		assertNoSentinel(t, "client", s)
	}
	require.NotEmpty(t, logs.String(), "the logger saw the calls")
	assertNoSentinel(t, "logs", logs.String())
	assert.NotContains(t, logs.String(), "token=")
}

func TestNoLoggingWithoutLogger(t *testing.T) {
	// retryablehttp logs to stderr by default; the SDK must not.
	r, w, err := pipeStderr(t)
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer srv.Close()
	c, err := New(Config{Vendor: "test", BaseURL: srv.URL}, WithRetryWait(time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x"}, nil)
	require.Error(t, err)
	w.Close()
	out, _ := io.ReadAll(r)
	assert.Empty(t, string(out))
}

func TestErrorTextsAndMatching(t *testing.T) {
	e := &Error{Vendor: "voxio", Method: "POST", Path: "inbox/send-message", StatusCode: 200, Code: "insufficient_balance", Messages: []string{"Not enough balance", "Top up"}, RequestID: "r-1", RetryAfter: 2 * time.Second}
	assert.Equal(t, "voxio: POST inbox/send-message: HTTP 200 insufficient_balance: Not enough balance; Top up (request id r-1) (retry after 2s)", e.Error())
	for _, tc := range []struct {
		status int
		kind   error
		match  error
	}{
		{429, nil, ErrRateLimited}, {401, nil, ErrUnauthorized}, {403, nil, ErrUnauthorized}, {404, nil, ErrNotFound},
		{400, nil, ErrValidation}, {422, nil, ErrValidation}, {200, ErrNotFound, ErrNotFound}, {200, ErrUnauthorized, ErrUnauthorized},
	} {
		err := fmt.Errorf("outer: %w", &Error{StatusCode: tc.status, Kind: tc.kind})
		assert.ErrorIs(t, err, tc.match, "%d %v", tc.status, tc.kind)
		for _, other := range []error{ErrRateLimited, ErrUnauthorized, ErrNotFound, ErrValidation, ErrMaybeDelivered} {
			if other != tc.match {
				assert.NotErrorIs(t, err, other, "%d %v", tc.status, tc.kind)
			}
		}
	}
	v := Invalid("body", "at most 1000 characters")
	assert.ErrorIs(t, fmt.Errorf("w: %w", v), ErrValidation)
	var ve *ValidationError
	require.ErrorAs(t, v, &ve)
	assert.Equal(t, "body", ve.Field)
	assert.Equal(t, "switchboard: invalid body: at most 1000 characters", v.Error())

	re := &RequestError{Method: "POST", Path: "/send/", MaybeDelivered: true, Err: io.ErrUnexpectedEOF}
	assert.ErrorIs(t, re, ErrMaybeDelivered)
	assert.ErrorIs(t, re, io.ErrUnexpectedEOF)
	re.MaybeDelivered = false
	assert.NotErrorIs(t, re, ErrMaybeDelivered)
}

func TestBadInputNeverPanics(t *testing.T) {
	c, err := New(Config{Vendor: "t", BaseURL: "https://h.example"})
	require.NoError(t, err)
	//lint:ignore SA1012 a nil context must be an error, not a panic
	_, err = c.Do(nil, &Request{Method: "GET", Path: "/"}, nil) //nolint:staticcheck
	assert.ErrorIs(t, err, ErrValidation)
	_, err = c.Do(context.Background(), nil, nil)
	assert.ErrorIs(t, err, ErrValidation)
	_, err = c.Do(context.Background(), &Request{Method: "POST", JSON: 1, Form: map[string][]string{}}, nil)
	assert.Error(t, err)
	_, err = c.Do(context.Background(), &Request{Method: "GET", Service: "nope"}, nil)
	assert.Error(t, err)
	_, err = c.Do(context.Background(), &Request{Method: "GET", Query: 42}, nil)
	assert.Error(t, err)
	_, err = c.Do(context.Background(), &Request{Method: "POST", JSON: make(chan int)}, nil)
	assert.Error(t, err)

	for _, bad := range []Option{WithBaseURL("ftp://x"), WithBaseURL("not a url"), WithBaseURL("https://u:p@h"), WithRetryMax(-1), WithRetryMax(99),
		WithRetryWait(0, time.Second), WithRetryWait(2*time.Second, time.Second), WithRetryAfterMax(-1), WithHTTPClient(nil), WithUserAgent("a\nb"), WithHeader("", "x")} {
		_, err := New(Config{Vendor: "t", BaseURL: "https://h.example"}, bad)
		assert.ErrorIs(t, err, ErrValidation)
	}
}

func TestBaseURLsAndServices(t *testing.T) {
	mk := func(opts ...Option) *Client {
		c, err := New(Config{Vendor: "voitex", Services: map[string]string{"recording": "https://recording.voitexapi.com", "sms": "https://sms.voitexapi.com"}}, opts...)
		require.NoError(t, err)
		return c
	}
	u, err := mk().url(&Request{Service: "recording", Path: "/upload/"})
	require.NoError(t, err)
	assert.Equal(t, "https://recording.voitexapi.com/upload/", u)
	c := mk(WithBaseURL("http://127.0.0.1:9/"), WithServiceURL("sms", "http://127.0.0.1:10"))
	u, _ = c.url(&Request{Service: "recording", Path: "/upload/"})
	assert.Equal(t, "http://127.0.0.1:9/upload/", u)
	u, _ = c.url(&Request{Service: "sms", Path: "/send/"})
	assert.Equal(t, "http://127.0.0.1:10/send/", u)
	_, err = mk().url(&Request{Path: "/x"})
	assert.Error(t, err, "no default service configured")
}

func TestVendorTextsAreRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	decode := func(*Response) *Error {
		return &Error{Code: "bad tok-SENTINEL-9", RequestID: "tok-SENTINEL-9", Fields: map[string][]string{"tok-SENTINEL-9": {"token tok-SENTINEL-9 expired"}}}
	}
	c, err := New(Config{Vendor: "t", BaseURL: srv.URL, Failure: decode, Auth: http.Header{"Authorization": {"Bearer tok-SENTINEL-9"}}})
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/x"}, nil)
	var e *Error
	require.ErrorAs(t, err, &e)
	assertNoSentinel(t, "Code", e.Code)
	assertNoSentinel(t, "RequestID", e.RequestID)
	assertNoSentinel(t, "Fields", fmt.Sprint(e.Fields))
	assert.Len(t, e.Fields, 1)

	de := c.DecodeFailure(&Request{Method: http.MethodPost, Path: "send"}, 200, errors.New("tok-SENTINEL-9 unexpected"))
	assertNoSentinel(t, "DecodeFailure", de.Error())
	assert.ErrorIs(t, de, ErrMaybeDelivered)
	assert.Equal(t, "/send", de.Path)
	assert.NotErrorIs(t, c.DecodeFailure(&Request{Method: http.MethodGet, Path: "/x"}, 200, errors.New("x")), ErrMaybeDelivered)
}

func TestCheckCredential(t *testing.T) {
	for _, tc := range []struct {
		in   string
		rule string
	}{
		{"", "required"}, {"   ", "required"}, {"key\n", "must not have leading or trailing whitespace"},
		{" key", "must not have leading or trailing whitespace"}, {"ke\x00y", "must not contain control characters"},
		{"ke\x7fy", "must not contain control characters"}, {"k\te-y", "must not contain control characters"},
	} {
		var ve *ValidationError
		require.ErrorAs(t, CheckCredential("voitex", "authKey", tc.in), &ve, "%q", tc.in)
		assert.Equal(t, "authKey", ve.Field)
		assert.Equal(t, tc.rule, ve.Rule, "%q", tc.in)
	}
	assert.NoError(t, CheckCredential("voitex", "authKey", "1234567890abcdef"))
	assert.EqualError(t, CheckCredential("voitex", "authKey", ""), "voitex: invalid authKey: required")
	assert.NoError(t, CheckCredential("ourvoice", "token", "Bearer-part with inner space"))
}
