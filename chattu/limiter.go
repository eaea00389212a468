package chattu

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// ErrLimitStore reports that the LimitStore holding the client-side rate
// limits failed (a shared store that cannot be reached, such as Redis being
// down), so the call was not made: nothing was sent to Chattu. The error
// also wraps the store's own error. It matches none of the sentinels that
// describe Chattu's answers (ErrRateLimited, ErrUnauthorized,
// ErrMaybeDelivered, ...): Chattu was not asked. WithLimitStoreFailOpen
// makes such calls proceed without the limits instead.
var ErrLimitStore = errors.New("chattu: rate limit store failed")

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

// keyName is the limit's short name inside a Limit.Key.
func (b bucketName) keyName() string {
	switch b {
	case bucketAPI:
		return "api"
	case bucketChat:
		return "chat"
	case bucketSensitive:
		return "sensitive"
	case bucketDelete:
		return "delete"
	}
	return "unknown"
}

// rateLimit is at most n requests in any window of length per.
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

// accountOf names the account an API key belongs to inside limit keys: a
// SHA-256 of the key under a label of its own, cut to 128 bits. Clients of
// one key share their limits in a shared store; the key itself is never
// written there.
func accountOf(apiKey string) string {
	sum := sha256.Sum256([]byte("switchboard chattu limit account\x00" + apiKey))
	return hex.EncodeToString(sum[:16])
}

// limitKey is the Limit.Key of a limit for an account: its name, its numbers
// (so that a changed limit starts a state of its own) and the account.
func limitKey(name bucketName, l rateLimit, account string) string {
	return name.keyName() + ":" + strconv.Itoa(l.n) + "/" + l.per.String() + ":" + account
}

// The backoff between attempts to reach a failed limit store under
// WithLimitStoreWait.
const (
	storeRetryMin = 100 * time.Millisecond
	storeRetryMax = 2 * time.Second
)

// noDeadline is the wait a call without a deadline accepts: any.
const noDeadline = time.Duration(1<<63 - 1)

// cancelTimeout bounds giving a slot back after the caller gave up; the
// caller's context has ended, so it cannot bound it.
const cancelTimeout = 2 * time.Second

// limiter keeps a client within Chattu's documented limits through a
// LimitStore: each call reserves a slot in every limit it falls under, at
// once, then waits for it within its context.
type limiter struct {
	store  LimitStore
	now    func() time.Time
	limits map[bucketName]Limit
	// failOpen lets a call proceed without the limits when the store
	// fails, with a warning logged to logger (WithLimitStoreFailOpen).
	failOpen bool
	// storeWait retries a failed store until the call's context ends
	// (WithLimitStoreWait).
	storeWait bool
	logger    *slog.Logger
	redact    func(string) string
}

func newLimiter(store LimitStore, account string, limits map[bucketName]rateLimit, now func() time.Time) *limiter {
	if now == nil {
		now = time.Now
	}
	l := &limiter{store: store, now: now, limits: make(map[bucketName]Limit, len(limits))}
	for name, lim := range limits {
		l.limits[name] = Limit{Key: limitKey(name, lim, account), N: lim.n, Per: lim.per}
	}
	return l
}

// wait reserves a slot in every named limit and sleeps until it comes,
// within ctx. If ctx would end first, it reserves nothing and fails at once
// with ErrRateLimited; if ctx ends while it sleeps, it gives the slot back.
// A store failure is an ErrLimitStore error, or, with failOpen, a warning
// and no limit. method and path name the call in that warning.
func (l *limiter) wait(ctx context.Context, method, path string, names ...bucketName) error {
	limits := make([]Limit, 0, len(names))
	for _, n := range names {
		if lim, ok := l.limits[n]; ok {
			limits = append(limits, lim)
		}
	}
	if len(limits) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	maxWait := noDeadline
	if dl, ok := ctx.Deadline(); ok {
		maxWait = max(time.Until(dl), 0)
	}
	r, err := l.store.Reserve(ctx, limits, l.now(), maxWait)
	for backoff := storeRetryMin; err != nil && l.storeWait && ctx.Err() == nil; backoff = min(2*backoff, storeRetryMax) {
		// Wait out a store outage: half the backoff fixed, half random, so
		// instances do not retry in step.
		t := time.NewTimer(backoff/2 + rand.N(backoff/2+1))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("chattu: client-side rate limit: %w: %w (%w)", ErrLimitStore, err, ctx.Err())
		}
		if dl, ok := ctx.Deadline(); ok {
			maxWait = max(time.Until(dl), 0)
		}
		r, err = l.store.Reserve(ctx, limits, l.now(), maxWait)
	}
	if err != nil {
		if l.failOpen && ctx.Err() == nil {
			l.warn("chattu: rate limit store failed: call sent without client-side limits", method, path, err)
			return nil
		}
		return fmt.Errorf("chattu: client-side rate limit: %w: %w", ErrLimitStore, err)
	}
	if !r.OK {
		return fmt.Errorf("chattu: client-side %s limit: next slot in %s, after the context deadline: %w (%w)",
			describe(names), r.Wait.Round(time.Millisecond), ErrRateLimited, context.DeadlineExceeded)
	}
	if r.Wait <= 0 {
		return nil
	}
	t := time.NewTimer(r.Wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
		defer cancel()
		if err := l.store.Cancel(cctx, limits, r.ID); err != nil {
			// The slot is freed when its window passes.
			l.warn("chattu: rate limit store failed to give back a cancelled call's slot", method, path, err)
		}
		return ctx.Err()
	}
}

// warn logs a store failure at warning level, when a logger was given.
func (l *limiter) warn(msg, method, path string, err error) {
	if l.logger == nil {
		return
	}
	redact := l.redact
	if redact == nil {
		redact = func(s string) string { return s }
	}
	l.logger.LogAttrs(context.Background(), slog.LevelWarn, msg,
		slog.String("vendor", vendor), slog.String("method", method), slog.String("path", redact(path)),
		slog.String("error", redact(err.Error())))
}

// describe names the limits of a call for an error message.
func describe(names []bucketName) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n.String()
	}
	return strings.Join(parts, " and ")
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
