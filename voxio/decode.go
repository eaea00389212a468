package voxio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

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

// errNotObject reports a body that is JSON but not the envelope's object.
var errNotObject = errors.New("expected a JSON object")

// parseEnvelope reads {status, remark, message, data}. message and data may
// be absent; message may be an array (as documented), a single string, or
// Laravel's object of per-field arrays.
func parseEnvelope(body []byte) (*envelope, error) {
	members, err := objectMembers(body)
	if err != nil {
		return nil, err
	}
	env := &envelope{}
	for _, m := range members {
		switch m.key {
		case "status":
			env.Status = looseText(m.value)
		case "remark":
			env.Remark = looseText(m.value)
		case "message":
			collectMessages(m.value, env)
		case "errors":
			// Laravel's own 422 answer: {"message": "...", "errors": {field: [...]}}.
			collectMessages(m.value, env)
		case "data":
			env.Data = m.value
		}
	}
	return env, nil
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
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return
		}
		for _, it := range items {
			collectMessages(it, env)
		}
	case '{':
		members, err := objectMembers(raw)
		if err != nil {
			return
		}
		for _, m := range members {
			before := len(env.Messages)
			collectMessages(m.value, env)
			if genericMessageKeys[m.key] {
				continue
			}
			if env.Fields == nil {
				env.Fields = map[string][]string{}
			}
			env.Fields[m.key] = append(env.Fields[m.key], env.Messages[before:]...)
		}
	default:
		if s := looseText(raw); s != "" {
			env.Messages = append(env.Messages, s)
		}
	}
}

type member struct {
	key   string
	value json.RawMessage
}

// objectMembers splits a JSON object into its members in document order.
// A repeated key keeps every occurrence, so callers see the last one win as
// encoding/json would.
func objectMembers(raw []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errNotObject
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errNotObject
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{key: key, value: v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON object")
	}
	return out, nil
}

// fields returns an object's members by name (the last of a repeated key),
// or nil when raw is not an object.
func fields(raw []byte) map[string]json.RawMessage {
	members, err := objectMembers(raw)
	if err != nil {
		return nil
	}
	m := make(map[string]json.RawMessage, len(members))
	for _, mb := range members {
		m[mb.key] = mb.value
	}
	return m
}

func isNullish(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null" || string(t) == `"null"` || string(t) == `""`
}

// looseText reads a string, number or boolean as text. null and "null" are
// "", and so are objects and arrays, which stay reachable through Raw.
func looseText(raw []byte) string {
	t := bytes.TrimSpace(raw)
	if isNullish(t) {
		return ""
	}
	switch t[0] {
	case '"':
		var s string
		if json.Unmarshal(t, &s) != nil {
			return ""
		}
		return s
	case '{', '[':
		return ""
	}
	return string(t)
}

// looseInt reads an integer sent as a number or a numeric string; anything
// else is 0.
func looseInt(raw []byte) int64 {
	s := strings.TrimSpace(looseText(raw))
	if s == "" {
		return 0
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f > math.MaxInt64 || f < math.MinInt64 {
		return 0
	}
	return int64(f)
}

// looseTime reads RFC 3339, "2006-01-02 15:04:05" or unix seconds; anything
// else is the zero time.
func looseTime(raw []byte) time.Time {
	var t transport.Time
	if json.Unmarshal(raw, &t) != nil {
		return time.Time{}
	}
	return t.Time
}

// clone copies raw, which encoding/json only lends to UnmarshalJSON.
func clone(raw []byte) json.RawMessage { return append(json.RawMessage(nil), raw...) }

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

func decodePagination(m map[string]json.RawMessage) Pagination {
	return Pagination{
		CurrentPage:  int(looseInt(m["current_page"])),
		LastPage:     int(looseInt(m["last_page"])),
		PerPage:      int(looseInt(m["per_page"])),
		Total:        int(looseInt(m["total"])),
		From:         int(looseInt(m["from"])),
		To:           int(looseInt(m["to"])),
		NextPageURL:  looseText(m["next_page_url"]),
		PrevPageURL:  looseText(m["prev_page_url"]),
		FirstPageURL: looseText(m["first_page_url"]),
		LastPageURL:  looseText(m["last_page_url"]),
		Path:         looseText(m["path"]),
	}
}

// asPaginator reports whether raw is a paginator object: a data array with
// current_page beside it.
func asPaginator(raw []byte) (items json.RawMessage, p Pagination, ok bool) {
	m := fields(raw)
	if m == nil {
		return nil, p, false
	}
	data, hasData := m["data"]
	_, hasCurrent := m["current_page"]
	if !hasData || !hasCurrent || !isArray(data) {
		return nil, p, false
	}
	return data, decodePagination(m), true
}

func isArray(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '['
}

// listIn finds a list in data. It prefers the endpoint's own keys, then any
// key holding a paginator, then data itself as a paginator or an array. A
// missing or null data is an empty list; a plain array has no pagination,
// so its page is the last.
func listIn(data json.RawMessage, keys ...string) (items json.RawMessage, p *Pagination, err error) {
	if isNullish(data) {
		return nil, nil, nil
	}
	if isArray(data) {
		return data, nil, nil
	}
	members, err := objectMembers(data)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	byKey := make(map[string]json.RawMessage, len(members))
	for _, m := range members {
		byKey[m.key] = m.value
	}
	for _, k := range keys {
		v, ok := byKey[k]
		if !ok {
			continue
		}
		if items, pg, ok := asPaginator(v); ok {
			return items, &pg, nil
		}
		if isArray(v) {
			return v, nil, nil
		}
		if isNullish(v) {
			return nil, nil, nil
		}
	}
	for _, m := range members {
		if items, pg, ok := asPaginator(m.value); ok {
			return items, &pg, nil
		}
	}
	if items, pg, ok := asPaginator(data); ok {
		return items, &pg, nil
	}
	return nil, nil, nil
}

// objectIn returns the object under the first of keys that holds one.
func objectIn(m map[string]json.RawMessage, keys ...string) json.RawMessage {
	for _, k := range keys {
		if v, ok := m[k]; ok && isObject(v) {
			return v
		}
	}
	return nil
}

func isObject(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '{'
}

// decodeItems decodes a JSON array whose elements are objects; other
// elements (null, numbers) are skipped rather than failing the page.
func decodeItems[T any](raw json.RawMessage, one func([]byte) T) ([]T, error) {
	if isNullish(raw) {
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
