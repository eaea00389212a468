package voitex

import (
	"errors"
	"strings"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// The SDK's shared types, re-exported so that code handling Voitex failures
// reads the same as code handling the other vendors'. There is one
// definition of each, in the SDK's transport; go doc shows an alias without
// its fields, so each comment below lists what a caller can read.
type (
	// Error is a failure Voitex reported: a non-2xx status, or (far more
	// often) an HTTP 200 whose body says "status": "error", or "failure"
	// for the Notify API. Match it with errors.As(err, &e) where
	// e is a *voitex.Error, and read:
	//
	//   - Vendor ("voitex"), Method ("POST") and Path, the documented path
	//     with its leading slash ("/send/", "/notify/", "/" for contacts and
	//     the notification call), never the query;
	//   - StatusCode, the HTTP status (200 for failures inside the body);
	//   - Code, one of the Code constants (CodePhoneInUse...) when the SDK
	//     recognised the message, else the envelope status ("error",
	//     "failure");
	//   - Messages, the envelope's "errors" list, plus "invalid <number>:
	//     <reason>" for each number a Notify rejected;
	//   - Fields, messages per request field, when Voitex reports them so;
	//   - RequestID, the Notify request_id or the reference_id;
	//   - RetryAfter, the wait Voitex asked for on a 429 or 503 the client
	//     did not wait out; Attempts, how many times the request was sent;
	//   - Body, the start of the answer with the Auth-Key redacted;
	//   - Kind, what the failure matches: errors.Is(err, ErrPhoneInUse),
	//     ErrContactNotFound, ErrLastPhone, ErrLabelNotFound,
	//     ErrNoValidPhone, ErrUnauthorized, ErrNotFound, ErrValidation or
	//     ErrRateLimited. On a 5xx it is set only when the content proves a
	//     refusal: one of the Code constants, or a Notify listing the
	//     numbers it rejected;
	//   - MaybeDelivered, true when an upload, call, SMS, Notify or contact
	//     change was answered with a 5xx other than 501, 505 or a 503 with
	//     Retry-After, and Kind is not set: Voitex, or the gateway in front
	//     of it, may have acted, so the request was not repeated and
	//     errors.Is(err, ErrMaybeDelivered) matches;
	//   - Uncertain, which Voitex never sets: it has no code meaning "outcome
	//     unknown".
	//
	// %+v adds the attempts, the request id and a body excerpt.
	Error = transport.Error
	// ValidationError is input the SDK refused before anything was sent
	// (errors.Is(err, ErrValidation) matches it). Read Vendor ("voitex"),
	// Field, the parameter as Voitex documents it ("to", "body",
	// "album_number"), and Rule, what the value must satisfy ("required",
	// "at most 1000 characters (got 1001)").
	ValidationError = transport.ValidationError
	// RequestError is an exchange that did not complete (connection
	// refused, reset, timed out, context ended). Read Vendor, Method, Path
	// and Attempts; MaybeDelivered, which is true when an upload, call, SMS,
	// Notify or contact change may have reached Voitex (then
	// errors.Is(err, ErrMaybeDelivered) matches, and the request was not
	// repeated); Err, the cause (errors.Is(err, context.DeadlineExceeded)
	// works through it); and Response, Voitex's last answer (an *Error,
	// also found by errors.As) when one came before the failure, such as a
	// 429 whose wait the context cut short.
	RequestError = transport.RequestError
	// DecodeError is a successful (2xx) answer the SDK could not read (not
	// JSON, or not the documented shape). Read Vendor, Method, Path,
	// StatusCode, Err (the decoding error) and Accepted: true for a request
	// that is not safe to repeat, which Voitex answered 2xx, so it acted;
	// then errors.Is(err, ErrMaybeDelivered) matches. A contact select is
	// a read and is not Accepted.
	DecodeError = transport.DecodeError
	// File is a recording or an MMS attachment to upload, streamed from its
	// Reader. Set Reader (required); Name, the file name sent (defaults to
	// an *os.File's base name, or "file"); ContentType (defaults to the
	// type for Name's extension); Size, measured when left 0; and
	// Progress, an optional func(sent, total int64) called after each chunk
	// of the file is written to the connection, with the bytes of this file
	// sent so far (increasing, ending at total) and its size (-1 when it
	// cannot be known); it runs on the goroutine writing the request, so it
	// must return quickly. An *os.File, an io.ReaderAt or an io.ReadSeeker
	// can be read again; any other io.Reader is sent once. OpenFile fills
	// one from a path.
	File = transport.File
)

// Sentinels to test failures with errors.Is, shared by every vendor package.
var (
	// ErrRateLimited matches HTTP 429 after the client's own retries.
	ErrRateLimited = transport.ErrRateLimited
	// ErrUnauthorized matches HTTP 401/403 and an envelope error about the
	// Auth-Key.
	ErrUnauthorized = transport.ErrUnauthorized
	// ErrNotFound matches HTTP 404 and "No contact found for phone".
	ErrNotFound = transport.ErrNotFound
	// ErrValidation matches input rejected by the SDK before sending, and
	// envelope errors Voitex reports about the input.
	ErrValidation = transport.ErrValidation
	// ErrMaybeDelivered matches an upload, call, SMS, Notify or contact
	// change that Voitex may have acted on although the call failed: the
	// connection broke after it was written, the answer was a 5xx other
	// than 501, 505 or 503 with Retry-After (unless its message proves a
	// refusal), or a success could not be read. It was not repeated; check
	// before sending again.
	ErrMaybeDelivered = transport.ErrMaybeDelivered
)

// The Contacts API's documented rules, as sentinels. A failure that breaks
// one matches both the rule and the generic sentinel it belongs to
// (errors.Is(err, ErrPhoneInUse) and errors.Is(err, ErrValidation);
// ErrContactNotFound with ErrNotFound), and carries the matching Code
// constant in Error.Code. When Voitex also answered with a telling HTTP
// status (401, 403, 404, 429, 400, 422), the status's sentinel matches too.
var (
	// ErrPhoneInUse: a phone number can belong to only one contact. Create
	// fails when any of its phones exists; Update fails when add_phone
	// belongs to another contact.
	ErrPhoneInUse = errors.New("voitex: phone belongs to another contact")
	// ErrContactNotFound: no contact has the locator phone.
	ErrContactNotFound = errors.New("voitex: no contact found for phone")
	// ErrLastPhone: update cannot remove the final phone of a contact; use
	// Delete to remove the contact entirely.
	ErrLastPhone = errors.New("voitex: cannot remove the last phone of a contact")
	// ErrLabelNotFound: labels are referenced by number and every number
	// must exist.
	ErrLabelNotFound = errors.New("voitex: label number invalid or not found")
	// ErrNoValidPhone: the request carried no usable phone number.
	ErrNoValidPhone = errors.New("voitex: no valid phone number provided")
)

// Codes set in Error.Code. Voitex sends no machine-readable codes, only an
// envelope status and English messages; the SDK derives these from the
// messages so that callers need not match text. A failure the SDK does not
// recognise keeps the envelope's status ("error" or "failure") as its Code.
const (
	CodePhoneInUse      = "phone_in_use"      // ErrPhoneInUse
	CodeContactNotFound = "contact_not_found" // ErrContactNotFound
	CodeLastPhone       = "last_phone"        // ErrLastPhone
	CodeLabelNotFound   = "label_not_found"   // ErrLabelNotFound
	CodeNoValidPhone    = "no_valid_phone"    // ErrNoValidPhone
	CodeUnauthorized    = "unauthorized"      // ErrUnauthorized: a bad or missing Auth-Key
)

// classify maps Voitex's messages onto a Code and a Kind. The phrases are
// the documented messages ("contact already exists with phone(s)", "No
// contact found for phone", "No valid phone number provided") and the
// wording the documented but unsampled rules are reported with.
func classify(messages []string) (code string, kind error) {
	text := strings.ToLower(strings.Join(messages, "\n"))
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(text, s) {
				return true
			}
		}
		return false
	}
	switch {
	case text == "":
		return "", nil
	case has("auth-key", "auth key", "auth_key", "unauthorized", "unauthorised", "api key", "invalid key", "authentication"):
		return CodeUnauthorized, transport.ErrUnauthorized
	case has("no contact found", "contact not found"):
		return CodeContactNotFound, errors.Join(ErrContactNotFound, transport.ErrNotFound)
	case has("last phone", "at least one phone", "final phone", "only phone"):
		return CodeLastPhone, errors.Join(ErrLastPhone, transport.ErrValidation)
	case has("already exists with phone", "belongs to another contact", "contact already exists", "already in use", "already belongs"):
		return CodePhoneInUse, errors.Join(ErrPhoneInUse, transport.ErrValidation)
	case has("label") && has("invalid", "not exist", "doesn't exist", "not found", "unknown"):
		return CodeLabelNotFound, errors.Join(ErrLabelNotFound, transport.ErrValidation)
	case has("no valid phone"):
		return CodeNoValidPhone, errors.Join(ErrNoValidPhone, transport.ErrValidation)
	case has("required", "must ", "invalid", "exceed", "too long", "not allowed", "missing", "exactly one", "not both"):
		return "", transport.ErrValidation
	}
	return "", nil
}
