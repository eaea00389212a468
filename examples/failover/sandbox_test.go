package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard"
	"github.com/switchboard-go/switchboard/voxio"
)

// msg is the message the tests send: a North American number, which every
// provider reaches.
var msg = switchboard.Message{To: mustPhone("+1 212 555 0143"), Text: "hello"}

func mustPhone(s string) switchboard.Phone {
	p, err := switchboard.ParsePhone(s)
	if err != nil {
		panic(err)
	}
	return p
}

// start returns the four sandboxes, closed when the test ends.
func start(t *testing.T) *sandboxes {
	t.Helper()
	sb, err := startSandboxes(context.Background())
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	return sb
}

// failover is the demo's Failover over sb.
func failover(t *testing.T, sb *sandboxes, opts ...switchboard.FailoverOption) *switchboard.Failover {
	t.Helper()
	f, err := sb.Failover(opts...)
	require.NoError(t, err)
	return f
}

// seen asserts how many send requests each sandbox received and how many
// messages it holds as sent, in failover order.
func seen(t *testing.T, sb *sandboxes, requests, sent [4]int) {
	t.Helper()
	var gotReq, gotSent [4]int
	for i, p := range sb.ordered {
		gotReq[i], gotSent[i] = p.requests(), p.sent()
	}
	assert.Equal(t, requests, gotReq, "send requests seen by voxio, ourvoice, chattu, voitex")
	assert.Equal(t, sent, gotSent, "messages sent by voxio, ourvoice, chattu, voitex")
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// trailOf returns the attempts of a send, whichever way it ended.
func trailOf(t *testing.T, r *switchboard.Receipt, err error) []switchboard.Attempt {
	t.Helper()
	if err == nil {
		return r.Trail
	}
	var fe *switchboard.FailoverError
	require.ErrorAs(t, err, &fe)
	return fe.Trail
}

func TestSandboxFirstProviderSends(t *testing.T) {
	sb := start(t)
	r, err := failover(t, sb).Send(ctxT(t), msg)
	require.NoError(t, err)
	assert.Equal(t, switchboard.Voxio, r.Provider)
	assert.NotEmpty(t, r.ID)
	assert.Len(t, r.Trail, 1)
	seen(t, sb, [4]int{1, 0, 0, 0}, [4]int{1, 0, 0, 0})
}

// TestSandboxRefusalFailsOver: the first provider saw the request and sent
// nothing, so the second one sends.
func TestSandboxRefusalFailsOver(t *testing.T) {
	tests := []struct {
		name   string
		inject func(p *provider)
		is     error
		check  func(t *testing.T, e *voxio.Error)
	}{
		{"401", func(p *provider) {
			p.FailNext(1, 401, `{"status":"error","remark":"Unauthorized","message":["Unauthorized"]}`)
		}, voxio.ErrUnauthorized, nil},
		{"403 ip not whitelisted", func(p *provider) {
			p.FailNext(1, 403, `{"status":"error","remark":"Unauthorized","message":["Your IP address is not whitelisted."]}`)
		}, voxio.ErrUnauthorized, nil},
		{"404", func(p *provider) {
			p.FailNext(1, 404, `{"status":"error","remark":"not_found","message":["Not found"]}`)
		}, voxio.ErrNotFound, nil},
		{"422", func(p *provider) {
			p.FailNext(1, 422, `{"message":"The given data was invalid.","errors":{"mobile":["The mobile must be a valid mobile number."]}}`)
		}, voxio.ErrValidation, nil},
		{"429 with Retry-After above the cap", func(p *provider) {
			p.FailNextWithHeader(1, 429, `{"message":"Too Many Attempts."}`, retryAfter(time.Hour))
		}, voxio.ErrRateLimited, func(t *testing.T, e *voxio.Error) { assert.Equal(t, time.Hour, e.RetryAfter) }},
		{"503 with Retry-After above the cap", func(p *provider) {
			p.FailNextWithHeader(1, 503, `{"message":"Down for maintenance."}`, retryAfter(10*time.Minute))
		}, nil, func(t *testing.T, e *voxio.Error) { assert.Equal(t, 10*time.Minute, e.RetryAfter) }},
		{"validation error inside HTTP 200", func(p *provider) {
			p.FailNext(1, 200, `{"status":"error","remark":"validation_error","message":["The mobile must be a valid mobile number."]}`)
		}, voxio.ErrValidation, func(t *testing.T, e *voxio.Error) { assert.Equal(t, 200, e.StatusCode) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := start(t)
			tt.inject(sb.voxio)
			r, err := failover(t, sb).Send(ctxT(t), msg)
			require.NoError(t, err)
			assert.Equal(t, switchboard.OurVoice, r.Provider)
			require.Len(t, r.Trail, 2)
			a := r.Trail[0]
			assert.Equal(t, switchboard.Voxio, a.Provider)
			assert.Equal(t, switchboard.OutcomeNotSent, a.Outcome)
			var e *voxio.Error
			require.ErrorAs(t, a.Err, &e)
			if tt.is != nil {
				assert.ErrorIs(t, a.Err, tt.is)
			}
			if tt.check != nil {
				tt.check(t, e)
			}
			// Voxio saw the request and sent nothing; Our Voice sent it.
			seen(t, sb, [4]int{1, 1, 0, 0}, [4]int{0, 1, 0, 0})
		})
	}
}

// TestSandboxRefusalsDownTheChain: each of the first three refuses in its
// own way; Voitex SMS sends.
func TestSandboxRefusalsDownTheChain(t *testing.T) {
	sb := start(t)
	sb.voxio.FailNext(1, 401, `{"status":"error","remark":"Unauthorized","message":["Unauthorized"]}`)
	sb.ourvoice.FailNextWithHeader(1, 429, `{"success":false,"message":"Too Many Attempts."}`, retryAfter(time.Hour))
	sb.chattu.FailNext(1, 400, `{"success":false,"error":"WhatsApp client is not connected"}`)
	r, err := failover(t, sb).Send(ctxT(t), msg)
	require.NoError(t, err)
	assert.Equal(t, switchboard.Voitex, r.Provider)
	var names []switchboard.Provider
	for _, a := range r.Trail[:3] {
		names = append(names, a.Provider)
		assert.Equal(t, switchboard.OutcomeNotSent, a.Outcome)
	}
	assert.Equal(t, []switchboard.Provider{switchboard.Voxio, switchboard.OurVoice, switchboard.Chattu}, names)
	seen(t, sb, [4]int{1, 1, 1, 1}, [4]int{0, 0, 0, 1})
}

// TestSandboxLocalValidationFailsOver: input refused before sending never
// leaves the process, so the next provider may send.
func TestSandboxLocalValidationFailsOver(t *testing.T) {
	sb := start(t)
	israel := switchboard.Message{To: mustPhone("+972 52-123-4567"), Text: "שלום"}
	f, err := switchboard.NewFailover([]switchboard.Sender{sb.voitex.Sender, sb.chattu.Sender})
	require.NoError(t, err)
	r, err := f.Send(ctxT(t), israel)
	require.NoError(t, err)
	assert.Equal(t, switchboard.Chattu, r.Provider)
	require.Len(t, r.Trail, 2)
	assert.ErrorIs(t, r.Trail[0].Err, switchboard.ErrValidation)
	seen(t, sb, [4]int{0, 0, 1, 0}, [4]int{0, 0, 1, 0})
}

// TestSandboxMaybeDeliveredStops: the message may be out; no other provider
// is tried.
func TestSandboxMaybeDeliveredStops(t *testing.T) {
	refuse := func(p *provider) {
		p.FailNextWithHeader(1, 503, `{"success":false,"message":"Unavailable","status":"error","errors":["Unavailable"]}`, retryAfter(time.Hour))
	}
	tests := []struct {
		name      string
		inject    func(sb *sandboxes)
		provider  switchboard.Provider
		requests  [4]int
		sent      [4]int
		refusedBy int
	}{
		{"voxio drops the request", func(sb *sandboxes) { sb.voxio.DropNext(1) },
			switchboard.Voxio, [4]int{1, 0, 0, 0}, [4]int{0, 0, 0, 0}, 0},
		{"voxio sends, then drops the answer", func(sb *sandboxes) { sb.voxio.DropResponseNext(1) },
			switchboard.Voxio, [4]int{1, 0, 0, 0}, [4]int{1, 0, 0, 0}, 0},
		{"our voice sends, then drops the answer", func(sb *sandboxes) {
			refuse(sb.voxio)
			sb.ourvoice.DropResponseNext(1)
		}, switchboard.OurVoice, [4]int{1, 1, 0, 0}, [4]int{0, 1, 0, 0}, 1},
		{"chattu drops the request", func(sb *sandboxes) {
			refuse(sb.voxio)
			refuse(sb.ourvoice)
			sb.chattu.DropNext(1)
		}, switchboard.Chattu, [4]int{1, 1, 1, 0}, [4]int{0, 0, 0, 0}, 2},
		{"voitex sends, then drops the answer", func(sb *sandboxes) {
			refuse(sb.voxio)
			refuse(sb.ourvoice)
			refuse(sb.chattu)
			sb.voitex.DropResponseNext(1)
		}, switchboard.Voitex, [4]int{1, 1, 1, 1}, [4]int{0, 0, 0, 1}, 3},
	}
	for _, status := range []int{500, 502, 503, 504} {
		tests = append(tests, struct {
			name      string
			inject    func(sb *sandboxes)
			provider  switchboard.Provider
			requests  [4]int
			sent      [4]int
			refusedBy int
		}{fmt.Sprintf("voxio answers %d", status), func(sb *sandboxes) {
			sb.voxio.FailNextWithHeader(1, status, `{"message":"Server Error"}`, http.Header{})
		}, switchboard.Voxio, [4]int{1, 0, 0, 0}, [4]int{0, 0, 0, 0}, 0})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := start(t)
			tt.inject(sb)
			_, err := failover(t, sb).Send(ctxT(t), msg)
			require.Error(t, err)
			assert.ErrorIs(t, err, switchboard.ErrMaybeDelivered)
			var fe *switchboard.FailoverError
			require.ErrorAs(t, err, &fe)
			a, ok := fe.MaybeDeliveredBy()
			require.True(t, ok)
			assert.Equal(t, tt.provider, a.Provider)
			require.Len(t, fe.Trail, tt.refusedBy+1)
			for _, a := range fe.Trail[:tt.refusedBy] {
				assert.Equal(t, switchboard.OutcomeNotSent, a.Outcome, a.Provider)
			}
			assert.Contains(t, err.Error(), string(tt.provider)+" may have delivered the message")
			seen(t, sb, tt.requests, tt.sent)
		})
	}
}

// TestSandboxResolveBeforeMovingOn: told to, the failover looks a
// maybe-delivered send up, and the message still goes out once.
func TestSandboxResolveBeforeMovingOn(t *testing.T) {
	sb := start(t)
	f := failover(t, sb, switchboard.WithResolve(10*time.Millisecond))
	sb.voxio.DropResponseNext(1)
	r, err := f.Send(ctxT(t), msg)
	require.NoError(t, err)
	assert.Equal(t, switchboard.Voxio, r.Provider)
	assert.Equal(t, switchboard.ResolutionSent, r.Trail[0].Resolution.Status)
	seen(t, sb, [4]int{1, 0, 0, 0}, [4]int{1, 0, 0, 0})

	sb.voxio.DropNext(1)
	r, err = f.Send(ctxT(t), switchboard.Message{To: msg.To, Text: "another"})
	require.NoError(t, err)
	assert.Equal(t, switchboard.OurVoice, r.Provider)
	assert.Equal(t, switchboard.ResolutionNotFound, r.Trail[0].Resolution.Status)
	seen(t, sb, [4]int{2, 1, 0, 0}, [4]int{1, 1, 0, 0})
}

// TestSandboxShortRetryAfterStaysWithProvider: a 429 or 503 whose
// Retry-After is within the cap is waited for and retried by the SDK itself:
// the same provider sends, once.
func TestSandboxShortRetryAfterStaysWithProvider(t *testing.T) {
	for _, status := range []int{429, 503} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			sb := start(t)
			sb.voxio.FailNext(1, status, `{"message":"Too Many Attempts."}`) // Retry-After: 0
			r, err := failover(t, sb).Send(ctxT(t), msg)
			require.NoError(t, err)
			assert.Equal(t, switchboard.Voxio, r.Provider)
			assert.Len(t, r.Trail, 1)
			seen(t, sb, [4]int{2, 0, 0, 0}, [4]int{1, 0, 0, 0})
		})
	}
}

// TestSandboxDialRefusedFailsOver: a provider whose port refuses connections
// received nothing.
func TestSandboxDialRefusedFailsOver(t *testing.T) {
	sb := start(t)
	sb.voxio.close()
	r, err := failover(t, sb).Send(ctxT(t), msg)
	require.NoError(t, err)
	assert.Equal(t, switchboard.OurVoice, r.Provider)
	var rerr *voxio.RequestError
	require.ErrorAs(t, r.Trail[0].Err, &rerr)
	assert.False(t, rerr.MaybeDelivered)
	assert.ErrorIs(t, rerr, syscall.ECONNREFUSED)
	seen(t, sb, [4]int{0, 1, 0, 0}, [4]int{0, 1, 0, 0})
}

// TestSandboxAllRefuse: the error lists every provider's reason, and nothing
// was sent anywhere.
func TestSandboxAllRefuse(t *testing.T) {
	sb := start(t)
	sb.voxio.FailNextWithHeader(1, 503, `{"status":"error","remark":"maintenance","message":["Back soon"]}`, retryAfter(10*time.Minute))
	sb.ourvoice.FailNext(1, 402, `{"success":false,"message":"Insufficient balance."}`)
	sb.chattu.FailNext(1, 403, `{"success":false,"error":"Plan limit exceeded","code":"PLAN_LIMIT_EXCEEDED"}`)
	sb.voitex.FailNext(1, 200, `{"status":"error","data":"","errors":["Invalid Auth-Key"]}`)
	_, err := failover(t, sb).Send(ctxT(t), msg)
	require.Error(t, err)
	assert.NotErrorIs(t, err, switchboard.ErrMaybeDelivered)
	var fe *switchboard.FailoverError
	require.ErrorAs(t, err, &fe)
	require.Len(t, fe.Trail, 4)
	for i, want := range []switchboard.Provider{switchboard.Voxio, switchboard.OurVoice, switchboard.Chattu, switchboard.Voitex} {
		assert.Equal(t, want, fe.Trail[i].Provider)
		assert.Equal(t, switchboard.OutcomeNotSent, fe.Trail[i].Outcome)
	}
	text := err.Error()
	assert.True(t, strings.HasPrefix(text, "switchboard: failover: no provider sent the message (4 tried)"), text)
	for _, reason := range []string{"voxio: ", "Back soon", "ourvoice: ", "Insufficient balance.", "chattu: ", "PLAN_LIMIT_EXCEEDED", "voitex: ", "Invalid Auth-Key"} {
		assert.Contains(t, text, reason)
	}
	seen(t, sb, [4]int{1, 1, 1, 1}, [4]int{0, 0, 0, 0})
}

// TestSandboxAllDown: every port refuses; nothing was sent, and every reason
// says so.
func TestSandboxAllDown(t *testing.T) {
	sb := start(t)
	sb.Close()
	_, err := failover(t, sb).Send(ctxT(t), msg)
	require.Error(t, err)
	assert.NotErrorIs(t, err, switchboard.ErrMaybeDelivered)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.Equal(t, 4, strings.Count(err.Error(), "connection refused"), err.Error())
	seen(t, sb, [4]int{0, 0, 0, 0}, [4]int{0, 0, 0, 0})
}

// TestSandboxTimeoutAfterWriteStops: the provider holds the request past the
// caller's deadline. It was written, so it may be acted on: stop.
func TestSandboxTimeoutAfterWriteStops(t *testing.T) {
	sb := start(t)
	sb.voxio.DelayNext(1, 5*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := failover(t, sb).Send(ctx, msg)
	assert.ErrorIs(t, err, switchboard.ErrMaybeDelivered)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, [3]int{0, 0, 0}, [3]int{sb.ourvoice.requests(), sb.chattu.requests(), sb.voitex.requests()})
	assert.Equal(t, 1, sb.voxio.requests())
}

// TestSandboxCanceledContext: nothing is sent once the caller gave up.
func TestSandboxCanceledContext(t *testing.T) {
	sb := start(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := failover(t, sb).Send(ctx, msg)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, switchboard.ErrMaybeDelivered)
	trail := trailOf(t, r, err)
	require.Len(t, trail, 1)
	assert.Equal(t, switchboard.OutcomeAborted, trail[0].Outcome)
	seen(t, sb, [4]int{0, 0, 0, 0}, [4]int{0, 0, 0, 0})
}
