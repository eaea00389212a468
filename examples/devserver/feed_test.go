package main

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

func TestFeedRedactsAndKeepsTheLatest(t *testing.T) {
	f := newFeed(func(name, v string) bool { return v == "sandbox-key" })
	h := http.Header{}
	h.Set("X-Api-Key", "sandbox-key")
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", pageUserAgent+" switchboard-go/1")
	f.add(served{Recorded: voxiotest.Recorded{Method: "POST", Path: "/api/x", RawQuery: "token=abc&page=2", Header: h,
		Body: []byte(`{"apiKey":"sandbox-key","name":"ok","list":[{"secret":"s"}],"product":"{\"password\":\"p\",\"sku\":\"A1\"}"}`)},
		Status: 200, ContentType: "application/json", Response: []byte(`{"success":false,"error":"nope"}`), ResponseSize: 32,
		Received: time.Now(), Duration: time.Millisecond})
	items := f.latest(10)
	require.Len(t, items, 1)
	ex := items[0]
	assert.Equal(t, "page=2&token=%28redacted%29", ex.Query)
	assert.Equal(t, "sandbox credential", ex.Credential)
	assert.True(t, ex.ByPage)
	assert.Equal(t, "nope", ex.Refusal)
	assert.NotContains(t, ex.Request, `"s"`)
	assert.NotContains(t, ex.Request, "sandbox-key")
	assert.Contains(t, ex.Request, `"name": "ok"`)
	assert.Contains(t, ex.Request, `\"sku\":\"A1\"`)
	assert.NotContains(t, ex.Request, `\"p\"`)
	assert.Contains(t, ex.Headers, header{Name: "X-Api-Key", Value: "(sandbox credential)"})

	for i := 0; i < feedSize+5; i++ {
		f.add(served{Recorded: voxiotest.Recorded{Method: "GET", Path: "/n", Header: http.Header{}}})
	}
	assert.Len(t, f.latest(feedSize*2), feedSize)
	assert.Equal(t, int64(feedSize+6), f.count())
	assert.Equal(t, int64(feedSize+6), f.latest(1)[0].Seq)
	assert.Equal(t, "no credential", f.latest(1)[0].Credential)
}

func TestRenderBody(t *testing.T) {
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	_ = w.WriteField("message", "שלום")
	_ = w.WriteField("client-secret", "x")
	fw, _ := w.CreateFormFile("image", "cat.png")
	_, _ = fw.Write(bytes.Repeat([]byte{0x89}, 2048))
	_ = w.Close()
	ct := w.FormDataContentType()

	for name, tc := range map[string]struct {
		ct   string
		body []byte
		size int64
		want []string
		not  []string
	}{
		"empty":            {ct: "application/json", want: []string{""}},
		"json":             {ct: "application/json; charset=utf-8", body: []byte(`{"a":1,"token":"t"}`), want: []string{`"a": 1`, `"token": "(redacted)"`}},
		"json cut":         {ct: "application/json", body: []byte(`{"a":`), size: 1 << 21, want: []string{"not shown"}},
		"json broken":      {ct: "application/json", body: []byte(`{"a":`), want: []string{"not valid JSON"}},
		"sniffed json":     {body: []byte(`[1,2]`), want: []string{"1,\n  2"}},
		"form":             {ct: "application/x-www-form-urlencoded", body: []byte("to=1&auth_key=k&body=hi"), want: []string{"to = 1", "auth_key = (redacted)", "body = hi"}, not: []string{"= k"}},
		"form broken":      {ct: "application/x-www-form-urlencoded", body: []byte("a=%zz"), want: []string{"does not parse"}},
		"multipart":        {ct: ct, body: mp.Bytes(), want: []string{"message = שלום", "client-secret = (redacted)", `image: file "cat.png", application/octet-stream, 2.0 KiB`}},
		"multipart cut":    {ct: ct, body: mp.Bytes()[:mp.Len()-10], size: 1 << 22, want: []string{"past the first MiB"}},
		"multipart broken": {ct: ct, body: mp.Bytes()[:mp.Len()-10], want: []string{"does not parse"}},
		"multipart bare":   {ct: "multipart/form-data", body: []byte("x"), want: []string{"(multipart, 1 bytes)"}},
		"text":             {ct: "text/plain", body: []byte("hello"), want: []string{"hello"}},
		"image":            {ct: "image/png", body: []byte{0x89, 'P'}, size: 3 << 20, want: []string{"(image/png, 3145728 bytes)"}},
		"binary":           {body: []byte{0xff, 0xfe}, want: []string{"(binary, 2 bytes)"}},
		"long":             {ct: "text/plain", body: []byte(strings.Repeat("é", shownBody)), want: []string{"more bytes)"}},
	} {
		size := tc.size
		if size == 0 {
			size = int64(len(tc.body))
		}
		got := renderBody(tc.ct, tc.body, size)
		for _, w := range tc.want {
			assert.Contains(t, got, w, name)
		}
		for _, n := range tc.not {
			assert.NotContains(t, got, n, name)
		}
		assert.LessOrEqual(t, len(got), shownBody+40, name)
	}
}

func TestRefusal(t *testing.T) {
	for body, want := range map[string]string{
		`{"status":"success"}`:                            "",
		`{"status":"error","remark":"Unauthorized"}`:      "Unauthorized",
		`{"status":"error","message":["Invalid"]}`:        "Invalid",
		`{"status":"failure"}`:                            "error",
		`{"success":false,"message":"Session gone"}`:      "Session gone",
		`{"success":false,"code":"AUTH_ERROR","error":1}`: "AUTH_ERROR",
		`not json`: "",
	} {
		assert.Equal(t, want, refusal(200, []byte(body)), body)
	}
	assert.Equal(t, "Too many", refusal(429, []byte(`{"error":"Too many"}`)))
	assert.Equal(t, "", refusal(200, []byte(`{"error":"Too many"}`)))
}

func TestSensitive(t *testing.T) {
	for _, n := range []string{"Authorization", "Cookie", "client-id", "Client-Secret", "Auth-Key", "auth_key", "X-Api-Key", "apiKey", "newApiKey", "password", "token", "X-Voxio-Signature"} {
		assert.True(t, sensitive(n), n)
	}
	for _, n := range []string{"Content-Type", "mobile", "message", "User-Agent", "clientId"} {
		assert.False(t, sensitive(n), n)
	}
}

func TestHelpers(t *testing.T) {
	assert.Equal(t, "12 bytes", sizeText(12))
	assert.Equal(t, "1.5 KiB", sizeText(1536))
	assert.Equal(t, "2.0 MiB", sizeText(2<<20))
	assert.Equal(t, "ab", clip("ab", 2))
	assert.Equal(t, "a… (2 more bytes)", clip("aé", 2), "never cuts a rune")
	d, ok := digits(" +1 (845) 951-1000 ")
	assert.True(t, ok)
	assert.Equal(t, "18459511000", d)
	_, ok = digits("12a")
	assert.False(t, ok)
	_, ok = digits("+ -")
	assert.False(t, ok)
	assert.Equal(t, "plain", shellQuote("plain"))
	assert.Equal(t, "http://127.0.0.1:1/v1", shellQuote("http://127.0.0.1:1/v1"))
	assert.Equal(t, `'a b'`, shellQuote("a b"))
	assert.Equal(t, `'it'\''s'`, shellQuote("it's"))
	assert.Equal(t, "''", shellQuote(""))
	_, err := appURL("javascript:alert(1)")
	assert.Error(t, err)
	u, err := appURL(" http://localhost:8080/x ")
	require.NoError(t, err)
	assert.Equal(t, "http://localhost:8080/x", u)
	assert.Equal(t, "(empty)", answerText(nil))
	assert.Equal(t, "{ \"a\": 1 }", answerText([]byte(`{"a":1}`)))
}

func TestHubCoalesces(t *testing.T) {
	h := newHub()
	h.publish(regionVoxio, "one")
	s := h.subscribe()
	require.NotNil(t, s)
	h.publish(regionVoxio, "one") // unchanged: nothing queued
	h.publish(regionChattu, "a")
	h.publish(regionVoxio, "two")
	h.publish(regionChattu, "b")
	names, htmls := s.take()
	assert.Equal(t, []string{regionVoxio, regionChattu}, names)
	assert.Equal(t, []string{"two", "b"}, htmls)
	names, _ = s.take()
	assert.Empty(t, names)
	assert.Equal(t, "b", h.current(regionChattu))
	h.unsubscribe(s)
	h.close()
	h.close()
	assert.Nil(t, h.subscribe())
}

func TestWriteEvent(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, writeEvent(&b, "voxio", "<p>\r\nline two</p>"))
	assert.Equal(t, "event: voxio\ndata: <p>\ndata: line two</p>\n\n", b.String())
}

// FuzzRenderBody: whatever a client sends, describing it never panics and
// stays within its bound.
func FuzzRenderBody(f *testing.F) {
	f.Add("application/json", []byte(`{"apiKey":"x","a":[1,{"token":"y"}]}`))
	f.Add("multipart/form-data; boundary=b", []byte("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\nxx\r\n--b--\r\n"))
	f.Add("application/x-www-form-urlencoded", []byte("a=1&b=%"))
	f.Add("", []byte{0, 1, 2})
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		out := renderBody(ct, body, int64(len(body)))
		if len(out) > shownBody+64 {
			t.Fatalf("%d bytes shown", len(out))
		}
		_ = refusal(500, body)
		_ = redactQuery(string(body))
	})
}
