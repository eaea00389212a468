package chattu_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
)

// sandboxClient starts a sandbox and a client with the session cookie.
func sandboxClient(t *testing.T, sopts []chattutest.Option, copts ...chattu.Option) (*chattutest.Server, *chattu.Client) {
	t.Helper()
	s := chattutest.NewServer(sopts...)
	t.Cleanup(s.Close)
	all := append([]chattu.Option{chattu.WithSessionCookie(chattutest.DefaultSessionCookie), chattu.WithRetryWait(time.Millisecond, 5*time.Millisecond)}, copts...)
	c, err := chattu.New(s.URL, chattutest.DefaultAPIKey, all...)
	require.NoError(t, err)
	return s, c
}

// connected adds a number and scans it.
func connected(t *testing.T, s *chattutest.Server, c *chattu.Client, id, phone string) *chattu.AddNumberResult {
	t.Helper()
	res, err := c.Clients.AddNumber(context.Background(), chattu.AddNumberParams{ClientID: id, PhoneNumber: phone})
	require.NoError(t, err)
	require.NoError(t, s.Scan(id))
	return res
}

func TestSandboxNumberLifecycle(t *testing.T) {
	s, c := sandboxClient(t, nil)
	ctx := context.Background()
	res, err := c.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "shop", PhoneNumber: "972501234567"})
	require.NoError(t, err)
	assert.Equal(t, chattu.NumberPendingAuth, res.Status)
	require.NotNil(t, res.QRCode)
	cfg, err := png.DecodeConfig(bytes.NewReader(res.QRCode))
	require.NoError(t, err)
	assert.Equal(t, cfg.Width, cfg.Height)
	assert.NotEmpty(t, res.APIKey)

	img, err := c.Clients.QR(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, "image/png", img.ContentType)
	assert.True(t, img.IsPNG())

	list, err := c.Clients.List(ctx)
	require.NoError(t, err)
	require.Len(t, list.Clients, 1)
	assert.Equal(t, chattu.ClientPendingAuthentication, list.Clients[0].Status)
	assert.Equal(t, chattu.NotConnected, list.Clients[0].ConnectedNumber)
	assert.Equal(t, res.APIKey, list.Clients[0].APIKey)

	require.NoError(t, s.Scan("shop"))
	list, err = c.Clients.List(ctx)
	require.NoError(t, err)
	assert.Equal(t, chattu.ClientAuthenticated, list.Clients[0].Status)
	id, ok := list.Clients[0].Connected()
	assert.True(t, ok)
	assert.Equal(t, chattu.ChatID("972501234567@c.us"), id)

	_, err = c.Clients.QR(ctx, "shop")
	assert.ErrorIs(t, err, chattu.ErrNotFound, "the QR expires once authenticated")

	again, err := c.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "shop", PhoneNumber: "972501234567"})
	require.NoError(t, err)
	assert.Equal(t, chattu.NumberConnected, again.Status)
	assert.Nil(t, again.QRCode)

	_, err = c.Clients.QR(ctx, "nobody")
	assert.ErrorIs(t, err, chattu.ErrClientNotFound)

	p, err := c.Account.Profile(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 1, p.ClientCount)
	assert.Equal(t, chattutest.DefaultUsername, p.Username)

	_, err = c.Clients.UpdateWebhook(ctx, chattu.UpdateWebhookParams{ClientID: "shop", WebhookURL: "https://hooks.example.com/chattu"})
	require.NoError(t, err)
	st, _ := s.ClientState("shop")
	assert.Equal(t, "https://hooks.example.com/chattu", st.WebhookURL)
}

func TestSandboxSendAndList(t *testing.T) {
	s, c := sandboxClient(t, nil)
	ctx := context.Background()
	_, err := c.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "shop", PhoneNumber: "972501234567"})
	require.NoError(t, err)
	_, err = c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: "shop", Number: "972529999999", Message: "hi"})
	assert.Error(t, err, "not connected yet")
	require.NoError(t, s.Scan("shop"))

	r, err := c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: "shop", Number: "972529999999", Message: "שלום 👋 مرحبا"})
	require.NoError(t, err)
	assert.True(t, r.Success)
	_, err = c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: "shop", Number: "+972529999999", MediaURL: "https://cdn.example.com/menu.pdf"})
	require.NoError(t, err)
	_, err = c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: "ghost", Number: "972529999999", Message: "x"})
	assert.ErrorIs(t, err, chattu.ErrClientNotFound)

	sent, err := c.Messages.Sent(ctx)
	require.NoError(t, err)
	require.Len(t, sent.Messages, 2)
	assert.Equal(t, "שלום 👋 مرحبا", sent.Messages[1].Message)
	assert.Equal(t, "972501234567", sent.Messages[1].SenderNumber)
	assert.Equal(t, "972529999999", sent.Messages[1].Recipient)
	assert.False(t, sent.Messages[0].SentAt.IsZero())
}

func TestSandboxGroups(t *testing.T) {
	s, c := sandboxClient(t, []chattutest.Option{chattutest.WithPlanLimit(1)})
	ctx := context.Background()
	connected(t, s, c, "shop", "972501234567")
	require.NoError(t, s.AddGroup("shop", chattutest.Group{ID: "120363000000000099@g.us", Name: "הכרזות", ReadOnly: true}))

	g, err := c.Groups.List(ctx, "shop")
	require.NoError(t, err)
	assert.EqualValues(t, 3, g.Total)
	require.Len(t, g.Channels, 1)
	assert.Equal(t, "ערוץ חדשות", g.Channels[0].Name)
	assert.Equal(t, chattu.TypeChannel, g.Channels[0].Type)
	names := map[string]bool{}
	for _, x := range g.Groups {
		names[x.Name] = x.IsReadOnly
	}
	assert.Equal(t, map[string]bool{"קבוצת עבודה": false, "הכרזות": true}, names)

	msg := "שלום לכולם! זה הודעה בעברית"
	res, err := c.Groups.Send(ctx, chattu.GroupMessageParams{ClientID: "shop", GroupID: "120363123456789012@g.us", Message: msg})
	require.NoError(t, err)
	assert.Equal(t, msg, res.Message.Body)
	assert.Equal(t, "קבוצת עבודה", res.GroupName)
	assert.Equal(t, "chat", res.Message.Type)
	got := s.GroupMessages("shop", "120363123456789012@g.us")
	require.Len(t, got, 1)
	assert.Equal(t, msg, got[0].Body)

	_, err = c.Groups.SendWithSession(ctx, "shop", "120363123456789013@c.us", chattu.SessionGroupMessageParams{
		MediaURL: "https://cdn.example.com/a.jpg", MediaType: chattu.MediaImage, Message: "⚠️"})
	require.NoError(t, err)

	_, err = c.Groups.Send(ctx, chattu.GroupMessageParams{ClientID: "shop", GroupID: "120363000000000099@g.us", Message: "x"})
	assert.ErrorIs(t, err, chattu.ErrReadOnlyChat)
	var e *chattu.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 403, e.StatusCode)
	assert.Equal(t, string(chattu.CodeReadOnlyChat), e.Code)

	_, err = c.Groups.Send(ctx, chattu.GroupMessageParams{ClientID: "shop", GroupID: "120363000000000777@g.us", Message: "x"})
	assert.ErrorIs(t, err, chattu.ErrGroupNotFound)
	assert.ErrorIs(t, err, chattu.ErrNotFound)

	_, err = c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: "shop", Number: "972529999999", Message: "hi"})
	require.NoError(t, err)
	_, err = c.Groups.Send(ctx, chattu.GroupMessageParams{ClientID: "shop", GroupID: "972529999999@c.us", Message: "x"})
	assert.ErrorIs(t, err, chattu.ErrInvalidChatType)

	_, err = c.Groups.Send(ctx, chattu.GroupMessageParams{ClientID: "shop", GroupID: "120363123456789012@g.us", MediaURL: "https://media.invalid/x.jpg", MediaType: chattu.MediaImage})
	assert.ErrorIs(t, err, chattu.ErrMediaError)
	assert.ErrorIs(t, err, chattu.ErrValidation)

	_, err = c.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "second", PhoneNumber: "972501111111"})
	assert.ErrorIs(t, err, chattu.ErrPlanLimitExceeded)
}

func TestSandboxClientKeyScope(t *testing.T) {
	s, c := sandboxClient(t, nil)
	ctx := context.Background()
	res := connected(t, s, c, "a", "972501234567")
	connected(t, s, c, "b", "972507654321")

	ck, err := chattu.New(s.URL, string(res.APIKey))
	require.NoError(t, err)
	_, err = ck.Groups.List(ctx, "a")
	require.NoError(t, err)
	_, err = ck.Groups.List(ctx, "b")
	assert.ErrorIs(t, err, chattu.ErrAccessDenied)

	bad, err := chattu.New(s.URL, "wrong-key")
	require.NoError(t, err)
	_, err = bad.Account.Profile(ctx)
	assert.ErrorIs(t, err, chattu.ErrAuth)
	assert.ErrorIs(t, err, chattu.ErrUnauthorized)
}

func TestSandboxSchedulesOnTestClock(t *testing.T) {
	start := time.Date(2025, 10, 6, 15, 0, 0, 0, time.UTC)
	s, c := sandboxClient(t, []chattutest.Option{chattutest.WithClock(func() time.Time { return start })})
	ctx := context.Background()
	connected(t, s, c, "shop", "972501234567")
	jerusalem := time.FixedZone("IDT", 3*3600)
	_, err := c.Schedules.Create(ctx, chattu.ScheduleParams{ClientID: "shop", Number: "+9721234567", Message: "Scheduled hello",
		ScheduleTime: time.Date(2025, 10, 6, 21, 30, 0, 0, jerusalem)})
	require.NoError(t, err)
	_, err = c.Schedules.Create(ctx, chattu.ScheduleParams{ClientID: "shop", Number: "+9721234567", Message: "later",
		ScheduleTime: start.Add(10 * time.Hour)})
	require.NoError(t, err)

	l, err := c.Schedules.List(ctx)
	require.NoError(t, err)
	require.Len(t, l.Messages, 2)
	first := l.Messages[0]
	assert.Equal(t, chattu.SchedulePending, first.Status)
	assert.Equal(t, time.Date(2025, 10, 6, 18, 30, 0, 0, time.UTC), first.ScheduleTime)
	assert.Equal(t, "+9721234567", first.Recipient)
	assert.True(t, first.SentTime.IsZero())

	s.Advance(3*time.Hour + 30*time.Minute)
	l, err = c.Schedules.List(ctx)
	require.NoError(t, err)
	assert.Equal(t, chattu.ScheduleSent, l.Messages[0].Status)
	assert.Equal(t, time.Date(2025, 10, 6, 18, 30, 0, 0, time.UTC), l.Messages[0].SentTime)
	assert.Equal(t, chattu.SchedulePending, l.Messages[1].Status)
	sent := s.SentMessages()
	require.Len(t, sent, 1)
	assert.Equal(t, "schedule", sent[0].Source)

	_, err = c.Schedules.Cancel(ctx, l.Messages[0].ID)
	assert.ErrorIs(t, err, chattu.ErrValidation, "a sent message cannot be cancelled")
	r, err := c.Schedules.Cancel(ctx, l.Messages[1].ID)
	require.NoError(t, err)
	assert.Equal(t, "Schedule cancelled.", r.Message)
	_, err = c.Schedules.Cancel(ctx, 999)
	assert.ErrorIs(t, err, chattu.ErrNotFound)
	s.Advance(24 * time.Hour)
	assert.Len(t, s.SentMessages(), 1, "a cancelled message never fires")
}

func TestSandboxSessionOnlyRefusesAPIKey(t *testing.T) {
	s := chattutest.NewServer()
	defer s.Close()
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/chats/shop"}, {"GET", "/scheduled-messages"}, {"POST", "/schedule-message"},
		{"DELETE", "/scheduled-messages/1"}, {"DELETE", "/clients/shop"}, {"POST", "/api/groups/shop/1@g.us/send"},
		{"GET", "/api/chats/shop/1@c.us/messages"}, {"POST", "/api/chats/shop/1@c.us/read"},
	} {
		req, _ := http.NewRequest(r.method, s.URL+r.path, strings.NewReader(`{}`))
		req.Header.Set("X-Api-Key", chattutest.DefaultAPIKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, r.path)
	}
	// A wrong cookie through the client is ErrUnauthorized.
	c, err := chattu.New(s.URL, chattutest.DefaultAPIKey, chattu.WithSessionCookie("connect.sid=stolen"))
	require.NoError(t, err)
	_, err = c.Schedules.List(context.Background())
	assert.ErrorIs(t, err, chattu.ErrUnauthorized)
}

func TestSandboxRateLimits(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s, c := sandboxClient(t, []chattutest.Option{chattutest.WithClock(func() time.Time { return start })})
	ctx := context.Background()
	for i := 0; i < chattutest.APILimit; i++ {
		_, err := c.Account.Profile(ctx)
		require.NoError(t, err, i)
	}
	_, err := c.Account.Profile(ctx)
	assert.ErrorIs(t, err, chattu.ErrRateLimited)
	var e *chattu.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 15*time.Minute, e.RetryAfter, "longer than the retry cap: returned, not waited for")
	s.Advance(15 * time.Minute)
	_, err = c.Account.Profile(ctx)
	require.NoError(t, err)

	// Sensitive: 5 resets per hour (wrong username: each still counts).
	for i := 0; i < chattutest.SensitiveLimit; i++ {
		_, err := c.Account.ResetAPIKey(ctx, chattu.ResetAPIKeyParams{Username: "nobody"})
		assert.ErrorIs(t, err, chattu.ErrUnauthorized)
	}
	_, err = c.Account.ResetAPIKey(ctx, chattu.ResetAPIKeyParams{Username: chattutest.DefaultUsername})
	assert.ErrorIs(t, err, chattu.ErrRateLimited)
}

func TestSandboxChatLimit(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s, c := sandboxClient(t, []chattutest.Option{chattutest.WithClock(func() time.Time { return start })})
	ctx := context.Background()
	connected(t, s, c, "shop", "972501234567")
	for i := 0; i < chattutest.ChatLimit; i++ {
		_, err := c.Chats.List(ctx, "shop")
		require.NoError(t, err, i)
	}
	_, err := c.Chats.List(ctx, "shop")
	assert.ErrorIs(t, err, chattu.ErrRateLimited)
	s.Advance(time.Minute)
	_, err = c.Chats.List(ctx, "shop")
	assert.NoError(t, err)
}

func TestSandboxDeliverySafety(t *testing.T) {
	s, c := sandboxClient(t, nil)
	ctx := context.Background()
	connected(t, s, c, "shop", "972501234567")

	// A send whose connection drops after it was written is not repeated.
	s.ResetLog()
	s.DropNext(1)
	_, err := c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: "shop", Number: "972529999999", Message: "once"})
	assert.ErrorIs(t, err, chattu.ErrMaybeDelivered)
	assert.Equal(t, 1, s.Count("POST", "/api/send-message"))

	// A 500 on a send is not retried either, and Chattu may have acted.
	s.FailNext(1, 500, `{"success":false,"error":"Internal error"}`)
	_, err = c.Groups.Send(ctx, chattu.GroupMessageParams{ClientID: "shop", GroupID: "120363123456789012@g.us", Message: "once"})
	var e *chattu.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 500, e.StatusCode)
	assert.ErrorIs(t, err, chattu.ErrMaybeDelivered)
	assert.True(t, e.MaybeDelivered)
	assert.Equal(t, 1, s.Count("POST", "/api/send-group-message"))
	assert.Empty(t, s.GroupMessages("shop", "120363123456789012@g.us"))

	// A 429 refused the send before acting on it: repeated after Retry-After.
	s.FailNext(1, 429, `{"error":"Too many requests, please try again later."}`)
	_, err = c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: "shop", Number: "972529999999", Message: "after 429"})
	require.NoError(t, err)
	assert.Equal(t, 3, s.Count("POST", "/api/send-message"))

	// Reads are retried through drops and 5xx.
	s.DropNext(1)
	s.FailNext(1, 502, `bad gateway`)
	_, err = c.Messages.Sent(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, s.Count("GET", "/api/sent-messages"))

	// A slow server is bounded by the caller's context.
	s.DelayNext(1, time.Second)
	tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = c.Account.Profile(tctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestSandboxResetAPIKey(t *testing.T) {
	s, c := sandboxClient(t, nil)
	ctx := context.Background()
	old := s.APIKey()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var failures, late int
	var mu sync.Mutex
	var switched atomic.Bool // ResetAPIKey has returned: the client holds the new key
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				after := switched.Load()
				if _, err := c.Account.Profile(ctx); err != nil && !errors.Is(err, chattu.ErrRateLimited) {
					mu.Lock()
					failures++
					if after {
						late++
					}
					mu.Unlock()
				}
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}
	time.Sleep(10 * time.Millisecond)
	res, err := c.Account.ResetAPIKey(ctx, chattu.ResetAPIKeyParams{Username: chattutest.DefaultUsername})
	require.NoError(t, err)
	switched.Store(true)
	time.Sleep(10 * time.Millisecond)
	close(stop)
	wg.Wait()
	assert.True(t, res.Switched)
	assert.Equal(t, s.APIKey(), string(res.NewAPIKey))
	assert.NotEqual(t, old, s.APIKey())
	// Requests made between the server voiding the old key and the client
	// receiving the new one fail (how many depends on the machine's load);
	// none started after the switch may.
	assert.Zero(t, late, "a request after the switch used the old key (%d failures in all)", failures)
	p, err := c.Account.Profile(ctx)
	require.NoError(t, err)
	assert.Equal(t, res.NewAPIKey, p.APIKey)
	oldc, _ := chattu.New(s.URL, old)
	_, err = oldc.Account.Profile(ctx)
	assert.ErrorIs(t, err, chattu.ErrUnauthorized)
}

func TestSandboxChatInterface(t *testing.T) {
	s, c := sandboxClient(t, nil)
	ctx := context.Background()
	connected(t, s, c, "shop", "972501234567")
	photo := []byte("\xff\xd8\xff\xe0 jpeg bytes")
	_, err := s.Receive(ctx, chattutest.Inbound{ClientID: "shop", From: "9721234567", Name: "John Doe", Body: "Hello!"})
	require.NoError(t, err)
	_, err = s.Receive(ctx, chattutest.Inbound{ClientID: "shop", From: "9721234567", Body: "📷", Media: photo, MediaType: "image/jpeg", Filename: "photo.jpg"})
	require.NoError(t, err)
	require.NoError(t, s.React("shop", "9721234567", "👍", "972501234567@c.us"))

	chats, err := c.Chats.List(ctx, "shop")
	require.NoError(t, err)
	require.Len(t, chats.Chats, 1)
	ch := chats.Chats[0]
	assert.Equal(t, chattu.ChatID("9721234567@c.us"), ch.ID)
	assert.Equal(t, "John Doe", ch.Name)
	assert.EqualValues(t, 2, ch.UnreadCount)
	require.NotNil(t, ch.LastMessage)
	assert.Equal(t, "📷", ch.LastMessage.Body)

	msgs, err := c.Chats.Messages(ctx, "shop", ch.ID, &chattu.ChatMessagesParams{Limit: 50})
	require.NoError(t, err)
	require.Len(t, msgs.Messages, 2)
	m := msgs.Messages[1]
	assert.True(t, m.HasMedia)
	assert.Equal(t, "photo.jpg", m.Filename)
	assert.Equal(t, "image", m.Type)
	assert.Equal(t, []chattu.Reaction{{Reaction: "👍", SenderID: "972501234567@c.us"}}, m.Reactions)
	last, err := c.Chats.Messages(ctx, "shop", ch.ID, &chattu.ChatMessagesParams{Limit: 1})
	require.NoError(t, err)
	require.Len(t, last.Messages, 1)

	st, err := c.Chats.Media(ctx, "shop", m.ID)
	require.NoError(t, err)
	body, err := io.ReadAll(st)
	st.Close()
	require.NoError(t, err)
	assert.Equal(t, photo, body)
	assert.Equal(t, "image/jpeg", st.ContentType)
	assert.Equal(t, "photo.jpg", st.FileName)
	_, err = c.Chats.Media(ctx, "shop", msgs.Messages[0].ID)
	assert.ErrorIs(t, err, chattu.ErrNotFound)

	sr, err := c.Chats.Send(ctx, "shop", ch.ID, chattu.ChatSendParams{Message: "Hello! How can I help you?"})
	require.NoError(t, err)
	assert.True(t, sr.Success)
	assert.Equal(t, "Hello! How can I help you?", sr.Message.Body)
	assert.NotEmpty(t, sr.Message.ID)

	_, err = c.Chats.MarkRead(ctx, "shop", ch.ID)
	require.NoError(t, err)
	chats, err = c.Chats.List(ctx, "shop")
	require.NoError(t, err)
	assert.Zero(t, chats.Chats[0].UnreadCount)

	rec, err := c.Messages.Received(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, "success", rec.Status)
	require.Len(t, rec.Messages, 2)
	assert.Equal(t, "9721234567", rec.Messages[0].Sender)
}

func TestSandboxCallsAndLogs(t *testing.T) {
	s, c := sandboxClient(t, nil)
	ctx := context.Background()
	connected(t, s, c, "shop", "972501234567")
	d, err := s.Call(ctx, chattutest.IncomingCall{ClientID: "shop", From: "1234567890", IsVideo: true})
	require.NoError(t, err)
	assert.Nil(t, d, "no webhook configured")
	sent := s.SentMessages()
	require.Len(t, sent, 1)
	assert.Equal(t, chattutest.DefaultRejectionMessage, sent[0].Message)
	assert.Equal(t, "call-rejection", sent[0].Source)

	calls, err := c.Calls.Incoming(ctx, "shop")
	require.NoError(t, err)
	require.Len(t, calls.Calls, 1)
	assert.Equal(t, "1234567890@c.us", calls.Calls[0].CallFrom)
	assert.True(t, calls.Calls[0].IsVideo)
	assert.True(t, calls.Calls[0].EndTime.IsZero())
	logs, err := c.Calls.Logs(ctx)
	require.NoError(t, err)
	assert.Len(t, logs.Calls, 1)
	app, err := c.Logs.List(ctx)
	require.NoError(t, err)
	assert.NotEmpty(t, app.Entries)
}

func TestSandboxDeleteClient(t *testing.T) {
	s, c := sandboxClient(t, nil)
	ctx := context.Background()
	connected(t, s, c, "shop", "972501234567")
	_, err := c.Clients.Delete(ctx, "shop", chattu.DeleteClientParams{Password: "wrong-password"})
	assert.ErrorIs(t, err, chattu.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "wrong-password")
	_, err = c.Clients.Delete(ctx, "nope", chattu.DeleteClientParams{Password: chattutest.DefaultPassword})
	assert.ErrorIs(t, err, chattu.ErrNotFound)
	r, err := c.Clients.Delete(ctx, "shop", chattu.DeleteClientParams{Password: chattutest.DefaultPassword})
	require.NoError(t, err)
	assert.Equal(t, "Client deleted successfully.", r.Message)
	_, ok := s.ClientState("shop")
	assert.False(t, ok)
	// 5 sensitive attempts per hour: the fourth attempt onwards...
	for i := 0; i < 2; i++ {
		_, _ = c.Clients.Delete(ctx, "x", chattu.DeleteClientParams{Password: "p-12345"})
	}
	_, err = c.Clients.Delete(ctx, "x", chattu.DeleteClientParams{Password: "p-12345"})
	assert.ErrorIs(t, err, chattu.ErrRateLimited)
}

// TestSandboxWebhookAutoReply uses a bare receiver: the sandbox reads the
// reply and sends the response as a message.
func TestSandboxWebhookAutoReply(t *testing.T) {
	var got struct {
		sync.Mutex
		key  string
		body []byte
	}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.Lock()
		got.key, got.body = r.Header.Get("X-Api-Key"), b
		got.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"success","response":"תודה! 🙏"}`)
	}))
	defer recv.Close()
	s, c := sandboxClient(t, nil)
	ctx := context.Background()
	res := connected(t, s, c, "shop", "972501234567")
	_, err := c.Clients.UpdateWebhook(ctx, chattu.UpdateWebhookParams{ClientID: "shop", WebhookURL: recv.URL})
	require.NoError(t, err)
	d, err := s.Receive(ctx, chattutest.Inbound{ClientID: "shop", From: "1234567890", Body: "שלום"})
	require.NoError(t, err)
	require.NoError(t, d.Err)
	assert.Equal(t, "תודה! 🙏", d.Reply.Response)
	got.Lock()
	assert.Equal(t, string(res.APIKey), got.key)
	assert.Contains(t, string(got.body), `"body":"שלום"`)
	got.Unlock()
	sent := s.SentMessages()
	require.Len(t, sent, 1)
	assert.Equal(t, "auto-reply", sent[0].Source)
	assert.Equal(t, "תודה! 🙏", sent[0].Message)
	assert.Equal(t, "1234567890", sent[0].Recipient)
}

// TestSandboxReadyClient: one call gives a connected client, ready to send,
// under the docs' id.
func TestSandboxReadyClient(t *testing.T) {
	s := chattutest.NewServer()
	defer s.Close()
	c, err := s.NewClient()
	require.NoError(t, err)
	ctx := context.Background()
	id, err := s.ReadyClient("")
	require.NoError(t, err)
	assert.Equal(t, "client-id", id)
	_, err = c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: id, Number: "972529999999", Message: "שלום"})
	require.NoError(t, err)
	require.Len(t, s.SentMessages(), 1)
	assert.Equal(t, "api", s.SentMessages()[0].Source)

	id2, err := s.ReadyClient("972507654321")
	require.NoError(t, err)
	assert.Equal(t, "client-id-2", id2)
	st2, _ := s.ClientState(id2)
	assert.Equal(t, "972507654321", st2.PhoneNumber)
	_, err = s.ReadyClient("+972507654321")
	assert.Error(t, err, "digits only")
	list, err := c.Clients.List(ctx)
	require.NoError(t, err)
	require.Len(t, list.Clients, 2)
	for _, ci := range list.Clients {
		assert.Equal(t, chattu.ClientAuthenticated, ci.Status, ci.ClientID)
		st, ok := s.ClientState(ci.ClientID)
		require.True(t, ok)
		assert.Equal(t, st.APIKey, ci.APIKey.Reveal())
	}
	g, err := c.Groups.List(ctx, id)
	require.NoError(t, err)
	assert.EqualValues(t, 2, g.Total, "a connected client has the docs' group and channel")
}

// TestSandboxDocsRequestsWithFixedIDs runs the docs' requests, with the
// ids they name, against a sandbox seeded with those ids.
func TestSandboxDocsRequestsWithFixedIDs(t *testing.T) {
	start := time.Date(2025, 10, 6, 12, 0, 0, 0, time.UTC)
	s := chattutest.NewServer(chattutest.WithClock(func() time.Time { return start }), chattutest.WithUser("your-username", "your-password"))
	defer s.Close()
	ctx := context.Background()
	c, err := s.NewClient()
	require.NoError(t, err)
	require.NoError(t, s.SeedClient(chattutest.ClientState{ClientID: "client-id", PhoneNumber: "9721234567", APIKey: "client-api-key", Connected: true}))
	require.NoError(t, s.SeedClient(chattutest.ClientState{ClientID: "client-id-2", PhoneNumber: "972512345678", APIKey: "client-api-key-2"}))
	photo := []byte("\xff\xd8\xff\xe0 jpeg")
	require.NoError(t, s.SeedMessage(chattutest.Message{ID: "3EB0C767F26AFC1F8B", ClientID: "client-id", Chat: "9721234567@c.us", Name: "John Doe",
		Body: "Hello!", Timestamp: time.Unix(1699123456, 0), Media: photo, MediaType: "image/jpeg", Filename: "photo.jpg"}))
	require.NoError(t, s.SeedSchedule(chattutest.Scheduled{ID: 123, ClientID: "client-id", Recipient: "+9721234567", Message: "Scheduled hello",
		ScheduleTime: time.Date(2025, 10, 6, 18, 30, 0, 0, time.UTC)}))

	// GET /api/clients: the docs' two clients.
	list, err := c.Clients.List(ctx)
	require.NoError(t, err)
	require.Len(t, list.Clients, 2)
	assert.Equal(t, "9721234567@c.us", list.Clients[0].ConnectedNumber)
	assert.Equal(t, chattu.NotConnected, list.Clients[1].ConnectedNumber)
	assert.Equal(t, chattu.APIKey("client-api-key-2"), list.Clients[1].APIKey)

	// GET /api/qr/client-id-2: pending, so there is a QR.
	qr, err := c.Clients.QR(ctx, "client-id-2")
	require.NoError(t, err)
	assert.True(t, qr.IsPNG())

	// GET /api/chats/client-id/9721234567@c.us/messages?limit=50
	msgs, err := c.Chats.Messages(ctx, "client-id", "9721234567@c.us", &chattu.ChatMessagesParams{Limit: 50})
	require.NoError(t, err)
	require.Len(t, msgs.Messages, 1)
	m := msgs.Messages[0]
	assert.Equal(t, "3EB0C767F26AFC1F8B", m.ID)
	assert.Equal(t, time.Unix(1699123456, 0).UTC(), m.Timestamp)
	assert.True(t, m.HasMedia)

	// GET /api/chats/client-id/media/3EB0C767F26AFC1F8B
	st, err := c.Chats.Media(ctx, "client-id", "3EB0C767F26AFC1F8B")
	require.NoError(t, err)
	body, err := io.ReadAll(st)
	st.Close()
	require.NoError(t, err)
	assert.Equal(t, photo, body)
	assert.Equal(t, "photo.jpg", st.FileName)

	// GET /api/chats/client-id: John Doe, one unread message.
	chats, err := c.Chats.List(ctx, "client-id")
	require.NoError(t, err)
	require.Len(t, chats.Chats, 1)
	assert.Equal(t, "John Doe", chats.Chats[0].Name)
	assert.EqualValues(t, 1, chats.Chats[0].UnreadCount)

	// GET /api/received-messages/client-id
	rec, err := c.Messages.Received(ctx, "client-id")
	require.NoError(t, err)
	require.Len(t, rec.Messages, 1)
	assert.Equal(t, "9721234567", rec.Messages[0].Sender)

	// POST /api/groups/client-id/120363123456789012@g.us/send
	_, err = c.Groups.SendWithSession(ctx, "client-id", "120363123456789012@g.us", chattu.SessionGroupMessageParams{Message: "שלום לכולם! זה הודעה בעברית"})
	require.NoError(t, err)

	// DELETE /scheduled-messages/123
	r, err := c.Schedules.Cancel(ctx, 123)
	require.NoError(t, err)
	assert.Equal(t, "Schedule cancelled.", r.Message)
	require.Len(t, s.Schedules(), 1)
	assert.Equal(t, "cancelled", s.Schedules()[0].Status)

	// DELETE /clients/client-id with the docs' password.
	r, err = c.Clients.Delete(ctx, "client-id", chattu.DeleteClientParams{Password: "your-password"})
	require.NoError(t, err)
	assert.Equal(t, "Client deleted successfully.", r.Message)
	sent := s.SentMessages()
	require.Len(t, sent, 1, "seeding sends nothing: only the group send did")
	assert.Equal(t, "group", sent[0].Source)
}

// TestSandboxFailNextError: every documented code comes back in Chattu's
// envelope with its status, and the client matches exactly the sentinels
// the docs of FailNextError promise.
func TestSandboxFailNextError(t *testing.T) {
	s := chattutest.NewServer()
	defer s.Close()
	ctx := context.Background()
	c, err := s.NewClient(chattu.WithRetryMax(0))
	require.NoError(t, err)
	id, err := s.ReadyClient("")
	require.NoError(t, err)
	grp := chattu.GroupID("120363123456789012@g.us")
	for _, tc := range []struct {
		code   string
		status int
		want   []error
	}{
		{chattu.CodeAuthError, 401, []error{chattu.ErrAuth, chattu.ErrUnauthorized}},
		{chattu.CodeAccessDenied, 403, []error{chattu.ErrAccessDenied, chattu.ErrUnauthorized}},
		{chattu.CodePlanLimitExceeded, 403, []error{chattu.ErrPlanLimitExceeded}},
		{chattu.CodeReadOnlyChat, 403, []error{chattu.ErrReadOnlyChat}},
		{chattu.CodeClientNotFound, 404, []error{chattu.ErrClientNotFound, chattu.ErrNotFound}},
		{chattu.CodeGroupNotFound, 404, []error{chattu.ErrGroupNotFound, chattu.ErrNotFound}},
		{chattu.CodeInvalidChatType, 400, []error{chattu.ErrInvalidChatType, chattu.ErrValidation}},
		{"media_error", 400, []error{chattu.ErrMediaError, chattu.ErrValidation}},
	} {
		require.NoError(t, s.FailNextError(1, tc.code), tc.code)
		_, err := c.Groups.Send(ctx, chattu.GroupMessageParams{ClientID: id, GroupID: grp, Message: "x"})
		var e *chattu.Error
		require.ErrorAs(t, err, &e, tc.code)
		assert.Equal(t, tc.status, e.StatusCode, tc.code)
		assert.Equal(t, strings.ToUpper(tc.code), e.Code)
		assert.NotEmpty(t, e.Messages, tc.code)
		for _, w := range tc.want {
			assert.ErrorIs(t, err, w, tc.code)
		}
		assert.False(t, errors.Is(err, chattu.ErrMaybeDelivered), tc.code)
		assert.JSONEq(t, `{"success":false,"code":"`+e.Code+`","error":"`+e.Messages[0]+`"}`, string(e.Body))
	}
	assert.Empty(t, s.GroupMessages(id, string(grp)), "a failed request does not act")
	assert.Error(t, s.FailNextError(1, "TEAPOT"))
	_, err = c.Groups.Send(ctx, chattu.GroupMessageParams{ClientID: id, GroupID: grp, Message: "x"})
	assert.NoError(t, err, "an unknown code queues nothing")
}

// TestSandboxClockAndCredentials: the test clock is the shared one, and
// several account keys are accepted at once.
func TestSandboxClockAndCredentials(t *testing.T) {
	base := time.Date(2025, 1, 1, 8, 0, 0, 0, time.FixedZone("IST", 2*3600))
	s := chattutest.NewServer(chattutest.WithClock(func() time.Time { return base }), chattutest.WithCredentials("key-old-123456", "", "key-new-654321"))
	defer s.Close()
	assert.Equal(t, base.UTC(), s.Now())
	s.Advance(90 * time.Minute)
	assert.Equal(t, base.Add(90*time.Minute).UTC(), s.Now())
	assert.Equal(t, "key-old-123456", s.APIKey())
	ctx := context.Background()
	for _, k := range []string{"key-old-123456", "key-new-654321"} {
		c, err := chattu.New(s.URL, k)
		require.NoError(t, err)
		_, err = c.Account.Profile(ctx)
		require.NoError(t, err, k)
	}
	// Resetting the second key leaves the first valid.
	c, err := chattu.New(s.URL, "key-new-654321")
	require.NoError(t, err)
	res, err := c.Account.ResetAPIKey(ctx, chattu.ResetAPIKeyParams{Username: chattutest.DefaultUsername})
	require.NoError(t, err)
	assert.True(t, res.Switched)
	_, err = c.Account.Profile(ctx)
	require.NoError(t, err)
	old, _ := chattu.New(s.URL, "key-old-123456")
	_, err = old.Account.Profile(ctx)
	require.NoError(t, err)
	gone, _ := chattu.New(s.URL, "key-new-654321")
	_, err = gone.Account.Profile(ctx)
	assert.ErrorIs(t, err, chattu.ErrAuth)
}
