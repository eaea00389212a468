// Package voxio is a client for the Voxio Chat External API (a WhatsApp
// inbox) and a verified handler for its Inbound Relay webhooks.
//
// # Calling the API
//
// New takes the client-id and client-secret from the Voxio dashboard
// (Developer Tools). Both travel as headers on every request, and Voxio also
// requires the calling server's IP address to be whitelisted:
//
//	c, err := voxio.New(os.Getenv("VOXIO_CLIENT_ID"), os.Getenv("VOXIO_CLIENT_SECRET"))
//	res, err := c.Messages.Send(ctx, &voxio.SendMessageParams{
//		Recipient: voxio.Recipient{MobileCode: "62", Mobile: "85712345678"},
//		Message:   "Hello",
//	})
//
// The services follow the vendor's documentation: Contacts (list, create,
// update, delete), Inbox (conversations, their messages and details, status
// changes), Messages (send, send a template) and Templates.
//
// Voxio has no sandbox of its own and answers most failures with HTTP 200 and
// "status":"error". Every such answer is an *Error whose Code is the vendor's
// remark ("validation_error", "not_found", "insufficient_balance",
// "exception", ...), and errors.Is matches ErrValidation, ErrNotFound and
// ErrUnauthorized (bad credentials, an IP address that is not whitelisted).
// Input that breaks a documented rule (a missing field, a "+" in mobile_code,
// a 6 MB image) is a *ValidationError and nothing is sent.
//
// Sends are never repeated once any of the request reached the network: if
// the connection drops afterwards the error matches ErrMaybeDelivered, since
// the customer may already have the message.
//
// Lists are Laravel paginators. Each list has a method that returns one page
// and an iterator (ListAll, ConversationsAll, ...) that walks every page:
//
//	for conv, err := range c.Inbox.ConversationsAll(ctx, &voxio.ConversationListParams{Status: voxio.ConversationPending}) {
//		...
//	}
//
// # Receiving Inbound Relay events
//
// NewRelayHandler verifies X-Voxio-Signature with the relay secret, the
// timestamp window and the X-Voxio-Client-Id/X-Voxio-Client-Secret headers
// before it decodes anything, acknowledges a duplicate delivery without
// handing it over again, and hands typed events (IncomingMessage, MessageStatusEvent, or the raw body of an event
// it does not know) to the callback; Voxio gets 2xx as soon as the callback
// accepts the event.
//
// # Testing
//
// Package voxio/voxiotest is an in-memory Voxio server with the vendor's
// answers, fault injection and signed relay deliveries.
package voxio
