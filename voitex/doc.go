// Package voitex is a typed client for the Voitex client-side APIs
// (recordings and TTS, notification calls, SMS, contacts and the Notify API)
// and a handler for the API Branch, the callback through which a live IVR
// call asks your server what to do next.
//
// # Client
//
// New takes the account's Auth-Key, sent in the Auth-Key header of every
// request. Voitex serves its APIs from four hosts; WithRecordingURL,
// WithNotifyURL, WithSMSURL and WithContactsURL move one each, and
// WithBaseURL sends all four to one server (a voitextest sandbox, a proxy)
// keeping each request's path:
//
//	recording.voitexapi.com/upload/  Recordings.Upload, Recordings.CreateTTS
//	notify.voitexapi.com/            Calls.Send (the legacy notification call)
//	notify.voitexapi.com/notify/     Notify.Send
//	sms.voitexapi.com/send/          SMS.Send
//	contacts.voitexapi.com/          Contacts.Create, Update, Delete, Select
//
// The Contacts API is sent form-urlencoded as documented; the others as
// multipart form-data, as their samples show, with files streamed from disk
// or any reader.
//
// Voitex answers {status, data, errors} (the Notify API a flat object with
// request_id and batch or group ids), usually with HTTP 200 even on failure.
// The client reads data however it comes (a string, a number, an object, an
// object encoded as a string, even the Send SMS sample's unescaped object
// with a repeated key) and turns "status": "error" or "failure" into *Error,
// whose Code and sentinels name the documented contact rules
// (ErrPhoneInUse, ErrContactNotFound, ErrLastPhone, ErrLabelNotFound,
// ErrNoValidPhone), each also matching the generic sentinel it belongs to
// (ErrValidation, or ErrNotFound for ErrContactNotFound). A Notify
// partial_success is a result whose Invalid map lists the rejected numbers.
//
// Input is checked against the documented rules before anything is sent
// (phone numbers, below; exactly one of to, phones and label; an SMS body of
// at most 1000 characters; the fields each call type needs; wav or mp3
// recordings) and refused with *ValidationError. Uploads, calls, SMS, Notify
// and contact changes are never repeated once written. When Voitex may have
// acted on one (the connection broke after it was written, Voitex or its
// gateway answered a 5xx other than 501, 505 or 503 with Retry-After, or a
// success came back unreadable) the error matches ErrMaybeDelivered: check
// before sending again. A 5xx whose message is one of the documented rules
// (a Code constant: ErrPhoneInUse, ErrUnauthorized...) or a Notify listing
// the numbers it rejected proves a refusal and does not match it. A contact
// select is a read and is retried.
//
// # Phone numbers
//
// Every number in Voitex's documentation, in every field, is a 10-digit
// North American (NANP) number such as 8451239876, and the lists it takes
// (Notify's phones, the phones of a new contact) are such numbers separated
// by commas, which the client writes from a []string. Every phone field
// (from, to, cid, route_number, phones, and the contacts' phone, add_phone
// and remove_phone) is checked before anything is sent, and accepts:
//
//   - 10 digits whose area code does not start with 0 or 1: "8451239876";
//   - the same after the country code 1, with or without "+":
//     "18451239876", "+18451239876";
//   - either written with spaces, dashes, dots or parentheses between the
//     digits: "(845) 123-9876", "+1 845.123.9876".
//
// The number is sent as its 10 digits ("8451239876"), the form the
// documentation shows. Anything else is refused with a *ValidationError
// naming the field: letters ("not-a-phone"), other signs, too few or too
// many digits, another country code ("+44 20 7946 0958"), several numbers
// in one field, or spaces around the number. Whether a well-formed number
// is in service is Voitex's to say: the Notify API lists the ones it
// rejects (unallocated 555 numbers, for example) in NotifyResult.Invalid.
//
// # API Branch
//
// NewBranchHandler turns a BranchFunc into a *BranchHandler (an
// http.Handler). Voitex signs nothing, so the handler must be given a guard
// from package relay (a random URL token, basic auth or an IP allowlist).
// The body is capped (WithBranchMaxBody, 413 above it) and must arrive
// within a read deadline (WithBranchReadTimeout, 408 for a sender that
// trickles it). The request is decoded leniently into a BranchRequest
// (ParseBranchRequest, or encoding/json, which uses the same rules) whose
// payment data prints redacted everywhere; the answer is a BranchResponse
// (goto, play files and TTS, inputs including the % catch-all, variables)
// validated before it is written. An error, a panic or a missed deadline
// (WithBranchTimeout) in BranchFunc answers with a configurable fallback
// (WithBranchFallback), such as Goto an operator branch, so a live caller
// is never dropped by a 500; WithBranchOnError hears about each.
//
// # Options
//
// New takes Options of this package only (WithBaseURL, WithHTTPClient,
// WithLogger, WithUserAgent, the WithRetry options and the four host
// options); NewBranchHandler takes BranchOptions, any of which can refuse a
// bad value at construction.
//
// Package voitextest provides an in-memory Voitex with these rules and an
// IVR simulator that walks a whole call through a handler.
package voitex
