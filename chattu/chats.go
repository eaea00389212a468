package chattu

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// ChatsService is the dashboard's real-time chat interface. Every endpoint
// needs the login session (WithSessionCookie); Chattu allows 60 requests per
// minute.
type ChatsService struct{ c *Client }

// Ack is a message's acknowledgment status.
type Ack int

// Documented ack codes.
const (
	AckSent      Ack = 1
	AckDelivered Ack = 2
	AckRead      Ack = 3
)

// String names the documented codes.
func (a Ack) String() string {
	switch a {
	case AckSent:
		return "sent"
	case AckDelivered:
		return "delivered"
	case AckRead:
		return "read"
	}
	return "ack(" + strconv.Itoa(int(a)) + ")"
}

// serializedID reads {"_serialized": "..."} (or a bare string).
type serializedID string

// UnmarshalJSON accepts both forms WhatsApp ids take in Chattu's bodies.
func (s *serializedID) UnmarshalJSON(b []byte) error {
	if isObject(b) {
		var w struct {
			Serialized transport.String `json:"_serialized"`
		}
		if err := json.Unmarshal(b, &w); err != nil {
			return err
		}
		*s = serializedID(w.Serialized)
		return nil
	}
	var v transport.String
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = serializedID(v)
	return nil
}

// LastMessage is a chat's, group's or channel's latest message.
type LastMessage struct {
	Body      string
	Timestamp time.Time
	FromMe    bool
}

type lastMessageWire struct {
	Body      transport.String `json:"body"`
	Timestamp transport.Time   `json:"timestamp"`
	FromMe    transport.Bool   `json:"fromMe"`
}

func (w *lastMessageWire) value() LastMessage {
	return LastMessage{Body: string(w.Body), Timestamp: w.Timestamp.Time, FromMe: bool(w.FromMe)}
}

// Chat is a private (one-to-one) chat.
type Chat struct {
	// ID is the chat id ("9721234567@c.us").
	ID   ChatID
	Name string
	// ProfilePic is a URL, or "" when none.
	ProfilePic string
	// LastMessage is nil when the chat has none.
	LastMessage *LastMessage
	// Timestamp is the last activity.
	Timestamp   time.Time
	UnreadCount int64
	IsMuted     bool
	Pinned      bool
}

type chatWire struct {
	ID          serializedID     `json:"id"`
	Name        transport.String `json:"name"`
	ProfilePic  transport.String `json:"profilePic"`
	LastMessage *lastMessageWire `json:"lastMessage"`
	Timestamp   transport.Time   `json:"timestamp"`
	UnreadCount transport.Int    `json:"unreadCount"`
	IsMuted     transport.Bool   `json:"isMuted"`
	Pinned      transport.Bool   `json:"pinned"`
}

// UnmarshalJSON decodes the documented fields leniently.
func (c *Chat) UnmarshalJSON(b []byte) error {
	var w chatWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*c = Chat{
		ID: ChatID(w.ID), Name: string(w.Name), ProfilePic: string(w.ProfilePic), Timestamp: w.Timestamp.Time,
		UnreadCount: int64(w.UnreadCount), IsMuted: bool(w.IsMuted), Pinned: bool(w.Pinned),
	}
	if w.LastMessage != nil {
		lm := w.LastMessage.value()
		c.LastMessage = &lm
	}
	return nil
}

// Chats is {"chats": [...]}, most recent first.
type Chats struct {
	Chats []Chat
	transport.RawJSON
}

// UnmarshalJSON reads the documented envelope.
func (l *Chats) UnmarshalJSON(b []byte) error { return decodeList(b, &l.Chats, "chats") }

// ChatsParams names the client whose chats to list.
type ChatsParams struct {
	ClientID string
}

// List returns a client's private chats (groups are left out), most recent
// first.
func (s *ChatsService) List(ctx context.Context, p ChatsParams) (*Chats, error) {
	if err := checkClientID(p.ClientID); err != nil {
		return nil, err
	}
	out := &Chats{}
	if _, err := s.c.do(ctx, &call{auth: sessionAuth, req: &transport.Request{
		Method: http.MethodGet, Path: "/api/chats/" + url.PathEscape(p.ClientID), Header: jsonHeader(ctJSON),
	}}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Reaction is an emoji reaction to a message.
type Reaction struct {
	// Reaction is the emoji ("👍").
	Reaction string
	SenderID string
}

type reactionWire struct {
	Reaction transport.String `json:"reaction"`
	SenderID transport.String `json:"senderId"`
}

// ChatMessage is one message of a chat.
type ChatMessage struct {
	ID        string
	Body      string
	FromMe    bool
	Timestamp time.Time
	// Type is as sent: chat, image, video, audio, document...
	Type        string
	HasMedia    bool
	HasReaction bool
	// Reactions is nil when there are none (null).
	Reactions []Reaction
	Ack       Ack
	// Filename is the media file's name, "" when none.
	Filename string
}

type chatMessageWire struct {
	ID          serializedID     `json:"id"`
	Body        transport.String `json:"body"`
	FromMe      transport.Bool   `json:"fromMe"`
	Timestamp   transport.Time   `json:"timestamp"`
	Type        transport.String `json:"type"`
	HasMedia    transport.Bool   `json:"hasMedia"`
	HasReaction transport.Bool   `json:"hasReaction"`
	Reactions   []reactionWire   `json:"reactions"`
	Ack         transport.Int    `json:"ack"`
	Filename    transport.String `json:"filename"`
}

// UnmarshalJSON decodes the documented fields leniently.
func (m *ChatMessage) UnmarshalJSON(b []byte) error {
	var w chatMessageWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = ChatMessage{
		ID: string(w.ID), Body: string(w.Body), FromMe: bool(w.FromMe), Timestamp: w.Timestamp.Time, Type: string(w.Type),
		HasMedia: bool(w.HasMedia), HasReaction: bool(w.HasReaction), Ack: Ack(w.Ack), Filename: string(w.Filename),
	}
	for _, r := range w.Reactions {
		m.Reactions = append(m.Reactions, Reaction{Reaction: string(r.Reaction), SenderID: string(r.SenderID)})
	}
	return nil
}

// ChatMessages is {"messages": [...]}, earliest first.
type ChatMessages struct {
	Messages []ChatMessage
	transport.RawJSON
}

// UnmarshalJSON reads the documented envelope.
func (l *ChatMessages) UnmarshalJSON(b []byte) error {
	return decodeList(b, &l.Messages, "messages")
}

// ChatMessagesParams selects a chat's messages.
type ChatMessagesParams struct {
	ClientID string
	ChatID   ChatID
	// Limit is the most messages to return; 0 leaves Chattu's default (50).
	Limit int
}

// Messages returns a chat's messages, earliest first, with reactions and
// media information.
func (s *ChatsService) Messages(ctx context.Context, p ChatMessagesParams) (*ChatMessages, error) {
	if err := checkClientID(p.ClientID); err != nil {
		return nil, err
	}
	if err := p.ChatID.Validate(); err != nil {
		return nil, err
	}
	if p.Limit < 0 {
		return nil, transport.Invalid("limit", "must not be negative")
	}
	var q url.Values
	if p.Limit > 0 {
		q = url.Values{"limit": {strconv.Itoa(p.Limit)}}
	}
	out := &ChatMessages{}
	if _, err := s.c.do(ctx, &call{auth: sessionAuth, req: &transport.Request{
		Method: http.MethodGet, Path: chatPath(p.ClientID, p.ChatID) + "/messages", Query: q, Header: jsonHeader(ctJSON),
	}}, out); err != nil {
		return nil, err
	}
	return out, nil
}

func chatPath(clientID string, chat ChatID) string {
	return "/api/chats/" + url.PathEscape(clientID) + "/" + url.PathEscape(string(chat))
}

// SentMessageInfo is the message object send endpoints return.
type SentMessageInfo struct {
	ID        string
	Body      string
	Timestamp time.Time
	// Type is set by the group endpoints ("chat", "image"...).
	Type string
}

type sentInfoWire struct {
	ID        serializedID     `json:"id"`
	Body      transport.String `json:"body"`
	Timestamp transport.Time   `json:"timestamp"`
	Type      transport.String `json:"type"`
}

// UnmarshalJSON decodes the documented fields leniently.
func (m *SentMessageInfo) UnmarshalJSON(b []byte) error {
	var w sentInfoWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = SentMessageInfo{ID: string(w.ID), Body: string(w.Body), Timestamp: w.Timestamp.Time, Type: string(w.Type)}
	return nil
}

// SendResult is {"success": true, "message": {...}} from the chat and group
// send endpoints.
type SendResult struct {
	Success bool
	Message SentMessageInfo
	// GroupID and GroupName are set by Groups.Send.
	GroupID   GroupID
	GroupName string
	transport.RawJSON
}

type sendResultWire struct {
	Success   transport.Bool   `json:"success"`
	Message   json.RawMessage  `json:"message"`
	GroupID   transport.String `json:"groupId"`
	GroupName transport.String `json:"groupName"`
}

// UnmarshalJSON decodes the documented fields leniently.
func (r *SendResult) UnmarshalJSON(b []byte) error {
	var w sendResultWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	r.Success, r.GroupID, r.GroupName = bool(w.Success), GroupID(w.GroupID), string(w.GroupName)
	r.Message = SentMessageInfo{}
	if isObject(w.Message) {
		return json.Unmarshal(w.Message, &r.Message)
	}
	return nil
}

// ChatSendParams is a text message to a chat.
type ChatSendParams struct {
	ClientID string `json:"-"`
	ChatID   ChatID `json:"-"`
	// Message is required.
	Message string `json:"message"`
}

// Send sends a text message to a chat and broadcasts it to the dashboard.
// It is never repeated once written.
func (s *ChatsService) Send(ctx context.Context, p ChatSendParams) (*SendResult, error) {
	if err := checkClientID(p.ClientID); err != nil {
		return nil, err
	}
	if err := p.ChatID.Validate(); err != nil {
		return nil, err
	}
	if p.Message == "" {
		return nil, transport.Invalid("message", "required")
	}
	out := &SendResult{}
	if _, err := s.c.do(ctx, &call{auth: sessionAuth, req: &transport.Request{
		Method: http.MethodPost, Path: chatPath(p.ClientID, p.ChatID) + "/send", JSON: p,
	}}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// MarkReadParams names the chat to mark as read.
type MarkReadParams struct {
	ClientID string
	ChatID   ChatID
}

// MarkRead marks every message of a chat as read (sends the "seen"
// receipt). Doing it twice changes nothing, so it may be retried.
func (s *ChatsService) MarkRead(ctx context.Context, p MarkReadParams) (*Result, error) {
	if err := checkClientID(p.ClientID); err != nil {
		return nil, err
	}
	if err := p.ChatID.Validate(); err != nil {
		return nil, err
	}
	out := &Result{}
	if _, err := s.c.do(ctx, &call{auth: sessionAuth, req: &transport.Request{
		Method: http.MethodPost, Path: chatPath(p.ClientID, p.ChatID) + "/read", Header: jsonHeader(ctJSON), Delivery: transport.Idempotent,
	}}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// MediaParams names a message whose media to download.
type MediaParams struct {
	ClientID  string
	MessageID string
}

// Media downloads a message's media (GET
// /api/chats/:clientId/media/:messageId). The caller reads and closes the
// returned Stream; ContentType and FileName come from the response headers.
func (s *ChatsService) Media(ctx context.Context, p MediaParams) (*Stream, error) {
	if err := checkClientID(p.ClientID); err != nil {
		return nil, err
	}
	if p.MessageID == "" {
		return nil, transport.Invalid("messageId", "required")
	}
	return s.c.stream(ctx, &call{auth: sessionAuth, req: &transport.Request{
		Method: http.MethodGet, Path: "/api/chats/" + url.PathEscape(p.ClientID) + "/media/" + url.PathEscape(p.MessageID),
		Header: http.Header{"Content-Type": {ctJSON}, "Accept": {"*/*"}},
	}})
}
