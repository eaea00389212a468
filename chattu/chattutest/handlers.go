package chattutest

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/internal/loose"
)

// ---- numbers and clients ----

func (s *Server) addNumber(w http.ResponseWriter, r *http.Request, a access) {
	var in struct {
		ClientID    string `json:"clientId"`
		PhoneNumber string `json:"phoneNumber"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	if in.ClientID == "" || in.PhoneNumber == "" {
		fail(w, http.StatusBadRequest, "", "clientId and phoneNumber are required")
		return
	}
	if !loose.IsDigits(in.PhoneNumber) {
		fail(w, http.StatusBadRequest, "", "phoneNumber must contain digits only, without +")
		return
	}
	if a.clientID != "" {
		fail(w, http.StatusForbidden, chattu.CodeAccessDenied, "A client API key cannot add numbers")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[in.ClientID]
	if c == nil {
		if s.planLimit > 0 && len(s.clients) >= s.planLimit {
			fail(w, http.StatusForbidden, chattu.CodePlanLimitExceeded, "Your plan allows "+strconv.Itoa(s.planLimit)+" clients")
			return
		}
		c = &client{ClientState: ClientState{ClientID: in.ClientID, PhoneNumber: in.PhoneNumber, APIKey: randomKey()},
			chats: map[string]*chat{}, createdAt: s.nowLocked()}
		s.clients[in.ClientID] = c
		s.order = append(s.order, in.ClientID)
		s.logf("info", "Client "+in.ClientID+" added")
	}
	if c.Connected {
		writeJSON(w, http.StatusOK, map[string]any{"status": "connected", "message": "Client is already connected", "qrCode": nil, "apiKey": c.APIKey})
		return
	}
	c.qr = qrPNG(c.ClientID + "|" + strconv.FormatInt(s.newID(), 10))
	writeJSON(w, http.StatusOK, map[string]any{
		"status": "pending_auth", "message": "QR Code generated for authentication",
		"qrCode": "data:image/png;base64," + base64.StdEncoding.EncodeToString(c.qr), "apiKey": c.APIKey,
	})
}

func (s *Server) listClients(w http.ResponseWriter, _ *http.Request, a access) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, id := range s.order {
		c := s.clients[id]
		if a.clientID != "" && a.clientID != id {
			continue
		}
		connected, status := "Not Connected", "Pending Authentication"
		if c.Connected {
			connected, status = chatIDOf(c.PhoneNumber), "Authenticated"
		}
		out = append(out, map[string]any{"clientId": c.ClientID, "phoneNumber": c.PhoneNumber, "apiKey": c.APIKey, "connectedNumber": connected, "status": status})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) qr(w http.ResponseWriter, r *http.Request, a access) {
	s.mu.Lock()
	c := s.clientFor(w, a, r.PathValue("clientId"))
	if c == nil {
		s.mu.Unlock()
		return
	}
	if c.Connected || c.qr == nil {
		s.mu.Unlock()
		fail(w, http.StatusNotFound, "", "QR code not available: the client is already authenticated")
		return
	}
	img := append([]byte(nil), c.qr...)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(len(img)))
	_, _ = w.Write(img)
}

func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request, a access) {
	var in struct {
		ClientID   string `json:"clientId"`
		WebhookURL string `json:"webhookUrl"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	if in.ClientID == "" {
		fail(w, http.StatusBadRequest, "", "clientId is required")
		return
	}
	if in.WebhookURL != "" {
		u, err := url.Parse(in.WebhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fail(w, http.StatusBadRequest, "", "webhookUrl must be an http or https URL")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clientFor(w, a, in.ClientID)
	if c == nil {
		return
	}
	c.WebhookURL = in.WebhookURL
	s.logf("info", "Webhook updated for client "+c.ClientID)
	writeJSON(w, http.StatusOK, map[string]any{"message": "Webhook URL updated successfully."})
}

func (s *Server) deleteClient(w http.ResponseWriter, r *http.Request, _ access) {
	var in struct {
		Password string `json:"password"`
	}
	if r.ContentLength != 0 && !decodeBody(w, r, &in) {
		return
	}
	if in.Password == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "Password is required"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("clientId")
	if s.clients[id] == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "Client not found"})
		return
	}
	if in.Password != s.password {
		writeJSON(w, http.StatusForbidden, map[string]any{"error": "Invalid password or client not owned by user"})
		return
	}
	delete(s.clients, id)
	for i, o := range s.order {
		if o == id {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	s.logf("warn", "Client "+id+" deleted")
	writeJSON(w, http.StatusOK, map[string]any{"message": "Client deleted successfully."})
}

// ---- messages ----

var mediaExtensions = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true, ".pdf": true, ".mp4": true, ".mp3": true}

func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request, a access) {
	var in struct {
		ClientID string `json:"clientId"`
		Number   string `json:"number"`
		Message  string `json:"message"`
		MediaURL string `json:"mediaUrl"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	switch {
	case in.ClientID == "" || in.Number == "":
		fail(w, http.StatusBadRequest, "", "clientId and number are required")
		return
	case in.Message == "" && in.MediaURL == "":
		fail(w, http.StatusBadRequest, "", "Either a text message or a media attachment is required")
		return
	case !loose.IsDigits(strings.TrimPrefix(in.Number, "+")):
		fail(w, http.StatusBadRequest, "", "Invalid phone number")
		return
	}
	if in.MediaURL != "" {
		if code, msg := checkMedia(in.MediaURL, true); code != 0 {
			fail(w, code, mediaCode(code), msg)
			return
		}
	}
	s.mu.Lock()
	c := s.clientFor(w, a, in.ClientID)
	if c == nil {
		s.mu.Unlock()
		return
	}
	if !c.Connected {
		s.mu.Unlock()
		fail(w, http.StatusBadRequest, "", "WhatsApp client is not connected")
		return
	}
	m := s.recordSend(c, in.Number, in.Message, in.MediaURL, "api")
	s.queueMessageSent(c, m)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "message": "Message sent successfully", "messageId": m.waID})
}

func mediaCode(status int) string {
	if status == http.StatusBadRequest {
		return chattu.CodeMediaError
	}
	return ""
}

// checkMedia validates a media URL: http(s), a host that resolves (hosts
// under the reserved ".invalid" domain stand for unreachable media and give
// MEDIA_ERROR), and for send-message a supported extension.
func checkMedia(raw string, checkExt bool) (int, string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return http.StatusBadRequest, "Failed to process media URL"
	}
	if strings.HasSuffix(u.Hostname(), ".invalid") {
		return http.StatusBadRequest, "Failed to process media URL"
	}
	if checkExt && !mediaExtensions[strings.ToLower(path.Ext(u.Path))] {
		return http.StatusBadRequest, "Unsupported file type"
	}
	return 0, ""
}

type recorded struct {
	*sentMessage
	waID string
}

// recordSend stores a message a client sent: in the sent log and in the
// recipient's chat. s.mu must be held.
func (s *Server) recordSend(c *client, number, text, mediaURL, source string) recorded {
	now := s.nowLocked()
	m := &sentMessage{SentMessage: SentMessage{ID: s.newID(), ClientID: c.ClientID, Recipient: number, Message: text, MediaURL: mediaURL, Source: source, SentAt: now}, sender: c.PhoneNumber}
	s.sent = append(s.sent, m)
	ch := c.chat(chatIDOf(number), "")
	cm := &chatMessage{id: messageID(), body: text, fromMe: true, timestamp: now, typ: "chat", ack: 1}
	if mediaURL != "" {
		cm.typ = mediaTypeOf(mediaURL)
	}
	ch.messages = append(ch.messages, cm)
	ch.last = now
	return recorded{m, cm.id}
}

func mediaTypeOf(raw string) string {
	switch strings.ToLower(path.Ext(raw)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp":
		return "image"
	case ".mp4":
		return "video"
	case ".mp3":
		return "audio"
	}
	return "document"
}

func (c *client) chat(id, name string) *chat {
	ch := c.chats[id]
	if ch == nil {
		if name == "" {
			name = strings.TrimSuffix(id, "@c.us")
		}
		ch = &chat{id: id, name: name}
		c.chats[id] = ch
	}
	return ch
}

func (s *Server) sentMessages(w http.ResponseWriter, _ *http.Request, a access) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for i := len(s.sent) - 1; i >= 0 && len(out) < 100; i-- {
		m := s.sent[i]
		if a.clientID != "" && m.ClientID != a.clientID {
			continue
		}
		out = append(out, map[string]any{"id": m.ID, "clientId": m.ClientID, "senderNumber": m.sender, "recipient": m.Recipient,
			"message": m.Message, "status": "sent", "sentAt": m.SentAt.Format(time.RFC3339)})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) receivedMessages(w http.ResponseWriter, r *http.Request, a access) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clientFor(w, a, r.PathValue("clientId"))
	if c == nil {
		return
	}
	out := []map[string]any{}
	for i := len(c.received) - 1; i >= 0 && len(out) < 100; i-- {
		m := c.received[i]
		out = append(out, map[string]any{"id": m.id, "client_id": m.clientID, "sender": m.sender, "message": m.message, "received_at": m.receivedAt.Format(time.RFC3339)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "messages": out})
}

// ---- schedules ----

func (s *Server) scheduleMessage(w http.ResponseWriter, r *http.Request, _ access) {
	var in struct {
		ClientID     string `json:"clientId"`
		Number       string `json:"number"`
		Message      string `json:"message"`
		ScheduleTime string `json:"scheduleTime"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	if in.ClientID == "" || in.Number == "" || in.Message == "" || in.ScheduleTime == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "clientId, number, message and scheduleTime are required"})
		return
	}
	at, err := time.Parse(time.RFC3339, in.ScheduleTime)
	if err != nil || !strings.HasSuffix(in.ScheduleTime, "Z") {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "scheduleTime must be ISO-8601 UTC, e.g. 2025-10-06T18:30:00Z"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.clients[in.ClientID] == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "Client not found"})
		return
	}
	now := s.nowLocked()
	if !at.After(now) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "scheduleTime must be in the future"})
		return
	}
	sc := &scheduled{Scheduled{ID: s.newID(), ClientID: in.ClientID, Recipient: in.Number, Message: in.Message, ScheduleTime: at.UTC(), Status: "pending", CreatedAt: now}}
	s.sched = append(s.sched, sc)
	writeJSON(w, http.StatusOK, map[string]any{"message": "Message scheduled.", "id": sc.ID})
}

func (s *Server) scheduledMessages(w http.ResponseWriter, _ *http.Request, _ access) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, sc := range s.sched {
		var sent any
		if !sc.SentTime.IsZero() {
			sent = sc.SentTime.Format(time.RFC3339)
		}
		out = append(out, map[string]any{"id": sc.ID, "clientId": sc.ClientID, "recipient": sc.Recipient, "message": sc.Message,
			"scheduleTime": sc.ScheduleTime.Format(time.RFC3339), "status": sc.Status, "createdAt": sc.CreatedAt.Format(time.RFC3339), "sentTime": sent})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) cancelScheduled(w http.ResponseWriter, r *http.Request, _ access) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sc := range s.sched {
		if err == nil && sc.ID == id {
			if sc.Status != "pending" {
				writeJSON(w, http.StatusBadRequest, map[string]any{"error": "Only pending messages can be cancelled."})
				return
			}
			sc.Status = "cancelled"
			writeJSON(w, http.StatusOK, map[string]any{"message": "Schedule cancelled."})
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]any{"error": "Scheduled message not found."})
}

// RunDue sends every pending scheduled message whose time has come on the
// sandbox clock. The sandbox also runs it before each request.
func (s *Server) RunDue() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	for _, sc := range s.sched {
		if sc.Status != "pending" || sc.ScheduleTime.After(now) {
			continue
		}
		c := s.clients[sc.ClientID]
		if c == nil || !c.Connected {
			continue // sent once the client is back
		}
		m := s.recordSend(c, sc.Recipient, sc.Message, "", "schedule")
		s.queueMessageSent(c, m)
		sc.Status, sc.SentTime = "sent", now
	}
}

// ---- account ----

func (s *Server) profile(w http.ResponseWriter, _ *http.Request, _ access) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"username": s.username, "role": "admin", "apiKey": s.apiKeys[0], "clientCount": len(s.clients)})
}

func (s *Server) resetAPIKey(w http.ResponseWriter, r *http.Request, _ access) {
	var in struct {
		Username      string `json:"username"`
		CurrentAPIKey string `json:"currentApiKey"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Username == "" || in.CurrentAPIKey == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "username and currentApiKey are required"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.Index(s.apiKeys, in.CurrentAPIKey)
	if in.Username != s.username || i < 0 {
		fail(w, http.StatusUnauthorized, chattu.CodeAuthError, "Invalid username or API key")
		return
	}
	s.apiKeys[i] = randomKey()
	s.logf("warn", "API key reset for "+in.Username)
	writeJSON(w, http.StatusOK, map[string]any{"message": "API key reset successfully.", "newApiKey": s.apiKeys[i]})
}

// ---- calls and logs ----

func callJSON(c *call) map[string]any {
	return map[string]any{"id": c.id, "client_id": c.clientID, "call_from": c.from, "is_video": c.isVideo,
		"start_time": c.start.Format(time.RFC3339), "end_time": nil, "duration": nil, "created_at": c.createdAt.Format(time.RFC3339)}
}

func (s *Server) incomingCalls(w http.ResponseWriter, r *http.Request, a access) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clientFor(w, a, r.PathValue("clientId"))
	if c == nil {
		return
	}
	out := []map[string]any{}
	for i := len(s.calls) - 1; i >= 0 && len(out) < 100; i-- {
		if s.calls[i].clientID == c.ClientID {
			out = append(out, callJSON(s.calls[i]))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "calls": out})
}

func (s *Server) callLogs(w http.ResponseWriter, _ *http.Request, a access) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for i := len(s.calls) - 1; i >= 0 && len(out) < 50; i-- {
		if a.clientID == "" || s.calls[i].clientID == a.clientID {
			out = append(out, callJSON(s.calls[i]))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "calls": out})
}

func (s *Server) appLogs(w http.ResponseWriter, _ *http.Request, _ access) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]logEntry{}, s.logs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	writeJSON(w, http.StatusOK, map[string]any{"logs": out})
}
