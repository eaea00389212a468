package ourvoice

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// SessionStatus is where a session is in its lifecycle.
type SessionStatus string

// The documented session statuses.
const (
	// SessionPending: created, waiting for its QR code to be scanned.
	SessionPending SessionStatus = "pending"
	// SessionConnected: linked to a phone; messages can be sent through it.
	SessionConnected SessionStatus = "connected"
	// SessionDisconnected: unlinked (by Disconnect or by the phone); it can
	// be reconnected.
	SessionDisconnected SessionStatus = "disconnected"
	// SessionBanned: WhatsApp banned the number. Terminal.
	SessionBanned SessionStatus = "banned"
	// SessionFailed: linking failed. Terminal.
	SessionFailed SessionStatus = "failed"
)

// String returns the status as Our Voice spells it.
func (s SessionStatus) String() string { return string(s) }

// Terminal reports a status the session will not leave by itself (banned,
// failed): waiting for it to connect is pointless.
func (s SessionStatus) Terminal() bool { return s == SessionBanned || s == SessionFailed }

// Session is a WhatsApp account linked to the Our Voice account by QR code.
// Messages can only be sent through a connected session.
type Session struct {
	transport.RawJSON
	// ID is the session's uuid, used in every session and send call.
	ID string
	// AccountID is the Our Voice account the session belongs to.
	AccountID string
	// SessionID is the WhatsApp gateway's own identifier
	// ("session_<uuid>"); message lists accept it in place of ID.
	SessionID string
	// PhoneNumber is the linked phone's number; empty until connected.
	PhoneNumber string
	// DisplayName is the WhatsApp account's display name.
	DisplayName string
	// Status is the lifecycle status.
	Status SessionStatus
	// Reason explains a failure or disconnection, when there is one.
	Reason string
	// LastSeenAt is the session's last activity; zero when Our Voice sent
	// none.
	LastSeenAt time.Time
	// CreatedAt is when the session was created.
	CreatedAt time.Time
	// UpdatedAt is when the session last changed, its status included.
	UpdatedAt time.Time
}

// UnmarshalJSON decodes a session leniently (null or "null" strings, ids
// sent as numbers, any timestamp format Our Voice uses), so that a Session
// stored as JSON reads back as the API gave it. Unknown members stay
// reachable through Raw. Only a value that is not a JSON object fails.
func (s *Session) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	out, err := decodeSessionObject(bytes.Clone(b))
	if err != nil {
		return err
	}
	*s = out
	return nil
}

// wireSession is a session as Our Voice sends it.
type wireSession struct {
	ID          textField  `json:"id"`
	AccountID   textField  `json:"account_id"`
	SessionID   textField  `json:"session_id"`
	PhoneNumber textField  `json:"phone_number"`
	DisplayName textField  `json:"display_name"`
	Status      enumField  `json:"status"`
	Reason      textField  `json:"reason"`
	LastSeenAt  loose.Time `json:"last_seen_at"`
	CreatedAt   loose.Time `json:"created_at"`
	UpdatedAt   loose.Time `json:"updated_at"`
}

// decodeSessionObject reads one session object in one pass; the result's
// Raw is b, which must not change afterwards.
func decodeSessionObject(b []byte) (Session, error) {
	var w wireSession
	if err := loose.Unmarshal(b, &w); err != nil {
		return Session{}, err
	}
	s := Session{
		ID: string(w.ID), AccountID: string(w.AccountID), SessionID: string(w.SessionID),
		PhoneNumber: string(w.PhoneNumber), DisplayName: string(w.DisplayName), Status: SessionStatus(w.Status),
		Reason: string(w.Reason), LastSeenAt: w.LastSeenAt.Time, CreatedAt: w.CreatedAt.Time, UpdatedAt: w.UpdatedAt.Time,
	}
	s.SetRaw(bytes.TrimSpace(b))
	return s, nil
}

// SessionsService manages the account's WhatsApp sessions:
// /v1/whatsapp/sessions.
type SessionsService struct {
	tc *transport.Client
}

// ListSessionsParams narrows a session listing. The zero value lists the
// first page (Our Voice may answer every session at once).
type ListSessionsParams struct {
	// Page is the 1-based page to fetch, if Our Voice paginates sessions.
	Page int `url:"page,omitempty"`
}

// SessionList is one answer of Sessions.List.
type SessionList struct {
	transport.RawJSON
	// Sessions are the account's sessions in this answer.
	Sessions []Session
	// Links and Meta are filled when Our Voice paginated the answer.
	Links Links
	Meta  Meta
	info  pageInfo
}

// HasMore reports whether another page follows this one.
func (l *SessionList) HasMore() bool { return !l.info.last() }

// List returns the sessions linked to the account (GET
// /whatsapp/sessions). params may be nil.
func (s *SessionsService) List(ctx context.Context, params *ListSessionsParams) (*SessionList, error) {
	var p ListSessionsParams
	if params != nil {
		p = *params
	}
	if p.Page < 0 {
		return nil, invalid("page", "must not be negative")
	}
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodGet, Path: "/whatsapp/sessions", Query: p, Header: jsonHeaders()}, decodeSessionList)
}

func decodeSessionList(resp *transport.Response) (*SessionList, error) {
	raw, info, err := decodeList(resp, "sessions")
	if err != nil {
		return nil, err
	}
	var items []Session
	if raw != nil {
		// Each session keeps its own JSON (Session.UnmarshalJSON): session
		// lists are short, and not on a hot path.
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
	}
	l := &SessionList{Sessions: items, Links: info.Links, Meta: info.Meta, info: info}
	l.SetRaw(resp.Body)
	return l, nil
}

// ListAll walks every session, fetching pages as they are consumed. It
// stops at the first error, which it yields once.
func (s *SessionsService) ListAll(ctx context.Context, params *ListSessionsParams) iter.Seq2[Session, error] {
	var p ListSessionsParams
	if params != nil {
		p = *params
	}
	return transport.Pages(ctx, p.Page, func(ctx context.Context, page int) (transport.Page[Session], error) {
		q := p
		q.Page = page
		if page == 1 && p.Page == 0 {
			q.Page = 0 // the documented request carries no page
		}
		l, err := s.List(ctx, &q)
		if err != nil {
			return transport.Page[Session]{}, err
		}
		if err := checkPage(l.info, page); err != nil {
			return transport.Page[Session]{}, err
		}
		return transport.Page[Session]{Items: l.Sessions, Last: l.info.last()}, nil
	})
}

// CreatedSession is the answer to Sessions.Create: the new pending session
// and the QR code to scan.
type CreatedSession struct {
	transport.RawJSON
	// Session is the new session, pending until its QR code is scanned.
	Session Session
	// QRCode is the data URL Our Voice returned.
	QRCode QRCode
	// PNG is QRCode decoded, or nil if it was not a well-formed PNG data
	// URL (QRCode.PNG says why).
	PNG []byte
}

// Create starts a new session (POST /whatsapp/sessions). Our Voice
// generates its id; the answer carries the QR code to scan. The request is
// never repeated once written, so one call creates at most one session;
// if it fails with ErrMaybeDelivered, list the sessions before creating
// another.
func (s *SessionsService) Create(ctx context.Context) (*CreatedSession, error) {
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodPost, Path: "/whatsapp/sessions", Header: jsonHeaders(), Delivery: transport.AtMostOnce}, decodeCreatedSession)
}

// decodeCreatedSession reads the documented 201 answer {"success",
// "session", "qr_code"}, the same under "data", or the session itself
// under "data". An answer without a session object is a failure: the
// caller could not know which session it created.
func decodeCreatedSession(resp *transport.Response) (*CreatedSession, error) {
	env := envelopeOf(resp)
	if env.err != nil {
		return nil, env.err
	}
	out := &CreatedSession{}
	qr, _ := env.get("qr_code")
	out.QRCode = QRCode(text(qr))
	obj, ok := env.get("session")
	if !isObject(obj) {
		obj, ok = env.get("data")
	}
	if !ok || !isObject(obj) {
		return nil, errors.New("no session object in the answer")
	}
	ms, err := object(obj)
	if err != nil {
		return nil, err
	}
	// {"data": {"session": {...}, "qr_code": "..."}} nests one level more.
	if inner, ok := member(ms, "session"); ok && isObject(inner) {
		if out.QRCode == "" {
			qr, _ := member(ms, "qr_code")
			out.QRCode = QRCode(text(qr))
		}
		obj = inner
	}
	if out.Session, err = decodeSessionObject(obj); err != nil {
		return nil, err
	}
	out.PNG = out.QRCode.pngOrNil()
	out.SetRaw(resp.Body)
	return out, nil
}

// Get returns one session (GET /whatsapp/sessions/{id}); poll it to follow
// the status, or use WaitConnected.
func (s *SessionsService) Get(ctx context.Context, id string) (*Session, error) {
	path, err := sessionPath(id, "")
	if err != nil {
		return nil, err
	}
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodGet, Path: path, Header: jsonHeaders()}, decodeSession)
}

// decodeSession reads {"success": true, "session": {...}}, the session
// under "data", or a bare session object.
func decodeSession(resp *transport.Response) (*Session, error) {
	env := envelopeOf(resp)
	if env.err != nil {
		return nil, env.err
	}
	for _, k := range []string{"session", "data"} {
		if v, ok := env.get(k); ok && isObject(v) {
			sess, err := decodeSessionObject(v)
			return &sess, err
		}
	}
	sess, err := decodeSessionObject(resp.Body)
	return &sess, err
}

// SessionQRCode is the answer to Sessions.QRCode.
type SessionQRCode struct {
	transport.RawJSON
	// QRCode is the data URL Our Voice returned.
	QRCode QRCode
	// PNG is QRCode decoded, or nil if it was not a well-formed PNG data
	// URL.
	PNG []byte
}

// QRCode returns the session's current QR code (GET
// /whatsapp/sessions/{id}/qr-code). Our Voice only has one while the
// session is pending; otherwise it answers with an *Error.
func (s *SessionsService) QRCode(ctx context.Context, id string) (*SessionQRCode, error) {
	path, err := sessionPath(id, "/qr-code")
	if err != nil {
		return nil, err
	}
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodGet, Path: path, Header: jsonHeaders()}, decodeQRCode)
}

// decodeQRCode reads the documented {"success": true, "qr_code": "..."},
// or the code under "data".
func decodeQRCode(resp *transport.Response) (*SessionQRCode, error) {
	env := envelopeOf(resp)
	if env.err != nil {
		return nil, env.err
	}
	qr, _ := env.get("qr_code")
	out := &SessionQRCode{QRCode: QRCode(text(qr))}
	if data, ok := env.get("data"); out.QRCode == "" && ok && isObject(data) {
		if ms, err := object(data); err == nil {
			qr, _ := member(ms, "qr_code")
			out.QRCode = QRCode(text(qr))
		}
	}
	out.PNG = out.QRCode.pngOrNil()
	out.SetRaw(resp.Body)
	return out, nil
}

// SessionUpdate is the answer to Disconnect and Reconnect.
type SessionUpdate struct {
	transport.RawJSON
	// Message is Our Voice's confirmation text, if any.
	Message string
	// Session is the session after the change, when Our Voice sent it
	// (nil otherwise: call Get).
	Session *Session
	// QRCode is set when reconnecting needs a new scan.
	QRCode QRCode
	// PNG is QRCode decoded, when it holds a PNG.
	PNG []byte
}

// Disconnect unlinks a connected session (PATCH
// /whatsapp/sessions/{id}/disconnect). The session is kept, with status
// disconnected, and can be reconnected. Not repeated once written.
func (s *SessionsService) Disconnect(ctx context.Context, id string) (*SessionUpdate, error) {
	return s.patch(ctx, id, "/disconnect")
}

// Reconnect relinks a disconnected session (PATCH
// /whatsapp/sessions/{id}/reconnect). If it goes back to pending, follow it
// with WaitConnected to show the new QR code. Not repeated once written.
func (s *SessionsService) Reconnect(ctx context.Context, id string) (*SessionUpdate, error) {
	return s.patch(ctx, id, "/reconnect")
}

func (s *SessionsService) patch(ctx context.Context, id, action string) (*SessionUpdate, error) {
	path, err := sessionPath(id, action)
	if err != nil {
		return nil, err
	}
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodPatch, Path: path, Header: jsonHeaders()}, decodeSessionUpdate)
}

// decodeSessionUpdate reads the answer to a disconnect or reconnect, which
// the docs do not show: an empty body, or an object with "message",
// "qr_code" and the session (under "session" or "data", or the answer
// itself when it has an "id").
func decodeSessionUpdate(resp *transport.Response) (*SessionUpdate, error) {
	out := &SessionUpdate{}
	out.SetRaw(resp.Body)
	env := envelopeOf(resp)
	if env.err == errEmpty {
		return out, nil
	}
	if env.err != nil {
		return nil, env.err
	}
	msg, _ := env.get("message")
	out.Message = text(msg)
	qr, _ := env.get("qr_code")
	out.QRCode = QRCode(text(qr))
	var obj json.RawMessage
	for _, k := range []string{"session", "data"} {
		if v, ok := env.get(k); ok && isObject(v) {
			obj = v
			break
		}
	}
	switch {
	case obj != nil:
		sess, err := decodeSessionObject(obj)
		if err != nil {
			return nil, err
		}
		out.Session = &sess
	default:
		if _, ok := env.get("id"); ok {
			sess, err := decodeSessionObject(resp.Body)
			if err != nil {
				return nil, err
			}
			out.Session = &sess
		}
	}
	out.PNG = out.QRCode.pngOrNil()
	return out, nil
}

// DeleteResult is the answer to Delete.
type DeleteResult struct {
	transport.RawJSON
	// Message is Our Voice's confirmation text, if any.
	Message string
}

// Delete removes a session for good (DELETE /whatsapp/sessions/{id}). It
// may be retried after a network failure; a retry that finds the session
// already gone answers ErrNotFound.
func (s *SessionsService) Delete(ctx context.Context, id string) (*DeleteResult, error) {
	path, err := sessionPath(id, "")
	if err != nil {
		return nil, err
	}
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodDelete, Path: path, Header: jsonHeaders()}, decodeDelete)
}

// decodeDelete reads the answer to Delete: an empty body (204) or an
// object with a "message".
func decodeDelete(resp *transport.Response) (*DeleteResult, error) {
	out := &DeleteResult{}
	out.SetRaw(resp.Body)
	env := envelopeOf(resp)
	if env.err == errEmpty {
		return out, nil
	}
	if env.err != nil {
		return nil, env.err
	}
	msg, _ := env.get("message")
	out.Message = text(msg)
	return out, nil
}

func sessionPath(id, suffix string) (string, error) {
	if err := checkID("id", id); err != nil {
		return "", err
	}
	return "/whatsapp/sessions/" + url.PathEscape(id) + suffix, nil
}

// checkID rejects ids that cannot name a resource: blank, padded, or with
// characters that would change the path.
func checkID(field, id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return invalid(field, "required")
	case strings.TrimSpace(id) != id:
		return invalid(field, "must not have leading or trailing spaces")
	case strings.ContainsAny(id, "/?#\\") || id == "." || id == "..":
		return invalid(field, "must not contain /, ?, # or \\")
	case strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return invalid(field, "must not contain control characters")
	}
	return nil
}
