package ourvoice

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"

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

type wireSession struct {
	ID          transport.String `json:"id"`
	AccountID   transport.String `json:"account_id"`
	SessionID   transport.String `json:"session_id"`
	PhoneNumber transport.String `json:"phone_number"`
	DisplayName transport.String `json:"display_name"`
	Status      transport.String `json:"status"`
	Reason      transport.String `json:"reason"`
	LastSeenAt  transport.Time   `json:"last_seen_at"`
	CreatedAt   transport.Time   `json:"created_at"`
	UpdatedAt   transport.Time   `json:"updated_at"`
}

// UnmarshalJSON decodes a session leniently: null or "null" strings, ids
// sent as numbers and any timestamp format Our Voice uses. Unknown members
// stay reachable through Raw.
func (s *Session) UnmarshalJSON(b []byte) error {
	var w wireSession
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = Session{
		ID: string(w.ID), AccountID: string(w.AccountID), SessionID: string(w.SessionID),
		PhoneNumber: string(w.PhoneNumber), DisplayName: string(w.DisplayName),
		Status: SessionStatus(strings.ToLower(strings.TrimSpace(string(w.Status)))),
		Reason: string(w.Reason), LastSeenAt: w.LastSeenAt.Time, CreatedAt: w.CreatedAt.Time, UpdatedAt: w.UpdatedAt.Time,
	}
	s.SetRaw(append(json.RawMessage(nil), b...))
	return nil
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
		return nil, transport.Invalid("page", "must not be negative")
	}
	resp, err := s.tc.Do(ctx, &transport.Request{Method: http.MethodGet, Path: "/whatsapp/sessions", Query: p, Header: jsonHeaders()}, nil)
	if err != nil {
		return nil, err
	}
	return decodeSessionList(resp.Body, resp.StatusCode)
}

func decodeSessionList(body []byte, status int) (*SessionList, error) {
	items, info, err := decodeList[Session](body, "sessions")
	if err != nil {
		return nil, decodeFailure(http.MethodGet, "/whatsapp/sessions", status, err)
	}
	l := &SessionList{Sessions: items, Links: info.Links, Meta: info.Meta, info: info}
	l.SetRaw(body)
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

type createdWire struct {
	Session json.RawMessage  `json:"session"`
	Data    json.RawMessage  `json:"data"`
	QRCode  transport.String `json:"qr_code"`
}

// Create starts a new session (POST /whatsapp/sessions). Our Voice
// generates its id; the answer carries the QR code to scan. The request is
// never repeated once written, so one call creates at most one session;
// if it fails with ErrMaybeDelivered, list the sessions before creating
// another.
func (s *SessionsService) Create(ctx context.Context) (*CreatedSession, error) {
	resp, err := s.tc.Do(ctx, &transport.Request{Method: http.MethodPost, Path: "/whatsapp/sessions", Header: jsonHeaders(), Delivery: transport.AtMostOnce}, nil)
	if err != nil {
		return nil, err
	}
	return decodeCreatedSession(resp.Body, http.MethodPost, "/whatsapp/sessions", resp.StatusCode)
}

func decodeCreatedSession(body []byte, method, path string, status int) (*CreatedSession, error) {
	var w createdWire
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, decodeFailure(method, path, status, err)
	}
	out := &CreatedSession{QRCode: QRCode(w.QRCode)}
	obj := w.Session
	if !isObjectJSON(obj) {
		obj = w.Data
	}
	if isObjectJSON(obj) {
		// {"data": {"session": {...}, "qr_code": "..."}} nests one level more.
		var inner createdWire
		if json.Unmarshal(obj, &inner) == nil && isObjectJSON(inner.Session) {
			obj = inner.Session
			if out.QRCode == "" {
				out.QRCode = QRCode(inner.QRCode)
			}
		}
		if err := json.Unmarshal(obj, &out.Session); err != nil {
			return nil, decodeFailure(method, path, status, err)
		}
	}
	out.PNG = out.QRCode.pngOrNil()
	out.SetRaw(body)
	return out, nil
}

// Get returns one session (GET /whatsapp/sessions/{id}); poll it to follow
// the status, or use WaitConnected.
func (s *SessionsService) Get(ctx context.Context, id string) (*Session, error) {
	path, err := sessionPath(id, "")
	if err != nil {
		return nil, err
	}
	resp, err := s.tc.Do(ctx, &transport.Request{Method: http.MethodGet, Path: path, Header: jsonHeaders()}, nil)
	if err != nil {
		return nil, err
	}
	return decodeSession(resp.Body, http.MethodGet, path, resp.StatusCode)
}

func decodeSession(body []byte, method, path string, status int) (*Session, error) {
	var out Session
	if err := json.Unmarshal(unwrapObject(body, "session", "data"), &out); err != nil {
		return nil, decodeFailure(method, path, status, err)
	}
	return &out, nil
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
	resp, err := s.tc.Do(ctx, &transport.Request{Method: http.MethodGet, Path: path, Header: jsonHeaders()}, nil)
	if err != nil {
		return nil, err
	}
	return decodeQRCode(resp.Body, path, resp.StatusCode)
}

func decodeQRCode(body []byte, path string, status int) (*SessionQRCode, error) {
	var w struct {
		QRCode transport.String `json:"qr_code"`
		Data   json.RawMessage  `json:"data"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, decodeFailure(http.MethodGet, path, status, err)
	}
	if w.QRCode == "" && isObjectJSON(w.Data) {
		var inner struct {
			QRCode transport.String `json:"qr_code"`
		}
		_ = json.Unmarshal(w.Data, &inner)
		w.QRCode = inner.QRCode
	}
	out := &SessionQRCode{QRCode: QRCode(w.QRCode)}
	out.PNG = out.QRCode.pngOrNil()
	out.SetRaw(body)
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
	resp, err := s.tc.Do(ctx, &transport.Request{Method: http.MethodPatch, Path: path, Header: jsonHeaders()}, nil)
	if err != nil {
		return nil, err
	}
	return decodeSessionUpdate(resp.Body, http.MethodPatch, path, resp.StatusCode)
}

func decodeSessionUpdate(body []byte, method, path string, status int) (*SessionUpdate, error) {
	out := &SessionUpdate{}
	out.SetRaw(body)
	var top map[string]json.RawMessage
	if len(strings.TrimSpace(string(body))) == 0 || json.Unmarshal(body, &top) != nil {
		return out, nil // an empty or non-object 2xx: nothing more to read
	}
	out.Message = jsonText(top["message"])
	out.QRCode = QRCode(jsonText(top["qr_code"]))
	obj := unwrapObject(body, "session", "data")
	if isObjectJSON(obj) && string(obj) != string(body) {
		var sess Session
		if err := json.Unmarshal(obj, &sess); err != nil {
			return nil, decodeFailure(method, path, status, err)
		}
		out.Session = &sess
	} else if _, ok := top["id"]; ok {
		var sess Session
		if err := json.Unmarshal(body, &sess); err == nil {
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
	resp, err := s.tc.Do(ctx, &transport.Request{Method: http.MethodDelete, Path: path, Header: jsonHeaders()}, nil)
	if err != nil {
		return nil, err
	}
	out := &DeleteResult{}
	out.SetRaw(resp.Body)
	var top map[string]json.RawMessage
	if json.Unmarshal(resp.Body, &top) == nil {
		out.Message = jsonText(top["message"])
	}
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
		return transport.Invalid(field, "required")
	case strings.TrimSpace(id) != id:
		return transport.Invalid(field, "must not have leading or trailing spaces")
	case strings.ContainsAny(id, "/?#\\") || id == "." || id == "..":
		return transport.Invalid(field, "must not contain /, ?, # or \\")
	case strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return transport.Invalid(field, "must not contain control characters")
	}
	return nil
}
