package voxio

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// vendor names Voxio in every error and log record, so that a program
// building clients for several vendors knows which one failed.
const vendor = "voxio"

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

// Option configures New. It is Voxio's own type, so an option of another
// vendor's package does not compile here.
type Option func(*settings)

// settings collects what the options chose before New builds the client.
type settings struct {
	transport []transport.Option
}

func (s *settings) add(o transport.Option) { s.transport = append(s.transport, o) }

// WithBaseURL sends requests to another server, such as a voxiotest sandbox
// or a proxy, keeping each request's path below it. It must be an absolute
// http or https URL without query or user info; New reports one that is not.
func WithBaseURL(baseURL string) Option {
	return func(s *settings) { s.add(transport.WithBaseURL(baseURL)) }
}

// WithHTTPClient sends requests through hc, whose Transport is used as is
// (a proxy, a custom TLS setup, an in-memory RoundTripper in tests). Prefer
// a context deadline over its Timeout: a Timeout cuts long media uploads.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) { s.add(transport.WithHTTPClient(hc)) }
}

// WithLogger logs each attempt, retry and failure at debug level (warn for a
// send that may have been delivered), so a failed send can be traced.
// Nothing is logged without it, and the client secret never appears in a
// record.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) { s.add(transport.WithLogger(l)) }
}

// WithUserAgent puts the application's product token ("myapp/1.2") before
// the SDK's in the User-Agent header, so Voxio's logs can tell the
// application's traffic apart.
func WithUserAgent(product string) Option {
	return func(s *settings) { s.add(transport.WithUserAgent(product)) }
}

// WithRetryMax bounds how many times a failed request is retried (0 to 10,
// default 3), for callers with their own retry loop or a tight deadline.
// Sends are still never repeated once any of them was written.
func WithRetryMax(n int) Option {
	return func(s *settings) { s.add(transport.WithRetryMax(n)) }
}

// WithRetryWait sets the first and the longest backoff wait between
// attempts (defaults 250ms and 5s), for tests that must not sleep and for
// callers that prefer to fail fast.
func WithRetryWait(min, max time.Duration) Option {
	return func(s *settings) { s.add(transport.WithRetryWait(min, max)) }
}

// WithRetryAfterMax caps how long a 429 or 503 Retry-After is waited for
// (default 30s). A longer wait is not taken: the call returns an *Error
// whose RetryAfter says when to come back.
func WithRetryAfterMax(d time.Duration) Option {
	return func(s *settings) { s.add(transport.WithRetryAfterMax(d)) }
}

// OpenFile opens a file on disk for upload (a profile image or a media
// message), with its name and size known, so that the documented type and
// size limits are checked before anything is sent and a retry can re-read
// it. Close its Reader when the call has returned.
func OpenFile(path string) (*File, error) { return transport.OpenFile("voxio", path) }

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
// A bad credential or option is a *ValidationError naming voxio.
func New(clientID, clientSecret string, opts ...Option) (*Client, error) {
	auth, err := authHeader(clientID, clientSecret)
	if err != nil {
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
		Auth:    auth,
		// The client id names the account, like an account number: redacting
		// it would mangle every body and message that mentions it.
		Identifiers: []string{HeaderClientID},
		Failure:     failure,
	}, s.transport...)
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
	if err := transport.CheckCredential(vendor, "clientID", clientID); err != nil {
		return nil, err
	}
	if err := transport.CheckCredential(vendor, "clientSecret", clientSecret); err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set(HeaderClientID, clientID)
	h.Set(HeaderClientSecret, clientSecret)
	return h, nil
}

// invalid is the *ValidationError of Voxio's input rules: it names voxio,
// the field as the docs spell it, and the rule.
func invalid(field, rule string) error { return transport.InvalidFor(vendor, field, rule) }

// String names the vendor only, so printing a Client cannot leak its
// credentials.
func (c *Client) String() string { return "voxio.Client" }

// Format prints String for every verb, including %#v and %+v.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// ContactsService manages contacts (/contact/...).
type ContactsService struct{ tc *transport.Client }

// InboxService reads conversations and changes their status (/inbox/...).
type InboxService struct{ tc *transport.Client }

// MessagesService sends messages and templates (/inbox/send-...).
type MessagesService struct{ tc *transport.Client }

// TemplatesService lists approved templates (/inbox/template-list).
type TemplatesService struct{ tc *transport.Client }
