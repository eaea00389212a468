package chattu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/wiretest"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeClock) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeClock) add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// testLimiter is a limiter on a fresh in-memory store with the given
// limits, for the account of testKey.
func testLimiter(limits map[bucketName]rateLimit, now func() time.Time) (*limiter, *MemoryLimitStore) {
	store := NewMemoryLimitStore()
	return newLimiter(store, accountOf(testKey), limits, now), store
}

// waitFor is limiter.wait for a call that names no endpoint.
func waitFor(ctx context.Context, l *limiter, names ...bucketName) error {
	return l.wait(ctx, "GET", "/test", names...)
}

func TestBucketsForEndpoints(t *testing.T) {
	assert.Equal(t, []bucketName{bucketAPI}, bucketsFor("POST", "/api/send-message", apiKeyAuth))
	assert.Equal(t, []bucketName{bucketAPI}, bucketsFor("GET", "/api/groups/c", apiKeyAuth))
	assert.Equal(t, []bucketName{bucketChat}, bucketsFor("GET", "/api/chats/c", sessionAuth))
	assert.Equal(t, []bucketName{bucketChat}, bucketsFor("POST", "/api/groups/c/1@g.us/send", sessionAuth))
	assert.Equal(t, []bucketName{bucketAPI, bucketSensitive}, bucketsFor("POST", "/api/reset-api-key", bodyAuth))
	assert.Equal(t, []bucketName{bucketSensitive, bucketDelete}, bucketsFor("DELETE", "/clients/c", sessionAuth))
	assert.Equal(t, []bucketName{bucketDelete}, bucketsFor("DELETE", "/scheduled-messages/1", sessionAuth))
	assert.Empty(t, bucketsFor("POST", "/schedule-message", sessionAuth))
	for _, b := range []bucketName{bucketAPI, bucketChat, bucketSensitive, bucketDelete, 99} {
		assert.NotEmpty(t, b.String())
		assert.NotEmpty(t, b.keyName())
	}
}

func TestDocumentedLimits(t *testing.T) {
	l := documentedLimits()
	assert.Equal(t, rateLimit{100, 15 * time.Minute}, l[bucketAPI])
	assert.Equal(t, rateLimit{60, time.Minute}, l[bucketChat])
	assert.Equal(t, rateLimit{5, time.Hour}, l[bucketSensitive])
	assert.Equal(t, rateLimit{10, 15 * time.Minute}, l[bucketDelete])
}

// TestLimiterBurstThenRefuseWithinDeadline: five sensitive operations at
// once, then none until the hour has passed. The token bucket this limiter
// replaced gave a sixth slot after 12 minutes: six calls in one hour, above
// the documented 5 per hour. The assertion at 12 minutes changed with the
// rule (sliding window: at most N in any window of length Per).
func TestLimiterBurstThenRefuseWithinDeadline(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l, _ := testLimiter(map[bucketName]rateLimit{bucketSensitive: {5, time.Hour}}, clk.now)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		require.NoError(t, waitFor(ctx, l, bucketSensitive))
	}
	// The sixth needs the hour to pass: a 1-second deadline fails at once.
	dctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	start := time.Now()
	err := waitFor(dctx, l, bucketSensitive)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "sensitive operations (5 per hour)")
	assert.Less(t, time.Since(start), 500*time.Millisecond, "fails without sleeping")
	// 12 minutes on, a token bucket would have a slot; the window does not.
	clk.add(12 * time.Minute)
	assert.ErrorIs(t, waitFor(dctx, l, bucketSensitive), ErrRateLimited)
	// Nothing was reserved by the refused calls: once the hour has passed
	// since the burst, one slot per call of the burst.
	clk.add(48 * time.Minute)
	for i := 0; i < 5; i++ {
		require.NoError(t, waitFor(dctx, l, bucketSensitive), i)
	}
	assert.ErrorIs(t, waitFor(dctx, l, bucketSensitive), ErrRateLimited)
}

func TestLimiterWaitsForSlot(t *testing.T) {
	l, _ := testLimiter(map[bucketName]rateLimit{bucketChat: {2, 100 * time.Millisecond}}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	for i := 0; i < 4; i++ {
		require.NoError(t, waitFor(ctx, l, bucketChat))
	}
	// Two immediately, then two more once the window has passed.
	assert.GreaterOrEqual(t, time.Since(start), 90*time.Millisecond)
}

func TestLimiterCancelReturnsSlot(t *testing.T) {
	l, store := testLimiter(map[bucketName]rateLimit{bucketAPI: {1, time.Hour}}, nil)
	require.NoError(t, waitFor(context.Background(), l, bucketAPI))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	err := waitFor(ctx, l, bucketAPI)
	assert.ErrorIs(t, err, context.Canceled)
	store.mu.Lock()
	defer store.mu.Unlock()
	assert.Len(t, store.logs[l.limits[bucketAPI].Key], 1, "the cancelled reservation was given back")
}

// recordingStore wraps a store, counts its calls, and fails when told to.
type recordingStore struct {
	LimitStore
	mu       sync.Mutex
	reserves int
	cancels  []string
	fail     error
}

func (s *recordingStore) Reserve(ctx context.Context, limits []Limit, now time.Time, maxWait time.Duration) (Reservation, error) {
	s.mu.Lock()
	s.reserves++
	err := s.fail
	s.mu.Unlock()
	if err != nil {
		return Reservation{}, err
	}
	return s.LimitStore.Reserve(ctx, limits, now, maxWait)
}

func (s *recordingStore) Cancel(ctx context.Context, limits []Limit, id string) error {
	s.mu.Lock()
	s.cancels = append(s.cancels, id)
	s.mu.Unlock()
	if ctx.Err() != nil {
		return ctx.Err() // the limiter must not pass the caller's ended context
	}
	return s.LimitStore.Cancel(ctx, limits, id)
}

// TestCancelledWaitCallsCancel: a call whose context ends while it waits
// for its slot gives the slot back through the store, on a context of its
// own, and the next call gets the slot at once.
func TestCancelledWaitCallsCancel(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	store := &recordingStore{LimitStore: NewMemoryLimitStore()}
	l := newLimiter(store, accountOf(testKey), map[bucketName]rateLimit{bucketChat: {1, time.Minute}}, clk.now)
	require.NoError(t, waitFor(context.Background(), l, bucketChat))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	assert.ErrorIs(t, waitFor(ctx, l, bucketChat), context.Canceled)
	require.Len(t, store.cancels, 1)
	assert.NotEmpty(t, store.cancels[0])
	// The slot after the first call is free again: a call a minute later
	// does not wait behind the one that gave up.
	clk.add(time.Minute)
	dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer dcancel()
	require.NoError(t, waitFor(dctx, l, bucketChat))
}

func TestClientRateLimitSendsNothingWhenRefused(t *testing.T) {
	c, m := mockClient(t, WithRateLimit())
	require.NotNil(t, c.limiter)
	respond(m, "GET", testBase+"/api/profile", 200, wiretest.Fixture(t, "profile.json"), nil)
	c.limiter, _ = testLimiter(map[bucketName]rateLimit{bucketAPI: {2, time.Hour}}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for i := 0; i < 2; i++ {
		_, err := c.Account.Profile(ctx)
		require.NoError(t, err)
	}
	_, err := c.Account.Profile(ctx)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, 2, m.Count())
}

func TestNoLimiterByDefault(t *testing.T) {
	c, _ := mockClient(t)
	assert.Nil(t, c.limiter)
}

// TestOptionsThroughNew: Chattu's own options, given among the shared ones,
// reach the Client New builds.
func TestOptionsThroughNew(t *testing.T) {
	// The limiter New installs has the documented limits, on a store of
	// its own, keyed by the account.
	c, m := mockClient(t, WithRateLimit(), WithSessionCookie(testCookie))
	require.NotNil(t, c.limiter)
	assert.IsType(t, &MemoryLimitStore{}, c.limiter.store)
	for name, lim := range documentedLimits() {
		l, ok := c.limiter.limits[name]
		require.True(t, ok, name.String())
		assert.Equal(t, lim.n, l.N, name.String())
		assert.Equal(t, lim.per, l.Per, name.String())
		assert.Equal(t, limitKey(name, lim, accountOf(testKey)), l.Key, name.String())
	}
	// It gates real calls: 10 cancellations per 15 minutes, then the next
	// one is refused at once within a short deadline and nothing is sent.
	m.Handle("DELETE", `=~/scheduled-messages/\d+$`, func(req *http.Request) (*http.Response, error) {
		return httpmock.NewStringResponse(200, `{"message":"Schedule cancelled."}`), nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for i := 1; i <= 10; i++ {
		_, err := c.Schedules.Cancel(ctx, int64(i))
		require.NoError(t, err, i)
	}
	_, err := c.Schedules.Cancel(ctx, 11)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 10, m.Count())
	for i, r := range m.Requests() {
		assert.Equal(t, fmt.Sprintf("/scheduled-messages/%d", i+1), r.Path)
	}

	// WithLimitStore installs the limiter on the given store.
	shared := NewMemoryLimitStore()
	c3, _ := mockClient(t, WithLimitStore(shared))
	require.NotNil(t, c3.limiter)
	assert.Same(t, shared, c3.limiter.store)
	assert.False(t, c3.limiter.failOpen)
	c4, _ := mockClient(t, WithLimitStore(shared), WithLimitStoreFailOpen())
	assert.True(t, c4.limiter.failOpen)

	// The last WithSessionCookie wins, as with every option.
	c2, m2 := mockClient(t, WithSessionCookie("connect.sid=first"), WithSessionCookie("connect.sid=second"))
	respond(m2, "GET", testBase+"/scheduled-messages", 200, `[]`, nil)
	_, err = c2.Schedules.List(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "connect.sid=second", m2.Last().Header.Get("Cookie"))

	// A bad option value is New's error, naming the option.
	for opt, opts := range map[string][]Option{
		"WithSessionCookie":      {WithSessionCookie("no pairs here")},
		"WithLimitStore":         {WithLimitStore(nil)},
		"WithLimitStoreFailOpen": {WithLimitStoreFailOpen()},
	} {
		_, err = New(testBase, testKey, opts...)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, opt)
		assert.Equal(t, opt, ve.Field)
	}
}

// TestLimitKeys: the keys name the limit and the account, by a hash of the
// API key; never the key. Clients of one key share them, clients of two
// keys do not, and a client keeps its keys when its API key changes.
func TestLimitKeys(t *testing.T) {
	a, _ := mockClient(t, WithRateLimit())
	b, _ := mockClient(t, WithRateLimit())
	other, err := New(testBase, "another-account-key", WithRateLimit())
	require.NoError(t, err)
	seen := map[string]bool{}
	for name := range documentedLimits() {
		ka, kb, ko := a.limiter.limits[name].Key, b.limiter.limits[name].Key, other.limiter.limits[name].Key
		assert.Equal(t, ka, kb)
		assert.NotEqual(t, ka, ko)
		assert.True(t, strings.HasPrefix(ka, name.keyName()+":"), ka)
		assert.NotContains(t, ka, testKey)
		assert.NotContains(t, ko, "another-account-key")
		assert.False(t, seen[ka], "one key per limit")
		seen[ka] = true
	}
	before := a.limiter.limits[bucketSensitive].Key
	require.NoError(t, a.SetAPIKey("rotated-key-123"))
	assert.Equal(t, before, a.limiter.limits[bucketSensitive].Key)
	assert.Len(t, accountOf("x"), 32)
}

// TestSharedStoreAcrossClients: two clients of one key sharing a store stay
// within one limit together; with a store each they would not.
func TestSharedStoreAcrossClients(t *testing.T) {
	shared := NewMemoryLimitStore()
	a, ma := mockClient(t, WithLimitStore(shared), WithSessionCookie(testCookie))
	b, mb := mockClient(t, WithLimitStore(shared), WithSessionCookie(testCookie))
	for _, m := range []*wiretest.Mock{ma, mb} {
		respond(m, "DELETE", `=~/clients/`, 200, `{"message":"Client deleted successfully."}`, nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var refused int
	for i := 0; i < 8; i++ {
		c := a
		if i%2 == 1 {
			c = b
		}
		_, err := c.Clients.Delete(ctx, fmt.Sprintf("c%d", i), DeleteClientParams{Password: "pw"})
		if err != nil {
			require.ErrorIs(t, err, ErrRateLimited)
			refused++
		}
	}
	assert.Equal(t, 5, ma.Count()+mb.Count(), "5 sensitive operations per hour, together")
	assert.Equal(t, 3, refused)
}

// TestLimitStoreFailure: a store that fails stops the call before anything
// is sent, with an error that says so and claims nothing about Chattu;
// unless the user chose to fail open, when the call goes out and the
// client's logger gets a warning.
func TestLimitStoreFailure(t *testing.T) {
	cause := errors.New("dial tcp 10.0.0.7:6379: connection refused")
	store := &recordingStore{LimitStore: NewMemoryLimitStore(), fail: cause}

	c, m := mockClient(t, WithLimitStore(store))
	respond(m, "POST", testBase+"/api/send-message", 200, `{"success":true}`, nil)
	_, err := c.Messages.Send(context.Background(), SendMessageParams{ClientID: "client-id", Number: "12345678901", Message: "x"})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrLimitStore)
	assert.ErrorIs(t, err, cause)
	for _, s := range []error{ErrRateLimited, ErrUnauthorized, ErrNotFound, ErrValidation, ErrMaybeDelivered} {
		assert.False(t, errors.Is(err, s), "must not match %v", s)
	}
	var e *Error
	assert.False(t, errors.As(err, &e), "Chattu was not asked")
	assert.NotContains(t, err.Error(), testKey)
	assert.Equal(t, 0, m.Count(), "nothing sent")

	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, m = mockClient(t, WithLimitStore(store), WithLimitStoreFailOpen(), WithLogger(logger))
	respond(m, "POST", testBase+"/api/send-message", 200, `{"success":true}`, nil)
	_, err = c.Messages.Send(context.Background(), SendMessageParams{ClientID: "client-id", Number: "12345678901", Message: "x"})
	require.NoError(t, err)
	assert.Equal(t, 1, m.Count(), "sent without the limits")
	out := logs.String()
	assert.Contains(t, out, "level=WARN")
	assert.Contains(t, out, "without client-side limits")
	assert.Contains(t, out, "connection refused")
	assert.Contains(t, out, "/api/send-message")
	assert.NotContains(t, out, testKey)

	// Failing open without a logger sends too, silently.
	c, m = mockClient(t, WithLimitStore(store), WithLimitStoreFailOpen())
	respond(m, "POST", testBase+"/api/send-message", 200, `{"success":true}`, nil)
	_, err = c.Messages.Send(context.Background(), SendMessageParams{ClientID: "client-id", Number: "12345678901", Message: "x"})
	require.NoError(t, err)
	assert.Equal(t, 1, m.Count())

	// The store recovers: the limits apply again.
	store.mu.Lock()
	store.fail = nil
	store.mu.Unlock()
	_, err = c.Messages.Send(context.Background(), SendMessageParams{ClientID: "client-id", Number: "12345678901", Message: "x"})
	require.NoError(t, err)
	assert.Equal(t, 4, store.reserves)
}

// TestMemoryLimitStoreSlidingWindow: under random arrivals, with callers
// that wait and callers that give up, the calls reserved never put more
// than N in any window of length Per, for each limit of a call touching
// several at once.
func TestMemoryLimitStoreSlidingWindow(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 13))
	s := NewMemoryLimitStore()
	a := Limit{Key: "a", N: 3, Per: 10 * time.Second}
	b := Limit{Key: "b", N: 5, Per: 30 * time.Second}
	now := time.Unix(1_700_000_000, 0)
	times := map[string][]time.Time{}
	ctx := context.Background()
	for i := 0; i < 2000; i++ {
		now = now.Add(time.Duration(r.IntN(4000)) * time.Millisecond)
		limits := [][]Limit{{a}, {b}, {a, b}, {b, a}}[r.IntN(4)]
		maxWait := time.Duration(r.IntN(40)) * time.Second
		res, err := s.Reserve(ctx, limits, now, maxWait)
		require.NoError(t, err)
		if !res.OK {
			assert.Greater(t, res.Wait, maxWait)
			assert.Empty(t, res.ID)
			continue
		}
		assert.LessOrEqual(t, res.Wait, maxWait)
		if r.IntN(10) == 0 {
			require.NoError(t, s.Cancel(ctx, limits, res.ID)) // gave up waiting
			continue
		}
		for _, l := range limits {
			times[l.Key] = append(times[l.Key], now.Add(res.Wait))
		}
	}
	for _, l := range []Limit{a, b} {
		ts := times[l.Key]
		require.Greater(t, len(ts), 100, l.Key)
		slices.SortFunc(ts, time.Time.Compare)
		for i := 0; i+l.N < len(ts); i++ {
			require.GreaterOrEqual(t, ts[i+l.N].Sub(ts[i]), l.Per, "%s: %d calls within %v", l.Key, l.N+1, l.Per)
		}
	}
}

// TestMemoryLimitStoreEarliestSlot: the store hands out the earliest slot,
// counting the calls reserved for later, and records nothing when the
// wait is longer than the caller accepts.
func TestMemoryLimitStoreEarliestSlot(t *testing.T) {
	s := NewMemoryLimitStore()
	ctx := context.Background()
	l := []Limit{{Key: "k", N: 2, Per: time.Minute}}
	t0 := time.Unix(1_700_000_000, 0)
	for i, want := range []time.Duration{0, 0, time.Minute, time.Minute, 2 * time.Minute} {
		r, err := s.Reserve(ctx, l, t0, time.Hour)
		require.NoError(t, err)
		assert.True(t, r.OK, i)
		assert.Equal(t, want, r.Wait, i)
	}
	r, err := s.Reserve(ctx, l, t0, time.Minute)
	require.NoError(t, err)
	assert.False(t, r.OK)
	assert.Equal(t, 2*time.Minute, r.Wait)
	// Ten seconds later the same slot is 10 s nearer.
	r, err = s.Reserve(ctx, l, t0.Add(10*time.Second), -time.Second)
	require.NoError(t, err)
	assert.False(t, r.OK)
	assert.Equal(t, 110*time.Second, r.Wait)
	// Past every window the key is forgotten.
	r, err = s.Reserve(ctx, l, t0.Add(time.Hour), 0)
	require.NoError(t, err)
	assert.True(t, r.OK)
	s.mu.Lock()
	assert.Len(t, s.logs["k"], 1)
	s.mu.Unlock()

	// No limits is an immediate slot; bad limits are refused by position.
	r, err = s.Reserve(ctx, nil, t0, 0)
	require.NoError(t, err)
	assert.True(t, r.OK)
	for _, bad := range [][]Limit{{{N: 1, Per: time.Second}}, {{Key: "x", N: 0, Per: time.Second}},
		{{Key: "x", N: 1}}, {{Key: "x", N: 1, Per: time.Second}, {Key: "x", N: 2, Per: time.Second}}} {
		_, err := s.Reserve(ctx, bad, t0, 0)
		assert.Error(t, err)
	}
	assert.NoError(t, s.Cancel(ctx, l, ""))
	assert.NoError(t, s.Cancel(ctx, l, "unknown"))

	// The zero value is an empty store.
	var zero MemoryLimitStore
	assert.NoError(t, zero.Cancel(ctx, l, "1"))
	r, err = zero.Reserve(ctx, l, t0, 0)
	require.NoError(t, err)
	assert.True(t, r.OK)
}

// flakyStore fails its first failures Reserves, as a store does during a
// short outage, then answers from an in-memory store.
type flakyStore struct {
	LimitStore
	mu       sync.Mutex
	failures int
	calls    int
}

func (f *flakyStore) Reserve(ctx context.Context, limits []Limit, now time.Time, maxWait time.Duration) (Reservation, error) {
	f.mu.Lock()
	f.calls++
	fail := f.calls <= f.failures
	f.mu.Unlock()
	if fail {
		return Reservation{}, errors.New("dial tcp 127.0.0.1:6379: connection refused")
	}
	return f.LimitStore.Reserve(ctx, limits, now, maxWait)
}

// TestLimitStoreWait: with WithLimitStoreWait a call waits out a store
// outage and then goes out within the limits; an outage longer than the
// call's context is ErrLimitStore, with nothing sent.
func TestLimitStoreWait(t *testing.T) {
	store := &flakyStore{LimitStore: NewMemoryLimitStore(), failures: 2}
	c, m := mockClient(t, WithLimitStore(store), WithLimitStoreWait())
	respond(m, "GET", testBase+"/api/profile", 200, wiretest.Fixture(t, "profile.json"), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.Account.Profile(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, store.calls, "two failures, then the reservation")
	assert.Equal(t, 1, m.Count())

	down := &flakyStore{LimitStore: NewMemoryLimitStore(), failures: 1 << 30}
	c, m = mockClient(t, WithLimitStore(down), WithLimitStoreWait())
	respond(m, "GET", testBase+"/api/profile", 200, wiretest.Fixture(t, "profile.json"), nil)
	short, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	_, err = c.Account.Profile(short)
	assert.ErrorIs(t, err, ErrLimitStore)
	assert.Greater(t, down.calls, 1, "it asked again before giving up")
	assert.Zero(t, m.Count(), "nothing sent without the limits")

	_, err = New(testBase, testKey, WithLimitStoreWait())
	assert.ErrorIs(t, err, ErrValidation, "no limits to wait for")
	_, err = New(testBase, testKey, WithRateLimit(), WithLimitStoreWait(), WithLimitStoreFailOpen())
	assert.ErrorIs(t, err, ErrValidation, "wait and fail-open exclude each other")
}
