package chattu

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// MessagesService sends messages and lists sent and received ones.
type MessagesService struct{ c *Client }

// supportedMediaExtensions are the file types send-message accepts for
// mediaUrl (the docs' list).
var supportedMediaExtensions = []string{".jpg", ".jpeg", ".png", ".gif", ".webp", ".pdf", ".mp4", ".mp3"}

// SendMessageParams is the body of POST /api/send-message. Message or
// MediaURL (or both) is required.
type SendMessageParams struct {
	// ClientID names the WhatsApp client that sends (required).
	ClientID string `json:"clientId"`
	// Number is the recipient with country code ("12345678901").
	Number string `json:"number"`
	// Message is the text (the caption when MediaURL is set).
	Message string `json:"message,omitempty"`
	// MediaURL is an http(s) URL of an image, video, audio or document
	// whose path ends in .jpg, .jpeg, .png, .gif, .webp, .pdf, .mp4 or .mp3.
	MediaURL string `json:"mediaUrl,omitempty"`
}

func (p *SendMessageParams) validate() error {
	if err := checkClientID(p.ClientID); err != nil {
		return err
	}
	if err := checkNumber("number", p.Number); err != nil {
		return err
	}
	if p.Message == "" && p.MediaURL == "" {
		return transport.Invalid("message", "either message or mediaUrl is required")
	}
	return checkMediaURL(p.MediaURL)
}

// checkNumber accepts a phone number with country code, digits with an
// optional leading "+".
func checkNumber(field, n string) error {
	d := strings.TrimPrefix(n, "+")
	if !isDigits(d) || len(d) < 5 || len(d) > 20 {
		return transport.Invalid(field, "required: a phone number with country code (digits, optional leading +)")
	}
	return nil
}

func checkMediaURL(raw string) error {
	if raw == "" {
		return nil
	}
	if err := checkHTTPURL("mediaUrl", raw, true); err != nil {
		return err
	}
	u, _ := url.Parse(raw)
	ext := strings.ToLower(path.Ext(u.Path))
	for _, e := range supportedMediaExtensions {
		if ext == e {
			return nil
		}
	}
	return transport.Invalid("mediaUrl", "file type must be one of "+strings.Join(supportedMediaExtensions, ", "))
}

// Send sends a text or a media message to a phone number. It is never
// repeated once written: a failure after that matches ErrMaybeDelivered.
// The response body is not documented; Result keeps it raw.
func (s *MessagesService) Send(ctx context.Context, p SendMessageParams) (*Result, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	out := &Result{}
	if _, err := s.c.do(ctx, &call{req: &transport.Request{Method: http.MethodPost, Path: "/api/send-message", JSON: p}}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// SentMessage is one entry of GET /api/sent-messages.
type SentMessage struct {
	// ID is Chattu's id of the record.
	ID int64
	// ClientID is the client that sent it.
	ClientID string
	// SenderNumber is that client's phone number.
	SenderNumber string
	// Recipient is the number it was sent to.
	Recipient string
	// Message is the text sent.
	Message string
	// Status is as sent ("sent").
	Status string
	// SentAt is when Chattu sent it.
	SentAt time.Time
}

type sentMessageWire struct {
	ID           transport.Int    `json:"id"`
	ClientID     transport.String `json:"clientId"`
	SenderNumber transport.String `json:"senderNumber"`
	Recipient    transport.String `json:"recipient"`
	Message      transport.String `json:"message"`
	Status       transport.String `json:"status"`
	SentAt       transport.Time   `json:"sentAt"`
}

// UnmarshalJSON decodes the documented fields leniently.
func (m *SentMessage) UnmarshalJSON(b []byte) error {
	var w sentMessageWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = SentMessage{
		ID: int64(w.ID), ClientID: string(w.ClientID), SenderNumber: string(w.SenderNumber),
		Recipient: string(w.Recipient), Message: string(w.Message), Status: string(w.Status), SentAt: w.SentAt.Time,
	}
	return nil
}

// SentMessages is GET /api/sent-messages: the last 100 messages.
type SentMessages struct {
	// Messages are the last 100 sent messages.
	Messages []SentMessage
	transport.RawJSON
}

// UnmarshalJSON reads the documented array (or {"messages": [...]}).
func (l *SentMessages) UnmarshalJSON(b []byte) error {
	return decodeList(b, &l.Messages, "messages", "data")
}

// Sent lists the last 100 messages sent by the account's clients.
func (s *MessagesService) Sent(ctx context.Context) (*SentMessages, error) {
	out := &SentMessages{}
	if _, err := s.c.do(ctx, &call{req: &transport.Request{Method: http.MethodGet, Path: "/api/sent-messages"}}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ReceivedMessage is one entry of GET /api/received-messages/:clientId.
type ReceivedMessage struct {
	// ID is Chattu's id of the record.
	ID int64
	// ClientID is the client that received it.
	ClientID string
	// Sender is the sender's phone number.
	Sender string
	// Message is the text received.
	Message string
	// ReceivedAt is when Chattu received it.
	ReceivedAt time.Time
}

type receivedMessageWire struct {
	ID         transport.Int    `json:"id"`
	ClientID   transport.String `json:"client_id"`
	Sender     transport.String `json:"sender"`
	Message    transport.String `json:"message"`
	ReceivedAt transport.Time   `json:"received_at"`
}

// UnmarshalJSON decodes the documented fields leniently.
func (m *ReceivedMessage) UnmarshalJSON(b []byte) error {
	var w receivedMessageWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = ReceivedMessage{ID: int64(w.ID), ClientID: string(w.ClientID), Sender: string(w.Sender), Message: string(w.Message), ReceivedAt: w.ReceivedAt.Time}
	return nil
}

// ReceivedMessages is {"status": "success", "messages": [...]}.
type ReceivedMessages struct {
	// Status is the envelope's "status" ("success").
	Status string
	// Messages are the last 100 received messages.
	Messages []ReceivedMessage
	transport.RawJSON
}

// UnmarshalJSON decodes the envelope leniently.
func (l *ReceivedMessages) UnmarshalJSON(b []byte) error {
	st, err := envelopeStatus(b)
	if err != nil {
		return err
	}
	l.Status = st
	return decodeList(b, &l.Messages, "messages", "data")
}

// Received lists the last 100 messages the WhatsApp client clientID
// received (GET /api/received-messages/:clientId).
func (s *MessagesService) Received(ctx context.Context, clientID string) (*ReceivedMessages, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	out := &ReceivedMessages{}
	if _, err := s.c.do(ctx, &call{req: &transport.Request{Method: http.MethodGet, Path: "/api/received-messages/" + url.PathEscape(clientID)}}, out); err != nil {
		return nil, err
	}
	return out, nil
}
