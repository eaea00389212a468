package main

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

func init() { tours = append(tours, tour{name: "Voxio Chat", order: 1, run: tourVoxio}) }

// tourVoxio creates a contact, sends a text and a document, walks the inbox
// with the iterator and receives signed Inbound Relay events on a local
// handler, against an in-process Voxio sandbox.
func tourVoxio(ctx context.Context, w io.Writer) error {
	srv := voxiotest.NewServer()
	defer srv.Close()
	c, err := voxio.New(voxiotest.DefaultClientID, voxiotest.DefaultClientSecret, voxio.WithBaseURL(srv.URL))
	if err != nil {
		return err
	}

	// The relay receiver an application mounts at its relay URL. Events are
	// printed once the handler has verified the signature, the timestamp
	// and the client credentials.
	var mu sync.Mutex
	relayed := 0
	h, err := voxio.NewRelayHandler(srv.RelayConfig(), func(_ context.Context, ev voxio.Event) error {
		mu.Lock()
		defer mu.Unlock()
		relayed++
		switch ev := ev.(type) {
		case *voxio.IncomingMessage:
			fmt.Fprintf(w, "relay: verified %s from %s (+%s): %q\n", ev.EventName(), ev.Contact.Name, ev.Contact.Mobile, ev.Message.Text)
		case *voxio.MessageStatusEvent:
			fmt.Fprintf(w, "relay: verified %s: message %d is %s\n", ev.EventName(), ev.Message.ID, ev.Status)
		default:
			fmt.Fprintf(w, "relay: verified %s\n", ev.EventName())
		}
		return nil
	})
	if err != nil {
		return err
	}
	receiver := httptest.NewServer(h)
	defer receiver.Close()
	srv.SetRelayURL(receiver.URL + "/hooks/voxio")

	created, err := c.Contacts.Create(ctx, voxio.ContactParams{
		FirstName: "דנה", LastName: "כהן", MobileCode: "972", Mobile: "521234567", City: "תל אביב",
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "created contact %d: %s, +%s %s\n", created.Contact.ID, created.Contact.FullName(), created.Contact.MobileCode, created.Contact.Mobile)

	to := voxio.Recipient{MobileCode: "972", Mobile: "521234567", FromNumber: voxiotest.DefaultFromNumber}
	text, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: to, Message: "שלום דנה! ההזמנה שלך בדרך 🚚"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "sent text: message %d in conversation %d, status %s\n", text.Message.ID, text.ConversationID, text.Message.Status)

	invoice := "%PDF-1.7\n% a small invoice for the tour\n"
	doc, err := c.Messages.Send(ctx, voxio.SendMessageParams{
		Recipient: to,
		Message:   "החשבונית מצורפת",
		Document:  &voxio.File{Name: "invoice.pdf", Reader: strings.NewReader(invoice)},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "sent document invoice.pdf (%d bytes, streamed): message %d\n", len(invoice), doc.Message.ID)

	// Input that breaks a documented rule is refused before anything is sent.
	_, err = c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "+972", Mobile: "521234567"}, Message: "x"})
	fmt.Fprintf(w, "refused locally: %v\n", err)

	// The customer answers; Voxio relays it, signed, to the receiver.
	if _, err := srv.Receive(ctx, voxiotest.Inbound{MobileCode: "972", Mobile: "521234567", Text: "תודה! 🙏"}); err != nil {
		return err
	}
	// The text is delivered and read: three signed message_status events.
	if _, err := srv.DeliverStatuses(ctx, text.Message.ID); err != nil {
		return err
	}

	n := 0
	for conv, err := range c.Inbox.ConversationsAll(ctx, &voxio.ConversationListParams{Paginate: 10}) {
		if err != nil {
			return err
		}
		n++
		// Contact and LastMessage are nil when Voxio leaves them out.
		who, last := fmt.Sprintf("contact %d", conv.ContactID), ""
		if conv.Contact != nil {
			who = conv.Contact.FullName()
		}
		if conv.LastMessage != nil {
			last = conv.LastMessage.Text
		}
		fmt.Fprintf(w, "inbox: conversation %d with %s, status %s, last message %q\n", conv.ID, who, conv.Status, last)
	}
	msgs, err := c.Inbox.ConversationMessages(ctx, text.ConversationID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "inbox: %d conversation(s); conversation %d holds %d messages\n", n, text.ConversationID, len(msgs.Messages))
	mu.Lock()
	defer mu.Unlock()
	fmt.Fprintf(w, "relay: %d events accepted\n", relayed)
	return nil
}
