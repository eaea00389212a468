package chattutest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/chattu/chattutest"
)

func do(t *testing.T, s *chattutest.Server, method, path, body string, hdr map[string]string) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

var key = map[string]string{"x-api-key": chattutest.DefaultAPIKey}

func TestQRIsARealPNG(t *testing.T) {
	s := chattutest.NewServer()
	defer s.Close()
	code, b, _ := do(t, s, "POST", "/api/add-number", `{"clientId":"c1","phoneNumber":"12345678901"}`, key)
	require.Equal(t, 200, code)
	var res struct{ Status, QRCode, APIKey string }
	require.NoError(t, json.Unmarshal(b, &res))
	assert.Equal(t, "pending_auth", res.Status)
	assert.True(t, strings.HasPrefix(res.QRCode, "data:image/png;base64,"))

	code, img, h := do(t, s, "GET", "/api/qr/c1", "", key)
	require.Equal(t, 200, code)
	assert.Equal(t, "image/png", h.Get("Content-Type"))
	decoded, err := png.Decode(bytes.NewReader(img))
	require.NoError(t, err)
	assert.Equal(t, 296, decoded.Bounds().Dx())
	// Top-left finder square is dark, the quiet zone light.
	r, _, _, _ := decoded.At(4*8+1, 4*8+1).RGBA()
	assert.Zero(t, r)
	r, _, _, _ = decoded.At(1, 1).RGBA()
	assert.NotZero(t, r)
}

func TestBadInputAndAuth(t *testing.T) {
	s := chattutest.NewServer()
	defer s.Close()
	cases := []struct {
		method, path, body string
		hdr                map[string]string
		code               int
		contains           string
	}{
		{"GET", "/api/profile", "", nil, 401, "AUTH_ERROR"},
		{"GET", "/api/profile", "", map[string]string{"x-api-key": "nope"}, 401, "AUTH_ERROR"},
		{"POST", "/api/add-number", `{"clientId":"c"}`, key, 400, "required"},
		{"POST", "/api/add-number", `{"clientId":"c","phoneNumber":"+1234"}`, key, 400, "digits"},
		{"POST", "/api/add-number", `not json`, key, 400, "Invalid JSON"},
		{"POST", "/api/send-message", `{"clientId":"c","number":"123"}`, key, 400, "required"},
		{"POST", "/api/send-message", `{"clientId":"ghost","number":"123","message":"x"}`, key, 404, "CLIENT_NOT_FOUND"},
		{"POST", "/api/send-group-message", `{"clientId":"c","groupId":"1@g.us","message":"x","mediaUrl":"https://x/a.jpg"}`, key, 400, "mediaType"},
		{"POST", "/api/send-group-message", `{"clientId":"c","groupId":"1@g.us","message":"` + strings.Repeat("😀", 2049) + `"}`, key, 400, "4096"},
		{"POST", "/api/reset-api-key", `{"username":"sandbox"}`, nil, 400, "required"},
		{"GET", "/nowhere", "", key, 404, "Not found"},
	}
	for _, tc := range cases {
		code, b, _ := do(t, s, tc.method, tc.path, tc.body, tc.hdr)
		assert.Equal(t, tc.code, code, "%s %s", tc.method, tc.path)
		assert.Contains(t, string(b), tc.contains, "%s %s", tc.method, tc.path)
	}
}

func TestRateLimitWindowsAndOptOut(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s := chattutest.NewServer(chattutest.WithClock(func() time.Time { return now }))
	defer s.Close()
	for i := 0; i < chattutest.APILimit; i++ {
		code, _, _ := do(t, s, "GET", "/api/profile", "", key)
		require.Equal(t, 200, code)
	}
	code, _, h := do(t, s, "GET", "/api/profile", "", key)
	assert.Equal(t, 429, code)
	assert.Equal(t, "900", h.Get("Retry-After"))
	s.Advance(10 * time.Minute)
	code, _, h = do(t, s, "GET", "/api/profile", "", key)
	assert.Equal(t, 429, code)
	assert.Equal(t, "300", h.Get("Retry-After"))
	s.Advance(5 * time.Minute)
	code, _, _ = do(t, s, "GET", "/api/profile", "", key)
	assert.Equal(t, 200, code)

	free := chattutest.NewServer(chattutest.WithoutRateLimits())
	defer free.Close()
	for i := 0; i < chattutest.APILimit+5; i++ {
		code, _, _ := do(t, free, "GET", "/api/profile", "", key)
		require.Equal(t, 200, code)
	}
}

func TestFaultInjectionAndLog(t *testing.T) {
	s := chattutest.NewServer()
	defer s.Close()
	s.FailNext(1, 503, `{"success":false,"error":"maintenance"}`)
	code, b, _ := do(t, s, "GET", "/api/profile", "", key)
	assert.Equal(t, 503, code)
	assert.Contains(t, string(b), "maintenance")
	code, _, _ = do(t, s, "GET", "/api/profile", "", key)
	assert.Equal(t, 200, code)
	assert.Equal(t, 2, s.Count("GET", "/api/profile"))
	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "fail", reqs[0].Fault)
}

func TestControlErrors(t *testing.T) {
	s := chattutest.NewServer()
	defer s.Close()
	assert.ErrorIs(t, s.Scan("nobody"), chattutest.ErrUnknownClient)
	assert.ErrorIs(t, s.AddGroup("nobody", chattutest.Group{ID: "1@g.us"}), chattutest.ErrUnknownClient)
	_, err := s.Receive(context.Background(), chattutest.Inbound{ClientID: "nobody"})
	assert.ErrorIs(t, err, chattutest.ErrUnknownClient)
	_, err = s.Call(context.Background(), chattutest.IncomingCall{ClientID: "nobody"})
	assert.ErrorIs(t, err, chattutest.ErrUnknownClient)
	code, _, _ := do(t, s, "POST", "/api/add-number", `{"clientId":"c1","phoneNumber":"12345678901"}`, key)
	require.Equal(t, 200, code)
	_, err = s.Receive(context.Background(), chattutest.Inbound{ClientID: "c1", From: "1", Body: "x"})
	assert.Error(t, err, "not connected")
	require.NoError(t, s.Scan("c1"))
	require.NoError(t, s.Disconnect("c1"))
	st, ok := s.ClientState("c1")
	assert.True(t, ok)
	assert.False(t, st.Connected)
}

// ExampleServer shows a test driving the sandbox over plain HTTP.
func ExampleServer() {
	s := chattutest.NewServer()
	defer s.Close()
	req, _ := http.NewRequest("POST", s.URL+"/api/add-number", strings.NewReader(`{"clientId":"shop","phoneNumber":"972501234567"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-api-key", chattutest.DefaultAPIKey)
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	_ = s.Scan("shop")
	st, _ := s.ClientState("shop")
	fmt.Println(resp.StatusCode, st.Connected)
	// Output:
	// 200 true
}

// TestJSONBodiesNeedJSONContentType: like Chattu's Express server, the
// sandbox parses a body only when it is typed application/json, in UTF-8,
// so a client that sends the wrong type fails here as it would there.
func TestJSONBodiesNeedJSONContentType(t *testing.T) {
	s := chattutest.NewServer()
	defer s.Close()
	body := `{"clientId":"c1","phoneNumber":"12345678901"}`
	code, b, _ := do(t, s, "POST", "/api/add-number", body, map[string]string{"x-api-key": chattutest.DefaultAPIKey, "Content-Type": "text/plain"})
	assert.Equal(t, 400, code)
	assert.Contains(t, string(b), "required", "an unparsed body has no fields")
	code, b, _ = do(t, s, "POST", "/api/add-number", body, map[string]string{"x-api-key": chattutest.DefaultAPIKey, "Content-Type": "application/json; charset=latin1"})
	assert.Equal(t, 415, code)
	assert.Contains(t, string(b), "LATIN1")
	code, _, _ = do(t, s, "POST", "/api/add-number", body, map[string]string{"x-api-key": chattutest.DefaultAPIKey, "Content-Type": "application/json; charset=utf-8"})
	assert.Equal(t, 200, code)
}

func TestNewClientTalksToTheSandbox(t *testing.T) {
	s := chattutest.NewServer()
	defer s.Close()
	c, err := s.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	if !c.HasSession() {
		t.Fatal("the sandbox client carries the session cookie")
	}
	p, err := c.Account.Profile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.Username == "" {
		t.Fatalf("profile: %+v", p)
	}
}
