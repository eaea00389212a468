package ourvoicetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// The texts of Our Voice's error answers, shared by the handlers and
// FailNextError.
const (
	msgSessionNotFound = "Session not found."
	msgMessageNotFound = "Message not found."
	msgSessionInvalid  = "The selected whatsapp session id is invalid."
	msgTooManyAttempts = "Too Many Attempts."
	msgServerError     = "Server Error"
	msgUnavailable     = "Service temporarily unavailable"
	msgRejected        = "The WhatsApp gateway rejected the message."
	msgMalformedJSON   = "Malformed JSON body."
)

func msgNotConnected(status string) string {
	return fmt.Sprintf("The WhatsApp session is not connected (status: %s).", status)
}

func msgQRUnavailable(status string) string {
	return fmt.Sprintf("QR code is only available for pending sessions (session is %s).", status)
}

func msgInsufficientBalance(n int, total, balance float64) string {
	return fmt.Sprintf("Insufficient balance: %d message(s) cost %g, balance is %g.", n, total, balance)
}

func msgFilterNotAllowed(names string) string {
	return fmt.Sprintf("Requested filter(s) `%s` are not allowed. Allowed filter(s) are `to_number, from_number, status, direction, type`.", names)
}

// The codes FailNextError accepts; its doc comment gives each one's status,
// body and what the client then matches.
const (
	CodeUnauthenticated     = "unauthenticated"
	CodeValidation          = "validation"
	CodeSessionNotConnected = "session_not_connected"
	CodeSessionInvalid      = "session_invalid"
	CodeSessionNotFound     = "session_not_found"
	CodeMessageNotFound     = "message_not_found"
	CodeQRUnavailable       = "qr_unavailable"
	CodeFilterNotAllowed    = "filter_not_allowed"
	CodeMalformedJSON       = "malformed_json"
	CodeInsufficientBalance = "insufficient_balance"
	CodeRateLimited         = "rate_limited"
	CodeServerError         = "server_error"
	CodeUnavailable         = "unavailable"
	CodeRejected            = "rejected"
)

// vendorError is one error Our Voice answers, as FailNextError injects it.
type vendorError struct {
	status int
	body   func() any
	// retryAfter adds "Retry-After: 0", so the client may retry at once.
	retryAfter bool
}

// vendorErrors are the codes FailNextError accepts; its doc comment lists
// them with their status and what the client matches.
var vendorErrors = map[string]vendorError{
	CodeUnauthenticated: {status: http.StatusUnauthorized, body: func() any { return unauthenticatedBody() }},
	CodeValidation: {status: http.StatusUnprocessableEntity, body: func() any {
		return invalidBody(map[string][]string{
			"to_number": {"The to number field is required."},
			"content":   {"The content field is required when type is text."},
		}, []string{"to_number", "content"})
	}},
	CodeSessionNotConnected: {status: http.StatusUnprocessableEntity, body: func() any {
		return invalidBody(map[string][]string{"whatsapp_session_id": {msgNotConnected("disconnected")}}, []string{"whatsapp_session_id"})
	}},
	CodeSessionInvalid: {status: http.StatusUnprocessableEntity, body: func() any {
		return invalidBody(map[string][]string{"whatsapp_session_id": {msgSessionInvalid}}, []string{"whatsapp_session_id"})
	}},
	CodeSessionNotFound:     {status: http.StatusNotFound, body: func() any { return failBody(msgSessionNotFound) }},
	CodeMessageNotFound:     {status: http.StatusNotFound, body: func() any { return failBody(msgMessageNotFound) }},
	CodeQRUnavailable:       {status: http.StatusBadRequest, body: func() any { return failBody(msgQRUnavailable("connected")) }},
	CodeFilterNotAllowed:    {status: http.StatusBadRequest, body: func() any { return failBody(msgFilterNotAllowed("colour")) }},
	CodeMalformedJSON:       {status: http.StatusBadRequest, body: func() any { return failBody(msgMalformedJSON) }},
	CodeInsufficientBalance: {status: http.StatusPaymentRequired, body: func() any { return failBody(msgInsufficientBalance(1, DefaultMessageCost, 0)) }},
	CodeRateLimited:         {status: http.StatusTooManyRequests, body: func() any { return map[string]any{"message": msgTooManyAttempts} }, retryAfter: true},
	CodeServerError:         {status: http.StatusInternalServerError, body: func() any { return failBody(msgServerError) }},
	CodeUnavailable:         {status: http.StatusServiceUnavailable, body: func() any { return failBody(msgUnavailable) }, retryAfter: true},
	CodeRejected:            {status: http.StatusOK, body: func() any { return failBody(msgRejected) }},
}

// ErrorCodes lists the codes FailNextError accepts, sorted, so that a test
// can walk every Our Voice error its code must handle.
func ErrorCodes() []string {
	out := make([]string, 0, len(vendorErrors))
	for c := range vendorErrors {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// FailNextError makes the next n requests answer the Our Voice error named
// by code, with Our Voice's own status and envelope, without reaching the
// handlers (nothing is created or charged). The codes, the answer, and
// what the ourvoice client then returns:
//
//	code                   status  body                                           client error matches
//	unauthenticated        401     {"message":"Unauthenticated."}                 ErrUnauthorized
//	validation             422     {"success":false,"message",                    ErrValidation; Error.Fields has
//	                               "errors":{"to_number":[..],"content":[..]}}    to_number and content
//	session_not_connected  422     errors.whatsapp_session_id: not connected      ErrValidation
//	session_invalid        422     errors.whatsapp_session_id: invalid            ErrValidation
//	session_not_found      404     {"success":false,"message":"Session ..."}      ErrNotFound
//	message_not_found      404     {"success":false,"message":"Message ..."}      ErrNotFound
//	qr_unavailable         400     {"success":false,"message":"QR code ..."}      ErrValidation
//	filter_not_allowed     400     {"success":false,"message":"Requested ..."}    ErrValidation
//	malformed_json         400     {"success":false,"message":"Malformed ..."}    ErrValidation
//	insufficient_balance   402     {"success":false,"message":"Insufficient ..."} no sentinel: *Error, StatusCode 402
//	rate_limited           429     {"message":"Too Many Attempts."}               ErrRateLimited once the client's
//	                               and Retry-After: 0                             retries are used up
//	server_error           500     {"success":false,"message":"Server Error"}     no sentinel: *Error, StatusCode 500
//	unavailable            503     {"success":false,"message":"Service ..."}      no sentinel: *Error, StatusCode 503,
//	                               and Retry-After: 0                             after the client's retries
//	rejected               200     {"success":false,"message":"The WhatsApp       no sentinel: *Error, StatusCode 200
//	                               gateway rejected the message."}
//
// Every answer is an *ourvoice.Error (errors.As), whose Messages carry the
// body's "message". A 429 or 503 is retried by the client, even for a
// send, because Our Voice did not act; give n above the client's retries
// (ourvoice.WithRetryMax) to see it fail. An unknown code or n below 1 is
// an error, and nothing is injected. The Code constants name the codes.
func (s *Server) FailNextError(n int, code string) error {
	ve, ok := vendorErrors[code]
	if !ok {
		return fmt.Errorf("ourvoicetest: unknown error code %q (known: %s)", code, strings.Join(ErrorCodes(), ", "))
	}
	if n < 1 {
		return fmt.Errorf("ourvoicetest: FailNextError: n must be at least 1, got %d", n)
	}
	b, err := json.Marshal(ve.body())
	if err != nil {
		return err
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if ve.retryAfter {
		h.Set("Retry-After", "0")
	}
	s.sb.FailNextWithHeader(n, ve.status, string(b), h)
	return nil
}
