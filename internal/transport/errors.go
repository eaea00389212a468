package transport

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors. Every failure the SDK returns matches at most a few of
// these with errors.Is, whatever vendor produced it.
var (
	// ErrRateLimited: the vendor answered 429 (or an equivalent code).
	ErrRateLimited = errors.New("switchboard: rate limited")
	// ErrUnauthorized: credentials were missing, wrong, or the caller's IP is
	// not allowed (401, 403 or an equivalent code in the body).
	ErrUnauthorized = errors.New("switchboard: unauthorized")
	// ErrNotFound: the resource does not exist (404 or an equivalent code).
	ErrNotFound = errors.New("switchboard: not found")
	// ErrValidation: the input was rejected, either by the SDK before
	// sending (*ValidationError) or by the vendor (400, 422 or a code).
	ErrValidation = errors.New("switchboard: validation failed")
	// ErrMaybeDelivered: a request that is not safe to repeat failed after
	// some of it was written to the connection. The vendor may have acted on
	// it (sent the SMS, placed the call), so the SDK did not retry. Check
	// with the vendor before sending again.
	ErrMaybeDelivered = errors.New("switchboard: request may have been delivered")
)

// MaxErrorBody is how much of a failed response's body Error keeps.
const MaxErrorBody = 64 << 10

// Error is a failure reported by a vendor: a non-2xx status, or a 2xx whose
// body says the call failed (Voxio's "status":"error", Voitex's
// "status":"error", Our Voice's "success":false).
type Error struct {
	// Vendor names the API that answered ("voxio", "voitex", ...).
	Vendor string
	// Method is the HTTP method of the call.
	Method string
	// Path is the request path relative to the vendor's base URL, with a
	// leading slash and never the query ("/inbox/send-message").
	Path string
	// StatusCode is the HTTP status, which may be 200 for failures the
	// vendor reports inside the body.
	StatusCode int
	// Code is the vendor's machine-readable code or remark
	// ("validation_error", "AUTH_ERROR", "failure"), if any.
	Code string
	// Messages are the vendor's human-readable messages.
	Messages []string
	// Fields maps a request field to the vendor's messages about it, when
	// the vendor reports errors per field (HTTP 422 bodies).
	Fields map[string][]string
	// RequestID is the vendor's request or reference id, when it sent one.
	RequestID string
	// RetryAfter is the wait the vendor asked for (429, 503). It is set
	// when the SDK did not wait because it exceeded the configured cap or
	// the retries were used up.
	RetryAfter time.Duration
	// Attempts is how many times the request was sent.
	Attempts int
	// Body is a copy of the response body, at most MaxErrorBody bytes,
	// with known credentials and key fields redacted.
	Body []byte
	// Kind is what the vendor's own code says the failure is, set by the
	// vendor package (for example ErrValidation for Voxio's
	// validation_error sent with HTTP 200, or errors.Join of a vendor
	// sentinel and a shared one). When set, it alone decides what the error
	// matches among the category sentinels; the status decides otherwise.
	Kind error
	// Uncertain is set by the vendor package when the vendor's own code
	// says the outcome is unknown (Voxio's "exception" remark).
	Uncertain bool
	// MaybeDelivered reports that the request was not safe to repeat (a
	// send, a create) and the answer does not prove a refusal: a 5xx other
	// than 501, 505 or 503 with Retry-After, or an Uncertain code. The
	// vendor, or the gateway in front of it, may have acted, so the SDK
	// did not retry; errors.Is(err, ErrMaybeDelivered) reports it.
	MaybeDelivered bool

	redact *redactor
}

// Error implements error. The text names the call, the status, the vendor's
// code and messages; it never contains a credential or a query string.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Vendor != "" {
		b.WriteString(e.Vendor)
		b.WriteString(": ")
	}
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if len(e.Messages) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(e.Messages, "; "))
	}
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		b.WriteByte(')')
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return e.redact.text(b.String())
}

// Is reports whether the failure matches one of the sentinels: from the
// Kind the vendor package set, or else from the HTTP status. The vendor's
// code is the better witness: a 403 for a plan limit is not a credential
// problem.
func (e *Error) Is(target error) bool {
	if target == nil {
		return false
	}
	if target == ErrMaybeDelivered && e.MaybeDelivered {
		return true
	}
	if e.Kind != nil {
		return errors.Is(e.Kind, target)
	}
	switch target {
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrValidation:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
	}
	return false
}

// Format prints the redacted Error text for %v, %s and %#v, so printing
// the struct cannot reveal anything it holds. %+v adds what a person
// debugging the failure wants next: the request id, the attempts and the
// start of the vendor's body, all redacted.
func (e *Error) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('+') {
		var b strings.Builder
		b.WriteString(e.Error())
		fmt.Fprintf(&b, "\n\tattempts: %d", e.Attempts)
		if e.RequestID != "" {
			b.WriteString("\n\trequest id: ")
			b.WriteString(e.RequestID)
		}
		if len(e.Body) > 0 {
			body := e.Body
			const excerpt = 512
			cut := ""
			if len(body) > excerpt {
				body, cut = body[:excerpt], " ..."
			}
			b.WriteString("\n\tbody: ")
			b.WriteString(strings.ToValidUTF8(string(body), "?"))
			b.WriteString(cut)
		}
		_, _ = io.WriteString(f, e.redact.text(b.String()))
		return
	}
	formatError(f, verb, e)
}

// ValidationError is input the SDK rejected before sending anything.
type ValidationError struct {
	// Vendor names the package that refused the input ("voxio"), so that
	// a program building several clients knows which one; "switchboard"
	// for input no vendor has seen yet.
	Vendor string
	// Field is the parameter's name as the vendor documents it.
	Field string
	// Rule says what the value must satisfy ("required", "at most 1000
	// characters", "one of to, phones, label").
	Rule string
}

// Error implements error: "voxio: invalid clientSecret: required".
func (e *ValidationError) Error() string {
	v := e.Vendor
	if v == "" {
		v = "switchboard"
	}
	if e.Field == "" {
		return v + ": invalid input: " + e.Rule
	}
	return v + ": invalid " + e.Field + ": " + e.Rule
}

// Is matches ErrValidation.
func (e *ValidationError) Is(target error) bool { return target == ErrValidation }

// Invalid returns a *ValidationError for field breaking rule, not yet
// attributed to a vendor (the client that returns it names its vendor).
func Invalid(field, rule string) error { return &ValidationError{Field: field, Rule: rule} }

// InvalidFor returns a *ValidationError of vendor's for field breaking rule.
func InvalidFor(vendor, field, rule string) error {
	return &ValidationError{Vendor: vendor, Field: field, Rule: rule}
}

// withVendor attributes a *ValidationError that names no vendor to vendor.
func withVendor(err error, vendor string) error {
	var ve *ValidationError
	if errors.As(err, &ve) && ve.Vendor == "" {
		cp := *ve
		cp.Vendor = vendor
		return &cp
	}
	return err
}

// RequestError is a failure to complete the exchange at all: the connection
// was refused, reset or timed out, or the context ended. When the request
// was not safe to repeat and some of it had been written, it matches
// ErrMaybeDelivered.
type RequestError struct {
	// Vendor names the API that was called.
	Vendor string
	// Method is the HTTP method of the call.
	Method string
	// Path is the request path relative to the vendor's base URL, with a
	// leading slash and never the query.
	Path string
	// Attempts is how many times the request was sent.
	Attempts int
	// MaybeDelivered reports that the vendor may have received the request.
	MaybeDelivered bool
	// Err is the underlying cause (never a *url.Error, whose text would
	// carry the full URL).
	Err error
	// Response is the vendor's last answer before the failure, when there
	// was one: for example the 429 whose Retry-After wait the context cut
	// short. errors.As finds it.
	Response *Error

	redact *redactor
}

// Error implements error.
func (e *RequestError) Error() string {
	var b strings.Builder
	if e.Vendor != "" {
		b.WriteString(e.Vendor)
		b.WriteString(": ")
	}
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(e.Path)
	b.WriteString(": ")
	if e.MaybeDelivered {
		b.WriteString("request may have been delivered, not retried: ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return e.redact.text(b.String())
}

// Unwrap returns the cause and the last vendor answer, so
// errors.Is(err, context.DeadlineExceeded), net error checks and
// errors.As(err, **Error) work.
func (e *RequestError) Unwrap() []error {
	if e.Response != nil {
		return []error{e.Err, e.Response}
	}
	return []error{e.Err}
}

// Is matches ErrMaybeDelivered when the request may have reached the vendor.
func (e *RequestError) Is(target error) bool {
	return target == ErrMaybeDelivered && e.MaybeDelivered
}

// Format keeps every verb to the redacted Error text.
func (e *RequestError) Format(f fmt.State, verb rune) { formatError(f, verb, e) }

func formatError(f fmt.State, verb rune, e error) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", e.Error())
	default:
		_, _ = f.Write([]byte(e.Error()))
	}
}

// CheckCredential rejects a credential that cannot work, before anything is
// sent: empty or blank; padded (almost always a newline copied from a file
// or an environment variable, which would fail every call as unauthorized
// without saying why); or holding control characters, which net/http
// refuses in a header on every attempt. vendor names the package asking,
// field the parameter.
func CheckCredential(vendor, field, v string) error {
	switch {
	case strings.TrimSpace(v) == "":
		return InvalidFor(vendor, field, "required")
	case strings.TrimSpace(v) != v:
		return InvalidFor(vendor, field, "must not have leading or trailing whitespace")
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return InvalidFor(vendor, field, "must not contain control characters")
	}
	return nil
}
