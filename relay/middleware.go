package relay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// DefaultMaxBodyBytes caps a verified body. Webhook events are small; a cap
// keeps a flood of large bodies from exhausting memory before any check runs.
const DefaultMaxBodyBytes int64 = 1 << 20

// Middleware wraps a handler. It has the same shape as chi's and most other
// routers' middleware, so values convert without adapters.
type Middleware func(http.Handler) http.Handler

// Chain applies mws so that the first runs first (outermost), which reads in
// the order the checks happen.
func Chain(mws ...Middleware) Middleware {
	return func(next http.Handler) http.Handler {
		for i := len(mws) - 1; i >= 0; i-- {
			if mws[i] != nil {
				next = mws[i](next)
			}
		}
		return next
	}
}

// HandlerOption configures the verifying middleware and the guards.
type HandlerOption func(*handlerConfig)

type handlerConfig struct {
	maxBody    int64
	maxBodySet bool
	onError    func(*http.Request, error)
}

// WithOnError registers a callback that receives every rejection with its
// typed error, so the reason can be logged and counted while the client only
// sees a generic status. The error text never contains a MAC, secret or body.
func WithOnError(fn func(*http.Request, error)) HandlerOption {
	return func(c *handlerConfig) { c.onError = fn }
}

// WithMaxBodyBytes changes the body cap of Verifier.Middleware (default
// 1 MiB). Guards never read the body, so giving it to one is a config error
// rather than a silently ignored setting.
func WithMaxBodyBytes(n int64) HandlerOption {
	return func(c *handlerConfig) { c.maxBody, c.maxBodySet = n, true }
}

func buildHandlerConfig(readsBody bool, opts []HandlerOption) (handlerConfig, error) {
	cfg := handlerConfig{maxBody: DefaultMaxBodyBytes}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.maxBodySet && !readsBody {
		return cfg, fmt.Errorf("%w: WithMaxBodyBytes applies only to Verifier.Middleware", ErrConfig)
	}
	if cfg.maxBody <= 0 {
		return cfg, fmt.Errorf("%w: max body bytes %d must be positive", ErrConfig, cfg.maxBody)
	}
	return cfg, nil
}

type ctxKey struct{}

type verified struct {
	body []byte
	res  Result
}

// RawBody returns the exact bytes that were verified, or nil outside the
// middleware. The slice is shared with the request's Body reader: do not
// modify it.
func RawBody(ctx context.Context) []byte {
	if v, ok := ctx.Value(ctxKey{}).(*verified); ok {
		return v.body
	}
	return nil
}

// VerificationFromContext returns the middleware's Result (which secret
// matched, the signed time) and whether the request passed through it.
func VerificationFromContext(ctx context.Context) (Result, bool) {
	if v, ok := ctx.Value(ctxKey{}).(*verified); ok {
		return v.res, true
	}
	return Result{}, false
}

// Middleware returns an http middleware that reads the body (capped), verifies
// it before anything parses it, and passes the next handler the identical
// bytes both as a fresh r.Body and through RawBody. Failures answer 400
// (missing or malformed header), 401 (bad signature, outside the window,
// replay), 413 (body too large) or 503 (replay cache unavailable) with a body
// that only names the status.
//
// If the next handler answers 5xx or panics, the delivery is released from
// the replay cache (see Verifier.Release) so that the vendor's retry of the
// same signed request is processed rather than rejected as a replay.
func (v *Verifier) Middleware(opts ...HandlerOption) (Middleware, error) {
	if v == nil {
		return nil, fmt.Errorf("%w: nil Verifier", ErrConfig)
	}
	cfg, err := buildHandlerConfig(true, opts)
	if err != nil {
		return nil, err
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, err := ReadBody(w, r, cfg.maxBody)
			if err != nil {
				writeFailure(w, r, err, cfg.onError)
				return
			}
			res, err := v.Verify(r.Context(), r.Header, body)
			if err != nil {
				writeFailure(w, r, err, cfg.onError)
				return
			}
			ctx := context.WithValue(r.Context(), ctxKey{}, &verified{body: body, res: res})
			r2 := r.WithContext(ctx)
			r2.Body = io.NopCloser(bytes.NewReader(body))
			r2.ContentLength = int64(len(body))
			r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }

			if res.replayKey == "" {
				next.ServeHTTP(w, r2)
				return
			}
			rec := &statusRecorder{ResponseWriter: w}
			completed := false
			defer func() {
				// Runs during a panic too, without recovering it, so the
				// server still logs the original stack.
				if !completed || rec.status >= 500 {
					if err := v.Release(context.WithoutCancel(ctx), res); err != nil && cfg.onError != nil {
						cfg.onError(r, err)
					}
				}
			}()
			next.ServeHTTP(rec, r2)
			completed = true
		})
	}, nil
}

// ReadBody reads r.Body up to limit bytes and fails with ErrBodyTooLarge
// beyond it. It is exported so vendor handlers whose vendor does not sign
// apply the same cap and status as the verifying middleware.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("%w: body limit %d must be positive", ErrConfig, limit)
	}
	if r.ContentLength > limit {
		// Refuse before reading a byte of a declared oversize body.
		return nil, fmt.Errorf("%w: declared %d bytes, limit %d", ErrBodyTooLarge, r.ContentLength, limit)
	}
	if r.Body == nil || r.Body == http.NoBody {
		return []byte{}, nil
	}
	// MaxBytesReader also tells the server to close the connection, so the
	// rest of an oversize body is not read for keep-alive.
	body := http.MaxBytesReader(w, r.Body, limit)
	size := int64(512)
	if r.ContentLength >= 0 {
		size = r.ContentLength + 1 // +1 so the final EOF read needs no growth
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, limit)
			}
			return nil, fmt.Errorf("relay: reading body: %w", err)
		}
	}
}

// statusRecorder notes the status so the middleware can release a delivery
// the handler failed. Unwrap keeps http.ResponseController working.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 && code >= 200 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// Flush keeps streaming handlers working through the wrapper.
func (s *statusRecorder) Flush() {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
