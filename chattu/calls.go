package chattu

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// CallsService lists incoming calls and call logs.
type CallsService struct{ c *Client }

// Call is an incoming call.
type Call struct {
	// ID is Chattu's id of the call record.
	ID int64
	// ClientID is the client that received (and rejected) the call.
	ClientID string
	// CallFrom is the caller's WhatsApp id ("1234567890@c.us").
	CallFrom string
	// IsVideo tells a video call from a voice call.
	IsVideo bool
	// StartTime is when the call came in.
	StartTime time.Time
	// EndTime is zero while unknown (null).
	EndTime time.Time
	// Duration is as sent (0 when null); the docs do not give its unit.
	Duration int64
	// CreatedAt is when Chattu recorded the call.
	CreatedAt time.Time
}

type callWire struct {
	ID        transport.Int    `json:"id"`
	ClientID  transport.String `json:"client_id"`
	CallFrom  transport.String `json:"call_from"`
	IsVideo   transport.Bool   `json:"is_video"`
	StartTime transport.Time   `json:"start_time"`
	EndTime   transport.Time   `json:"end_time"`
	Duration  transport.Int    `json:"duration"`
	CreatedAt transport.Time   `json:"created_at"`
}

// UnmarshalJSON decodes the documented fields leniently.
func (c *Call) UnmarshalJSON(b []byte) error {
	var w callWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*c = Call{
		ID: int64(w.ID), ClientID: string(w.ClientID), CallFrom: string(w.CallFrom), IsVideo: bool(w.IsVideo),
		StartTime: w.StartTime.Time, EndTime: w.EndTime.Time, Duration: int64(w.Duration), CreatedAt: w.CreatedAt.Time,
	}
	return nil
}

// Calls is {"status": "success", "calls": [...]}.
type Calls struct {
	// Status is the envelope's "status" ("success"); "" for a bare array.
	Status string
	// Calls are the calls, most recent first as Chattu lists them.
	Calls []Call
	transport.RawJSON
}

// UnmarshalJSON reads the envelope, or a bare array.
func (l *Calls) UnmarshalJSON(b []byte) error {
	st, err := envelopeStatus(b)
	if err != nil {
		return err
	}
	l.Status = st
	return decodeList(b, &l.Calls, "calls", "logs", "data")
}

// Incoming lists the last 100 incoming calls of the WhatsApp client
// clientID (GET /api/incoming-calls/:clientId).
func (s *CallsService) Incoming(ctx context.Context, clientID string) (*Calls, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	out := &Calls{}
	if _, err := s.c.do(ctx, &call{req: &transport.Request{Method: http.MethodGet, Path: "/api/incoming-calls/" + url.PathEscape(clientID)}}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Logs lists the last 50 calls of all the account's clients (GET
// /api/call-logs). The docs do not show the body; it is decoded as calls
// (a bare array or under "calls"), and Raw keeps it whole.
func (s *CallsService) Logs(ctx context.Context) (*Calls, error) {
	out := &Calls{}
	if _, err := s.c.do(ctx, &call{req: &transport.Request{Method: http.MethodGet, Path: "/api/call-logs"}}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// LogsService reads the application logs.
type LogsService struct{ c *Client }

// AppLogs is GET /api/logs. The docs do not show its body: Entries holds each
// entry's JSON (from a bare array or one under "logs" or "data"), and Raw
// the whole body.
type AppLogs struct {
	// Entries are the log entries, each as sent: the docs do not give their fields.
	Entries []json.RawMessage
	transport.RawJSON
}

// UnmarshalJSON collects the entries.
func (l *AppLogs) UnmarshalJSON(b []byte) error {
	return decodeList(b, &l.Entries, "logs", "data")
}

// List returns the application logs, for debugging and monitoring.
func (s *LogsService) List(ctx context.Context) (*AppLogs, error) {
	out := &AppLogs{}
	if _, err := s.c.do(ctx, &call{req: &transport.Request{Method: http.MethodGet, Path: "/api/logs"}}, out); err != nil {
		return nil, err
	}
	return out, nil
}

func isObject(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return true
		}
		return false
	}
	return false
}
