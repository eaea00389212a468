package chattu

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf16"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// GroupsService lists a client's groups and channels and sends to them.
// Names, descriptions and messages are UTF-8 (Hebrew, Arabic, emoji).
type GroupsService struct{ c *Client }

// GroupType tells groups from channels.
type GroupType string

// Documented group types.
const (
	TypeGroup   GroupType = "group"
	TypeChannel GroupType = "channel"
)

// MediaType is the kind of media sent to a group or channel.
type MediaType string

// Documented media types.
const (
	MediaImage    MediaType = "image"
	MediaVideo    MediaType = "video"
	MediaAudio    MediaType = "audio"
	MediaDocument MediaType = "document"
)

func (m MediaType) valid() bool {
	switch m {
	case MediaImage, MediaVideo, MediaAudio, MediaDocument:
		return true
	}
	return false
}

// MaxGroupMessageLength is the longest group message, in characters as
// Chattu (JavaScript) counts them: UTF-16 code units, so an emoji outside
// the Basic Multilingual Plane counts as two.
const MaxGroupMessageLength = 4096

// Group is a group or a channel.
type Group struct {
	// ID is "<id>@g.us" for a group; channels' ids vary (see GroupID).
	ID GroupID
	// Name is the group's or channel's name, UTF-8 (Hebrew, Arabic, emoji).
	Name string
	// Description is "" when null.
	Description string
	// ProfilePic is the picture's URL, "" when there is none.
	ProfilePic string
	// Participants, Owner and CreatedAt are for groups only.
	Participants int64
	// Owner is the creator's id ("972501234567@c.us"), "" when unknown.
	Owner string
	// CreatedAt is when the group was created; zero for channels.
	CreatedAt time.Time
	// LastMessage is nil when there is none.
	LastMessage *LastMessage
	// Timestamp is the last activity.
	Timestamp time.Time
	// UnreadCount is how many messages are unread.
	UnreadCount int64
	// IsMuted reports that notifications are muted.
	IsMuted bool
	// Pinned reports that it is pinned in the chat list.
	Pinned bool
	// IsReadOnly groups and channels refuse sends (READ_ONLY_CHAT).
	IsReadOnly bool
	// Type is TypeGroup or TypeChannel.
	Type GroupType
}

type groupWire struct {
	ID           serializedID     `json:"id"`
	Name         transport.String `json:"name"`
	Description  transport.String `json:"description"`
	ProfilePic   transport.String `json:"profilePic"`
	Participants transport.Int    `json:"participants"`
	Owner        transport.String `json:"owner"`
	CreatedAt    transport.Time   `json:"createdAt"`
	LastMessage  *lastMessageWire `json:"lastMessage"`
	Timestamp    transport.Time   `json:"timestamp"`
	UnreadCount  transport.Int    `json:"unreadCount"`
	IsMuted      transport.Bool   `json:"isMuted"`
	Pinned       transport.Bool   `json:"pinned"`
	IsReadOnly   transport.Bool   `json:"isReadOnly"`
	Type         transport.String `json:"type"`
}

// UnmarshalJSON decodes the documented fields leniently.
func (g *Group) UnmarshalJSON(b []byte) error {
	var w groupWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*g = Group{
		ID: GroupID(w.ID), Name: string(w.Name), Description: string(w.Description), ProfilePic: string(w.ProfilePic),
		Participants: int64(w.Participants), Owner: string(w.Owner), CreatedAt: w.CreatedAt.Time, Timestamp: w.Timestamp.Time,
		UnreadCount: int64(w.UnreadCount), IsMuted: bool(w.IsMuted), Pinned: bool(w.Pinned), IsReadOnly: bool(w.IsReadOnly),
		Type: GroupType(w.Type),
	}
	if w.LastMessage != nil {
		lm := w.LastMessage.value()
		g.LastMessage = &lm
	}
	return nil
}

// Groups is {"groups": [...], "channels": [...], "total": n}, each list most
// recent first.
type Groups struct {
	// Groups are the groups, most recent activity first.
	Groups []Group
	// Channels are the channels, most recent activity first.
	Channels []Group
	// Total counts groups and channels.
	Total int64
	transport.RawJSON
}

type groupsWire struct {
	Groups   []Group       `json:"groups"`
	Channels []Group       `json:"channels"`
	Total    transport.Int `json:"total"`
}

// UnmarshalJSON decodes the documented envelope.
func (l *Groups) UnmarshalJSON(b []byte) error {
	var w groupsWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	l.Groups, l.Channels, l.Total = w.Groups, w.Channels, int64(w.Total)
	return nil
}

// List returns the groups and channels of the WhatsApp client clientID
// (GET /api/groups/:clientId). It works with the API key; the session
// cookie is sent too when configured.
func (s *GroupsService) List(ctx context.Context, clientID string) (*Groups, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	out := &Groups{}
	if _, err := s.c.do(ctx, &call{auth: eitherAuth, req: &transport.Request{
		Method: http.MethodGet, Path: "/api/groups/" + url.PathEscape(clientID), Header: jsonHeader(ctJSONUTF8),
	}}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// GroupMessageParams is the body of POST /api/send-group-message. Message
// or MediaURL is required; MediaType is required with MediaURL.
type GroupMessageParams struct {
	// ClientID names the WhatsApp client that sends (required).
	ClientID string `json:"clientId"`
	// GroupID is the group or channel (required; see GroupsService.List).
	GroupID GroupID `json:"groupId"`
	// Message is UTF-8 text, at most MaxGroupMessageLength characters.
	Message string `json:"message,omitempty"`
	// MediaURL is an http(s) URL of the media to attach; Message is then its caption.
	MediaURL string `json:"mediaUrl,omitempty"`
	// MediaType says what MediaURL is; required with it and only with it.
	MediaType MediaType `json:"mediaType,omitempty"`
}

// SessionGroupMessageParams is the body of POST
// /api/groups/:clientId/:groupId/send.
type SessionGroupMessageParams struct {
	// Message is UTF-8 text; Message or MediaURL is required.
	Message string `json:"message,omitempty"`
	// MediaURL is an http(s) URL of the media to attach.
	MediaURL string `json:"mediaUrl,omitempty"`
	// MediaType says what MediaURL is; required with it and only with it.
	MediaType MediaType `json:"mediaType,omitempty"`
}

func validateGroupSend(clientID string, id GroupID, msg, mediaURL string, mt MediaType, maxLen int) error {
	if err := checkClientID(clientID); err != nil {
		return err
	}
	if err := id.Validate(); err != nil {
		return err
	}
	if msg == "" && mediaURL == "" {
		return transport.Invalid("message", "either message or mediaUrl is required")
	}
	if maxLen > 0 && utf16Len(msg) > maxLen {
		return transport.Invalid("message", "at most "+strconv.Itoa(maxLen)+" characters")
	}
	if err := checkHTTPURL("mediaUrl", mediaURL, false); err != nil {
		return err
	}
	switch {
	case mediaURL != "" && mt == "":
		return transport.Invalid("mediaType", "required with mediaUrl")
	case mediaURL == "" && mt != "":
		return transport.Invalid("mediaType", "only with mediaUrl")
	case mt != "" && !mt.valid():
		return transport.Invalid("mediaType", "must be image, video, audio or document")
	}
	return nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s { // invalid UTF-8 ranges as U+FFFD, one unit
		n += utf16.RuneLen(r)
	}
	return n
}

// Send sends a text or media message to a group or channel with the API
// key. Chattu waits a random 2-5 seconds before sending (anti-spam), so
// allow for that in the context's deadline. It is never repeated once
// written. A read-only group or channel fails with ErrReadOnlyChat.
func (s *GroupsService) Send(ctx context.Context, p GroupMessageParams) (*SendResult, error) {
	if err := validateGroupSend(p.ClientID, p.GroupID, p.Message, p.MediaURL, p.MediaType, MaxGroupMessageLength); err != nil {
		return nil, err
	}
	out := &SendResult{}
	if _, err := s.c.do(ctx, &call{req: &transport.Request{
		Method: http.MethodPost, Path: "/api/send-group-message", JSON: p, Header: jsonHeader(ctJSONUTF8),
	}}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// SendWithSession sends from the WhatsApp client clientID to the group or
// channel groupID as the dashboard does (POST
// /api/groups/:clientId/:groupId/send), with the login session
// (WithSessionCookie) rather than the API key; Chattu allows 60 per minute.
// Prefer Send for API use.
func (s *GroupsService) SendWithSession(ctx context.Context, clientID string, groupID GroupID, p SessionGroupMessageParams) (*SendResult, error) {
	if err := validateGroupSend(clientID, groupID, p.Message, p.MediaURL, p.MediaType, 0); err != nil {
		return nil, err
	}
	out := &SendResult{}
	if _, err := s.c.do(ctx, &call{auth: sessionAuth, req: &transport.Request{
		Method: http.MethodPost, Path: "/api/groups/" + url.PathEscape(clientID) + "/" + url.PathEscape(string(groupID)) + "/send",
		JSON: p, Header: jsonHeader(ctJSONUTF8),
	}}, out); err != nil {
		return nil, err
	}
	return out, nil
}
