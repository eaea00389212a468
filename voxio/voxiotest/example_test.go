package voxiotest_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// The main flow of a test that uses the sandbox: start it, point a client
// at it, exercise the code under test, and check the state Voxio would
// hold — including what happens when the answer to a send is lost.
func Example() {
	srv := voxiotest.NewServer()
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	to := voxio.Recipient{MobileCode: "972", Mobile: "501234567"}

	res, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: to, Message: "שלום 👋"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("sent message", res.Message.ID, "status", res.Message.Status)

	// Voxio acts on the next send, then the connection drops before the
	// answer: the SDK does not retry and says so.
	srv.DropResponseNext(1)
	_, err = c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: to, Message: "second"})
	fmt.Println("maybe delivered:", errors.Is(err, voxio.ErrMaybeDelivered))
	fmt.Println("messages Voxio holds:", len(srv.SentMessages()))

	// Voxio's own failures come back as typed errors, even inside HTTP 200.
	_, err = c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "972", Mobile: "501234567", WhatsAppAccountID: 999}, Message: "x"})
	var e *voxio.Error
	fmt.Println("vendor error:", errors.As(err, &e))
	// Output:
	// sent message 1 status sent
	// maybe delivered: true
	// messages Voxio holds: 2
	// vendor error: true
}

// Voxio's own failures, in its envelope, so a test can check how the code
// under test handles each one.
func ExampleServer_FailNextError() {
	srv := voxiotest.NewServer()
	defer srv.Close()
	c, _ := srv.NewClient()
	if err := srv.FailNextError(1, voxiotest.CodeInsufficientBalance); err != nil {
		log.Fatal(err)
	}
	_, err := c.Messages.SendTemplate(context.Background(), voxio.SendTemplateParams{
		Recipient:  voxio.Recipient{MobileCode: "972", Mobile: "501234567"},
		TemplateID: voxiotest.TemplateWelcome,
	})
	var e *voxio.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.Code, errors.Is(err, voxio.ErrInsufficientBalance))
	}
	fmt.Println("sent:", len(srv.SentMessages()))
	// Output:
	// 200 insufficient_balance true
	// sent: 0
}

// The docs' requests name fixed ids (conversation 2): seed them, and the
// requests work as written.
func ExampleServer_SeedConversation() {
	srv := voxiotest.NewServer()
	defer srv.Close()
	_ = srv.SeedContact(voxiotest.Contact{ID: 55, FirstName: "Customer", LastName: "Name", MobileCode: "62", Mobile: "8123456789"})
	_ = srv.SeedConversation(voxiotest.Conversation{ID: 2, ContactID: 55})
	c, _ := srv.NewClient()
	ctx := context.Background()

	if _, err := c.Inbox.ChangeConversationStatus(ctx, 2, voxio.ConversationDone); err != nil {
		log.Fatal(err)
	}
	d, err := c.Inbox.ConversationDetails(ctx, 2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Conversation.ID, d.Conversation.Status, d.Contact.FullName())
	// Output:
	// 2 done Customer Name
}
