package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/switchboard-go/switchboard"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
)

func init() {
	tours = append(tours, tour{name: "One interface for all four", order: 5, run: tourUnified})
}

// tourUnified sends one message through a Failover of Chattu then Our
// Voice (Chattu refuses, Our Voice sends), then receives the customer's
// answers from both vendors in one callback.
func tourUnified(ctx context.Context, w io.Writer) error {
	ch := chattutest.NewServer()
	defer ch.Close()
	ov := ourvoicetest.NewServer()
	defer ov.Close()

	cc, err := ch.NewClient()
	if err != nil {
		return err
	}
	clientID, err := ch.ReadyClient("972501234567") // a connected WhatsApp number
	if err != nil {
		return err
	}
	oc, err := ov.NewClient()
	if err != nil {
		return err
	}
	session, err := ov.ReadySession("972501234567")
	if err != nil {
		return err
	}
	primary, err := switchboard.NewChattuSender(cc, clientID)
	if err != nil {
		return err
	}
	fallback, err := switchboard.NewOurVoiceSender(oc, session)
	if err != nil {
		return err
	}
	f, err := switchboard.NewFailover([]switchboard.Sender{primary, fallback})
	if err != nil {
		return err
	}

	to, err := switchboard.ParsePhone("+972 52-888-8888")
	if err != nil {
		return err
	}
	// Chattu refuses the next send on its plan limit: proven not sent, so
	// the Failover moves on.
	if err := ch.FailNextError(1, "PLAN_LIMIT_EXCEEDED"); err != nil {
		return err
	}
	r, err := f.Send(ctx, switchboard.Message{To: to, Text: "ההזמנה שלך נשלחה 📦"})
	if err != nil {
		return err
	}
	for _, a := range r.Trail {
		fmt.Fprintf(w, "  %-8s %s: %s\n", a.Provider, a.Outcome, a.Reason)
	}
	fmt.Fprintf(w, "sent once, through %s, as %s (Chattu sent %d, Our Voice %d)\n", r.Provider, r.ID, len(ch.SentMessages()), len(ov.SentMessages()))

	// The answers come back through both vendors into one function.
	got := make(chan switchboard.Inbound, 2)
	inbox, err := switchboard.NewInbox(func(_ context.Context, in switchboard.Inbound) error {
		got <- in
		return nil
	})
	if err != nil {
		return err
	}
	hooks, err := inbox.ChattuHandler([]string{"shop-webhook-key"})
	if err != nil {
		return err
	}
	app := httptest.NewServer(http.Handler(hooks)) // the service's own server
	defer app.Close()
	if err := ch.SeedClient(chattutest.ClientState{ClientID: "hooks", PhoneNumber: "972501234568", APIKey: "shop-webhook-key", Connected: true, WebhookURL: app.URL}); err != nil {
		return err
	}
	if err := inbox.WatchOurVoice(oc, session, "", func(context.Context, string) error { return nil }, ourvoice.WithWatchInterval(10*time.Millisecond)); err != nil {
		return err
	}
	rctx, stop := context.WithCancel(ctx)
	stopped := make(chan error, 1)
	go func() { stopped <- inbox.Run(rctx) }()
	defer func() { stop(); <-stopped }()

	if _, err := ch.Receive(ctx, chattutest.Inbound{ClientID: "hooks", From: "972528888888", Body: "תודה!"}); err != nil {
		return err
	}
	if _, err := ov.Receive(ctx, ourvoicetest.Inbound{SessionID: session, From: "972528888888", Content: "מתי זה מגיע?"}); err != nil {
		return err
	}
	for i := 0; i < 2; i++ {
		select {
		case in := <-got:
			fmt.Fprintf(w, "inbox: %-8s %s: %s\n", in.Provider, in.From, in.Text)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
