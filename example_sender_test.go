package switchboard_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-go/switchboard"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
)

// A Sender from a Chattu client: the service sends through the interface,
// and only the line that builds it names the vendor.
func ExampleSender() {
	ctx := context.Background()
	sandbox := chattutest.NewServer() // Chattu in memory; use chattu.New in production
	defer sandbox.Close()
	client, _ := sandbox.NewClient()
	clientID, _ := sandbox.ReadyClient("972501234567") // a linked WhatsApp number

	var s switchboard.Sender
	s, err := switchboard.NewChattuSender(client, clientID)
	if err != nil {
		fmt.Println(err)
		return
	}
	to, err := switchboard.ParsePhone("+972 52-123-4567")
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := s.Send(ctx, switchboard.Message{To: to, Text: "שלום"})
	switch {
	case errors.Is(err, switchboard.ErrMaybeDelivered):
		fmt.Println("may have gone out: look it up before sending again")
	case err != nil:
		fmt.Println("not sent:", err)
	default:
		fmt.Println("sent through", r.Provider, "with an id:", r.ID != "")
	}
	fmt.Println("Chattu sent it to", sandbox.SentMessages()[0].Recipient)

	// A number the vendor cannot reach is refused before anything is sent.
	_, err = s.Send(ctx, switchboard.Message{Text: "no recipient"})
	fmt.Println(errors.Is(err, switchboard.ErrValidation), err)
	// Output:
	// sent through chattu with an id: true
	// Chattu sent it to 972521234567
	// true chattu: invalid to: required: a phone number built with ParsePhone
}
