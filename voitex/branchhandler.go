package voitex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/switchboard-go/switchboard/internal/inbound"
	"github.com/switchboard-go/switchboard/relay"
)

// BranchFunc decides what a caller at an API Branch does next. It runs while
// the caller waits in silence: it gets a context that ends at the handler's
// deadline and should answer well within it. Returning an error, panicking,
// missing the deadline or returning an invalid response all make the
// handler answer with its fallback instead. A nil response with a nil error
// answers {}, which makes Voitex follow the Trigger's "No Route Found"
// setting.
type BranchFunc func(ctx context.Context, call *BranchRequest) (*BranchResponse, error)

// Limits of the API Branch handler. Voitex documents no deadline; a caller
// hearing silence for longer than a few seconds tends to hang up.
const (
	// DefaultBranchTimeout is how long BranchFunc may take before the
	// handler answers with the fallback.
	DefaultBranchTimeout = 3 * time.Second
	// MaxBranchTimeout is the longest deadline WithBranchTimeout accepts.
	MaxBranchTimeout = 30 * time.Second
	// DefaultBranchMaxBody caps a request body (413 above it).
	DefaultBranchMaxBody = inbound.DefaultMaxBody
	// DefaultBranchReadTimeout bounds how long the handler waits for the
	// whole body; a sender trickling bytes is answered 408.
	DefaultBranchReadTimeout = inbound.DefaultReadTimeout
)

// Errors reported to the WithBranchOnError callback. The first three were
// answered with their HTTP status, since the request never became a call;
// for ErrCallbackTimeout, ErrBranchRequest and ErrBranchResponse the caller
// got the fallback. A *DateTimeError (ErrBranchDateTime) is reported
// without changing the answer: BranchFunc still runs.
var (
	// ErrBodyTooLarge: the body exceeded WithBranchMaxBody (answered 413).
	ErrBodyTooLarge = inbound.ErrBodyTooLarge
	// ErrReadTimeout: the body did not arrive within WithBranchReadTimeout
	// (answered 408, the connection closed).
	ErrReadTimeout = inbound.ErrReadTimeout
	// ErrCallbackTimeout: BranchFunc did not answer within
	// WithBranchTimeout. Its context was cancelled and whatever it returns
	// later is dropped.
	ErrCallbackTimeout = inbound.ErrCallbackTimeout
	// ErrBranchRequest: the request body could not be read as an API
	// Branch request.
	ErrBranchRequest = errors.New("voitex: unreadable API Branch request")
	// ErrBranchResponse: BranchFunc returned a response that fails
	// Validate.
	ErrBranchResponse = errors.New("voitex: invalid API Branch response")
)

// PanicError is a panic recovered from BranchFunc: the handler answered
// with the fallback and the process did not crash. Match it with
// errors.As(err, &pe), pe a *voitex.PanicError, in the WithBranchOnError
// callback, and read Value (what was passed to panic; its text is not in
// Error(), since user code chose it) and Stack (the goroutine's stack at
// the panic).
type PanicError = inbound.PanicError

// BranchError is what WithBranchOnError receives for a failure after the
// request was read as a call: the call the caller is in, so a log line can
// name it, and the cause. errors.Is and errors.As see through it to Err
// (ErrCallbackTimeout, ErrBranchResponse, a *PanicError, BranchFunc's own
// error, or a *DateTimeError, the one report after which the call went on
// as usual). Call prints without payment data.
type BranchError struct {
	// Call is the request the caller's IVR sent.
	Call *BranchRequest
	// Err is what went wrong.
	Err error
}

// Error names the call and the cause.
func (e *BranchError) Error() string {
	id := ""
	if e.Call != nil {
		id = e.Call.CallID
	}
	return fmt.Sprintf("voitex: API Branch call %q: %v", id, e.Err)
}

// Unwrap returns Err.
func (e *BranchError) Unwrap() error { return e.Err }

// BranchOption configures NewBranchHandler. An option given a value it
// cannot use makes NewBranchHandler fail, rather than fall back to a
// default the caller did not ask for.
type BranchOption func(*branchConfig) error

type branchConfig struct {
	timeout     time.Duration
	fallback    *BranchResponse
	onError     func(*http.Request, error)
	maxBody     int64
	readTimeout time.Duration
	loc         *time.Location
}

// WithBranchTimeout sets the deadline for BranchFunc (default 3 s, at most
// 30 s), after which the caller gets the fallback.
func WithBranchTimeout(d time.Duration) BranchOption {
	return func(c *branchConfig) error {
		if d <= 0 || d > MaxBranchTimeout {
			return invalid("WithBranchTimeout", "must be between 0 and 30s")
		}
		c.timeout = d
		return nil
	}
}

// WithBranchFallback sets the answer given when BranchFunc fails, panics,
// times out or returns an invalid response, typically Goto(operatorBranch)
// so that the caller reaches a person instead of being dropped. The default
// is {}: the Trigger's "No Route Found" setting. The fallback is validated
// here.
func WithBranchFallback(r *BranchResponse) BranchOption {
	return func(c *branchConfig) error {
		if r == nil {
			r = &BranchResponse{}
		}
		if err := r.Validate(); err != nil {
			return err
		}
		c.fallback = r
		return nil
	}
}

// WithBranchOnError receives every request the handler refused or answered
// without BranchFunc's response, for logging and alerting: ErrBodyTooLarge,
// ErrReadTimeout, ErrBranchRequest, and, wrapped in a *BranchError naming
// the call, ErrCallbackTimeout, ErrBranchResponse, a *PanicError or
// BranchFunc's own error. It also receives, wrapped the same way, a
// *DateTimeError (errors.Is(err, ErrBranchDateTime)) for a request whose
// date_time could not be read: that call is not failed, BranchFunc runs
// with DateTime zero and the text in DateTimeText. It runs on the request's
// goroutine before the answer is written, so keep it quick; a panic in it
// is contained.
func WithBranchOnError(fn func(*http.Request, error)) BranchOption {
	return func(c *branchConfig) error {
		c.onError = fn
		return nil
	}
}

// WithBranchMaxBody caps the request body (default 1 MiB); a larger body is
// answered 413 before BranchFunc runs.
func WithBranchMaxBody(n int64) BranchOption {
	return func(c *branchConfig) error {
		if n <= 0 {
			return invalid("WithBranchMaxBody", "must be positive")
		}
		c.maxBody = n
		return nil
	}
}

// WithBranchReadTimeout bounds how long the handler waits for the whole
// request body (default 5 s). A sender trickling bytes is answered 408 and
// its connection closed, instead of holding a goroutine.
func WithBranchReadTimeout(d time.Duration) BranchOption {
	return func(c *branchConfig) error {
		if d <= 0 {
			return invalid("WithBranchReadTimeout", "must be positive")
		}
		c.readTimeout = d
		return nil
	}
}

// WithBranchLocation reads date_time in loc, the zone the Voitex account is
// set to (default UTC). A date_time sent as an instant (RFC 3339 or unix
// seconds) keeps its instant and is shown in loc.
func WithBranchLocation(loc *time.Location) BranchOption {
	return func(c *branchConfig) error {
		if loc == nil {
			return invalid("WithBranchLocation", "must not be nil")
		}
		c.loc = loc
		return nil
	}
}

// configError is a construction failure of the handler: its text is the
// cause's (which names Voitex), and it matches relay.ErrConfig like every
// handler constructor's failures, besides the cause (a *ValidationError
// for a bad option).
type configError struct{ err error }

// Error is the cause's text.
func (e *configError) Error() string { return e.err.Error() }

// Unwrap returns the cause.
func (e *configError) Unwrap() error { return e.err }

// Is matches relay.ErrConfig.
func (e *configError) Is(target error) bool { return target == relay.ErrConfig }

func configErr(format string, args ...any) error {
	return &configError{fmt.Errorf("voitex: "+format, args...)}
}

// BranchHandler answers Voitex's API Branch requests: mount it at the URL
// configured on the API Branch. It is safe for concurrent use.
type BranchHandler struct {
	guarded http.Handler
}

// NewBranchHandler returns the handler to mount at the URL configured on the
// API Branch. Voitex signs nothing, so a guard from relay is required:
// relay.SecretToken (a random token in the URL), relay.BasicAuth or
// relay.IPAllowlist, or several chained with relay.Chain. Requests the
// guard rejects never reach fn.
//
// The handler answers every authenticated POST whose body arrives within
// the limits with HTTP 200 and JSON within the deadline: fn's response, or
// the fallback if fn fails in any way, so a live caller is never dropped by
// a 500. Every construction failure matches relay.ErrConfig; a bad option
// is also a *ValidationError naming it.
func NewBranchHandler(guard relay.Middleware, fn BranchFunc, opts ...BranchOption) (*BranchHandler, error) {
	if guard == nil {
		return nil, configErr("an API Branch handler needs a guard (relay.SecretToken, relay.BasicAuth or relay.IPAllowlist): Voitex signs nothing")
	}
	if fn == nil {
		return nil, configErr("nil BranchFunc")
	}
	cfg := branchConfig{timeout: DefaultBranchTimeout, fallback: &BranchResponse{}, maxBody: DefaultBranchMaxBody,
		readTimeout: DefaultBranchReadTimeout, loc: time.UTC}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, &configError{err}
		}
	}
	if err := inbound.CheckLimits(cfg.maxBody, cfg.readTimeout); err != nil {
		return nil, configErr("%v", err)
	}
	fb, err := json.Marshal(cfg.fallback)
	if err != nil {
		return nil, &configError{err}
	}
	core := &branchCore{
		run:      inbound.Runner{MaxBody: cfg.maxBody, ReadTimeout: cfg.readTimeout, OnError: cfg.onError},
		fn:       fn,
		timeout:  cfg.timeout,
		fallback: fb,
		loc:      cfg.loc,
	}
	guarded := guard(core)
	if guarded == nil {
		return nil, configErr("the guard returned a nil handler")
	}
	return &BranchHandler{guarded: guarded}, nil
}

// ServeHTTP runs the guard, then answers the API Branch request. A
// BranchHandler not built by NewBranchHandler has no guard and answers 500
// rather than serve an unguarded IVR.
func (h *BranchHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h == nil || h.guarded == nil {
		http.Error(w, "voitex: BranchHandler not built with NewBranchHandler", http.StatusInternalServerError)
		return
	}
	h.guarded.ServeHTTP(w, r)
}

// branchCore is the handler behind the guard.
type branchCore struct {
	run      inbound.Runner
	fn       BranchFunc
	timeout  time.Duration
	fallback []byte
	loc      *time.Location
}

// ServeHTTP reads, decodes and answers one API Branch request.
func (h *branchCore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	body, ok := h.run.ReadBody(w, r)
	if !ok {
		return
	}
	call, err := parseBranchRequest(body, h.loc)
	if err != nil {
		h.fail(w, r, fmt.Errorf("%w: %v", ErrBranchRequest, err))
		return
	}
	if err := call.DateTimeErr(); err != nil {
		// Worth knowing, not worth failing a live call over: the call goes
		// on with DateTime zero and the text in DateTimeText.
		h.run.Report(r, &BranchError{Call: call, Err: err})
	}
	resp, err := inbound.Invoke(r.Context(), h.timeout, func(ctx context.Context) (*BranchResponse, error) {
		return h.fn(ctx, call)
	})
	if err != nil {
		h.fail(w, r, &BranchError{Call: call, Err: err})
		return
	}
	if resp == nil {
		resp = &BranchResponse{}
	}
	out, err := json.Marshal(resp)
	if err != nil {
		h.fail(w, r, &BranchError{Call: call, Err: fmt.Errorf("%w: %w", ErrBranchResponse, err)})
		return
	}
	writeJSON(w, out)
}

// fail reports err and answers with the fallback.
func (h *branchCore) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.run.Report(r, err)
	writeJSON(w, h.fallback)
}

func writeJSON(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
