package ourvoice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-go/switchboard/internal/inbound"
)

// Defaults of a Watcher.
const (
	// DefaultWatchInterval is the pause between two polls once every new
	// message has been handed over. Our Voice documents no rate limit for
	// reads; one request every few seconds per session keeps replies to
	// customers timely without spending the account's requests.
	DefaultWatchInterval = 5 * time.Second
	// DefaultWatchMinBackoff and DefaultWatchMaxBackoff bound the pause
	// after a failed poll or a failed callback. It doubles from the first
	// to the second (each pause jittered between half and all of it), so
	// an outage or a failing callback costs a few requests a minute, not a
	// stream of them.
	DefaultWatchMinBackoff = time.Second
	DefaultWatchMaxBackoff = time.Minute
	// DefaultWatchPageSize is the "limit" of each list request: the
	// sandbox's (and Laravel's usual) largest page, so that a burst of
	// messages costs few requests.
	DefaultWatchPageSize = 100
	// DefaultWatchLookback is how far behind the newest message handed
	// over the Watcher keeps looking for messages that became visible
	// late (stored with an earlier created_at than one already listed,
	// as a server committing two messages concurrently can do). See
	// WithWatchLookback.
	DefaultWatchLookback = 2 * time.Second
)

// queryMargin widens the time_from sent to Our Voice below the cursor's
// time, and the filter is applied again locally. Our Voice does not say
// whether time_from is inclusive nor how finely it compares, and the
// docs' samples show whole seconds: a second of margin, cut to a whole
// second, is a superset under every reading.
const queryMargin = time.Second

// PanicError is a panic recovered from a Watcher callback: the Watcher
// treated it as a failed callback (the message is retried after a
// backoff) and the process did not crash. WithWatchOnError receives it
// inside its error; find it with errors.As(err, &pe) (pe *ourvoice.PanicError)
// and read Value (what the callback panicked with, not printed by Error,
// since user code chose it and it could hold a secret) and Stack (the
// goroutine's stack at the panic).
type PanicError = inbound.PanicError

// Cursor is the position of a Watcher in a session's incoming messages:
// store it after handling each message and pass it back to NewWatcher
// after a restart, and every message is handed over exactly once, with
// no gap, whatever arrived in between.
//
// Our Voice lists messages by their creation time only, and several can
// share one (its timestamps are often whole seconds), so a time alone
// would either repeat or skip those; the cursor therefore holds a time and
// the ids handed over at or after it. It stays small: ids older than the
// lookback window (WithWatchLookback) are dropped as the time moves on.
//
// The zero Cursor starts at the session's oldest incoming message; use
// CursorAt to start at a point in time instead. String and ParseCursor
// turn a Cursor into text and back, for a database column or a file; the
// struct also encodes to JSON as it is.
type Cursor struct {
	// Time is the creation time before which every incoming message has
	// been handed over (zero: none yet).
	Time time.Time `json:"time"`
	// IDs are the messages created at or after Time that have been handed
	// over already.
	IDs []string `json:"ids,omitempty"`
}

// CursorAt returns a Cursor that skips every message created before t,
// for a first start that should not replay the session's history. Use a
// time at or before the moment the program was set up to receive (for
// example the session's connection time), so that nothing sent since is
// skipped.
func CursorAt(t time.Time) Cursor { return Cursor{Time: t.UTC()} }

// IsZero reports the zero Cursor: start at the oldest message.
func (c Cursor) IsZero() bool { return c.Time.IsZero() && len(c.IDs) == 0 }

// cursorText is the stored form of a Cursor.
type cursorText struct {
	Time string   `json:"time"`
	IDs  []string `json:"ids,omitempty"`
}

// String returns the cursor as text, for storage: "" for the zero Cursor,
// otherwise a small JSON object. ParseCursor reads it back.
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	t := ""
	if !c.Time.IsZero() {
		t = c.Time.UTC().Format(time.RFC3339Nano)
	}
	b, err := json.Marshal(cursorText{Time: t, IDs: c.IDs})
	if err != nil { // strings and a string slice always encode
		return ""
	}
	return string(b)
}

// maxCursorText bounds the text ParseCursor reads: a cursor holds the ids
// of a few seconds of messages, far below it.
const maxCursorText = 4 << 20

// ParseCursor reads a cursor written by Cursor.String. "" is the zero
// Cursor, so a value never stored yet starts at the oldest message. Text
// that is not a cursor is a *ValidationError (matching ErrValidation)
// that does not repeat the text.
func ParseCursor(s string) (Cursor, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Cursor{}, nil
	}
	if len(s) > maxCursorText {
		return Cursor{}, invalid("cursor", "longer than 4 MiB: not a cursor")
	}
	var ct cursorText
	if err := json.Unmarshal([]byte(s), &ct); err != nil {
		return Cursor{}, invalid("cursor", "not a cursor written by Cursor.String")
	}
	var c Cursor
	if ct.Time != "" {
		t, err := time.Parse(time.RFC3339Nano, ct.Time)
		if err != nil {
			return Cursor{}, invalid("cursor", "its time is not RFC 3339")
		}
		c.Time = t.UTC()
	}
	for _, id := range ct.IDs {
		if id == "" {
			return Cursor{}, invalid("cursor", "holds an empty message id")
		}
	}
	if len(ct.IDs) > 0 {
		c.IDs = ct.IDs
	}
	return c, nil
}

// Incoming is one new incoming message, as a Watcher hands it over.
type Incoming struct {
	// Message is the message as Messages.List returned it.
	Message Message
	// Cursor is the position just after Message. Store it once the
	// message is handled (in the same transaction as its effects, for
	// exactly once), and start the next Watcher from it.
	Cursor Cursor
}

// WatchOption configures NewWatcher. A value that cannot work is an error
// from NewWatcher, never a silent default.
type WatchOption func(*watchConfig) error

type watchConfig struct {
	interval, minBackoff, maxBackoff, lookback time.Duration
	pageSize                                   int
	from                                       string
	onError                                    func(error)
}

// WithWatchInterval sets the pause between polls (default
// DefaultWatchInterval), the delay before a new message is seen. d must be
// positive.
func WithWatchInterval(d time.Duration) WatchOption {
	return func(c *watchConfig) error {
		if d <= 0 {
			return invalid("WithWatchInterval", "must be positive")
		}
		c.interval = d
		return nil
	}
}

// WithWatchBackoff sets the first and the longest pause after a failure
// (defaults DefaultWatchMinBackoff and DefaultWatchMaxBackoff): the pause
// doubles after each failure in a row, up to max, and each one is jittered
// between half and all of it so that many watchers do not retry in step.
// Both must be positive, max not below min.
func WithWatchBackoff(min, max time.Duration) WatchOption {
	return func(c *watchConfig) error {
		if min <= 0 || max < min {
			return invalid("WithWatchBackoff", "min must be positive and max not below it")
		}
		c.minBackoff, c.maxBackoff = min, max
		return nil
	}
}

// WithWatchPageSize sets the "limit" of each list request (default
// DefaultWatchPageSize), 1 to 1000.
func WithWatchPageSize(n int) WatchOption {
	return func(c *watchConfig) error {
		if n < 1 || n > 1000 {
			return invalid("WithWatchPageSize", "must be 1 to 1000")
		}
		c.pageSize = n
		return nil
	}
}

// WithWatchLookback sets how far before the newest message handed over
// the Watcher still looks for messages that appear late (default
// DefaultWatchLookback). A message that becomes visible with a creation
// time older than that is never handed over. A longer lookback covers a
// slower server at the cost of a longer cursor (the ids of that many
// seconds of messages) and of listing them again at each poll; 0 keeps
// only the ids at the newest time. d must not be negative.
func WithWatchLookback(d time.Duration) WatchOption {
	return func(c *watchConfig) error {
		if d < 0 {
			return invalid("WithWatchLookback", "must not be negative")
		}
		c.lookback = d
		return nil
	}
}

// WithWatchFrom watches the messages of one sender only
// (filter[from_number]), in international format as Our Voice writes it
// ("22996000000").
func WithWatchFrom(number string) WatchOption {
	return func(c *watchConfig) error {
		n := strings.TrimPrefix(number, "+")
		if n == "" || strings.Trim(n, "0123456789") != "" {
			return invalid("WithWatchFrom", "must be a phone number, digits with an optional +")
		}
		c.from = number
		return nil
	}
}

// WithWatchOnError receives every failure the Watcher recovers from: a
// failed poll (an *Error, a *RequestError...) and a failed or panicking
// callback (wrapping its error, or a *PanicError), each before the backoff
// that follows it, so that they can be logged and counted while the
// Watcher carries on. fn runs on the Watcher's goroutine: it should
// return quickly. Errors never contain the token.
func WithWatchOnError(fn func(error)) WatchOption {
	return func(c *watchConfig) error {
		c.onError = fn
		return nil
	}
}

// Watcher polls one session's incoming messages and hands each new one to
// a callback once, in creation order, resuming from a Cursor. Our Voice
// sends no webhooks, so polling the session's message list
// (Messages.ListBySession with filter[direction]=incoming, time_from,
// limit and page) is the only way to learn of a message. Our Voice does
// not document the list's order, so each poll reads every page from the
// cursor's time on and sorts what is new by created_at, then id.
//
// A Watcher is used by one Run at a time; Cursor may be read from any
// goroutine.
type Watcher struct {
	client  *Client
	session string
	cfg     watchConfig
	running atomic.Bool

	mu     sync.Mutex
	cursor Cursor
}

// NewWatcher returns a Watcher of the session sessionID (its uuid or
// gateway session_id) that starts after from: the zero Cursor for the
// session's whole history (which the first poll lists whole before handing
// any of it over, oldest first), CursorAt(t) to start at a time, or the
// Cursor stored from the last message handled. A nil client, a bad session
// id or a bad option is an error (a *ValidationError for the last two).
func NewWatcher(c *Client, sessionID string, from Cursor, opts ...WatchOption) (*Watcher, error) {
	if c == nil {
		return nil, invalid("client", "required")
	}
	if err := checkID("session_id", sessionID); err != nil {
		return nil, err
	}
	cfg := watchConfig{interval: DefaultWatchInterval, minBackoff: DefaultWatchMinBackoff, maxBackoff: DefaultWatchMaxBackoff,
		pageSize: DefaultWatchPageSize, lookback: DefaultWatchLookback}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	from.Time = from.Time.UTC()
	from.IDs = slices.Clone(from.IDs)
	return &Watcher{client: c, session: sessionID, cfg: cfg, cursor: from}, nil
}

// String names the Watcher's session, never the client's token.
func (w *Watcher) String() string {
	if w == nil {
		return "ourvoice.Watcher(nil)"
	}
	return "ourvoice.Watcher{session: " + w.session + "}"
}

// Format prints String for every verb.
func (w *Watcher) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(w.String())) }

// Cursor returns the position after the last message whose callback
// succeeded: what to store when the Watcher stops, if the callback does
// not store each Incoming.Cursor itself.
func (w *Watcher) Cursor() Cursor {
	if w == nil {
		return Cursor{}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.cursor
	c.IDs = slices.Clone(c.IDs)
	return c
}

// ErrWatcherRunning is returned by Run while another Run of the same
// Watcher is under way: two would hand each message over twice.
var ErrWatcherRunning = errors.New("ourvoice: watcher is already running")

// Run polls until ctx ends and calls fn with each new incoming message,
// oldest first, one at a time. When fn returns nil the Watcher's cursor
// moves past the message; when it fails or panics, the cursor stays, the
// failure goes to WithWatchOnError, and the same message is offered again
// after a backoff, until fn accepts it or ctx ends: a message is never
// skipped. (To drop a message that can never be handled, return nil.)
// A failed poll is reported and retried after a backoff too; Run gives up
// on nothing but its context.
//
// Run returns ctx's error (context.Canceled, context.DeadlineExceeded)
// once ctx ends, promptly: a poll or pause under way is cut short, and fn
// is given ctx. It returns ErrWatcherRunning when another Run of w is
// under way, and a *ValidationError for a nil fn or ctx, or for a Watcher
// not built by NewWatcher (nil, or the zero Watcher).
func (w *Watcher) Run(ctx context.Context, fn func(ctx context.Context, in Incoming) error) error {
	if w == nil || w.client == nil {
		return invalid("watcher", "build it with NewWatcher")
	}
	if fn == nil {
		return invalid("fn", "required")
	}
	if ctx == nil {
		return invalid("ctx", "required")
	}
	if !w.running.CompareAndSwap(false, true) {
		return ErrWatcherRunning
	}
	defer w.running.Store(false)
	failures := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch, known, err := w.poll(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failures++
			w.report(fmt.Errorf("ourvoice: watch session %s: poll: %w", w.session, err))
			if err := w.sleep(ctx, w.backoff(failures)); err != nil {
				return err
			}
			continue
		}
		failures = 0
		for _, m := range batch {
			if err := w.deliver(ctx, fn, m, known); err != nil {
				return err
			}
		}
		if len(batch) == 0 {
			// Nothing new: the ids the listing no longer shows (older
			// than the window) can go, so the cursor does not grow.
			w.mu.Lock()
			w.cursor = advance(w.cursor, known, nil, w.cfg.lookback)
			w.mu.Unlock()
		}
		if err := w.sleep(ctx, w.cfg.interval); err != nil {
			return err
		}
	}
}

// deliver hands m to fn until fn accepts it, then moves the cursor past it.
// It returns only ctx's error.
func (w *Watcher) deliver(ctx context.Context, fn func(context.Context, Incoming) error, m Message, known map[string]time.Time) error {
	w.mu.Lock()
	next := advance(w.cursor, known, &m, w.cfg.lookback)
	w.mu.Unlock()
	in := Incoming{Message: m, Cursor: next}
	for failures := 1; ; failures++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		_, err := inbound.Invoke(ctx, 0, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, fn(ctx, Incoming{Message: in.Message, Cursor: Cursor{Time: in.Cursor.Time, IDs: slices.Clone(in.Cursor.IDs)}})
		})
		if err == nil {
			w.mu.Lock()
			w.cursor = next
			w.mu.Unlock()
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		w.report(fmt.Errorf("ourvoice: watch session %s: callback for message %s: %w", w.session, m.ID, err))
		if err := w.sleep(ctx, w.backoff(failures)); err != nil {
			return err
		}
	}
}

// poll lists every incoming message of the session from the cursor's time
// (less the margin) and returns those not handed over yet, oldest first,
// and the creation time of every message listed, by id.
func (w *Watcher) poll(ctx context.Context) ([]Message, map[string]time.Time, error) {
	w.mu.Lock()
	cur := w.cursor
	w.mu.Unlock()
	params := &ListMessagesParams{Direction: DirectionIncoming, FromNumber: w.cfg.from, Limit: w.cfg.pageSize}
	if !cur.Time.IsZero() {
		params.TimeFrom = cur.Time.Add(-queryMargin).Truncate(time.Second)
	}
	seen := make(map[string]bool, len(cur.IDs))
	for _, id := range cur.IDs {
		seen[id] = true
	}
	known := map[string]time.Time{}
	var batch []Message
	for m, err := range w.client.Messages.ListBySessionAll(ctx, w.session, params) {
		if err != nil {
			return nil, nil, err
		}
		if m.ID == "" || (m.Direction != "" && m.Direction != DirectionIncoming) {
			continue
		}
		if _, dup := known[m.ID]; dup {
			continue // listed twice: pages shifted under a new message
		}
		known[m.ID] = m.CreatedAt
		if seen[m.ID] || (!m.CreatedAt.IsZero() && m.CreatedAt.Before(cur.Time)) {
			continue
		}
		batch = append(batch, m)
	}
	slices.SortStableFunc(batch, func(a, b Message) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return batch, known, nil
}

// advance returns the cursor after m (or, with m nil, cur pruned): the
// time moves up to the lookback window below the newest creation time
// handed over, and only the ids still at or after it stay, those of
// messages without a creation time included. Creation times come from the
// last listing (known), which shows every message at or after cur.Time;
// an id it no longer shows is dropped.
func advance(cur Cursor, known map[string]time.Time, m *Message, lookback time.Duration) Cursor {
	newest := time.Time{}
	ids := slices.Clone(cur.IDs)
	if m != nil {
		ids = append(ids, m.ID)
	}
	for _, id := range ids {
		if t, ok := known[id]; ok && t.After(newest) {
			newest = t
		}
	}
	next := Cursor{Time: cur.Time}
	if !newest.IsZero() {
		if floor := newest.Add(-lookback); floor.After(next.Time) {
			next.Time = floor.UTC()
		}
	}
	for _, id := range ids {
		t, ok := known[id]
		if !ok || (!t.IsZero() && t.Before(next.Time)) || slices.Contains(next.IDs, id) {
			continue
		}
		next.IDs = append(next.IDs, id)
	}
	return next
}

// backoff is the pause after n failures in a row: doubling from the
// minimum, capped, jittered between half and all of it.
func (w *Watcher) backoff(n int) time.Duration {
	d := w.cfg.minBackoff
	for i := 1; i < n && d < w.cfg.maxBackoff; i++ {
		if d > w.cfg.maxBackoff/2 {
			d = w.cfg.maxBackoff
			break
		}
		d *= 2
	}
	d = min(d, w.cfg.maxBackoff)
	half := d / 2
	return half + rand.N(d-half+1)
}

// sleep waits d or until ctx ends, returning ctx's error then.
func (w *Watcher) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// report hands err to WithWatchOnError's function, if any; a panic there
// is recovered, since the Watcher must go on.
func (w *Watcher) report(err error) {
	if w.cfg.onError == nil {
		return
	}
	defer func() { _ = recover() }()
	w.cfg.onError(err)
}
