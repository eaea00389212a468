package voxio_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// Example is the main flow: receive a customer's message through the
// Inbound Relay, answer it through the API, and follow its delivery, all
// against the in-process sandbox. Against Voxio itself only the
// credentials, the base URL and the relay URL change.
func Example() {
	sb := voxiotest.NewServer()
	defer sb.Close()
	ctx := context.Background()

	// The client: voxio.New(clientID, clientSecret) in production.
	c, err := voxio.New(voxiotest.DefaultClientID, voxiotest.DefaultClientSecret, voxio.WithBaseURL(sb.URL))
	if err != nil {
		log.Fatal(err)
	}

	// The relay receiver, mounted at the URL set in Voxio. It verifies the
	// signature, the timestamp and the client credentials first.
	replies := make(chan *voxio.IncomingMessage, 1)
	h, err := voxio.NewRelayHandler(sb.RelayConfig(), func(_ context.Context, ev voxio.Event) error {
		switch ev := ev.(type) {
		case *voxio.IncomingMessage:
			fmt.Printf("received %q from %s\n", ev.Message.Text, ev.Contact.Name)
			replies <- ev // hand over and return: Voxio wants its 2xx quickly
		case *voxio.MessageStatusEvent:
			fmt.Printf("message %d is %s\n", ev.Message.ID, ev.Status)
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	receiver := httptest.NewServer(h)
	defer receiver.Close()
	sb.SetRelayURL(receiver.URL)

	// A customer writes in.
	if _, err := sb.Receive(ctx, voxiotest.Inbound{MobileCode: "972", Mobile: "521234567", Name: "דנה", Text: "שלום, איפה ההזמנה שלי?"}); err != nil {
		log.Fatal(err)
	}
	in := <-replies

	// Answer on the same conversation. Relay events carry the full number;
	// the send takes the country code and the number apart.
	res, err := c.Messages.Send(ctx, voxio.SendMessageParams{
		Recipient: voxio.Recipient{MobileCode: "972", Mobile: "521234567", WhatsAppAccountID: in.WhatsAppAccountID},
		Message:   "ההזמנה יצאה היום 🚚",
	})
	switch {
	case errors.Is(err, voxio.ErrMaybeDelivered):
		// Written but unanswered: do not send again blindly.
		log.Fatal("check conversation before resending: ", err)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println("answered in conversation", res.ConversationID, "==", in.Conversation.ID)

	// Mark it done, then follow the delivery.
	if _, err := c.Inbox.ChangeConversationStatus(ctx, res.ConversationID, voxio.ConversationDone); err != nil {
		log.Fatal(err)
	}
	if _, err := sb.DeliverStatuses(ctx, res.Message.ID); err != nil {
		log.Fatal(err)
	}
	for conv, err := range c.Inbox.ConversationsAll(ctx, &voxio.ConversationListParams{Status: voxio.ConversationDone}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("done:", conv.ID, conv.Contact.FirstName)
	}
	// Output:
	// received "שלום, איפה ההזמנה שלי?" from דנה
	// answered in conversation 1 == 1
	// message 2 is sent
	// message 2 is delivered
	// message 2 is read
	// done: 1 דנה
}

func ExampleContactsService_Update() {
	s := voxiotest.NewServer()
	defer s.Close()
	c, _ := s.NewClient()
	ctx := context.Background()
	created, err := c.Contacts.Create(ctx, voxio.ContactParams{FirstName: "John", LastName: "Doe", MobileCode: "62", Mobile: "85712345678"})
	if err != nil {
		log.Fatal(err)
	}

	// Every required field again, plus the ones to change.
	res, err := c.Contacts.Update(ctx, created.Contact.ID, voxio.ContactParams{
		FirstName: "John", LastName: "Doe", MobileCode: "62", Mobile: "85712345678", City: "Jakarta",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Remark, res.Contact.ID, res.Contact.City)

	_, err = c.Contacts.Update(ctx, 999, voxio.ContactParams{FirstName: "x", LastName: "y", MobileCode: "62", Mobile: "811"})
	fmt.Println(errors.Is(err, voxio.ErrNotFound))
	// Output:
	// contact_updated 1 Jakarta
	// true
}

func ExampleContactsService_Delete() {
	s := voxiotest.NewServer()
	defer s.Close()
	c, _ := s.NewClient()
	ctx := context.Background()
	created, _ := c.Contacts.Create(ctx, voxio.ContactParams{FirstName: "John", LastName: "Doe", MobileCode: "62", Mobile: "85712345678"})

	res, err := c.Contacts.Delete(ctx, created.Contact.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Remark, res.Messages)
	// Output:
	// contact_deleted [Contact deleted successfully]
}

func ExampleInboxService_ConversationMessages() {
	s := voxiotest.NewServer()
	defer s.Close()
	c, _ := s.NewClient()
	ctx := context.Background()
	to := voxio.Recipient{MobileCode: "62", Mobile: "85712345678"}
	first, _ := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: to, Message: "Hello"})
	_, _ = c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: to, Location: &voxio.Location{Latitude: -6.175392, Longitude: 106.827153, Name: "Monas"}})

	res, err := c.Inbox.ConversationMessages(ctx, first.ConversationID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("with", res.Contact.MobileCode, res.Contact.Mobile)
	for _, m := range res.Messages {
		fmt.Println(m.ID, m.Type, m.Direction, m.Status)
	}
	// Output:
	// with 62 85712345678
	// 2 location outbound sent
	// 1 text outbound sent
}

func ExampleInboxService_ConversationDetails() {
	s := voxiotest.NewServer()
	defer s.Close()
	c, _ := s.NewClient()
	ctx := context.Background()
	sent, _ := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "972", Mobile: "521234567"}, Message: "שלום"})
	s.AddNote(sent.ConversationID, "להתקשר מחר")
	s.AddTag(sent.ConversationID, "VIP ⭐")
	s.AddToList(sent.ConversationID, "Newsletter")

	d, err := c.Inbox.ConversationDetails(ctx, sent.ConversationID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Conversation.ID, d.Contact.Mobile, d.Notes[0].Note, d.Tags[0].Name, d.Lists[0].Name)
	// Output:
	// 1 521234567 להתקשר מחר VIP ⭐ Newsletter
}

func ExampleInboxService_ChangeConversationStatus() {
	s := voxiotest.NewServer()
	defer s.Close()
	c, _ := s.NewClient()
	ctx := context.Background()
	sent, _ := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "85712345678"}, Message: "Hello"})

	if _, err := c.Inbox.ChangeConversationStatus(ctx, sent.ConversationID, voxio.ConversationImportant); err != nil {
		log.Fatal(err)
	}
	page, _ := c.Inbox.Conversations(ctx, &voxio.ConversationListParams{Status: voxio.ConversationImportant})
	fmt.Println(len(page.Conversations), page.Conversations[0].Status)

	// Unread is a filter, not a status that can be set.
	_, err := c.Inbox.ChangeConversationStatus(ctx, sent.ConversationID, voxio.ConversationUnread)
	fmt.Println(err)
	// Output:
	// 1 important
	// voxio: invalid status: must be 0 (reset), 1 (done), 2 (pending) or 3 (important)
}

func ExampleTemplatesService_List() {
	s := voxiotest.NewServer()
	defer s.Close()
	c, _ := s.NewClient()

	res, err := c.Templates.List(context.Background(), &voxio.TemplateListParams{FromNumber: voxiotest.DefaultFromNumber})
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range res.Templates {
		fmt.Println(t.ID, t.Name, t.Language, t.Status)
	}
	// Output:
	// 12 order_update he APPROVED
	// 13 welcome en_US APPROVED
	// 14 promo en_US PENDING
}
