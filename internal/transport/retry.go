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
type call struct {
	c          *Client
	r          *Request
	idempotent bool
	oneShot    bool
	trace      httptrace.ClientTrace

	written    atomic.Bool
	attempts   int
	nextWait   time.Duration
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

func (cl *call) wroteHeaders() { cl.written.Store(true) }

// beforeAttempt runs before every attempt, on the caller's goroutine.
func (cl *call) beforeAttempt(_ retryablehttp.Logger, _ *http.Request, i int) {
	cl.attempts = i + 1
	cl.written.Store(false)
	cl.nextWait = 0
}

// checkRetry implements the delivery-safety table of DESIGN.md.
func (cl *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	c := cl.c
	var wait time.Duration
	cl.lastFailure = nil
	cl.body, cl.bodyErr = nil, nil
	if err == nil && cl.buffer {
		// Read the answer now: an answer cut off before its end (a short
		// body against its Content-Length, a reset while reading) is a
		// transport failure after writing, and for a read it is worth
		// another attempt, which only CheckRetry can grant.
		b, rerr := readCapped(resp.Body, MaxResponseBody)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(nil))
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
		ra, hasRA := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
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
		case code >= 500 && code != http.StatusNotImplemented && cl.idempotent:
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
	cl.nextWait = wait
	status := 0
	if resp != nil && cl.bodyErr == nil {
		status = resp.StatusCode
		// retryablehttp drains this body before waiting; keep what the
		// vendor said in case the wait is cut short.
		b := cl.body
		if !cl.buffer {
			b, _ = readCapped(resp.Body, MaxErrorBody)
			resp.Body.Close()
			resp.Body = io.NopCloser(bytes.NewReader(nil))
		}
		if len(b) > MaxErrorBody {
			b = b[:MaxErrorBody]
		}
		cl.lastFailure = c.failure(cl, cl.r, &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: b, Attempts: cl.attempts})
	}
	c.log(slog.LevelDebug, "retrying", cl.r, slog.Int("attempt", cl.attempts), slog.Int("status", status), slog.Duration("wait", wait))
	return true, nil
}

func (cl *call) backoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
	return cl.nextWait
}

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
	if errors.Is(err, context.Canceled) {
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
