package voxio

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-go/switchboard/internal/loose"
)

// ConversationStatus is an inbox conversation's state, as the conversation
// list filter and the change-status call number them.
type ConversationStatus int

// Conversation statuses. ConversationAll (0) is "Reset/All": as a list filter
// it means every conversation, as a new status it clears the status.
// ConversationUnread can be filtered on but not set.
const (
	ConversationAll       ConversationStatus = 0
	ConversationDone      ConversationStatus = 1
	ConversationPending   ConversationStatus = 2
	ConversationImportant ConversationStatus = 3
	ConversationUnread    ConversationStatus = 4
)

// ConversationStatusUnknown is a status word Voxio's numbering does not
// define, such as the "open" of the relay's sample payload; the word is kept
// in Conversation.StatusText.
const ConversationStatusUnknown ConversationStatus = -1

// ConversationReset is ConversationAll under the name the change-status call
// uses for it.
const ConversationReset = ConversationAll

var conversationStatusNames = map[ConversationStatus]string{
	ConversationAll:       "none",
	ConversationDone:      "done",
	ConversationPending:   "pending",
	ConversationImportant: "important",
	ConversationUnread:    "unread",
}

// String returns the status's name in Voxio's documentation ("none" for 0,
// which the docs call Reset/All/None), or its number.
func (s ConversationStatus) String() string {
	if n, ok := conversationStatusNames[s]; ok {
		return n
	}
	return "ConversationStatus(" + strconv.Itoa(int(s)) + ")"
}

// Valid reports whether s is one of the documented statuses.
func (s ConversationStatus) Valid() bool {
	_, ok := conversationStatusNames[s]
	return ok
}

// EncodeValues sends the number, as Voxio expects, rather than the name
// String returns.
func (s ConversationStatus) EncodeValues(key string, v *url.Values) error {
	v.Set(key, strconv.Itoa(int(s)))
	return nil
}

// UnmarshalJSON accepts the number, a numeric string, or a status name.
// A word Voxio's numbering does not define (the relay's "open") is
// ConversationStatusUnknown; null or "" is ConversationAll (no status).
func (s *ConversationStatus) UnmarshalJSON(b []byte) error {
	*s = conversationStatusOf(scalar(b))
	return nil
}

// conversationStatusOf reads a status as sent, already as text.
func conversationStatusOf(text string) ConversationStatus {
	t := strings.ToLower(strings.TrimSpace(text))
	if n, ok := number(t); ok {
		return ConversationStatus(n)
	}
	switch t {
	case "done":
		return ConversationDone
	case "pending":
		return ConversationPending
	case "important":
		return ConversationImportant
	case "unread":
		return ConversationUnread
	case "", "reset", "all", "none":
		return ConversationAll
	}
	return ConversationStatusUnknown
}

// MessageStatus is a message's delivery state.
type MessageStatus int

// Message statuses as Voxio numbers them.
const (
	MessageScheduled MessageStatus = 0
	MessageSent      MessageStatus = 1
	MessageDelivered MessageStatus = 2
	MessageRead      MessageStatus = 3
	MessageFailed    MessageStatus = 9
	// MessageStatusUnknown is a status that was absent or that Voxio's
	// numbering does not define; the message keeps the word in StatusText.
	MessageStatusUnknown MessageStatus = -1
)

var messageStatusNames = map[MessageStatus]string{
	MessageScheduled: "scheduled",
	MessageSent:      "sent",
	MessageDelivered: "delivered",
	MessageRead:      "read",
	MessageFailed:    "failed",
}

// String returns the status's name, or its number.
func (s MessageStatus) String() string {
	if n, ok := messageStatusNames[s]; ok {
		return n
	}
	return "MessageStatus(" + strconv.Itoa(int(s)) + ")"
}

// Valid reports whether s is one of the documented statuses.
func (s MessageStatus) Valid() bool {
	_, ok := messageStatusNames[s]
	return ok
}

// Final reports whether no further status will follow (read or failed).
func (s MessageStatus) Final() bool { return s == MessageRead || s == MessageFailed }

// MarshalJSON writes the number Voxio uses.
func (s MessageStatus) MarshalJSON() ([]byte, error) { return []byte(strconv.Itoa(int(s))), nil }

// UnmarshalJSON accepts the number, a numeric string, or a status name
// ("delivered", "SENT"); anything else is MessageStatusUnknown.
func (s *MessageStatus) UnmarshalJSON(b []byte) error {
	*s = messageStatusOf(scalar(b))
	return nil
}

// messageStatusOf reads a status as sent, already as text.
func messageStatusOf(text string) MessageStatus {
	t := strings.ToLower(strings.TrimSpace(text))
	if n, ok := number(t); ok {
		return MessageStatus(n)
	}
	for k, v := range messageStatusNames {
		if v == t {
			return k
		}
	}
	return MessageStatusUnknown
}

// number reads a status sent as digits ("2", 2), with an optional minus;
// a word is not tried as a number, which would cost a parse error.
func number(t string) (int, bool) {
	digits := strings.TrimPrefix(t, "-")
	if !loose.IsDigits(digits) {
		return 0, false
	}
	n, err := strconv.Atoi(t)
	return n, err == nil
}
