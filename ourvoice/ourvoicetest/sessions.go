package ourvoicetest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"time"

	"github.com/switchboard-go/switchboard/ourvoice"
)

type session struct {
	id, gatewayID    string
	phone, display   string
	status           ourvoice.SessionStatus
	reason           string
	qrSince          time.Time // when the current pending period began
	lastSeen         time.Time
	created, updated time.Time
}

func (s *Server) sessionJSON(ss *session) map[string]any {
	return map[string]any{
		"id":           ss.id,
		"account_id":   s.accountID,
		"session_id":   ss.gatewayID,
		"phone_number": nullable(ss.phone),
		"display_name": ss.display,
		"status":       string(ss.status),
		"reason":       nullable(ss.reason),
		"last_seen_at": ts(ss.lastSeen),
		"created_at":   ts(ss.created),
		"updated_at":   ts(ss.updated),
	}
}

// qrGeneration is the index of the QR code currently shown for a pending
// session: a new one every qrLifetime.
func (s *Server) qrGeneration(ss *session) int64 {
	d := s.now().Sub(ss.qrSince)
	if d < 0 {
		return 0
	}
	return int64(d / s.qrLifetime)
}

// qrFor renders the QR code of a session's generation as a PNG data URL.
// It is not a scannable QR symbol, only a PNG unique to the session and
// generation; tests "scan" it by handing it back to Scan.
func qrFor(id string, gen int64) string {
	h := sha256.New()
	h.Write([]byte(id))
	_ = binary.Write(h, binary.BigEndian, gen)
	sum := h.Sum(nil)
	const modules, scale = 21, 4
	img := image.NewGray(image.Rect(0, 0, modules*scale, modules*scale))
	for y := 0; y < modules; y++ {
		for x := 0; x < modules; x++ {
			bit := y*modules + x
			c := color.Gray{Y: 255}
			if sum[(bit/8)%len(sum)]>>(bit%8)&1 == 1 {
				c = color.Gray{Y: 0}
			}
			for dy := 0; dy < scale; dy++ {
				for dx := 0; dx < scale; dx++ {
					img.SetGray(x*scale+dx, y*scale+dy, c)
				}
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
}

func (s *Server) currentQR(ss *session) string { return qrFor(ss.id, s.qrGeneration(ss)) }

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// listSessions answers {"success": true, "data": [...]}, oldest first (the
// docs show no body for this endpoint).
func (s *Server) listSessions(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	list := make([]map[string]any, 0, len(s.order))
	for _, id := range s.order {
		list = append(list, s.sessionJSON(s.sessions[id]))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": list})
}

// createSession answers the documented 201 with the session and qr_code.
func (s *Server) createSession(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	now := s.now()
	id := newUUID()
	ss := &session{id: id, gatewayID: "session_" + id, display: "session_" + id, status: ourvoice.SessionPending,
		qrSince: now, lastSeen: now, created: now, updated: now}
	s.sessions[id] = ss
	s.order = append(s.order, id)
	body := map[string]any{"success": true, "session": s.sessionJSON(ss), "qr_code": s.currentQR(ss)}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, body)
}

// lookup finds a session by uuid or gateway session_id; the caller holds
// s.mu.
func (s *Server) lookup(id string) *session {
	if ss, ok := s.sessions[id]; ok {
		return ss
	}
	for _, ss := range s.sessions {
		if ss.gatewayID == id {
			return ss
		}
	}
	return nil
}

func notFound(w http.ResponseWriter) { fail(w, http.StatusNotFound, msgSessionNotFound) }

// getSession answers {"success": true, "session": {...}}.
func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ss := s.sessions[r.PathValue("id")]
	var body map[string]any
	if ss != nil {
		body = map[string]any{"success": true, "session": s.sessionJSON(ss)}
	}
	s.mu.Unlock()
	if ss == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// qrCode answers the documented {"success": true, "qr_code"} while pending,
// and 400 otherwise.
func (s *Server) qrCode(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ss := s.sessions[r.PathValue("id")]
	var qr string
	var status ourvoice.SessionStatus
	if ss != nil {
		status = ss.status
		if status == ourvoice.SessionPending {
			qr = s.currentQR(ss)
		}
	}
	s.mu.Unlock()
	switch {
	case ss == nil:
		notFound(w)
	case qr == "":
		fail(w, http.StatusBadRequest, msgQRUnavailable(string(status)))
	default:
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "qr_code": qr})
	}
}

// disconnect moves a connected session to disconnected and answers
// {"success": true, "message", "session"}.
func (s *Server) disconnect(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ss := s.sessions[r.PathValue("id")]
	var body map[string]any
	var conflict string
	if ss != nil {
		if ss.status != ourvoice.SessionConnected {
			conflict = fmt.Sprintf("Only connected sessions can be disconnected (session is %s).", ss.status)
		} else {
			now := s.now()
			ss.status, ss.reason, ss.updated, ss.lastSeen = ourvoice.SessionDisconnected, "Disconnected by user", now, now
			body = map[string]any{"success": true, "message": "Session disconnected successfully.", "session": s.sessionJSON(ss)}
		}
	}
	s.mu.Unlock()
	switch {
	case ss == nil:
		notFound(w)
	case conflict != "":
		fail(w, http.StatusBadRequest, conflict)
	default:
		writeJSON(w, http.StatusOK, body)
	}
}

// reconnect moves a disconnected or failed session back to pending with a
// fresh QR code, and answers {"success": true, "message", "session",
// "qr_code"}. Banned sessions cannot come back: 400, like every other
// request the session's state refuses. (A 403 would read as a bad token to
// every client that maps statuses, and the token is fine.)
func (s *Server) reconnect(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ss := s.sessions[r.PathValue("id")]
	var body map[string]any
	status := http.StatusOK
	var msg string
	if ss != nil {
		switch ss.status {
		case ourvoice.SessionDisconnected, ourvoice.SessionFailed:
			now := s.now()
			ss.status, ss.reason, ss.updated, ss.qrSince = ourvoice.SessionPending, "", now, now
			body = map[string]any{"success": true, "message": "Session reconnecting, scan the QR code.", "session": s.sessionJSON(ss), "qr_code": s.currentQR(ss)}
		case ourvoice.SessionBanned:
			status, msg = http.StatusBadRequest, "Banned sessions cannot be reconnected."
		default:
			status, msg = http.StatusBadRequest, fmt.Sprintf("Only disconnected sessions can be reconnected (session is %s).", ss.status)
		}
	}
	s.mu.Unlock()
	switch {
	case ss == nil:
		notFound(w)
	case msg != "":
		fail(w, status, msg)
	default:
		writeJSON(w, status, body)
	}
}

// deleteSession removes the session (its messages stay listed) and answers
// {"success": true, "message"}.
func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	_, ok := s.sessions[id]
	if ok {
		delete(s.sessions, id)
		for i, o := range s.order {
			if o == id {
				s.order = append(s.order[:i:i], s.order[i+1:]...)
				break
			}
		}
	}
	s.mu.Unlock()
	if !ok {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "message": "Session deleted successfully."})
}

// Errors of the test-side session controls.
var (
	// ErrUnknownQR: the code scanned is not any pending session's.
	ErrUnknownQR = errors.New("ourvoicetest: QR code does not belong to a pending session")
	// ErrQRExpired: the code was a pending session's, but it has rotated
	// since; scan the latest one.
	ErrQRExpired = errors.New("ourvoicetest: QR code expired")
	// ErrNoSession: no session has that id.
	ErrNoSession = errors.New("ourvoicetest: no such session")
	// ErrNotPending: the session is not waiting for a scan.
	ErrNotPending = errors.New("ourvoicetest: session is not pending")
	// ErrNotConnected: the session is not connected, so it cannot receive.
	ErrNotConnected = errors.New("ourvoicetest: session is not connected")
	// ErrNoMessage: no message has that id.
	ErrNoMessage = errors.New("ourvoicetest: no such message")
)

// Scan links the pending session whose current QR code is qr to the phone
// number phone, as a person scanning it with WhatsApp would: the session
// becomes connected. A code that has rotated away fails with ErrQRExpired.
func (s *Server) Scan(qr ourvoice.QRCode, phone string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.order {
		ss := s.sessions[id]
		if ss.status != ourvoice.SessionPending {
			continue
		}
		gen := s.qrGeneration(ss)
		if qrFor(ss.id, gen) == string(qr) {
			s.connect(ss, phone)
			return nil
		}
		for g := gen - 1; g >= 0 && g >= gen-16; g-- {
			if qrFor(ss.id, g) == string(qr) {
				return ErrQRExpired
			}
		}
	}
	return ErrUnknownQR
}

// Connect scans a pending session's current QR code for the test.
func (s *Server) Connect(id, phone string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.lookup(id)
	switch {
	case ss == nil:
		return ErrNoSession
	case ss.status != ourvoice.SessionPending:
		return ErrNotPending
	}
	s.connect(ss, phone)
	return nil
}

func (s *Server) connect(ss *session, phone string) {
	now := s.now()
	ss.status, ss.reason, ss.phone, ss.updated, ss.lastSeen = ourvoice.SessionConnected, "", phone, now, now
	ss.display = "WhatsApp " + phone
}

// Unlink disconnects a session from the phone's side (the user removed the
// linked device), with reason.
func (s *Server) Unlink(id, reason string) error {
	return s.setStatus(id, ourvoice.SessionDisconnected, reason)
}

// Ban marks a session banned by WhatsApp, with reason. It cannot be
// reconnected.
func (s *Server) Ban(id, reason string) error { return s.setStatus(id, ourvoice.SessionBanned, reason) }

// Fail marks a session failed, with reason.
func (s *Server) Fail(id, reason string) error {
	return s.setStatus(id, ourvoice.SessionFailed, reason)
}

func (s *Server) setStatus(id string, st ourvoice.SessionStatus, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.lookup(id)
	if ss == nil {
		return ErrNoSession
	}
	now := s.now()
	ss.status, ss.reason, ss.updated = st, reason, now
	return nil
}

// CurrentQR returns a pending session's current QR code, as the API would.
func (s *Server) CurrentQR(id string) (ourvoice.QRCode, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.lookup(id)
	switch {
	case ss == nil:
		return "", ErrNoSession
	case ss.status != ourvoice.SessionPending:
		return "", ErrNotPending
	}
	return ourvoice.QRCode(s.currentQR(ss)), nil
}

// Sessions returns every session, in creation order, as the API would
// show them now: what a watcher of the sandbox (examples/devserver) lists.
func (s *Server) Sessions() []ourvoice.Session {
	s.mu.Lock()
	ids := append([]string(nil), s.order...)
	s.mu.Unlock()
	out := make([]ourvoice.Session, 0, len(ids))
	for _, id := range ids {
		if ss, ok := s.Session(id); ok {
			out = append(out, ss)
		}
	}
	return out
}

// Session returns a session's state as the API would show it.
func (s *Server) Session(id string) (ourvoice.Session, bool) {
	s.mu.Lock()
	ss := s.lookup(id)
	var b []byte
	if ss != nil {
		b, _ = json.Marshal(s.sessionJSON(ss))
	}
	s.mu.Unlock()
	var out ourvoice.Session
	if ss == nil || json.Unmarshal(b, &out) != nil {
		return out, false
	}
	return out, true
}
