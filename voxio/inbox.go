package voxio

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// Conversation is an inbox conversation with one contact. Voxio documents
// only part of the object; the rest stays reachable through Raw.
type Conversation struct {
	// ID is the conversation_id the inbox calls take.
	ID int64 `json:"id"`
	// Status is the inbox status (done, pending, important, or 0 for
	// none).
	Status ConversationStatus `json:"status"`
	// StatusText is the status exactly as sent: "2" from the API, or a word
	// such as the relay's "open", which Status reports as
	// ConversationStatusUnknown.
	StatusText string `json:"-"`
	// ContactID is the contact the conversation is with.
	ContactID int64 `json:"contact_id,omitempty"`
	// WhatsAppAccountID is the sender account (connected number) it runs
	// on.
	WhatsAppAccountID int64 `json:"whatsapp_account_id,omitempty"`
	// Contact is the contact, when the answer includes it (nil otherwise).
	Contact *Contact `json:"contact,omitempty"`
	// LastMessage is the latest message, when the answer includes it.
	LastMessage *Message `json:"last_message,omitempty"`
	// CreatedAt and UpdatedAt are Voxio's timestamps (zero when absent).
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	transport.RawJSON
}

// UnmarshalJSON decodes leniently (see Contact.UnmarshalJSON).
func (c *Conversation) UnmarshalJSON(b []byte) error {
	return unmarshalObject(b, c, decodeConversation)
}

func decodeConversation(raw []byte) Conversation {
	m := objectOf(raw)
	status := m.text("status")
	c := Conversation{
		ID:                m.int("id"),
		Status:            conversationStatusOf(status),
		StatusText:        status,
		ContactID:         m.int("contact_id"),
		WhatsAppAccountID: m.int("whatsapp_account_id"),
		CreatedAt:         m.time("created_at"),
		UpdatedAt:         m.time("updated_at"),
	}
	if raw := m.obj("contact"); raw != nil {
		ct := decodeContact(raw)
		c.Contact = &ct
		if c.ContactID == 0 {
			c.ContactID = ct.ID
		}
	}
	if raw := m.obj("last_message", "lastMessage"); raw != nil {
		msg := decodeMessage(raw)
		c.LastMessage = &msg
	}
	c.SetRaw(raw)
	return c
}

// Message is a WhatsApp message in a conversation, or the message of an
// incoming_message relay event.
type Message struct {
	// ID is Voxio's message id, the one message_status events name.
	ID int64 `json:"id"`
	// ConversationID is the conversation the message belongs to.
	ConversationID int64 `json:"conversation_id,omitempty"`
	// Type is the kind of content: "text", "image", "document"...
	Type string `json:"type,omitempty"`
	// Text is the message body ("text" in relay events, "message" in the
	// API).
	Text string `json:"text,omitempty"`
	// Direction is DirectionInbound or DirectionOutbound.
	Direction string `json:"direction,omitempty"`
	// Status is the delivery state (data.message.status: 1 sent,
	// 2 delivered, 3 read, 9 failed).
	Status MessageStatus `json:"status"`
	// StatusText is the status exactly as sent.
	StatusText string `json:"-"`
	// ProviderMessageID is WhatsApp's id for the message ("wamid...").
	ProviderMessageID string `json:"provider_message_id,omitempty"`
	// CreatedAt is when the message was stored (zero when absent).
	CreatedAt time.Time `json:"created_at"`
	transport.RawJSON
}

// UnmarshalJSON decodes leniently (see Contact.UnmarshalJSON).
func (msg *Message) UnmarshalJSON(b []byte) error { return unmarshalObject(b, msg, decodeMessage) }

func decodeMessage(raw []byte) Message {
	m := objectOf(raw)
	status := m.text("status")
	msg := Message{
		ID:                m.int("id"),
		ConversationID:    m.int("conversation_id"),
		Type:              m.text("type"),
		Text:              m.free("text", "message", "body"),
		Direction:         m.text("direction"),
		Status:            messageStatusOf(status),
		StatusText:        status,
		ProviderMessageID: m.text("provider_message_id", "whatsapp_message_id", "wamid"),
		CreatedAt:         m.time("created_at"),
	}
	msg.SetRaw(raw)
	return msg
}

// ConversationListParams filters the conversation list. All fields are
// optional.
type ConversationListParams struct {
	// Status filters by status; ConversationAll (the zero value) lists every
	// conversation.
	Status ConversationStatus `url:"status,omitempty"`
	// WhatsAppAccountID limits the list to one sender account.
	WhatsAppAccountID int64 `url:"whatsapp_account_id,omitempty"`
	// FromNumber limits the list to one sender number.
	FromNumber string `url:"from_number,omitempty"`
	// Page is the page to fetch (default 1).
	Page int `url:"page,omitempty"`
	// Paginate is the number of conversations per page (default 20).
	Paginate int `url:"paginate,omitempty"`
}

func (p *ConversationListParams) validate() error {
	if !p.Status.Valid() {
		return invalid("status", "must be 0 (all), 1 (done), 2 (pending), 3 (important) or 4 (unread)")
	}
	if p.Page < 0 {
		return invalid("page", "must not be negative")
	}
	if p.Paginate < 0 {
		return invalid("paginate", "must not be negative")
	}
	if p.WhatsAppAccountID < 0 {
		return invalid("whatsapp_account_id", "must not be negative")
	}
	return checkOptionalNumber("from_number", p.FromNumber)
}

// ConversationList is one page of conversations (data.conversation).
type ConversationList struct {
	Envelope
	// Conversations are this page's conversations, each with its contact.
	Conversations []Conversation
	// Pagination is the paginator's position.
	Pagination Pagination
	transport.RawJSON
}

// Conversations returns one page of the inbox (GET
// /inbox/conversation-list), with each conversation's contact.
func (s *InboxService) Conversations(ctx context.Context, params *ConversationListParams) (*ConversationList, error) {
	if params == nil {
		params = &ConversationListParams{}
	}
	if err := params.validate(); err != nil {
		return nil, err
	}
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodGet, Path: "/inbox/conversation-list", Query: params}, decodeConversationList)
}

// ConversationsAll walks every page of the inbox from params.Page.
func (s *InboxService) ConversationsAll(ctx context.Context, params *ConversationListParams) iter.Seq2[Conversation, error] {
	p := ConversationListParams{}
	if params != nil {
		p = *params
	}
	return transport.Pages(ctx, p.Page, func(ctx context.Context, page int) (transport.Page[Conversation], error) {
		q := p
		q.Page = page
		res, err := s.Conversations(ctx, &q)
		if err != nil {
			return transport.Page[Conversation]{}, err
		}
		return transport.Page[Conversation]{Items: res.Conversations, Last: res.Pagination.lastOf(page)}, nil
	})
}

func decodeConversationList(resp *transport.Response) (*ConversationList, error) {
	env, err := envelopeOf(resp)
	if err != nil {
		return nil, err
	}
	items, pg, err := listIn(env.Data, "conversation", "conversations")
	if err != nil {
		return nil, err
	}
	res := &ConversationList{Envelope: env.Envelope}
	if res.Conversations, err = decodeItems(items, decodeConversation); err != nil {
		return nil, err
	}
	res.Pagination = pageOrOnly(pg, len(res.Conversations))
	res.SetRaw(resp.Body)
	return res, nil
}

// ConversationMessages is a conversation's messages with its contact.
type ConversationMessages struct {
	Envelope
	// Conversation and Contact are set when the answer includes them.
	Conversation *Conversation
	Contact      *Contact
	// Messages are the conversation's messages, as Voxio orders them.
	Messages []Message
	// Pagination is set when Voxio paginates the messages; otherwise the
	// answer is reported as a single page.
	Pagination Pagination
	transport.RawJSON
}

// ConversationMessages fetches a conversation's messages with contact and
// media information (GET /inbox/conversation-messages/{conversation_id}).
func (s *InboxService) ConversationMessages(ctx context.Context, conversationID int64) (*ConversationMessages, error) {
	return s.conversationMessages(ctx, conversationID, 0)
}

// ConversationMessagesAll walks every message of a conversation. Voxio does
// not document paging for this endpoint; when its answer is a Laravel
// paginator, the following pages are fetched with the paginator's own page
// parameter, as its next_page_url does.
func (s *InboxService) ConversationMessagesAll(ctx context.Context, conversationID int64) iter.Seq2[Message, error] {
	return transport.Pages(ctx, 1, func(ctx context.Context, page int) (transport.Page[Message], error) {
		res, err := s.conversationMessages(ctx, conversationID, page)
		if err != nil {
			return transport.Page[Message]{}, err
		}
		return transport.Page[Message]{Items: res.Messages, Last: res.Pagination.lastOf(page)}, nil
	})
}

func (s *InboxService) conversationMessages(ctx context.Context, conversationID int64, page int) (*ConversationMessages, error) {
	if err := checkID("conversation_id", conversationID); err != nil {
		return nil, err
	}
	req := &transport.Request{Method: http.MethodGet, Path: idPath("/inbox/conversation-messages/", conversationID)}
	if page > 1 {
		req.Query = url.Values{"page": {strconv.Itoa(page)}}
	}
	return transport.Call(ctx, s.tc, req, decodeConversationMessages)
}

func decodeConversationMessages(resp *transport.Response) (*ConversationMessages, error) {
	env, err := envelopeOf(resp)
	if err != nil {
		return nil, err
	}
	items, pg, err := listIn(env.Data, "messages", "conversation_messages")
	if err != nil {
		return nil, err
	}
	res := &ConversationMessages{Envelope: env.Envelope}
	if res.Messages, err = decodeItems(items, decodeMessage); err != nil {
		return nil, err
	}
	res.Pagination = pageOrOnly(pg, len(res.Messages))
	if m := objectOf(env.Data); m != nil {
		if raw := m.obj("conversation"); raw != nil {
			if _, _, isPage := asPaginator(raw); !isPage {
				c := decodeConversation(raw)
				res.Conversation = &c
			}
		}
		if raw := m.obj("contact"); raw != nil {
			c := decodeContact(raw)
			res.Contact = &c
		} else if res.Conversation != nil && res.Conversation.Contact != nil {
			res.Contact = res.Conversation.Contact
		}
	}
	res.SetRaw(resp.Body)
	return res, nil
}

// Note is a note written on a conversation or contact.
type Note struct {
	// ID is the note's id (0 when Voxio sent the note as plain text).
	ID int64 `json:"id"`
	// Note is the text.
	Note string `json:"note"`
	// CreatedAt is when it was written (zero when absent).
	CreatedAt time.Time `json:"created_at"`
	transport.RawJSON
}

// Tag is a tag on a contact or conversation.
type Tag struct {
	// ID is the tag's id (0 when Voxio sent the tag as plain text).
	ID int64 `json:"id"`
	// Name is the tag.
	Name string `json:"name"`
	transport.RawJSON
}

// List is a contact list the contact belongs to.
type List struct {
	// ID is the list's id (0 when Voxio sent the list as plain text).
	ID int64 `json:"id"`
	// Name is the list's name.
	Name string `json:"name"`
	transport.RawJSON
}

// ConversationDetails is a conversation with its contact, notes, tags and
// list associations.
type ConversationDetails struct {
	Envelope
	// Conversation and Contact are set when the answer includes them.
	Conversation *Conversation
	Contact      *Contact
	// Notes are the notes written on the conversation or its contact.
	Notes []Note
	// Tags are the contact's tags.
	Tags []Tag
	// Lists are the contact lists the contact belongs to.
	Lists []List
	transport.RawJSON
}

// ConversationDetails fetches everything Voxio knows about a conversation
// (GET /inbox/conversation-details/{conversation_id}).
func (s *InboxService) ConversationDetails(ctx context.Context, conversationID int64) (*ConversationDetails, error) {
	if err := checkID("conversation_id", conversationID); err != nil {
		return nil, err
	}
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodGet, Path: idPath("/inbox/conversation-details/", conversationID)}, decodeConversationDetails)
}

func decodeConversationDetails(resp *transport.Response) (*ConversationDetails, error) {
	env, err := envelopeOf(resp)
	if err != nil {
		return nil, err
	}
	res := &ConversationDetails{Envelope: env.Envelope}
	data := objectOf(env.Data)
	var conv, contact object
	if raw := data.obj("conversation"); raw != nil {
		c := decodeConversation(raw)
		res.Conversation = &c
		conv = objectOf(raw)
	}
	if raw := data.obj("contact"); raw != nil {
		c := decodeContact(raw)
		res.Contact = &c
		contact = objectOf(raw)
	} else if res.Conversation != nil && res.Conversation.Contact != nil {
		res.Contact = res.Conversation.Contact
		contact = objectOf(conv.obj("contact"))
	}
	// Notes, tags and lists may sit beside the conversation or inside it or
	// its contact; the first place that has them wins.
	scopes := []object{data, conv, contact}
	res.Notes = named(scopes, []string{"notes", "note"}, func(raw []byte) Note {
		m := objectOf(raw)
		n := Note{ID: m.int("id"), Note: m.free("note", "text", "message", "body"), CreatedAt: m.time("created_at")}
		n.SetRaw(raw)
		return n
	}, func(s string) Note { return Note{Note: s} })
	res.Tags = named(scopes, []string{"tags", "tag"}, func(raw []byte) Tag {
		m := objectOf(raw)
		t := Tag{ID: m.int("id"), Name: m.text("name", "title", "tag")}
		t.SetRaw(raw)
		return t
	}, func(s string) Tag { return Tag{Name: s} })
	res.Lists = named(scopes, []string{"lists", "contact_lists", "contact_list", "list"}, func(raw []byte) List {
		m := objectOf(raw)
		l := List{ID: m.int("id"), Name: m.text("name", "title")}
		l.SetRaw(raw)
		return l
	}, func(s string) List { return List{Name: s} })
	res.SetRaw(resp.Body)
	return res, nil
}

// named finds the first array under one of keys in the scopes and decodes
// its elements: objects with obj, plain strings with text.
func named[T any](scopes []object, keys []string, obj func([]byte) T, text func(string) T) []T {
	for _, sc := range scopes {
		for _, k := range keys {
			v := sc.get(k)
			if !isArray(v) {
				continue
			}
			var elems []json.RawMessage
			if json.Unmarshal(v, &elems) != nil {
				continue
			}
			out := make([]T, 0, len(elems))
			for _, e := range elems {
				switch {
				case isObject(e):
					out = append(out, obj(e))
				default:
					if s := scalar(e); s != "" {
						out = append(out, text(s))
					}
				}
			}
			return out
		}
	}
	return nil
}

// ChangeConversationStatus sets a conversation's status (POST
// /inbox/change-conversation-status/{conversation_id}). Only
// ConversationReset (0), ConversationDone, ConversationPending and
// ConversationImportant may be set.
//
// It is retried after a dropped connection or a 5xx: setting a status
// twice leaves it as setting it once.
func (s *InboxService) ChangeConversationStatus(ctx context.Context, conversationID int64, status ConversationStatus) (*Result, error) {
	if err := checkID("conversation_id", conversationID); err != nil {
		return nil, err
	}
	if status < ConversationReset || status > ConversationImportant {
		return nil, invalid("status", "must be 0 (reset), 1 (done), 2 (pending) or 3 (important)")
	}
	form := &transport.Multipart{Fields: url.Values{"status": {strconv.Itoa(int(status))}}}
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodPost, Path: idPath("/inbox/change-conversation-status/", conversationID), Multipart: form, Delivery: transport.Idempotent}, decodeResult)
}
