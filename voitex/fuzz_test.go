package voitex

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-go/switchboard/internal/transport"
)

func seedFixtures(f *testing.F, prefix string) {
	paths, _ := filepath.Glob(filepath.Join("testdata", prefix+"*.json"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{``, `null`, `"null"`, `{}`, `[]`, `{"status":"error"}`, `{"data":"{\"a\":`, `{"a":"{"}`, `{"a": "{"b": "}"}"}`,
		`{"data":"{ "x": "[" }"}`, `{"status":"error","errors":{"phone":["bad"]}}`, `{"errors":"x"}`} {
		f.Add([]byte(s))
	}
}

// FuzzDecodeEnvelope feeds arbitrary bodies to every response decoder: none
// may panic, and an envelope that parses must keep decoding.
func FuzzDecodeEnvelope(f *testing.F) {
	seedFixtures(f, "")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, status := range []int{200, 500} {
			resp := &transport.Response{StatusCode: status, Body: body}
			_ = failure(resp)
			if env, ok := resp.Envelope.(*envelope); ok && env != nil {
				_ = dataText(env.Data)
				_, _ = decodeContact(env.Data)
				_, _ = fieldsOf(env.Data)
			}
			// The decoders with and without the hook's envelope.
			for _, r := range []*transport.Response{resp, {StatusCode: status, Body: body}} {
				_, _ = decodeNotify(r)
				_, _ = decodeSMS(r)
				_, _ = decodeCall(r)
				_, _ = decodeRecording(r)
				_, _ = decodeSelect(r)
				_, _ = decodeContactResult(r)
			}
		}
		_ = messagesOf(body)
		_ = decodePhones(body)
		_ = decodeLabels(body)
	})
}

// FuzzDecodeQuotedObject checks that the repair of unescaped objects never panics
// and only ever returns valid JSON or its input.
func FuzzDecodeQuotedObject(f *testing.F) {
	seedFixtures(f, "sms")
	f.Fuzz(func(t *testing.T, body []byte) {
		out := repairJSON(body)
		if !json.Valid(out) && string(out) != string(body) {
			t.Fatalf("repair returned invalid JSON that is not its input: %q", out)
		}
	})
}

// FuzzDecodeBranchRequest feeds arbitrary API Branch bodies: no panic, and
// no payment value ever prints.
func FuzzDecodeBranchRequest(f *testing.F) {
	seedFixtures(f, "branch_request")
	f.Add([]byte(`call_id=1&payment_info=[{"cvv":"x"}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseBranchRequest(body)
		if err != nil {
			return
		}
		_ = r.LogValue()
		_, _ = json.Marshal(r)
		for _, p := range r.Payments {
			// The fields that are not secret may hold the same digits by
			// chance (a phone equal to the expiry): print without them.
			q := p
			q.Phone, q.Amount, q.TransactionID = "", "", ""
			for _, s := range []Secret{p.LastFour, p.Expiration, p.CVV, p.Zip} {
				v := s.Reveal()
				if len(v) < 6 || strings.Contains(Redacted, v) {
					continue
				}
				if out := fmt.Sprintf("%v %+v %#v", q, s, []Payment{q}); strings.Contains(out, v) {
					t.Fatalf("payment value %q printed in %s", v, out)
				}
			}
		}
	})
}

// FuzzDecodeBranchResponse reads arbitrary responses (as the simulator
// does) and checks that what validates also marshals.
func FuzzDecodeBranchResponse(f *testing.F) {
	seedFixtures(f, "branch_response")
	f.Fuzz(func(t *testing.T, body []byte) {
		var r BranchResponse
		if json.Unmarshal(body, &r) != nil {
			return
		}
		if r.Validate() == nil {
			if _, err := json.Marshal(&r); err != nil {
				t.Fatalf("valid response does not marshal: %v", err)
			}
		}
	})
}
