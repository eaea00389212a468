package chattu

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/internal/loose"
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
		return invalid("message", "either message or mediaUrl is required")
	}
	return checkMediaURL(p.MediaURL)
}

// checkNumber accepts a phone number with country code, digits with an
// optional leading "+".
func checkNumber(field, n string) error {
	d := strings.TrimPrefix(n, "+")
	if !loose.IsDigits(d) || len(d) < 5 || len(d) > 20 {
		return invalid(field, "required: a phone number with country code (digits, optional leading +)")
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
	return invalid("mediaUrl", "file type must be one of "+strings.Join(supportedMediaExtensions, ", "))
}

// Send sends a text or a media message to a phone number. It is never
// repeated once written: a failure after that matches ErrMaybeDelivered.
// The response body is not documented; Result keeps it raw.
func (s *MessagesService) Send(ctx context.Context, p SendMessageParams) (*Result, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	return do(ctx, s.c, &endpoint{req: &transport.Request{Method: http.MethodPost, Path: "/api/send-message", JSON: &p}}, decodeResult)
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
	ID           loose.Int    `json:"id"`
	ClientID     loose.String `json:"clientId"`
	SenderNumber loose.String `json:"senderNumber"`
	Recipient    loose.String `json:"recipient"`
	Message      loose.String `json:"message"`
	Status       loose.String `json:"status"`
	SentAt       loose.Time   `json:"sentAt"`
}

func (w *sentMessageWire) value() SentMessage {
	return SentMessage{
		ID: int64(w.ID), ClientID: string(w.ClientID), SenderNumber: string(w.SenderNumber),
		Recipient: string(w.Recipient), Message: string(w.Message), Status: string(w.Status), SentAt: w.SentAt.Time,
	}
}

// SentMessages is GET /api/sent-messages: the last 100 messages.
type SentMessages struct {
	// Messages are the last 100 sent messages.
	Messages []SentMessage
	transport.RawJSON
}

func decodeSentMessages(resp *transport.Response) (*SentMessages, error) {
	l := &SentMessages{}
	raw, _, err := listIn(resp, "messages", "data")
	if err != nil {
		return nil, err
	}
	if l.Messages, err = decodeList(raw, (*sentMessageWire).value); err != nil {
		return nil, err
	}
	l.SetRaw(resp.Body)
	return l, nil
}

// Sent lists the last 100 messages sent by the account's clients.
func (s *MessagesService) Sent(ctx context.Context) (*SentMessages, error) {
	return do(ctx, s.c, &endpoint{req: &transport.Request{Method: http.MethodGet, Path: "/api/sent-messages"}}, decodeSentMessages)
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
	ID         loose.Int    `json:"id"`
	ClientID   loose.String `json:"client_id"`
	Sender     loose.String `json:"sender"`
	Message    loose.String `json:"message"`
	ReceivedAt loose.Time   `json:"received_at"`
}

func (w *receivedMessageWire) value() ReceivedMessage {
	return ReceivedMessage{ID: int64(w.ID), ClientID: string(w.ClientID), Sender: string(w.Sender), Message: string(w.Message), ReceivedAt: w.ReceivedAt.Time}
}

// ReceivedMessages is {"status": "success", "messages": [...]}.
type ReceivedMessages struct {
	// Status is the envelope's "status" ("success").
	Status string
	// Messages are the last 100 received messages.
	Messages []ReceivedMessage
	transport.RawJSON
}

func decodeReceivedMessages(resp *transport.Response) (*ReceivedMessages, error) {
	l := &ReceivedMessages{}
	raw, env, err := listIn(resp, "messages", "data")
	if err != nil {
		return nil, err
	}
	if l.Messages, err = decodeList(raw, (*receivedMessageWire).value); err != nil {
		return nil, err
	}
	l.Status = textOf(env.get("status"))
	l.SetRaw(resp.Body)
	return l, nil
}

// Received lists the last 100 messages the WhatsApp client clientID
// received (GET /api/received-messages/:clientId).
func (s *MessagesService) Received(ctx context.Context, clientID string) (*ReceivedMessages, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	return do(ctx, s.c, &endpoint{req: &transport.Request{Method: http.MethodGet, Path: "/api/received-messages/" + url.PathEscape(clientID)}}, decodeReceivedMessages)
}
