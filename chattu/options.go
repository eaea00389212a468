package chattu

import (
	"net/http"
	"strings"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// Keys under which Chattu's own options travel through the shared Option
// type (transport.Extension).
type (
	sessionCookieKey struct{}
	rateLimitKey     struct{}
)

// WithSessionCookie supplies the dashboard's login session, which the
// session-only endpoints require (chat interface, schedules, deleting a
// client, sending to a group as the dashboard does). cookie is the Cookie
// header value as the browser sends it after logging in, one or more
// "name=value" pairs separated by "; " (for example
// "connect.sid=s%3Aabc..."). It is a secret: it never appears in errors or
// logs. It is sent only to the endpoints that accept a session.
func WithSessionCookie(cookie string) Option {
	return transport.Extension(sessionCookieKey{}, func(any) (any, error) {
		c := strings.TrimSpace(cookie)
		if c == "" {
			return nil, transport.Invalid("WithSessionCookie", "required")
		}
		if strings.ContainsAny(c, "\r\n") {
			return nil, transport.Invalid("WithSessionCookie", "must not contain line breaks")
		}
		if len(splitCookies(c)) == 0 {
			return nil, transport.Invalid("WithSessionCookie", `must be "name=value" pairs as in a Cookie header`)
		}
		return c, nil
	})
}

// WithRateLimit turns on a client-side limiter that keeps the client within
// Chattu's documented limits, per client: 100 API requests per 15 minutes,
// 60 chat-interface requests per minute, 5 sensitive operations (API key
// reset, client deletion) per hour and 10 deletions per 15 minutes. A call
// over a limit waits for its turn within its context; if the context would
// end first it fails at once with an error matching ErrRateLimited and
// context.DeadlineExceeded, and nothing is sent. The vendor counts per IP
// address, so clients sharing an address should share a Client.
func WithRateLimit() Option {
	return transport.Extension(rateLimitKey{}, func(any) (any, error) { return true, nil })
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
