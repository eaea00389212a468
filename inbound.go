package switchboard

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/voxio"
)

// Inbound is one message a customer sent to one of the account's numbers,
// whichever vendor carried it: code that answers customers handles this
// one type instead of Voxio's relay events, Chattu's webhooks and Our
// Voice's message lists. The converters (VoxioInbound, ChattuInbound,
// OurVoiceInbound) build it from the vendor's own value, and an Inbox
// hands every one of them to one callback.
//
// A field the vendor does not send stays zero; Raw keeps everything it
// did send.
type Inbound struct {
	// Provider is the vendor that carried the message.
	Provider Provider
	// From is the sender's number, ready to reply to through any Sender,
	// read from the vendor's international digits with ParseDigits.
	// It is the zero Phone when the vendor named a sender that is not a
	// phone number (a WhatsApp group or channel id, a malformed number);
	// Sender keeps what it sent.
	From Phone
	// Sender is the sender exactly as the vendor wrote it
	// ("628123456789", "972501234567@c.us").
	Sender string
	// SenderName is the sender's display name, where the vendor sends it
	// (Voxio's contact name).
	SenderName string
	// To is the account's number that received the message, where known:
	// Our Voice names it; for Voxio and Chattu, whose events name an
	// account instead, an Inbox fills it from WithInboxNumber.
	To Phone
	// Account is the receiving account as the vendor names it, for
	// routing a reply through the same one: Voxio's whatsapp_account_id
	// ("24"), Chattu's client id, Our Voice's session uuid.
	Account string
	// Text is the message's text, or a media message's caption. It is
	// passed on as sent: any UTF-8, right-to-left scripts and emoji
	// included.
	Text string
	// Media describes an attachment, when the vendor reports one; nil for
	// a text message.
	Media *InboundMedia
	// ID is the vendor's id for the message: Voxio's message id ("9001"),
	// Our Voice's message uuid. Chattu's webhook carries none, so it is ""
	// there. Use it to deduplicate.
	ID string
	// ProviderMessageID is WhatsApp's own id for the message, where the
	// vendor passes it on (Voxio "wamid...", Our Voice's
	// provider_message_id).
	ProviderMessageID string
	// Time is when the vendor says the message arrived (Voxio's message
	// or event time, Chattu's timestamp, Our Voice's created_at); zero
	// when it gave none.
	Time time.Time
	// Raw is the vendor's payload as received: the whole Voxio relay
	// body, the whole Chattu webhook body, the Our Voice message object.
	Raw json.RawMessage
	// Cursor is set for messages an Inbox polls (Our Voice): the
	// position just after this message, as ourvoice.Cursor text. Store
	// it with the message's effects and pass it to WatchOurVoice after a
	// restart, and every message is handed over exactly once. It is ""
	// for messages the vendor pushes.
	Cursor string
}

// InboundMedia is an attachment of an Inbound message, as far as the
// vendor describes it.
type InboundMedia struct {
	// Type is the vendor's kind of content: "image", "video", "audio",
	// "document", or another word the vendor uses ("sticker").
	Type string
	// URL is where the file can be fetched, when the vendor gives one
	// (Our Voice's media_url).
	URL string
	// ContentType is the file's MIME type, when the vendor gives one.
	ContentType string
	// Filename is the file's name, when the vendor gives one.
	Filename string
}

// DeliveryStatus is where a sent message is on its way to the customer,
// in the words every vendor's statuses map to.
type DeliveryStatus string

// The delivery statuses, in the order a message goes through them.
const (
	// DeliveryUnknown is a status the vendor sent that maps to none of
	// the others; StatusUpdate.VendorStatus has it.
	DeliveryUnknown DeliveryStatus = ""
	// DeliveryQueued: accepted and waiting (queued, scheduled).
	DeliveryQueued DeliveryStatus = "queued"
	// DeliverySent: handed to WhatsApp.
	DeliverySent DeliveryStatus = "sent"
	// DeliveryDelivered: on the customer's phone.
	DeliveryDelivered DeliveryStatus = "delivered"
	// DeliveryRead: read by the customer.
	DeliveryRead DeliveryStatus = "read"
	// DeliveryFailed: it will not arrive; StatusUpdate.Reason may say why.
	DeliveryFailed DeliveryStatus = "failed"
)

// String returns the status's word, "unknown" for DeliveryUnknown.
func (s DeliveryStatus) String() string {
	if s == DeliveryUnknown {
		return "unknown"
	}
	return string(s)
}

// Final reports a status after which nothing more is expected (read,
// failed).
func (s DeliveryStatus) Final() bool { return s == DeliveryRead || s == DeliveryFailed }

// inboundStatusOf maps a vendor's status word to a DeliveryStatus.
func inboundStatusOf(word string) DeliveryStatus {
	switch strings.ToLower(strings.TrimSpace(word)) {
	case "queued", "scheduled", "pending", "accepted":
		return DeliveryQueued
	case "sent":
		return DeliverySent
	case "delivered":
		return DeliveryDelivered
	case "read", "seen", "played":
		return DeliveryRead
	case "failed", "error", "undelivered", "rejected":
		return DeliveryFailed
	}
	return DeliveryUnknown
}

// StatusUpdate is news about a message the account sent, whichever vendor
// reported it: Voxio's message_status relay events, Chattu's message_sent
// webhook, an Our Voice message read back. Only Voxio pushes every step;
// see each converter for what the others say.
type StatusUpdate struct {
	// Provider is the vendor that reported it.
	Provider Provider
	// MessageID is the vendor's id of the message, the one a Sender's
	// Receipt.ID holds (Voxio's message id, Our Voice's uuid); "" when
	// the vendor names none (Chattu's message_sent).
	MessageID string
	// ProviderMessageID is WhatsApp's id of the message, where the vendor
	// passes it on.
	ProviderMessageID string
	// To is the recipient's number, when the vendor names one that parses
	// (ParseDigits: vendors write the international digits without "+").
	To Phone
	// Recipient is the recipient exactly as the vendor wrote it.
	Recipient string
	// Account is the sending account as the vendor names it (Voxio's
	// whatsapp_account_id, Chattu's client id, Our Voice's session uuid).
	Account string
	// Status is the new status.
	Status DeliveryStatus
	// VendorStatus is the status as the vendor wrote it ("2",
	// "delivered"), for a Status of DeliveryUnknown in particular.
	VendorStatus string
	// Reason is the vendor's explanation of a failure, when it gives one.
	Reason string
	// Text is the message's text when the vendor repeats it (Chattu's
	// message_sent, Our Voice), the only way to tell which message a
	// Chattu update is about.
	Text string
	// Time is when the vendor says the status changed; zero when it gave
	// none.
	Time time.Time
	// Raw is the vendor's payload as received.
	Raw json.RawMessage
}

// inboundVoxioMedia are the message types whose content is a file.
var inboundVoxioMedia = map[string]bool{"image": true, "video": true, "audio": true, "document": true, "sticker": true, "voice": true, "ptt": true}

// VoxioInbound converts Voxio's incoming_message relay event. From is
// read from the contact's full number (the relay sends it with its country
// code), Account is the receiving whatsapp_account_id, ID Voxio's message
// id. The relay names no receiving number, so To stays zero (an Inbox fills
// it from WithInboxNumber). A media message gets an InboundMedia of its
// type; Voxio documents no file fields in relay events, so URL, ContentType
// and Filename are read only if the message carries media_url (or url),
// mime_type and file_name. It reports false for a nil event.
func VoxioInbound(ev *voxio.IncomingMessage) (Inbound, bool) {
	if ev == nil {
		return Inbound{}, false
	}
	in := Inbound{
		Provider:          Voxio,
		Sender:            ev.Contact.Mobile,
		SenderName:        ev.Contact.FullName(),
		Text:              ev.Message.Text,
		ProviderMessageID: ev.Message.ProviderMessageID,
		Time:              ev.Message.CreatedAt,
		Raw:               ev.Raw(),
	}
	if in.Time.IsZero() {
		in.Time = ev.SentAt
	}
	in.From = inboundVoxioPhone(&ev.Contact)
	if ev.WhatsAppAccountID != 0 {
		in.Account = strconv.FormatInt(ev.WhatsAppAccountID, 10)
	}
	if ev.Message.ID != 0 {
		in.ID = strconv.FormatInt(ev.Message.ID, 10)
	}
	if t := strings.ToLower(ev.Message.Type); inboundVoxioMedia[t] {
		m := &InboundMedia{Type: t}
		fields := inboundJSONStrings(ev.Message.Raw())
		m.URL = inboundFirst(fields, "media_url", "url", "file_url")
		m.ContentType = inboundFirst(fields, "mime_type", "mimetype", "content_type")
		m.Filename = inboundFirst(fields, "file_name", "filename")
		in.Media = m
	}
	return in, true
}

// inboundVoxioPhone reads a relay contact's number: the full number in
// Mobile, or MobileCode and Mobile apart as the API writes them.
func inboundVoxioPhone(c *voxio.Contact) Phone {
	if c.MobileCode != "" {
		if p, err := ParseDigits(c.MobileCode + c.Mobile); err == nil {
			return p
		}
	}
	p, _ := ParseDigits(c.Mobile)
	return p
}

// VoxioStatus converts Voxio's message_status relay event. MessageID is
// Voxio's message id, the Receipt.ID of a VoxioSender send, and the status
// maps scheduled to DeliveryQueued, 1 sent, 2 delivered, 3 read, 9 failed;
// a status Voxio does not number is read as a word, else DeliveryUnknown.
// Time is the event's sent_at. It reports false for a nil event.
func VoxioStatus(ev *voxio.MessageStatusEvent) (StatusUpdate, bool) {
	if ev == nil {
		return StatusUpdate{}, false
	}
	st := StatusUpdate{
		Provider:          Voxio,
		ProviderMessageID: ev.Message.ProviderMessageID,
		Recipient:         ev.Contact.Mobile,
		To:                inboundVoxioPhone(&ev.Contact),
		VendorStatus:      ev.Message.StatusText,
		Text:              ev.Message.Text,
		Time:              ev.SentAt,
		Raw:               ev.Raw(),
	}
	if st.VendorStatus == "" && ev.Status.Valid() {
		st.VendorStatus = strconv.Itoa(int(ev.Status))
	}
	if ev.Message.ID != 0 {
		st.MessageID = strconv.FormatInt(ev.Message.ID, 10)
	}
	if ev.WhatsAppAccountID != 0 {
		st.Account = strconv.FormatInt(ev.WhatsAppAccountID, 10)
	}
	switch ev.Status {
	case voxio.MessageScheduled:
		st.Status = DeliveryQueued
	case voxio.MessageSent:
		st.Status = DeliverySent
	case voxio.MessageDelivered:
		st.Status = DeliveryDelivered
	case voxio.MessageRead:
		st.Status = DeliveryRead
	case voxio.MessageFailed:
		st.Status = DeliveryFailed
	default:
		st.Status = inboundStatusOf(st.VendorStatus)
	}
	if st.Status == DeliveryFailed {
		st.Reason = inboundFirst(inboundJSONStrings(ev.Message.Raw()), "reason", "error", "failed_reason")
	}
	return st, true
}

// ChattuInbound converts Chattu's message_received webhook: From is
// data.from (a number, or a WhatsApp id such as "972501234567@c.us"),
// Account the receiving client id (data.to), Text the body, Time the
// timestamp. Chattu's webhook carries no message id and no media fields,
// so ID is "" and Media nil; Raw holds the whole body. It reports false
// for a nil event and for any other event: message_sent is the account's
// own outbound message (see ChattuStatus), never a customer's, and
// call_rejected is a call, not a message.
func ChattuInbound(ev *chattu.WebhookEvent) (Inbound, bool) {
	if ev == nil || ev.Type != chattu.EventMessageReceived || ev.MessageReceived == nil {
		return Inbound{}, false
	}
	m := ev.MessageReceived
	in := Inbound{
		Provider: Chattu,
		Sender:   m.From,
		Account:  m.To,
		Text:     m.Text(),
		Time:     m.Timestamp,
		Raw:      ev.Raw,
	}
	in.From, _ = ParseDigits(m.From)
	return in, true
}

// ChattuStatus converts Chattu's message_sent webhook, which Chattu sends
// when a message the account sent through the API has gone out: a
// StatusUpdate with DeliverySent, the recipient (data.to), the sending
// client id (data.from) and the text. Chattu names no message id there, so
// MessageID is "" and the update can only be matched to a send by
// recipient, text and time. Chattu reports no later status. It reports
// false for a nil event and any other event.
func ChattuStatus(ev *chattu.WebhookEvent) (StatusUpdate, bool) {
	if ev == nil || ev.Type != chattu.EventMessageSent || ev.MessageSent == nil {
		return StatusUpdate{}, false
	}
	m := ev.MessageSent
	st := StatusUpdate{
		Provider:     Chattu,
		Recipient:    m.To,
		Account:      m.From,
		Status:       DeliverySent,
		VendorStatus: string(ev.Type),
		Text:         m.Text(),
		Time:         m.Timestamp,
		Raw:          ev.Raw,
	}
	st.To, _ = ParseDigits(m.To)
	return st, true
}

// OurVoiceInbound converts an incoming Our Voice message (as
// Messages.List, Get or an ourvoice.Watcher returns it): From is
// from_number, To the session's number (to_number), Account the session
// uuid, ID the message uuid, Time created_at, and a media message gets an
// InboundMedia with its type and media_url. It reports false for nil and
// for an outgoing message (see OurVoiceStatus).
func OurVoiceInbound(m *ourvoice.Message) (Inbound, bool) {
	if m == nil || m.Direction != ourvoice.DirectionIncoming {
		return Inbound{}, false
	}
	in := Inbound{
		Provider:          OurVoice,
		Sender:            m.FromNumber,
		Account:           m.WhatsAppSessionID,
		Text:              m.Content,
		ID:                m.ID,
		ProviderMessageID: m.ProviderMessageID,
		Time:              m.CreatedAt,
		Raw:               m.Raw(),
	}
	in.From, _ = ParseDigits(m.FromNumber)
	if len(m.ToNumber) > 0 {
		in.To, _ = ParseDigits(m.ToNumber[0])
	}
	if m.Type != "" && m.Type != ourvoice.TypeText {
		in.Media = &InboundMedia{Type: string(m.Type), URL: m.MediaURL}
	}
	return in, true
}

// OurVoiceStatus reads the status of an outgoing Our Voice message (as
// Messages.Get or List returns it). Our Voice pushes nothing, so this is
// what polling a sent message gives: the status, the reason of a failure,
// and the time of the latest step reached (read_at, delivered_at, sent_at,
// else updated_at). It reports false for nil and for an incoming message.
func OurVoiceStatus(m *ourvoice.Message) (StatusUpdate, bool) {
	if m == nil || m.Direction == ourvoice.DirectionIncoming {
		return StatusUpdate{}, false
	}
	st := StatusUpdate{
		Provider:          OurVoice,
		MessageID:         m.ID,
		ProviderMessageID: m.ProviderMessageID,
		Account:           m.WhatsAppSessionID,
		Status:            inboundStatusOf(string(m.Status)),
		VendorStatus:      string(m.Status),
		Reason:            m.Reason,
		Text:              m.Content,
		Raw:               m.Raw(),
	}
	if len(m.ToNumber) > 0 {
		st.Recipient = m.ToNumber[0]
		st.To, _ = ParseDigits(m.ToNumber[0])
	}
	for _, t := range []time.Time{m.ReadAt, m.DeliveredAt, m.SentAt, m.UpdatedAt} {
		if !t.IsZero() {
			st.Time = t
			break
		}
	}
	return st, true
}

// inboundJSONStrings returns the members of a JSON object that are strings; nil
// for anything else.
func inboundJSONStrings(raw json.RawMessage) map[string]string {
	var obj map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &obj) != nil {
		return nil
	}
	out := make(map[string]string, len(obj))
	for k, v := range obj {
		var s string
		if json.Unmarshal(v, &s) == nil && s != "" && s != "null" {
			out[k] = s
		}
	}
	return out
}

// inboundFirst returns the first of keys set in m.
func inboundFirst(m map[string]string, keys ...string) string {
	for _, k := range keys {
		if v := m[k]; v != "" {
			return v
		}
	}
	return ""
}
