package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/switchboard-go/switchboard/internal/loose"
)

// MaxResponseBody bounds how much of a JSON response is read into memory.
// Binary downloads (DoStream) are not bounded: they stream to the caller.
const MaxResponseBody = 64 << 20

// Config describes a vendor to New. Vendor packages fill it; users never see
// it.
type Config struct {
	// Vendor names the API in errors and logs ("voxio").
	Vendor string
	// BaseURL is the default service's base, e.g.
	// "https://www.voxio.chat/external-api".
	BaseURL string
	// Services are named extra bases for vendors with several hosts
	// ("recording" -> "https://recording.voitexapi.com").
	Services map[string]string
	// Auth holds the credential headers set on every attempt
	// ("client-id"/"client-secret", "Auth-Key", "Authorization", "x-api-key").
	// Every value is registered as a secret, except those of the headers
	// named in Identifiers. For Authorization, the credential after the
	// scheme ("Bearer <token>") is registered on its own too.
	Auth http.Header
	// Identifiers names Auth headers whose values identify the account but
	// are not secret (Voxio's client-id). They are not redacted, so a short
	// numeric id does not mangle every body that mentions the number.
	Identifiers []string
	// Failure inspects every response, whatever the status, and returns
	// the vendor failure it reports, or nil when it reports none. It lets a
	// vendor package recognise failures inside HTTP 200 and map its codes
	// onto Code, Messages, Fields, RequestID and Kind; the transport fills
	// the remaining fields and redacts every text. A hook that parsed an
	// envelope to decide may leave it in resp.Envelope, where the result
	// decoder given to Call finds it, so that the body is parsed once. It
	// must not keep resp.Body.
	Failure func(resp *Response) *Error
}

// Client sends requests for one vendor account. It is safe for concurrent
// use.
type Client struct {
	vendor      string
	identifiers map[string]bool
	bases       map[string]string // service -> base URL without trailing slash
	// parsed holds, per service, the parsed base URL when requests to it
	// can be addressed by copying it (see target).
	parsed map[string]*url.URL
	// headers are the credential headers followed by the WithHeader ones,
	// flattened by SetAuth so that a call copies a short slice.
	headers   atomic.Pointer[[]headerField]
	extra     http.Header
	userAgent string
	uaHeader  []string // {userAgent}, shared by every request
	hc        *http.Client
	// rc runs every call's attempts. It is built once: the per-call state
	// its hooks need travels in the request's context (*call).
	rc          *retryablehttp.Client
	logger      *slog.Logger
	redact      *redactor
	failureHook func(*Response) *Error

	retryMax      int
	retryWaitMin  time.Duration
	retryWaitMax  time.Duration
	retryAfterMax time.Duration
}

// New builds a Client from the vendor's cfg and the user's options.
func New(cfg Config, opts ...Option) (*Client, error) {
	s := defaultSettings()
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&s); err != nil {
			return nil, withVendor(err, cfg.Vendor)
		}
	}
	c := &Client{
		vendor:        cfg.Vendor,
		bases:         make(map[string]string, len(cfg.Services)+1),
		extra:         s.extraHeaders,
		logger:        s.logger,
		redact:        &redactor{},
		failureHook:   cfg.Failure,
		retryMax:      s.retryMax,
		retryWaitMin:  s.retryWaitMin,
		retryWaitMax:  s.retryWaitMax,
		retryAfterMax: s.retryAfterMax,
	}
	c.identifiers = make(map[string]bool, len(cfg.Identifiers))
	for _, k := range cfg.Identifiers {
		c.identifiers[http.CanonicalHeaderKey(k)] = true
	}
	for name := range s.serviceURLs {
		if _, ok := cfg.Services[name]; !ok && name != "" {
			return nil, InvalidFor(cfg.Vendor, "service URL", fmt.Sprintf("no service %q", name))
		}
	}
	c.userAgent = "switchboard-go/" + Version
	if s.userAgent != "" {
		c.userAgent = s.userAgent + " " + c.userAgent
	}
	c.uaHeader = []string{c.userAgent}
	bases := map[string]string{"": cfg.BaseURL}
	for name, u := range cfg.Services {
		bases[name] = u
	}
	for name, raw := range bases {
		if s.baseURL != "" {
			raw = s.baseURL
		}
		if o, ok := s.serviceURLs[name]; ok {
			raw = o
		}
		if raw == "" && name == "" {
			continue // a vendor with only named services
		}
		u, err := parseBase(raw)
		if err != nil {
			return nil, withVendor(err, cfg.Vendor)
		}
		c.bases[name] = u.String()
		if pu := plainBase(c.bases[name]); pu != nil {
			if c.parsed == nil {
				c.parsed = make(map[string]*url.URL, len(bases))
			}
			c.parsed[name] = pu
		}
	}
	c.SetAuth(cfg.Auth)
	c.redact.add(s.extraSecrets...)
	c.hc = wrapHTTPClient(s.httpClient)
	c.rc = &retryablehttp.Client{
		HTTPClient:     c.hc,
		RetryMax:       c.retryMax,
		RetryWaitMin:   c.retryWaitMin,
		RetryWaitMax:   c.retryWaitMax,
		CheckRetry:     checkRetry,
		Backoff:        noBackoff,
		RequestLogHook: beforeAttempt,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
	}
	return c, nil
}

// headerField is one header every request carries, as configured (the key
// is not canonicalised: a vendor's credential header goes out spelled as
// the vendor package wrote it).
type headerField struct {
	key    string
	values []string
}

// SetAuth replaces the credential headers atomically: calls already under
// way finish with the old ones, later calls use the new ones. Old values stay
// registered as secrets.
func (c *Client) SetAuth(h http.Header) {
	h = h.Clone()
	if h == nil {
		h = http.Header{}
	}
	for k, vs := range h {
		if c.identifiers[http.CanonicalHeaderKey(k)] {
			continue
		}
		c.redact.add(vs...)
		if ck := http.CanonicalHeaderKey(k); ck == "Authorization" || ck == "Proxy-Authorization" {
			for _, v := range vs {
				// "Bearer tok": a vendor that echoes the bare token must
				// not reveal it either.
				if _, cred, ok := strings.Cut(strings.TrimSpace(v), " "); ok {
					c.redact.add(strings.TrimSpace(cred))
				}
			}
		}
	}
	// Credentials first, then WithHeader's headers, which win on the same
	// key, as when both maps were copied into the request in that order.
	fields := make([]headerField, 0, len(h)+len(c.extra))
	for k, vs := range h {
		fields = append(fields, headerField{k, vs})
	}
	for k, vs := range c.extra {
		fields = append(fields, headerField{k, vs})
	}
	c.headers.Store(&fields)
}

// AddSecret registers values that must never be printed in errors or logs.
func (c *Client) AddSecret(values ...string) { c.redact.add(values...) }

// Redact removes every registered secret, and the values of credential-named
// JSON members, from s.
func (c *Client) Redact(s string) string { return c.redact.text(s) }

// Vendor returns the vendor name the client was configured with.
func (c *Client) Vendor() string { return c.vendor }

// String describes the client without any credential.
func (c *Client) String() string { return "transport.Client(" + c.vendor + ")" }

// Format prints only String, so no verb reveals the credentials held inside.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

var (
	sharedTransportOnce sync.Once
	sharedTransport     *http.Transport
)

// DefaultTransport returns the pooled transport every Client shares unless
// given its own HTTP client: keep-alive connections reused across clients,
// a per-host idle limit sized for concurrent senders, and timeouts on each
// phase before the response headers. It has no overall timeout, which would
// cut long uploads; the caller's context bounds a call.
func DefaultTransport() *http.Transport {
	sharedTransportOnce.Do(func() { sharedTransport = NewTransport() })
	return sharedTransport
}

// NewTransport returns a new transport with DefaultTransport's settings.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 64,
		// Below the keep-alive timeouts of common servers and load
		// balancers (60-75 s), so the pool rarely hands out a connection
		// the server is closing: a send written to one would have to be
		// reported as maybe delivered.
		IdleConnTimeout:       45 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// keepIdle hides the transport's CloseIdleConnections from retryablehttp,
// which calls it after every failed call and would otherwise throw away the
// whole pool, including connections other goroutines are about to reuse.
type keepIdle struct{ rt http.RoundTripper }

func (k keepIdle) RoundTrip(r *http.Request) (*http.Response, error) { return k.rt.RoundTrip(r) }

func wrapHTTPClient(hc *http.Client) *http.Client {
	if hc == nil {
		return &http.Client{Transport: keepIdle{DefaultTransport()}, CheckRedirect: checkRedirect}
	}
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	if _, ok := rt.(keepIdle); !ok {
		rt = keepIdle{rt}
	}
	cr := hc.CheckRedirect
	if cr == nil {
		cr = checkRedirect
	}
	return &http.Client{Transport: rt, CheckRedirect: cr, Jar: hc.Jar, Timeout: hc.Timeout}
}

// checkRedirect follows a redirect only for a read (GET, HEAD) to the same
// origin. net/http would otherwise carry the vendor's credential headers to
// any host, and replay or silently turn a send into a GET; such a response
// comes back to the caller as an *Error with the 3xx status instead.
func checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0]
	if len(via) >= 5 || (req.Method != http.MethodGet && req.Method != http.MethodHead) ||
		req.URL.Scheme != first.URL.Scheme || req.URL.Host != first.URL.Host || first.Method != req.Method {
		return http.ErrUseLastResponse
	}
	return nil
}

// Delivery says whether a request may be sent again after some of it was
// written.
type Delivery int

const (
	// ByMethod treats GET, HEAD, OPTIONS, PUT and DELETE as idempotent and
	// every other method (POST, PATCH) as not safe to repeat.
	ByMethod Delivery = iota
	// Idempotent marks a POST the vendor documents as safe to repeat.
	Idempotent
	// AtMostOnce marks a request that must never be repeated once written,
	// whatever its method.
	AtMostOnce
)

// Request is one API call.
type Request struct {
	Method string
	// Service selects a named base URL; "" is the default one.
	Service string
	// Path is appended to the base URL. Path parameters must already be
	// escaped (url.PathEscape).
	Path string
	// Query is a go-querystring struct or url.Values.
	Query any
	// At most one body: JSON (any JSON-marshalable value), Form (a
	// go-querystring struct or url.Values, sent urlencoded) or Multipart.
	JSON      any
	Form      any
	Multipart *Multipart
	// Header adds headers to this request only.
	Header http.Header
	// Delivery overrides the method's idempotency.
	Delivery Delivery
}

// errPath is the path errors report: relative to the vendor's base URL,
// always with a leading slash, never with the query, so that errors of all
// four vendors read alike whatever base URL the client uses.
func (r *Request) errPath() string {
	if strings.HasPrefix(r.Path, "/") {
		return r.Path
	}
	return "/" + r.Path
}

func (r *Request) idempotent() bool {
	switch r.Delivery {
	case Idempotent:
		return true
	case AtMostOnce:
		return false
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// encode lays out r's body in e; it reports false for a request without
// one.
func (r *Request) encode(e *encoded) (bool, error) {
	n := 0
	if r.JSON != nil {
		n++
	}
	if r.Form != nil {
		n++
	}
	if r.Multipart != nil {
		n++
	}
	switch {
	case n > 1:
		return false, errors.New("switchboard: a request has one body at most")
	case r.JSON != nil:
		return true, encodeJSON(e, r.JSON)
	case r.Form != nil:
		return true, encodeForm(e, r.Form)
	case r.Multipart != nil:
		m, err := encodeMultipart(r.Multipart)
		if err != nil {
			return false, err
		}
		*e = *m
		return true, nil
	}
	return false, nil
}

// Response is a vendor's successful answer.
type Response struct {
	StatusCode int
	Header     http.Header
	// Body is the raw response body.
	Body []byte
	// RequestID is the vendor's request id header, if any.
	RequestID string
	// Attempts is how many times the request was sent.
	Attempts int
	// Envelope is what the vendor's Failure hook parsed of Body, if it
	// left anything: the result decoder reads it instead of parsing Body
	// again.
	Envelope any
}

// RawSetter is implemented by results that keep the raw JSON they were
// decoded from; Do hands them the response body.
type RawSetter interface{ SetRaw(json.RawMessage) }

// RawJSON is embedded in result types to keep the exact JSON they were
// decoded from, including fields the SDK does not model.
type RawJSON struct{ raw json.RawMessage }

// Raw returns the JSON the value was decoded from.
func (r *RawJSON) Raw() json.RawMessage { return r.raw }

// SetRaw records the JSON the value was decoded from.
func (r *RawJSON) SetRaw(b json.RawMessage) { r.raw = b }

// Do sends r and, on success, decodes the JSON body into out (when out is
// not nil). A failure the vendor reports, in any status, is an *Error; a
// failure to exchange at all is a *RequestError.
func (c *Client) Do(ctx context.Context, r *Request, out any) (*Response, error) {
	resp, cl, err := c.send(ctx, r, true)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if cl.bodyErr != nil {
		// The answer was cut off (or too large) on the last attempt: a
		// send may have been acted on; a read was retried already.
		return nil, c.requestError(cl, r, cl.bodyErr, !cl.idempotent)
	}
	body := cl.body
	out2 := &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body, Attempts: cl.attempts}
	if e := c.failure(cl, r, out2); e != nil {
		return nil, e
	}
	out2.RequestID = requestID(resp.Header)
	if out != nil && len(bytes.TrimSpace(body)) > 0 {
		if err := loose.Unmarshal(body, out); err != nil {
			return out2, c.DecodeFailure(r, resp.StatusCode, err)
		}
		if rs, ok := out.(RawSetter); ok {
			rs.SetRaw(body)
		}
	}
	return out2, nil
}

// Call is the one call path of every vendor package: it sends r under the
// delivery rules, lets the vendor's Failure hook turn a reported failure
// (in any status) into *Error, and decodes a successful answer with decode.
// When decode fails, the answer is a *DecodeError whose Accepted follows
// the request's delivery rule, so a send that the vendor accepted but the
// SDK cannot read matches ErrMaybeDelivered.
func Call[R any](ctx context.Context, c *Client, r *Request, decode func(*Response) (R, error)) (R, error) {
	var zero R
	resp, err := c.Do(ctx, r, nil)
	if err != nil {
		return zero, err
	}
	v, err := decode(resp)
	if err != nil {
		return zero, c.DecodeFailure(r, resp.StatusCode, err)
	}
	return v, nil
}

// DecodeJSON is the decode function of Call for an answer that is the
// result itself: it decodes the body under the loose-JSON policy, and
// hands the raw body to a result that keeps it (RawSetter).
func DecodeJSON[R any](resp *Response) (R, error) {
	var v R
	if len(bytes.TrimSpace(resp.Body)) == 0 {
		return v, nil
	}
	if err := loose.Unmarshal(resp.Body, &v); err != nil {
		return v, err
	}
	// R is a result struct or a pointer to one.
	if rs, ok := any(v).(RawSetter); ok && rs != nil {
		rs.SetRaw(resp.Body)
	} else if rs, ok := any(&v).(RawSetter); ok {
		rs.SetRaw(resp.Body)
	}
	return v, nil
}

// DecodeFailure returns the *DecodeError for a successful response to r
// that a vendor package could not decode itself (a nested envelope, a
// quirky sample): Accepted is set for requests that are not safe to
// repeat, and the text is redacted like every other error of c.
func (c *Client) DecodeFailure(r *Request, status int, err error) *DecodeError {
	e := &DecodeError{Vendor: c.vendor, Method: r.Method, Path: r.errPath(), StatusCode: status, Accepted: !r.idempotent(), Err: err, redact: c.redact}
	if c.logger != nil {
		// The vendor accepted a send the SDK cannot read: it may well have
		// gone out, which is worth a warning.
		level := slog.LevelDebug
		if e.Accepted {
			level = slog.LevelWarn
		}
		c.log(level, "decoding response failed", r, slog.Int("status", status), slog.Bool("maybe_delivered", e.Accepted), slog.String("error", e.Error()))
	}
	return e
}

// DecodeError is a successful (2xx) response the SDK could not decode. The
// vendor accepted the request: for a send, the message went out, and the
// error matches ErrMaybeDelivered so that it is not sent again.
type DecodeError struct {
	// Vendor, Method and Path identify the call; Path has no query.
	Vendor, Method, Path string
	// StatusCode is the vendor's (successful) status.
	StatusCode int
	// Accepted reports that the request was not safe to repeat and the
	// vendor answered 2xx.
	Accepted bool
	// Err is the JSON error.
	Err error

	redact *redactor
}

// Error implements error.
func (e *DecodeError) Error() string {
	return e.redact.text(fmt.Sprintf("%s: %s %s: HTTP %d: decoding response: %v", e.Vendor, e.Method, e.Path, e.StatusCode, e.Err))
}

// Unwrap returns the JSON error.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is matches ErrMaybeDelivered when the vendor accepted a send.
func (e *DecodeError) Is(target error) bool { return target == ErrMaybeDelivered && e.Accepted }

// Format keeps every verb to the redacted Error text.
func (e *DecodeError) Format(f fmt.State, verb rune) { formatError(f, verb, e) }

// Stream is a binary response (a PNG, a media file) read by the caller.
type Stream struct {
	// Body must be closed by the caller.
	Body io.ReadCloser
	// ContentType is the response's media type, e.g. "image/png".
	ContentType string
	// FileName comes from Content-Disposition, when the vendor sent one.
	FileName string
	// ContentLength is -1 when unknown.
	ContentLength int64
	// Header holds every response header, for what the fields above leave
	// out (Content-Length as sent, caching headers).
	Header http.Header
}

// Read reads from Body.
func (s *Stream) Read(p []byte) (int, error) { return s.Body.Read(p) }

// Close closes Body.
func (s *Stream) Close() error { return s.Body.Close() }

// DoStream sends r and returns the response body as a stream. A JSON body in
// place of the expected binary is checked for a vendor failure first.
func (c *Client) DoStream(ctx context.Context, r *Request) (*Stream, error) {
	resp, cl, err := c.send(ctx, r, false)
	if err != nil {
		return nil, err
	}
	ct := headerValue(resp.Header, "Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if !ok || mt == "application/json" || strings.HasSuffix(mt, "+json") {
		// Look at the start of the body for a vendor failure; on success
		// hand the caller all of it, the inspected part first.
		head, rerr := readCapped(resp.Body, MaxErrorBody*16)
		if rerr != nil && !errors.Is(rerr, errTooLarge) {
			resp.Body.Close()
			return nil, c.requestError(cl, r, rerr, !cl.idempotent)
		}
		if e := c.failure(cl, r, &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: head}); e != nil || !ok {
			resp.Body.Close()
			if e == nil {
				e = &Error{}
			}
			return nil, e
		}
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	}
	s := &Stream{Body: resp.Body, ContentType: ct, ContentLength: resp.ContentLength, Header: resp.Header}
	if _, params, err := mime.ParseMediaType(headerValue(resp.Header, "Content-Disposition")); err == nil {
		s.FileName = params["filename"]
	}
	return s, nil
}

var errTooLarge = errors.New("body too large")

// readCapped reads up to limit bytes. When r holds more it returns
// errTooLarge with everything it read (limit+1 bytes), so that a caller
// streaming the rest loses nothing.
func readCapped(r io.Reader, limit int64) ([]byte, error) { return readBody(r, limit, -1) }

// maxSizeHint bounds the buffer readBody sizes from a declared length, so
// that a Content-Length alone cannot make it allocate much.
const maxSizeHint = 1 << 20

// readBody is readCapped for a body of declared length size (-1 when
// unknown): a body up to maxSizeHint that is as long as declared is read
// into one allocation.
func readBody(r io.Reader, limit, size int64) ([]byte, error) {
	n := int64(512)
	if size >= 0 && size < maxSizeHint {
		n = size + 1 // room to see EOF without growing
	}
	if n > limit+1 {
		n = limit + 1
	}
	b := make([]byte, 0, n)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow, as io.ReadAll does
		}
		room := b[len(b):cap(b)]
		if left := limit + 1 - int64(len(b)); int64(len(room)) > left {
			room = room[:left]
		}
		m, err := r.Read(room)
		b = b[:len(b)+m]
		if err == io.EOF {
			break
		}
		if err != nil {
			return b, err
		}
		if int64(len(b)) > limit {
			return b, errTooLarge
		}
	}
	if int64(len(b)) > limit {
		return b, errTooLarge
	}
	return b, nil
}

// failure returns the *Error the response reports, or nil.
func (c *Client) failure(cl *call, r *Request, resp *Response) *Error {
	var e *Error
	if c.failureHook != nil {
		e = c.failureHook(resp)
	}
	if e == nil {
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return nil
		}
		e = &Error{}
	}
	e.Vendor = c.vendor
	e.Method = r.Method
	e.Path = r.errPath()
	e.StatusCode = resp.StatusCode
	e.MaybeDelivered = !cl.idempotent && mayHaveActed(e, resp.Header)
	e.Attempts = cl.attempts
	if e.RequestID == "" {
		e.RequestID = requestID(resp.Header)
	}
	if e.RetryAfter == 0 {
		e.RetryAfter = cl.retryAfter
	}
	if e.RetryAfter == 0 && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := parseRetryAfter(headerValue(resp.Header, "Retry-After"), time.Now()); ok {
			e.RetryAfter = d
		}
	}
	// Redact, then cut: a secret that straddles the cut must not leave
	// its first bytes behind.
	e.Body = c.redact.cappedBody(resp.Body, MaxErrorBody)
	e.redact = c.redact
	// Every text the vendor chose may quote a credential back at us.
	for i, m := range e.Messages {
		e.Messages[i] = c.redact.text(m)
	}
	for f, ms := range e.Fields {
		for i, m := range ms {
			ms[i] = c.redact.text(m)
		}
		if rf := c.redact.text(f); rf != f {
			delete(e.Fields, f)
			e.Fields[rf] = ms
		}
	}
	e.Code = c.redact.text(e.Code)
	e.RequestID = c.redact.text(e.RequestID)
	if c.logger != nil {
		// A failure that leaves the send possibly delivered is the one a
		// person must look at: warn.
		level := slog.LevelDebug
		if e.MaybeDelivered {
			level = slog.LevelWarn
		}
		c.log(level, "vendor reported failure", r, slog.Int("status", e.StatusCode), slog.String("code", e.Code),
			slog.Int("attempts", cl.attempts), slog.Bool("maybe_delivered", e.MaybeDelivered))
	}
	return e
}

// mayHaveActed reports whether a failed answer leaves open that the vendor
// acted on the request: its own code says the outcome is unknown, or a 5xx
// came without a code that proves a refusal. 501 and 505 say the server
// cannot handle the request at all, and a 503 with Retry-After asks to come
// back later: both are refusals.
func mayHaveActed(e *Error, h http.Header) bool {
	if e.Uncertain {
		return true
	}
	if e.Kind != nil || e.StatusCode < 500 {
		return false
	}
	switch e.StatusCode {
	case http.StatusNotImplemented, http.StatusHTTPVersionNotSupported:
		return false
	case http.StatusServiceUnavailable:
		_, hasRA := parseRetryAfter(headerValue(h, "Retry-After"), time.Now())
		return !hasRA
	}
	return true
}

// headerValue is h.Get(key) for a key already in canonical form: it skips
// canonicalising a constant on every call.
func headerValue(h http.Header, key string) string {
	if vs := h[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

func requestID(h http.Header) string {
	if len(h) == 0 {
		return ""
	}
	for _, k := range requestIDHeaders {
		if v := headerValue(h, k); v != "" {
			return v
		}
	}
	return ""
}

var requestIDHeaders = [...]string{"X-Request-Id", "Request-Id", "X-Correlation-Id"}

// target is where a request goes: a copy of a parsed base URL with the
// request's path and query, or else the whole URL as text for url.Parse.
type target struct {
	base  *url.URL // nil: parse raw
	path  string
	query string
	raw   string
}

// target addresses r. A path made only of characters that url.Parse keeps
// as they are goes on a copy of the parsed base URL, which is what parsing
// the whole URL would give (TestTargetMatchesParse) without parsing it on
// every call; anything else is parsed.
func (c *Client) target(r *Request) (target, error) {
	if bu := c.parsed[r.Service]; bu != nil && plainPath(r.Path) {
		t := target{base: bu, path: bu.Path}
		switch {
		case r.Path == "":
		case r.Path[0] == '/':
			t.path += r.Path
		default:
			t.path += "/" + r.Path
		}
		if r.Query != nil {
			q, err := EncodeQuery(r.Query)
			if err != nil {
				return t, err
			}
			t.query = q
		}
		return t, nil
	}
	u, err := c.url(r)
	return target{raw: u}, err
}

// newRequest builds the *http.Request for t, with ctx and no body.
func (t *target) newRequest(ctx context.Context, method string) (*http.Request, error) {
	if t.base == nil {
		return http.NewRequestWithContext(ctx, method, t.raw, nil)
	}
	req, err := http.NewRequestWithContext(ctx, method, "", nil)
	if err != nil {
		return nil, err
	}
	u := req.URL // a fresh *url.URL, ours to fill
	*u = *t.base
	u.Path = t.path
	u.RawQuery = t.query
	req.Host = u.Host
	return req, nil
}

// plainBase parses a base URL for target, or returns nil when its
// requests must be parsed whole: anything in it beyond scheme, host and a
// plain path.
func plainBase(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.User != nil || u.RawPath != "" || u.RawQuery != "" || u.ForceQuery ||
		u.Fragment != "" || u.RawFragment != "" || u.OmitHost || u.Host == "" || strings.HasSuffix(u.Host, ":") ||
		!plainPath(u.Path) {
		return nil
	}
	return u
}

// plainPath reports whether p holds only characters that url.Parse leaves
// as they are in a path, with nothing to unescape: unreserved ones and the
// sub-delimiters a path may carry unescaped.
func plainPath(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '_', c == '.', c == '~', c == '/', c == '$', c == '&', c == '+', c == ',', c == ':', c == ';', c == '=', c == '@':
		default:
			return false
		}
	}
	return true
}

func (c *Client) url(r *Request) (string, error) {
	base, ok := c.bases[r.Service]
	if !ok {
		return "", fmt.Errorf("switchboard: %s: unknown service %q", c.vendor, r.Service)
	}
	var b strings.Builder
	b.Grow(len(base) + len(r.Path) + 64)
	b.WriteString(base)
	if r.Path != "" && r.Path[0] != '/' {
		b.WriteByte('/')
	}
	b.WriteString(r.Path)
	if r.Query != nil {
		q, err := EncodeQuery(r.Query)
		if err != nil {
			return "", err
		}
		if q != "" {
			b.WriteByte('?')
			b.WriteString(q)
		}
	}
	return b.String(), nil
}

// send runs the request under the delivery-safety policy and returns the
// final response: with buffer, its body is in call.body (or call.bodyErr);
// without, unread.
func (c *Client) send(ctx context.Context, r *Request, buffer bool) (*http.Response, *call, error) {
	if ctx == nil || ctx == nilContext {
		return nil, nil, InvalidFor(c.vendor, "ctx", "must not be nil")
	}
	if r == nil || r.Method == "" {
		return nil, nil, InvalidFor(c.vendor, "request", "method is required")
	}
	t, err := c.target(r)
	if err != nil {
		return nil, nil, withVendor(err, c.vendor)
	}
	cl := &call{c: c, idempotent: r.idempotent(), r: r, buffer: buffer}
	hasBody, err := r.encode(&cl.enc)
	if err != nil {
		return nil, nil, withVendor(err, c.vendor)
	}
	body := &cl.enc
	cl.oneShot = hasBody && !body.rereadable
	cl.trace.WroteHeaders = cl.wroteHeaders
	cl.setContext(ctx)

	// The request's context is the call itself: the hooks of the shared
	// retryablehttp.Client find the call's state there, and net/http finds
	// the trace that observes whether an attempt was written.
	var req *retryablehttp.Request
	if hasBody && body.segments != nil {
		// Multipart with files: streamed from its sources on every attempt.
		body.ctx = ctx
		var hreq *http.Request
		hreq, err = t.newRequest(cl, r.Method)
		if err == nil {
			req, err = retryablehttp.FromRequest(hreq)
		}
		if err == nil {
			err = req.SetBody(retryablehttp.ReaderFunc(body.reader))
		}
		if err == nil && cl.oneShot {
			// retryablehttp gives every request a GetBody, which net/http
			// calls to resend a body on its own; a one-shot source cannot be
			// resent.
			req.GetBody = nil
		}
	} else {
		// No body, or one in memory (JSON, form, multipart fields only):
		// the request is built here and beforeAttempt gives each attempt a
		// fresh reader over the same bytes, as retryablehttp would, without
		// its per-call closures.
		var hreq *http.Request
		hreq, err = t.newRequest(cl, r.Method)
		if err == nil {
			cl.req.Request = hreq
			req = &cl.req
			if hasBody {
				cl.memBody = true
				hreq.GetBody = cl.getBody
			} else {
				hreq.GetBody = noBody
			}
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("switchboard: %s: building %s %s: %w", c.vendor, r.Method, r.Path, unwrapURL(err))
	}
	h := req.Header
	for _, f := range *c.headers.Load() {
		h[f.key] = f.values
	}
	for k, vs := range r.Header {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	if headerValue(h, "Accept") == "" {
		h["Accept"] = acceptJSON
	}
	h["User-Agent"] = c.uaHeader
	if hasBody {
		// A request may refine the type ("application/json;
		// charset=utf-8" as a vendor documents it), but a multipart body
		// must keep the boundary it was built with.
		if headerValue(h, "Content-Type") == "" || r.Multipart != nil || r.Form != nil {
			if body.ctHeader != nil {
				h["Content-Type"] = body.ctHeader
			} else {
				h["Content-Type"] = []string{body.contentType}
			}
		}
		req.ContentLength = body.length
	}

	resp, err := c.rc.Do(req)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		// Only an attempt that was written and never answered may have
		// been acted on; a refused one (429, 503 with Retry-After) was not.
		maybe := !cl.idempotent && cl.unanswered
		re := c.requestError(cl, r, err, maybe)
		re.Response = cl.lastFailure
		return nil, cl, re
	}
	return resp, cl, nil
}

func noBody() (io.ReadCloser, error) { return http.NoBody, nil }

var acceptJSON = []string{"application/json"}

func (c *Client) requestError(cl *call, r *Request, err error, maybe bool) *RequestError {
	e := &RequestError{Vendor: c.vendor, Method: r.Method, Path: r.errPath(), Attempts: cl.attempts, MaybeDelivered: maybe, Err: unwrapURL(err), redact: c.redact}
	if c.logger != nil {
		lvl := slog.LevelDebug
		if maybe {
			lvl = slog.LevelWarn
		}
		c.log(lvl, "request failed", r, slog.Int("attempts", cl.attempts), slog.Bool("maybe_delivered", maybe), slog.String("error", e.Error()))
	}
	return e
}

// unwrapURL drops *url.Error, whose text repeats the full URL and with it
// any query-string secret.
func unwrapURL(err error) error {
	var ue *url.Error
	for errors.As(err, &ue) {
		err = ue.Err
	}
	return err
}

func (c *Client) log(level slog.Level, msg string, r *Request, attrs ...slog.Attr) {
	if c.logger == nil || !c.logger.Enabled(context.Background(), level) {
		return
	}
	// The path attribute has the form of Error.Path: relative to the base
	// URL, with a leading slash, so records of all vendors read alike.
	base := []slog.Attr{slog.String("vendor", c.vendor), slog.String("method", r.Method), slog.String("path", c.redact.string(r.errPath()))}
	c.logger.LogAttrs(context.Background(), level, msg, append(base, attrs...)...)
}
