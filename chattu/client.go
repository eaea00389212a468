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

// apiKeyHeader is how every request authenticates (the docs spell it in
// lower case; HTTP header names are case-insensitive).
const apiKeyHeader = "x-api-key"

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
	tc, err := transport.New(transport.Config{
		Vendor:  vendor,
		BaseURL: baseURL,
		Auth:    http.Header{http.CanonicalHeaderKey(apiKeyHeader): {apiKey}},
		Failure: failure,
	}, s.transport...)
	if err != nil {
		return nil, err
	}
	c := &Client{tc: tc, session: s.session}
	c.apiKey.Store(&apiKey)
	if s.session != "" {
		tc.AddSecret(s.session)
		tc.AddSecret(splitCookies(s.session)...)
	}
	if s.rateLimit {
		c.limiter = newLimiter(documentedLimits(), nil)
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
// as secrets. Account.ResetAPIKey calls it for you.
func (c *Client) SetAPIKey(key string) error {
	k := key
	if err := transport.CheckCredential(vendor, "apiKey", k); err != nil {
		return err
	}
	c.tc.SetAuth(http.Header{http.CanonicalHeaderKey(apiKeyHeader): {k}})
	c.apiKey.Store(&k)
	return nil
}

// HasSession reports whether a session cookie was configured, i.e. whether
// the session-only endpoints can be called.
func (c *Client) HasSession() bool { return c.session != "" }

// auth says how an endpoint authenticates.
type auth int

const (
	apiKeyAuth  auth = iota // x-api-key only
	sessionAuth             // dashboard login session (the key is sent too)
	eitherAuth              // either: the cookie is sent when configured
)

// endpoint is one call as Chattu documents it: the request and how the
// endpoint authenticates.
type endpoint struct {
	req  *transport.Request
	auth auth
}

// prepare applies the session rules and the optional client-side limits
// before anything is sent.
func (c *Client) prepare(ctx context.Context, e *endpoint) error {
	if ctx == nil {
		return invalid("ctx", "must not be nil")
	}
	if e.auth != apiKeyAuth && c.session != "" {
		if e.req.Header == nil {
			e.req.Header = http.Header{}
		}
		e.req.Header.Set("Cookie", c.session)
	}
	if e.auth == sessionAuth && c.session == "" {
		return invalid("session", e.req.Method+" "+e.req.Path+" needs the dashboard login session: configure WithSessionCookie")
	}
	if c.limiter != nil {
		if err := c.limiter.wait(ctx, bucketsFor(e.req.Method, e.req.Path, e.auth)...); err != nil {
			return err
		}
	}
	return nil
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
