package chattu

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// Error types shared by every Switchboard vendor package. They are aliases,
// so go doc shows no fields: each comment lists what a caller can read.
type (
	// Error is a failure Chattu reported: a non-2xx status, or a 2xx whose
	// body says the call failed ("success": false, "status": "error").
	// Match it with errors.As(err, &e) (e *chattu.Error) and read:
	//
	//   - Vendor (string): "chattu".
	//   - Method, Path (string): the call, Path relative to the base URL
	//     with a leading slash and no query ("/api/send-group-message").
	//   - StatusCode (int): the HTTP status; 200 for a failure reported
	//     inside a successful answer.
	//   - Code (string): Chattu's code (CodeGroupNotFound, ...), "" if none.
	//   - Messages ([]string): Chattu's texts ("error", "message",
	//     "details"), credentials redacted.
	//   - Fields (map[string][]string): per-field messages; Chattu sends none.
	//   - RequestID (string): a request id header, when Chattu sent one.
	//   - RetryAfter (time.Duration): the wait a 429 asked for, when it was
	//     longer than WithRetryAfterMax or the retries ran out.
	//   - Attempts (int): how many times the request was sent.
	//   - Body ([]byte): the start of the answer (64 KiB at most), redacted.
	//   - Kind (error): what the code means; errors.Is reads it. On a 5xx it
	//     is set in full only for a code that proves a refusal (every
	//     documented code but MEDIA_ERROR); a 5xx MEDIA_ERROR keeps
	//     ErrMediaError alone.
	//   - Uncertain (bool): the code does not prove a refusal although
	//     Chattu named one: MEDIA_ERROR with a 5xx.
	//   - MaybeDelivered (bool): a send, create or key reset was answered
	//     with a 5xx other than 501, 505 or 503 with Retry-After, and no
	//     code proves a refusal: Chattu, or the proxy in front of it, may
	//     have acted, so the request was not repeated. errors.Is(err,
	//     ErrMaybeDelivered) reports the same.
	//
	// errors.Is matches Chattu's sentinel for the code (ErrGroupNotFound,
	// ...) and the shared one named with it (ErrNotFound, ...); without a
	// code, the status decides (401/403 ErrUnauthorized, 404 ErrNotFound,
	// 400 ErrValidation, 429 ErrRateLimited). %+v adds the request id, the
	// attempts and a body excerpt.
	Error = transport.Error
	// ValidationError is input rejected before anything was sent, so
	// nothing reached Chattu. Match it with errors.As or
	// errors.Is(err, ErrValidation) and read:
	//
	//   - Vendor (string): "chattu".
	//   - Field (string): the parameter as the docs name it ("clientId"),
	//     or the option ("WithSessionCookie").
	//   - Rule (string): what the value must satisfy ("required").
	ValidationError = transport.ValidationError
	// RequestError is a failure to exchange with Chattu at all: the
	// connection was refused, reset or timed out, or the context ended.
	// Match it with errors.As and read:
	//
	//   - Vendor, Method, Path (string): the call, as in Error.
	//   - Attempts (int): how many times the request was sent.
	//   - MaybeDelivered (bool): a send was written and no answer came, so
	//     Chattu may have sent the message; errors.Is(err,
	//     ErrMaybeDelivered) reports the same.
	//   - Err (error): the cause; errors.Is(err, context.DeadlineExceeded)
	//     and net errors see through it.
	//   - Response (*Error): Chattu's last answer before the failure (a 429
	//     whose wait the context cut short), or nil; errors.As finds it.
	RequestError = transport.RequestError
	// DecodeError is a 2xx answer that could not be decoded. Match it with
	// errors.As and read:
	//
	//   - Vendor, Method, Path (string): the call, as in Error.
	//   - StatusCode (int): Chattu's (successful) status.
	//   - Accepted (bool): the request was a send or create that Chattu
	//     accepted: the message went out, and errors.Is(err,
	//     ErrMaybeDelivered) is true so that it is not sent again.
	//   - Err (error): what could not be read.
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
	// ErrMaybeDelivered matches a send, create or key reset that Chattu
	// may have acted on although the call failed: the connection broke
	// after the request was written, the answer was a 5xx other than 501,
	// 505 or 503 with Retry-After (unless its code proves a refusal), or a
	// success could not be read. It was not repeated; check (Messages.Sent,
	// Schedules.List, Clients.List) before sending again.
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

// invalid returns the *ValidationError, naming Chattu, for field breaking
// rule: a program with clients of several vendors learns which one refused.
func invalid(field, rule string) error { return transport.InvalidFor(vendor, field, rule) }

// failure is the transport's Failure hook: it reports the failure a
// response describes, in any status, or nil. Chattu's failures take every
// shape the docs and the service show: {"error": "..."}, {"error": {"code",
// "message"}}, {"success": false, "message"}, {"status": "error",
// "message"}, a code under "code", "errorCode" or "error_code", and plain
// text from the proxy in front. A successful object answer is split into
// its members once and left in resp.Envelope for the result decoder.
func failure(resp *transport.Response) *transport.Error {
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	t := bytes.TrimSpace(resp.Body)
	var o object
	isObject := false
	if len(t) > 0 && t[0] == '{' {
		if ms, err := loose.Members(t); err == nil {
			o, isObject = ms, true
		}
	}
	if ok {
		if !isObject {
			return nil
		}
		resp.Envelope = o
		if !reportsFailure(o) {
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
	code := firstText(o.get("code"), o.get("errorCode"), o.get("error_code"))
	errVal := o.get("error")
	if isObjectJSON(errVal) {
		if nested, err := loose.Members(errVal); err == nil {
			if code == "" {
				code = stringText(object(nested).get("code"))
			}
			if m := stringText(object(nested).get("message")); m != "" {
				e.Messages = append(e.Messages, m)
			}
		}
	} else if m := stringText(errVal); m != "" {
		e.Messages = append(e.Messages, m)
	}
	if m := stringText(o.get("message")); m != "" && (len(e.Messages) == 0 || e.Messages[0] != m) {
		e.Messages = append(e.Messages, m)
	}
	if m := stringText(o.get("details")); m != "" {
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
	up := strings.ToUpper(code)
	if k, known := kinds[up]; known {
		e.Kind = k
		if resp.StatusCode >= 500 && !refusals[up] {
			// A server error naming a code that does not prove a refusal:
			// Chattu failed while acting, so it may have sent. The error
			// keeps the vendor's own sentinel, not the shared one that
			// would say "refused", and matches ErrMaybeDelivered on a send.
			e.Kind, e.Uncertain = uncertainKinds[up], true
		}
	}
	return e
}

// refusals are the codes that prove Chattu refused a request before acting
// on it, whatever the HTTP status: each names a check made before anything
// is sent (the key, the client's owner, the plan, a read-only chat, a
// missing client or group, a chat that is not a group). A 5xx carrying one
// keeps its Kind, so that it does not match ErrMaybeDelivered.
//
// MEDIA_ERROR is documented with a 400, a refusal by its status. With a
// 5xx it does not prove one: Chattu processes the media as part of the
// send, and a server error there may come after WhatsApp took the message.
var refusals = map[string]bool{
	CodeAuthError:         true,
	CodeAccessDenied:      true,
	CodePlanLimitExceeded: true,
	CodeReadOnlyChat:      true,
	CodeClientNotFound:    true,
	CodeGroupNotFound:     true,
	CodeInvalidChatType:   true,
}

// uncertainKinds is what a code that proves no refusal matches in a 5xx:
// its own sentinel only, and (through Uncertain) ErrMaybeDelivered on a
// send.
var uncertainKinds = map[string]error{
	CodeMediaError: ErrMediaError,
}

// reportsFailure says whether a 2xx object describes a failure. Only a
// plain "no" counts: a success flag Chattu garbled must not turn a message
// it sent into a refusal the caller would send again.
func reportsFailure(o object) bool {
	if v := o.get("success"); v != nil {
		for _, no := range [...]string{"false", "0", "no", "off"} {
			if isWord(v, no) {
				return true
			}
		}
	}
	if v := o.get("status"); isStringJSON(v) {
		for _, bad := range [...]string{"error", "fail", "failed", "failure"} {
			if isWord(v, bad) {
				return true
			}
		}
	}
	if v := o.get("error"); v != nil && !loose.IsNull(v) && !isWord(v, "false") {
		return true
	}
	return false
}

// stringText returns a JSON string's text, trimmed, or "" for any other
// JSON value: a code or message is text, and a number or object in its
// place says nothing a person can read.
func stringText(v json.RawMessage) string {
	t := bytes.TrimSpace(v)
	if len(t) == 0 || t[0] != '"' {
		return ""
	}
	return loose.Text(t)
}

func firstText(vs ...json.RawMessage) string {
	for _, v := range vs {
		if s := stringText(v); s != "" {
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
