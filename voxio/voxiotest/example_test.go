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
	fmt.Println("messages Voxio holds:", len(srv.Messages()))

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
