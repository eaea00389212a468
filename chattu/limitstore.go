package chattu

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
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

// MemoryLimitStore is the LimitStore WithRateLimit uses: the calls counted
// against each limit, kept in the memory of one process. Give one store to
// several clients (WithLimitStore) for them to share their limits within a
// process; instances on several hosts need a shared store.
//
// Each limit is a sliding log of the times its calls were reserved for,
// including calls reserved for later by callers still waiting, so that no
// window of length Per ever holds more than N of them. It is safe for
// concurrent use, and its zero value is an empty store.
type MemoryLimitStore struct {
	mu   sync.Mutex
	logs map[string][]stamp
	seq  uint64
}

// stamp is one reserved call of a limit: when it may be made, and its
// reservation.
type stamp struct {
	at time.Time
	id string
}

// NewMemoryLimitStore returns an empty store.
func NewMemoryLimitStore() *MemoryLimitStore {
	return &MemoryLimitStore{logs: map[string][]stamp{}}
}

var _ LimitStore = (*MemoryLimitStore)(nil)

// Reserve implements LimitStore on now, the clock the caller passes. Limits
// must each have a Key, N >= 1 and a positive Per, and no Key may appear
// twice; otherwise it returns an error and records nothing. No limits at
// all is an immediate OK. A negative maxWait counts as 0. It never fails
// otherwise.
func (s *MemoryLimitStore) Reserve(_ context.Context, limits []Limit, now time.Time, maxWait time.Duration) (Reservation, error) {
	if err := checkLimits(limits); err != nil {
		return Reservation{}, err
	}
	if len(limits) == 0 {
		return Reservation{OK: true}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.logs == nil {
		s.logs = map[string][]stamp{}
	}
	// A call at t is allowed by a limit when no N recorded calls that lie
	// within less than Per of each other share a window of length Per with
	// it: t must not fall in the open span (last-Per, first+Per) of any N
	// consecutive calls closer than Per. The earliest allowed t >= now
	// comes from sweeping every limit's spans in order of their start.
	var spans [][2]time.Time
	for _, l := range limits {
		log := s.prune(l.Key, now.Add(-l.Per))
		for j := 0; j+l.N <= len(log); j++ {
			first, last := log[j].at, log[j+l.N-1].at
			if last.Sub(first) < l.Per {
				spans = append(spans, [2]time.Time{last.Add(-l.Per), first.Add(l.Per)})
			}
		}
	}
	slices.SortFunc(spans, func(a, b [2]time.Time) int { return a[0].Compare(b[0]) })
	at := now
	for _, sp := range spans {
		if sp[0].Before(at) && at.Before(sp[1]) {
			at = sp[1]
		}
	}
	wait := at.Sub(now)
	if wait > max(maxWait, 0) {
		return Reservation{Wait: wait}, nil
	}
	s.seq++
	id := strconv.FormatUint(s.seq, 10)
	for _, l := range limits {
		log := s.logs[l.Key]
		i, _ := slices.BinarySearchFunc(log, at, func(e stamp, t time.Time) int {
			if e.at.After(t) {
				return 1
			}
			return -1
		})
		s.logs[l.Key] = slices.Insert(log, i, stamp{at: at, id: id})
	}
	return Reservation{OK: true, ID: id, Wait: wait}, nil
}

// Cancel implements LimitStore: it removes the reservation id from every
// limit. An unknown id (already cancelled, or past its windows) or an empty
// one does nothing. It never fails.
func (s *MemoryLimitStore) Cancel(_ context.Context, limits []Limit, id string) error {
	if id == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range limits {
		log := slices.DeleteFunc(s.logs[l.Key], func(e stamp) bool { return e.id == id })
		if len(log) == 0 {
			delete(s.logs, l.Key)
		} else {
			s.logs[l.Key] = log
		}
	}
	return nil
}

// prune drops the calls of key made at or before cutoff, which no window
// reaching now can hold any more, and returns the rest. A key left without
// calls is forgotten.
func (s *MemoryLimitStore) prune(key string, cutoff time.Time) []stamp {
	log := s.logs[key]
	i := 0
	for i < len(log) && !log[i].at.After(cutoff) {
		i++
	}
	if i == len(log) {
		delete(s.logs, key)
		return nil
	}
	if i > 0 {
		log = slices.Delete(log, 0, i)
		s.logs[key] = log
	}
	return log
}

// checkLimits rejects limits a store cannot count. Errors name the limit by
// position, never by key.
func checkLimits(limits []Limit) error {
	seen := make(map[string]bool, len(limits))
	for i, l := range limits {
		switch {
		case l.Key == "":
			return fmt.Errorf("chattu: limit %d has no key", i)
		case seen[l.Key]:
			return fmt.Errorf("chattu: limit %d repeats the key of an earlier one", i)
		case l.N < 1:
			return fmt.Errorf("chattu: limit %d allows %d calls", i, l.N)
		case l.Per <= 0:
			return fmt.Errorf("chattu: limit %d has a window of %v", i, l.Per)
		}
		seen[l.Key] = true
	}
	return nil
}
