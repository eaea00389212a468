package voitextest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

type httpWriter = http.ResponseWriter

// NotificationCall is a call placed through the legacy Notification Call
// API.
type NotificationCall struct {
	ReferenceID  string    // reference_id answered
	CID          string    // cid
	To           string    // to
	Type         string    // type: goto or stream
	RouteNumber  string    // route_number (goto)
	BranchNumber string    // branch_number (goto)
	SFileID      string    // sfile_id (stream)
	At           time.Time // by the sandbox clock
}

// SMS is a message sent through the legacy Send SMS API.
type SMS struct {
	ReferenceID string    // the id answered in data
	From        string    // from
	To          string    // to
	Body        string    // body, as received
	DIDType     string    // TN, or TF for a toll-free from
	At          time.Time // by the sandbox clock
}

// SentCalls returns the notification calls placed through the legacy
// Notification Call API, oldest first (Notify calls are in
// SentNotifications).
func (s *Server) SentCalls() []NotificationCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]NotificationCall(nil), s.calls...)
}

// SentSMS returns the SMS sent through the legacy Send SMS API, oldest
// first (Notify SMS are in SentNotifications).
func (s *Server) SentSMS() []SMS {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SMS(nil), s.sms...)
}

// notificationCall serves POST / without a function field: type goto needs
// route_number and branch_number, type stream needs an sfile_id that exists.
func (s *Server) notificationCall(w httpWriter, f *form) {
	c := NotificationCall{CID: f.get("cid"), To: f.get("to"), Type: strings.ToLower(f.get("type")),
		RouteNumber: f.get("route_number"), BranchNumber: f.get("branch_number"), SFileID: f.get("sfile_id")}
	var errs []string
	switch {
	case c.CID == "":
		errs = append(errs, "cid is required")
	case !validPhone(c.CID):
		errs = append(errs, "cid must be a valid phone number")
	}
	if !validPhone(c.To) {
		errs = append(errs, "to must be a valid phone number")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch c.Type {
	case "goto":
		switch {
		case c.RouteNumber == "":
			errs = append(errs, "route_number is required when type is goto")
		case !validPhone(c.RouteNumber):
			errs = append(errs, "route_number must be a valid phone number")
		}
		if c.BranchNumber == "" {
			errs = append(errs, "branch_number is required when type is goto")
		}
	case "stream":
		if c.SFileID == "" {
			errs = append(errs, "sfile_id is required when type is stream")
		} else if s.recordingByID(c.SFileID) == nil {
			errs = append(errs, "sfile_id "+c.SFileID+" not found")
		}
	default:
		errs = append(errs, "type must be goto or stream")
	}
	if len(errs) > 0 {
		fail(w, errs...)
		return
	}
	c.ReferenceID = randomID(15)
	c.At = s.now()
	s.calls = append(s.calls, c)
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "reference_id": c.ReferenceID, "errors": []string{}})
}

// sendSMS serves /send/ and answers like the documentation's sample: data
// is an object encoded in a string, keys with trailing spaces, and the
// reference id written under a second "from " key.
func (s *Server) sendSMS(w httpWriter, f *form) {
	m := SMS{From: f.get("from"), To: f.get("to"), Body: f.raw("body")}
	var errs []string
	switch {
	case m.From == "":
		errs = append(errs, "from is required")
	case !validPhone(m.From):
		errs = append(errs, "from must be a valid phone number")
	}
	if !validPhone(m.To) {
		errs = append(errs, "to must be a valid phone number")
	}
	if strings.TrimSpace(m.Body) == "" {
		errs = append(errs, "body is required")
	}
	if len(errs) > 0 {
		fail(w, errs...)
		return
	}
	m.DIDType = "TN"
	switch normalizePhone(m.From)[:3] {
	case "800", "833", "844", "855", "866", "877", "888":
		m.DIDType = "TF"
	}
	s.mu.Lock()
	m.ReferenceID = randomID(6)
	m.At = s.now()
	s.sms = append(s.sms, m)
	s.mu.Unlock()

	q := func(v string) string { b, _ := json.Marshal(v); return string(b) }
	data := `{"to":` + q(m.To) + `,"from ":` + q(m.From+" ") + `,"body":` + q(m.Body) +
		`,"did_type ":` + q(m.DIDType+" ") + `,"from ":` + q(m.ReferenceID+" ") + `}`
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "data": data, "errors": []string{}})
}
