package voxio

import (
	"net/http"
	"strings"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// Types shared by every Switchboard client, so errors and uploads are handled
// the same way whatever the vendor.
type (
	// Error is a failure Voxio reported: "status":"error" in any HTTP status
	// (Code holds the remark), or a non-2xx answer.
	Error = transport.Error
	// ValidationError is input rejected before anything was sent.
	ValidationError = transport.ValidationError
	// RequestError is an exchange that did not complete (connection refused,
	// reset, timed out, context ended).
	RequestError = transport.RequestError
	// File is a file to upload: a profile image or a message's media.
	File = transport.File
)

// Sentinels for errors.Is.
var (
	// ErrRateLimited matches a 429 answer.
	ErrRateLimited = transport.ErrRateLimited
	// ErrUnauthorized matches the "Unauthorized" remark: a wrong or missing
	// client-id/client-secret, or a server IP that is not whitelisted.
	ErrUnauthorized = transport.ErrUnauthorized
	// ErrNotFound matches the "not_found" remark and HTTP 404.
	ErrNotFound = transport.ErrNotFound
	// ErrValidation matches the "validation_error" remark and every
	// *ValidationError.
	ErrValidation = transport.ErrValidation
	// ErrMaybeDelivered matches a send that failed after it was written: the
	// customer may have the message, so it was not repeated.
	ErrMaybeDelivered = transport.ErrMaybeDelivered
)

// Remarks Voxio documents. Success remarks name the call ("contact-list",
// "template_sent"); failures carry one of the codes below in Error.Code.
const (
	RemarkSuccess             = "success"
	RemarkTemplateSent        = "template_sent"
	RemarkValidationError     = "validation_error"
	RemarkNotFound            = "not_found"
	RemarkInsufficientBalance = "insufficient_balance"
	RemarkException           = "exception"
	RemarkUnauthorized        = "Unauthorized"
)

// decodeError is the transport hook: it sees every response and reports the
// failure inside it, in HTTP 200 as much as in any other status.
func decodeError(status int, _ http.Header, body []byte) *transport.Error {
	env, err := parseEnvelope(body)
	ok := status >= 200 && status < 300
	if err != nil {
		// Not Voxio's envelope (an HTML error page, an empty body): the
		// transport turns a non-2xx status into an *Error on its own, and a
		// 2xx body that cannot be read fails in the result decoder.
		return nil
	}
	if ok && !strings.EqualFold(strings.TrimSpace(env.Status), "error") {
		return nil
	}
	return &transport.Error{
		Code:     env.Remark,
		Messages: env.Messages,
		Fields:   env.Fields,
		Kind:     kindOf(env),
	}
}

// kindOf maps a remark (and, for the authentication answers, the message)
// onto a sentinel.
func kindOf(env *envelope) error {
	remark := strings.ToLower(strings.TrimSpace(env.Remark))
	switch remark {
	case "validation_error":
		return transport.ErrValidation
	case "not_found":
		return transport.ErrNotFound
	case "unauthorized", "unauthenticated":
		return transport.ErrUnauthorized
	}
	for _, m := range env.Messages {
		l := strings.ToLower(m)
		if strings.Contains(l, "whitelist") || strings.Contains(l, "white list") ||
			strings.Contains(l, "client secret is required") || strings.Contains(l, "client id is required") {
			return transport.ErrUnauthorized
		}
	}
	return nil
}
