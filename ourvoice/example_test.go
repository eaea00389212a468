package ourvoice_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
)

// A fixed sandbox clock keeps the examples' output deterministic.
func sandbox() (*ourvoicetest.Server, *ourvoice.Client) {
	start := time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)
	srv := ourvoicetest.NewServer(ourvoicetest.WithClock(func() time.Time { return start }))
	c, err := ourvoice.New(ourvoicetest.DefaultToken, ourvoice.WithBaseURL(srv.BaseURL()))
	if err != nil {
		panic(err)
	}
	return srv, c
}

func ExampleNew() {
	c, err := ourvoice.New("your-api-token")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c) // never prints the token

	_, err = ourvoice.New("  ")
	fmt.Println(err)
	// Output:
	// ourvoice.Client
	// switchboard: invalid token: required
}

func ExampleSessionsService_Create() {
	srv, c := sandbox()
	defer srv.Close()
	ctx := context.Background()

	created, err := c.Sessions.Create(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("status:", created.Session.Status)
	fmt.Println("QR code is a PNG:", created.PNG != nil)
	// Output:
	// status: pending
	// QR code is a PNG: true
}

func ExampleSessionsService_WaitConnected() {
	srv, c := sandbox()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	created, err := c.Sessions.Create(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Show the first code, then wait; in the sandbox, "scan" it.
	show := func(qr ourvoice.QRCode) {
		if _, err := qr.PNG(); err == nil {
			fmt.Println("scan this QR code with WhatsApp") // display the PNG
		}
		_ = srv.Scan(qr, "22997000000")
	}
	show(created.QRCode)
	sess, err := c.Sessions.WaitConnected(ctx, created.Session.ID, &ourvoice.WaitParams{
		ShownQRCode: created.QRCode,
		OnQRCode:    show,
		Interval:    10 * time.Millisecond,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sess.Status, sess.PhoneNumber)
	// Output:
	// scan this QR code with WhatsApp
	// connected 22997000000
}

func ExampleMessagesService_Send() {
	srv, c := sandbox()
	defer srv.Close()
	ctx := context.Background()
	created, _ := c.Sessions.Create(ctx)
	_ = srv.Connect(created.Session.ID, "22997000000")

	res, err := c.Messages.Send(ctx, &ourvoice.SendParams{
		WhatsAppSessionID: created.Session.ID,
		ToNumber:          []string{"22996000000", "22961000000"},
		Type:              ourvoice.TypeText,
		Content:           "Hello from Our Voice! שלום 👋",
	})
	switch {
	case errors.Is(err, ourvoice.ErrMaybeDelivered):
		fmt.Println("the answer was lost: list the messages before sending again")
		return
	case err != nil:
		fmt.Println(err)
		return
	}
	for _, m := range res.Messages {
		fmt.Println(m.ToNumber[0], m.Status)
	}
	fmt.Printf("cost %g, balance %g, %d messages left\n", res.TotalCost, res.NewBalance, res.RemainingMessages)
	// Output:
	// 22996000000 queued
	// 22961000000 queued
	// cost 20, balance 4980, 498 messages left
}

func ExampleMessagesService_ListAll() {
	srv, c := sandbox()
	defer srv.Close()
	ctx := context.Background()
	created, _ := c.Sessions.Create(ctx)
	_ = srv.Connect(created.Session.ID, "22997000000")
	for _, to := range []string{"22996000001", "22996000002", "22996000003"} {
		_, _ = c.Messages.Send(ctx, &ourvoice.SendParams{WhatsAppSessionID: created.Session.ID, ToNumber: []string{to}, Type: ourvoice.TypeText, Content: "hi"})
	}
	srv.Advance(4 * time.Second) // sent, then delivered

	for m, err := range c.Messages.ListAll(ctx, &ourvoice.ListMessagesParams{
		Status:    ourvoice.MessageDelivered,
		Direction: ourvoice.DirectionOutgoing,
		Limit:     2, // two per page: the iterator fetches the second page itself
	}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(m.ToNumber[0], m.Status, m.DeliveredAt.Format(time.TimeOnly))
	}
	// Output:
	// 22996000003 delivered 10:30:03
	// 22996000002 delivered 10:30:03
	// 22996000001 delivered 10:30:03
}

func ExampleError() {
	srv, c := sandbox()
	defer srv.Close()
	created, _ := c.Sessions.Create(context.Background())

	// The session is still pending: Our Voice refuses the send with 422.
	_, err := c.Messages.Send(context.Background(), &ourvoice.SendParams{
		WhatsAppSessionID: created.Session.ID, ToNumber: []string{"22996000000"}, Type: ourvoice.TypeText, Content: "hi",
	})
	var e *ourvoice.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, errors.Is(err, ourvoice.ErrValidation))
		fmt.Println(e.Fields["whatsapp_session_id"][0])
	}
	// Output:
	// 422 true
	// The WhatsApp session is not connected (status: pending).
}
