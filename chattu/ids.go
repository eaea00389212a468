package chattu

import (
	"strings"

	"github.com/switchboard-go/switchboard/internal/loose"
)

// ChatID is a private chat's WhatsApp id, "<digits>@c.us" such as
// "9721234567@c.us".
type ChatID string

// Suffixes of WhatsApp ids.
const (
	userSuffix       = "@c.us"
	groupSuffix      = "@g.us"
	newsletterSuffix = "@newsletter"
)

// UserChat returns the chat id of a phone number given with its country
// code, with or without a leading "+" ("+972501234567" ->
// "972501234567@c.us").
func UserChat(number string) (ChatID, error) {
	n := strings.TrimPrefix(strings.TrimSpace(number), "+")
	if !loose.IsDigits(n) || len(n) < 5 || len(n) > 20 {
		return "", invalid("number", "must be a phone number with country code, digits only")
	}
	return ChatID(n + userSuffix), nil
}

// ParseChatID checks s is a private chat id ("<digits>@c.us").
func ParseChatID(s string) (ChatID, error) {
	id := ChatID(s)
	if err := id.Validate(); err != nil {
		return "", err
	}
	return id, nil
}

// Validate reports whether id has the "<digits>@c.us" form.
func (id ChatID) Validate() error {
	n, ok := strings.CutSuffix(string(id), userSuffix)
	if !ok || !loose.IsDigits(n) {
		return invalid("chatId", `must be "<digits>@c.us"`)
	}
	return nil
}

// Number returns the phone number part ("9721234567@c.us" -> "9721234567").
func (id ChatID) Number() string {
	n, _ := strings.CutSuffix(string(id), userSuffix)
	return n
}

// String returns the id.
func (id ChatID) String() string { return string(id) }

// GroupID names a group ("<id>@g.us", such as "120363123456789012@g.us" or
// the older "972501234567-1609459200@g.us") or a channel. Chattu's docs show
// channel ids as "<digits>@c.us"; WhatsApp itself uses "<digits>@newsletter".
// Both are accepted for channels.
type GroupID string

// ParseGroupID checks s is a group or channel id.
func ParseGroupID(s string) (GroupID, error) {
	id := GroupID(s)
	if err := id.Validate(); err != nil {
		return "", err
	}
	return id, nil
}

// Validate reports whether id has one of the group or channel forms.
func (id GroupID) Validate() error {
	s := string(id)
	if g, ok := strings.CutSuffix(s, groupSuffix); ok {
		head, tail, dash := strings.Cut(g, "-")
		if loose.IsDigits(head) && (!dash || loose.IsDigits(tail)) {
			return nil
		}
	}
	if n, ok := strings.CutSuffix(s, newsletterSuffix); ok && loose.IsDigits(n) {
		return nil
	}
	if n, ok := strings.CutSuffix(s, userSuffix); ok && loose.IsDigits(n) {
		return nil
	}
	return invalid("groupId", `must be "<id>@g.us" (a group) or a channel id`)
}

// IsGroup reports whether id is a group's ("@g.us") rather than a channel's.
func (id GroupID) IsGroup() bool { return strings.HasSuffix(string(id), groupSuffix) }

// String returns the id.
func (id GroupID) String() string { return string(id) }
