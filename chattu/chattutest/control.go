package chattutest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// ErrUnknownClient is returned by the control methods for a client id the
// sandbox does not have.
var ErrUnknownClient = errors.New("chattutest: unknown client")

// Scan simulates the phone scanning the client's QR code: the client goes
// from pending_auth to connected ("Authenticated"), its QR expires, and,
// unless WithoutSeedGroups, it gets the docs' sample group and channel.
func (s *Server) Scan(clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[clientID]
	if c == nil {
		return ErrUnknownClient
	}
	s.connectLocked(c)
	return nil
}

// connectLocked logs c in: its QR expires and, unless WithoutSeedGroups, it
// gets the docs' sample group and channel. s.mu must be held.
func (s *Server) connectLocked(c *client) {
	if c.Connected {
		return
	}
	c.Connected, c.qr = true, nil
	s.logf("info", "Client "+c.ClientID+" authenticated")
	if s.seedGroups && len(c.groups) == 0 {
		now := s.nowLocked()
		c.groups = append(c.groups,
			&group{Group: Group{ID: "120363123456789012@g.us", Name: "קבוצת עבודה", Description: "קבוצה לעבודה משותפת", Participants: 15, Owner: "972501234567@c.us"}, createdAt: now, last: now},
			&group{Group: Group{ID: "120363123456789013@c.us", Name: "ערוץ חדשות", Description: "ערוץ לחדשות", Channel: true}, createdAt: now, last: now},
		)
	}
}

// Disconnect logs a client out: it goes back to "Pending Authentication"
// with a fresh QR.
func (s *Server) Disconnect(clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[clientID]
	if c == nil {
		return ErrUnknownClient
	}
	c.Connected = false
	c.qr = qrPNG(c.ClientID + "|" + fmt.Sprint(s.newID()))
	return nil
}

// ClientState returns a client's state, and false when the sandbox has no
// client clientID.
func (s *Server) ClientState(clientID string) (ClientState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[clientID]
	if c == nil {
		return ClientState{}, false
	}
	return c.ClientState, true
}

// Clients returns every client, in creation order: what a watcher of the
// sandbox (examples/devserver) lists.
func (s *Server) Clients() []ClientState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ClientState, 0, len(s.order))
	for _, id := range s.order {
		if c := s.clients[id]; c != nil {
			out = append(out, c.ClientState)
		}
	}
	return out
}

// QR returns the PNG that GET /api/qr/:clientId answers while the client
// waits for a scan, and false when the client is connected or unknown.
// Like the API's, it is a QR-like picture, not a scannable code: Scan is
// the scan.
func (s *Server) QR(clientID string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[clientID]
	if c == nil || c.Connected || c.qr == nil {
		return nil, false
	}
	return append([]byte(nil), c.qr...), true
}

// AddGroup gives a client a group or channel (replacing one with the same
// id).
func (s *Server) AddGroup(clientID string, g Group) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[clientID]
	if c == nil {
		return ErrUnknownClient
	}
	now := s.nowLocked()
	ng := &group{Group: g, createdAt: now, last: now}
	for i, x := range c.groups {
		if x.ID == g.ID {
			c.groups[i] = ng
			return nil
		}
	}
	c.groups = append(c.groups, ng)
	return nil
}

// GroupMessage is a message sent to a group or channel.
type GroupMessage struct {
	// ID is the WhatsApp-like message id the sandbox gave it.
	ID string
	// Body is the text sent.
	Body string
	// Type is "chat" or the media type.
	Type string
	// Timestamp is the sandbox time of the send.
	Timestamp time.Time
}

// GroupMessages returns what was sent to a group or channel, oldest first.
func (s *Server) GroupMessages(clientID, groupID string) []GroupMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[clientID]
	if c == nil {
		return nil
	}
	var out []GroupMessage
	for _, g := range c.groups {
		if g.ID == groupID {
			for _, m := range g.messages {
				out = append(out, GroupMessage{ID: m.id, Body: m.body, Type: m.typ, Timestamp: m.timestamp})
			}
		}
	}
	return out
}

// SentMessages returns every message the sandbox sent on its clients'
// behalf, oldest first, whatever sent it (SentMessage.Source): the API, the
// chat interface, a group send, a schedule, a webhook's auto-reply or a
// call rejection.
func (s *Server) SentMessages() []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SentMessage, len(s.sent))
	for i, m := range s.sent {
		out[i] = m.SentMessage
	}
	return out
}

// Schedules returns the scheduled messages, in creation order.
func (s *Server) Schedules() []Scheduled {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Scheduled, len(s.sched))
	for i, sc := range s.sched {
		out[i] = sc.Scheduled
	}
	return out
}

// Inbound is a WhatsApp message arriving at a client.
type Inbound struct {
	// ClientID is the connected client that receives the message.
	ClientID string
	// From is the sender's number ("972501234567").
	From string
	// Name is the sender's contact name in the chat list (default: the
	// number).
	Name string
	// Body is the text (the caption for media).
	Body string
	// Media, with its content type and file name, makes a media message
	// downloadable through the chat interface.
	Media []byte
	// MediaType is Media's content type ("image/jpeg").
	MediaType string
	// Filename is Media's file name, as Content-Disposition gives it.
	Filename string
}

// IncomingCall is a call the client rejects automatically.
type IncomingCall struct {
	// ClientID is the client being called.
	ClientID string
	// From is the caller's phone number.
	From string
	// IsVideo makes it a video call.
	IsVideo bool
}

// WebhookReply is what a webhook answered, as Chattu reads it.
type WebhookReply struct {
	// Status is the reply's "status" ("success").
	Status string `json:"status"`
	// Message is the acknowledgment text.
	Message string `json:"message"`
	// Response, for message_received, is sent back to the sender.
	Response string `json:"response"`
	// RejectionMessage, for call_rejected, is sent to the caller.
	RejectionMessage string `json:"rejectionMessage"`
}

// Delivery is one webhook request the sandbox made.
type Delivery struct {
	// Event is the event name ("message_received").
	Event string
	// ClientID is the client the event is about.
	ClientID string
	// URL is the webhook URL it was posted to.
	URL string
	// Body is the exact JSON sent.
	Body []byte
	// StatusCode is 0 when no answer came (timeout, connection error).
	StatusCode int
	// RawReply is the answer's body; Reply its decoded form (when 200 and
	// JSON).
	RawReply []byte
	// Reply is RawReply decoded, when the answer was a 200 with JSON.
	Reply WebhookReply
	// Elapsed is how long the receiver took to answer.
	Elapsed time.Duration
	// Err is the delivery failure, if any (a timeout past Chattu's
	// deadline, a refused connection, a non-200 status, a non-JSON reply).
	Err error
}

// Receive delivers a message to a client: it is stored (received messages,
// chat interface), the message_received webhook is sent to the client's
// webhook URL, and a "response" in the reply is sent back to the sender
// as an auto-reply. It returns when that is done; the delivery is nil when
// the client has no webhook URL.
func (s *Server) Receive(ctx context.Context, in Inbound) (*Delivery, error) {
	s.RunDue()
	s.mu.Lock()
	c := s.clients[in.ClientID]
	if c == nil {
		s.mu.Unlock()
		return nil, ErrUnknownClient
	}
	if !c.Connected {
		s.mu.Unlock()
		return nil, fmt.Errorf("chattutest: client %q is not connected", in.ClientID)
	}
	now := s.nowLocked()
	c.received = append(c.received, &receivedMessage{id: s.newID(), clientID: c.ClientID, sender: in.From, message: in.Body, receivedAt: now})
	ch := c.chat(chatIDOf(in.From), in.Name)
	m := &chatMessage{id: messageID(), body: in.Body, timestamp: now, typ: "chat", ack: 2}
	if in.Media != nil {
		m.media, m.mediaType, m.filename = append([]byte(nil), in.Media...), in.MediaType, in.Filename
		m.typ = mediaTypeOf(in.Filename)
	}
	ch.messages = append(ch.messages, m)
	ch.unread++
	ch.last = now
	hookURL, key := c.WebhookURL, c.APIKey
	payload := map[string]any{"event": "message_received", "data": map[string]any{
		"from": in.From, "to": c.ClientID, "body": in.Body, "message": in.Body, "timestamp": now.UnixMilli(), "type": "received_message"}}
	s.mu.Unlock()
	if hookURL == "" {
		return nil, nil
	}
	d := s.deliver(ctx, c.ClientID, hookURL, key, "message_received", payload, s.timeout(false))
	if d.Err == nil && d.Reply.Response != "" {
		s.mu.Lock()
		if c := s.clients[in.ClientID]; c != nil && c.Connected {
			s.recordSend(c, in.From, d.Reply.Response, "", "auto-reply")
		}
		s.mu.Unlock()
	}
	return d, nil
}

// Call simulates an incoming call the client rejects: it is logged
// (incoming calls, call logs), the call_rejected webhook is sent, and the
// reply's rejectionMessage (or DefaultRejectionMessage when there is none,
// or the webhook failed) is sent to the caller.
func (s *Server) Call(ctx context.Context, in IncomingCall) (*Delivery, error) {
	s.mu.Lock()
	c := s.clients[in.ClientID]
	if c == nil {
		s.mu.Unlock()
		return nil, ErrUnknownClient
	}
	now := s.nowLocked()
	s.calls = append(s.calls, &call{id: s.newID(), clientID: c.ClientID, from: chatIDOf(in.From), isVideo: in.IsVideo, start: now, createdAt: now})
	hookURL, key := c.WebhookURL, c.APIKey
	payload := map[string]any{"event": "call_rejected", "data": map[string]any{
		"from": in.From, "to": c.ClientID, "isVideo": in.IsVideo, "timestamp": now.UnixMilli(), "type": "call_rejected"}}
	s.mu.Unlock()
	var d *Delivery
	msg := DefaultRejectionMessage
	if hookURL != "" {
		d = s.deliver(ctx, c.ClientID, hookURL, key, "call_rejected", payload, s.timeout(true))
		if d.Err == nil && d.Reply.RejectionMessage != "" {
			msg = d.Reply.RejectionMessage
		}
	}
	s.mu.Lock()
	if c := s.clients[in.ClientID]; c != nil && c.Connected {
		s.recordSend(c, in.From, msg, "", "call-rejection")
	}
	s.mu.Unlock()
	return d, nil
}

// Deliveries returns every webhook delivery so far, oldest first (as
// voxiotest.Server.Deliveries does for relay events).
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.hooks...)
}

// WaitDeliveries waits for message_sent deliveries, which are made in the
// background after each send, to finish.
func (s *Server) WaitDeliveries() { s.hookWG.Wait() }

func (s *Server) timeout(isCall bool) time.Duration {
	if isCall {
		if s.callHookTimeout > 0 {
			return s.callHookTimeout
		}
		return CallWebhookTimeout
	}
	if s.hookTimeout > 0 {
		return s.hookTimeout
	}
	return WebhookTimeout
}

// queueMessageSent delivers message_sent in the background. s.mu must be
// held.
func (s *Server) queueMessageSent(c *client, m recorded) {
	if c.WebhookURL == "" || s.closed {
		return
	}
	payload := map[string]any{"event": "message_sent", "data": map[string]any{
		"from": c.ClientID, "to": m.Recipient, "body": m.Message, "message": m.Message, "timestamp": m.SentAt.UnixMilli(), "type": "sent_message"}}
	hookURL, key, id := c.WebhookURL, c.APIKey, c.ClientID
	s.hookWG.Add(1)
	go func() {
		defer s.hookWG.Done()
		s.deliver(context.Background(), id, hookURL, key, "message_sent", payload, s.timeout(false))
	}()
}

// deliver POSTs one webhook with Chattu's headers and reads the reply
// within the deadline.
func (s *Server) deliver(ctx context.Context, clientID, hookURL, key, event string, payload any, timeout time.Duration) *Delivery {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(payload)
	body := bytes.TrimRight(buf.Bytes(), "\n")
	d := &Delivery{Event: event, ClientID: clientID, URL: hookURL, Body: body}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hookURL, bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Api-Key", key)
		var resp *http.Response
		resp, err = s.webhookClient.Do(req)
		if err == nil {
			d.StatusCode = resp.StatusCode
			d.RawReply, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			switch {
			case err != nil:
			case resp.StatusCode != http.StatusOK:
				err = fmt.Errorf("chattutest: webhook answered HTTP %d", resp.StatusCode)
			default:
				if jerr := json.Unmarshal(d.RawReply, &d.Reply); jerr != nil {
					err = fmt.Errorf("chattutest: webhook reply is not valid JSON: %w", jerr)
				}
			}
		}
	}
	d.Elapsed = time.Since(start)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "deadline exceeded") {
			err = fmt.Errorf("chattutest: webhook did not answer within %s: %w", timeout, context.DeadlineExceeded)
		}
		d.Err = err
	}
	s.mu.Lock()
	s.hooks = append(s.hooks, *d)
	level := "info"
	if d.Err != nil {
		level = "error"
	}
	s.logf(level, "Webhook "+event+" for client "+clientID+" delivered")
	s.mu.Unlock()
	return d
}

// React adds an emoji reaction to the latest message of a client's chat with
// number, as sender.
func (s *Server) React(clientID, number, emoji, sender string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[clientID]
	if c == nil {
		return ErrUnknownClient
	}
	ch := c.chats[chatIDOf(number)]
	if ch == nil || len(ch.messages) == 0 {
		return fmt.Errorf("chattutest: no chat with %s", number)
	}
	m := ch.messages[len(ch.messages)-1]
	m.reactions = append(m.reactions, reaction{emoji: emoji, sender: sender})
	return nil
}
