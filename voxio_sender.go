package switchboard

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/internal/transport"
	"github.com/switchboard-go/switchboard/voxio"
)

// VoxioSender sends WhatsApp messages through one WhatsApp account of a
// Voxio Chat client (Messages.Send) and looks them up in the account's
// conversations (Resolve). Build it with NewVoxioSender.
type VoxioSender struct {
	client  *voxio.Client
	account int64
	cfg     senderConfig
}

// NewVoxioSender returns a Sender for c that sends from the WhatsApp account
// whatsappAccountID (voxio.Recipient.WhatsAppAccountID, which selects the
// sender account and wins over a from number). 0 lets Voxio use the
// account's default number; with several numbers, name one, so that
// messages and lookups stay on it. A nil client or a negative id is a
// *ValidationError.
func NewVoxioSender(c *voxio.Client, whatsappAccountID int64, opts ...SenderOption) (*VoxioSender, error) {
	if c == nil {
		return nil, transport.InvalidFor("voxio", "client", "required")
	}
	if whatsappAccountID < 0 {
		return nil, transport.InvalidFor("voxio", "whatsapp_account_id", "0 (the default account) or an account id")
	}
	cfg, err := newSenderConfig(opts)
	if err != nil {
		return nil, err
	}
	return &VoxioSender{client: c, account: whatsappAccountID, cfg: cfg}, nil
}

// Provider returns Voxio.
func (s *VoxioSender) Provider() Provider { return Voxio }

// String names the provider and the account, never a credential.
func (s *VoxioSender) String() string {
	if s == nil || s.account == 0 {
		return "voxio sender (default account)"
	}
	return fmt.Sprintf("voxio sender (account %d)", s.account)
}

// ready refuses a sender not built by NewVoxioSender, or a nil context.
func (s *VoxioSender) ready(ctx context.Context) error {
	if s == nil || s.client == nil {
		return transport.InvalidFor("voxio", "sender", "build it with NewVoxioSender")
	}
	if ctx == nil {
		return transport.InvalidFor("voxio", "ctx", "required")
	}
	return nil
}

// Send sends m as a Voxio WhatsApp message to mobile_code + mobile (the
// Phone's country code and national number). An attachment must carry a
// File, which is uploaded in the field of its kind (image, video, audio,
// document): Voxio takes no media URL, so a URL-only attachment is a
// *ValidationError and nothing is sent. Voxio's own errors pass through
// unchanged (*voxio.Error, *voxio.ValidationError, ErrMaybeDelivered...).
func (s *VoxioSender) Send(ctx context.Context, m Message) (*Receipt, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if err := m.check("voxio"); err != nil {
		return nil, err
	}
	p := voxio.SendMessageParams{
		Recipient: voxio.Recipient{MobileCode: m.To.CountryCode(), Mobile: m.To.National(), WhatsAppAccountID: s.account},
		Message:   m.Text,
	}
	if a := m.Attachment; a != nil {
		if a.File == nil {
			return nil, transport.InvalidFor("voxio", "attachment", "Voxio takes media as an uploaded file (Attachment.File), not a URL")
		}
		switch a.kind() {
		case ImageAttachment:
			p.Image = a.File
		case VideoAttachment:
			p.Video = a.File
		case AudioAttachment:
			p.Audio = a.File
		default:
			p.Document = a.File
		}
	}
	res, err := s.client.Messages.Send(ctx, p)
	if err != nil {
		return nil, err
	}
	r := &Receipt{Provider: Voxio, Result: res, Raw: res.Raw()}
	var at time.Time
	if res.Message != nil {
		if res.Message.ID != 0 {
			r.ID = strconv.FormatInt(res.Message.ID, 10)
		}
		at = res.Message.CreatedAt
	}
	r.Time = s.cfg.stamp(at)
	return r, nil
}

// Resolve looks for m in the account's conversation with m.To: it walks the
// conversation list (every page, since Voxio cannot filter it by number)
// for the conversations whose contact has the number, then their messages,
// for ones with m's text created from since (less the lookback) on whose
// direction is outbound or not given (Voxio documents no sample of the
// list; a direction it does not document makes the answer
// ResolutionUnknown, never ResolutionNotFound). A match with status 9
// (failed) did not reach the customer: alone, it resolves to
// ResolutionNotFound, "found but failed" with Voxio's reason when the
// message carries one. It reads, never sends.
func (s *VoxioSender) Resolve(ctx context.Context, m Message, since time.Time) (*Resolution, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if err := checkResolve("voxio", &m, since); err != nil {
		return nil, err
	}
	from := since.Add(-s.cfg.lookback).Truncate(time.Second)
	want := m.To.Digits()
	l := &lookup{provider: Voxio, from: from, complete: true,
		what: "Voxio conversation messages to " + want}
	if s.account != 0 {
		l.what += fmt.Sprintf(" on account %d", s.account)
	}

	var convs []voxio.Conversation
	params := &voxio.ConversationListParams{WhatsAppAccountID: s.account, Paginate: 100}
	for cv, err := range s.client.Inbox.ConversationsAll(ctx, params) {
		if err != nil {
			return nil, err
		}
		c := cv.Contact
		if c == nil {
			// A conversation listed without its contact might be the
			// one: nothing found elsewhere would prove nothing.
			l.complete = false
			continue
		}
		if digitsOf(c.MobileCode+c.Mobile) != want && digitsOf(c.Mobile) != want {
			continue
		}
		convs = append(convs, cv)
		if s.account != 0 {
			break // a contact has one conversation per account
		}
	}
	for _, cv := range convs {
		if err := s.scan(ctx, cv.ID, &m, l); err != nil {
			return nil, err
		}
	}
	if len(l.odd) > 0 {
		l.note = "matching messages with an undocumented direction (" + strings.Join(l.odd, ", ") + ") may be this send"
	}
	return l.resolution(), nil
}

// scan adds the matching messages of one conversation to l. Voxio lists a
// conversation's messages newest first; once that order is seen, the walk
// stops at the first message older than the window instead of reading the
// whole history.
func (s *VoxioSender) scan(ctx context.Context, conversationID int64, m *Message, l *lookup) error {
	var prev time.Time
	descending, increased := false, false
	for msg, err := range s.client.Inbox.ConversationMessagesAll(ctx, conversationID) {
		if err != nil {
			return err
		}
		if t := msg.CreatedAt; !t.IsZero() {
			if !prev.IsZero() {
				if t.After(prev) {
					increased = true
				} else if t.Before(prev) {
					descending = true
				}
			}
			prev = t
			if descending && !increased && t.Before(l.from) {
				return nil
			}
		}
		if !inWindow(msg.CreatedAt, l.from) || !sameText(m.Text, msg.Text) {
			continue
		}
		if a := m.Attachment; a != nil && msg.Type != "" && msg.Type != string(a.kind()) {
			continue
		}
		switch dir := strings.ToLower(strings.TrimSpace(msg.Direction)); dir {
		case voxio.DirectionInbound:
			continue // the customer's own message
		case voxio.DirectionOutbound, "":
			// Outbound, or not said: Voxio documents no sample of this
			// list, so a message without a direction may be the send.
		default:
			// A direction Voxio does not document: the message may be
			// the send or not, so finding nothing else proves nothing.
			l.complete = false
			l.odd = append(l.odd, dir)
			continue
		}
		found := msg
		c := candidate{at: found.CreatedAt, result: &found, raw: found.Raw()}
		if found.ID != 0 {
			c.id = strconv.FormatInt(found.ID, 10)
		}
		if found.Status == voxio.MessageFailed || inboundStatusOf(found.StatusText) == DeliveryFailed {
			c.failed = true
			c.why = inboundFirst(inboundJSONStrings(found.Raw()), "reason", "error", "failed_reason", "error_message")
			switch {
			case c.why != "":
			case found.Status == voxio.MessageFailed:
				c.why = "status 9 (failed)"
			default:
				c.why = "status " + found.StatusText
			}
		}
		l.found = append(l.found, c)
	}
	return nil
}
