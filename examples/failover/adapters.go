package main

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voxio"
)

// The adapters return the SDK's errors untouched: classify needs their types.

// VoxioSender sends WhatsApp text messages through Voxio Chat
// (Messages.Send).
type VoxioSender struct {
	Client *voxio.Client
	// FromNumber picks the sending WhatsApp number when the account has
	// several; empty for the only one.
	FromNumber string
}

// Name returns "voxio".
func (s *VoxioSender) Name() string { return "voxio" }

// Send sends m as a Voxio text message.
func (s *VoxioSender) Send(ctx context.Context, m Message) (Receipt, error) {
	res, err := s.Client.Messages.Send(ctx, voxio.SendMessageParams{
		Recipient: voxio.Recipient{MobileCode: m.To.CountryCode, Mobile: m.To.Number, FromNumber: s.FromNumber},
		Message:   m.Text,
	})
	if err != nil {
		return Receipt{}, err
	}
	r := Receipt{Provider: s.Name()}
	if res.Message != nil {
		r.ID = strconv.FormatInt(res.Message.ID, 10)
	}
	return r, nil
}

// OurVoiceSender sends WhatsApp text messages through a connected Our Voice
// session (Messages.Send).
type OurVoiceSender struct {
	Client *ourvoice.Client
	// SessionID is the uuid of a connected WhatsApp session.
	SessionID string
}

// Name returns "ourvoice".
func (s *OurVoiceSender) Name() string { return "ourvoice" }

// Send sends m as an Our Voice text message to one recipient.
func (s *OurVoiceSender) Send(ctx context.Context, m Message) (Receipt, error) {
	res, err := s.Client.Messages.Send(ctx, ourvoice.SendMessageParams{
		WhatsAppSessionID: s.SessionID,
		ToNumber:          []string{m.To.International()},
		Type:              ourvoice.TypeText,
		Content:           m.Text,
	})
	if err != nil {
		return Receipt{}, err
	}
	r := Receipt{Provider: s.Name()}
	if len(res.Messages) > 0 {
		r.ID = res.Messages[0].ID
	}
	return r, nil
}

// ChattuSender sends WhatsApp text messages through one Chattu client
// (Messages.Send).
type ChattuSender struct {
	Client *chattu.Client
	// ClientID is the Chattu client (WhatsApp number) to send from.
	ClientID string
}

// Name returns "chattu".
func (s *ChattuSender) Name() string { return "chattu" }

// Send sends m as a Chattu text message.
func (s *ChattuSender) Send(ctx context.Context, m Message) (Receipt, error) {
	res, err := s.Client.Messages.Send(ctx, chattu.SendMessageParams{
		ClientID: s.ClientID,
		Number:   m.To.International(),
		Message:  m.Text,
	})
	if err != nil {
		return Receipt{}, err
	}
	// Chattu does not document this answer and chattu.Result does not model
	// an id; deployments answer {"messageId": ...}, read from the raw JSON
	// when present.
	var body struct {
		MessageID string `json:"messageId"`
	}
	_ = json.Unmarshal(res.Raw(), &body) // best effort: the send succeeded either way
	return Receipt{Provider: s.Name(), ID: body.MessageID}, nil
}

// VoitexSMSSender sends SMS through the Voitex Send SMS API (SMS.Send).
// Voitex reaches North American numbers only.
type VoitexSMSSender struct {
	Client *voitex.Client
	// From is an SMS-enabled DID of the account.
	From string
}

// Name returns "voitex-sms".
func (s *VoitexSMSSender) Name() string { return "voitex-sms" }

// Send sends m as an SMS. A recipient outside country code 1 is refused with
// a *ValidationError before anything is sent.
func (s *VoitexSMSSender) Send(ctx context.Context, m Message) (Receipt, error) {
	if m.To.CountryCode != "1" {
		return Receipt{}, &voitex.ValidationError{Field: "to", Rule: "a North American number (country code 1)"}
	}
	res, err := s.Client.SMS.Send(ctx, voitex.SMSParams{From: s.From, To: m.To.Number, Body: m.Text})
	if err != nil {
		return Receipt{}, err
	}
	return Receipt{Provider: s.Name(), ID: res.ReferenceID}, nil
}
