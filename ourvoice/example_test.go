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
	// ourvoice: invalid token: required
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

	res, err := c.Messages.Send(ctx, ourvoice.SendMessageParams{
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
		_, _ = c.Messages.Send(ctx, ourvoice.SendMessageParams{WhatsAppSessionID: created.Session.ID, ToNumber: []string{to}, Type: ourvoice.TypeText, Content: "hi"})
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
	_, err := c.Messages.Send(context.Background(), ourvoice.SendMessageParams{
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

// Example is the main flow: link a WhatsApp account by QR code, send a
// message to two recipients, and list the ones that arrived.
func Example() {
	srv, c := sandbox() // in production: ourvoice.New(os.Getenv("OURVOICE_TOKEN"))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	created, err := c.Sessions.Create(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("session", created.Session.Status, "- QR code PNG:", created.PNG != nil)

	// Show each QR code to the person linking the phone; here the sandbox
	// plays the phone and scans it.
	sess, err := c.Sessions.WaitConnected(ctx, created.Session.ID, &ourvoice.WaitParams{
		Interval: 10 * time.Millisecond,
		OnQRCode: func(qr ourvoice.QRCode) { _ = srv.Scan(qr, "22997000000") },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("session", sess.Status, "as", sess.PhoneNumber)

	res, err := c.Messages.Send(ctx, ourvoice.SendMessageParams{
		WhatsAppSessionID: sess.ID,
		ToNumber:          []string{"22996000000", "972501234567"},
		Type:              ourvoice.TypeText,
		Content:           "Hello from Our Voice! שלום 👋",
	})
	if err != nil {
		// errors.Is(err, ourvoice.ErrMaybeDelivered): look before resending.
		fmt.Println(err)
		return
	}
	fmt.Println("queued", res.Count, "messages, balance", res.NewBalance)

	srv.Advance(5 * time.Second) // sandbox time: the messages go out and arrive
	for m, err := range c.Messages.ListAll(ctx, &ourvoice.ListMessagesParams{
		SessionID: sess.ID,
		Status:    ourvoice.MessageDelivered,
	}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(m.ToNumber[0], m.Status, m.DeliveredAt.Format(time.TimeOnly))
	}
	// Output:
	// session pending - QR code PNG: true
	// session connected as 22997000000
	// queued 2 messages, balance 4980
	// 972501234567 delivered 10:30:03
	// 22996000000 delivered 10:30:03
}

func ExampleSessionsService_List() {
	srv, c := sandbox()
	defer srv.Close()
	ctx := context.Background()
	a, _ := c.Sessions.Create(ctx)
	_, _ = c.Sessions.Create(ctx)
	_ = srv.Connect(a.Session.ID, "22997000000")

	list, err := c.Sessions.List(ctx, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range list.Sessions {
		fmt.Printf("%s %q\n", s.Status, s.PhoneNumber)
	}
	// Output:
	// connected "22997000000"
	// pending ""
}

func ExampleSessionsService_Get() {
	srv, c := sandbox()
	defer srv.Close()
	ctx := context.Background()
	created, _ := c.Sessions.Create(ctx)
	_ = srv.Ban(created.Session.ID, "Reported as spam")

	s, err := c.Sessions.Get(ctx, created.Session.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Status, s.Status.Terminal(), s.Reason)

	_, err = c.Sessions.Get(ctx, "00000000-0000-4000-8000-000000000000")
	fmt.Println(errors.Is(err, ourvoice.ErrNotFound))
	// Output:
	// banned true Reported as spam
	// true
}

func ExampleSessionsService_QRCode() {
	srv, c := sandbox()
	defer srv.Close()
	ctx := context.Background()
	created, _ := c.Sessions.Create(ctx)

	srv.Advance(30 * time.Second) // WhatsApp rotates the code while pending
	qr, err := c.Sessions.QRCode(ctx, created.Session.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("new code:", qr.QRCode != created.QRCode, "PNG:", qr.PNG != nil)

	// Once connected there is no code to show.
	_ = srv.Scan(qr.QRCode, "22997000000")
	_, err = c.Sessions.QRCode(ctx, created.Session.ID)
	var e *ourvoice.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.Messages[0])
	}
	// Output:
	// new code: true PNG: true
	// 400 QR code is only available for pending sessions (session is connected).
}

func ExampleSessionsService_Disconnect() {
	srv, c := sandbox()
	defer srv.Close()
	ctx := context.Background()
	created, _ := c.Sessions.Create(ctx)
	_ = srv.Connect(created.Session.ID, "22997000000")

	res, err := c.Sessions.Disconnect(ctx, created.Session.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Message)
	fmt.Println(res.Session.Status, res.Session.Reason)
	// Output:
	// Session disconnected successfully.
	// disconnected Disconnected by user
}

func ExampleSessionsService_Reconnect() {
	srv, c := sandbox()
	defer srv.Close()
	ctx := context.Background()
	created, _ := c.Sessions.Create(ctx)
	_ = srv.Connect(created.Session.ID, "22997000000")
	_ = srv.Unlink(created.Session.ID, "Logged out from the phone")

	res, err := c.Sessions.Reconnect(ctx, created.Session.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Back to pending: show res.PNG, then WaitConnected with
	// ShownQRCode: res.QRCode.
	fmt.Println(res.Session.Status, "QR code PNG:", res.PNG != nil)
	// Output:
	// pending QR code PNG: true
}

func ExampleSessionsService_Delete() {
	srv, c := sandbox()
	defer srv.Close()
	ctx := context.Background()
	created, _ := c.Sessions.Create(ctx)

	res, err := c.Sessions.Delete(ctx, created.Session.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Message)
	_, err = c.Sessions.Get(ctx, created.Session.ID)
	fmt.Println("gone:", errors.Is(err, ourvoice.ErrNotFound))
	// Output:
	// Session deleted successfully.
	// gone: true
}

func ExampleMessagesService_List() {
	srv, c := sandbox()
	defer srv.Close()
	ctx := context.Background()
	created, _ := c.Sessions.Create(ctx)
	_ = srv.Connect(created.Session.ID, "22997000000")
	_, _ = c.Messages.Send(ctx, ourvoice.SendMessageParams{
		WhatsAppSessionID: created.Session.ID, ToNumber: []string{"22996000001", "22996000002", "22996000003"},
		Type: ourvoice.TypeText, Content: "hi", DelayBetween: ourvoice.Delay(0),
	})
	srv.Advance(3 * time.Second)

	// GET /whatsapp/messages?filter[to_number][]=22996000001&filter[to_number][]=22996000003
	//     &filter[status]=delivered&filter[direction]=outgoing&limit=10
	page, err := c.Messages.List(ctx, &ourvoice.ListMessagesParams{
		ToNumber:  []string{"22996000001", "22996000003"},
		Status:    ourvoice.MessageDelivered,
		Direction: ourvoice.DirectionOutgoing,
		Limit:     10,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range page.Messages {
		fmt.Println(m.ToNumber[0], m.Status)
	}
	fmt.Println("page", page.Meta.CurrentPage, "of", page.Meta.LastPage, "more:", page.HasMore())
	// Output:
	// 22996000003 delivered
	// 22996000001 delivered
	// page 1 of 1 more: false
}

func ExampleMessagesService_ListBySession() {
	srv, c := sandbox()
	defer srv.Close()
	ctx := context.Background()
	created, _ := c.Sessions.Create(ctx)
	_ = srv.Connect(created.Session.ID, "22997000000")
	_, _ = srv.Receive(ctx, ourvoicetest.Inbound{SessionID: created.Session.ID, From: "972501234567", Content: "תודה רבה! 🙏"})

	// The gateway's session_id names the session as well as its uuid.
	page, err := c.Messages.ListBySession(ctx, created.Session.SessionID, &ourvoice.ListMessagesParams{Direction: ourvoice.DirectionIncoming})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range page.Messages {
		fmt.Println(m.FromNumber, m.Direction, m.Content)
	}
	// Output:
	// 972501234567 incoming תודה רבה! 🙏
}

func ExampleMessagesService_Get() {
	srv, c := sandbox()
	defer srv.Close()
	ctx := context.Background()
	created, _ := c.Sessions.Create(ctx)
	_ = srv.Connect(created.Session.ID, "22997000000")
	res, _ := c.Messages.Send(ctx, ourvoice.SendMessageParams{
		WhatsAppSessionID: created.Session.ID, ToNumber: []string{"22996000000"}, Type: ourvoice.TypeText, Content: "hi",
	})

	// Follow the message as it moves on.
	for _, wait := range []time.Duration{0, time.Second, 2 * time.Second, 5 * time.Second} {
		srv.Advance(wait)
		m, err := c.Messages.Get(ctx, res.Messages[0].ID)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(m.Status)
	}
	// Output:
	// queued
	// sent
	// delivered
	// read
}
