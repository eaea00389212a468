package chattutest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/chattu"
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

func TestSeedErrors(t *testing.T) {
	s := chattutest.NewServer()
	defer s.Close()
	for name, st := range map[string]chattutest.ClientState{
		"no id":      {PhoneNumber: "9721234567"},
		"slash":      {ClientID: "a/b", PhoneNumber: "9721234567"},
		"no phone":   {ClientID: "a"},
		"plus phone": {ClientID: "a", PhoneNumber: "+9721234567"},
		"bad hook":   {ClientID: "a", PhoneNumber: "9721234567", WebhookURL: "ftp://x"},
	} {
		assert.Error(t, s.SeedClient(st), name)
	}
	require.NoError(t, s.SeedClient(chattutest.ClientState{ClientID: "a", PhoneNumber: "9721234567", WebhookURL: "https://hooks.example.com/x"}))
	assert.Error(t, s.SeedClient(chattutest.ClientState{ClientID: "a", PhoneNumber: "9721234567"}), "taken id")
	st, ok := s.ClientState("a")
	require.True(t, ok)
	assert.NotEmpty(t, st.APIKey, "a fresh key")
	assert.False(t, st.Connected)
	assert.Equal(t, "https://hooks.example.com/x", st.WebhookURL)

	assert.ErrorIs(t, s.SeedMessage(chattutest.Message{ClientID: "nobody", Chat: "9721234567"}), chattutest.ErrUnknownClient)
	assert.Error(t, s.SeedMessage(chattutest.Message{ClientID: "a", Chat: "team@g.us"}))
	require.NoError(t, s.SeedMessage(chattutest.Message{ID: "3EB0AAAA", ClientID: "a", Chat: "+9721234567", Body: "x", FromMe: true}))
	assert.Error(t, s.SeedMessage(chattutest.Message{ID: "3EB0AAAA", ClientID: "a", Chat: "9721234567"}), "taken id")

	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	assert.ErrorIs(t, s.SeedSchedule(chattutest.Scheduled{ClientID: "nobody", ScheduleTime: at}), chattutest.ErrUnknownClient)
	assert.Error(t, s.SeedSchedule(chattutest.Scheduled{ClientID: "a"}), "no time")
	assert.Error(t, s.SeedSchedule(chattutest.Scheduled{ClientID: "a", ScheduleTime: at, Status: "lost"}))
	require.NoError(t, s.SeedSchedule(chattutest.Scheduled{ID: 123, ClientID: "a", ScheduleTime: at}))
	assert.Error(t, s.SeedSchedule(chattutest.Scheduled{ID: 123, ClientID: "a", ScheduleTime: at}), "taken id")
	require.NoError(t, s.SeedSchedule(chattutest.Scheduled{ClientID: "a", ScheduleTime: at}))
	sc := s.Schedules()
	require.Len(t, sc, 2)
	assert.Equal(t, int64(123), sc[0].ID)
	assert.Equal(t, "pending", sc[0].Status)
	assert.Greater(t, sc[1].ID, int64(123), "fresh ids come after chosen ones")
}

func TestFailNextErrorOverHTTP(t *testing.T) {
	s := chattutest.NewServer()
	defer s.Close()
	require.NoError(t, s.FailNextError(2, "GROUP_NOT_FOUND"))
	for i := 0; i < 2; i++ {
		code, b, h := do(t, s, "GET", "/api/profile", "", key)
		assert.Equal(t, 404, code)
		assert.Equal(t, "application/json", h.Get("Content-Type"))
		assert.JSONEq(t, `{"success":false,"error":"Group or channel not found","code":"GROUP_NOT_FOUND"}`, string(b))
	}
	code, _, _ := do(t, s, "GET", "/api/profile", "", key)
	assert.Equal(t, 200, code)
	reqs := s.Requests()
	require.Len(t, reqs, 3)
	var r chattutest.Recorded = reqs[0]
	assert.Equal(t, "fail", r.Fault)
	assert.Equal(t, "/api/profile", r.Path)
	assert.Equal(t, "", reqs[2].Fault)
	assert.Error(t, s.FailNextError(1, ""))
}

// ExampleServer_ReadyClient: a connected client in one call, then a send.
func ExampleServer_ReadyClient() {
	s := chattutest.NewServer()
	defer s.Close()
	c, _ := s.NewClient()
	id, _ := s.ReadyClient("")
	_, err := c.Messages.Send(context.Background(), chattu.SendMessageParams{ClientID: id, Number: "972529999999", Message: "שלום"})
	fmt.Println(id, err, len(s.SentMessages()))
	// Output:
	// client-id <nil> 1
}

// ExampleServer_FailNextError: the next send fails as Chattu refuses a
// read-only group.
func ExampleServer_FailNextError() {
	s := chattutest.NewServer()
	defer s.Close()
	c, _ := s.NewClient()
	id, _ := s.ReadyClient("")
	_ = s.FailNextError(1, chattu.CodeReadOnlyChat)
	_, err := c.Groups.Send(context.Background(), chattu.GroupMessageParams{ClientID: id, GroupID: "120363123456789012@g.us", Message: "hi"})
	fmt.Println(errors.Is(err, chattu.ErrReadOnlyChat))
	// Output:
	// true
}

// TestKeyRefusedWhereTheDocsShowNone: a session endpoint called with the
// session and the API key, or reset-api-key called with the key in a
// header, is refused (400) without acting, so that a client that sends its
// key where it is not used fails here rather than leak it in production.
// Sent as the docs show, each works.
func TestKeyRefusedWhereTheDocsShowNone(t *testing.T) {
	s := chattutest.NewServer()
	defer s.Close()
	require.NoError(t, s.SeedClient(chattutest.ClientState{ClientID: "shop", PhoneNumber: "972501234567", Connected: true}))
	require.NoError(t, s.SeedSchedule(chattutest.Scheduled{ID: 123, ClientID: "shop", Recipient: "9721234567", Message: "x",
		ScheduleTime: time.Now().Add(time.Hour), Status: "pending"}))
	session := map[string]string{"Cookie": chattutest.DefaultSessionCookie}
	both := map[string]string{"Cookie": chattutest.DefaultSessionCookie, "x-api-key": chattutest.DefaultAPIKey}
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/scheduled-messages", ""},
		{"POST", "/schedule-message", `{"clientId":"shop","number":"9721234567","message":"x","scheduleTime":"2030-01-01T00:00:00Z"}`},
		{"DELETE", "/scheduled-messages/123", ""},
		{"GET", "/api/chats/shop", ""},
		{"POST", "/api/groups/shop/120363123456789012@g.us/send", `{"message":"x"}`},
		{"DELETE", "/clients/shop", `{"password":"` + chattutest.DefaultPassword + `"}`},
	} {
		code, b, _ := do(t, s, r.method, r.path, r.body, both)
		assert.Equal(t, http.StatusBadRequest, code, r.path)
		assert.Contains(t, string(b), "x-api-key is not used by this endpoint", r.path)
		assert.NotContains(t, string(b), chattutest.DefaultAPIKey)
	}
	assert.Len(t, s.Schedules(), 1, "nothing scheduled")
	assert.Equal(t, "pending", s.Schedules()[0].Status, "nothing cancelled")
	_, ok := s.ClientState("shop")
	assert.True(t, ok, "nothing deleted")
	assert.Empty(t, s.GroupMessages("shop", "120363123456789012@g.us"), "nothing sent")

	code, _, _ := do(t, s, "GET", "/scheduled-messages", "", session)
	assert.Equal(t, http.StatusOK, code)
	code, _, _ = do(t, s, "DELETE", "/scheduled-messages/123", "", session)
	assert.Equal(t, http.StatusOK, code)

	old := s.APIKey()
	reset := `{"username":"` + chattutest.DefaultUsername + `","currentApiKey":"` + old + `"}`
	code, b, _ := do(t, s, "POST", "/api/reset-api-key", reset, key)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, string(b), "x-api-key is not used by this endpoint")
	assert.Equal(t, old, s.APIKey(), "not reset")
	code, _, _ = do(t, s, "POST", "/api/reset-api-key", reset, nil)
	assert.Equal(t, http.StatusOK, code)
	assert.NotEqual(t, old, s.APIKey())

	// Groups take either credential; the key is used there.
	code, _, _ = do(t, s, "GET", "/api/groups/shop", "", map[string]string{"x-api-key": s.APIKey()})
	assert.Equal(t, http.StatusOK, code)
}
