package chattu

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// bucketName is one of Chattu's documented rate limiters.
type bucketName int

const (
	bucketAPI       bucketName = iota // global API limiter: 100 per 15 minutes
	bucketChat                        // chat interface: 60 per minute
	bucketSensitive                   // sensitive operations: 5 per hour
	bucketDelete                      // delete operations: 10 per 15 minutes
)

// String names the limit as the docs state it, for error messages.
func (b bucketName) String() string {
	switch b {
	case bucketAPI:
		return "API (100 per 15 minutes)"
	case bucketChat:
		return "chat (60 per minute)"
	case bucketSensitive:
		return "sensitive operations (5 per hour)"
	case bucketDelete:
		return "delete operations (10 per 15 minutes)"
	}
	return "unknown"
}

// rateLimit is n requests per window, refilled continuously.
type rateLimit struct {
	n   int
	per time.Duration
}

// documentedLimits are the numbers the Chattu docs publish.
func documentedLimits() map[bucketName]rateLimit {
	return map[bucketName]rateLimit{
		bucketAPI:       {100, 15 * time.Minute},
		bucketChat:      {60, time.Minute},
		bucketSensitive: {5, time.Hour},
		bucketDelete:    {10, 15 * time.Minute},
	}
}

// bucket is a token bucket: capacity tokens, one more every interval. tokens
// may go below zero: that is a caller already waiting for a later slot.
type bucket struct {
	capacity float64
	interval time.Duration // time to earn one token
	tokens   float64
	last     time.Time
}

func (b *bucket) refill(now time.Time) {
	if now.After(b.last) {
		b.tokens += float64(now.Sub(b.last)) / float64(b.interval)
		if b.tokens > b.capacity {
			b.tokens = b.capacity
		}
		b.last = now
	}
}

// delay is how long until one token is available.
func (b *bucket) delay() time.Duration {
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) * float64(b.interval))
}

// limiter is a small client-side token-bucket limiter (no dependency). A
// call takes one token from each of its buckets at once, waiting for the
// latest of them.
type limiter struct {
	mu      sync.Mutex
	now     func() time.Time
	buckets map[bucketName]*bucket
}

func newLimiter(limits map[bucketName]rateLimit, now func() time.Time) *limiter {
	if now == nil {
		now = time.Now
	}
	l := &limiter{now: now, buckets: make(map[bucketName]*bucket, len(limits))}
	t := now()
	for name, lim := range limits {
		l.buckets[name] = &bucket{
			capacity: float64(lim.n),
			interval: lim.per / time.Duration(lim.n),
			tokens:   float64(lim.n),
			last:     t,
		}
	}
	return l
}

// wait reserves a slot in every named bucket and sleeps until it comes,
// within ctx. If ctx would end first, it reserves nothing and fails at once.
func (l *limiter) wait(ctx context.Context, names ...bucketName) error {
	if len(names) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	now := l.now()
	var d time.Duration
	var slowest bucketName
	for _, n := range names {
		b := l.buckets[n]
		if b == nil {
			continue
		}
		b.refill(now)
		if bd := b.delay(); bd > d {
			d, slowest = bd, n
		}
	}
	if dl, ok := ctx.Deadline(); ok && d > 0 && d > time.Until(dl) {
		l.mu.Unlock()
		return fmt.Errorf("chattu: client-side %s limit: next slot in %s, after the context deadline: %w (%w)",
			slowest, d.Round(time.Millisecond), ErrRateLimited, context.DeadlineExceeded)
	}
	for _, n := range names {
		if b := l.buckets[n]; b != nil {
			b.tokens--
		}
	}
	l.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		for _, n := range names {
			if b := l.buckets[n]; b != nil {
				b.tokens++
				if b.tokens > b.capacity {
					b.tokens = b.capacity
				}
			}
		}
		l.mu.Unlock()
		return ctx.Err()
	}
}

// bucketsFor returns the documented limiters a path falls under. It is
// used for every call, so the rules live in one place.
func bucketsFor(method, path string, a auth) []bucketName {
	var bs []bucketName
	switch {
	case a == sessionAuth && strings.HasPrefix(path, "/api/"):
		bs = append(bs, bucketChat)
	case strings.HasPrefix(path, "/api/"):
		bs = append(bs, bucketAPI)
	}
	switch {
	case path == "/api/reset-api-key":
		bs = append(bs, bucketSensitive)
	case strings.HasPrefix(path, "/clients/") && method == "DELETE":
		bs = append(bs, bucketSensitive, bucketDelete)
	case method == "DELETE":
		bs = append(bs, bucketDelete)
	}
	return bs
}
