package ourvoice

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// The SDK's shared types, re-exported so that code handling Our Voice
// failures reads the same as code handling the other vendors'. There is one
// definition of each, in the SDK's transport.
type (
	// Error is a failure Our Voice reported: a non-2xx status, or an HTTP
	// 200 whose body says "success": false. Fields holds the per-field
	// messages of a 422.
	Error = transport.Error
	// ValidationError is input rejected before anything was sent.
	ValidationError = transport.ValidationError
	// RequestError is an exchange that did not complete (connection
	// refused, reset, timed out, context ended). It matches
	// ErrMaybeDelivered when a send may have reached Our Voice.
	RequestError = transport.RequestError
	// DecodeError is a successful answer whose JSON could not be read.
	DecodeError = transport.DecodeError
	// Option configures a Client.
	Option = transport.Option
)

// Sentinels to test failures with errors.Is, shared by every vendor package.
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
	// reconnect that failed after it was written (or whose 2xx answer
	// could not be read): Our Voice may have acted on it, so it was not
	// repeated. Check the message list before sending again.
	ErrMaybeDelivered = transport.ErrMaybeDelivered
)

// Options shared by every Switchboard client.
var (
	// WithBaseURL points the client at another server (a sandbox from
	// ourvoicetest, a proxy). It replaces DefaultBaseURL, so include the
	// "/v1" prefix if the server expects it.
	WithBaseURL = transport.WithBaseURL
	// WithHTTPClient sends requests through the given *http.Client's
	// transport (for proxies, custom TLS, or tests).
	WithHTTPClient = transport.WithHTTPClient
	// WithLogger logs attempts, retries and failures to a *slog.Logger,
	// without credentials. Nothing is logged by default.
	WithLogger = transport.WithLogger
	// WithUserAgent prefixes the SDK's User-Agent with the application's.
	WithUserAgent = transport.WithUserAgent
	// WithRetryMax bounds retries (default 3). Sends and session creation
	// are never retried once written, whatever this says.
	WithRetryMax = transport.WithRetryMax
	// WithRetryWait sets the first and the longest backoff between attempts.
	WithRetryWait = transport.WithRetryWait
	// WithRetryAfterMax caps how long a 429/503 Retry-After is honoured
	// before the call gives up with *Error carrying RetryAfter.
	WithRetryAfterMax = transport.WithRetryAfterMax
)

// SessionStatusError reports that a session reached a status from which it
// will not connect by itself (banned or failed) while WaitConnected was
// waiting for it.
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

// decodeError is the transport's hook: it is called for every response and
// returns the failure the body reports, or nil. Our Voice reports failures
// as "success": false (sometimes with HTTP 200), Laravel-style
// {"message", "errors": {field: [messages]}} on 422, and plain
// {"message": "Unauthenticated."} on 401.
func decodeError(status int, _ http.Header, body []byte) *transport.Error {
	fields := map[string]json.RawMessage{}
	isObject := json.Unmarshal(body, &fields) == nil
	failed := status < 200 || status >= 300
	if isObject {
		if raw, ok := fields["success"]; ok {
			var ok transport.Bool
			if json.Unmarshal(raw, &ok) == nil && !bool(ok) && !isNullJSON(raw) {
				failed = true
			}
		}
	}
	if !failed {
		return nil
	}
	e := &transport.Error{}
	if !isObject {
		if t := http.StatusText(status); t != "" && status >= 400 {
			e.Messages = []string{t}
		}
		return e
	}
	if s := jsonText(fields["message"]); s != "" {
		e.Messages = append(e.Messages, s)
	}
	if s := jsonText(fields["error"]); s != "" && !contains(e.Messages, s) {
		e.Messages = append(e.Messages, s)
	}
	e.Code = jsonText(fields["code"])
	if e.Code == "" {
		e.Code = jsonText(fields["error_code"])
	}
	e.RequestID = jsonText(fields["request_id"])
	e.Fields = fieldErrors(fields["errors"])
	if len(e.Fields) == 0 {
		// Some answers carry the field map under "error" or "data".
		e.Fields = fieldErrors(fields["error"])
	}
	if e.Fields == nil {
		// A list of messages instead of a map.
		var list []string
		if json.Unmarshal(fields["errors"], &list) == nil {
			for _, m := range list {
				if m = strings.TrimSpace(m); m != "" && !contains(e.Messages, m) {
					e.Messages = append(e.Messages, m)
				}
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

// decodeFailure is a 2xx answer whose body could not be read. Our Voice
// accepted the request: for a send, a session creation, a disconnect or a
// reconnect (POST, PATCH) it acted, so the error matches ErrMaybeDelivered
// and the caller looks before repeating it, as it would after a lost answer.
func decodeFailure(method, path string, status int, err error) error {
	accepted := method == http.MethodPost || method == http.MethodPatch
	return &transport.DecodeError{Vendor: vendor, Method: method, Path: path, StatusCode: status, Accepted: accepted, Err: err}
}

// vendorError is decodeError with the client's secrets removed from the
// parts of the *Error the transport does not redact itself (it redacts the
// text, Messages and Body): a 422 that quotes the token back under a field
// must not hand it to whoever logs Error.Fields.
func (c *Client) vendorError(status int, h http.Header, body []byte) *transport.Error {
	e := decodeError(status, h, body)
	if e == nil || c.tc == nil {
		return e
	}
	for _, msgs := range e.Fields {
		for i, m := range msgs {
			msgs[i] = c.tc.Redact(m)
		}
	}
	e.Code = c.tc.Redact(e.Code)
	e.RequestID = c.tc.Redact(e.RequestID)
	return e
}

// fieldErrors reads {"field": ["msg", ...]} or {"field": "msg"}.
func fieldErrors(raw json.RawMessage) map[string][]string {
	var m map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil || len(m) == 0 {
		return nil
	}
	out := make(map[string][]string, len(m))
	for k, v := range m {
		var list []string
		if json.Unmarshal(v, &list) == nil {
			for _, s := range list {
				if s = strings.TrimSpace(s); s != "" {
					out[k] = append(out[k], s)
				}
			}
			continue
		}
		if s := jsonText(v); s != "" {
			out[k] = append(out[k], s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// jsonText returns a JSON string's content, a number's text, or "".
func jsonText(raw json.RawMessage) string {
	var s transport.String
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return strings.TrimSpace(string(s))
}

func isNullJSON(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null" || string(t) == `"null"` || string(t) == `""`
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
