package switchboard

import "github.com/switchboard-go/switchboard/internal/transport"

// Provider names a vendor in receipts, trails and inbound messages.
type Provider string

// The four vendors.
const (
	Voxio    Provider = "voxio"
	Voitex   Provider = "voitex"
	OurVoice Provider = "ourvoice"
	Chattu   Provider = "chattu"
)

// The shared sentinels, the same values every vendor package exports, so
// errors.Is works on an error from any of them.
var (
	// ErrMaybeDelivered matches a send that may have gone out: it failed
	// after the request was written, or the vendor answered in a way that
	// does not prove a refusal (a 5xx, an undecodable success, a code of
	// unknown outcome). Do not send it again through any vendor before
	// finding out (see Resolve).
	ErrMaybeDelivered = transport.ErrMaybeDelivered
	// ErrRateLimited matches a vendor's 429 or its rate-limit code.
	ErrRateLimited = transport.ErrRateLimited
	// ErrUnauthorized matches wrong or missing credentials.
	ErrUnauthorized = transport.ErrUnauthorized
	// ErrNotFound matches a resource the vendor does not know.
	ErrNotFound = transport.ErrNotFound
	// ErrValidation matches input refused before sending (*ValidationError)
	// or by the vendor.
	ErrValidation = transport.ErrValidation
)

// ValidationError is input refused before anything was sent. Vendor names
// the package that refused it ("switchboard" for a phone number no vendor
// has seen yet), Field the parameter, Rule what it must satisfy. It matches
// ErrValidation.
type ValidationError = transport.ValidationError
