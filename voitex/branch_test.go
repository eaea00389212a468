package voitex

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-go/switchboard/internal/wiretest"
	"github.com/switchboard-go/switchboard/relay"
)

func TestParseBranchRequestSample(t *testing.T) {
	r, err := ParseBranchRequest(readFixture(t, "branch_request.json"))
	require.NoError(t, err)
	assert.Equal(t, "AST10-1689867312.264", r.CallID)
	assert.Equal(t, "8459511000", r.CID)
	assert.Equal(t, "VOITEX", r.CNAM)
	assert.Nil(t, r.Contact, `"null" means no contact`)
	assert.Equal(t, time.Date(2023, 7, 20, 11, 35, 35, 0, time.UTC), r.DateTime)
	assert.Equal(t, "8459511110", r.DID)
	assert.Equal(t, []BranchStep{{"0", "1"}, {"1000", "17"}}, r.BranchData)
	assert.Equal(t, "17", r.LastInput())
	require.Len(t, r.Payments, 1)
	p := r.Payments[0]
	assert.Equal(t, "4444", p.LastFour.Reveal())
	assert.Equal(t, "0126", p.Expiration.Reveal())
	assert.Equal(t, "987", p.CVV.Reveal(), "a number in the sample")
	assert.Equal(t, "10950", p.Zip.Reveal())
	assert.Equal(t, "8451239876", p.Phone)
	assert.Equal(t, "57", p.Amount)
	assert.Equal(t, "875891", p.TransactionID)
	assert.Equal(t, map[string]string{"caller_pin": "123", "var_2": "var_val"}, r.Variables, "the stray space in the key is trimmed")
	assert.Empty(t, r.Extra)
}

func TestParseBranchRequestVariants(t *testing.T) {
	r, err := ParseBranchRequest(readFixture(t, "branch_request_contact.json"))
	require.NoError(t, err)
	assert.Equal(t, "שרה לוי", r.CNAM)
	require.NotNil(t, r.Contact)
	assert.Equal(t, "שרה", r.Contact.FirstName)
	assert.Equal(t, "לוי 🌸", r.Contact.LastName)
	assert.Equal(t, "VIP", r.Contact.FieldA)
	assert.Equal(t, map[string]string{"lang": "עברית"}, r.Variables, "later objects win")
	assert.Empty(t, r.Payments)
	assert.Empty(t, r.BranchData)
	assert.JSONEq(t, `{"x":1}`, string(r.Extra["future_field"]))

	for _, null := range []string{`null`, `"null"`, `""`} {
		r, err := ParseBranchRequest([]byte(`{"call_id":"1","contact_info":` + null + `}`))
		require.NoError(t, err)
		assert.Nil(t, r.Contact, null)
	}
	// contact_info in select's shape, encoded as a string; variables as an object.
	r, err = ParseBranchRequest([]byte(`{"contact_info":"{\"contact\":{\"first_name\":\"Ann\"},\"phones\":[{\"phone\":\"1\",\"type\":\"M\"}],\"labels\":[4]}","variables":{"a ":"1"}}`))
	require.NoError(t, err)
	require.NotNil(t, r.Contact)
	assert.Equal(t, "Ann", r.Contact.FirstName)
	assert.Equal(t, []int{4}, r.Contact.Labels)
	assert.Equal(t, map[string]string{"a": "1"}, r.Variables)

	// A form-encoded request with JSON members.
	r, err = ParseBranchRequest([]byte(`call_id=X1&cid=8459511000&branch_data=%5B%7B%22branch%22%3A%220%22%2C%22input%22%3A%221%22%7D%5D&date_time=2023-07-20+11%3A35%3A35`))
	require.NoError(t, err)
	assert.Equal(t, "X1", r.CallID)
	assert.Equal(t, []BranchStep{{"0", "1"}}, r.BranchData)
	assert.Equal(t, 2023, r.DateTime.Year())

	_, err = ParseBranchRequest([]byte(`[1,2]`))
	assert.Error(t, err)
	_, err = ParseBranchRequest(nil)
	assert.Error(t, err)
}

// TestPaymentRedaction prints a request every way a program might log it.
func TestPaymentRedaction(t *testing.T) {
	r, err := ParseBranchRequest(readFixture(t, "branch_request_payment.json"))
	require.NoError(t, err)
	require.Len(t, r.Payments, 2)
	assert.Equal(t, "8675", r.Payments[0].CVV.Reveal())
	secrets := []string{"3141", "0929", "8675", "73301", "5926", "1130", "5357", "60606"}

	var outs []string
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		outs = append(outs, fmt.Sprintf(f, r), fmt.Sprintf(f, *r))
	}
	// Hex of the other fields could spell a secret's digits by chance, so
	// the remaining verbs are checked on the payment data alone.
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s"} {
		outs = append(outs, fmt.Sprintf(f, r.Payments), fmt.Sprintf(f, r.Payments[0]), fmt.Sprintf(f, &r.Payments[1]), fmt.Sprintf(f, r.Payments[0].CVV), fmt.Sprintf(f, &r.Payments[0].Zip))
	}
	outs = append(outs, fmt.Sprint(r.Payments[0]), r.Payments[0].String(), r.Payments[0].LastFour.String(), r.Payments[0].CVV.GoString())
	b, err := json.Marshal(r)
	require.NoError(t, err)
	outs = append(outs, string(b))
	b, err = json.Marshal(r.Payments)
	require.NoError(t, err)
	outs = append(outs, string(b))
	for _, mk := range []func(*bytes.Buffer) slog.Handler{
		func(w *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(w, noTime) },
		func(w *bytes.Buffer) slog.Handler { return slog.NewTextHandler(w, noTime) },
	} {
		var buf bytes.Buffer
		l := slog.New(mk(&buf))
		l.Info("call", "req", r, "payment", r.Payments[0], "payments", r.Payments, "cvv", r.Payments[0].CVV)
		l.Info("struct", slog.Any("raw", *r))
		outs = append(outs, buf.String())
	}
	for _, o := range outs {
		for _, s := range secrets {
			assert.NotContains(t, o, s, "leaked in %s", o)
		}
	}
	assert.Contains(t, string(b), Redacted)
	assert.Contains(t, fmt.Sprintf("%+v", r.Payments[0]), "Amount:12.50")
	assert.Equal(t, "", Secret{}.String())
	assert.True(t, Secret{}.IsZero())
}

// noTime drops the timestamp, whose digits could spell a secret by chance.
var noTime = &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}}

func TestBranchResponseSample(t *testing.T) {
	r := Goto("150").PlayFile(10, 25).PlayTTS("This is a reply TTS recording from the API.").
		Input("1", "3").Input("4", "2").Input("6", "105").
		SetVariable("album_num", "13").SetVariable("var_2", "var_val")
	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.JSONEq(t, wiretest.Fixture(t, "branch_response.json"), string(b))

	var back BranchResponse
	require.NoError(t, json.Unmarshal(readFixture(t, "branch_response.json"), &back))
	assert.Equal(t, *r, back)

	b, err = json.Marshal(NewBranchResponse().PlayTTS("הקש 1 לעברית 🇮🇱").AnyInput("7"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"play":[{"type":"tts","text":"הקש 1 לעברית 🇮🇱"}],"inputs":{"%":"7"}}`, string(b))
	b, err = json.Marshal(NewBranchResponse())
	require.NoError(t, err)
	assert.Equal(t, `{}`, string(b))
}

func TestBranchResponseValidation(t *testing.T) {
	bad := map[string]*BranchResponse{
		"goto":          Goto("abc"),
		"key letter":    NewBranchResponse().Input("a", "3"),
		"empty key":     NewBranchResponse().Input("", "3"),
		"key and %":     NewBranchResponse().Input("1%", "3"),
		"% twice":       NewBranchResponse().Input("%%", "3"),
		"key spaced":    NewBranchResponse().Input("1 7", "3"),
		"key padded":    NewBranchResponse().Input(" 17", "3"),
		"key letters":   NewBranchResponse().Input("17a", "3"),
		"key plus":      NewBranchResponse().Input("+1", "3"),
		"key unicode":   NewBranchResponse().Input("١٧", "3"),
		"input branch":  NewBranchResponse().Input("1", ""),
		"file album":    NewBranchResponse().PlayFile(0, 1),
		"file sort":     NewBranchResponse().PlayFile(1, -1),
		"empty tts":     NewBranchResponse().PlayTTS(" "),
		"play type":     {Play: []Play{{Type: "video"}}},
		"tts album":     {Play: []Play{{Type: PlayTTSType, Text: "x", Album: 1}}},
		"file text":     {Play: []Play{{Type: PlayFileType, Album: 1, Text: "x"}}},
		"variable name": NewBranchResponse().SetVariable(" a", "x"),
		"empty name":    NewBranchResponse().SetVariable("", "x"),
	}
	for name, r := range bad {
		var ve *ValidationError
		assert.ErrorAs(t, r.Validate(), &ve, name)
		_, err := json.Marshal(r)
		assert.Error(t, err, name)
	}
	// One key, or a sequence of them: the request sample shows a caller
	// entering 17, which an input "17" routes (it was refused before).
	for _, k := range []string{"0", "9", "*", "#", "%", "17", "12", "123#", "*9", "#*0", "0000"} {
		assert.NoError(t, NewBranchResponse().Input(k, "1").Validate(), k)
	}
	b, err := json.Marshal(NewBranchResponse().Input("17", "300").AnyInput("900"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"inputs":{"17":"300","%":"900"}}`, string(b))
}

const testToken = "tok-0123456789abcdef"

func tokenGuard(t *testing.T) relay.Middleware {
	g, err := relay.SecretToken(relay.QueryToken("token"), []string{testToken})
	require.NoError(t, err)
	return g
}

func postBranch(t *testing.T, h http.Handler, target string, body string, mod ...func(*http.Request)) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for _, m := range mod {
		m(req)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestBranchHandlerNeedsGuard(t *testing.T) {
	fn := func(context.Context, *BranchRequest) (*BranchResponse, error) { return nil, nil }
	_, err := NewBranchHandler(nil, fn)
	assert.ErrorIs(t, err, relay.ErrConfig)
	assert.True(t, strings.HasPrefix(err.Error(), "voitex: "), err.Error())
	_, err = NewBranchHandler(tokenGuard(t), nil)
	assert.ErrorIs(t, err, relay.ErrConfig)
	assert.True(t, strings.HasPrefix(err.Error(), "voitex: "), err.Error())
	_, err = NewBranchHandler(tokenGuard(t), fn, WithBranchOnError(nil), nil)
	assert.NoError(t, err, "a nil option and a nil hook are allowed")
	_, err = NewBranchHandler(tokenGuard(t), fn, WithBranchFallback(Goto("x")))
	assert.ErrorIs(t, err, ErrValidation)
	_, err = NewBranchHandler(tokenGuard(t), fn, WithBranchTimeout(0))
	assert.ErrorIs(t, err, ErrValidation)
	_, err = NewBranchHandler(tokenGuard(t), fn, WithBranchMaxBody(0))
	assert.ErrorIs(t, err, ErrValidation)
	_, err = NewBranchHandler(tokenGuard(t), fn, WithBranchReadTimeout(0))
	assert.ErrorIs(t, err, ErrValidation)
	assert.ErrorIs(t, err, relay.ErrConfig)
	assert.EqualError(t, err, "voitex: invalid WithBranchReadTimeout: must be positive")
	_, err = NewBranchHandler(tokenGuard(t), fn, WithBranchMaxBody(-1))
	assert.EqualError(t, err, "voitex: invalid WithBranchMaxBody: must be positive")
	_, err = NewBranchHandler(tokenGuard(t), fn, WithBranchLocation(nil))
	assert.ErrorIs(t, err, ErrValidation)
	// Every construction failure is a configuration error, as in relay and
	// the other vendors' handlers.
	assert.ErrorIs(t, err, relay.ErrConfig)
}

func TestBranchHandlerGuards(t *testing.T) {
	called := 0
	fn := func(ctx context.Context, call *BranchRequest) (*BranchResponse, error) {
		called++
		return Goto("5"), nil
	}
	basic, err := relay.BasicAuth("voitex", []relay.BasicCredential{{Username: "ivr", Password: "s3cret-pass"}})
	require.NoError(t, err)
	allow, err := relay.IPAllowlist([]string{"203.0.113.0/24"}, nil)
	require.NoError(t, err)
	body := wiretest.Fixture(t, "branch_request.json")

	cases := []struct {
		name   string
		guard  relay.Middleware
		target string
		mod    func(*http.Request)
		status int
	}{
		{"token ok", tokenGuard(t), "/ivr?token=" + testToken, nil, 200},
		{"token missing", tokenGuard(t), "/ivr", nil, 401},
		{"token wrong", tokenGuard(t), "/ivr?token=tok-0123456789abcdeX", nil, 401},
		{"basic ok", basic, "/ivr", func(r *http.Request) { r.SetBasicAuth("ivr", "s3cret-pass") }, 200},
		{"basic wrong", basic, "/ivr", func(r *http.Request) { r.SetBasicAuth("ivr", "nope") }, 401},
		{"basic missing", basic, "/ivr", nil, 401},
		{"allowlist ok", allow, "/ivr", func(r *http.Request) { r.RemoteAddr = "203.0.113.9:4444" }, 200},
		{"allowlist denied", allow, "/ivr", func(r *http.Request) { r.RemoteAddr = "198.51.100.1:4444" }, 403},
		{"chained token and allowlist", relay.Chain(allow, tokenGuard(t)), "/ivr?token=" + testToken, func(r *http.Request) { r.RemoteAddr = "203.0.113.9:1" }, 200},
		{"chained, wrong address", relay.Chain(allow, tokenGuard(t)), "/ivr?token=" + testToken, func(r *http.Request) { r.RemoteAddr = "198.51.100.1:1" }, 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			called = 0
			h, err := NewBranchHandler(tc.guard, fn)
			require.NoError(t, err)
			mods := []func(*http.Request){}
			if tc.mod != nil {
				mods = append(mods, tc.mod)
			}
			rec := postBranch(t, h, tc.target, body, mods...)
			assert.Equal(t, tc.status, rec.Code)
			if tc.status == 200 {
				assert.Equal(t, 1, called)
				assert.JSONEq(t, `{"goto":"5"}`, rec.Body.String())
				assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			} else {
				assert.Equal(t, 0, called, "a rejected request never reaches user code")
			}
		})
	}
}

func TestBranchHandlerFallback(t *testing.T) {
	target := "/ivr?token=" + testToken
	body := wiretest.Fixture(t, "branch_request.json")
	cases := []struct {
		name string
		fn   BranchFunc
		body string
		want error
	}{
		{"error", func(context.Context, *BranchRequest) (*BranchResponse, error) { return nil, errors.New("CRM down") }, body, nil},
		{"panic", func(context.Context, *BranchRequest) (*BranchResponse, error) { panic("boom") }, body, nil},
		{"panic with an error", func(context.Context, *BranchRequest) (*BranchResponse, error) {
			panic(fmt.Errorf("wrapped %w", context.Canceled))
		}, body, nil},
		{"timeout", func(ctx context.Context, _ *BranchRequest) (*BranchResponse, error) {
			<-ctx.Done()
			time.Sleep(50 * time.Millisecond)
			return Goto("1"), nil
		}, body, ErrCallbackTimeout},
		{"ignores its context", func(context.Context, *BranchRequest) (*BranchResponse, error) {
			time.Sleep(time.Second)
			return Goto("1"), nil
		}, body, ErrCallbackTimeout},
		{"invalid response", func(context.Context, *BranchRequest) (*BranchResponse, error) { return Goto("operator"), nil }, body, ErrBranchResponse},
		{"unreadable body", func(context.Context, *BranchRequest) (*BranchResponse, error) { return Goto("1"), nil }, `[not json`, ErrBranchRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []error
			var gotCall *BranchRequest
			h, err := NewBranchHandler(tokenGuard(t), tc.fn,
				WithBranchFallback(Goto("900").PlayTTS("Transferring you to an operator")),
				WithBranchTimeout(100*time.Millisecond),
				WithBranchOnError(func(_ *http.Request, err error) {
					mu.Lock()
					defer mu.Unlock()
					got = append(got, err)
					var be *BranchError
					if errors.As(err, &be) {
						gotCall = be.Call
					}
				}))
			require.NoError(t, err)
			start := time.Now()
			rec := postBranch(t, h, target, tc.body)
			assert.Less(t, time.Since(start), 600*time.Millisecond, "answers within the deadline")
			assert.Equal(t, 200, rec.Code)
			assert.JSONEq(t, `{"goto":"900","play":[{"type":"tts","text":"Transferring you to an operator"}]}`, rec.Body.String())
			mu.Lock()
			defer mu.Unlock()
			require.Len(t, got, 1)
			if tc.want != nil {
				assert.ErrorIs(t, got[0], tc.want)
			}
			if strings.Contains(tc.name, "panic") {
				var pe *PanicError
				require.ErrorAs(t, got[0], &pe)
				assert.NotEmpty(t, pe.Stack)
			}
			if tc.want != ErrBranchRequest {
				require.NotNil(t, gotCall)
				assert.Equal(t, "AST10-1689867312.264", gotCall.CallID)
			}
			for _, s := range []string{"4444", "0126", "cvv", "CVV:9"} {
				assert.NotContains(t, fmt.Sprintf("%v %+v", got[0], gotCall), s)
			}
		})
	}
}

func TestBranchHandlerDefaults(t *testing.T) {
	var seen *BranchRequest
	h, err := NewBranchHandler(tokenGuard(t), func(ctx context.Context, call *BranchRequest) (*BranchResponse, error) {
		seen = call
		if call.CID == "0" {
			return nil, errors.New("x")
		}
		return nil, nil
	}, WithBranchLocation(time.FixedZone("EST", -5*3600)), WithBranchOnError(func(*http.Request, error) { panic("hook") }))
	require.NoError(t, err)
	target := "/ivr?token=" + testToken
	rec := postBranch(t, h, target, wiretest.Fixture(t, "branch_request.json"))
	assert.Equal(t, 200, rec.Code)
	assert.Equal(t, `{}`, rec.Body.String(), "nil response: the Trigger's No Route Found")
	assert.Equal(t, "EST", seen.DateTime.Location().String())
	assert.Equal(t, 11, seen.DateTime.Hour())

	rec = postBranch(t, h, target, `{"cid":"0"}`)
	assert.Equal(t, `{}`, rec.Body.String(), "default fallback, and a panicking hook is contained")

	req := httptest.NewRequest(http.MethodGet, target, nil)
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	assert.Equal(t, http.StatusMethodNotAllowed, rr.Code)

	small, err := NewBranchHandler(tokenGuard(t), func(context.Context, *BranchRequest) (*BranchResponse, error) { return nil, nil }, WithBranchMaxBody(10))
	require.NoError(t, err)
	rec = postBranch(t, small, target, wiretest.Fixture(t, "branch_request.json"))
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
}

// TestBranchHandlerSlowBody sends a body one byte every 150 ms to a real
// server: the handler answers 408 at its read deadline instead of waiting
// for the sender, reports it, and never calls the function.
func TestBranchHandlerSlowBody(t *testing.T) {
	var mu sync.Mutex
	var reported []error
	called := false
	h, err := NewBranchHandler(tokenGuard(t), func(context.Context, *BranchRequest) (*BranchResponse, error) {
		called = true
		return Goto("1"), nil
	}, WithBranchReadTimeout(300*time.Millisecond), WithBranchOnError(func(_ *http.Request, err error) {
		mu.Lock()
		defer mu.Unlock()
		reported = append(reported, err)
	}))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()

	pr, pw := io.Pipe()
	go func() {
		defer pw.Close()
		for _, c := range []byte(wiretest.Fixture(t, "branch_request.json")) {
			if _, err := pw.Write([]byte{c}); err != nil {
				return
			}
			time.Sleep(150 * time.Millisecond)
		}
	}()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/ivr?token="+testToken, pr)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	pr.CloseWithError(io.ErrClosedPipe)
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
	assert.Less(t, time.Since(start), 2*time.Second, "cut off at the read deadline, not after the whole body")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, reported, 1)
	assert.ErrorIs(t, reported[0], ErrReadTimeout)
	assert.False(t, called)
}

// TestBranchHandlerLimitsReported: an oversize body is answered 413 and
// reported; a panic is reported as *PanicError and answered with the
// fallback, and the server keeps serving.
func TestBranchHandlerLimitsReported(t *testing.T) {
	var mu sync.Mutex
	var reported []error
	onError := WithBranchOnError(func(_ *http.Request, err error) {
		mu.Lock()
		defer mu.Unlock()
		reported = append(reported, err)
	})
	small, err := NewBranchHandler(tokenGuard(t), func(context.Context, *BranchRequest) (*BranchResponse, error) { return nil, nil }, WithBranchMaxBody(10), onError)
	require.NoError(t, err)
	rec := postBranch(t, small, "/ivr?token="+testToken, wiretest.Fixture(t, "branch_request.json"))
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)

	panicky, err := NewBranchHandler(tokenGuard(t), func(context.Context, *BranchRequest) (*BranchResponse, error) { panic("card 4444") },
		WithBranchFallback(Goto("900")), WithBranchTimeout(time.Second), onError)
	require.NoError(t, err)
	srv := httptest.NewServer(panicky)
	defer srv.Close()
	for i := 0; i < 2; i++ {
		resp, err := srv.Client().Post(srv.URL+"/ivr?token="+testToken, "application/json", strings.NewReader(wiretest.Fixture(t, "branch_request.json")))
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode)
		assert.JSONEq(t, `{"goto":"900"}`, string(b))
	}
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, reported, 3)
	assert.ErrorIs(t, reported[0], ErrBodyTooLarge)
	for _, err := range reported[1:] {
		var pe *PanicError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "card 4444", pe.Value)
		assert.NotContains(t, err.Error(), "4444", "the panic value is not in the text")
		var be *BranchError
		require.ErrorAs(t, err, &be)
		assert.Equal(t, "AST10-1689867312.264", be.Call.CallID)
	}
}

// TestBranchDateTime: date_time is kept as sent in DateTimeText; a layout
// the SDK cannot read leaves DateTime zero, and DateTimeErr says so, but
// decoding still succeeds.
func TestBranchDateTime(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	cases := []struct {
		name, raw string
		want      time.Time
		unread    bool
	}{
		{"the documented layout", `"2023-07-20 11:35:35"`, time.Date(2023, 7, 20, 11, 35, 35, 0, time.UTC), false},
		{"fractional seconds", `"2023-07-20 11:35:35.25"`, time.Date(2023, 7, 20, 11, 35, 35, 250e6, time.UTC), false},
		{"RFC 3339", `"2023-07-20T11:35:35-04:00"`, time.Date(2023, 7, 20, 15, 35, 35, 0, time.UTC), false},
		{"unix seconds as a number", `1689852935`, time.Date(2023, 7, 20, 11, 35, 35, 0, time.UTC), false},
		{"day first", `"20/07/2023 11:35:35"`, time.Time{}, true},
		{"US style", `"07/20/2023 11:35 AM"`, time.Time{}, true},
		{"no seconds", `"2023-07-20 11:35"`, time.Time{}, true},
		{"words", `"Thursday"`, time.Time{}, true},
		{"Hebrew digits and text", `"יום ה׳ 20.7.2023"`, time.Time{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseBranchRequest([]byte(`{"call_id":"A1","date_time":` + tc.raw + `}`))
			require.NoError(t, err, "decoding never fails over date_time")
			text := strings.Trim(tc.raw, `"`) // the text, or the number's digits
			assert.Equal(t, text, r.DateTimeText)
			assert.True(t, tc.want.Equal(r.DateTime), "%v", r.DateTime)
			err = r.DateTimeErr()
			if !tc.unread {
				assert.NoError(t, err)
				return
			}
			assert.True(t, r.DateTime.IsZero())
			assert.ErrorIs(t, err, ErrBranchDateTime)
			var de *DateTimeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, text, de.Text)
			assert.Contains(t, err.Error(), fmt.Sprintf("%q", text))
		})
	}
	for _, body := range []string{`{"call_id":"A1"}`, `{"date_time":""}`, `{"date_time":null}`} {
		r, err := ParseBranchRequest([]byte(body))
		require.NoError(t, err)
		assert.Empty(t, r.DateTimeText, body)
		assert.True(t, r.DateTime.IsZero(), body)
		assert.NoError(t, r.DateTimeErr(), "absent is not unreadable: %s", body)
	}
	long := strings.Repeat("9", 500)
	r, err := ParseBranchRequest([]byte(`{"date_time":"x` + long + `"}`))
	require.NoError(t, err)
	assert.Equal(t, "x"+long, r.DateTimeText, "kept whole")
	assert.Less(t, len(r.DateTimeErr().Error()), 250, "the error quotes the start only")

	// In a handler with a location, the wall-clock layout is read in it and
	// an instant keeps its instant.
	var seen []*BranchRequest
	var mu sync.Mutex
	h, err := NewBranchHandler(tokenGuard(t), func(_ context.Context, call *BranchRequest) (*BranchResponse, error) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, call)
		return nil, nil
	}, WithBranchLocation(est))
	require.NoError(t, err)
	postBranch(t, h, "/ivr?token="+testToken, `{"date_time":"2023-07-20 11:35:35"}`)
	postBranch(t, h, "/ivr?token="+testToken, `{"date_time":"2023-07-20T15:35:35Z"}`)
	postBranch(t, h, "/ivr?token="+testToken, `{"date_time":"1689867335"}`)
	require.Len(t, seen, 3)
	assert.Equal(t, time.Date(2023, 7, 20, 11, 35, 35, 0, est), seen[0].DateTime)
	for _, c := range seen[1:] {
		assert.True(t, time.Date(2023, 7, 20, 15, 35, 35, 0, time.UTC).Equal(c.DateTime), "%v", c.DateTime)
		assert.Equal(t, "EST", c.DateTime.Location().String())
		assert.Equal(t, 10, c.DateTime.Hour())
	}
}

// TestBranchHandlerReportsDateTime: a date_time the SDK cannot read is
// reported through the OnError hook as a *DateTimeError inside a
// *BranchError, and the call goes on: BranchFunc runs and its answer, not
// the fallback, is written.
func TestBranchHandlerReportsDateTime(t *testing.T) {
	var mu sync.Mutex
	var reported []error
	var seen *BranchRequest
	h, err := NewBranchHandler(tokenGuard(t), func(_ context.Context, call *BranchRequest) (*BranchResponse, error) {
		seen = call
		return Goto("150"), nil
	}, WithBranchFallback(Goto("900")), WithBranchOnError(func(_ *http.Request, err error) {
		mu.Lock()
		defer mu.Unlock()
		reported = append(reported, err)
	}))
	require.NoError(t, err)

	body := strings.Replace(wiretest.Fixture(t, "branch_request.json"), `"2023-07-20 11:35:35"`, `"20/07/2023 11:35:35"`, 1)
	require.Contains(t, body, "20/07/2023")
	rec := postBranch(t, h, "/ivr?token="+testToken, body)
	assert.Equal(t, 200, rec.Code)
	assert.JSONEq(t, `{"goto":"150"}`, rec.Body.String(), "BranchFunc's answer, not the fallback")
	require.NotNil(t, seen)
	assert.True(t, seen.DateTime.IsZero())
	assert.Equal(t, "20/07/2023 11:35:35", seen.DateTimeText)

	mu.Lock()
	require.Len(t, reported, 1)
	err = reported[0]
	mu.Unlock()
	assert.ErrorIs(t, err, ErrBranchDateTime)
	var be *BranchError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, "AST10-1689867312.264", be.Call.CallID)
	var de *DateTimeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "20/07/2023 11:35:35", de.Text)
	for _, s := range []string{"4444", "0126", "CVV:9", "10950"} {
		assert.NotContains(t, fmt.Sprintf("%v %+v", err, be.Call), s, "no payment data in the report")
	}

	// The documented layout is not reported.
	seen = nil
	rec = postBranch(t, h, "/ivr?token="+testToken, wiretest.Fixture(t, "branch_request.json"))
	assert.JSONEq(t, `{"goto":"150"}`, rec.Body.String())
	require.NotNil(t, seen)
	assert.Equal(t, "2023-07-20 11:35:35", seen.DateTimeText)
	mu.Lock()
	assert.Len(t, reported, 1)
	mu.Unlock()
}

func TestZeroBranchHandlerRefuses(t *testing.T) {
	for _, h := range []*BranchHandler{nil, {}} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`)))
		assert.Equal(t, http.StatusInternalServerError, w.Code)
	}
}
