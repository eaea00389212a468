package transport

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults for the retry policy. Each can be changed with an Option, within
// the bounds below, so that no configuration can make a call wait forever.
const (
	DefaultRetryMax      = 3
	DefaultRetryWaitMin  = 250 * time.Millisecond
	DefaultRetryWaitMax  = 5 * time.Second
	DefaultRetryAfterMax = 30 * time.Second

	maxRetryMax  = 10
	maxRetryWait = 5 * time.Minute
)

// Option configures a Client. Vendor packages re-export Option and the
// constructors below.
type Option func(*settings) error

type settings struct {
	baseURL       string            // overrides every service's base
	serviceURLs   map[string]string // per-service override
	httpClient    *http.Client
	logger        *slog.Logger
	userAgent     string
	retryMax      int
	retryWaitMin  time.Duration
	retryWaitMax  time.Duration
	retryAfterMax time.Duration
	extraSecrets  []string
	extraHeaders  http.Header
}

func defaultSettings() settings {
	return settings{
		retryMax:      DefaultRetryMax,
		retryWaitMin:  DefaultRetryWaitMin,
		retryWaitMax:  DefaultRetryWaitMax,
		retryAfterMax: DefaultRetryAfterMax,
	}
}

// WithBaseURL sends every request to baseURL instead of the vendor's host.
// For vendors with several hosts all of them go to baseURL, each keeping its
// own path, so one sandbox or proxy can serve them all.
func WithBaseURL(baseURL string) Option {
	return func(s *settings) error {
		if _, err := parseBase(baseURL); err != nil {
			return err
		}
		s.baseURL = baseURL
		return nil
	}
}

// WithServiceURL overrides the base URL of one service of a vendor with
// several hosts. It takes precedence over WithBaseURL for that service.
func WithServiceURL(service, baseURL string) Option {
	return func(s *settings) error {
		if _, err := parseBase(baseURL); err != nil {
			return err
		}
		if s.serviceURLs == nil {
			s.serviceURLs = map[string]string{}
		}
		s.serviceURLs[service] = baseURL
		return nil
	}
}

// WithHTTPClient sends requests through hc. Its Transport is used as is;
// its Timeout, if set, bounds each attempt (prefer a context deadline, which
// bounds the whole call without cutting long uploads).
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return Invalid("WithHTTPClient", "must not be nil")
		}
		s.httpClient = hc
		return nil
	}
}

// WithLogger logs each attempt, retry and failure at debug level (warn for a
// request that may have been delivered). Nothing is logged without it.
// Credentials and query strings never appear in the records.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		s.logger = l
		return nil
	}
}

// WithUserAgent puts the application's product token in front of the SDK's
// own ("myapp/1.2 switchboard-go/0.1.0").
func WithUserAgent(product string) Option {
	return func(s *settings) error {
		if strings.ContainsAny(product, "\r\n") {
			return Invalid("WithUserAgent", "must not contain line breaks")
		}
		s.userAgent = strings.TrimSpace(product)
		return nil
	}
}

// WithRetryMax sets how many times a failed request may be retried (0 to
// 10; default 3). Requests that are not safe to repeat are still never
// retried once written.
func WithRetryMax(n int) Option {
	return func(s *settings) error {
		if n < 0 || n > maxRetryMax {
			return Invalid("WithRetryMax", fmt.Sprintf("must be between 0 and %d", maxRetryMax))
		}
		s.retryMax = n
		return nil
	}
}

// WithRetryWait sets the first and the longest backoff wait between
// attempts (defaults 250ms and 5s). Each wait is jittered.
func WithRetryWait(min, max time.Duration) Option {
	return func(s *settings) error {
		if min <= 0 || max < min || max > maxRetryWait {
			return Invalid("WithRetryWait", "need 0 < min <= max <= 5m")
		}
		s.retryWaitMin, s.retryWaitMax = min, max
		return nil
	}
}

// WithRetryAfterMax caps how long the client will wait when the vendor
// answers 429 or 503 with Retry-After (default 30s). A longer Retry-After is
// not waited for: the call returns *Error carrying RetryAfter.
func WithRetryAfterMax(d time.Duration) Option {
	return func(s *settings) error {
		if d < 0 || d > maxRetryWait {
			return Invalid("WithRetryAfterMax", "must be between 0 and 5m")
		}
		s.retryAfterMax = d
		return nil
	}
}

// WithSecret registers a value that must never be printed (a session cookie
// supplied out of band). Credentials given to New are registered already.
func WithSecret(values ...string) Option {
	return func(s *settings) error {
		s.extraSecrets = append(s.extraSecrets, values...)
		return nil
	}
}

// WithHeader adds a header to every request (for example a session cookie).
// Its value is treated as a secret.
func WithHeader(name, value string) Option {
	return func(s *settings) error {
		if name == "" || strings.ContainsAny(name+value, "\r\n") {
			return Invalid("WithHeader", "needs a name and no line breaks")
		}
		if s.extraHeaders == nil {
			s.extraHeaders = http.Header{}
		}
		s.extraHeaders.Add(name, value)
		s.extraSecrets = append(s.extraSecrets, value)
		return nil
	}
}

func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, Invalid("base URL", "must be an absolute http or https URL")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, Invalid("base URL", "must not carry a query, fragment or user info")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}
