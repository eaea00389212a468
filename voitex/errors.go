package voitex

import (
	"errors"
	"strings"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// The SDK's shared types, re-exported so that code handling Voitex failures
// reads the same as code handling the other vendors'. There is one
// definition of each, in the SDK's transport.
type (
	// Error is a failure Voitex reported: a non-2xx status, or (far more
	// often) an HTTP 200 whose body says "status": "error", or "failure"
	// for the Notify API. Messages holds the envelope's "errors" list and
	// RequestID the Notify request_id or the reference_id.
	Error = transport.Error
	// ValidationError is input rejected before anything was sent.
	ValidationError = transport.ValidationError
	// RequestError is an exchange that did not complete (connection
	// refused, reset, timed out, context ended). It matches
	// ErrMaybeDelivered when an upload, call, SMS or Notify may have reached
	// Voitex.
	RequestError = transport.RequestError
	// DecodeError is a successful answer whose JSON could not be read.
	DecodeError = transport.DecodeError
	// File is a recording or an MMS attachment to upload, streamed from its
	// Reader.
	File = transport.File
	// Option configures a Client.
	Option = transport.Option
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
	// change that failed after it was written: Voitex may have acted on it,
	// so it was not repeated. Check before sending again.
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
	CodePhoneInUse      = "phone_in_use"
	CodeContactNotFound = "contact_not_found"
	CodeLastPhone       = "last_phone"
	CodeLabelNotFound   = "label_not_found"
	CodeNoValidPhone    = "no_valid_phone"
	CodeUnauthorized    = "unauthorized"
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
