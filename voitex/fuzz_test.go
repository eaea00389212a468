package voitex

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
// no payment secret ever prints. The property is exact: every way a program
// may print a request (paymentPrinters) must print it the same when each
// secret is replaced by another value of the same length, so a printer
// that lets any secret through is caught whatever its value, while a
// non-secret field that holds the same digits (a phone equal to the last
// four) changes nothing.
func FuzzDecodeBranchRequest(f *testing.F) {
	seedFixtures(f, "branch_request")
	f.Add([]byte(`call_id=1&payment_info=[{"cvv":"x"}]`))
	// The phone holds the card's digits: a substring search over the
	// output flagged this as a leak.
	f.Add([]byte(`{"payment_info":[{"last_four":"112222","phone":"112222"}]}`))
	f.Add([]byte(`{"payment_info":[{"last_four":"4444","expiration":"0126","cvv":987,"zip":"10950","phone":"4444","amount":"0126","transaction_id":"987"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseBranchRequest(body)
		if err != nil {
			return
		}
		if name, a, b := secretLeak(r, paymentPrinters); name != "" {
			t.Fatalf("%s prints payment data: with the secrets swapped\n%s\nbecomes\n%s", name, a, b)
		}
	})
}

// printer prints a request one way a program might.
type printer struct {
	name  string
	print func(*BranchRequest) string
}

// paymentPrinters are the ways a request or its payments get printed:
// every fmt verb on the request, its payments and their secrets, JSON, and
// slog with both built-in handlers.
var paymentPrinters = func() []printer {
	var ps []printer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s"} {
		verb := verb
		ps = append(ps, printer{"fmt " + verb, func(r *BranchRequest) string {
			var b strings.Builder
			fmt.Fprintf(&b, verb+"|"+verb+"|"+verb, r, *r, r.Payments)
			for i := range r.Payments {
				p := &r.Payments[i]
				fmt.Fprintf(&b, "|"+verb+"|"+verb+"|"+verb+"|"+verb+"|"+verb+"|"+verb, *p, p, p.LastFour, p.Expiration, &p.CVV, p.Zip)
			}
			return b.String()
		}})
	}
	ps = append(ps,
		printer{"String", func(r *BranchRequest) string {
			var b strings.Builder
			for _, p := range r.Payments {
				b.WriteString(p.String() + p.LastFour.String() + p.CVV.GoString())
			}
			return b.String()
		}},
		printer{"json", func(r *BranchRequest) string {
			b, err := json.Marshal(r)
			if err != nil {
				return "error: " + err.Error()
			}
			return string(b)
		}},
		printer{"slog", func(r *BranchRequest) string {
			var buf bytes.Buffer
			for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, noTime), slog.NewTextHandler(&buf, noTime)} {
				l := slog.New(h)
				l.Info("call", "req", r, "payments", r.Payments)
				l.Info("raw", slog.Any("req", *r))
				for _, p := range r.Payments {
					l.Info("payment", "p", p, "cvv", p.CVV)
				}
			}
			return buf.String()
		}},
	)
	return ps
}()

// secretLeak prints r with each printer, and again with every payment
// secret replaced by a value of the same length that differs in every
// character (swapSecret); everything else, the non-secret fields included,
// is left as it is. A printer whose two outputs differ depends on a
// secret's value: its name and both outputs are returned. Only whether a
// secret is empty may show, and the swap keeps that.
func secretLeak(r *BranchRequest, printers []printer) (name, before, after string) {
	swapped := *r
	if r.Payments != nil {
		swapped.Payments = make([]Payment, len(r.Payments))
	}
	for i, p := range r.Payments {
		p.LastFour = swapSecret(p.LastFour)
		p.Expiration = swapSecret(p.Expiration)
		p.CVV = swapSecret(p.CVV)
		p.Zip = swapSecret(p.Zip)
		swapped.Payments[i] = p
	}
	for _, p := range printers {
		a, b := p.print(r), p.print(&swapped)
		if a != b {
			return p.name, a, b
		}
	}
	return "", "", ""
}

// swapSecret returns a Secret of the same length in runes whose every rune
// differs from s's: digits stay digits, letters letters, anything else
// (invalid UTF-8 included) becomes a sign that was not there.
func swapSecret(s Secret) Secret {
	if s.IsZero() {
		return s
	}
	rs := []rune(s.Reveal())
	for i, c := range rs {
		switch {
		case c >= '0' && c <= '9':
			rs[i] = '0' + (c-'0'+1)%10
		case c >= 'a' && c <= 'z':
			rs[i] = 'a' + (c-'a'+1)%26
		case c >= 'A' && c <= 'Z':
			rs[i] = 'A' + (c-'A'+1)%26
		case c == '~':
			rs[i] = '^'
		default:
			rs[i] = '~'
		}
	}
	return NewSecret(string(rs))
}

// TestSecretLeakProperty shows that the fuzz property is exact: on the
// input where a substring search saw a leak, the real printers pass; and
// printers that do leak a secret, whole, in part or disguised, are caught,
// even when a non-secret field holds the same digits.
func TestSecretLeakProperty(t *testing.T) {
	r, err := ParseBranchRequest([]byte(`{"payment_info":[{"last_four":"112222","phone":"112222"}]}`))
	require.NoError(t, err)
	name, a, b := secretLeak(r, paymentPrinters)
	assert.Empty(t, name, "%s\n%s", a, b)

	doc, err := ParseBranchRequest(readFixture(t, "branch_request_payment.json"))
	require.NoError(t, err)
	name, a, b = secretLeak(doc, paymentPrinters)
	assert.Empty(t, name, "%s\n%s", a, b)

	leaky := []printer{
		{"the last four", func(r *BranchRequest) string { return fmt.Sprint(r.Payments[0].Phone, r.Payments[0].LastFour.Reveal()) }},
		{"its first digit", func(r *BranchRequest) string { return r.Payments[0].LastFour.Reveal()[:1] }},
		{"its length and last digit", func(r *BranchRequest) string {
			v := r.Payments[0].LastFour.Reveal()
			return fmt.Sprintf("%d-%c", len(v), v[len(v)-1])
		}},
		{"in hex", func(r *BranchRequest) string { return fmt.Sprintf("%x", r.Payments[0].LastFour.Reveal()) }},
		{"a hash", func(r *BranchRequest) string {
			sum := 0
			for _, c := range r.Payments[0].LastFour.Reveal() {
				sum += int(c)
			}
			return fmt.Sprint(sum)
		}},
		{"the masked bytes", func(r *BranchRequest) string { return fmt.Sprintf("%v", r.Payments[0].LastFour.b) }},
	}
	for _, p := range leaky {
		name, _, _ := secretLeak(r, []printer{p})
		assert.Equal(t, p.name, name, "a printer leaking %s is caught", p.name)
	}
	// The other secrets are watched too, and whichever payment holds them.
	two, err := ParseBranchRequest([]byte(`{"payment_info":[{"last_four":"1"},{"cvv":"ab","zip":"\u00e9","expiration":"\u0000"}]}`))
	require.NoError(t, err)
	for i, get := range []func(Payment) Secret{
		func(p Payment) Secret { return p.CVV }, func(p Payment) Secret { return p.Zip }, func(p Payment) Secret { return p.Expiration },
	} {
		name, _, _ := secretLeak(two, []printer{{"leak", func(r *BranchRequest) string { return get(r.Payments[1]).Reveal() }}})
		assert.Equal(t, "leak", name, "secret %d", i)
	}
	// A printer that shows only whether a secret is set is not a leak.
	name, _, _ = secretLeak(two, []printer{{"presence", func(r *BranchRequest) string {
		return fmt.Sprint(r.Payments[1].Zip.IsZero(), r.Payments[0].CVV.IsZero())
	}}})
	assert.Empty(t, name)
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
