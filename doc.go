// Package switchboard treats the four vendors as one: send a message
// through any of them, fail over from one to the next without ever sending
// twice, find out whether a send that may have gone out did, and receive
// every inbound message from every vendor in one function.
//
// The vendor packages (voxio, chattu, ourvoice, voitex) stay the complete,
// wire-exact clients; this package sits on top and imports them, never the
// other way round.
//
// # The first call
//
// Build each vendor's client as its package documents, wrap it in a
// Sender, and send:
//
//	chattuClient, err := chattu.New(os.Getenv("CHATTU_BASE_URL"), os.Getenv("CHATTU_API_KEY"))
//	ourvoiceClient, err := ourvoice.New(os.Getenv("OURVOICE_TOKEN"))
//
//	primary, err := switchboard.NewChattuSender(chattuClient, "shop")       // a Chattu client id
//	fallback, err := switchboard.NewOurVoiceSender(ourvoiceClient, session) // an Our Voice session
//	f, err := switchboard.NewFailover([]switchboard.Sender{primary, fallback})
//
//	to, err := switchboard.ParsePhone("+972 50-123-4567")
//	r, err := f.Send(ctx, switchboard.Message{To: to, Text: "Your order has shipped"})
//	switch {
//	case errors.Is(err, switchboard.ErrMaybeDelivered):
//		// A vendor may have sent it: do not send again; Resolve finds out.
//	case err != nil:
//		// Every vendor refused it (the *FailoverError lists why, one by one).
//	default:
//		fmt.Println("sent through", r.Provider, "as", r.ID)
//	}
//
// # What "maybe delivered" means
//
// A send that failed after the request reached the vendor, or that the
// vendor answered without proving a refusal (a 5xx, an unreadable success,
// a code of unknown outcome), may have gone out. Failover stops there and
// returns it, because sending through the next vendor could give the
// customer two messages; Resolve (or WithResolve) looks the message up
// where the vendor allows it. Only a proven refusal moves on.
//
// # Phone numbers
//
// ParsePhone reads numbers in international form only: E.164 with its "+"
// (punctuation allowed), the 00 prefix, or a WhatsApp id. A number without
// its country code is refused, never guessed: "2125550143" read as digits
// would go to Morocco (+212). ParseDigits reads the bare international
// digits the WhatsApp vendors send in their payloads ("972501234567"), and
// is for those alone; ParseNANP reads Voitex's 10-digit form. A Phone
// converts to each vendor's form, and a number a vendor cannot reach
// (anything but +1 for Voitex) is a *ValidationError before anything is
// sent.
//
// # Inbound
//
// Inbound and StatusUpdate are one shape for what the vendors send back;
// an Inbox takes one callback and gives the HTTP handlers to mount (Voxio's
// relay, Chattu's webhooks) and a Run for Our Voice, which has no webhooks
// and is polled.
package switchboard
