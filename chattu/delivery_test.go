package chattu_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
)

// TestSendsAreNeverRepeated: for every call that sends or creates
// something, the sandbox acts on the request and the answer is lost. The
// call must fail with ErrMaybeDelivered after exactly one request, and the
// vendor's state must show the one effect, not two.
func TestSendsAreNeverRepeated(t *testing.T) {
	grp := chattu.GroupID("120363123456789012@g.us")
	cases := []struct {
		name, method, path string
		run                func(ctx context.Context, c *chattu.Client) error
		effects            func(s *chattutest.Server) int
	}{
		{"send message", "POST", "/api/send-message", func(ctx context.Context, c *chattu.Client) error {
			_, err := c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: "shop", Number: "972529999999", Message: "once"})
			return err
		}, func(s *chattutest.Server) int { return len(s.SentMessages()) }},
		{"group message", "POST", "/api/send-group-message", func(ctx context.Context, c *chattu.Client) error {
			_, err := c.Groups.Send(ctx, chattu.GroupMessageParams{ClientID: "shop", GroupID: grp, Message: "פעם אחת"})
			return err
		}, func(s *chattutest.Server) int { return len(s.GroupMessages("shop", string(grp))) }},
		{"session group message", "POST", "/api/groups/shop/" + string(grp) + "/send", func(ctx context.Context, c *chattu.Client) error {
			_, err := c.Groups.SendWithSession(ctx, "shop", grp, chattu.SessionGroupMessageParams{Message: "פעם אחת"})
			return err
		}, func(s *chattutest.Server) int { return len(s.GroupMessages("shop", string(grp))) }},
		{"chat send", "POST", "/api/chats/shop/972529999999@c.us/send", func(ctx context.Context, c *chattu.Client) error {
			_, err := c.Chats.Send(ctx, "shop", "972529999999@c.us", chattu.ChatSendParams{Message: "once"})
			return err
		}, func(s *chattutest.Server) int { return len(s.SentMessages()) }},
		{"schedule", "POST", "/schedule-message", func(ctx context.Context, c *chattu.Client) error {
			_, err := c.Schedules.Create(ctx, chattu.ScheduleParams{ClientID: "shop", Number: "972529999999", Message: "later",
				ScheduleTime: time.Now().Add(time.Hour)})
			return err
		}, func(s *chattutest.Server) int { return len(s.Schedules()) }},
		{"add number", "POST", "/api/add-number", func(ctx context.Context, c *chattu.Client) error {
			_, err := c.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "second", PhoneNumber: "972501111111"})
			return err
		}, func(s *chattutest.Server) int {
			if _, ok := s.ClientState("second"); ok {
				return 1
			}
			return 0
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, c := sandboxClient(t, nil, chattu.WithRetryMax(3))
			connected(t, s, c, "shop", "972501234567")
			before := tc.effects(s)
			s.ResetLog()
			s.DropResponseNext(1)
			err := tc.run(context.Background(), c)
			require.Error(t, err)
			assert.ErrorIs(t, err, chattu.ErrMaybeDelivered)
			var re *chattu.RequestError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 1, re.Attempts)
			assert.Equal(t, 1, s.Count(tc.method, tc.path), "written once, never repeated")
			assert.Equal(t, before+1, tc.effects(s), "the vendor acted once")
		})
	}
}

// TestResetAPIKeyAnswerLost: the reset happened but the new key never
// arrived. It is not repeated (a second reset with the old key would fail
// anyway), the client keeps the old key, and the error says so.
func TestResetAPIKeyAnswerLost(t *testing.T) {
	s, c := sandboxClient(t, nil)
	old := s.APIKey()
	s.DropResponseNext(1)
	_, err := c.Account.ResetAPIKey(context.Background(), chattu.ResetAPIKeyParams{Username: chattutest.DefaultUsername})
	assert.ErrorIs(t, err, chattu.ErrMaybeDelivered)
	assert.Equal(t, 1, s.Count("POST", "/api/reset-api-key"))
	assert.NotEqual(t, old, s.APIKey(), "the vendor did reset")
	_, err = c.Account.Profile(context.Background())
	assert.ErrorIs(t, err, chattu.ErrAuth, "the old key is void")
}

// TestSafeCallsAreRetried: reads, and marking a chat read, may be repeated:
// a lost answer or a dropped connection is retried transparently.
func TestSafeCallsAreRetried(t *testing.T) {
	s, c := sandboxClient(t, nil)
	ctx := context.Background()
	connected(t, s, c, "shop", "972501234567")
	_, err := s.Receive(ctx, chattutest.Inbound{ClientID: "shop", From: "972529999999", Body: "שלום"})
	require.NoError(t, err)

	reads := []struct {
		method, path string
		run          func() error
	}{
		{"GET", "/api/clients", func() error { _, err := c.Clients.List(ctx); return err }},
		{"GET", "/api/groups/shop", func() error { _, err := c.Groups.List(ctx, "shop"); return err }},
		{"GET", "/api/chats/shop", func() error { _, err := c.Chats.List(ctx, "shop"); return err }},
		{"GET", "/api/received-messages/shop", func() error {
			_, err := c.Messages.Received(ctx, "shop")
			return err
		}},
		{"POST", "/api/chats/shop/972529999999@c.us/read", func() error {
			_, err := c.Chats.MarkRead(ctx, "shop", "972529999999@c.us")
			return err
		}},
	}
	for _, r := range reads {
		s.ResetLog()
		s.DropResponseNext(1)
		require.NoError(t, r.run(), r.path)
		assert.Equal(t, 2, s.Count(r.method, r.path), r.path)
		s.ResetLog()
		s.DropNext(1)
		require.NoError(t, r.run(), r.path)
		assert.Equal(t, 2, s.Count(r.method, r.path), r.path)
	}
}

// TestCancelRetriedAfterLostAnswer documents what a retried DELETE means:
// the first attempt cancelled the message, so the retry is refused, and the
// error carries Attempts > 1 to tell the two apart.
func TestCancelRetriedAfterLostAnswer(t *testing.T) {
	s, c := sandboxClient(t, nil)
	ctx := context.Background()
	connected(t, s, c, "shop", "972501234567")
	_, err := c.Schedules.Create(ctx, chattu.ScheduleParams{ClientID: "shop", Number: "972529999999", Message: "later", ScheduleTime: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	id := s.Schedules()[0].ID
	s.DropResponseNext(1)
	_, err = c.Schedules.Cancel(ctx, id)
	var e *chattu.Error
	require.True(t, errors.As(err, &e), "%v", err)
	assert.Equal(t, 2, e.Attempts)
	assert.Equal(t, "cancelled", s.Schedules()[0].Status)
}

// TestDeleteRetriedAfterLostAnswer: the first attempt deleted the client;
// the retry finds none, and Attempts tells that apart from a wrong id.
func TestDeleteRetriedAfterLostAnswer(t *testing.T) {
	s, c := sandboxClient(t, nil)
	connected(t, s, c, "shop", "972501234567")
	s.DropResponseNext(1)
	_, err := c.Clients.Delete(context.Background(), "shop", chattu.DeleteClientParams{Password: chattutest.DefaultPassword})
	assert.ErrorIs(t, err, chattu.ErrNotFound)
	var e *chattu.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 2, e.Attempts)
	_, ok := s.ClientState("shop")
	assert.False(t, ok)
}
