package switchboard_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/switchboard-go/switchboard"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// One callback receives the customers' messages from Voxio (relay), Chattu
// (webhooks) and Our Voice (polled). The sandboxes stand in for the three
// vendors; in production the handlers get the credentials from each
// vendor's dashboard and are mounted on the service's own HTTP server.
func ExampleInbox() {
	vx := voxiotest.NewServer(voxiotest.WithAccount(77, "97235551234"))
	defer vx.Close()
	ch := chattutest.NewServer()
	defer ch.Close()
	ov := ourvoicetest.NewServer()
	defer ov.Close()

	business, _ := switchboard.ParsePhone("+972 3-555-1234")
	handled := make(chan struct{}, 3)
	inbox, err := switchboard.NewInbox(func(ctx context.Context, in switchboard.Inbound) error {
		// Store or enqueue the message, then return: the vendors wait.
		fmt.Printf("%-8s %s -> %s: %s\n", in.Provider, in.From, in.To, in.Text)
		handled <- struct{}{}
		return nil
	},
		// Voxio and Chattu name the receiving account, not its number.
		switchboard.WithInboxNumber(switchboard.Voxio, "77", business),
		switchboard.WithInboxNumber(switchboard.Chattu, "shop", business))
	if err != nil {
		log.Fatal(err)
	}

	// The vendors that push get a handler each. In production:
	// voxio.RelayConfig{RelaySecret: os.Getenv("VOXIO_RELAY_SECRET"), ClientID: ..., ClientSecret: ...}.
	relay, err := inbox.VoxioHandler(vx.RelayConfig())
	if err != nil {
		log.Fatal(err)
	}
	hooks, err := inbox.ChattuHandler([]string{"shop-webhook-key"})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/voxio/relay", relay)
	mux.Handle("/chattu/webhook", hooks)
	app := httptest.NewServer(mux) // in production: the service's server
	defer app.Close()
	vx.SetRelayURL(app.URL + "/voxio/relay")
	_ = ch.SeedClient(chattutest.ClientState{ClientID: "shop", PhoneNumber: "97235551234", APIKey: "shop-webhook-key",
		Connected: true, WebhookURL: app.URL + "/chattu/webhook"})

	// Our Voice is polled, from the cursor stored last time ("" at first).
	ovClient, _ := ov.NewClient() // in production: ourvoice.New(os.Getenv("OURVOICE_TOKEN"))
	session, _ := ov.ReadySession("97235551234")
	stored := ""
	err = inbox.WatchOurVoice(ovClient, session, stored, func(ctx context.Context, cursor string) error {
		stored = cursor // persist it: the next start goes on from here
		return nil
	}, ourvoice.WithWatchInterval(10*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error)
	go func() { stopped <- inbox.Run(ctx) }()

	// The same customer writes through each vendor.
	_, _ = vx.Receive(ctx, voxiotest.Inbound{MobileCode: "972", Mobile: "541112222", Text: "שלום! 👋", WhatsAppAccountID: 77})
	<-handled
	_, _ = ch.Receive(ctx, chattutest.Inbound{ClientID: "shop", From: "972541112222", Body: "Where's order #42? 📦"})
	<-handled
	_, _ = ov.Receive(ctx, ourvoicetest.Inbound{SessionID: session, From: "972541112222", Content: "תודה 🙏"})
	<-handled

	cancel() // shutting down
	fmt.Println(<-stopped)
	// Output:
	// voxio    +972541112222 -> +97235551234: שלום! 👋
	// chattu   +972541112222 -> +97235551234: Where's order #42? 📦
	// ourvoice +972541112222 -> +97235551234: תודה 🙏
	// context canceled
}
