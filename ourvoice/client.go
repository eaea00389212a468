package ourvoice

import (
	"fmt"
	"io"
	"net/http"
	"strings"

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

// New returns a client authenticating with the account's API token, sent as
// "Authorization: Bearer <token>". The token is registered as a secret: it
// never appears in an error, a log line or a printed value.
func New(token string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(token) == "" {
		return nil, transport.Invalid("token", "required")
	}
	if strings.ContainsAny(token, "\r\n") {
		return nil, transport.Invalid("token", "must not contain line breaks")
	}
	tc, err := transport.New(transport.Config{
		Vendor:      vendor,
		BaseURL:     DefaultBaseURL,
		Auth:        bearer(token),
		DecodeError: decodeError,
	}, opts...)
	if err != nil {
		return nil, err
	}
	c := &Client{tc: tc}
	c.Sessions = &SessionsService{tc: tc}
	c.Messages = &MessagesService{tc: tc}
	return c, nil
}

// SetToken swaps the API token atomically, for a rotation without
// rebuilding the client: calls under way finish with the old token. The old
// token stays redacted from everything the client prints.
func (c *Client) SetToken(token string) error {
	if strings.TrimSpace(token) == "" {
		return transport.Invalid("token", "required")
	}
	if strings.ContainsAny(token, "\r\n") {
		return transport.Invalid("token", "must not contain line breaks")
	}
	c.tc.SetAuth(bearer(token))
	return nil
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

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
