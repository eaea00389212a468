package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// served is one answered request of a sandbox. Every <vendor>test package
// names the same type (an alias of the sandboxes' shared core).
type served = voxiotest.Served

// feedSize is how many requests each vendor's feed keeps, newest last.
const feedSize = 200

// shownBody bounds how much of a body the page shows.
const shownBody = 4 << 10

// exchange is one request of the application and the sandbox's answer,
// redacted, as the page shows it.
type exchange struct {
	Seq         int64
	At          time.Time
	Method      string
	Path        string
	Query       string
	Status      int
	Fault       string
	Duration    time.Duration
	Credential  string // what the credential headers held, in words
	Headers     []header
	Request     string
	Response    string
	ContentType string
	ByPage      bool   // made by the page on the developer's behalf
	Refusal     string // the vendor's failure inside the answer, even in an HTTP 200
}

type header struct{ Name, Value string }

// feed keeps the latest requests one sandbox received. It is safe for
// concurrent use: sandboxes call add from their request goroutines.
type feed struct {
	// known reports whether a credential value is one the sandbox hands
	// out (shown as such) or not (redacted: it may be a real vendor's).
	known func(name, value string) bool

	mu    sync.Mutex
	seq   int64
	items []exchange
}

func newFeed(known func(name, value string) bool) *feed { return &feed{known: known} }

func (f *feed) add(sv served) {
	ex := exchange{At: sv.Received, Method: sv.Method, Path: sv.Path, Query: redactQuery(sv.RawQuery), Status: sv.Status,
		Fault: sv.Fault, Duration: sv.Duration, ContentType: sv.ContentType}
	ex.Headers, ex.Credential = f.headers(sv.Header)
	ex.ByPage = strings.HasPrefix(sv.Header.Get("User-Agent"), pageUserAgent)
	ex.Request = renderBody(sv.Header.Get("Content-Type"), sv.Body, int64(len(sv.Body)))
	ex.Response = renderBody(sv.ContentType, sv.Response, sv.ResponseSize)
	if int64(len(sv.Response)) == sv.ResponseSize {
		ex.Refusal = refusal(sv.Status, sv.Response)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	ex.Seq = f.seq
	f.items = append(f.items, ex)
	if len(f.items) > feedSize {
		f.items = append(f.items[:0:0], f.items[len(f.items)-feedSize:]...)
	}
}

// latest returns up to n requests, newest first.
func (f *feed) latest(n int) []exchange {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]exchange, 0, min(n, len(f.items)))
	for i := len(f.items) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, f.items[i])
	}
	return out
}

// count reports how many requests the feed has seen in all.
func (f *feed) count() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seq
}

// headers lists the request headers with every credential replaced by
// words, and sums the credentials up: a sandbox credential, one the
// sandbox does not know (perhaps a real vendor's, so never shown), or none.
func (f *feed) headers(h http.Header) ([]header, string) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []header
	sandboxCreds, foreign := 0, 0
	for _, k := range names {
		v := strings.Join(h[k], ", ")
		if sensitive(k) {
			if f.known != nil && f.known(k, v) {
				v = "(sandbox credential)"
				sandboxCreds++
			} else {
				v = "(redacted: not a sandbox credential)"
				foreign++
			}
		}
		out = append(out, header{Name: k, Value: clip(v, 300)})
	}
	switch {
	case foreign > 0:
		return out, "unknown credential (redacted)"
	case sandboxCreds > 0:
		return out, "sandbox credential"
	}
	return out, "no credential"
}

// refusal reads a vendor's failure from its JSON answer: any answer with
// an error status, and the envelopes the four vendors fail in with a 200 as
// well, "status":"error" or "failure" (Voxio, Voitex) and "success":false
// (Our Voice, Chattu). It names the failure by its remark, code, error or
// message, and is "" for an answer that is not a failure.
func refusal(status int, b []byte) string {
	var v map[string]any
	if json.Unmarshal(b, &v) != nil {
		return ""
	}
	if status < 400 && v["status"] != "error" && v["status"] != "failure" && v["success"] != false {
		return ""
	}
	for _, k := range []string{"remark", "code", "error", "message"} {
		switch x := v[k].(type) {
		case string:
			if x != "" {
				return clip(x, 120)
			}
		case []any:
			if len(x) > 0 {
				if s, ok := x[0].(string); ok && s != "" {
					return clip(s, 120)
				}
			}
		}
	}
	return "error"
}

// sensitive reports whether a header, form field or JSON key may carry a
// secret.
func sensitive(name string) bool {
	n := strings.ToLower(name)
	if n == "authorization" || n == "cookie" || n == "client-id" {
		return true
	}
	for _, part := range []string{"secret", "token", "key", "password", "auth", "cookie", "signature"} {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

const redacted = "(redacted)"

func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "(query not shown: it does not parse)"
	}
	for k := range q {
		if sensitive(k) {
			q[k] = []string{redacted}
		}
	}
	return q.Encode()
}

// renderBody describes a body for the page: JSON indented, form fields one
// a line, multipart parts with their file names, sizes and types, text as
// it is; secrets redacted by name; binary content by its size. size is the
// whole body's size when b is only its start.
func renderBody(contentType string, b []byte, size int64) string {
	if len(b) == 0 {
		return ""
	}
	cut := size > int64(len(b))
	mt, params, _ := mime.ParseMediaType(contentType)
	var out string
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || (mt == "" && json.Valid(b)):
		out = renderJSON(b, cut)
	case mt == "application/x-www-form-urlencoded":
		out = renderForm(b)
	case mt == "multipart/form-data":
		out = renderMultipart(b, params["boundary"], cut)
	case strings.HasPrefix(mt, "text/") && utf8.Valid(b):
		out = string(b)
	case mt == "" && utf8.Valid(b):
		out = string(b)
	default:
		return fmt.Sprintf("(%s, %d bytes)", orUnknown(mt), size)
	}
	return clip(out, shownBody)
}

func orUnknown(mt string) string {
	if mt == "" {
		return "binary"
	}
	return mt
}

func renderJSON(b []byte, cut bool) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		if cut {
			return fmt.Sprintf("(JSON, more than %d bytes: not shown)", len(b))
		}
		return fmt.Sprintf("(%d bytes that are not valid JSON)", len(b))
	}
	v = redactJSON(v)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return "(JSON)"
	}
	return strings.TrimRight(buf.String(), "\n")
}

func redactJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if sensitive(k) {
				v[k] = redacted
			} else {
				v[k] = redactJSON(x)
			}
		}
	case []any:
		for i, x := range v {
			v[i] = redactJSON(x)
		}
	case string:
		// Objects sent as JSON strings (Voxio's product payloads) are
		// redacted inside too.
		if strings.HasPrefix(strings.TrimSpace(v), "{") {
			var inner any
			if json.Unmarshal([]byte(v), &inner) == nil {
				if b, err := json.Marshal(redactJSON(inner)); err == nil {
					return string(b)
				}
			}
		}
	}
	return v
}

func renderForm(b []byte) string {
	q, err := url.ParseQuery(string(b))
	if err != nil {
		return fmt.Sprintf("(%d bytes of a form that does not parse)", len(b))
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		for _, v := range q[k] {
			if sensitive(k) {
				v = redacted
			}
			fmt.Fprintf(&sb, "%s = %s\n", k, clip(v, 500))
		}
	}
	return strings.TrimRight(sb.String(), "\n")
}

func renderMultipart(b []byte, boundary string, cut bool) string {
	if boundary == "" {
		return fmt.Sprintf("(multipart, %d bytes)", len(b))
	}
	mr := multipart.NewReader(bytes.NewReader(b), boundary)
	var sb strings.Builder
	for {
		p, err := mr.NextPart()
		if err != nil {
			if err != io.EOF {
				if cut {
					sb.WriteString("(the rest is past the first MiB)\n")
				} else {
					sb.WriteString("(the rest does not parse)\n")
				}
			}
			break
		}
		name := p.FormName()
		if p.FileName() != "" {
			n, _ := io.Copy(io.Discard, p)
			ct := p.Header.Get("Content-Type")
			fmt.Fprintf(&sb, "%s: file %q, %s, %s\n", name, p.FileName(), orUnknown(ct), sizeText(n))
			continue
		}
		v, _ := io.ReadAll(io.LimitReader(p, 2<<10))
		val := string(v)
		if sensitive(name) {
			val = redacted
		} else if !utf8.ValidString(val) {
			val = fmt.Sprintf("(%d bytes)", len(v))
		}
		fmt.Fprintf(&sb, "%s = %s\n", name, clip(val, 500))
	}
	return strings.TrimRight(sb.String(), "\n")
}

// sizeText writes a byte count the way people read it.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// clip shortens s to at most n bytes on a rune boundary, saying so.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d more bytes)", len(s)-cut)
}
