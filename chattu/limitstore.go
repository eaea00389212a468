package chattu

import (
	"context"
	"time"
)

// Limit is one of Chattu's documented rate limits as the client enforces
// it: at most N calls in any window of length Per.
type Limit struct {
	// Key names the limit's state in a store shared by several clients. It
	// identifies the limit and the account (a hash of the API key, never
	// the key itself), so clients of one account share it.
	Key string
	// N calls at most in any window of length Per.
	N   int
	Per time.Duration
}

// Reservation is the answer of LimitStore.Reserve.
type Reservation struct {
	// OK reports that the call was recorded against every limit.
	OK bool
	// ID names the reservation, for Cancel.
	ID string
	// Wait is how long the caller must wait before the call fits every
	// limit: to use a reservation when OK, or, when not OK, the wait it
	// would have needed.
	Wait time.Duration
}

// LimitStore keeps the calls counted against Chattu's limits. The default
// keeps them in memory, per client; a store shared by several instances of
// a service (such as the Redis one in module
// github.com/switchboard-go/switchboard/redisstore) keeps instances that
// share an API key within the limits together.
type LimitStore interface {
	// Reserve records one call against every limit at once, at the
	// earliest time t >= now at which each limit has had fewer than N
	// calls in the window (t-Per, t], provided t-now <= maxWait. When the
	// wait would be longer it records nothing and returns OK false with
	// the wait needed. A store shared between hosts may read its own clock
	// instead of now.
	Reserve(ctx context.Context, limits []Limit, now time.Time, maxWait time.Duration) (Reservation, error)
	// Cancel removes a reservation whose call was not made (its caller
	// gave up while waiting), giving the slot back.
	Cancel(ctx context.Context, limits []Limit, id string) error
}
