package voitextest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-go/switchboard/relay"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
)

const token = "sim-token-0123456789"

// ivr is a small decision server: branch 100 greets and offers a menu,
// branch 200 collects a PIN with the % catch-all, branch 300 checks it.
func ivr(t *testing.T, seen *[]*voitex.BranchRequest) string {
	t.Helper()
	guard, err := relay.SecretToken(relay.QueryToken("token"), []string{token})
	require.NoError(t, err)
	h, err := voitex.NewBranchHandler(guard, func(ctx context.Context, call *voitex.BranchRequest) (*voitex.BranchResponse, error) {
		*seen = append(*seen, call)
		last := ""
		if n := len(call.BranchData); n > 0 {
			last = call.BranchData[n-1].Branch
		}
		switch last {
		case "": // first request of the call
			name := "there"
			if call.Contact != nil && call.Contact.FirstName != "" {
				name = call.Contact.FirstName
			}
			return voitex.NewBranchResponse().PlayTTS("Hello "+name).PlayFile(1, 2).
				Input("1", "200").Input("0", "900").GotoBranch("900"), nil
		case "100":
			return voitex.NewBranchResponse().PlayTTS("Enter your PIN").AnyInput("300"), nil
		case "200":
			return voitex.NewBranchResponse().SetVariable("caller_pin", call.LastInput()).GotoBranch("400"), nil
		}
		return nil, errors.New("unexpected branch")
	}, voitex.WithBranchFallback(voitex.Goto("900")))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/ivr?token=" + token
}

func TestSimulatorFollowsInputsAndGoto(t *testing.T) {
	s := voitextest.NewServer(voitextest.WithClock(func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) }))
	defer s.Close()
	c, err := s.NewClient()
	require.NoError(t, err)
	_, err = c.Contacts.Create(context.Background(), voitex.CreateContactParams{Phones: []string{"7325550184"}, FirstName: "רחל"})
	require.NoError(t, err)

	var seen []*voitex.BranchRequest
	sim := s.Simulator(ivr(t, &seen), "100", "200", "300")
	res, err := sim.Run(context.Background(), voitextest.Call{CID: "7325550184", DID: "8459511110", CNAM: "RACHEL",
		Keys: []string{"1", "4321#", "9"}, Payments: []voitextest.Payment{{LastFour: "4444", CVV: "987", Amount: "57"}}})
	require.NoError(t, err, res.Transcript())
	assert.Equal(t, []string{"100", "200", "300", "400"}, res.Path)
	assert.Equal(t, voitextest.OutcomeGoto, res.Outcome)
	assert.Equal(t, "400", res.End)
	assert.Equal(t, []string{"tts: Hello רחל", "file 1/2", "tts: Enter your PIN"}, res.Played)
	assert.Equal(t, map[string]string{"caller_pin": "4321#"}, res.Variables)
	assert.Equal(t, []string{"9"}, res.KeysLeft)
	assert.Equal(t, "branch 100: [tts: Hello רחל] [file 1/2] pressed \"1\" -> 200\nbranch 200: [tts: Enter your PIN] pressed \"4321#\" -> 300\nbranch 300: -> 400\noutcome: goto at branch 400\n", res.Transcript())

	require.Len(t, seen, 3)
	for _, r := range seen {
		assert.Equal(t, res.CallID, r.CallID, "one call id for the whole call")
		assert.Equal(t, "8459511110", r.DID)
		assert.Equal(t, time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), r.DateTime)
		require.Len(t, r.Payments, 1)
		assert.Equal(t, "987", r.Payments[0].CVV.Reveal())
	}
	assert.Equal(t, []voitex.BranchStep{{Branch: "100", Input: "1"}, {Branch: "200", Input: "4321#"}}, seen[2].BranchData)
	require.NotNil(t, seen[0].Contact)
	assert.Equal(t, "רחל", seen[0].Contact.FirstName)
	assert.Equal(t, []voitex.ContactPhone{{Phone: "7325550184", Type: voitex.PhoneHome}}, seen[0].Contact.Phones)

	// The request the simulator sent is Voitex's shape.
	var sent map[string]any
	require.NoError(t, json.Unmarshal(res.Steps[0].Request, &sent))
	for _, k := range []string{"call_id", "cid", "cnam", "contact_info", "date_time", "did", "branch_data", "payment_info", "variables"} {
		assert.Contains(t, sent, k)
	}
	assert.Equal(t, "2024-05-01 12:00:00", sent["date_time"])
}

func TestSimulatorOutcomes(t *testing.T) {
	var seen []*voitex.BranchRequest
	url := ivr(t, &seen)
	sim := &voitextest.Simulator{URL: url, Triggers: []string{"100", "200", "300"}}
	ctx := context.Background()

	res, err := sim.Run(ctx, voitextest.Call{CID: "8459511000"})
	require.NoError(t, err)
	assert.Equal(t, voitextest.OutcomeGoto, res.Outcome, "no key pressed: falls through to goto")
	assert.Equal(t, "900", res.End)

	res, err = sim.Run(ctx, voitextest.Call{CID: "8459511000", Keys: []string{"7"}})
	require.NoError(t, err)
	assert.Equal(t, "900", res.End, "an unknown key falls through to goto")
	assert.Equal(t, "7", res.Steps[0].Pressed)

	res, err = sim.Run(ctx, voitextest.Call{CID: "8459511000", Keys: []string{"0"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"100", "900"}, res.Path)

	// An unknown caller is sent with contact_info "null" and decodes to nil.
	assert.Nil(t, seen[0].Contact)

	// The fallback covers user errors: branch 400 is treated as a trigger
	// here, and the handler errors on it.
	sim.Triggers = append(sim.Triggers, "400")
	res, err = sim.Run(ctx, voitextest.Call{CID: "8459511000", Keys: []string{"1", "1"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"100", "200", "300", "400", "900"}, res.Path)
}

func TestSimulatorEdges(t *testing.T) {
	ctx := context.Background()
	loop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"goto":"1"}`))
	}))
	defer loop.Close()
	res, err := (&voitextest.Simulator{URL: loop.URL, Triggers: []string{"1"}, MaxSteps: 5}).Run(ctx, voitextest.Call{})
	assert.ErrorIs(t, err, voitextest.ErrTooManySteps)
	assert.Len(t, res.Steps, 5)

	empty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.RawQuery, "inputs") {
			_, _ = w.Write([]byte(`{"play":[{"type":"tts","text":"Press 1"}],"inputs":{"1":"5"}}`))
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer empty.Close()
	res, err = (&voitextest.Simulator{URL: empty.URL, Triggers: []string{"1"}}).Run(ctx, voitextest.Call{})
	require.NoError(t, err)
	assert.Equal(t, voitextest.OutcomeNoRoute, res.Outcome)
	res, err = (&voitextest.Simulator{URL: empty.URL + "?inputs", Triggers: []string{"1"}}).Run(ctx, voitextest.Call{})
	require.NoError(t, err)
	assert.Equal(t, voitextest.OutcomeNoInput, res.Outcome)
	res, err = (&voitextest.Simulator{URL: empty.URL + "?inputs", Triggers: []string{"1"}}).Run(ctx, voitextest.Call{Keys: []string{"2"}})
	require.NoError(t, err)
	assert.Equal(t, voitextest.OutcomeInvalidInput, res.Outcome)

	guard, err := relay.SecretToken(relay.QueryToken("token"), []string{token})
	require.NoError(t, err)
	h, err := voitex.NewBranchHandler(guard, func(context.Context, *voitex.BranchRequest) (*voitex.BranchResponse, error) { return nil, nil })
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	_, err = (&voitextest.Simulator{URL: srv.URL, Triggers: []string{"1"}}).Run(ctx, voitextest.Call{})
	var se *voitextest.StatusError
	require.ErrorAs(t, err, &se, "the guard refuses a request without the token")
	assert.Equal(t, 401, se.StatusCode)

	_, err = (&voitextest.Simulator{URL: srv.URL}).Run(ctx, voitextest.Call{})
	assert.Error(t, err)
}
