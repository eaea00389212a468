package switchboard_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard"
	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// dropAfterActing makes the vendor at pos send the next message and lose the
// answer: the send that Resolve exists for.
func dropAfterActing(k *sendKit, pos int) { sandboxFaults(k, pos).DropResponseNext(1) }

// sendLost sends m through s after the vendor was told to act and lose the
// answer, checks the send failed as maybe-delivered, and returns when it
// started.
func sendLost(t *testing.T, k *sendKit, pos int, s switchboard.Sender, m switchboard.Message) time.Time {
	t.Helper()
	dropAfterActing(k, pos)
	since := time.Now()
	_, err := s.Send(sendCtx(t), m)
	require.ErrorIs(t, err, switchboard.ErrMaybeDelivered)
	return since
}

// TestResolveFindsLostSends: a send the vendor acted on but whose answer was
// lost resolves to "sent", with the id the vendor gave the message.
func TestResolveFindsLostSends(t *testing.T) {
	k := newSendKit(t)
	ctx := sendCtx(t)
	m := sendMsg(t, "Your order #1042 has shipped 📦")

	// Earlier traffic to the same number that must not be mistaken for it.
	_, err := k.voxio.Send(ctx, sendMsg(t, "an older message"))
	require.NoError(t, err)

	since := sendLost(t, k, 0, k.voxio, m)
	res, err := switchboard.Resolve(ctx, k.voxio, m, since)
	require.NoError(t, err)
	require.Equal(t, switchboard.ResolutionSent, res.Status, res.Evidence)
	sent := k.vx.SentMessages()
	require.Len(t, sent, 2)
	assert.Equal(t, strconv.FormatInt(sent[1].ID, 10), res.Receipt.ID)
	assert.Equal(t, switchboard.Voxio, res.Receipt.Provider)
	assert.False(t, res.Receipt.Time.IsZero())
	assert.NotEmpty(t, res.Receipt.Raw)
	got, ok := res.Receipt.Result.(*voxio.Message)
	require.True(t, ok)
	assert.Equal(t, voxio.DirectionOutbound, got.Direction)
	assert.Contains(t, res.Evidence, "Voxio conversation messages to 12125550143 on account 24")
	assert.Contains(t, res.String(), "voxio sent: ")

	since = sendLost(t, k, 1, k.ourvoice, m)
	res, err = switchboard.Resolve(ctx, k.ourvoice, m, since)
	require.NoError(t, err)
	require.Equal(t, switchboard.ResolutionSent, res.Status, res.Evidence)
	assert.Equal(t, k.ov.SentMessages()[0].ID, res.Receipt.ID)
	assert.IsType(t, &ourvoice.Message{}, res.Receipt.Result)
	assert.NotEmpty(t, res.Receipt.Raw)

	since = sendLost(t, k, 2, k.chattu, m)
	res, err = switchboard.Resolve(ctx, k.chattu, m, since)
	require.NoError(t, err)
	require.Equal(t, switchboard.ResolutionSent, res.Status, res.Evidence)
	chat, err := k.chattuClient.Chats.Messages(ctx, k.chattuID, "12125550143@c.us", nil)
	require.NoError(t, err)
	require.Len(t, chat.Messages, 1)
	assert.Equal(t, chat.Messages[0].ID, res.Receipt.ID, "the WhatsApp id, as Send answers it")
	assert.IsType(t, &chattu.ChatMessage{}, res.Receipt.Result)
}

// TestResolveRefusedSendIsNotFound: a send the vendor refused is not in its
// lists.
func TestResolveRefusedSendIsNotFound(t *testing.T) {
	k := newSendKit(t)
	ctx := sendCtx(t)
	m := sendMsg(t, "hello")
	// Other messages to the number, and the same text to another number,
	// do not count.
	_, err := k.ourvoice.Send(ctx, sendMsg(t, "something else"))
	require.NoError(t, err)
	_, err = k.ourvoice.Send(ctx, switchboard.Message{To: sendPhone(t, "+972501234567"), Text: "hello"})
	require.NoError(t, err)
	_, err = k.chattu.Send(ctx, switchboard.Message{To: sendPhone(t, "+972501234567"), Text: "hello"})
	require.NoError(t, err)

	for pos, s := range k.senders()[:3] {
		refuse(t, k, pos)
		since := time.Now()
		_, err := s.Send(ctx, m)
		require.Error(t, err)
		require.Equal(t, switchboard.OutcomeNotSent, outcomeOf(err))
		res, err := switchboard.Resolve(ctx, s, m, since)
		require.NoError(t, err, s.Provider())
		assert.Equal(t, switchboard.ResolutionNotFound, res.Status, "%s: %s", s.Provider(), res.Evidence)
		assert.Nil(t, res.Receipt)
		assert.Contains(t, res.Evidence, "no matching message")
	}
	// Dropped before the vendor acted: not found either.
	k.vx.DropNext(1)
	since := time.Now()
	_, err = k.voxio.Send(ctx, m)
	require.ErrorIs(t, err, switchboard.ErrMaybeDelivered)
	res, err := switchboard.Resolve(ctx, k.voxio, m, since)
	require.NoError(t, err)
	assert.Equal(t, switchboard.ResolutionNotFound, res.Status, res.Evidence)
}

// TestResolveVoitexCannotTell: Voitex has nothing to look in, and Resolve
// does not ask it.
func TestResolveVoitexCannotTell(t *testing.T) {
	k := newSendKit(t)
	m := sendMsg(t, "hello")
	since := sendLost(t, k, 3, k.voitex, m)
	before := len(k.vt.Requests())
	res, err := switchboard.Resolve(sendCtx(t), k.voitex, m, since)
	require.NoError(t, err)
	assert.Equal(t, switchboard.ResolutionUnknown, res.Status)
	assert.Equal(t, switchboard.Voitex, res.Provider)
	assert.Contains(t, res.Evidence, "no way to look a sent SMS up")
	assert.Equal(t, before, len(k.vt.Requests()))
	assert.Len(t, k.vt.SentSMS(), 1, "it did go out: cannot tell is the honest answer")
}

// TestResolveCannotTellBetweenTwo: two matching messages in the window make
// the answer "cannot tell", never a guess.
func TestResolveCannotTellBetweenTwo(t *testing.T) {
	k := newSendKit(t)
	ctx := sendCtx(t)
	m := sendMsg(t, "hello")
	for pos, s := range k.senders()[:3] {
		_, err := s.Send(ctx, m)
		require.NoError(t, err)
		since := sendLost(t, k, pos, s, m)
		res, err := switchboard.Resolve(ctx, s, m, since)
		require.NoError(t, err)
		assert.Equal(t, switchboard.ResolutionUnknown, res.Status, s.Provider())
		assert.Contains(t, res.Evidence, "2 matching messages")
	}
}

// TestResolveLookback: an identical message older than the lookback margin
// is not taken for the send; one within it is.
func TestResolveLookback(t *testing.T) {
	k := newSendKit(t, switchboard.WithResolveLookback(10*time.Minute))
	ctx := sendCtx(t)
	m := sendMsg(t, "hello")
	for _, at := range []time.Duration{2 * time.Hour, 5 * time.Minute} {
		require.NoError(t, k.ov.SeedMessage(ourvoicetest.MessageSeed{ID: "seed-" + at.String(), SessionID: k.session, To: "12125550143",
			Content: "hello", Status: ourvoice.MessageDelivered, CreatedAt: k.ov.Now().Add(-at)}))
	}
	since := time.Now()
	res, err := switchboard.Resolve(ctx, k.ourvoice, m, since)
	require.NoError(t, err)
	require.Equal(t, switchboard.ResolutionSent, res.Status, res.Evidence)
	assert.Equal(t, "seed-5m0s", res.Receipt.ID, "within the 10 minute margin")

	s, err := switchboard.NewOurVoiceSender(mustOurVoiceClient(t, k), k.session, switchboard.WithResolveLookback(time.Minute))
	require.NoError(t, err)
	res, err = switchboard.Resolve(ctx, s, m, since)
	require.NoError(t, err)
	assert.Equal(t, switchboard.ResolutionNotFound, res.Status, res.Evidence)
}

func mustOurVoiceClient(t *testing.T, k *sendKit) *ourvoice.Client {
	t.Helper()
	c, err := k.ov.NewClient()
	require.NoError(t, err)
	return c
}

// TestResolveChattuWithoutSession: without the dashboard session, Chattu's
// sent-messages list answers, with Chattu's record instead of a WhatsApp id.
func TestResolveChattuWithoutSession(t *testing.T) {
	k := newSendKit(t)
	ctx := sendCtx(t)
	c, err := chattu.New(k.ch.URL, k.ch.APIKey(), chattu.WithRetryWait(time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	require.False(t, c.HasSession())
	s, err := switchboard.NewChattuSender(c, k.chattuID)
	require.NoError(t, err)
	m := sendMsg(t, "hello")

	since := sendLost(t, k, 2, s, m)
	res, err := switchboard.Resolve(ctx, s, m, since)
	require.NoError(t, err)
	require.Equal(t, switchboard.ResolutionSent, res.Status, res.Evidence)
	assert.Empty(t, res.Receipt.ID)
	rec, ok := res.Receipt.Result.(*chattu.SentMessage)
	require.True(t, ok)
	assert.Equal(t, k.ch.SentMessages()[0].ID, rec.ID)
	assert.Contains(t, res.Evidence, "Chattu record "+strconv.FormatInt(rec.ID, 10))
	assert.Zero(t, k.ch.Count(http.MethodGet, "/api/chats/"+k.chattuID+"/12125550143@c.us/messages"))

	res, err = switchboard.Resolve(ctx, s, sendMsg(t, "never sent"), since)
	require.NoError(t, err)
	assert.Equal(t, switchboard.ResolutionNotFound, res.Status, res.Evidence)
}

// TestResolveChattuFullList: when Chattu's last-100 list is all within the
// window, finding nothing proves nothing.
func TestResolveChattuFullList(t *testing.T) {
	k := newSendKit(t)
	ctx := sendCtx(t)
	for i := 0; i < 100; i++ {
		require.NoError(t, k.ch.SeedMessage(chattutestMessage(k, i)))
	}
	res, err := switchboard.Resolve(ctx, k.chattu, sendMsg(t, "not there"), time.Now())
	require.NoError(t, err)
	assert.Equal(t, switchboard.ResolutionUnknown, res.Status, res.Evidence)
	assert.Contains(t, res.Evidence, "does not reach back that far")
}

// TestResolveOthers: Resolve on a Sender that cannot look anything up, and
// lookup failures.
func TestResolveOthers(t *testing.T) {
	ctx := context.Background()
	res, err := switchboard.Resolve(ctx, &fakeSender{provider: "own"}, fakeMsg, time.Now())
	require.NoError(t, err)
	assert.Equal(t, switchboard.ResolutionUnknown, res.Status)
	assert.Equal(t, switchboard.Provider("own"), res.Provider)
	var nilRes *switchboard.Resolution
	assert.Equal(t, "<nil>", nilRes.String())

	k := newSendKit(t)
	for _, s := range k.senders() {
		_, err := switchboard.Resolve(ctx, s, switchboard.Message{Text: "x"}, time.Now())
		assert.ErrorIs(t, err, switchboard.ErrValidation, s.Provider())
		_, err = switchboard.Resolve(ctx, s, fakeMsg, time.Time{})
		assert.ErrorIs(t, err, switchboard.ErrValidation, s.Provider())
	}
	// A lookup the vendor refuses is an error, not an answer.
	k.vx.SetIPWhitelisted(false)
	_, err = switchboard.Resolve(ctx, k.voxio, fakeMsg, time.Now())
	assert.ErrorIs(t, err, switchboard.ErrUnauthorized)
	require.NoError(t, k.ov.FailNextError(1, ourvoicetest.CodeUnauthenticated))
	_, err = switchboard.Resolve(ctx, k.ourvoice, fakeMsg, time.Now())
	assert.ErrorIs(t, err, switchboard.ErrUnauthorized)

	// The Failover reports a failed lookup as "cannot tell" and stops.
	k.vx.SetIPWhitelisted(true)
	k.vx.DropNext(1)
	require.NoError(t, k.vx.FailNextError(1, voxiotest.CodeUnauthorized))
	_, err = newFailover(t, k.senders(), switchboard.WithResolve(0)).Send(sendCtx(t), fakeMsg)
	var fe *switchboard.FailoverError
	require.ErrorAs(t, err, &fe)
	require.NotNil(t, fe.Last().Resolution)
	assert.Equal(t, switchboard.ResolutionUnknown, fe.Last().Resolution.Status)
	assert.Contains(t, fe.Last().Resolution.Evidence, "the lookup failed")
	assert.Equal(t, [4]int{0, 0, 0, 0}, k.sent())
}

// chattutestMessage is the i-th message the Chattu client sent in its chat
// with +1 212 555 0143, now.
func chattutestMessage(k *sendKit, i int) chattutest.Message {
	return chattutest.Message{ClientID: k.chattuID, Chat: "12125550143", Body: fmt.Sprintf("message %d", i), FromMe: true}
}

// rewriteClient is an HTTP client that sends through base (nil: the default
// transport) and passes the body of every answer to a request whose path
// contains path through fn: a real vendor answering what the sandbox does
// not (an empty direction, a failed status, an object-shaped id).
func rewriteClient(base http.RoundTripper, path string, fn func([]byte) []byte) *http.Client {
	if base == nil {
		base = http.DefaultTransport
	}
	return &http.Client{Transport: rewriter{base: base, path: path, fn: fn}}
}

type rewriter struct {
	base http.RoundTripper
	path string
	fn   func([]byte) []byte
}

func (r rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil || !strings.Contains(req.URL.Path, r.path) {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	body = r.fn(body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// TestResolveFailedIsNotSent: a message the vendor lists as failed did not
// reach the customer. Resolve answers "not found", with the vendor's reason
// as evidence, for every adapter that sees a status, never "sent".
func TestResolveFailedIsNotSent(t *testing.T) {
	t.Run("our voice status failed", func(t *testing.T) {
		k := newSendKit(t)
		ctx := sendCtx(t)
		m := sendMsg(t, "hello")
		since := sendLost(t, k, 1, k.ourvoice, m)
		require.NoError(t, k.ov.SetMessageStatus(k.ov.SentMessages()[0].ID, ourvoice.MessageFailed, "Number is not on WhatsApp"))
		res, err := switchboard.Resolve(ctx, k.ourvoice, m, since)
		require.NoError(t, err)
		assert.Equal(t, switchboard.ResolutionNotFound, res.Status, res.Evidence)
		assert.Nil(t, res.Receipt)
		assert.Contains(t, res.Evidence, "found but failed: Number is not on WhatsApp")
	})
	t.Run("voxio status 9", func(t *testing.T) {
		k := newSendKit(t)
		ctx := sendCtx(t)
		m := sendMsg(t, "hello")
		since := sendLost(t, k, 0, k.voxio, m)
		_, _ = k.vx.SetMessageStatus(ctx, k.vx.SentMessages()[0].ID, voxio.MessageFailed) // no relay URL: stored, not delivered
		res, err := switchboard.Resolve(ctx, k.voxio, m, since)
		require.NoError(t, err)
		assert.Equal(t, switchboard.ResolutionNotFound, res.Status, res.Evidence)
		assert.Contains(t, res.Evidence, "found but failed: ")
	})
	t.Run("chattu chat ack -1", func(t *testing.T) {
		k := newSendKit(t)
		ctx := sendCtx(t)
		m := sendMsg(t, "hello")
		since := time.Now()
		seed := chattutestMessage(k, 0)
		seed.Body, seed.Ack = "hello", chattu.Ack(-1)
		require.NoError(t, k.ch.SeedMessage(seed))
		res, err := switchboard.Resolve(ctx, k.chattu, m, since)
		require.NoError(t, err)
		assert.Equal(t, switchboard.ResolutionNotFound, res.Status, res.Evidence)
		assert.Contains(t, res.Evidence, "found but failed: ack -1")
	})
	t.Run("chattu sent message status failed", func(t *testing.T) {
		k := newSendKit(t)
		ctx := sendCtx(t)
		c, err := chattu.New(k.ch.URL, k.ch.APIKey(), chattu.WithRetryWait(time.Millisecond, 5*time.Millisecond),
			chattu.WithHTTPClient(rewriteClient(nil, "/api/sent-messages", func(b []byte) []byte {
				return bytes.ReplaceAll(b, []byte(`"status":"sent"`), []byte(`"status":"failed"`))
			})))
		require.NoError(t, err)
		s, err := switchboard.NewChattuSender(c, k.chattuID)
		require.NoError(t, err)
		m := sendMsg(t, "hello")
		since := sendLost(t, k, 2, s, m)
		res, err := switchboard.Resolve(ctx, s, m, since)
		require.NoError(t, err)
		assert.Equal(t, switchboard.ResolutionNotFound, res.Status, res.Evidence)
		assert.Contains(t, res.Evidence, "found but failed: status failed")
	})
	t.Run("a failed and a sent one: the sent one", func(t *testing.T) {
		k := newSendKit(t)
		ctx := sendCtx(t)
		m := sendMsg(t, "hello")
		since := time.Now()
		require.NoError(t, k.ov.SeedMessage(ourvoicetest.MessageSeed{ID: "failed-1", SessionID: k.session, To: "12125550143",
			Content: "hello", Status: ourvoice.MessageFailed, Reason: "timeout", CreatedAt: k.ov.Now()}))
		require.NoError(t, k.ov.SeedMessage(ourvoicetest.MessageSeed{ID: "sent-1", SessionID: k.session, To: "12125550143",
			Content: "hello", Status: ourvoice.MessageDelivered, CreatedAt: k.ov.Now()}))
		res, err := switchboard.Resolve(ctx, k.ourvoice, m, since)
		require.NoError(t, err)
		require.Equal(t, switchboard.ResolutionSent, res.Status, res.Evidence)
		assert.Equal(t, "sent-1", res.Receipt.ID)
		assert.Contains(t, res.Evidence, "failed")
	})
}

// TestFailoverResolveFailedMovesOn: with WithResolve, a maybe-delivered
// send the vendor then reports failed is not a success: the Failover moves
// on, and the customer gets the message from the next provider.
func TestFailoverResolveFailedMovesOn(t *testing.T) {
	k := newSendKit(t)
	ov := ourvoicetest.NewServer(ourvoicetest.WithTimings(ourvoicetest.Timings{Deliver: time.Second, Read: -1}))
	t.Cleanup(ov.Close)
	session, err := ov.ReadySession("")
	require.NoError(t, err)
	oc, err := ov.NewClient()
	require.NoError(t, err)
	first, err := switchboard.NewOurVoiceSender(oc, session)
	require.NoError(t, err)
	ov.FailNumber("12125550143", "Number is not on WhatsApp")
	ov.DropResponseNext(1)

	r, err := newFailover(t, []switchboard.Sender{first, k.chattu}, switchboard.WithResolve(0)).Send(sendCtx(t), sendMsg(t, "hi"))
	require.NoError(t, err)
	assert.Equal(t, switchboard.Chattu, r.Provider)
	require.Len(t, r.Trail, 2)
	a := r.Trail[0]
	assert.Equal(t, switchboard.OutcomeMaybeDelivered, a.Outcome)
	require.NotNil(t, a.Resolution)
	assert.Equal(t, switchboard.ResolutionNotFound, a.Resolution.Status, a.Resolution.Evidence)
	assert.Contains(t, a.Resolution.Evidence, "found but failed: Number is not on WhatsApp")
	assert.Contains(t, a.Reason, "looked up and not found, so moved on")
	assert.Len(t, k.ch.SentMessages(), 1)
}

// TestResolveVoxioDirection: Voxio documents no conversation-message
// sample, so a message without a direction may be the send: it counts. One
// with a direction Voxio does not document makes the answer "cannot tell",
// never "not found".
func TestResolveVoxioDirection(t *testing.T) {
	for _, tc := range []struct {
		direction string
		want      switchboard.ResolutionStatus
	}{
		{"", switchboard.ResolutionSent},
		{"OUTBOUND", switchboard.ResolutionSent},
		{"sent", switchboard.ResolutionUnknown},
		{"inbound", switchboard.ResolutionNotFound},
	} {
		t.Run(tc.direction, func(t *testing.T) {
			k := newSendKit(t)
			ctx := sendCtx(t)
			vc, err := k.vx.NewClient(voxio.WithHTTPClient(rewriteClient(k.vx.Client().Transport, "/inbox/conversation-messages/", func(b []byte) []byte {
				return bytes.ReplaceAll(b, []byte(`"direction":"outbound"`), []byte(`"direction":"`+tc.direction+`"`))
			})))
			require.NoError(t, err)
			s, err := switchboard.NewVoxioSender(vc, voxiotest.DefaultWhatsAppAccountID)
			require.NoError(t, err)
			m := sendMsg(t, "hello")
			since := sendLost(t, k, 0, s, m)
			res, err := switchboard.Resolve(ctx, s, m, since)
			require.NoError(t, err)
			assert.Equal(t, tc.want, res.Status, res.Evidence)
		})
	}
}
