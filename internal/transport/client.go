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
	"net/http/httptrace"
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
	auth        atomic.Pointer[http.Header]
	extra       http.Header
	userAgent   string
	hc          *http.Client
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
	}
	c.SetAuth(cfg.Auth)
	c.redact.add(s.extraSecrets...)
	c.hc = wrapHTTPClient(s.httpClient)
	return c, nil
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
	c.auth.Store(&h)
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

func (r *Request) encode() (*encoded, error) {
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
		return nil, errors.New("switchboard: a request has one body at most")
	case r.JSON != nil:
		return encodeJSON(r.JSON)
	case r.Form != nil:
		return encodeForm(r.Form)
	case r.Multipart != nil:
		return encodeMultipart(r.Multipart)
	}
	return nil, nil
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
	return &DecodeError{Vendor: c.vendor, Method: r.Method, Path: r.errPath(), StatusCode: status, Accepted: !r.idempotent(), Err: err, redact: c.redact}
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
	ct := resp.Header.Get("Content-Type")
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
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		s.FileName = params["filename"]
	}
	return s, nil
}

var errTooLarge = errors.New("body too large")

// readCapped reads up to limit bytes. When r holds more it returns
// errTooLarge with everything it read (limit+1 bytes), so that a caller
// streaming the rest loses nothing.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return b, err
	}
	if int64(len(b)) > limit {
		return b, errTooLarge
	}
	return b, nil
}

// failure returns the *Error the response reports, or nil.
func (c *Client) failure(cl *call, r *Request, resp *Response) *Error {
	var e *Error
	body := resp.Body
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
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			e.RetryAfter = d
		}
	}
	if len(body) > MaxErrorBody {
		body = body[:MaxErrorBody]
	}
	e.Body = c.redact.body(body)
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
	c.log(slog.LevelDebug, "vendor reported failure", r, slog.Int("status", e.StatusCode), slog.String("code", c.redact.string(e.Code)), slog.Int("attempts", cl.attempts))
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
		_, hasRA := parseRetryAfter(h.Get("Retry-After"), time.Now())
		return !hasRA
	}
	return true
}

func requestID(h http.Header) string {
	for _, k := range []string{"X-Request-Id", "Request-Id", "X-Correlation-Id"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
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
	if ctx == nil {
		return nil, nil, InvalidFor(c.vendor, "ctx", "must not be nil")
	}
	if r == nil || r.Method == "" {
		return nil, nil, InvalidFor(c.vendor, "request", "method is required")
	}
	u, err := c.url(r)
	if err != nil {
		return nil, nil, withVendor(err, c.vendor)
	}
	body, err := r.encode()
	if err != nil {
		return nil, nil, withVendor(err, c.vendor)
	}
	cl := &call{c: c, idempotent: r.idempotent(), r: r, buffer: buffer}
	cl.oneShot = body != nil && !body.rereadable
	cl.trace.WroteHeaders = cl.wroteHeaders
	tctx := httptrace.WithClientTrace(ctx, &cl.trace)

	var raw any
	if body != nil {
		if body.segments == nil {
			raw = body.data
		} else {
			raw = retryablehttp.ReaderFunc(body.reader)
		}
	}
	if body != nil {
		body.ctx = ctx
	}
	req, err := retryablehttp.NewRequestWithContext(tctx, r.Method, u, raw)
	if err != nil {
		return nil, nil, fmt.Errorf("switchboard: %s: building %s %s: %w", c.vendor, r.Method, r.Path, unwrapURL(err))
	}
	if cl.oneShot {
		// retryablehttp gives every request a GetBody, which net/http calls
		// to resend a body on its own; a one-shot source cannot be resent.
		req.GetBody = nil
	}
	h := req.Header
	for k, vs := range *c.auth.Load() {
		h[k] = vs
	}
	for k, vs := range c.extra {
		h[k] = vs
	}
	for k, vs := range r.Header {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	if h.Get("Accept") == "" {
		h["Accept"] = acceptJSON
	}
	h["User-Agent"] = []string{c.userAgent}
	if body != nil {
		// A request may refine the type ("application/json;
		// charset=utf-8" as a vendor documents it), but a multipart body
		// must keep the boundary it was built with.
		if h.Get("Content-Type") == "" || body.segments != nil || r.Form != nil {
			h["Content-Type"] = []string{body.contentType}
		}
		req.ContentLength = body.length
	}

	rc := &retryablehttp.Client{
		HTTPClient:     c.hc,
		RetryMax:       c.retryMax,
		RetryWaitMin:   c.retryWaitMin,
		RetryWaitMax:   c.retryWaitMax,
		CheckRetry:     cl.checkRetry,
		Backoff:        cl.backoff,
		RequestLogHook: cl.beforeAttempt,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
	}
	resp, err := rc.Do(req)
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

var acceptJSON = []string{"application/json"}

func (c *Client) requestError(cl *call, r *Request, err error, maybe bool) *RequestError {
	e := &RequestError{Vendor: c.vendor, Method: r.Method, Path: r.errPath(), Attempts: cl.attempts, MaybeDelivered: maybe, Err: unwrapURL(err), redact: c.redact}
	lvl := slog.LevelDebug
	if maybe {
		lvl = slog.LevelWarn
	}
	c.log(lvl, "request failed", r, slog.Int("attempts", cl.attempts), slog.Bool("maybe_delivered", maybe), slog.String("error", e.Error()))
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
