package chattutest

import (
	"time"
)

// ClientState is a WhatsApp client as the sandbox holds it.
type ClientState struct {
	// ClientID is the id given to add-number.
	ClientID string
	// PhoneNumber is the number given to add-number.
	PhoneNumber string
	// APIKey is the client's own key, accepted for its own endpoints.
	APIKey string
	// Connected is true once Scan logged the number in.
	Connected bool
	// WebhookURL receives the client's events; "" for none.
	WebhookURL string
}

type client struct {
	ClientState
	qr        []byte
	chats     map[string]*chat
	groups    []*group
	received  []*receivedMessage
	createdAt time.Time
}

type chat struct {
	id, name string
	messages []*chatMessage
	unread   int
	last     time.Time
}

type chatMessage struct {
	id        string
	body      string
	fromMe    bool
	timestamp time.Time
	typ       string
	media     []byte
	mediaType string // content type
	filename  string
	ack       int
	reactions []reaction
}

type reaction struct{ emoji, sender string }

// Group seeds a group or channel with AddGroup.
type Group struct {
	// ID is "<id>@g.us" for a group; a channel's id may be "<digits>@c.us"
	// as in Chattu's docs, or "<digits>@newsletter".
	ID string
	// Name is the group's or channel's name (any UTF-8).
	Name string
	// Description is "" for none (sent as null).
	Description string
	// Channel marks a channel rather than a group.
	Channel bool
	// ReadOnly makes sends fail with READ_ONLY_CHAT.
	ReadOnly bool
	// Participants is the member count (groups only).
	Participants int
	// Owner is the creator's id (groups only).
	Owner string
}

type group struct {
	Group
	createdAt time.Time
	messages  []*chatMessage
	unread    int
	last      time.Time
}

// SentMessage is a message the sandbox sent on a client's behalf.
type SentMessage struct {
	// ID is the sandbox's id of the record.
	ID int64
	// ClientID is the client that sent it.
	ClientID string
	// Recipient is the number, or the group or channel id.
	Recipient string
	// Message is the text sent.
	Message string
	// MediaURL is the attached media's URL, if any.
	MediaURL string
	// Source says what sent it: "api", "chat", "group", "schedule",
	// "auto-reply" (a webhook's response) or "call-rejection".
	Source string
	// SentAt is the sandbox time of the send.
	SentAt time.Time
}

type sentMessage struct {
	SentMessage
	sender string
}

type receivedMessage struct {
	id         int64
	clientID   string
	sender     string
	message    string
	receivedAt time.Time
}

// Scheduled is a scheduled message as the sandbox holds it.
type Scheduled struct {
	// ID is the id Cancel takes.
	ID int64
	// ClientID is the client that will send it.
	ClientID string
	// Recipient is the number as given.
	Recipient string
	// Message is the text to send.
	Message string
	// ScheduleTime is when it is due (UTC).
	ScheduleTime time.Time
	Status       string // pending, sent, cancelled
	// CreatedAt is the sandbox time it was scheduled.
	CreatedAt time.Time
	// SentTime is zero until the message is sent.
	SentTime time.Time
}

type scheduled struct{ Scheduled }

type call struct {
	id        int64
	clientID  string
	from      string
	isVideo   bool
	start     time.Time
	createdAt time.Time
}

type logEntry struct {
	ID        int64     `json:"id"`
	Level     string    `json:"level"`
	Message   string    `json:"message"`
	Timestamp time.Time `json:"timestamp"`
}

// window is one fixed rate-limit window.
type window struct {
	start time.Time
	count int
}
