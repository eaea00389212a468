package chattutest

import (
	"time"

	"github.com/switchboard-go/switchboard/chattu"
)

// NewClient returns a chattu.Client for this sandbox, as the other vendors'
// sandboxes do: the account's API key, the dashboard session cookie (so the
// session-only endpoints work), and short retry waits so that tests which
// inject faults do not sleep through production backoffs. opts come last
// and win.
func (s *Server) NewClient(opts ...chattu.Option) (*chattu.Client, error) {
	base := []chattu.Option{
		chattu.WithSessionCookie(s.SessionCookie()),
		chattu.WithRetryWait(5*time.Millisecond, 20*time.Millisecond),
	}
	return chattu.New(s.URL, s.APIKey(), append(base, opts...)...)
}
