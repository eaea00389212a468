package chattu

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/switchboard-go/switchboard/internal/loose"
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
	ID        loose.Int    `json:"id"`
	ClientID  loose.String `json:"client_id"`
	CallFrom  loose.String `json:"call_from"`
	IsVideo   loose.Bool   `json:"is_video"`
	StartTime loose.Time   `json:"start_time"`
	EndTime   loose.Time   `json:"end_time"`
	Duration  loose.Int    `json:"duration"`
	CreatedAt loose.Time   `json:"created_at"`
}

func (w *callWire) value() Call {
	return Call{
		ID: int64(w.ID), ClientID: string(w.ClientID), CallFrom: string(w.CallFrom), IsVideo: bool(w.IsVideo),
		StartTime: w.StartTime.Time, EndTime: w.EndTime.Time, Duration: int64(w.Duration), CreatedAt: w.CreatedAt.Time,
	}
}

// Calls is {"status": "success", "calls": [...]}.
type Calls struct {
	// Status is the envelope's "status" ("success"); "" for a bare array.
	Status string
	// Calls are the calls, most recent first as Chattu lists them.
	Calls []Call
	transport.RawJSON
}

func decodeCalls(resp *transport.Response) (*Calls, error) {
	l := &Calls{}
	raw, env, err := listIn(resp, "calls", "logs", "data")
	if err != nil {
		return nil, err
	}
	if l.Calls, err = decodeList(raw, (*callWire).value); err != nil {
		return nil, err
	}
	l.Status = textOf(env.get("status"))
	l.SetRaw(resp.Body)
	return l, nil
}

// Incoming lists the last 100 incoming calls of the WhatsApp client
// clientID (GET /api/incoming-calls/:clientId).
func (s *CallsService) Incoming(ctx context.Context, clientID string) (*Calls, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	return do(ctx, s.c, &endpoint{req: &transport.Request{Method: http.MethodGet, Path: "/api/incoming-calls/" + url.PathEscape(clientID)}}, decodeCalls)
}

// Logs lists the last 50 calls of all the account's clients (GET
// /api/call-logs). The docs do not show the body; it is decoded as calls
// (a bare array or under "calls"), and Raw keeps it whole.
func (s *CallsService) Logs(ctx context.Context) (*Calls, error) {
	return do(ctx, s.c, &endpoint{req: &transport.Request{Method: http.MethodGet, Path: "/api/call-logs"}}, decodeCalls)
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

func decodeAppLogs(resp *transport.Response) (*AppLogs, error) {
	l := &AppLogs{}
	raw, _, err := listIn(resp, "logs", "data")
	if err != nil {
		return nil, err
	}
	if len(raw) > 0 {
		if err := loose.Unmarshal(raw, &l.Entries); err != nil {
			return nil, err
		}
	}
	l.SetRaw(resp.Body)
	return l, nil
}

// List returns the application logs, for debugging and monitoring.
func (s *LogsService) List(ctx context.Context) (*AppLogs, error) {
	return do(ctx, s.c, &endpoint{req: &transport.Request{Method: http.MethodGet, Path: "/api/logs"}}, decodeAppLogs)
}
