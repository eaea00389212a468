package ourvoice

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// The SDK's shared error types, re-exported so that code handling Our Voice
// failures reads the same as code handling the other vendors'. There is one
// definition of each; go doc shows an alias without its fields, so each
// comment lists what a caller can read.
type (
	// Error is a failure Our Voice reported: a non-2xx status, or an answer
	// (even HTTP 200) whose body says "success": false. Match it with
	// errors.As(err, &e) where e is an *ourvoice.Error. Its fields:
	//
	//   - Vendor string: "ourvoice".
	//   - Method, Path string: the call ("POST", "/whatsapp/messages"); Path
	//     is relative to the base URL, starts with "/" and has no query.
	//   - StatusCode int: the HTTP status, 200 or 201 for a "success": false
	//     inside a 2xx.
	//   - Code string: Our Voice's "code" or "error_code", when it sent one.
	//   - Messages []string: "message" and "error", then each field error
	//     as "field: message".
	//   - Fields map[string][]string: the per-field messages of a 422
	//     ({"errors": {"to_number": ["..."]}}).
	//   - RequestID string: the body's "request_id", else the X-Request-Id
	//     header.
	//   - RetryAfter time.Duration: the wait Our Voice asked for (429, 503)
	//     when the SDK did not wait it out.
	//   - Attempts int: how many times the request was sent.
	//   - Body []byte: the start of the answer (64 KiB at most).
	//   - Kind error: what the error matches when the status alone cannot
	//     say (ErrValidation for field errors inside a 2xx).
	//   - Uncertain bool: never set; Our Voice has no code meaning "outcome
	//     unknown".
	//   - MaybeDelivered bool: a send or session change was answered with a
	//     5xx other than 501, 505 or 503 with Retry-After: Our Voice may have
	//     acted, so it was not repeated.
	//
	// errors.Is(err, X) matches ErrUnauthorized (401, 403), ErrNotFound
	// (404), ErrValidation (400, 422, or field errors inside a 2xx),
	// ErrRateLimited (429) and ErrMaybeDelivered (MaybeDelivered). Every text in it is redacted: the token never
	// appears.
	Error = transport.Error
	// ValidationError is input rejected before anything was sent: nothing
	// reached Our Voice. Match it with errors.As(err, &ve) where ve is an
	// *ourvoice.ValidationError, or with errors.Is(err, ErrValidation). Its
	// fields:
	//
	//   - Vendor string: "ourvoice".
	//   - Field string: the parameter as the docs name it ("to_number[1]",
	//     "whatsapp_session_id", "token", "WithRetryMax").
	//   - Rule string: what the value must satisfy ("required").
	ValidationError = transport.ValidationError
	// RequestError is an exchange that did not complete: the connection was
	// refused, reset or timed out, or the context ended. Match it with
	// errors.As(err, &re) where re is an *ourvoice.RequestError. Its fields:
	//
	//   - Vendor, Method, Path string: as in Error.
	//   - Attempts int: how many times the request was sent.
	//   - MaybeDelivered bool: a send (or another call that is not safe to
	//     repeat) was written before the failure, so Our Voice may have
	//     acted on it; errors.Is(err, ErrMaybeDelivered) reports the same.
	//   - Err error: the cause; errors.Is(err, context.DeadlineExceeded)
	//     and net error checks see through to it.
	//   - Response *Error: Our Voice's last answer before the failure (a
	//     429 whose wait the context cut short), also found by errors.As.
	RequestError = transport.RequestError
	// DecodeError is a successful (2xx) answer whose structure could not
	// be read: not JSON, or without the object or list the endpoint
	// documents. A field in an odd form does not cause it (it reads as its
	// zero value; the exact bytes stay reachable through Raw). Match it
	// with errors.As(err, &de) where de is an *ourvoice.DecodeError. Its
	// fields:
	//
	//   - Vendor, Method, Path string: as in Error.
	//   - StatusCode int: Our Voice's successful status.
	//   - Accepted bool: the call was not safe to repeat (a send, a session
	//     creation, a disconnect, a reconnect) and Our Voice answered 2xx,
	//     so it acted: errors.Is(err, ErrMaybeDelivered) is true.
	//   - Err error: why the answer could not be read.
	DecodeError = transport.DecodeError
)

// Sentinels to test failures with errors.Is, shared by every vendor package
// so that one error handler serves all of them.
var (
	// ErrRateLimited matches HTTP 429 after the client's own retries.
	ErrRateLimited = transport.ErrRateLimited
	// ErrUnauthorized matches HTTP 401/403: a wrong or revoked token.
	ErrUnauthorized = transport.ErrUnauthorized
	// ErrNotFound matches HTTP 404: no such session or message.
	ErrNotFound = transport.ErrNotFound
	// ErrValidation matches input rejected by the SDK before sending or by
	// Our Voice (HTTP 400 or 422, or field errors inside a 2xx
	// "success": false).
	ErrValidation = transport.ErrValidation
	// ErrMaybeDelivered matches a send, session creation, disconnect or
	// reconnect that failed after it was written, whose answer was cut off
	// or could not be read, or that was answered with a 5xx other than 501,
	// 505 or 503 with Retry-After: Our Voice may have acted on it, so it was
	// not repeated. Check the message list before sending again.
	ErrMaybeDelivered = transport.ErrMaybeDelivered
)

// SessionStatusError reports that a session reached a status from which it
// will not connect by itself (banned or failed) while WaitConnected was
// waiting for it, so the caller stops waiting and links a new session.
type SessionStatusError struct {
	// SessionID is the session's id (uuid).
	SessionID string
	// Status is the terminal status reached.
	Status SessionStatus
	// Reason is Our Voice's explanation, when it gave one.
	Reason string
}

// Error implements error.
func (e *SessionStatusError) Error() string {
	s := fmt.Sprintf("ourvoice: session %s is %s", e.SessionID, e.Status)
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Is matches ErrSessionBanned or ErrSessionFailed by status.
func (e *SessionStatusError) Is(target error) bool {
	switch target {
	case ErrSessionBanned:
		return e.Status == SessionBanned
	case ErrSessionFailed:
		return e.Status == SessionFailed
	}
	return false
}

var (
	// ErrSessionBanned: WhatsApp banned the session's number. Waiting longer
	// will not help; a new session with another number is needed.
	ErrSessionBanned = errors.New("ourvoice: session banned")
	// ErrSessionFailed: the session failed to link; create a new one.
	ErrSessionFailed = errors.New("ourvoice: session failed")
)

// failure is the transport's Failure hook: it returns the failure an answer
// reports, or nil. Our Voice reports failures as "success": false
// (sometimes with HTTP 200), Laravel-style {"message", "errors": {field:
// [messages]}} on 422, and plain {"message": "Unauthenticated."} on 401.
// The transport fills the call's details and redacts every text of the
// returned *Error.
//
// Each answer is read once. A 2xx answer that cannot say "success": false
// (see mayReportFailure) is left unread, for the result decoder to read in
// one pass; any other answer is split into its top-level members here, and
// they are left in resp.Envelope for the decoder.
func failure(resp *transport.Response) *transport.Error {
	status := resp.StatusCode
	if status >= 200 && status < 300 && !mayReportFailure(resp.Body) {
		return nil
	}
	return readFailure(resp)
}

// readFailure is failure without the shortcut: it splits the answer into
// its top-level members, leaves them in resp.Envelope and reads the
// failure they report.
func readFailure(resp *transport.Response) *transport.Error {
	status := resp.StatusCode
	env := parseEnvelope(resp.Body)
	resp.Envelope = env
	failed := status < 200 || status >= 300
	if env.err == nil {
		if v, ok := env.get("success"); ok && isFalse(v) {
			failed = true
		}
	}
	if !failed {
		return nil
	}
	e := &transport.Error{}
	if env.err != nil {
		if t := http.StatusText(status); t != "" && status >= 400 {
			e.Messages = []string{t}
		}
		return e
	}
	if v, ok := env.get("message"); ok {
		if s := text(v); s != "" {
			e.Messages = append(e.Messages, s)
		}
	}
	errRaw, _ := env.get("error")
	if s := text(errRaw); s != "" && !contains(e.Messages, s) {
		e.Messages = append(e.Messages, s)
	}
	if v, ok := env.get("code"); ok {
		e.Code = text(v)
	}
	if e.Code == "" {
		if v, ok := env.get("error_code"); ok {
			e.Code = text(v)
		}
	}
	if v, ok := env.get("request_id"); ok {
		e.RequestID = text(v)
	}
	errsRaw, _ := env.get("errors")
	e.Fields = fieldErrors(errsRaw)
	if len(e.Fields) == 0 {
		// Some answers carry the field map under "error".
		e.Fields = fieldErrors(errRaw)
	}
	if e.Fields == nil {
		// A list of messages instead of a map.
		for _, m := range scalars(errsRaw) {
			if !contains(e.Messages, m) {
				e.Messages = append(e.Messages, m)
			}
		}
	}
	if len(e.Fields) > 0 {
		// Kind, when set, alone decides what the error matches. A non-2xx
		// status already says what went wrong (a 401 or 429 that also
		// lists fields is still about the token or the rate), so Kind is
		// only needed for field errors inside a 2xx "success": false,
		// which no status would classify.
		if status >= 200 && status < 300 {
			e.Kind = transport.ErrValidation
		}
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, m := range e.Fields[k] {
				if !contains(e.Messages, m) {
					e.Messages = append(e.Messages, k+": "+m)
				}
			}
		}
	}
	return e
}

// mayReportFailure reports whether a 2xx body could hold a "success" member
// that says the call failed, at any depth, without reading the body as JSON:
// it is false only when every mention of "success" (in any case) is a
// member set to true or 1 (or "true", "1") and no \u escape could spell
// one. Anything else (a false, a value it does not recognise, the word in
// a text, an escape) sends the body to the full reading, so the shortcut
// can skip work but never a failure. It spares the common answer, a
// success, a second pass over its bytes.
func mayReportFailure(body []byte) bool {
	if bytes.Contains(body, []byte(`\u`)) {
		return true
	}
	const word = "success"
	for rest := body; len(rest) >= len(word); {
		i := indexS(rest)
		if i < 0 || len(rest)-i < len(word) {
			return false
		}
		if !asciiEqualFold(string(rest[i:i+len(word)]), word) {
			rest = rest[i+1:]
			continue
		}
		after, ok := truthyMemberEnd(rest[i+len(word):])
		if !ok {
			return true
		}
		rest = after
	}
	return false
}

// indexS returns the index of the first 's' or 'S' in b, or -1.
func indexS(b []byte) int {
	i := bytes.IndexByte(b, 's')
	if i < 0 {
		i = len(b)
	}
	if j := bytes.IndexByte(b[:i], 'S'); j >= 0 {
		return j
	}
	if i == len(b) {
		return -1
	}
	return i
}

// truthyMemberEnd checks that rest continues a key with a true value: the
// key's closing quote (after stray spaces), a colon, then true, 1, "true"
// or "1" followed by a delimiter. It returns what follows the value.
func truthyMemberEnd(rest []byte) ([]byte, bool) {
	rest = bytes.TrimLeft(rest, " \t\r\n")
	if len(rest) == 0 || rest[0] != '"' {
		return nil, false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != ':' {
		return nil, false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	for _, lit := range []string{"true", "1", `"true"`, `"1"`} {
		if len(rest) > len(lit) && string(rest[:len(lit)]) == lit {
			switch rest[len(lit)] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return rest[len(lit):], true
			}
		}
	}
	return nil, false
}

// asciiEqualFold compares b and s ignoring ASCII case only, the way member
// matches keys, so that mayReportFailure and the full reading agree on
// what spells "success".
func asciiEqualFold(b, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// isFalse reports a "success" member that says the call failed: false, 0
// or their string forms. Anything else, null or an unreadable value
// included, is not read as a failure.
func isFalse(raw json.RawMessage) bool {
	switch string(bytes.TrimSpace(raw)) {
	case "true", "1":
		return false // the common answer, read without allocating
	}
	switch strings.ToLower(text(raw)) {
	case "false", "0", "no", "off":
		return true
	}
	return false
}

// fieldErrors reads {"field": ["msg", ...]} or {"field": "msg"}.
func fieldErrors(raw json.RawMessage) map[string][]string {
	if !isObject(raw) {
		return nil
	}
	ms, err := loose.Members(raw)
	if err != nil {
		return nil
	}
	var out map[string][]string
	for _, m := range ms {
		var msgs []string
		if isArray(m.Value) {
			msgs = scalars(m.Value)
		} else if s := text(m.Value); s != "" {
			msgs = []string{s}
		}
		if len(msgs) == 0 {
			continue
		}
		if out == nil {
			out = make(map[string][]string, len(ms))
		}
		out[m.Key] = append(out[m.Key], msgs...)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
