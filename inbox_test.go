package switchboard_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
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

// The business's WhatsApp number, the same on every vendor, and its
// account there.
const (
	inboxBusiness      = "97235551234"
	inboxVoxioAccount  = 77
	inboxChattuClient  = "shop"
	inboxChattuAPIKey  = "shop-webhook-key"
	inboxCustomerDana  = "+972 54-111-2222"
	inboxCustomerJames = "+1 (845) 123-9876"
)

// inboxTurn is one customer message of the conversation every vendor
// carries.
type inboxTurn struct{ from, name, text string }

var inboxConversation = []inboxTurn{
	{inboxCustomerDana, "דנה", "שלום! 👋 יש לכם משלוחים לאילת?"},
	{inboxCustomerJames, "James", "Hi, where's order #42? 📦"},
	{inboxCustomerDana, "דנה", "תודה רבה 🙏🏽 — café"}, // skin tone modifier, combining accent
}

// inboxRecorder is the one callback of the test's service.
type inboxRecorder struct {
	mu       sync.Mutex
	got      []switchboard.Inbound
	statuses []switchboard.StatusUpdate
	fail     map[switchboard.Provider]int // failures still to return
	calls    int
}

func (r *inboxRecorder) message(_ context.Context, in switchboard.Inbound) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.fail[in.Provider] > 0 {
		r.fail[in.Provider]--
		return errors.New("database unavailable")
	}
	r.got = append(r.got, in)
	return nil
}

func (r *inboxRecorder) status(_ context.Context, st switchboard.StatusUpdate) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.statuses = append(r.statuses, st)
	return nil
}

func (r *inboxRecorder) from(p switchboard.Provider) []switchboard.Inbound {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []switchboard.Inbound
	for _, in := range r.got {
		if in.Provider == p {
			out = append(out, in)
		}
	}
	return out
}

// inboxVendors is the three sandboxes wired to one Inbox, as a service
// would mount it.
type inboxVendors struct {
	inbox    *switchboard.Inbox
	rec      *inboxRecorder
	voxio    *voxiotest.Server
	chattu   *chattutest.Server
	ourvoice *ourvoicetest.Server
	ovClient *ourvoice.Client
	session  string
	cursor   string // the Our Voice cursor the save callback stored
	mu       sync.Mutex
}

func newInboxVendors(t *testing.T) *inboxVendors {
	t.Helper()
	business := inboundPhone(t, inboxBusiness)
	v := &inboxVendors{rec: &inboxRecorder{fail: map[switchboard.Provider]int{}}}
	v.voxio = voxiotest.NewServer(voxiotest.WithAccount(inboxVoxioAccount, inboxBusiness))
	t.Cleanup(v.voxio.Close)
	v.chattu = chattutest.NewServer()
	t.Cleanup(v.chattu.Close)
	v.ourvoice = ourvoicetest.NewServer()
	t.Cleanup(v.ourvoice.Close)

	var err error
	v.inbox, err = switchboard.NewInbox(v.rec.message,
		switchboard.WithInboxStatus(v.rec.status),
		switchboard.WithInboxNumber(switchboard.Voxio, fmt.Sprint(inboxVoxioAccount), business),
		switchboard.WithInboxNumber(switchboard.Chattu, inboxChattuClient, business))
	require.NoError(t, err)

	relay, err := v.inbox.VoxioHandler(v.voxio.RelayConfig(), voxio.WithRelayClock(v.voxio.Now))
	require.NoError(t, err)
	hooks, err := v.inbox.ChattuHandler([]string{inboxChattuAPIKey})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/voxio/relay", relay)
	mux.Handle("/chattu/webhook", hooks)
	app := httptest.NewServer(mux)
	t.Cleanup(app.Close)
	v.voxio.SetRelayURL(app.URL + "/voxio/relay")
	require.NoError(t, v.chattu.SeedClient(chattutest.ClientState{ClientID: inboxChattuClient, PhoneNumber: inboxBusiness,
		APIKey: inboxChattuAPIKey, Connected: true, WebhookURL: app.URL + "/chattu/webhook"}))

	v.ovClient, err = v.ourvoice.NewClient()
	require.NoError(t, err)
	v.session, err = v.ourvoice.ReadySession(inboxBusiness)
	require.NoError(t, err)
	return v
}

// watch adds the Our Voice session from the stored cursor.
func (v *inboxVendors) watch(t *testing.T, opts ...ourvoice.WatchOption) {
	t.Helper()
	v.mu.Lock()
	from := v.cursor
	v.mu.Unlock()
	opts = append([]ourvoice.WatchOption{ourvoice.WithWatchInterval(2 * time.Millisecond), ourvoice.WithWatchBackoff(time.Millisecond, 4*time.Millisecond)}, opts...)
	require.NoError(t, v.inbox.WatchOurVoice(v.ovClient, v.session, from, func(_ context.Context, c string) error {
		v.mu.Lock()
		defer v.mu.Unlock()
		v.cursor = c
		return nil
	}, opts...))
}

// run starts Run and returns the function that stops it.
func (v *inboxVendors) run(t *testing.T) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- v.inbox.Run(ctx) }()
	return func() {
		cancel()
		select {
		case err := <-done:
			assert.ErrorIs(t, err, context.Canceled)
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not stop")
		}
	}
}

// send plays one customer message through one vendor.
func (v *inboxVendors) send(t *testing.T, p switchboard.Provider, turn inboxTurn) error {
	t.Helper()
	from := inboundPhone(t, turn.from)
	ctx := context.Background()
	switch p {
	case switchboard.Voxio:
		_, err := v.voxio.Receive(ctx, voxiotest.Inbound{MobileCode: from.CountryCode(), Mobile: from.National(), Name: turn.name,
			Text: turn.text, WhatsAppAccountID: inboxVoxioAccount})
		return err
	case switchboard.Chattu:
		d, err := v.chattu.Receive(ctx, chattutest.Inbound{ClientID: inboxChattuClient, From: from.Digits(), Name: turn.name, Body: turn.text})
		if err == nil && d != nil && d.Err != nil {
			err = d.Err
		}
		return err
	case switchboard.OurVoice:
		_, err := v.ourvoice.Receive(ctx, ourvoicetest.Inbound{SessionID: v.session, From: from.Digits(), Content: turn.text})
		v.ourvoice.Advance(time.Millisecond) // keeps the conversation's order in created_at
		return err
	}
	return fmt.Errorf("no vendor %s", p)
}

func TestInboxSameConversationThroughEveryVendor(t *testing.T) {
	v := newInboxVendors(t)
	v.watch(t)
	stop := v.run(t)
	defer stop()

	vendors := []switchboard.Provider{switchboard.Voxio, switchboard.Chattu, switchboard.OurVoice}
	for _, turn := range inboxConversation {
		for _, p := range vendors {
			require.NoError(t, v.send(t, p, turn), p)
		}
	}
	require.Eventually(t, func() bool { return len(v.rec.from(switchboard.OurVoice)) == len(inboxConversation) }, 10*time.Second, time.Millisecond)

	type normalised struct {
		From, To, Text string
		Provider       switchboard.Provider
	}
	business := inboundPhone(t, inboxBusiness)
	for _, p := range vendors {
		got := v.rec.from(p)
		require.Len(t, got, len(inboxConversation), p)
		for i, turn := range inboxConversation {
			in := got[i]
			want := normalised{From: inboundPhone(t, turn.from).Digits(), To: business.Digits(), Text: turn.text, Provider: p}
			assert.Equal(t, want, normalised{From: in.From.Digits(), To: in.To.Digits(), Text: in.Text, Provider: in.Provider}, "%s turn %d", p, i)
			assert.Equal(t, inboundPhone(t, turn.from), in.From, "%s turn %d: the same Phone value", p, i)
			assert.False(t, in.Time.IsZero(), p)
			assert.NotEmpty(t, in.Raw, p)
			assert.NotEmpty(t, in.Account, p)
			assert.Nil(t, in.Media, p)
		}
	}

	// What each vendor adds.
	vx := v.rec.from(switchboard.Voxio)[0]
	assert.Equal(t, "77", vx.Account)
	assert.Equal(t, "דנה", vx.SenderName)
	assert.NotEmpty(t, vx.ID)
	assert.True(t, strings.HasPrefix(vx.ProviderMessageID, "wamid."))
	m, ok := v.voxio.Message(parseInt(t, vx.ID))
	require.True(t, ok)
	assert.Equal(t, inboxConversation[0].text, m.Text, "ID is Voxio's message id")
	assert.Contains(t, string(vx.Raw), `"incoming_message"`)

	ch := v.rec.from(switchboard.Chattu)[0]
	assert.Equal(t, inboxChattuClient, ch.Account)
	assert.Empty(t, ch.ID)
	assert.Empty(t, ch.Cursor)

	ov := v.rec.from(switchboard.OurVoice)
	assert.Equal(t, v.session, ov[0].Account)
	for i, in := range ov {
		assert.NotEmpty(t, in.ID)
		assert.NotEmpty(t, in.Cursor)
		if i > 0 {
			assert.NotEqual(t, ov[i-1].Cursor, in.Cursor)
		}
	}
	v.mu.Lock()
	assert.Equal(t, ov[len(ov)-1].Cursor, v.cursor, "save got the cursor after the last message")
	v.mu.Unlock()

	// Each delivery was acknowledged.
	for _, d := range v.voxio.Deliveries() {
		assert.True(t, d.OK(), "voxio %s answered %d", d.Event, d.StatusCode)
	}
	for _, d := range v.chattu.Deliveries() {
		assert.NoError(t, d.Err)
		assert.Equal(t, 200, d.StatusCode)
		assert.Empty(t, d.Reply.Response, "no auto-reply")
	}
}

func parseInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	_, err := fmt.Sscan(s, &n)
	require.NoError(t, err)
	return n
}

func TestInboxCallbackFailuresFollowEachVendor(t *testing.T) {
	v := newInboxVendors(t)
	var reported []error
	var mu sync.Mutex
	v.watch(t, ourvoice.WithWatchOnError(func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() }))
	turn := inboxConversation[0]

	// Voxio: the failed delivery is answered 500 and Voxio's retry is
	// processed, once.
	v.rec.fail[switchboard.Voxio] = 1
	require.Error(t, v.send(t, switchboard.Voxio, turn))
	ds := v.voxio.Deliveries()
	require.Len(t, ds, 1)
	assert.Equal(t, 500, ds[0].StatusCode)
	_, err := v.voxio.Retry(context.Background(), &ds[0])
	require.NoError(t, err)
	_, err = v.voxio.Redeliver(context.Background(), &ds[0])
	require.NoError(t, err, "a duplicate is acknowledged")
	assert.Len(t, v.rec.from(switchboard.Voxio), 1, "handed over once")

	// Chattu: the handler's rule, 500; Chattu does not retry.
	v.rec.fail[switchboard.Chattu] = 1
	err = v.send(t, switchboard.Chattu, turn)
	require.Error(t, err)
	cds := v.chattu.Deliveries()
	assert.Equal(t, 500, cds[len(cds)-1].StatusCode)
	assert.Empty(t, v.rec.from(switchboard.Chattu))

	// Our Voice: the poller keeps the message and offers it again.
	v.rec.fail[switchboard.OurVoice] = 2
	require.NoError(t, v.send(t, switchboard.OurVoice, turn))
	require.NoError(t, v.send(t, switchboard.OurVoice, inboxConversation[1]))
	stop := v.run(t)
	require.Eventually(t, func() bool { return len(v.rec.from(switchboard.OurVoice)) == 2 }, 10*time.Second, time.Millisecond)
	stop()
	ov := v.rec.from(switchboard.OurVoice)
	assert.Equal(t, turn.text, ov[0].Text, "the failed message first, then the next")
	assert.Equal(t, inboxConversation[1].text, ov[1].Text)
	mu.Lock()
	require.Len(t, reported, 2)
	assert.ErrorContains(t, reported[0], "database unavailable")
	mu.Unlock()
}

func TestInboxOurVoiceRestartExactlyOnce(t *testing.T) {
	v := newInboxVendors(t)
	var want []string
	sendOV := func(text string) {
		t.Helper()
		require.NoError(t, v.send(t, switchboard.OurVoice, inboxTurn{inboxCustomerDana, "", text}))
		want = append(want, text)
	}
	sendOV("before the first start")

	for round := range 4 {
		// A fresh Inbox, as after a process restart, from the stored
		// cursor.
		ib, err := switchboard.NewInbox(v.rec.message)
		require.NoError(t, err)
		v.inbox = ib
		v.watch(t)
		stop := v.run(t)
		sendOV(fmt.Sprintf("while running %d", round))
		require.Eventually(t, func() bool { return len(v.rec.from(switchboard.OurVoice)) == len(want) }, 10*time.Second, time.Millisecond)
		stop()
		sendOV(fmt.Sprintf("while stopped %d", round))
	}
	ib, err := switchboard.NewInbox(v.rec.message)
	require.NoError(t, err)
	v.inbox = ib
	v.watch(t)
	stop := v.run(t)
	require.Eventually(t, func() bool { return len(v.rec.from(switchboard.OurVoice)) == len(want) }, 10*time.Second, time.Millisecond)
	time.Sleep(20 * time.Millisecond) // more polls: nothing repeats
	stop()

	var texts []string
	for _, in := range v.rec.from(switchboard.OurVoice) {
		texts = append(texts, in.Text)
	}
	assert.Equal(t, want, texts, "every message once, in order")
}

func TestInboxRunCancelsPromptly(t *testing.T) {
	v := newInboxVendors(t)
	v.watch(t, ourvoice.WithWatchInterval(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- v.inbox.Run(ctx) }()
	// Once it has polled, a second Run is refused.
	require.Eventually(t, func() bool { return v.ourvoice.Count("GET", "/v1/whatsapp/messages/"+v.session+"/session") > 0 }, 5*time.Second, time.Millisecond)
	assert.ErrorIs(t, v.inbox.Run(context.Background()), switchboard.ErrInboxRunning)
	assert.ErrorIs(t, v.inbox.WatchOurVoice(v.ovClient, v.session, "", nil), switchboard.ErrInboxRunning)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
		assert.Less(t, time.Since(start), time.Second)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}

	// Nothing to poll: Run returns at once.
	ib, err := switchboard.NewInbox(func(context.Context, switchboard.Inbound) error { return nil })
	require.NoError(t, err)
	assert.NoError(t, ib.Run(context.Background()))
}

func TestInboxStatuses(t *testing.T) {
	v := newInboxVendors(t)
	ctx := context.Background()

	// Voxio: every step of a message sent through the API.
	vc, err := v.voxio.NewClient()
	require.NoError(t, err)
	res, err := vc.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "972", Mobile: "541112222", WhatsAppAccountID: inboxVoxioAccount}, Message: "Your order shipped 📦"})
	require.NoError(t, err)
	_, err = v.voxio.DeliverStatuses(ctx, res.Message.ID)
	require.NoError(t, err)

	// Chattu: message_sent for a message sent through the API.
	cc, err := v.chattu.NewClient()
	require.NoError(t, err)
	_, err = cc.Messages.Send(ctx, chattu.SendMessageParams{ClientID: inboxChattuClient, Number: "972541112222", Message: "תודה! 🙏"})
	require.NoError(t, err)
	v.chattu.WaitDeliveries()

	v.rec.mu.Lock()
	defer v.rec.mu.Unlock()
	assert.Empty(t, v.rec.got, "statuses never reach the message callback")
	var vx []switchboard.DeliveryStatus
	var chattuSeen bool
	for _, st := range v.rec.statuses {
		switch st.Provider {
		case switchboard.Voxio:
			assert.Equal(t, fmt.Sprint(res.Message.ID), st.MessageID, "the id a VoxioSender's Receipt carries")
			assert.Equal(t, "972541112222", st.To.Digits())
			assert.Equal(t, "77", st.Account)
			vx = append(vx, st.Status)
		case switchboard.Chattu:
			chattuSeen = true
			assert.Equal(t, switchboard.DeliverySent, st.Status)
			assert.Equal(t, "972541112222", st.To.Digits())
			assert.Equal(t, "תודה! 🙏", st.Text)
			assert.Equal(t, inboxChattuClient, st.Account)
		}
	}
	assert.Equal(t, []switchboard.DeliveryStatus{switchboard.DeliverySent, switchboard.DeliveryDelivered, switchboard.DeliveryRead}, vx)
	assert.True(t, chattuSeen)
}

func TestInboxBadInput(t *testing.T) {
	ok := func(context.Context, switchboard.Inbound) error { return nil }
	_, err := switchboard.NewInbox(nil)
	assert.ErrorIs(t, err, switchboard.ErrValidation)
	for _, opt := range []switchboard.InboxOption{
		switchboard.WithInboxNumber("voitex", "1", inboundPhone(t, inboxBusiness)),
		switchboard.WithInboxNumber(switchboard.Voxio, "", inboundPhone(t, inboxBusiness)),
		switchboard.WithInboxNumber(switchboard.Voxio, "24", switchboard.Phone{}),
	} {
		_, err := switchboard.NewInbox(ok, opt)
		assert.ErrorIs(t, err, switchboard.ErrValidation)
	}
	ib, err := switchboard.NewInbox(ok, nil)
	require.NoError(t, err)
	_, err = ib.VoxioHandler(voxio.RelayConfig{})
	assert.Error(t, err, "a relay handler without secrets cannot be built")
	_, err = ib.ChattuHandler(nil)
	assert.Error(t, err, "a webhook handler without keys cannot be built")
	c, err := ourvoice.New("token-that-must-not-leak")
	require.NoError(t, err)
	assert.ErrorIs(t, ib.WatchOurVoice(nil, "s", "", nil), switchboard.ErrValidation)
	assert.ErrorIs(t, ib.WatchOurVoice(c, "", "", nil), switchboard.ErrValidation)
	err = ib.WatchOurVoice(c, "s", "token-that-must-not-leak", nil)
	assert.ErrorIs(t, err, switchboard.ErrValidation)
	assert.NotContains(t, err.Error(), "token-that-must-not-leak")
	assert.ErrorIs(t, ib.WatchOurVoice(c, "s", "", nil, ourvoice.WithWatchInterval(-1)), switchboard.ErrValidation)
	//lint:ignore SA1012 a nil context is the bad input under test
	assert.ErrorIs(t, ib.Run(nil), switchboard.ErrValidation)
	assert.Equal(t, "switchboard.Inbox{ourvoice sessions: 0}", ib.String())
	require.NoError(t, ib.WatchOurVoice(c, "s", "", nil))
	assert.NotContains(t, fmt.Sprintf("%v %+v", ib, ib), "token-that-must-not-leak")
}

func TestInboxRecoversFromPanicsAndSaveFailures(t *testing.T) {
	v := newInboxVendors(t)
	var mu sync.Mutex
	var reported []error
	calls := 0
	ib, err := switchboard.NewInbox(func(_ context.Context, in switchboard.Inbound) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			panic("bug in the service")
		}
		return nil
	}, switchboard.WithInboxOnError(func(p switchboard.Provider, err error) {
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, switchboard.OurVoice, p)
		reported = append(reported, err)
	}))
	require.NoError(t, err)
	saves := 0
	require.NoError(t, ib.WatchOurVoice(v.ovClient, v.session, "", func(context.Context, string) error {
		saves++
		if saves == 1 {
			panic("bug in save")
		}
		return errors.New("disk full")
	}, ourvoice.WithWatchInterval(time.Millisecond), ourvoice.WithWatchBackoff(time.Millisecond, 2*time.Millisecond)))
	require.NoError(t, v.send(t, switchboard.OurVoice, inboxConversation[0]))
	require.NoError(t, v.send(t, switchboard.OurVoice, inboxConversation[1]))
	v.inbox = ib
	stop := v.run(t)
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return calls == 3 && len(reported) == 3 }, 5*time.Second, time.Millisecond)
	time.Sleep(10 * time.Millisecond)
	stop()
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, 3, calls, "a panic is retried; a failed save is not")
	var pe *ourvoice.PanicError
	assert.ErrorAs(t, reported[0], &pe)
	assert.ErrorContains(t, reported[1], "save panicked")
	assert.ErrorContains(t, reported[2], "disk full")
	assert.True(t, slices.ContainsFunc(reported, func(err error) bool { return strings.Contains(err.Error(), "cursor") }))
}
