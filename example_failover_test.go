package switchboard_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-go/switchboard"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// A Failover sends through Voxio and falls back to Our Voice only when Voxio
// provably sent nothing; a send Voxio may have made stops it.
func ExampleFailover() {
	ctx := context.Background()
	vx := voxiotest.NewServer() // the vendors in memory
	defer vx.Close()
	ov := ourvoicetest.NewServer()
	defer ov.Close()

	vc, _ := vx.NewClient()
	primary, _ := switchboard.NewVoxioSender(vc, voxiotest.DefaultWhatsAppAccountID)
	oc, _ := ov.NewClient()
	session, _ := ov.ReadySession("")
	fallback, _ := switchboard.NewOurVoiceSender(oc, session)

	f, err := switchboard.NewFailover([]switchboard.Sender{primary, fallback},
		switchboard.WithAttemptHook(func(_ context.Context, a switchboard.Attempt) {
			fmt.Printf("  %s: %s (%s)\n", a.Provider, a.Outcome, a.Reason) // or log, count
		}))
	if err != nil {
		fmt.Println(err)
		return
	}
	to, _ := switchboard.ParsePhone("+1 212 555 0143")
	m := switchboard.Message{To: to, Text: "Your order #1042 has shipped"}

	fmt.Println("Voxio refuses the server's IP address:")
	vx.SetIPWhitelisted(false)
	r, err := f.Send(ctx, m)
	if err == nil {
		fmt.Println("sent through", r.Provider, "after", len(r.Trail)-1, "refusal")
	}

	fmt.Println("Voxio sends, then the connection drops before its answer:")
	vx.SetIPWhitelisted(true)
	vx.DropResponseNext(1)
	_, err = f.Send(ctx, m)
	var fe *switchboard.FailoverError
	if errors.As(err, &fe) && errors.Is(err, switchboard.ErrMaybeDelivered) {
		a, _ := fe.MaybeDeliveredBy()
		fmt.Println("stopped:", a.Provider, "may have sent it; Our Voice sent", len(ov.SentMessages()), "in all")
	}
	// Output:
	// Voxio refuses the server's IP address:
	//   voxio: not sent (the vendor refused it (HTTP 200, Unauthorized), so moved on)
	//   ourvoice: sent (accepted)
	// sent through ourvoice after 1 refusal
	// Voxio sends, then the connection drops before its answer:
	//   voxio: maybe delivered (the connection failed after the request was written)
	// stopped: voxio may have sent it; Our Voice sent 1 in all
}

// With WithResolve, a Failover looks a maybe-delivered send up before giving
// up on it: found is a success, not found moves on.
func ExampleWithResolve() {
	ctx := context.Background()
	vx := voxiotest.NewServer()
	defer vx.Close()
	ov := ourvoicetest.NewServer()
	defer ov.Close()
	vc, _ := vx.NewClient()
	primary, _ := switchboard.NewVoxioSender(vc, voxiotest.DefaultWhatsAppAccountID)
	oc, _ := ov.NewClient()
	session, _ := ov.ReadySession("")
	fallback, _ := switchboard.NewOurVoiceSender(oc, session)
	f, _ := switchboard.NewFailover([]switchboard.Sender{primary, fallback}, switchboard.WithResolve(0))
	to, _ := switchboard.ParsePhone("+1 212 555 0143")

	vx.DropResponseNext(1) // Voxio sends, the answer is lost
	r, err := f.Send(ctx, switchboard.Message{To: to, Text: "first"})
	if err == nil {
		fmt.Println(r.Provider, r.Trail[0].Resolution.Status, "- id", r.ID)
	}

	vx.DropNext(1) // the connection drops before Voxio acts
	r, err = f.Send(ctx, switchboard.Message{To: to, Text: "second"})
	if err == nil {
		fmt.Println(r.Trail[0].Provider, r.Trail[0].Resolution.Status, "- sent through", r.Provider)
	}
	fmt.Println("Voxio sent", len(vx.SentMessages()), "and Our Voice", len(ov.SentMessages()))
	// Output:
	// voxio sent - id 1
	// voxio not found - sent through ourvoice
	// Voxio sent 1 and Our Voice 1
}
