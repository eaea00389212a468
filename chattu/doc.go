// Package chattu is a client for the Chattu WhatsApp bot API, a handler for
// the webhooks Chattu sends, and (in chattutest) an in-memory sandbox of the
// service.
//
// Chattu is deployed per customer, so New takes the deployment's base URL
// along with the account or client API key:
//
//	c, err := chattu.New("https://bot.example.com", apiKey)
//	res, err := c.Messages.Send(ctx, chattu.SendMessageParams{
//		ClientID: "shop", Number: "972501234567", Message: "שלום",
//	})
//
// The API is grouped as the vendor documents it:
//
//   - Clients: add a number (QR login), list clients, fetch the QR PNG,
//     update the webhook URL, delete a client.
//   - Messages: send text or media, list sent and received messages.
//   - Schedules: schedule, list and cancel messages.
//   - Account: profile, reset the API key (the client switches to the new
//     key atomically).
//   - Calls and Logs: incoming calls, call logs, application logs.
//   - Chats: the dashboard's chat interface (chats, messages, send, mark
//     read, media download).
//   - Groups: groups and channels, and sending to them.
//
// Options are functions of this package's Option type (WithBaseURL,
// WithHTTPClient, WithLogger, WithUserAgent, WithRetryMax, WithRetryWait,
// WithRetryAfterMax, WithSessionCookie, WithRateLimit, WithLimitStore,
// WithLimitStoreFailOpen), so an option of another Switchboard vendor does
// not compile here.
//
// Each endpoint is sent exactly the credential its section of the docs
// shows. Most take the API key in the x-api-key header. Some are reserved
// to the dashboard's login session (the chat interface, schedules, deleting
// a client, sending to a group as the dashboard does): they get the session
// cookie and not the key, need WithSessionCookie, and fail with a
// *ValidationError before anything is sent without it. Resetting the key
// authenticates with the username and current key in its body, and gets
// neither header.
//
// # Rate limits
//
// WithRateLimit keeps a client within Chattu's documented limits (100 API
// calls per 15 minutes, 60 chat calls per minute, 5 sensitive operations
// per hour, 10 deletions per 15 minutes), each over a sliding window: a
// call waits for its turn within its context. The calls are counted in a
// LimitStore: one in memory per client by default, or one shared by
// several clients or instances with WithLimitStore (a MemoryLimitStore in
// one process, Redis through module
// github.com/switchboard-go/switchboard/redisstore across hosts). When the
// store fails the call is not made and returns an ErrLimitStore error,
// unless WithLimitStoreFailOpen lets it go without the limits, with a
// warning logged.
//
// # Errors
//
// Bad input is a *ValidationError returned before any request. A failure the
// vendor reports is an *Error, even inside an HTTP 200. When Chattu names a
// code, the code alone decides what the error matches: its own sentinel
// (ErrGroupNotFound, ErrReadOnlyChat, ...) and the shared one that fits
// (ErrNotFound for GROUP_NOT_FOUND, ErrUnauthorized for AUTH_ERROR and
// ACCESS_DENIED, ErrValidation for INVALID_CHAT_TYPE and MEDIA_ERROR).
// PLAN_LIMIT_EXCEEDED and READ_ONLY_CHAT come with a 403 but match no shared
// sentinel: the key is fine, so they must not trigger credential handling.
// Without a code the status decides (401/403 ErrUnauthorized, 404
// ErrNotFound, 400 ErrValidation, 429 ErrRateLimited).
//
// Sends and creates (messages, group and chat sends, schedules, add-number,
// key reset) are never repeated once any of them reached the network. Every
// such failure after which Chattu may have acted matches ErrMaybeDelivered:
// a connection that broke after the request was written, a success that
// could not be read, and a 5xx answer (other than 501, 505 or a 503 with
// Retry-After) unless its code proves a refusal; a 5xx carrying
// MEDIA_ERROR proves none, since the media is processed as part of the
// send. Reads, deletions and marking a chat read are retried.
//
// # Secrets
//
// API keys returned by the vendor are APIKey values, which print as
// [REDACTED] with every fmt verb and in slog. They, the session cookie and
// passwords are registered with the client so that no error or log line
// contains them.
//
// # Webhooks
//
// NewWebhookHandler checks X-Api-Key in constant time, reads the body under
// a cap (WithWebhookMaxBody, 413 above it) and a read deadline
// (WithWebhookReadTimeout, 408 for a sender trickling bytes), decodes
// message_received, message_sent and call_rejected, and writes the
// callback's Reply (an auto-reply or a call rejection message) as the JSON
// answer within Chattu's deadline (5 s, 3 s for calls): a callback slower
// than its budget (WithWebhookTimeout) is answered with the fallback
// (WithWebhookFallback). Only the reply fields the event takes are written
// (Response for message_received, RejectionMessage for call_rejected); a
// field set for another event is dropped and reported to
// WithWebhookOnError as a *ReplyFieldError. A callback that fails or panics
// is answered 500 and reported to WithWebhookOnError (a panic as a
// *PanicError); the process never crashes.
//
// # Testing
//
// Package chattutest is an in-memory Chattu: NewServer, then NewClient for
// a client of it, ReadyClient for a connected WhatsApp number, Seed* for
// the ids the docs use, FailNextError for Chattu's error codes, and
// Receive to send a webhook to a handler.
package chattu
