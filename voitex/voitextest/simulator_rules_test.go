package voitextest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
)

// scripted answers each API Branch with a fixed JSON body chosen by the
// last branch in branch_data ("" for the first request), and records the
// requests it got.
func scripted(t *testing.T, answers map[string]string, got *[]map[string]json.RawMessage) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var req map[string]json.RawMessage
		if err := json.Unmarshal(b, &req); err != nil {
			t.Errorf("request is not JSON: %v", err)
		}
		*got = append(*got, req)
		call, err := voitex.ParseBranchRequest(b)
		require.NoError(t, err)
		last := ""
		if n := len(call.BranchData); n > 0 {
			last = call.BranchData[n-1].Branch
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answers[last])
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestSimulatorFollowsTheDocumentedRules pins each rule of the API Branch
// response: inputs pick the branch (one key or a sequence such as "17"), %
// takes any entry without its own (several digits included), goto applies when no key is left or none
// matches, an answer with play only or nothing falls back to No Route Found,
// and variables come back in later requests as a list of objects.
func TestSimulatorFollowsTheDocumentedRules(t *testing.T) {
	ctx := context.Background()
	menu := `{"play":[{"type":"tts","text":"שלום 👋 press 1"}],"inputs":{"1":"10","%":"20"},"variables":{"lang":"he"}}`
	cases := []struct {
		name     string
		answers  map[string]string
		keys     []string
		path     []string
		outcome  string
		played   []string
		keysLeft []string
	}{
		{"a key with its own entry wins over %", map[string]string{"": menu}, []string{"1"}, []string{"1", "10"}, voitextest.OutcomeGoto, []string{"tts: שלום 👋 press 1"}, nil},
		{"% takes any other key", map[string]string{"": menu}, []string{"7"}, []string{"1", "20"}, voitextest.OutcomeGoto, []string{"tts: שלום 👋 press 1"}, nil},
		{"% takes several digits", map[string]string{"": menu}, []string{"1234#", "9"}, []string{"1", "20"}, voitextest.OutcomeGoto, []string{"tts: שלום 👋 press 1"}, []string{"9"}},
		{"a sequence with its own entry takes it", map[string]string{"": `{"inputs":{"1":"10","17":"17","%":"20"}}`}, []string{"17"}, []string{"1", "17"}, voitextest.OutcomeGoto, nil, nil},
		{"a longer sequence takes %", map[string]string{"": `{"inputs":{"1":"10","17":"17","%":"20"}}`}, []string{"171"}, []string{"1", "20"}, voitextest.OutcomeGoto, nil, nil},
		{"a sequence ending in # has its own entry", map[string]string{"": `{"inputs":{"*9#":"30"}}`}, []string{"*9#"}, []string{"1", "30"}, voitextest.OutcomeGoto, nil, nil},
		{"inputs without % or goto refuse an unknown key", map[string]string{"": `{"inputs":{"1":"10"}}`}, []string{"2"}, []string{"1"}, voitextest.OutcomeInvalidInput, nil, nil},
		{"goto catches an unknown key when inputs have no %", map[string]string{"": `{"goto":"30","inputs":{"1":"10"}}`}, []string{"2"}, []string{"1", "30"}, voitextest.OutcomeGoto, nil, nil},
		{"goto applies when no key is left", map[string]string{"": `{"goto":"30","inputs":{"1":"10"}}`}, nil, []string{"1", "30"}, voitextest.OutcomeGoto, nil, nil},
		{"inputs with no key left and no goto", map[string]string{"": `{"inputs":{"%":"10"}}`}, nil, []string{"1"}, voitextest.OutcomeNoInput, nil, nil},
		{"goto alone", map[string]string{"": `{"goto":"150"}`}, []string{"5"}, []string{"1", "150"}, voitextest.OutcomeGoto, nil, []string{"5"}},
		{"play alone: nowhere to go", map[string]string{"": `{"play":[{"type":"file","album":"10","sort":"25"}]}`}, nil, []string{"1"}, voitextest.OutcomeNoRoute, []string{"file 10/25"}, nil},
		{"nothing: No Route Found", map[string]string{"": `{}`}, nil, []string{"1"}, voitextest.OutcomeNoRoute, nil, nil},
		{"the documented sample, key 4", map[string]string{"": string(mustRead(t, "../testdata/branch_response.json"))}, []string{"4"}, []string{"1", "2"}, voitextest.OutcomeGoto,
			[]string{"file 10/25", "tts: This is a reply TTS recording from the API."}, nil},
		{"an API Branch sends on to another", map[string]string{"": `{"goto":"2"}`, "1": `{"goto":"99"}`}, nil, []string{"1", "2", "99"}, voitextest.OutcomeGoto, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []map[string]json.RawMessage
			url := scripted(t, tc.answers, &got)
			triggers := []string{"1"}
			if len(tc.answers) > 1 {
				triggers = append(triggers, "2")
			}
			sim := &voitextest.Simulator{URL: url, Triggers: triggers}
			res, err := sim.Run(ctx, voitextest.Call{CID: "8459511000", Keys: tc.keys})
			require.NoError(t, err)
			assert.Equal(t, tc.path, res.Path, res.Transcript())
			assert.Equal(t, tc.outcome, res.Outcome)
			assert.Equal(t, tc.played, res.Played)
			if tc.keysLeft == nil {
				assert.Empty(t, res.KeysLeft)
			} else {
				assert.Equal(t, tc.keysLeft, res.KeysLeft)
			}
		})
	}

	t.Run("variables and inputs reach the next request as Voitex sends them", func(t *testing.T) {
		var got []map[string]json.RawMessage
		url := scripted(t, map[string]string{"": menu, "1": `{"goto":"99"}`}, &got)
		sim := &voitextest.Simulator{URL: url, Triggers: []string{"1", "20"}}
		res, err := sim.Run(ctx, voitextest.Call{CID: "8459511000", Keys: []string{"55"}, Variables: map[string]string{"caller_pin": "123"},
			Payments: []voitextest.Payment{{LastFour: "4444", Expiration: "0126", CVV: "987"}, {CVV: "012"}}})
		require.NoError(t, err)
		assert.Equal(t, []string{"1", "20", "99"}, res.Path)
		require.Len(t, got, 2)
		assert.JSONEq(t, `[{"caller_pin":"123"}]`, string(got[0]["variables"]))
		assert.JSONEq(t, `[{"caller_pin":"123","lang":"he"}]`, string(got[1]["variables"]))
		assert.JSONEq(t, `[{"branch":"1","input":"55"}]`, string(got[1]["branch_data"]))
		assert.JSONEq(t, `[]`, string(got[0]["branch_data"]))
		assert.Equal(t, `"null"`, string(got[0]["contact_info"]), "an unknown caller, as Voitex writes it")
		var pay []map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(got[0]["payment_info"], &pay))
		assert.Equal(t, "987", string(pay[0]["cvv"]), "a number, as in the documented sample")
		assert.Equal(t, `"012"`, string(pay[1]["cvv"]), "a leading zero is kept")
		assert.Equal(t, map[string]string{"caller_pin": "123", "lang": "he"}, res.Variables)
	})

	t.Run("an answer the IVR cannot follow fails the run", func(t *testing.T) {
		for _, bad := range []string{`{"goto":"operator"}`, `{"inputs":{"A":"3"}}`, `{"play":[{"type":"video"}]}`} {
			var got []map[string]json.RawMessage
			url := scripted(t, map[string]string{"": bad}, &got)
			res, err := (&voitextest.Simulator{URL: url, Triggers: []string{"1"}}).Run(ctx, voitextest.Call{Keys: []string{"1"}})
			assert.ErrorIs(t, err, voitex.ErrBranchResponse, bad)
			require.Len(t, res.Steps, 1)
			assert.Equal(t, []string{"1"}, res.KeysLeft)
		}
	})
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}
