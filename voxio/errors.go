package voxio

import (
	"errors"
	"net/http"
	"strings"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// Types shared by every Switchboard client, so errors and uploads are handled
// the same way whatever the vendor. They are aliases: the fields are listed
// here because go doc shows an alias without them.
type (
	// Error is a failure Voxio reported: "status":"error" in any HTTP status
	// (Voxio answers most failures with HTTP 200), or a non-2xx answer. Get it
	// with errors.As(err, &e) where e is a *voxio.Error. Its fields:
	//
	//   - Vendor string: "voxio".
	//   - Method, Path string: the call, Path relative to the base URL with a
	//     leading slash and no query ("/inbox/send-message").
	//   - StatusCode int: the HTTP status, 200 for most Voxio failures.
	//   - Code string: Voxio's remark (RemarkValidationError,
	//     RemarkNotFound, RemarkUnauthorized, ...), "" when there was none.
	//   - Messages []string: Voxio's messages, in order.
	//   - Fields map[string][]string: messages per form field, when Voxio
	//     (or Laravel's 422) keyed them by field.
	//   - RequestID string: the X-Request-Id header, if any.
	//   - RetryAfter time.Duration: the wait asked for by a 429 or 503 that
	//     the client did not take.
	//   - Attempts int: how many times the request was sent.
	//   - Body []byte: the start of the answer (64 KiB), client secret
	//     redacted.
	//   - Kind error: what the remark means, which errors.Is reads.
	//   - Uncertain bool: the remark is "exception", Voxio's own failure
	//     while handling the request: the outcome is unknown.
	//   - MaybeDelivered bool: a send or create was answered with an
	//     exception, or a 5xx other than 501, 505 or 503 with Retry-After,
	//     and no remark proves a refusal: the message may have gone out.
	//
	// Match categories with errors.Is: ErrValidation, ErrNotFound,
	// ErrUnauthorized, ErrIPNotWhitelisted, ErrInsufficientBalance,
	// ErrSubscriptionRequired, ErrRateLimited, and ErrMaybeDelivered for a
	// send whose outcome is unknown (a 5xx after it was written). %+v adds
	// the request id, the attempts and a body excerpt.
	Error = transport.Error
	// ValidationError is input rejected before anything was sent, so Voxio
	// never saw the request. errors.Is(err, ErrValidation) matches it, and
	// errors.As gives its fields:
	//
	//   - Vendor string: "voxio".
	//   - Field string: the parameter as Voxio's docs name it ("mobile_code",
	//     "image", "clientSecret").
	//   - Rule string: what the value must satisfy ("required", "must be at
	//     most 5 MB").
	ValidationError = transport.ValidationError
	// RequestError is an exchange that did not complete: the connection was
	// refused, reset or timed out, or the context ended. Its fields:
	//
	//   - Vendor, Method, Path string: the call, as in Error.
	//   - Attempts int: how many times it was sent.
	//   - MaybeDelivered bool: some of a send was written before the failure,
	//     so the customer may have the message; errors.Is(err,
	//     ErrMaybeDelivered) reports the same.
	//   - Err error: the cause; errors.Is(err, context.DeadlineExceeded)
	//     and net error checks see through it.
	//   - Response *Error: Voxio's last answer before the failure (a 429
	//     whose wait the context cut short), also found by errors.As.
	RequestError = transport.RequestError
	// DecodeError is a 2xx answer the SDK could not read (an HTML page, a
	// body that is not Voxio's envelope). Voxio accepted the request: for a
	// send or a contact create it matches ErrMaybeDelivered. Its fields:
	//
	//   - Vendor, Method, Path string: the call, as in Error.
	//   - StatusCode int: Voxio's successful status.
	//   - Accepted bool: the request was not safe to repeat and Voxio
	//     answered 2xx, which is why it matches ErrMaybeDelivered.
	//   - Err error: the JSON error, reachable with errors.Unwrap.
	DecodeError = transport.DecodeError
	// File is a file to upload: a profile image or a message's media. Set
	// Reader and Name (whose extension decides the type unless ContentType
	// is set); OpenFile fills all of them from a path. Its fields:
	//
	//   - Name string: the file name sent, with its extension (default: the
	//     base name of an *os.File, or "file").
	//   - ContentType string: the media type; "" derives it from Name.
	//   - Reader io.Reader: the content. An *os.File, io.ReaderAt or
	//     io.ReadSeeker can be re-read for a retry; a plain io.Reader is sent
	//     at most once.
	//   - Size int64: the length in bytes; 0 has it measured (files,
	//     ReaderAts with a size, seekers). A one-shot reader of unknown size
	//     cannot be checked against the documented limits, so set it.
	//   - Progress func(sent, total int64): called after each chunk is
	//     written, with the bytes of this file sent so far and its size (-1
	//     when unknown), to follow a long upload; no allocation per call.
	File = transport.File
)

// Sentinels for errors.Is.
var (
	// ErrRateLimited matches a 429 answer whose remark has no category of
	// its own.
	ErrRateLimited = transport.ErrRateLimited
	// ErrUnauthorized matches the "Unauthorized" remark (in any HTTP
	// status): a wrong or missing client-id/client-secret, or a server IP
	// that is not whitelisted (see ErrIPNotWhitelisted). A 401 or 403
	// without a remark matches it too.
	ErrUnauthorized = transport.ErrUnauthorized
	// ErrNotFound matches the "not_found" remark, and HTTP 404 without a
	// remark.
	ErrNotFound = transport.ErrNotFound
	// ErrValidation matches the "validation_error" remark, HTTP 400 or 422
	// without a remark, and every *ValidationError.
	ErrValidation = transport.ErrValidation
	// ErrMaybeDelivered matches a send that may have gone out, so it was not
	// repeated: it failed after it was written, its answer was cut off or
	// could not be read, Voxio answered "exception", or a 5xx (other than
	// 501, 505 or 503 with Retry-After) came without a remark proving a
	// refusal. The customer may have the message: look it up before
	// sending again.
	ErrMaybeDelivered = transport.ErrMaybeDelivered
)

// Remarks Voxio documents. Success remarks name the call ("contact-list",
// "success", "template_sent"); failures carry one of the others in
// Error.Code.
const (
	// RemarkSuccess is send-message's success remark.
	RemarkSuccess = "success"
	// RemarkTemplateSent is send-template-message's success remark.
	RemarkTemplateSent = "template_sent"
	// RemarkContactList is the contact list's success remark.
	RemarkContactList = "contact-list"
	// RemarkValidationError: the vendor rejected the input (ErrValidation).
	RemarkValidationError = "validation_error"
	// RemarkNotFound: the contact, conversation or template does not exist
	// (ErrNotFound).
	RemarkNotFound = "not_found"
	// RemarkInsufficientBalance: the account's template balance is used up
	// (ErrInsufficientBalance).
	RemarkInsufficientBalance = "insufficient_balance"
	// RemarkSubscriptionRequired: the plan does not include the feature,
	// such as interactive messages (ErrSubscriptionRequired).
	RemarkSubscriptionRequired = "subscription_required"
	// RemarkException: Voxio failed while handling the request, and its
	// answer does not say whether a send went out. On a send (or another
	// request that is not safe to repeat) it matches ErrMaybeDelivered,
	// unless answered with 429; otherwise the HTTP status decides.
	RemarkException = "exception"
	// RemarkUnauthorized: missing or wrong credentials, or an IP address
	// that is not whitelisted (ErrUnauthorized).
	RemarkUnauthorized = "Unauthorized"
)

// Voxio's own sentinels, for failures the shared ones do not name. An *Error
// carrying one also matches the shared sentinel listed with it.
var (
	// ErrIPNotWhitelisted matches the Unauthorized answer to a server whose
	// public IP address is not in the account's IP whitelist. It also
	// matches ErrUnauthorized: new credentials will not help, registering
	// the address in the dashboard will.
	ErrIPNotWhitelisted = errors.New("voxio: IP address not whitelisted")
	// ErrInsufficientBalance matches insufficient_balance: the account
	// cannot pay for more template messages. It is a quota, not a rate:
	// it does not match ErrRateLimited, and waiting does not help.
	ErrInsufficientBalance = errors.New("voxio: insufficient balance (insufficient_balance)")
	// ErrSubscriptionRequired matches subscription_required: the plan does
	// not include the feature (interactive messages need an active plan).
	// It is not a credential problem, so it does not match ErrUnauthorized
	// even when answered with 403.
	ErrSubscriptionRequired = errors.New("voxio: active plan required (subscription_required)")
)

// failure is the transport's Failure hook: it sees every response and
// reports the failure inside it, in HTTP 200 as much as in any other status.
// A body it can read as Voxio's envelope is left in resp.Envelope, so the
// result decoder does not parse it again.
func failure(resp *transport.Response) *transport.Error {
	env, err := parseEnvelope(resp.Body)
	if err != nil {
		// Not Voxio's envelope (an HTML error page, an empty body): the
		// transport turns a non-2xx status into an *Error on its own, and a
		// 2xx body that cannot be read fails in the result decoder.
		return nil
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if ok && !strings.EqualFold(strings.TrimSpace(env.Status), "error") {
		resp.Envelope = env
		return nil
	}
	return &transport.Error{
		Code:     env.Remark,
		Messages: env.Messages,
		Fields:   env.Fields,
		Kind:     kindOf(env),
		// "exception" is Voxio's own failure while it handled the
		// request: a send may or may not have gone out. A 429 with it is
		// still a refusal.
		Uncertain: strings.EqualFold(strings.TrimSpace(env.Remark), RemarkException) && resp.StatusCode != http.StatusTooManyRequests,
	}
}

// kindOf maps a remark (and, for the authentication answers, the message)
// onto what the *Error matches. Once Kind is set it alone decides, so a
// remark with no category of its own ("exception", one Voxio adds later)
// leaves it nil and the HTTP status decides, as for a plain 429 or 404.
func kindOf(env *envelope) error {
	whitelist := false
	for _, m := range env.Messages {
		l := strings.ToLower(m)
		if strings.Contains(l, "whitelist") || strings.Contains(l, "white list") {
			whitelist = true
		}
	}
	remark := strings.ToLower(strings.TrimSpace(env.Remark))
	switch {
	case whitelist && (remark == "unauthorized" || remark == "unauthenticated" || remark == ""):
		return errors.Join(ErrIPNotWhitelisted, transport.ErrUnauthorized)
	case remark == "unauthorized" || remark == "unauthenticated":
		return transport.ErrUnauthorized
	case remark == RemarkValidationError:
		return transport.ErrValidation
	case remark == RemarkNotFound:
		return transport.ErrNotFound
	case remark == RemarkInsufficientBalance:
		return ErrInsufficientBalance
	case remark == RemarkSubscriptionRequired:
		return ErrSubscriptionRequired
	case remark == "":
		// A bare envelope ({"status":"error","message":[...]}) is
		// recognised by the authentication messages Voxio documents.
		for _, m := range env.Messages {
			l := strings.ToLower(m)
			if strings.Contains(l, "client secret is required") || strings.Contains(l, "client id is required") {
				return transport.ErrUnauthorized
			}
		}
	}
	return nil
}
