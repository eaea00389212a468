package voxio_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

func ExampleNew() {
	// In production: voxio.New(os.Getenv("VOXIO_CLIENT_ID"), os.Getenv("VOXIO_CLIENT_SECRET")).
	s := voxiotest.NewServer()
	defer s.Close()
	c, err := voxio.New(voxiotest.DefaultClientID, voxiotest.DefaultClientSecret, voxio.WithBaseURL(s.URL))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c)

	_, err = voxio.New("", "secret")
	fmt.Println(err)
	// Output:
	// voxio.Client
	// voxio: invalid clientID: required
}

func ExampleMessagesService_Send() {
	s := voxiotest.NewServer()
	defer s.Close()
	c, _ := s.NewClient()
	ctx := context.Background()

	res, err := c.Messages.Send(ctx, voxio.SendMessageParams{
		Recipient: voxio.Recipient{MobileCode: "62", Mobile: "85712345678", FromNumber: voxiotest.DefaultFromNumber},
		Message:   "Your order has shipped 📦",
	})
	switch {
	case errors.Is(err, voxio.ErrMaybeDelivered):
		// The connection failed after the request was written: the customer
		// may have the message. Check the conversation before sending again.
		return
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println(res.Remark, res.ConversationID, res.Message.ID, res.Message.Status)

	// A document, streamed from its reader and checked against the
	// documented types and 100 MB limit before anything is sent.
	doc := &voxio.File{Name: "invoice.pdf", Reader: strings.NewReader("%PDF-1.7 ...")}
	res, err = c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "85712345678"}, Document: doc})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Remark, res.ConversationID, res.Message.ID)

	// Bad input never leaves the process.
	_, err = c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "+62", Mobile: "85712345678"}, Message: "hi"})
	fmt.Println(err)
	// Output:
	// success 1 1 sent
	// success 1 2
	// voxio: invalid mobile_code: must be the numeric country code without the plus (+) sign
}

func ExampleMessagesService_SendTemplate() {
	s := voxiotest.NewServer()
	defer s.Close()
	c, _ := s.NewClient()
	ctx := context.Background()

	res, err := c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{
		Recipient:  voxio.Recipient{MobileCode: "972", Mobile: "521234567"},
		TemplateID: voxiotest.TemplateOrderUpdate,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Remark, res.ConversationID)

	s.SetTemplateBalance(0)
	_, err = c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{
		Recipient:  voxio.Recipient{MobileCode: "972", Mobile: "521234567"},
		TemplateID: voxiotest.TemplateOrderUpdate,
	})
	var e *voxio.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.Code, e.Messages)
	}
	// Output:
	// template_sent 1
	// 200 insufficient_balance [Insufficient template balance.]
}

func ExampleContactsService_Create() {
	s := voxiotest.NewServer()
	defer s.Close()
	c, _ := s.NewClient()

	res, err := c.Contacts.Create(context.Background(), voxio.ContactParams{
		FirstName: "דנה", LastName: "כהן", MobileCode: "972", Mobile: "521234567", City: "תל אביב",
		WhatsAppAccountID: voxiotest.DefaultWhatsAppAccountID,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Contact.ID, res.Contact.FullName(), res.Contact.City)

	// Voxio answers validation errors with HTTP 200; they are still errors.
	_, err = c.Contacts.Create(context.Background(), voxio.ContactParams{FirstName: "Dana", LastName: "Cohen", MobileCode: "972", Mobile: "521234567"})
	var e *voxio.Error
	if errors.As(err, &e) {
		fmt.Println(errors.Is(err, voxio.ErrValidation), e.StatusCode, e.Code, e.Messages)
	}
	// Output:
	// 1 דנה כהן תל אביב
	// true 200 validation_error [The mobile has already been taken.]
}

func ExampleContactsService_ListAll() {
	s := voxiotest.NewServer()
	defer s.Close()
	c, _ := s.NewClient()
	ctx := context.Background()
	for i, name := range []string{"Ana", "Budi", "Citra"} {
		_, _ = c.Contacts.Create(ctx, voxio.ContactParams{FirstName: name, LastName: "Test", MobileCode: "62", Mobile: fmt.Sprint(811000 + i)})
	}

	// Two per page: the iterator fetches page 2 when page 1 is used up and
	// stops after the last page.
	for ct, err := range c.Contacts.ListAll(ctx, &voxio.ContactListParams{Paginate: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ct.ID, ct.FirstName)
	}
	// Output:
	// 3 Citra
	// 2 Budi
	// 1 Ana
}

func ExampleInboxService_ConversationsAll() {
	s := voxiotest.NewServer()
	defer s.Close()
	c, _ := s.NewClient()
	ctx := context.Background()
	res, _ := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "85712345678"}, Message: "Hello"})
	_, _ = c.Inbox.ChangeConversationStatus(ctx, res.ConversationID, voxio.ConversationPending)

	for conv, err := range c.Inbox.ConversationsAll(ctx, &voxio.ConversationListParams{Status: voxio.ConversationPending}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(conv.ID, conv.Status, conv.Contact.Mobile, conv.LastMessage.Text)
	}
	// Output:
	// 1 pending 85712345678 Hello
}

func ExampleNewRelayHandler() {
	s := voxiotest.NewServer()
	defer s.Close()

	// In production the config comes from the Voxio dashboard:
	// voxio.RelayConfig{RelaySecret: os.Getenv("VOXIO_RELAY_SECRET"), ClientID: ..., ClientSecret: ...}
	logRejected := voxio.WithRelayOnError(func(r *http.Request, err error) {
		log.Printf("relay %s: %v", r.URL.Path, err) // never holds a secret, a signature or the body
	})
	h, err := voxio.NewRelayHandler(s.RelayConfig(), func(ctx context.Context, ev voxio.Event) error {
		switch ev := ev.(type) {
		case *voxio.IncomingMessage:
			fmt.Printf("%s from %s: %s\n", ev.EventName(), ev.Contact.Name, ev.Message.Text)
		case *voxio.MessageStatusEvent:
			fmt.Printf("message %d is %s\n", ev.Message.ID, ev.Status)
		default:
			fmt.Printf("%s: %d bytes\n", ev.EventName(), len(ev.Info().Raw()))
		}
		return nil // accepted: Voxio gets 200
	}, logRejected, voxio.WithRelayTimeout(5*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewServer(h) // mux.Handle("POST /hooks/voxio", h) in an application
	defer ts.Close()
	s.SetRelayURL(ts.URL)

	ctx := context.Background()
	if _, err := s.Receive(ctx, voxiotest.Inbound{MobileCode: "62", Mobile: "8123456789", Name: "Customer Name", Text: "Hello"}); err != nil {
		log.Fatal(err)
	}
	c, _ := s.NewClient()
	res, _ := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "8123456789"}, Message: "Hi! How can we help?"})
	if _, err := s.DeliverStatuses(ctx, res.Message.ID); err != nil {
		log.Fatal(err)
	}
	// Output:
	// incoming_message from Customer Name: Hello
	// message 2 is sent
	// message 2 is delivered
	// message 2 is read
}

func ExampleParseEvent() {
	body, _ := os.ReadFile("testdata/relay_incoming_message.json")
	// Only for payloads already verified, e.g. stored by the handler.
	ev, err := voxio.ParseEvent(body, "incoming_message")
	if err != nil {
		log.Fatal(err)
	}
	in := ev.(*voxio.IncomingMessage)
	fmt.Println(in.Conversation.ID, in.Conversation.StatusText, in.Contact.Mobile, in.Message.ProviderMessageID)
	// Output:
	// 101 open 628123456789 wamid.xxx
}
