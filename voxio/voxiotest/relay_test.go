package voxiotest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

type sink struct {
	mu     sync.Mutex
	events []voxio.Event
}

func (k *sink) add(_ context.Context, ev voxio.Event) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.events = append(k.events, ev)
	return nil
}

func (k *sink) all() []voxio.Event {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]voxio.Event(nil), k.events...)
}

// receiver starts a relay endpoint with the sandbox's configuration and
// clock; mod changes the secrets, opts add handler options.
func receiver(t *testing.T, s *voxiotest.Server, mod func(*voxio.RelayConfig), opts ...voxio.RelayOption) *sink {
	t.Helper()
	k := &sink{}
	cfg := s.RelayConfig()
	if mod != nil {
		mod(&cfg)
	}
	h, err := voxio.NewRelayHandler(cfg, k.add, append([]voxio.RelayOption{voxio.WithRelayClock(s.Now)}, opts...)...)
	require.NoError(t, err)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	s.SetRelayURL(ts.URL + "/hooks/voxio")
	return k
}

func TestIncomingMessageDelivery(t *testing.T) {
	s := voxiotest.NewServer()
	defer s.Close()
	k := receiver(t, s, nil)
	d, err := s.Receive(context.Background(), voxiotest.Inbound{MobileCode: "972", Mobile: "521234567", Name: "דנה", Text: "שלום! 👋"})
	require.NoError(t, err)
	assert.True(t, d.OK())
	assert.JSONEq(t, `{"ok":true,"event":"incoming_message"}`, string(d.Response))
	assert.Equal(t, "incoming_message", d.Header.Get("X-Voxio-Event"))
	assert.Equal(t, voxiotest.DefaultClientID, d.Header.Get("X-Voxio-Client-Id"))
	assert.Regexp(t, `^sha256=[0-9a-f]{64}$`, d.Header.Get("X-Voxio-Signature"))

	evs := k.all()
	require.Len(t, evs, 1)
	in := evs[0].(*voxio.IncomingMessage)
	assert.Equal(t, "שלום! 👋", in.Message.Text)
	assert.Equal(t, "inbound", in.Message.Direction)
	assert.Equal(t, "דנה", in.Contact.Name)
	assert.Equal(t, "972521234567", in.Contact.Mobile)
	assert.Equal(t, "open", in.Conversation.StatusText)
	assert.Equal(t, int64(voxiotest.DefaultWhatsAppAccountID), in.WhatsAppAccountID)
	assert.Equal(t, d.MessageID, in.Message.ID)

	// The same delivery again is acknowledged but not handed over twice.
	again, err := s.Redeliver(context.Background(), d)
	require.NoError(t, err)
	assert.JSONEq(t, `{"ok":true,"duplicate":true}`, string(again.Response))
	assert.Len(t, k.all(), 1)

	// The message is in the inbox, unread until the conversation is opened.
	c, err := s.NewClient()
	require.NoError(t, err)
	unread, err := c.Inbox.Conversations(context.Background(), &voxio.ConversationListParams{Status: voxio.ConversationUnread})
	require.NoError(t, err)
	require.Len(t, unread.Conversations, 1)
	_, err = c.Inbox.ConversationMessages(context.Background(), d.ConversationID)
	require.NoError(t, err)
	unread, err = c.Inbox.Conversations(context.Background(), &voxio.ConversationListParams{Status: voxio.ConversationUnread})
	require.NoError(t, err)
	assert.Empty(t, unread.Conversations)
}

func TestStatusDeliveriesSentDeliveredRead(t *testing.T) {
	s := voxiotest.NewServer()
	defer s.Close()
	k := receiver(t, s, nil)
	c, err := s.NewClient()
	require.NoError(t, err)
	res, err := c.Messages.Send(context.Background(), voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "85712345678"}, Message: "Your order shipped 📦"})
	require.NoError(t, err)
	ds, err := s.DeliverStatuses(context.Background(), res.Message.ID)
	require.NoError(t, err)
	require.Len(t, ds, 3)
	var got []voxio.MessageStatus
	for _, ev := range k.all() {
		st := ev.(*voxio.MessageStatusEvent)
		assert.Equal(t, res.Message.ID, st.Message.ID)
		assert.Equal(t, res.ConversationID, st.Conversation.ID)
		got = append(got, st.Status)
	}
	assert.Equal(t, []voxio.MessageStatus{voxio.MessageSent, voxio.MessageDelivered, voxio.MessageRead}, got)
	m, _ := s.Message(res.Message.ID)
	assert.Equal(t, voxio.MessageRead, m.Status)
	_, err = s.AdvanceStatus(context.Background(), res.Message.ID)
	assert.Error(t, err, "read is final")

	msgs, err := c.Inbox.ConversationMessages(context.Background(), res.ConversationID)
	require.NoError(t, err)
	assert.Equal(t, voxio.MessageRead, msgs.Messages[0].Status)
}

func TestAutoStatus(t *testing.T) {
	s := voxiotest.NewServer(voxiotest.WithAutoStatus(time.Millisecond))
	defer s.Close()
	k := receiver(t, s, nil)
	c, err := s.NewClient()
	require.NoError(t, err)
	_, err = c.Messages.SendTemplate(context.Background(), voxio.SendTemplateParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "85712345678"}, TemplateID: voxiotest.TemplateWelcome})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(k.all()) == 3 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, voxio.MessageRead, k.all()[2].(*voxio.MessageStatusEvent).Status)
}

func TestFailedStatus(t *testing.T) {
	s := voxiotest.NewServer()
	defer s.Close()
	k := receiver(t, s, nil)
	c, _ := s.NewClient()
	res, err := c.Messages.Send(context.Background(), voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "85712345678"}, Message: "x"})
	require.NoError(t, err)
	_, err = s.SetMessageStatus(context.Background(), res.Message.ID, voxio.MessageFailed)
	require.NoError(t, err)
	assert.Equal(t, voxio.MessageFailed, k.all()[0].(*voxio.MessageStatusEvent).Status)
}

func TestDeliveryRejectedByAStrictReceiver(t *testing.T) {
	s := voxiotest.NewServer()
	defer s.Close()
	k := receiver(t, s, func(c *voxio.RelayConfig) { c.RelaySecret = "a-different-relay-secret" })
	d, err := s.Receive(context.Background(), voxiotest.Inbound{MobileCode: "62", Mobile: "811", Text: "hi"})
	require.Error(t, err)
	assert.Equal(t, http.StatusUnauthorized, d.StatusCode)
	assert.Empty(t, k.all())
	m, ok := s.Message(d.MessageID)
	assert.True(t, ok, "the message is stored even though the delivery failed")
	assert.Equal(t, voxio.DirectionInbound, m.Direction)
	assert.Empty(t, s.SentMessages(), "a received message is not a sent one")
}

func TestNoRelayURL(t *testing.T) {
	s := voxiotest.NewServer()
	defer s.Close()
	_, err := s.Receive(context.Background(), voxiotest.Inbound{MobileCode: "62", Mobile: "811", Text: "hi"})
	assert.ErrorIs(t, err, voxiotest.ErrNoRelayURL)
	_, err = s.Receive(context.Background(), voxiotest.Inbound{MobileCode: "+62", Mobile: "811"})
	assert.Error(t, err)
}

func TestClockDrivesSignatures(t *testing.T) {
	now := time.Unix(1000000000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := voxiotest.NewServer(voxiotest.WithClock(clock))
	defer s.Close()
	receiver(t, s, nil, voxio.WithRelayClock(time.Now)) // the receiver's clock is real time
	d, err := s.Receive(context.Background(), voxiotest.Inbound{MobileCode: "62", Mobile: "811", Text: "hi"})
	require.Error(t, err, "a delivery signed in 2001 is outside a receiver's window today")
	assert.Equal(t, http.StatusUnauthorized, d.StatusCode)
	assert.Equal(t, "1000000000", d.Header.Get("X-Voxio-Timestamp"))
}

// TestRetrySignedAnewIsADuplicate: the same payload under a new timestamp
// and signature is acknowledged without a second hand-over.
func TestRetrySignedAnewIsADuplicate(t *testing.T) {
	s := voxiotest.NewServer()
	defer s.Close()
	k := receiver(t, s, nil)
	d, err := s.Receive(context.Background(), voxiotest.Inbound{MobileCode: "62", Mobile: "811", Text: "hi"})
	require.NoError(t, err)
	s.Advance(7 * time.Second)
	again, err := s.Retry(context.Background(), d)
	require.NoError(t, err)
	assert.NotEqual(t, d.Header.Get("X-Voxio-Signature"), again.Header.Get("X-Voxio-Signature"))
	assert.JSONEq(t, `{"ok":true,"duplicate":true}`, string(again.Response))
	assert.Len(t, k.all(), 1)
}
