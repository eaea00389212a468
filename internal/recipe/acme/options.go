package acme

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// Option configures a Client.
type Option func(*settings)

type settings struct{ transport []transport.Option }

func with(o transport.Option) Option {
	return func(s *settings) { s.transport = append(s.transport, o) }
}

// WithBaseURL sends requests to another server (a sandbox, a proxy).
func WithBaseURL(u string) Option { return with(transport.WithBaseURL(u)) }

// WithHTTPClient sends requests through hc.
func WithHTTPClient(hc *http.Client) Option { return with(transport.WithHTTPClient(hc)) }

// WithLogger logs attempts, retries and failures; nothing without it.
func WithLogger(l *slog.Logger) Option { return with(transport.WithLogger(l)) }

// WithUserAgent puts the application's product token first.
func WithUserAgent(p string) Option { return with(transport.WithUserAgent(p)) }

// WithRetryMax bounds retries; sends are never repeated once written.
func WithRetryMax(n int) Option { return with(transport.WithRetryMax(n)) }

// WithRetryWait sets the first and the longest backoff wait.
func WithRetryWait(min, max time.Duration) Option { return with(transport.WithRetryWait(min, max)) }

// WithRetryAfterMax caps how long a Retry-After is waited for.
func WithRetryAfterMax(d time.Duration) Option { return with(transport.WithRetryAfterMax(d)) }
