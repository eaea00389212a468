package chattu

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-go/switchboard/internal/loose"
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
		return invalid("message", "required")
	}
	if p.ScheduleTime.IsZero() {
		return invalid("scheduleTime", "required")
	}
	if y := p.ScheduleTime.UTC().Year(); y < 1970 || y > 9999 {
		return invalid("scheduleTime", "must be a year between 1970 and 9999")
	}
	return nil
}

// Create schedules a message. Not repeated once written.
func (s *SchedulesService) Create(ctx context.Context, p ScheduleParams) (*Result, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	body := scheduleWire{ClientID: p.ClientID, Number: p.Number, Message: p.Message, ScheduleTime: p.ScheduleTime.UTC().Format(ScheduleTimeLayout)}
	return do(ctx, s.c, &endpoint{auth: sessionAuth, req: &transport.Request{Method: http.MethodPost, Path: "/schedule-message", JSON: &body}}, decodeResult)
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
	ID           loose.Int    `json:"id"`
	ClientID     loose.String `json:"clientId"`
	Recipient    loose.String `json:"recipient"`
	Message      loose.String `json:"message"`
	ScheduleTime loose.Time   `json:"scheduleTime"`
	Status       loose.String `json:"status"`
	CreatedAt    loose.Time   `json:"createdAt"`
	SentTime     loose.Time   `json:"sentTime"`
}

func (w *scheduledWire) value() ScheduledMessage {
	return ScheduledMessage{
		ID: int64(w.ID), ClientID: string(w.ClientID), Recipient: string(w.Recipient), Message: string(w.Message),
		ScheduleTime: w.ScheduleTime.Time, Status: ScheduleStatus(w.Status), CreatedAt: w.CreatedAt.Time, SentTime: w.SentTime.Time,
	}
}

// ScheduledMessages is GET /scheduled-messages.
type ScheduledMessages struct {
	// Messages are the logged-in user's scheduled messages.
	Messages []ScheduledMessage
	transport.RawJSON
}

func decodeScheduledMessages(resp *transport.Response) (*ScheduledMessages, error) {
	l := &ScheduledMessages{}
	raw, _, err := listIn(resp, "messages", "scheduledMessages", "data")
	if err != nil {
		return nil, err
	}
	if l.Messages, err = decodeList(raw, (*scheduledWire).value); err != nil {
		return nil, err
	}
	l.SetRaw(resp.Body)
	return l, nil
}

// List returns the logged-in user's scheduled messages.
func (s *SchedulesService) List(ctx context.Context) (*ScheduledMessages, error) {
	return do(ctx, s.c, &endpoint{auth: sessionAuth, req: &transport.Request{Method: http.MethodGet, Path: "/scheduled-messages", Header: jsonHeader(ctJSON)}}, decodeScheduledMessages)
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
		return nil, invalid("id", "required: a positive scheduled message id")
	}
	return do(ctx, s.c, &endpoint{auth: sessionAuth, req: &transport.Request{
		Method: http.MethodDelete, Path: "/scheduled-messages/" + strconv.FormatInt(id, 10), Header: jsonHeader(ctJSON),
	}}, decodeResult)
}
