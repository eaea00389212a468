package ourvoicetest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
)

// TestFailNextError checks every documented code: the status, the body in
// Our Voice's envelope, and what the client matches, as FailNextError's
// doc promises.
func TestFailNextError(t *testing.T) {
	ctx := context.Background()
	cases := map[string]struct {
		status  int
		is      error // nil: no sentinel matches
		message string
		fields  []string
	}{
		"unauthenticated":       {401, ourvoice.ErrUnauthorized, "Unauthenticated.", nil},
		"validation":            {422, ourvoice.ErrValidation, "The to number field is required. (and 1 more error)", []string{"content", "to_number"}},
		"session_not_connected": {422, ourvoice.ErrValidation, "The WhatsApp session is not connected (status: disconnected).", []string{"whatsapp_session_id"}},
		"session_invalid":       {422, ourvoice.ErrValidation, "The selected whatsapp session id is invalid.", []string{"whatsapp_session_id"}},
		"session_not_found":     {404, ourvoice.ErrNotFound, "Session not found.", nil},
		"message_not_found":     {404, ourvoice.ErrNotFound, "Message not found.", nil},
		"qr_unavailable":        {400, ourvoice.ErrValidation, "QR code is only available for pending sessions (session is connected).", nil},
		"filter_not_allowed":    {400, ourvoice.ErrValidation, "Requested filter(s) `colour` are not allowed. Allowed filter(s) are `to_number, from_number, status, direction, type`.", nil},
		"malformed_json":        {400, ourvoice.ErrValidation, "Malformed JSON body.", nil},
		"insufficient_balance":  {402, nil, "Insufficient balance: 1 message(s) cost 10, balance is 0.", nil},
		"rate_limited":          {429, ourvoice.ErrRateLimited, "Too Many Attempts.", nil},
		"server_error":          {500, nil, "Server Error", nil},
		"unavailable":           {503, nil, "Service temporarily unavailable", nil},
		"rejected":              {200, nil, "The WhatsApp gateway rejected the message.", nil},
	}
	require.Equal(t, len(cases), len(ourvoicetest.ErrorCodes()), "every code is tested")
	sentinels := []error{ourvoice.ErrUnauthorized, ourvoice.ErrValidation, ourvoice.ErrNotFound, ourvoice.ErrRateLimited}
	for _, code := range ourvoicetest.ErrorCodes() {
		tc, ok := cases[code]
		require.True(t, ok, code)
		t.Run(code, func(t *testing.T) {
			s, _ := newSandbox(t)
			id, err := s.ReadySession("")
			require.NoError(t, err)
			c, err := s.NewClient(ourvoice.WithRetryMax(0))
			require.NoError(t, err)
			require.NoError(t, s.FailNextError(1, code))
			_, err = c.Messages.Send(ctx, text(id, "22996000000"))
			var e *ourvoice.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.status, e.StatusCode)
			require.NotEmpty(t, e.Messages)
			assert.Equal(t, tc.message, e.Messages[0])
			var fields []string
			for f := range e.Fields {
				fields = append(fields, f)
			}
			assert.ElementsMatch(t, tc.fields, fields)
			for _, se := range sentinels {
				assert.Equal(t, se == tc.is, errors.Is(err, se), "%v", se)
			}
			assert.Empty(t, s.SentMessages(), "nothing reached the handlers")
			// One request only: the next one is answered normally.
			_, err = c.Messages.Send(ctx, text(id, "22996000000"))
			require.NoError(t, err)
		})
	}

	t.Run("retried codes", func(t *testing.T) {
		s, c := newSandbox(t)
		id, err := s.ReadySession("")
		require.NoError(t, err)
		require.NoError(t, s.FailNextError(1, ourvoicetest.CodeRateLimited))
		require.NoError(t, s.FailNextError(1, ourvoicetest.CodeUnavailable))
		res, err := c.Messages.Send(ctx, text(id, "22996000000"))
		require.NoError(t, err, "Our Voice did not act on a 429 or a 503 with Retry-After: the send is repeated")
		assert.Equal(t, 1, res.Count)
		assert.Equal(t, 3, s.Count("POST", "/v1/whatsapp/messages"))
		assert.Len(t, s.SentMessages(), 1)
	})

	t.Run("bad input injects nothing", func(t *testing.T) {
		s, c := newSandbox(t)
		err := s.FailNextError(1, "no_such_code")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "rate_limited", "the error lists the known codes")
		require.Error(t, s.FailNextError(-1, ourvoicetest.CodeUnauthenticated))
		require.Error(t, s.FailNextError(0, ourvoicetest.CodeUnauthenticated))
		_, err = c.Sessions.List(ctx, nil)
		require.NoError(t, err)
	})
}

func TestSeedSession(t *testing.T) {
	ctx := context.Background()
	s, c := newSandbox(t)
	require.NoError(t, s.SeedSession(ourvoicetest.SessionSeed{ID: docsSession, Status: ourvoice.SessionConnected, PhoneNumber: "+972501234567", DisplayName: "שירות לקוחות 👋"}))
	got, err := c.Sessions.Get(ctx, docsSession)
	require.NoError(t, err)
	assert.Equal(t, ourvoice.SessionConnected, got.Status)
	assert.Equal(t, "+972501234567", got.PhoneNumber)
	assert.Equal(t, "session_"+docsSession, got.SessionID)
	assert.Equal(t, "שירות לקוחות 👋", got.DisplayName)
	assert.Equal(t, t0, got.CreatedAt)

	require.NoError(t, s.SeedSession(ourvoicetest.SessionSeed{ID: "s-2", SessionID: "gw-2"}))
	pending, err := c.Sessions.Get(ctx, "s-2")
	require.NoError(t, err)
	assert.Equal(t, ourvoice.SessionPending, pending.Status)
	assert.Equal(t, "gw-2", pending.DisplayName)
	qr, err := c.Sessions.QRCode(ctx, "s-2")
	require.NoError(t, err)
	require.NoError(t, s.Scan(qr.QRCode, "22997000000"), "a seeded pending session links like a created one")

	require.NoError(t, s.SeedSession(ourvoicetest.SessionSeed{ID: "s-3", Status: ourvoice.SessionBanned, Reason: "Spam"}))
	_, err = c.Sessions.WaitConnected(ctx, "s-3", nil)
	assert.ErrorIs(t, err, ourvoice.ErrSessionBanned)

	for name, bad := range map[string]ourvoicetest.SessionSeed{
		"no id":              {},
		"blank id":           {ID: " "},
		"slash":              {ID: "a/b"},
		"query":              {ID: "a?b"},
		"taken":              {ID: docsSession},
		"taken gateway id":   {ID: "s-4", SessionID: "session_" + docsSession},
		"taken as gateway":   {ID: "gw-2"},
		"unknown status":     {ID: "s-5", Status: "sleeping"},
		"connected no phone": {ID: "s-6", Status: ourvoice.SessionConnected},
		"bad phone":          {ID: "s-7", PhoneNumber: "22996XXXXXX"},
	} {
		assert.Error(t, s.SeedSession(bad), name)
	}
	l, err := c.Sessions.List(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, l.Sessions, 3, "refused seeds create nothing")
}

func TestReadySession(t *testing.T) {
	ctx := context.Background()
	s, c := newSandbox(t)
	id, err := s.ReadySession("")
	require.NoError(t, err)
	res, err := c.Messages.Send(ctx, text(id, "22996000000"))
	require.NoError(t, err)
	assert.Equal(t, ourvoicetest.DefaultPhone, res.Messages[0].FromNumber)

	other, err := s.ReadySession("+972501234567")
	require.NoError(t, err)
	assert.NotEqual(t, id, other)
	sess, ok := s.Session(other)
	require.True(t, ok)
	assert.Equal(t, ourvoice.SessionConnected, sess.Status)
	assert.Equal(t, "+972501234567", sess.PhoneNumber)

	_, err = s.ReadySession("not a phone")
	assert.Error(t, err)
}

func TestSeedMessage(t *testing.T) {
	ctx := context.Background()
	s, c := newSandbox(t)
	require.NoError(t, s.SeedSession(ourvoicetest.SessionSeed{ID: docsSession, Status: ourvoice.SessionConnected, PhoneNumber: "22997000000"}))

	// A fixed status holds whatever the clock does.
	require.NoError(t, s.SeedMessage(ourvoicetest.MessageSeed{ID: docsMessage, SessionID: docsSession, To: "22996000000", Content: "Hello from Our Voice!", Status: ourvoice.MessageRead, Cost: 10}))
	// No status: it moves on the clock like a send.
	require.NoError(t, s.SeedMessage(ourvoicetest.MessageSeed{ID: "m-2", SessionID: "session_" + docsSession, To: "22996000001", Type: ourvoice.TypeImage, MediaURL: "https://example.com/a.png"}))
	// Incoming, with a failure reason kept.
	require.NoError(t, s.SeedMessage(ourvoicetest.MessageSeed{ID: "m-3", SessionID: docsSession, Direction: ourvoice.DirectionIncoming, From: "972521111111", Content: "שלום 👋"}))
	require.NoError(t, s.SeedMessage(ourvoicetest.MessageSeed{ID: "m-4", SessionID: docsSession, To: "22996000002", Status: ourvoice.MessageFailed, Reason: "Not on WhatsApp", CreatedAt: t0.Add(-time.Hour)}))
	require.NoError(t, s.SeedMessage(ourvoicetest.MessageSeed{ID: "m-5", SessionID: docsSession, To: "22996000003", Status: ourvoice.MessageScheduled}))

	m, err := c.Messages.Get(ctx, docsMessage)
	require.NoError(t, err)
	assert.Equal(t, ourvoice.MessageRead, m.Status)
	assert.Equal(t, "22997000000", m.FromNumber, "from the session's phone")
	assert.Equal(t, t0, m.ReadAt)
	assert.Equal(t, 10.0, m.Cost)
	assert.Equal(t, ourvoicetest.DefaultBalance, s.Balance(), "a seed is not charged")

	m, err = c.Messages.Get(ctx, "m-2")
	require.NoError(t, err)
	assert.Equal(t, ourvoice.MessageQueued, m.Status)
	s.Advance(ourvoicetest.DefaultTimings.Send + ourvoicetest.DefaultTimings.Deliver)
	m, err = c.Messages.Get(ctx, "m-2")
	require.NoError(t, err)
	assert.Equal(t, ourvoice.MessageDelivered, m.Status)
	m, err = c.Messages.Get(ctx, docsMessage)
	require.NoError(t, err)
	assert.Equal(t, ourvoice.MessageRead, m.Status)

	in, err := c.Messages.Get(ctx, "m-3")
	require.NoError(t, err)
	assert.Equal(t, ourvoice.DirectionIncoming, in.Direction)
	assert.Equal(t, []string{"22997000000"}, in.ToNumber)
	assert.Equal(t, "שלום 👋", in.Content)

	failed, err := c.Messages.Get(ctx, "m-4")
	require.NoError(t, err)
	assert.Equal(t, ourvoice.MessageFailed, failed.Status)
	assert.Equal(t, "Not on WhatsApp", failed.Reason)
	assert.Equal(t, t0.Add(-time.Hour), failed.CreatedAt)
	scheduled, err := c.Messages.Get(ctx, "m-5")
	require.NoError(t, err)
	assert.Equal(t, ourvoice.MessageScheduled, scheduled.Status)

	sent := s.SentMessages()
	require.Len(t, sent, 4, "the incoming message is not a sent one")
	assert.Equal(t, docsMessage, sent[0].ID)
	assert.Equal(t, ourvoice.MessageDelivered, sent[1].Status)

	for name, bad := range map[string]ourvoicetest.MessageSeed{
		"no id":            {SessionID: docsSession, To: "22996000000"},
		"taken":            {ID: docsMessage, SessionID: docsSession, To: "22996000000"},
		"path id":          {ID: "a/b", SessionID: docsSession, To: "22996000000"},
		"no session":       {ID: "x1", SessionID: "nope", To: "22996000000"},
		"no recipient":     {ID: "x2", SessionID: docsSession},
		"incoming no from": {ID: "x3", SessionID: docsSession, Direction: ourvoice.DirectionIncoming},
		"bad direction":    {ID: "x4", SessionID: docsSession, To: "22996000000", Direction: "sideways"},
		"bad type":         {ID: "x5", SessionID: docsSession, To: "22996000000", Type: "sticker"},
		"bad status":       {ID: "x6", SessionID: docsSession, To: "22996000000", Status: "lost"},
		"placeholder":      {ID: "x7", SessionID: docsSession, To: "22996XXXXXX"},
	} {
		assert.Error(t, s.SeedMessage(bad), name)
	}
	assert.ErrorIs(t, s.SeedMessage(ourvoicetest.MessageSeed{ID: "x8", SessionID: "nope", To: "22996000000"}), ourvoicetest.ErrNoSession)
	l, err := c.Messages.List(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 5, l.Meta.Total, "refused seeds create nothing")
}

func TestClockIsShared(t *testing.T) {
	s, c := newSandbox(t)
	assert.Equal(t, t0, s.Now())
	s.Advance(-time.Hour)
	assert.Equal(t, t0, s.Now(), "the sandbox's time never goes back")
	s.Advance(90 * time.Second)
	assert.Equal(t, t0.Add(90*time.Second), s.Now())
	created, err := c.Sessions.Create(context.Background())
	require.NoError(t, err)
	assert.Equal(t, s.Now(), created.Session.CreatedAt, "answers read the same clock")

	real := ourvoicetest.NewServer()
	defer real.Close()
	assert.WithinDuration(t, time.Now(), real.Now(), time.Minute)
}
