package voxio

import (
	"bytes"
	"errors"
	"time"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// Inbound Relay event names, as Voxio sends them in X-Voxio-Event and in the
// payload's "event".
const (
	EventIncomingMessage = "incoming_message"
	EventMessageStatus   = "message_status"
)

// Message directions, as Message.Direction and relay payloads spell them.
const (
	// DirectionInbound is a message a contact sent to the account.
	DirectionInbound = "inbound"
	// DirectionOutbound is a message the account sent.
	DirectionOutbound = "outbound"
)

// ChannelWhatsApp is the channel of every relay event Voxio documents.
const ChannelWhatsApp = "whatsapp"

// Event is one Inbound Relay delivery: *IncomingMessage, *MessageStatusEvent
// or, for an event this package does not know, *UnknownEvent. Switch on the
// type:
//
//	switch ev := ev.(type) {
//	case *voxio.IncomingMessage:
//	case *voxio.MessageStatusEvent:
//	default: // ev.Info().Raw() holds the payload
//	}
type Event interface {
	// EventName is the event's name ("incoming_message").
	EventName() string
	// Info returns the fields every event carries, including the raw body.
	Info() *EventInfo
}

// EventInfo holds what every relay payload carries. Raw returns the exact
// body Voxio signed.
type EventInfo struct {
	// Event is the event's name. The payload's own "event" field is used,
	// since the body is signed and the X-Voxio-Event header is not; the
	// header is the fallback when the payload has none.
	Event string `json:"event"`
	// HeaderEvent is the X-Voxio-Event header as it arrived ("" from
	// ParseEvent unless given). It is not signed, so Event is the one to
	// trust; a mismatch is worth logging.
	HeaderEvent string `json:"-"`
	// Channel is the messaging channel, ChannelWhatsApp.
	Channel string `json:"channel"`
	// UserID is the Voxio account's user.
	UserID int64 `json:"user_id"`
	// WhatsAppAccountID is the sender account (connected number) the event
	// belongs to; with several numbers, route on it.
	WhatsAppAccountID int64 `json:"whatsapp_account_id"`
	// SentAt is when Voxio says the event happened.
	SentAt time.Time `json:"sent_at"`
	// SignedAt is the delivery's X-Voxio-Timestamp (zero from ParseEvent).
	SignedAt time.Time `json:"-"`
	// ClientID is the delivery's X-Voxio-Client-Id, already checked against
	// the accepted credentials: during a rotation it tells which pair Voxio
	// used (zero from ParseEvent). The client secret is never kept.
	ClientID string `json:"-"`
	transport.RawJSON
}

// EventName implements Event.
func (e *EventInfo) EventName() string { return e.Event }

// Info implements Event.
func (e *EventInfo) Info() *EventInfo { return e }

// IncomingMessage is a message a contact sent to one of the account's
// WhatsApp numbers.
type IncomingMessage struct {
	EventInfo
	// Conversation's Status is usually ConversationStatusUnknown with
	// StatusText "open": the relay names statuses with words.
	Conversation Conversation `json:"conversation"`
	// Contact's Mobile is the full number with the country code
	// ("628123456789") and Name its display name.
	Contact Contact `json:"contact"`
	// Message is what the contact sent: Type ("text"), Text, Direction
	// (DirectionInbound) and ProviderMessageID (WhatsApp's "wamid...").
	Message Message `json:"message"`
}

// MessageStatusEvent reports a new status of a message sent through the
// API: delivered, read, failed.
type MessageStatusEvent struct {
	EventInfo
	// Conversation is the conversation the message belongs to.
	Conversation Conversation `json:"conversation"`
	// Contact is the message's recipient.
	Contact Contact `json:"contact"`
	// Message is the message whose status changed (its ID is the one Send
	// returned in SendResult.Message).
	Message Message `json:"message"`
	// Status is the message's new status (Message.Status, or the payload's
	// top-level "status" when the message carries none).
	Status MessageStatus `json:"status"`
}

// UnknownEvent is an event this package does not model; Info().Raw() holds
// the verified payload.
type UnknownEvent struct {
	EventInfo
}

var errEventNotObject = errors.New("voxio: relay payload is not a JSON object")

// ParseEvent decodes a relay payload that has already been verified (for
// example by a queue consumer re-reading a stored delivery). headerEvent is
// the X-Voxio-Event header, kept in HeaderEvent and used as the name only
// when the payload names no event.
// Unknown fields and unknown events are kept, never an error; a body that is
// not a JSON object is. The event keeps its own copy of body.
func ParseEvent(body []byte, headerEvent string) (Event, error) {
	return parseEvent(bytes.Clone(body), headerEvent)
}

// parseEvent is ParseEvent over a body the event may keep as its Raw (the
// handler's, read for this delivery alone).
func parseEvent(body []byte, headerEvent string) (Event, error) {
	ms, err := loose.Members(body) // validates the whole payload once
	if err != nil {
		return nil, errEventNotObject
	}
	m := object(ms)
	info := EventInfo{
		Event:             m.text("event"),
		Channel:           m.text("channel"),
		UserID:            m.int("user_id"),
		WhatsAppAccountID: m.int("whatsapp_account_id"),
		SentAt:            m.time("sent_at"),
	}
	info.HeaderEvent = headerEvent
	if info.Event == "" {
		info.Event = headerEvent
	}
	if info.Event == "" {
		info.Event = "unknown"
	}
	info.SetRaw(body)
	var conv Conversation
	var contact Contact
	var msg Message
	if raw := m.obj("conversation"); raw != nil {
		conv = decodeConversation(raw)
	}
	if raw := m.obj("contact"); raw != nil {
		contact = decodeContact(raw)
	}
	if raw := m.obj("message"); raw != nil {
		msg = decodeMessage(raw)
		if msg.ConversationID == 0 {
			msg.ConversationID = conv.ID
		}
	}
	switch info.Event {
	case EventIncomingMessage:
		return &IncomingMessage{EventInfo: info, Conversation: conv, Contact: contact, Message: msg}, nil
	case EventMessageStatus:
		ev := &MessageStatusEvent{EventInfo: info, Conversation: conv, Contact: contact, Message: msg, Status: msg.Status}
		if m.has("status") && (msg.StatusText == "" || ev.Status == MessageStatusUnknown) {
			text := m.text("status")
			ev.Status = messageStatusOf(text)
			if msg.StatusText == "" {
				ev.Message.Status = ev.Status
				ev.Message.StatusText = text
			}
		}
		return ev, nil
	}
	return &UnknownEvent{EventInfo: info}, nil
}
