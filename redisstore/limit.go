package redisstore

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/switchboard-go/switchboard/chattu"
)

var _ chattu.LimitStore = (*LimitStore)(nil)

// maxWindow bounds a limit's window and a caller's wait. Times are
// microseconds in a double inside the script, exact up to 2^53 (year 2255),
// so the bound keeps every sum far below that.
const maxWindow = 366 * 24 * time.Hour

// LimitStore is a chattu.LimitStore kept in Redis, so that every instance
// of a service sending with one Chattu API key stays within Chattu's limits
// together, not each on its own. Give the same store (or stores on the same
// Redis and prefix) to each instance's client.
//
// Each limit is a sliding log: a sorted set holding one member per
// reservation, scored by the microsecond at which its call may be made (now
// or, for a caller who waits, later). A reservation against several limits
// is one Lua script, so it is atomic across instances: it finds the earliest
// time at which a call fits every limit, without ever placing more than N
// calls in any window of length Per (counting calls already reserved for
// later), and records it under every limit, or records nothing. Times come
// from Redis's own clock (TIME), so instances with skewed clocks agree; the
// now argument of Reserve is not used. A key expires once its last call has
// left every window.
//
// It is safe for concurrent use, and holds no state besides the client.
type LimitStore struct {
	client redis.UniversalClient
	cfg    config
}

// NewLimitStore returns a store on client (a *redis.Client, a cluster or a
// failover client). The key prefix defaults to DefaultLimitPrefix and each
// call is bounded by DefaultTimeout; see WithKeyPrefix and WithTimeout. A
// nil client is an ErrConfig error. It does not contact Redis.
func NewLimitStore(client redis.UniversalClient, opts ...Option) (*LimitStore, error) {
	cfg, err := newConfig(client, DefaultLimitPrefix, opts)
	if err != nil {
		return nil, err
	}
	return &LimitStore{client: client, cfg: cfg}, nil
}

// reserveScript reserves one call against every limit in KEYS.
//
// ARGV[1] is the reservation id (the member added to every set), ARGV[2]
// the longest wait the caller accepts, then for each key its N and Per.
// Times are integer microseconds; they are written back with
// string.format('%d') because Lua's default number formatting keeps only 14
// digits. It returns {1, wait} when recorded, {0, wait} when the wait would
// exceed the caller's.
//
// A call at time t is allowed by a limit when, with it, no N+1 calls fit in
// a window (x-Per, x]; that is, when for no N consecutive recorded calls
// s[j] .. s[j+N-1] lying within less than Per of each other does t fall in
// the open span (s[j+N-1]-Per, s[j]+Per). The earliest allowed t >= now is
// found by sweeping the spans of every limit in order of their start.
const reserveScript = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local maxwait = tonumber(ARGV[2])
local spans = {}
local last = {}
for i, key in ipairs(KEYS) do
  local n = tonumber(ARGV[2 * i + 1])
  local per = tonumber(ARGV[2 * i + 2])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%d', now - per))
  local rows = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  local s = {}
  for j = 2, #rows, 2 do s[#s + 1] = tonumber(rows[j]) end
  for j = 1, #s - n + 1 do
    local a, b = s[j], s[j + n - 1]
    if b - a < per then spans[#spans + 1] = {b - per, a + per} end
  end
  last[i] = s[#s] or now
end
table.sort(spans, function(x, y) return x[1] < y[1] end)
local at = now
for _, span in ipairs(spans) do
  if span[1] < at and at < span[2] then at = span[2] end
end
local wait = at - now
if wait > maxwait then return {0, wait} end
local score = string.format('%d', at)
for i, key in ipairs(KEYS) do
  local per = tonumber(ARGV[2 * i + 2])
  redis.call('ZADD', key, score, ARGV[1])
  local keep = math.max(at, last[i]) + per - now
  redis.call('PEXPIRE', key, string.format('%d', math.ceil(keep / 1000)))
end
return {1, wait}
`

var reserve = redis.NewScript(reserveScript)

// Reserve implements chattu.LimitStore: it records one call against every
// limit at the earliest time, by Redis's clock, at which each limit has had
// fewer than N calls in every window of length Per containing it, provided
// the wait is at most maxWait; otherwise it records nothing and returns OK
// false with the wait that would have been needed. The returned Wait is
// relative, so the caller sleeps it on its own clock.
//
// Limits must have a non-empty Key, N >= 1 and a Per between 1µs and 366
// days, and no Key may appear twice; otherwise it returns an ErrConfig error
// without contacting Redis. No limits at all is an immediate OK. A Redis
// failure is an error matching ErrUnavailable, and the reservation may or
// may not have been recorded: its slot is freed when its window passes.
func (s *LimitStore) Reserve(ctx context.Context, limits []chattu.Limit, _ time.Time, maxWait time.Duration) (chattu.Reservation, error) {
	if len(limits) == 0 {
		return chattu.Reservation{OK: true}, nil
	}
	keys := make([]string, len(limits))
	id := rand.Text()
	args := make([]any, 2, 2+2*len(limits))
	args[0], args[1] = id, micros(min(max(maxWait, 0), maxWindow))
	seen := make(map[string]bool, len(limits))
	for i, l := range limits {
		switch {
		case l.Key == "":
			return chattu.Reservation{}, fmt.Errorf("%w: limit %d has no key", ErrConfig, i)
		case seen[l.Key]:
			return chattu.Reservation{}, fmt.Errorf("%w: limit %d repeats the key of an earlier one", ErrConfig, i)
		case l.N < 1:
			return chattu.Reservation{}, fmt.Errorf("%w: limit %d allows %d calls", ErrConfig, i, l.N)
		case l.Per < time.Microsecond || l.Per > maxWindow:
			return chattu.Reservation{}, fmt.Errorf("%w: limit %d window %v outside [1µs, %v]", ErrConfig, i, l.Per, maxWindow)
		}
		seen[l.Key] = true
		keys[i] = s.cfg.key(l.Key)
		args = append(args, l.N, micros(l.Per))
	}
	ctx, cancel := s.cfg.bound(ctx)
	defer cancel()
	res, err := reserve.Run(ctx, s.client, keys, args...).Int64Slice()
	if err != nil {
		return chattu.Reservation{}, unavailable("limit reserve", err)
	}
	if len(res) != 2 {
		return chattu.Reservation{}, unavailable("limit reserve", fmt.Errorf("script answered %d values, want 2", len(res)))
	}
	r := chattu.Reservation{OK: res[0] == 1, Wait: time.Duration(res[1]) * time.Microsecond}
	if r.OK {
		r.ID = id
	}
	return r, nil
}

// Cancel implements chattu.LimitStore: it removes the reservation id from
// every limit, giving its slot back. Cancelling a reservation that is not
// recorded (already cancelled, or expired) is not an error; an empty id or
// no limits does nothing. A Redis failure is an error matching
// ErrUnavailable; the slot is then freed when its window passes.
func (s *LimitStore) Cancel(ctx context.Context, limits []chattu.Limit, id string) error {
	if id == "" || len(limits) == 0 {
		return nil
	}
	ctx, cancel := s.cfg.bound(ctx)
	defer cancel()
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, l := range limits {
			p.ZRem(ctx, s.cfg.key(l.Key), id)
		}
		return nil
	})
	if err != nil {
		return unavailable("limit cancel", err)
	}
	return nil
}

// micros is d in whole microseconds, rounded up so that a window is never
// shorter than asked, as a decimal string for the script.
func micros(d time.Duration) string {
	us := d / time.Microsecond
	if d%time.Microsecond != 0 {
		us++
	}
	return strconv.FormatInt(int64(us), 10)
}
