package chattu

import (
	"context"
	"fmt"
	"net/http"
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

func TestBucketsForEndpoints(t *testing.T) {
	assert.Equal(t, []bucketName{bucketAPI}, bucketsFor("POST", "/api/send-message", apiKeyAuth))
	assert.Equal(t, []bucketName{bucketAPI}, bucketsFor("GET", "/api/groups/c", eitherAuth))
	assert.Equal(t, []bucketName{bucketChat}, bucketsFor("GET", "/api/chats/c", sessionAuth))
	assert.Equal(t, []bucketName{bucketChat}, bucketsFor("POST", "/api/groups/c/1@g.us/send", sessionAuth))
	assert.Equal(t, []bucketName{bucketAPI, bucketSensitive}, bucketsFor("POST", "/api/reset-api-key", apiKeyAuth))
	assert.Equal(t, []bucketName{bucketSensitive, bucketDelete}, bucketsFor("DELETE", "/clients/c", sessionAuth))
	assert.Equal(t, []bucketName{bucketDelete}, bucketsFor("DELETE", "/scheduled-messages/1", sessionAuth))
	assert.Empty(t, bucketsFor("POST", "/schedule-message", sessionAuth))
	for _, b := range []bucketName{bucketAPI, bucketChat, bucketSensitive, bucketDelete, 99} {
		assert.NotEmpty(t, b.String())
	}
}

func TestDocumentedLimits(t *testing.T) {
	l := documentedLimits()
	assert.Equal(t, rateLimit{100, 15 * time.Minute}, l[bucketAPI])
	assert.Equal(t, rateLimit{60, time.Minute}, l[bucketChat])
	assert.Equal(t, rateLimit{5, time.Hour}, l[bucketSensitive])
	assert.Equal(t, rateLimit{10, 15 * time.Minute}, l[bucketDelete])
}

func TestLimiterBurstThenRefuseWithinDeadline(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := newLimiter(map[bucketName]rateLimit{bucketSensitive: {5, time.Hour}}, clk.now)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		require.NoError(t, l.wait(ctx, bucketSensitive))
	}
	// The sixth needs 12 minutes: a 1-second deadline fails at once.
	dctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	start := time.Now()
	err := l.wait(dctx, bucketSensitive)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 500*time.Millisecond, "fails without sleeping")
	// Nothing was reserved by the refused call: after 12 minutes one slot.
	clk.add(12 * time.Minute)
	require.NoError(t, l.wait(dctx, bucketSensitive))
	assert.ErrorIs(t, l.wait(dctx, bucketSensitive), ErrRateLimited)
}

func TestLimiterWaitsForSlot(t *testing.T) {
	l := newLimiter(map[bucketName]rateLimit{bucketChat: {2, 100 * time.Millisecond}}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	for i := 0; i < 4; i++ {
		require.NoError(t, l.wait(ctx, bucketChat))
	}
	// Two immediately, then one every 50ms.
	assert.GreaterOrEqual(t, time.Since(start), 90*time.Millisecond)
}

func TestLimiterCancelReturnsSlot(t *testing.T) {
	l := newLimiter(map[bucketName]rateLimit{bucketAPI: {1, time.Hour}}, nil)
	require.NoError(t, l.wait(context.Background(), bucketAPI))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	err := l.wait(ctx, bucketAPI)
	assert.ErrorIs(t, err, context.Canceled)
	b := l.buckets[bucketAPI]
	assert.InDelta(t, 0, b.tokens, 0.01, "the cancelled reservation was given back")
}

func TestClientRateLimitSendsNothingWhenRefused(t *testing.T) {
	c, m := mockClient(t, WithRateLimit())
	require.NotNil(t, c.limiter)
	respond(m, "GET", testBase+"/api/profile", 200, wiretest.Fixture(t, "profile.json"), nil)
	c.limiter = newLimiter(map[bucketName]rateLimit{bucketAPI: {2, time.Hour}}, nil)
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
	// The limiter New installs has the documented buckets, full.
	c, m := mockClient(t, WithRateLimit(), WithSessionCookie(testCookie))
	require.NotNil(t, c.limiter)
	for name, lim := range documentedLimits() {
		b := c.limiter.buckets[name]
		require.NotNil(t, b, name.String())
		assert.Equal(t, float64(lim.n), b.capacity, name.String())
		assert.Equal(t, float64(lim.n), b.tokens, name.String())
		assert.Equal(t, lim.per/time.Duration(lim.n), b.interval, name.String())
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

	// The last WithSessionCookie wins, as with every option.
	c2, m2 := mockClient(t, WithSessionCookie("connect.sid=first"), WithSessionCookie("connect.sid=second"))
	respond(m2, "GET", testBase+"/scheduled-messages", 200, `[]`, nil)
	_, err = c2.Schedules.List(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "connect.sid=second", m2.Last().Header.Get("Cookie"))

	// A bad option value is New's error, naming the option.
	_, err = New(testBase, testKey, WithSessionCookie("no pairs here"))
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "WithSessionCookie", ve.Field)
}
