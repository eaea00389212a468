package transport

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hitServer counts how many times its handler saw each request (keyed by
// the X-Test-Id header) and lets each case decide how to answer the n-th
// sighting.
type hitServer struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newHitServer(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) *hitServer {
	t.Helper()
	hs := &hitServer{hits: map[string]int{}}
	hs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // the vendor has the whole request
		hs.mu.Lock()
		hs.hits[r.Header.Get("X-Test-Id")]++
		n := hs.hits[r.Header.Get("X-Test-Id")]
		hs.mu.Unlock()
		answer(n, w, r)
	}))
	t.Cleanup(hs.Close)
	return hs
}

func (hs *hitServer) count(id string) int {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return hs.hits[id]
}

// reset closes the connection with a TCP RST after the request was read.
func reset(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

// cutOff answers 200 with a Content-Length longer than the body it sends,
// then closes the connection.
func cutOff(_ int, w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Length", "64")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{"ok":tr`)
	w.(http.Flusher).Flush()
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

// resetMidBody sends part of a 200 body, then resets the connection.
func resetMidBody(_ int, w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Length", "64")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{"ok":tr`)
	w.(http.Flusher).Flush()
	reset(w)
}

func status(code int, retryAfter string) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, `{"error":"nope"}`)
	}
}

// thenOK answers with fail for the first n sightings, then 200.
func thenOK(n int, fail func(int, http.ResponseWriter, *http.Request)) func(int, http.ResponseWriter, *http.Request) {
	return func(i int, w http.ResponseWriter, r *http.Request) {
		if i <= n {
			fail(i, w, r)
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	}
}

func deliveryClient(t *testing.T, base string, hc *http.Client, opts ...Option) *Client {
	t.Helper()
	if hc == nil {
		hc = &http.Client{Transport: NewTransport()}
	}
	opts = append([]Option{WithHTTPClient(hc), WithRetryWait(5*time.Millisecond, 20*time.Millisecond), WithRetryMax(3)}, opts...)
	c, err := New(Config{Vendor: "test", BaseURL: base}, opts...)
	require.NoError(t, err)
	return c
}

type outcome struct {
	hits           int  // how many times the handler saw the request
	ok             bool // call succeeded
	maybeDelivered bool
	status         int // *Error status, when not ok and not a RequestError
}

func runDelivery(t *testing.T, c *Client, id, method string) (outcome, error) {
	t.Helper()
	r := &Request{Method: method, Path: "/x", Header: http.Header{"X-Test-Id": {id}}}
	if method == http.MethodPost {
		r.JSON = map[string]string{"to": "+972501234567", "body": "hello"}
	}
	_, err := c.Do(context.Background(), r, nil)
	var o outcome
	o.ok = err == nil
	o.maybeDelivered = errors.Is(err, ErrMaybeDelivered)
	var e *Error
	if errors.As(err, &e) {
		o.status = e.StatusCode
	}
	return o, err
}

// TestDeliverySafety walks the delivery-safety table of DESIGN.md with a
// real server and real connections, for an idempotent GET and a send (POST).
func TestDeliverySafety(t *testing.T) {
	cases := []struct {
		name   string
		answer func(int, http.ResponseWriter, *http.Request)
		get    outcome
		post   outcome
	}{
		{"reset after the body was read", func(_ int, w http.ResponseWriter, _ *http.Request) { reset(w) },
			outcome{hits: 4}, outcome{hits: 1, maybeDelivered: true}},
		{"reset then recovers", thenOK(1, func(_ int, w http.ResponseWriter, _ *http.Request) { reset(w) }),
			outcome{hits: 2, ok: true}, outcome{hits: 1, maybeDelivered: true}},
		// A 5xx on a send is not retried, and the vendor (or its gateway)
		// may have acted: the send may have gone out.
		{"500", status(500, ""), outcome{hits: 4, status: 500}, outcome{hits: 1, status: 500, maybeDelivered: true}},
		{"500 then recovers", thenOK(2, status(500, "")), outcome{hits: 3, ok: true}, outcome{hits: 1, status: 500, maybeDelivered: true}},
		{"502", status(502, ""), outcome{hits: 4, status: 502}, outcome{hits: 1, status: 502, maybeDelivered: true}},
		{"504", status(504, ""), outcome{hits: 4, status: 504}, outcome{hits: 1, status: 504, maybeDelivered: true}},
		{"503 without Retry-After", status(503, ""), outcome{hits: 4, status: 503}, outcome{hits: 1, status: 503, maybeDelivered: true}},
		{"505 is a refusal", status(505, ""), outcome{hits: 4, status: 505}, outcome{hits: 1, status: 505}},
		// An answer cut off before its declared end: a read is retried
		// like a connection failure, a send may have gone out.
		{"body cut off", cutOff, outcome{hits: 4}, outcome{hits: 1, maybeDelivered: true}},
		{"body cut off then recovers", thenOK(1, cutOff), outcome{hits: 2, ok: true}, outcome{hits: 1, maybeDelivered: true}},
		{"reset while the body is read", resetMidBody, outcome{hits: 4}, outcome{hits: 1, maybeDelivered: true}},
		{"503 with Retry-After", thenOK(1, status(503, "0")), outcome{hits: 2, ok: true}, outcome{hits: 2, ok: true}},
		{"503 with Retry-After, never recovers", status(503, "0"), outcome{hits: 4, status: 503}, outcome{hits: 4, status: 503}},
		{"429 with Retry-After seconds", thenOK(1, status(429, "0")), outcome{hits: 2, ok: true}, outcome{hits: 2, ok: true}},
		{"429 without Retry-After", thenOK(1, status(429, "")), outcome{hits: 2, ok: true}, outcome{hits: 2, ok: true}},
		{"400 is final", status(400, ""), outcome{hits: 1, status: 400}, outcome{hits: 1, status: 400}},
		{"501 is final", status(501, ""), outcome{hits: 1, status: 501}, outcome{hits: 1, status: 501}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hs := newHitServer(t, tc.answer)
			c := deliveryClient(t, hs.URL, nil)
			for _, m := range []struct {
				method string
				want   outcome
			}{{http.MethodGet, tc.get}, {http.MethodPost, tc.post}} {
				id := m.method
				o, err := runDelivery(t, c, id, m.method)
				o.hits = hs.count(id)
				assert.Equal(t, m.want, o, "%s: err=%v", m.method, err)
			}
		})
	}
}

func TestDeliveryDialRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: every dial is refused

	c := deliveryClient(t, "http://"+addr, nil)
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		o, err := runDelivery(t, c, method, method)
		require.Error(t, err)
		var re *RequestError
		require.ErrorAs(t, err, &re)
		// The connection was never made, so even a send is retried.
		assert.Equal(t, 4, re.Attempts, method)
		assert.False(t, o.maybeDelivered, method)
	}
}

func TestDeliveryDialRefusedThenServerUp(t *testing.T) {
	// One refused dial, then a server on the same address: a send goes
	// through exactly once.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	var hits atomic.Int32
	var srv *http.Server
	dials := 0
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
		dials++
		if dials == 1 {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
		}
		if srv == nil {
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return nil, err
			}
			srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				_, _ = io.WriteString(w, `{}`)
			})}
			go func() { _ = srv.Serve(l) }()
		}
		var d net.Dialer
		return d.DialContext(ctx, network, a)
	}}}
	t.Cleanup(func() {
		if srv != nil {
			srv.Close()
		}
	})
	c := deliveryClient(t, "http://"+addr, hc)
	_, err = c.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/send", JSON: map[string]string{"a": "b"}}, nil)
	require.NoError(t, err)
	assert.Equal(t, int32(1), hits.Load())
}

func TestDeliveryTimeoutAfterWrite(t *testing.T) {
	// The server reads the request and then takes longer than the client's
	// response-header timeout: the send may have happened.
	hs := newHitServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
		_, _ = io.WriteString(w, `{}`)
	})
	tr := NewTransport()
	tr.ResponseHeaderTimeout = 50 * time.Millisecond
	c := deliveryClient(t, hs.URL, &http.Client{Transport: tr})

	o, err := runDelivery(t, c, "post", http.MethodPost)
	assert.True(t, o.maybeDelivered, "err=%v", err)
	assert.Equal(t, 1, hs.count("post"))

	o, err = runDelivery(t, c, "get", http.MethodGet)
	assert.False(t, o.maybeDelivered, "err=%v", err)
	assert.Equal(t, 4, hs.count("get"))

	// A context deadline that ends after the write is the same story.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = c.Do(ctx, &Request{Method: http.MethodPost, Path: "/x", Header: http.Header{"X-Test-Id": {"ctx"}}, JSON: map[string]int{"a": 1}}, nil)
	assert.ErrorIs(t, err, ErrMaybeDelivered)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, hs.count("ctx"))
}

func TestDeliveryRetryAfterDate(t *testing.T) {
	hs := newHitServer(t, thenOK(1, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", time.Now().Add(time.Second).UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	c := deliveryClient(t, hs.URL, nil)
	start := time.Now()
	o, err := runDelivery(t, c, "post", http.MethodPost)
	require.NoError(t, err)
	assert.True(t, o.ok)
	assert.Equal(t, 2, hs.count("post"))
	// HTTP dates have one-second resolution; the wait is up to a second.
	assert.Less(t, time.Since(start), 3*time.Second)
}

func TestDeliveryRetryAfterSecondsIsHonoured(t *testing.T) {
	hs := newHitServer(t, thenOK(1, status(429, "1")))
	c := deliveryClient(t, hs.URL, nil)
	start := time.Now()
	_, err := runDelivery(t, c, "post", http.MethodPost)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), time.Second)
	assert.Equal(t, 2, hs.count("post"))
}

func TestDeliveryRetryAfterAboveCap(t *testing.T) {
	hs := newHitServer(t, status(429, "120"))
	c := deliveryClient(t, hs.URL, nil, WithRetryAfterMax(time.Second))
	start := time.Now()
	_, err := runDelivery(t, c, "post", http.MethodPost)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, 120*time.Second, e.RetryAfter)
	assert.Equal(t, 1, hs.count("post"))
	assert.Less(t, time.Since(start), 500*time.Millisecond, "must not wait")
}

func TestDeliveryDeadlineDuringBackoff(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(int, http.ResponseWriter, *http.Request)
		method string
		opts   []Option
	}{
		{"Retry-After beyond deadline", status(503, "5"), http.MethodPost, nil},
		{"backoff beyond deadline", status(500, ""), http.MethodGet, []Option{WithRetryWait(time.Second, 2*time.Second)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := newHitServer(t, tc.answer)
			c := deliveryClient(t, hs.URL, nil, tc.opts...)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := c.Do(ctx, &Request{Method: tc.method, Path: "/x", Header: http.Header{"X-Test-Id": {"d"}}}, nil)
			var e *Error
			require.ErrorAs(t, err, &e, "the last failure is returned, not a bare context error")
			assert.Equal(t, 1, hs.count("d"))
			assert.Less(t, time.Since(start), 250*time.Millisecond, "no sleep towards a deadline it cannot meet")
		})
	}
}

func TestDeliveryCancelledContextStops(t *testing.T) {
	hs := newHitServer(t, status(503, "0"))
	c := deliveryClient(t, hs.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Do(ctx, &Request{Method: http.MethodGet, Path: "/x", Header: http.Header{"X-Test-Id": {"c"}}}, nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 0, hs.count("c"))
}

func TestDeliveryExplicitClasses(t *testing.T) {
	hs := newHitServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { reset(w) })
	c := deliveryClient(t, hs.URL, nil)
	// A POST the vendor documents as idempotent (a select) is retried.
	_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/x", Delivery: Idempotent, Header: http.Header{"X-Test-Id": {"sel"}}, Form: map[string][]string{"function": {"select"}}}, nil)
	require.Error(t, err)
	assert.False(t, errors.Is(err, ErrMaybeDelivered))
	assert.Equal(t, 4, hs.count("sel"))
	// A PUT marked AtMostOnce is not.
	_, err = c.Do(context.Background(), &Request{Method: http.MethodPut, Path: "/x", Delivery: AtMostOnce, Header: http.Header{"X-Test-Id": {"put"}}}, nil)
	assert.ErrorIs(t, err, ErrMaybeDelivered)
	assert.Equal(t, 1, hs.count("put"))
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 12 ", 12 * time.Second, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"abc", 0, false},
		{"", 0, false},
		{"99999999999999999999", 0, false},
		{"Sat, 21 Nov 2026 10:00:30 GMT", 30 * time.Second, true},
		{"Sat, 21 Nov 2026 09:00:00 GMT", 0, true},
		{"Saturday, 21-Nov-26 10:01:00 GMT", time.Minute, true},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		assert.Equal(t, tc.ok, ok, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	d, ok := parseRetryAfter(strconv.FormatInt(1<<40, 10), now)
	assert.True(t, ok)
	assert.Greater(t, d, time.Duration(0), "huge values saturate instead of overflowing")
}

// TestMaybeDeliveredFollowsTheVendorCode: an "unknown outcome" code makes a
// send maybe delivered in any status, and a code that proves a refusal
// keeps a 5xx send from being one.
func TestMaybeDeliveredFollowsTheVendorCode(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("status"))
		w.WriteHeader(code)
		_, _ = io.WriteString(w, r.URL.Query().Get("code"))
	}))
	defer srv.Close()
	hook := func(resp *Response) *Error {
		switch string(resp.Body) {
		case "exception":
			return &Error{Code: "exception", Uncertain: true}
		case "unauthorized":
			return &Error{Code: "unauthorized", Kind: ErrUnauthorized}
		}
		return nil
	}
	c, err := New(Config{Vendor: "t", BaseURL: srv.URL, Failure: hook}, WithRetryMax(0))
	require.NoError(t, err)
	for _, tc := range []struct {
		method, status, code string
		maybe                bool
	}{
		{http.MethodPost, "200", "exception", true},
		{http.MethodGet, "200", "exception", false},
		{http.MethodPost, "500", "unauthorized", false},
		{http.MethodPost, "500", "", true},
		{http.MethodPost, "501", "", false},
		{http.MethodPut, "500", "", false},
	} {
		_, err := c.Do(context.Background(), &Request{Method: tc.method, Path: "/x", Query: map[string][]string{"status": {tc.status}, "code": {tc.code}}}, nil)
		require.Error(t, err)
		assert.Equal(t, tc.maybe, errors.Is(err, ErrMaybeDelivered), "%+v", tc)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, tc.maybe, e.MaybeDelivered)
	}
}
