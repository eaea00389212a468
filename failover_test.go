package switchboard_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard"
	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// TestClassify is the failover rule, one constructed error at a time.
func TestClassify(t *testing.T) {
	apiErr := func(status int, retryAfter time.Duration) error {
		return &voxio.Error{Vendor: "voxio", Method: http.MethodPost, Path: "/inbox/send-message", StatusCode: status, RetryAfter: retryAfter}
	}
	notSent, maybe := switchboard.OutcomeNotSent, switchboard.OutcomeMaybeDelivered
	tests := []struct {
		name string
		err  error
		want switchboard.Outcome
	}{
		{"nil", nil, switchboard.OutcomeSent},

		// Refused before sending.
		{"validation error", &voxio.ValidationError{Vendor: "voxio", Field: "mobile", Rule: "required"}, notSent},
		{"wrapped validation error", fmt.Errorf("adapter: %w", &ourvoice.ValidationError{Field: "to_number", Rule: "required"}), notSent},
		{"phone Voitex cannot reach", second(sendPhoneNoT("+972501234567").NANP()), notSent},

		// No request reached the vendor.
		{"dial refused", &voxio.RequestError{Vendor: "voxio", Attempts: 4, Err: syscall.ECONNREFUSED}, notSent},
		{"429 wait cut short", &chattu.RequestError{Err: context.DeadlineExceeded, Response: &chattu.Error{StatusCode: 429}}, notSent},
		{"context ended before writing", &voxio.RequestError{Err: context.Canceled}, notSent},
		{"chattu limit store down", fmt.Errorf("chattu: client-side rate limit: %w: %w", chattu.ErrLimitStore, io.EOF), notSent},
		{"chattu client-side rate limit", fmt.Errorf("chattu: client-side API limit: %w (%w)", chattu.ErrRateLimited, context.DeadlineExceeded), notSent},

		// The vendor refused.
		{"400", apiErr(400, 0), notSent},
		{"401", apiErr(401, 0), notSent},
		{"402 balance", apiErr(402, 0), notSent},
		{"403 plan limit", &chattu.Error{Vendor: "chattu", StatusCode: 403, Code: chattu.CodePlanLimitExceeded, Kind: chattu.ErrPlanLimitExceeded}, notSent},
		{"404", apiErr(404, 0), notSent},
		{"422", apiErr(422, 0), notSent},
		{"429 Retry-After above the cap", apiErr(429, time.Hour), notSent},
		{"503 with Retry-After", apiErr(503, 10*time.Minute), notSent},
		{"501", apiErr(501, 0), notSent},
		{"505", apiErr(505, 0), notSent},
		{"voitex 5xx with a refusal code", &voitex.Error{StatusCode: 500, Code: voitex.CodePhoneInUse, Kind: voitex.ErrPhoneInUse}, notSent},
		{"error inside HTTP 200", &voxio.Error{StatusCode: 200, Code: voxio.RemarkValidationError, Kind: voxio.ErrValidation}, notSent},

		// May have gone out.
		{"connection dropped after writing", &voxio.RequestError{MaybeDelivered: true, Err: io.EOF}, maybe},
		{"timeout after writing", &ourvoice.RequestError{MaybeDelivered: true, Err: context.DeadlineExceeded}, maybe},
		{"wrapped maybe-delivered", fmt.Errorf("send: %w", &chattu.RequestError{MaybeDelivered: true, Err: io.EOF}), maybe},
		{"accepted, unreadable answer", &ourvoice.DecodeError{StatusCode: 200, Accepted: true, Err: &json.SyntaxError{}}, maybe},
		{"voxio exception", &voxio.Error{StatusCode: 200, Code: voxio.RemarkException, Uncertain: true, MaybeDelivered: true}, maybe},
		{"500 on a send", &voxio.Error{StatusCode: 500, MaybeDelivered: true}, maybe},
		{"redirect", apiErr(302, 0), maybe},
		{"no status", apiErr(0, 0), maybe},
		{"untyped error", errors.New("boom"), maybe},
		{"untyped error joined with nothing known", errors.Join(errors.New("boom"), io.EOF), maybe},

		// The context ended and nothing marks a written request: nothing
		// went out (Chattu's client-side limiter returns ctx.Err() as is).
		{"bare context canceled", context.Canceled, notSent},
		{"bare deadline", context.DeadlineExceeded, notSent},
		{"wrapped context error", fmt.Errorf("waiting for a slot: %w", context.Canceled), notSent},
		{"context error marked maybe-delivered", fmt.Errorf("%w: %w", switchboard.ErrMaybeDelivered, context.Canceled), maybe},
		{"limit store down, wrapped again", fmt.Errorf("own sender: %w", fmt.Errorf("%w: %w", chattu.ErrLimitStore, errors.New("redis: i/o timeout"))), notSent},
		{"switchboard validation error", second(switchboard.NewVoxioSender(nil, 0)), notSent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := switchboard.Classify(tt.err)
			assert.Equal(t, tt.want, got, "%v: %s", tt.err, reason)
			assert.NotEmpty(t, reason)
		})
	}
	_, reason := switchboard.Classify(context.Canceled)
	assert.Equal(t, "not sent: the context ended before the request was written", reason)
	_, reason = switchboard.Classify(apiErr(429, time.Hour))
	assert.Equal(t, "the vendor refused it (HTTP 429, Too Many Requests, retry after 1h0m0s)", reason)
}

// sendPhoneNoT parses a number known to be good, outside a test.
func sendPhoneNoT(s string) switchboard.Phone {
	p, err := switchboard.ParsePhone(s)
	if err != nil {
		panic(err)
	}
	return p
}

func TestOutcomeStrings(t *testing.T) {
	assert.Equal(t, "sent", switchboard.OutcomeSent.String())
	assert.Equal(t, "not sent", switchboard.OutcomeNotSent.String())
	assert.Equal(t, "maybe delivered", switchboard.OutcomeMaybeDelivered.String())
	assert.Equal(t, "aborted", switchboard.OutcomeAborted.String())
	assert.Equal(t, "Outcome(9)", switchboard.Outcome(9).String())
	assert.Equal(t, "cannot tell", switchboard.ResolutionUnknown.String())
	assert.Equal(t, "sent", switchboard.ResolutionSent.String())
	assert.Equal(t, "not found", switchboard.ResolutionNotFound.String())
	assert.Equal(t, "ResolutionStatus(7)", switchboard.ResolutionStatus(7).String())
}

// fakeSender answers with err, or a receipt, and counts its calls.
type fakeSender struct {
	provider switchboard.Provider
	err      error
	mu       sync.Mutex
	calls    int
}

func (f *fakeSender) Provider() switchboard.Provider { return f.provider }

func (f *fakeSender) Send(context.Context, switchboard.Message) (*switchboard.Receipt, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	return &switchboard.Receipt{ID: string(f.provider) + "-1"}, nil
}

func newFailover(t *testing.T, senders []switchboard.Sender, opts ...switchboard.FailoverOption) *switchboard.Failover {
	t.Helper()
	f, err := switchboard.NewFailover(senders, opts...)
	require.NoError(t, err)
	return f
}

var fakeMsg = switchboard.Message{To: sendPhoneNoT("+12125550143"), Text: "hello"}

func TestFailoverFirstThatAccepts(t *testing.T) {
	refusal := &voxio.Error{Vendor: "voxio", StatusCode: 401}
	a := &fakeSender{provider: "a", err: refusal}
	b, c := &fakeSender{provider: "b"}, &fakeSender{provider: "c"}
	var hooked []switchboard.Attempt
	f := newFailover(t, []switchboard.Sender{a, b, c}, switchboard.WithAttemptHook(func(_ context.Context, at switchboard.Attempt) {
		hooked = append(hooked, at)
	}))
	assert.Equal(t, switchboard.Provider("failover(a,b,c)"), f.Provider())
	r, err := f.Send(context.Background(), fakeMsg)
	require.NoError(t, err)
	assert.Equal(t, switchboard.Provider("b"), r.Provider)
	assert.Equal(t, "b-1", r.ID)
	assert.False(t, r.Time.IsZero())
	require.Len(t, r.Trail, 2)
	assert.Equal(t, switchboard.OutcomeNotSent, r.Trail[0].Outcome)
	assert.Equal(t, "the vendor refused it (HTTP 401, Unauthorized), so moved on", r.Trail[0].Reason)
	assert.Same(t, refusal, r.Trail[0].Err)
	assert.Equal(t, 0, r.Trail[0].Index)
	assert.Equal(t, switchboard.OutcomeSent, r.Trail[1].Outcome)
	assert.Equal(t, 1, r.Trail[1].Index)
	assert.Nil(t, r.Trail[1].Err)
	assert.Equal(t, r.Trail, hooked)
	assert.Equal(t, []int{1, 1, 0}, []int{a.calls, b.calls, c.calls})
	assert.Contains(t, r.Trail[0].String(), "a not sent: the vendor refused it (HTTP 401, Unauthorized), so moved on: voxio: HTTP 401")
}

func TestFailoverStopsWhenMaybeDelivered(t *testing.T) {
	for _, e := range []error{
		&voxio.RequestError{Vendor: "voxio", MaybeDelivered: true, Err: io.EOF},
		&voxio.Error{Vendor: "voxio", StatusCode: 500, MaybeDelivered: true},
		errors.New("unknown"),
	} {
		t.Run(e.Error(), func(t *testing.T) {
			a, b := &fakeSender{provider: "a", err: e}, &fakeSender{provider: "b"}
			_, err := newFailover(t, []switchboard.Sender{a, b}).Send(context.Background(), fakeMsg)
			require.Error(t, err)
			assert.ErrorIs(t, err, switchboard.ErrMaybeDelivered)
			assert.ErrorIs(t, err, e)
			var fe *switchboard.FailoverError
			require.ErrorAs(t, err, &fe)
			at, ok := fe.MaybeDeliveredBy()
			require.True(t, ok)
			assert.Equal(t, switchboard.Provider("a"), at.Provider)
			assert.Equal(t, "switchboard: failover: a may have delivered the message, so no other provider was tried: "+e.Error(), err.Error())
			assert.Zero(t, b.calls, "must not send again elsewhere")
			assert.Equal(t, switchboard.OutcomeMaybeDelivered, outcomeOf(err))
		})
	}
}

func TestFailoverAllRefuse(t *testing.T) {
	a := &fakeSender{provider: "a", err: &voxio.ValidationError{Vendor: "voxio", Field: "mobile", Rule: "required"}}
	b := &fakeSender{provider: "b", err: &chattu.Error{Vendor: "chattu", StatusCode: 403, Code: chattu.CodePlanLimitExceeded, Kind: chattu.ErrPlanLimitExceeded}}
	_, err := newFailover(t, []switchboard.Sender{a, b}).Send(context.Background(), fakeMsg)
	require.Error(t, err)
	assert.NotErrorIs(t, err, switchboard.ErrMaybeDelivered)
	assert.ErrorIs(t, err, switchboard.ErrValidation)
	assert.ErrorIs(t, err, chattu.ErrPlanLimitExceeded)
	var fe *switchboard.FailoverError
	require.ErrorAs(t, err, &fe)
	_, ok := fe.MaybeDeliveredBy()
	assert.False(t, ok)
	assert.Equal(t, "switchboard: failover: no provider sent the message (2 tried); "+
		"a: refused before sending: invalid mobile, so moved on: voxio: invalid mobile: required; "+
		"b: the vendor refused it (HTTP 403, PLAN_LIMIT_EXCEEDED): "+b.err.Error(), err.Error())
	assert.Equal(t, switchboard.OutcomeNotSent, outcomeOf(err))

	res, err := fe.Resolve(context.Background())
	require.NoError(t, err)
	assert.Equal(t, switchboard.ResolutionNotFound, res.Status)
	assert.Equal(t, "every provider tried proved it did not send the message", res.Evidence)
}

func TestFailoverStopsWhenContextEnds(t *testing.T) {
	t.Run("before the first provider", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		a := &fakeSender{provider: "a"}
		_, err := newFailover(t, []switchboard.Sender{a}).Send(ctx, fakeMsg)
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, switchboard.ErrMaybeDelivered)
		assert.EqualError(t, err, "switchboard: failover: stopped at a, nothing sent there: context canceled")
		assert.Zero(t, a.calls)
	})
	t.Run("during a provider, before writing", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		a := &cancelingSender{cancel: cancel}
		b := &fakeSender{provider: "b"}
		_, err := newFailover(t, []switchboard.Sender{a, b}).Send(ctx, fakeMsg)
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, switchboard.ErrMaybeDelivered)
		var fe *switchboard.FailoverError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, switchboard.OutcomeAborted, fe.Last().Outcome)
		assert.Len(t, fe.Trail, 1)
		assert.Zero(t, b.calls)
	})
}

// waitingStore is a chattu.LimitStore that makes every call wait an hour
// for its slot: the client-side limiter is still waiting when the caller
// gives up.
type waitingStore struct{ cancels int }

func (w *waitingStore) Reserve(context.Context, []chattu.Limit, time.Time, time.Duration) (chattu.Reservation, error) {
	return chattu.Reservation{OK: true, ID: "r1", Wait: time.Hour}, nil
}

func (w *waitingStore) Cancel(context.Context, []chattu.Limit, string) error { w.cancels++; return nil }

// TestFailoverCancelledWhileChattuWaits: a Failover cancelled while
// Chattu's client-side rate limiter waits for a slot reports the send
// aborted, nothing sent, never "chattu may have delivered".
func TestFailoverCancelledWhileChattuWaits(t *testing.T) {
	k := newSendKit(t)
	store := &waitingStore{}
	c, err := k.ch.NewClient(chattu.WithLimitStore(store))
	require.NoError(t, err)
	s, err := switchboard.NewChattuSender(c, k.chattuID)
	require.NoError(t, err)
	next := &fakeSender{provider: "next"}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = newFailover(t, []switchboard.Sender{s, next}).Send(ctx, sendMsg(t, "hi"))
	require.Error(t, err)
	assert.NotErrorIs(t, err, switchboard.ErrMaybeDelivered)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotContains(t, err.Error(), "may have delivered")
	var fe *switchboard.FailoverError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, switchboard.OutcomeAborted, fe.Last().Outcome)
	_, maybe := fe.MaybeDeliveredBy()
	assert.False(t, maybe)
	assert.Zero(t, next.calls)
	assert.Zero(t, k.ch.Count(http.MethodPost, sendPathChattu), "nothing reached Chattu")
	assert.Equal(t, 1, store.cancels, "the slot was given back")
	o, _ := switchboard.Classify(err)
	assert.Equal(t, switchboard.OutcomeNotSent, o)
}

// cancelingSender ends the context, then fails as a transport does when the
// context ends before anything is written.
type cancelingSender struct{ cancel context.CancelFunc }

func (c *cancelingSender) Provider() switchboard.Provider { return "canceling" }

func (c *cancelingSender) Send(ctx context.Context, _ switchboard.Message) (*switchboard.Receipt, error) {
	c.cancel()
	return nil, &voxio.RequestError{Vendor: "voxio", Err: ctx.Err()}
}

func TestNewFailoverRefusesBadArguments(t *testing.T) {
	for name, err := range map[string]error{
		"no senders":        second(switchboard.NewFailover(nil)),
		"nil sender":        second(switchboard.NewFailover([]switchboard.Sender{&fakeSender{}, nil})),
		"nil hook":          second(switchboard.NewFailover([]switchboard.Sender{&fakeSender{}}, switchboard.WithAttemptHook(nil))),
		"negative settle":   second(switchboard.NewFailover([]switchboard.Sender{&fakeSender{}}, switchboard.WithResolve(-1))),
		"settle too long":   second(switchboard.NewFailover([]switchboard.Sender{&fakeSender{}}, switchboard.WithResolve(time.Hour))),
		"zero Failover":     second((&switchboard.Failover{}).Send(context.Background(), fakeMsg)),
		"nil Failover":      second((*switchboard.Failover)(nil).Send(context.Background(), fakeMsg)),
		"resolve nil":       second(switchboard.Resolve(context.Background(), nil, fakeMsg, time.Now())),
		"resolve zero time": second(switchboard.Resolve(context.Background(), &fakeSender{}, fakeMsg, time.Time{})),
	} {
		var verr *switchboard.ValidationError
		assert.ErrorAs(t, err, &verr, name)
	}
	var fe *switchboard.FailoverError
	assert.Equal(t, "switchboard: failover: no provider tried", fe.Error())
	assert.Nil(t, fe.Unwrap())
	assert.False(t, fe.Is(switchboard.ErrMaybeDelivered))
	_, err := fe.Resolve(context.Background())
	assert.ErrorIs(t, err, switchboard.ErrValidation)
}

// TestFailoverNests: an outer Failover sees an inner one's outcome, and its
// trail names the vendors.
func TestFailoverNests(t *testing.T) {
	inner := newFailover(t, []switchboard.Sender{
		&fakeSender{provider: "x", err: &voxio.Error{StatusCode: 401}},
		&fakeSender{provider: "y"},
	})
	r, err := newFailover(t, []switchboard.Sender{&fakeSender{provider: "w", err: &voxio.Error{StatusCode: 403}}, inner}).
		Send(context.Background(), fakeMsg)
	require.NoError(t, err)
	assert.Equal(t, switchboard.Provider("y"), r.Provider)
	var names []switchboard.Provider
	for _, a := range r.Trail {
		names = append(names, a.Provider)
	}
	assert.Equal(t, []switchboard.Provider{"w", "x", "y"}, names)

	maybeInner := newFailover(t, []switchboard.Sender{&fakeSender{provider: "x", err: &voxio.Error{StatusCode: 502, MaybeDelivered: true}}})
	next := &fakeSender{provider: "z"}
	_, err = newFailover(t, []switchboard.Sender{maybeInner, next}).Send(context.Background(), fakeMsg)
	assert.ErrorIs(t, err, switchboard.ErrMaybeDelivered)
	assert.Zero(t, next.calls)

	refusingInner := newFailover(t, []switchboard.Sender{&fakeSender{provider: "x", err: &voxio.Error{StatusCode: 401}}})
	r, err = newFailover(t, []switchboard.Sender{refusingInner, next}).Send(context.Background(), fakeMsg)
	require.NoError(t, err)
	assert.Equal(t, switchboard.Provider("z"), r.Provider)
}

// TestFailoverNilReceipt: a Sender of one's own that answers nil, nil still
// yields a receipt naming it.
func TestFailoverNilReceipt(t *testing.T) {
	r, err := newFailover(t, []switchboard.Sender{nilReceiptSender{}}).Send(context.Background(), fakeMsg)
	require.NoError(t, err)
	assert.Equal(t, switchboard.Provider("nil"), r.Provider)
	assert.Len(t, r.Trail, 1)
}

type nilReceiptSender struct{}

func (nilReceiptSender) Provider() switchboard.Provider { return "nil" }
func (nilReceiptSender) Send(context.Context, switchboard.Message) (*switchboard.Receipt, error) {
	return nil, nil
}

// fault is one thing a sandbox can be made to do to the next send.
type fault struct {
	name    string
	outcome switchboard.Outcome
	// acts reports that the vendor sends the message although the answer
	// fails (DropResponseNext).
	acts   bool
	inject func(t *testing.T, k *sendKit, pos int)
}

// refuse makes the sandbox at pos refuse the next send the vendor's own
// way (balance, plan limit, credentials), without sending.
func refuse(t *testing.T, k *sendKit, pos int) {
	t.Helper()
	var err error
	switch pos {
	case 0:
		err = k.vx.FailNextError(1, voxiotest.CodeInsufficientBalance)
	case 1:
		err = k.ov.FailNextError(1, ourvoicetest.CodeInsufficientBalance)
	case 2:
		err = k.ch.FailNextError(1, chattu.CodePlanLimitExceeded)
	case 3:
		err = k.vt.FailNextError(1, voitex.CodeUnauthorized)
	}
	require.NoError(t, err)
}

// sandboxFaults lists the faults of every sandbox, by position.
func sandboxFaults(k *sendKit, pos int) interface {
	FailNext(n, status int, body string)
	FailNextWithHeader(n, status int, body string, h http.Header)
	DropNext(n int)
	DropResponseNext(n int)
} {
	switch pos {
	case 0:
		return k.vx
	case 1:
		return k.ov
	case 2:
		return k.ch
	}
	return k.vt
}

var faults = []fault{
	{"vendor refusal", switchboard.OutcomeNotSent, false, refuse},
	{"rate limited for an hour", switchboard.OutcomeNotSent, false, func(_ *testing.T, k *sendKit, pos int) {
		sandboxFaults(k, pos).FailNextWithHeader(1, http.StatusTooManyRequests, `{"message":"Too Many Attempts."}`, http.Header{"Retry-After": {"3600"}})
	}},
	{"connection refused", switchboard.OutcomeNotSent, false, func(_ *testing.T, k *sendKit, pos int) {
		switch pos {
		case 0:
			k.vx.Close()
		case 1:
			k.ov.Close()
		case 2:
			k.ch.Close()
		case 3:
			k.vt.Close()
		}
	}},
	{"acts, then the answer is lost", switchboard.OutcomeMaybeDelivered, true, func(_ *testing.T, k *sendKit, pos int) {
		sandboxFaults(k, pos).DropResponseNext(1)
	}},
	{"connection dropped after writing", switchboard.OutcomeMaybeDelivered, false, func(_ *testing.T, k *sendKit, pos int) {
		sandboxFaults(k, pos).DropNext(1)
	}},
	{"HTTP 500", switchboard.OutcomeMaybeDelivered, false, func(_ *testing.T, k *sendKit, pos int) {
		sandboxFaults(k, pos).FailNextWithHeader(1, http.StatusInternalServerError, `{"message":"Server Error"}`, http.Header{})
	}},
	{"success", switchboard.OutcomeSent, true, func(*testing.T, *sendKit, int) {}},
}

// TestFailoverFaultAtEachPosition injects each fault into each provider,
// the ones before it refusing, and checks where the message went: a refusal
// moves on, a maybe-delivered send stops, a success stops, and the message
// reaches at most one vendor, at most once.
func TestFailoverFaultAtEachPosition(t *testing.T) {
	names := []switchboard.Provider{switchboard.Voxio, switchboard.OurVoice, switchboard.Chattu, switchboard.Voitex}
	var mu sync.Mutex
	totalSent := 0
	t.Cleanup(func() { t.Logf("messages sent over every run: %d", totalSent) })
	for pos := 0; pos < 4; pos++ {
		for _, f := range faults {
			t.Run(fmt.Sprintf("%s/%s", names[pos], f.name), func(t *testing.T) {
				t.Parallel()
				k := newSendKit(t)
				for i := 0; i < pos; i++ {
					refuse(t, k, i)
				}
				f.inject(t, k, pos)
				r, err := newFailover(t, k.senders()).Send(sendCtx(t), sendMsg(t, "order 1042 shipped"))

				sent := k.sent()
				var wantSent, wantReq [4]int
				for i := 0; i < pos; i++ {
					wantReq[i] = 1
				}
				if f.name != "connection refused" {
					wantReq[pos] = 1
				}
				switch {
				case f.outcome == switchboard.OutcomeNotSent && pos < 3:
					require.NoError(t, err)
					assert.Equal(t, names[pos+1], r.Provider)
					require.Len(t, r.Trail, pos+2)
					wantSent[pos+1], wantReq[pos+1] = 1, 1
				case f.outcome == switchboard.OutcomeNotSent:
					var fe *switchboard.FailoverError
					require.ErrorAs(t, err, &fe)
					assert.NotErrorIs(t, err, switchboard.ErrMaybeDelivered)
					assert.Len(t, fe.Trail, 4)
				case f.outcome == switchboard.OutcomeMaybeDelivered:
					var fe *switchboard.FailoverError
					require.ErrorAs(t, err, &fe)
					assert.ErrorIs(t, err, switchboard.ErrMaybeDelivered)
					at, ok := fe.MaybeDeliveredBy()
					require.True(t, ok)
					assert.Equal(t, names[pos], at.Provider)
					assert.Equal(t, pos, at.Index)
					require.Len(t, fe.Trail, pos+1)
					if f.acts {
						wantSent[pos] = 1
					}
				default:
					require.NoError(t, err)
					assert.Equal(t, names[pos], r.Provider)
					require.Len(t, r.Trail, pos+1)
					wantSent[pos] = 1
				}
				var trail []switchboard.Attempt
				if r != nil {
					trail = r.Trail
				} else {
					var fe *switchboard.FailoverError
					require.ErrorAs(t, err, &fe)
					trail = fe.Trail
				}
				for i, a := range trail {
					assert.Equal(t, names[i], a.Provider)
					if i < pos {
						assert.Equal(t, switchboard.OutcomeNotSent, a.Outcome, a.String())
					}
				}
				assert.Equal(t, wantSent, sent, "messages sent by voxio, ourvoice, chattu, voitex")
				assert.Equal(t, wantReq, k.sendRequests(), "send requests seen by voxio, ourvoice, chattu, voitex")
				n := sent[0] + sent[1] + sent[2] + sent[3]
				assert.LessOrEqual(t, n, 1, "the message reached at most one vendor, once")
				mu.Lock()
				totalSent += n
				mu.Unlock()
			})
		}
	}
}

// TestFailoverRetryAfterWithinCapStays: a 429 or 503 whose Retry-After is
// short is waited out by the vendor client: the same provider sends, once.
func TestFailoverRetryAfterWithinCapStays(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			k := newSendKit(t)
			k.vx.FailNext(1, status, `{"message":"Too Many Attempts."}`) // Retry-After: 0
			r, err := newFailover(t, k.senders()).Send(sendCtx(t), sendMsg(t, "hi"))
			require.NoError(t, err)
			assert.Equal(t, switchboard.Voxio, r.Provider)
			assert.Len(t, r.Trail, 1)
			assert.Equal(t, [4]int{2, 0, 0, 0}, k.sendRequests())
			assert.Equal(t, [4]int{1, 0, 0, 0}, k.sent())
		})
	}
}

// TestFailoverTimeoutAfterWriteStops: a provider holding the request past
// the caller's deadline may still act on it.
func TestFailoverTimeoutAfterWriteStops(t *testing.T) {
	k := newSendKit(t)
	k.vx.DelayNext(1, 5*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := newFailover(t, k.senders()).Send(ctx, sendMsg(t, "hi"))
	assert.ErrorIs(t, err, switchboard.ErrMaybeDelivered)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, [4]int{1, 0, 0, 0}, k.sendRequests())
}

// TestFailoverResolve: told to, the Failover looks a maybe-delivered send
// up, succeeds when the vendor holds it, moves on when it does not, and
// stops when it cannot tell.
func TestFailoverResolve(t *testing.T) {
	t.Run("voxio acted: found, nothing sent elsewhere", func(t *testing.T) {
		k := newSendKit(t)
		k.vx.DropResponseNext(1)
		r, err := newFailover(t, k.senders(), switchboard.WithResolve(0)).Send(sendCtx(t), sendMsg(t, "hi"))
		require.NoError(t, err)
		assert.Equal(t, switchboard.Voxio, r.Provider)
		assert.Equal(t, strconv.FormatInt(k.vx.SentMessages()[0].ID, 10), r.ID)
		assert.IsType(t, &voxio.Message{}, r.Result)
		require.Len(t, r.Trail, 1)
		a := r.Trail[0]
		assert.Equal(t, switchboard.OutcomeMaybeDelivered, a.Outcome)
		assert.ErrorIs(t, a.Err, switchboard.ErrMaybeDelivered)
		require.NotNil(t, a.Resolution)
		assert.Equal(t, switchboard.ResolutionSent, a.Resolution.Status)
		assert.Contains(t, a.Reason, "looked up and found sent")
		assert.Equal(t, [4]int{1, 0, 0, 0}, k.sent())
		assert.Equal(t, [4]int{1, 0, 0, 0}, k.sendRequests())
	})
	t.Run("voxio dropped the request: not found, moved on", func(t *testing.T) {
		k := newSendKit(t)
		k.vx.DropNext(1)
		r, err := newFailover(t, k.senders(), switchboard.WithResolve(0)).Send(sendCtx(t), sendMsg(t, "hi"))
		require.NoError(t, err)
		assert.Equal(t, switchboard.OurVoice, r.Provider)
		require.Len(t, r.Trail, 2)
		assert.Equal(t, switchboard.ResolutionNotFound, r.Trail[0].Resolution.Status)
		assert.Contains(t, r.Trail[0].Reason, "looked up and not found, so moved on")
		assert.Equal(t, [4]int{0, 1, 0, 0}, k.sent())
	})
	t.Run("our voice 500 without acting: not found, moved on", func(t *testing.T) {
		k := newSendKit(t)
		refuse(t, k, 0)
		require.NoError(t, k.ov.FailNextError(1, ourvoicetest.CodeServerError))
		r, err := newFailover(t, k.senders(), switchboard.WithResolve(0)).Send(sendCtx(t), sendMsg(t, "hi"))
		require.NoError(t, err)
		assert.Equal(t, switchboard.Chattu, r.Provider)
		assert.Equal(t, [4]int{0, 0, 1, 0}, k.sent())
	})
	t.Run("chattu acted: found with its WhatsApp id", func(t *testing.T) {
		k := newSendKit(t)
		refuse(t, k, 0)
		refuse(t, k, 1)
		k.ch.DropResponseNext(1)
		r, err := newFailover(t, k.senders(), switchboard.WithResolve(0)).Send(sendCtx(t), sendMsg(t, "hi"))
		require.NoError(t, err)
		assert.Equal(t, switchboard.Chattu, r.Provider)
		assert.NotEmpty(t, r.ID)
		assert.Equal(t, [4]int{0, 0, 1, 0}, k.sent())
	})
	t.Run("voitex cannot tell: stops", func(t *testing.T) {
		k := newSendKit(t)
		for i := 0; i < 3; i++ {
			refuse(t, k, i)
		}
		k.vt.DropResponseNext(1)
		_, err := newFailover(t, k.senders(), switchboard.WithResolve(0)).Send(sendCtx(t), sendMsg(t, "hi"))
		assert.ErrorIs(t, err, switchboard.ErrMaybeDelivered)
		var fe *switchboard.FailoverError
		require.ErrorAs(t, err, &fe)
		l := fe.Last()
		assert.Equal(t, switchboard.Voitex, l.Provider)
		require.NotNil(t, l.Resolution)
		assert.Equal(t, switchboard.ResolutionUnknown, l.Resolution.Status)
		assert.Contains(t, l.Reason, "looked up: cannot tell")
		assert.Equal(t, [4]int{0, 0, 0, 1}, k.sent())
	})
	t.Run("waits the settle delay, and stops with the context", func(t *testing.T) {
		k := newSendKit(t)
		k.vx.DropNext(1)
		r, err := newFailover(t, k.senders(), switchboard.WithResolve(80*time.Millisecond)).Send(sendCtx(t), sendMsg(t, "hi"))
		require.NoError(t, err)
		assert.GreaterOrEqual(t, r.Trail[0].Duration, 80*time.Millisecond)

		k.vx.DropNext(1)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err = newFailover(t, k.senders(), switchboard.WithResolve(time.Minute)).Send(ctx, sendMsg(t, "hi"))
		assert.ErrorIs(t, err, switchboard.ErrMaybeDelivered)
		assert.Equal(t, [4]int{2, 1, 0, 0}, k.sendRequests(), "nothing sent after the context ended")
	})
	t.Run("a sender that cannot look up: stops", func(t *testing.T) {
		a := &fakeSender{provider: "a", err: &voxio.RequestError{MaybeDelivered: true, Err: io.EOF}}
		b := &fakeSender{provider: "b"}
		_, err := newFailover(t, []switchboard.Sender{a, b}, switchboard.WithResolve(0)).Send(context.Background(), fakeMsg)
		assert.ErrorIs(t, err, switchboard.ErrMaybeDelivered)
		assert.Zero(t, b.calls)
	})
}

// TestFailoverErrorResolve: after a Failover stopped at a maybe-delivered
// send, the error itself asks the right provider.
func TestFailoverErrorResolve(t *testing.T) {
	k := newSendKit(t)
	refuse(t, k, 0)
	k.ov.DropResponseNext(1)
	m := sendMsg(t, "your code is 4242")
	_, err := newFailover(t, k.senders()).Send(sendCtx(t), m)
	var fe *switchboard.FailoverError
	require.ErrorAs(t, err, &fe)
	res, err := fe.Resolve(sendCtx(t))
	require.NoError(t, err)
	assert.Equal(t, switchboard.ResolutionSent, res.Status)
	assert.Equal(t, switchboard.OurVoice, res.Provider)
	assert.Equal(t, k.ov.SentMessages()[0].ID, res.Receipt.ID)

	k.vt.DropResponseNext(1)
	_, err = newFailover(t, []switchboard.Sender{k.voitex}).Send(sendCtx(t), m)
	require.ErrorAs(t, err, &fe)
	res, err = fe.Resolve(sendCtx(t))
	require.NoError(t, err)
	assert.Equal(t, switchboard.ResolutionUnknown, res.Status)
}

// TestFailoverConcurrent: one Failover serves many goroutines.
func TestFailoverConcurrent(t *testing.T) {
	k := newSendKit(t)
	f := newFailover(t, k.senders())
	ctx := sendCtx(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		m := sendMsg(t, "n"+strconv.Itoa(i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.Send(ctx, m)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, [4]int{8, 0, 0, 0}, k.sent())
}
