package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

var (
	// ErrConfig reports a store that cannot work as configured (a nil
	// client, a negative timeout) or a request it cannot serve (a limit
	// without a key, a non-positive window). Nothing was sent to Redis.
	ErrConfig = errors.New("redisstore: invalid configuration")

	// ErrUnavailable means Redis did not complete an operation: it could
	// not be reached, did not answer in time, or answered with an error.
	// The error also wraps the cause, so errors.Is(err,
	// context.DeadlineExceeded) and the like keep working. The operation's
	// outcome is unknown: a SET may have been applied before the answer was
	// lost.
	ErrUnavailable = errors.New("redisstore: redis unavailable")
)

// DefaultTimeout bounds each call a store makes to Redis unless WithTimeout
// says otherwise. A webhook receiver waiting longer than this for its replay
// check is better off answering 503 and letting the vendor redeliver.
const DefaultTimeout = 2 * time.Second

// Default key prefixes (see WithKeyPrefix).
const (
	// DefaultReplayPrefix starts every key of a ReplayCache.
	DefaultReplayPrefix = "switchboard:replay:"
	// DefaultLimitPrefix starts every key of a LimitStore. It contains a
	// Redis Cluster hash tag ({chattu}) so that the keys of one reservation
	// share a slot.
	DefaultLimitPrefix = "switchboard:limit:{chattu}:"
)

// maxRawKey is the longest key a store uses as given; longer keys are
// replaced by their SHA-256 so that keys stay small and bounded whatever the
// caller passes.
const maxRawKey = 128

// Option configures NewReplayCache and NewLimitStore.
type Option func(*config)

type config struct {
	prefix  string
	timeout time.Duration
}

// WithKeyPrefix sets the text put before every key the store writes, so that
// several applications (or environments) can share one Redis. The default is
// DefaultReplayPrefix for a ReplayCache and DefaultLimitPrefix for a
// LimitStore. An empty prefix is allowed, for a Redis database of its own.
func WithKeyPrefix(prefix string) Option {
	return func(c *config) { c.prefix = prefix }
}

// WithTimeout bounds each call to Redis (DefaultTimeout when not given),
// on top of the caller's context. Zero leaves the caller's context as the
// only bound; a negative value is a configuration error. The bound cuts a
// blocked socket read only when the go-redis client has
// ContextTimeoutEnabled set; it always bounds retries and pool waits.
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

func newConfig(client redis.UniversalClient, prefix string, opts []Option) (config, error) {
	cfg := config{prefix: prefix, timeout: DefaultTimeout}
	if client == nil {
		return cfg, fmt.Errorf("%w: nil redis client", ErrConfig)
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.timeout < 0 {
		return cfg, fmt.Errorf("%w: negative timeout %v", ErrConfig, cfg.timeout)
	}
	if len(cfg.prefix) > maxRawKey {
		return cfg, fmt.Errorf("%w: key prefix longer than %d bytes", ErrConfig, maxRawKey)
	}
	return cfg, nil
}

// key is the Redis key for a caller's key: the prefix, then the key itself
// when short, or "sha256:" and the hex digest of a long one.
func (c *config) key(k string) string {
	if len(k) <= maxRawKey {
		return c.prefix + k
	}
	sum := sha256.Sum256([]byte(k))
	return c.prefix + "sha256:" + hex.EncodeToString(sum[:])
}

// bound applies the store's timeout to ctx.
func (c *config) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.timeout > 0 {
		return context.WithTimeout(ctx, c.timeout)
	}
	return ctx, func() {}
}

// unavailable wraps a go-redis error. Its text comes from the client (an
// address, a timeout, a server error code), never from a key or a value.
func unavailable(op string, err error) error {
	return fmt.Errorf("%w (%s): %w", ErrUnavailable, op, err)
}
