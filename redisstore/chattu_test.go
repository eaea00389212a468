package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
	"github.com/switchboard-go/switchboard/redisstore"
)

// These tests run chattu clients against a chattutest sandbox with their
// limits in the test's redis-server, as the instances of a service would.
//
// The window they check is Chattu's documented sensitive limit: 5 client
// deletions (or key resets) per hour. The sandbox's clock is frozen, so
// every request of a test falls in one of its fixed one-hour windows and it
// answers 429 to a sixth; the store keeps time on Redis's clock, on which a
// test lasts seconds, so every reservation falls in one of its sliding
// one-hour windows too.

// sandboxWithClients is a sandbox on a frozen clock holding n connected
// WhatsApp clients "c0".."c<n-1>", for deletions to count.
func sandboxWithClients(t *testing.T, n int) *chattutest.Server {
	t.Helper()
	at := time.Date(2025, 10, 6, 9, 0, 0, 0, time.UTC)
	s := chattutest.NewServer(chattutest.WithClock(func() time.Time { return at }), chattutest.WithoutSeedGroups())
	t.Cleanup(s.Close)
	for i := range n {
		if err := s.SeedClient(chattutest.ClientState{ClientID: fmt.Sprintf("c%d", i), PhoneNumber: fmt.Sprintf("97250000000%d", i), Connected: true}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// deletions counts the client deletions the sandbox received.
func deletions(s *chattutest.Server) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == http.MethodDelete && strings.HasPrefix(r.Path, "/clients/") {
			n++
		}
	}
	return n
}

// deleteAll has the clients delete "c0".."c<n-1>" at once, client i%len
// deleting "c<i>", each call bounded by timeout, and returns the errors.
func deleteAll(clients []*chattu.Client, n int, timeout time.Duration) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			_, errs[i] = clients[i%len(clients)].Clients.Delete(ctx, fmt.Sprintf("c%d", i), chattu.DeleteClientParams{Password: chattutest.DefaultPassword})
		})
	}
	wg.Wait()
	return errs
}

// TestChattuClientsShareLimits: two clients of one API key, each with a
// store of its own connection pool on the same Redis (two instances of a
// service), never send more than Chattu's 5 sensitive operations per hour
// together. Ten concurrent deletions: five reach the sandbox, which never
// has to answer 429, and five are refused by the clients without being
// sent. Without the shared store the same run exceeds the limit, which
// the sandbox reports with 429s.
func TestChattuClientsShareLimits(t *testing.T) {
	flush(t)
	s := sandboxWithClients(t, 10)
	var clients []*chattu.Client
	for range 2 {
		store, err := redisstore.NewLimitStore(newClient(t))
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.NewClient(chattu.WithLimitStore(store))
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	start := time.Now()
	errs := deleteAll(clients, 10, 2*time.Second)
	if elapsed := time.Since(start); elapsed >= time.Hour {
		t.Fatalf("the run took %v: not one window", elapsed)
	}
	var ok, refused int
	for i, err := range errs {
		var e *chattu.Error
		switch {
		case err == nil:
			ok++
		case errors.As(err, &e):
			t.Errorf("deletion %d reached Chattu and was refused: %v", i, err)
		case errors.Is(err, chattu.ErrRateLimited) && errors.Is(err, context.DeadlineExceeded):
			refused++
		default:
			t.Errorf("deletion %d: %v", i, err)
		}
	}
	if got := deletions(s); got != chattutest.SensitiveLimit {
		t.Errorf("the sandbox received %d deletions within one hour, want %d", got, chattutest.SensitiveLimit)
	}
	if ok != 5 || refused != 5 {
		t.Errorf("%d deleted, %d refused by the clients; want 5 and 5", ok, refused)
	}

	// The control: a limiter per client, as without the store.
	s2 := sandboxWithClients(t, 10)
	var alone []*chattu.Client
	for range 2 {
		c, err := s2.NewClient(chattu.WithRateLimit())
		if err != nil {
			t.Fatal(err)
		}
		alone = append(alone, c)
	}
	var rejected int
	for _, err := range deleteAll(alone, 10, 2*time.Second) {
		var e *chattu.Error
		if errors.As(err, &e) && e.StatusCode == http.StatusTooManyRequests {
			rejected++
		}
	}
	if got := deletions(s2); got <= chattutest.SensitiveLimit || rejected == 0 {
		t.Errorf("without a shared store: %d deletions sent, %d answered 429; the control should exceed the limit", got, rejected)
	}
}

// TestChattuCancelledWaitGivesSlotBack: a call queued behind the limit
// whose context ends gives its slot back in Redis, so it does not hold a
// place that no call will use.
func TestChattuCancelledWaitGivesSlotBack(t *testing.T) {
	flush(t)
	rdb := newClient(t)
	s := sandboxWithClients(t, 6)
	store, err := redisstore.NewLimitStore(rdb)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.NewClient(chattu.WithLimitStore(store))
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range deleteAll([]*chattu.Client{c}, 5, 2*time.Second) {
		if err != nil {
			t.Fatal(err)
		}
	}
	sensitive := limitKey(t, rdb, "sensitive:")
	if n := rdb.ZCard(context.Background(), sensitive).Val(); n != 5 {
		t.Fatalf("%d calls recorded, want 5", n)
	}
	// No deadline: the sixth reserves the slot an hour on and waits.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = c.Clients.Delete(ctx, "c5", chattu.DeleteClientParams{Password: chattutest.DefaultPassword})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	for _, prefix := range []string{"sensitive:", "delete:"} {
		if n := rdb.ZCard(context.Background(), limitKey(t, rdb, prefix)).Val(); n != 5 {
			t.Errorf("%s: %d calls recorded after the cancelled wait, want 5", prefix, n)
		}
	}
	if got := deletions(s); got != 5 {
		t.Errorf("the sandbox received %d deletions, want 5", got)
	}
}

// limitKey finds the one Redis key of a chattu limit by its name, and
// checks that it does not hold the API key.
func limitKey(t *testing.T, rdb *redis.Client, name string) string {
	t.Helper()
	keys, err := rdb.Keys(context.Background(), redisstore.DefaultLimitPrefix+name+"*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys of %s: %v %v", name, keys, err)
	}
	for _, k := range keys {
		if strings.Contains(k, chattutest.DefaultAPIKey) {
			t.Fatalf("the API key is in the Redis key %q", k)
		}
	}
	return keys[0]
}

// TestChattuLimitStoreOutage: with Redis stopped, or frozen, a call fails
// with chattu.ErrLimitStore wrapping the store's ErrUnavailable, within the
// store's timeout, and nothing is sent to Chattu; the error claims nothing
// Chattu said. A client that chose to fail open sends it and logs a
// warning. When Redis is back, the limits apply again.
func TestChattuLimitStoreOutage(t *testing.T) {
	flush(t)
	s := sandboxWithClients(t, 0)
	store, err := redisstore.NewLimitStore(newClient(t), redisstore.WithTimeout(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	strict, err := s.NewClient(chattu.WithLimitStore(store))
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	open, err := s.NewClient(chattu.WithLimitStore(store), chattu.WithLimitStoreFailOpen(), chattu.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := strict.Account.Profile(ctx); err != nil {
		t.Fatal(err)
	}

	checkOutage := func(what string) {
		t.Helper()
		before := s.Count(http.MethodGet, "/api/profile")
		start := time.Now()
		_, err := strict.Account.Profile(ctx)
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("%s: failed after %v; the store's timeout is 300ms", what, elapsed)
		}
		if !errors.Is(err, chattu.ErrLimitStore) || !errors.Is(err, redisstore.ErrUnavailable) {
			t.Fatalf("%s: got %v, want ErrLimitStore wrapping ErrUnavailable", what, err)
		}
		for _, not := range []error{chattu.ErrRateLimited, chattu.ErrUnauthorized, chattu.ErrNotFound, chattu.ErrValidation, chattu.ErrMaybeDelivered} {
			if errors.Is(err, not) {
				t.Errorf("%s: %v matches %v", what, err, not)
			}
		}
		var e *chattu.Error
		if errors.As(err, &e) {
			t.Errorf("%s: %v carries a Chattu answer", what, err)
		}
		if strings.Contains(err.Error(), s.APIKey()) {
			t.Errorf("%s: the error holds the API key", what)
		}
		if got := s.Count(http.MethodGet, "/api/profile"); got != before {
			t.Errorf("%s: %d requests sent during the outage", what, got-before)
		}

		if _, err := open.Account.Profile(ctx); err != nil {
			t.Errorf("%s: fail-open client: %v", what, err)
		}
		if got := s.Count(http.MethodGet, "/api/profile"); got != before+1 {
			t.Errorf("%s: fail-open client sent %d requests, want 1", what, got-before)
		}
		out := logs.String()
		if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "without client-side limits") || !strings.Contains(out, "redis unavailable") {
			t.Errorf("%s: no warning logged: %q", what, out)
		}
		if strings.Contains(out, s.APIKey()) {
			t.Errorf("%s: the log holds the API key", what)
		}
	}

	stopRedis(t, false)
	checkOutage("stopped")
	startRedis(t)
	if _, err := strict.Account.Profile(ctx); err != nil {
		t.Fatalf("after restart: %v", err)
	}

	resume := pauseRedis(t)
	checkOutage("frozen")
	resume()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := strict.Account.Profile(ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after resume: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	rdb := newClient(t)
	if n := rdb.ZCard(ctx, limitKey(t, rdb, "api:")).Val(); n == 0 {
		t.Errorf("the API limit is not counted in Redis after the outage")
	}
}
