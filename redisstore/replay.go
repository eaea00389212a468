package redisstore

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/switchboard-go/switchboard/relay"
)

var (
	_ relay.ReplayCache     = (*ReplayCache)(nil)
	_ relay.ReplayForgetter = (*ReplayCache)(nil)
)

// ReplayCache is a relay.ReplayCache (and relay.ReplayForgetter) kept in
// Redis, so that every instance of a webhook receiver rejects a delivery any
// of them has already accepted. Give it to each instance's verifier with
// relay.WithReplayCache (or the vendor handler's equivalent option).
//
// Each accepted delivery is one key, the prefix followed by the key relay
// passes (a hex fingerprint of the MAC, never the MAC itself), set with
// SET key 1 NX PXAT until: Redis decides atomically which instance saw it
// first, and drops the key when the replay window has passed. Keys longer
// than 128 bytes are stored as their SHA-256, so a caller passing its own
// long keys cannot grow Redis's memory per key.
//
// It is safe for concurrent use, and holds no state besides the client.
type ReplayCache struct {
	client redis.UniversalClient
	cfg    config
}

// NewReplayCache returns a cache on client (a *redis.Client, a cluster or a
// failover client). The key prefix defaults to DefaultReplayPrefix and each
// call is bounded by DefaultTimeout; see WithKeyPrefix and WithTimeout. A
// nil client is an ErrConfig error. It does not contact Redis: a Redis that
// is down at start-up shows as 503 answers, not as a failed start.
func NewReplayCache(client redis.UniversalClient, opts ...Option) (*ReplayCache, error) {
	cfg, err := newConfig(client, DefaultReplayPrefix, opts)
	if err != nil {
		return nil, err
	}
	return &ReplayCache{client: client, cfg: cfg}, nil
}

// Seen implements relay.ReplayCache: it records key until the given time
// unless it is already recorded, and reports whether it was. A key already
// recorded keeps its original expiry. An until already in the past records
// nothing and reports false, as relay's memory cache does. Any Redis failure
// is an error matching ErrUnavailable (relay answers 503 on it): a delivery
// is never reported unseen without Redis having recorded it.
func (c *ReplayCache) Seen(ctx context.Context, key string, until time.Time) (bool, error) {
	// PXAT takes whole milliseconds: round up so that a key is never
	// forgotten before the caller asked.
	ms := until.UnixMilli()
	if until.After(time.UnixMilli(ms)) {
		ms++
	}
	ctx, cancel := c.cfg.bound(ctx)
	defer cancel()
	err := c.client.Do(ctx, "SET", c.cfg.key(key), "1", "NX", "PXAT", ms).Err()
	switch {
	case err == nil:
		return false, nil
	case errors.Is(err, redis.Nil):
		// NX refused: the key is there, so the delivery was seen.
		return true, nil
	}
	return false, unavailable("replay seen", err)
}

// Forget implements relay.ReplayForgetter: it deletes key, so that the
// vendor's retry of a delivery the receiver failed to process is accepted.
// Forgetting a key that is not recorded is not an error.
func (c *ReplayCache) Forget(ctx context.Context, key string) error {
	ctx, cancel := c.cfg.bound(ctx)
	defer cancel()
	if err := c.client.Del(ctx, c.cfg.key(key)).Err(); err != nil {
		return unavailable("replay forget", err)
	}
	return nil
}
