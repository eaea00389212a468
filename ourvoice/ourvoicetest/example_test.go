package ourvoicetest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
)

func ExampleNewServer() {
	srv := ourvoicetest.NewServer(ourvoicetest.WithBalance(100))
	defer srv.Close()
	c, err := srv.NewClient() // or ourvoice.New(token, ourvoice.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	created, _ := c.Sessions.Create(ctx)
	_ = srv.Scan(created.QRCode, "22997000000") // the test "scans" the QR code
	res, err := c.Messages.Send(ctx, ourvoice.SendMessageParams{
		WhatsAppSessionID: created.Session.ID, ToNumber: []string{"22996000000"}, Type: ourvoice.TypeText, Content: "hi",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Messages[0].Status, res.NewBalance)

	srv.Advance(10 * time.Second) // time passes only for the sandbox
	m, _ := c.Messages.Get(ctx, res.Messages[0].ID)
	fmt.Println(m.Status)
	// Output:
	// queued 90
	// read
}

func ExampleServer_DropResponseNext() {
	srv := ourvoicetest.NewServer()
	defer srv.Close()
	c, _ := srv.NewClient()
	ctx := context.Background()
	created, _ := c.Sessions.Create(ctx)
	_ = srv.Connect(created.Session.ID, "22997000000")

	// Our Voice queues the message, then the answer is lost.
	srv.DropResponseNext(1)
	_, err := c.Messages.Send(ctx, ourvoice.SendMessageParams{
		WhatsAppSessionID: created.Session.ID, ToNumber: []string{"22996000000"}, Type: ourvoice.TypeText, Content: "hi",
	})
	fmt.Println(err != nil, len(srv.SentMessages()), srv.Count("POST", "/v1/whatsapp/messages"))
	// Output:
	// true 1 1
}

func ExampleServer_ReadySession() {
	srv := ourvoicetest.NewServer()
	defer srv.Close()
	c, _ := srv.NewClient()

	id, _ := srv.ReadySession("") // a connected session, no QR code to scan
	res, err := c.Messages.Send(context.Background(), ourvoice.SendMessageParams{
		WhatsAppSessionID: id, ToNumber: []string{"22996000000"}, Type: ourvoice.TypeText, Content: "שלום 👋",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Messages[0].FromNumber, res.Messages[0].Status)
	for _, m := range srv.SentMessages() {
		fmt.Println(m.To, m.Content)
	}
	// Output:
	// 22997000000 queued
	// 22996000000 שלום 👋
}

// The Our Voice docs name fixed ids; seeding them makes the docs' requests
// work against the sandbox.
func ExampleServer_SeedSession() {
	srv := ourvoicetest.NewServer()
	defer srv.Close()
	c, _ := srv.NewClient()
	const session = "a3f1b2c4-1234-4abc-9def-000011112222"
	_ = srv.SeedSession(ourvoicetest.SessionSeed{ID: session, Status: ourvoice.SessionConnected, PhoneNumber: "22997000000"})
	_ = srv.SeedMessage(ourvoicetest.MessageSeed{
		ID: "7f9e1234-abcd-4ef0-8765-aabbccddeeff", SessionID: session, To: "22996000000",
		Content: "Hello from Our Voice!", Status: ourvoice.MessageDelivered,
	})

	// GET /v1/whatsapp/messages/7f9e1234-abcd-4ef0-8765-aabbccddeeff
	m, err := c.Messages.Get(context.Background(), "7f9e1234-abcd-4ef0-8765-aabbccddeeff")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.WhatsAppSessionID, m.Status, m.Content)
	// Output:
	// a3f1b2c4-1234-4abc-9def-000011112222 delivered Hello from Our Voice!
}

func ExampleServer_FailNextError() {
	srv := ourvoicetest.NewServer()
	defer srv.Close()
	c, _ := srv.NewClient()
	id, _ := srv.ReadySession("")

	_ = srv.FailNextError(1, ourvoicetest.CodeSessionNotConnected)
	_, err := c.Messages.Send(context.Background(), ourvoice.SendMessageParams{
		WhatsAppSessionID: id, ToNumber: []string{"22996000000"}, Type: ourvoice.TypeText, Content: "hi",
	})
	var e *ourvoice.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, errors.Is(err, ourvoice.ErrValidation))
		fmt.Println(e.Fields["whatsapp_session_id"][0])
	}
	// Output:
	// 422 true
	// The WhatsApp session is not connected (status: disconnected).
}

func ExampleServer_Receive() {
	srv := ourvoicetest.NewServer()
	defer srv.Close()
	c, _ := srv.NewClient()
	ctx := context.Background()
	id, _ := srv.ReadySession("")

	// Our Voice sends no webhooks: an incoming message shows up in the
	// session's message lists.
	_, _ = srv.Receive(ctx, ourvoicetest.Inbound{SessionID: id, From: "972501234567", Content: "תודה רבה! 🙏"})
	page, err := c.Messages.ListBySession(ctx, id, &ourvoice.ListMessagesParams{Direction: ourvoice.DirectionIncoming})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range page.Messages {
		fmt.Println(m.FromNumber, m.Content)
	}
	// Output:
	// 972501234567 תודה רבה! 🙏
}
