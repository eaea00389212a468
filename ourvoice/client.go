package ourvoice

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// DefaultBaseURL is where Our Voice serves its API. Every documented path
// hangs below it ("/whatsapp/sessions", "/whatsapp/messages").
const DefaultBaseURL = "https://api.getourvoice.com/v1"

// vendor names Our Voice in errors and logs.
const vendor = "ourvoice"

// Client talks to one Our Voice account. It is safe for concurrent use by
// many goroutines; build one and share it.
type Client struct {
	// Sessions manages the WhatsApp sessions (linked phones) of the account.
	Sessions *SessionsService
	// Messages sends WhatsApp messages and reads their delivery status.
	Messages *MessagesService

	tc *transport.Client
}

// Option configures a Client built by New. It is a type of this package,
// so an option of another vendor's package does not compile here; an
// option given a bad value makes New fail, naming the option.
type Option func(*settings)

// settings collects what the options ask for before New builds the client.
type settings struct {
	transport []transport.Option
}

func (s *settings) add(o transport.Option) { s.transport = append(s.transport, o) }

// WithBaseURL points the client at another server: a sandbox from
// ourvoicetest, a proxy, a staging host. It replaces DefaultBaseURL
// whole, so include the "/v1" prefix if the server expects it. It must be
// an absolute http(s) URL without query, fragment or user info.
func WithBaseURL(baseURL string) Option {
	return func(s *settings) { s.add(transport.WithBaseURL(baseURL)) }
}

// WithHTTPClient sends requests through hc's transport, for proxies,
// custom TLS or tests. Its Timeout, if set, bounds each attempt; prefer a
// context deadline, which bounds the whole call. hc must not be nil.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) { s.add(transport.WithHTTPClient(hc)) }
}

// WithLogger logs attempts, retries and failures, at debug level (warn for
// a send that may have been delivered), so that a production incident can
// be traced without a debugger. Nothing is logged without it, and the
// token never appears in a record.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) { s.add(transport.WithLogger(l)) }
}

// WithUserAgent puts the application's product token in front of the
// SDK's own ("myapp/1.2 switchboard-go/0.1.0"), so Our Voice's support can
// tell which program made a call.
func WithUserAgent(product string) Option {
	return func(s *settings) { s.add(transport.WithUserAgent(product)) }
}

// WithRetryMax bounds how many times a failed request is retried (0 to
// 10, default 3). A send, a session creation, a disconnect or a reconnect
// is still never repeated once any of it was written, whatever n says.
func WithRetryMax(n int) Option {
	return func(s *settings) { s.add(transport.WithRetryMax(n)) }
}

// WithRetryWait sets the first and the longest backoff between attempts
// (defaults 250ms and 5s, jittered), for callers whose latency budget
// differs from the default.
func WithRetryWait(min, max time.Duration) Option {
	return func(s *settings) { s.add(transport.WithRetryWait(min, max)) }
}

// WithRetryAfterMax caps how long a 429 or 503 Retry-After is honoured
// (default 30s). A longer wait is not taken: the call returns an *Error
// whose RetryAfter says how long Our Voice asked for, so the caller can
// reschedule instead of blocking.
func WithRetryAfterMax(d time.Duration) Option {
	return func(s *settings) { s.add(transport.WithRetryAfterMax(d)) }
}

// New returns a client authenticating with the account's API token, sent as
// "Authorization: Bearer <token>". Both the header value and the bare token
// are registered as secrets, so neither appears in an error (its text,
// Messages, Fields, Code or kept Body), a log line or a printed value, even
// when Our Voice echoes the token back in a body. A blank, padded or
// control-character token, or an option with a bad value, is a
// *ValidationError naming Our Voice.
func New(token string, opts ...Option) (*Client, error) {
	if err := checkToken(token); err != nil {
		return nil, err
	}
	var s settings
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	tc, err := transport.New(transport.Config{
		Vendor:  vendor,
		BaseURL: DefaultBaseURL,
		Auth:    bearer(token),
		Failure: failure,
	}, s.transport...)
	if err != nil {
		return nil, err
	}
	return &Client{tc: tc, Sessions: &SessionsService{tc: tc}, Messages: &MessagesService{tc: tc}}, nil
}

// SetToken swaps the API token atomically, for a rotation without
// rebuilding the client: calls under way finish with the old token. The old
// token stays redacted from everything the client prints.
func (c *Client) SetToken(token string) error {
	if err := checkToken(token); err != nil {
		return err
	}
	c.tc.SetAuth(bearer(token))
	return nil
}

// checkToken rejects a token that cannot work. A padded token (a trailing
// newline from a file or an environment variable) would reach Our Voice as
// "Bearer  tok" and fail with a 401 that does not say why; control
// characters would make net/http refuse the header on every attempt.
func checkToken(token string) error { return transport.CheckCredential(vendor, "token", token) }

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// invalid is the *ValidationError of every input rule of this package, so
// that a program holding clients of several vendors knows which refused.
func invalid(field, rule string) error { return transport.InvalidFor(vendor, field, rule) }

// String names the vendor only, so printing a Client cannot leak the token.
func (c *Client) String() string { return "ourvoice.Client" }

// Format prints String for every verb (%v, %+v, %#v), for the same reason.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// jsonHeaders carries the Content-Type the docs' curl samples send on every
// call, bodiless ones included. Requests with a JSON body get it from the
// transport anyway.
func jsonHeaders() http.Header {
	return http.Header{"Content-Type": {"application/json"}}
}
