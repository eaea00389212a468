package voxio

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// seed adds every fixture and a few hostile shapes to a fuzz corpus.
func seed(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		``, `null`, `[]`, `"x"`, `{}`, `{"data":null}`, `{"data":[]}`, `{"data":"null"}`,
		`{"status":"error","message":{"a":{"b":["c"]}}}`, `{"data":{"x":{"current_page":"1","data":[1,null,"a",{}],"last_page":1e400}}}`,
		`{"data":{"contacts":{"current_page":1,"data":{}}}}`, `{"message":[[["deep"]]],"data":{"conversation":{"contact":{"address":{"zip":1}}}}}`,
		`{"data":{"id":"9223372036854775808","message":{"status":"READ"}}}`, `{"a":1}{"b":2}`,
	} {
		f.Add([]byte(s))
	}
}

// answer is a response as the transport hands it to the Failure hook and
// the decoders.
func answer(status int, b []byte) *transport.Response {
	return &transport.Response{StatusCode: status, Body: b}
}

func FuzzDecodeEnvelope(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := parseEnvelope(b)
		for _, status := range []int{200, 404, 500} {
			resp := answer(status, b)
			e := failure(resp)
			if err == nil && status == 200 && strings.EqualFold(strings.TrimSpace(env.Status), "error") && e == nil {
				t.Fatal(`"status":"error" in HTTP 200 must be an *Error`)
			}
			if e == nil && err == nil && status == 200 && resp.Envelope == nil {
				t.Fatal("a readable success envelope must be handed to the decoder")
			}
		}
	})
}

func FuzzDecodeContactList(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := decodeContactList(answer(200, b)); err == nil {
			_ = r.Pagination.HasMore()
		}
		_, _ = decodeContactResult(answer(200, b))
		_, _ = decodeResult(answer(200, b))
	})
}

func FuzzDecodeConversations(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeConversationList(answer(200, b))
		_, _ = decodeConversationMessages(answer(200, b))
		_, _ = decodeConversationDetails(answer(200, b))
	})
}

func FuzzDecodeSendResult(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeSendResult(answer(200, b))
		_, _ = decodeTemplateList(answer(200, b))
	})
}

func FuzzDecodeEvent(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseEvent(b, "incoming_message")
		if err != nil {
			return
		}
		if ev.Info() == nil || ev.EventName() == "" {
			t.Fatal("an event always has a name")
		}
	})
}
