package chattutest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/internal/sandbox"
)

// Credentials the sandbox accepts unless told otherwise.
const (
	DefaultAPIKey   = "sandbox-account-api-key"
	DefaultUsername = "sandbox"
	DefaultPassword = "sandbox-password"
	// DefaultSessionCookie is the Cookie header value of a logged-in
	// dashboard session, for chattu.WithSessionCookie.
	DefaultSessionCookie = "connect.sid=s%3Asandbox-session.signature"
)

// Documented rate limits, enforced per server with fixed windows on the
// server's clock.
const (
	APILimit       = 100 // per 15 minutes, every /api/* endpoint on the API key
	ChatLimit      = 60  // per minute, the chat interface
	SensitiveLimit = 5   // per hour: API key reset, client deletion
	DeleteLimit    = 10  // per 15 minutes: deletions
)

// Webhook deadlines Chattu documents: it stops waiting for a reply after
// these.
const (
	WebhookTimeout     = 5 * time.Second
	CallWebhookTimeout = 3 * time.Second
)

// DefaultRejectionMessage is what Chattu sends a rejected caller when the
// webhook returns no rejectionMessage.
const DefaultRejectionMessage = "מצטער אינני זמין כעת."

// Option configures NewServer.
type Option func(*Server)

// WithCredentials sets the account API keys the sandbox accepts (default
// DefaultAPIKey), several for tests of key rotation. APIKey returns the
// first; reset-api-key replaces the key it is given. Blank keys are
// ignored, and with none the default stays.
func WithCredentials(apiKeys ...string) Option {
	return func(s *Server) {
		var keys []string
		for _, k := range apiKeys {
			if strings.TrimSpace(k) != "" {
				keys = append(keys, k)
			}
		}
		if len(keys) > 0 {
			s.apiKeys = keys
		}
	}
}

// WithUser sets the account's username (for reset-api-key) and dashboard
// password (for client deletion).
func WithUser(username, password string) Option {
	return func(s *Server) { s.username, s.password = username, password }
}

// WithSessionCookie sets the Cookie header value ("name=value") of the
// logged-in dashboard session.
func WithSessionCookie(cookie string) Option { return func(s *Server) { s.cookie = cookie } }

// WithClock makes the sandbox's clock follow now instead of time.Now (time
// stamps, schedules, rate-limit windows); Advance moves it further.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.base = now } }

// WithoutRateLimits turns off the documented rate limits.
func WithoutRateLimits() Option { return func(s *Server) { s.rateLimits = false } }

// WithWebhookClient sets the HTTP client webhooks are delivered with.
func WithWebhookClient(hc *http.Client) Option { return func(s *Server) { s.webhookClient = hc } }

// WithGroupSendDelay makes group sends wait d first, as Chattu's anti-spam
// delay (2-5 s) does. The default is none, to keep tests fast.
func WithGroupSendDelay(d time.Duration) Option { return func(s *Server) { s.groupDelay = d } }

// WithoutSeedGroups stops the sandbox from giving each newly connected
// client the docs' sample group and channel.
func WithoutSeedGroups() Option { return func(s *Server) { s.seedGroups = false } }

// WithPlanLimit makes add-number answer 403 PLAN_LIMIT_EXCEEDED once the
// account has n clients.
func WithPlanLimit(n int) Option { return func(s *Server) { s.planLimit = n } }

// WithWebhookTimeouts shortens how long the sandbox waits for webhook
// replies (Chattu: 5 s, 3 s for calls), for tests of slow receivers.
func WithWebhookTimeouts(message, call time.Duration) Option {
	return func(s *Server) { s.hookTimeout, s.callHookTimeout = message, call }
}

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

// Recorded is one request the sandbox received, as it arrived, in the
// order Requests returns them. Its fields:
//
//   - Method, Path, RawQuery (string): the request line; Path is unescaped.
//   - Header (http.Header): a copy of the request headers, credentials
//     included (it is the test's own traffic).
//   - Body ([]byte): the start of the body, at most 1 MiB.
//   - Fault (string): the fault injected into it: "fail", "delay", "drop",
//     "drop-response", or "" for none.
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

// Server is a running sandbox. It is safe for concurrent use.
type Server struct {
	// URL is the sandbox's base URL ("http://127.0.0.1:<port>"), to give
	// to chattu.New; NewClient does it for you.
	URL string

	sb *sandbox.Server

	// Settings, fixed once NewServer returns.
	username, password, cookie   string
	base                         func() time.Time
	rateLimits                   bool
	webhookClient                *http.Client
	groupDelay                   time.Duration
	seedGroups                   bool
	planLimit                    int
	hookTimeout, callHookTimeout time.Duration
	listener                     net.Listener
	observer                     func(Served)

	mu      sync.Mutex
	apiKeys []string // account keys; APIKey returns the first
	clients map[string]*client
	order   []string // client ids in creation order
	sent    []*sentMessage
	sched   []*scheduled
	logs    []logEntry
	calls   []*call
	hooks   []Delivery
	windows map[string]*window
	nextID  int64
	hookWG  sync.WaitGroup
	closed  bool // guarded by mu: no webhook is queued once set
}

// NewServer starts a sandbox on a local port.
func NewServer(opts ...Option) *Server {
	s := &Server{
		apiKeys: []string{DefaultAPIKey}, username: DefaultUsername, password: DefaultPassword, cookie: DefaultSessionCookie,
		rateLimits: true, seedGroups: true, clients: map[string]*client{}, windows: map[string]*window{},
	}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	if s.webhookClient == nil {
		s.webhookClient = &http.Client{}
	}
	s.sb = sandbox.New(s.routes(), sandbox.WithListener(s.listener), sandbox.WithObserver(s.observer))
	if s.base != nil {
		s.sb.Clock.SetBase(s.base)
	}
	s.URL = s.sb.URL
	return s
}

// Close stops the server after in-flight webhook deliveries finish.
func (s *Server) Close() {
	s.mu.Lock()
	was := s.closed
	s.closed = true
	s.mu.Unlock()
	if was {
		return
	}
	s.hookWG.Wait()
	s.sb.Close()
}

// NewClient returns a chattu.Client for this sandbox: the account's API
// key, the dashboard session cookie (so the session-only endpoints work),
// and short retry waits so that tests which inject faults do not sleep
// through production backoffs. opts come last and win.
func (s *Server) NewClient(opts ...chattu.Option) (*chattu.Client, error) {
	base := []chattu.Option{
		chattu.WithSessionCookie(s.SessionCookie()),
		chattu.WithRetryWait(5*time.Millisecond, 20*time.Millisecond),
	}
	return chattu.New(s.URL, s.APIKey(), append(base, opts...)...)
}

// Now is the sandbox's current time, in UTC: the real time, or WithClock's,
// moved on by Advance.
func (s *Server) Now() time.Time { return s.sb.Clock.Now().UTC() }

func (s *Server) nowLocked() time.Time { return s.Now() }

// Advance moves the sandbox clock forward by d and sends every scheduled
// message that has come due. Rate limit windows roll over with it.
func (s *Server) Advance(d time.Duration) {
	s.sb.Clock.Advance(d)
	s.RunDue()
}

// FailNext makes the next n requests answer status with body, without
// reaching the sandbox's Chattu (its state does not change). A 429 or 503
// carries Retry-After: 0. FailNextError writes Chattu's own failure bodies.
func (s *Server) FailNext(n, status int, body string) { s.sb.FailNext(n, status, body) }

// FailNextWithHeader is FailNext with response headers of the test's
// choosing (Retry-After as seconds or a date, or none at all).
func (s *Server) FailNextWithHeader(n, status int, body string, h http.Header) {
	s.sb.FailNextWithHeader(n, status, body, h)
}

// DelayNext holds each of the next n requests for d (or until the client
// gives up) before the sandbox answers it: a slow Chattu, for deadline
// tests.
func (s *Server) DelayNext(n int, d time.Duration) { s.sb.DelayNext(n, d) }

// DropNext reads each of the next n requests whole, then closes the
// connection without answering; the sandbox does not act on them. The
// client cannot know that: a send fails with ErrMaybeDelivered.
func (s *Server) DropNext(n int) { s.sb.DropNext(n) }

// DropResponseNext lets the sandbox act on each of the next n requests
// (send the message, add the number) and then closes the connection
// without answering: the case that would make a retried send a duplicate,
// and that ErrMaybeDelivered exists for.
func (s *Server) DropResponseNext(n int) { s.sb.DropResponseNext(n) }

// ClearFaults removes the faults not used yet.
func (s *Server) ClearFaults() { s.sb.ClearFaults() }

// Requests returns every request the sandbox received, oldest first,
// faulted ones included.
func (s *Server) Requests() []Recorded { return s.sb.Requests() }

// Count reports how many requests with method and path (no query) the
// sandbox received, faulted ones included: how a test tells whether a call
// was sent once or retried.
func (s *Server) Count(method, path string) int { return s.sb.Count(method, path) }

// ResetLog forgets the requests received so far.
func (s *Server) ResetLog() { s.sb.ResetLog() }

// APIKey returns the account API key currently valid (the first of
// WithCredentials'; it changes when the key is reset).
func (s *Server) APIKey() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apiKeys[0]
}

// SessionCookie returns the Cookie value of the logged-in session.
func (s *Server) SessionCookie() string { return s.cookie }

func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}

// messageID returns a WhatsApp-like message id ("3EB0" + 16 hex digits).
func messageID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "3EB0" + strings.ToUpper(hex.EncodeToString(b[:]))
}

func randomKey() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Server) logf(level, msg string) {
	s.logs = append(s.logs, logEntry{ID: s.newID(), Level: level, Message: msg, Timestamp: s.nowLocked()})
	if len(s.logs) > 500 {
		s.logs = s.logs[len(s.logs)-500:]
	}
}

// writeJSON answers like Chattu's Express server: UTF-8 JSON, no HTML
// escaping.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// fail answers {"success": false, "error": msg, "code": code}; code may be
// empty.
func fail(w http.ResponseWriter, status int, code, msg string) {
	body := map[string]any{"success": false, "error": msg}
	if code != "" {
		body["code"] = code
	}
	writeJSON(w, status, body)
}

// decodeBody reads a JSON body into v the way Express's JSON body parser
// does: a body not typed application/json is not parsed at all (every field
// then reads as missing, and the endpoint's own check answers), a charset
// other than UTF-8 is refused with 415, and broken JSON is a 400.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return true
	}
	if cs := params["charset"]; cs != "" && !strings.EqualFold(cs, "utf-8") {
		fail(w, http.StatusUnsupportedMediaType, "", `unsupported charset "`+strings.ToUpper(cs)+`"`)
		return false
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		fail(w, http.StatusBadRequest, "", "Invalid JSON body")
		return false
	}
	return true
}
