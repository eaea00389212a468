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
//	res, err := c.Messages.Send(ctx, voxio.SendMessageParams{
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
// remark, and errors.Is tells the categories apart whatever the HTTP status:
// validation_error is ErrValidation, not_found ErrNotFound, Unauthorized
// ErrUnauthorized (and ErrIPNotWhitelisted too when the server's IP address
// is not whitelisted), insufficient_balance ErrInsufficientBalance and
// subscription_required ErrSubscriptionRequired. An "exception" is Voxio's
// own failure while handling the request: on a send it matches
// ErrMaybeDelivered (the message may have gone out), and only its HTTP
// status (a 429, say) can match a category.
// Input that breaks a documented rule (a missing field, a "+" in mobile_code,
// a 6 MB image) is a *ValidationError and nothing is sent.
//
// Sends, template sends and contact creation are never repeated once any of
// the request reached the network: if the connection drops afterwards, or
// the answer cannot be read, the error matches ErrMaybeDelivered, since the
// customer may already have the message. Reads, contact updates and deletes
// and status changes leave the same state when repeated, so they are retried
// after a dropped connection or a 5xx.
//
// The client id is not a secret (it names the account, and stays readable in
// error bodies); the client secret never appears in an error, a log record
// or a printed value.
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
// NewRelayHandler(RelayConfig{RelaySecret, ClientID, ClientSecret}, fn,
// opts...) verifies X-Voxio-Signature with the relay secret (RelayScheme,
// on package relay's Verifier), the timestamp window and the
// X-Voxio-Client-Id/X-Voxio-Client-Secret headers before it decodes
// anything, acknowledges a duplicate delivery without handing it over
// again, and hands typed events (IncomingMessage, MessageStatusEvent, or an
// UnknownEvent with the raw body) to the callback; Voxio gets 2xx as soon as
// the callback accepts the event. A callback that fails, panics
// (*PanicError) or misses its deadline is answered 500 and its delivery
// forgotten, so Voxio's retry is processed. Behaviour is set with options
// shared by every Switchboard handler (WithRelayOnError, WithRelayMaxBody,
// WithRelayReadTimeout, WithRelayTimeout) and Voxio's own (WithRelayMaxAge,
// WithRelayMaxSkew, WithRelayClock, WithRelayReplayCache). The package
// Example shows the whole flow: a relayed message, the answer, its
// statuses.
//
// # Testing
//
// Package voxio/voxiotest is an in-memory Voxio server with the vendor's
// answers, a test clock, fault injection (FailNextError answers Voxio's own
// failures), seeding with chosen ids, and signed relay deliveries.
package voxio
