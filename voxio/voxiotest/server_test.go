package voxiotest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

func raw(t *testing.T, s *voxiotest.Server, method, path string, header http.Header, body io.Reader) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, body)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var m map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	return resp.StatusCode, m
}

func auth() http.Header {
	return http.Header{"client-id": {voxiotest.DefaultClientID}, "client-secret": {voxiotest.DefaultClientSecret}}
}

func TestVendorEnvelopes(t *testing.T) {
	s := voxiotest.NewServer()
	defer s.Close()

	code, m := raw(t, s, "GET", "/contact/list", http.Header{"client-id": {voxiotest.DefaultClientID}}, nil)
	assert.Equal(t, 200, code)
	assert.Equal(t, map[string]any{"remark": "Unauthorized", "status": "error", "message": []any{"The client secret is required"}}, m)

	code, m = raw(t, s, "GET", "/external-api/contact/list?page=x", auth(), nil)
	assert.Equal(t, 200, code)
	assert.Equal(t, "success", m["status"])
	p := m["data"].(map[string]any)["contacts"].(map[string]any)
	for _, k := range []string{"current_page", "data", "first_page_url", "from", "last_page", "last_page_url", "links", "next_page_url", "path", "per_page", "prev_page_url", "to", "total"} {
		assert.Contains(t, p, k)
	}
	assert.Equal(t, float64(1), p["current_page"], "a bad page number is page 1, as in Laravel")

	form := url.Values{"firstname": {""}, "mobile_code": {"+62"}, "mobile": {"8571"}}
	h := auth()
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	code, m = raw(t, s, "POST", "/contact/store", h, strings.NewReader(form.Encode()))
	assert.Equal(t, 200, code, "validation errors come with HTTP 200")
	assert.Equal(t, "validation_error", m["remark"])
	assert.Contains(t, m["message"], "The firstname field is required.")

	code, m = raw(t, s, "POST", "/inbox/change-conversation-status/1", h, strings.NewReader("status=4"))
	assert.Equal(t, 200, code)
	assert.Equal(t, "validation_error", m["remark"])

	code, m = raw(t, s, "GET", "/contact/store", auth(), nil)
	assert.Equal(t, 405, code)
	assert.Contains(t, m["message"], "not supported")

	code, _ = raw(t, s, "GET", "/nope", auth(), nil)
	assert.Equal(t, 404, code)

	code, m = raw(t, s, "DELETE", "/contact/delete/abc", auth(), nil)
	assert.Equal(t, 200, code)
	assert.Equal(t, "not_found", m["remark"])
}
