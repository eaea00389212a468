package ourvoice

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// seedFixtures adds every JSON fixture and a few hostile bodies.
func seedFixtures(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `"x"`, `{"data":{}}`, `{"data":[null]}`, `{"data":{"data":{"data":[]}}}`,
		`{"to_number":[1,"2",null]}`, `{"to_number":"[\"1\"]"}`, `{"metadata":"\"\""}`, `{"meta":[],"links":"x"}`,
		`{"current_page":"x"}`, `{"qr_code":123}`, `{"session":"{}"}`, `{"success":false,"errors":{"a":[1]}}`,
	} {
		f.Add([]byte(s))
	}
}

// hooked runs the failure hook on b as Call does, and reports whether the
// answer would reach a decoder (no failure reported).
func hooked(status int, b []byte) (*transport.Response, bool) {
	resp := &transport.Response{StatusCode: status, Body: b}
	return resp, failure(resp) == nil
}

func FuzzDecodeMessageList(f *testing.F) {
	seedFixtures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		resp, ok := hooked(200, b)
		if !ok {
			return
		}
		l, err := decodeMessageList(resp)
		if err == nil && l == nil {
			t.Fatal("nil list without error")
		}
		if err == nil {
			_ = l.HasMore()
		}
	})
}

func FuzzDecodeSessionList(f *testing.F) {
	seedFixtures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		resp, _ := hooked(200, b)
		if l, err := decodeSessionList(resp); err == nil {
			_ = l.HasMore()
		}
	})
}

func FuzzDecodeSession(f *testing.F) {
	seedFixtures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		resp, _ := hooked(200, b)
		_, _ = decodeSession(resp)
		_, _ = decodeSessionUpdate(resp)
		_, _ = decodeDelete(resp)
		if c, err := decodeCreatedSession(resp); err == nil && c.PNG != nil && !isPNG(c.PNG) {
			t.Fatal("PNG set to non-PNG bytes")
		}
		if q, err := decodeQRCode(resp); err == nil {
			_, _, _ = q.QRCode.Image()
		}
	})
}

func FuzzDecodeMessage(f *testing.F) {
	seedFixtures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		resp, _ := hooked(201, b)
		_, _ = decodeMessage(resp)
		if r, err := decodeSendResult(resp); err == nil && r.Count < 0 && len(r.Messages) > 0 {
			_ = r.Messages[0].Raw()
		}
		var m Message
		if json.Unmarshal(b, &m) == nil && m.Metadata != nil && !json.Valid(m.Metadata) {
			t.Fatalf("invalid metadata JSON %q", m.Metadata)
		}
		// The decoders read the envelope the hook left, or the body: both
		// give the same answer.
		r1, err1 := decodeSendResult(resp)
		r2, err2 := decodeSendResult(&transport.Response{StatusCode: 201, Body: b})
		if (err1 == nil) != (err2 == nil) || (err1 == nil && len(r1.Messages) != len(r2.Messages)) {
			t.Fatalf("envelope and body disagree: %v / %v", err1, err2)
		}
	})
}

// FuzzMayReportFailure: the hook's shortcut never skips an answer whose
// full reading reports a failure.
func FuzzMayReportFailure(f *testing.F) {
	seedFixtures(f)
	for _, s := range []string{`{"Success":false}`, `{"success":true,"success":0}`, `{"succ\u0065ss":false}`, `{"success":"off"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !mayReportFailure(b) && readFailure(&transport.Response{StatusCode: 200, Body: b}) != nil {
			t.Fatalf("shortcut skipped a failure in %q", b)
		}
	})
}

func FuzzFailure(f *testing.F) {
	seedFixtures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, status := range []int{200, 201, 401, 422, 429, 503} {
			e := failure(&transport.Response{StatusCode: status, Body: b})
			if status >= 400 && e == nil {
				t.Fatalf("HTTP %d without failure", status)
			}
		}
	})
}

func FuzzQRCodeImage(f *testing.F) {
	f.Add("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAAAAADhZOFXAAAAE0lEQVR4nGP4zwCBDAz/0SBJIgB8BB/hqRvM5AAAAABJRU5ErkJggg==")
	f.Add("data:,")
	f.Add("data:;base64,")
	f.Fuzz(func(t *testing.T, s string) {
		if b, err := QRCode(s).PNG(); err == nil && !isPNG(b) {
			t.Fatal("PNG returned non-PNG bytes")
		}
	})
}
