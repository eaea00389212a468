package redisstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/switchboard-go/switchboard/redisstore"
)

func newReplayCache(t testing.TB, c redis.UniversalClient, opts ...redisstore.Option) *redisstore.ReplayCache {
	t.Helper()
	rc, err := redisstore.NewReplayCache(c, opts...)
	if err != nil {
		t.Fatalf("NewReplayCache: %v", err)
	}
	return rc
}

func seen(t testing.TB, rc *redisstore.ReplayCache, key string, until time.Time) bool {
	t.Helper()
	s, err := rc.Seen(context.Background(), key, until)
	if err != nil {
		t.Fatalf("Seen(%s): %v", key, err)
	}
	return s
}

// fingerprint is a key shaped like relay's: hex SHA-256.
func fingerprint(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestReplayCacheSeenForget(t *testing.T) {
	flush(t)
	rdb := newClient(t)
	rc := newReplayCache(t, rdb)
	ctx := context.Background()
	key := fingerprint("delivery-1")
	until := time.Now().Add(time.Minute).Add(300 * time.Microsecond)

	if seen(t, rc, key, until) {
		t.Fatal("first Seen reported seen")
	}
	if !seen(t, rc, key, until) {
		t.Fatal("second Seen reported unseen")
	}
	// The key is prefix + key, expiring at until rounded up to the
	// millisecond.
	wantMs := until.UnixMilli() + 1
	got, err := rdb.Do(ctx, "PEXPIRETIME", redisstore.DefaultReplayPrefix+key).Int64()
	if err != nil || got != wantMs {
		t.Fatalf("PEXPIRETIME = %d, %v; want %d", got, err, wantMs)
	}
	// A later Seen does not extend the original expiry.
	if !seen(t, rc, key, until.Add(time.Hour)) {
		t.Fatal("Seen with a later until reported unseen")
	}
	if got, _ := rdb.Do(ctx, "PEXPIRETIME", redisstore.DefaultReplayPrefix+key).Int64(); got != wantMs {
		t.Fatalf("expiry moved to %d, want %d kept", got, wantMs)
	}

	if err := rc.Forget(ctx, key); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	if seen(t, rc, key, until) {
		t.Fatal("Seen after Forget reported seen")
	}
	if !seen(t, rc, key, until) {
		t.Fatal("Seen after Forget and Seen reported unseen")
	}
	// Forgetting an unknown key is fine.
	if err := rc.Forget(ctx, fingerprint("never")); err != nil {
		t.Fatalf("Forget of an unknown key: %v", err)
	}
}

func TestReplayCacheExpiry(t *testing.T) {
	flush(t)
	rc := newReplayCache(t, newClient(t))
	key := fingerprint("short-lived")
	until := time.Now().Add(300 * time.Millisecond)
	if seen(t, rc, key, until) || !seen(t, rc, key, until) {
		t.Fatal("want unseen, then seen")
	}
	time.Sleep(time.Until(until) + 100*time.Millisecond)
	if seen(t, rc, key, until.Add(time.Minute)) {
		t.Fatal("key still seen after its expiry")
	}

	// An until already past records nothing, as relay's memory cache does.
	past := fingerprint("past")
	for range 2 {
		if seen(t, rc, past, time.Now().Add(-time.Second)) {
			t.Fatal("a past until reported seen")
		}
	}
}

func TestReplayCachePrefixAndLongKeys(t *testing.T) {
	flush(t)
	rdb := newClient(t)
	ctx := context.Background()
	rc := newReplayCache(t, rdb, redisstore.WithKeyPrefix("app1:dedupe:"))
	other := newReplayCache(t, rdb, redisstore.WithKeyPrefix("app2:dedupe:"))
	until := time.Now().Add(time.Minute)

	short := strings.Repeat("k", 128)
	long := strings.Repeat("k", 4096)
	long2 := long[:4095] + "j" // same first 128 bytes, different key
	for _, k := range []string{short, long, long2} {
		if seen(t, rc, k, until) || !seen(t, rc, k, until) {
			t.Fatalf("key of %d bytes: want unseen, then seen", len(k))
		}
	}
	// Prefixes separate applications.
	if seen(t, other, short, until) {
		t.Fatal("a key of another prefix reported seen")
	}

	keys, err := rdb.Keys(ctx, "app1:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"app1:dedupe:" + short:                                 true,
		"app1:dedupe:sha256:" + hex.EncodeToString(sha(long)):  true,
		"app1:dedupe:sha256:" + hex.EncodeToString(sha(long2)): true,
	}
	if len(keys) != len(want) {
		t.Fatalf("keys %q, want %d", keys, len(want))
	}
	for _, k := range keys {
		if !want[k] {
			t.Fatalf("unexpected key %q", k)
		}
	}
}

func sha(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// Four instances, each with its own client, race on 50 deliveries: exactly
// one answer per delivery says unseen.
func TestReplayCacheConcurrentInstances(t *testing.T) {
	flush(t)
	const instances, keys, calls = 4, 50, 200
	caches := make([]*redisstore.ReplayCache, instances)
	for i := range caches {
		caches[i] = newReplayCache(t, newClient(t))
	}
	until := time.Now().Add(time.Minute)
	var (
		mu      sync.Mutex
		unseen  = make(map[int]int)
		errs    []error
		wg      sync.WaitGroup
		startCh = make(chan struct{})
	)
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := i / instances // each key reaches every instance once
			<-startCh
			s, err := caches[i%instances].Seen(context.Background(), fingerprint(fmt.Sprint("event-", k)), until)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			} else if !s {
				unseen[k]++
			}
		}()
	}
	close(startCh)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d errors, first: %v", len(errs), errs[0])
	}
	total := 0
	for k := range keys {
		if unseen[k] != 1 {
			t.Errorf("key %d reported unseen %d times, want 1", k, unseen[k])
		}
		total += unseen[k]
	}
	if total != keys {
		t.Fatalf("%d unseen answers, want %d", total, keys)
	}
}

func TestReplayCacheOutage(t *testing.T) {
	flush(t)
	rc := newReplayCache(t, newClientWith(t, patient), redisstore.WithTimeout(0))
	until := time.Now().Add(time.Minute)
	key := fingerprint("before")
	if seen(t, rc, key, until) {
		t.Fatal("first Seen reported seen")
	}

	stopRedis(t, false)
	// The client would retry the refused connection for twenty seconds: the
	// caller's deadline cuts that short (the bound is generous for loaded
	// machines).
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	s, err := rc.Seen(ctx, fingerprint("during"), until)
	if err == nil {
		t.Fatalf("Seen with Redis stopped: %v, nil error", s)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Seen took %v to fail with a 500ms deadline", d)
	}
	if !errors.Is(err, redisstore.ErrUnavailable) {
		t.Fatalf("error %v does not match ErrUnavailable", err)
	}
	if strings.Contains(err.Error(), fingerprint("during")) {
		t.Fatalf("error names the key: %v", err)
	}
	fctx, fcancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer fcancel()
	if err := rc.Forget(fctx, key); !errors.Is(err, redisstore.ErrUnavailable) {
		t.Fatalf("Forget with Redis stopped: %v", err)
	}

	startRedis(t)
	// The server came back empty (no persistence): the cache works again,
	// within about a second (go-redis fails fast after repeated dial errors
	// and probes the server in the background).
	recovered := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		s, err := rc.Seen(context.Background(), fingerprint("after"), until)
		if err == nil {
			if s {
				t.Fatal("Seen after restart reported seen")
			}
			recovered = true
			break
		}
	}
	if !recovered {
		t.Fatal("Seen still failing 5s after the restart")
	}
	if !seen(t, rc, fingerprint("after"), until) {
		t.Fatal("second Seen after restart reported unseen")
	}
}

// A Redis that accepts connections but never answers: the caller's deadline,
// or the store's own timeout, ends the call.
func TestReplayCacheHungRedis(t *testing.T) {
	flush(t)
	rdb := newClient(t)
	rc := newReplayCache(t, rdb)
	bounded := newReplayCache(t, rdb, redisstore.WithTimeout(300*time.Millisecond))
	until := time.Now().Add(time.Minute)
	seen(t, rc, fingerprint("warm"), until) // a pooled connection exists

	resume := pauseRedis(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := rc.Seen(ctx, fingerprint("hung"), until)
	if !errors.Is(err, redisstore.ErrUnavailable) {
		t.Fatalf("Seen on a hung Redis: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("a 300ms deadline took %v", d)
	}
	start = time.Now()
	_, err = bounded.Seen(context.Background(), fingerprint("hung"), until)
	if !errors.Is(err, redisstore.ErrUnavailable) {
		t.Fatalf("Seen on a hung Redis with WithTimeout: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("a 300ms store timeout took %v", d)
	}
	resume()

	// Commands sent while it was frozen may have run on resume, "hung"
	// included; a fresh key must work.
	if seen(t, rc, fingerprint("resumed"), until) {
		t.Fatal("Seen after resume reported seen")
	}
}

func TestNewReplayCacheConfig(t *testing.T) {
	if _, err := redisstore.NewReplayCache(nil); !errors.Is(err, redisstore.ErrConfig) {
		t.Fatalf("nil client: %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	if _, err := redisstore.NewReplayCache(c, redisstore.WithTimeout(-time.Second)); !errors.Is(err, redisstore.ErrConfig) {
		t.Fatalf("negative timeout: %v", err)
	}
	if _, err := redisstore.NewReplayCache(c, redisstore.WithKeyPrefix(strings.Repeat("p", 129))); !errors.Is(err, redisstore.ErrConfig) {
		t.Fatalf("long prefix: %v", err)
	}
	if _, err := redisstore.NewReplayCache(c, nil, redisstore.WithTimeout(0), redisstore.WithKeyPrefix("")); err != nil {
		t.Fatalf("valid options: %v", err)
	}
}
