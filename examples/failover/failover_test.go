package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voxio"
)

// TestClassify is the failover policy, one constructed error at a time.
func TestClassify(t *testing.T) {
	apiErr := func(status int, retryAfter time.Duration) error {
		return &voxio.Error{Vendor: "voxio", Method: http.MethodPost, Path: "/inbox/send-message", StatusCode: status, RetryAfter: retryAfter}
	}
	tests := []struct {
		name string
		err  error
		want Outcome
	}{
		// Voxio's exception remark: the vendor failed partway through its send.
		{"voxio exception inside 200", &voxio.Error{Vendor: "voxio", StatusCode: 200, Code: voxio.RemarkException}, OutcomeUncertain},
		{"voxio validation_error inside 200", &voxio.Error{Vendor: "voxio", StatusCode: 200, Code: voxio.RemarkValidationError}, OutcomeRefused},
		// Rejected locally: nothing left the process.
		{"validation error", &voxio.ValidationError{Field: "mobile", Rule: "required"}, OutcomeRefused},
		{"wrapped validation error", fmt.Errorf("adapter: %w", &ourvoice.ValidationError{Field: "to_number", Rule: "required"}), OutcomeRefused},

		// The exchange never happened.
		{"dial refused", &voxio.RequestError{Vendor: "voxio", Attempts: 4, Err: syscall.ECONNREFUSED}, OutcomeRefused},
		{"request error with a 429 before it", &chattu.RequestError{Err: io.ErrUnexpectedEOF, Response: &chattu.Error{StatusCode: 429}}, OutcomeRefused},
		{"context canceled before writing", &voxio.RequestError{Err: context.Canceled}, OutcomeAborted},
		{"deadline during a Retry-After wait", &voitex.RequestError{Err: context.DeadlineExceeded, Response: &voitex.Error{StatusCode: 429, RetryAfter: time.Second}}, OutcomeAborted},

		// Written, then the connection failed: maybe delivered.
		{"connection dropped after writing", &voxio.RequestError{MaybeDelivered: true, Err: io.EOF}, OutcomeUncertain},
		{"timeout after writing", &ourvoice.RequestError{MaybeDelivered: true, Err: context.DeadlineExceeded}, OutcomeUncertain},
		{"wrapped maybe-delivered", fmt.Errorf("send: %w", &chattu.RequestError{MaybeDelivered: true, Err: io.EOF}), OutcomeUncertain},
		{"accepted but unreadable answer", &ourvoice.DecodeError{Vendor: "ourvoice", StatusCode: 200, Accepted: true, Err: &json.SyntaxError{}}, OutcomeUncertain},
		{"vendor kind says maybe delivered", &voxio.Error{StatusCode: 422, Kind: voxio.ErrMaybeDelivered}, OutcomeUncertain},

		// The vendor refused.
		{"400", apiErr(400, 0), OutcomeRefused},
		{"401 unauthorized", apiErr(401, 0), OutcomeRefused},
		{"402 insufficient balance", apiErr(402, 0), OutcomeRefused},
		{"403 forbidden", apiErr(403, 0), OutcomeRefused},
		{"404 not found", apiErr(404, 0), OutcomeRefused},
		{"422 validation", apiErr(422, 0), OutcomeRefused},
		{"429 Retry-After above the cap", apiErr(429, time.Hour), OutcomeRefused},
		{"429 retries used up", apiErr(429, 0), OutcomeRefused},
		{"503 with Retry-After", apiErr(503, 10*time.Minute), OutcomeRefused},
		{"error envelope in HTTP 200", &voxio.Error{StatusCode: 200, Code: "validation_error", Kind: voxio.ErrValidation}, OutcomeRefused},
		{"voitex status error in 200", &voitex.Error{StatusCode: 200, Code: "unauthorized"}, OutcomeRefused},
		{"our voice success false in 200", &ourvoice.Error{StatusCode: 200}, OutcomeRefused},

		// The vendor failed and may have acted first.
		{"500", apiErr(500, 0), OutcomeUncertain},
		{"502", apiErr(502, 0), OutcomeUncertain},
		{"503 without Retry-After", apiErr(503, 0), OutcomeUncertain},
		{"504", apiErr(504, 0), OutcomeUncertain},
		{"no status", apiErr(0, 0), OutcomeUncertain},
		{"redirect", apiErr(302, 0), OutcomeUncertain},

		// Not evidence of anything.
		{"untyped error", errors.New("boom"), OutcomeUncertain},
		{"bare context error", context.Canceled, OutcomeUncertain},
		{"decode error not accepted", &ourvoice.DecodeError{StatusCode: 200, Err: io.EOF}, OutcomeUncertain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, classify(tt.err), "%v", tt.err)
		})
	}
}

// TestSentinelShared checks the premise of errMaybeDelivered: the four
// packages' sentinels are one value.
func TestSentinelShared(t *testing.T) {
	for _, e := range []error{ourvoice.ErrMaybeDelivered, chattu.ErrMaybeDelivered, voitex.ErrMaybeDelivered} {
		assert.Same(t, errMaybeDelivered, e)
	}
}

func TestOutcomeString(t *testing.T) {
	assert.Equal(t, "refused", OutcomeRefused.String())
	assert.Equal(t, "may have been delivered", OutcomeUncertain.String())
	assert.Equal(t, "aborted", OutcomeAborted.String())
	assert.Equal(t, "Outcome(7)", Outcome(7).String())
}

// fakeSender answers with err, or a receipt, and counts its calls.
type fakeSender struct {
	name  string
	err   error
	calls int
}

func (f *fakeSender) Name() string { return f.name }

func (f *fakeSender) Send(context.Context, Message) (Receipt, error) {
	f.calls++
	if f.err != nil {
		return Receipt{}, f.err
	}
	return Receipt{ID: f.name + "-1"}, nil
}

var msg = Message{To: Phone{CountryCode: "1", Number: "2125550143"}, Text: "hello"}

func TestFailoverSendsThroughFirstThatAccepts(t *testing.T) {
	refusal := &voxio.Error{Vendor: "voxio", StatusCode: 401}
	a, b, c := &fakeSender{name: "a", err: refusal}, &fakeSender{name: "b"}, &fakeSender{name: "c"}
	r, err := NewFailover(a, b, c).Send(context.Background(), msg)
	require.NoError(t, err)
	assert.Equal(t, "b", r.Provider)
	assert.Equal(t, "b-1", r.ID)
	require.Len(t, r.Refused, 1)
	assert.Equal(t, Attempt{Provider: "a", Err: refusal, Outcome: OutcomeRefused}, r.Refused[0])
	assert.Equal(t, []int{1, 1, 0}, []int{a.calls, b.calls, c.calls})
}

func TestFailoverStopsWhenMaybeDelivered(t *testing.T) {
	for _, e := range []error{
		&voxio.RequestError{Vendor: "voxio", MaybeDelivered: true, Err: io.EOF},
		&voxio.Error{Vendor: "voxio", StatusCode: 500},
		errors.New("unknown"),
	} {
		t.Run(e.Error(), func(t *testing.T) {
			a, b := &fakeSender{name: "a", err: e}, &fakeSender{name: "b"}
			_, err := NewFailover(a, b).Send(context.Background(), msg)
			require.Error(t, err)
			assert.ErrorIs(t, err, voxio.ErrMaybeDelivered)
			assert.ErrorIs(t, err, e)
			var se *SendError
			require.ErrorAs(t, err, &se)
			p, ok := se.MaybeDeliveredBy()
			assert.True(t, ok)
			assert.Equal(t, "a", p)
			assert.Equal(t, "failover: message may have been delivered by a, not sent elsewhere: "+e.Error(), err.Error())
			assert.Zero(t, b.calls, "must not send again elsewhere")
		})
	}
}

func TestFailoverAllRefuse(t *testing.T) {
	a := &fakeSender{name: "a", err: &voxio.ValidationError{Field: "mobile", Rule: "required"}}
	b := &fakeSender{name: "b", err: &chattu.Error{Vendor: "chattu", StatusCode: 403, Messages: []string{"Plan limit"}}}
	_, err := NewFailover(a, b).Send(context.Background(), msg)
	require.Error(t, err)
	assert.NotErrorIs(t, err, voxio.ErrMaybeDelivered)
	assert.ErrorIs(t, err, voxio.ErrValidation)
	assert.ErrorIs(t, err, chattu.ErrUnauthorized)
	var se *SendError
	require.ErrorAs(t, err, &se)
	_, ok := se.MaybeDeliveredBy()
	assert.False(t, ok)
	assert.Equal(t, "failover: all 2 providers refused the message; a: "+a.err.Error()+"; b: "+b.err.Error(), err.Error())
	assert.Equal(t, "b refused: "+b.err.Error(), se.Attempts[1].String())
}

func TestFailoverStopsWhenContextEnds(t *testing.T) {
	t.Run("before the first provider", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		a := &fakeSender{name: "a"}
		_, err := NewFailover(a).Send(ctx, msg)
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, voxio.ErrMaybeDelivered)
		assert.EqualError(t, err, "failover: stopped before a: context canceled")
		assert.Zero(t, a.calls)
	})
	t.Run("during a provider, before writing", func(t *testing.T) {
		a := &fakeSender{name: "a", err: &voxio.RequestError{Vendor: "voxio", Err: context.DeadlineExceeded}}
		b := &fakeSender{name: "b"}
		_, err := NewFailover(a, b).Send(context.Background(), msg)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotErrorIs(t, err, voxio.ErrMaybeDelivered)
		assert.Zero(t, b.calls)
	})
}

func TestFailoverWithoutProviders(t *testing.T) {
	f := NewFailover()
	assert.Equal(t, "failover()", f.Name())
	_, err := f.Send(context.Background(), msg)
	assert.ErrorIs(t, err, errNoProviders)
}

func TestFailoverIsASender(t *testing.T) {
	var s Sender = NewFailover(&fakeSender{name: "a"}, &fakeSender{name: "b"})
	assert.Equal(t, "failover(a, b)", s.Name())
	// A Failover nests: the outer one sees the inner one's maybe-delivered.
	inner := NewFailover(&fakeSender{name: "x", err: &voxio.Error{StatusCode: 502}})
	outerNext := &fakeSender{name: "y"}
	_, err := NewFailover(inner, outerNext).Send(context.Background(), msg)
	assert.ErrorIs(t, err, voxio.ErrMaybeDelivered)
	assert.Zero(t, outerNext.calls)
}

func TestPhone(t *testing.T) {
	p := Phone{CountryCode: "972", Number: "501234567"}
	assert.Equal(t, "972501234567", p.International())
	assert.Equal(t, "+972 501234567", p.String())
}

func TestReportEndings(t *testing.T) {
	var b strings.Builder
	report(&b, Receipt{}, &SendError{Attempts: []Attempt{{Provider: "voxio", Err: context.Canceled, Outcome: OutcomeAborted}}})
	report(&b, Receipt{}, errNoProviders)
	assert.Equal(t, "   voxio      aborted: context canceled\n"+
		"   => NOT SENT: stopped before voxio: context canceled\n"+
		"   => error: failover: no providers configured\n", b.String())
}
