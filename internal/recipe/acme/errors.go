package acme

import (
	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// The shared error types (see voxio.Error for the fields they hold).
type (
	// Error is a failure Acme reported.
	Error = transport.Error
	// ValidationError is input refused before sending.
	ValidationError = transport.ValidationError
	// RequestError is an exchange that did not complete.
	RequestError = transport.RequestError
	// DecodeError is a 2xx answer the SDK could not read.
	DecodeError = transport.DecodeError
)

// The shared sentinels.
var (
	ErrRateLimited    = transport.ErrRateLimited
	ErrUnauthorized   = transport.ErrUnauthorized
	ErrNotFound       = transport.ErrNotFound
	ErrValidation     = transport.ErrValidation
	ErrMaybeDelivered = transport.ErrMaybeDelivered
)

func invalid(field, rule string) error { return transport.InvalidFor("acme", field, rule) }

// failure reads Acme's {"ok": false, "error": {"code", "message"}}.
func failure(resp *transport.Response) *transport.Error {
	f, err := loose.Fields(resp.Body)
	if err != nil || loose.ParseBool(f["ok"]) {
		return nil
	}
	e, _ := loose.Fields(f["error"])
	te := &transport.Error{Code: loose.Text(e["code"]), Messages: []string{loose.Text(e["message"])}}
	if te.Code == "invalid_request" {
		te.Kind = ErrValidation
	}
	return te
}
