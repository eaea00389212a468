package voitex_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/relay"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
)

// newSandbox starts a sandbox with a fixed clock and returns a client for it.
func newSandbox() (*voitextest.Server, *voitex.Client) {
	s := voitextest.NewServer(voitextest.WithClock(func() time.Time { return time.Date(2026, 6, 24, 15, 30, 0, 0, time.UTC) }))
	c, err := voitex.New(voitextest.DefaultAuthKey, voitex.WithBaseURL(s.URL))
	if err != nil {
		log.Fatal(err)
	}
	return s, c
}

// Example is the main flow: a recording made from text, a contact put on a
// label, and a notification call to everyone on that label playing the
// recording, with the failure that must not be retried told apart.
func Example() {
	// A sandbox stands in for Voitex here; in production use
	// voitex.New(os.Getenv("VOITEX_AUTH_KEY")).
	s, c := newSandbox()
	defer s.Close()
	ctx := context.Background()

	rec, err := c.Recordings.CreateTTS(ctx, voitex.TTSParams{AlbumNumber: 1, Text: "Your order is ready for pickup."})
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"7325550184"}, FirstName: "Dana", Label: 2})
	if errors.Is(err, voitex.ErrPhoneInUse) {
		err = nil // already a contact
	}
	if err != nil {
		log.Fatal(err)
	}

	res, err := c.Notify.Send(ctx, voitex.NotifyParams{
		Type:     voitex.NotifyCall,
		CID:      "8459511000",
		Labels:   []int{2},
		CallType: voitex.CallStream,
		SFileID:  rec.ID,
	})
	switch {
	case errors.Is(err, voitex.ErrMaybeDelivered):
		// The calls may be ringing already: check before sending again.
		log.Fatal(err)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println("recording", rec.ID)
	fmt.Println(res.Status, res.GroupID, res.Summary.Mode, res.Summary.RecipientEstimate)
	// Output:
	// recording 918357
	// success G2606241530002 label 1
}

func ExampleNew() {
	s := voitextest.NewServer()
	defer s.Close()
	// In production: voitex.New(os.Getenv("VOITEX_AUTH_KEY")).
	c, err := voitex.New(voitextest.DefaultAuthKey, voitex.WithBaseURL(s.URL))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c) // never prints the key
	_, err = voitex.New("")
	fmt.Println(err)
	// Output:
	// voitex.Client
	// voitex: invalid authKey: required
}

func ExampleRecordingsService_CreateTTS() {
	s, c := newSandbox()
	defer s.Close()
	rec, err := c.Recordings.CreateTTS(context.Background(), voitex.TTSParams{AlbumNumber: 1, SortNumber: 15, Text: "This is a test recording created by the TTS API."})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("recording id:", rec.ID)
	// Output: recording id: 918357
}

func ExampleRecordingsService_Upload() {
	s, c := newSandbox()
	defer s.Close()
	f, err := voitex.OpenFile("testdata/hello.wav")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Reader.(interface{ Close() error }).Close()
	rec, err := c.Recordings.Upload(context.Background(), voitex.UploadParams{AlbumNumber: 1, SortNumber: 5, File: f, DisplayName: "Example Recording"})
	if err != nil {
		log.Fatal(err)
	}
	r, _ := s.Recording(1, 5)
	fmt.Println(rec.ID, r.FileName, r.Size)
	// Output: 918357 hello.wav 44
}

func ExampleCallsService_Send() {
	s, c := newSandbox()
	defer s.Close()
	call, err := c.Calls.Send(context.Background(), voitex.CallParams{
		CID: "8459511000", To: "8455009999", Type: voitex.CallGoto, RouteNumber: "8459511000", BranchNumber: "5",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(call.ReferenceID) > 0)
	// Output: true
}

func ExampleSMSService_Send() {
	s, c := newSandbox()
	defer s.Close()
	sms, err := c.SMS.Send(context.Background(), voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "שלום! Your order shipped 📦"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sms.To, sms.DIDType, sms.Body)
	// Output: 8451234567 TN שלום! Your order shipped 📦
}

func ExampleContactsService_Update() {
	s, c := newSandbox()
	defer s.Close()
	ctx := context.Background()
	_, _ = c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"7325550184"}, FirstName: "John", LastName: "Doe"})
	_, _ = c.Contacts.Update(ctx, voitex.UpdateContactParams{Phone: "7325550184", Email: voitex.String("john.doe@example.com"), Notes: voitex.String("VIP")})

	// Change the email, clear the notes, leave everything else alone, add a
	// mobile phone and two labels.
	_, err := c.Contacts.Update(ctx, voitex.UpdateContactParams{
		Phone:        "7325550184",
		Email:        voitex.String("john@example.org"),
		Notes:        voitex.String(""),
		AddPhone:     "6465557729",
		AddPhoneType: voitex.PhoneMobile,
		AddLabels:    []int{2, 3},
	})
	if err != nil {
		log.Fatal(err)
	}
	got, err := c.Contacts.Select(ctx, voitex.SelectContactParams{Phone: "6465557729"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %s <%s> notes=%q phones=%v labels=%v\n", got.FirstName, got.LastName, got.Email, got.Notes, got.Phones, got.Labels)

	_, err = c.Contacts.Update(ctx, voitex.UpdateContactParams{Phone: "7325550184", RemovePhone: "6465557729"})
	fmt.Println(err == nil)
	_, err = c.Contacts.Update(ctx, voitex.UpdateContactParams{Phone: "7325550184", RemovePhone: "7325550184"})
	fmt.Println(errors.Is(err, voitex.ErrLastPhone))
	// Output:
	// John Doe <john@example.org> notes="" phones=[{7325550184 H} {6465557729 M}] labels=[2 3]
	// true
	// true
}

func ExampleContactsService_Select() {
	s, c := newSandbox()
	defer s.Close()
	ctx := context.Background()
	_, err := c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"7325550184", "6465557729"}, PhoneType: voitex.PhoneMobile, FirstName: "יעל", Label: 3})
	if err != nil {
		log.Fatal(err)
	}
	got, err := c.Contacts.Select(ctx, voitex.SelectContactParams{Phone: "6465557729"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.FirstName, got.Phones, got.Labels)

	_, err = c.Contacts.Select(ctx, voitex.SelectContactParams{Phone: "2015550123"})
	fmt.Println(errors.Is(err, voitex.ErrContactNotFound), errors.Is(err, voitex.ErrNotFound))
	// Output:
	// יעל [{7325550184 M} {6465557729 M}] [3]
	// true true
}

func ExampleContactsService_Create() {
	s, c := newSandbox()
	defer s.Close()
	ctx := context.Background()
	res, err := c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"7325550184"}, FirstName: "John", LastName: "Doe", Label: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Message)
	// A phone belongs to one contact only.
	_, err = c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"6465557729", "7325550184"}})
	fmt.Println(errors.Is(err, voitex.ErrPhoneInUse), errors.Is(err, voitex.ErrValidation))
	// Output:
	// Contact created
	// true true
}

func ExampleContactsService_Delete() {
	s, c := newSandbox()
	defer s.Close()
	ctx := context.Background()
	_, _ = c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"7325550184"}})
	res, err := c.Contacts.Delete(ctx, voitex.DeleteContactParams{Phone: "7325550184"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Message, len(s.Contacts()))
	// Output: Contact deleted successfully 0
}

func ExampleParseBranchRequest() {
	// The documentation's sample, quirks included.
	call, err := voitex.ParseBranchRequest([]byte(`{"call_id":"AST10-1689867312.264","cid":"8459511000","contact_info":"null",
		"date_time":"2023-07-20 11:35:35","branch_data":[{"branch":"0","input":"1"},{"branch":"1000","input":"17"}],
		"variables":[{"caller_pin ":"123","var_2":"var_val"}]}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(call.CID, call.Contact == nil, call.DateTime.Format(time.DateTime), call.LastInput(), call.Variables["caller_pin"])
	// Output: 8459511000 true 2023-07-20 11:35:35 17 123
}

func ExampleNotifyService_Send() {
	s, c := newSandbox()
	defer s.Close()
	ctx := context.Background()
	// Numbers may carry punctuation and +1; they are sent as 10 digits.
	// Voitex itself rejects numbers not in service, such as 555 ones.
	res, err := c.Notify.Send(ctx, voitex.NotifyParams{
		Type:   voitex.NotifySMS,
		CID:    "8459511000",
		Phones: []string{"8451234567", "+1 (845) 999-8888", "5551234567"},
		Body:   "Your table is ready 🍽",
	})
	var e *voitex.Error
	switch {
	case errors.As(err, &e):
		log.Fatalf("Notify refused (request %s): %v", e.RequestID, e.Messages)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println(res.Status, res.BatchID, res.Invalid)

	// A malformed number refuses the whole send before anything goes out.
	_, err = c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", Phones: []string{"8451234567", "not-a-phone"}, Body: "x"})
	var ve *voitex.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Field, "refused:", ve.Rule)
	}
	// Output:
	// partial_success 2_S_8451234567_8459511000_2606241530_001 map[5551234567:unallocated_nanp]
	// phones refused: number at index 1: must be a 10-digit North American number such as 8451239876 (or +1 and 10 digits): only digits, spaces, dashes, dots, parentheses and a leading + are allowed
}

func ExampleNewBranchHandler() {
	guard, err := relay.SecretToken(relay.QueryToken("token"), []string{"a-long-random-url-token"})
	if err != nil {
		log.Fatal(err)
	}
	h, err := voitex.NewBranchHandler(guard, func(ctx context.Context, call *voitex.BranchRequest) (*voitex.BranchResponse, error) {
		if call.Contact != nil && call.Contact.FieldA == "VIP" {
			return voitex.Goto("500"), nil // priority support
		}
		return voitex.NewBranchResponse().
			PlayTTS("Press 1 for billing, 2 for support").
			Input("1", "200").Input("2", "300"), nil
	}, voitex.WithBranchFallback(voitex.Goto("900")), voitex.WithBranchTimeout(2*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	sim := &voitextest.Simulator{URL: srv.URL + "/voitex?token=a-long-random-url-token", Triggers: []string{"100"}}
	res, err := sim.Run(context.Background(), voitextest.Call{CID: "8459511000", Keys: []string{"2"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(res.Transcript())
	// Output:
	// branch 100: [tts: Press 1 for billing, 2 for support] pressed "2" -> 300
	// outcome: goto at branch 300
}

func ExampleBranchResponse() {
	r := voitex.Goto("150").
		PlayFile(10, 25).
		PlayTTS("This is a reply TTS recording from the API.").
		Input("1", "3").Input("17", "4").AnyInput("105").
		SetVariable("album_num", "13")
	b, err := json.Marshal(r)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(b))
	// A key no keypad has is refused before anything is written.
	_, err = json.Marshal(voitex.NewBranchResponse().Input("A", "3"))
	fmt.Println(errors.Is(err, voitex.ErrValidation), strings.Contains(err.Error(), `key "A" must be keys a caller can press`))
	// Output:
	// {"goto":"150","play":[{"type":"file","album":"10","sort":"25"},{"type":"tts","text":"This is a reply TTS recording from the API."}],"inputs":{"%":"105","1":"3","17":"4"},"variables":{"album_num":"13"}}
	// true true
}

func ExamplePayment() {
	call, err := voitex.ParseBranchRequest([]byte(`{"call_id":"AST10-1","payment_info":[{"last_four":"4444","expiration":"0126","cvv":987,"amount":"57"}]}`))
	if err != nil {
		log.Fatal(err)
	}
	p := call.Payments[0]
	fmt.Printf("%v\n", p)
	fmt.Println(p.LastFour.Reveal())
	// Output:
	// {LastFour:[REDACTED] Expiration:[REDACTED] CVV:[REDACTED] Zip: Phone: Amount:57 TransactionID:}
	// 4444
}
