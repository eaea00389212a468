package ourvoice

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// MessageType is the kind of content a message carries.
type MessageType string

// The documented message types.
const (
	TypeText     MessageType = "text"
	TypeImage    MessageType = "image"
	TypeVideo    MessageType = "video"
	TypeAudio    MessageType = "audio"
	TypeDocument MessageType = "document"
)

// String returns the type as Our Voice spells it.
func (t MessageType) String() string { return string(t) }

// Media reports a type that needs a media_url.
func (t MessageType) Media() bool {
	return t == TypeImage || t == TypeVideo || t == TypeAudio || t == TypeDocument
}

func (t MessageType) valid() bool { return t == TypeText || t.Media() }

// MessageStatus is where a message is on its way to the recipient.
type MessageStatus string

// The documented message statuses. An outgoing message normally moves
// queued -> sent -> delivered -> read, or ends in failed.
const (
	MessageQueued    MessageStatus = "queued"
	MessageSent      MessageStatus = "sent"
	MessageDelivered MessageStatus = "delivered"
	MessageRead      MessageStatus = "read"
	MessageFailed    MessageStatus = "failed"
	MessageScheduled MessageStatus = "scheduled"
)

// String returns the status as Our Voice spells it.
func (s MessageStatus) String() string { return string(s) }

// Reached reports that the message got to the recipient's phone (delivered
// or read).
func (s MessageStatus) Reached() bool { return s == MessageDelivered || s == MessageRead }

func (s MessageStatus) valid() bool {
	switch s {
	case MessageQueued, MessageSent, MessageDelivered, MessageRead, MessageFailed, MessageScheduled:
		return true
	}
	return false
}

// Direction says whether the account sent or received a message.
type Direction string

// The documented directions.
const (
	DirectionIncoming Direction = "incoming"
	DirectionOutgoing Direction = "outgoing"
)

// String returns the direction as Our Voice spells it.
func (d Direction) String() string { return string(d) }

// Message is one WhatsApp message, to or from a session of the account.
type Message struct {
	transport.RawJSON
	// ID is the message's uuid.
	ID string
	// WhatsAppSessionID is the session it went through.
	WhatsAppSessionID string
	// CampaignID is set for messages sent from a campaign.
	CampaignID string
	// OTPID is set for messages sent as an OTP from an app.
	OTPID string
	// ProviderMessageID is the WhatsApp gateway's id, once sent.
	ProviderMessageID string
	// FromNumber is the sender's phone number.
	FromNumber string
	// ToNumber holds the recipients. The docs model it as an array, but a
	// sent message carries a single string; both decode here.
	ToNumber []string
	// Type is the kind of content: text or one of the media types.
	Type MessageType
	// Content is the text, or a media message's caption.
	Content string
	// MediaURL is the media file of an image, video, audio or document.
	MediaURL string
	// Status is where the message is; follow it with Get or List.
	Status MessageStatus
	// Direction says whether the account sent it (outgoing) or received
	// it (incoming).
	Direction Direction
	// Reason explains a failed status.
	Reason string
	// Cost is what the message cost the account.
	Cost float64
	// SentAt, DeliveredAt and ReadAt are zero until the message gets there.
	SentAt      time.Time
	DeliveredAt time.Time
	ReadAt      time.Time
	// Metadata is the message's extra data (webhook events, retry info) as
	// JSON, decoded from an object or from a string holding one; nil when
	// absent.
	Metadata json.RawMessage
	// CreatedAt is when Our Voice created (queued or received) it; the
	// time filters compare against it.
	CreatedAt time.Time
	// UpdatedAt is when its status last changed.
	UpdatedAt time.Time

	// from locates the message's JSON in the answer it came in, for Raw.
	from rawItem
}

// rawItem is item index of a JSON list: the list is found in the object
// parent by key, a member name or a dotted path of them ("data.messages"),
// or is parent itself when key is "".
type rawItem struct {
	parent json.RawMessage
	key    string
	index  int
}

// Raw returns the JSON the message was decoded from, with the members the
// SDK does not model. A message that came in a list (a send answer, a
// page) finds its JSON in that answer when asked, so that reading the
// answer costs one pass over it and Raw costs nothing until it is called.
func (m *Message) Raw() json.RawMessage {
	if r := m.RawJSON.Raw(); r != nil || m.from.parent == nil {
		return r
	}
	list := m.from.parent
	for _, k := range strings.Split(m.from.key, ".") {
		if k == "" {
			break
		}
		ms, err := object(list)
		if err != nil {
			return nil
		}
		if list, _ = member(ms, k); list == nil {
			return nil
		}
	}
	var items []json.RawMessage
	if json.Unmarshal(list, &items) != nil || m.from.index >= len(items) {
		return nil
	}
	return items[m.from.index]
}

// UnmarshalJSON decodes a message leniently (to_number as a string or an
// array, numbers as strings, "null" strings, metadata as a JSON string), so
// that a Message stored as JSON reads back as the API gave it. Unknown
// members stay reachable through Raw. Only a value that is not a JSON
// object fails.
func (m *Message) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	out, err := decodeMessageObject(bytes.Clone(b))
	if err != nil {
		return err
	}
	*m = out
	return nil
}

// wireMessage is a message as Our Voice sends it.
type wireMessage struct {
	ID                textField     `json:"id"`
	WhatsAppSessionID textField     `json:"whatsapp_session_id"`
	CampaignID        textField     `json:"campaign_id"`
	OTPID             textField     `json:"otp_id"`
	ProviderMessageID textField     `json:"provider_message_id"`
	FromNumber        textField     `json:"from_number"`
	ToNumber          phoneList     `json:"to_number"`
	Type              enumField     `json:"type"`
	Content           bodyText      `json:"content"`
	MediaURL          textField     `json:"media_url"`
	Status            enumField     `json:"status"`
	Direction         enumField     `json:"direction"`
	Reason            textField     `json:"reason"`
	Cost              loose.Float   `json:"cost"`
	SentAt            loose.Time    `json:"sent_at"`
	DeliveredAt       loose.Time    `json:"delivered_at"`
	ReadAt            loose.Time    `json:"read_at"`
	Metadata          metadataField `json:"metadata"`
	CreatedAt         loose.Time    `json:"created_at"`
	UpdatedAt         loose.Time    `json:"updated_at"`
}

// decodeMessageObject reads one message object, in one pass: every field
// type reads its own bytes. The result's Raw is b, which must not change
// afterwards.
func decodeMessageObject(b []byte) (Message, error) {
	var w wireMessage
	if err := loose.Unmarshal(b, &w); err != nil {
		return Message{}, err
	}
	m := w.message()
	m.SetRaw(bytes.TrimSpace(b))
	return m, nil
}

// decodeMessageItems reads the JSON list items of messages, whose place in
// the answer is list item i of the member key of parent (or of parent
// itself when key is ""), in one pass. A list that is not a list of
// objects is the answer's structure and fails.
func decodeMessageItems(items json.RawMessage, parent json.RawMessage, key string) ([]Message, error) {
	var w []wireMessage
	if err := json.Unmarshal(items, &w); err != nil {
		return nil, err
	}
	return messagesFrom(w, parent, key), nil
}

func messagesFrom(w []wireMessage, parent json.RawMessage, key string) []Message {
	if len(w) == 0 {
		return nil
	}
	out := make([]Message, len(w))
	for i := range w {
		out[i] = w[i].message()
		out[i].from = rawItem{parent: parent, key: key, index: i}
	}
	return out
}

func (w *wireMessage) message() Message {
	return Message{
		ID: string(w.ID), WhatsAppSessionID: string(w.WhatsAppSessionID), CampaignID: string(w.CampaignID),
		OTPID: string(w.OTPID), ProviderMessageID: string(w.ProviderMessageID), FromNumber: string(w.FromNumber),
		ToNumber: []string(w.ToNumber), Type: MessageType(w.Type), Content: string(w.Content), MediaURL: string(w.MediaURL),
		Status: MessageStatus(w.Status), Direction: Direction(w.Direction), Reason: string(w.Reason), Cost: float64(w.Cost),
		SentAt: w.SentAt.Time, DeliveredAt: w.DeliveredAt.Time, ReadAt: w.ReadAt.Time,
		Metadata: json.RawMessage(w.Metadata), CreatedAt: w.CreatedAt.Time, UpdatedAt: w.UpdatedAt.Time,
	}
}

// MessagesService sends WhatsApp messages and reads them back:
// /v1/whatsapp/messages.
type MessagesService struct {
	tc *transport.Client
}

// ListMessagesParams filters a message listing. Every field is optional;
// the zero value lists the first page of all messages.
type ListMessagesParams struct {
	// ToNumber keeps messages to any of these numbers
	// (filter[to_number][]).
	ToNumber []string
	// FromNumber keeps messages from this number (filter[from_number]).
	FromNumber string
	// Status keeps messages in this status (filter[status]).
	Status MessageStatus
	// Direction keeps incoming or outgoing messages (filter[direction]).
	Direction Direction
	// Type keeps messages of this type (filter[type]).
	Type MessageType
	// SessionID keeps messages of one session, by uuid or gateway
	// session_id (session_id). Not allowed with ListBySession, whose path
	// names the session.
	SessionID string
	// TimeFrom is the start of the creation-time range (time_from), sent
	// as ISO 8601 in UTC. Zero means unbounded.
	TimeFrom time.Time
	// TimeTo is the end of the creation-time range (time_to), sent as ISO
	// 8601 in UTC. Zero means unbounded.
	TimeTo time.Time
	// Limit is the page size (limit); Our Voice's default is 10.
	Limit int
	// Page is the 1-based page to fetch (page); 0 means the first.
	Page int
}

type messageQuery struct {
	ToNumber   []string `url:"filter[to_number],brackets,omitempty"`
	FromNumber string   `url:"filter[from_number],omitempty"`
	Status     string   `url:"filter[status],omitempty"`
	Direction  string   `url:"filter[direction],omitempty"`
	Type       string   `url:"filter[type],omitempty"`
	SessionID  string   `url:"session_id,omitempty"`
	TimeFrom   string   `url:"time_from,omitempty"`
	TimeTo     string   `url:"time_to,omitempty"`
	Limit      int      `url:"limit,omitempty"`
	Page       int      `url:"page,omitempty"`
}

// isoLayout is how Our Voice writes its own timestamps
// ("2024-01-15T10:30:00.000000Z"); filters are sent the same way, in UTC.
const isoLayout = "2006-01-02T15:04:05.000000Z07:00"

// FormatTime renders t as the time filters expect it (ISO 8601, UTC,
// microseconds), the way Our Voice writes its own timestamps.
func FormatTime(t time.Time) string { return t.UTC().Format(isoLayout) }

func (p *ListMessagesParams) query() (messageQuery, error) {
	var q messageQuery
	if p == nil {
		return q, nil
	}
	for i, n := range p.ToNumber {
		if strings.TrimSpace(n) == "" {
			return q, invalid(fmt.Sprintf("filter[to_number][%d]", i), "must not be blank")
		}
	}
	if p.Status != "" && !p.Status.valid() {
		return q, invalid("filter[status]", "one of queued, sent, delivered, read, failed, scheduled")
	}
	if p.Direction != "" && p.Direction != DirectionIncoming && p.Direction != DirectionOutgoing {
		return q, invalid("filter[direction]", "one of incoming, outgoing")
	}
	if p.Type != "" && !p.Type.valid() {
		return q, invalid("filter[type]", "one of text, image, video, audio, document")
	}
	if p.SessionID != "" {
		if err := checkID("session_id", p.SessionID); err != nil {
			return q, err
		}
	}
	if !p.TimeFrom.IsZero() && !p.TimeTo.IsZero() && p.TimeTo.Before(p.TimeFrom) {
		return q, invalid("time_to", "must not be before time_from")
	}
	if p.Limit < 0 {
		return q, invalid("limit", "must not be negative")
	}
	if p.Page < 0 {
		return q, invalid("page", "must not be negative")
	}
	q = messageQuery{
		ToNumber: p.ToNumber, FromNumber: p.FromNumber, Status: string(p.Status), Direction: string(p.Direction),
		Type: string(p.Type), SessionID: p.SessionID, Limit: p.Limit, Page: p.Page,
	}
	if !p.TimeFrom.IsZero() {
		q.TimeFrom = FormatTime(p.TimeFrom)
	}
	if !p.TimeTo.IsZero() {
		q.TimeTo = FormatTime(p.TimeTo)
	}
	return q, nil
}

// MessageList is one page of messages.
type MessageList struct {
	transport.RawJSON
	// Messages are the page's items, in the order Our Voice sent them.
	Messages []Message
	// Links are the URLs of the neighbouring pages ("" when none).
	Links Links
	// Meta says which page this is, of how many, and the total.
	Meta Meta
	info pageInfo
}

// HasMore reports whether another page follows this one.
func (l *MessageList) HasMore() bool { return !l.info.last() }

// List returns one page of the account's messages (GET /whatsapp/messages)
// matching params, which may be nil.
func (s *MessagesService) List(ctx context.Context, params *ListMessagesParams) (*MessageList, error) {
	q, err := params.query()
	if err != nil {
		return nil, err
	}
	return s.list(ctx, "/whatsapp/messages", q)
}

// ListAll walks every message matching params, from params.Page (or the
// first page), fetching pages as they are consumed. It stops at the first
// error, which it yields once.
func (s *MessagesService) ListAll(ctx context.Context, params *ListMessagesParams) iter.Seq2[Message, error] {
	return s.all(ctx, params, "/whatsapp/messages")
}

// ListBySession returns one page of a session's messages (GET
// /whatsapp/messages/{session_id}/session). sessionID is the session's uuid
// or its gateway session_id. params may be nil and takes the same filters as
// List, except SessionID.
func (s *MessagesService) ListBySession(ctx context.Context, sessionID string, params *ListMessagesParams) (*MessageList, error) {
	path, q, err := bySession(sessionID, params)
	if err != nil {
		return nil, err
	}
	return s.list(ctx, path, q)
}

// ListBySessionAll walks every message of a session matching params.
func (s *MessagesService) ListBySessionAll(ctx context.Context, sessionID string, params *ListMessagesParams) iter.Seq2[Message, error] {
	path, _, err := bySession(sessionID, params)
	if err != nil {
		return func(yield func(Message, error) bool) { yield(Message{}, err) }
	}
	return s.all(ctx, params, path)
}

func bySession(sessionID string, params *ListMessagesParams) (string, messageQuery, error) {
	if err := checkID("session_id", sessionID); err != nil {
		return "", messageQuery{}, err
	}
	if params != nil && params.SessionID != "" {
		return "", messageQuery{}, invalid("session_id", "set by the path; leave params.SessionID empty")
	}
	q, err := params.query()
	if err != nil {
		return "", q, err
	}
	return "/whatsapp/messages/" + url.PathEscape(sessionID) + "/session", q, nil
}

func (s *MessagesService) list(ctx context.Context, path string, q messageQuery) (*MessageList, error) {
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodGet, Path: path, Query: q, Header: jsonHeaders()}, decodeMessageList)
}

func decodeMessageList(resp *transport.Response) (*MessageList, error) {
	raw, info, err := decodeList(resp, "messages")
	if err != nil {
		return nil, err
	}
	var items []Message
	if raw != nil {
		if items, err = decodeMessageItems(raw, raw, ""); err != nil {
			return nil, err
		}
	}
	l := &MessageList{Messages: items, Links: info.Links, Meta: info.Meta, info: info}
	l.SetRaw(resp.Body)
	return l, nil
}

func (s *MessagesService) all(ctx context.Context, params *ListMessagesParams, path string) iter.Seq2[Message, error] {
	q, err := params.query()
	if err != nil {
		return func(yield func(Message, error) bool) { yield(Message{}, err) }
	}
	start := q.Page
	return transport.Pages(ctx, start, func(ctx context.Context, page int) (transport.Page[Message], error) {
		pq := q
		pq.Page = page
		if page == 1 && start == 0 {
			pq.Page = 0 // as documented: the first page carries no page parameter
		}
		l, err := s.list(ctx, path, pq)
		if err != nil {
			return transport.Page[Message]{}, err
		}
		if err := checkPage(l.info, page); err != nil {
			return transport.Page[Message]{}, err
		}
		return transport.Page[Message]{Items: l.Messages, Last: l.info.last()}, nil
	})
}

// Get returns one message (GET /whatsapp/messages/{id}), for instance to
// follow its status after Send.
func (s *MessagesService) Get(ctx context.Context, id string) (*Message, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	path := "/whatsapp/messages/" + url.PathEscape(id)
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodGet, Path: path, Header: jsonHeaders()}, decodeMessage)
}

// decodeMessage reads {"success": true, "data": {...}}, the message under
// "message", or a bare message object.
func decodeMessage(resp *transport.Response) (*Message, error) {
	env := envelopeOf(resp)
	if env.err != nil {
		return nil, env.err
	}
	// "message" holds the text "Message queued for sending" in send
	// answers, so it is only taken when it is an object.
	for _, k := range []string{"data", "message"} {
		if v, ok := env.get(k); ok && isObject(v) {
			m, err := decodeMessageObject(v)
			return &m, err
		}
	}
	m, err := decodeMessageObject(resp.Body)
	return &m, err
}

// SendMessageParams is one message to send to one or more recipients.
type SendMessageParams struct {
	// WhatsAppSessionID is the uuid of the connected session to send from
	// (whatsapp_session_id). Required.
	WhatsAppSessionID string
	// ToNumber lists the recipients in international format, digits with an
	// optional leading "+" ("22996000000"). Required, no duplicates.
	ToNumber []string
	// Type is the content type. Required.
	Type MessageType
	// Content is the text (required for TypeText) or a media caption.
	Content string
	// MediaURL is a publicly reachable http(s) URL of the media file;
	// required for every type but text.
	MediaURL string
	// DelayBetween is the pause between recipients (delay_between, whole
	// milliseconds). nil leaves Our Voice's default of 500ms; use Delay(0)
	// for none.
	DelayBetween *time.Duration
}

// Delay returns a pointer to d, for SendMessageParams.DelayBetween.
func Delay(d time.Duration) *time.Duration { return &d }

type sendWire struct {
	WhatsAppSessionID string   `json:"whatsapp_session_id"`
	ToNumber          []string `json:"to_number"`
	Type              string   `json:"type"`
	Content           string   `json:"content,omitempty"`
	MediaURL          string   `json:"media_url,omitempty"`
	DelayBetween      *int64   `json:"delay_between,omitempty"`
}

func (p *SendMessageParams) wire() (*sendWire, error) {
	if p == nil {
		return nil, invalid("params", "required")
	}
	if err := checkID("whatsapp_session_id", p.WhatsAppSessionID); err != nil {
		return nil, err
	}
	if len(p.ToNumber) == 0 {
		return nil, invalid("to_number", "at least one recipient is required")
	}
	seen := make(map[string]bool, len(p.ToNumber))
	for i, n := range p.ToNumber {
		if !validNumber(n) {
			return nil, invalid(fmt.Sprintf("to_number[%d]", i), "international format: digits, optional leading +, 6 to 15 digits")
		}
		key := strings.TrimPrefix(n, "+")
		if seen[key] {
			return nil, invalid(fmt.Sprintf("to_number[%d]", i), "repeats a number; each recipient would get the message twice")
		}
		seen[key] = true
	}
	if !p.Type.valid() {
		return nil, invalid("type", "one of text, image, video, audio, document")
	}
	if !utf8.ValidString(p.Content) {
		return nil, invalid("content", "must be valid UTF-8")
	}
	if p.Type == TypeText && strings.TrimSpace(p.Content) == "" {
		return nil, invalid("content", "required when type is text")
	}
	if p.Type == TypeText && p.MediaURL != "" {
		return nil, invalid("media_url", "only for image, video, audio and document")
	}
	if p.Type.Media() {
		if strings.TrimSpace(p.MediaURL) == "" {
			return nil, invalid("media_url", "required when type is "+string(p.Type))
		}
		u, err := url.Parse(p.MediaURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, invalid("media_url", "must be an absolute http or https URL")
		}
	}
	w := &sendWire{WhatsAppSessionID: p.WhatsAppSessionID, ToNumber: p.ToNumber, Type: string(p.Type), Content: p.Content, MediaURL: p.MediaURL}
	if p.DelayBetween != nil {
		d := *p.DelayBetween
		if d < 0 {
			return nil, invalid("delay_between", "must not be negative")
		}
		if d%time.Millisecond != 0 {
			return nil, invalid("delay_between", "must be a whole number of milliseconds")
		}
		ms := d.Milliseconds()
		w.DelayBetween = &ms
	}
	return w, nil
}

func validNumber(n string) bool {
	digits := strings.TrimPrefix(n, "+")
	return len(digits) >= 6 && len(digits) <= 15 && loose.IsDigits(digits)
}

// SendResult is Our Voice's answer to Send: the queued messages (one per
// recipient) and the account's balance after paying for them.
type SendResult struct {
	transport.RawJSON
	// Message is Our Voice's text ("Message queued for sending").
	Message string
	// Messages are the created messages, normally queued.
	Messages []Message
	// Count is how many messages were created.
	Count int
	// TotalCost is what they cost together.
	TotalCost float64
	// NewBalance is the account balance after the charge.
	NewBalance float64
	// RemainingMessages is how many more messages the balance pays for.
	RemainingMessages int
}

// sendData is the "data" member of a send answer. Its numbers are read
// leniently; only messages, the documented list, must have its shape.
type sendData struct {
	Messages          []wireMessage `json:"messages"`
	Count             loose.Int     `json:"count"`
	TotalCost         loose.Float   `json:"total_cost"`
	NewBalance        loose.Float   `json:"new_balance"`
	RemainingMessages loose.Int     `json:"remaining_messages"`
}

// Send sends one message to every number in params.ToNumber through a
// connected session (POST /whatsapp/messages). Our Voice queues one message
// per recipient and charges for them at once.
//
// A send is never repeated once any of it was written to the connection:
// if the answer is lost, the error matches ErrMaybeDelivered and the
// messages may exist. Look for them (Messages.List with ToNumber and
// TimeFrom) before sending again. A 429 or a 503 with Retry-After, which
// Our Voice answers without acting, is retried.
func (s *MessagesService) Send(ctx context.Context, params SendMessageParams) (*SendResult, error) {
	w, err := params.wire()
	if err != nil {
		return nil, err
	}
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodPost, Path: "/whatsapp/messages", JSON: w, Delivery: transport.AtMostOnce}, decodeSendResult)
}

// sendAnswer is the documented 201 answer to a send.
type sendAnswer struct {
	Message textField `json:"message"`
	Data    sendData  `json:"data"`
}

// decodeSendResult reads the documented 201 answer:
// {"success", "message", "data": {"messages": [...], "count", ...}}, in
// one pass over its bytes: the whole body when the failure hook left it
// unread (the common case), else the data member of what the hook read.
// Every member but messages reads leniently and cannot fail, so a failure
// here is the answer's structure: not an object, data not an object,
// messages not a list of objects.
func decodeSendResult(resp *transport.Response) (*SendResult, error) {
	// One allocation holds the result and the wire it is read from.
	a := &struct {
		res  SendResult
		wire sendAnswer
	}{}
	out, w := &a.res, &a.wire
	parent, key := json.RawMessage(resp.Body), "data.messages"
	if env, ok := resp.Envelope.(*envelope); ok && env != nil {
		if env.err != nil {
			return nil, env.err
		}
		msg, _ := env.get("message")
		w.Message = textField(text(msg))
		if data, ok := env.get("data"); ok && !absent(data) {
			if !isObject(data) {
				return nil, errors.New("data is not an object")
			}
			if err := json.Unmarshal(data, &w.Data); err != nil {
				return nil, err
			}
			parent, key = data, "messages"
		}
	} else {
		if !isObject(resp.Body) {
			return nil, errors.New("the answer is not a JSON object")
		}
		if err := json.Unmarshal(resp.Body, w); err != nil {
			return nil, err
		}
	}
	out.Message = string(w.Message)
	out.Messages = messagesFrom(w.Data.Messages, parent, key)
	out.Count = int(w.Data.Count)
	out.TotalCost, out.NewBalance = float64(w.Data.TotalCost), float64(w.Data.NewBalance)
	out.RemainingMessages = int(w.Data.RemainingMessages)
	out.SetRaw(resp.Body)
	return out, nil
}
