package voxio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// Envelope holds what every Voxio answer carries besides its data. Results
// embed it, so res.Remark and res.Messages read naturally.
type Envelope struct {
	// Status is "success" for every result the client returns; failures
	// become an *Error instead.
	Status string `json:"status"`
	// Remark names the outcome ("contact-list", "success", "template_sent").
	Remark string `json:"remark"`
	// Messages are Voxio's human-readable messages (the "message" array).
	Messages []string `json:"message,omitempty"`
}

// envelope is a decoded answer: the public fields plus the data, left raw
// for the endpoint's decoder, and per-field messages when the vendor sent
// them keyed by field.
type envelope struct {
	Envelope
	Fields map[string][]string
	Data   json.RawMessage
}

// errNotObject reports a body that is JSON but not the object expected.
var errNotObject = errors.New("expected a JSON object")

// parseEnvelope reads {status, remark, message, data}. message and data may
// be absent; message may be an array (as documented), a single string, or
// Laravel's object of per-field arrays. A body that is not one JSON object
// is an error: the structure the policy of internal/loose does not forgive.
func parseEnvelope(body []byte) (*envelope, error) {
	members, err := loose.Members(body)
	if err != nil {
		return nil, err
	}
	env := &envelope{}
	for _, m := range members {
		switch m.Key {
		case "status":
			env.Status = scalar(m.Value)
		case "remark":
			env.Remark = scalar(m.Value)
		case "message", "errors":
			// "errors" is Laravel's own 422 answer: {"message": "...",
			// "errors": {field: [...]}}.
			collectMessages(m.Value, env)
		case "data":
			env.Data = m.Value
		}
	}
	return env, nil
}

// envelopeOf returns the envelope the Failure hook parsed, parsing the body
// only when the hook left none (a decoder called on its own, in a fuzz
// test).
func envelopeOf(resp *transport.Response) (*envelope, error) {
	if env, ok := resp.Envelope.(*envelope); ok {
		return env, nil
	}
	return parseEnvelope(resp.Body)
}

// genericMessageKeys hold messages that are not about one field.
var genericMessageKeys = map[string]bool{"error": true, "errors": true, "success": true, "message": true, "messages": true}

func collectMessages(raw json.RawMessage, env *envelope) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return
	}
	switch raw[0] {
	case '[':
		// The documented shape is an array of strings: read it in one go,
		// and element by element only when it holds something else.
		var texts []string
		if json.Unmarshal(raw, &texts) == nil {
			for _, s := range texts {
				if s != "" && s != "null" {
					env.Messages = append(env.Messages, s)
				}
			}
			return
		}
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return
		}
		for _, it := range items {
			collectMessages(it, env)
		}
	case '{':
		members, err := loose.Members(raw)
		if err != nil {
			return
		}
		for _, m := range members {
			before := len(env.Messages)
			collectMessages(m.Value, env)
			if genericMessageKeys[m.Key] {
				continue
			}
			if env.Fields == nil {
				env.Fields = map[string][]string{}
			}
			env.Fields[m.Key] = append(env.Fields[m.Key], env.Messages[before:]...)
		}
	default:
		if s := loose.RawText(raw); s != "" {
			env.Messages = append(env.Messages, s)
		}
	}
}

// composite reports a JSON object or array.
func composite(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// scalar is loose.Text for a field Voxio documents as a scalar (an id, a
// name, a status): an object or array there is no text, and its JSON stays
// reachable through Raw.
func scalar(raw []byte) string {
	if composite(raw) {
		return ""
	}
	return loose.Text(raw)
}

// freeText is scalar for text a person wrote (a message, a note), whose
// spaces are theirs and are kept.
func freeText(raw []byte) string {
	if composite(raw) {
		return ""
	}
	return loose.RawText(raw)
}

// object is a JSON object's members in document order. Lookups scan from
// the end, so the last of a repeated key wins as in encoding/json; Voxio's
// objects are small, and a scan costs less than building a map.
type object []loose.Member

// objectOf splits raw into its members, or returns nil when raw is not a
// JSON object (absent, null, an array, a string).
func objectOf(raw []byte) object {
	if !isObject(raw) {
		return nil
	}
	// raw is always part of a document already validated (by Members on
	// the answer or the event, or by encoding/json before an
	// UnmarshalJSON), so nested objects are not validated again.
	ms, err := loose.MembersOfValid(raw)
	if err != nil {
		return nil
	}
	return ms
}

func (o object) get(key string) json.RawMessage {
	for i := len(o) - 1; i >= 0; i-- {
		if o[i].Key == key {
			return o[i].Value
		}
	}
	return nil
}

func (o object) has(key string) bool {
	for i := range o {
		if o[i].Key == key {
			return true
		}
	}
	return false
}

// text is the first of keys that holds a non-empty scalar.
func (o object) text(keys ...string) string {
	for _, k := range keys {
		if s := scalar(o.get(k)); s != "" {
			return s
		}
	}
	return ""
}

// free is text for free text: the first non-empty value, spaces kept.
func (o object) free(keys ...string) string {
	for _, k := range keys {
		if s := freeText(o.get(k)); s != "" {
			return s
		}
	}
	return ""
}

func (o object) int(key string) int64 { return loose.ParseInt(o.get(key)) }

func (o object) time(key string) time.Time {
	t, _ := loose.ParseTime(o.get(key))
	return t
}

// obj returns the object under the first of keys that holds one.
func (o object) obj(keys ...string) json.RawMessage {
	for _, k := range keys {
		if v := o.get(k); isObject(v) {
			return v
		}
	}
	return nil
}

// Pagination is a Laravel paginator's position: Voxio nests one under a key
// that depends on the endpoint (data.contacts, data.conversation,
// data.templates) with the items in its data array.
type Pagination struct {
	// CurrentPage is this page's number, from 1.
	CurrentPage int `json:"current_page"`
	// LastPage is the number of the last page (0 from a simple paginator,
	// which does not count).
	LastPage int `json:"last_page"`
	// PerPage is the page size (the paginate parameter).
	PerPage int `json:"per_page"`
	// Total is the number of items in every page.
	Total int `json:"total"`
	// From and To are the positions, from 1, of this page's first and last
	// items (0 for an empty page).
	From int `json:"from"`
	To   int `json:"to"`
	// NextPageURL and PrevPageURL link the neighbouring pages ("" at the
	// ends); FirstPageURL, LastPageURL and Path are the paginator's other
	// links. Iterators do not follow them: they send the page parameter to
	// the configured base URL, so a sandbox or proxy keeps working.
	NextPageURL  string `json:"next_page_url"`
	PrevPageURL  string `json:"prev_page_url"`
	FirstPageURL string `json:"first_page_url"`
	LastPageURL  string `json:"last_page_url"`
	Path         string `json:"path"`
}

// HasMore reports whether a page follows this one. It trusts last_page when
// the paginator sent one, and next_page_url otherwise (simple paginators
// have no last page).
func (p Pagination) HasMore() bool {
	if p.LastPage > 0 {
		return p.CurrentPage < p.LastPage
	}
	return p.NextPageURL != ""
}

// lastOf reports whether the page fetched for requested is the last one an
// iterator should read. Besides HasMore it stops when the server answered an
// earlier page than the one asked for (it ignores the page parameter), so a
// paginator that never advances cannot loop forever.
func (p Pagination) lastOf(requested int) bool {
	if p.CurrentPage > 0 && p.CurrentPage < requested {
		return true
	}
	if p.LastPage > 0 && requested >= p.LastPage {
		return true
	}
	return !p.HasMore()
}

func decodePagination(m object) Pagination {
	return Pagination{
		CurrentPage:  int(m.int("current_page")),
		LastPage:     int(m.int("last_page")),
		PerPage:      int(m.int("per_page")),
		Total:        int(m.int("total")),
		From:         int(m.int("from")),
		To:           int(m.int("to")),
		NextPageURL:  m.text("next_page_url"),
		PrevPageURL:  m.text("prev_page_url"),
		FirstPageURL: m.text("first_page_url"),
		LastPageURL:  m.text("last_page_url"),
		Path:         m.text("path"),
	}
}

// pageOrOnly reports a list without a paginator as a single, last page.
func pageOrOnly(p *Pagination, n int) Pagination {
	if p != nil {
		return *p
	}
	return Pagination{CurrentPage: 1, LastPage: 1, PerPage: n, Total: n, From: min(1, n), To: n}
}

// asPaginator reports whether raw is a paginator object: a data array with
// current_page beside it.
func asPaginator(raw []byte) (items json.RawMessage, p Pagination, ok bool) {
	m := objectOf(raw)
	if m == nil {
		return nil, p, false
	}
	data := m.get("data")
	if !m.has("current_page") || !isArray(data) {
		return nil, p, false
	}
	return data, decodePagination(m), true
}

func isArray(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '['
}

func isObject(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '{'
}

// listIn finds a list in data. It prefers the endpoint's own keys, then any
// key holding a paginator, then data itself as a paginator or an array. A
// missing or null data is an empty list; a plain array has no pagination,
// so its page is the last.
func listIn(data json.RawMessage, keys ...string) (items json.RawMessage, p *Pagination, err error) {
	if loose.IsNull(data) {
		return nil, nil, nil
	}
	if isArray(data) {
		return data, nil, nil
	}
	if !isObject(data) {
		return nil, nil, fmt.Errorf("data: %w", errNotObject)
	}
	members, err := loose.Members(data)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	m := object(members)
	for _, k := range keys {
		if !m.has(k) {
			continue
		}
		v := m.get(k)
		if items, pg, ok := asPaginator(v); ok {
			return items, &pg, nil
		}
		if isArray(v) {
			return v, nil, nil
		}
		if loose.IsNull(v) {
			return nil, nil, nil
		}
	}
	for _, mb := range members {
		if items, pg, ok := asPaginator(mb.Value); ok {
			return items, &pg, nil
		}
	}
	if items, pg, ok := asPaginator(data); ok {
		return items, &pg, nil
	}
	return nil, nil, nil
}

// decodeItems decodes a JSON array whose elements are objects; other
// elements (null, numbers) are skipped rather than failing the page.
func decodeItems[T any](raw json.RawMessage, one func([]byte) T) ([]T, error) {
	if loose.IsNull(raw) {
		return nil, nil
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, err
	}
	out := make([]T, 0, len(elems))
	for _, e := range elems {
		if !isObject(e) {
			continue
		}
		out = append(out, one(e))
	}
	return out, nil
}

// unmarshalObject is the UnmarshalJSON of the result types: a JSON object is
// decoded by decode from a copy (encoding/json only lends its bytes), null
// or "null" leaves the zero value, and anything else is an error.
func unmarshalObject[T any](b []byte, dst *T, decode func([]byte) T) error {
	if !isObject(b) {
		if loose.IsNull(b) {
			return nil
		}
		return errNotObject
	}
	*dst = decode(bytes.Clone(b))
	return nil
}
