package chattutest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/internal/loose"
)

// failure is one documented Chattu error: the status it comes with and the
// message the sandbox gives.
type failure struct {
	status  int
	message string
}

// documentedFailures are the codes the docs list for the groups and
// channels API, with their statuses.
var documentedFailures = map[string]failure{
	chattu.CodeAuthError:         {http.StatusUnauthorized, "Invalid or missing API key"},
	chattu.CodeAccessDenied:      {http.StatusForbidden, "Access denied: this API key belongs to another client"},
	chattu.CodePlanLimitExceeded: {http.StatusForbidden, "Your plan does not allow more"},
	chattu.CodeReadOnlyChat:      {http.StatusForbidden, "Cannot send messages to a read-only group or channel"},
	chattu.CodeClientNotFound:    {http.StatusNotFound, "Client not found"},
	chattu.CodeGroupNotFound:     {http.StatusNotFound, "Group or channel not found"},
	chattu.CodeInvalidChatType:   {http.StatusBadRequest, "Chat is not a group or channel"},
	chattu.CodeMediaError:        {http.StatusBadRequest, "Failed to process media URL"},
}

// FailNextError makes the next n requests fail as Chattu does with the
// documented error code, in its envelope {"success": false, "error":
// "<message>", "code": "<code>"} and with the code's status. The sandbox
// does not act on them. The codes (case does not matter), their statuses
// and what the client's error then matches:
//
//   - AUTH_ERROR, 401: chattu.ErrAuth and chattu.ErrUnauthorized.
//   - ACCESS_DENIED, 403: chattu.ErrAccessDenied and chattu.ErrUnauthorized.
//   - PLAN_LIMIT_EXCEEDED, 403: chattu.ErrPlanLimitExceeded only.
//   - READ_ONLY_CHAT, 403: chattu.ErrReadOnlyChat only.
//   - CLIENT_NOT_FOUND, 404: chattu.ErrClientNotFound and chattu.ErrNotFound.
//   - GROUP_NOT_FOUND, 404: chattu.ErrGroupNotFound and chattu.ErrNotFound.
//   - INVALID_CHAT_TYPE, 400: chattu.ErrInvalidChatType and chattu.ErrValidation.
//   - MEDIA_ERROR, 400: chattu.ErrMediaError and chattu.ErrValidation.
//
// Any other code is an error, and nothing is queued. For a rate limit, use
// FailNext(n, 429, ...), which carries Retry-After.
func (s *Server) FailNextError(n int, code string) error {
	c := strings.ToUpper(strings.TrimSpace(code))
	f, ok := documentedFailures[c]
	if !ok {
		return fmt.Errorf("chattutest: FailNextError: unknown code %q (want one Chattu documents, such as %s)", code, chattu.CodeGroupNotFound)
	}
	body, err := json.Marshal(map[string]any{"success": false, "error": f.message, "code": c})
	if err != nil {
		return err
	}
	s.sb.FailNext(n, f.status, string(body))
	return nil
}

// SeedClient adds a WhatsApp client with the state of the test's choosing:
// a chosen ClientID (such as the docs' "client-id"), its PhoneNumber
// (digits, required), APIKey ("" for a fresh one; read it back with
// ClientState), Connected (logged in at once, with the docs' sample group
// and channel unless WithoutSeedGroups; otherwise pending with a QR) and
// WebhookURL. It fails for an id the sandbox already has. WithPlanLimit
// does not apply: seeding is the test's setup, not a request.
func (s *Server) SeedClient(st ClientState) error {
	if strings.TrimSpace(st.ClientID) == "" || strings.ContainsAny(st.ClientID, "/?#") {
		return errors.New("chattutest: SeedClient: a client id without '/', '?' or '#' is required")
	}
	if !loose.IsDigits(st.PhoneNumber) {
		return errors.New("chattutest: SeedClient: the phone number must be digits, with country code")
	}
	if st.WebhookURL != "" {
		if u, err := url.Parse(st.WebhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("chattutest: SeedClient: the webhook URL must be an absolute http or https URL")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.clients[st.ClientID] != nil {
		return fmt.Errorf("chattutest: SeedClient: client %q exists", st.ClientID)
	}
	s.seedClientLocked(st)
	return nil
}

func (s *Server) seedClientLocked(st ClientState) *client {
	if st.APIKey == "" {
		st.APIKey = randomKey()
	}
	connected := st.Connected
	st.Connected = false
	c := &client{ClientState: st, chats: map[string]*chat{}, createdAt: s.nowLocked()}
	s.clients[st.ClientID] = c
	s.order = append(s.order, st.ClientID)
	s.logf("info", "Client "+st.ClientID+" added")
	if connected {
		s.connectLocked(c)
	} else {
		c.qr = qrPNG(c.ClientID + "|" + strconv.FormatInt(s.newID(), 10))
	}
	return c
}

// ReadyClient adds a connected client with the number phoneNumber
// (digits with country code; "" for the docs' numbers), ready to send, and
// returns its id: the docs' "client-id" the first time, then "client-id-2"
// and so on, skipping ids the sandbox has. Its API key is in
// ClientState(id).APIKey. It is the one-line form of AddNumber followed by
// Scan, and fails only for a number that is not digits.
func (s *Server) ReadyClient(phoneNumber string) (string, error) {
	if phoneNumber != "" && !loose.IsDigits(phoneNumber) {
		return "", errors.New("chattutest: ReadyClient: the phone number must be digits, with country code")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for n := 1; n < 1_000_000; n++ {
		id, phone := "client-id", "9721234567"
		if n > 1 {
			id, phone = "client-id-"+strconv.Itoa(n), fmt.Sprintf("9725%08d", n)
		}
		if s.clients[id] != nil {
			continue
		}
		if phoneNumber != "" {
			phone = phoneNumber
		}
		s.seedClientLocked(ClientState{ClientID: id, PhoneNumber: phone, Connected: true})
		return id, nil
	}
	return "", errors.New("chattutest: ReadyClient: no free client id")
}

// Message seeds a message of a client's private chat with SeedMessage.
type Message struct {
	// ID is the WhatsApp message id ("3EB0C767F26AFC1F8B", as in the
	// docs); "" for a fresh one. It must be new to the client.
	ID string
	// ClientID is the client whose chat holds the message (required).
	ClientID string
	// Chat is the other party: a number ("9721234567") or a chat id
	// ("9721234567@c.us") (required).
	Chat string
	// Name is the contact's name in the chat list, when the chat is new
	// (default: the number).
	Name string
	// Body is the text (the caption of media).
	Body string
	// FromMe marks a message the client sent; otherwise it was received,
	// counts as unread and is listed by received-messages.
	FromMe bool
	// Timestamp is when it was sent or received; zero for the sandbox's
	// now.
	Timestamp time.Time
	// Media makes the message's media downloadable through the chat
	// interface.
	Media []byte
	// MediaType is Media's content type ("image/jpeg").
	MediaType string
	// Filename is Media's file name, as Content-Disposition gives it.
	Filename string
	// Ack is the delivery state; 0 for sent (1) when FromMe, delivered (2)
	// otherwise.
	Ack chattu.Ack
}

// SeedMessage puts a message with a chosen id into a client's chat, so
// that requests naming it (the chat's messages, its media) work as the
// docs show them. It triggers no webhook and sends nothing: it is setup,
// not traffic (Receive is the traffic).
func (s *Server) SeedMessage(m Message) error {
	number := strings.TrimSuffix(strings.TrimPrefix(m.Chat, "+"), "@c.us")
	if !loose.IsDigits(number) {
		return errors.New(`chattutest: SeedMessage: the chat must be a number or "<digits>@c.us"`)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[m.ClientID]
	if c == nil {
		return ErrUnknownClient
	}
	if m.ID == "" {
		m.ID = messageID()
	}
	for _, ch := range c.chats {
		for _, x := range ch.messages {
			if x.id == m.ID {
				return fmt.Errorf("chattutest: SeedMessage: client %q has a message %q", m.ClientID, m.ID)
			}
		}
	}
	ts := m.Timestamp
	if ts.IsZero() {
		ts = s.nowLocked()
	}
	ack := int(m.Ack)
	if ack == 0 {
		ack = 2
		if m.FromMe {
			ack = 1
		}
	}
	cm := &chatMessage{id: m.ID, body: m.Body, fromMe: m.FromMe, timestamp: ts, typ: "chat", ack: ack}
	if m.Media != nil {
		cm.media, cm.mediaType, cm.filename = append([]byte(nil), m.Media...), m.MediaType, m.Filename
		cm.typ = mediaTypeOf(m.Filename)
	}
	ch := c.chat(chatIDOf(number), m.Name)
	ch.messages = append(ch.messages, cm)
	if ts.After(ch.last) {
		ch.last = ts
	}
	if !m.FromMe {
		ch.unread++
		c.received = append(c.received, &receivedMessage{id: s.newID(), clientID: c.ClientID, sender: number, message: m.Body, receivedAt: ts})
	}
	return nil
}

// SeedSchedule adds a scheduled message with a chosen ID (such as the
// docs' 123; 0 for the next free one), so that cancelling it by that id
// works. ClientID must name a client, ScheduleTime is required, Status
// defaults to "pending" (or "sent" or "cancelled"), CreatedAt to now. A
// pending message comes due on the sandbox clock like any other.
func (s *Server) SeedSchedule(sc Scheduled) error {
	switch sc.Status {
	case "":
		sc.Status = "pending"
	case "pending", "sent", "cancelled":
	default:
		return fmt.Errorf("chattutest: SeedSchedule: status %q is not pending, sent or cancelled", sc.Status)
	}
	if sc.ScheduleTime.IsZero() || sc.ID < 0 {
		return errors.New("chattutest: SeedSchedule: a schedule time and an id of 0 or more are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.clients[sc.ClientID] == nil {
		return ErrUnknownClient
	}
	if sc.ID == 0 {
		sc.ID = s.newID()
	}
	for _, x := range s.sched {
		if x.ID == sc.ID {
			return fmt.Errorf("chattutest: SeedSchedule: scheduled message %d exists", sc.ID)
		}
	}
	if sc.ID > s.nextID {
		s.nextID = sc.ID
	}
	sc.ScheduleTime = sc.ScheduleTime.UTC()
	if sc.CreatedAt.IsZero() {
		sc.CreatedAt = s.nowLocked()
	}
	s.sched = append(s.sched, &scheduled{sc})
	return nil
}
