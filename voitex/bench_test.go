package voitex_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/switchboard-go/switchboard/voitex"
)

// smsAnswer is the documented Send SMS answer, its data object escaped so
// that encoding/json can read it too (the published sample pastes it into
// the string unescaped): data in a string, keys with stray spaces, "from "
// twice, the second time with the reference id.
var smsAnswer = []byte(`{"status":"success","data":"{\"to\":\"8451234567\",\"from \":\"8459511000 \",` +
	`\"body\":\"This is a test message body\",\"did_type \":\"TN \",\"from \":\"u7T0um \"}","errors":[]}`)

// memoryVoitex answers every request with smsAnswer after reading the
// request body, with no network, so that only the client's own cost shows.
type memoryVoitex struct{}

func (memoryVoitex) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(smsAnswer)),
		ContentLength: int64(len(smsAnswer)),
		Request:       r,
	}, nil
}

const benchKey = "1234567890abcdef"

// BenchmarkVoitexSMSSend measures SMS.Send through the public API:
// validation, multipart encoding, the delivery rules, the failure hook and
// the lenient decoding of the quirky answer.
func BenchmarkVoitexSMSSend(b *testing.B) {
	c, err := voitex.New(benchKey, voitex.WithHTTPClient(&http.Client{Transport: memoryVoitex{}}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	p := voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "This is a test message body"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sms, err := c.SMS.Send(ctx, p)
		if err != nil {
			b.Fatal(err)
		}
		if sms.ReferenceID != "u7T0um" || sms.From != "8459511000" {
			b.Fatalf("decoded %+v", sms)
		}
	}
}

// rawSMS is the answer's data as a hand-written client would declare it.
type rawSMS struct {
	To      string `json:"to"`
	From    string `json:"from "`
	Body    string `json:"body"`
	DIDType string `json:"did_type "`
}

// BenchmarkVoitexSMSSendRaw is the baseline: the same wire bytes built by
// hand with mime/multipart and net/http over the same transport, the answer
// read with encoding/json into plain structs (the data string decoded a
// second time).
func BenchmarkVoitexSMSSendRaw(b *testing.B) {
	hc := &http.Client{Transport: memoryVoitex{}}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("from", "8459511000")
		_ = mw.WriteField("to", "8451234567")
		_ = mw.WriteField("body", "This is a test message body")
		_ = mw.Close()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, voitex.DefaultSMSURL+voitex.PathSend, &buf)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set(voitex.HeaderAuthKey, benchKey)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		var env struct {
			Status string   `json:"status"`
			Data   string   `json:"data"`
			Errors []string `json:"errors"`
		}
		if err := json.Unmarshal(body, &env); err != nil || env.Status != "success" {
			b.Fatalf("envelope %q: %v", body, err)
		}
		var sms rawSMS
		if err := json.Unmarshal([]byte(env.Data), &sms); err != nil {
			b.Fatal(err)
		}
		if sms.From != "u7T0um " { // encoding/json keeps the last "from "
			b.Fatalf("decoded %+v", sms)
		}
	}
}
