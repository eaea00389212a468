package ourvoice_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
)

// watchSink is what a user's callback does: it records each message and
// the cursor after it together, as one transaction would.
type watchSink struct {
	mu     sync.Mutex
	got    []ourvoice.Message
	count  map[string]int
	cursor string // Cursor.String() of the last message handled
}

func newWatchSink() *watchSink { return &watchSink{count: map[string]int{}} }

func (s *watchSink) handle(_ context.Context, in ourvoice.Incoming) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, in.Message)
	s.count[in.Message.ID]++
	s.cursor = in.Cursor.String()
	return nil
}

func (s *watchSink) stored(t *testing.T) ourvoice.Cursor {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := ourvoice.ParseCursor(s.cursor)
	require.NoError(t, err)
	return c
}

func (s *watchSink) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

func (s *watchSink) waitFor(t *testing.T, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return s.len() >= n }, 10*time.Second, time.Millisecond, "want %d messages", n)
}

// watchRun runs a Watcher from the stored cursor on its own goroutine and
// returns the function that stops it and waits for Run to return.
func watchRun(t *testing.T, c *ourvoice.Client, session string, sink *watchSink, opts ...ourvoice.WatchOption) (stop func() error) {
	t.Helper()
	opts = append([]ourvoice.WatchOption{ourvoice.WithWatchInterval(2 * time.Millisecond), ourvoice.WithWatchBackoff(time.Millisecond, 5*time.Millisecond)}, opts...)
	w, err := ourvoice.NewWatcher(c, session, sink.stored(t), opts...)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, sink.handle) }()
	return func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return after cancel")
			return nil
		}
	}
}

func watchSandbox(t *testing.T, opts ...ourvoicetest.Option) (*ourvoicetest.Server, *ourvoice.Client, string) {
	t.Helper()
	srv := ourvoicetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	c, err := srv.NewClient()
	require.NoError(t, err)
	session, err := srv.ReadySession("972501234567")
	require.NoError(t, err)
	return srv, c, session
}

func receive(t *testing.T, srv *ourvoicetest.Server, session, from, text string) string {
	t.Helper()
	m, err := srv.Receive(context.Background(), ourvoicetest.Inbound{SessionID: session, From: from, Content: text})
	require.NoError(t, err)
	return m.ID
}

// assertExactlyOnce checks that the sink got every id once, in creation
// order.
func assertExactlyOnce(t *testing.T, sink *watchSink, want []string) {
	t.Helper()
	sink.mu.Lock()
	defer sink.mu.Unlock()
	for _, id := range want {
		assert.Equal(t, 1, sink.count[id], "message %s", id)
	}
	assert.Len(t, sink.got, len(want), "no message beyond those received")
	for i := 1; i < len(sink.got); i++ {
		assert.False(t, sink.got[i].CreatedAt.Before(sink.got[i-1].CreatedAt), "creation order")
	}
}

func TestWatcherRestartFromCursorSameTimestamp(t *testing.T) {
	// A frozen clock: every message has the same created_at, the case a
	// time-only cursor gets wrong. Pages of 2 make every poll span pages.
	at := time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)
	srv, c, session := watchSandbox(t, ourvoicetest.WithClock(func() time.Time { return at }))
	opts := []ourvoice.WatchOption{ourvoice.WithWatchPageSize(2), ourvoice.WithWatchLookback(0)}
	var want []string
	for i := range 3 {
		want = append(want, receive(t, srv, session, "972541112222", fmt.Sprintf("before start %d", i)))
	}
	sink := newWatchSink()
	stop := watchRun(t, c, session, sink, opts...)
	sink.waitFor(t, 3)
	for i := range 2 {
		want = append(want, receive(t, srv, session, "972541112222", fmt.Sprintf("while running %d", i)))
	}
	sink.waitFor(t, 5)
	require.ErrorIs(t, stop(), context.Canceled)

	// Messages arriving while nothing watches, at the same instant and
	// later.
	for i := range 3 {
		want = append(want, receive(t, srv, session, "972541112222", fmt.Sprintf("while stopped %d", i)))
	}
	srv.Advance(time.Second)
	want = append(want, receive(t, srv, session, "972541112222", "a second later"))

	stop = watchRun(t, c, session, sink, opts...)
	sink.waitFor(t, 9)
	want = append(want, receive(t, srv, session, "972541112222", "after restart"))
	sink.waitFor(t, 10)
	time.Sleep(20 * time.Millisecond) // several more polls: nothing repeats
	require.ErrorIs(t, stop(), context.Canceled)
	assertExactlyOnce(t, sink, want)

	// The cursor kept only the ids at its time.
	cur := sink.stored(t)
	assert.Equal(t, at.Add(time.Second), cur.Time)
	assert.Equal(t, want[len(want)-2:], cur.IDs)
}

func TestWatcherRestartsUnderLoad(t *testing.T) {
	// Real time, a sender racing the watcher, and the watcher stopped and
	// restarted from its stored cursor again and again: every message is
	// handed over exactly once.
	srv, c, session := watchSandbox(t)
	const n = 60
	var (
		mu   sync.Mutex
		want []string
	)
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for i := range n {
			m, err := srv.Receive(context.Background(), ourvoicetest.Inbound{SessionID: session, From: "972541112222", Content: fmt.Sprintf("msg %d", i)})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			want = append(want, m.ID)
			mu.Unlock()
			time.Sleep(time.Duration(rand.IntN(3)) * time.Millisecond)
		}
	}()
	sink := newWatchSink()
	for restarts := 0; ; restarts++ {
		stop := watchRun(t, c, session, sink, ourvoice.WithWatchPageSize(25))
		time.Sleep(time.Duration(5+rand.IntN(30)) * time.Millisecond)
		require.ErrorIs(t, stop(), context.Canceled)
		select {
		case <-sent:
		default:
			continue
		}
		if sink.len() >= n || restarts > 200 {
			break
		}
	}
	stop := watchRun(t, c, session, sink)
	sink.waitFor(t, n)
	require.ErrorIs(t, stop(), context.Canceled)
	mu.Lock()
	defer mu.Unlock()
	assertExactlyOnce(t, sink, want)
}

func TestWatcherCursorAtSkipsHistory(t *testing.T) {
	srv, c, session := watchSandbox(t)
	receive(t, srv, session, "972541112222", "old")
	srv.Advance(time.Minute)
	start := srv.Now()
	want := []string{receive(t, srv, session, "972541112222", "new")}

	sink := newWatchSink()
	sink.cursor = ourvoice.CursorAt(start).String()
	stop := watchRun(t, c, session, sink)
	sink.waitFor(t, 1)
	time.Sleep(10 * time.Millisecond)
	require.ErrorIs(t, stop(), context.Canceled)
	assertExactlyOnce(t, sink, want)
}

func TestWatcherListsIncomingOfOneSessionOnly(t *testing.T) {
	srv, c, session := watchSandbox(t)
	other, err := srv.ReadySession("972509999999")
	require.NoError(t, err)
	receive(t, srv, other, "972541112222", "to the other session")
	_, err = c.Messages.Send(context.Background(), ourvoice.SendMessageParams{WhatsAppSessionID: session, ToNumber: []string{"972541112222"}, Type: ourvoice.TypeText, Content: "outgoing"})
	require.NoError(t, err)
	want := []string{receive(t, srv, session, "972541112222", "שלום 👋")}
	filtered := receive(t, srv, session, "972543334444", "from someone else")

	sink := newWatchSink()
	stop := watchRun(t, c, session, sink, ourvoice.WithWatchFrom("972541112222"))
	sink.waitFor(t, 1)
	time.Sleep(10 * time.Millisecond)
	require.ErrorIs(t, stop(), context.Canceled)
	assertExactlyOnce(t, sink, want)
	assert.Zero(t, sink.count[filtered])
	assert.Equal(t, "שלום 👋", sink.got[0].Content)

	// The requests used the documented filters.
	var q string
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/session") {
			q = r.RawQuery
		}
	}
	assert.Contains(t, q, "filter%5Bdirection%5D=incoming")
	assert.Contains(t, q, "filter%5Bfrom_number%5D=972541112222")
	assert.Contains(t, q, "time_from=")
	assert.Contains(t, q, "limit=100")
}

func TestWatcherCancelIsPrompt(t *testing.T) {
	srv, c, session := watchSandbox(t)
	for _, tc := range []struct {
		name  string
		setup func()
		opts  []ourvoice.WatchOption
	}{
		{"between polls", func() {}, []ourvoice.WatchOption{ourvoice.WithWatchInterval(time.Hour)}},
		{"in a backoff", func() { _ = srv.FailNextError(1, ourvoicetest.CodeUnauthenticated) },
			[]ourvoice.WatchOption{ourvoice.WithWatchBackoff(time.Hour, time.Hour)}},
		{"in a slow poll", func() { srv.DelayNext(1, time.Hour) }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.setup()
			w, err := ourvoice.NewWatcher(c, session, ourvoice.Cursor{}, tc.opts...)
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- w.Run(ctx, func(context.Context, ourvoice.Incoming) error { return nil }) }()
			time.Sleep(30 * time.Millisecond)
			start := time.Now()
			cancel()
			select {
			case err := <-done:
				require.ErrorIs(t, err, context.Canceled)
				assert.Less(t, time.Since(start), time.Second)
			case <-time.After(5 * time.Second):
				t.Fatal("Run did not stop")
			}
			srv.ClearFaults()
		})
	}

	// A deadline ends it the same way.
	w, err := ourvoice.NewWatcher(c, session, ourvoice.Cursor{})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, w.Run(ctx, func(context.Context, ourvoice.Incoming) error { return nil }), context.DeadlineExceeded)
}

func TestWatcherBacksOffAndRecovers(t *testing.T) {
	srv := ourvoicetest.NewServer()
	defer srv.Close()
	c, err := srv.NewClient(ourvoice.WithRetryMax(0)) // each fault is one failed poll
	require.NoError(t, err)
	session, err := srv.ReadySession("")
	require.NoError(t, err)
	want := []string{receive(t, srv, session, "972541112222", "after the outage")}
	require.NoError(t, srv.FailNextError(3, ourvoicetest.CodeServerError))

	var mu sync.Mutex
	var failures []time.Time
	var errs []error
	sink := newWatchSink()
	stop := watchRun(t, c, session, sink,
		ourvoice.WithWatchBackoff(40*time.Millisecond, 80*time.Millisecond),
		ourvoice.WithWatchOnError(func(err error) {
			mu.Lock()
			defer mu.Unlock()
			failures, errs = append(failures, time.Now()), append(errs, err)
		}))
	sink.waitFor(t, 1)
	require.ErrorIs(t, stop(), context.Canceled)
	assertExactlyOnce(t, sink, want)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, failures, 3)
	var oe *ourvoice.Error
	require.ErrorAs(t, errs[0], &oe)
	assert.Equal(t, 500, oe.StatusCode)
	assert.NotContains(t, errs[0].Error(), ourvoicetest.DefaultToken)
	// Jittered between half and all of 40ms, then of 80ms (the cap).
	assert.GreaterOrEqual(t, failures[1].Sub(failures[0]), 20*time.Millisecond)
	assert.GreaterOrEqual(t, failures[2].Sub(failures[1]), 40*time.Millisecond)
	faulted := 0
	for _, r := range srv.Requests() {
		if r.Fault != "" {
			faulted++
		}
	}
	assert.Equal(t, 3, faulted)
}

func TestWatcherRetriesAFailedCallback(t *testing.T) {
	srv, c, session := watchSandbox(t)
	first := receive(t, srv, session, "972541112222", "one")
	srv.Advance(time.Millisecond)
	second := receive(t, srv, session, "972541112222", "two")

	var mu sync.Mutex
	var calls []string
	var reported []error
	attempts := 0
	w, err := ourvoice.NewWatcher(c, session, ourvoice.Cursor{},
		ourvoice.WithWatchInterval(time.Millisecond), ourvoice.WithWatchBackoff(time.Millisecond, 2*time.Millisecond),
		ourvoice.WithWatchOnError(func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() }))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- w.Run(ctx, func(_ context.Context, in ourvoice.Incoming) error {
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, in.Message.ID)
			if in.Message.ID == first {
				attempts++
				switch attempts {
				case 1:
					return errors.New("database down")
				case 2:
					panic("bug")
				}
			}
			if in.Message.ID == second {
				cancel()
			}
			return nil
		})
	}()
	require.ErrorIs(t, <-done, context.Canceled)

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{first, first, first, second}, calls, "the failed message is offered again, and nothing after it first")
	require.Len(t, reported, 2)
	assert.ErrorContains(t, reported[0], "database down")
	var pe *ourvoice.PanicError
	require.ErrorAs(t, reported[1], &pe)
	assert.Equal(t, "bug", pe.Value)
	assert.Equal(t, []string{first, second}, w.Cursor().IDs, "the cursor is past both once accepted (both within the lookback)")
}

func TestWatcherRunTwiceAndBadInput(t *testing.T) {
	srv, c, session := watchSandbox(t)
	w, err := ourvoice.NewWatcher(c, session, ourvoice.Cursor{}, ourvoice.WithWatchInterval(time.Hour))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, func(context.Context, ourvoice.Incoming) error { return nil }) }()
	// Once it has polled, a second Run is refused.
	require.Eventually(t, func() bool { return srv.Count("GET", "/v1/whatsapp/messages/"+session+"/session") > 0 }, 5*time.Second, time.Millisecond)
	assert.ErrorIs(t, w.Run(context.Background(), func(context.Context, ourvoice.Incoming) error { return nil }), ourvoice.ErrWatcherRunning)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)

	assert.ErrorIs(t, w.Run(context.Background(), nil), ourvoice.ErrValidation)
	//lint:ignore SA1012 a nil context is the bad input under test
	assert.ErrorIs(t, w.Run(nil, func(context.Context, ourvoice.Incoming) error { return nil }), ourvoice.ErrValidation)

	for name, build := range map[string]func() (*ourvoice.Watcher, error){
		"nil client":   func() (*ourvoice.Watcher, error) { return ourvoice.NewWatcher(nil, session, ourvoice.Cursor{}) },
		"no session":   func() (*ourvoice.Watcher, error) { return ourvoice.NewWatcher(c, "", ourvoice.Cursor{}) },
		"session path": func() (*ourvoice.Watcher, error) { return ourvoice.NewWatcher(c, "a/b", ourvoice.Cursor{}) },
		"interval": func() (*ourvoice.Watcher, error) {
			return ourvoice.NewWatcher(c, session, ourvoice.Cursor{}, ourvoice.WithWatchInterval(0))
		},
		"backoff": func() (*ourvoice.Watcher, error) {
			return ourvoice.NewWatcher(c, session, ourvoice.Cursor{}, ourvoice.WithWatchBackoff(time.Second, time.Millisecond))
		},
		"page size": func() (*ourvoice.Watcher, error) {
			return ourvoice.NewWatcher(c, session, ourvoice.Cursor{}, ourvoice.WithWatchPageSize(0))
		},
		"lookback": func() (*ourvoice.Watcher, error) {
			return ourvoice.NewWatcher(c, session, ourvoice.Cursor{}, ourvoice.WithWatchLookback(-time.Second))
		},
		"from": func() (*ourvoice.Watcher, error) {
			return ourvoice.NewWatcher(c, session, ourvoice.Cursor{}, ourvoice.WithWatchFrom("abc"))
		},
	} {
		w, err := build()
		assert.Nil(t, w, name)
		assert.ErrorIs(t, err, ourvoice.ErrValidation, name)
	}
	assert.Equal(t, "ourvoice.Watcher{session: "+session+"}", fmt.Sprint(w))
	assert.NotContains(t, fmt.Sprintf("%+v %#v", w, w), ourvoicetest.DefaultToken)
}

func TestCursorText(t *testing.T) {
	at := time.Date(2024, 1, 15, 10, 30, 0, 123456000, time.FixedZone("IDT", 3*3600))
	c := ourvoice.Cursor{Time: at, IDs: []string{"a", "b"}}
	s := c.String()
	assert.JSONEq(t, `{"time":"2024-01-15T07:30:00.123456Z","ids":["a","b"]}`, s)
	back, err := ourvoice.ParseCursor(s)
	require.NoError(t, err)
	assert.True(t, back.Time.Equal(at))
	assert.Equal(t, c.IDs, back.IDs)

	zero, err := ourvoice.ParseCursor("")
	require.NoError(t, err)
	assert.True(t, zero.IsZero())
	assert.Equal(t, "", ourvoice.Cursor{}.String())
	assert.False(t, ourvoice.CursorAt(at).IsZero())

	for _, bad := range []string{"secret-looking garbage", `{"time":"yesterday"}`, `{"time":"2024-01-15T07:30:00Z","ids":[""]}`, `[]`, `{"ids":[1]}`, strings.Repeat("x", 5<<20)} {
		_, err := ourvoice.ParseCursor(bad)
		require.ErrorIs(t, err, ourvoice.ErrValidation, "%.40q", bad)
		assert.NotContains(t, err.Error(), "garbage")
		assert.NotContains(t, err.Error(), "yesterday")
	}
}

func TestCursorsStayOrdered(t *testing.T) {
	// The cursors handed over never move back, and each one's ids are
	// among the messages handed over.
	at := time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)
	srv, c, session := watchSandbox(t, ourvoicetest.WithClock(func() time.Time { return at }))
	var ids []string
	for i := range 6 {
		ids = append(ids, receive(t, srv, session, "972541112222", fmt.Sprint(i)))
		if i%2 == 1 {
			srv.Advance(time.Second)
		}
	}
	var cursors []ourvoice.Cursor
	var got []string
	w, err := ourvoice.NewWatcher(c, session, ourvoice.Cursor{}, ourvoice.WithWatchLookback(time.Second))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err = w.Run(ctx, func(_ context.Context, in ourvoice.Incoming) error {
		cursors = append(cursors, in.Cursor)
		got = append(got, in.Message.ID)
		if len(got) == len(ids) {
			cancel()
		}
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.ElementsMatch(t, ids, got)
	for i, cur := range cursors {
		if i > 0 {
			assert.False(t, cur.Time.Before(cursors[i-1].Time))
		}
		for _, id := range cur.IDs {
			assert.True(t, slices.Contains(got[:i+1], id))
		}
	}
	last := cursors[len(cursors)-1]
	assert.Equal(t, at.Add(time.Second), last.Time, "one second of lookback below the newest")
	assert.ElementsMatch(t, ids[2:], last.IDs)
}

func ExampleWatcher() {
	at := time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)
	srv := ourvoicetest.NewServer(ourvoicetest.WithClock(func() time.Time { return at }))
	defer srv.Close()
	c, _ := srv.NewClient() // in production: ourvoice.New(os.Getenv("OURVOICE_TOKEN"))
	session, _ := srv.ReadySession("22997000000")

	// Two customers write to the session's phone.
	ctx := context.Background()
	_, _ = srv.Receive(ctx, ourvoicetest.Inbound{SessionID: session, From: "22996000000", Content: "שלום, מה שלומך?"})
	srv.Advance(time.Second)
	_, _ = srv.Receive(ctx, ourvoicetest.Inbound{SessionID: session, From: "22996000001", Content: "Where is order 42? 📦"})

	// The cursor stored after the last message handled ("" the first
	// time: the session's whole history).
	stored := ""
	from, err := ourvoice.ParseCursor(stored)
	if err != nil {
		fmt.Println(err)
		return
	}
	w, err := ourvoice.NewWatcher(c, session, from, ourvoice.WithWatchInterval(10*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	handled := 0
	err = w.Run(ctx, func(ctx context.Context, in ourvoice.Incoming) error {
		fmt.Println(in.Message.FromNumber, in.Message.Content)
		stored = in.Cursor.String() // with the message's effects, in one transaction
		if handled++; handled == 2 {
			cancel() // a service runs until shutdown instead
		}
		return nil
	})
	fmt.Println(err)
	next, _ := ourvoice.ParseCursor(stored)
	fmt.Println(next.Time.Format(time.RFC3339), len(next.IDs))
	// Output:
	// 22996000000 שלום, מה שלומך?
	// 22996000001 Where is order 42? 📦
	// context canceled
	// 2024-01-15T10:29:59Z 2
}

// TestZeroWatcher: an ourvoice.Watcher not built by NewWatcher refuses to
// run instead of panicking.
func TestZeroWatcher(t *testing.T) {
	fn := func(context.Context, ourvoice.Incoming) error { return nil }
	for _, w := range []*ourvoice.Watcher{nil, {}} {
		require.NotPanics(t, func() {
			err := w.Run(context.Background(), fn)
			var ve *ourvoice.ValidationError
			assert.ErrorAs(t, err, &ve)
			assert.True(t, errors.Is(err, ourvoice.ErrValidation), "%v", err)
			assert.True(t, w.Cursor().IsZero())
			assert.NotEmpty(t, w.String())
			assert.NotEmpty(t, fmt.Sprintf("%v", w))
		})
	}
}
