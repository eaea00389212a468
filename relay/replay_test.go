package relay

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestMemoryReplayCache(t *testing.T) {
	clock := newTestClock(testNow)
	c := NewMemoryReplayCache(3, clock.Now)
	in := func(d time.Duration) time.Time { return clock.Now().Add(d) }

	steps := []struct {
		name     string
		key      string
		until    time.Time
		advance  time.Duration
		wantSeen bool
		wantErr  error
		wantLen  int
	}{
		{name: "first a", key: "a", until: in(10 * time.Second), wantLen: 1},
		{name: "repeat a", key: "a", until: in(10 * time.Second), wantSeen: true, wantLen: 1},
		{name: "b", key: "b", until: in(20 * time.Second), wantLen: 2},
		{name: "c", key: "c", until: in(30 * time.Second), wantLen: 3},
		{name: "full", key: "d", until: in(30 * time.Second), wantErr: ErrUnavailable, wantLen: 3},
		{name: "a expired frees room", key: "d", until: in(40 * time.Second), advance: 10 * time.Second, wantLen: 3},
		{name: "expired a is new but the cache is full", key: "a", until: in(40 * time.Second), wantErr: ErrUnavailable, wantLen: 3},
		{name: "b still remembered", key: "b", until: in(40 * time.Second), wantSeen: true, wantLen: 3},
		{name: "already expired until", key: "e", until: in(-time.Second), advance: 20 * time.Second, wantLen: 1},
	}
	for _, st := range steps {
		clock.Advance(st.advance)
		seen, err := c.Seen(ctx, st.key, st.until)
		if seen != st.wantSeen || !errors.Is(err, st.wantErr) || (err == nil) != (st.wantErr == nil) {
			t.Fatalf("%s: Seen = %v, %v; want %v, %v", st.name, seen, err, st.wantSeen, st.wantErr)
		}
		if n := c.Len(); n != st.wantLen {
			t.Fatalf("%s: Len = %d, want %d", st.name, n, st.wantLen)
		}
	}
}

func TestMemoryReplayCacheForget(t *testing.T) {
	clock := newTestClock(testNow)
	c := NewMemoryReplayCache(2, clock.Now)
	until := clock.Now().Add(time.Minute)
	// Many forget/re-add cycles must not grow the heap without bound.
	for i := 0; i < 100; i++ {
		if seen, err := c.Seen(ctx, "k", until.Add(time.Duration(i))); seen || err != nil {
			t.Fatalf("cycle %d: %v %v", i, seen, err)
		}
		if err := c.Forget(ctx, "k"); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.order) > 2*c.capacity+1 {
		t.Fatalf("heap holds %d entries", len(c.order))
	}
	if _, err := c.Seen(ctx, "k", until); err != nil {
		t.Fatal(err)
	}
	if seen, _ := c.Seen(ctx, "k", until); !seen {
		t.Fatal("k not remembered")
	}
	clock.Advance(2 * time.Minute)
	if c.Len() != 0 {
		t.Fatalf("Len = %d after expiry", c.Len())
	}
	// A stale heap entry for a re-added key must not evict the newer entry.
	c.Seen(ctx, "x", clock.Now().Add(time.Second))
	c.Forget(ctx, "x")
	c.Seen(ctx, "x", clock.Now().Add(time.Hour))
	clock.Advance(2 * time.Second)
	if seen, _ := c.Seen(ctx, "x", clock.Now().Add(time.Hour)); !seen {
		t.Fatal("re-added key evicted by its stale entry")
	}
}

func TestMemoryReplayCacheDefaults(t *testing.T) {
	c := NewMemoryReplayCache(0, nil)
	if c.capacity != DefaultReplayCapacity || c.now == nil {
		t.Fatalf("defaults not applied: %d", c.capacity)
	}
	if seen, err := c.Seen(ctx, "k", time.Now().Add(time.Minute)); seen || err != nil {
		t.Fatal(seen, err)
	}
}

// Exactly one of many concurrent deliveries of the same signature wins.
func TestMemoryReplayCacheConcurrent(t *testing.T) {
	c := NewMemoryReplayCache(1000, nil)
	until := time.Now().Add(time.Minute)
	var wg sync.WaitGroup
	var firsts atomic.Int32
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			seen, err := c.Seen(ctx, "same", until)
			if err != nil {
				t.Error(err)
			}
			if !seen {
				firsts.Add(1)
			}
			c.Seen(ctx, fmt.Sprint("other", i), until)
		}(i)
	}
	wg.Wait()
	if firsts.Load() != 1 {
		t.Fatalf("%d goroutines saw the key first", firsts.Load())
	}
}
