package chattu

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// seed adds every fixture and a few hostile shapes to f.
func seed(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{``, `null`, `"null"`, `[]`, `{}`, `[null]`, `{"messages":{"messages":[]}}`, `{"id":{"_serialized":{}}}`,
		`{"qrCode":"data:image/png;base64,@@@"}`, `{"success":"maybe"}`, `{"error":{"code":1}}`, `[{"reactions":[null]}]`} {
		f.Add([]byte(s))
	}
}

// decodeInto must never panic; errors are fine.
func decodeInto(b []byte, vs ...any) {
	for _, v := range vs {
		_ = json.Unmarshal(b, v)
	}
}

func FuzzDecodeError(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, st := range []int{200, 400, 403, 404, 429, 500} {
			if e := decodeError(st, nil, b); e == nil && st >= 300 {
				t.Fatalf("status %d without *Error", st)
			}
		}
	})
}

func FuzzDecodeClients(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeInto(b, &AddNumberResult{}, &ClientList{}, &Result{}, &Profile{}, &ResetAPIKeyResult{})
	})
}

func FuzzDecodeMessages(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeInto(b, &SentMessages{}, &ReceivedMessages{}, &ScheduledMessages{}, &Calls{}, &AppLogs{})
	})
}

func FuzzDecodeChats(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeInto(b, &Chats{}, &ChatMessages{}, &SendResult{}, &Groups{})
	})
}

func FuzzDecodeDataURL(f *testing.F) {
	f.Add("data:image/png;base64,iVBORw0KGgoAAAANS...")
	f.Add("data:image/png;base64,iVBORw0KGgo=")
	f.Add("data:,")
	f.Fuzz(func(t *testing.T, s string) { _ = decodeDataURL(s) })
}
