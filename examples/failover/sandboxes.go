package main

import (
	"context"
	"net/http"
	"time"

	"github.com/switchboard-go/switchboard"
	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// faults is the fault injection and request log every vendor sandbox
// embeds.
type faults interface {
	FailNext(n, status int, body string)
	FailNextWithHeader(n, status int, body string, header http.Header)
	DropNext(n int)
	DropResponseNext(n int)
	DelayNext(n int, d time.Duration)
	Count(method, path string) int
}

// provider is one vendor: its sandbox, the switchboard Sender pointed at
// it, and what the sandbox saw.
type provider struct {
	switchboard.Sender
	faults
	// sendPath is the path of the vendor's send endpoint, for Count.
	sendPath string
	// sent counts the messages the vendor holds as sent through its API.
	sent func() int
	// close shuts the sandbox down: its port then refuses connections.
	close func()
}

// Name is the provider's name in transcripts.
func (p *provider) Name() string { return string(p.Provider()) }

// requests reports how many send requests the sandbox received, faulted
// ones included.
func (p *provider) requests() int { return p.Count(http.MethodPost, p.sendPath) }

// sandboxes are the four in-process vendors, in failover order.
type sandboxes struct {
	voxio, ourvoice, chattu, voitex *provider
	ordered                         []*provider

	// The sandboxes themselves, for their vendor-specific state.
	vx *voxiotest.Server
	ov *ourvoicetest.Server
	ch *chattutest.Server
	vt *voitextest.Server
}

// Sandbox accounts used by the demo.
const (
	ourVoicePhone = "22997000000"  // the WhatsApp number linked to the Our Voice session
	chattuPhone   = "972501234567" // the Chattu client's WhatsApp number
	voitexDID     = "2125550100"   // the Voitex SMS-enabled DID
)

// Every client talks through its sandbox's own *http.Client where the
// sandbox offers one, whose idle connections the sandbox closes when it shuts
// down. With the SDK's shared pool instead, a request right after the
// shutdown could go out on a pooled connection the server had just closed:
// the write fails after part of the request went out, and the SDK rightly
// reports ErrMaybeDelivered rather than a refused dial. The demo wants a
// clean "connection refused".
//
// retryWait keeps the SDKs' backoff short against local sandboxes, so that a
// refused dial, which the SDK retries, fails over quickly.
var retryWait = [2]time.Duration{2 * time.Millisecond, 10 * time.Millisecond}

// startSandboxes starts the four sandboxes, links a WhatsApp session on Our
// Voice and a client on Chattu (both need one before they can send), and
// builds a switchboard Sender on each. Close it when done.
func startSandboxes(ctx context.Context) (_ *sandboxes, err error) {
	sb := &sandboxes{}
	defer func() {
		if err != nil {
			sb.Close()
		}
	}()

	sb.vx = voxiotest.NewServer()
	vx := sb.vx
	sb.voxio = &provider{faults: vx, sendPath: "/inbox/send-message", close: vx.Close, sent: func() int { return len(vx.SentMessages()) }}
	sb.ordered = append(sb.ordered, sb.voxio)
	vc, err := vx.NewClient(voxio.WithHTTPClient(vx.Client()), voxio.WithRetryWait(retryWait[0], retryWait[1]))
	if err != nil {
		return nil, err
	}
	if sb.voxio.Sender, err = switchboard.NewVoxioSender(vc, voxiotest.DefaultWhatsAppAccountID); err != nil {
		return nil, err
	}

	sb.ov = ourvoicetest.NewServer()
	ov := sb.ov
	sb.ourvoice = &provider{faults: ov, sendPath: "/v1/whatsapp/messages", close: ov.Close, sent: func() int { return len(ov.SentMessages()) }}
	sb.ordered = append(sb.ordered, sb.ourvoice)
	oc, err := ov.NewClient(ourvoice.WithRetryWait(retryWait[0], retryWait[1]))
	if err != nil {
		return nil, err
	}
	session, err := ov.ReadySession(ourVoicePhone) // the phone has scanned the QR code
	if err != nil {
		return nil, err
	}
	if sb.ourvoice.Sender, err = switchboard.NewOurVoiceSender(oc, session); err != nil {
		return nil, err
	}

	sb.ch = chattutest.NewServer()
	ch := sb.ch
	sb.chattu = &provider{faults: ch, sendPath: "/api/send-message", close: ch.Close, sent: func() int { return len(ch.SentMessages()) }}
	sb.ordered = append(sb.ordered, sb.chattu)
	cc, err := ch.NewClient(chattu.WithRetryWait(retryWait[0], retryWait[1]))
	if err != nil {
		return nil, err
	}
	clientID, err := ch.ReadyClient(chattuPhone) // added and scanned
	if err != nil {
		return nil, err
	}
	if sb.chattu.Sender, err = switchboard.NewChattuSender(cc, clientID); err != nil {
		return nil, err
	}

	sb.vt = voitextest.NewServer()
	vt := sb.vt
	sb.voitex = &provider{faults: vt, sendPath: "/send/", close: vt.Close, sent: func() int { return len(vt.SentSMS()) }}
	sb.ordered = append(sb.ordered, sb.voitex)
	tc, err := vt.NewClient(voitex.WithHTTPClient(vt.Client()), voitex.WithRetryWait(retryWait[0], retryWait[1]))
	if err != nil {
		return nil, err
	}
	if sb.voitex.Sender, err = switchboard.NewVoitexSMSSender(tc, voitexDID); err != nil {
		return nil, err
	}
	return sb, ctx.Err()
}

// Failover returns a switchboard.Failover over the four providers, in
// order: Voxio, Our Voice, Chattu, Voitex SMS.
func (sb *sandboxes) Failover(opts ...switchboard.FailoverOption) (*switchboard.Failover, error) {
	senders := make([]switchboard.Sender, len(sb.ordered))
	for i, p := range sb.ordered {
		senders[i] = p.Sender
	}
	return switchboard.NewFailover(senders, opts...)
}

// Close shuts every sandbox down. Closing one twice is harmless.
func (sb *sandboxes) Close() {
	for _, p := range sb.ordered {
		p.close()
	}
}
