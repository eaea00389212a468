package ourvoicetest_test

import (
	"context"
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
	fmt.Println(err != nil, len(srv.Messages()), srv.Count("POST", "/v1/whatsapp/messages"))
	// Output:
	// true 1 1
}
