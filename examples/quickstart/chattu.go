package main

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
)

func init() { tours = append(tours, tour{name: "Chattu", order: 4, run: tourChattu}) }

// tourChattu adds a WhatsApp number, logs it in by QR, sends a text and a
// Hebrew group message, and answers an incoming message through a webhook
// auto-reply, against an in-process sandbox.
func tourChattu(ctx context.Context, w io.Writer) error {
	sb := chattutest.NewServer()
	defer sb.Close()
	c, err := chattu.New(sb.URL, chattutest.DefaultAPIKey)
	if err != nil {
		return err
	}

	added, err := c.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "shop", PhoneNumber: "972501234567"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "added number +972501234567 as client %q: %s, QR code is a %d-byte PNG, client key %v\n",
		"shop", added.Status, len(added.QRCode), added.APIKey)

	if err := sb.Scan("shop"); err != nil { // the phone scans the QR
		return err
	}
	list, err := c.Clients.List(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "scanned: %s as %s\n", list.Clients[0].Status, list.Clients[0].ConnectedNumber)

	if _, err := c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: "shop", Number: "972529999999", Message: "Your order is ready 📦"}); err != nil {
		return err
	}
	fmt.Fprintln(w, "sent a text to +972529999999")

	groups, err := c.Groups.List(ctx, "shop")
	if err != nil {
		return err
	}
	g := groups.Groups[0]
	sent, err := c.Groups.Send(ctx, chattu.GroupMessageParams{ClientID: "shop", GroupID: g.ID, Message: "שלום לכולם! זה הודעה בעברית"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "group %q (%s): sent %q\n", sent.GroupName, g.ID, sent.Message.Body)

	// A webhook receiver whose reply Chattu sends back as an auto-reply.
	h, err := chattu.NewWebhookHandler([]string{string(added.APIKey)}, func(_ context.Context, ev *chattu.WebhookEvent) (chattu.Reply, error) {
		if ev.Type == chattu.EventMessageReceived {
			return chattu.Reply{Response: "תודה! נחזור אליך בהקדם 🙏"}, nil
		}
		return chattu.Reply{}, nil
	})
	if err != nil {
		return err
	}
	recv := httptest.NewServer(h)
	defer recv.Close()
	if _, err := c.Clients.UpdateWebhook(ctx, chattu.UpdateWebhookParams{ClientID: "shop", WebhookURL: recv.URL}); err != nil {
		return err
	}
	d, err := sb.Receive(ctx, chattutest.Inbound{ClientID: "shop", From: "972528888888", Body: "שלום, אפשר להזמין?"})
	if err != nil {
		return err
	}
	if d.Err != nil {
		return d.Err
	}
	fmt.Fprintf(w, "webhook message_received from +972528888888: %q -> auto-reply %q\n", "שלום, אפשר להזמין?", d.Reply.Response)
	sb.WaitDeliveries()
	all := sb.SentMessages()
	last := all[len(all)-1]
	fmt.Fprintf(w, "Chattu sent the auto-reply to +%s (%d messages sent in all)\n", last.Recipient, len(all))
	return nil
}
