package voitex

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

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
// trailing slash). Errors and logs report these paths.
const (
	PathUpload   = "/upload/" // Upload Recording and Create TTS, recording host
	PathCall     = "/"        // Notification Call, notify host
	PathNotify   = "/notify/" // Notify API, notify host
	PathSend     = "/send/"   // Send SMS, SMS host
	PathContacts = "/"        // Contacts API, contacts host
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

// invalid is the *ValidationError of this package: every refusal names
// Voitex, so a program with several vendor clients knows which one spoke.
func invalid(field, rule string) error { return transport.InvalidFor(vendor, field, rule) }

// Option configures New. Options are functions of this package's own type,
// so an option of another vendor's package does not compile here.
type Option func(*settings)

// settings collects what the options chose; New hands the transport part to
// the shared transport.
type settings struct {
	transport []transport.Option
}

func (s *settings) add(o transport.Option) { s.transport = append(s.transport, o) }

// WithBaseURL points all four Voitex hosts at one server (a voitextest
// sandbox, a proxy), each request keeping its path: /upload/, /, /notify/,
// /send/. A host option (WithSMSURL...) still wins for its host.
func WithBaseURL(baseURL string) Option {
	return func(s *settings) { s.add(transport.WithBaseURL(baseURL)) }
}

// WithRecordingURL replaces the recording host (Upload Recording, Create
// TTS). It wins over WithBaseURL for that host.
func WithRecordingURL(baseURL string) Option {
	return func(s *settings) { s.add(transport.WithServiceURL(serviceRecording, baseURL)) }
}

// WithNotifyURL replaces the notify host (Notification Call and Notify
// API). It wins over WithBaseURL for that host.
func WithNotifyURL(baseURL string) Option {
	return func(s *settings) { s.add(transport.WithServiceURL(serviceNotify, baseURL)) }
}

// WithSMSURL replaces the SMS host (Send SMS). It wins over WithBaseURL for
// that host.
func WithSMSURL(baseURL string) Option {
	return func(s *settings) { s.add(transport.WithServiceURL(serviceSMS, baseURL)) }
}

// WithContactsURL replaces the contacts host (Contacts API). It wins over
// WithBaseURL for that host.
func WithContactsURL(baseURL string) Option {
	return func(s *settings) { s.add(transport.WithServiceURL(serviceContacts, baseURL)) }
}

// WithHTTPClient sends requests through hc, whose Transport is used as is
// (a proxy, custom TLS, an in-memory test transport). Prefer a context
// deadline over hc.Timeout, which would cut a long upload.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) { s.add(transport.WithHTTPClient(hc)) }
}

// WithLogger logs attempts, retries and failures at debug level (warn for a
// send that may have been delivered). Nothing is logged without it, and the
// Auth-Key never appears in the records.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) { s.add(transport.WithLogger(l)) }
}

// WithUserAgent puts the application's product token before the SDK's own
// in the User-Agent header, so Voitex support can tell your traffic apart.
func WithUserAgent(product string) Option {
	return func(s *settings) { s.add(transport.WithUserAgent(product)) }
}

// WithRetryMax bounds how often a failed request is retried (0 to 10,
// default 3). Uploads, calls, SMS, Notify and contact changes are still
// never repeated once written.
func WithRetryMax(n int) Option {
	return func(s *settings) { s.add(transport.WithRetryMax(n)) }
}

// WithRetryWait sets the first and the longest backoff wait between
// attempts (defaults 250ms and 5s), for callers with tighter deadlines.
func WithRetryWait(min, max time.Duration) Option {
	return func(s *settings) { s.add(transport.WithRetryWait(min, max)) }
}

// WithRetryAfterMax caps how long a 429 or 503 Retry-After is waited for
// (default 30s); a longer one returns *Error carrying RetryAfter instead of
// blocking the caller.
func WithRetryAfterMax(d time.Duration) Option {
	return func(s *settings) { s.add(transport.WithRetryAfterMax(d)) }
}

// OpenFile opens a recording or an MMS attachment on disk for upload, with
// its size known so that it streams and can be checked before sending.
// Close its Reader (an *os.File) when the call has returned.
func OpenFile(path string) (*File, error) { return transport.OpenFile("voitex", path) }

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
	var s settings
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	tc, err := transport.New(transport.Config{
		Vendor: vendor,
		Services: map[string]string{
			serviceRecording: DefaultRecordingURL,
			serviceNotify:    DefaultNotifyURL,
			serviceSMS:       DefaultSMSURL,
			serviceContacts:  DefaultContactsURL,
		},
		Auth:    auth,
		Failure: failure,
	}, s.transport...)
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
	if err := transport.CheckCredential(vendor, "authKey", key); err != nil {
		return nil, err
	}
	return http.Header{HeaderAuthKey: {key}}, nil
}

// String names the vendor only, so printing a Client cannot leak its key.
func (c *Client) String() string { return "voitex.Client" }

// Format prints String for every verb, including %#v and %+v.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }
