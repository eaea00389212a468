package voxiotest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/voxio"
)

// ErrNoRelayURL is returned when a delivery is due but no relay URL is set.
var ErrNoRelayURL = errors.New("voxiotest: no relay URL set (WithRelayURL or SetRelayURL)")

// Delivery is one signed Inbound Relay request the sandbox sent.
type Delivery struct {
	// Event is the X-Voxio-Event header.
	Event string
	// Body is the exact signed payload.
	Body []byte
	// Header holds every header sent, including the signature and the
	// client credentials.
	Header http.Header
	// MessageID names the message the event is about.
	MessageID int64
	// ConversationID names its conversation.
	ConversationID int64
	// StatusCode is the receiver's answer (0 when the request failed).
	StatusCode int
	// Response is the start of the receiver's answer body.
	Response []byte
	// At is the sandbox clock's time of the attempt.
	At time.Time
}

// OK reports whether the receiver answered 2xx.
func (d *Delivery) OK() bool { return d.StatusCode >= 200 && d.StatusCode < 300 }

// Deliveries returns every delivery attempted, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// Inbound is a WhatsApp message a contact sends to the account.
type Inbound struct {
	// MobileCode is the contact's country code, digits only.
	MobileCode string
	// Mobile is the number without the code. A new contact and
	// conversation are created for an unknown number.
	Mobile string
	// Name is the contact's WhatsApp profile name, used for a new contact.
	Name string
	// Text is the message body.
	Text string
	// Type defaults to "text".
	Type string
	// WhatsAppAccountID is the receiving account (default: the first).
	WhatsAppAccountID int64
}

// Receive stores a message from a contact and delivers the signed
// incoming_message event to the relay URL, as Voxio does. The message is
// stored even when the delivery fails. An answer other than 2xx is an error
// too; the Delivery is returned whenever a request was made.
func (s *Server) Receive(ctx context.Context, in Inbound) (*Delivery, error) {
	if !loose.IsDigits(in.MobileCode) || !loose.IsDigits(in.Mobile) {
		return nil, errors.New("voxiotest: Inbound needs a numeric MobileCode and Mobile")
	}
	s.mu.Lock()
	acc := &s.accounts[0]
	if in.WhatsAppAccountID != 0 {
		if acc = s.accountByID(in.WhatsAppAccountID); acc == nil {
			s.mu.Unlock()
			return nil, fmt.Errorf("voxiotest: unknown WhatsApp account %d", in.WhatsAppAccountID)
		}
	}
	now := s.Now()
	c := s.contactByNumber(in.MobileCode, in.Mobile)
	if c == nil {
		c = &contact{id: s.newID("contact"), firstname: in.Name, mobileCode: in.MobileCode, mobile: in.Mobile, accountID: acc.id, createdAt: now, updatedAt: now}
		s.contacts = append(s.contacts, c)
	}
	cv := s.conversationFor(c.id, acc.id)
	if cv == nil {
		cv = &conversation{id: s.newID("conversation"), contactID: c.id, accountID: acc.id, createdAt: now}
		s.conversations = append(s.conversations, cv)
	}
	cv.updatedAt = now
	typ := in.Type
	if typ == "" {
		typ = "text"
	}
	m := &message{id: s.newID("message"), conversationID: cv.id, accountID: acc.id, typ: typ, text: in.Text, direction: "inbound",
		status: voxio.MessageDelivered, notified: voxio.MessageDelivered, createdAt: now}
	m.providerID = "wamid.sandbox." + strconv.FormatInt(m.id, 10)
	s.messages = append(s.messages, m)
	payload := s.eventPayload(voxio.EventIncomingMessage, m, map[string]any{
		"id": m.id, "type": m.typ, "text": m.text, "direction": m.direction, "provider_message_id": m.providerID,
	})
	s.mu.Unlock()
	return s.deliver(ctx, voxio.EventIncomingMessage, payload, m)
}

// eventPayload builds a relay payload in the shape of Voxio's sample.
// Called with s.mu held.
func (s *Server) eventPayload(event string, m *message, msg map[string]any) map[string]any {
	cv := s.conversationByID(m.conversationID)
	conv := map[string]any{"id": m.conversationID, "status": "open"}
	contactObj := map[string]any{}
	if cv != nil {
		conv["status"] = []string{"open", "done", "pending", "important"}[cv.status]
		if c := s.contactByID(cv.contactID); c != nil {
			name := c.firstname
			if c.lastname != "" {
				name += " " + c.lastname
			}
			if name == "" {
				name = c.mobileCode + c.mobile
			}
			contactObj = map[string]any{"id": c.id, "name": name, "mobile": c.mobileCode + c.mobile}
		}
	}
	return map[string]any{
		"event": event, "channel": "whatsapp", "user_id": DefaultUserID, "whatsapp_account_id": m.accountID,
		"conversation": conv, "contact": contactObj, "message": msg, "sent_at": s.Now().Format(time.RFC3339),
	}
}

// AdvanceStatus moves a message sent through the API one step along
// sent -> delivered -> read and delivers a signed message_status event for
// the new status. The first call announces "sent" (the status a send starts
// in) without changing it.
func (s *Server) AdvanceStatus(ctx context.Context, messageID int64) (*Delivery, error) {
	s.mu.Lock()
	m := s.messageByID(messageID)
	switch {
	case m == nil:
		s.mu.Unlock()
		return nil, fmt.Errorf("voxiotest: no message %d", messageID)
	case m.direction != "outbound":
		s.mu.Unlock()
		return nil, fmt.Errorf("voxiotest: message %d was received, not sent", messageID)
	}
	if m.notified == m.status {
		switch m.status {
		case voxio.MessageScheduled:
			m.status = voxio.MessageSent
		case voxio.MessageSent:
			m.status = voxio.MessageDelivered
		case voxio.MessageDelivered:
			m.status = voxio.MessageRead
		default:
			s.mu.Unlock()
			return nil, fmt.Errorf("voxiotest: message %d is already %s", messageID, m.status)
		}
	}
	return s.notifyStatus(ctx, m)
}

// DeliverStatuses advances a message until it is read, delivering each
// step: sent, delivered, read.
func (s *Server) DeliverStatuses(ctx context.Context, messageID int64) ([]*Delivery, error) {
	var out []*Delivery
	for {
		s.mu.Lock()
		m := s.messageByID(messageID)
		done := m != nil && m.status.Final() && m.notified == m.status
		s.mu.Unlock()
		if done {
			return out, nil
		}
		d, err := s.AdvanceStatus(ctx, messageID)
		if d != nil {
			out = append(out, d)
		}
		if err != nil {
			return out, err
		}
	}
}

// SetMessageStatus sets any status (MessageFailed, say) and delivers it.
func (s *Server) SetMessageStatus(ctx context.Context, messageID int64, status voxio.MessageStatus) (*Delivery, error) {
	s.mu.Lock()
	m := s.messageByID(messageID)
	if m == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("voxiotest: no message %d", messageID)
	}
	m.status = status
	return s.notifyStatus(ctx, m)
}

// notifyStatus is called with s.mu held and releases it.
func (s *Server) notifyStatus(ctx context.Context, m *message) (*Delivery, error) {
	m.notified = m.status
	payload := s.eventPayload(voxio.EventMessageStatus, m, map[string]any{
		"id": m.id, "type": m.typ, "direction": m.direction, "status": int(m.status), "provider_message_id": m.providerID,
	})
	s.mu.Unlock()
	return s.deliver(ctx, voxio.EventMessageStatus, payload, m)
}

// Redeliver sends a previous delivery again with the same bytes and
// headers, as Voxio does when it did not see an answer: a receiver must not
// process it twice.
func (s *Server) Redeliver(ctx context.Context, d *Delivery) (*Delivery, error) {
	s.mu.Lock()
	url := s.relayURL
	s.mu.Unlock()
	if url == "" {
		return nil, ErrNoRelayURL
	}
	again := &Delivery{Event: d.Event, Body: bytes.Clone(d.Body), Header: d.Header.Clone(), MessageID: d.MessageID, ConversationID: d.ConversationID}
	return again, s.post(ctx, url, again)
}

// Retry sends a previous delivery's payload again, signed anew with the
// current time, as a sender retrying a failed attempt does: the body is the
// same, the timestamp and signature are new. A receiver must still not
// process it twice once it accepted the first.
func (s *Server) Retry(ctx context.Context, d *Delivery) (*Delivery, error) {
	s.mu.Lock()
	url := s.relayURL
	s.mu.Unlock()
	if url == "" {
		return nil, ErrNoRelayURL
	}
	again := &Delivery{Event: d.Event, Body: bytes.Clone(d.Body), Header: d.Header.Clone(), MessageID: d.MessageID, ConversationID: d.ConversationID}
	for k, v := range s.signer.Sign(again.Body) {
		again.Header[k] = v
	}
	return again, s.post(ctx, url, again)
}

func (s *Server) deliver(ctx context.Context, event string, payload map[string]any, m *message) (*Delivery, error) {
	s.mu.Lock()
	url := s.relayURL
	s.mu.Unlock()
	if url == "" {
		return nil, ErrNoRelayURL
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	h := s.signer.Sign(body)
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Voxio-Inbound-Relay/1.0 (voxiotest)")
	h.Set(voxio.HeaderRelayEvent, event)
	h.Set(voxio.HeaderRelayClientID, s.creds[0].ClientID)
	h.Set(voxio.HeaderRelayClientSecret, s.creds[0].ClientSecret)
	d := &Delivery{Event: event, Body: body, Header: h, MessageID: m.id, ConversationID: m.conversationID}
	return d, s.post(ctx, url, d)
}

func (s *Server) post(ctx context.Context, url string, d *Delivery) error {
	d.At = s.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(d.Body))
	if err != nil {
		return fmt.Errorf("voxiotest: relay URL: %w", err)
	}
	req.Header = d.Header.Clone()
	resp, err := s.relayClient.Do(req)
	if err == nil {
		d.StatusCode = resp.StatusCode
		d.Response, _ = io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
	}
	s.mu.Lock()
	s.deliveries = append(s.deliveries, *d)
	s.mu.Unlock()
	switch {
	case err != nil:
		return fmt.Errorf("voxiotest: relay delivery: %w", err)
	case !d.OK():
		return fmt.Errorf("voxiotest: relay receiver answered %d", d.StatusCode)
	}
	return nil
}

// startAutoStatus schedules WithAutoStatus's first step for a new
// message. Called with s.mu held.
func (s *Server) startAutoStatus(messageID int64) {
	if s.autoStatus <= 0 || s.closed {
		return
	}
	if m := s.messageByID(messageID); m != nil {
		m.autoAt = s.Now().Add(s.autoStatus)
	}
}

// autoSteps is how many steps WithAutoStatus takes: announce sent, then
// delivered, then read.
const autoSteps = 3

// autoStatusLoop takes the steps that fall due as real time passes.
func (s *Server) autoStatusLoop() {
	defer s.wg.Done()
	t := time.NewTicker(min(max(s.autoStatus, time.Millisecond), 100*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			s.runDueStatuses(s.ctx)
		}
	}
}

// runDueStatuses takes every automatic status step due by the sandbox
// clock, oldest message first, one step at a time.
func (s *Server) runDueStatuses(ctx context.Context) {
	if s.autoStatus <= 0 {
		return
	}
	s.autoMu.Lock()
	defer s.autoMu.Unlock()
	for ctx.Err() == nil {
		s.mu.Lock()
		now := s.Now()
		var m *message
		for _, x := range s.messages {
			if !x.autoAt.IsZero() && !now.Before(x.autoAt) {
				m = x
				break
			}
		}
		if m == nil {
			s.mu.Unlock()
			return
		}
		m.autoStep++
		if m.autoStep >= autoSteps {
			m.autoAt = time.Time{}
		} else {
			m.autoAt = m.autoAt.Add(s.autoStatus)
		}
		if s.relayURL == "" {
			// No receiver: statuses still move.
			switch m.status {
			case voxio.MessageSent:
				m.status = voxio.MessageDelivered
			case voxio.MessageDelivered:
				m.status = voxio.MessageRead
			}
			m.notified = m.status
			s.mu.Unlock()
			continue
		}
		id := m.id
		s.mu.Unlock()
		// A receiver that is down does not stop the statuses: the
		// failed delivery is in Deliveries.
		_, _ = s.AdvanceStatus(ctx, id)
	}
}
