package ourvoicetest

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-go/switchboard/internal/sandbox"
	"github.com/switchboard-go/switchboard/ourvoice"
)

// Defaults of a new Server.
const (
	// DefaultToken is the API token the server accepts unless
	// WithCredentials says otherwise.
	DefaultToken = "ourvoice-sandbox-token"
	// DefaultAccountID is the account every session belongs to.
	DefaultAccountID = "43c98bbc-2f78-466b-9b94-b154a1b380ec"
	// DefaultBalance is the account's starting balance.
	DefaultBalance = 5000.0
	// DefaultMessageCost is charged per recipient of a send.
	DefaultMessageCost = 10.0
	// DefaultQRLifetime is how long a pending session's QR code lasts
	// before the next one replaces it (as WhatsApp does, about 20s).
	DefaultQRLifetime = 20 * time.Second
	// DefaultPageSize is the documented default of "limit".
	DefaultPageSize = 10
	// MaxPageSize is the largest "limit" the server accepts.
	MaxPageSize = 100
)

// Timings says when a queued outgoing message moves on, measured on the
// server's clock.
type Timings struct {
	// Send is the time from queued to sent (plus delay_between for each
	// earlier recipient of the same send).
	Send time.Duration
	// Deliver is the time from sent to delivered.
	Deliver time.Duration
	// Read is the time from delivered to read; negative means never read.
	Read time.Duration
}

// DefaultTimings: sent after 1s, delivered 2s later, read 5s after that.
var DefaultTimings = Timings{Send: time.Second, Deliver: 2 * time.Second, Read: 5 * time.Second}

// DefaultPhone is the number ReadySession links when given none: the
// docs' own sender ("from_number": "22997000000").
const DefaultPhone = "22997000000"

// Option configures a Server.
type Option func(*Server)

// WithCredentials sets the API tokens the server accepts, several at once
// to test a rotation (default DefaultToken). Blank tokens are ignored.
func WithCredentials(tokens ...string) Option {
	return func(s *Server) {
		var keep []string
		for _, t := range tokens {
			if strings.TrimSpace(t) != "" {
				keep = append(keep, t)
			}
		}
		if len(keep) > 0 {
			s.tokens = keep
		}
	}
}

// WithBalance sets the account's starting balance.
func WithBalance(v float64) Option { return func(s *Server) { s.balance = v } }

// WithMessageCost sets the price of one message (per recipient).
func WithMessageCost(v float64) Option { return func(s *Server) { s.cost = v } }

// WithClock makes the server's clock follow now instead of time.Now, so
// that timestamps in answers are predictable; Advance still adds to it.
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.base = now
		}
	}
}

// WithTimings sets how fast messages progress.
func WithTimings(t Timings) Option { return func(s *Server) { s.timings = t } }

// WithQRLifetime sets how long each QR code of a pending session lasts.
func WithQRLifetime(d time.Duration) Option {
	return func(s *Server) {
		if d > 0 {
			s.qrLifetime = d
		}
	}
}

// WithAccountID sets the account id sessions report.
func WithAccountID(id string) Option { return func(s *Server) { s.accountID = id } }

// WithListener serves the sandbox on l instead of a new loopback port, so
// that it runs at an address fixed in advance: a local dev server whose
// URL an application is configured with (examples/devserver). URL is
// "http://" + l.Addr(); Close closes l.
func WithListener(l net.Listener) Option { return func(s *Server) { s.listener = l } }

// WithObserver calls fn for every request the sandbox receives, faulted
// ones included, once it has been answered: a way to watch an
// application's traffic live, which keeps going after the request log is
// full. fn runs on the request's goroutine, so it must be quick and safe
// for concurrent use.
func WithObserver(fn func(Served)) Option { return func(s *Server) { s.observer = fn } }

// Recorded is one request the sandbox received, as it arrived, in the log
// that Requests returns. Its fields:
//
//   - Method string: the HTTP method.
//   - Path string: the URL path, with the "/v1" prefix
//     ("/v1/whatsapp/messages").
//   - RawQuery string: the query string, as sent.
//   - Header http.Header: every request header (the token included: the
//     log is the test's own).
//   - Body []byte: the request body (its first MiB).
//   - Fault string: the fault injected into it, "" when none ("fail",
//     "delay", "drop", "drop-response").
type Recorded = sandbox.Recorded

// Served is one request as WithObserver's function sees it, once the
// sandbox has answered it. Its fields:
//
//   - Recorded: the request, as Requests records it (Method, Path,
//     RawQuery, Header with credentials, the start of Body, Fault).
//   - Status int: the HTTP status answered; 0 when the connection was
//     closed without an answer (DropNext, DropResponseNext, or a client
//     that gave up during DelayNext).
//   - ContentType string, Response []byte, ResponseSize int64: the answer's
//     Content-Type, the start of its body (at most 16 KiB) and its full size.
//   - Received time.Time, Duration time.Duration: when the request arrived
//     (real time, not the sandbox clock) and how long the answer took,
//     injected delays included.
type Served = sandbox.Served

// Server is a running Our Voice sandbox. It is safe for concurrent use.
// Point a client at it with NewClient or with
// ourvoice.WithBaseURL(s.BaseURL()).
type Server struct {
	// URL is the server's root ("http://127.0.0.1:port"); Our Voice's
	// paths hang below URL + "/v1" (BaseURL).
	URL string

	sb         *sandbox.Server
	tokens     []string
	accountID  string
	cost       float64
	base       func() time.Time
	timings    Timings
	qrLifetime time.Duration
	listener   net.Listener
	observer   func(Served)

	mu         sync.Mutex
	balance    float64
	seq        int
	reqSeq     int
	sessions   map[string]*session // by id
	order      []string            // session ids in creation order
	messages   []*message          // in creation order
	failNumber map[string]string   // number -> failure reason
}

// NewServer starts a sandbox on a local port. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		tokens:     []string{DefaultToken},
		accountID:  DefaultAccountID,
		cost:       DefaultMessageCost,
		balance:    DefaultBalance,
		timings:    DefaultTimings,
		qrLifetime: DefaultQRLifetime,
		sessions:   map[string]*session{},
		failNumber: map[string]string{},
	}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	s.sb = sandbox.New(s.routes(), sandbox.WithListener(s.listener), sandbox.WithObserver(s.observer))
	s.sb.Clock.SetBase(s.base)
	s.URL = s.sb.URL
	return s
}

// Close shuts the server down and closes the connections still open.
func (s *Server) Close() { s.sb.Close() }

// BaseURL is the URL to give ourvoice.WithBaseURL: the server's URL with
// Our Voice's "/v1" prefix.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Client returns an *http.Client that reaches this server, for tests that
// send requests by hand (the docs' curl commands, malformed bodies).
func (s *Server) Client() *http.Client { return s.sb.Client() }

// NewClient returns a client for this server, authenticated with the first
// accepted token, with short retry waits so that tests injecting faults
// do not sleep through production backoffs. opts come after the sandbox's
// own and may override them.
func (s *Server) NewClient(opts ...ourvoice.Option) (*ourvoice.Client, error) {
	base := []ourvoice.Option{ourvoice.WithBaseURL(s.BaseURL()), ourvoice.WithHTTPClient(s.sb.Client()), ourvoice.WithRetryWait(5*time.Millisecond, 20*time.Millisecond)}
	return ourvoice.New(s.tokens[0], append(base, opts...)...)
}

// Token returns the first token the server accepts, the one NewClient
// uses.
func (s *Server) Token() string { return s.tokens[0] }

// Now is the server's current time, in UTC: the real time (or WithClock's)
// plus every Advance. Every timestamp the server writes and every message
// progress reads it.
func (s *Server) Now() time.Time { return s.sb.Clock.Now().UTC() }

func (s *Server) now() time.Time { return s.Now() }

// Advance moves the server's clock forward by d: messages progress and QR
// codes rotate as if d had passed. A d of zero or less does nothing; the
// sandbox's time never goes back.
func (s *Server) Advance(d time.Duration) {
	if d > 0 {
		s.sb.Clock.Advance(d)
	}
}

// FailNext makes the next n requests answer status with body, without
// reaching Our Voice's handlers (nothing is created or charged). A 429 or
// 503 carries "Retry-After: 0". FailNextError writes Our Voice's own
// bodies for its documented errors.
func (s *Server) FailNext(n, status int, body string) { s.sb.FailNext(n, status, body) }

// FailNextWithHeader is FailNext with the response headers of the test's
// choosing (none added), for a 503 without Retry-After or a long wait.
func (s *Server) FailNextWithHeader(n, status int, body string, h http.Header) {
	s.sb.FailNextWithHeader(n, status, body, h)
}

// DelayNext holds each of the next n requests for d (or until the client
// gives up) before handling it, to test deadlines.
func (s *Server) DelayNext(n int, d time.Duration) { s.sb.DelayNext(n, d) }

// DropNext reads each of the next n requests whole, then closes the
// connection without an answer: Our Voice never acted on it, but the
// client cannot tell.
func (s *Server) DropNext(n int) { s.sb.DropNext(n) }

// DropResponseNext lets Our Voice act on each of the next n requests (a
// send is queued and charged), then closes the connection instead of
// answering: the case where a send may have been delivered.
func (s *Server) DropResponseNext(n int) { s.sb.DropResponseNext(n) }

// ClearFaults removes the faults not used yet.
func (s *Server) ClearFaults() { s.sb.ClearFaults() }

// Requests returns every request the server received, oldest first,
// faulted ones included.
func (s *Server) Requests() []Recorded { return s.sb.Requests() }

// Count reports how many requests with method and path (no query, with
// the "/v1" prefix) the server received.
func (s *Server) Count(method, path string) int { return s.sb.Count(method, path) }

// ResetLog forgets the requests received so far.
func (s *Server) ResetLog() { s.sb.ResetLog() }

// Balance is the account's current balance.
func (s *Server) Balance() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.balance
}

// SetBalance changes the account's balance (to test running out).
func (s *Server) SetBalance(v float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.balance = v
}

// FailNumber makes every later message to number fail when it would have
// been sent, with reason. An empty reason clears it.
func (s *Server) FailNumber(number, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if reason == "" {
		delete(s.failNumber, number)
		return
	}
	s.failNumber[number] = reason
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/whatsapp/sessions", s.listSessions)
	mux.HandleFunc("POST /v1/whatsapp/sessions", s.createSession)
	mux.HandleFunc("GET /v1/whatsapp/sessions/{id}", s.getSession)
	mux.HandleFunc("DELETE /v1/whatsapp/sessions/{id}", s.deleteSession)
	mux.HandleFunc("GET /v1/whatsapp/sessions/{id}/qr-code", s.qrCode)
	mux.HandleFunc("PATCH /v1/whatsapp/sessions/{id}/disconnect", s.disconnect)
	mux.HandleFunc("PATCH /v1/whatsapp/sessions/{id}/reconnect", s.reconnect)
	mux.HandleFunc("GET /v1/whatsapp/messages", s.listMessages)
	mux.HandleFunc("POST /v1/whatsapp/messages", s.sendMessage)
	mux.HandleFunc("GET /v1/whatsapp/messages/{id}", s.getMessage)
	mux.HandleFunc("GET /v1/whatsapp/messages/{session_id}/session", s.listSessionMessages)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, "The route "+strings.TrimPrefix(r.URL.Path, "/")+" could not be found.")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqSeq++
		w.Header().Set("X-Request-Id", fmt.Sprintf("req_%06d", s.reqSeq))
		s.mu.Unlock()
		if !s.authorized(r) {
			writeJSON(w, http.StatusUnauthorized, unauthenticatedBody())
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func (s *Server) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return false
	}
	got := []byte(strings.TrimSpace(h[len(prefix):]))
	ok := 0
	for _, t := range s.tokens {
		ok |= subtle.ConstantTimeCompare(got, []byte(t))
	}
	return ok == 1
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"success":false,"message":"Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// The bodies below are Our Voice's error envelopes, shared by the handlers
// and FailNextError so that an injected error reads exactly like a real
// one.

// failBody is {"success": false, "message": msg}.
func failBody(msg string) map[string]any { return map[string]any{"success": false, "message": msg} }

// unauthenticatedBody is the 401 answer, which has no "success" member.
func unauthenticatedBody() map[string]any { return map[string]any{"message": "Unauthenticated."} }

// invalidBody is a Laravel-style 422 body with per-field messages; order
// lists the fields as the validator met them.
func invalidBody(fields map[string][]string, order []string) map[string]any {
	msg := "The given data was invalid."
	if len(order) > 0 {
		msg = fields[order[0]][0]
		n := 0
		for _, k := range order {
			n += len(fields[k])
		}
		if n > 1 {
			suffix := "error"
			if n > 2 {
				suffix = "errors"
			}
			msg += fmt.Sprintf(" (and %d more %s)", n-1, suffix)
		}
	}
	return map[string]any{"success": false, "message": msg, "errors": fields}
}

// fail answers {"success": false, "message": msg}.
func fail(w http.ResponseWriter, status int, msg string) { writeJSON(w, status, failBody(msg)) }

// invalid answers a Laravel-style 422 with per-field messages.
func invalid(w http.ResponseWriter, fields map[string][]string, order []string) {
	writeJSON(w, http.StatusUnprocessableEntity, invalidBody(fields, order))
}

// ts renders a time as Our Voice does, or null.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// nullable renders "" as null.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
