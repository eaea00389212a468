package chattu

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// Option configures New. It is Chattu's own type, so an option of another
// Switchboard vendor package does not compile where a Chattu option is
// expected: a misplaced option is caught by the compiler, not at run time.
type Option func(*settings)

// settings is what the options of one New call collect: the transport's
// options, in order, and Chattu's own settings.
type settings struct {
	transport  []transport.Option
	session    string
	rateLimit  bool
	limitStore LimitStore
	failOpen   bool
	storeWait  bool
	logger     *slog.Logger
	// err is the first invalid option value; New returns it.
	err error
}

func (s *settings) add(o transport.Option) { s.transport = append(s.transport, o) }

func (s *settings) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// WithBaseURL sends every request to baseURL instead of the one given to
// New, for a proxy in front of the deployment or a sandbox. It must be an
// absolute http or https URL without query or user info.
func WithBaseURL(baseURL string) Option {
	return func(s *settings) { s.add(transport.WithBaseURL(baseURL)) }
}

// WithHTTPClient sends requests through hc, whose Transport is used as is
// (a corporate proxy, custom TLS, an in-memory transport in tests). Prefer
// a context deadline to hc.Timeout: the context bounds the whole call,
// retries included.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) { s.add(transport.WithHTTPClient(hc)) }
}

// WithLogger logs every attempt, retry and failure to l (debug level; warn
// for a send that may have been delivered). Nothing is logged without it,
// and no record holds the API key, the session cookie or a password.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) {
		s.logger = l
		s.add(transport.WithLogger(l))
	}
}

// WithUserAgent puts the application's product token ("shop-bot/1.2") in
// front of the SDK's own, so that Chattu's logs tell the applications
// sharing an account apart.
func WithUserAgent(product string) Option {
	return func(s *settings) { s.add(transport.WithUserAgent(product)) }
}

// WithRetryMax sets how many times a failed request may be retried (0 to
// 10; default 3). Sends are never retried once written, whatever the
// value, so that a message cannot go out twice.
func WithRetryMax(n int) Option {
	return func(s *settings) { s.add(transport.WithRetryMax(n)) }
}

// WithRetryWait sets the first and the longest backoff between attempts
// (defaults 250 ms and 5 s; each wait is jittered), for callers that would
// rather fail fast, or tests that inject faults.
func WithRetryWait(min, max time.Duration) Option {
	return func(s *settings) { s.add(transport.WithRetryWait(min, max)) }
}

// WithRetryAfterMax caps how long a 429, or a 503 with Retry-After, is
// waited for (default 30 s). Chattu's limits are counted per 15 minutes or
// per hour, so a longer Retry-After is not waited for: the call returns an
// *Error carrying RetryAfter and the caller decides.
func WithRetryAfterMax(d time.Duration) Option {
	return func(s *settings) { s.add(transport.WithRetryAfterMax(d)) }
}

// WithSessionCookie supplies the dashboard's login session, which the
// session-only endpoints require (chat interface, schedules, deleting a
// client, sending to a group as the dashboard does). cookie is the Cookie
// header value as the browser sends it after logging in, one or more
// "name=value" pairs separated by "; " (for example
// "connect.sid=s%3Aabc..."). It is a secret: it never appears in errors or
// logs. It is sent only to the session-only endpoints, and they get it
// instead of the API key, as their docs show. Given twice, the last one
// wins.
func WithSessionCookie(cookie string) Option {
	return func(s *settings) {
		c := strings.TrimSpace(cookie)
		switch {
		case c == "":
			s.fail(invalid("WithSessionCookie", "required"))
		case strings.ContainsAny(c, "\r\n"):
			s.fail(invalid("WithSessionCookie", "must not contain line breaks"))
		case len(splitCookies(c)) == 0:
			s.fail(invalid("WithSessionCookie", `must be "name=value" pairs as in a Cookie header`))
		default:
			s.session = c
		}
	}
}

// WithRateLimit turns on a client-side limiter that keeps the client within
// Chattu's documented limits: 100 API requests per 15 minutes, 60
// chat-interface requests per minute, 5 sensitive operations (API key
// reset, client deletion) per hour and 10 deletions per 15 minutes, each
// counted over a sliding window (never more than N calls in any window of
// that length). A call over a limit waits for its turn within its context;
// if the context would end first it fails at once with an error matching
// ErrRateLimited and context.DeadlineExceeded, and nothing is sent. A call
// whose context ends while it waits gives its turn back.
//
// The calls are counted in memory, per client (a MemoryLimitStore of its
// own). The vendor counts per IP address, so clients sharing an address
// should share a Client, or a store: see WithLimitStore.
func WithRateLimit() Option {
	return func(s *settings) { s.rateLimit = true }
}

// WithLimitStore turns on the client-side limiter of WithRateLimit with the
// calls counted in store, for clients that must stay within Chattu's
// limits together: several clients in one process sharing a
// MemoryLimitStore, or the instances of a service behind a load balancer
// sharing a store in Redis (module
// github.com/switchboard-go/switchboard/redisstore). Clients created with
// the same API key share their counts; the store keys name each limit and
// a hash of the key, never the key itself. A client keeps counting under
// the key it was created with after ResetAPIKey or SetAPIKey switches it,
// so that a reset does not start its counts afresh.
//
// When the store fails (Redis down or not answering in time), the call is
// not made and fails with an error matching ErrLimitStore that wraps the
// store's error; nothing reaches Chattu. WithLimitStoreFailOpen chooses to
// send it anyway, without the limits. A nil store is an error of New.
func WithLimitStore(store LimitStore) Option {
	return func(s *settings) {
		if store == nil {
			s.fail(invalid("WithLimitStore", "required: a LimitStore"))
			return
		}
		s.limitStore, s.rateLimit = store, true
	}
}

// WithLimitStoreFailOpen makes a call proceed without the client-side limits
// when the limit store fails, instead of failing with ErrLimitStore, and
// logs a warning for each such call through the WithLogger logger (with no
// logger, nothing is logged). Choose it when sending matters more than
// staying within Chattu's limits during a store outage: Chattu may then
// answer 429 (ErrRateLimited). It needs WithRateLimit or WithLimitStore;
// without either it is an error of New, since there would be no limits to
// fail open.
func WithLimitStoreFailOpen() Option {
	return func(s *settings) { s.failOpen = true }
}

// WithLimitStoreWait makes a call wait for the limit store when it fails,
// asking it again with a capped, jittered backoff until it answers or the
// call's context ends (then the error matches ErrLimitStore, and nothing was
// sent). Choose it when a call may wait out a short store outage but must
// never go out unlimited. It needs WithRateLimit or WithLimitStore, and
// excludes WithLimitStoreFailOpen.
func WithLimitStoreWait() Option {
	return func(s *settings) { s.storeWait = true }
}

// splitCookies returns the cookie values of a Cookie header value (only
// well-formed pairs), used to check the option and to register each value
// as a secret.
func splitCookies(h string) []string {
	cs, err := http.ParseCookie(h)
	if err != nil {
		return nil
	}
	vals := make([]string, 0, len(cs))
	for _, c := range cs {
		vals = append(vals, c.Value)
	}
	return vals
}
