package relay

import (
	"container/heap"
	"context"
	"fmt"
	"sync"
	"time"
)

// ReplayCache remembers accepted signatures. It is deliberately one method so
// that a shared store is a few lines: in Redis, Seen is
// SET key 1 NX PXAT until, reporting seen when the SET did not happen.
//
// Seen must atomically record key until the given time and report whether it
// was already recorded and not yet expired; an already recorded key keeps its
// original expiry. Keys are hex SHA-256 fingerprints of the MAC, not the MAC
// itself, so they are safe to log. An error makes verification fail with
// ErrUnavailable (503), so a store outage delays deliveries rather than
// letting replays through.
type ReplayCache interface {
	Seen(ctx context.Context, key string, until time.Time) (bool, error)
}

// ReplayForgetter is implemented by caches that can drop a key, which lets
// Verifier.Release (and the middleware, on a 5xx) accept the vendor's retry of
// a delivery we failed to process. In Redis it is DEL key.
type ReplayForgetter interface {
	Forget(ctx context.Context, key string) error
}

// DefaultReplayCapacity bounds the default memory cache. With the default
// 600 s window it sustains about 160 accepted deliveries per second; each
// entry costs roughly 150 bytes, so the cache stays under about 16 MB.
const DefaultReplayCapacity = 100_000

// MemoryReplayCache is a bounded in-process ReplayCache. It only protects a
// single process: run a shared store when several receivers sit behind a load
// balancer.
//
// When it is full of unexpired entries, Seen fails with ErrUnavailable
// rather than evicting: evicting a live entry would re-open a replay hole
// exactly when someone is flooding us, whereas failing makes the middleware
// answer 503 and the vendor retry once entries expire.
type MemoryReplayCache struct {
	mu       sync.Mutex
	capacity int
	now      func() time.Time
	until    map[string]int64 // key -> expiry in unix nanoseconds
	order    expiryHeap       // may hold stale entries for forgotten keys
}

// NewMemoryReplayCache returns a cache holding at most capacity keys
// (DefaultReplayCapacity when capacity <= 0). now is its clock for expiry
// (time.Now when nil); share the verifier's clock so tests can move both.
func NewMemoryReplayCache(capacity int, now func() time.Time) *MemoryReplayCache {
	if capacity <= 0 {
		capacity = DefaultReplayCapacity
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryReplayCache{capacity: capacity, now: now, until: make(map[string]int64)}
}

// Seen implements ReplayCache.
func (c *MemoryReplayCache) Seen(_ context.Context, key string, until time.Time) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now().UnixNano()
	c.evict(now)
	if _, ok := c.until[key]; ok {
		return true, nil
	}
	exp := until.UnixNano()
	if exp <= now {
		// Nothing to remember: the caller's window has already closed.
		return false, nil
	}
	if len(c.until) >= c.capacity {
		return false, fmt.Errorf("%w: replay cache full (%d entries)", ErrUnavailable, c.capacity)
	}
	c.until[key] = exp
	heap.Push(&c.order, expiryEntry{key: key, until: exp})
	return false, nil
}

// Forget implements ReplayForgetter.
func (c *MemoryReplayCache) Forget(_ context.Context, key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.until, key)
	// Forgotten keys leave stale heap entries behind until they expire;
	// rebuild when they dominate so memory stays bounded by capacity.
	if len(c.order) > 2*c.capacity {
		c.order = c.order[:0]
		for k, u := range c.until {
			c.order = append(c.order, expiryEntry{key: k, until: u})
		}
		heap.Init(&c.order)
	}
	return nil
}

// Len reports how many unexpired keys are held, for metrics.
func (c *MemoryReplayCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.evict(c.now().UnixNano())
	return len(c.until)
}

// evict drops every entry whose expiry has passed, oldest first, so each
// entry is touched once over its lifetime.
func (c *MemoryReplayCache) evict(now int64) {
	for len(c.order) > 0 && c.order[0].until <= now {
		e := heap.Pop(&c.order).(expiryEntry)
		if u, ok := c.until[e.key]; ok && u == e.until {
			delete(c.until, e.key)
		}
	}
}

type expiryEntry struct {
	key   string
	until int64
}

type expiryHeap []expiryEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].until < h[j].until }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiryEntry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = expiryEntry{}
	*h = old[:len(old)-1]
	return e
}
