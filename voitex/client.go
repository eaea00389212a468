package voitex

import (
	"fmt"
	"io"
	"net/http"

	"github.com/switchboard-go/switchboard/internal/transport"
)

const vendor = "voitex"

// Voitex serves its APIs from four hosts. Each can be changed on its own
// (WithRecordingURL and friends) or all at once with WithBaseURL, which keeps
// each request's path, so one sandbox serves them all.
const (
	// DefaultRecordingURL serves Upload Recording and Create TTS (/upload/).
	DefaultRecordingURL = "https://recording.voitexapi.com"
	// DefaultNotifyURL serves the Notification Call (/) and the Notify API
	// (/notify/).
	DefaultNotifyURL = "https://notify.voitexapi.com"
	// DefaultSMSURL serves Send SMS (/send/).
	DefaultSMSURL = "https://sms.voitexapi.com"
	// DefaultContactsURL serves the Contacts API (/).
	DefaultContactsURL = "https://contacts.voitexapi.com"
)

// Paths below each host, as the documentation writes them (with the
// trailing slash).
const (
	PathUpload   = "/upload/"
	PathCall     = "/"
	PathNotify   = "/notify/"
	PathSend     = "/send/"
	PathContacts = "/"
)

// HeaderAuthKey carries the account's key on every request. One sample
// spells it auth_key; the documented form is Auth-Key, which is what is sent.
const HeaderAuthKey = "Auth-Key"

// Service names of the four hosts, for transport.Config.Services.
const (
	serviceRecording = "recording"
	serviceNotify    = "notify"
	serviceSMS       = "sms"
	serviceContacts  = "contacts"
)

// Options shared by every Switchboard client.
var (
	// WithBaseURL points all four Voitex hosts at one server (a voitextest
	// sandbox, a proxy), each request keeping its path: /upload/, /,
	// /notify/, /send/.
	WithBaseURL = transport.WithBaseURL
	// WithHTTPClient sends requests through the given client (its Transport
	// is used as is); prefer a context deadline over its Timeout, which
	// would cut long uploads.
	WithHTTPClient = transport.WithHTTPClient
	// WithLogger logs attempts, retries and failures; nothing is logged
	// without it and the Auth-Key never appears in the records.
	WithLogger = transport.WithLogger
	// WithUserAgent puts the application's product token before the SDK's.
	WithUserAgent = transport.WithUserAgent
	// WithRetryMax bounds how often a failed request is retried. Uploads,
	// calls, SMS and Notify are still never repeated once written.
	WithRetryMax = transport.WithRetryMax
	// WithRetryWait sets the first and the longest backoff wait.
	WithRetryWait = transport.WithRetryWait
	// WithRetryAfterMax caps how long a 429 or 503 Retry-After is waited
	// for.
	WithRetryAfterMax = transport.WithRetryAfterMax
	// OpenFile opens a recording or an MMS attachment on disk for upload;
	// close its Reader when the call has returned.
	OpenFile = transport.OpenFile
)

// WithRecordingURL replaces the recording host (Upload Recording, Create
// TTS). It wins over WithBaseURL for that host.
func WithRecordingURL(baseURL string) Option {
	return transport.WithServiceURL(serviceRecording, baseURL)
}

// WithNotifyURL replaces the notify host (Notification Call and Notify
// API). It wins over WithBaseURL for that host.
func WithNotifyURL(baseURL string) Option {
	return transport.WithServiceURL(serviceNotify, baseURL)
}

// WithSMSURL replaces the SMS host (Send SMS). It wins over WithBaseURL for
// that host.
func WithSMSURL(baseURL string) Option { return transport.WithServiceURL(serviceSMS, baseURL) }

// WithContactsURL replaces the contacts host (Contacts API). It wins over
// WithBaseURL for that host.
func WithContactsURL(baseURL string) Option {
	return transport.WithServiceURL(serviceContacts, baseURL)
}

// Client calls the Voitex client-side APIs for one account. It is safe for
// concurrent use; build one and share it.
type Client struct {
	// Recordings uploads recordings and creates TTS files in Library albums.
	Recordings *RecordingsService
	// Calls places notification calls (the legacy single-call API).
	Calls *CallsService
	// SMS sends text messages (the legacy single-SMS API).
	SMS *SMSService
	// Contacts creates, updates, deletes and selects contacts.
	Contacts *ContactsService
	// Notify sends SMS, MMS and calls to one number, a list or labels.
	Notify *NotifyService

	tc *transport.Client
}

// New returns a client authenticating with the account's Auth-Key. The key
// is required and is never printed.
func New(authKey string, opts ...Option) (*Client, error) {
	auth, err := authHeader(authKey)
	if err != nil {
		return nil, err
	}
	tc, err := transport.New(transport.Config{
		Vendor: vendor,
		Services: map[string]string{
			serviceRecording: DefaultRecordingURL,
			serviceNotify:    DefaultNotifyURL,
			serviceSMS:       DefaultSMSURL,
			serviceContacts:  DefaultContactsURL,
		},
		Auth:        auth,
		DecodeError: decodeFailure,
	}, opts...)
	if err != nil {
		return nil, err
	}
	c := &Client{tc: tc}
	c.Recordings = &RecordingsService{tc: tc}
	c.Calls = &CallsService{tc: tc}
	c.SMS = &SMSService{tc: tc}
	c.Contacts = &ContactsService{tc: tc}
	c.Notify = &NotifyService{tc: tc}
	return c, nil
}

// SetAuthKey switches to a new Auth-Key without rebuilding the client, for
// a rotation. Calls already under way finish with the old key, which stays
// redacted from every error and log.
func (c *Client) SetAuthKey(authKey string) error {
	auth, err := authHeader(authKey)
	if err != nil {
		return err
	}
	c.tc.SetAuth(auth)
	return nil
}

func authHeader(key string) (http.Header, error) {
	if err := transport.CheckCredential("authKey", key); err != nil {
		return nil, err
	}
	return http.Header{HeaderAuthKey: {key}}, nil
}

// String names the vendor only, so printing a Client cannot leak its key.
func (c *Client) String() string { return "voitex.Client" }

// Format prints String for every verb, including %#v and %+v.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }
