package redisstore_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/redisstore"
)

func newLimitStore(t testing.TB, c redis.UniversalClient, opts ...redisstore.Option) *redisstore.LimitStore {
	t.Helper()
	s, err := redisstore.NewLimitStore(c, opts...)
	if err != nil {
		t.Fatalf("NewLimitStore: %v", err)
	}
	return s
}

// probe reads the store's state straight from Redis.
type probe struct {
	t   testing.TB
	rdb *redis.Client
}

// now is Redis's clock in microseconds, the store's time base.
func (p probe) now() int64 {
	p.t.Helper()
	tm, err := p.rdb.Time(context.Background()).Result()
	if err != nil {
		p.t.Fatalf("TIME: %v", err)
	}
	return tm.UnixMicro()
}

// at is the time (µs) recorded for reservation id under a limit.
func (p probe) at(l chattu.Limit, id string) int64 {
	p.t.Helper()
	s, err := p.rdb.ZScore(context.Background(), redisstore.DefaultLimitPrefix+l.Key, id).Result()
	if err != nil {
		p.t.Fatalf("ZSCORE %s: %v", l.Key, err)
	}
	return int64(s)
}

func (p probe) card(l chattu.Limit) int64 {
	p.t.Helper()
	n, err := p.rdb.ZCard(context.Background(), redisstore.DefaultLimitPrefix+l.Key).Result()
	if err != nil {
		p.t.Fatalf("ZCARD %s: %v", l.Key, err)
	}
	return n
}

func (p probe) pttl(l chattu.Limit) time.Duration {
	p.t.Helper()
	d, err := p.rdb.PTTL(context.Background(), redisstore.DefaultLimitPrefix+l.Key).Result()
	if err != nil {
		p.t.Fatalf("PTTL %s: %v", l.Key, err)
	}
	return d
}

// reserved is one granted reservation: where it landed, and the wait the
// store answered against the Redis clock readings around the call.
type reserved struct {
	id             string
	at             int64 // µs, Redis clock
	before, after  int64 // Redis clock around the call
	wait           time.Duration
	limits         []chattu.Limit
	atByLimitAgree bool
}

// reserve calls Reserve and, when granted, reads where it landed.
func (p probe) reserve(s *redisstore.LimitStore, limits []chattu.Limit, maxWait time.Duration) (chattu.Reservation, reserved) {
	p.t.Helper()
	before := p.now()
	r, err := s.Reserve(context.Background(), limits, time.Now(), maxWait)
	after := p.now()
	if err != nil {
		p.t.Fatalf("Reserve: %v", err)
	}
	rec := reserved{id: r.ID, before: before, after: after, wait: r.Wait, limits: limits, atByLimitAgree: true}
	if r.OK {
		rec.at = p.at(limits[0], r.ID)
		for _, l := range limits[1:] {
			if p.at(l, r.ID) != rec.at {
				rec.atByLimitAgree = false
			}
		}
	}
	return r, rec
}

// checkWait verifies that the answered wait is the reservation's time less
// Redis's clock at the call, which lies between the readings around it.
func checkWait(t testing.TB, r reserved) {
	t.Helper()
	w := r.wait.Microseconds()
	if w < 0 || w > max(r.at-r.before, 0) || w < r.at-r.after {
		t.Errorf("reservation at %d, called between %d and %d: wait %v not in [%d, %d]µs",
			r.at, r.before, r.after, r.wait, r.at-r.after, r.at-r.before)
	}
}

// checkWindows verifies that no window of length per holds more than n of
// the times: every maximal window can be slid to start at one of them, so
// checking the windows [times[i], times[i]+per) checks them all.
func checkWindows(t testing.TB, name string, times []int64, n int, per time.Duration) {
	t.Helper()
	ts := slices.Clone(times)
	slices.Sort(ts)
	p := per.Microseconds()
	for i := range ts {
		j := i
		for j < len(ts) && ts[j]-ts[i] < p {
			j++
		}
		if j-i > n {
			t.Errorf("%s: %d reservations in [%d, %d+%v), limit %d", name, j-i, ts[i], ts[i], per, n)
		}
	}
}

func TestLimitStoreWaits(t *testing.T) {
	flush(t)
	rdb := newClient(t)
	p := probe{t, rdb}
	s := newLimitStore(t, rdb)
	l := chattu.Limit{Key: "acct1:api", N: 5, Per: time.Second}
	lim := []chattu.Limit{l}

	var got []reserved
	for i := range 5 {
		r, rec := p.reserve(s, lim, 0)
		if !r.OK || r.Wait != 0 || r.ID == "" {
			t.Fatalf("call %d: %+v, want OK with no wait", i+1, r)
		}
		got = append(got, rec)
	}

	// The sixth does not fit now: refused with maxWait 0, recording nothing.
	r, rec := p.reserve(s, lim, 0)
	if r.OK || r.ID != "" {
		t.Fatalf("sixth with maxWait 0: %+v, want refused", r)
	}
	rec.at = got[0].at + time.Second.Microseconds()
	checkWait(t, rec)
	if n := p.card(l); n != 5 {
		t.Fatalf("a refusal recorded something: %d members", n)
	}

	// With room to wait, it lands exactly when the first leaves the window,
	// and the seventh when the second does.
	for i := range 2 {
		r, rec := p.reserve(s, lim, 2*time.Second)
		if !r.OK {
			t.Fatalf("call %d with maxWait 2s: %+v", 6+i, r)
		}
		if want := got[i].at + time.Second.Microseconds(); rec.at != want {
			t.Fatalf("call %d at %d, want %d (call %d + 1s)", 6+i, rec.at, want, i+1)
		}
		checkWait(t, rec)
		got = append(got, rec)
	}
	var times []int64
	for _, g := range got {
		times = append(times, g.at)
	}
	checkWindows(t, "one limit", times, 5, time.Second)

	// The key lives until its last reservation leaves the window.
	if d := p.pttl(l); d <= time.Second || d > 2*time.Second+10*time.Millisecond {
		t.Fatalf("PTTL %v, want about 2s (last reservation about 1s ahead, plus 1s)", d)
	}
}

func TestLimitStoreMaxWaitRecordsNothing(t *testing.T) {
	flush(t)
	rdb := newClient(t)
	p := probe{t, rdb}
	s := newLimitStore(t, rdb)
	a := chattu.Limit{Key: "acct1:a", N: 1, Per: time.Second}
	b := chattu.Limit{Key: "acct1:b", N: 10, Per: time.Second}
	if r, _ := p.reserve(s, []chattu.Limit{a}, 0); !r.OK {
		t.Fatalf("first: %+v", r)
	}
	for _, maxWait := range []time.Duration{100 * time.Millisecond, 0, -time.Second} {
		r, _ := p.reserve(s, []chattu.Limit{b, a}, maxWait)
		if r.OK || r.ID != "" || r.Wait <= 800*time.Millisecond || r.Wait > time.Second {
			t.Fatalf("maxWait %v: %+v, want refused with a wait just under 1s", maxWait, r)
		}
	}
	// Neither limit recorded anything, not even b, which had room.
	if na, nb := p.card(a), p.card(b); na != 1 || nb != 0 {
		t.Fatalf("after refusals: a has %d, b has %d; want 1 and 0", na, nb)
	}
}

func TestLimitStoreCancel(t *testing.T) {
	flush(t)
	rdb := newClient(t)
	p := probe{t, rdb}
	s := newLimitStore(t, rdb)
	ctx := context.Background()
	a := chattu.Limit{Key: "acct1:sensitive", N: 1, Per: time.Hour}
	b := chattu.Limit{Key: "acct1:delete", N: 10, Per: 15 * time.Minute}
	both := []chattu.Limit{a, b}

	r1, _ := p.reserve(s, both, 0)
	if !r1.OK {
		t.Fatalf("first: %+v", r1)
	}
	if r, _ := p.reserve(s, both, 0); r.OK {
		t.Fatalf("second within the hour: %+v, want refused", r)
	}
	if err := s.Cancel(ctx, both, r1.ID); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if na, nb := p.card(a), p.card(b); na != 0 || nb != 0 {
		t.Fatalf("after Cancel: %d and %d members, want none", na, nb)
	}
	r3, _ := p.reserve(s, both, 0)
	if !r3.OK || r3.Wait != 0 {
		t.Fatalf("after Cancel: %+v, want the freed slot now", r3)
	}
	// Cancelling twice, an unknown id, an empty id or no limits is harmless.
	for _, c := range []struct {
		limits []chattu.Limit
		id     string
	}{{both, r1.ID}, {both, "unknown"}, {both, ""}, {nil, r3.ID}} {
		if err := s.Cancel(ctx, c.limits, c.id); err != nil {
			t.Fatalf("Cancel(%d limits, %q): %v", len(c.limits), c.id, err)
		}
	}
	if na := p.card(a); na != 1 {
		t.Fatalf("the live reservation was removed: %d members", na)
	}
}

// A reservation held back by one limit sits in the future of another; a
// later call against that other limit alone must respect it too, not only
// the window ending at its own time.
func TestLimitStoreFutureReservations(t *testing.T) {
	flush(t)
	rdb := newClient(t)
	p := probe{t, rdb}
	s := newLimitStore(t, rdb)
	a := chattu.Limit{Key: "acct1:a", N: 1, Per: 2 * time.Second}
	b := chattu.Limit{Key: "acct1:b", N: 1, Per: 3 * time.Second}

	r1, g1 := p.reserve(s, []chattu.Limit{a, b}, time.Minute)
	r2, g2 := p.reserve(s, []chattu.Limit{a, b}, time.Minute)
	r3, g3 := p.reserve(s, []chattu.Limit{a}, time.Minute)
	if !r1.OK || !r2.OK || !r3.OK {
		t.Fatalf("reservations: %+v %+v %+v", r1, r2, r3)
	}
	sec := time.Second.Microseconds()
	if g2.at != g1.at+3*sec {
		t.Fatalf("second at +%dµs, want +3s (held by b)", g2.at-g1.at)
	}
	// At +2s a would hold two calls less than 2s apart (+2s and +3s): the
	// earliest fit is +5s.
	if g3.at != g1.at+5*sec {
		t.Fatalf("third at +%dµs, want +5s", g3.at-g1.at)
	}
	for _, g := range []reserved{g1, g2, g3} {
		checkWait(t, g)
		if !g.atByLimitAgree {
			t.Fatalf("reservation %s landed at different times under its limits", g.id)
		}
	}
	checkWindows(t, "a", []int64{g1.at, g2.at, g3.at}, 1, 2*time.Second)
	checkWindows(t, "b", []int64{g1.at, g2.at}, 1, 3*time.Second)

	// A fourth call against a: no gap between +0, +3s and +5s is wide
	// enough (4s, two windows), so it goes 2s after the last: +7s.
	r4, g4 := p.reserve(s, []chattu.Limit{a}, time.Minute)
	if !r4.OK || g4.at != g1.at+7*sec {
		t.Fatalf("fourth: %+v at +%dµs, want +7s", r4, g4.at-g1.at)
	}
}

// Two clients (two instances) reserve concurrently against one limit: no
// window of one second ever holds more than five calls, and the calls are
// packed as tightly as the limit allows.
func TestLimitStoreConcurrentInstances(t *testing.T) {
	flush(t)
	l := chattu.Limit{Key: "acct1:api", N: 5, Per: time.Second}
	got := reserveConcurrently(t, 2, 10, 5, func(int) []chattu.Limit { return []chattu.Limit{l} })
	times := make([]int64, len(got))
	for i, g := range got {
		times[i] = g.at
		checkWait(t, g)
	}
	checkWindows(t, "api", times, l.N, l.Per)
	// Tight: every call from the sixth on lands exactly when the call five
	// places earlier leaves the window.
	slices.Sort(times)
	for i := l.N; i < len(times); i++ {
		if times[i] != times[i-l.N]+l.Per.Microseconds() {
			t.Fatalf("call %d at %d, want %d (call %d + 1s)", i, times[i], times[i-l.N]+l.Per.Microseconds(), i-l.N)
		}
	}
}

// Several limits, each call under a different subset of them, from two
// instances at once: every limit holds in every window, and a call lands at
// one time under all its limits.
func TestLimitStoreConcurrentMultiLimit(t *testing.T) {
	flush(t)
	api := chattu.Limit{Key: "acct1:api", N: 5, Per: time.Second}
	sens := chattu.Limit{Key: "acct1:sensitive", N: 2, Per: 3 * time.Second}
	del := chattu.Limit{Key: "acct1:delete", N: 3, Per: 2 * time.Second}
	subsets := [][]chattu.Limit{
		{api}, {api, del}, {api, sens, del}, {sens}, {del}, {api, sens},
	}
	got := reserveConcurrently(t, 2, 8, 4, func(i int) []chattu.Limit { return subsets[i%len(subsets)] })
	per := map[string][]int64{}
	for _, g := range got {
		checkWait(t, g)
		if !g.atByLimitAgree {
			t.Errorf("reservation %s landed at different times under its limits", g.id)
		}
		for _, l := range g.limits {
			per[l.Key] = append(per[l.Key], g.at)
		}
	}
	for _, l := range []chattu.Limit{api, sens, del} {
		if len(per[l.Key]) == 0 {
			t.Fatalf("no reservation under %s", l.Key)
		}
		checkWindows(t, l.Key, per[l.Key], l.N, l.Per)
	}
}

// reserveConcurrently runs goroutines on each of instances clients, each
// making calls reservations (the i-th overall against limits(i)), with
// skewed local clocks passed as now, which the store must ignore.
func reserveConcurrently(t *testing.T, instances, goroutines, calls int, limits func(i int) []chattu.Limit) []reserved {
	t.Helper()
	stores := make([]*redisstore.LimitStore, instances)
	probes := make([]probe, instances)
	for i := range stores {
		c := newClient(t)
		stores[i], probes[i] = newLimitStore(t, c), probe{t, c}
	}
	var (
		mu    sync.Mutex
		got   []reserved
		wg    sync.WaitGroup
		start = make(chan struct{})
		seq   int
	)
	for g := range instances * goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			s, p := stores[g%instances], probes[g%instances]
			skew := time.Duration(g%3-1) * time.Hour
			for range calls {
				mu.Lock()
				i := seq
				seq++
				mu.Unlock()
				lim := limits(i)
				before := p.now()
				r, err := s.Reserve(context.Background(), lim, time.Now().Add(skew), time.Minute)
				after := p.now()
				if err != nil || !r.OK {
					t.Errorf("Reserve: %+v, %v", r, err)
					return
				}
				rec := reserved{id: r.ID, before: before, after: after, wait: r.Wait, limits: lim, atByLimitAgree: true}
				rec.at = p.at(lim[0], r.ID)
				for _, l := range lim[1:] {
					if p.at(l, r.ID) != rec.at {
						rec.atByLimitAgree = false
					}
				}
				mu.Lock()
				got = append(got, rec)
				mu.Unlock()
				time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
			}
		}()
	}
	close(start)
	wg.Wait()
	if want := instances * goroutines * calls; len(got) != want {
		t.Fatalf("%d reservations, want %d", len(got), want)
	}
	return got
}

// Real time passing: calls that have left the window are dropped, and a
// limit's key disappears once its last call has.
func TestLimitStoreExpiry(t *testing.T) {
	flush(t)
	rdb := newClient(t)
	p := probe{t, rdb}
	s := newLimitStore(t, rdb)
	l := chattu.Limit{Key: "acct1:chat", N: 2, Per: 300 * time.Millisecond}
	for range 2 {
		if r, _ := p.reserve(s, []chattu.Limit{l}, 0); !r.OK {
			t.Fatalf("%+v", r)
		}
	}
	if r, _ := p.reserve(s, []chattu.Limit{l}, 0); r.OK {
		t.Fatal("third within the window granted")
	}
	time.Sleep(350 * time.Millisecond)
	if r, _ := p.reserve(s, []chattu.Limit{l}, 0); !r.OK || r.Wait != 0 {
		t.Fatalf("after the window: %+v, want OK now", r)
	}
	if n := p.card(l); n != 1 {
		t.Fatalf("%d members, want the old calls dropped", n)
	}
	time.Sleep(350 * time.Millisecond)
	if n, err := rdb.Exists(context.Background(), redisstore.DefaultLimitPrefix+l.Key).Result(); err != nil || n != 0 {
		t.Fatalf("key still there after its window: %d, %v", n, err)
	}
}

func TestLimitStoreOutage(t *testing.T) {
	flush(t)
	s := newLimitStore(t, newClientWith(t, patient), redisstore.WithTimeout(0))
	l := []chattu.Limit{{Key: "acct1:api", N: 5, Per: time.Second}}
	ctx := context.Background()
	r, err := s.Reserve(ctx, l, time.Now(), 0)
	if err != nil || !r.OK {
		t.Fatalf("before: %+v, %v", r, err)
	}

	stopRedis(t, false)
	tctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := s.Reserve(tctx, l, time.Now(), 0); !errors.Is(err, redisstore.ErrUnavailable) {
		t.Fatalf("Reserve with Redis stopped: %v", err)
	} else if strings.Contains(err.Error(), "acct1") {
		t.Fatalf("error names the key: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Reserve took %v to fail with a 500ms deadline", d)
	}
	cctx, ccancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer ccancel()
	if err := s.Cancel(cctx, l, r.ID); !errors.Is(err, redisstore.ErrUnavailable) {
		t.Fatalf("Cancel with Redis stopped: %v", err)
	}

	startRedis(t)
	var last error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		r, last = s.Reserve(ctx, l, time.Now(), 0)
		if last == nil {
			break
		}
	}
	if last != nil || !r.OK {
		t.Fatalf("after restart: %+v, %v", r, last)
	}
}

func TestLimitStoreConfig(t *testing.T) {
	if _, err := redisstore.NewLimitStore(nil); !errors.Is(err, redisstore.ErrConfig) {
		t.Fatalf("nil client: %v", err)
	}
	// Nothing listens there: a bad request must fail before contacting it.
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	s := newLimitStore(t, c)
	ok := chattu.Limit{Key: "k", N: 1, Per: time.Second}
	for _, bad := range [][]chattu.Limit{
		{{Key: "", N: 1, Per: time.Second}},
		{{Key: "k", N: 0, Per: time.Second}},
		{{Key: "k", N: 1, Per: 0}},
		{{Key: "k", N: 1, Per: 400 * 24 * time.Hour}},
		{ok, ok},
	} {
		_, err := s.Reserve(context.Background(), bad, time.Now(), 0)
		if !errors.Is(err, redisstore.ErrConfig) || errors.Is(err, redisstore.ErrUnavailable) {
			t.Errorf("Reserve(%+v): %v, want ErrConfig", bad, err)
		}
	}
	r, err := s.Reserve(context.Background(), nil, time.Now(), 0)
	if err != nil || !r.OK || r.Wait != 0 {
		t.Fatalf("no limits: %+v, %v; want OK at once", r, err)
	}
	if _, err := redisstore.NewLimitStore(c, redisstore.WithTimeout(-1)); !errors.Is(err, redisstore.ErrConfig) {
		t.Fatalf("negative timeout: %v", err)
	}
}

// Long keys are hashed, and a prefix of one's own (keeping a hash tag for
// Redis Cluster) replaces the default.
func TestLimitStorePrefixAndLongKeys(t *testing.T) {
	flush(t)
	rdb := newClient(t)
	s := newLimitStore(t, rdb, redisstore.WithKeyPrefix("app:{limits}:"))
	long := chattu.Limit{Key: strings.Repeat("x", 300), N: 1, Per: time.Minute}
	if r, err := s.Reserve(context.Background(), []chattu.Limit{long}, time.Now(), 0); err != nil || !r.OK {
		t.Fatalf("%+v, %v", r, err)
	}
	keys, err := rdb.Keys(context.Background(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || !strings.HasPrefix(keys[0], "app:{limits}:sha256:") || len(keys[0]) != len("app:{limits}:sha256:")+64 {
		t.Fatalf("keys %q", keys)
	}
	if r, err := s.Reserve(context.Background(), []chattu.Limit{long}, time.Now(), 0); err != nil || r.OK {
		t.Fatalf("second under a long key: %+v, %v; want refused", r, err)
	}
}
