package chattutest

import (
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/internal/loose"
)

func lastMessageJSON(msgs []*chatMessage) any {
	if len(msgs) == 0 {
		return nil
	}
	m := msgs[len(msgs)-1]
	return map[string]any{"body": m.body, "timestamp": m.timestamp.Unix(), "fromMe": m.fromMe}
}

func (s *Server) chats(w http.ResponseWriter, r *http.Request, a access) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clientFor(w, a, r.PathValue("clientId"))
	if c == nil {
		return
	}
	list := make([]*chat, 0, len(c.chats))
	for _, ch := range c.chats {
		list = append(list, ch)
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].last.Equal(list[j].last) {
			return list[i].last.After(list[j].last)
		}
		return list[i].id < list[j].id
	})
	out := []map[string]any{}
	for _, ch := range list {
		out = append(out, map[string]any{"id": map[string]any{"_serialized": ch.id}, "name": ch.name, "profilePic": nil,
			"lastMessage": lastMessageJSON(ch.messages), "timestamp": ch.last.Unix(), "unreadCount": ch.unread, "isMuted": false, "pinned": false})
	}
	writeJSON(w, http.StatusOK, map[string]any{"chats": out})
}

// chatGet serves GET /api/chats/:clientId/:chatId/messages and
// GET /api/chats/:clientId/media/:messageId.
func (s *Server) chatGet(w http.ResponseWriter, r *http.Request, a access) {
	switch {
	case r.PathValue("b") == "messages":
		s.chatMessages(w, r, a, r.PathValue("a"))
	case r.PathValue("a") == "media":
		s.media(w, r, a, r.PathValue("b"))
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "Not found"})
	}
}

func (s *Server) chatMessages(w http.ResponseWriter, r *http.Request, a access, chatID string) {
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "limit must be a positive number"})
			return
		}
		limit = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clientFor(w, a, r.PathValue("clientId"))
	if c == nil {
		return
	}
	ch := c.chats[chatID]
	out := []map[string]any{}
	if ch != nil {
		msgs := ch.messages
		if len(msgs) > limit {
			msgs = msgs[len(msgs)-limit:]
		}
		for _, m := range msgs {
			var reactions any
			if len(m.reactions) > 0 {
				rs := []map[string]any{}
				for _, x := range m.reactions {
					rs = append(rs, map[string]any{"reaction": x.emoji, "senderId": x.sender})
				}
				reactions = rs
			}
			var filename any
			if m.filename != "" {
				filename = m.filename
			}
			out = append(out, map[string]any{"id": map[string]any{"_serialized": m.id}, "body": m.body, "fromMe": m.fromMe,
				"timestamp": m.timestamp.Unix(), "type": m.typ, "hasMedia": m.media != nil, "hasReaction": len(m.reactions) > 0,
				"reactions": reactions, "ack": m.ack, "filename": filename})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out})
}

func (s *Server) media(w http.ResponseWriter, r *http.Request, a access, messageID string) {
	s.mu.Lock()
	c := s.clientFor(w, a, r.PathValue("clientId"))
	if c == nil {
		s.mu.Unlock()
		return
	}
	var found *chatMessage
	for _, ch := range c.chats {
		for _, m := range ch.messages {
			if m.id == messageID && m.media != nil {
				found = m
			}
		}
	}
	if found == nil {
		s.mu.Unlock()
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "Media not found"})
		return
	}
	data, ct, name := found.media, found.mediaType, found.filename
	s.mu.Unlock()
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	if name != "" {
		w.Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

func (s *Server) chatSend(w http.ResponseWriter, r *http.Request, a access) {
	var in struct {
		Message string `json:"message"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	if strings.TrimSpace(in.Message) == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "Message is required"})
		return
	}
	chatID := r.PathValue("chatId")
	number, ok := strings.CutSuffix(chatID, "@c.us")
	if !ok || !loose.IsDigits(number) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "Invalid chat id"})
		return
	}
	s.mu.Lock()
	c := s.clientFor(w, a, r.PathValue("clientId"))
	if c == nil {
		s.mu.Unlock()
		return
	}
	if !c.Connected {
		s.mu.Unlock()
		fail(w, http.StatusBadRequest, "", "WhatsApp client is not connected")
		return
	}
	m := s.recordSend(c, number, in.Message, "", "chat")
	ts := m.SentAt.Unix()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "message": map[string]any{"id": map[string]any{"_serialized": m.waID}, "body": in.Message, "timestamp": ts}})
}

func (s *Server) chatRead(w http.ResponseWriter, r *http.Request, a access) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clientFor(w, a, r.PathValue("clientId"))
	if c == nil {
		return
	}
	if ch := c.chats[r.PathValue("chatId")]; ch != nil {
		ch.unread = 0
		for _, m := range ch.messages {
			if !m.fromMe {
				m.ack = 3
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true})
}

// ---- groups and channels ----

func groupJSON(g *group) map[string]any {
	var desc any
	if g.Description != "" {
		desc = g.Description
	}
	out := map[string]any{"id": g.ID, "name": g.Name, "description": desc, "profilePic": nil, "lastMessage": lastMessageJSON(g.messages),
		"timestamp": g.last.Unix(), "unreadCount": g.unread, "isMuted": false, "pinned": false, "isReadOnly": g.ReadOnly, "type": "group"}
	if g.Channel {
		out["type"] = "channel"
		return out
	}
	var owner any
	if g.Owner != "" {
		owner = g.Owner
	}
	out["participants"] = g.Participants
	out["owner"] = owner
	out["createdAt"] = g.createdAt.Unix()
	return out
}

func (s *Server) groups(w http.ResponseWriter, r *http.Request, a access) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clientFor(w, a, r.PathValue("clientId"))
	if c == nil {
		return
	}
	list := append([]*group(nil), c.groups...)
	sort.SliceStable(list, func(i, j int) bool { return list[i].last.After(list[j].last) })
	groups, channels := []map[string]any{}, []map[string]any{}
	for _, g := range list {
		if g.Channel {
			channels = append(channels, groupJSON(g))
		} else {
			groups = append(groups, groupJSON(g))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"groups": groups, "channels": channels, "total": len(groups) + len(channels)})
}

type groupSend struct {
	ClientID  string `json:"clientId"`
	GroupID   string `json:"groupId"`
	Message   string `json:"message"`
	MediaURL  string `json:"mediaUrl"`
	MediaType string `json:"mediaType"`
}

func (s *Server) sendGroupMessage(w http.ResponseWriter, r *http.Request, a access) {
	var in groupSend
	if !decodeBody(w, r, &in) {
		return
	}
	s.groupSend(w, r, a, in, true)
}

func (s *Server) sessionGroupSend(w http.ResponseWriter, r *http.Request, a access) {
	var in groupSend
	if !decodeBody(w, r, &in) {
		return
	}
	in.ClientID, in.GroupID = r.PathValue("clientId"), r.PathValue("groupId")
	s.groupSend(w, r, a, in, false)
}

func (s *Server) groupSend(w http.ResponseWriter, r *http.Request, a access, in groupSend, api bool) {
	switch {
	case in.ClientID == "" || in.GroupID == "":
		fail(w, http.StatusBadRequest, "", "clientId and groupId are required")
		return
	case in.Message == "" && in.MediaURL == "":
		fail(w, http.StatusBadRequest, "", "Either message or mediaUrl must be provided")
		return
	case api && utf16Len(in.Message) > 4096:
		fail(w, http.StatusBadRequest, "", "Message is too long (max 4096 characters)")
		return
	case in.MediaURL != "" && in.MediaType == "":
		fail(w, http.StatusBadRequest, "", "mediaType is required when mediaUrl is provided")
		return
	}
	if in.MediaType != "" {
		switch in.MediaType {
		case "image", "video", "audio", "document":
		default:
			fail(w, http.StatusBadRequest, "", "Invalid media type")
			return
		}
	}
	if s.groupDelay > 0 {
		t := time.NewTimer(s.groupDelay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	s.mu.Lock()
	c := s.clientFor(w, a, in.ClientID)
	if c == nil {
		s.mu.Unlock()
		return
	}
	var g *group
	for _, x := range c.groups {
		if x.ID == in.GroupID {
			g = x
		}
	}
	if g == nil {
		_, private := c.chats[in.GroupID]
		s.mu.Unlock()
		if private {
			fail(w, http.StatusBadRequest, chattu.CodeInvalidChatType, "Chat is not a group or channel")
		} else {
			fail(w, http.StatusNotFound, chattu.CodeGroupNotFound, "Group or channel not found")
		}
		return
	}
	if g.ReadOnly {
		s.mu.Unlock()
		fail(w, http.StatusForbidden, chattu.CodeReadOnlyChat, "Cannot send messages to a read-only group or channel")
		return
	}
	if in.MediaURL != "" {
		if code, msg := checkMedia(in.MediaURL, false); code != 0 {
			s.mu.Unlock()
			fail(w, code, chattu.CodeMediaError, msg)
			return
		}
	}
	now := s.nowLocked()
	typ := "chat"
	if in.MediaType != "" {
		typ = in.MediaType
	}
	m := &chatMessage{id: messageID(), body: in.Message, fromMe: true, timestamp: now, typ: typ, ack: 1}
	g.messages = append(g.messages, m)
	g.last = now
	s.sent = append(s.sent, &sentMessage{SentMessage: SentMessage{ID: s.newID(), ClientID: c.ClientID, Recipient: g.ID, Message: in.Message,
		MediaURL: in.MediaURL, Source: "group", SentAt: now}, sender: c.PhoneNumber})
	name := g.Name
	s.mu.Unlock()
	out := map[string]any{"success": true, "message": map[string]any{"id": map[string]any{"_serialized": m.id}, "body": m.body, "timestamp": now.Unix(), "type": typ}}
	if api {
		out["groupId"] = in.GroupID
		out["groupName"] = name
	}
	writeJSON(w, http.StatusOK, out)
}
