package chattu

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-go/switchboard/internal/wiretest"
)

// The pairs below measure the SDK's own cost against hand-written code
// doing the same work, in the same run: the send through the public API
// against the same wire bytes built by hand, over an in-memory
// RoundTripper (no network to hide the cost); the webhook handler end to
// end against a minimal handler doing the key check, the decode and the
// reply.

// sendAnswer is the answer the wire tests use for send-message (the docs
// show no body for it).
const sendAnswer = `{"success":true,"message":"Message sent successfully"}`

// memVendor answers every request in memory with body, after reading the
// request as a server would.
type memVendor struct{ body string }

func (m memVendor) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	if r.Header.Get("X-Api-Key") != testKey {
		return &http.Response{StatusCode: http.StatusUnauthorized, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:          io.NopCloser(strings.NewReader(m.body)),
		ContentLength: int64(len(m.body)),
		Request:       r,
	}, nil
}

var benchSend = SendMessageParams{ClientID: "client-id", Number: "12345678901", Message: "Hey! Its a test message 👋"}

func BenchmarkChattuSend(b *testing.B) {
	c, err := New(testBase, testKey, WithHTTPClient(&http.Client{Transport: memVendor{sendAnswer}}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := c.Messages.Send(ctx, benchSend)
		if err != nil || !res.Success {
			b.Fatal(err)
		}
	}
}

// rawSendResult is what a hand-written client would decode.
type rawSendResult struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

func rawSend(ctx context.Context, hc *http.Client, p *SendMessageParams) (*rawSendResult, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, testBase+"/api/send-message", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Api-Key", testKey)
	req.Header.Set("User-Agent", "raw/1.0")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var out rawSendResult
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func BenchmarkChattuSendRaw(b *testing.B) {
	hc := &http.Client{Transport: memVendor{sendAnswer}}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := rawSend(ctx, hc, &benchSend)
		if err != nil || !res.Success {
			b.Fatal(err)
		}
	}
}

// TestBenchPairsAgree: both sides of each pair do the work they claim, so
// the ratio compares like with like.
func TestBenchPairsAgree(t *testing.T) {
	m := wiretest.New(t)
	m.Respond("POST", testBase+"/api/send-message", 200, sendAnswer)
	c, err := New(testBase, testKey, WithHTTPClient(m.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Messages.Send(context.Background(), benchSend); err != nil {
		t.Fatal(err)
	}
	if _, err := rawSend(context.Background(), m.Client(), &benchSend); err != nil {
		t.Fatal(err)
	}
	rs := m.Requests()
	if len(rs) != 2 || !bytes.Equal(rs[0].Body, rs[1].Body) || rs[0].Path != rs[1].Path ||
		rs[0].Header.Get("Content-Type") != rs[1].Header.Get("Content-Type") || rs[0].Header.Get("X-Api-Key") != rs[1].Header.Get("X-Api-Key") {
		t.Fatalf("the raw send differs from the SDK's: %+v", rs)
	}

	h := benchWebhookHandler(t)
	for _, hh := range []http.Handler{h, rawWebhookHandler(hookKey, benchReply)} {
		rec := httptest.NewRecorder()
		hh.ServeHTTP(rec, benchWebhookRequest(hookKey))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"response":"Thank you for your message!"`) {
			t.Fatalf("%T answered %d %s", hh, rec.Code, rec.Body)
		}
		rec = httptest.NewRecorder()
		hh.ServeHTTP(rec, benchWebhookRequest("wrong"))
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("%T let a wrong key in", hh)
		}
	}
}

var benchHookBody = `{"event":"message_received","data":{"from":"1234567890","to":"client-id","body":"Hello, this is a test message","message":"Hello, this is a test message","timestamp":1699123456789,"type":"received_message"}}`

func benchWebhookRequest(key string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hooks/chattu", strings.NewReader(benchHookBody))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Api-Key", key)
	return r
}

func benchReply(_ context.Context, ev *WebhookEvent) (Reply, error) {
	if ev.MessageReceived == nil || ev.MessageReceived.Text() == "" {
		return Reply{}, fmt.Errorf("no message")
	}
	return Reply{Response: "Thank you for your message!"}, nil
}

func benchWebhookHandler(tb testing.TB) *WebhookHandler {
	h, err := NewWebhookHandler([]string{hookKey}, benchReply)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func BenchmarkChattuWebhookHandler(b *testing.B) {
	h := benchWebhookHandler(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, benchWebhookRequest(hookKey))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

// rawWebhookHandler is the minimal hand-written receiver: a constant-time
// key check, the body decoded into a plain struct, the callback, the reply.
func rawWebhookHandler(key string, fn WebhookFunc) http.Handler {
	want := []byte(key)
	type data struct {
		From      string `json:"from"`
		To        string `json:"to"`
		Body      string `json:"body"`
		Message   string `json:"message"`
		Timestamp int64  `json:"timestamp"`
		Type      string `json:"type"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Api-Key")), want) != 1 {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		var in struct {
			Event string `json:"event"`
			Data  data   `json:"data"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&in); err != nil {
			http.Error(w, "Bad Request", http.StatusBadRequest)
			return
		}
		ev := &WebhookEvent{Type: EventType(in.Event), MessageReceived: &MessageEvent{From: in.Data.From, To: in.Data.To, Body: in.Data.Body, Message: in.Data.Message, Type: in.Data.Type}}
		rep, err := fn(r.Context(), ev)
		if err != nil {
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(struct {
			Status   string `json:"status"`
			Message  string `json:"message"`
			Response string `json:"response,omitempty"`
		}{"success", "Webhook received successfully.", rep.Response})
	})
}

func BenchmarkChattuWebhookHandlerRaw(b *testing.B) {
	h := rawWebhookHandler(hookKey, benchReply)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, benchWebhookRequest(hookKey))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}
