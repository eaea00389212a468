package voitex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

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

// DefaultBranchTimeout is how long BranchFunc may take before the handler
// answers with the fallback. Voitex documents no deadline; a caller hearing
// silence for longer than a few seconds tends to hang up.
const DefaultBranchTimeout = 3 * time.Second

// Errors reported to the WithBranchOnError callback; the caller gets
// the fallback in each case.
var (
	// ErrBranchTimeout: BranchFunc did not answer within the deadline.
	ErrBranchTimeout = errors.New("voitex: API Branch function missed its deadline")
	// ErrBranchRequest: the request body could not be read as an API
	// Branch request.
	ErrBranchRequest = errors.New("voitex: unreadable API Branch request")
	// ErrBranchResponse: BranchFunc returned a response that fails
	// Validate.
	ErrBranchResponse = errors.New("voitex: invalid API Branch response")
)

// PanicError is a panic recovered from BranchFunc.
type PanicError struct {
	// Value is what was passed to panic.
	Value any
	// Stack is the goroutine's stack at the panic.
	Stack []byte
}

// Error implements error.
func (e *PanicError) Error() string {
	return fmt.Sprintf("voitex: API Branch function panicked: %v", e.Value)
}

// BranchOption configures NewBranchHandler.
type BranchOption func(*branchConfig) error

type branchConfig struct {
	timeout  time.Duration
	fallback *BranchResponse
	fbBody   []byte
	onError  func(ctx context.Context, call *BranchRequest, err error)
	maxBody  int64
	loc      *time.Location
}

// WithBranchTimeout sets the deadline for BranchFunc (default 3 s, at most
// 30 s).
func WithBranchTimeout(d time.Duration) BranchOption {
	return func(c *branchConfig) error {
		if d <= 0 || d > 30*time.Second {
			return &ValidationError{Field: "WithBranchTimeout", Rule: "must be between 0 and 30s"}
		}
		c.timeout = d
		return nil
	}
}

// WithBranchFallback sets the answer given when BranchFunc fails, panics, times out
// or returns an invalid response, typically Goto(operatorBranch) so that the
// caller reaches a person instead of being dropped. The default is {}: the
// Trigger's "No Route Found" setting. The fallback is validated here.
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

// WithBranchOnError receives every failure the caller was shielded
// from (ErrBranchTimeout, ErrBranchRequest, ErrBranchResponse, a
// *PanicError or BranchFunc's own error), for logging and alerting. call is
// nil when the body could not be read. It runs on the request's goroutine
// before the fallback is written, so keep it quick.
func WithBranchOnError(fn func(ctx context.Context, call *BranchRequest, err error)) BranchOption {
	return func(c *branchConfig) error {
		c.onError = fn
		return nil
	}
}

// WithBranchMaxBody caps the request body (default relay.DefaultMaxBodyBytes,
// 1 MiB); a larger body is answered 413.
func WithBranchMaxBody(n int64) BranchOption {
	return func(c *branchConfig) error {
		if n <= 0 {
			return &ValidationError{Field: "WithBranchMaxBody", Rule: "must be positive"}
		}
		c.maxBody = n
		return nil
	}
}

// WithBranchLocation reads date_time in loc, the zone the Voitex account is
// set to (default UTC).
func WithBranchLocation(loc *time.Location) BranchOption {
	return func(c *branchConfig) error {
		if loc == nil {
			return &ValidationError{Field: "WithBranchLocation", Rule: "must not be nil"}
		}
		c.loc = loc
		return nil
	}
}

// NewBranchHandler returns the http.Handler to mount at the URL configured
// on the API Branch. Voitex signs nothing, so a guard from relay is
// required: relay.SecretToken (a random token in the URL), relay.BasicAuth
// or relay.IPAllowlist, or several chained with relay.Chain. Requests the
// guard rejects never reach fn.
//
// The handler answers every authenticated POST with HTTP 200 and JSON within
// the deadline: fn's response, or the fallback if fn fails in any way, so a
// live caller is never dropped by a 500.
func NewBranchHandler(guard relay.Middleware, fn BranchFunc, opts ...BranchOption) (http.Handler, error) {
	if guard == nil {
		return nil, fmt.Errorf("%w: an API Branch handler needs a guard (relay.SecretToken, relay.BasicAuth or relay.IPAllowlist): Voitex signs nothing", relay.ErrConfig)
	}
	if fn == nil {
		return nil, fmt.Errorf("%w: nil BranchFunc", relay.ErrConfig)
	}
	cfg := branchConfig{timeout: DefaultBranchTimeout, fallback: &BranchResponse{}, maxBody: relay.DefaultMaxBodyBytes, loc: time.UTC}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			// A bad option is a configuration error like a missing guard
			// (relay.ErrConfig, as every handler constructor reports it),
			// and still names the option (*ValidationError).
			return nil, fmt.Errorf("%w: %w", relay.ErrConfig, err)
		}
	}
	fb, err := json.Marshal(cfg.fallback)
	if err != nil {
		return nil, err
	}
	cfg.fbBody = fb
	h := &branchHandler{cfg: cfg, fn: fn}
	inner := guard(h)
	if inner == nil {
		return nil, fmt.Errorf("%w: the guard returned a nil handler", relay.ErrConfig)
	}
	return inner, nil
}

type branchHandler struct {
	cfg branchConfig
	fn  BranchFunc
}

type branchResult struct {
	resp *BranchResponse
	err  error
}

func (h *branchHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	body, err := relay.ReadBody(w, r, h.cfg.maxBody)
	if err != nil {
		if errors.Is(err, relay.ErrBodyTooLarge) {
			code := relay.HTTPStatus(err)
			http.Error(w, http.StatusText(code), code)
			return
		}
		h.fail(w, r.Context(), nil, fmt.Errorf("%w: %v", ErrBranchRequest, err))
		return
	}
	call, err := ParseBranchRequest(body)
	if err != nil {
		h.fail(w, r.Context(), nil, fmt.Errorf("%w: %v", ErrBranchRequest, err))
		return
	}
	if h.cfg.loc != time.UTC && !call.DateTime.IsZero() {
		d := call.DateTime
		call.DateTime = time.Date(d.Year(), d.Month(), d.Day(), d.Hour(), d.Minute(), d.Second(), d.Nanosecond(), h.cfg.loc)
	}

	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.timeout)
	defer cancel()
	done := make(chan branchResult, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- branchResult{err: &PanicError{Value: v, Stack: debug.Stack()}}
			}
		}()
		resp, err := h.fn(ctx, call)
		done <- branchResult{resp: resp, err: err}
	}()

	var res branchResult
	select {
	case res = <-done:
	case <-ctx.Done():
		h.fail(w, r.Context(), call, fmt.Errorf("%w (%s)", ErrBranchTimeout, h.cfg.timeout))
		return
	}
	if res.err != nil {
		h.fail(w, r.Context(), call, res.err)
		return
	}
	if res.resp == nil {
		res.resp = &BranchResponse{}
	}
	out, err := json.Marshal(res.resp)
	if err != nil {
		h.fail(w, r.Context(), call, fmt.Errorf("%w: %w", ErrBranchResponse, err))
		return
	}
	writeJSON(w, out)
}

func (h *branchHandler) fail(w http.ResponseWriter, ctx context.Context, call *BranchRequest, err error) {
	if h.cfg.onError != nil {
		func() {
			// A failing error hook must not cost the caller the fallback.
			defer func() { _ = recover() }()
			h.cfg.onError(ctx, call, err)
		}()
	}
	writeJSON(w, h.cfg.fbBody)
}

func writeJSON(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
