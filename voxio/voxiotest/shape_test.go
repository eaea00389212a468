package voxiotest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// TestSeedDocsIDs: the docs' requests name fixed ids (conversation 2, the
// relay sample's contact 55 and message 9001); seeded, they work against
// the sandbox, and ids the sandbox creates later stay above them.
func TestSeedDocsIDs(t *testing.T) {
	ctx := context.Background()
	s := voxiotest.NewServer()
	defer s.Close()
	c, err := s.NewClient()
	require.NoError(t, err)

	require.NoError(t, s.SeedContact(voxiotest.Contact{ID: 55, FirstName: "Customer", LastName: "Name", MobileCode: "62", Mobile: "8123456789", City: "Jakarta"}))
	require.NoError(t, s.SeedConversation(voxiotest.Conversation{ID: 2, ContactID: 55, Status: voxio.ConversationPending}))
	require.NoError(t, s.SeedMessage(voxiotest.Message{ID: 9001, ConversationID: 2, Direction: voxio.DirectionInbound, Text: "Hello"}))

	// POST /inbox/change-conversation-status/2 with status=1, as the docs.
	_, err = c.Inbox.ChangeConversationStatus(ctx, 2, voxio.ConversationDone)
	require.NoError(t, err)
	det, err := c.Inbox.ConversationDetails(ctx, 2)
	require.NoError(t, err)
	require.NotNil(t, det.Conversation)
	assert.Equal(t, int64(2), det.Conversation.ID)
	assert.Equal(t, voxio.ConversationDone, det.Conversation.Status)
	require.NotNil(t, det.Contact)
	assert.Equal(t, int64(55), det.Contact.ID)
	assert.Equal(t, "Jakarta", det.Contact.City)

	msgs, err := c.Inbox.ConversationMessages(ctx, 2)
	require.NoError(t, err)
	require.Len(t, msgs.Messages, 1)
	assert.Equal(t, int64(9001), msgs.Messages[0].ID)
	assert.Equal(t, "Hello", msgs.Messages[0].Text)
	assert.Equal(t, voxio.DirectionInbound, msgs.Messages[0].Direction)
	assert.Equal(t, voxio.MessageDelivered, msgs.Messages[0].Status)

	upd, err := c.Contacts.Update(ctx, 55, voxio.ContactParams{FirstName: "Customer", LastName: "Renamed", MobileCode: "62", Mobile: "8123456789"})
	require.NoError(t, err)
	assert.Equal(t, "Renamed", upd.Contact.LastName)
	_, err = c.Contacts.Delete(ctx, 55)
	assert.ErrorIs(t, err, voxio.ErrValidation, "a contact with messages cannot be deleted")

	// The same number answers on the seeded conversation, and new ids
	// continue above the seeded ones.
	sent, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "8123456789"}, Message: "Hi!"})
	require.NoError(t, err)
	assert.Equal(t, int64(2), sent.ConversationID)
	assert.Equal(t, int64(9002), sent.Message.ID)
	created, err := c.Contacts.Create(ctx, voxio.ContactParams{FirstName: "New", LastName: "One", MobileCode: "62", Mobile: "811"})
	require.NoError(t, err)
	assert.Equal(t, int64(56), created.Contact.ID)
	sent2, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "811"}, Message: "Hi!"})
	require.NoError(t, err)
	assert.Equal(t, int64(3), sent2.ConversationID)

	// A seeded sent message moves like any other.
	require.NoError(t, s.SeedMessage(voxiotest.Message{ID: 500, ConversationID: 2, Text: "earlier answer"}))
	m, ok := s.Message(500)
	require.True(t, ok)
	assert.Equal(t, voxio.DirectionOutbound, m.Direction)
	assert.Equal(t, voxio.MessageSent, m.Status)
	assert.Equal(t, int64(55), m.ContactID)
	assert.Equal(t, int64(voxiotest.DefaultWhatsAppAccountID), m.WhatsAppAccountID)
	assert.Equal(t, "wamid.sandbox.500", m.ProviderMessageID)
	assert.Len(t, s.SentMessages(), 3, "two sends and the seeded outbound message")
}

func TestSeedRefusesWhatCannotExist(t *testing.T) {
	s := voxiotest.NewServer()
	defer s.Close()
	require.NoError(t, s.SeedContact(voxiotest.Contact{ID: 7, FirstName: "a", MobileCode: "62", Mobile: "811"}))
	require.NoError(t, s.SeedConversation(voxiotest.Conversation{ID: 8, ContactID: 7}))
	require.NoError(t, s.SeedMessage(voxiotest.Message{ID: 9, ConversationID: 8}))
	for name, err := range map[string]error{
		"contact id 0":            s.SeedContact(voxiotest.Contact{MobileCode: "62", Mobile: "812"}),
		"contact id taken":        s.SeedContact(voxiotest.Contact{ID: 7, MobileCode: "62", Mobile: "812"}),
		"contact number taken":    s.SeedContact(voxiotest.Contact{ID: 70, MobileCode: "62", Mobile: "811"}),
		"contact number format":   s.SeedContact(voxiotest.Contact{ID: 71, MobileCode: "+62", Mobile: "812"}),
		"contact account":         s.SeedContact(voxiotest.Contact{ID: 72, MobileCode: "62", Mobile: "813", WhatsAppAccountID: 99}),
		"conversation id taken":   s.SeedConversation(voxiotest.Conversation{ID: 8, ContactID: 7}),
		"conversation contact":    s.SeedConversation(voxiotest.Conversation{ID: 80, ContactID: 700}),
		"second conversation":     s.SeedConversation(voxiotest.Conversation{ID: 81, ContactID: 7}),
		"conversation status":     s.SeedConversation(voxiotest.Conversation{ID: 82, ContactID: 7, Status: voxio.ConversationUnread}),
		"message id negative":     s.SeedMessage(voxiotest.Message{ID: -1, ConversationID: 8}),
		"message id taken":        s.SeedMessage(voxiotest.Message{ID: 9, ConversationID: 8}),
		"message conversation":    s.SeedMessage(voxiotest.Message{ID: 90, ConversationID: 800}),
		"message contact differs": s.SeedMessage(voxiotest.Message{ID: 91, ConversationID: 8, ContactID: 3}),
		"message direction":       s.SeedMessage(voxiotest.Message{ID: 92, ConversationID: 8, Direction: "sideways"}),
	} {
		assert.Error(t, err, name)
	}
	assert.Equal(t, 1, s.ContactCount(), "a refused seed changes nothing")
	assert.Len(t, s.SentMessages(), 1)
}

// TestFailNextError: each documented code comes back in Voxio's envelope
// and status, as the *voxio.Error and sentinel the package doc promises,
// without reaching Voxio's logic.
func TestFailNextError(t *testing.T) {
	ctx := context.Background()
	all := []error{voxio.ErrValidation, voxio.ErrNotFound, voxio.ErrUnauthorized, voxio.ErrIPNotWhitelisted,
		voxio.ErrInsufficientBalance, voxio.ErrSubscriptionRequired, voxio.ErrRateLimited, voxio.ErrMaybeDelivered}
	for _, tt := range []struct {
		code   string
		status int
		remark string
		is     []error
	}{
		{voxiotest.CodeValidationError, 200, "validation_error", []error{voxio.ErrValidation}},
		{voxiotest.CodeNotFound, 200, "not_found", []error{voxio.ErrNotFound}},
		{voxiotest.CodeInsufficientBalance, 200, "insufficient_balance", []error{voxio.ErrInsufficientBalance}},
		{voxiotest.CodeSubscriptionRequired, 200, "subscription_required", []error{voxio.ErrSubscriptionRequired}},
		{voxiotest.CodeException, 200, "exception", []error{voxio.ErrMaybeDelivered}}, // a send may have gone out
		{voxiotest.CodeUnauthorized, 200, "Unauthorized", []error{voxio.ErrUnauthorized}},
		{voxiotest.CodeIPNotWhitelisted, 200, "Unauthorized", []error{voxio.ErrUnauthorized, voxio.ErrIPNotWhitelisted}},
		{voxiotest.CodeRateLimited, 429, "", []error{voxio.ErrRateLimited}},
	} {
		t.Run(tt.code, func(t *testing.T) {
			s := voxiotest.NewServer()
			defer s.Close()
			c, err := s.NewClient(voxio.WithRetryMax(0))
			require.NoError(t, err)
			require.NoError(t, s.FailNextError(1, tt.code))
			_, err = c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "811"}, Message: "hi"})
			var e *voxio.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.status, e.StatusCode)
			assert.Equal(t, tt.remark, e.Code)
			assert.NotEmpty(t, e.Messages)
			for _, k := range all {
				want := false
				for _, w := range tt.is {
					want = want || w == k
				}
				assert.Equal(t, want, errors.Is(err, k), "errors.Is(%v)", k)
			}
			assert.Empty(t, s.SentMessages(), "the failure is answered before Voxio's logic")
			reqs := s.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "fail", reqs[0].Fault)
			assert.Equal(t, "/inbox/send-message", reqs[0].Path)

			// The next request is served normally.
			_, err = c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "811"}, Message: "hi"})
			require.NoError(t, err)
			assert.Len(t, s.SentMessages(), 1)
		})
	}
	t.Run("validation fields", func(t *testing.T) {
		s := voxiotest.NewServer()
		defer s.Close()
		c, err := s.NewClient()
		require.NoError(t, err)
		require.NoError(t, s.FailNextError(2, voxiotest.CodeValidationError))
		for i := 0; i < 2; i++ {
			_, err = c.Contacts.List(ctx, nil)
			var e *voxio.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, []string{"The mobile field must be a valid number."}, e.Fields["mobile"])
		}
		_, err = c.Contacts.List(ctx, nil)
		assert.NoError(t, err)
	})
	t.Run("unknown code and bad count", func(t *testing.T) {
		s := voxiotest.NewServer()
		defer s.Close()
		err := s.FailNextError(1, "no_such_code")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "validation_error", "the error lists the known codes")
		assert.Error(t, s.FailNextError(0, voxiotest.CodeNotFound))
		c, err := s.NewClient()
		require.NoError(t, err)
		_, err = c.Contacts.List(ctx, nil)
		assert.NoError(t, err, "a refused FailNextError queues nothing")
	})
}

// TestClockNowAdvance: WithClock sets the base, Advance moves it, and the
// answers' timestamps and the relay's signing time follow.
func TestClockNowAdvance(t *testing.T) {
	ctx := context.Background()
	base := time.Date(2026, 6, 16, 7, 30, 0, 0, time.UTC)
	s := voxiotest.NewServer(voxiotest.WithClock(func() time.Time { return base }))
	defer s.Close()
	assert.True(t, s.Now().Equal(base))
	s.Advance(90 * time.Minute)
	assert.True(t, s.Now().Equal(base.Add(90*time.Minute)))

	c, err := s.NewClient()
	require.NoError(t, err)
	created, err := c.Contacts.Create(ctx, voxio.ContactParams{FirstName: "a", LastName: "b", MobileCode: "62", Mobile: "811"})
	require.NoError(t, err)
	assert.True(t, created.Contact.CreatedAt.Equal(base.Add(90*time.Minute)), "%v", created.Contact.CreatedAt)

	k := receiver(t, s, nil)
	d, err := s.Receive(ctx, voxiotest.Inbound{MobileCode: "62", Mobile: "811", Text: "hi"})
	require.NoError(t, err, "the receiver on the sandbox clock accepts a delivery signed in 2026")
	assert.Equal(t, "1781600400", d.Header.Get(voxio.HeaderRelayTimestamp))
	require.Len(t, k.all(), 1)
	assert.True(t, k.all()[0].Info().SignedAt.Equal(base.Add(90*time.Minute)))
}

// TestAutoStatusFollowsAdvance: with a clock that does not move by itself,
// each Advance by the interval takes one step, delivered before it
// returns.
func TestAutoStatusFollowsAdvance(t *testing.T) {
	base := time.Date(2026, 6, 16, 7, 30, 0, 0, time.UTC)
	s := voxiotest.NewServer(voxiotest.WithClock(func() time.Time { return base }), voxiotest.WithAutoStatus(time.Minute))
	defer s.Close()
	k := receiver(t, s, nil)
	c, err := s.NewClient()
	require.NoError(t, err)
	res, err := c.Messages.Send(context.Background(), voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "811"}, Message: "hi"})
	require.NoError(t, err)
	time.Sleep(20 * time.Millisecond)
	assert.Empty(t, k.all(), "no step before the interval passes on the sandbox clock")
	var got []voxio.MessageStatus
	for i := 0; i < 3; i++ {
		s.Advance(time.Minute)
		evs := k.all()
		require.Len(t, evs, i+1)
		got = append(got, evs[i].(*voxio.MessageStatusEvent).Status)
	}
	assert.Equal(t, []voxio.MessageStatus{voxio.MessageSent, voxio.MessageDelivered, voxio.MessageRead}, got)
	s.Advance(time.Hour)
	assert.Len(t, k.all(), 3, "three steps and no more")
	m, _ := s.Message(res.Message.ID)
	assert.Equal(t, voxio.MessageRead, m.Status)
}

// TestSeveralCredentials: every pair given to WithCredentials is accepted;
// the first is NewClient's and the deliveries', and RelayConfig accepts
// them all.
func TestSeveralCredentials(t *testing.T) {
	ctx := context.Background()
	current := voxio.Credentials{ClientID: "id-new", ClientSecret: "secret-new"}
	old := voxio.Credentials{ClientID: "id-old", ClientSecret: "secret-old"}
	s := voxiotest.NewServer(voxiotest.WithCredentials(current, old))
	defer s.Close()
	for _, p := range []voxio.Credentials{current, old} {
		c, err := voxio.New(p.ClientID, p.ClientSecret, voxio.WithBaseURL(s.URL))
		require.NoError(t, err)
		_, err = c.Contacts.List(ctx, nil)
		assert.NoError(t, err, p.ClientID)
	}
	mixed, err := voxio.New(current.ClientID, old.ClientSecret, voxio.WithBaseURL(s.URL))
	require.NoError(t, err)
	_, err = mixed.Contacts.List(ctx, nil)
	assert.ErrorIs(t, err, voxio.ErrUnauthorized, "a pair is accepted whole, not half of each")

	cfg := s.RelayConfig()
	assert.Equal(t, current.ClientID, cfg.ClientID)
	assert.Equal(t, []voxio.Credentials{old}, cfg.OldCredentials)

	var got []voxio.Event
	h, err := s.NewRelayHandler(func(_ context.Context, ev voxio.Event) error { got = append(got, ev); return nil })
	require.NoError(t, err)
	ts := newRelayServer(t, h)
	s.SetRelayURL(ts)
	d, err := s.Receive(ctx, voxiotest.Inbound{MobileCode: "62", Mobile: "811", Text: "hi"})
	require.NoError(t, err)
	assert.Equal(t, current.ClientID, d.Header.Get(voxio.HeaderRelayClientID))
	require.Len(t, got, 1)
	assert.Equal(t, current.ClientID, got[0].Info().ClientID)
	assert.Equal(t, http.StatusOK, d.StatusCode)
	assert.Equal(t, 3, s.Count(http.MethodGet, "/contact/list"), "three lists were seen")
}

// newRelayServer serves h for the test and returns its URL.
func newRelayServer(t *testing.T, h http.Handler) string {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

// TestClientTalksToTheSandbox: Client is an HTTP client for the sandbox,
// for raw requests and voxio.WithHTTPClient.
func TestClientTalksToTheSandbox(t *testing.T) {
	s := voxiotest.NewServer()
	defer s.Close()
	resp, err := s.Client().Get(s.URL + "/contact/list")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "Voxio answers a missing credential with 200 and its envelope")
	c, err := s.NewClient(voxio.WithHTTPClient(s.Client()))
	require.NoError(t, err)
	_, err = c.Contacts.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, 2, s.Count(http.MethodGet, "/contact/list"))
}
