package voitex

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/switchboard-go/switchboard/internal/loose"
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
	// members holds every top-level member in order, keys trimmed.
	members []loose.Member
}

// get returns the last value of key among the envelope's members, as
// encoding/json would keep it, or nil.
func (e *envelope) get(key string) json.RawMessage { return lastOf(e.members, key) }

func lastOf(ms []loose.Member, key string) json.RawMessage {
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Key == key {
			return ms[i].Value
		}
	}
	return nil
}

// parseEnvelope decodes a response body the way Voitex writes it: keys with
// stray spaces, a key given twice (the later wins, as with encoding/json),
// and even an object pasted into a string without escaping its quotes, as
// the Send SMS sample shows.
func parseEnvelope(body []byte) (*envelope, error) {
	ms, err := members(body)
	if err != nil {
		return nil, err
	}
	env := &envelope{members: ms}
	env.Status = strings.ToLower(loose.Text(env.get("status")))
	env.Data = env.get("data")
	env.Errors = messagesOf(env.get("errors"))
	if len(env.Errors) == 0 {
		// Some failures carry a single "error" or "message" instead.
		if m := loose.Text(env.get("error")); m != "" {
			env.Errors = []string{m}
		}
	}
	env.ReferenceID = loose.Text(env.get("reference_id"))
	env.RequestID = loose.Text(env.get("request_id"))
	env.Invalid = stringMap(env.get("invalid"))
	return env, nil
}

// envelopeOf returns the envelope the failure hook parsed, or parses the
// body when the hook could not (then the error is the decoding failure).
func envelopeOf(resp *transport.Response) (*envelope, error) {
	if env, ok := resp.Envelope.(*envelope); ok {
		return env, nil
	}
	return parseEnvelope(resp.Body)
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

// failure is the transport's Failure hook: it turns a failure Voitex
// reports, in any HTTP status, into an *Error, and leaves the parsed
// envelope for the result decoder so that each answer is parsed once.
func failure(resp *transport.Response) *transport.Error {
	env, err := parseEnvelope(resp.Body)
	if err != nil {
		return nil // not JSON: a non-2xx still becomes an *Error
	}
	resp.Envelope = env
	status := resp.StatusCode
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
	if status >= http.StatusInternalServerError && !provesRefusal(code, env) {
		// A 5xx answer to a send leaves open that Voitex, or the gateway
		// in front of it, acted: the transport says ErrMaybeDelivered
		// unless Kind is set. Only a documented rule or a per-number
		// rejection proves that nothing went out; a message merely worded
		// like a validation failure does not.
		kind = nil
	}
	if code == "" {
		code = env.Status
	}
	e.Code, e.Kind = code, withStatus(kind, status)
	return e
}

// provesRefusal reports whether a failure's content shows that Voitex
// refused the request outright: a message of one of the documented rules
// (the Code constants: a phone in use, no such contact, the last phone, an
// unknown label, no valid phone, a bad Auth-Key), or a Notify listing the
// numbers it rejected.
func provesRefusal(code string, env *envelope) bool {
	return code != "" || len(env.Invalid) > 0
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

// objectBytes is the Voitex quirk on top of the loose policy: an object may
// come as a JSON string holding it (data in the Send SMS and select
// answers, contact_info). It returns the bytes of b's object, unquoted
// when they came in a string.
func objectBytes(b []byte) ([]byte, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '"' {
		return b, nil
	}
	if len(b) >= 2 && b[len(b)-1] == '"' && bytes.IndexByte(b[1:len(b)-1], '\\') < 0 {
		// Nothing escaped: the text is the bytes themselves (and Members
		// validates them), no copy needed.
		return bytes.TrimSpace(b[1 : len(b)-1]), nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	return bytes.TrimSpace([]byte(s)), nil
}

// members splits an object, or a string holding one, into its members in
// order, repeated keys kept and keys trimmed, for answers whose repeated
// key means something (Send SMS). An object Voitex pasted into a string
// without escaping it (the Send SMS sample) is repaired first.
func members(b []byte) ([]loose.Member, error) {
	b, err := objectBytes(b)
	if err != nil {
		return nil, err
	}
	ms, err := loose.Members(b)
	if err == nil || len(b) == 0 || b[0] != '{' {
		return ms, err
	}
	// The slow path, for an object that is not valid as it stands.
	r := repairJSON(b)
	if len(r) == len(b) {
		return nil, err
	}
	return members(r)
}

// fieldsOf is members as a map, the last of a repeated key winning.
func fieldsOf(b []byte) (map[string]json.RawMessage, error) {
	ms, err := members(b)
	if err != nil {
		return nil, err
	}
	m := make(map[string]json.RawMessage, len(ms))
	for _, x := range ms {
		m[x.Key] = x.Value
	}
	return m, nil
}

// messagesOf reads an "errors" or "warnings" member: a list of strings, a
// single string, a list of anything, or an object of messages per field.
func messagesOf(raw json.RawMessage) []string {
	b := bytes.TrimSpace(raw)
	if loose.IsNull(b) || string(b) == "[]" {
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
		fields, err := loose.Fields(b)
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
	if s := loose.Text(b); s != "" {
		return []string{s}
	}
	return nil
}

// stringMap reads an object of scalars (Notify's "invalid", branch
// variables), or a string holding one, into a map with trimmed keys.
func stringMap(raw json.RawMessage) map[string]string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 || (b[0] != '{' && b[0] != '"') {
		return nil
	}
	fields, err := fieldsOf(b)
	if err != nil || len(fields) == 0 {
		return nil
	}
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		out[k] = loose.Text(v)
	}
	return out
}

func intOf(raw json.RawMessage) int { return int(loose.ParseInt(raw)) }

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
	if len(b) > 0 && (b[0] == '{' || (b[0] == '"' && strings.HasPrefix(loose.Text(b), "{"))) {
		if f, err := fieldsOf(b); err == nil {
			for _, k := range []string{"id", "recording_id", "file_id", "sfile_id"} {
				if v := loose.Text(f[k]); v != "" {
					return v
				}
			}
			return ""
		}
	}
	return loose.Text(raw)
}
