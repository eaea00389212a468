package switchboard_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
)

// Resolve settles a send that failed with ErrMaybeDelivered: it looks the
// message up at the vendor instead of sending it again blindly.
func ExampleResolve() {
	ctx := context.Background()
	sandbox := ourvoicetest.NewServer() // Our Voice in memory
	defer sandbox.Close()
	client, _ := sandbox.NewClient()
	session, _ := sandbox.ReadySession("")
	s, _ := switchboard.NewOurVoiceSender(client, session)
	to, _ := switchboard.ParsePhone("+229 96 00 00 00")
	m := switchboard.Message{To: to, Text: "Your code is 4242"}

	sandbox.DropResponseNext(1) // Our Voice queues the message, the answer is lost
	since := time.Now()         // note when the send started
	_, err := s.Send(ctx, m)
	if !errors.Is(err, switchboard.ErrMaybeDelivered) {
		fmt.Println("unexpected:", err)
		return
	}
	res, err := switchboard.Resolve(ctx, s, m, since)
	if err != nil {
		fmt.Println("lookup failed, still unknown:", err)
		return
	}
	switch res.Status {
	case switchboard.ResolutionSent:
		fmt.Println("it went out; id matches:", res.Receipt.ID == sandbox.SentMessages()[0].ID)
	case switchboard.ResolutionNotFound:
		fmt.Println("not there: safe to send again")
	default:
		fmt.Println("cannot tell:", res.Evidence)
	}
	// Output:
	// it went out; id matches: true
}
