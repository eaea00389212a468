package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/relay"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// harness is a dev server on random ports with its page behind an
// httptest server.
type harness struct {
	d    *devServer
	page *httptest.Server
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	d, err := newDevServer(config{StatusEvery: time.Hour, Refresh: 20 * time.Millisecond, CallTimeout: 3 * time.Second})
	require.NoError(t, err)
	page := httptest.NewServer(d.handler())
	t.Cleanup(func() {
		d.hub.close()
		page.Close()
		d.Close()
	})
	return &harness{d: d, page: page}
}

// post sends a form as the page's script does (Accept: application/json)
// and returns the status and the decoded answer.
func (h *harness) post(t *testing.T, path string, form url.Values) (int, result) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.page.URL+path, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Origin", h.page.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := h.page.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var res result
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&res), "status %d", resp.StatusCode)
	return resp.StatusCode, res
}

func (h *harness) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := h.page.Client().Get(h.page.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

func (h *harness) region(t *testing.T, name string) string {
	t.Helper()
	resp, body := h.get(t, "/regions/"+name)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return body
}

func TestPage(t *testing.T) {
	h := newHarness(t)
	resp, body := h.get(t, "/")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "script-src 'self'")
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	for _, want := range []string{
		"export VOXIO_BASE_URL=" + h.d.voxio.URL + "/external-api",
		"export VOXIO_RELAY_SECRET=" + voxiotest.DefaultRelaySecret,
		"export OURVOICE_SESSION_ID=" + h.d.ourvoiceSession,
		"export CHATTU_CLIENT_ID=client-id",
		`<div id="region-voxio" class="live" data-region="voxio" tabindex="-1">`,
		`data-region="voitex-call"`, `data-region="ourvoice"`, `data-region="chattu"`, `data-region="voitex"`,
		`<label for="voxio-relay-url">`, `<button type="submit" name="key" value="#" id="key-hash">#</button>`,
		`<option value="not_found">`, `<option value="RATE_LIMITED">`, `<option value="server_error">`,
		`<script src="/static/app.js" defer></script>`,
	} {
		assert.Contains(t, body, want)
	}
	// Ids are unique, every visible form control has a label, and no
	// element uses inline script or style (the CSP forbids them).
	ids := map[string]int{}
	for _, m := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		ids[m[1]]++
	}
	for id, n := range ids {
		assert.Equal(t, 1, n, "id %q", id)
	}
	for _, m := range regexp.MustCompile(`<(input|select|textarea)\b([^>]*)>`).FindAllStringSubmatch(body, -1) {
		if strings.Contains(m[2], `type="hidden"`) {
			continue
		}
		id := regexp.MustCompile(`id="([^"]+)"`).FindStringSubmatch(m[2])
		require.NotNil(t, id, m[0])
		assert.Contains(t, body, `<label for="`+id[1]+`"`, "label of %s", id[1])
	}
	assert.NotContains(t, body, "onclick")
	assert.NotContains(t, body, "style=")
	assert.NotContains(t, body, "<script>")
}

func TestStatic(t *testing.T) {
	h := newHarness(t)
	for path, ct := range map[string]string{"/static/app.js": "text/javascript", "/static/app.css": "text/css"} {
		resp, body := h.get(t, path)
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Contains(t, resp.Header.Get("Content-Type"), ct, path)
		assert.NotEmpty(t, body)
	}
	resp, _ := h.get(t, "/static/missing.js")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestRegions(t *testing.T) {
	h := newHarness(t)
	for _, r := range regions {
		assert.NotEmpty(t, h.region(t, r), r)
	}
	resp, _ := h.get(t, "/regions/nope")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = h.get(t, "/nope")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// TestEventsStreamsChanges: the stream starts with every region, then
// sends the one that changed when the application sends a message.
func TestEventsStreamsChanges(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.page.URL+"/events", nil)
	resp, err := h.page.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))

	events := make(chan [2]string, 64)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var name string
		var data []string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			case line == "" && name != "":
				events <- [2]string{name, strings.Join(data, "\n")}
				name, data = "", nil
			}
		}
		close(events)
	}()
	first := map[string]bool{}
	for len(first) < len(regions) {
		ev := <-events
		first[ev[0]] = true
	}

	c, err := h.d.ourvoice.NewClient()
	require.NoError(t, err)
	_, err = c.Messages.Send(ctx, ourvoice.SendMessageParams{WhatsAppSessionID: h.d.ourvoiceSession, ToNumber: []string{"22996000000"},
		Type: ourvoice.TypeText, Content: "Bonjour <b>à tous</b>"})
	require.NoError(t, err)
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			require.True(t, ok, "stream ended")
			if ev[0] == regionOurVoice && strings.Contains(ev[1], "Bonjour &lt;b&gt;à tous&lt;/b&gt;") {
				assert.Contains(t, ev[1], "/v1/whatsapp/messages")
				return
			}
		case <-deadline:
			t.Fatal("no event for the message")
		}
	}
}

func TestEventsEndWhenTheHubCloses(t *testing.T) {
	h := newHarness(t)
	resp, err := h.page.Client().Get(h.page.URL + "/events")
	require.NoError(t, err)
	defer resp.Body.Close()
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, resp.Body)
		close(done)
	}()
	h.d.hub.close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream did not end")
	}
	resp2, _ := h.get(t, "/events")
	assert.Equal(t, http.StatusServiceUnavailable, resp2.StatusCode)
}

func TestGuard(t *testing.T) {
	h := newHarness(t)
	req, _ := http.NewRequest(http.MethodGet, h.page.URL+"/", nil)
	req.Host = "attacker.example:7700" // DNS rebinding
	resp, err := h.page.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMisdirectedRequest, resp.StatusCode)

	for name, set := range map[string]func(*http.Request){
		"cross-site fetch":   func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") },
		"other origin":       func(r *http.Request) { r.Header.Set("Origin", "http://attacker.example") },
		"same-site, no port": func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-site") },
	} {
		req, _ := http.NewRequest(http.MethodPost, h.page.URL+"/faults/voxio", strings.NewReader("kind=drop"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		set(req)
		resp, err := h.page.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, name)
	}
	// Nothing was queued by the refused posts.
	c, err := h.d.voxio.NewClient()
	require.NoError(t, err)
	_, err = c.Templates.List(context.Background(), nil)
	require.NoError(t, err)

	assert.True(t, localHost("localhost:1", nil))
	assert.True(t, localHost("[::1]:7700", nil))
	assert.True(t, localHost("127.0.0.2", nil))
	assert.True(t, localHost("devbox:7700", map[string]bool{"devbox": true}))
	assert.False(t, localHost("10.0.0.1:7700", nil))
}

// TestPlainFormPost: without the script a form posts, and the browser is
// sent back to the vendor's part of the page, where the outcome shows.
func TestPlainFormPost(t *testing.T) {
	h := newHarness(t)
	client := h.page.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.PostForm(h.page.URL+"/faults/chattu", url.Values{"kind": {"clear"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/#chattu", resp.Header.Get("Location"))
	assert.Contains(t, h.region(t, regionChattu), "Faults not used yet were cleared.")

	resp, err = client.PostForm(h.page.URL+"/faults/chattu", url.Values{"kind": {"explode"}})
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(b), `unknown fault "explode"`)

	resp, err = client.Post(h.page.URL+"/faults/voxio", "application/x-www-form-urlencoded", strings.NewReader(strings.Repeat("a", maxForm+1)))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

// relayApp is an application's Voxio relay handler, configured as the
// printed lines say.
type relayApp struct {
	*httptest.Server
	mu     sync.Mutex
	events []voxio.Event
}

func newRelayApp(t *testing.T, secret string) *relayApp {
	a := &relayApp{}
	h, err := voxio.NewRelayHandler(voxio.RelayConfig{RelaySecret: secret, ClientID: voxiotest.DefaultClientID, ClientSecret: voxiotest.DefaultClientSecret},
		func(_ context.Context, ev voxio.Event) error {
			a.mu.Lock()
			a.events = append(a.events, ev)
			a.mu.Unlock()
			return nil
		})
	require.NoError(t, err)
	a.Server = httptest.NewServer(h)
	t.Cleanup(a.Close)
	return a
}

func (a *relayApp) received() []voxio.Event {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]voxio.Event(nil), a.events...)
}

func TestVoxioIncoming(t *testing.T) {
	h := newHarness(t)
	app := newRelayApp(t, voxiotest.DefaultRelaySecret)
	form := url.Values{"relay_url": {app.URL + "/hooks/voxio"}, "mobile_code": {"+972"}, "mobile": {"50-123 4567"}, "name": {"Dana"}, "text": {"שלום, where is my order?"}}
	status, res := h.post(t, "/voxio/incoming", form)
	assert.Equal(t, http.StatusOK, status)
	assert.True(t, res.OK, res.Message)
	assert.Contains(t, res.Message, "accepted by "+app.URL+"/hooks/voxio: 200")
	evs := app.received()
	require.Len(t, evs, 1)
	in, ok := evs[0].(*voxio.IncomingMessage)
	require.True(t, ok)
	assert.Equal(t, "שלום, where is my order?", in.Message.Text)
	assert.Equal(t, "972501234567", in.Contact.Mobile)

	region := h.region(t, regionVoxio)
	assert.Contains(t, region, "שלום, where is my order?")
	assert.Contains(t, region, "incoming_message (message")
	assert.Contains(t, region, "relay URL <code>"+app.URL+"/hooks/voxio</code>")

	// The URL is remembered; a receiver with another secret refuses.
	other := newRelayApp(t, "another-relay-secret")
	status, res = h.post(t, "/voxio/incoming", url.Values{"relay_url": {other.URL}, "mobile_code": {"972"}, "mobile": {"501234567"}, "text": {"again"}})
	assert.Equal(t, http.StatusOK, status)
	assert.False(t, res.OK)
	assert.Contains(t, res.Message, "was refused by "+other.URL+": 401")
	assert.Empty(t, other.received())
	status, res = h.post(t, "/voxio/incoming", url.Values{"mobile_code": {"972"}, "mobile": {"501234567"}, "text": {"to the remembered URL"}})
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, res.Message, other.URL)

	// An application that is not running.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	status, res = h.post(t, "/voxio/incoming", url.Values{"relay_url": {dead.URL}, "mobile_code": {"972"}, "mobile": {"501234567"}, "text": {"hello?"}})
	assert.Equal(t, http.StatusOK, status)
	assert.False(t, res.OK)
	assert.Contains(t, res.Message, "did not answer")

	for name, f := range map[string]url.Values{
		"bad URL":    {"relay_url": {"ftp://x"}, "mobile_code": {"972"}, "mobile": {"1"}, "text": {"x"}},
		"bad number": {"relay_url": {app.URL}, "mobile_code": {"972"}, "mobile": {"abc"}, "text": {"x"}},
		"no text":    {"relay_url": {app.URL}, "mobile_code": {"972"}, "mobile": {"1"}, "text": {"  "}},
	} {
		status, res := h.post(t, "/voxio/incoming", f)
		assert.Equal(t, http.StatusBadRequest, status, name)
		assert.False(t, res.OK, name)
	}
}

func TestVoxioIncomingNeedsARelayURL(t *testing.T) {
	h := newHarness(t)
	status, res := h.post(t, "/voxio/incoming", url.Values{"mobile_code": {"972"}, "mobile": {"501234567"}, "text": {"hi"}})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, res.Message, "Inbound Relay handler")
}

// TestVoxioConversation: what the application sends shows as a
// conversation, uploads with name, size and type, and the status moves on.
func TestVoxioConversation(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	c, err := h.d.voxio.NewClient()
	require.NoError(t, err)
	res, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "972", Mobile: "501234567"}, Message: "Your invoice"})
	require.NoError(t, err)
	_, err = c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "972", Mobile: "501234567"},
		Document: &voxio.File{Name: "invoice.pdf", ContentType: "application/pdf", Reader: strings.NewReader("%PDF-1.4 test")}})
	require.NoError(t, err)
	_, err = c.Contacts.Create(ctx, voxio.ContactParams{FirstName: "Dana", LastName: "Levi", MobileCode: "44", Mobile: "7700900123", City: "Leeds"})
	require.NoError(t, err)
	region := h.region(t, regionVoxio)
	assert.Contains(t, region, "Your invoice")
	assert.Contains(t, region, "document: invoice.pdf · application/pdf · 13 bytes")
	assert.Contains(t, region, `<span class="status s-sent">sent</span>`)
	assert.Contains(t, region, "Dana Levi")
	assert.Contains(t, region, "Leeds")
	assert.Contains(t, region, "<code>/contact/store</code>")
	assert.Contains(t, region, "(sandbox credential)")
	assert.NotContains(t, region, voxiotest.DefaultClientSecret)

	_, err = h.d.voxio.DeliverStatuses(ctx, res.Message.ID)
	require.ErrorIs(t, err, voxiotest.ErrNoRelayURL)
	h.d.voxio.Advance(2 * time.Hour)
	assert.Contains(t, h.region(t, regionVoxio), `<span class="status s-read">read</span>`)
}

// TestCredentialsAreNeverShown: a request with a credential that is not the
// sandbox's (a real vendor's key pasted by mistake) is shown without it,
// headers and body alike.
func TestCredentialsAreNeverShown(t *testing.T) {
	h := newHarness(t)
	const real = "sk-live-REAL-SECRET-0123456789"
	req, _ := http.NewRequest(http.MethodPost, h.d.chattu.URL+"/api/reset-api-key", strings.NewReader(`{"username":"me","apiKey":"`+real+`","nested":{"password":"`+real+`"}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+real)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	req, _ = http.NewRequest(http.MethodGet, h.d.voitex.URL+"/?auth_key="+real, nil)
	req.Header.Set("Auth-Key", real)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()

	for _, r := range []string{regionChattu, regionVoitex} {
		region := h.region(t, r)
		assert.NotContains(t, region, real, r)
		assert.Contains(t, region, "(redacted: not a sandbox credential)", r)
		assert.Contains(t, region, "unknown credential (redacted)", r)
	}
	_, page := h.get(t, "/")
	assert.NotContains(t, page, real)
}

// branchApp is an application's API Branch: 100 offers 1 (billing, API
// Branch 200), 17 (a two-key input) and % (anything else, branch 400);
// 200 offers 2 (branch 300) and falls to 900 without a key.
func branchApp(t *testing.T) string {
	guard, err := relay.SecretToken(relay.QueryToken("token"), []string{"branch-token-0123456789"})
	require.NoError(t, err)
	h, err := voitex.NewBranchHandler(guard, func(_ context.Context, call *voitex.BranchRequest) (*voitex.BranchResponse, error) {
		if len(call.BranchData) == 0 {
			return voitex.NewBranchResponse().PlayTTS("Press 1 for billing").Input("1", "200").Input("17", "170").AnyInput("400").
				SetVariable("lang", "en"), nil
		}
		last := call.BranchData[len(call.BranchData)-1]
		switch {
		case last.Branch == "100" && last.Input == "1":
			if call.Variables["lang"] != "en" {
				return nil, errors.New("variables lost")
			}
			return voitex.NewBranchResponse().PlayFile(10, 25).Input("2", "300").GotoBranch("900"), nil
		case last.Branch == "500":
			return voitex.Goto("500"), nil // a loop
		}
		return nil, fmt.Errorf("unexpected step %+v", last)
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/branch?token=branch-token-0123456789"
}

func TestVoitexCallWithKeypad(t *testing.T) {
	h := newHarness(t)
	u := branchApp(t)
	start := url.Values{"url": {u}, "branches": {"100, 200 500"}, "cid": {"(732) 555-0184"}, "did": {"8459511000"}}
	status, res := h.post(t, "/voitex/call", start)
	assert.Equal(t, http.StatusOK, status)
	assert.True(t, res.OK, res.Message)
	assert.Contains(t, res.Message, "waiting for a key")
	call := h.region(t, regionCall)
	assert.Contains(t, call, "Waiting for a key press.")
	assert.Contains(t, call, "any other key → branch 400")

	status, res = h.post(t, "/voitex/key", url.Values{"key": {"1"}})
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, res.Message, "pressed") // "1" could start "17"
	status, res = h.post(t, "/voitex/silence", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.True(t, res.OK, res.Message)
	status, _ = h.post(t, "/voitex/key", url.Values{"key": {"2"}})
	assert.Equal(t, http.StatusOK, status)
	v := h.d.ivr.view()
	assert.False(t, v.Active)
	assert.Equal(t, "goto", v.Outcome)
	assert.Equal(t, strings.Join([]string{
		v.Transcript[:strings.Index(v.Transcript, "\n")],
		"branch 100: [tts: Press 1 for billing] {set lang=en}",
		"waiting for a key: 1 → branch 200, 17 → branch 170, any other key → branch 400",
		`pressed "1"…`,
		`pressed "1" → 200`,
		"branch 200: [file 10/25]",
		"waiting for a key: 2 → branch 300, no key → branch 900",
		`pressed "2" → 300`,
		"outcome: goto at branch 300",
	}, "\n"), v.Transcript)
	assert.Contains(t, h.region(t, regionCall), "it left the API Branches for branch 300")
	assert.Contains(t, h.region(t, regionVoitex), "200 OK")

	// The call has ended: keys, silence and hanging up are refused.
	status, res = h.post(t, "/voitex/key", url.Values{"key": {"3"}})
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, res.Message, "no call is waiting")
	status, _ = h.post(t, "/voitex/silence", nil)
	assert.Equal(t, http.StatusConflict, status)
	status, _ = h.post(t, "/voitex/hangup", nil)
	assert.Equal(t, http.StatusConflict, status)

	// A new call: a key that starts nothing takes the % catch-all, which
	// leaves the API Branches.
	_, _ = h.post(t, "/voitex/call", start)
	_, res = h.post(t, "/voitex/key", url.Values{"key": {"9"}})
	assert.Contains(t, res.Message, "outcome: goto at branch 400")

	// Hang up mid-call.
	_, _ = h.post(t, "/voitex/call", start)
	status, res = h.post(t, "/voitex/hangup", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, res.Message, "outcome: hangup")

	// Bad input.
	status, _ = h.post(t, "/voitex/key", url.Values{"key": {"A"}})
	assert.Equal(t, http.StatusBadRequest, status)
	for name, f := range map[string]url.Values{
		"no URL":        {"branches": {"100"}, "cid": {"1"}, "did": {"2"}},
		"bad branch":    {"url": {u}, "branches": {"1a"}, "cid": {"1"}, "did": {"2"}},
		"no branch":     {"url": {u}, "branches": {" , "}, "cid": {"1"}, "did": {"2"}},
		"bad caller":    {"url": {u}, "branches": {"100"}, "cid": {"x"}, "did": {"2"}},
		"bad number to": {"url": {u}, "branches": {"100"}, "cid": {"1"}, "did": {""}},
	} {
		status, _ := h.post(t, "/voitex/call", f)
		assert.Equal(t, http.StatusBadRequest, status, name)
	}
}

func TestVoitexCallFailures(t *testing.T) {
	h := newHarness(t)
	u := branchApp(t)
	// A wrong token: the guard answers 401 and the call ends.
	status, res := h.post(t, "/voitex/call", url.Values{"url": {strings.Replace(u, "branch-token", "wrong-token", 1)}, "branches": {"100"}, "cid": {"7325550184"}, "did": {"8459511000"}})
	assert.Equal(t, http.StatusOK, status)
	assert.False(t, res.OK)
	assert.Contains(t, res.Message, "The call ended")
	v := h.d.ivr.view()
	assert.Equal(t, outcomeError, v.Outcome)
	assert.Contains(t, v.Transcript, "HTTP 401")
}

func TestIVRRules(t *testing.T) {
	answers := map[string]*voitex.BranchResponse{
		"1": voitex.NewBranchResponse().PlayTTS("menu").Input("1", "2"),                 // no catch-all, no goto
		"2": voitex.Goto("3"),                                                           // straight on, another API Branch
		"3": voitex.NewBranchResponse(),                                                 // no route
		"4": voitex.NewBranchResponse().PlayTTS("loop").GotoBranch("4"),                 // a loop
		"5": voitex.NewBranchResponse().PlayTTS("wait").Input("1", "9"),                 // silence without goto
		"6": voitex.NewBranchResponse().PlayTTS("wait").Input("5", "9").GotoBranch("7"), // wrong key takes goto
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var call voitex.BranchRequest
		_ = json.NewDecoder(r.Body).Decode(&call)
		next := r.URL.Query().Get("start")
		if n := len(call.BranchData); n > 0 {
			next = answerTarget(answers, call.BranchData[n-1])
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(answers[next])
	}))
	defer srv.Close()
	d, err := newDevServer(config{CallTimeout: 2 * time.Second})
	require.NoError(t, err)
	defer d.Close()
	ctx := context.Background()
	// Every branch is an API Branch at srv; the call starts at the first.
	call := func(start string) callParams {
		return callParams{URL: srv.URL + "?start=" + start, Branches: []string{start, "1", "2", "3", "4", "5", "6"}}
	}

	require.NoError(t, d.ivr.start(ctx, call("1")))
	require.NoError(t, d.ivr.press(ctx, "7")) // matches nothing: invalid input
	assert.Equal(t, "invalid_input", d.ivr.view().Outcome)

	require.NoError(t, d.ivr.start(ctx, call("1")))
	require.NoError(t, d.ivr.press(ctx, "1")) // 1 -> 2 -> 3: no route
	v := d.ivr.view()
	assert.Equal(t, "no_route", v.Outcome, v.Transcript)

	err = d.ivr.start(ctx, call("4"))
	require.Error(t, err)
	assert.Contains(t, d.ivr.view().Transcript, "a routing loop?")

	require.NoError(t, d.ivr.start(ctx, call("5")))
	require.NoError(t, d.ivr.silence(ctx))
	assert.Equal(t, "no_input", d.ivr.view().Outcome)

	require.NoError(t, d.ivr.start(ctx, call("6")))
	require.NoError(t, d.ivr.press(ctx, "#"))
	v = d.ivr.view()
	assert.Equal(t, "goto", v.Outcome)
	assert.Contains(t, v.Transcript, `pressed "#" → 7`)

	require.Error(t, d.ivr.start(ctx, callParams{URL: srv.URL}))
	require.ErrorIs(t, (&ivr{}).press(ctx, "1"), errNoCallWaiting)
	require.ErrorIs(t, (&ivr{}).silence(ctx), errNoCallWaiting)
	require.Error(t, (&ivr{}).hangup())
	assert.Equal(t, callView{}, (&ivr{}).view())
}

// answerTarget finds where the last step's input led, from the answers.
func answerTarget(answers map[string]*voitex.BranchResponse, last voitex.BranchStep) string {
	r := answers[last.Branch]
	if b, ok := r.Inputs[last.Input]; ok {
		return b
	}
	return r.Goto
}

func TestOurVoice(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	status, res := h.post(t, "/ourvoice/incoming", url.Values{"session_id": {""}, "from": {"+229 96 00 00 00"}, "text": {"Bonjour"}})
	assert.Equal(t, http.StatusOK, status)
	assert.True(t, res.OK, res.Message)
	assert.Contains(t, res.Message, "Our Voice sends no webhooks")
	c, err := h.d.ourvoice.NewClient()
	require.NoError(t, err)
	page, err := c.Messages.ListBySession(ctx, h.d.ourvoiceSession, nil)
	require.NoError(t, err)
	require.Len(t, page.Messages, 1)
	assert.Equal(t, "Bonjour", page.Messages[0].Content)
	assert.Contains(t, h.region(t, regionOurVoice), "Bonjour")

	// A session the application creates waits for a scan, with its QR as
	// an image; Scan connects it.
	created, err := c.Sessions.Create(ctx)
	require.NoError(t, err)
	id := created.Session.ID
	region := h.region(t, regionOurVoice)
	assert.Contains(t, region, `src="/qr/ourvoice/`+id+`?v=`)
	assert.Contains(t, region, `id="ov-scan-`+id+`"`)
	resp, body := h.get(t, "/qr/ourvoice/"+id)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "image/png", resp.Header.Get("Content-Type"))
	_, err = png.Decode(strings.NewReader(body))
	require.NoError(t, err)

	status, res = h.post(t, "/ourvoice/scan", url.Values{"session_id": {id}, "phone": {"22990000001"}})
	assert.Equal(t, http.StatusOK, status)
	assert.True(t, res.OK, res.Message)
	got, err := c.Sessions.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, ourvoice.SessionConnected, got.Status)
	resp, _ = h.get(t, "/qr/ourvoice/"+id)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	for name, f := range map[string]url.Values{
		"scan twice":      {"session_id": {id}},
		"scan bad phone":  {"session_id": {id}, "phone": {"abc"}},
		"scan no session": {"session_id": {"nope"}},
	} {
		status, _ := h.post(t, "/ourvoice/scan", f)
		assert.Equal(t, http.StatusBadRequest, status, name)
	}
	for name, f := range map[string]url.Values{
		"bad from":        {"from": {"x"}, "text": {"hi"}},
		"no text":         {"from": {"229"}, "text": {""}},
		"unknown session": {"session_id": {"nope"}, "from": {"22996000000"}, "text": {"hi"}},
	} {
		status, _ := h.post(t, "/ourvoice/incoming", f)
		assert.Equal(t, http.StatusBadRequest, status, name)
	}
}

// chattuApp is an application's Chattu webhook for the client whose key
// is key.
func chattuApp(t *testing.T, key string) string {
	h, err := chattu.NewWebhookHandler([]string{key}, func(_ context.Context, ev *chattu.WebhookEvent) (chattu.Reply, error) {
		switch ev.Type {
		case chattu.EventMessageReceived:
			return chattu.Reply{Response: "Thanks, " + ev.MessageReceived.Body + " received"}, nil
		case chattu.EventCallRejected:
			return chattu.Reply{RejectionMessage: "Please write to us instead"}, nil
		}
		return chattu.Reply{}, nil
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/hooks/chattu"
}

func TestChattu(t *testing.T) {
	h := newHarness(t)
	st, ok := h.d.chattu.ClientState(h.d.chattuClient)
	require.True(t, ok)

	// No webhook yet: the message is stored, the page says why nothing
	// was delivered.
	status, res := h.post(t, "/chattu/incoming", url.Values{"from": {"972501234567"}, "body": {"hi"}})
	assert.Equal(t, http.StatusOK, status)
	assert.False(t, res.OK)
	assert.Contains(t, res.Message, "has no webhook URL")

	hook := chattuApp(t, st.APIKey)
	status, res = h.post(t, "/chattu/incoming", url.Values{"client_id": {h.d.chattuClient}, "webhook_url": {hook}, "from": {"972501234567"}, "name": {"Noa"}, "body": {"Open today?"}})
	assert.Equal(t, http.StatusOK, status)
	assert.True(t, res.OK, res.Message)
	assert.Contains(t, res.Message, "auto-reply sent to 972501234567: Thanks, Open today? received")
	st, _ = h.d.chattu.ClientState(h.d.chattuClient)
	assert.Equal(t, hook, st.WebhookURL)

	status, res = h.post(t, "/chattu/call", url.Values{"from": {"972501234567"}, "video": {"1"}})
	assert.Equal(t, http.StatusOK, status)
	assert.True(t, res.OK, res.Message)
	assert.Contains(t, res.Message, "Please write to us instead")

	h.d.chattu.WaitDeliveries()
	region := h.region(t, regionChattu)
	assert.Contains(t, region, "auto-reply: Thanks, Open today? received")
	assert.Contains(t, region, "rejection message: Please write to us instead")
	assert.Contains(t, region, "call-rejection")
	assert.Contains(t, region, "made by this page", "the webhook update went through the API, marked")

	// A client the page adds waits for a scan, with its QR as an image.
	status, res = h.post(t, "/chattu/clients", url.Values{"client_id": {"shop"}, "phone": {"972509876543"}})
	assert.Equal(t, http.StatusOK, status)
	assert.True(t, res.OK, res.Message)
	assert.Contains(t, h.region(t, regionChattu), `src="/qr/chattu/shop?v=`)
	resp, body := h.get(t, "/qr/chattu/shop")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	_, err := png.Decode(strings.NewReader(body))
	require.NoError(t, err)
	status, _ = h.post(t, "/chattu/scan", url.Values{"client_id": {"shop"}})
	assert.Equal(t, http.StatusOK, status)
	shop, _ := h.d.chattu.ClientState("shop")
	assert.True(t, shop.Connected)
	resp, _ = h.get(t, "/qr/chattu/shop")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	// A connected client with a webhook, in one form; a webhook that fails.
	status, _ = h.post(t, "/chattu/clients", url.Values{"client_id": {"desk"}, "phone": {"972501111111"}, "connected": {"1"}, "webhook_url": {"http://127.0.0.1:1/down"}})
	assert.Equal(t, http.StatusOK, status)
	status, res = h.post(t, "/chattu/incoming", url.Values{"client_id": {"desk"}, "from": {"972501234567"}, "body": {"hello"}})
	assert.Equal(t, http.StatusOK, status)
	assert.False(t, res.OK)
	assert.Contains(t, res.Message, "webhook failed")
	status, res = h.post(t, "/chattu/call", url.Values{"client_id": {"desk"}, "from": {"972501234567"}})
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, res.Message, "default message")

	for path, cases := range map[string]map[string]url.Values{
		"/chattu/incoming": {
			"unknown client": {"client_id": {"nope"}, "from": {"1"}, "body": {"x"}},
			"bad from":       {"from": {"abc"}, "body": {"x"}},
			"no body":        {"from": {"1"}, "body": {""}},
			"bad webhook":    {"from": {"1"}, "body": {"x"}, "webhook_url": {"javascript:alert(1)"}},
		},
		"/chattu/call": {"bad from": {"from": {""}}},
		"/chattu/scan": {"unknown": {"client_id": {"nope"}}},
		"/chattu/clients": {
			"taken":       {"client_id": {"shop"}, "phone": {"1"}},
			"bad id":      {"client_id": {"a/b"}, "phone": {"1"}},
			"bad phone":   {"client_id": {"new"}, "phone": {"x"}},
			"bad webhook": {"client_id": {"new"}, "phone": {"1"}, "webhook_url": {"nope"}},
		},
	} {
		for name, f := range cases {
			status, res := h.post(t, path, f)
			assert.Equal(t, http.StatusBadRequest, status, path+" "+name)
			assert.False(t, res.OK)
		}
	}
}

// TestFaults: every kind of fault, for every vendor, reaches the
// application as the vendor's own failure.
func TestFaults(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	vx, err := h.d.voxio.NewClient(voxio.WithRetryMax(0))
	require.NoError(t, err)
	vt, err := h.d.voitex.NewClient(voitex.WithRetryMax(0))
	require.NoError(t, err)
	ov, err := h.d.ourvoice.NewClient(ourvoice.WithRetryMax(0))
	require.NoError(t, err)
	ch, err := h.d.chattu.NewClient(chattu.WithRetryMax(0))
	require.NoError(t, err)
	send := map[string]func() error{
		regionVoxio: func() error {
			_, err := vx.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "972", Mobile: "501234567"}, Message: "x"})
			return err
		},
		regionVoitex: func() error {
			_, err := vt.SMS.Send(ctx, voitex.SMSParams{From: "8459511000", To: "8451239876", Body: "x"})
			return err
		},
		regionOurVoice: func() error {
			_, err := ov.Messages.Send(ctx, ourvoice.SendMessageParams{WhatsAppSessionID: h.d.ourvoiceSession, ToNumber: []string{"22996000000"}, Type: ourvoice.TypeText, Content: "x"})
			return err
		},
		regionChattu: func() error {
			_, err := ch.Messages.Send(ctx, chattu.SendMessageParams{ClientID: h.d.chattuClient, Number: "972501234567", Message: "x"})
			return err
		},
	}
	notFound := map[string]string{regionVoxio: voxiotest.CodeNotFound, regionVoitex: voitex.CodeContactNotFound, regionOurVoice: "session_not_found", regionChattu: chattu.CodeClientNotFound}
	for vendor, code := range notFound {
		status, res := h.post(t, "/faults/"+vendor, url.Values{"kind": {"error"}, "code": {code}, "n": {"1"}})
		require.Equal(t, http.StatusOK, status, vendor)
		assert.Contains(t, res.Message, "The next request will fail with "+code)
		err := send[vendor]()
		assert.ErrorContains(t, err, "", vendor)
		var matched bool
		switch vendor {
		case regionVoxio:
			matched = errors.Is(err, voxio.ErrNotFound)
		case regionVoitex:
			matched = errors.Is(err, voitex.ErrNotFound)
		case regionOurVoice:
			matched = errors.Is(err, ourvoice.ErrNotFound)
		case regionChattu:
			matched = errors.Is(err, chattu.ErrNotFound)
		}
		assert.True(t, matched, "%s: %v", vendor, err)
		assert.NoError(t, send[vendor](), vendor+": the fault is used up")

		status, res = h.post(t, "/faults/"+vendor, url.Values{"kind": {"drop-response"}})
		require.Equal(t, http.StatusOK, status)
		assert.Contains(t, res.Message, "then the answer is lost")
		err = send[vendor]()
		assert.Error(t, err, vendor)
		assert.Contains(t, h.region(t, vendor), "fault: drop-response")

		_, _ = h.post(t, "/faults/"+vendor, url.Values{"kind": {"drop"}})
		assert.Error(t, send[vendor](), vendor)

		_, res = h.post(t, "/faults/"+vendor, url.Values{"kind": {"delay"}, "delay": {"0.2"}})
		assert.Contains(t, res.Message, "wait 200ms")
		start := time.Now()
		assert.NoError(t, send[vendor](), vendor)
		assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond, vendor)

		_, _ = h.post(t, "/faults/"+vendor, url.Values{"kind": {"drop"}, "n": {"3"}})
		_, res = h.post(t, "/faults/"+vendor, url.Values{"kind": {"clear"}})
		assert.Contains(t, res.Message, "cleared")
		assert.NoError(t, send[vendor](), vendor)
	}

	// Chattu's 429 has no code of its own.
	_, res := h.post(t, "/faults/chattu", url.Values{"kind": {"error"}, "code": {chattuRateLimited}})
	assert.Contains(t, res.Message, "A client retries this answer")
	assert.ErrorIs(t, send[regionChattu](), chattu.ErrRateLimited)
	assert.Contains(t, h.region(t, regionChattu), "refused: Too many requests")

	for name, f := range map[string]url.Values{
		"unknown code": {"kind": {"error"}, "code": {"nope"}},
		"no code":      {"kind": {"error"}},
		"n zero":       {"kind": {"drop"}, "n": {"0"}},
		"n huge":       {"kind": {"drop"}, "n": {"1000"}},
		"n text":       {"kind": {"drop"}, "n": {"x"}},
		"delay zero":   {"kind": {"delay"}, "delay": {"0"}},
		"delay text":   {"kind": {"delay"}, "delay": {"soon"}},
		"delay NaN":    {"kind": {"delay"}, "delay": {"NaN"}},
		"delay Inf":    {"kind": {"delay"}, "delay": {"+Inf"}},
		"no kind":      {},
	} {
		status, _ := h.post(t, "/faults/voitex", f)
		assert.Equal(t, http.StatusBadRequest, status, name)
	}
	resp, err := h.page.Client().PostForm(h.page.URL+"/faults/nobody", url.Values{"kind": {"drop"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// TestVoitexActivity: SMS, notification calls, Notify batches with invalid
// numbers, uploads and contacts all show.
func TestVoitexActivity(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	c, err := h.d.voitex.NewClient()
	require.NoError(t, err)
	_, err = c.SMS.Send(ctx, voitex.SMSParams{From: "8459511000", To: "8451239876", Body: "Your code is 1234"})
	require.NoError(t, err)
	_, err = c.Calls.Send(ctx, voitex.CallParams{CID: "8459511000", To: "8451239876", Type: voitex.CallGoto, RouteNumber: "8459511000", BranchNumber: "100"})
	require.NoError(t, err)
	_, err = c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", Phones: []string{"8451239876", "5551234567"}, Body: "Sale today"})
	require.NoError(t, err)
	_, err = c.Recordings.Upload(ctx, voitex.UploadParams{AlbumNumber: 10, File: &voitex.File{Name: "greeting.mp3", ContentType: "audio/mpeg", Reader: strings.NewReader("ID3 fake mp3")}})
	require.NoError(t, err)
	_, err = c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"7325550184"}, PhoneType: voitex.PhoneMobile, FirstName: "Ada"})
	require.NoError(t, err)
	region := h.region(t, regionVoitex)
	for _, want := range []string{
		"8459511000 → 8451239876: <span class=\"text\">Your code is 1234</span>",
		"8459511000 calls 8451239876: goto, branch 100 on 8459511000",
		"Invalid numbers: 5551234567 (unallocated_nanp)", "partial_success", "Sale today",
		"greeting.mp3 · audio/mpeg · 12 bytes",
		"<strong>Ada</strong> 7325550184 (M)",
		"/upload/", "/notify/", "/send/",
	} {
		assert.Contains(t, region, want)
	}
}
