package ourvoicetest

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-go/switchboard/internal/sandbox"
	"github.com/switchboard-go/switchboard/ourvoice"
)

// Defaults of a new Server.
const (
	// DefaultToken is the API token the server accepts unless WithToken
	// says otherwise.
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

// Option configures a Server.
type Option func(*Server)

// WithToken sets the API tokens the server accepts (several for testing a
// rotation). Blank tokens are ignored.
func WithToken(tokens ...string) Option {
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

// WithClock replaces the server's base clock (time.Now). Advance still
// adds to it.
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.clock = now
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

// Server is a running Our Voice sandbox. It is safe for concurrent use.
// Point a client at it with NewClient or with
// ourvoice.WithBaseURL(s.BaseURL()).
//
// The embedded *sandbox.Server supplies what every Switchboard sandbox has:
// URL, Close and Client (an *http.Client for it); fault injection with
// FailNext(n, status, body), FailNextWithHeader, DelayNext(n, d),
// DropNext(n) (the request is read, the connection closes and the vendor
// never acts), DropResponseNext(n) (the vendor acts, then the answer is
// lost) and ClearFaults; and the request log: Requests, Count(method, path)
// and ResetLog.
type Server struct {
	*sandbox.Server

	tokens     []string
	accountID  string
	cost       float64
	clock      func() time.Time
	timings    Timings
	qrLifetime time.Duration

	mu         sync.Mutex
	offset     time.Duration
	balance    float64
	seq        int
	reqSeq     int
	sessions   map[string]*session // by id
	order      []string            // session ids in creation order
	messages   []*message          // in creation order
	failNumber map[string]string   // number -> failure reason
}

// NewServer starts a sandbox. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		tokens:     []string{DefaultToken},
		accountID:  DefaultAccountID,
		cost:       DefaultMessageCost,
		balance:    DefaultBalance,
		clock:      time.Now,
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
	s.Server = sandbox.New(s.routes())
	return s
}

// BaseURL is the URL to give ourvoice.WithBaseURL: the server's URL with
// Our Voice's "/v1" prefix.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// NewClient returns a client for this server, authenticated with the first
// accepted token. opts come after the sandbox's own.
func (s *Server) NewClient(opts ...ourvoice.Option) (*ourvoice.Client, error) {
	// Short retry waits, as the other sandboxes' clients have: tests that
	// inject faults should not sleep through production backoffs.
	base := []ourvoice.Option{ourvoice.WithBaseURL(s.BaseURL()), ourvoice.WithHTTPClient(s.Server.Client()), ourvoice.WithRetryWait(5*time.Millisecond, 20*time.Millisecond)}
	return ourvoice.New(s.tokens[0], append(base, opts...)...)
}

// Now is the server's current time: its clock plus every Advance.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func (s *Server) now() time.Time { return s.clock().Add(s.offset).UTC() }

// Advance moves the server's clock forward by d: messages progress and QR
// codes rotate as if d had passed.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d > 0 {
		s.offset += d
	}
}

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
		writeJSON(w, http.StatusNotFound, map[string]any{"success": false, "message": "The route " + strings.TrimPrefix(r.URL.Path, "/") + " could not be found."})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqSeq++
		w.Header().Set("X-Request-Id", fmt.Sprintf("req_%06d", s.reqSeq))
		s.mu.Unlock()
		if !s.authorized(r) {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Unauthenticated."})
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

// fail answers {"success": false, "message": msg}.
func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"success": false, "message": msg})
}

// invalid answers a Laravel-style 422 with per-field messages.
func invalid(w http.ResponseWriter, fields map[string][]string, order []string) {
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
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"success": false, "message": msg, "errors": fields})
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
