package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
)

const token = "test-token-0123456789abcdef"

type env struct {
	sb  *voitextest.Server
	url string
}

func setup(t *testing.T) *env {
	t.Helper()
	sb := voitextest.NewServer()
	t.Cleanup(sb.Close)
	client, err := sb.NewClient(voitex.WithRetryMax(1))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = client.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"7325550184"}, FirstName: "Dana", Label: VIPLabel})
	require.NoError(t, err)
	_, err = client.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"6465557729"}, FirstName: "יוסי", Label: 2})
	require.NoError(t, err)
	h, err := (&App{Contacts: client.Contacts}).Routes(token)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{sb: sb, url: srv.URL}
}

func TestVIPGoesToPrioritySupport(t *testing.T) {
	e := setup(t)
	// contact_info is looked up by the handler (the simulator sends "null").
	res, err := Simulator(e.url, token).Run(context.Background(), voitextest.Call{CID: "7325550184"})
	require.NoError(t, err)
	assert.Equal(t, []string{BranchWelcome, BranchPriority}, res.Path, res.Transcript())
	assert.Equal(t, []string{"tts: Welcome back, Dana. Connecting you to priority support."}, res.Played)

	// The same with contact_info supplied by Voitex.
	sim := Simulator(e.url, token)
	sim.Sandbox = e.sb
	before := e.sb.Count(http.MethodPost, "/")
	res, err = sim.Run(context.Background(), voitextest.Call{CID: "7325550184"})
	require.NoError(t, err)
	assert.Equal(t, BranchPriority, res.End)
	assert.Equal(t, before, e.sb.Count(http.MethodPost, "/"), "no lookup needed when contact_info is present")
}

func TestPINIsCollected(t *testing.T) {
	e := setup(t)
	res, err := Simulator(e.url, token).Run(context.Background(), voitextest.Call{CID: "6465557729", Keys: []string{"1", "12#", "4321#"}})
	require.NoError(t, err)
	assert.Equal(t, []string{BranchWelcome, BranchPIN, BranchPINCheck, BranchPINCheck, BranchAccount}, res.Path, res.Transcript())
	assert.Equal(t, "4321", res.Variables["caller_pin"])
	assert.Equal(t, "tts: Hello יוסי. Press 1 for your account, 2 for support, or 0 for an operator.", res.Played[0])
	assert.Contains(t, res.Played, "tts: That PIN was not valid. Please enter your four digit PIN, then press pound.")
}

func TestWrongPINsReachAnOperator(t *testing.T) {
	e := setup(t)
	res, err := Simulator(e.url, token).Run(context.Background(), voitextest.Call{CID: "6465557729", Keys: []string{"1", "1", "22", "333#", "4444#"}})
	require.NoError(t, err)
	assert.Equal(t, BranchOperator, res.End, res.Transcript())
	assert.Equal(t, []string{"4444#"}, res.KeysLeft)
	assert.Empty(t, res.Variables["caller_pin"])
}

func TestUnknownCallerGetsTheMenu(t *testing.T) {
	e := setup(t)
	res, err := Simulator(e.url, token).Run(context.Background(), voitextest.Call{CID: "2015550123", Keys: []string{"2"}})
	require.NoError(t, err)
	assert.Equal(t, []string{BranchWelcome, BranchSupport}, res.Path)
	assert.True(t, strings.HasPrefix(res.Played[0], "tts: Hello and welcome."))
}

// TestCallerIDThatIsNoPhoneGetsTheMenu: a withheld or international caller
// id is not looked up (the client refuses it before sending) and the caller
// is greeted like any unknown one.
func TestCallerIDThatIsNoPhoneGetsTheMenu(t *testing.T) {
	e := setup(t)
	for _, cid := range []string{"anonymous", "+442079460958", "0000000000"} {
		before := e.sb.Count(http.MethodPost, "/")
		res, err := Simulator(e.url, token).Run(context.Background(), voitextest.Call{CID: cid, Keys: []string{"2"}})
		require.NoError(t, err, cid)
		assert.Equal(t, []string{BranchWelcome, BranchSupport}, res.Path, cid)
		assert.True(t, strings.HasPrefix(res.Played[0], "tts: Hello and welcome."), cid)
		assert.Equal(t, before, e.sb.Count(http.MethodPost, "/"), "no lookup sent for %s", cid)
	}
}

// TestUnreadableDateTimeIsOnlyAWarning: a date_time in another layout is
// logged as a warning and the call goes on as usual.
func TestUnreadableDateTimeIsOnlyAWarning(t *testing.T) {
	var logs bytes.Buffer
	// contact_info comes with the request: no lookup, so no Contacts.
	h, err := (&App{Logger: slog.New(slog.NewTextHandler(&logs, nil))}).Routes(token)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	body := `{"call_id":"AST10-9","cid":"8459511000","date_time":"20/07/2023 11:35:35","contact_info":{"first_name":"Dana","labels":[7]}}`
	resp, err := http.Post(srv.URL+"/voitex/"+token+"/welcome", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	var got voitex.BranchResponse
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	assert.Equal(t, BranchPriority, got.Goto, "the VIP route, not the operator fallback")
	assert.Contains(t, logs.String(), "level=WARN")
	assert.Contains(t, logs.String(), "date_time in an unknown layout")
	assert.Contains(t, logs.String(), "20/07/2023 11:35:35")
	assert.NotContains(t, logs.String(), "level=ERROR")
}

func TestLookupFailureGoesToOperator(t *testing.T) {
	e := setup(t)
	e.sb.FailNext(5, http.StatusInternalServerError, `{"status":"error","errors":["database unavailable"]}`)
	res, err := Simulator(e.url, token).Run(context.Background(), voitextest.Call{CID: "7325550184"})
	require.NoError(t, err)
	assert.Equal(t, BranchOperator, res.End, "the fallback, not a dropped call")
	assert.Equal(t, []string{"tts: One moment, connecting you to an operator."}, res.Played)
}

func TestTokenIsRequired(t *testing.T) {
	e := setup(t)
	_, err := Simulator(e.url, "wrong-token-0123456789abcdef").Run(context.Background(), voitextest.Call{CID: "7325550184"})
	var se *voitextest.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, http.StatusUnauthorized, se.StatusCode)
	_, err = (&App{}).Routes("short")
	assert.Error(t, err)
}

func TestDemo(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, demo(context.Background(), &out))
	assert.Contains(t, out.String(), "outcome: goto at branch 500")
	assert.Contains(t, out.String(), "caller_pin = 4321")
	assert.Contains(t, out.String(), "outcome: goto at branch 300")
}
