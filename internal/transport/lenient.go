package transport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The vendors' samples send numbers as strings, objects as JSON-encoded
// strings, the string "null", and booleans as 0/1. These types absorb that
// once so that result structs can stay plain.

// isNull reports JSON null, the string "null", or an empty string.
func isNull(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) == 0 || string(b) == "null" || string(b) == `"null"` || string(b) == `""` || string(b) == `"NULL"`
}

// unquote returns the content of a JSON string, or b itself for any other
// JSON value.
func unquote(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		return strings.TrimSpace(s), nil
	}
	return string(b), nil
}

// Int is an integer sent as a number or a numeric string; null, "null" and
// "" decode to 0.
type Int int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *Int) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		*n = 0
		return nil
	}
	s, err := unquote(b)
	if err != nil {
		return err
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = Int(v)
		return nil
	}
	// "12.0" and 12.0 are integers too.
	f, err := parseNumber(s)
	if err != nil || f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
		return notA("an integer", s)
	}
	*n = Int(int64(f))
	return nil
}

// Float is a number sent as a number or a numeric string; null, "null" and
// "" decode to 0.
type Float float64

// UnmarshalJSON implements json.Unmarshaler.
func (n *Float) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		*n = 0
		return nil
	}
	s, err := unquote(b)
	if err != nil {
		return err
	}
	f, err := parseNumber(s)
	if err != nil {
		return notA("a number", s)
	}
	*n = Float(f)
	return nil
}

// Bool is a boolean sent as true/false, 1/0, "1"/"0", "true"/"false" or
// "yes"/"no"; null, "null" and "" decode to false.
type Bool bool

// UnmarshalJSON implements json.Unmarshaler.
func (v *Bool) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		*v = false
		return nil
	}
	s, err := unquote(b)
	if err != nil {
		return err
	}
	switch strings.ToLower(s) {
	case "true", "1", "yes", "on":
		*v = true
	case "false", "0", "no", "off":
		*v = false
	default:
		return notA("a boolean", s)
	}
	return nil
}

// String is text sent as a string, a number or a boolean; null and "null"
// decode to "".
type String string

// UnmarshalJSON implements json.Unmarshaler.
func (v *String) UnmarshalJSON(b []byte) error {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || string(t) == "null" || string(t) == `"null"` {
		*v = ""
		return nil
	}
	if t[0] == '"' {
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return err
		}
		*v = String(s)
		return nil
	}
	if t[0] == '{' || t[0] == '[' {
		return fmt.Errorf("switchboard: expected text, got a JSON %s", map[byte]string{'{': "object", '[': "array"}[t[0]])
	}
	*v = String(t)
	return nil
}

// Quoted holds a value sent either as JSON or as a string that contains
// JSON ("data": "{\"id\":1}"). null, "null" and "" leave the zero value.
type Quoted[T any] struct {
	V T
}

// UnmarshalJSON implements json.Unmarshaler.
func (q *Quoted[T]) UnmarshalJSON(b []byte) error {
	var zero T
	q.V = zero
	if isNull(b) {
		return nil
	}
	t := bytes.TrimSpace(b)
	if t[0] == '"' {
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return err
		}
		if isNull([]byte(s)) {
			return nil
		}
		t = []byte(s)
	}
	return json.Unmarshal(t, &q.V)
}

// MarshalJSON implements json.Marshaler, writing plain JSON.
func (q Quoted[T]) MarshalJSON() ([]byte, error) { return json.Marshal(q.V) }

// Time is a timestamp sent as RFC 3339, "2006-01-02 15:04:05" (UTC unless
// it carries an offset), a date, or unix seconds; null, "null" and "" leave
// the zero time.
type Time struct{ time.Time }

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	t.Time = time.Time{}
	if isNull(b) {
		return nil
	}
	s, err := unquote(b)
	if err != nil {
		return err
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > 1e12 { // milliseconds
			t.Time = time.UnixMilli(n).UTC()
		} else {
			t.Time = time.Unix(n, 0).UTC()
		}
		return nil
	}
	for _, l := range timeLayouts {
		if v, err := time.Parse(l, s); err == nil {
			t.Time = v
			return nil
		}
	}
	return notA("a time", s)
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
func parseNumber(s string) (float64, error) {
	if strings.ContainsAny(s, "xXnNiI_") {
		return 0, strconv.ErrSyntax
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, strconv.ErrSyntax
	}
	return f, nil
}

// notA describes a value that does not decode without quoting it: the
// field could hold a credential, and errors are printed.
func notA(what, got string) error {
	return fmt.Errorf("switchboard: expected %s, got %d bytes of other text", what, len(got))
}
