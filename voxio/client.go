package voxio

import (
	"fmt"
	"io"
	"net/http"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// DefaultBaseURL is Voxio's only environment: there is no vendor sandbox, so
// tests should point WithBaseURL at a voxiotest server instead.
const DefaultBaseURL = "https://www.voxio.chat/external-api"

// Header names Voxio reads the credentials from, as its documentation
// spells them. Header names are case-insensitive, so they go on the wire in
// Go's canonical form ("Client-Id: ...", "Client-Secret: ..."): that is the
// key http.Header.Get and Del look for, so a redacting RoundTripper or
// logging middleware in the application finds client-secret and does not
// log it.
const (
	// HeaderClientID carries the client id. It identifies the account and
	// is not secret, so the SDK does not redact it from error bodies.
	HeaderClientID = "client-id"
	// HeaderClientSecret carries the client secret, which never appears in
	// an error, a log record or a printed value.
	HeaderClientSecret = "client-secret"
)

// Option configures a Client.
type Option = transport.Option

// Options shared by every Switchboard client.
var (
	// WithBaseURL sends requests to another server, such as a voxiotest
	// sandbox or a proxy, keeping each request's path below it.
	WithBaseURL = transport.WithBaseURL
	// WithHTTPClient sends requests through the given client (its Transport is
	// used as is); prefer a context deadline over its Timeout, which would cut
	// long uploads.
	WithHTTPClient = transport.WithHTTPClient
	// WithLogger logs attempts, retries and failures; nothing is logged
	// without it and credentials never appear in the records.
	WithLogger = transport.WithLogger
	// WithUserAgent puts the application's product token before the SDK's.
	WithUserAgent = transport.WithUserAgent
	// WithRetryMax bounds how often a failed request is retried. Sends are
	// still never repeated once written.
	WithRetryMax = transport.WithRetryMax
	// WithRetryWait sets the first and the longest backoff wait.
	WithRetryWait = transport.WithRetryWait
	// WithRetryAfterMax caps how long a 429 or 503 Retry-After is waited for.
	WithRetryAfterMax = transport.WithRetryAfterMax
	// OpenFile opens a file on disk for upload (a profile image or a media
	// message); close its Reader when the call has returned.
	OpenFile = transport.OpenFile
)

// Client calls the Voxio Chat External API for one account. It is safe for
// concurrent use; build one and share it.
type Client struct {
	// Contacts are the account's WhatsApp contacts.
	Contacts *ContactsService
	// Inbox is the conversation inbox.
	Inbox *InboxService
	// Messages sends WhatsApp messages and templates.
	Messages *MessagesService
	// Templates lists the approved WhatsApp templates.
	Templates *TemplatesService

	tc *transport.Client
}

// New returns a client authenticating with the client-id and client-secret
// from the Voxio dashboard. Both are required; the secret is never printed.
func New(clientID, clientSecret string, opts ...Option) (*Client, error) {
	auth, err := authHeader(clientID, clientSecret)
	if err != nil {
		return nil, err
	}
	tc, err := transport.New(transport.Config{
		Vendor:  "voxio",
		BaseURL: DefaultBaseURL,
		Auth:    auth,
		// The client id names the account, like an account number: redacting
		// it would mangle every body and message that mentions it.
		Identifiers: []string{HeaderClientID},
		DecodeError: decodeError,
	}, opts...)
	if err != nil {
		return nil, err
	}
	c := &Client{tc: tc}
	c.Contacts = &ContactsService{tc: tc}
	c.Inbox = &InboxService{tc: tc}
	c.Messages = &MessagesService{tc: tc}
	c.Templates = &TemplatesService{tc: tc}
	return c, nil
}

// SetCredentials switches to a new client-id and client-secret, for a
// rotation without rebuilding the client. Calls already under way finish
// with the old pair.
func (c *Client) SetCredentials(clientID, clientSecret string) error {
	auth, err := authHeader(clientID, clientSecret)
	if err != nil {
		return err
	}
	c.tc.SetAuth(auth)
	return nil
}

// authHeader checks the credentials and builds the headers.
func authHeader(clientID, clientSecret string) (http.Header, error) {
	if err := checkCredential("clientID", clientID); err != nil {
		return nil, err
	}
	if err := checkCredential("clientSecret", clientSecret); err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set(HeaderClientID, clientID)
	h.Set(HeaderClientSecret, clientSecret)
	return h, nil
}

func checkCredential(field, v string) error { return transport.CheckCredential(field, v) }

// String names the vendor only, so printing a Client cannot leak its
// credentials.
func (c *Client) String() string { return "voxio.Client" }

// Format prints String for every verb, including %#v and %+v.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// ContactsService manages contacts (contact/...).
type ContactsService struct{ tc *transport.Client }

// InboxService reads conversations and changes their status (inbox/...).
type InboxService struct{ tc *transport.Client }

// MessagesService sends messages and templates (inbox/send-...).
type MessagesService struct{ tc *transport.Client }

// TemplatesService lists approved templates (inbox/template-list).
type TemplatesService struct{ tc *transport.Client }
