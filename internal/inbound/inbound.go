// Package inbound is the one runner under every vendor's inbound handler
// (Voxio's relay, Chattu's webhooks, Voitex's API Branch): the body cap,
// the body read deadline, the callback deadline, panic recovery and error
// reporting, so that the three handlers behave alike where the vendors do
// not differ.
package inbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/debug"
	"time"
)

// Defaults every handler starts from.
const (
	// DefaultMaxBody caps a request body; larger bodies are answered 413.
	DefaultMaxBody int64 = 1 << 20
	// DefaultReadTimeout bounds how long a handler waits for the whole
	// body. The vendors send small JSON bodies in one go; a sender
	// trickling bytes is answered 408 instead of holding the request (and
	// a goroutine) open.
	DefaultReadTimeout = 5 * time.Second
)

var (
	// ErrBodyTooLarge is reported when the body exceeds the cap (413).
	ErrBodyTooLarge = errors.New("switchboard: request body too large")
	// ErrReadTimeout is reported when the body did not arrive within the
	// read deadline (408).
	ErrReadTimeout = errors.New("switchboard: request body not received in time")
	// ErrCallbackTimeout is reported when the user's callback did not
	// return within its deadline; the handler answered without it.
	ErrCallbackTimeout = errors.New("switchboard: callback did not return in time")
)

// PanicError is a panic recovered from the user's callback. The handler
// answered as for any other callback failure; the process did not crash.
type PanicError struct {
	// Value is what the callback panicked with.
	Value any
	// Stack is the goroutine's stack at the panic.
	Stack []byte
}

// Error implements error. It does not print Value, which user code chose
// and could hold a secret; read Value and Stack from the struct.
func (e *PanicError) Error() string {
	return fmt.Sprintf("switchboard: callback panicked (%T)", e.Value)
}

// Runner holds the limits one handler enforces. Its zero value uses the
// defaults and reports nothing.
type Runner struct {
	// MaxBody caps the body (DefaultMaxBody when 0).
	MaxBody int64
	// ReadTimeout bounds reading the body (DefaultReadTimeout when 0).
	ReadTimeout time.Duration
	// OnError receives every rejected request and every callback failure.
	OnError func(*http.Request, error)
}

// CheckLimits validates the limits set by a handler option, so that a bad
// value is a construction error, never a silent default.
func CheckLimits(maxBody int64, readTimeout time.Duration) error {
	if maxBody < 0 {
		return errors.New("max body must not be negative")
	}
	if readTimeout < 0 {
		return errors.New("read timeout must not be negative")
	}
	return nil
}

// ReadBody reads the request body under the cap and the read deadline. On
// failure it has answered (413, 408 or 400) and reported, and returns
// false.
func (rn *Runner) ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	limit := rn.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	rt := rn.ReadTimeout
	if rt <= 0 {
		rt = DefaultReadTimeout
	}
	if r.ContentLength > limit {
		rn.fail(w, r, http.StatusRequestEntityTooLarge, ErrBodyTooLarge)
		return nil, false
	}
	// The deadline is on the connection, so a slow sender is cut off by
	// the server itself and no goroutine waits on it. A ResponseWriter
	// that cannot set one (a test recorder) holds its body in memory, and
	// is recognised without the cost of a failing ResponseController.
	deadline := false
	if canSetDeadline(w) {
		rc := http.NewResponseController(w)
		if rc.SetReadDeadline(time.Now().Add(rt)) == nil {
			deadline = true
			defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
		}
	}
	var body []byte
	var err error
	if !deadline && r.Context().Value(http.LocalAddrContextKey) != nil {
		// A real connection behind a wrapper that hides its deadline (a
		// logging middleware without Unwrap): read on another goroutine and
		// stop waiting at the timeout. The answer carries Connection:
		// close, so the server closes the connection and the reader ends.
		body, err = readWithTimer(r.Body, limit, rt)
	} else {
		body, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
	}
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		w.Header().Set("Connection", "close")
		rn.fail(w, r, http.StatusRequestTimeout, ErrReadTimeout)
		return nil, false
	case err != nil:
		rn.fail(w, r, http.StatusBadRequest, fmt.Errorf("switchboard: reading request body: %w", err))
		return nil, false
	case int64(len(body)) > limit:
		rn.fail(w, r, http.StatusRequestEntityTooLarge, ErrBodyTooLarge)
		return nil, false
	}
	return body, true
}

// readWithTimer reads up to limit+1 bytes of body, giving up after d with
// os.ErrDeadlineExceeded.
func readWithTimer(body io.Reader, limit int64, d time.Duration) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1) // buffered: a late reader must not block
	go func() {
		b, err := io.ReadAll(io.LimitReader(body, limit+1))
		done <- result{b, err}
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case res := <-done:
		return res.b, res.err
	case <-t.C:
		return nil, os.ErrDeadlineExceeded
	}
}

// canSetDeadline reports whether w, or a writer it wraps, may support
// read deadlines.
func canSetDeadline(w http.ResponseWriter) bool {
	switch w.(type) {
	case interface{ SetReadDeadline(time.Time) error }, interface{ Unwrap() http.ResponseWriter }:
		return true
	}
	return false
}

func (rn *Runner) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	http.Error(w, http.StatusText(status), status)
	rn.Report(r, err)
}

// Report hands err to OnError, if set. A panic in OnError is recovered:
// the answer has been decided already.
func (rn *Runner) Report(r *http.Request, err error) {
	if rn.OnError == nil || err == nil {
		return
	}
	defer func() { _ = recover() }()
	rn.OnError(r, err)
}

// Invoke calls fn and returns what it returned, or a *PanicError if it
// panicked. With a timeout above zero fn runs on its own goroutine and
// Invoke returns ErrCallbackTimeout once the timeout passes; fn's context
// is then cancelled and what it returns later is dropped. With no timeout
// fn runs on the caller's goroutine.
func Invoke[T any](ctx context.Context, timeout time.Duration, fn func(context.Context) (T, error)) (T, error) {
	if timeout <= 0 {
		return protect(ctx, fn)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1) // buffered: a late fn must not block forever
	go func() {
		v, err := protect(ctx, fn)
		done <- result{v, err}
	}()
	// The context's own timer is the deadline: no second timer.
	select {
	case res := <-done:
		cancel()
		return res.v, res.err
	case <-ctx.Done():
		err := ctx.Err()
		cancel()
		var zero T
		if errors.Is(err, context.DeadlineExceeded) {
			return zero, ErrCallbackTimeout
		}
		return zero, err // the request itself ended
	}
}

func protect[T any](ctx context.Context, fn func(context.Context) (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p) // the user asked net/http to abort the connection
			}
			var zero T
			v, err = zero, &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	return fn(ctx)
}
