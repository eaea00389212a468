package chattu

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// Decoding follows the loose-JSON policy of internal/loose: an answer
// whose structure cannot be read (not JSON; a list that is not a list) is a
// *DecodeError, and every field below that structure is read leniently: a
// field in an unexpected form is left zero, and the exact bytes stay in the
// result's Raw.

// object is a JSON object split into its members once. The failure hook
// leaves it in transport.Response.Envelope, so the result decoder reads the
// members instead of parsing the body again.
type object []loose.Member

// get returns the value of key, or nil when the object has no such member.
// Keys match without regard to ASCII case and the last of a repeated key
// wins, as with encoding/json.
func (o object) get(key string) json.RawMessage {
	var v json.RawMessage
	for i := range o {
		if k := o[i].Key; len(k) == len(key) && (k == key || strings.EqualFold(k, key)) {
			v = o[i].Value
		}
	}
	return v
}

// isWord reports whether the JSON value v is word, bare or quoted, in any
// case, without allocating: the hook asks it of every answer.
func isWord(v json.RawMessage, word string) bool {
	t := bytes.TrimSpace(v)
	if len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' {
		t = bytes.TrimSpace(t[1 : len(t)-1])
	}
	if len(t) != len(word) {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != word[i] {
			return false
		}
	}
	return true
}

// envelope returns the object the failure hook split resp.Body into, or
// splits it now. An answer that is not one JSON object is a decode failure.
func envelope(resp *transport.Response) (object, error) {
	if o, ok := resp.Envelope.(object); ok {
		return o, nil
	}
	ms, err := loose.Members(resp.Body)
	if err != nil {
		return nil, err
	}
	return ms, nil
}

// isEmpty reports an answer with no body at all, which decodes to the
// zero result: Chattu documents no body for some calls.
func isEmpty(resp *transport.Response) bool { return len(bytes.TrimSpace(resp.Body)) == 0 }

// listIn returns the JSON array a list answer holds: the body itself when
// it is not an object (a bare array, as most lists are documented), or the
// value under the first of keys present when it is an object ({"status":
// "success", "messages": [...]}), with that object. A list that is null,
// absent or not an array under its key holds nothing.
func listIn(resp *transport.Response, keys ...string) (json.RawMessage, object, error) {
	b := bytes.TrimSpace(resp.Body)
	if loose.IsNull(b) {
		return nil, nil, nil
	}
	if b[0] != '{' {
		return b, nil, nil
	}
	o, err := envelope(resp)
	if err != nil {
		return nil, nil, err
	}
	for _, k := range keys {
		if v := o.get(k); v != nil {
			if !isArrayJSON(v) {
				return nil, o, nil
			}
			return v, o, nil
		}
	}
	return nil, o, nil
}

// decodeList decodes a JSON array of wire values and converts each with
// conv. An array whose elements are not objects is a decode failure: the
// list is the answer's structure.
func decodeList[W, T any](raw json.RawMessage, conv func(*W) T) ([]T, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var ws []W
	if err := loose.Unmarshal(raw, &ws); err != nil {
		return nil, err
	}
	if len(ws) == 0 {
		return nil, nil
	}
	out := make([]T, len(ws))
	for i := range ws {
		out[i] = conv(&ws[i])
	}
	return out, nil
}

// decodeValue decodes a member that holds an object into w, leaving w zero
// for anything else (absent, null, a string in its place).
func decodeValue(raw json.RawMessage, w any) bool {
	if !isObjectJSON(raw) {
		return false
	}
	return loose.Unmarshal(raw, w) == nil
}

func isObjectJSON(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{'
}

func isStringJSON(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '"'
}

func isArrayJSON(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '['
}

// The readers of single members, each under the policy: the field's value,
// or its zero value when it has another form.

func textOf(v json.RawMessage) string {
	var s loose.String
	_ = s.UnmarshalJSON(v)
	return string(s)
}

func intOf(v json.RawMessage) int64 { return loose.ParseInt(v) }

func boolOf(v json.RawMessage) bool { return loose.ParseBool(v) }

// serializedID reads a WhatsApp id sent as {"_serialized": "..."} or as a
// bare string; anything else leaves it empty.
type serializedID string

// UnmarshalJSON accepts both forms the ids take in Chattu's bodies; it
// never fails.
func (s *serializedID) UnmarshalJSON(b []byte) error {
	*s = ""
	if isObjectJSON(b) {
		if ms, err := loose.Members(b); err == nil {
			*s = serializedID(textOf(object(ms).get("_serialized")))
		}
		return nil
	}
	*s = serializedID(textOf(b))
	return nil
}
