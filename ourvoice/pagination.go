package ourvoice

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-go/switchboard/internal/loose"
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

// decodeList finds the items of a list answer (nil when it has none) and
// its pagination. It accepts the documented
// {data, links, meta} resource page, the same wrapped in
// {"success": true, "data": {...}}, a flat Laravel paginator
// ({current_page, data, last_page, next_page_url, ...}), a list under
// itemKey ("sessions", "messages"), and a bare JSON array. Items that are
// not a list fail it; pagination members in an odd form read as zero.
func decodeList(resp *transport.Response, itemKey string) (json.RawMessage, pageInfo, error) {
	var info pageInfo
	env := envelopeOf(resp)
	if env.err != nil {
		if isArray(resp.Body) && json.Valid(resp.Body) {
			return bytes.TrimSpace(resp.Body), info, nil
		}
		return nil, info, env.err
	}
	top := env.members
	// {"success": true, "data": {"data": [...], "links":..., "meta":...}}
	for depth := 0; depth < 2; depth++ {
		inner, ok := member(top, "data")
		if !ok || !isObject(inner) {
			break
		}
		ms, err := object(inner)
		if err != nil {
			return nil, info, err
		}
		_, hasData := member(ms, "data")
		_, hasKey := member(ms, itemKey)
		if !hasData && !hasKey {
			break
		}
		// Keep outer links/meta if the inner object lacks them.
		for _, k := range []string{"links", "meta"} {
			if _, ok := member(ms, k); !ok {
				if v, ok := member(top, k); ok {
					ms = append(ms, loose.Member{Key: k, Value: v})
				}
			}
		}
		top = ms
	}
	raw, ok := member(top, "data")
	if !ok || absent(raw) {
		raw, _ = member(top, itemKey)
	}
	var items json.RawMessage
	if !absent(raw) {
		if !isArray(raw) {
			return nil, info, errors.New("list data is not an array")
		}
		items = raw
	}
	if l, ok := member(top, "links"); ok && isObject(l) {
		ms, err := object(l)
		if err != nil {
			return nil, info, err
		}
		info.hasLinks = true
		info.Links = linksFrom(ms, "first", "last", "prev", "next")
	}
	if m, ok := member(top, "meta"); ok && isObject(m) {
		ms, err := object(m)
		if err != nil {
			return nil, info, err
		}
		info.hasMeta = true
		info.Meta = metaFrom(ms)
	} else if _, ok := member(top, "current_page"); ok {
		// Flat Laravel paginator.
		info.hasMeta, info.hasLinks = true, true
		info.Meta = metaFrom(top)
		info.Links = linksFrom(top, "first_page_url", "last_page_url", "prev_page_url", "next_page_url")
	}
	return items, info, nil
}

func linksFrom(ms []loose.Member, first, last, prev, next string) Links {
	get := func(k string) string {
		v, _ := member(ms, k)
		return text(v)
	}
	return Links{First: get(first), Last: get(last), Prev: get(prev), Next: get(next)}
}

func metaFrom(ms []loose.Member) Meta {
	var m Meta
	for _, f := range ms {
		v := f.Value
		switch strings.ToLower(f.Key) {
		case "current_page":
			m.CurrentPage = integer(v)
		case "last_page":
			m.LastPage = integer(v)
		case "per_page":
			m.PerPage = integer(v)
		case "from":
			m.From = integer(v)
		case "to":
			m.To = integer(v)
		case "total":
			m.Total = integer(v)
		case "path":
			m.Path = text(v)
		}
	}
	return m
}

// checkPage guards the iterators against a server that ignores the page
// asked for, which would otherwise repeat the same page forever.
func checkPage(info pageInfo, page int) error {
	if info.hasMeta && info.Meta.CurrentPage > 0 && info.Meta.CurrentPage != page {
		return fmt.Errorf("ourvoice: asked for page %d, got page %d", page, info.Meta.CurrentPage)
	}
	return nil
}
