package voitextest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-go/switchboard/voitex"
)

// Attachment is an MMS file received by the Notify API.
type Attachment struct {
	Name        string // the part's file name
	ContentType string // the part's declared type
	Size        int64  // the whole file's size
	// Data holds at most MaxStoredFile bytes.
	Data []byte
}

// Notification is a request accepted by the Notify API.
type Notification struct {
	RequestID string // request_id answered
	// BatchID is set for individual sends.
	BatchID string
	// GroupID is set for group broadcasts.
	GroupID string
	// Status is "success" or "partial_success".
	Status string
	Type   string // SMS or CALL
	CID    string // cid, or its alias from
	// Route is "single" or "group".
	Route string
	// Mode is "single", "phones" or "label".
	Mode string
	// Recipients are the accepted numbers, sorted.
	Recipients []string
	// Invalid maps each rejected number to its reason.
	Invalid    map[string]string
	Labels     []int  // label numbers, in label mode
	PhoneTypes string // phone_type as sent, in label mode
	Title      string // title, "IVR Notification" by default
	// SendAt is when it goes out: to_be_sent read in the sandbox clock's
	// zone, or the time it was received.
	SendAt    time.Time
	Scheduled bool     // to_be_sent was in the future
	DNC       bool     // dnc was set: numbers on the do-not-call list were skipped
	Confirm   bool     // confirm was set
	Warnings  []string // warnings answered

	Body        string       // body or its alias message (SMS)
	Attachments []Attachment // MMS files (SMS)

	CallType     string // call_type (CALL)
	Recording    string // recording (stream)
	SFileID      string // sfile_id (stream)
	BranchNumber string // branch_number (goto)
	RouteNumber  string // route_number (goto)
	Greeting     string // greeting JSON (goto)
	Variables    string // variables JSON (goto)

	Received time.Time // when the sandbox received it
}

// SentNotifications returns the requests the Notify API accepted (SMS, MMS
// and calls, to one number, a list or labels), oldest first.
func (s *Server) SentNotifications() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Notification(nil), s.notifies...)
}

func flagSet(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// notify serves /notify/: the documented validation, single sends below
// 20 numbers and group broadcasts at 20 or more or for labels, invalid
// numbers turning success into partial_success (or failure when none is
// left), do-not-call filtering and scheduling.
func (s *Server) notify(w httpWriter, f *form) {
	reqID := "req_" + randomHex(10)
	reject := func(status string, msgs ...string) {
		writeJSON(w, http.StatusOK, map[string]any{"request_id": reqID, "status": status, "errors": msgs})
	}
	n := Notification{RequestID: reqID, Type: strings.ToUpper(f.get("type")), Title: f.raw("title"),
		DNC: flagSet(f.get("dnc")), Confirm: flagSet(f.get("confirm"))}
	if n.Title == "" {
		n.Title = "IVR Notification"
	}
	if n.Type != "SMS" && n.Type != "CALL" {
		reject("error", "type must be SMS or CALL")
		return
	}
	n.CID = f.get("cid")
	if n.CID == "" {
		n.CID = f.get("from")
	}
	switch {
	case n.CID == "":
		reject("error", "cid is required")
		return
	case !validPhone(n.CID):
		reject("error", "cid must be a valid phone number")
		return
	}
	given := 0
	for _, k := range []string{"to", "phones", "label"} {
		if f.get(k) != "" {
			given++
		}
	}
	if given != 1 {
		reject("error", "provide exactly one of to, phones or label")
		return
	}
	var errs []string
	switch n.Type {
	case "SMS":
		n.Body = f.raw("body")
		if n.Body == "" {
			n.Body = f.raw("message")
		}
		switch {
		case strings.TrimSpace(n.Body) == "":
			errs = append(errs, "body is required")
		case utf8.RuneCountInString(n.Body) > voitex.MaxNotifyBody:
			errs = append(errs, fmt.Sprintf("body must be at most %d characters", voitex.MaxNotifyBody))
		}
		for _, fh := range f.files[voitex.AttachmentsField] {
			data, err := readFile(fh)
			if err != nil {
				errs = append(errs, "attachments could not be read")
				continue
			}
			n.Attachments = append(n.Attachments, Attachment{Name: fh.Filename, ContentType: fh.Header.Get("Content-Type"), Size: fh.Size, Data: data})
		}
	case "CALL":
		n.CallType = strings.ToLower(f.get("call_type"))
		n.Recording, n.SFileID = f.get("recording"), f.get("sfile_id")
		n.BranchNumber, n.RouteNumber = f.get("branch_number"), f.get("route_number")
		n.Greeting, n.Variables = f.raw("greeting"), f.raw("variables")
		switch n.CallType {
		case "stream":
			if n.Recording == "" && n.SFileID == "" {
				errs = append(errs, "recording is required when call_type is stream")
			}
		case "goto":
			if n.BranchNumber == "" {
				errs = append(errs, "branch_number is required when call_type is goto")
			}
			switch {
			case n.RouteNumber == "":
				errs = append(errs, "route_number is required when call_type is goto")
			case !validPhone(n.RouteNumber):
				errs = append(errs, "route_number must be a valid phone number")
			}
			if n.Greeting != "" && !json.Valid([]byte(n.Greeting)) {
				errs = append(errs, "greeting must be a JSON string")
			}
			if n.Variables != "" && !json.Valid([]byte(n.Variables)) {
				errs = append(errs, "variables must be a JSON string")
			}
		default:
			errs = append(errs, "call_type must be stream or goto")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	n.Received, n.SendAt = now, now
	if v := f.get("to_be_sent"); v != "" {
		at, err := time.ParseInLocation(voitex.ToBeSentLayout, v, now.Location())
		switch {
		case err != nil:
			errs = append(errs, "to_be_sent must be formatted YYYY-MM-DD HH:MM:SS")
		case at.After(now):
			n.SendAt, n.Scheduled = at, true
		default:
			n.Warnings = append(n.Warnings, "to_be_sent is in the past; sending now")
		}
	}
	if n.SFileID != "" && s.recordingByID(n.SFileID) == nil {
		errs = append(errs, "sfile_id "+n.SFileID+" not found")
	}
	if len(errs) > 0 {
		reject("error", errs...)
		return
	}

	var candidates []string
	n.Invalid = map[string]string{}
	switch {
	case f.get("to") != "":
		n.Route, n.Mode = "single", "single"
		candidates = []string{f.get("to")}
	case f.get("phones") != "":
		candidates = splitList(f.get("phones"))
		n.Mode, n.Route = "phones", "single"
		if len(candidates) >= voitex.GroupThreshold {
			n.Route = "group"
		}
	default:
		n.Mode, n.Route = "label", "group"
		labels, ok := s.labelsFrom(f.get("label"))
		if !ok {
			reject("error", badLabels(f.get("label"), s.labels))
			return
		}
		n.Labels = labels
		types := map[voitex.PhoneType]bool{voitex.PhoneHome: true, voitex.PhoneMobile: true}
		if v := f.get("phone_type"); v != "" {
			types = map[voitex.PhoneType]bool{}
			for _, t := range splitList(v) {
				pt := phoneType(t, "")
				if pt == "" {
					reject("error", "phone_type must be H, M or H,M")
					return
				}
				types[pt] = true
			}
			n.PhoneTypes = v
		}
		for _, c := range s.contacts {
			in := false
			for _, l := range labels {
				in = in || c.labels[l]
			}
			if !in {
				continue
			}
			for _, p := range c.phones {
				if types[p.Type] {
					candidates = append(candidates, p.Phone)
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, p := range candidates {
		if seen[p] {
			continue
		}
		seen[p] = true
		switch {
		case nanpReason(p) != "":
			n.Invalid[p] = nanpReason(p)
		case n.DNC && s.dnc[normalizePhone(p)]:
			n.Invalid[p] = "dnc"
		default:
			n.Recipients = append(n.Recipients, normalizePhone(p))
		}
	}
	summary := map[string]any{"route": n.Route, "type": n.Type, "mode": n.Mode,
		"valid_count": len(n.Recipients), "invalid_count": len(n.Invalid), "recipient_estimate": len(n.Recipients)}
	if n.Mode == "single" {
		summary["valid_count"] = nil // as the documented single-send sample
	}
	if len(n.Recipients) == 0 {
		out := map[string]any{"request_id": reqID, "status": "failure", "summary": summary, "errors": []string{"no valid recipients"}}
		if len(n.Invalid) > 0 {
			out["invalid"] = n.Invalid
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	s.seq++
	stamp := now.Format("0601021504")
	out := map[string]any{"request_id": reqID, "summary": summary}
	if n.Route == "group" {
		n.GroupID = fmt.Sprintf("G%s%03d", stamp, s.seq%1000)
		out["group_id"] = n.GroupID
	} else {
		n.BatchID = fmt.Sprintf("%d_%s_%s_%s_%s_%03d", len(n.Recipients), n.Type[:1], n.Recipients[0], normalizePhone(n.CID), stamp, s.seq%1000)
		out["batch_id"] = n.BatchID
	}
	n.Status = "success"
	if len(n.Invalid) > 0 {
		n.Status = "partial_success"
		out["invalid"] = n.Invalid
	}
	out["status"] = n.Status
	if len(n.Warnings) > 0 {
		out["warnings"] = n.Warnings
	}
	sort.Strings(n.Recipients)
	s.notifies = append(s.notifies, n)
	writeJSON(w, http.StatusOK, out)
}
