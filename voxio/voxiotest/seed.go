package voxiotest

import (
	"fmt"
	"strconv"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/voxio"
)

// Contact is a contact to put in the sandbox with SeedContact, under the
// id the test chooses.
type Contact struct {
	// ID is the contact id (contactId in the docs); it must be positive
	// and unused.
	ID int64
	// FirstName and LastName are the contact's names.
	FirstName, LastName string
	// MobileCode and Mobile are the number, digits only, as the API takes
	// them ("62", "85712345678"); no other contact may have it.
	MobileCode, Mobile string
	// City, State, PostCode and Address are optional.
	City, State, PostCode, Address string
	// WhatsAppAccountID is the sender account the contact is linked to (0:
	// the default account).
	WhatsAppAccountID int64
	// Blocked makes sends to the contact fail and its deletion refused.
	Blocked bool
}

// Conversation is a conversation to put in the sandbox with
// SeedConversation, under the id the test chooses.
type Conversation struct {
	// ID is the conversation_id; it must be positive and unused.
	ID int64
	// ContactID is the contact it is with, seeded or created before.
	ContactID int64
	// WhatsAppAccountID is the sender account (0: the contact's). A contact
	// has one conversation per account.
	WhatsAppAccountID int64
	// Status is the inbox status: voxio.ConversationReset (none),
	// ConversationDone, ConversationPending or ConversationImportant.
	Status voxio.ConversationStatus
}

// SeedContact adds a contact with a chosen id, so that a request the docs
// show with a fixed contactId (contact/update/55) works against the
// sandbox. Ids the sandbox creates later stay above it. A bad or taken id,
// a number in use or an unknown account is an error and changes nothing.
func (s *Server) SeedContact(c Contact) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case c.ID <= 0:
		return fmt.Errorf("voxiotest: SeedContact: id %d must be positive", c.ID)
	case s.contactByID(c.ID) != nil:
		return fmt.Errorf("voxiotest: SeedContact: contact %d exists", c.ID)
	case !loose.IsDigits(c.MobileCode) || !loose.IsDigits(c.Mobile):
		return fmt.Errorf("voxiotest: SeedContact: MobileCode and Mobile must be digits")
	case s.contactByNumber(c.MobileCode, c.Mobile) != nil:
		return fmt.Errorf("voxiotest: SeedContact: another contact has +%s %s", c.MobileCode, c.Mobile)
	}
	acc, err := s.seedAccount(c.WhatsAppAccountID)
	if err != nil {
		return fmt.Errorf("voxiotest: SeedContact: %w", err)
	}
	now := s.Now()
	s.contacts = append(s.contacts, &contact{
		id: c.ID, firstname: c.FirstName, lastname: c.LastName, mobileCode: c.MobileCode, mobile: c.Mobile,
		city: c.City, state: c.State, postCode: c.PostCode, address: c.Address,
		accountID: acc, blocked: c.Blocked, createdAt: now, updatedAt: now,
	})
	s.reserveID("contact", c.ID)
	return nil
}

// SeedConversation adds a conversation with a chosen id with an existing
// contact, so that the docs' requests with a fixed conversation_id
// (inbox/conversation-details/2) work against the sandbox. A bad or taken
// id, an unknown contact or account, or a second conversation of the same
// contact on the same account is an error and changes nothing.
func (s *Server) SeedConversation(c Conversation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case c.ID <= 0:
		return fmt.Errorf("voxiotest: SeedConversation: id %d must be positive", c.ID)
	case s.conversationByID(c.ID) != nil:
		return fmt.Errorf("voxiotest: SeedConversation: conversation %d exists", c.ID)
	case c.Status < voxio.ConversationReset || c.Status > voxio.ConversationImportant:
		return fmt.Errorf("voxiotest: SeedConversation: status %d cannot be set", c.Status)
	}
	ct := s.contactByID(c.ContactID)
	if ct == nil {
		return fmt.Errorf("voxiotest: SeedConversation: no contact %d", c.ContactID)
	}
	accountID := c.WhatsAppAccountID
	if accountID == 0 {
		accountID = ct.accountID
	}
	acc, err := s.seedAccount(accountID)
	if err != nil {
		return fmt.Errorf("voxiotest: SeedConversation: %w", err)
	}
	if s.conversationFor(ct.id, acc) != nil {
		return fmt.Errorf("voxiotest: SeedConversation: contact %d already has a conversation on account %d", ct.id, acc)
	}
	now := s.Now()
	s.conversations = append(s.conversations, &conversation{id: c.ID, contactID: ct.id, accountID: acc, status: int(c.Status), createdAt: now, updatedAt: now})
	s.reserveID("conversation", c.ID)
	return nil
}

// SeedMessage adds a message with a chosen id to an existing conversation,
// sent (Direction voxio.DirectionOutbound, the default) or received
// (DirectionInbound), so that the docs' message ids and a relay payload's
// (9001) exist in the sandbox. ConversationID is required; ContactID and
// WhatsAppAccountID come from the conversation (if set they must match);
// Type defaults to "text"; Status left at its zero value (MessageScheduled)
// becomes MessageSent for a sent message and MessageDelivered for a
// received one; ProviderMessageID to a sandbox
// "wamid", CreatedAt to the sandbox clock's now. A seeded sent message moves
// with AdvanceStatus like any other. A bad or taken id or an unknown
// conversation is an error and changes nothing.
func (s *Server) SeedMessage(m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case m.ID <= 0:
		return fmt.Errorf("voxiotest: SeedMessage: id %d must be positive", m.ID)
	case s.messageByID(m.ID) != nil:
		return fmt.Errorf("voxiotest: SeedMessage: message %d exists", m.ID)
	case m.Direction != "" && m.Direction != voxio.DirectionOutbound && m.Direction != voxio.DirectionInbound:
		return fmt.Errorf("voxiotest: SeedMessage: direction %q is neither inbound nor outbound", m.Direction)
	}
	cv := s.conversationByID(m.ConversationID)
	switch {
	case cv == nil:
		return fmt.Errorf("voxiotest: SeedMessage: no conversation %d", m.ConversationID)
	case m.ContactID != 0 && m.ContactID != cv.contactID:
		return fmt.Errorf("voxiotest: SeedMessage: conversation %d is with contact %d, not %d", cv.id, cv.contactID, m.ContactID)
	case m.WhatsAppAccountID != 0 && m.WhatsAppAccountID != cv.accountID:
		return fmt.Errorf("voxiotest: SeedMessage: conversation %d is on account %d, not %d", cv.id, cv.accountID, m.WhatsAppAccountID)
	}
	msg := &message{
		id: m.ID, conversationID: cv.id, accountID: cv.accountID, typ: m.Type, text: m.Text, direction: m.Direction,
		status: m.Status, providerID: m.ProviderMessageID, templateID: m.TemplateID, fields: cloneValues(m.Fields),
		files: append([]Upload(nil), m.Files...), createdAt: m.CreatedAt,
	}
	if msg.typ == "" {
		msg.typ = "text"
	}
	if msg.direction == "" {
		msg.direction = voxio.DirectionOutbound
	}
	if msg.createdAt.IsZero() {
		msg.createdAt = s.Now()
	}
	if msg.providerID == "" {
		msg.providerID = "wamid.sandbox." + strconv.FormatInt(msg.id, 10)
	}
	if msg.direction == voxio.DirectionInbound {
		if m.Status == voxio.MessageScheduled {
			msg.status = voxio.MessageDelivered
		}
		msg.notified = msg.status
	} else {
		if m.Status == voxio.MessageScheduled {
			msg.status = voxio.MessageSent
		}
		msg.notified = voxio.MessageStatusUnknown
	}
	s.messages = append(s.messages, msg)
	if msg.createdAt.After(cv.updatedAt) {
		cv.updatedAt = msg.createdAt
	}
	s.reserveID("message", msg.id)
	return nil
}

// seedAccount resolves an account id (0: the default). Called with s.mu
// held.
func (s *Server) seedAccount(id int64) (int64, error) {
	if id == 0 {
		return s.accounts[0].id, nil
	}
	if s.accountByID(id) == nil {
		return 0, fmt.Errorf("no WhatsApp account %d (add it with WithAccount)", id)
	}
	return id, nil
}
