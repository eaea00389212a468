package ourvoice

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

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
}

type wireMessage struct {
	ID                transport.String `json:"id"`
	WhatsAppSessionID transport.String `json:"whatsapp_session_id"`
	CampaignID        transport.String `json:"campaign_id"`
	OTPID             transport.String `json:"otp_id"`
	ProviderMessageID transport.String `json:"provider_message_id"`
	FromNumber        transport.String `json:"from_number"`
	ToNumber          numbers          `json:"to_number"`
	Type              transport.String `json:"type"`
	Content           transport.String `json:"content"`
	MediaURL          transport.String `json:"media_url"`
	Status            transport.String `json:"status"`
	Direction         transport.String `json:"direction"`
	Reason            transport.String `json:"reason"`
	Cost              transport.Float  `json:"cost"`
	SentAt            transport.Time   `json:"sent_at"`
	DeliveredAt       transport.Time   `json:"delivered_at"`
	ReadAt            transport.Time   `json:"read_at"`
	Metadata          json.RawMessage  `json:"metadata"`
	CreatedAt         transport.Time   `json:"created_at"`
	UpdatedAt         transport.Time   `json:"updated_at"`
}

// UnmarshalJSON decodes a message leniently (to_number as a string or an
// array, numbers as strings, "null" strings, metadata as a JSON string).
// Unknown members stay reachable through Raw.
func (m *Message) UnmarshalJSON(b []byte) error {
	var w wireMessage
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = Message{
		ID: string(w.ID), WhatsAppSessionID: string(w.WhatsAppSessionID), CampaignID: string(w.CampaignID),
		OTPID: string(w.OTPID), ProviderMessageID: string(w.ProviderMessageID), FromNumber: string(w.FromNumber),
		ToNumber: []string(w.ToNumber), Type: MessageType(lower(w.Type)), Content: string(w.Content),
		MediaURL: string(w.MediaURL), Status: MessageStatus(lower(w.Status)), Direction: Direction(lower(w.Direction)),
		Reason: string(w.Reason), Cost: float64(w.Cost),
		SentAt: w.SentAt.Time, DeliveredAt: w.DeliveredAt.Time, ReadAt: w.ReadAt.Time,
		Metadata: metadata(w.Metadata), CreatedAt: w.CreatedAt.Time, UpdatedAt: w.UpdatedAt.Time,
	}
	m.SetRaw(append(json.RawMessage(nil), b...))
	return nil
}

func lower(s transport.String) string { return strings.ToLower(strings.TrimSpace(string(s))) }

// metadata normalises the metadata member: null and "null" give nil, a
// string holding JSON gives that JSON, anything else is kept as sent.
func metadata(raw json.RawMessage) json.RawMessage {
	if isNullJSON(raw) {
		return nil
	}
	t := bytes.TrimSpace(raw)
	if t[0] == '"' {
		var s string
		if json.Unmarshal(t, &s) == nil {
			if inner := bytes.TrimSpace([]byte(s)); json.Valid(inner) && len(inner) > 0 && (inner[0] == '{' || inner[0] == '[') {
				return append(json.RawMessage(nil), inner...)
			}
		}
	}
	return append(json.RawMessage(nil), t...)
}

// numbers is a list of phone numbers sent as an array, a single string, a
// number, or a string holding a JSON array.
type numbers []string

func (n *numbers) UnmarshalJSON(b []byte) error {
	*n = nil
	if isNullJSON(b) {
		return nil
	}
	t := bytes.TrimSpace(b)
	if t[0] == '[' {
		var items []transport.String
		if err := json.Unmarshal(t, &items); err != nil {
			return err
		}
		for _, it := range items {
			if s := strings.TrimSpace(string(it)); s != "" {
				*n = append(*n, s)
			}
		}
		return nil
	}
	var s transport.String
	if err := json.Unmarshal(t, &s); err != nil {
		return err
	}
	str := strings.TrimSpace(string(s))
	if strings.HasPrefix(str, "[") {
		var inner numbers
		if err := json.Unmarshal([]byte(str), &inner); err == nil {
			*n = inner
			return nil
		}
	}
	if str != "" {
		*n = numbers{str}
	}
	return nil
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
			return q, transport.Invalid(fmt.Sprintf("filter[to_number][%d]", i), "must not be blank")
		}
	}
	if p.Status != "" && !p.Status.valid() {
		return q, transport.Invalid("filter[status]", "one of queued, sent, delivered, read, failed, scheduled")
	}
	if p.Direction != "" && p.Direction != DirectionIncoming && p.Direction != DirectionOutgoing {
		return q, transport.Invalid("filter[direction]", "one of incoming, outgoing")
	}
	if p.Type != "" && !p.Type.valid() {
		return q, transport.Invalid("filter[type]", "one of text, image, video, audio, document")
	}
	if p.SessionID != "" {
		if err := checkID("session_id", p.SessionID); err != nil {
			return q, err
		}
	}
	if !p.TimeFrom.IsZero() && !p.TimeTo.IsZero() && p.TimeTo.Before(p.TimeFrom) {
		return q, transport.Invalid("time_to", "must not be before time_from")
	}
	if p.Limit < 0 {
		return q, transport.Invalid("limit", "must not be negative")
	}
	if p.Page < 0 {
		return q, transport.Invalid("page", "must not be negative")
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
		return "", messageQuery{}, transport.Invalid("session_id", "set by the path; leave params.SessionID empty")
	}
	q, err := params.query()
	if err != nil {
		return "", q, err
	}
	return "/whatsapp/messages/" + url.PathEscape(sessionID) + "/session", q, nil
}

func (s *MessagesService) list(ctx context.Context, path string, q messageQuery) (*MessageList, error) {
	resp, err := s.tc.Do(ctx, &transport.Request{Method: http.MethodGet, Path: path, Query: q, Header: jsonHeaders()}, nil)
	if err != nil {
		return nil, err
	}
	return decodeMessageList(resp.Body, path, resp.StatusCode)
}

func decodeMessageList(body []byte, path string, status int) (*MessageList, error) {
	items, info, err := decodeList[Message](body, "messages")
	if err != nil {
		return nil, decodeFailure(http.MethodGet, path, status, err)
	}
	l := &MessageList{Messages: items, Links: info.Links, Meta: info.Meta, info: info}
	l.SetRaw(body)
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
	resp, err := s.tc.Do(ctx, &transport.Request{Method: http.MethodGet, Path: path, Header: jsonHeaders()}, nil)
	if err != nil {
		return nil, err
	}
	return decodeMessage(resp.Body, path, resp.StatusCode)
}

func decodeMessage(body []byte, path string, status int) (*Message, error) {
	// "message" holds the text "Message queued for sending" in send
	// answers, so it is only taken when it is an object.
	var out Message
	if err := json.Unmarshal(unwrapObject(body, "data", "message"), &out); err != nil {
		return nil, decodeFailure(http.MethodGet, path, status, err)
	}
	return &out, nil
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
		return nil, transport.Invalid("params", "required")
	}
	if err := checkID("whatsapp_session_id", p.WhatsAppSessionID); err != nil {
		return nil, err
	}
	if len(p.ToNumber) == 0 {
		return nil, transport.Invalid("to_number", "at least one recipient is required")
	}
	seen := make(map[string]bool, len(p.ToNumber))
	for i, n := range p.ToNumber {
		field := fmt.Sprintf("to_number[%d]", i)
		if !validNumber(n) {
			return nil, transport.Invalid(field, "international format: digits, optional leading +, 6 to 15 digits")
		}
		key := strings.TrimPrefix(n, "+")
		if seen[key] {
			return nil, transport.Invalid(field, "repeats a number; each recipient would get the message twice")
		}
		seen[key] = true
	}
	if !p.Type.valid() {
		return nil, transport.Invalid("type", "one of text, image, video, audio, document")
	}
	if !utf8.ValidString(p.Content) {
		return nil, transport.Invalid("content", "must be valid UTF-8")
	}
	if p.Type == TypeText && strings.TrimSpace(p.Content) == "" {
		return nil, transport.Invalid("content", "required when type is text")
	}
	if p.Type == TypeText && p.MediaURL != "" {
		return nil, transport.Invalid("media_url", "only for image, video, audio and document")
	}
	if p.Type.Media() {
		if strings.TrimSpace(p.MediaURL) == "" {
			return nil, transport.Invalid("media_url", "required when type is "+string(p.Type))
		}
		u, err := url.Parse(p.MediaURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, transport.Invalid("media_url", "must be an absolute http or https URL")
		}
	}
	w := &sendWire{WhatsAppSessionID: p.WhatsAppSessionID, ToNumber: p.ToNumber, Type: string(p.Type), Content: p.Content, MediaURL: p.MediaURL}
	if p.DelayBetween != nil {
		d := *p.DelayBetween
		if d < 0 {
			return nil, transport.Invalid("delay_between", "must not be negative")
		}
		if d%time.Millisecond != 0 {
			return nil, transport.Invalid("delay_between", "must be a whole number of milliseconds")
		}
		ms := d.Milliseconds()
		w.DelayBetween = &ms
	}
	return w, nil
}

func validNumber(n string) bool {
	digits := strings.TrimPrefix(n, "+")
	if len(digits) < 6 || len(digits) > 15 {
		return false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
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

type sendResultWire struct {
	Message json.RawMessage `json:"message"`
	Data    struct {
		Messages          []Message       `json:"messages"`
		Count             transport.Int   `json:"count"`
		TotalCost         transport.Float `json:"total_cost"`
		NewBalance        transport.Float `json:"new_balance"`
		RemainingMessages transport.Int   `json:"remaining_messages"`
	} `json:"data"`
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
	const path = "/whatsapp/messages"
	resp, err := s.tc.Do(ctx, &transport.Request{Method: http.MethodPost, Path: path, JSON: w, Delivery: transport.AtMostOnce}, nil)
	if err != nil {
		return nil, err
	}
	return decodeSendResult(resp.Body, resp.StatusCode)
}

func decodeSendResult(body []byte, status int) (*SendResult, error) {
	var w sendResultWire
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, decodeFailure(http.MethodPost, "/whatsapp/messages", status, err)
	}
	out := &SendResult{
		Message: jsonText(w.Message), Messages: w.Data.Messages, Count: int(w.Data.Count),
		TotalCost: float64(w.Data.TotalCost), NewBalance: float64(w.Data.NewBalance), RemainingMessages: int(w.Data.RemainingMessages),
	}
	out.SetRaw(body)
	return out, nil
}
