package main

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// faultCode is a vendor error the page can make the next requests answer,
// in the vendor's own envelope.
type faultCode struct {
	Code  string
	Label string
}

// chattuRateLimited is the page's name for Chattu's 429, which Chattu
// answers without a code of its own.
const chattuRateLimited = "RATE_LIMITED"

// chattuRateLimitBody is the body Chattu's rate limiter answers.
const chattuRateLimitBody = `{"error":"Too many requests, please try again later."}`

var faultCodes = map[string][]faultCode{
	regionVoxio: {
		{voxiotest.CodeValidationError, "validation_error (200, field errors)"},
		{voxiotest.CodeNotFound, "not_found (200)"},
		{voxiotest.CodeInsufficientBalance, "insufficient_balance (200)"},
		{voxiotest.CodeSubscriptionRequired, "subscription_required (200)"},
		{voxiotest.CodeException, "exception (200, outcome unknown)"},
		{voxiotest.CodeUnauthorized, "Unauthorized (200)"},
		{voxiotest.CodeIPNotWhitelisted, "IP not whitelisted (200)"},
		{voxiotest.CodeRateLimited, "rate limited (429)"},
	},
	regionVoitex: {
		{voitex.CodeUnauthorized, "Invalid Auth-Key (401)"},
		{voitex.CodePhoneInUse, "phone already used by a contact (200)"},
		{voitex.CodeContactNotFound, "no contact for the phone (200)"},
		{voitex.CodeLastPhone, "cannot remove the last phone (200)"},
		{voitex.CodeLabelNotFound, "invalid label number (200)"},
		{voitex.CodeNoValidPhone, "no valid phone number (200)"},
		{"validation", "body is required (200)"},
		{"failure", "Notify failure, every number rejected (200)"},
		{"rate_limited", "too many requests (429)"},
		{"server_error", "internal server error (500)"},
	},
	regionOurVoice: ourvoiceCodes(),
	regionChattu: {
		{chattu.CodeAuthError, "AUTH_ERROR (401)"},
		{chattu.CodeAccessDenied, "ACCESS_DENIED (403)"},
		{chattu.CodePlanLimitExceeded, "PLAN_LIMIT_EXCEEDED (403)"},
		{chattu.CodeReadOnlyChat, "READ_ONLY_CHAT (403)"},
		{chattu.CodeClientNotFound, "CLIENT_NOT_FOUND (404)"},
		{chattu.CodeGroupNotFound, "GROUP_NOT_FOUND (404)"},
		{chattu.CodeInvalidChatType, "INVALID_CHAT_TYPE (400)"},
		{chattu.CodeMediaError, "MEDIA_ERROR (400)"},
		{chattuRateLimited, "rate limited (429)"},
	},
}

func ourvoiceCodes() []faultCode {
	var out []faultCode
	for _, c := range ourvoicetest.ErrorCodes() {
		out = append(out, faultCode{Code: c, Label: strings.ReplaceAll(c, "_", " ")})
	}
	return out
}

// faultRequest is a parsed fault form.
type faultRequest struct {
	Kind  string
	Code  string
	N     int
	Delay time.Duration
}

// maxFaults bounds how many requests one fault form can affect.
const maxFaults = 100

func parseFault(r *http.Request) (faultRequest, error) {
	f := faultRequest{Kind: r.PostFormValue("kind"), Code: strings.TrimSpace(r.PostFormValue("code")), N: 1}
	if v := strings.TrimSpace(r.PostFormValue("n")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxFaults {
			return f, fmt.Errorf("the number of requests must be 1 to %d", maxFaults)
		}
		f.N = n
	}
	switch f.Kind {
	case "error":
		if f.Code == "" {
			return f, errors.New("choose an error")
		}
	case "delay":
		secs, err := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("delay")), 64)
		if err != nil || !(secs > 0 && secs <= 300) { // NaN fails too
			return f, errors.New("the delay must be more than 0 and at most 300 seconds")
		}
		f.Delay = time.Duration(secs * float64(time.Second))
	case "drop", "drop-response", "clear":
	default:
		return f, fmt.Errorf("unknown fault %q", f.Kind)
	}
	return f, nil
}

// faulter is what every sandbox offers for faults.
type faulter interface {
	FailNextError(n int, code string) error
	DelayNext(n int, d time.Duration)
	DropNext(n int)
	DropResponseNext(n int)
	ClearFaults()
}

func (d *devServer) faulter(vendor string) faulter {
	switch vendor {
	case regionVoxio:
		return d.voxio
	case regionVoitex:
		return d.voitex
	case regionOurVoice:
		return d.ourvoice
	case regionChattu:
		return d.chattu
	}
	return nil
}

// applyFault queues f on vendor's sandbox and says what will happen.
func (d *devServer) applyFault(vendor string, f faultRequest) (string, error) {
	s := d.faulter(vendor)
	if s == nil {
		return "", fmt.Errorf("unknown vendor %q", vendor)
	}
	what := plural(f.N, "request")
	switch f.Kind {
	case "error":
		if vendor == regionChattu && f.Code == chattuRateLimited {
			d.chattu.FailNext(f.N, http.StatusTooManyRequests, chattuRateLimitBody)
		} else if err := s.FailNextError(f.N, f.Code); err != nil {
			return "", fmt.Errorf("%s has no error %q", vendorName(vendor), f.Code)
		}
		msg := fmt.Sprintf("The next %s will fail with %s.", what, f.Code)
		if strings.Contains(strings.ToLower(f.Code), "rate") || f.Code == "server_error" || f.Code == "unavailable" {
			msg += " A client retries this answer: ask for more requests than its retries to see it give up."
		}
		return msg, nil
	case "drop":
		s.DropNext(f.N)
		return fmt.Sprintf("The next %s will be read and then the connection closed, before %s acts.", what, vendorName(vendor)), nil
	case "drop-response":
		s.DropResponseNext(f.N)
		return fmt.Sprintf("%s will act on the next %s, then the answer is lost.", vendorName(vendor), what), nil
	case "delay":
		s.DelayNext(f.N, f.Delay)
		return fmt.Sprintf("The next %s will wait %s before %s answers.", what, f.Delay, vendorName(vendor)), nil
	default: // clear
		s.ClearFaults()
		return "Faults not used yet were cleared.", nil
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func vendorName(v string) string {
	switch v {
	case regionVoxio:
		return "Voxio"
	case regionVoitex, regionCall:
		return "Voitex"
	case regionOurVoice:
		return "Our Voice"
	case regionChattu:
		return "Chattu"
	}
	return v
}
