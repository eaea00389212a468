// Package loose is the one policy the four vendor packages follow to read the
// JSON the vendors send, which their own samples show to be loose: numbers as
// strings, objects inside JSON strings, "null" as a string, 0/1 booleans,
// keys with stray spaces, keys repeated.
//
// # The policy
//
// A response is a DecodeError (and, for a send, maybe delivered) only when
// its structure cannot be read: the body is not JSON, or the value the
// endpoint is documented to return is not there (an array where the envelope
// must be an object). Everything below that structure is read leniently and
// never fails the call:
//
//   - a scalar field in an unexpected form decodes to its zero value (0, "",
//     false, the zero time). The vendor accepted the request; failing the
//     whole answer over a cosmetic field would turn a delivered message into
//     a "maybe delivered" one, and a caller that then sends it again through
//     another vendor would duplicate it. The exact bytes stay reachable
//     through the result's Raw method, so nothing is lost.
//   - null, "null", "NULL" and "" mean absent, for every type.
//   - unknown fields are ignored and kept in the raw JSON.
//   - a field whose JSON type differs from the model (an object where a
//     string was expected) is left zero by Unmarshal, for the same reason.
//
// The types here implement that for encoding/json, so result structs stay
// plain; Members and Text serve the decoders that must see every member of
// an object (repeated keys, keys that vary between samples).
package loose

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Unmarshal decodes data into v like json.Unmarshal under the policy: a
// field of the wrong JSON type is left zero instead of failing the whole
// value. Malformed JSON, or a top-level value of the wrong type, is an
// error.
func Unmarshal(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return nil
	}
	return err
}

// IsNull reports a value that means "absent": JSON null, the strings
// "null" and "NULL", an empty string, or nothing at all.
func IsNull(b []byte) bool {
	b = bytes.TrimSpace(b)
	switch string(b) {
	case "", "null", `"null"`, `""`, `"NULL"`:
		return true
	}
	return false
}

// unquote returns the text of a JSON string, or b itself for any other
// value. ok is false for a string that is not valid JSON.
func unquote(b []byte) (s string, quoted, ok bool) {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return string(b), false, true
	}
	inner := b[1 : len(b)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		// The common case: encoding/json has validated the value already,
		// so without escapes the text is the bytes themselves.
		return string(inner), true, true
	}
	var out string
	if err := json.Unmarshal(b, &out); err != nil {
		return "", true, false
	}
	return out, true, true
}

// Text renders a scalar as text: a string as it is, trimmed of the stray
// spaces the samples show; a number or boolean as written; null and "null"
// as "". An object or array comes back as its JSON.
func Text(raw []byte) string {
	if IsNull(raw) {
		return ""
	}
	s, quoted, ok := unquote(raw)
	if !ok {
		return ""
	}
	if quoted {
		s = strings.TrimSpace(s)
		if s == "null" || s == "NULL" {
			return ""
		}
	}
	return s
}

// RawText is Text without trimming, for free text such as a message body,
// whose spaces are the sender's.
func RawText(raw []byte) string {
	b := bytes.TrimSpace(raw)
	if len(b) > 0 && b[0] == '"' {
		s, _, ok := unquote(b)
		if !ok || s == "null" {
			return ""
		}
		return s
	}
	return Text(raw)
}

// IsDigits reports a non-empty string of ASCII digits only.
func IsDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Member is one member of a JSON object: its key, trimmed, and its value.
type Member struct {
	Key   string
	Value json.RawMessage
}

var errNotObject = errors.New("expected a JSON object")

// Members splits a JSON object into its members in document order, keeping
// repeated keys (a map would keep the last one only, and some answers mean
// something by repeating a key). Keys are trimmed of spaces. Values are
// sub-slices of b, not copies. It is an error when b is not one valid JSON
// object.
func Members(b []byte) ([]Member, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errNotObject
	}
	if !json.Valid(b) {
		return nil, errors.New("invalid JSON object")
	}
	return split(b), nil
}

// MembersOfValid is Members for a value already known to be valid JSON
// (a member of a document that Members or encoding/json has checked), so
// that nested objects are not validated twice. It is an error when b is
// not an object.
func MembersOfValid(b []byte) ([]Member, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errNotObject
	}
	return split(b), nil
}

// split scans a valid JSON object into its members.
func split(b []byte) []Member {
	// b is valid JSON, so a plain scan finds the members: strings skip
	// their escapes, and nesting is counted on brackets outside strings.
	// The bounds checks only keep input that is not valid (a caller's
	// mistake with MembersOfValid) from panicking: it then yields what it
	// could read.
	out := make([]Member, 0, 8)
	i := 1
	for {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] == '}' {
			return out
		}
		if b[i] == ',' {
			i = skipSpace(b, i+1)
		}
		if i >= len(b) || b[i] != '"' {
			return out
		}
		kEnd := endOfString(b, i)
		if kEnd-i < 2 {
			return out
		}
		key := keyOf(b[i:kEnd])
		i = skipSpace(b, kEnd)
		i = skipSpace(b, i+1) // the colon
		if i >= len(b) {
			return out
		}
		vEnd := endOfValue(b, i)
		out = append(out, Member{Key: key, Value: b[i:vEnd:vEnd]})
		if vEnd <= i {
			return out
		}
		i = vEnd
	}
}

// Fields is Members as a map, the last of a repeated key winning as in
// encoding/json.
func Fields(b []byte) (map[string]json.RawMessage, error) {
	ms, err := Members(b)
	if err != nil {
		return nil, err
	}
	m := make(map[string]json.RawMessage, len(ms))
	for _, x := range ms {
		m[x.Key] = x.Value
	}
	return m, nil
}

// keys interns object keys: the vendors' answers repeat a small set of
// keys, and converting each to a string again was most of what decoding
// allocated. A lookup with string(b) as the map key does not allocate.
var keys = struct {
	sync.RWMutex
	m map[string]string
}{m: make(map[string]string, 256)}

// maxInterned bounds the table, so keys chosen by callers (custom fields,
// IVR variables) cannot grow it without limit; past it keys are allocated
// as before.
const maxInterned = 4096

// keyOf returns the text of the JSON string q (with its quotes), trimmed.
func keyOf(q []byte) string {
	inner := q[1 : len(q)-1]
	if len(inner) > 64 || bytes.IndexByte(inner, '\\') >= 0 || !utf8.Valid(inner) {
		s, _, _ := unquote(q)
		return strings.TrimSpace(s)
	}
	keys.RLock()
	s, ok := keys.m[string(inner)]
	keys.RUnlock()
	if ok {
		return s
	}
	s = strings.TrimSpace(string(inner))
	keys.Lock()
	if len(keys.m) < maxInterned {
		keys.m[string(inner)] = s
	}
	keys.Unlock()
	return s
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// endOfString returns the index just past the JSON string starting at i.
func endOfString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// endOfValue returns the index just past the JSON value starting at i.
func endOfValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return endOfString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = endOfString(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	return j
}

// Int is an integer sent as a number or a numeric string ("12", "12.0").
// Anything else decodes to 0.
type Int int64

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (n *Int) UnmarshalJSON(b []byte) error {
	*n = Int(ParseInt(b))
	return nil
}

// ParseInt reads raw as Int does: a number or numeric string, else 0.
func ParseInt(raw []byte) int64 {
	v, _ := IntOK(raw)
	return v
}

// IntOK is ParseInt that also reports whether raw held an integer.
func IntOK(raw []byte) (int64, bool) {
	if IsNull(raw) {
		return 0, false
	}
	s, _, ok := unquote(raw)
	if !ok {
		return 0, false
	}
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, true
	}
	f, ok := parseNumber(s)
	if !ok || f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
		return 0, false
	}
	return int64(f), true
}

// Float is a number sent as a number or a numeric string. Anything else
// decodes to 0.
type Float float64

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (n *Float) UnmarshalJSON(b []byte) error {
	*n = 0
	if IsNull(b) {
		return nil
	}
	if s, _, ok := unquote(b); ok {
		if f, ok := parseNumber(strings.TrimSpace(s)); ok {
			*n = Float(f)
		}
	}
	return nil
}

// Bool is a boolean sent as true/false, 1/0, "1"/"0", "true"/"false",
// "yes"/"no" or "on"/"off". Anything else decodes to false.
type Bool bool

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (v *Bool) UnmarshalJSON(b []byte) error {
	*v = Bool(ParseBool(b))
	return nil
}

// ParseBool reads raw as Bool does.
func ParseBool(raw []byte) bool {
	switch strings.ToLower(Text(raw)) {
	case "true", "1", "yes", "on":
		return true
	}
	return false
}

// String is text sent as a string, a number or a boolean; null and "null"
// decode to "". An object or array decodes to "" (its JSON stays in the
// raw answer). The text is kept as sent, spaces included.
type String string

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (v *String) UnmarshalJSON(b []byte) error {
	t := bytes.TrimSpace(b)
	*v = ""
	if len(t) == 0 || t[0] == '{' || t[0] == '[' || string(t) == "null" || string(t) == `"null"` {
		return nil
	}
	s, _, _ := unquote(t)
	*v = String(s)
	return nil
}

// Quoted holds a value sent either as JSON or as a string that contains
// JSON ("data": "{\"id\":1}"). null, "null", "" and a value that cannot be
// read leave the zero value.
type Quoted[T any] struct {
	V T
}

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (q *Quoted[T]) UnmarshalJSON(b []byte) error {
	var zero T
	q.V = zero
	if IsNull(b) {
		return nil
	}
	t := bytes.TrimSpace(b)
	if t[0] == '"' {
		s, _, ok := unquote(t)
		if !ok || IsNull([]byte(s)) {
			return nil
		}
		t = []byte(s)
	}
	if Unmarshal(t, &q.V) != nil {
		q.V = zero
	}
	return nil
}

// MarshalJSON implements json.Marshaler, writing plain JSON.
func (q Quoted[T]) MarshalJSON() ([]byte, error) { return json.Marshal(q.V) }

// Time is a timestamp sent as RFC 3339, "2006-01-02 15:04:05" (UTC unless
// it carries an offset), a date, or unix seconds or milliseconds. Anything
// else decodes to the zero time.
type Time struct{ time.Time }

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (t *Time) UnmarshalJSON(b []byte) error {
	t.Time, _ = ParseTime(b)
	return nil
}

// ParseTime reads raw as Time does and reports whether it held a time.
func ParseTime(raw []byte) (time.Time, bool) {
	if IsNull(raw) {
		return time.Time{}, false
	}
	s, _, ok := unquote(raw)
	if !ok {
		return time.Time{}, false
	}
	s = strings.TrimSpace(s)
	if IsDigits(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		if n > 1e12 { // milliseconds
			return time.UnixMilli(n).UTC(), true
		}
		return time.Unix(n, 0).UTC(), true
	}
	for _, l := range timeLayouts {
		if v, err := time.Parse(l, s); err == nil {
			return v, true
		}
	}
	return time.Time{}, false
}

// MarshalJSON implements json.Marshaler as RFC 3339, or null for the zero
// time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.Time.Format(time.RFC3339Nano))
}

// parseNumber accepts decimal numbers only: ParseFloat would also take
// "NaN", "Inf" and hex floats, which no vendor means.
func parseNumber(s string) (float64, bool) {
	if s == "" || strings.ContainsAny(s, "xXnNiI_") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}
