package ourvoicetest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
)

// The fixed ids the Our Voice docs' requests name.
const (
	docsSession = "a3f1b2c4-1234-4abc-9def-000011112222"
	docsMessage = "7f9e1234-abcd-4ef0-8765-aabbccddeeff"
	docsHost    = "https://api.getourvoice.com"
)

// curlRequest is one documented curl command, parsed.
type curlRequest struct {
	method, url string
	header      http.Header
	data        string
}

// parseCurl reads the curl commands of testdata/docs_curl.txt: paragraphs
// of shell lines joined by backslash-newline, with double-quoted words in
// which \" and \\ are escapes.
func parseCurl(t *testing.T) []curlRequest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "docs_curl.txt"))
	require.NoError(t, err)
	var out []curlRequest
	for _, para := range strings.Split(string(raw), "\n\n") {
		para = strings.TrimSpace(para)
		if !strings.HasPrefix(para, "curl ") {
			continue
		}
		words := shellWords(t, strings.ReplaceAll(para, "\\\n", " "))
		r := curlRequest{method: http.MethodGet, header: http.Header{}}
		for i := 1; i < len(words); i++ {
			switch w := words[i]; w {
			case "--request":
				i++
				r.method = words[i]
			case "--get":
			case "--header":
				i++
				k, v, ok := strings.Cut(words[i], ":")
				require.True(t, ok, words[i])
				r.header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			case "--data":
				i++
				r.data = words[i]
			default:
				require.False(t, strings.HasPrefix(w, "-"), "unknown curl flag %s", w)
				r.url = w
			}
		}
		require.NotEmpty(t, r.url, para)
		out = append(out, r)
	}
	return out
}

func shellWords(t *testing.T, s string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted && c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
			i++
			cur.WriteByte(s[i])
		case c == '"':
			quoted, inWord = !quoted, true
		case !quoted && (c == ' ' || c == '\t' || c == '\n'):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	require.False(t, quoted, "unterminated quote")
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// fill puts the sandbox in the placeholders' place.
func fill(s *ourvoicetest.Server, text string) string {
	text = strings.ReplaceAll(text, docsHost, s.URL)
	text = strings.ReplaceAll(text, "{YOUR_AUTH_KEY}", s.Token())
	return strings.ReplaceAll(text, "XXXXXX", "000000")
}

// replay sends r to s as curl would, and returns the status and the
// decoded JSON answer.
func replay(t *testing.T, s *ourvoicetest.Server, r curlRequest) (int, map[string]any) {
	t.Helper()
	var body io.Reader
	if r.data != "" {
		body = strings.NewReader(fill(s, r.data))
	}
	req, err := http.NewRequest(r.method, fill(s, r.url), body)
	require.NoError(t, err)
	for k, vs := range r.header {
		for _, v := range vs {
			req.Header.Add(k, fill(s, v))
		}
	}
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out), string(b))
	return resp.StatusCode, out
}

// docsSample is an answer the docs show, from the client's testdata.
func docsSample(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// assertShape checks that got has every member the docs' sample has, at
// every depth (the first item standing for a list), so a program written
// against the docs finds what it reads.
func assertShape(t *testing.T, want, got any, path string) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		require.True(t, ok, "%s: want an object, got %T", path, got)
		for k, v := range w {
			gv, ok := g[k]
			if assert.True(t, ok, "%s.%s missing", path, k) && v != nil && gv != nil {
				assertShape(t, v, gv, path+"."+k)
			}
		}
	case []any:
		g, ok := got.([]any)
		require.True(t, ok, "%s: want a list, got %T", path, got)
		if len(w) > 0 && assert.NotEmpty(t, g, path) {
			assertShape(t, w[0], g[0], path+"[0]")
		}
	}
}

func obj(t *testing.T, v any, key string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	require.True(t, ok, "%T", v)
	o, ok := m[key].(map[string]any)
	require.True(t, ok, "%s is %T", key, m[key])
	return o
}

func first(t *testing.T, v any, key string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	require.True(t, ok, "%T", v)
	list, ok := m[key].([]any)
	require.True(t, ok, "%s is %T", key, m[key])
	require.NotEmpty(t, list, key)
	o, ok := list[0].(map[string]any)
	require.True(t, ok)
	return o
}

// TestDocsRequests replays every request of the Our Voice docs, as the
// docs write it (fixed ids included), against a sandbox seeded with those
// ids, and checks the documented status and, where the docs show an
// answer, its shape.
func TestDocsRequests(t *testing.T) {
	seedSession := func(status ourvoice.SessionStatus) func(t *testing.T, s *ourvoicetest.Server) {
		return func(t *testing.T, s *ourvoicetest.Server) {
			t.Helper()
			require.NoError(t, s.SeedSession(ourvoicetest.SessionSeed{ID: docsSession, Status: status, PhoneNumber: "22997000000"}))
		}
	}
	withMessage := func(t *testing.T, s *ourvoicetest.Server) {
		t.Helper()
		seedSession(ourvoice.SessionConnected)(t, s)
		require.NoError(t, s.SeedMessage(ourvoicetest.MessageSeed{
			ID: docsMessage, SessionID: docsSession, To: "22996000000", Content: "Hello from Our Voice!",
			CampaignID: "1498e4ff-3d09-4dba-bb7c-62851729f7ea", Status: ourvoice.MessageDelivered, Cost: 10,
		}))
	}
	type check func(t *testing.T, s *ourvoicetest.Server, answer map[string]any)
	cases := map[string]struct {
		seed   func(t *testing.T, s *ourvoicetest.Server)
		status int
		check  check
	}{
		"GET /v1/whatsapp/sessions": {seedSession(ourvoice.SessionConnected), 200, func(t *testing.T, _ *ourvoicetest.Server, a map[string]any) {
			assert.Equal(t, docsSession, first(t, a, "data")["id"])
		}},
		"POST /v1/whatsapp/sessions": {nil, 201, func(t *testing.T, _ *ourvoicetest.Server, a map[string]any) {
			assertShape(t, docsSample(t, "session_create.json"), a, "")
			assert.Equal(t, "pending", obj(t, a, "session")["status"])
			assert.True(t, strings.HasPrefix(a["qr_code"].(string), "data:image/png;base64,"))
		}},
		"GET /v1/whatsapp/sessions/" + docsSession: {seedSession(ourvoice.SessionConnected), 200, func(t *testing.T, _ *ourvoicetest.Server, a map[string]any) {
			assertShape(t, map[string]any{"session": docsSample(t, "session_create.json")["session"]}, a, "")
			assert.Equal(t, docsSession, obj(t, a, "session")["id"])
			assert.Equal(t, "session_"+docsSession, obj(t, a, "session")["session_id"])
		}},
		"GET /v1/whatsapp/sessions/" + docsSession + "/qr-code": {seedSession(ourvoice.SessionPending), 200, func(t *testing.T, _ *ourvoicetest.Server, a map[string]any) {
			assertShape(t, docsSample(t, "session_qr_code.json"), a, "")
			_, err := ourvoice.QRCode(a["qr_code"].(string)).PNG()
			assert.NoError(t, err)
		}},
		"PATCH /v1/whatsapp/sessions/" + docsSession + "/disconnect": {seedSession(ourvoice.SessionConnected), 200, func(t *testing.T, _ *ourvoicetest.Server, a map[string]any) {
			assert.Equal(t, "disconnected", obj(t, a, "session")["status"])
		}},
		"PATCH /v1/whatsapp/sessions/" + docsSession + "/reconnect": {seedSession(ourvoice.SessionDisconnected), 200, func(t *testing.T, _ *ourvoicetest.Server, a map[string]any) {
			assert.Equal(t, "pending", obj(t, a, "session")["status"])
		}},
		"DELETE /v1/whatsapp/sessions/" + docsSession: {seedSession(ourvoice.SessionConnected), 200, func(t *testing.T, s *ourvoicetest.Server, a map[string]any) {
			assert.Equal(t, true, a["success"])
			_, ok := s.Session(docsSession)
			assert.False(t, ok, "deleted")
		}},
		"GET /v1/whatsapp/messages": {withMessage, 200, func(t *testing.T, _ *ourvoicetest.Server, a map[string]any) {
			m := first(t, a, "data")
			assert.Equal(t, docsMessage, m["id"])
			assert.Equal(t, "delivered", m["status"])
			assert.Equal(t, float64(10), obj(t, a, "meta")["per_page"])
		}},
		"GET /v1/whatsapp/messages/" + docsSession + "/session": {withMessage, 200, func(t *testing.T, _ *ourvoicetest.Server, a map[string]any) {
			assert.Equal(t, docsMessage, first(t, a, "data")["id"])
		}},
		"POST /v1/whatsapp/messages": {seedSession(ourvoice.SessionConnected), 201, func(t *testing.T, s *ourvoicetest.Server, a map[string]any) {
			assertShape(t, docsSample(t, "message_send_text.json"), a, "")
			m := first(t, obj(t, a, "data"), "messages")
			assert.Equal(t, docsSession, m["whatsapp_session_id"])
			assert.Equal(t, "22996000000", m["to_number"])
			assert.Equal(t, "Hello from Our Voice!", m["content"])
			assert.Equal(t, "queued", m["status"])
			require.Len(t, s.SentMessages(), 1)
		}},
		"GET /v1/whatsapp/messages/" + docsMessage: {withMessage, 200, func(t *testing.T, _ *ourvoicetest.Server, a map[string]any) {
			m := obj(t, a, "data")
			assert.Equal(t, docsMessage, m["id"])
			assert.Equal(t, "1498e4ff-3d09-4dba-bb7c-62851729f7ea", m["campaign_id"])
		}},
	}
	requests := parseCurl(t)
	require.Len(t, requests, len(cases), "every documented request has a case, and every case a request")
	for _, r := range requests {
		path, _, _ := strings.Cut(strings.TrimPrefix(r.url, docsHost), "?")
		name := r.method + " " + path
		tc, ok := cases[name]
		require.True(t, ok, "no case for the documented %s", name)
		t.Run(name, func(t *testing.T) {
			s := ourvoicetest.NewServer(ourvoicetest.WithClock(fixed))
			defer s.Close()
			if tc.seed != nil {
				tc.seed(t, s)
			}
			status, answer := replay(t, s, r)
			require.Equal(t, tc.status, status, "%v", answer)
			tc.check(t, s, answer)
		})
	}

	// The image example is a body without a curl line: it goes to the
	// send endpoint with the send command's headers.
	t.Run("POST image example", func(t *testing.T) {
		s := ourvoicetest.NewServer(ourvoicetest.WithClock(fixed))
		defer s.Close()
		seedSession(ourvoice.SessionConnected)(t, s)
		body, err := os.ReadFile(filepath.Join("testdata", "docs_send_image.json"))
		require.NoError(t, err)
		var send curlRequest
		for _, r := range requests {
			if r.method == http.MethodPost && strings.HasSuffix(r.url, "/messages") {
				send = r
			}
		}
		send.data = string(bytes.TrimSpace(body))
		status, answer := replay(t, s, send)
		require.Equal(t, 201, status, "%v", answer)
		data := obj(t, answer, "data")
		assert.Equal(t, float64(2), data["count"])
		sent := s.SentMessages()
		require.Len(t, sent, 2)
		assert.Equal(t, "22961000000", sent[1].To)
		assert.Equal(t, ourvoice.TypeImage, sent[1].Type)
		assert.Equal(t, "https://example.com/image.jpg", sent[1].MediaURL)
		assert.Equal(t, "Check out this photo!", sent[1].Content)
		s.Advance(ourvoicetest.DefaultTimings.Send)
		sent = s.SentMessages()
		assert.Equal(t, ourvoice.MessageSent, sent[0].Status)
		assert.Equal(t, ourvoice.MessageQueued, sent[1].Status, "delay_between (1000 ms) holds the second recipient")
	})
}
