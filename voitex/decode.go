package voitex

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// envelope is the answer every Voitex API wraps its result in:
// {status, data, errors, reference_id?}. The Notify API answers with its own
// flat object, which shares status and errors.
type envelope struct {
	Status      string
	Data        json.RawMessage
	Errors      []string
	ReferenceID string
	RequestID   string
	// Invalid is the Notify API's rejected numbers with their reasons.
	Invalid map[string]string
	// fields holds every top-level member, keys trimmed, last one winning.
	fields map[string]json.RawMessage
}

// parseEnvelope decodes a response body the way Voitex writes it: keys with
// stray spaces, a key given twice (the later wins, as with encoding/json),
// and even an object pasted into a string without escaping its quotes, as
// the Send SMS sample shows.
func parseEnvelope(body []byte) (*envelope, error) {
	fields, err := objectFields(repairJSON(body))
	if err != nil {
		return nil, err
	}
	env := &envelope{fields: fields}
	env.Status = strings.ToLower(textOf(fields["status"]))
	env.Data = fields["data"]
	env.Errors = messagesOf(fields["errors"])
	if len(env.Errors) == 0 {
		// Some failures carry a single "error" or "message" instead.
		if m := textOf(fields["error"]); m != "" {
			env.Errors = []string{m}
		}
	}
	env.ReferenceID = textOf(fields["reference_id"])
	env.RequestID = textOf(fields["request_id"])
	env.Invalid = stringMap(fields["invalid"])
	return env, nil
}

// failed reports whether the envelope reports a failure: status "error" or
// "failure", or error messages without a success status.
func (e *envelope) failed() bool {
	switch e.Status {
	case "error", "failure", "failed", "fail":
		return true
	case "success", "partial_success", "ok":
		return false
	}
	return len(e.Errors) > 0
}

// decodeFailure is the transport's DecodeError hook: it turns a failure
// Voitex reports, in any HTTP status, into an *Error.
func decodeFailure(status int, _ http.Header, body []byte) *transport.Error {
	env, err := parseEnvelope(body)
	if err != nil {
		return nil // not JSON: a non-2xx still becomes an *Error
	}
	if !env.failed() && (status < 300 || len(env.Errors) == 0) {
		return nil
	}
	msgs := append([]string(nil), env.Errors...)
	if len(env.Invalid) > 0 {
		for _, n := range sortedKeys(env.Invalid) {
			msgs = append(msgs, "invalid "+n+": "+env.Invalid[n])
		}
	}
	e := &transport.Error{Messages: msgs, RequestID: env.RequestID}
	if e.RequestID == "" {
		e.RequestID = env.ReferenceID
	}
	code, kind := classify(env.Errors)
	if kind == nil && len(env.Invalid) > 0 {
		// A Notify failure because every number was rejected.
		kind = transport.ErrValidation
	}
	if code == "" {
		code = env.Status
	}
	e.Code, e.Kind = code, withStatus(kind, status)
	return e
}

// withStatus adds the sentinel the HTTP status stands for to kind. The
// transport consults only Kind once it is set, so without this a 401, 404 or
// 429 whose message happens to read like a validation problem ("Auth-Key is
// required") would stop matching ErrUnauthorized, ErrNotFound or
// ErrRateLimited.
func withStatus(kind error, status int) error {
	var byStatus error
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		byStatus = transport.ErrUnauthorized
	case http.StatusNotFound:
		byStatus = transport.ErrNotFound
	case http.StatusTooManyRequests:
		byStatus = transport.ErrRateLimited
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		byStatus = transport.ErrValidation
	}
	switch {
	case kind == nil || byStatus == nil || errors.Is(kind, byStatus):
		return kind
	}
	return errors.Join(kind, byStatus)
}

// decodeEnvelope reads a successful response body. sent reports a request
// that is not safe to repeat (a send, an upload, a contact change): Voitex
// answered 2xx, so it acted, and an unreadable answer must still match
// ErrMaybeDelivered rather than invite a retry that would duplicate it.
func decodeEnvelope(resp *transport.Response, path string, sent bool) (*envelope, error) {
	env, err := parseEnvelope(resp.Body)
	if err != nil {
		return nil, decodeError(resp, path, sent, err)
	}
	return env, nil
}

// decodeError describes a 2xx answer the SDK could not read, the way the
// transport describes one it could not decode.
func decodeError(resp *transport.Response, path string, sent bool, err error) error {
	return &transport.DecodeError{Vendor: vendor, Method: http.MethodPost, Path: path, StatusCode: resp.StatusCode, Accepted: sent, Err: err}
}

// objectFields decodes a JSON object into its members with trimmed keys; a
// key that appears twice (even differing only by spaces) keeps its last
// value. A JSON string holding an object is unwrapped first.
func objectFields(b []byte) (map[string]json.RawMessage, error) {
	members, err := objectMembers(b)
	if err != nil {
		return nil, err
	}
	out := make(map[string]json.RawMessage, len(members))
	for _, m := range members {
		out[m.key] = m.value
	}
	return out, nil
}

// member is one key of a JSON object, trimmed, with its value.
type member struct {
	key   string
	value json.RawMessage
}

// objectMembers is objectFields keeping every member in order, repeated
// keys included, for answers whose repeated key means something (Send SMS).
func objectMembers(b []byte) ([]member, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, err
		}
		b = bytes.TrimSpace(repairJSON([]byte(s)))
	}
	if len(b) == 0 || b[0] != '{' {
		return nil, errors.New("voitex: expected a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var out []member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, ok := t.(string)
		if !ok {
			return nil, errors.New("voitex: malformed object key")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{strings.TrimSpace(k), v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return out, nil
}

// textOf renders a scalar JSON value as text: strings as they are (trimmed
// of the stray spaces the samples show), numbers and booleans as written,
// null and "null" as "". Objects and arrays come back as their JSON.
func textOf(raw json.RawMessage) string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 || string(b) == "null" {
		return ""
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return ""
		}
		s = strings.TrimSpace(s)
		if s == "null" {
			return ""
		}
		return s
	}
	return string(b)
}

// rawText is textOf without trimming, for free text such as a message body.
func rawText(raw json.RawMessage) string {
	b := bytes.TrimSpace(raw)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err == nil {
			return s
		}
		return ""
	}
	return textOf(raw)
}

// messagesOf reads an "errors" or "warnings" member: a list of strings, a
// single string, a list of anything, or an object of messages per field.
func messagesOf(raw json.RawMessage) []string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	switch b[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return nil
		}
		var out []string
		for _, it := range items {
			out = append(out, messagesOf(it)...)
		}
		return out
	case '{':
		fields, err := objectFields(b)
		if err != nil {
			return nil
		}
		var out []string
		for _, k := range sortedKeys(fields) {
			for _, m := range messagesOf(fields[k]) {
				out = append(out, k+": "+m)
			}
		}
		return out
	}
	if s := textOf(b); s != "" {
		return []string{s}
	}
	return nil
}

// stringMap reads an object of scalars (Notify's "invalid", branch
// variables) into a map with trimmed keys.
func stringMap(raw json.RawMessage) map[string]string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 || (b[0] != '{' && b[0] != '"') {
		return nil
	}
	fields, err := objectFields(b)
	if err != nil || len(fields) == 0 {
		return nil
	}
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		out[k] = textOf(v)
	}
	return out
}

func intOf(raw json.RawMessage) int {
	s := textOf(raw)
	if s == "" {
		return 0
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return int(n)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int64(f)) {
		return int(f)
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

const maxRepair = 1 << 20

// repairJSON returns b unchanged when it is valid JSON. Otherwise it undoes
// the one malformation Voitex's samples show: an object pasted into a string
// without escaping ("data": "{ "to": "..." }"), which it turns back into
// the object it holds. If that does not yield valid JSON, b is returned as
// is and the caller's decoder reports the error.
func repairJSON(b []byte) []byte {
	// The scan is quadratic at worst; answers this size are never the
	// short envelopes the malformation was seen in.
	if len(b) > maxRepair || json.Valid(b) {
		return b
	}
	out := make([]byte, 0, len(b))
	i := 0
	changed := false
	for i < len(b) {
		c := b[i]
		if c != '"' || !afterColon(b, i) {
			out = append(out, c)
			i++
			continue
		}
		j := skipSpace(b, i+1)
		if j >= len(b) || (b[j] != '{' && b[j] != '[') {
			out = append(out, c)
			i++
			continue
		}
		end := matchBracket(b, j)
		if end < 0 {
			out = append(out, c)
			i++
			continue
		}
		k := skipSpace(b, end+1)
		if k >= len(b) || b[k] != '"' {
			out = append(out, c)
			i++
			continue
		}
		out = append(out, b[j:end+1]...)
		i = k + 1
		changed = true
	}
	if changed && json.Valid(out) {
		return out
	}
	return b
}

func afterColon(b []byte, i int) bool {
	for i--; i >= 0; i-- {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			continue
		case ':':
			return true
		default:
			return false
		}
	}
	return false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// matchBracket returns the index of the bracket closing the one at b[start],
// skipping over strings, or -1.
func matchBracket(b []byte, start int) int {
	depth := 0
	inStr := false
	for i := start; i < len(b); i++ {
		c := b[i]
		if inStr {
			switch c {
			case '\\':
				i++
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// dataText reads an envelope's data as text: a string, or a number
// ("data": 918357). An object yields its "id" member, the most likely
// place for an identifier if Voitex ever wraps it.
func dataText(raw json.RawMessage) string {
	b := bytes.TrimSpace(raw)
	if len(b) > 0 && (b[0] == '{' || (b[0] == '"' && bytes.HasPrefix(bytes.TrimSpace([]byte(textOf(b))), []byte("{")))) {
		if f, err := objectFields(b); err == nil {
			for _, k := range []string{"id", "recording_id", "file_id", "sfile_id"} {
				if v := textOf(f[k]); v != "" {
					return v
				}
			}
			return ""
		}
	}
	return textOf(raw)
}
