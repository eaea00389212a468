package ourvoice

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// Every answer is read once. When the failure hook must look inside an
// answer (any failure status, or a 2xx that may say "success": false), it
// splits the body's top level into its members (loose.Members, one
// validating pass) and leaves them in transport.Response.Envelope; the
// result decoders take the members they need from there and read each
// value where it lies. A plain success is left unread by the hook, and the
// decoder reads it in one pass (envelopeOf, or the send decoder's own).
// Values are read under the loose-JSON policy: a field in an odd form
// ("abc" for a number, an object for a string) reads as its zero value;
// only a missing or malformed structure fails the call.

// envelope is the top level of one answer.
type envelope struct {
	// members are the body's top-level members in document order; nil
	// unless the body is one JSON object.
	members []loose.Member
	// err says why the body is not one JSON object (empty, not JSON, an
	// array); nil when it is.
	err error
}

var errEmpty = errors.New("empty answer")

func parseEnvelope(body []byte) *envelope {
	if len(bytes.TrimSpace(body)) == 0 {
		return &envelope{err: errEmpty}
	}
	ms, err := loose.Members(body)
	return &envelope{members: ms, err: err}
}

// envelopeOf returns what the failure hook read of resp, reading it now
// when the hook left the answer unread (a plain success).
func envelopeOf(resp *transport.Response) *envelope {
	if env, ok := resp.Envelope.(*envelope); ok && env != nil {
		return env
	}
	env := parseEnvelope(resp.Body)
	resp.Envelope = env
	return env
}

// get returns the top-level member named key.
func (e *envelope) get(key string) (json.RawMessage, bool) { return member(e.members, key) }

// member finds key among ms: without regard to ASCII case, the last of a
// repeated key winning, as encoding/json reads a struct.
func member(ms []loose.Member, key string) (json.RawMessage, bool) {
	for i := len(ms) - 1; i >= 0; i-- {
		if asciiEqualFold(ms[i].Key, key) {
			return ms[i].Value, true
		}
	}
	return nil, false
}

// object splits raw, which must be a JSON object, into its members.
func object(raw []byte) ([]loose.Member, error) { return loose.Members(raw) }

func firstByte(raw []byte) byte {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func isObject(raw []byte) bool { return firstByte(raw) == '{' }

func isArray(raw []byte) bool { return firstByte(raw) == '[' }

// absent reports a member that was not sent or says nothing (null,
// "null", "").
func absent(raw []byte) bool { return loose.IsNull(raw) }

// The field types below read one member each under the policy, for the
// wire structs that encoding/json fills: a value in an odd form reads as
// zero, so decoding a message or a session fails only when it is not an
// object.

// textField is an identifier, number or short text, read as text does.
type textField string

func (t *textField) UnmarshalJSON(b []byte) error { *t = textField(text(b)); return nil }

// bodyText is a message body, read as freeText does.
type bodyText string

func (t *bodyText) UnmarshalJSON(b []byte) error { *t = bodyText(freeText(b)); return nil }

// enumField is an enum, read as enumText does.
type enumField string

func (e *enumField) UnmarshalJSON(b []byte) error { *e = enumField(enumText(b)); return nil }

// phoneList is a list of phone numbers, read as phoneNumbers does.
type phoneList []string

func (p *phoneList) UnmarshalJSON(b []byte) error { *p = phoneNumbers(b); return nil }

// metadataField is a metadata member, read as metadata does.
type metadataField json.RawMessage

func (m *metadataField) UnmarshalJSON(b []byte) error {
	*m = metadataField(bytes.Clone(metadata(b))) // b is not ours to keep
	return nil
}

// text reads an identifier, number, enum or short text: a string trimmed of
// stray spaces, a number or boolean as written; "" for null, "null", an
// object or an array.
func text(raw []byte) string {
	switch firstByte(raw) {
	case '{', '[':
		return ""
	}
	return loose.Text(raw)
}

// freeText reads a message body, whose spaces are the sender's.
func freeText(raw []byte) string {
	switch firstByte(raw) {
	case '{', '[':
		return ""
	}
	return loose.RawText(raw)
}

// enumValues are the documented values of every enum Our Voice sends.
var enumValues = []string{
	string(TypeText), string(TypeImage), string(TypeVideo), string(TypeAudio), string(TypeDocument),
	string(MessageQueued), string(MessageSent), string(MessageDelivered), string(MessageRead), string(MessageFailed), string(MessageScheduled),
	string(DirectionIncoming), string(DirectionOutgoing),
	string(SessionPending), string(SessionConnected), string(SessionDisconnected), string(SessionBanned), string(SessionFailed),
}

// enumText reads an enum, which Our Voice spells in lower case: a
// documented value comes back as the package's own constant (whatever its
// case and padding, and without allocating), anything else as its text in
// lower case.
func enumText(raw []byte) string {
	t := bytes.TrimSpace(raw)
	if len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' {
		inner := bytes.TrimSpace(t[1 : len(t)-1])
		for _, v := range enumValues {
			if len(inner) == len(v) && strings.EqualFold(string(inner), v) {
				return v
			}
		}
	}
	return strings.ToLower(text(raw))
}

// integer reads a whole number sent as a number or a numeric string ("12",
// "12.0"); 0 otherwise.
func integer(raw []byte) int { return int(loose.ParseInt(raw)) }

// scalars reads an array of texts, dropping blanks and values that are not
// text; nil for anything but an array.
func scalars(raw []byte) []string {
	if !isArray(raw) {
		return nil
	}
	var items []loose.String
	if json.Unmarshal(raw, &items) != nil {
		return nil
	}
	var out []string
	for _, it := range items {
		if s := strings.TrimSpace(string(it)); s != "" && s != "null" {
			out = append(out, s)
		}
	}
	return out
}

// phoneNumbers reads a list of phone numbers sent as an array, a single
// string, a number, or a string holding a JSON array.
func phoneNumbers(raw []byte) []string {
	if absent(raw) {
		return nil
	}
	if isArray(raw) {
		return scalars(raw)
	}
	s := text(raw)
	if strings.HasPrefix(s, "[") {
		if inner := scalars([]byte(s)); inner != nil {
			return inner
		}
	}
	if s == "" {
		return nil
	}
	return []string{s}
}

// metadata normalises a metadata member: null and "null" give nil, a
// string holding a JSON object or array gives that JSON, anything else is
// kept as sent.
func metadata(raw []byte) json.RawMessage {
	if absent(raw) {
		return nil
	}
	t := bytes.TrimSpace(raw)
	if t[0] == '"' {
		inner := []byte(strings.TrimSpace(loose.RawText(t)))
		if (isObject(inner) || isArray(inner)) && json.Valid(inner) {
			return inner
		}
	}
	return json.RawMessage(t)
}
