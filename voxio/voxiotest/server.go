package voxiotest

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-go/switchboard/internal/sandbox"
	"github.com/switchboard-go/switchboard/relay"
	"github.com/switchboard-go/switchboard/voxio"
)

// Defaults the sandbox accepts unless told otherwise.
const (
	DefaultClientID          = "voxio-sandbox-client-id"
	DefaultClientSecret      = "voxio-sandbox-client-secret"
	DefaultRelaySecret       = "voxio-sandbox-relay-secret"
	DefaultWhatsAppAccountID = 24
	DefaultFromNumber        = "6281234567890"
	// DefaultUserID is the account owner's user id in relay payloads.
	DefaultUserID = 11
)

// Seeded templates of the default account. TemplateOrderUpdate and
// TemplateWelcome are approved; TemplatePromo is still pending and cannot
// be sent.
const (
	TemplateOrderUpdate = 12
	TemplateWelcome     = 13
	TemplatePromo       = 14
)

// Recorded is one request the sandbox received, as it arrived, in the
// order Requests returns them. Its fields:
//
//   - Method, Path, RawQuery string: the request line's ("POST",
//     "/inbox/send-message", "page=2").
//   - Header http.Header: a copy of the request headers, credentials
//     included (it is the test's own traffic).
//   - Body []byte: the start of the body, at most 1 MiB.
//   - Fault string: the fault injected into this request: "fail",
//     "delay", "drop", "drop-response", or "" for none.
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

// Server is the sandbox: an in-memory Voxio Chat on a local HTTP server.
// It is safe for concurrent use. Every control is a method of its own,
// listed by go doc.
type Server struct {
	// URL is the sandbox's base URL ("http://127.0.0.1:port"); the External
	// API is served below it and below URL+"/external-api".
	URL string

	sb *sandbox.Server

	creds       []voxio.Credentials // the first is the one deliveries carry
	relaySecret string
	signer      *relay.Signer
	relayClient *http.Client
	autoStatus  time.Duration

	// autoMu serialises the automatic status steps, which both the
	// background ticker and Advance run.
	autoMu sync.Mutex

	mu            sync.Mutex
	relayURL      string
	whitelisted   bool
	planActive    bool
	templateQuota int // -1: unlimited
	accounts      []account
	contacts      []*contact
	conversations []*conversation
	messages      []*message
	templates     []*template
	nextID        map[string]int64
	deliveries    []Delivery
	closed        bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Option configures NewServer.
type Option func(*options)

type options struct {
	creds       []voxio.Credentials
	relaySecret string
	relayURL    string
	clock       func() time.Time
	accounts    []account
	autoStatus  time.Duration
	relayClient *http.Client
	listener    net.Listener
	observer    func(Served)
}

// WithCredentials sets the client-id/client-secret pairs the sandbox
// accepts, for a test of a credential rotation or of a wrong pair. The
// first pair is the one NewClient uses and relay deliveries carry; with no
// pair the defaults (DefaultClientID, DefaultClientSecret) stay.
func WithCredentials(creds ...voxio.Credentials) Option {
	return func(o *options) { o.creds = append(o.creds, creds...) }
}

// WithRelaySecret sets the key relay deliveries are signed with, so a test
// can check that a receiver configured with another secret refuses them.
func WithRelaySecret(secret string) Option {
	return func(o *options) { o.relaySecret = secret }
}

// WithRelayURL sends Inbound Relay deliveries to url from the start (see
// also SetRelayURL).
func WithRelayURL(url string) Option {
	return func(o *options) { o.relayURL = url }
}

// WithClock sets the base of the sandbox's clock (see Now and Advance):
// the timestamps in its answers, the signing time of relay deliveries and
// the automatic status steps follow it, so a test can pin them.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.clock = now }
}

// WithAccount connects another WhatsApp number, with its account id, for
// tests of multi-number accounts (whatsapp_account_id, from_number).
func WithAccount(whatsappAccountID int64, number string) Option {
	return func(o *options) { o.accounts = append(o.accounts, account{id: whatsappAccountID, number: number}) }
}

// WithAutoStatus makes every message sent through the API move sent ->
// delivered -> read on its own, one step every interval of the sandbox
// clock, with a signed message_status delivery for each step. Advance
// moves them at once. Without it, statuses move only when the test calls
// AdvanceStatus or DeliverStatuses.
func WithAutoStatus(interval time.Duration) Option {
	return func(o *options) { o.autoStatus = interval }
}

// WithRelayHTTPClient sends relay deliveries through hc (default: a client
// with a 10 s timeout), for a receiver behind TLS or a test proxy.
func WithRelayHTTPClient(hc *http.Client) Option {
	return func(o *options) { o.relayClient = hc }
}

// WithListener serves the sandbox on l instead of a new loopback port, so
// that it runs at an address fixed in advance: a local dev server whose
// URL an application is configured with (examples/devserver). URL is
// "http://" + l.Addr(); Close closes l.
func WithListener(l net.Listener) Option {
	return func(o *options) { o.listener = l }
}

// WithObserver calls fn for every request the sandbox receives, faulted
// ones included, once it has been answered: a way to watch an
// application's traffic live, which keeps going after the request log is
// full. fn runs on the request's goroutine, so it must be quick and safe
// for concurrent use.
func WithObserver(fn func(Served)) Option {
	return func(o *options) { o.observer = fn }
}

// NewServer starts a sandbox. It panics only if the relay secret given with
// WithRelaySecret is unusable (empty or padded), which is a test bug.
func NewServer(opts ...Option) *Server {
	o := options{relaySecret: DefaultRelaySecret, relayClient: &http.Client{Timeout: 10 * time.Second}}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if len(o.creds) == 0 {
		o.creds = []voxio.Credentials{{ClientID: DefaultClientID, ClientSecret: DefaultClientSecret}}
	}
	s := &Server{
		creds:         o.creds,
		relaySecret:   o.relaySecret,
		relayClient:   o.relayClient,
		autoStatus:    o.autoStatus,
		relayURL:      o.relayURL,
		whitelisted:   true,
		planActive:    true,
		templateQuota: -1,
		accounts:      append([]account{{id: DefaultWhatsAppAccountID, number: DefaultFromNumber}}, o.accounts...),
		nextID:        map[string]int64{},
	}
	s.sb = sandbox.New(http.HandlerFunc(s.route), sandbox.WithListener(o.listener), sandbox.WithObserver(o.observer))
	s.URL = s.sb.URL
	if o.clock != nil {
		s.sb.Clock.SetBase(o.clock)
	}
	signer, err := relay.NewSigner(voxio.RelayScheme(), []byte(s.relaySecret), relay.WithSignerClock(s.Now))
	if err != nil {
		s.sb.Close()
		panic("voxiotest: " + err.Error())
	}
	s.signer = signer
	s.ctx, s.cancel = context.WithCancel(context.Background())
	now := s.Now()
	for _, t := range []template{
		{id: TemplateOrderUpdate, name: "order_update", language: "he", category: "UTILITY", status: "APPROVED", accountID: DefaultWhatsAppAccountID, body: "ההזמנה שלך {{1}} בדרך אליך 🚚"},
		{id: TemplateWelcome, name: "welcome", language: "en_US", category: "MARKETING", status: "APPROVED", accountID: DefaultWhatsAppAccountID, body: "Welcome to our store! 🎉"},
		{id: TemplatePromo, name: "promo", language: "en_US", category: "MARKETING", status: "PENDING", accountID: DefaultWhatsAppAccountID, body: "Sale!"},
	} {
		t := t
		t.createdAt = now
		s.templates = append(s.templates, &t)
	}
	s.nextID["template"] = TemplatePromo
	if s.autoStatus > 0 {
		s.wg.Add(1)
		go s.autoStatusLoop()
	}
	return s
}

// Close stops automatic status updates and shuts the server down,
// dropping open connections.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	s.sb.Close()
}

// Now returns the sandbox clock's time: the real time, or the base set
// with WithClock, moved by Advance.
func (s *Server) Now() time.Time { return s.sb.Clock.Now() }

// Advance moves the sandbox clock forward by d, and with WithAutoStatus
// takes every status step that falls due, delivering it before Advance
// returns: a test steps through sent, delivered and read without sleeping.
// Relay deliveries are signed with the moved time.
func (s *Server) Advance(d time.Duration) {
	s.sb.Clock.Advance(d)
	s.runDueStatuses(s.ctx)
}

// FailNext makes the next n requests answer status with body without
// reaching Voxio's logic (nothing is stored or sent). Voxio's own failures
// are HTTP 200 with its envelope; FailNextError writes those for you. A 429
// or 503 carries Retry-After: 0.
func (s *Server) FailNext(n, status int, body string) { s.sb.FailNext(n, status, body) }

// FailNextWithHeader is FailNext with response headers of the test's
// choosing (Retry-After as seconds or a date, or none at all).
func (s *Server) FailNextWithHeader(n, status int, body string, h http.Header) {
	s.sb.FailNextWithHeader(n, status, body, h)
}

// DelayNext holds each of the next n requests for d (or until the client
// gives up) before Voxio answers it, for tests of deadlines.
func (s *Server) DelayNext(n int, d time.Duration) { s.sb.DelayNext(n, d) }

// DropNext reads each of the next n requests whole, then closes the
// connection without answering. Voxio never acts on them; the client still
// cannot know that, which is why a send then matches ErrMaybeDelivered.
func (s *Server) DropNext(n int) { s.sb.DropNext(n) }

// DropResponseNext lets Voxio act on each of the next n requests (send the
// message, create the contact) and then closes the connection without
// answering: the case that makes a retried send a duplicate.
func (s *Server) DropResponseNext(n int) { s.sb.DropResponseNext(n) }

// ClearFaults removes the faults not yet used.
func (s *Server) ClearFaults() { s.sb.ClearFaults() }

// Requests returns a copy of the request log, oldest first, faulted
// requests included.
func (s *Server) Requests() []Recorded { return s.sb.Requests() }

// Count reports how many requests with method and path the sandbox saw,
// faulted ones included: Count("POST", "/inbox/send-message") == 1 proves
// a send was not repeated.
func (s *Server) Count(method, path string) int { return s.sb.Count(method, path) }

// ResetLog forgets the requests seen so far.
func (s *Server) ResetLog() { s.sb.ResetLog() }

// Client returns an HTTP client that talks to the sandbox, for raw
// requests a test makes itself or voxio.WithHTTPClient.
func (s *Server) Client() *http.Client { return s.sb.Client() }

// NewClient returns a voxio.Client for this sandbox with its first
// credential pair and short retry waits; opts are applied after those.
func (s *Server) NewClient(opts ...voxio.Option) (*voxio.Client, error) {
	base := []voxio.Option{voxio.WithBaseURL(s.URL), voxio.WithRetryWait(5*time.Millisecond, 20*time.Millisecond)}
	return voxio.New(s.creds[0].ClientID, s.creds[0].ClientSecret, append(base, opts...)...)
}

// RelayConfig returns a voxio.RelayConfig that accepts this sandbox's
// deliveries: its relay secret and every credential pair it accepts.
func (s *Server) RelayConfig() voxio.RelayConfig {
	return voxio.RelayConfig{
		RelaySecret:    s.relaySecret,
		ClientID:       s.creds[0].ClientID,
		ClientSecret:   s.creds[0].ClientSecret,
		OldCredentials: append([]voxio.Credentials(nil), s.creds[1:]...),
	}
}

// NewRelayHandler returns a voxio.RelayHandler for this sandbox's
// deliveries (RelayConfig) on the sandbox clock, so that Advance moves the
// receiver's timestamp window too; opts are applied after those.
func (s *Server) NewRelayHandler(fn func(context.Context, voxio.Event) error, opts ...voxio.RelayOption) (*voxio.RelayHandler, error) {
	return voxio.NewRelayHandler(s.RelayConfig(), fn, append([]voxio.RelayOption{voxio.WithRelayClock(s.Now)}, opts...)...)
}

// SetRelayURL sets where relay deliveries go ("" turns them off).
func (s *Server) SetRelayURL(url string) {
	s.mu.Lock()
	s.relayURL = url
	s.mu.Unlock()
}

// SetIPWhitelisted false makes every call fail the way Voxio answers a
// server whose IP address is not whitelisted.
func (s *Server) SetIPWhitelisted(ok bool) {
	s.mu.Lock()
	s.whitelisted = ok
	s.mu.Unlock()
}

// SetPlanActive false makes interactive messages (CTA URL, interactive
// list, product, order) fail with subscription_required.
func (s *Server) SetPlanActive(ok bool) {
	s.mu.Lock()
	s.planActive = ok
	s.mu.Unlock()
}

// SetTemplateBalance limits how many more templates can be sent before
// insufficient_balance (negative: unlimited, the default).
func (s *Server) SetTemplateBalance(n int) {
	s.mu.Lock()
	s.templateQuota = n
	s.mu.Unlock()
}

// BlockContact blocks a contact: messages to it fail and it cannot be
// deleted. It reports whether the contact exists.
func (s *Server) BlockContact(contactID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contactByID(contactID)
	if c != nil {
		c.blocked = true
	}
	return c != nil
}

// AddTemplate adds a template and returns its id. status "APPROVED" makes it
// sendable; accountID 0 means the default account.
func (s *Server) AddTemplate(name, language, status string, accountID int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if accountID == 0 {
		accountID = s.accounts[0].id
	}
	t := &template{id: s.newID("template"), name: name, language: language, category: "UTILITY", status: status, accountID: accountID, createdAt: s.Now()}
	s.templates = append(s.templates, t)
	return t.id
}

// AddNote writes a note on a conversation; false if it does not exist.
func (s *Server) AddNote(conversationID int64, note string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.conversationByID(conversationID)
	if c != nil {
		c.notes = append(c.notes, noteRec{id: s.newID("note"), text: note, at: s.Now()})
	}
	return c != nil
}

// AddTag tags a conversation's contact; false if it does not exist.
func (s *Server) AddTag(conversationID int64, tag string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.conversationByID(conversationID)
	if c != nil {
		c.tags = append(c.tags, tag)
	}
	return c != nil
}

// AddToList puts a conversation's contact on a contact list; false if the
// conversation does not exist.
func (s *Server) AddToList(conversationID int64, list string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.conversationByID(conversationID)
	if c != nil {
		c.lists = append(c.lists, list)
	}
	return c != nil
}

// newID returns the next id of kind, above every id used or seeded.
// Called with s.mu held.
func (s *Server) newID(kind string) int64 {
	s.nextID[kind]++
	return s.nextID[kind]
}

// reserveID keeps generated ids of kind above id, a seeded one. Called
// with s.mu held.
func (s *Server) reserveID(kind string, id int64) {
	if id > s.nextID[kind] {
		s.nextID[kind] = id
	}
}

// route serves the External API below "/" and below "/external-api", so
// both WithBaseURL(s.URL) and WithBaseURL(s.URL+"/external-api") work.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/external-api")
	path = strings.Trim(path, "/")
	type endpoint struct {
		method string
		prefix string // with a trailing "/" when an id follows
		fn     func(w http.ResponseWriter, r *http.Request, id int64)
	}
	endpoints := []endpoint{
		{http.MethodGet, "contact/list", s.contactList},
		{http.MethodPost, "contact/store", s.contactStore},
		{http.MethodPost, "contact/update/", s.contactUpdate},
		{http.MethodDelete, "contact/delete/", s.contactDelete},
		{http.MethodGet, "inbox/conversation-list", s.conversationList},
		{http.MethodGet, "inbox/conversation-messages/", s.conversationMessages},
		{http.MethodGet, "inbox/conversation-details/", s.conversationDetails},
		{http.MethodPost, "inbox/change-conversation-status/", s.changeStatus},
		{http.MethodPost, "inbox/send-message", s.sendMessage},
		{http.MethodPost, "inbox/send-template-message", s.sendTemplate},
		{http.MethodGet, "inbox/template-list", s.templateList},
	}
	for _, e := range endpoints {
		var id int64
		if strings.HasSuffix(e.prefix, "/") {
			rest, ok := strings.CutPrefix(path, e.prefix)
			if !ok || rest == "" || strings.Contains(rest, "/") {
				continue
			}
			id = parseID(rest)
		} else if path != e.prefix {
			continue
		}
		if r.Method != e.method {
			w.Header().Set("Allow", e.method)
			writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"message": "The " + r.Method + " method is not supported for route " + e.prefix + ". Supported methods: " + e.method + "."})
			return
		}
		if !s.authorize(w, r) {
			return
		}
		e.fn(w, r, id)
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]any{"message": "The route " + path + " could not be found."})
}

// authorize answers the way Voxio does when credentials or the IP address
// are not accepted: HTTP 200, remark Unauthorized.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	id, secret := r.Header.Get(voxio.HeaderClientID), r.Header.Get(voxio.HeaderClientSecret)
	s.mu.Lock()
	whitelisted := s.whitelisted
	s.mu.Unlock()
	known := false
	for _, c := range s.creds {
		// Every pair and both halves are compared, so timing does not
		// tell which matched.
		idOK := relay.EqualCredential(id, c.ClientID)
		secretOK := relay.EqualCredential(secret, c.ClientSecret)
		known = known || (idOK && secretOK)
	}
	var msgs []string
	switch {
	case id == "":
		msgs = []string{"The client id is required"}
	case secret == "":
		msgs = []string{"The client secret is required"}
	case !known:
		msgs = []string{"Invalid client credentials"}
	case !whitelisted:
		msgs = whitelistMessages(remoteIP(r))
	default:
		return true
	}
	fail(w, voxio.RemarkUnauthorized, msgs...)
	return false
}

// whitelistMessages are Voxio's answer to a server whose address is not
// whitelisted.
func whitelistMessages(ip string) []string {
	return []string{
		"Access to this API endpoint is restricted to IP addresses that have been explicitly whitelisted.",
		"In order to access this API endpoint, please add your IP address (" + ip + ") to the white list from the user dashboard.",
	}
}

func remoteIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}
