package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// call is the state of one Do across its attempts. The delivery-safety
// decision needs to know, per attempt, whether any of the request reached
// the connection; an httptrace hook on the request's context records that
// and CheckRetry reads it.
//
// A call is also the context of its request: the caller's context, plus the
// trace for net/http and the call itself for the hooks of the Client's
// retryablehttp.Client, which are shared by every call and so find their
// state in the context they are handed (checkRetry) or the request's
// (beforeAttempt).
type call struct {
	context.Context // the caller's, or the caller's with the trace added

	c          *Client
	r          *Request
	idempotent bool
	oneShot    bool
	// ownTrace: Value answers httptrace's key with &trace itself, which
	// spares a context.WithValue per call.
	ownTrace bool
	trace    httptrace.ClientTrace
	// enc is the encoded body; memBody says it is all in memory (JSON,
	// form, multipart without files) and each attempt gets a fresh reader
	// over it from beforeAttempt.
	enc     encoded
	memBody bool
	// req is the request, when built here rather than by retryablehttp.
	req retryablehttp.Request

	written    atomic.Bool
	attempts   int
	retryAfter time.Duration
	// unanswered: the last attempt was written and got no answer, so the
	// vendor may have acted on it.
	unanswered bool
	// buffer: the caller wants the whole body (Do, not DoStream), so it is
	// read here, where a cut-off answer can still be retried.
	buffer bool
	// body is the final answer's body when buffer is set; bodyErr is why
	// it could not be read whole (the answer was cut off).
	body    []byte
	bodyErr error
	// lastFailure is the vendor's answer to the last refused attempt, kept
	// for the error if the context ends during the wait that follows.
	lastFailure *Error
}

// traceKey is the key under which net/http/httptrace looks up a
// ClientTrace, learnt once by asking httptrace to look one up in a context
// that records the key. nil when that did not work, and then every call
// adds its trace with httptrace.WithClientTrace.
var traceKey = func() any {
	var p keyProbe
	httptrace.ContextClientTrace(&p)
	if p.key == nil || !reflect.TypeOf(p.key).Comparable() {
		return nil
	}
	// Check that a context answering that key is what httptrace reads.
	t := new(httptrace.ClientTrace)
	if httptrace.ContextClientTrace(&keyedTrace{key: p.key, trace: t}) != t {
		return nil
	}
	return p.key
}()

type keyProbe struct {
	context.Context
	key any
}

func (p *keyProbe) Value(key any) any {
	p.key = key
	return nil
}

type keyedTrace struct {
	context.Context
	key   any
	trace *httptrace.ClientTrace
}

func (k *keyedTrace) Value(key any) any {
	if key == k.key {
		return k.trace
	}
	return nil
}

// setContext makes the call the context of its request, carrying the
// trace.
func (cl *call) setContext(ctx context.Context) {
	if traceKey != nil && httptrace.ContextClientTrace(ctx) == nil {
		cl.Context = ctx
		cl.ownTrace = true
		return
	}
	// The caller traces the request too: WithClientTrace composes both.
	cl.Context = httptrace.WithClientTrace(ctx, &cl.trace)
}

// Value implements context.Context.
func (cl *call) Value(key any) any {
	if cl.ownTrace && key == traceKey {
		return &cl.trace
	}
	return cl.Context.Value(key)
}

// nilContext is what Pages hands a page fetch in place of a nil context:
// send refuses it, as it refuses nil, with a *ValidationError naming the
// vendor, so an iterator given nil yields that error instead of
// panicking. It is cancelled, so any other use stops at once too.
var nilContext context.Context = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return &nilCtx{ctx}
}()

type nilCtx struct{ context.Context }

func (cl *call) wroteHeaders() { cl.written.Store(true) }

// getBody is the request's GetBody for an in-memory body, used by net/http
// to resend it on its own (a redirect, a connection that died unused).
func (cl *call) getBody() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(cl.enc.data)), nil
}

// beforeAttempt runs before every attempt, on the caller's goroutine.
func beforeAttempt(_ retryablehttp.Logger, req *http.Request, i int) {
	cl, ok := req.Context().(*call)
	if !ok {
		return
	}
	cl.attempts = i + 1
	cl.written.Store(false)
	if cl.memBody {
		// A NopCloser over a *bytes.Reader, as retryablehttp builds it,
		// so that net/http knows the body is in memory.
		req.Body = io.NopCloser(bytes.NewReader(cl.enc.data))
	}
}

// checkRetry implements the delivery-safety table of DESIGN.md. When it
// retries, it waits here, with the answer already read and closed, and
// tells retryablehttp not to wait again (noBackoff).
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	cl, ok := ctx.(*call)
	if !ok {
		return false, nil
	}
	c := cl.c
	var wait time.Duration
	cl.lastFailure = nil
	cl.body, cl.bodyErr = nil, nil
	if err == nil && cl.buffer {
		// Read the answer now: an answer cut off before its end (a short
		// body against its Content-Length, a reset while reading) is a
		// transport failure after writing, and for a read it is worth
		// another attempt, which only CheckRetry can grant.
		b, rerr := readBody(resp.Body, MaxResponseBody, resp.ContentLength)
		resp.Body.Close()
		resp.Body = http.NoBody
		switch {
		case rerr == nil:
			cl.body = b
		case errors.Is(rerr, errTooLarge):
			cl.bodyErr = fmt.Errorf("response body larger than %d bytes", MaxResponseBody)
			return false, nil
		default:
			cl.bodyErr = fmt.Errorf("reading response body: %w", rerr)
			err = rerr
		}
	}
	cl.unanswered = err != nil && cl.written.Load()
	if err != nil {
		written := cl.written.Load()
		switch {
		case cl.oneShot:
			// The body was consumed; there is nothing to send again.
			return false, nil
		case written && !cl.idempotent:
			return false, nil
		case !retryableError(err):
			return false, nil
		}
		wait = cl.jitter()
	} else {
		code := resp.StatusCode
		if code < 500 && code != http.StatusTooManyRequests {
			return false, nil
		}
		ra, hasRA := parseRetryAfter(headerValue(resp.Header, "Retry-After"), time.Now())
		switch {
		case code == http.StatusTooManyRequests || (code == http.StatusServiceUnavailable && hasRA):
			// The vendor refused the request without acting on it, so even
			// a send may be repeated.
			if hasRA {
				cl.retryAfter = ra
				if ra > c.retryAfterMax {
					return false, nil
				}
				wait = ra
			} else {
				wait = cl.jitter()
			}
		case code != http.StatusNotImplemented && cl.idempotent:
			wait = cl.jitter()
		default:
			return false, nil
		}
		if cl.oneShot {
			return false, nil
		}
	}
	if cl.attempts > c.retryMax || ctx.Err() != nil {
		return false, nil
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= wait {
		// Waiting would outlive the caller's deadline: stop now with the
		// failure in hand rather than sleep and fail with less information.
		c.log(slog.LevelDebug, "not retrying: deadline before next attempt", cl.r, slog.Int("attempt", cl.attempts), slog.Duration("wait", wait))
		return false, nil
	}
	status := 0
	if resp != nil && cl.bodyErr == nil {
		status = resp.StatusCode
		// Keep what the vendor said in case the wait is cut short, and
		// give the connection back before waiting.
		b := cl.body
		if !cl.buffer {
			// Twice what Error keeps, so that redaction sees a secret
			// that straddles the cut whole.
			b, _ = readCapped(resp.Body, 2*MaxErrorBody)
			resp.Body.Close()
			resp.Body = http.NoBody
		}
		cl.lastFailure = c.failure(cl, cl.r, &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: b, Attempts: cl.attempts})
	}
	c.log(slog.LevelDebug, "retrying", cl.r, slog.Int("attempt", cl.attempts), slog.Int("status", status), slog.Duration("wait", wait))
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false, ctx.Err()
		case <-t.C:
		}
	}
	return true, nil
}

// noBackoff is the Backoff of every Client: checkRetry has waited already.
func noBackoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 }

// jitter returns an exponential backoff for the current attempt with equal
// jitter: half fixed, half random, so retries from many clients spread out
// but never collapse to zero.
func (cl *call) jitter() time.Duration {
	c := cl.c
	d := c.retryWaitMin
	for i := 1; i < cl.attempts && d < c.retryWaitMax; i++ {
		d *= 2
	}
	if d > c.retryWaitMax {
		d = c.retryWaitMax
	}
	half := d / 2
	return half + rand.N(half+1)
}

// retryableError reports whether a transport error may go away on another
// attempt. Bad certificates, bad URLs and redirect loops will not.
// Context errors are left to the caller's context check: a per-attempt
// timeout (ResponseHeaderTimeout) also matches context.DeadlineExceeded but
// is worth another attempt.
func retryableError(err error) bool {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.Is(err, context.Canceled) || errors.Is(err, errProgressPanic) {
		return false
	}
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) {
		return false
	}
	msg := err.Error()
	if strings.Contains(msg, "stopped after") && strings.Contains(msg, "redirects") {
		return false
	}
	if strings.Contains(msg, "unsupported protocol scheme") {
		return false
	}
	return true
}

// parseRetryAfter reads Retry-After as delta seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		const maxSeconds = int64(1<<62) / int64(time.Second)
		if n > maxSeconds {
			n = maxSeconds
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		d = 0
	}
	return d, true
}
