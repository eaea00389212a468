package switchboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// ChattuSender sends WhatsApp messages through one Chattu client (a linked
// WhatsApp number, by its client id) with Messages.Send, and looks them up
// in the client's chat or in the account's sent messages (Resolve). Build it
// with NewChattuSender.
type ChattuSender struct {
	client   *chattu.Client
	clientID string
	cfg      senderConfig
}

// chattuListMax is how many messages Chattu's lists return at most: the
// sent-messages list is the last 100, and the chat list is asked for as
// many.
const chattuListMax = 100

// NewChattuSender returns a Sender for c that sends from the WhatsApp
// client clientID (the clientId given to Clients.AddNumber). A nil client or
// an empty id is a *ValidationError.
func NewChattuSender(c *chattu.Client, clientID string, opts ...SenderOption) (*ChattuSender, error) {
	if c == nil {
		return nil, transport.InvalidFor("chattu", "client", "required")
	}
	if strings.TrimSpace(clientID) == "" {
		return nil, transport.InvalidFor("chattu", "clientId", "required")
	}
	cfg, err := newSenderConfig(opts)
	if err != nil {
		return nil, err
	}
	return &ChattuSender{client: c, clientID: clientID, cfg: cfg}, nil
}

// Provider returns Chattu.
func (s *ChattuSender) Provider() Provider { return Chattu }

// String names the provider and the client id, never a credential.
func (s *ChattuSender) String() string {
	if s == nil {
		return "chattu sender"
	}
	return "chattu sender (client " + s.clientID + ")"
}

// ready refuses a sender not built by NewChattuSender, or a nil context.
func (s *ChattuSender) ready(ctx context.Context) error {
	if s == nil || s.client == nil {
		return transport.InvalidFor("chattu", "sender", "build it with NewChattuSender")
	}
	if ctx == nil {
		return transport.InvalidFor("chattu", "ctx", "required")
	}
	return nil
}

// Send sends m with Chattu's send-message to the Phone's digits with the
// country code ("972501234567"). An attachment must carry a URL, which
// Chattu fetches (mediaUrl, with Text as the caption): a File-only
// attachment is a *ValidationError and nothing is sent. Chattu's errors pass
// through unchanged. Chattu does not document the answer; the Receipt's ID
// is the WhatsApp message id its deployments return ("messageId", a string
// or WhatsApp Web's id object, whose "_serialized" is taken), or "" without
// one.
func (s *ChattuSender) Send(ctx context.Context, m Message) (*Receipt, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if err := m.check("chattu"); err != nil {
		return nil, err
	}
	p := chattu.SendMessageParams{ClientID: s.clientID, Number: m.To.Digits(), Message: m.Text}
	if a := m.Attachment; a != nil {
		if a.URL == "" {
			return nil, transport.InvalidFor("chattu", "mediaUrl", "Chattu takes media by URL (Attachment.URL), not as an upload")
		}
		p.MediaURL = a.URL
	}
	res, err := s.client.Messages.Send(ctx, p)
	if err != nil {
		return nil, err
	}
	return &Receipt{Provider: Chattu, ID: chattuMessageID(res.Raw()), Time: s.cfg.stamp(time.Time{}), Result: res, Raw: res.Raw()}, nil
}

// chattuMessageID reads the message id from Chattu's undocumented send
// answer, under the loose policy of every Chattu answer (keys with stray
// spaces, numbers as strings, "null" as a string): "messageId", else "id",
// each a string, a number, or WhatsApp Web's id object, whose
// "_serialized" member is the id Chattu's chat lists use. "" when there is
// none.
func chattuMessageID(raw json.RawMessage) string {
	body, err := loose.Fields(raw)
	if err != nil {
		return ""
	}
	for _, k := range []string{"messageId", "id"} {
		v := bytes.TrimSpace(body[k])
		if len(v) > 0 && v[0] == '{' {
			if obj, err := loose.Fields(v); err == nil {
				v = obj["_serialized"]
			} else {
				v = nil
			}
		}
		if len(v) > 0 && (v[0] == '[' || v[0] == '{') {
			continue // no id of a shape Chattu could mean
		}
		if id := loose.Text(v); id != "" {
			return id
		}
	}
	return ""
}

// Resolve looks for m among the messages the client sent to m.To from since
// (less the lookback) on. With the dashboard session (chattu.WithSessionCookie)
// it reads the client's chat with the number, whose message ids are the
// WhatsApp ids Send returns; without it, or when the session is refused, it
// reads the account's sent messages, whose records carry Chattu's own id
// instead (the Receipt's ID is then "", and the record is its Result, a
// *chattu.SentMessage). Both lists hold the last 100 messages: if every one
// of them is within the window, finding nothing proves nothing and the
// answer is ResolutionUnknown. A match Chattu reports failed (a chat
// message with a negative ack, WhatsApp Web's ACK_ERROR; a sent-messages
// record whose status is failed, error, undelivered or rejected) did not
// reach the customer: alone, it resolves to ResolutionNotFound ("found but
// failed: ack -1 (error)"). Other acks (0 pending, 1 sent, 2 delivered,
// 3 read) and statuses count as sent.
func (s *ChattuSender) Resolve(ctx context.Context, m Message, since time.Time) (*Resolution, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if err := checkResolve("chattu", &m, since); err != nil {
		return nil, err
	}
	from := since.Add(-s.cfg.lookback).Truncate(time.Second)
	if s.client.HasSession() {
		res, err := s.resolveChat(ctx, &m, from)
		if !errors.Is(err, ErrUnauthorized) {
			return res, err
		}
	}
	return s.resolveSent(ctx, &m, from)
}

// resolveChat looks in the client's chat with m.To (Chats.Messages).
func (s *ChattuSender) resolveChat(ctx context.Context, m *Message, from time.Time) (*Resolution, error) {
	number := m.To.Digits()
	chat, err := chattu.UserChat(number)
	if err != nil {
		return nil, err
	}
	list, err := s.client.Chats.Messages(ctx, s.clientID, chat, &chattu.ChatMessagesParams{Limit: chattuListMax})
	if err != nil {
		return nil, err
	}
	l := &lookup{provider: Chattu, from: from, what: fmt.Sprintf("Chattu chat of client %s with %s", s.clientID, number)}
	l.complete = len(list.Messages) < chattuListMax
	for i := range list.Messages {
		msg := list.Messages[i]
		if !msg.Timestamp.IsZero() && msg.Timestamp.Before(from) {
			l.complete = true // the list reaches back past the window
		}
		if !msg.FromMe || !inWindow(msg.Timestamp, from) || !sameText(m.Text, msg.Body) {
			continue
		}
		c := candidate{id: msg.ID, at: msg.Timestamp, result: &msg}
		if msg.Ack < 0 {
			// WhatsApp Web's ACK_ERROR (-1): the message was not sent.
			c.failed, c.why = true, "ack "+strconv.Itoa(int(msg.Ack))+" (error)"
		}
		l.found = append(l.found, c)
	}
	return l.resolution(), nil
}

// resolveSent looks in the account's sent messages (Messages.Sent).
func (s *ChattuSender) resolveSent(ctx context.Context, m *Message, from time.Time) (*Resolution, error) {
	number := m.To.Digits()
	list, err := s.client.Messages.Sent(ctx)
	if err != nil {
		return nil, err
	}
	l := &lookup{provider: Chattu, from: from, what: fmt.Sprintf("Chattu sent messages of client %s to %s", s.clientID, number)}
	l.complete = len(list.Messages) < chattuListMax
	var records []string
	for i := range list.Messages {
		msg := list.Messages[i]
		if !msg.SentAt.IsZero() && msg.SentAt.Before(from) {
			l.complete = true
		}
		if msg.ClientID != s.clientID || digitsOf(msg.Recipient) != number ||
			!inWindow(msg.SentAt, from) || !sameText(m.Text, msg.Message) {
			continue
		}
		c := candidate{at: msg.SentAt, result: &msg}
		if inboundStatusOf(msg.Status) == DeliveryFailed {
			c.failed, c.why = true, "status "+msg.Status+" (record "+strconv.FormatInt(msg.ID, 10)+")"
		} else {
			records = append(records, strconv.FormatInt(msg.ID, 10))
		}
		l.found = append(l.found, c)
	}
	if len(records) > 0 {
		l.note = "Chattu record " + strings.Join(records, ", ") + " (the sent-messages list carries no WhatsApp id)"
	}
	return l.resolution(), nil
}
