package ourvoicetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/ourvoice"
)

type message struct {
	seq               int
	id                string
	sessionID         string
	providerID        string
	campaignID        string
	otpID             string
	from, to          string
	typ               ourvoice.MessageType
	content, mediaURL string
	direction         ourvoice.Direction
	cost              float64
	created           time.Time
	// Planned progress of an outgoing message; zero when it never happens.
	sendAt, deliverAt, readAt time.Time
	failAt                    time.Time
	failReason                string
	// forced overrides the clock-driven status (SetMessageStatus).
	forced       ourvoice.MessageStatus
	forcedReason string
	forcedAt     time.Time
}

// state is the message's status, reason and timestamps at now.
func (m *message) state(now time.Time) (st ourvoice.MessageStatus, reason string, sent, delivered, read, updated time.Time) {
	updated = m.created
	at := func(t time.Time) bool { return !t.IsZero() && !t.After(now) }
	switch {
	case m.direction == ourvoice.DirectionIncoming:
		st = ourvoice.MessageDelivered
		delivered = m.created
	case at(m.failAt):
		st, reason, updated = ourvoice.MessageFailed, m.failReason, m.failAt
	default:
		st = ourvoice.MessageQueued
		if at(m.sendAt) {
			st, sent, updated = ourvoice.MessageSent, m.sendAt, m.sendAt
		}
		if at(m.deliverAt) {
			st, delivered, updated = ourvoice.MessageDelivered, m.deliverAt, m.deliverAt
		}
		if at(m.readAt) {
			st, read, updated = ourvoice.MessageRead, m.readAt, m.readAt
		}
	}
	if m.forced != "" {
		st, reason, updated = m.forced, m.forcedReason, m.forcedAt
	}
	return
}

func (s *Server) messageJSON(m *message, now time.Time, toAsString bool) map[string]any {
	st, reason, sent, delivered, read, updated := m.state(now)
	var to any = []string{m.to}
	if toAsString {
		to = m.to // as the documented send answer shows it
	}
	provider := ""
	if !sent.IsZero() || m.direction == ourvoice.DirectionIncoming {
		provider = m.providerID
	}
	var meta any
	if !sent.IsZero() {
		meta = map[string]any{"gateway": "sandbox", "attempts": 1}
	}
	return map[string]any{
		"id":                  m.id,
		"whatsapp_session_id": m.sessionID,
		"campaign_id":         nullable(m.campaignID),
		"otp_id":              nullable(m.otpID),
		"provider_message_id": nullable(provider),
		"from_number":         m.from,
		"to_number":           to,
		"type":                string(m.typ),
		"content":             nullable(m.content),
		"media_url":           nullable(m.mediaURL),
		"status":              string(st),
		"direction":           string(m.direction),
		"reason":              nullable(reason),
		"cost":                m.cost,
		"sent_at":             ts(sent),
		"delivered_at":        ts(delivered),
		"read_at":             ts(read),
		"metadata":            meta,
		"created_at":          ts(m.created),
		"updated_at":          ts(updated),
	}
}

func (s *Server) remaining() int {
	if s.cost <= 0 {
		return math.MaxInt32
	}
	return int(math.Floor(s.balance/s.cost + 1e-9))
}

// sendMessage validates like Our Voice (422 with field errors), requires a
// connected session (422 on whatsapp_session_id), charges every recipient
// (402 {"success": false} when the balance is short, nothing queued), and
// answers the documented 201.
func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request) {
	in := map[string]json.RawMessage{}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(r.Body)
		if buf.Len() > 0 && json.Unmarshal(buf.Bytes(), &in) != nil {
			fail(w, http.StatusBadRequest, msgMalformedJSON)
			return
		}
	}
	fields := map[string][]string{}
	var order []string
	add := func(f, msg string) {
		if _, ok := fields[f]; !ok {
			order = append(order, f)
		}
		fields[f] = append(fields[f], msg)
	}
	str := func(k string) (string, bool) {
		raw, ok := in[k]
		if !ok || string(raw) == "null" {
			return "", false
		}
		var v string
		if json.Unmarshal(raw, &v) != nil {
			add(k, fmt.Sprintf("The %s field must be a string.", human(k)))
			return "", false
		}
		return v, strings.TrimSpace(v) != ""
	}
	sessionID, hasSession := str("whatsapp_session_id")
	if !hasSession && fields["whatsapp_session_id"] == nil {
		add("whatsapp_session_id", "The whatsapp session id field is required.")
	}
	var to []string
	if raw, ok := in["to_number"]; !ok || string(raw) == "null" {
		add("to_number", "The to number field is required.")
	} else if json.Unmarshal(raw, &to) != nil {
		add("to_number", "The to number field must be an array.")
	} else if len(to) == 0 {
		add("to_number", "The to number field is required.")
	}
	for i, n := range to {
		if !validPhone(n) {
			add(fmt.Sprintf("to_number.%d", i), fmt.Sprintf("The to_number.%d field format is invalid.", i))
		}
	}
	typ, hasType := str("type")
	mtyp := ourvoice.MessageType(typ)
	if !hasType && fields["type"] == nil {
		add("type", "The type field is required.")
	} else if hasType && mtyp != ourvoice.TypeText && !mtyp.Media() {
		add("type", "The selected type is invalid.")
	}
	content, hasContent := str("content")
	if mtyp == ourvoice.TypeText && !hasContent && fields["content"] == nil {
		add("content", "The content field is required when type is text.")
	}
	mediaURL, hasMedia := str("media_url")
	if mtyp.Media() && !hasMedia && fields["media_url"] == nil {
		add("media_url", "The media url field is required unless type is in text.")
	} else if hasMedia {
		if u, err := url.Parse(mediaURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("media_url", "The media url field must be a valid URL.")
		}
	}
	delay := int64(500)
	if raw, ok := in["delay_between"]; ok && string(raw) != "null" {
		if json.Unmarshal(raw, &delay) != nil || delay < 0 {
			add("delay_between", "The delay between field must be an integer of at least 0.")
		}
	}
	if len(order) > 0 {
		invalid(w, fields, order)
		return
	}

	s.mu.Lock()
	ss := s.lookup(sessionID)
	if ss == nil || ss.id != sessionID {
		s.mu.Unlock()
		invalid(w, map[string][]string{"whatsapp_session_id": {msgSessionInvalid}}, []string{"whatsapp_session_id"})
		return
	}
	if ss.status != ourvoice.SessionConnected {
		st := ss.status
		s.mu.Unlock()
		invalid(w, map[string][]string{"whatsapp_session_id": {msgNotConnected(string(st))}}, []string{"whatsapp_session_id"})
		return
	}
	total := s.cost * float64(len(to))
	if total > s.balance+1e-9 {
		bal := s.balance
		s.mu.Unlock()
		fail(w, http.StatusPaymentRequired, msgInsufficientBalance(len(to), total, bal))
		return
	}
	s.balance -= total
	now := s.now()
	var created []map[string]any
	for i, n := range to {
		s.seq++
		m := &message{
			seq: s.seq, id: newUUID(), sessionID: ss.id, providerID: fmt.Sprintf("3EB0%016X", s.seq),
			from: ss.phone, to: n, typ: mtyp, content: content, mediaURL: mediaURL,
			direction: ourvoice.DirectionOutgoing, cost: s.cost, created: now,
		}
		s.plan(m, now, time.Duration(int64(i)*delay)*time.Millisecond)
		s.messages = append(s.messages, m)
		created = append(created, s.messageJSON(m, now, true))
	}
	body := map[string]any{
		"success": true,
		"message": "Message queued for sending",
		"data": map[string]any{
			"messages":           created,
			"count":              len(created),
			"total_cost":         total,
			"new_balance":        s.balance,
			"remaining_messages": s.remaining(),
		},
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, body)
}

// plan schedules an outgoing message queued at queued: sent after the
// server's Send timing plus wait (delay_between of earlier recipients),
// then delivered and read, or failed when its number was told to fail.
// The caller holds s.mu.
func (s *Server) plan(m *message, queued time.Time, wait time.Duration) {
	sendAt := queued.Add(s.timings.Send + wait)
	if reason, bad := s.failNumber[strings.TrimPrefix(m.to, "+")]; bad {
		m.failAt, m.failReason = sendAt, reason
		return
	}
	if reason, bad := s.failNumber[m.to]; bad {
		m.failAt, m.failReason = sendAt, reason
		return
	}
	m.sendAt = sendAt
	m.deliverAt = sendAt.Add(s.timings.Deliver)
	if s.timings.Read >= 0 {
		m.readAt = m.deliverAt.Add(s.timings.Read)
	}
}

func human(field string) string { return strings.ReplaceAll(field, "_", " ") }

// validPhone accepts what Our Voice accepts in to_number: international
// format, digits with an optional leading "+", 6 to 15 digits.
func validPhone(n string) bool {
	d := strings.TrimPrefix(n, "+")
	return len(d) >= 6 && len(d) <= 15 && loose.IsDigits(d)
}

// getMessage answers {"success": true, "data": {...}}.
func (s *Server) getMessage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	var body map[string]any
	for _, m := range s.messages {
		if m.id == id {
			body = map[string]any{"success": true, "data": s.messageJSON(m, s.now(), false)}
			break
		}
	}
	s.mu.Unlock()
	if body == nil {
		fail(w, http.StatusNotFound, msgMessageNotFound)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) {
	s.list(w, r, "")
}

func (s *Server) listSessionMessages(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("session_id")
	s.mu.Lock()
	ss := s.lookup(key)
	id := ""
	if ss != nil {
		id = ss.id
	}
	s.mu.Unlock()
	if ss == nil {
		notFound(w)
		return
	}
	s.list(w, r, id)
}

type filters struct {
	to                     map[string]bool
	from, status, dir, typ string
	session                string
	timeFrom, timeTo       time.Time
	limit, page            int
}

var allowedFilters = map[string]bool{"to_number": true, "from_number": true, "status": true, "direction": true, "type": true}

// parseFilters reads the documented query the way Laravel reads it:
// filter[to_number][]=a&filter[to_number][]=b (or a comma list),
// filter[name]=v, session_id, time_from/time_to (ISO 8601), limit, page.
// An unknown filter name is a 400, as Spatie's query builder answers.
func parseFilters(q url.Values) (filters, map[string][]string, []string, string) {
	f := filters{limit: DefaultPageSize, page: 1}
	fields := map[string][]string{}
	var order []string
	add := func(k, msg string) {
		if _, ok := fields[k]; !ok {
			order = append(order, k)
		}
		fields[k] = append(fields[k], msg)
	}
	var unknown []string
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vs := q[k]
		if !strings.HasPrefix(k, "filter[") {
			continue
		}
		rest := k[len("filter["):]
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			unknown = append(unknown, k)
			continue
		}
		name, suffix := rest[:end], rest[end+1:]
		if !allowedFilters[name] {
			unknown = append(unknown, name)
			continue
		}
		isArray := suffix == "[]" || (strings.HasPrefix(suffix, "[") && strings.HasSuffix(suffix, "]"))
		if suffix != "" && !isArray {
			unknown = append(unknown, k)
			continue
		}
		if name == "to_number" {
			if f.to == nil {
				f.to = map[string]bool{}
			}
			for _, v := range vs {
				for _, n := range strings.Split(v, ",") {
					if n = strings.TrimSpace(n); n != "" {
						f.to[n] = true
					}
				}
			}
			continue
		}
		if isArray {
			add("filter."+name, fmt.Sprintf("The filter.%s field must be a string.", name))
			continue
		}
		v := vs[len(vs)-1]
		switch name {
		case "from_number":
			f.from = v
		case "status":
			f.status = v
		case "direction":
			f.dir = v
		case "type":
			f.typ = v
		}
	}
	if len(unknown) > 0 {
		return f, nil, nil, msgFilterNotAllowed(strings.Join(unknown, ", "))
	}
	f.session = q.Get("session_id")
	for _, k := range []string{"time_from", "time_to"} {
		v := q.Get(k)
		if v == "" {
			continue
		}
		t, err := parseISO(v)
		if err != nil {
			add(k, fmt.Sprintf("The %s field must be a valid date.", human(k)))
			continue
		}
		if k == "time_from" {
			f.timeFrom = t
		} else {
			f.timeTo = t
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			add("limit", fmt.Sprintf("The limit field must be an integer between 1 and %d.", MaxPageSize))
		} else {
			f.limit = n
		}
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			add("page", "The page field must be at least 1.")
		} else {
			f.page = n
		}
	}
	return f, fields, order, ""
}

func parseISO(v string) (time.Time, error) {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(l, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("not ISO 8601")
}

// list answers a {data, links, meta} page, newest first.
func (s *Server) list(w http.ResponseWriter, r *http.Request, sessionID string) {
	f, fields, order, bad := parseFilters(r.URL.Query())
	if bad != "" {
		fail(w, http.StatusBadRequest, bad)
		return
	}
	if len(order) > 0 {
		invalid(w, fields, order)
		return
	}
	s.mu.Lock()
	now := s.now()
	if f.session != "" {
		if ss := s.lookup(f.session); ss != nil {
			f.session = ss.id
		}
	}
	var match []*message
	for i := len(s.messages) - 1; i >= 0; i-- {
		m := s.messages[i]
		st, _, _, _, _, _ := m.state(now)
		switch {
		case sessionID != "" && m.sessionID != sessionID,
			f.session != "" && m.sessionID != f.session,
			f.to != nil && !f.to[m.to] && !f.to[strings.TrimPrefix(m.to, "+")],
			f.from != "" && m.from != f.from,
			f.status != "" && string(st) != f.status,
			f.dir != "" && string(m.direction) != f.dir,
			f.typ != "" && string(m.typ) != f.typ,
			!f.timeFrom.IsZero() && m.created.Before(f.timeFrom),
			!f.timeTo.IsZero() && m.created.After(f.timeTo):
			continue
		}
		match = append(match, m)
	}
	total := len(match)
	lastPage := (total + f.limit - 1) / f.limit
	if lastPage < 1 {
		lastPage = 1
	}
	start := (f.page - 1) * f.limit
	if start > total {
		start = total
	}
	end := start + f.limit
	if end > total {
		end = total
	}
	data := make([]map[string]any, 0, end-start)
	for _, m := range match[start:end] {
		data = append(data, s.messageJSON(m, now, false))
	}
	s.mu.Unlock()

	path := "http://" + r.Host + r.URL.Path
	pageURL := func(n int) any {
		if n < 1 || n > lastPage {
			return nil
		}
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return path + "?" + q.Encode()
	}
	var from, to any
	if end > start {
		from, to = start+1, end
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"data": data,
		"links": map[string]any{
			"first": pageURL(1), "last": pageURL(lastPage), "prev": pageURL(f.page - 1), "next": pageURL(f.page + 1),
		},
		"meta": map[string]any{
			"current_page": f.page, "from": from, "last_page": lastPage, "path": path,
			"per_page": f.limit, "to": to, "total": total,
		},
	})
}

// SetMessageStatus forces a message's status (for instance scheduled, or
// failed with a reason) from now on, overriding the clock.
func (s *Server) SetMessageStatus(id string, st ourvoice.MessageStatus, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.messages {
		if m.id == id {
			m.forced, m.forcedReason, m.forcedAt = st, reason, s.now()
			return nil
		}
	}
	return ErrNoMessage
}
