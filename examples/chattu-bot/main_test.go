package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
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

func TestSandboxRun(t *testing.T) {
	var out, errs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, run(ctx, []string{"-sandbox"}, func(string) string { return "" }, &out, &errs))
	s := out.String()
	assert.Contains(t, s, `[auto-reply] to 972529999999: We're open Sunday to Thursday, 9:00–18:00.`)
	assert.Contains(t, s, `[auto-reply] to 972528888888: תודה על ההודעה! נחזור אליך בהקדם 🙏`)
	assert.Contains(t, s, `[auto-reply] to 971501234567: شكراً على رسالتك! سنعود إليك قريباً 🙏`)
	assert.Contains(t, s, `[call-rejection] to 972527777777: `+rejection)
	assert.Contains(t, s, "rejected video call from 972527777777")
	assert.Contains(t, s, `sent to 972529999999: "Your order is ready"`)
	assert.Contains(t, s, "forged delivery answered 401")
	assert.NotContains(t, s, "forged\"")
	assert.Contains(t, errs.String(), "unauthenticated")
}

func TestMissingKeysIsAnError(t *testing.T) {
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0"}, func(string) string { return "" }, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "CHATTU_WEBHOOK_KEYS")
}

func TestSlowBotStillRepliesInTime(t *testing.T) {
	b := &bot{out: io.Discard, think: func(ctx context.Context) error {
		<-ctx.Done() // far slower than Chattu waits
		return nil
	}}
	mux, err := newMux([]string{"k-123456"}, "/hook", b, slog.New(slog.NewTextHandler(io.Discard, nil)),
		chattu.WithWebhookTimeout(50*time.Millisecond, 30*time.Millisecond))
	require.NoError(t, err)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/hook", strings.NewReader(`{"event":"message_received","data":{"from":"1","to":"c","body":"שלום","message":"שלום","timestamp":1699123456789,"type":"received_message"}}`))
	req.Header.Set("X-Api-Key", "k-123456")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Less(t, time.Since(start), time.Second)
	assert.Equal(t, 200, resp.StatusCode)
	assert.JSONEq(t, `{"status":"success","message":"Webhook received successfully.","response":"קיבלנו את הודעתך 🙏"}`, string(body))
}

func TestAnswer(t *testing.T) {
	assert.Equal(t, "אנחנו פתוחים א׳–ה׳, 9:00–18:00.", answer("מה שעות הפתיחה?"))
	assert.Equal(t, "نحن نعمل من الأحد إلى الخميس، 9:00–18:00.", answer("ما هي ساعات العمل؟"))
	assert.Equal(t, "en", script("hello 👋"))
}

func TestRegisterWithSandbox(t *testing.T) {
	sb := chattutest.NewServer()
	defer sb.Close()
	c, _ := chattu.New(sb.URL, chattutest.DefaultAPIKey)
	_, err := c.Clients.AddNumber(context.Background(), chattu.AddNumberParams{ClientID: "bot", PhoneNumber: "972501234567"})
	require.NoError(t, err)
	env := map[string]string{"CHATTU_BASE_URL": sb.URL, "CHATTU_API_KEY": chattutest.DefaultAPIKey, "CHATTU_CLIENT_ID": "bot"}
	require.NoError(t, register(context.Background(), func(k string) string { return env[k] }, "https://bot.example.com/hooks/chattu"))
	st, _ := sb.ClientState("bot")
	assert.Equal(t, "https://bot.example.com/hooks/chattu", st.WebhookURL)
	assert.Error(t, register(context.Background(), func(string) string { return "" }, "https://x"))
}

// syncBuffer is an io.Writer the test reads while run writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestServeRegisterAndShutdown runs the bot as in production: it registers
// its webhook with Chattu (the sandbox), serves deliveries signed with any
// of the configured keys and the health check, and stops cleanly when its
// context ends.
func TestServeRegisterAndShutdown(t *testing.T) {
	sb := chattutest.NewServer()
	defer sb.Close()
	c, _ := chattu.New(sb.URL, chattutest.DefaultAPIKey)
	_, err := c.Clients.AddNumber(context.Background(), chattu.AddNumberParams{ClientID: "bot", PhoneNumber: "972501234567"})
	require.NoError(t, err)
	env := map[string]string{
		"CHATTU_WEBHOOK_KEYS": " k-first , k-rotated ,", "CHATTU_BASE_URL": sb.URL,
		"CHATTU_API_KEY": chattutest.DefaultAPIKey, "CHATTU_CLIENT_ID": "bot",
	}
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"-addr", "127.0.0.1:0", "-path", "/hook", "-public-url", "https://bot.example.com/"},
			func(k string) string { return env[k] }, out, io.Discard)
	}()
	var addr string
	require.Eventually(t, func() bool {
		s := out.String()
		i := strings.Index(s, "listening on ")
		if i < 0 {
			return false
		}
		addr = strings.TrimSuffix(strings.Fields(s[i+len("listening on "):])[0], "/hook")
		return true
	}, 5*time.Second, 10*time.Millisecond)
	assert.Contains(t, out.String(), "webhook registered")
	st, _ := sb.ClientState("bot")
	assert.Equal(t, "https://bot.example.com/hook", st.WebhookURL)

	resp, err := http.Get("http://" + addr + "/healthz")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "ok\n", string(b))

	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/hook", strings.NewReader(`{"event":"call_rejected","data":{"from":"972527777777","to":"bot","isVideo":false,"timestamp":1699123456789,"type":"call_rejected"}}`))
	req.Header.Set("X-Api-Key", "k-rotated")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.JSONEq(t, `{"status":"success","message":"Webhook received successfully.","rejectionMessage":"`+rejection+`"}`, string(b))
	assert.Contains(t, out.String(), "rejected voice call from 972527777777")

	cancel()
	select {
	case err := <-errc:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("run did not stop with its context")
	}
}

func TestRunConfigErrors(t *testing.T) {
	env := func(k string) string {
		if k == "CHATTU_WEBHOOK_KEYS" {
			return "k-1"
		}
		return ""
	}
	for name, args := range map[string][]string{
		"path without slash":       {"-path", "hook"},
		"unknown flag":             {"-nope"},
		"public url without creds": {"-addr", "127.0.0.1:0", "-public-url", "https://bot.example.com"},
		"bad listen address":       {"-addr", "127.0.0.1:99999"},
	} {
		err := run(context.Background(), args, env, io.Discard, io.Discard)
		assert.Error(t, err, name)
	}
}

func TestEventsTheBotOnlyAcknowledges(t *testing.T) {
	var out bytes.Buffer
	b := &bot{out: &out}
	rep, err := b.handle(context.Background(), &chattu.WebhookEvent{Type: "group_join", Raw: []byte(`{"event":"group_join","data":{}}`)})
	require.NoError(t, err)
	assert.Equal(t, chattu.Reply{Message: "Event received."}, rep)
	assert.Contains(t, out.String(), "event group_join acknowledged")

	b.think = func(context.Context) error { return io.ErrUnexpectedEOF }
	_, err = b.handle(context.Background(), &chattu.WebhookEvent{Type: chattu.EventMessageReceived})
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)

	assert.Equal(t, chattu.Reply{RejectionMessage: rejection}, fallback(&chattu.WebhookEvent{Type: chattu.EventCallRejected}))
	assert.Equal(t, chattu.Reply{Response: "We got your message 🙏"},
		fallback(&chattu.WebhookEvent{Type: chattu.EventMessageReceived, MessageReceived: &chattu.MessageEvent{Body: "hello"}}))
	// message_sent and undocumented events take no response: the fallback
	// acknowledges only (it answered message_sent with an auto-reply
	// before issue 13, a field Chattu does not read there).
	assert.Equal(t, chattu.Reply{}, fallback(&chattu.WebhookEvent{Type: chattu.EventMessageSent}))
	assert.Equal(t, chattu.Reply{}, fallback(&chattu.WebhookEvent{Type: "group_join"}))
}

// TestSlowBotOnSentMessageOnlyAcknowledges: when the bot is too slow for a
// message_sent event the fallback acknowledges it, with no auto-reply
// field, so the handler has no misuse to report.
func TestSlowBotOnSentMessageOnlyAcknowledges(t *testing.T) {
	b := &bot{out: io.Discard, think: func(ctx context.Context) error {
		<-ctx.Done()
		return nil
	}}
	logs := &syncBuffer{}
	mux, err := newMux([]string{"k-123456"}, "/hook", b, slog.New(slog.NewTextHandler(logs, nil)),
		chattu.WithWebhookTimeout(50*time.Millisecond, 30*time.Millisecond))
	require.NoError(t, err)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/hook", strings.NewReader(`{"event":"message_sent","data":{"from":"c","to":"1","body":"hi","message":"hi","timestamp":1699123456789,"type":"sent_message"}}`))
	req.Header.Set("X-Api-Key", "k-123456")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.JSONEq(t, `{"status":"success","message":"Webhook received successfully."}`, string(body))
	srv.Close() // waits for the handler, whose reports follow the reply
	assert.Contains(t, logs.String(), "fallback reply sent")
	assert.NotContains(t, logs.String(), "does not apply")
}
