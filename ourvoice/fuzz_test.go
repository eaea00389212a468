package ourvoice

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
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

func FuzzDecodeMessageList(f *testing.F) {
	seedFixtures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := decodeMessageList(b, "/whatsapp/messages", 200)
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
		if l, err := decodeSessionList(b, 200); err == nil {
			_ = l.HasMore()
		}
	})
}

func FuzzDecodeSession(f *testing.F) {
	seedFixtures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeSession(b, "GET", "/p", 200)
		_, _ = decodeSessionUpdate(b, "PATCH", "/p", 200)
		if c, err := decodeCreatedSession(b, "POST", "/p", 201); err == nil && c.PNG != nil && !isPNG(c.PNG) {
			t.Fatal("PNG set to non-PNG bytes")
		}
		if q, err := decodeQRCode(b, "/p", 200); err == nil {
			_, _, _ = q.QRCode.Image()
		}
	})
}

func FuzzDecodeMessage(f *testing.F) {
	seedFixtures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeMessage(b, "/p", 200)
		if r, err := decodeSendResult(b, 201); err == nil && r.Count < 0 && len(r.Messages) > 0 {
			_ = r.Messages[0].Raw()
		}
		var m Message
		if json.Unmarshal(b, &m) == nil && m.Metadata != nil && !json.Valid(m.Metadata) {
			t.Fatalf("invalid metadata JSON %q", m.Metadata)
		}
	})
}

func FuzzDecodeError(f *testing.F) {
	seedFixtures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, status := range []int{200, 201, 401, 422, 429, 503} {
			e := decodeError(status, nil, b)
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
