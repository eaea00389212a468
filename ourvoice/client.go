package ourvoice

import (
	"fmt"
	"io"
	"net/http"

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
// "Authorization: Bearer <token>". Both the header value and the bare token
// are registered as secrets, so neither appears in an error (its text,
// Messages, Fields or kept Body), a log line or a printed value, even when
// Our Voice echoes the token back in a body.
func New(token string, opts ...Option) (*Client, error) {
	if err := checkToken(token); err != nil {
		return nil, err
	}
	c := &Client{}
	tc, err := transport.New(transport.Config{
		Vendor:      vendor,
		BaseURL:     DefaultBaseURL,
		Auth:        bearer(token),
		DecodeError: c.vendorError,
	}, opts...)
	if err != nil {
		return nil, err
	}
	c.tc = tc
	c.Sessions = &SessionsService{tc: tc}
	c.Messages = &MessagesService{tc: tc}
	return c, nil
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
func checkToken(token string) error { return transport.CheckCredential("token", token) }

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
