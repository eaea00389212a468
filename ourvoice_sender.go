package switchboard

import (
	"context"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/internal/transport"
	"github.com/switchboard-go/switchboard/ourvoice"
)

// OurVoiceSender sends WhatsApp messages through one connected Our Voice
// session (Messages.Send) and looks them up in the account's message list
// (Resolve). Build it with NewOurVoiceSender.
type OurVoiceSender struct {
	client  *ourvoice.Client
	session string
	cfg     senderConfig
}

// NewOurVoiceSender returns a Sender for c that sends through the WhatsApp
// session sessionID (the session's uuid, Session.ID). The session must be
// connected when sending; Our Voice refuses otherwise, and that refusal
// lets a Failover move on. A nil client or an empty id is a
// *ValidationError.
func NewOurVoiceSender(c *ourvoice.Client, sessionID string, opts ...SenderOption) (*OurVoiceSender, error) {
	if c == nil {
		return nil, transport.InvalidFor("ourvoice", "client", "required")
	}
	if strings.TrimSpace(sessionID) == "" {
		return nil, transport.InvalidFor("ourvoice", "whatsapp_session_id", "required")
	}
	cfg, err := newSenderConfig(opts)
	if err != nil {
		return nil, err
	}
	return &OurVoiceSender{client: c, session: sessionID, cfg: cfg}, nil
}

// Provider returns OurVoice.
func (s *OurVoiceSender) Provider() Provider { return OurVoice }

// String names the provider and the session, never the token.
func (s *OurVoiceSender) String() string {
	if s == nil {
		return "ourvoice sender"
	}
	return "ourvoice sender (session " + s.session + ")"
}

// ready refuses a sender not built by NewOurVoiceSender, or a nil context.
func (s *OurVoiceSender) ready(ctx context.Context) error {
	if s == nil || s.client == nil {
		return transport.InvalidFor("ourvoice", "sender", "build it with NewOurVoiceSender")
	}
	if ctx == nil {
		return transport.InvalidFor("ourvoice", "ctx", "required")
	}
	return nil
}

// Send sends m to one to_number, the Phone's digits with the country code
// ("972501234567"). An attachment must carry a URL, which Our Voice fetches
// (media_url, of the attachment's kind, with Text as the caption): a
// File-only attachment is a *ValidationError and nothing is sent. Our
// Voice's errors pass through unchanged. The Receipt's ID is the queued
// message's uuid.
func (s *OurVoiceSender) Send(ctx context.Context, m Message) (*Receipt, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if err := m.check("ourvoice"); err != nil {
		return nil, err
	}
	p := ourvoice.SendMessageParams{
		WhatsAppSessionID: s.session,
		ToNumber:          []string{m.To.Digits()},
		Type:              ourvoice.TypeText,
		Content:           m.Text,
	}
	if a := m.Attachment; a != nil {
		if a.URL == "" {
			return nil, transport.InvalidFor("ourvoice", "media_url", "Our Voice takes media by URL (Attachment.URL), not as an upload")
		}
		p.Type, p.MediaURL = ourVoiceType(a.kind()), a.URL
	}
	res, err := s.client.Messages.Send(ctx, p)
	if err != nil {
		return nil, err
	}
	r := &Receipt{Provider: OurVoice, Result: res, Raw: res.Raw()}
	var at time.Time
	if len(res.Messages) > 0 {
		r.ID, at = res.Messages[0].ID, res.Messages[0].CreatedAt
	}
	r.Time = s.cfg.stamp(at)
	return r, nil
}

// ourVoiceType maps an attachment kind to Our Voice's message type.
func ourVoiceType(k AttachmentKind) ourvoice.MessageType {
	switch k {
	case ImageAttachment:
		return ourvoice.TypeImage
	case VideoAttachment:
		return ourvoice.TypeVideo
	case AudioAttachment:
		return ourvoice.TypeAudio
	}
	return ourvoice.TypeDocument
}

// Resolve looks for m among the session's outgoing messages to m.To created
// from since (less the lookback) on (Messages.List filtered by to_number,
// direction, session and time_from, every page), matching the text and, for
// an attachment, the media URL. A match whose status is failed did not
// reach the customer: alone, it resolves to ResolutionNotFound with the
// message's reason as evidence ("found but failed: ..."); queued, sent,
// delivered, read and scheduled ones count as sent. It reads, never sends.
func (s *OurVoiceSender) Resolve(ctx context.Context, m Message, since time.Time) (*Resolution, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if err := checkResolve("ourvoice", &m, since); err != nil {
		return nil, err
	}
	from := since.Add(-s.cfg.lookback)
	number := m.To.Digits()
	l := &lookup{provider: OurVoice, from: from, complete: true,
		what: "Our Voice messages of session " + s.session + " to " + number}
	params := &ourvoice.ListMessagesParams{
		ToNumber:  []string{number},
		Direction: ourvoice.DirectionOutgoing,
		SessionID: s.session,
		TimeFrom:  from,
		Limit:     100,
	}
	for msg, err := range s.client.Messages.ListAll(ctx, params) {
		if err != nil {
			return nil, err
		}
		if msg.Direction != "" && msg.Direction != ourvoice.DirectionOutgoing {
			continue
		}
		if !sentTo(msg.ToNumber, number) || !inWindow(msg.CreatedAt, from) || !sameText(m.Text, msg.Content) {
			continue
		}
		if a := m.Attachment; a != nil && msg.MediaURL != a.URL {
			continue
		}
		found := msg
		c := candidate{id: found.ID, at: found.CreatedAt, result: &found, raw: found.Raw()}
		if found.Status == ourvoice.MessageFailed || inboundStatusOf(string(found.Status)) == DeliveryFailed {
			c.failed, c.why = true, found.Reason
			if c.why == "" {
				c.why = "status " + string(found.Status)
			}
		}
		l.found = append(l.found, c)
	}
	return l.resolution(), nil
}

// sentTo reports whether a message's recipients include number. A message
// that names none cannot be ruled out: the list was filtered by number.
func sentTo(to []string, number string) bool {
	if len(to) == 0 {
		return true
	}
	for _, n := range to {
		if digitsOf(n) == number {
			return true
		}
	}
	return false
}
