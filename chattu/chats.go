package chattu

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/switchboard-go/switchboard/internal/loose"
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

// LastMessage is a chat's, group's or channel's latest message.
type LastMessage struct {
	// Body is the text ("" for media without a caption).
	Body string
	// Timestamp is when it was sent or received.
	Timestamp time.Time
	// FromMe is true when the client itself sent it.
	FromMe bool
}

type lastMessageWire struct {
	Body      loose.String `json:"body"`
	Timestamp loose.Time   `json:"timestamp"`
	FromMe    loose.Bool   `json:"fromMe"`
}

// lastMessageOf reads a lastMessage member: nil unless it is an object.
func lastMessageOf(raw json.RawMessage) *LastMessage {
	var w lastMessageWire
	if !decodeValue(raw, &w) {
		return nil
	}
	return &LastMessage{Body: string(w.Body), Timestamp: w.Timestamp.Time, FromMe: bool(w.FromMe)}
}

// Chat is a private (one-to-one) chat.
type Chat struct {
	// ID is the chat id ("9721234567@c.us").
	ID ChatID
	// Name is the contact's name, or the phone number when there is none.
	Name string
	// ProfilePic is a URL, or "" when none.
	ProfilePic string
	// LastMessage is nil when the chat has none.
	LastMessage *LastMessage
	// Timestamp is the last activity.
	Timestamp time.Time
	// UnreadCount is how many messages are unread; MarkRead clears it.
	UnreadCount int64
	// IsMuted reports that notifications are muted.
	IsMuted bool
	// Pinned reports that the chat is pinned in the list.
	Pinned bool
}

type chatWire struct {
	ID          serializedID    `json:"id"`
	Name        loose.String    `json:"name"`
	ProfilePic  loose.String    `json:"profilePic"`
	LastMessage json.RawMessage `json:"lastMessage"`
	Timestamp   loose.Time      `json:"timestamp"`
	UnreadCount loose.Int       `json:"unreadCount"`
	IsMuted     loose.Bool      `json:"isMuted"`
	Pinned      loose.Bool      `json:"pinned"`
}

func (w *chatWire) value() Chat {
	return Chat{
		ID: ChatID(w.ID), Name: string(w.Name), ProfilePic: string(w.ProfilePic), LastMessage: lastMessageOf(w.LastMessage),
		Timestamp: w.Timestamp.Time, UnreadCount: int64(w.UnreadCount), IsMuted: bool(w.IsMuted), Pinned: bool(w.Pinned),
	}
}

// Chats is {"chats": [...]}, most recent first.
type Chats struct {
	// Chats are the private chats, most recent activity first.
	Chats []Chat
	transport.RawJSON
}

func decodeChats(resp *transport.Response) (*Chats, error) {
	l := &Chats{}
	raw, _, err := listIn(resp, "chats")
	if err != nil {
		return nil, err
	}
	if l.Chats, err = decodeList(raw, (*chatWire).value); err != nil {
		return nil, err
	}
	l.SetRaw(resp.Body)
	return l, nil
}

// List returns the private chats (groups are left out) of the WhatsApp
// client clientID, most recent first (GET /api/chats/:clientId).
func (s *ChatsService) List(ctx context.Context, clientID string) (*Chats, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	return do(ctx, s.c, &endpoint{auth: sessionAuth, req: &transport.Request{
		Method: http.MethodGet, Path: "/api/chats/" + url.PathEscape(clientID), Header: jsonHeader(ctJSON),
	}}, decodeChats)
}

// Reaction is an emoji reaction to a message.
type Reaction struct {
	// Reaction is the emoji ("👍").
	Reaction string
	// SenderID is who reacted ("9721234567@c.us").
	SenderID string
}

type reactionWire struct {
	Reaction loose.String `json:"reaction"`
	SenderID loose.String `json:"senderId"`
}

// ChatMessage is one message of a chat.
type ChatMessage struct {
	// ID is the WhatsApp message id (id._serialized), the one Media takes.
	ID string
	// Body is the text, or the caption of a media message.
	Body string
	// FromMe is true for messages the client sent.
	FromMe bool
	// Timestamp is when the message was sent or received.
	Timestamp time.Time
	// Type is as sent: chat, image, video, audio, document...
	Type string
	// HasMedia reports media that Media can download.
	HasMedia bool
	// HasReaction reports that Reactions is not empty.
	HasReaction bool
	// Reactions is nil when there are none (null).
	Reactions []Reaction
	// Ack is the delivery state of a sent message (sent, delivered, read).
	Ack Ack
	// Filename is the media file's name, "" when none.
	Filename string
}

type chatMessageWire struct {
	ID          serializedID    `json:"id"`
	Body        loose.String    `json:"body"`
	FromMe      loose.Bool      `json:"fromMe"`
	Timestamp   loose.Time      `json:"timestamp"`
	Type        loose.String    `json:"type"`
	HasMedia    loose.Bool      `json:"hasMedia"`
	HasReaction loose.Bool      `json:"hasReaction"`
	Reactions   []*reactionWire `json:"reactions"`
	Ack         loose.Int       `json:"ack"`
	Filename    loose.String    `json:"filename"`
}

func (w *chatMessageWire) value() ChatMessage {
	m := ChatMessage{
		ID: string(w.ID), Body: string(w.Body), FromMe: bool(w.FromMe), Timestamp: w.Timestamp.Time, Type: string(w.Type),
		HasMedia: bool(w.HasMedia), HasReaction: bool(w.HasReaction), Ack: Ack(w.Ack), Filename: string(w.Filename),
	}
	for _, r := range w.Reactions {
		if r != nil {
			m.Reactions = append(m.Reactions, Reaction{Reaction: string(r.Reaction), SenderID: string(r.SenderID)})
		}
	}
	return m
}

// ChatMessages is {"messages": [...]}, earliest first.
type ChatMessages struct {
	// Messages are the chat's messages, earliest first.
	Messages []ChatMessage
	transport.RawJSON
}

func decodeChatMessages(resp *transport.Response) (*ChatMessages, error) {
	l := &ChatMessages{}
	raw, _, err := listIn(resp, "messages")
	if err != nil {
		return nil, err
	}
	if l.Messages, err = decodeList(raw, (*chatMessageWire).value); err != nil {
		return nil, err
	}
	l.SetRaw(resp.Body)
	return l, nil
}

// ChatMessagesParams filters a chat's messages. A nil *ChatMessagesParams
// leaves Chattu's defaults.
type ChatMessagesParams struct {
	// Limit is the most messages to return; 0 leaves Chattu's default (50).
	Limit int
}

// Messages returns the messages of the private chat chatID ("9721234567@c.us";
// see UserChat) of the WhatsApp client clientID, earliest first, with
// reactions and media information (GET /api/chats/:clientId/:chatId/messages).
// opts may be nil for Chattu's default limit.
func (s *ChatsService) Messages(ctx context.Context, clientID string, chatID ChatID, opts *ChatMessagesParams) (*ChatMessages, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	if err := chatID.Validate(); err != nil {
		return nil, err
	}
	var q url.Values
	if opts != nil {
		if opts.Limit < 0 {
			return nil, invalid("limit", "must not be negative")
		}
		if opts.Limit > 0 {
			q = url.Values{"limit": {strconv.Itoa(opts.Limit)}}
		}
	}
	return do(ctx, s.c, &endpoint{auth: sessionAuth, req: &transport.Request{
		Method: http.MethodGet, Path: chatPath(clientID, chatID) + "/messages", Query: q, Header: jsonHeader(ctJSON),
	}}, decodeChatMessages)
}

func chatPath(clientID string, chat ChatID) string {
	return "/api/chats/" + url.PathEscape(clientID) + "/" + url.PathEscape(string(chat))
}

// SentMessageInfo is the message object send endpoints return.
type SentMessageInfo struct {
	// ID is the WhatsApp message id (id._serialized).
	ID string
	// Body is the text as WhatsApp stored it.
	Body string
	// Timestamp is when WhatsApp accepted the message.
	Timestamp time.Time
	// Type is set by the group endpoints ("chat", "image"...).
	Type string
}

type sentInfoWire struct {
	ID        serializedID `json:"id"`
	Body      loose.String `json:"body"`
	Timestamp loose.Time   `json:"timestamp"`
	Type      loose.String `json:"type"`
}

// SendResult is {"success": true, "message": {...}} from the chat and group
// send endpoints.
type SendResult struct {
	// Success is Chattu's "success" flag; a failure is returned as *Error instead.
	Success bool
	// Message is the message as WhatsApp accepted it.
	Message SentMessageInfo
	// GroupID and GroupName are set by Groups.Send.
	GroupID GroupID
	// GroupName is the group's or channel's name (Groups.Send only).
	GroupName string
	transport.RawJSON
}

func decodeSendResult(resp *transport.Response) (*SendResult, error) {
	r := &SendResult{}
	if isEmpty(resp) {
		return r, nil
	}
	o, err := envelope(resp)
	if err != nil {
		return nil, err
	}
	r.Success, r.GroupID, r.GroupName = boolOf(o.get("success")), GroupID(textOf(o.get("groupId"))), textOf(o.get("groupName"))
	var w sentInfoWire
	if decodeValue(o.get("message"), &w) {
		r.Message = SentMessageInfo{ID: string(w.ID), Body: string(w.Body), Timestamp: w.Timestamp.Time, Type: string(w.Type)}
	}
	r.SetRaw(resp.Body)
	return r, nil
}

// ChatSendParams is the body of a text message to a chat.
type ChatSendParams struct {
	// Message is required.
	Message string `json:"message"`
}

// Send sends a text message from the WhatsApp client clientID to the
// private chat chatID and broadcasts it to the dashboard (POST
// /api/chats/:clientId/:chatId/send). It is never repeated once written.
func (s *ChatsService) Send(ctx context.Context, clientID string, chatID ChatID, p ChatSendParams) (*SendResult, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	if err := chatID.Validate(); err != nil {
		return nil, err
	}
	if p.Message == "" {
		return nil, invalid("message", "required")
	}
	return do(ctx, s.c, &endpoint{auth: sessionAuth, req: &transport.Request{
		Method: http.MethodPost, Path: chatPath(clientID, chatID) + "/send", JSON: &p,
	}}, decodeSendResult)
}

// MarkRead marks every message of the private chat chatID of the WhatsApp
// client clientID as read (sends the "seen" receipt; POST
// /api/chats/:clientId/:chatId/read). Doing it twice changes nothing, so it
// may be retried.
func (s *ChatsService) MarkRead(ctx context.Context, clientID string, chatID ChatID) (*Result, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	if err := chatID.Validate(); err != nil {
		return nil, err
	}
	return do(ctx, s.c, &endpoint{auth: sessionAuth, req: &transport.Request{
		Method: http.MethodPost, Path: chatPath(clientID, chatID) + "/read", Header: jsonHeader(ctJSON), Delivery: transport.Idempotent,
	}}, decodeResult)
}

// Media downloads the media of the message messageID (ChatMessage.ID) seen
// by the WhatsApp client clientID (GET
// /api/chats/:clientId/media/:messageId). The caller reads and closes the
// returned Stream; ContentType and FileName come from the response headers.
func (s *ChatsService) Media(ctx context.Context, clientID, messageID string) (*Stream, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	if messageID == "" {
		return nil, invalid("messageId", "required")
	}
	return s.c.stream(ctx, &endpoint{auth: sessionAuth, req: &transport.Request{
		Method: http.MethodGet, Path: "/api/chats/" + url.PathEscape(clientID) + "/media/" + url.PathEscape(messageID),
		Header: http.Header{"Content-Type": {ctJSON}, "Accept": {"*/*"}},
	}})
}
