package voitextest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-go/switchboard/internal/sandbox"
	"github.com/switchboard-go/switchboard/voitex"
)

// DefaultAuthKey is the Auth-Key a sandbox accepts unless WithAuthKeys says
// otherwise.
const DefaultAuthKey = "voitex-sandbox-auth-key"

// DefaultLabels are the label numbers a sandbox account has unless
// WithLabels says otherwise.
var DefaultLabels = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}

// MaxStoredFile bounds how much of each uploaded file the sandbox keeps in
// Recording.Data and Attachment.Data.
const MaxStoredFile = 1 << 20

// Server is a running sandbox. It is safe for concurrent use.
//
// The embedded *sandbox.Server supplies what every Switchboard sandbox has:
// URL, Close and Client (an *http.Client for it); fault injection with
// FailNext(n, status, body), FailNextWithHeader, DelayNext(n, d),
// DropNext(n) (the request is read, the connection closes and the vendor
// never acts), DropResponseNext(n) (the vendor acts, then the answer is
// lost) and ClearFaults; and the request log: Requests, Count(method, path)
// and ResetLog.
type Server struct {
	*sandbox.Server

	mu         sync.Mutex
	keys       []string
	now        func() time.Time
	labels     map[int]bool
	custom     map[string]bool
	dnc        map[string]bool
	recordings []*Recording
	contacts   []*contact
	calls      []NotificationCall
	sms        []SMS
	notifies   []Notification
	seq        int
}

// Option configures NewServer.
type Option func(*Server)

// WithAuthKeys replaces the accepted Auth-Keys (several for rotation tests).
func WithAuthKeys(keys ...string) Option {
	return func(s *Server) { s.keys = append([]string(nil), keys...) }
}

// WithLabels replaces the label numbers that exist on the account.
func WithLabels(labels ...int) Option {
	return func(s *Server) {
		s.labels = map[int]bool{}
		for _, l := range labels {
			s.labels[l] = true
		}
	}
}

// WithCustomFields enables extra contact fields beyond the documented ones
// (first_name ... field_j, address, city, state, zip).
func WithCustomFields(names ...string) Option {
	return func(s *Server) {
		for _, n := range names {
			s.custom[n] = true
		}
	}
}

// WithDoNotCall puts numbers on the account's do-not-call list: a Notify
// sent with dnc=1 skips them (reason "dnc").
func WithDoNotCall(numbers ...string) Option {
	return func(s *Server) {
		for _, n := range numbers {
			s.dnc[n] = true
		}
	}
}

// WithClock replaces time.Now for timestamps, ids and scheduling.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// NewServer starts a sandbox. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{keys: []string{DefaultAuthKey}, now: time.Now, custom: map[string]bool{}, dnc: map[string]bool{}}
	WithLabels(DefaultLabels...)(s)
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	s.Server = sandbox.New(http.HandlerFunc(s.serve))
	return s
}

// NewClient returns a voitex.Client pointed at the sandbox (all four hosts)
// with the first accepted Auth-Key and short retry waits.
func (s *Server) NewClient(opts ...voitex.Option) (*voitex.Client, error) {
	key := DefaultAuthKey
	if len(s.keys) > 0 {
		key = s.keys[0]
	}
	all := append([]voitex.Option{voitex.WithBaseURL(s.URL), voitex.WithRetryWait(5*time.Millisecond, 20*time.Millisecond)}, opts...)
	return voitex.New(key, all...)
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

// validPhone accepts the 10-digit NANP numbers the documentation uses, or
// 11 digits starting with 1.
func validPhone(p string) bool {
	p = normalizePhone(p)
	if len(p) != 10 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
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
	if p[0] < '2' {
		return "invalid_format"
	}
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
