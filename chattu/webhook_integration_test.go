package chattu_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
)

// TestWebhookHandlerWithSandbox: the sandbox delivers real webhooks to the
// handler; the handler's replies become messages the sandbox sends.
func TestWebhookHandlerWithSandbox(t *testing.T) {
	s, c := sandboxClient(t, nil)
	ctx := context.Background()
	res := connected(t, s, c, "shop", "972501234567")

	var mu sync.Mutex
	var events []chattu.EventType
	h, err := chattu.NewWebhookHandler([]string{string(res.APIKey)}, func(_ context.Context, ev *chattu.WebhookEvent) (chattu.Reply, error) {
		mu.Lock()
		events = append(events, ev.Type)
		mu.Unlock()
		switch ev.Type {
		case chattu.EventMessageReceived:
			return chattu.Reply{Response: "קיבלתי: " + ev.MessageReceived.Text()}, nil
		case chattu.EventCallRejected:
			return chattu.Reply{RejectionMessage: "מצטער אינני זמין כעת. אנא שלח הודעה ונחזור אליך בהקדם."}, nil
		}
		return chattu.Reply{}, nil
	})
	require.NoError(t, err)
	recv := httptest.NewServer(h)
	defer recv.Close()
	_, err = c.Clients.UpdateWebhook(ctx, chattu.UpdateWebhookParams{ClientID: "shop", WebhookURL: recv.URL + "/hooks/chattu"})
	require.NoError(t, err)

	d, err := s.Receive(ctx, chattutest.Inbound{ClientID: "shop", From: "972529999999", Body: "שלום! مرحبا 👋"})
	require.NoError(t, err)
	require.NoError(t, d.Err)
	assert.Equal(t, 200, d.StatusCode)
	assert.Equal(t, "קיבלתי: שלום! مرحبا 👋", d.Reply.Response)
	assert.Contains(t, string(d.RawReply), "קיבלתי: שלום! مرحبا 👋")

	d, err = s.Call(ctx, chattutest.IncomingCall{ClientID: "shop", From: "972529999999"})
	require.NoError(t, err)
	require.NoError(t, d.Err)

	_, err = c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: "shop", Number: "972529999999", Message: "from the API"})
	require.NoError(t, err)
	s.WaitDeliveries()

	sent := s.SentMessages()
	require.Len(t, sent, 3)
	assert.Equal(t, "auto-reply", sent[0].Source)
	assert.Equal(t, "קיבלתי: שלום! مرحبا 👋", sent[0].Message)
	assert.Equal(t, "call-rejection", sent[1].Source)
	assert.Equal(t, "מצטער אינני זמין כעת. אנא שלח הודעה ונחזור אליך בהקדם.", sent[1].Message)

	mu.Lock()
	assert.Equal(t, []chattu.EventType{chattu.EventMessageReceived, chattu.EventCallRejected, chattu.EventMessageSent}, events)
	mu.Unlock()

	// The chat interface shows the auto-reply in the conversation.
	msgs, err := c.Chats.Messages(ctx, "shop", "972529999999@c.us", nil)
	require.NoError(t, err)
	var bodies []string
	for _, m := range msgs.Messages {
		bodies = append(bodies, m.Body)
	}
	assert.Contains(t, bodies, "קיבלתי: שלום! مرحبا 👋")
}

func TestWebhookSlowHandlerMeetsSandboxDeadline(t *testing.T) {
	// The sandbox gives up at 300 ms (messages) / 200 ms (calls); the handler
	// budgets 150/100 ms and falls back.
	s, c := sandboxClient(t, []chattutest.Option{chattutest.WithWebhookTimeouts(300*time.Millisecond, 200*time.Millisecond)})
	ctx := context.Background()
	res := connected(t, s, c, "shop", "972501234567")
	h, err := chattu.NewWebhookHandler([]string{string(res.APIKey)}, func(ctx context.Context, _ *chattu.WebhookEvent) (chattu.Reply, error) {
		select {
		case <-time.After(2 * time.Second):
		case <-ctx.Done():
		}
		return chattu.Reply{Response: "late"}, nil
	}, chattu.WithWebhookTimeout(150*time.Millisecond, 100*time.Millisecond),
		chattu.WithWebhookFallback(func(*chattu.WebhookEvent) chattu.Reply {
			return chattu.Reply{Response: "נחזור אליך בקרוב"}
		}))
	require.NoError(t, err)
	recv := httptest.NewServer(h)
	defer recv.Close()
	_, err = c.Clients.UpdateWebhook(ctx, chattu.UpdateWebhookParams{ClientID: "shop", WebhookURL: recv.URL})
	require.NoError(t, err)

	d, err := s.Receive(ctx, chattutest.Inbound{ClientID: "shop", From: "972529999999", Body: "hi"})
	require.NoError(t, err)
	require.NoError(t, d.Err)
	assert.Equal(t, "נחזור אליך בקרוב", d.Reply.Response)
	assert.Less(t, d.Elapsed, 300*time.Millisecond)

	d, err = s.Call(ctx, chattutest.IncomingCall{ClientID: "shop", From: "972529999999"})
	require.NoError(t, err)
	require.NoError(t, d.Err)
	assert.Less(t, d.Elapsed, 200*time.Millisecond)
	sent := s.SentMessages()
	assert.Equal(t, chattutest.DefaultRejectionMessage, sent[len(sent)-1].Message, "no rejection message: Chattu's default")
}

func TestWebhookWrongKeyWithSandbox(t *testing.T) {
	s, c := sandboxClient(t, nil)
	ctx := context.Background()
	connected(t, s, c, "shop", "972501234567")
	h, err := chattu.NewWebhookHandler([]string{"some-other-key"}, func(context.Context, *chattu.WebhookEvent) (chattu.Reply, error) {
		t.Error("must not be called")
		return chattu.Reply{}, nil
	})
	require.NoError(t, err)
	recv := httptest.NewServer(h)
	defer recv.Close()
	_, err = c.Clients.UpdateWebhook(ctx, chattu.UpdateWebhookParams{ClientID: "shop", WebhookURL: recv.URL})
	require.NoError(t, err)
	d, err := s.Receive(ctx, chattutest.Inbound{ClientID: "shop", From: "972529999999", Body: "hi"})
	require.NoError(t, err)
	assert.Equal(t, 401, d.StatusCode)
	assert.Error(t, d.Err)
	assert.True(t, strings.Contains(d.Err.Error(), "401"))
	assert.Empty(t, s.SentMessages())
}
