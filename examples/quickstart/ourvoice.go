package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
)

func init() { tours = append(tours, tour{name: "Our Voice", order: 3, run: tourOurVoice}) }

// tourOurVoice links a WhatsApp session by QR code, sends a message to two
// recipients and lists them once delivered, against an in-process sandbox.
func tourOurVoice(ctx context.Context, w io.Writer) error {
	srv := ourvoicetest.NewServer()
	defer srv.Close()
	c, err := ourvoice.New(ourvoicetest.DefaultToken, ourvoice.WithBaseURL(srv.BaseURL()))
	if err != nil {
		return err
	}

	created, err := c.Sessions.Create(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "created session %s: %s, QR code is a %d-byte PNG\n", ourvoiceShortID(created.Session.ID), created.Session.Status, len(created.PNG))

	// A person scans the QR code a moment after it is shown; the sandbox
	// plays that part.
	scanned := make(chan error, 1)
	sess, err := c.Sessions.WaitConnected(ctx, created.Session.ID, &ourvoice.WaitParams{
		Interval: 25 * time.Millisecond,
		OnQRCode: func(qr ourvoice.QRCode) {
			fmt.Fprintln(w, "showing the QR code; waiting for the phone to scan it...")
			go func() {
				time.Sleep(50 * time.Millisecond)
				select { // only the first scan's outcome is reported
				case scanned <- srv.Scan(qr, "22997000000"):
				default:
				}
			}()
		},
	})
	if err != nil {
		return err
	}
	if err := <-scanned; err != nil {
		return err
	}
	fmt.Fprintf(w, "session %s as %s\n", sess.Status, sess.PhoneNumber)

	res, err := c.Messages.Send(ctx, ourvoice.SendMessageParams{
		WhatsAppSessionID: sess.ID,
		ToNumber:          []string{"22996000000", "972501234567"},
		Type:              ourvoice.TypeText,
		Content:           "Hello from Our Voice! שלום 👋",
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "sent: %d messages %s, cost %g, balance %g (%d messages left)\n",
		res.Count, res.Messages[0].Status, res.TotalCost, res.NewBalance, res.RemainingMessages)

	srv.Advance(5 * time.Second) // sandbox time: the messages go out and arrive
	fmt.Fprintln(w, "delivered messages:")
	for m, err := range c.Messages.ListAll(ctx, &ourvoice.ListMessagesParams{
		Status:    ourvoice.MessageDelivered,
		Direction: ourvoice.DirectionOutgoing,
		SessionID: sess.ID,
	}) {
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  to %s: %q %s\n", m.ToNumber[0], m.Content, m.Status)
	}
	return nil
}

func ourvoiceShortID(id string) string {
	if len(id) > 8 {
		return id[:8] + "…"
	}
	return id
}
