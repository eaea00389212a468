package voxio_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-go/switchboard/relay"
	"github.com/switchboard-go/switchboard/voxio"
)

// The pairs below measure the SDK's own cost against what a careful
// hand-written integration does with the same bytes, in the same run:
//
//	go test -run '^$' -bench 'Voxio' -benchmem -count 5 ./voxio
//
// BenchmarkVoxioSend / BenchmarkVoxioSendRaw: Messages.Send of a text
// message through an in-memory RoundTripper that answers the documented
// success bytes (no network, so only the client's cost shows), against the
// same multipart request built by hand and the answer decoded with
// json.Unmarshal into a plain struct.
//
// BenchmarkVoxioRelayHandler / BenchmarkVoxioRelayHandlerRaw: one signed
// delivery of the documented incoming_message sample through the relay
// handler end to end (body cap, credentials, signature and window,
// deduplication, decoding, callback, answer) into an httptest recorder,
// against a minimal handler that reads the body, checks the HMAC,
// json.Unmarshals the payload and calls the callback. Both build the same
// request the same way, and every delivery is a new one (the replay cache
// would otherwise short-cut the SDK's side).

// sendAnswer is the documented success answer of inbox/send-message.
func sendAnswer(b *testing.B) []byte {
	b.Helper()
	body, err := os.ReadFile("testdata/send_message.json")
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// memVoxio answers every request in memory with body, after reading the
// request as a server would.
type memVoxio struct{ body []byte }

func (m memVoxio) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	if r.Header.Get("client-secret") != testClientSecret {
		return &http.Response{StatusCode: http.StatusUnauthorized, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(m.body)),
		ContentLength: int64(len(m.body)),
		Request:       r,
	}, nil
}

func BenchmarkVoxioSend(b *testing.B) {
	c, err := voxio.New(testClientID, testClientSecret, voxio.WithHTTPClient(&http.Client{Transport: memVoxio{sendAnswer(b)}}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	params := voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "85712345678"}, Message: "Hello world"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := c.Messages.Send(ctx, params)
		if err != nil {
			b.Fatal(err)
		}
		if res.Message == nil || res.Message.ID != 456 {
			b.Fatalf("decoded %+v", res)
		}
	}
}

// rawSendResult is the answer as a hand-written client models it.
type rawSendResult struct {
	Remark  string   `json:"remark"`
	Status  string   `json:"status"`
	Message []string `json:"message"`
	Data    struct {
		ConversationID int64 `json:"conversation_id"`
		Message        struct {
			ID     int64 `json:"id"`
			Status int   `json:"status"`
		} `json:"message"`
	} `json:"data"`
}

// rawSend is what a careful hand-written client does: the same multipart
// fields and headers, the same transport, the body read and decoded.
func rawSend(ctx context.Context, hc *http.Client) (*rawSendResult, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range [][2]string{{"mobile_code", "62"}, {"mobile", "85712345678"}, {"message", "Hello world"}} {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, voxio.DefaultBaseURL+"/inbox/send-message", &buf)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "raw/1")
	req.Header.Set("client-id", testClientID)
	req.Header.Set("client-secret", testClientSecret)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	var out rawSendResult
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, err
	}
	if out.Status != "success" {
		return nil, errors.New(out.Remark)
	}
	return &out, nil
}

func BenchmarkVoxioSendRaw(b *testing.B) {
	hc := &http.Client{Transport: memVoxio{sendAnswer(b)}}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := rawSend(ctx, hc)
		if err != nil {
			b.Fatal(err)
		}
		if res.Data.Message.ID != 456 {
			b.Fatalf("decoded %+v", res)
		}
	}
}

const benchRelaySecret = "whsec-bench-relay-secret-0123456789"

// relayBench produces deliveries of the documented incoming_message sample,
// each with its own message id and signed a second after the previous one,
// so that none is a duplicate and the replay cache holds a steady window
// of entries, as in production.
type relayBench struct {
	now    time.Time
	signer *relay.Signer
	head   []byte
	tail   []byte
}

func newRelayBench(b *testing.B) *relayBench {
	b.Helper()
	sample, err := os.ReadFile("testdata/relay_incoming_message.json")
	if err != nil {
		b.Fatal(err)
	}
	head, tail, ok := bytes.Cut(sample, []byte("9001"))
	if !ok {
		b.Fatal("sample without message id 9001")
	}
	rb := &relayBench{now: time.Unix(1781595000, 0), head: head, tail: tail}
	rb.signer, err = relay.NewSigner(voxio.RelayScheme(), []byte(benchRelaySecret), relay.WithSignerClock(rb.clock))
	if err != nil {
		b.Fatal(err)
	}
	return rb
}

func (rb *relayBench) clock() time.Time { return rb.now }

// next builds the i-th delivery as Voxio sends it.
func (rb *relayBench) next(i int) *http.Request {
	rb.now = rb.now.Add(time.Second)
	body := make([]byte, 0, len(rb.head)+len(rb.tail)+20)
	body = append(body, rb.head...)
	body = strconv.AppendInt(body, int64(10000+i), 10)
	body = append(body, rb.tail...)
	r := httptest.NewRequest(http.MethodPost, "/hooks/voxio", bytes.NewReader(body))
	r.Header["Content-Type"] = []string{"application/json"}
	r.Header[voxio.HeaderRelayEvent] = []string{voxio.EventIncomingMessage}
	r.Header[voxio.HeaderRelayClientID] = []string{acctID}
	r.Header[voxio.HeaderRelayClientSecret] = []string{acctSecret}
	for k, v := range rb.signer.Sign(body) {
		r.Header[k] = v
	}
	return r
}

func BenchmarkVoxioRelayHandler(b *testing.B) {
	rb := newRelayBench(b)
	var got int64
	h, err := voxio.NewRelayHandler(voxio.RelayConfig{RelaySecret: benchRelaySecret, ClientID: acctID, ClientSecret: acctSecret},
		func(_ context.Context, ev voxio.Event) error {
			got = ev.(*voxio.IncomingMessage).Message.ID
			return nil
		}, voxio.WithRelayClock(rb.clock))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, rb.next(i))
		if w.Code != http.StatusOK || got != int64(10000+i) {
			b.Fatalf("answer %d, message %d: %s", w.Code, got, w.Body)
		}
	}
}

// rawEvent is the documented payload as a hand-written receiver models it.
type rawEvent struct {
	Event             string `json:"event"`
	Channel           string `json:"channel"`
	UserID            int64  `json:"user_id"`
	WhatsAppAccountID int64  `json:"whatsapp_account_id"`
	Conversation      struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	} `json:"conversation"`
	Contact struct {
		ID     int64  `json:"id"`
		Name   string `json:"name"`
		Mobile string `json:"mobile"`
	} `json:"contact"`
	Message struct {
		ID                int64  `json:"id"`
		Type              string `json:"type"`
		Text              string `json:"text"`
		Direction         string `json:"direction"`
		ProviderMessageID string `json:"provider_message_id"`
	} `json:"message"`
	SentAt time.Time `json:"sent_at"`
}

// rawRelayHandler is the minimal receiver Voxio's docs sketch: read the
// body, check the client credentials and the HMAC, decode, call back,
// answer.
func rawRelayHandler(secret []byte, fn func(*rawEvent) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		if subtle.ConstantTimeCompare([]byte(r.Header.Get(voxio.HeaderRelayClientID)), []byte(acctID)) != 1 ||
			subtle.ConstantTimeCompare([]byte(r.Header.Get(voxio.HeaderRelayClientSecret)), []byte(acctSecret)) != 1 {
			http.Error(w, "bad credentials", http.StatusUnauthorized)
			return
		}
		sig, err := hex.DecodeString(strings.TrimPrefix(r.Header.Get(voxio.HeaderRelaySignature), "sha256="))
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(r.Header.Get(voxio.HeaderRelayTimestamp)))
		m.Write([]byte("."))
		m.Write(body)
		if !hmac.Equal(m.Sum(nil), sig) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev rawEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "bad payload", http.StatusBadRequest)
			return
		}
		if err := fn(&ev); err != nil {
			http.Error(w, "failed", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true,"event":"` + ev.Event + `"}`))
	})
}

func BenchmarkVoxioRelayHandlerRaw(b *testing.B) {
	rb := newRelayBench(b)
	var got int64
	h := rawRelayHandler([]byte(benchRelaySecret), func(ev *rawEvent) error {
		got = ev.Message.ID
		return nil
	})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, rb.next(i))
		if w.Code != http.StatusOK || got != int64(10000+i) {
			b.Fatalf("answer %d, message %d: %s", w.Code, got, w.Body)
		}
	}
}
