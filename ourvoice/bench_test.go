package ourvoice

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// The benchmark pair measures the SDK's own cost on its main send: the
// same wire bytes go through the same in-memory RoundTripper, answered
// with the documented 201, once through Messages.Send and once through a
// hand-written client that decodes into a plain struct. Compare
// BenchmarkOurVoiceSend with BenchmarkOurVoiceSendRaw in one run:
//
//	go test -run '^$' -bench 'OurVoiceSend' -benchmem -count 5 ./ourvoice

// benchVendor answers every request with Our Voice's documented send
// answer, after reading the request body as a server would.
type benchVendor struct{ body []byte }

func (v benchVendor) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode:    http.StatusCreated,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(v.body)),
		ContentLength: int64(len(v.body)),
		Request:       r,
	}, nil
}

func benchAnswer(b *testing.B) benchVendor {
	b.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "message_send_text.json"))
	if err != nil {
		b.Fatal(err)
	}
	return benchVendor{body: body}
}

var benchParams = SendMessageParams{
	WhatsAppSessionID: "a3f1b2c4-1234-4abc-9def-000011112222",
	ToNumber:          []string{"22996000000"},
	Type:              TypeText,
	Content:           "Hello from Our Voice!",
}

func BenchmarkOurVoiceSend(b *testing.B) {
	c, err := New("bench-token-0123456789", WithHTTPClient(&http.Client{Transport: benchAnswer(b)}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := c.Messages.Send(ctx, benchParams)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Messages) != 1 || res.Messages[0].Status != MessageQueued {
			b.Fatalf("decoded %+v", res.Messages)
		}
	}
}

// rawSend is what a careful hand-written client does: validate nothing,
// marshal the documented body, send it with the documented headers, read
// the answer and decode it into plain structs.
type rawSendBody struct {
	WhatsAppSessionID string   `json:"whatsapp_session_id"`
	ToNumber          []string `json:"to_number"`
	Type              string   `json:"type"`
	Content           string   `json:"content,omitempty"`
}

type rawMessage struct {
	ID                string  `json:"id"`
	WhatsAppSessionID string  `json:"whatsapp_session_id"`
	CampaignID        string  `json:"campaign_id"`
	FromNumber        string  `json:"from_number"`
	ToNumber          string  `json:"to_number"`
	Type              string  `json:"type"`
	Content           string  `json:"content"`
	MediaURL          *string `json:"media_url"`
	Status            string  `json:"status"`
	Direction         string  `json:"direction"`
	Cost              float64 `json:"cost"`
	SentAt            *string `json:"sent_at"`
	DeliveredAt       *string `json:"delivered_at"`
	ReadAt            *string `json:"read_at"`
	CreatedAt         string  `json:"created_at"`
	UpdatedAt         string  `json:"updated_at"`
}

type rawSendAnswer struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
	Data    struct {
		Messages          []rawMessage `json:"messages"`
		Count             int          `json:"count"`
		TotalCost         float64      `json:"total_cost"`
		NewBalance        float64      `json:"new_balance"`
		RemainingMessages int          `json:"remaining_messages"`
	} `json:"data"`
}

func rawSend(ctx context.Context, hc *http.Client, token string, p SendMessageParams) (*rawSendAnswer, error) {
	body, err := json.Marshal(rawSendBody{WhatsAppSessionID: p.WhatsAppSessionID, ToNumber: p.ToNumber, Type: string(p.Type), Content: p.Content})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, DefaultBaseURL+"/whatsapp/messages", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "raw/1")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	var out rawSendAnswer
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	if !out.Success {
		return nil, fmt.Errorf("failed: %s", out.Message)
	}
	return &out, nil
}

func BenchmarkOurVoiceSendRaw(b *testing.B) {
	hc := &http.Client{Transport: benchAnswer(b)}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := rawSend(ctx, hc, "bench-token-0123456789", benchParams)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Data.Messages) != 1 || res.Data.Messages[0].Status != "queued" {
			b.Fatalf("decoded %+v", res.Data.Messages)
		}
	}
}
