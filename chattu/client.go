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

type (
	// Option configures New. It is the option type shared by every
	// Switchboard vendor package.
	Option = transport.Option
	// Stream is a binary download (a media file): read and close Body.
	Stream = transport.Stream
)

// Options shared by every Switchboard client.
var (
	// WithBaseURL replaces the base URL given to New, for a proxy.
	WithBaseURL = transport.WithBaseURL
	// WithHTTPClient sends requests through the given *http.Client (its
	// Transport is used as is).
	WithHTTPClient = transport.WithHTTPClient
	// WithLogger logs attempts and failures to a *slog.Logger, without any
	// credential. Nothing is logged without it.
	WithLogger = transport.WithLogger
	// WithUserAgent puts the application's product token in front of the
	// SDK's own.
	WithUserAgent = transport.WithUserAgent
	// WithRetryMax sets how many times a failed request may be retried.
	// Sends are never retried once written, whatever the value.
	WithRetryMax = transport.WithRetryMax
	// WithRetryWait sets the first and the longest backoff between attempts.
	WithRetryWait = transport.WithRetryWait
	// WithRetryAfterMax caps how long a 429, or a 503 with Retry-After, is
	// waited for.
	WithRetryAfterMax = transport.WithRetryAfterMax
)

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
// API key. Both are required.
func New(baseURL, apiKey string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(baseURL) == "" {
		return nil, transport.Invalid("baseURL", "required: Chattu is deployed per customer")
	}
	if err := transport.CheckCredential("apiKey", apiKey); err != nil {
		return nil, err
	}
	tc, err := transport.New(transport.Config{
		Vendor:      vendor,
		BaseURL:     baseURL,
		Auth:        http.Header{http.CanonicalHeaderKey(apiKeyHeader): {apiKey}},
		DecodeError: decodeError,
		Extensions:  []any{sessionCookieKey{}, rateLimitKey{}},
	}, opts...)
	if err != nil {
		return nil, err
	}
	session, _ := tc.Extension(sessionCookieKey{}).(string)
	c := &Client{tc: tc, session: session}
	c.apiKey.Store(&apiKey)
	if session != "" {
		tc.AddSecret(session)
		for _, ck := range splitCookies(session) {
			tc.AddSecret(ck)
		}
	}
	if on, _ := tc.Extension(rateLimitKey{}).(bool); on {
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
	if err := transport.CheckCredential("apiKey", k); err != nil {
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

// call is one endpoint invocation: it applies the session rules and the
// optional client-side limits, then hands the request to the transport.
type call struct {
	req  *transport.Request
	auth auth
}

func (c *Client) prepare(ctx context.Context, cl *call) error {
	if ctx == nil {
		return transport.Invalid("ctx", "must not be nil")
	}
	if cl.auth != apiKeyAuth && c.session != "" {
		if cl.req.Header == nil {
			cl.req.Header = http.Header{}
		}
		cl.req.Header.Set("Cookie", c.session)
	}
	if cl.auth == sessionAuth && c.session == "" {
		return transport.Invalid("session", cl.req.Method+" "+cl.req.Path+" needs the dashboard login session: configure WithSessionCookie")
	}
	if c.limiter != nil {
		if err := c.limiter.wait(ctx, bucketsFor(cl.req.Method, cl.req.Path, cl.auth)...); err != nil {
			return err
		}
	}
	return nil
}

func (c *Client) do(ctx context.Context, cl *call, out any) (*transport.Response, error) {
	if err := c.prepare(ctx, cl); err != nil {
		return nil, err
	}
	return c.tc.Do(ctx, cl.req, out)
}

func (c *Client) stream(ctx context.Context, cl *call) (*transport.Stream, error) {
	if err := c.prepare(ctx, cl); err != nil {
		return nil, err
	}
	return c.tc.DoStream(ctx, cl.req)
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
