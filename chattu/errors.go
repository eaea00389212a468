package chattu

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// Error types shared by every Switchboard vendor package.
type (
	// Error is a failure Chattu reported: a non-2xx status, or a 2xx whose
	// body says the call failed ("success": false, "status": "error").
	Error = transport.Error
	// ValidationError is input rejected before anything was sent.
	ValidationError = transport.ValidationError
	// RequestError is a failure to exchange with Chattu at all.
	RequestError = transport.RequestError
	// DecodeError is a 2xx answer that could not be decoded; for a send it
	// matches ErrMaybeDelivered (Chattu accepted it).
	DecodeError = transport.DecodeError
)

// Sentinels shared by every vendor package, for errors.Is.
var (
	// ErrRateLimited matches HTTP 429, and the client-side limiter's refusal
	// to wait past a context's deadline.
	ErrRateLimited = transport.ErrRateLimited
	// ErrUnauthorized matches AUTH_ERROR and ACCESS_DENIED, and a 401 or
	// 403 that carries no code. A 403 PLAN_LIMIT_EXCEEDED or READ_ONLY_CHAT
	// does not match: the credentials are fine, so code that reacts to
	// ErrUnauthorized (alerting, rotating keys) must not fire for them.
	ErrUnauthorized = transport.ErrUnauthorized
	// ErrNotFound matches CLIENT_NOT_FOUND and GROUP_NOT_FOUND, and a 404
	// that carries no code.
	ErrNotFound = transport.ErrNotFound
	// ErrValidation matches INVALID_CHAT_TYPE and MEDIA_ERROR, a 400 that
	// carries no code, and every *ValidationError.
	ErrValidation = transport.ErrValidation
	// ErrMaybeDelivered matches a send that failed after some of it was
	// written: Chattu may have sent the message, so it was not repeated.
	ErrMaybeDelivered = transport.ErrMaybeDelivered
)

// The machine-readable codes the docs list for the groups and channels API,
// as Error.Code carries them.
const (
	CodeAuthError         = "AUTH_ERROR"          // 401: the API key was missing or wrong
	CodeAccessDenied      = "ACCESS_DENIED"       // 403: the client belongs to someone else
	CodePlanLimitExceeded = "PLAN_LIMIT_EXCEEDED" // 403: the account's plan does not allow more
	CodeReadOnlyChat      = "READ_ONLY_CHAT"      // 403: the group or channel only lets admins post
	CodeClientNotFound    = "CLIENT_NOT_FOUND"    // 404
	CodeGroupNotFound     = "GROUP_NOT_FOUND"     // 404
	CodeInvalidChatType   = "INVALID_CHAT_TYPE"   // 400: the chat is not a group or channel
	CodeMediaError        = "MEDIA_ERROR"         // 400: the media URL could not be processed
)

// Chattu's own sentinels, one per code, for errors.Is. An *Error carrying a
// code matches its sentinel and the shared sentinel named with it, and
// nothing else, whatever the HTTP status: the code says more than the
// status (Chattu answers 403 for a wrong key, a plan quota and a read-only
// group alike).
var (
	// ErrAuth: the API key was missing or wrong (AUTH_ERROR). Also matches
	// ErrUnauthorized.
	ErrAuth = errors.New("chattu: authentication failed (AUTH_ERROR)")
	// ErrAccessDenied: the key may not use this client, which belongs to
	// another user or client key (ACCESS_DENIED). Also matches
	// ErrUnauthorized.
	ErrAccessDenied = errors.New("chattu: access denied (ACCESS_DENIED)")
	// ErrPlanLimitExceeded: the account's plan allows no more (clients,
	// messages) (PLAN_LIMIT_EXCEEDED). It matches no shared sentinel: it is
	// not a credential problem (ErrUnauthorized) and waiting does not lift
	// it (ErrRateLimited).
	ErrPlanLimitExceeded = errors.New("chattu: plan limit exceeded (PLAN_LIMIT_EXCEEDED)")
	// ErrReadOnlyChat: the group or channel lets only its admins post
	// (READ_ONLY_CHAT). It matches no shared sentinel: the credentials are
	// fine and the request is well formed; nothing was sent, and sending
	// again to the same group fails the same way.
	ErrReadOnlyChat = errors.New("chattu: read-only group or channel (READ_ONLY_CHAT)")
	// ErrClientNotFound: no such WhatsApp client (CLIENT_NOT_FOUND). Also
	// matches ErrNotFound.
	ErrClientNotFound = errors.New("chattu: client not found (CLIENT_NOT_FOUND)")
	// ErrGroupNotFound: the client has no such group or channel
	// (GROUP_NOT_FOUND). Also matches ErrNotFound.
	ErrGroupNotFound = errors.New("chattu: group not found (GROUP_NOT_FOUND)")
	// ErrInvalidChatType: the id names a private chat, not a group or
	// channel (INVALID_CHAT_TYPE). Also matches ErrValidation.
	ErrInvalidChatType = errors.New("chattu: chat is not a group or channel (INVALID_CHAT_TYPE)")
	// ErrMediaError: Chattu could not fetch or process the media URL
	// (MEDIA_ERROR). Also matches ErrValidation.
	ErrMediaError = errors.New("chattu: media URL could not be processed (MEDIA_ERROR)")
)

// kinds maps a code to everything its *Error matches (transport.Error.Is:
// a Kind replaces the status mapping).
var kinds = map[string]error{
	CodeAuthError:         errors.Join(ErrAuth, ErrUnauthorized),
	CodeAccessDenied:      errors.Join(ErrAccessDenied, ErrUnauthorized),
	CodePlanLimitExceeded: ErrPlanLimitExceeded,
	CodeReadOnlyChat:      ErrReadOnlyChat,
	CodeClientNotFound:    errors.Join(ErrClientNotFound, ErrNotFound),
	CodeGroupNotFound:     errors.Join(ErrGroupNotFound, ErrNotFound),
	CodeInvalidChatType:   errors.Join(ErrInvalidChatType, ErrValidation),
	CodeMediaError:        errors.Join(ErrMediaError, ErrValidation),
}

// failureBody is every shape a Chattu failure has been seen or documented
// in: {"error": "..."}, {"error": {"code", "message"}}, {"success": false,
// "message"}, {"status": "error", "message"} and a code under "code",
// "errorCode" or "error_code".
type failureBody struct {
	Success   *json.RawMessage `json:"success"`
	Status    json.RawMessage  `json:"status"`
	Error     json.RawMessage  `json:"error"`
	Message   json.RawMessage  `json:"message"`
	Details   json.RawMessage  `json:"details"`
	Code      json.RawMessage  `json:"code"`
	ErrorCode json.RawMessage  `json:"errorCode"`
	ErrorCod2 json.RawMessage  `json:"error_code"`
}

// decodeError is the transport hook: it reports the failure a response
// describes, in any status, or nil.
func decodeError(status int, _ http.Header, body []byte) *transport.Error {
	ok := status >= 200 && status < 300
	t := bytes.TrimSpace(body)
	var f failureBody
	isObject := len(t) > 0 && t[0] == '{' && json.Unmarshal(t, &f) == nil
	if ok {
		if !isObject || !f.reportsFailure() {
			return nil
		}
	}
	e := &transport.Error{}
	if !isObject {
		if msg := plainMessage(t); msg != "" {
			e.Messages = []string{msg}
		}
		return e
	}
	code := firstText(f.Code, f.ErrorCode, f.ErrorCod2)
	var nested struct {
		Code    json.RawMessage `json:"code"`
		Message json.RawMessage `json:"message"`
	}
	if len(f.Error) > 0 && f.Error[0] == '{' && json.Unmarshal(f.Error, &nested) == nil {
		if code == "" {
			code = text(nested.Code)
		}
		if m := text(nested.Message); m != "" {
			e.Messages = append(e.Messages, m)
		}
	} else if m := text(f.Error); m != "" {
		e.Messages = append(e.Messages, m)
	}
	if m := text(f.Message); m != "" && (len(e.Messages) == 0 || e.Messages[0] != m) {
		e.Messages = append(e.Messages, m)
	}
	if m := text(f.Details); m != "" {
		e.Messages = append(e.Messages, m)
	}
	if code == "" {
		// {"error": "GROUP_NOT_FOUND"} carries the code as the message.
		for _, m := range e.Messages {
			if _, known := kinds[m]; known {
				code = m
				break
			}
		}
	}
	e.Code = code
	if k, known := kinds[strings.ToUpper(code)]; known {
		e.Kind = k
	}
	return e
}

// reportsFailure says whether a 2xx body describes a failure.
func (f *failureBody) reportsFailure() bool {
	if f.Success != nil {
		var b transport.Bool
		if json.Unmarshal(*f.Success, &b) == nil && !bool(b) && !isNullJSON(*f.Success) {
			return true
		}
	}
	switch strings.ToLower(text(f.Status)) {
	case "error", "fail", "failed", "failure":
		return true
	}
	if len(f.Error) > 0 && !isNullJSON(f.Error) && string(f.Error) != "false" && string(f.Error) != `""` {
		return true
	}
	return false
}

func isNullJSON(b []byte) bool {
	t := bytes.TrimSpace(b)
	return len(t) == 0 || string(t) == "null"
}

// text returns a JSON string's content, or "" for any other JSON value.
func text(b json.RawMessage) string {
	var s string
	if len(b) == 0 || b[0] != '"' || json.Unmarshal(b, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

func firstText(bs ...json.RawMessage) string {
	for _, b := range bs {
		if s := text(b); s != "" {
			return s
		}
	}
	return ""
}

// plainMessage keeps a short non-JSON error body (Express answers 429 with
// "Too many requests, please try again later.") but not an HTML page.
func plainMessage(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" || len(s) > 300 || strings.HasPrefix(s, "<") || strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[") {
		return ""
	}
	return s
}
