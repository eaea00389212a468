package wiretest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecordsEachBodyKind(t *testing.T) {
	m := New(t)
	m.RespondSeq("POST", "https://api.example/send", Response{Status: 500, Body: `{}`}, Response{Status: 200, Body: `{"ok":1}`, Header: http.Header{"X-Request-Id": {"r1"}}})
	c := m.Client()

	resp, err := c.Post("https://api.example/send?a=1&a=2", "application/json", strings.NewReader(`{"n":12345678901234567890,"s":"שלום"}`))
	require.NoError(t, err)
	assert.Equal(t, 500, resp.StatusCode)
	resp, err = c.Post("https://api.example/send", "application/x-www-form-urlencoded", strings.NewReader("x=1&y=%F0%9F%91%8D"))
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "r1", resp.Header.Get("X-Request-Id"))
	b, _ := io.ReadAll(resp.Body)
	assert.JSONEq(t, `{"ok":1}`, string(b))

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(t, mw.WriteField("caption", "hi"))
	fw, err := mw.CreateFormFile("file", "a.png")
	require.NoError(t, err)
	_, _ = fw.Write([]byte("PNG"))
	require.NoError(t, mw.Close())
	_, err = c.Post("https://api.example/send", mw.FormDataContentType(), &buf)
	require.NoError(t, err)

	rs := m.Requests()
	require.Len(t, rs, 3)
	assert.Equal(t, []string{"1", "2"}, rs[0].Query["a"])
	assert.Equal(t, "/send", rs[0].Path)
	assert.Equal(t, json.Number("12345678901234567890"), rs[0].Object()["n"])
	assert.Equal(t, "שלום", rs[0].Object()["s"])
	assert.Equal(t, "👍", rs[1].Form.Get("y"))
	assert.Equal(t, "multipart/form-data", rs[2].ContentType)
	assert.Equal(t, "hi", rs[2].Form.Get("caption"))
	require.Len(t, rs[2].Files["file"], 1)
	assert.Equal(t, File{Name: "a.png", ContentType: "application/octet-stream", Content: []byte("PNG")}, rs[2].Files["file"][0])
	assert.Equal(t, rs[2].Path, m.Last().Path)
	assert.Equal(t, 3, m.Count())
}

func TestUnregisteredFails(t *testing.T) {
	m := New(t)
	_, err := m.Client().Get("https://api.example/none")
	assert.Error(t, err)
	assert.Zero(t, m.Count())
}
