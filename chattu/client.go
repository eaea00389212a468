package chattu

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// vendor is the name the client reports in errors and logs.
const vendor = "chattu"

// apiKeyHeader is how the API-key endpoints authenticate (the docs spell it
// in lower case; HTTP header names are case-insensitive). It is set per
// request, only on the endpoints whose docs show it.
var apiKeyHeader = http.CanonicalHeaderKey("x-api-key")

// Stream is a binary download (a chat's media file): the caller reads
// Body and closes it. Its fields:
//
//   - Body (io.ReadCloser): the content, streamed from Chattu; close it.
//   - ContentType (string): the media type Chattu sent ("image/jpeg").
//   - FileName (string): the name from Content-Disposition, "" if none.
//   - ContentLength (int64): the size when Chattu sent it, -1 when unknown.
//   - Header (http.Header): every response header.
//
// Stream itself is an io.ReadCloser over Body.
type Stream = transport.Stream

// Client calls one Chattu deployment. It is safe for concurrent use by many
// goroutines, including while ResetAPIKey switches it to a new key.
type Client struct {
	// Clients adds WhatsApp numbers and manages the clients behind them.
	Clients *ClientsService
	// Messages sends messages and lists sent and received ones.
	Messages *MessagesService
	// Schedules creates, lists and cancels scheduled messages (session).
	Schedules *SchedulesService
	// Account reads the profile and resets the API key.
	Account *AccountService
	// Calls lists incoming calls and call logs.
	Calls *CallsService
	// Logs reads the application logs.
	Logs *LogsService
	// Chats is the dashboard's chat interface (session).
	Chats *ChatsService
	// Groups lists groups and channels and sends to them.
	Groups *GroupsService

	tc      *transport.Client
	apiKey  atomic.Pointer[string]
	resetMu sync.Mutex
	session string // Cookie header value; "" when not configured
	limiter *limiter
}

// New returns a client for the Chattu deployment at baseURL (for example
// "https://bot.example.com"; the docs show no fixed host because every
// customer has their own) authenticating with apiKey, an account or client
// API key. Both are required; a bad option value is New's error too.
func New(baseURL, apiKey string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(baseURL) == "" {
		return nil, invalid("baseURL", "required: Chattu is deployed per customer")
	}
	if err := transport.CheckCredential(vendor, "apiKey", apiKey); err != nil {
		return nil, err
	}
	var s settings
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	if s.err != nil {
		return nil, s.err
	}
	if s.failOpen && !s.rateLimit {
		return nil, invalid("WithLimitStoreFailOpen", "needs WithRateLimit or WithLimitStore")
	}
	if s.storeWait && (!s.rateLimit || s.failOpen) {
		return nil, invalid("WithLimitStoreWait", "needs WithRateLimit or WithLimitStore, and not WithLimitStoreFailOpen")
	}
	// No credential goes in Config.Auth, which the transport would set on
	// every request: prepare sets each endpoint's own (the key, the
	// session cookie, or none when the key travels in the body).
	tc, err := transport.New(transport.Config{
		Vendor:  vendor,
		BaseURL: baseURL,
		Failure: failure,
	}, s.transport...)
	if err != nil {
		return nil, err
	}
	c := &Client{tc: tc, session: s.session}
	tc.AddSecret(apiKey)
	c.apiKey.Store(&apiKey)
	if s.session != "" {
		tc.AddSecret(s.session)
		tc.AddSecret(splitCookies(s.session)...)
	}
	if s.rateLimit {
		store := s.limitStore
		if store == nil {
			store = NewMemoryLimitStore()
		}
		c.limiter = newLimiter(store, accountOf(apiKey), documentedLimits(), nil)
		c.limiter.failOpen, c.limiter.storeWait, c.limiter.logger, c.limiter.redact = s.failOpen, s.storeWait, s.logger, tc.Redact
	}
	c.Clients = &ClientsService{c: c}
	c.Messages = &MessagesService{c: c}
	c.Schedules = &SchedulesService{c: c}
	c.Account = &AccountService{c: c}
	c.Calls = &CallsService{c: c}
	c.Logs = &LogsService{c: c}
	c.Chats = &ChatsService{c: c}
	c.Groups = &GroupsService{c: c}
	return c, nil
}

// String names the vendor only, so printing a Client never reveals the API
// key or the session cookie.
func (c *Client) String() string { return "chattu.Client" }

// Format prints String for every verb.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// SetAPIKey switches the client to another API key. Calls already under way
// finish with the old key; later calls use the new one. Both stay registered
// as secrets. Account.ResetAPIKey calls it for you. The client-side rate
// limits keep counting under the key the client was created with (see
// WithLimitStore).
func (c *Client) SetAPIKey(key string) error {
	k := key
	if err := transport.CheckCredential(vendor, "apiKey", k); err != nil {
		return err
	}
	c.tc.AddSecret(k)
	c.apiKey.Store(&k)
	return nil
}

// HasSession reports whether a session cookie was configured, i.e. whether
// the session-only endpoints can be called.
func (c *Client) HasSession() bool { return c.session != "" }

// auth says how an endpoint authenticates, as its section of the docs
// shows; prepare sends exactly that credential and no other, so that a key
// or cookie never travels where it is not used.
type auth int

const (
	apiKeyAuth  auth = iota // the x-api-key header
	sessionAuth             // the dashboard login session (Cookie); no key
	bodyAuth                // credentials in the body (reset-api-key); no header
)

// endpoint is one call as Chattu documents it: the request and how the
// endpoint authenticates.
type endpoint struct {
	req  *transport.Request
	auth auth
}

// prepare applies the session rules and the optional client-side limits
// before anything is sent, then sets the endpoint's one credential.
func (c *Client) prepare(ctx context.Context, e *endpoint) error {
	if ctx == nil {
		return invalid("ctx", "must not be nil")
	}
	if e.auth == sessionAuth && c.session == "" {
		return invalid("session", e.req.Method+" "+e.req.Path+" needs the dashboard login session: configure WithSessionCookie")
	}
	if c.limiter != nil {
		if err := c.limiter.wait(ctx, e.req.Method, e.req.Path, bucketsFor(e.req.Method, e.req.Path, e.auth)...); err != nil {
			return err
		}
	}
	// The key is read after any wait, so that a call queued behind the
	// limits while the key was reset goes out with the new one.
	switch e.auth {
	case apiKeyAuth:
		setHeader(e.req, apiKeyHeader, *c.apiKey.Load())
	case sessionAuth:
		setHeader(e.req, "Cookie", c.session)
	}
	return nil
}

func setHeader(r *transport.Request, key, value string) {
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header[key] = []string{value}
}

// do is every JSON endpoint's one path: the session and limit rules, then
// transport.Call with the endpoint's decoder.
func do[R any](ctx context.Context, c *Client, e *endpoint, decode func(*transport.Response) (R, error)) (R, error) {
	if err := c.prepare(ctx, e); err != nil {
		var zero R
		return zero, err
	}
	return transport.Call(ctx, c.tc, e.req, decode)
}

func (c *Client) stream(ctx context.Context, e *endpoint) (*transport.Stream, error) {
	if err := c.prepare(ctx, e); err != nil {
		return nil, err
	}
	return c.tc.DoStream(ctx, e.req)
}

// jsonHeader is the Content-Type the docs show for an endpoint: on requests
// without a body (session GETs, DELETE, mark read) it changes nothing for
// the server but keeps the wire identical to the documentation; on the
// group endpoints it refines the JSON body's type with the charset Chattu
// documents for them ("application/json; charset=utf-8"), which the
// transport keeps.
func jsonHeader(ct string) http.Header { return http.Header{"Content-Type": {ct}} }

const (
	ctJSON     = "application/json"
	ctJSONUTF8 = "application/json; charset=utf-8"
)
