// Command chattu-bot is a WhatsApp auto-reply bot on Chattu webhooks. It
// answers every message (in Hebrew, Arabic or English, after the sender's
// script), rejects calls with a polite message, and always replies within
// Chattu's deadline: if the reply logic is slow it sends a fallback instead.
//
//	CHATTU_WEBHOOK_KEYS=<client API key>[,<another>] \
//	    go run ./examples/chattu-bot -addr :8080 -path /hooks/chattu
//
// To point a client's webhook at the bot as it starts, also set
// CHATTU_BASE_URL, CHATTU_API_KEY and CHATTU_CLIENT_ID and pass -public-url.
//
//	go run ./examples/chattu-bot -sandbox   # in-process Chattu sandbox sends it traffic
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "chattu-bot:", err)
		os.Exit(1)
	}
}

// Rejection text sent to callers.
const rejection = "מצטער אינני זמין כעת. אנא שלח הודעה ונחזור אליך בהקדם."

// bot holds the reply logic. think stands for slow work (a database, a
// language model); the handler's budget bounds it.
type bot struct {
	out   io.Writer
	think func(ctx context.Context) error
}

// answer picks a reply for a message by keyword and script.
func answer(text string) string {
	t := strings.ToLower(text)
	switch lang := script(text); {
	case strings.Contains(t, "hours") || strings.Contains(text, "שעות") || strings.Contains(text, "ساعات"):
		switch lang {
		case "he":
			return "אנחנו פתוחים א׳–ה׳, 9:00–18:00."
		case "ar":
			return "نحن نعمل من الأحد إلى الخميس، 9:00–18:00."
		}
		return "We're open Sunday to Thursday, 9:00–18:00."
	case lang == "he":
		return "תודה על ההודעה! נחזור אליך בהקדם 🙏"
	case lang == "ar":
		return "شكراً على رسالتك! سنعود إليك قريباً 🙏"
	}
	return "Thanks for your message! We'll get back to you soon 🙏"
}

// script tells Hebrew and Arabic from anything else by the first letter of
// either script.
func script(s string) string {
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Hebrew, r):
			return "he"
		case unicode.Is(unicode.Arabic, r):
			return "ar"
		}
	}
	return "en"
}

// handle is the webhook callback.
func (b *bot) handle(ctx context.Context, ev *chattu.WebhookEvent) (chattu.Reply, error) {
	if b.think != nil {
		if err := b.think(ctx); err != nil {
			return chattu.Reply{}, err
		}
	}
	switch ev.Type {
	case chattu.EventMessageReceived:
		m := ev.MessageReceived
		reply := answer(m.Text())
		fmt.Fprintf(b.out, "message from %s: %q -> %q\n", m.From, m.Text(), reply)
		return chattu.Reply{Response: reply}, nil
	case chattu.EventCallRejected:
		kind := "voice"
		if ev.CallRejected.IsVideo {
			kind = "video"
		}
		fmt.Fprintf(b.out, "rejected %s call from %s\n", kind, ev.CallRejected.From)
		return chattu.Reply{RejectionMessage: rejection}, nil
	case chattu.EventMessageSent:
		fmt.Fprintf(b.out, "sent to %s: %q\n", ev.MessageSent.To, ev.MessageSent.Text())
		return chattu.Reply{}, nil
	}
	fmt.Fprintf(b.out, "event %s acknowledged (%d bytes)\n", ev.Type, len(ev.Raw))
	return chattu.Reply{Message: "Event received."}, nil
}

// fallback is sent when handle runs out of time. Each event gets only the
// field Chattu reads for it: a rejection message for a call, an auto-reply
// for a received message, and a bare acknowledgment for anything else (the
// handler would drop, and report, a field that does not apply).
func fallback(ev *chattu.WebhookEvent) chattu.Reply {
	switch ev.Type {
	case chattu.EventCallRejected:
		return chattu.Reply{RejectionMessage: rejection}
	case chattu.EventMessageReceived:
		if ev.MessageReceived != nil && script(ev.MessageReceived.Text()) == "he" {
			return chattu.Reply{Response: "קיבלנו את הודעתך 🙏"}
		}
		return chattu.Reply{Response: "We got your message 🙏"}
	}
	return chattu.Reply{}
}

// newMux mounts the webhook handler at path, plus a health check.
func newMux(keys []string, path string, b *bot, logger *slog.Logger, opts ...chattu.WebhookOption) (*http.ServeMux, error) {
	opts = append([]chattu.WebhookOption{
		chattu.WithWebhookFallback(fallback),
		chattu.WithWebhookOnError(func(r *http.Request, err error) {
			// The error never holds the API key or the body.
			logger.Warn("webhook", "remote", r.RemoteAddr, "error", err)
		}),
	}, opts...)
	h, err := chattu.NewWebhookHandler(keys, b.handle, opts...)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("POST "+path, h)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	return mux, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chattu-bot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", ":8080", "listen address")
	path := fs.String("path", "/hooks/chattu", "webhook URL path")
	publicURL := fs.String("public-url", "", "public base URL of this bot; with CHATTU_* set, registers <public-url><path> as the client's webhook")
	sandbox := fs.Bool("sandbox", false, "start an in-process Chattu sandbox, send sample traffic and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !strings.HasPrefix(*path, "/") {
		return errors.New("-path must start with /")
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	b := &bot{out: stdout}
	if *sandbox {
		return runSandbox(ctx, b, *path, logger, stdout)
	}

	var keys []string
	for _, k := range strings.Split(getenv("CHATTU_WEBHOOK_KEYS"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return errors.New("set CHATTU_WEBHOOK_KEYS to the client API key(s) Chattu sends in X-Api-Key")
	}
	mux, err := newMux(keys, *path, b, logger)
	if err != nil {
		return err
	}
	if *publicURL != "" {
		if err := register(ctx, getenv, strings.TrimSuffix(*publicURL, "/")+*path); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "webhook registered")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "listening on %s%s\n", ln.Addr(), *path)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// register points a client's webhook at the bot.
func register(ctx context.Context, getenv func(string) string, hookURL string) error {
	base, key, id := getenv("CHATTU_BASE_URL"), getenv("CHATTU_API_KEY"), getenv("CHATTU_CLIENT_ID")
	if base == "" || key == "" || id == "" {
		return errors.New("-public-url needs CHATTU_BASE_URL, CHATTU_API_KEY and CHATTU_CLIENT_ID")
	}
	c, err := chattu.New(base, key)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = c.Clients.UpdateWebhook(ctx, chattu.UpdateWebhookParams{ClientID: id, WebhookURL: hookURL})
	return err
}

// runSandbox connects a number in the sandbox, points its webhook at the
// bot and plays some traffic: messages in three languages, a call, a send
// through the API and a forged delivery.
func runSandbox(ctx context.Context, b *bot, path string, logger *slog.Logger, out io.Writer) error {
	sb := chattutest.NewServer()
	defer sb.Close()
	c, err := sb.NewClient()
	if err != nil {
		return err
	}
	// A WhatsApp number already logged in, as after scanning its QR.
	if err := sb.SeedClient(chattutest.ClientState{ClientID: "bot", PhoneNumber: "972501234567", Connected: true}); err != nil {
		return err
	}
	st, _ := sb.ClientState("bot")
	mux, err := newMux([]string{st.APIKey}, path, b, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	hookURL := "http://" + ln.Addr().String() + path
	if _, err := c.Clients.UpdateWebhook(ctx, chattu.UpdateWebhookParams{ClientID: "bot", WebhookURL: hookURL}); err != nil {
		return err
	}

	for _, in := range []chattutest.Inbound{
		{ClientID: "bot", From: "972529999999", Body: "What are your hours?"},
		{ClientID: "bot", From: "972528888888", Body: "שלום! יש לכם משלוחים?"},
		{ClientID: "bot", From: "971501234567", Body: "مرحبا"},
	} {
		if _, err := sb.Receive(ctx, in); err != nil {
			return err
		}
	}
	if _, err := sb.Call(ctx, chattutest.IncomingCall{ClientID: "bot", From: "972527777777", IsVideo: true}); err != nil {
		return err
	}
	if _, err := c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: "bot", Number: "972529999999", Message: "Your order is ready"}); err != nil {
		return err
	}
	sb.WaitDeliveries()

	// A delivery without the client's key is refused before the bot sees it.
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, hookURL, strings.NewReader(`{"event":"message_received","data":{"from":"1","body":"forged"}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Api-Key", "guessed-key")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		fmt.Fprintf(out, "forged delivery answered %d\n", resp.StatusCode)
	}

	fmt.Fprintln(out, "messages Chattu sent for the bot:")
	for _, m := range sb.SentMessages() {
		fmt.Fprintf(out, "  [%s] to %s: %s\n", m.Source, m.Recipient, m.Message)
	}
	return nil
}
