package voxiotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/switchboard-go/switchboard/voxio"
)

// Codes FailNextError accepts, each answered in Voxio's own envelope and
// status, and what the client then matches with errors.Is:
//
//	code                    HTTP  remark                 the client's error matches
//	validation_error        200   validation_error       voxio.ErrValidation (Error.Fields["mobile"] set)
//	not_found               200   not_found              voxio.ErrNotFound
//	insufficient_balance    200   insufficient_balance   voxio.ErrInsufficientBalance
//	subscription_required   200   subscription_required  voxio.ErrSubscriptionRequired
//	exception               200   exception              ErrMaybeDelivered on a send: Voxio failed while handling it
//	Unauthorized            200   Unauthorized           voxio.ErrUnauthorized
//	ip_not_whitelisted      200   Unauthorized           voxio.ErrIPNotWhitelisted and voxio.ErrUnauthorized
//	rate_limited            429   (Laravel's "Too Many Attempts.")  voxio.ErrRateLimited, once the client's retries are used up
//
// Every answer is an *voxio.Error whose Code is the remark.
const (
	CodeValidationError      = voxio.RemarkValidationError
	CodeNotFound             = voxio.RemarkNotFound
	CodeInsufficientBalance  = voxio.RemarkInsufficientBalance
	CodeSubscriptionRequired = voxio.RemarkSubscriptionRequired
	CodeException            = voxio.RemarkException
	CodeUnauthorized         = voxio.RemarkUnauthorized
	CodeIPNotWhitelisted     = "ip_not_whitelisted"
	CodeRateLimited          = "rate_limited"
)

// vendorErrors are the answers of FailNextError, by code.
var vendorErrors = map[string]struct {
	status int
	body   any
}{
	CodeValidationError: {http.StatusOK, map[string]any{"remark": voxio.RemarkValidationError, "status": "error",
		"message": map[string][]string{"mobile": {"The mobile field must be a valid number."}}}},
	CodeNotFound:             {http.StatusOK, envelope(voxio.RemarkNotFound, "Conversation not found")},
	CodeInsufficientBalance:  {http.StatusOK, envelope(voxio.RemarkInsufficientBalance, "Insufficient template balance.")},
	CodeSubscriptionRequired: {http.StatusOK, envelope(voxio.RemarkSubscriptionRequired, "Interactive messages require an active plan.")},
	CodeException:            {http.StatusOK, envelope(voxio.RemarkException, "Something went wrong while sending message")},
	CodeUnauthorized:         {http.StatusOK, envelope(voxio.RemarkUnauthorized, "Invalid client credentials")},
	CodeIPNotWhitelisted:     {http.StatusOK, envelope(voxio.RemarkUnauthorized, whitelistMessages("127.0.0.1")...)},
	CodeRateLimited:          {http.StatusTooManyRequests, map[string]any{"message": "Too Many Attempts."}},
}

func envelope(remark string, msgs ...string) map[string]any {
	return map[string]any{"remark": remark, "status": "error", "message": msgs}
}

// FailNextError makes the next n requests answer the Voxio failure named
// by code, in Voxio's envelope and status (see the Code constants for
// each one and the sentinel it matches), without reaching Voxio's logic:
// nothing is stored or sent. An unknown code or n below 1 is an error and
// changes nothing.
func (s *Server) FailNextError(n int, code string) error {
	e, ok := vendorErrors[code]
	if !ok {
		known := make([]string, 0, len(vendorErrors))
		for k := range vendorErrors {
			known = append(known, k)
		}
		sort.Strings(known)
		return fmt.Errorf("voxiotest: FailNextError: unknown code %q (known: %s)", code, strings.Join(known, ", "))
	}
	if n < 1 {
		return fmt.Errorf("voxiotest: FailNextError: n must be at least 1, got %d", n)
	}
	b, err := json.Marshal(e.body)
	if err != nil {
		return fmt.Errorf("voxiotest: FailNextError: %w", err)
	}
	s.FailNext(n, e.status, string(b))
	return nil
}
