package voxiotest

import (
	"context"
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

// Server is the sandbox. It is safe for concurrent use.
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

	clientID, clientSecret string
	relaySecret            string
	clock                  func() time.Time
	signer                 *relay.Signer
	relayClient            *http.Client
	autoStatus             time.Duration

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
type Option func(*Server)

// WithCredentials sets the client-id and client-secret the sandbox accepts.
// Relay deliveries carry the same pair.
func WithCredentials(clientID, clientSecret string) Option {
	return func(s *Server) { s.clientID, s.clientSecret = clientID, clientSecret }
}

// WithRelaySecret sets the key relay deliveries are signed with.
func WithRelaySecret(secret string) Option {
	return func(s *Server) { s.relaySecret = secret }
}

// WithRelayURL sends Inbound Relay deliveries to url (see also SetRelayURL).
func WithRelayURL(url string) Option {
	return func(s *Server) { s.relayURL = url }
}

// WithClock replaces time.Now for timestamps in answers and signed
// deliveries.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.clock = now }
}

// WithAccount connects another WhatsApp number, with its account id.
func WithAccount(whatsappAccountID int64, number string) Option {
	return func(s *Server) { s.accounts = append(s.accounts, account{id: whatsappAccountID, number: number}) }
}

// WithAutoStatus makes every message sent through the API move sent ->
// delivered -> read on its own, one step every interval, with a signed
// message_status delivery for each step. Without it, statuses move only
// when the test calls AdvanceStatus or DeliverStatuses.
func WithAutoStatus(interval time.Duration) Option {
	return func(s *Server) { s.autoStatus = interval }
}

// WithRelayHTTPClient sends relay deliveries through hc (default: a client
// with a 10 s timeout).
func WithRelayHTTPClient(hc *http.Client) Option {
	return func(s *Server) { s.relayClient = hc }
}

// NewServer starts a sandbox. It panics only if the relay secret given with
// WithRelaySecret is unusable (empty or padded), which is a test bug.
func NewServer(opts ...Option) *Server {
	s := &Server{
		clientID:      DefaultClientID,
		clientSecret:  DefaultClientSecret,
		relaySecret:   DefaultRelaySecret,
		clock:         time.Now,
		relayClient:   &http.Client{Timeout: 10 * time.Second},
		whitelisted:   true,
		planActive:    true,
		templateQuota: -1,
		accounts:      []account{{id: DefaultWhatsAppAccountID, number: DefaultFromNumber}},
		nextID:        map[string]int64{},
	}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	signer, err := relay.NewSigner(relay.VoxioScheme(), []byte(s.relaySecret), relay.WithSignerClock(s.clock))
	if err != nil {
		panic("voxiotest: " + err.Error())
	}
	s.signer = signer
	s.ctx, s.cancel = context.WithCancel(context.Background())
	now := s.clock()
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
	s.Server = sandbox.New(http.HandlerFunc(s.route))
	return s
}

// Close stops automatic status updates and shuts the server down.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	s.Server.Close()
}

// NewClient returns a voxio.Client for this sandbox with its credentials and
// short retry waits; opts are applied after those.
func (s *Server) NewClient(opts ...voxio.Option) (*voxio.Client, error) {
	base := []voxio.Option{voxio.WithBaseURL(s.URL), voxio.WithRetryWait(5*time.Millisecond, 20*time.Millisecond)}
	return voxio.New(s.clientID, s.clientSecret, append(base, opts...)...)
}

// RelayConfig returns a voxio.RelayConfig that accepts this sandbox's
// deliveries, with the sandbox's clock.
func (s *Server) RelayConfig() voxio.RelayConfig {
	return voxio.RelayConfig{RelaySecret: s.relaySecret, ClientID: s.clientID, ClientSecret: s.clientSecret, Clock: s.clock}
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
	t := &template{id: s.newID("template"), name: name, language: language, category: "UTILITY", status: status, accountID: accountID, createdAt: s.clock()}
	s.templates = append(s.templates, t)
	return t.id
}

// AddNote writes a note on a conversation; false if it does not exist.
func (s *Server) AddNote(conversationID int64, note string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.conversationByID(conversationID)
	if c != nil {
		c.notes = append(c.notes, noteRec{id: s.newID("note"), text: note, at: s.clock()})
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

func (s *Server) newID(kind string) int64 {
	s.nextID[kind]++
	return s.nextID[kind]
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
	var msgs []string
	switch {
	case id == "":
		msgs = []string{"The client id is required"}
	case secret == "":
		msgs = []string{"The client secret is required"}
	case !relay.EqualCredential(id, s.clientID) || !relay.EqualCredential(secret, s.clientSecret):
		msgs = []string{"Invalid client credentials"}
	case !whitelisted:
		msgs = []string{
			"Access to this API endpoint is restricted to IP addresses that have been explicitly whitelisted.",
			"In order to access this API endpoint, please add your IP address (" + remoteIP(r) + ") to the white list from the user dashboard.",
		}
	default:
		return true
	}
	fail(w, "Unauthorized", msgs...)
	return false
}

func remoteIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}
