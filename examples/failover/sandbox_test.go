package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/voxio"
)

// start returns the four sandboxes, closed when the test ends.
func start(t *testing.T) *sandboxes {
	t.Helper()
	sb, err := startSandboxes(context.Background())
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	return sb
}

// seen asserts how many send requests each sandbox received and how many
// messages it holds as sent, in failover order.
func seen(t *testing.T, sb *sandboxes, requests, sent [4]int) {
	t.Helper()
	var gotReq, gotSent [4]int
	for i, p := range sb.ordered {
		gotReq[i], gotSent[i] = p.requests(), p.sent()
	}
	assert.Equal(t, requests, gotReq, "send requests seen by voxio, ourvoice, chattu, voitex-sms")
	assert.Equal(t, sent, gotSent, "messages sent by voxio, ourvoice, chattu, voitex-sms")
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSandboxFirstProviderSends(t *testing.T) {
	sb := start(t)
	r, err := sb.Failover().Send(ctxT(t), msg)
	require.NoError(t, err)
	assert.Equal(t, "voxio", r.Provider)
	assert.NotEmpty(t, r.ID)
	assert.Empty(t, r.Refused)
	seen(t, sb, [4]int{1, 0, 0, 0}, [4]int{1, 0, 0, 0})
}

// TestSandboxEachAdapterSends sends through each provider alone and checks
// what its sandbox holds.
func TestSandboxEachAdapterSends(t *testing.T) {
	sb := start(t)
	ctx := ctxT(t)
	m := Message{To: Phone{CountryCode: "1", Number: "2125550143"}, Text: "שלום 👋 hello"}
	receipts := map[string]Receipt{}
	for _, p := range sb.ordered {
		r, err := p.Send(ctx, m)
		require.NoError(t, err, p.Name())
		assert.Equal(t, p.Name(), r.Provider)
		assert.NotEmpty(t, r.ID, p.Name())
		receipts[p.Name()] = r
	}
	seen(t, sb, [4]int{1, 1, 1, 1}, [4]int{1, 1, 1, 1})

	vm := sb.vx.SentMessages()
	last := vm[len(vm)-1]
	assert.Equal(t, m.Text, last.Text)
	assert.Equal(t, "1", last.Fields.Get("mobile_code"))
	assert.Equal(t, "2125550143", last.Fields.Get("mobile"))
	assert.Equal(t, receipts["voxio"].ID, fmt.Sprint(last.ID))

	om := sb.ov.SentMessages()
	require.Len(t, om, 1)
	assert.Equal(t, m.Text, om[0].Content)
	assert.Equal(t, "12125550143", om[0].To)
	assert.Equal(t, receipts["ourvoice"].ID, om[0].ID)

	cm := sb.ch.SentMessages()
	require.Len(t, cm, 1)
	assert.Equal(t, m.Text, cm[0].Message)
	assert.Equal(t, "12125550143", cm[0].Recipient)
	assert.Equal(t, chattuClientID, cm[0].ClientID)

	sms := sb.vt.SentSMS()
	require.Len(t, sms, 1)
	assert.Equal(t, m.Text, sms[0].Body)
	assert.Equal(t, "2125550143", sms[0].To)
	assert.Equal(t, voitexDID, sms[0].From)
	assert.Equal(t, receipts["voitex-sms"].ID, sms[0].ReferenceID)
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
			r, err := sb.Failover().Send(ctxT(t), msg)
			require.NoError(t, err)
			assert.Equal(t, "ourvoice", r.Provider)
			require.Len(t, r.Refused, 1)
			a := r.Refused[0]
			assert.Equal(t, "voxio", a.Provider)
			assert.Equal(t, OutcomeRefused, a.Outcome)
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
	r, err := sb.Failover().Send(ctxT(t), msg)
	require.NoError(t, err)
	assert.Equal(t, "voitex-sms", r.Provider)
	var names []string
	for _, a := range r.Refused {
		names = append(names, a.Provider)
		assert.Equal(t, OutcomeRefused, a.Outcome)
	}
	assert.Equal(t, []string{"voxio", "ourvoice", "chattu"}, names)
	seen(t, sb, [4]int{1, 1, 1, 1}, [4]int{0, 0, 0, 1})
}

// TestSandboxLocalValidationFailsOver: input the SDK rejects never leaves
// the process, so the next provider may send.
func TestSandboxLocalValidationFailsOver(t *testing.T) {
	sb := start(t)
	ctx := ctxT(t)

	// The adapter's own check: Voitex SMS does not reach +972.
	israel := Message{To: Phone{CountryCode: "972", Number: "521234567"}, Text: "שלום"}
	r, err := NewFailover(sb.voitex.Sender, sb.chattu.Sender).Send(ctx, israel)
	require.NoError(t, err)
	assert.Equal(t, "chattu", r.Provider)
	require.Len(t, r.Refused, 1)
	assert.ErrorIs(t, r.Refused[0].Err, voxio.ErrValidation)

	// The SDK's check: Voitex requires a sender DID.
	noDID := &VoitexSMSSender{Client: sb.voitex.Sender.(*VoitexSMSSender).Client}
	r, err = NewFailover(noDID, sb.ourvoice.Sender).Send(ctx, msg)
	require.NoError(t, err)
	assert.Equal(t, "ourvoice", r.Provider)
	var verr *voxio.ValidationError
	require.ErrorAs(t, r.Refused[0].Err, &verr)

	seen(t, sb, [4]int{0, 1, 1, 0}, [4]int{0, 1, 1, 0})
}

// TestSandboxConnectionLostStops: the connection broke after the request was
// written, so the message may be out; no other provider is tried.
func TestSandboxConnectionLostStops(t *testing.T) {
	refuse := func(p *provider) {
		p.FailNextWithHeader(1, 503, `{"success":false,"message":"Unavailable","status":"error","errors":["Unavailable"]}`, retryAfter(time.Hour))
	}
	tests := []struct {
		name      string
		inject    func(sb *sandboxes)
		provider  string
		requests  [4]int
		sent      [4]int
		refusedBy int
	}{
		{"voxio drops the request", func(sb *sandboxes) { sb.voxio.DropNext(1) },
			"voxio", [4]int{1, 0, 0, 0}, [4]int{0, 0, 0, 0}, 0},
		{"voxio sends, then drops the answer", func(sb *sandboxes) { sb.voxio.DropResponseNext(1) },
			"voxio", [4]int{1, 0, 0, 0}, [4]int{1, 0, 0, 0}, 0},
		{"our voice sends, then drops the answer", func(sb *sandboxes) {
			refuse(sb.voxio)
			sb.ourvoice.DropResponseNext(1)
		}, "ourvoice", [4]int{1, 1, 0, 0}, [4]int{0, 1, 0, 0}, 1},
		{"chattu drops the request", func(sb *sandboxes) {
			refuse(sb.voxio)
			refuse(sb.ourvoice)
			sb.chattu.DropNext(1)
		}, "chattu", [4]int{1, 1, 1, 0}, [4]int{0, 0, 0, 0}, 2},
		{"voitex sends, then drops the answer", func(sb *sandboxes) {
			refuse(sb.voxio)
			refuse(sb.ourvoice)
			refuse(sb.chattu)
			sb.voitex.DropResponseNext(1)
		}, "voitex-sms", [4]int{1, 1, 1, 1}, [4]int{0, 0, 0, 1}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := start(t)
			tt.inject(sb)
			_, err := sb.Failover().Send(ctxT(t), msg)
			require.Error(t, err)
			assert.ErrorIs(t, err, voxio.ErrMaybeDelivered)
			var rerr *voxio.RequestError
			require.ErrorAs(t, err, &rerr)
			assert.True(t, rerr.MaybeDelivered)
			var se *SendError
			require.ErrorAs(t, err, &se)
			p, ok := se.MaybeDeliveredBy()
			assert.True(t, ok)
			assert.Equal(t, tt.provider, p)
			require.Len(t, se.Attempts, tt.refusedBy+1)
			for _, a := range se.Attempts[:tt.refusedBy] {
				assert.Equal(t, OutcomeRefused, a.Outcome, a.Provider)
			}
			assert.Contains(t, err.Error(), "may have been delivered by "+tt.provider)
			seen(t, sb, tt.requests, tt.sent)
		})
	}
}

// TestSandbox5xxStops: a 5xx without Retry-After leaves the outcome of a
// send unknown; the SDK does not repeat it and neither does the failover.
func TestSandbox5xxStops(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			sb := start(t)
			sb.voxio.FailNextWithHeader(1, status, `{"status":"error","remark":"exception","message":["Server Error"]}`, http.Header{})
			_, err := sb.Failover().Send(ctxT(t), msg)
			assert.ErrorIs(t, err, voxio.ErrMaybeDelivered)
			var e *voxio.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, status, e.StatusCode)
			seen(t, sb, [4]int{1, 0, 0, 0}, [4]int{0, 0, 0, 0})
		})
	}
}

// TestSandboxShortRetryAfterStaysWithProvider: a 429 or 503 whose
// Retry-After is within the cap is waited for and retried by the SDK itself:
// the same provider sends, once.
func TestSandboxShortRetryAfterStaysWithProvider(t *testing.T) {
	for _, status := range []int{429, 503} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			sb := start(t)
			sb.voxio.FailNext(1, status, `{"message":"Too Many Attempts."}`) // Retry-After: 0
			r, err := sb.Failover().Send(ctxT(t), msg)
			require.NoError(t, err)
			assert.Equal(t, "voxio", r.Provider)
			assert.Empty(t, r.Refused)
			seen(t, sb, [4]int{2, 0, 0, 0}, [4]int{1, 0, 0, 0})
		})
	}
}

// TestSandboxDialRefusedFailsOver: a provider whose port refuses connections
// received nothing.
func TestSandboxDialRefusedFailsOver(t *testing.T) {
	sb := start(t)
	sb.voxio.close()
	r, err := sb.Failover().Send(ctxT(t), msg)
	require.NoError(t, err)
	assert.Equal(t, "ourvoice", r.Provider)
	require.Len(t, r.Refused, 1)
	var rerr *voxio.RequestError
	require.ErrorAs(t, r.Refused[0].Err, &rerr)
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
	_, err := sb.Failover().Send(ctxT(t), msg)
	require.Error(t, err)
	assert.NotErrorIs(t, err, voxio.ErrMaybeDelivered)
	var se *SendError
	require.ErrorAs(t, err, &se)
	require.Len(t, se.Attempts, 4)
	for i, want := range []string{"voxio", "ourvoice", "chattu", "voitex-sms"} {
		assert.Equal(t, want, se.Attempts[i].Provider)
		assert.Equal(t, OutcomeRefused, se.Attempts[i].Outcome)
	}
	text := err.Error()
	assert.True(t, strings.HasPrefix(text, "failover: all 4 providers refused the message"), text)
	for _, reason := range []string{"voxio: ", "Back soon", "ourvoice: ", "Insufficient balance.", "chattu: ", "PLAN_LIMIT_EXCEEDED", "voitex-sms: ", "Invalid Auth-Key"} {
		assert.Contains(t, text, reason)
	}
	seen(t, sb, [4]int{1, 1, 1, 1}, [4]int{0, 0, 0, 0})
}

// TestSandboxAllDown: every port refuses; nothing was sent, and every reason
// says so.
func TestSandboxAllDown(t *testing.T) {
	sb := start(t)
	sb.Close()
	_, err := sb.Failover().Send(ctxT(t), msg)
	require.Error(t, err)
	assert.NotErrorIs(t, err, voxio.ErrMaybeDelivered)
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
	_, err := sb.Failover().Send(ctx, msg)
	assert.ErrorIs(t, err, voxio.ErrMaybeDelivered)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, [3]int{0, 0, 0}, [3]int{sb.ourvoice.requests(), sb.chattu.requests(), sb.voitex.requests()})
	assert.Equal(t, 1, sb.voxio.requests())
}

// TestSandboxCanceledContext: nothing is sent once the caller gave up.
func TestSandboxCanceledContext(t *testing.T) {
	sb := start(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := sb.Failover().Send(ctx, msg)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, voxio.ErrMaybeDelivered)
	seen(t, sb, [4]int{0, 0, 0, 0}, [4]int{0, 0, 0, 0})
}

func TestRunTranscript(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, run(ctxT(t), &buf, msg))
	out := buf.String()
	for _, want := range []string{
		`Sending "hello" to +1 2125550143 through failover(voxio, ourvoice, chattu, voitex-sms)`,
		"1. every provider is up\n   voxio      SENT",
		"voxio      refused: voxio: POST /inbox/send-message: HTTP 401",
		"chattu     SENT",
		"=> STOPPED: voxio may have delivered it",
		"send requests seen: voxio 1 (sent 1), ourvoice 0 (sent 0), chattu 0 (sent 0), voitex-sms 0 (sent 0)",
		"=> NOT SENT: all 4 providers refused",
		"connection refused",
		"ourvoice   SENT",
	} {
		assert.Contains(t, out, want)
	}
	assert.Equal(t, len(scenarios), strings.Count(out, "send requests seen:"))
}

func TestMainFlags(t *testing.T) {
	out, err := os.CreateTemp(t.TempDir(), "stdout")
	require.NoError(t, err)
	oldArgs, oldStdout, oldFlags := os.Args, os.Stdout, flag.CommandLine
	t.Cleanup(func() { os.Args, os.Stdout, flag.CommandLine = oldArgs, oldStdout, oldFlags })
	flag.CommandLine = flag.NewFlagSet("failover", flag.ContinueOnError)
	os.Args = []string{"failover", "-country-code", "+972", "-number", "521234567", "-text", "שלום"}
	os.Stdout = out
	main()
	b, err := os.ReadFile(out.Name())
	require.NoError(t, err)
	assert.Contains(t, string(b), `Sending "שלום" to +972 521234567`)
	// Voitex SMS cannot reach +972: in "every provider refuses" it refuses
	// locally.
	assert.Contains(t, string(b), "voitex-sms refused: switchboard: invalid to")
}
