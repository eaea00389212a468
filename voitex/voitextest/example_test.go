package voitextest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/switchboard-go/switchboard/relay"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
)

// Example tests code that sends through Voitex: the sandbox keeps what it
// received, and a lost answer shows why a send is never repeated.
func Example() {
	s := voitextest.NewServer()
	defer s.Close()
	c, err := s.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	_, err = c.SMS.Send(ctx, voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "Your code is 4411"})
	if err != nil {
		log.Fatal(err)
	}

	// Voitex sends the next SMS, but its answer is lost on the way back.
	s.DropResponseNext(1)
	_, err = c.SMS.Send(ctx, voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "Your order shipped"})
	fmt.Println(errors.Is(err, voitex.ErrMaybeDelivered))

	for _, m := range s.SentSMS() {
		fmt.Println(m.To, m.Body)
	}
	// Output:
	// true
	// 8451234567 Your code is 4411
	// 8451234567 Your order shipped
}

func ExampleSimulator() {
	s := voitextest.NewServer()
	defer s.Close()
	guard, err := relay.SecretToken(relay.QueryToken("token"), []string{"a-long-random-url-token"})
	if err != nil {
		log.Fatal(err)
	}
	h, err := voitex.NewBranchHandler(guard, func(ctx context.Context, call *voitex.BranchRequest) (*voitex.BranchResponse, error) {
		if call.LastInput() == "" {
			return voitex.NewBranchResponse().PlayTTS("Enter your account number").AnyInput("100"), nil
		}
		return voitex.Goto("300").SetVariable("account", call.LastInput()), nil
	})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	res, err := s.Simulator(srv.URL+"?token=a-long-random-url-token", "100").
		Run(context.Background(), voitextest.Call{CID: "8459511000", Keys: []string{"12345#"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(res.Transcript())
	fmt.Println(res.Variables["account"])
	// Output:
	// branch 100: [tts: Enter your account number] pressed "12345#" -> 100
	// branch 100: -> 300
	// outcome: goto at branch 300
	// 12345#
}

// ExampleServer_FailNextError makes the next send fail the way Voitex
// reports a bad Auth-Key, in its own envelope.
func ExampleServer_FailNextError() {
	s := voitextest.NewServer()
	defer s.Close()
	c, err := s.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	if err := s.FailNextError(1, voitex.CodeUnauthorized); err != nil {
		log.Fatal(err)
	}
	_, err = c.SMS.Send(context.Background(), voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "hi"})
	fmt.Println(errors.Is(err, voitex.ErrUnauthorized), len(s.SentSMS()))
	// Output: true 0
}

// ExampleServer_Receive sends one API Branch request, from a caller the
// sandbox knows, to a handler.
func ExampleServer_Receive() {
	s := voitextest.NewServer()
	defer s.Close()
	err := s.SeedContact(voitextest.Contact{
		Phones: []voitex.ContactPhone{{Phone: "7325550184", Type: voitex.PhoneMobile}},
		Fields: map[string]string{"first_name": "Dana"},
	})
	if err != nil {
		log.Fatal(err)
	}
	guard, err := relay.SecretToken(relay.QueryToken("token"), []string{"a-long-random-url-token"})
	if err != nil {
		log.Fatal(err)
	}
	h, err := voitex.NewBranchHandler(guard, func(ctx context.Context, call *voitex.BranchRequest) (*voitex.BranchResponse, error) {
		return voitex.NewBranchResponse().PlayTTS("Hello " + call.Contact.FirstName).AnyInput("200"), nil
	})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	d, err := s.Receive(context.Background(), voitextest.Inbound{URL: srv.URL + "?token=a-long-random-url-token", CID: "7325550184"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.StatusCode, d.Reply.Play[0].Text, d.Reply.Inputs["%"])
	// Output: 200 Hello Dana 200
}
