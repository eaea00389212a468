package acme

import (
	"fmt"
	"io"
	"net/http"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// DefaultBaseURL is Acme's API.
const DefaultBaseURL = "https://api.acme.example/v1"

// Client calls the Acme API for one account; safe for concurrent use.
type Client struct {
	// Messages sends messages.
	Messages *MessagesService
	tc       *transport.Client
}

// New returns a client authenticating with the API key.
func New(apiKey string, opts ...Option) (*Client, error) {
	if err := transport.CheckCredential("acme", "apiKey", apiKey); err != nil {
		return nil, err
	}
	var s settings
	for _, o := range opts {
		o(&s)
	}
	tc, err := transport.New(transport.Config{
		Vendor:  "acme",
		BaseURL: DefaultBaseURL,
		Auth:    http.Header{"X-Api-Key": {apiKey}},
		Failure: failure,
	}, s.transport...)
	if err != nil {
		return nil, err
	}
	return &Client{Messages: &MessagesService{tc: tc}, tc: tc}, nil
}

// String names the vendor only, so printing a Client leaks nothing.
func (c *Client) String() string { return "acme.Client" }

// Format prints String for every verb.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// MessagesService sends messages.
type MessagesService struct{ tc *transport.Client }
