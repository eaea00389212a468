package chattu

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf16"

	"github.com/switchboard-go/switchboard/internal/loose"
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
	ID           serializedID    `json:"id"`
	Name         loose.String    `json:"name"`
	Description  loose.String    `json:"description"`
	ProfilePic   loose.String    `json:"profilePic"`
	Participants loose.Int       `json:"participants"`
	Owner        loose.String    `json:"owner"`
	CreatedAt    loose.Time      `json:"createdAt"`
	LastMessage  json.RawMessage `json:"lastMessage"`
	Timestamp    loose.Time      `json:"timestamp"`
	UnreadCount  loose.Int       `json:"unreadCount"`
	IsMuted      loose.Bool      `json:"isMuted"`
	Pinned       loose.Bool      `json:"pinned"`
	IsReadOnly   loose.Bool      `json:"isReadOnly"`
	Type         loose.String    `json:"type"`
}

func (w *groupWire) value() Group {
	return Group{
		ID: GroupID(w.ID), Name: string(w.Name), Description: string(w.Description), ProfilePic: string(w.ProfilePic),
		Participants: int64(w.Participants), Owner: string(w.Owner), CreatedAt: w.CreatedAt.Time, LastMessage: lastMessageOf(w.LastMessage),
		Timestamp: w.Timestamp.Time, UnreadCount: int64(w.UnreadCount), IsMuted: bool(w.IsMuted), Pinned: bool(w.Pinned),
		IsReadOnly: bool(w.IsReadOnly), Type: GroupType(w.Type),
	}
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

// decodeGroups reads the envelope. groups and channels are its structure:
// a list of something else than objects is a decode failure, a member that
// is not a list at all holds none.
func decodeGroups(resp *transport.Response) (*Groups, error) {
	l := &Groups{}
	if !isEmpty(resp) {
		o, err := envelope(resp)
		if err != nil {
			return nil, err
		}
		for _, part := range []struct {
			key string
			dst *[]Group
		}{{"groups", &l.Groups}, {"channels", &l.Channels}} {
			var raw json.RawMessage
			if v := o.get(part.key); isArrayJSON(v) {
				raw = v
			}
			if *part.dst, err = decodeList(raw, (*groupWire).value); err != nil {
				return nil, err
			}
		}
		l.Total = intOf(o.get("total"))
	}
	l.SetRaw(resp.Body)
	return l, nil
}

// List returns the groups and channels of the WhatsApp client clientID
// (GET /api/groups/:clientId). Chattu accepts the session or the API key
// here; the client authenticates with the API key, as the docs' example
// does, and does not send the session cookie.
func (s *GroupsService) List(ctx context.Context, clientID string) (*Groups, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	return do(ctx, s.c, &endpoint{auth: apiKeyAuth, req: &transport.Request{
		Method: http.MethodGet, Path: "/api/groups/" + url.PathEscape(clientID), Header: jsonHeader(ctJSONUTF8),
	}}, decodeGroups)
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
		return invalid("message", "either message or mediaUrl is required")
	}
	if maxLen > 0 && utf16Len(msg) > maxLen {
		return invalid("message", "at most "+strconv.Itoa(maxLen)+" characters")
	}
	if err := checkHTTPURL("mediaUrl", mediaURL, false); err != nil {
		return err
	}
	switch {
	case mediaURL != "" && mt == "":
		return invalid("mediaType", "required with mediaUrl")
	case mediaURL == "" && mt != "":
		return invalid("mediaType", "only with mediaUrl")
	case mt != "" && !mt.valid():
		return invalid("mediaType", "must be image, video, audio or document")
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
	return do(ctx, s.c, &endpoint{req: &transport.Request{
		Method: http.MethodPost, Path: "/api/send-group-message", JSON: &p, Header: jsonHeader(ctJSONUTF8),
	}}, decodeSendResult)
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
	return do(ctx, s.c, &endpoint{auth: sessionAuth, req: &transport.Request{
		Method: http.MethodPost, Path: "/api/groups/" + url.PathEscape(clientID) + "/" + url.PathEscape(string(groupID)) + "/send",
		JSON: &p, Header: jsonHeader(ctJSONUTF8),
	}}, decodeSendResult)
}
