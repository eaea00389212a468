package sandbox

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Recorded is one request the server received, as it arrived.
type Recorded struct {
	// Method, Path and RawQuery are the request line's.
	Method   string
	Path     string
	RawQuery string
	// Header is a copy of the request headers, credentials included (it is
	// a test's own traffic).
	Header http.Header
	// Body is the start of the body, at most MaxRecordedBody bytes.
	Body []byte
	// Fault names the fault injected into this request: "fail", "delay",
	// "drop", "drop-response", or "" for none.
	Fault string
}

type fault struct {
	kind   string // "fail", "delay", "drop"
	status int
	body   string
	header http.Header
	delay  time.Duration
}

// Server is an httptest.Server that records requests and injects faults
// before handing requests to the vendor handler. It is safe for concurrent
// use.
type Server struct {
	// URL is the base URL of the server, "http://127.0.0.1:port".
	URL string
	// Clock is the sandbox's test clock.
	Clock Clock

	ts       *httptest.Server
	handler  http.Handler
	maxLog   int
	listener net.Listener
	observer func(Served)

	mu     sync.Mutex
	faults []fault
	log    []Recorded
}

// MaxRecordedBody bounds how much of each request body the log keeps (and
// so reads ahead of the handler): a large upload through a sandbox streams
// to the vendor handler instead of staying in memory.
const MaxRecordedBody = 1 << 20

// New starts a server that serves h behind the fault injector, on a new
// loopback port unless WithListener gives it one.
func New(h http.Handler, opts ...Option) *Server {
	s := &Server{handler: h, maxLog: 10000}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	if s.listener != nil {
		_ = s.ts.Listener.Close()
		s.ts.Listener = s.listener
	}
	s.ts.Start()
	s.URL = s.ts.URL
	return s
}

// Option configures New.
type Option func(*Server)

// WithListener makes the server accept connections on l instead of a new
// loopback port, so that it can run at an address fixed in advance (a
// local dev server whose URLs an application is configured with). The
// server's URL is "http://" + l.Addr(); Close closes l. A nil l changes
// nothing.
func WithListener(l net.Listener) Option {
	return func(s *Server) {
		if l != nil {
			s.listener = l
		}
	}
}

// Served is one request as an observer sees it once it has been
// answered: the request as Requests records it, and the answer.
type Served struct {
	Recorded
	// Status is the HTTP status answered; 0 when the connection was closed
	// without an answer (DropNext, DropResponseNext, or a client that gave
	// up during a delay).
	Status int
	// ContentType is the answer's Content-Type header.
	ContentType string
	// Response is the start of the answer's body, at most
	// MaxObservedResponse bytes; ResponseSize counts every byte written.
	Response     []byte
	ResponseSize int64
	// Received is when the request arrived (the real time, not the test
	// clock); Duration is how long it took to answer, delays included.
	Received time.Time
	Duration time.Duration
}

// MaxObservedResponse bounds how much of each answer's body an observer
// is given.
const MaxObservedResponse = 16 << 10

// WithObserver calls fn once for every request the server receives,
// faulted ones included, after it has been answered: a way to watch the
// traffic live, which keeps working after the request log is full. fn runs
// on the request's goroutine, so it must be quick and safe for concurrent
// use; it owns the Served it is given. A nil fn changes nothing.
func WithObserver(fn func(Served)) Option {
	return func(s *Server) {
		if fn != nil {
			s.observer = fn
		}
	}
}

// Close shuts the server down, dropping open connections.
func (s *Server) Close() {
	s.ts.CloseClientConnections()
	s.ts.Close()
}

// Client returns an HTTP client that talks to the server.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// FailNext makes the next n requests answer status with body (a JSON
// envelope of the vendor's, typically) without reaching the vendor handler.
// A 429 or 503 carries Retry-After: 0 unless header says otherwise.
func (s *Server) FailNext(n, status int, body string) {
	h := http.Header{}
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		h.Set("Retry-After", "0")
	}
	s.FailNextWithHeader(n, status, body, h)
}

// FailNextWithHeader is FailNext with response headers of the test's
// choosing (Retry-After as seconds or a date, or none at all).
func (s *Server) FailNextWithHeader(n, status int, body string, header http.Header) {
	s.push(n, fault{kind: "fail", status: status, body: body, header: header.Clone()})
}

// DelayNext holds each of the next n requests for d (or until the client
// gives up) before the vendor handler answers it.
func (s *Server) DelayNext(n int, d time.Duration) {
	s.push(n, fault{kind: "delay", delay: d})
}

// DropNext reads each of the next n requests whole, then closes the
// connection without answering. The vendor handler never sees the request,
// so the sandbox's state does not change; the client still cannot know
// that, which is the point. Use DropResponseNext for a vendor that acted.
func (s *Server) DropNext(n int) {
	s.push(n, fault{kind: "drop"})
}

// DropResponseNext lets the vendor handler act on each of the next n
// requests (send the message, create the session) and then closes the
// connection without answering: the case that makes a retried send a
// duplicate, and that ErrMaybeDelivered exists for.
func (s *Server) DropResponseNext(n int) {
	s.push(n, fault{kind: "drop-response"})
}

// ClearFaults removes faults not yet used.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

func (s *Server) push(n int, f fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		s.faults = append(s.faults, f)
	}
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Recorded(nil), s.log...)
}

// Count reports how many requests with method and path the server saw,
// faulted ones included.
func (s *Server) Count(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.log {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// ResetLog forgets the requests seen so far.
func (s *Server) ResetLog() {
	s.mu.Lock()
	s.log = nil
	s.mu.Unlock()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// Keep the start of the body for the log and hand the handler all of
	// it: the kept part, then the rest still streaming from the client, so
	// a 100 MB upload through a sandbox costs 1 MiB here, not 100.
	head, err := io.ReadAll(io.LimitReader(r.Body, MaxRecordedBody))
	if err != nil {
		http.Error(w, "read error", http.StatusBadRequest)
		return
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}

	s.mu.Lock()
	var f *fault
	if len(s.faults) > 0 {
		f = &s.faults[0]
		s.faults = s.faults[1:]
	}
	rec := Recorded{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: head}
	if f != nil {
		rec.Fault = f.kind
	}
	if len(s.log) < s.maxLog {
		s.log = append(s.log, rec)
	}
	s.mu.Unlock()

	answered := false // the vendor handler returned normally
	// observe tells the observer once. A dropped connection is told before
	// it is closed, so that whoever sees the client's error can already
	// see the request.
	observe := func(dropped bool) {}
	if s.observer != nil {
		ow := &observedWriter{ResponseWriter: w}
		w = ow
		received := time.Now()
		told := false
		observe = func(dropped bool) {
			if told {
				return
			}
			told = true
			seen := rec
			seen.Header = rec.Header.Clone()
			out := Served{Recorded: seen, Status: ow.status, Response: ow.body, ResponseSize: ow.size,
				Received: received, Duration: time.Since(received)}
			switch {
			case dropped || ow.hijacked:
				out.Status = 0
			case out.Status == 0 && answered:
				out.Status = http.StatusOK // net/http's answer to a handler that wrote nothing
			}
			if !dropped && !ow.hijacked {
				out.ContentType = ow.Header().Get("Content-Type")
			}
			s.observer(out)
		}
		defer observe(false)
	}

	if f != nil {
		switch f.kind {
		case "fail":
			_, _ = io.Copy(io.Discard, r.Body)
			for k, vs := range f.header {
				w.Header()[k] = vs
			}
			if w.Header().Get("Content-Type") == "" {
				w.Header().Set("Content-Type", "application/json")
			}
			w.WriteHeader(f.status)
			_, _ = io.WriteString(w, f.body)
			return
		case "drop":
			// The vendor has the whole request, then the line goes dead.
			_, _ = io.Copy(io.Discard, r.Body)
			observe(true)
			hangUp(w)
			return
		case "drop-response":
			s.handler.ServeHTTP(httptest.NewRecorder(), r)
			_, _ = io.Copy(io.Discard, r.Body)
			observe(true)
			hangUp(w)
			return
		case "delay":
			t := time.NewTimer(f.delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
	}
	s.handler.ServeHTTP(w, r)
	answered = true
}

// observedWriter keeps the status and the start of the body an observer is
// shown, and passes everything through, hijacking included.
type observedWriter struct {
	http.ResponseWriter
	status   int
	body     []byte
	size     int64
	hijacked bool
}

func (w *observedWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *observedWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if room := MaxObservedResponse - len(w.body); room > 0 {
		w.body = append(w.body, b[:min(room, len(b))]...)
	}
	n, err := w.ResponseWriter.Write(b)
	w.size += int64(n)
	return n, err
}

// Flush passes a flush through when the underlying writer supports it.
func (w *observedWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack hands the connection over, as the underlying writer does.
func (w *observedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("sandbox: connection cannot be hijacked")
	}
	w.hijacked = true
	return hj.Hijack()
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *observedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// hangUp closes the client's connection without writing a response.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
