package chattutest

import (
	"time"
)

// ClientState is a WhatsApp client as the sandbox holds it.
type ClientState struct {
	ClientID    string
	PhoneNumber string
	// APIKey is the client's own key, accepted for its own endpoints.
	APIKey     string
	Connected  bool
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
	ID          string
	Name        string
	Description string
	// Channel marks a channel rather than a group.
	Channel      bool
	ReadOnly     bool
	Participants int
	Owner        string
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
	ID        int64
	ClientID  string
	Recipient string
	Message   string
	MediaURL  string
	// Source says what sent it: "api", "chat", "group", "schedule",
	// "auto-reply" (a webhook's response) or "call-rejection".
	Source string
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
	ID           int64
	ClientID     string
	Recipient    string
	Message      string
	ScheduleTime time.Time
	Status       string // pending, sent, cancelled
	CreatedAt    time.Time
	SentTime     time.Time
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
