package ourvoicetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/ourvoice"
)

// SessionSeed is a session to create with an id of the test's choosing, so
// that requests naming a fixed id (the Our Voice docs' curl commands, a
// recorded fixture) find it.
type SessionSeed struct {
	// ID is the session's uuid, as the requests name it. Required, and not
	// already taken.
	ID string
	// SessionID is the gateway's identifier, which message lists accept in
	// place of ID; default "session_" + ID.
	SessionID string
	// Status is where the session starts; default pending (with a QR code
	// to scan). A connected session needs PhoneNumber.
	Status ourvoice.SessionStatus
	// PhoneNumber is the linked phone's number: digits with an optional
	// leading "+", 6 to 15 digits.
	PhoneNumber string
	// DisplayName defaults to SessionID, or "WhatsApp <phone>" once
	// connected, as Scan names it.
	DisplayName string
	// Reason explains a disconnected, banned or failed status.
	Reason string
}

// SeedSession creates a session as seed describes, at the server's current
// time, without a request. It fails, creating nothing, when the id is
// missing, unusable in a path or taken, the status is not a documented one,
// or a connected session has no valid phone number.
func (s *Server) SeedSession(seed SessionSeed) error {
	if err := checkSeedID("ID", seed.ID); err != nil {
		return err
	}
	if seed.SessionID == "" {
		seed.SessionID = "session_" + seed.ID
	} else if err := checkSeedID("SessionID", seed.SessionID); err != nil {
		return err
	}
	switch seed.Status {
	case "":
		seed.Status = ourvoice.SessionPending
	case ourvoice.SessionPending, ourvoice.SessionConnected, ourvoice.SessionDisconnected, ourvoice.SessionBanned, ourvoice.SessionFailed:
	default:
		return fmt.Errorf("ourvoicetest: SeedSession: unknown status %q", seed.Status)
	}
	if seed.PhoneNumber != "" && !validPhone(seed.PhoneNumber) {
		return fmt.Errorf("ourvoicetest: SeedSession: phone number %q is not in international format", seed.PhoneNumber)
	}
	if seed.Status == ourvoice.SessionConnected && seed.PhoneNumber == "" {
		return errors.New("ourvoicetest: SeedSession: a connected session needs a phone number")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lookup(seed.ID) != nil || s.lookup(seed.SessionID) != nil {
		return fmt.Errorf("ourvoicetest: SeedSession: a session %q already exists", seed.ID)
	}
	now := s.now()
	ss := &session{id: seed.ID, gatewayID: seed.SessionID, phone: seed.PhoneNumber, display: seed.DisplayName,
		status: seed.Status, reason: seed.Reason, qrSince: now, lastSeen: now, created: now, updated: now}
	if ss.display == "" {
		ss.display = ss.gatewayID
		if ss.status == ourvoice.SessionConnected {
			ss.display = "WhatsApp " + ss.phone
		}
	}
	s.sessions[ss.id] = ss
	s.order = append(s.order, ss.id)
	return nil
}

// ReadySession creates a connected session linked to phone (DefaultPhone
// when ""), ready to send through, and returns its id: the one line a test
// needs before Messages.Send. It fails only for a phone number that is not
// in international format.
func (s *Server) ReadySession(phone string) (string, error) {
	if phone == "" {
		phone = DefaultPhone
	}
	id := newUUID()
	if err := s.SeedSession(SessionSeed{ID: id, Status: ourvoice.SessionConnected, PhoneNumber: phone}); err != nil {
		return "", err
	}
	return id, nil
}

// MessageSeed is a message to create with an id of the test's choosing, so
// that requests naming a fixed message id find it.
type MessageSeed struct {
	// ID is the message's uuid. Required, and not already taken.
	ID string
	// SessionID names the session it went through, by uuid or gateway
	// session_id. Required: seed or create the session first.
	SessionID string
	// Direction defaults to outgoing.
	Direction ourvoice.Direction
	// From defaults to the session's phone for an outgoing message; an
	// incoming one needs it.
	From string
	// To is the recipient; an outgoing message needs it, an incoming one
	// defaults to the session's phone.
	To string
	// Type defaults to text.
	Type ourvoice.MessageType
	// Content and MediaURL are the text (or caption) and the media file.
	Content, MediaURL string
	// CampaignID and OTPID say where the message came from, as in the
	// docs' samples; both optional.
	CampaignID, OTPID string
	// Status fixes the message's status from CreatedAt on (its sent,
	// delivered and read times are CreatedAt as far as the status goes).
	// Leave it "" to let an outgoing message move on the server's clock
	// like a send; an incoming one is delivered.
	Status ourvoice.MessageStatus
	// Reason explains a failed status.
	Reason string
	// Cost is what the message cost; nothing is charged for a seed.
	Cost float64
	// CreatedAt defaults to the server's current time.
	CreatedAt time.Time
}

// SeedMessage creates a message as seed describes, without a request and
// without charging the balance. It fails, creating nothing, when the id is
// missing, unusable in a path or taken, the session does not exist, an
// enum is not a documented value, or a number is not in international
// format.
func (s *Server) SeedMessage(seed MessageSeed) error {
	if err := checkSeedID("ID", seed.ID); err != nil {
		return err
	}
	if seed.Direction == "" {
		seed.Direction = ourvoice.DirectionOutgoing
	}
	if seed.Direction != ourvoice.DirectionOutgoing && seed.Direction != ourvoice.DirectionIncoming {
		return fmt.Errorf("ourvoicetest: SeedMessage: unknown direction %q", seed.Direction)
	}
	if seed.Type == "" {
		seed.Type = ourvoice.TypeText
	}
	if seed.Type != ourvoice.TypeText && !seed.Type.Media() {
		return fmt.Errorf("ourvoicetest: SeedMessage: unknown type %q", seed.Type)
	}
	switch seed.Status {
	case "", ourvoice.MessageQueued, ourvoice.MessageSent, ourvoice.MessageDelivered, ourvoice.MessageRead, ourvoice.MessageFailed, ourvoice.MessageScheduled:
	default:
		return fmt.Errorf("ourvoicetest: SeedMessage: unknown status %q", seed.Status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.lookup(seed.SessionID)
	if ss == nil {
		return fmt.Errorf("ourvoicetest: SeedMessage: %w: %q", ErrNoSession, seed.SessionID)
	}
	for _, m := range s.messages {
		if m.id == seed.ID {
			return fmt.Errorf("ourvoicetest: SeedMessage: a message %q already exists", seed.ID)
		}
	}
	from, to := seed.From, seed.To
	if seed.Direction == ourvoice.DirectionOutgoing && from == "" {
		from = ss.phone
	}
	if seed.Direction == ourvoice.DirectionIncoming && to == "" {
		to = ss.phone
	}
	for _, n := range []struct{ name, v string }{{"From", from}, {"To", to}} {
		if !validPhone(n.v) {
			return fmt.Errorf("ourvoicetest: SeedMessage: %s %q is not in international format", n.name, n.v)
		}
	}
	created := seed.CreatedAt
	if created.IsZero() {
		created = s.now()
	}
	s.seq++
	m := &message{
		seq: s.seq, id: seed.ID, sessionID: ss.id, providerID: fmt.Sprintf("3EB2%016X", s.seq),
		campaignID: seed.CampaignID, otpID: seed.OTPID, from: from, to: to, typ: seed.Type,
		content: seed.Content, mediaURL: seed.MediaURL, direction: seed.Direction, cost: seed.Cost, created: created.UTC(),
	}
	switch seed.Status {
	case "":
		if m.direction == ourvoice.DirectionOutgoing {
			s.plan(m, created, 0)
		}
	case ourvoice.MessageQueued:
	case ourvoice.MessageSent:
		m.sendAt = m.created
	case ourvoice.MessageDelivered:
		m.sendAt, m.deliverAt = m.created, m.created
	case ourvoice.MessageRead:
		m.sendAt, m.deliverAt, m.readAt = m.created, m.created, m.created
	case ourvoice.MessageFailed:
		m.failAt, m.failReason = m.created, seed.Reason
	default:
		m.forced, m.forcedReason, m.forcedAt = seed.Status, seed.Reason, m.created
	}
	if m.direction == ourvoice.DirectionIncoming && seed.Status != "" && seed.Status != ourvoice.MessageDelivered {
		m.forced, m.forcedReason, m.forcedAt = seed.Status, seed.Reason, m.created
	}
	s.messages = append(s.messages, m)
	return nil
}

// checkSeedID refuses an id no request could name.
func checkSeedID(field, id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return fmt.Errorf("ourvoicetest: seed %s is required", field)
	case strings.TrimSpace(id) != id || strings.ContainsAny(id, "/?#\\%") || strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("ourvoicetest: seed %s %q cannot appear in a request path", field, id)
	}
	return nil
}

// SentMessage is one outgoing message the sandbox holds (sent through
// Messages.Send or seeded), as it stands at the server's current time:
// what a test checks after the code under test has sent something.
type SentMessage struct {
	// ID is the message's uuid.
	ID string
	// SessionID is the uuid of the session it went through.
	SessionID string
	// From is the session's phone number; To is the recipient, as sent.
	From, To string
	// Type, Content and MediaURL are what was sent.
	Type     ourvoice.MessageType
	Content  string
	MediaURL string
	// Status is where the message is now; Reason explains a failure.
	Status ourvoice.MessageStatus
	Reason string
	// Cost is what the account was charged for it.
	Cost float64
	// CreatedAt is when it was queued; SentAt, DeliveredAt and ReadAt are
	// zero until it gets there.
	CreatedAt, SentAt, DeliveredAt, ReadAt time.Time
}

// SentMessages returns every outgoing message, oldest first, as it stands
// now. Incoming messages (Receive) are not in it.
func (s *Server) SentMessages() []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var out []SentMessage
	for _, m := range s.messages {
		if m.direction != ourvoice.DirectionOutgoing {
			continue
		}
		st, reason, sent, delivered, read, _ := m.state(now)
		out = append(out, SentMessage{
			ID: m.id, SessionID: m.sessionID, From: m.from, To: m.to, Type: m.typ, Content: m.content, MediaURL: m.mediaURL,
			Status: st, Reason: reason, Cost: m.cost, CreatedAt: m.created, SentAt: sent, DeliveredAt: delivered, ReadAt: read,
		})
	}
	return out
}

// Inbound is a message that reaches a session's phone, for Receive.
type Inbound struct {
	// SessionID names the receiving session, by uuid or gateway
	// session_id. It must be connected.
	SessionID string
	// From is the sender's number, in international format.
	From string
	// Type defaults to text.
	Type ourvoice.MessageType
	// Content is the text or caption; MediaURL the media file.
	Content, MediaURL string
}

// Receive records in as an incoming message of its session, as if the
// phone had received it at the server's current time, and returns it as
// Messages.Get would show it. Our Voice sends no webhooks, so nothing is
// delivered anywhere: the message shows up in the session's message lists.
// It fails when ctx has ended, the session does not exist or is not
// connected, From is not a phone number, or Type is not a documented one.
func (s *Server) Receive(ctx context.Context, in Inbound) (ourvoice.Message, error) {
	if err := ctx.Err(); err != nil {
		return ourvoice.Message{}, err
	}
	if in.Type == "" {
		in.Type = ourvoice.TypeText
	}
	if in.Type != ourvoice.TypeText && !in.Type.Media() {
		return ourvoice.Message{}, fmt.Errorf("ourvoicetest: Receive: unknown type %q", in.Type)
	}
	if !validPhone(in.From) {
		return ourvoice.Message{}, fmt.Errorf("ourvoicetest: Receive: From %q is not in international format", in.From)
	}
	s.mu.Lock()
	ss := s.lookup(in.SessionID)
	if ss == nil {
		s.mu.Unlock()
		return ourvoice.Message{}, ErrNoSession
	}
	if ss.status != ourvoice.SessionConnected {
		s.mu.Unlock()
		return ourvoice.Message{}, ErrNotConnected
	}
	s.seq++
	now := s.now()
	m := &message{
		seq: s.seq, id: newUUID(), sessionID: ss.id, providerID: fmt.Sprintf("3EB1%016X", s.seq),
		from: in.From, to: ss.phone, typ: in.Type, content: in.Content, mediaURL: in.MediaURL,
		direction: ourvoice.DirectionIncoming, created: now,
	}
	s.messages = append(s.messages, m)
	b, err := json.Marshal(s.messageJSON(m, now, false))
	s.mu.Unlock()
	if err != nil {
		return ourvoice.Message{}, err
	}
	var out ourvoice.Message
	if err := json.Unmarshal(b, &out); err != nil {
		return ourvoice.Message{}, err
	}
	return out, nil
}
