package chattu

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/switchboard-go/switchboard/internal/transport"
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

// decodeAll runs b through the path a 200 answer takes, the Failure hook
// then each decoder, with and without the hook's envelope. Nothing may
// panic; a decoder either fails or returns a result.
func decodeAll[R any](t *testing.T, b []byte, decoders ...func(*transport.Response) (R, error)) {
	for _, dec := range decoders {
		for _, withHook := range []bool{true, false} {
			resp := &transport.Response{StatusCode: 200, Body: b}
			if withHook && failure(resp) != nil {
				continue
			}
			if v, err := dec(resp); err == nil && reflect.ValueOf(v).IsNil() {
				t.Fatal("no result and no error")
			}
		}
	}
}

func FuzzDecodeError(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, st := range []int{200, 400, 403, 404, 429, 500} {
			if e := failure(&transport.Response{StatusCode: st, Body: b}); e == nil && st >= 300 {
				t.Fatalf("status %d without *Error", st)
			}
		}
	})
}

func FuzzDecodeClients(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeAll(t, b, decodeAddNumber)
		decodeAll(t, b, decodeClientList)
		decodeAll(t, b, decodeResult)
		decodeAll(t, b, decodeProfile)
		decodeAll(t, b, decodeReset)
		decodeAll(t, b, decodeQR)
	})
}

func FuzzDecodeMessages(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeAll(t, b, decodeSentMessages)
		decodeAll(t, b, decodeReceivedMessages)
		decodeAll(t, b, decodeScheduledMessages)
		decodeAll(t, b, decodeCalls)
		decodeAll(t, b, decodeAppLogs)
	})
}

func FuzzDecodeChats(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeAll(t, b, decodeChats)
		decodeAll(t, b, decodeChatMessages)
		decodeAll(t, b, decodeSendResult)
		decodeAll(t, b, decodeGroups)
	})
}

func FuzzDecodeDataURL(f *testing.F) {
	f.Add("data:image/png;base64,iVBORw0KGgoAAAANS...")
	f.Add("data:image/png;base64,iVBORw0KGgo=")
	f.Add("data:,")
	f.Fuzz(func(t *testing.T, s string) { _ = decodeDataURL(s) })
}
