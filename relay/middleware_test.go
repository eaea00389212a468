package relay

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// errorLog collects OnError calls.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) record(_ *http.Request, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errorLog) last() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.errs) == 0 {
		return nil
	}
	return l.errs[len(l.errs)-1]
}

func newSignedRequest(t *testing.T, s *Signer, body []byte) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/hooks/events", bytes.NewReader(body))
	if err := s.SignRequest(r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMiddlewareHandsOnIdenticalBytes(t *testing.T) {
	clock := newTestClock(testNow)
	v := mustVerifier(t, secrets("k"), WithClock(clock.Now))
	s := mustSigner(t, "k", WithSignerClock(clock.Now))
	mw, err := v.Middleware()
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string][]byte{
		"json":     []byte(`{"event":"incoming_message","message":{"text":"שלום 👍"}}`),
		"spaces":   []byte("{ \"a\" : 1 }\r\n\n"),
		"empty":    {},
		"binary":   {0, 0xff, 0xfe, '\n', 0x80},
		"near-cap": bytes.Repeat([]byte("x"), int(DefaultMaxBodyBytes)),
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			var fromBody, fromCtx []byte
			var res Result
			var ok bool
			h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var err error
				if fromBody, err = io.ReadAll(r.Body); err != nil {
					t.Error(err)
				}
				if r.ContentLength != int64(len(body)) {
					t.Errorf("ContentLength %d", r.ContentLength)
				}
				fromCtx = RawBody(r.Context())
				res, ok = VerificationFromContext(r.Context())
				w.WriteHeader(http.StatusNoContent)
			}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, newSignedRequest(t, s, body))
			if rec.Code != http.StatusNoContent {
				t.Fatalf("status %d", rec.Code)
			}
			if !bytes.Equal(fromBody, body) || !bytes.Equal(fromCtx, body) {
				t.Fatalf("handler saw %d/%d bytes, want %d identical", len(fromBody), len(fromCtx), len(body))
			}
			if !ok || res.SecretIndex != 0 || res.Timestamp.Unix() != testNow {
				t.Fatalf("result %+v %v", res, ok)
			}
		})
	}
}

// chunkedReader hides the length so the cap is enforced while reading.
type chunkedReader struct{ r io.Reader }

func (c chunkedReader) Read(p []byte) (int, error) {
	if len(p) > 7 {
		p = p[:7]
	}
	return c.r.Read(p)
}

func TestMiddlewareRejections(t *testing.T) {
	clock := newTestClock(testNow)
	s := mustSigner(t, "k", WithSignerClock(clock.Now))
	other := mustSigner(t, "other", WithSignerClock(clock.Now))
	body := []byte(`{"a":1}`)
	big := bytes.Repeat([]byte("y"), 101)

	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		want   error
	}{
		{"no headers", func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		}, 400, ErrMissingHeader},
		{"malformed signature", func() *http.Request {
			r := newSignedRequest(t, s, body)
			r.Header.Set("X-Webhook-Signature", "sha256=nothex")
			return r
		}, 400, ErrMalformedHeader},
		{"wrong secret", func() *http.Request { return newSignedRequest(t, other, body) }, 401, ErrNoMatchingSignature},
		{"body changed after signing", func() *http.Request {
			r := newSignedRequest(t, s, body)
			r.Body = io.NopCloser(strings.NewReader(`{"a":2}`))
			return r
		}, 401, ErrNoMatchingSignature},
		{"too old", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			for k, v := range s.SignAt(clock.Now().Add(-301*time.Second), body) {
				r.Header[k] = v
			}
			return r
		}, 401, ErrTooOld},
		{"declared too large", func() *http.Request { return newSignedRequest(t, s, big) }, 413, ErrBodyTooLarge},
		{"undeclared too large", func() *http.Request {
			r := newSignedRequest(t, s, big)
			r.Body = io.NopCloser(chunkedReader{bytes.NewReader(big)})
			r.ContentLength = -1
			return r
		}, 413, ErrBodyTooLarge},
		{"understated length", func() *http.Request {
			r := newSignedRequest(t, s, big)
			r.ContentLength = 10
			return r
		}, 413, ErrBodyTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := mustVerifier(t, secrets("k"), WithClock(clock.Now))
			var log errorLog
			mw, err := v.Middleware(WithMaxBodyBytes(100), WithOnError(log.record))
			if err != nil {
				t.Fatal(err)
			}
			called := false
			h := mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, tc.req())
			if called {
				t.Fatal("next handler ran")
			}
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if got, want := rec.Body.String(), http.StatusText(tc.status)+"\n"; got != want {
				t.Fatalf("body %q, want the generic %q", got, want)
			}
			if err := log.last(); !errors.Is(err, tc.want) {
				t.Fatalf("OnError got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestMiddlewareReplay(t *testing.T) {
	clock := newTestClock(testNow)
	v := mustVerifier(t, secrets("k"), WithClock(clock.Now))
	s := mustSigner(t, "k", WithSignerClock(clock.Now))
	var log errorLog
	mw, err := v.Middleware(WithOnError(log.record))
	if err != nil {
		t.Fatal(err)
	}
	status := http.StatusOK
	h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status == -1 {
			panic("handler bug")
		}
		w.WriteHeader(status)
	}))
	body := []byte(`{"id":7}`)
	headers := s.Sign(body)
	send := func() int {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		for k, v := range headers {
			r.Header[k] = v
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Code
	}

	// A delivery our handler fails is released so the vendor's retry works.
	status = http.StatusInternalServerError
	if got := send(); got != 500 {
		t.Fatalf("first: %d", got)
	}
	status = -1
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic swallowed")
			}
		}()
		send()
	}()
	status = http.StatusOK
	if got := send(); got != 200 {
		t.Fatalf("retry after failure: %d (%v)", got, log.last())
	}
	if got := send(); got != 401 || !errors.Is(log.last(), ErrReplay) {
		t.Fatalf("replay: %d %v", got, log.last())
	}
}

func TestContextAccessorsOutsideMiddleware(t *testing.T) {
	if b := RawBody(context.Background()); b != nil {
		t.Fatalf("RawBody = %q", b)
	}
	if _, ok := VerificationFromContext(context.Background()); ok {
		t.Fatal("VerificationFromContext reported a verification")
	}
}

func TestMiddlewareConfig(t *testing.T) {
	v := mustVerifier(t, secrets("k"))
	for _, n := range []int64{0, -1} {
		if _, err := v.Middleware(WithMaxBodyBytes(n)); !errors.Is(err, ErrConfig) {
			t.Errorf("WithMaxBodyBytes(%d): %v", n, err)
		}
	}
	if _, err := ReadBody(httptest.NewRecorder(), httptest.NewRequest("POST", "/", nil), 0); !errors.Is(err, ErrConfig) {
		t.Errorf("ReadBody limit 0: %v", err)
	}
}

type failingBody struct{}

func (failingBody) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestReadBody(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Body = io.NopCloser(failingBody{})
	r.ContentLength = -1
	_, err := ReadBody(httptest.NewRecorder(), r, 10)
	if !errors.Is(err, io.ErrUnexpectedEOF) || HTTPStatus(err) != 400 {
		t.Fatalf("err = %v", err)
	}
	r = httptest.NewRequest(http.MethodPost, "/", nil)
	r.Body = nil
	if b, err := ReadBody(httptest.NewRecorder(), r, 10); err != nil || len(b) != 0 {
		t.Fatalf("nil body: %q %v", b, err)
	}
	r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader("0123456789"))
	if b, err := ReadBody(httptest.NewRecorder(), r, 10); err != nil || string(b) != "0123456789" {
		t.Fatalf("exact limit: %q %v", b, err)
	}
}

func TestChain(t *testing.T) {
	var order []string
	mk := func(name string) Middleware {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				order = append(order, name)
				next.ServeHTTP(w, r)
			})
		}
	}
	h := Chain(mk("a"), nil, mk("b"))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { order = append(order, "h") }))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if strings.Join(order, ",") != "a,b,h" {
		t.Fatalf("order %v", order)
	}
}

// The middleware must work behind a real server, where the body arrives
// over the network and the status recorder must keep flushing possible.
func TestMiddlewareOverHTTP(t *testing.T) {
	v := mustVerifier(t, secrets("k"))
	mw, err := v.Middleware()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		w.Write(b)
	})))
	defer srv.Close()
	body := []byte(`{"hello":"שלום"}`)
	req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
	if err := mustSigner(t, "k").SignRequest(req); err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	echo, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !bytes.Equal(echo, body) {
		t.Fatalf("status %d body %q", resp.StatusCode, echo)
	}
}
