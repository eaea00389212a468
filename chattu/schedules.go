package chattu

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// SchedulesService creates, lists and cancels scheduled messages. These
// endpoints belong to the dashboard and need its login session
// (WithSessionCookie).
type SchedulesService struct{ c *Client }

// ScheduleStatus is a scheduled message's state.
type ScheduleStatus string

// Documented schedule statuses.
const (
	SchedulePending   ScheduleStatus = "pending"
	ScheduleSent      ScheduleStatus = "sent"
	ScheduleCancelled ScheduleStatus = "cancelled"
)

// ScheduleTimeLayout is how scheduleTime is written: ISO 8601 in UTC with
// second precision, as the docs show ("2025-10-06T18:30:00Z").
const ScheduleTimeLayout = "2006-01-02T15:04:05Z"

// ScheduleParams is the body of POST /schedule-message.
type ScheduleParams struct {
	// ClientID names the WhatsApp client that will send (required).
	ClientID string
	// Number is the recipient with country code ("9721234567" or
	// "+9721234567").
	Number string
	// Message is the text to send (required).
	Message string
	// ScheduleTime is when to send, in any time zone: it is sent in UTC.
	// Sub-second precision is dropped.
	ScheduleTime time.Time
}

type scheduleWire struct {
	ClientID     string `json:"clientId"`
	Number       string `json:"number"`
	Message      string `json:"message"`
	ScheduleTime string `json:"scheduleTime"`
}

func (p *ScheduleParams) validate() error {
	if err := checkClientID(p.ClientID); err != nil {
		return err
	}
	if err := checkNumber("number", p.Number); err != nil {
		return err
	}
	if p.Message == "" {
		return transport.Invalid("message", "required")
	}
	if p.ScheduleTime.IsZero() {
		return transport.Invalid("scheduleTime", "required")
	}
	if y := p.ScheduleTime.UTC().Year(); y < 1970 || y > 9999 {
		return transport.Invalid("scheduleTime", "must be a year between 1970 and 9999")
	}
	return nil
}

// Create schedules a message. Not repeated once written.
func (s *SchedulesService) Create(ctx context.Context, p ScheduleParams) (*Result, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	body := scheduleWire{ClientID: p.ClientID, Number: p.Number, Message: p.Message, ScheduleTime: p.ScheduleTime.UTC().Format(ScheduleTimeLayout)}
	out := &Result{}
	if _, err := s.c.do(ctx, &call{auth: sessionAuth, req: &transport.Request{Method: http.MethodPost, Path: "/schedule-message", JSON: body}}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ScheduledMessage is one entry of GET /scheduled-messages.
type ScheduledMessage struct {
	// ID identifies the schedule, for Cancel.
	ID int64
	// ClientID is the client that will send it.
	ClientID string
	// Recipient is the number as given when scheduling ("+9721234567").
	Recipient string
	// Message is the text to send.
	Message string
	// ScheduleTime is when it is due, in UTC.
	ScheduleTime time.Time
	// Status is pending, sent or cancelled.
	Status ScheduleStatus
	// CreatedAt is when it was scheduled.
	CreatedAt time.Time
	// SentTime is zero until the message is sent.
	SentTime time.Time
}

type scheduledWire struct {
	ID           transport.Int    `json:"id"`
	ClientID     transport.String `json:"clientId"`
	Recipient    transport.String `json:"recipient"`
	Message      transport.String `json:"message"`
	ScheduleTime transport.Time   `json:"scheduleTime"`
	Status       transport.String `json:"status"`
	CreatedAt    transport.Time   `json:"createdAt"`
	SentTime     transport.Time   `json:"sentTime"`
}

// UnmarshalJSON decodes the documented fields leniently.
func (m *ScheduledMessage) UnmarshalJSON(b []byte) error {
	var w scheduledWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = ScheduledMessage{
		ID: int64(w.ID), ClientID: string(w.ClientID), Recipient: string(w.Recipient), Message: string(w.Message),
		ScheduleTime: w.ScheduleTime.Time, Status: ScheduleStatus(w.Status), CreatedAt: w.CreatedAt.Time, SentTime: w.SentTime.Time,
	}
	return nil
}

// ScheduledMessages is GET /scheduled-messages.
type ScheduledMessages struct {
	// Messages are the logged-in user's scheduled messages.
	Messages []ScheduledMessage
	transport.RawJSON
}

// UnmarshalJSON reads the documented array.
func (l *ScheduledMessages) UnmarshalJSON(b []byte) error {
	return decodeList(b, &l.Messages, "messages", "scheduledMessages", "data")
}

// List returns the logged-in user's scheduled messages.
func (s *SchedulesService) List(ctx context.Context) (*ScheduledMessages, error) {
	out := &ScheduledMessages{}
	if _, err := s.c.do(ctx, &call{auth: sessionAuth, req: &transport.Request{Method: http.MethodGet, Path: "/scheduled-messages", Header: jsonHeader(ctJSON)}}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Cancel cancels the pending scheduled message id (ScheduledMessage.ID;
// DELETE /scheduled-messages/:id). Chattu allows 10 deletions per 15 minutes.
//
// Cancelling twice changes nothing, so a failed attempt is retried. When an
// answer was lost the retry finds the message no longer pending and fails:
// an *Error with Attempts > 1 may mean an earlier attempt cancelled it; List
// tells.
func (s *SchedulesService) Cancel(ctx context.Context, id int64) (*Result, error) {
	if id <= 0 {
		return nil, transport.Invalid("id", "required: a positive scheduled message id")
	}
	out := &Result{}
	if _, err := s.c.do(ctx, &call{auth: sessionAuth, req: &transport.Request{
		Method: http.MethodDelete, Path: "/scheduled-messages/" + strconv.FormatInt(id, 10), Header: jsonHeader(ctJSON),
	}}, out); err != nil {
		return nil, err
	}
	return out, nil
}
