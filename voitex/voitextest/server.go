package voitextest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/sandbox"
	"github.com/switchboard-go/switchboard/voitex"
)

// DefaultAuthKey is the Auth-Key a sandbox accepts unless WithCredentials
// says otherwise.
const DefaultAuthKey = "voitex-sandbox-auth-key"

// DefaultLabels are the label numbers a sandbox account has unless
// WithLabels says otherwise.
var DefaultLabels = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}

// MaxStoredFile bounds how much of each uploaded file the sandbox keeps in
// Recording.Data and Attachment.Data.
const MaxStoredFile = 1 << 20

// Recorded is one request the sandbox received, as it arrived, for a test
// that asserts on the wire. Its fields: Method, Path and RawQuery (the
// request line's); Header (a copy, the Auth-Key included: it is the test's
// own traffic); Body (the start of the body, at most 1 MiB); and Fault, the
// fault injected into it: "fail", "delay", "drop", "drop-response", or ""
// for none.
type Recorded = sandbox.Recorded

// Served is one request as WithObserver's function sees it, once the
// sandbox has answered it. Its fields:
//
//   - Recorded: the request, as Requests records it (Method, Path,
//     RawQuery, Header with credentials, the start of Body, Fault).
//   - Status int: the HTTP status answered; 0 when the connection was
//     closed without an answer (DropNext, DropResponseNext, or a client
//     that gave up during DelayNext).
//   - ContentType string, Response []byte, ResponseSize int64: the answer's
//     Content-Type, the start of its body (at most 16 KiB) and its full size.
//   - Received time.Time, Duration time.Duration: when the request arrived
//     (real time, not the sandbox clock) and how long the answer took,
//     injected delays included.
type Served = sandbox.Served

// Server is a running sandbox. It is safe for concurrent use.
type Server struct {
	// URL is the sandbox's base URL ("http://127.0.0.1:port"), serving all
	// four Voitex hosts' paths; voitex.WithBaseURL(s.URL) points a client
	// at it.
	URL string

	sb *sandbox.Server

	mu         sync.Mutex
	keys       []string
	labels     map[int]bool
	custom     map[string]bool
	dnc        map[string]bool
	recordings []*Recording
	contacts   []*contact
	calls      []NotificationCall
	sms        []SMS
	notifies   []Notification
	deliveries []Delivery
	seq        int
}

// Option configures NewServer.
type Option func(*options)

type options struct {
	keys     []string
	labels   []int
	custom   []string
	dnc      []string
	clock    func() time.Time
	listener net.Listener
	observer func(Served)
}

// WithCredentials replaces the accepted Auth-Keys (several for rotation
// tests); NewClient uses the first.
func WithCredentials(keys ...string) Option {
	return func(o *options) { o.keys = append([]string(nil), keys...) }
}

// WithLabels replaces the label numbers that exist on the account.
func WithLabels(labels ...int) Option {
	return func(o *options) { o.labels = append([]int{}, labels...) }
}

// WithCustomFields enables extra contact fields beyond the documented ones
// (first_name ... field_j, address, city, state, zip).
func WithCustomFields(names ...string) Option {
	return func(o *options) { o.custom = append(o.custom, names...) }
}

// WithDoNotCall puts numbers on the account's do-not-call list: a Notify
// sent with dnc=1 skips them (reason "dnc").
func WithDoNotCall(numbers ...string) Option {
	return func(o *options) { o.dnc = append(o.dnc, numbers...) }
}

// WithClock sets the base of the sandbox's clock (time.Now by default):
// timestamps, ids, Notify scheduling and date_time of API Branch requests
// read it, and Advance moves it forward.
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// WithListener serves the sandbox on l instead of a new loopback port, so
// that it runs at an address fixed in advance: a local dev server whose
// URL an application is configured with (examples/devserver). URL is
// "http://" + l.Addr(); Close closes l.
func WithListener(l net.Listener) Option { return func(o *options) { o.listener = l } }

// WithObserver calls fn for every request the sandbox receives, faulted
// ones included, once it has been answered: a way to watch an
// application's traffic live, which keeps going after the request log is
// full. fn runs on the request's goroutine, so it must be quick and safe
// for concurrent use.
func WithObserver(fn func(Served)) Option { return func(o *options) { o.observer = fn } }

// NewServer starts a sandbox. Close it when done.
func NewServer(opts ...Option) *Server {
	o := options{keys: []string{DefaultAuthKey}, labels: DefaultLabels}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	s := &Server{keys: o.keys, labels: map[int]bool{}, custom: map[string]bool{}, dnc: map[string]bool{}}
	for _, l := range o.labels {
		s.labels[l] = true
	}
	for _, n := range o.custom {
		s.custom[n] = true
	}
	for _, n := range o.dnc {
		s.dnc[n] = true
	}
	s.sb = sandbox.New(http.HandlerFunc(s.serve), sandbox.WithListener(o.listener), sandbox.WithObserver(o.observer))
	s.sb.Clock.SetBase(o.clock)
	s.URL = s.sb.URL
	return s
}

// NewClient returns a voitex.Client pointed at the sandbox (all four hosts)
// with the first accepted Auth-Key and short retry waits; opts come after
// and may change either.
func (s *Server) NewClient(opts ...voitex.Option) (*voitex.Client, error) {
	key := DefaultAuthKey
	if len(s.keys) > 0 {
		key = s.keys[0]
	}
	all := append([]voitex.Option{voitex.WithBaseURL(s.URL), voitex.WithRetryWait(5*time.Millisecond, 20*time.Millisecond)}, opts...)
	return voitex.New(key, all...)
}

// Close shuts the sandbox down, dropping open connections.
func (s *Server) Close() { s.sb.Close() }

// Client returns an HTTP client that talks to the sandbox, for requests a
// test writes by hand.
func (s *Server) Client() *http.Client { return s.sb.Client() }

// Now is the sandbox's current time: the clock's base (WithClock) plus
// every Advance.
func (s *Server) Now() time.Time { return s.sb.Clock.Now() }

// Advance moves the sandbox's clock forward by d, so that a scheduled
// Notify falls due without the test sleeping.
func (s *Server) Advance(d time.Duration) { s.sb.Clock.Advance(d) }

// FailNext makes the next n requests answer status with body, without
// Voitex acting on them. A 429 or 503 carries Retry-After: 0, so the client
// retries it at once. FailNextError writes Voitex's own envelopes for you.
func (s *Server) FailNext(n, status int, body string) { s.sb.FailNext(n, status, body) }

// FailNextWithHeader is FailNext with response headers of the test's
// choosing (Retry-After as seconds or a date, or none at all).
func (s *Server) FailNextWithHeader(n, status int, body string, h http.Header) {
	s.sb.FailNextWithHeader(n, status, body, h)
}

// DelayNext holds each of the next n requests for d (or until the client
// gives up) before Voitex answers it.
func (s *Server) DelayNext(n int, d time.Duration) { s.sb.DelayNext(n, d) }

// DropNext reads each of the next n requests whole, then closes the
// connection without answering and without Voitex acting: the client
// cannot know that, which is what a send's ErrMaybeDelivered is about.
func (s *Server) DropNext(n int) { s.sb.DropNext(n) }

// DropResponseNext lets Voitex act on each of the next n requests (send the
// SMS, place the call) and then closes the connection without answering:
// the case that makes a retried send a duplicate.
func (s *Server) DropResponseNext(n int) { s.sb.DropResponseNext(n) }

// ClearFaults removes the faults not used yet.
func (s *Server) ClearFaults() { s.sb.ClearFaults() }

// Requests returns every request received, faulted ones included, oldest
// first.
func (s *Server) Requests() []Recorded { return s.sb.Requests() }

// Count reports how many requests with method and path the sandbox saw,
// faulted ones included ("/send/", "/" for contacts and notification calls).
func (s *Server) Count(method, path string) int { return s.sb.Count(method, path) }

// ResetLog forgets the requests seen so far.
func (s *Server) ResetLog() { s.sb.ResetLog() }

// FailNextError makes the next n requests answer the Voitex failure named
// by code, in Voitex's own envelope and status, without Voitex acting on
// them. The client then returns a *voitex.Error that matches:
//
//	code                        status  Voitex says                          errors.Is
//	voitex.CodeUnauthorized     401     Invalid Auth-Key                     ErrUnauthorized
//	voitex.CodePhoneInUse       200     contact already exists with phone(s) ErrPhoneInUse, ErrValidation
//	voitex.CodeContactNotFound  200     No contact found for phone           ErrContactNotFound, ErrNotFound
//	voitex.CodeLastPhone        200     Cannot remove the last phone         ErrLastPhone, ErrValidation
//	voitex.CodeLabelNotFound    200     Invalid label number(s)              ErrLabelNotFound, ErrValidation
//	voitex.CodeNoValidPhone     200     No valid phone number provided       ErrNoValidPhone, ErrValidation
//	"validation"                200     body is required                     ErrValidation (Code "error")
//	"failure"                   200     a Notify failure, every number       ErrValidation (Code "failure")
//	                                    rejected, with request_id
//	"rate_limited"              429     Too many requests                    ErrRateLimited (Code "error")
//	"server_error"              500     Internal server error                ErrMaybeDelivered for a send,
//	                                                                         none for a select (Code "error")
//
// A 500 does not prove that Voitex refused a send (it, or its gateway, may
// have acted first), so the client's error for an upload, call, SMS, Notify
// or contact change matches ErrMaybeDelivered even though the sandbox did
// nothing. A 429 carries Retry-After: 0, so the client retries it: make n
// larger than its retries (WithRetryMax, default 3) to see the error. A 500
// to a read (a contact select) is retried too. An unknown code is an error
// and changes nothing.
func (s *Server) FailNextError(n int, code string) error {
	status, body, ok := failureBody(code)
	if !ok {
		return fmt.Errorf("voitextest: unknown error code %q (want one of %s)", code, strings.Join(failureCodes(), ", "))
	}
	s.FailNext(n, status, body)
	return nil
}

// failures are the envelopes FailNextError writes, as Voitex writes them.
var failures = map[string]struct {
	status int
	body   string
}{
	voitex.CodeUnauthorized:    {http.StatusUnauthorized, `{"status":"error","data":"","errors":["Invalid Auth-Key"]}`},
	voitex.CodePhoneInUse:      {http.StatusOK, `{"status":"error","errors":["contact already exists with phone(s): 7325550184"]}`},
	voitex.CodeContactNotFound: {http.StatusOK, `{"status":"error","errors":["No contact found for phone: 7325550184"]}`},
	voitex.CodeLastPhone:       {http.StatusOK, `{"status":"error","errors":["Cannot remove the last phone on a contact: 7325550184"]}`},
	voitex.CodeLabelNotFound:   {http.StatusOK, `{"status":"error","errors":["Invalid label number(s): 99"]}`},
	voitex.CodeNoValidPhone:    {http.StatusOK, `{"status":"error","errors":["No valid phone number provided"]}`},
	"validation":               {http.StatusOK, `{"status":"error","data":"","errors":["body is required"]}`},
	"failure": {http.StatusOK, `{"request_id":"req_0a1b2c3d4e","status":"failure","summary":{"route":"single","type":"SMS","mode":"phones",` +
		`"valid_count":0,"invalid_count":1,"recipient_estimate":0},"invalid":{"123":"invalid_format"},"errors":[]}`},
	"rate_limited": {http.StatusTooManyRequests, `{"status":"error","errors":["Too many requests"]}`},
	"server_error": {http.StatusInternalServerError, `{"status":"error","errors":["Internal server error"]}`},
}

func failureBody(code string) (int, string, bool) {
	f, ok := failures[code]
	return f.status, f.body, ok
}

func failureCodes() []string {
	out := make([]string, 0, len(failures))
	for k := range failures {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// AddLabels creates label numbers on the account.
func (s *Server) AddLabels(labels ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range labels {
		s.labels[l] = true
	}
}

// serve authenticates and routes by path. The contacts API and the legacy
// notification call share "/" (two hosts, one sandbox): a request with a
// function field is a contacts call.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "Method not allowed")
		return
	}
	if !s.authorized(r.Header) {
		writeError(w, http.StatusUnauthorized, "Invalid Auth-Key")
		return
	}
	f, err := readForm(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Malformed request body")
		return
	}
	switch strings.TrimSuffix(r.URL.Path, "/") {
	case "/upload":
		s.upload(w, f)
	case "/send":
		s.sendSMS(w, f)
	case "/notify":
		s.notify(w, f)
	case "":
		if _, ok := f.values["function"]; ok {
			s.contactsAPI(w, f)
		} else {
			s.notificationCall(w, f)
		}
	default:
		writeError(w, http.StatusNotFound, "Not found")
	}
}

func (s *Server) authorized(h http.Header) bool {
	got := h.Get(voitex.HeaderAuthKey)
	if got == "" {
		got = h.Get("auth_key") // the spelling of one documentation sample
	}
	if got == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ok := false
	for _, k := range s.keys {
		if len(k) == len(got) && k == got {
			ok = true
		}
	}
	return ok
}

// form is a request's fields with trimmed names (the samples write
// "album_number " and "from "), and its files.
type form struct {
	values map[string]string
	files  map[string][]*multipart.FileHeader
}

func (f *form) get(name string) string { return strings.TrimSpace(f.values[name]) }

func (f *form) raw(name string) string { return f.values[name] }

func (f *form) has(name string) bool { _, ok := f.values[name]; return ok }

func readForm(r *http.Request) (*form, error) {
	f := &form{values: map[string]string{}, files: map[string][]*multipart.FileHeader{}}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return nil, err
		}
		for k, fhs := range r.MultipartForm.File {
			k = strings.TrimSpace(k)
			f.files[k] = append(f.files[k], fhs...)
		}
	} else if err := r.ParseForm(); err != nil {
		return nil, err
	}
	for k, vs := range r.PostForm {
		if len(vs) > 0 {
			f.values[strings.TrimSpace(k)] = vs[len(vs)-1]
		}
	}
	return f, nil
}

// envelope writers. Voitex reports failures with HTTP 200 and
// "status":"error"; the sandbox does the same except for authentication
// and routing failures.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msgs ...string) {
	writeJSON(w, status, map[string]any{"status": "error", "errors": msgs})
}

func fail(w http.ResponseWriter, msgs ...string) { writeError(w, http.StatusOK, msgs...) }

func writeData(w http.ResponseWriter, data any) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "data": data, "errors": []string{}})
}

func randomID(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// validPhone accepts what the documentation shows and the voitex client
// sends, and nothing the client refuses: 10 digits whose area code does not
// start with 0 or 1, or 11 digits starting with 1. The client removes
// punctuation and a "+1" before sending, so the wire carries digits only.
func validPhone(p string) bool {
	p = normalizePhone(p)
	return len(p) == 10 && loose.IsDigits(p) && p[0] >= '2'
}

func normalizePhone(p string) string {
	p = strings.TrimSpace(p)
	if len(p) == 11 && p[0] == '1' {
		return p[1:]
	}
	return p
}

// nanpReason returns why Voitex would reject a recipient, or "".
func nanpReason(p string) string {
	if !validPhone(p) {
		return "invalid_format"
	}
	p = normalizePhone(p)
	area := p[:3]
	if area == "555" || (area[1] == '1' && area[2] == '1') {
		return "unallocated_nanp"
	}
	return ""
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func readFile(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxStoredFile))
}

func sortedInts(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k, ok := range m {
		if ok {
			out = append(out, k)
		}
	}
	sort.Ints(out)
	return out
}

// now reads the sandbox clock.
func (s *Server) now() time.Time { return s.sb.Clock.Now() }
