package ourvoice

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// Links are the page links of an Our Voice list ({data, links, meta}).
// Each is a full URL, or "" when there is no such page.
type Links struct {
	// First is the first page.
	First string
	// Last is the last page.
	Last string
	// Prev is the page before this one.
	Prev string
	// Next is the page after this one; "" on the last page.
	Next string
}

// Meta is the pagination block of an Our Voice list. Zero values mean the
// server did not say.
type Meta struct {
	// CurrentPage is the page this answer holds, from 1.
	CurrentPage int
	// LastPage is the number of the last page.
	LastPage int
	// PerPage is the page size in effect (the "limit" asked for, default 10).
	PerPage int
	// From is the 1-based position of this page's first item in the whole
	// list (0 on an empty page).
	From int
	// To is the position of this page's last item.
	To int
	// Total is the number of items in the whole list.
	Total int
	// Path is the list's URL without a query.
	Path string
}

// pageInfo is what the iterators need to know about one decoded page.
type pageInfo struct {
	Links    Links
	Meta     Meta
	hasMeta  bool
	hasLinks bool
}

// last reports whether no page follows, from meta when it has a last page,
// else from links.next; a bare list has no other page.
func (p pageInfo) last() bool {
	switch {
	case p.hasMeta && p.Meta.LastPage > 0:
		return p.Meta.CurrentPage >= p.Meta.LastPage
	case p.hasLinks:
		return p.Links.Next == ""
	}
	return true
}

type wireLinks struct {
	First transport.String `json:"first"`
	Last  transport.String `json:"last"`
	Prev  transport.String `json:"prev"`
	Next  transport.String `json:"next"`
}

type wireMeta struct {
	CurrentPage transport.Int    `json:"current_page"`
	LastPage    transport.Int    `json:"last_page"`
	PerPage     transport.Int    `json:"per_page"`
	From        transport.Int    `json:"from"`
	To          transport.Int    `json:"to"`
	Total       transport.Int    `json:"total"`
	Path        transport.String `json:"path"`
}

func (m wireMeta) meta() Meta {
	return Meta{
		CurrentPage: int(m.CurrentPage), LastPage: int(m.LastPage), PerPage: int(m.PerPage),
		From: int(m.From), To: int(m.To), Total: int(m.Total), Path: string(m.Path),
	}
}

// decodeList reads a list answer into items. It accepts the documented
// {data, links, meta} resource page, the same wrapped in
// {"success": true, "data": {...}}, a flat Laravel paginator
// ({current_page, data, last_page, next_page_url, ...}), a list under
// itemKey ("sessions", "messages"), and a bare JSON array.
func decodeList[T any](body []byte, itemKey string) ([]T, pageInfo, error) {
	var info pageInfo
	t := bytes.TrimSpace(body)
	if len(t) > 0 && t[0] == '[' {
		var items []T
		if err := json.Unmarshal(t, &items); err != nil {
			return nil, info, err
		}
		return items, info, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(t, &top); err != nil {
		return nil, info, err
	}
	// {"success": true, "data": {"data": [...], "links":..., "meta":...}}
	for depth := 0; depth < 2; depth++ {
		inner, ok := top["data"]
		it := bytes.TrimSpace(inner)
		if !ok || len(it) == 0 || it[0] != '{' {
			break
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(it, &m); err != nil {
			return nil, info, err
		}
		if _, hasData := m["data"]; !hasData {
			if _, hasKey := m[itemKey]; !hasKey {
				break
			}
		}
		// Keep outer links/meta if the inner object lacks them.
		for _, k := range []string{"links", "meta"} {
			if _, ok := m[k]; !ok {
				if v, ok := top[k]; ok {
					m[k] = v
				}
			}
		}
		top = m
	}
	raw, ok := top["data"]
	if !ok || isNullJSON(raw) {
		raw = top[itemKey]
	}
	var items []T
	if len(raw) > 0 && !isNullJSON(raw) {
		if r := bytes.TrimSpace(raw); len(r) > 0 && r[0] != '[' {
			return nil, info, fmt.Errorf("ourvoice: list data is not an array")
		}
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, info, err
		}
	}
	if l, ok := top["links"]; ok && isObjectJSON(l) {
		var wl wireLinks
		if err := json.Unmarshal(l, &wl); err != nil {
			return nil, info, err
		}
		info.hasLinks = true
		info.Links = Links{First: string(wl.First), Last: string(wl.Last), Prev: string(wl.Prev), Next: string(wl.Next)}
	}
	if m, ok := top["meta"]; ok && isObjectJSON(m) {
		var wm wireMeta
		if err := json.Unmarshal(m, &wm); err != nil {
			return nil, info, err
		}
		info.hasMeta = true
		info.Meta = wm.meta()
	} else if _, ok := top["current_page"]; ok {
		// Flat Laravel paginator.
		var flat struct {
			wireMeta
			First transport.String `json:"first_page_url"`
			Last  transport.String `json:"last_page_url"`
			Prev  transport.String `json:"prev_page_url"`
			Next  transport.String `json:"next_page_url"`
		}
		if err := json.Unmarshal(t, &flat); err != nil {
			return nil, info, err
		}
		info.hasMeta, info.hasLinks = true, true
		info.Meta = flat.meta()
		info.Links = Links{First: string(flat.First), Last: string(flat.Last), Prev: string(flat.Prev), Next: string(flat.Next)}
	}
	return items, info, nil
}

// unwrapObject finds the object an answer is about: under one of keys
// ("session", "data"), when that member is an object, or the body itself.
func unwrapObject(body []byte, keys ...string) json.RawMessage {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return body
	}
	for _, k := range keys {
		v := bytes.TrimSpace(top[k])
		if len(v) > 0 && v[0] == '{' {
			return v
		}
	}
	return body
}

func isObjectJSON(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '{'
}

// checkPage guards the iterators against a server that ignores the page
// asked for, which would otherwise repeat the same page forever.
func checkPage(info pageInfo, page int) error {
	if info.hasMeta && info.Meta.CurrentPage > 0 && info.Meta.CurrentPage != page {
		return fmt.Errorf("ourvoice: asked for page %d, got page %d", page, info.Meta.CurrentPage)
	}
	return nil
}
