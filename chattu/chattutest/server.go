package chattutest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

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
type Option func(*config)

type config struct {
	apiKey, username, password, cookie string
	now                                func() time.Time
	rateLimits                         bool
	webhookClient                      *http.Client
	groupDelay                         time.Duration
	seedGroups                         bool
	planLimit                          int
	hookTimeout, callHookTimeout       time.Duration
}

// WithAPIKey sets the account API key the sandbox accepts.
func WithAPIKey(key string) Option { return func(c *config) { c.apiKey = key } }

// WithUser sets the account's username (for reset-api-key) and dashboard
// password (for client deletion).
func WithUser(username, password string) Option {
	return func(c *config) { c.username, c.password = username, password }
}

// WithSessionCookie sets the Cookie header value ("name=value") of the
// logged-in dashboard session.
func WithSessionCookie(cookie string) Option { return func(c *config) { c.cookie = cookie } }

// WithClock sets the clock the sandbox reads (time stamps, schedules, rate
// limit windows). Advance moves it further.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithoutRateLimits turns off the documented rate limits.
func WithoutRateLimits() Option { return func(c *config) { c.rateLimits = false } }

// WithWebhookClient sets the HTTP client webhooks are delivered with.
func WithWebhookClient(hc *http.Client) Option { return func(c *config) { c.webhookClient = hc } }

// WithGroupSendDelay makes group sends wait d first, as Chattu's anti-spam
// delay (2-5 s) does. The default is none, to keep tests fast.
func WithGroupSendDelay(d time.Duration) Option { return func(c *config) { c.groupDelay = d } }

// WithoutSeedGroups stops the sandbox from giving each newly connected
// client the docs' sample group and channel.
func WithoutSeedGroups() Option { return func(c *config) { c.seedGroups = false } }

// Server is a running sandbox. It is safe for concurrent use.
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

	cfg   config
	mu    sync.Mutex
	clock func() time.Time
	skew  time.Duration

	apiKey  string
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
	cfg := config{
		apiKey: DefaultAPIKey, username: DefaultUsername, password: DefaultPassword, cookie: DefaultSessionCookie,
		now: time.Now, rateLimits: true, seedGroups: true,
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.webhookClient == nil {
		cfg.webhookClient = &http.Client{}
	}
	s := &Server{cfg: cfg, clock: cfg.now, apiKey: cfg.apiKey, clients: map[string]*client{}, windows: map[string]*window{}}
	s.Server = sandbox.New(s.routes())
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
	s.Server.Close()
}

// Now is the sandbox's current time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Server) nowLocked() time.Time { return s.clock().Add(s.skew).UTC() }

// Advance moves the sandbox clock forward by d and sends every scheduled
// message that has come due. Rate limit windows roll over with it.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	s.skew += d
	s.mu.Unlock()
	s.RunDue()
}

// APIKey returns the account API key currently valid (it changes when the
// key is reset).
func (s *Server) APIKey() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apiKey
}

// SessionCookie returns the Cookie value of the logged-in session.
func (s *Server) SessionCookie() string { return s.cfg.cookie }

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
