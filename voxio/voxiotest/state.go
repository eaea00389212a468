package voxiotest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/voxio"
)

type account struct {
	id     int64
	number string
}

type contact struct {
	id                             int64
	firstname, lastname            string
	mobileCode, mobile             string
	city, state, postCode, address string
	profileImage                   string
	accountID                      int64
	blocked                        bool
	createdAt, updatedAt           time.Time
}

type noteRec struct {
	id   int64
	text string
	at   time.Time
}

type conversation struct {
	id, contactID, accountID int64
	status                   int
	createdAt, updatedAt     time.Time
	notes                    []noteRec
	tags, lists              []string
}

type message struct {
	id, conversationID, accountID int64
	typ, text, direction          string
	status                        voxio.MessageStatus
	notified                      voxio.MessageStatus // last status sent to the relay
	providerID                    string
	templateID                    int64
	fields                        url.Values
	files                         []Upload
	read                          bool
	createdAt                     time.Time
	autoAt                        time.Time // next WithAutoStatus step; zero: none
	autoStep                      int
}

type template struct {
	id                               int64
	name, language, category, status string
	accountID                        int64
	body                             string
	createdAt                        time.Time
}

// Upload is a file the sandbox received. Only its size and SHA-256 are
// kept, never its content.
type Upload struct {
	// Field is the form field ("image", "document", "profile_image").
	Field string
	// FileName and ContentType are the part's, as the client sent them.
	FileName    string
	ContentType string
	// Size is the number of bytes received.
	Size int64
	// SHA256 is the hex digest of the content.
	SHA256 string
}

// Message is a message the sandbox holds: sent through the API, received
// with Receive, or seeded with SeedMessage.
type Message struct {
	// ID is the message id the API and relay events use.
	ID int64
	// ConversationID, ContactID and WhatsAppAccountID place it.
	ConversationID    int64
	ContactID         int64
	WhatsAppAccountID int64
	// Type is "text", "image", "document", "video", "audio", "location",
	// "interactive", "product" or "template".
	Type string
	// Text is the message body (a template's text for template sends).
	Text string
	// Direction is voxio.DirectionInbound or voxio.DirectionOutbound.
	Direction string
	// Status is the current delivery status.
	Status voxio.MessageStatus
	// TemplateID is set for template messages.
	TemplateID int64
	// Fields are the form fields the send carried, exactly as received.
	Fields url.Values
	// Files are the uploads the send carried.
	Files []Upload
	// ProviderMessageID is the sandbox's stand-in for WhatsApp's "wamid".
	ProviderMessageID string
	// CreatedAt is the sandbox clock's time when it was stored.
	CreatedAt time.Time
}

// SentMessages returns every message sent to a customer (through
// Messages.Send, Messages.SendTemplate, or seeded as outbound), oldest
// first: what the customer would have received, and how many times.
func (s *Server) SentMessages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.messages))
	for _, m := range s.messages {
		if m.direction == voxio.DirectionOutbound {
			out = append(out, s.exportMessage(m))
		}
	}
	return out
}

// Message returns one message by id, sent or received.
func (s *Server) Message(id int64) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.messageByID(id)
	if m == nil {
		return Message{}, false
	}
	return s.exportMessage(m), true
}

// ContactCount reports how many contacts exist.
func (s *Server) ContactCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.contacts)
}

// Contacts returns every contact, created through the API, by Receive or
// seeded, in creation order, in SeedContact's shape: what a watcher of the
// sandbox (examples/devserver) lists.
func (s *Server) Contacts() []Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Contact, 0, len(s.contacts))
	for _, c := range s.contacts {
		out = append(out, Contact{ID: c.id, FirstName: c.firstname, LastName: c.lastname, MobileCode: c.mobileCode, Mobile: c.mobile,
			City: c.city, State: c.state, PostCode: c.postCode, Address: c.address, WhatsAppAccountID: c.accountID, Blocked: c.blocked})
	}
	return out
}

func (s *Server) exportMessage(m *message) Message {
	out := Message{ID: m.id, ConversationID: m.conversationID, WhatsAppAccountID: m.accountID, Type: m.typ, Text: m.text,
		Direction: m.direction, Status: m.status, TemplateID: m.templateID, Fields: cloneValues(m.fields),
		Files: append([]Upload(nil), m.files...), ProviderMessageID: m.providerID, CreatedAt: m.createdAt}
	if cv := s.conversationByID(m.conversationID); cv != nil {
		out.ContactID = cv.contactID
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func (s *Server) contactByID(id int64) *contact {
	for _, c := range s.contacts {
		if c.id == id {
			return c
		}
	}
	return nil
}

func (s *Server) contactByNumber(code, mobile string) *contact {
	for _, c := range s.contacts {
		if c.mobileCode == code && c.mobile == mobile {
			return c
		}
	}
	return nil
}

func (s *Server) conversationByID(id int64) *conversation {
	for _, c := range s.conversations {
		if c.id == id {
			return c
		}
	}
	return nil
}

func (s *Server) conversationFor(contactID, accountID int64) *conversation {
	for _, c := range s.conversations {
		if c.contactID == contactID && c.accountID == accountID {
			return c
		}
	}
	return nil
}

func (s *Server) messageByID(id int64) *message {
	for _, m := range s.messages {
		if m.id == id {
			return m
		}
	}
	return nil
}

func (s *Server) accountByID(id int64) *account {
	for i := range s.accounts {
		if s.accounts[i].id == id {
			return &s.accounts[i]
		}
	}
	return nil
}

func (s *Server) accountByNumber(n string) *account {
	for i := range s.accounts {
		if s.accounts[i].number == n {
			return &s.accounts[i]
		}
	}
	return nil
}

func (s *Server) lastMessage(conversationID int64) *message {
	for i := len(s.messages) - 1; i >= 0; i-- {
		if s.messages[i].conversationID == conversationID {
			return s.messages[i]
		}
	}
	return nil
}

func (s *Server) unread(conversationID int64) int {
	n := 0
	for _, m := range s.messages {
		if m.conversationID == conversationID && m.direction == "inbound" && !m.read {
			n++
		}
	}
	return n
}

// Rendering in the shapes a Laravel application produces.

func laravelTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func contactJSON(c *contact) map[string]any {
	return map[string]any{
		"id": c.id, "user_id": DefaultUserID, "firstname": c.firstname, "lastname": c.lastname,
		"mobile_code": c.mobileCode, "mobile": c.mobile, "city": nullable(c.city), "state": nullable(c.state),
		"post_code": nullable(c.postCode), "address": nullable(c.address), "profile_image": nullable(c.profileImage),
		"whatsapp_account_id": c.accountID, "is_blocked": boolInt(c.blocked),
		"created_at": laravelTime(c.createdAt), "updated_at": laravelTime(c.updatedAt),
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Server) conversationJSON(cv *conversation) map[string]any {
	out := map[string]any{
		"id": cv.id, "user_id": DefaultUserID, "contact_id": cv.contactID, "whatsapp_account_id": cv.accountID,
		"status": cv.status, "unseen_messages": s.unread(cv.id),
		"created_at": laravelTime(cv.createdAt), "updated_at": laravelTime(cv.updatedAt),
		"contact": nil, "last_message": nil,
	}
	if c := s.contactByID(cv.contactID); c != nil {
		out["contact"] = contactJSON(c)
	}
	if m := s.lastMessage(cv.id); m != nil {
		out["last_message"] = messageJSON(m)
	}
	return out
}

func messageJSON(m *message) map[string]any {
	out := map[string]any{
		"id": m.id, "conversation_id": m.conversationID, "whatsapp_account_id": m.accountID, "type": m.typ,
		"message": nullable(m.text), "direction": m.direction, "status": int(m.status),
		"whatsapp_message_id": m.providerID, "created_at": laravelTime(m.createdAt),
	}
	if m.templateID != 0 {
		out["template_id"] = m.templateID
	}
	if len(m.files) > 0 {
		f := m.files[0]
		out["media_file_name"] = f.FileName
		out["media_type"] = f.ContentType
		out["media_size"] = f.Size
	}
	if m.typ == "location" {
		out["latitude"] = m.fields.Get("latitude")
		out["longitude"] = m.fields.Get("longitude")
	}
	return out
}

func templateJSON(t *template) map[string]any {
	return map[string]any{
		"id": t.id, "name": t.name, "language": t.language, "category": t.category, "status": t.status,
		"whatsapp_account_id": t.accountID, "body": t.body, "created_at": laravelTime(t.createdAt),
	}
}

// paginate renders a Laravel LengthAwarePaginator over items.
func paginate(r *http.Request, items []any, perPage int) map[string]any {
	page := atoi(r.URL.Query().Get("page"), 1)
	if perPage < 1 {
		perPage = 20
	}
	total := len(items)
	last := max(1, (total+perPage-1)/perPage)
	start := min((page-1)*perPage, total)
	end := min(start+perPage, total)
	path := "https://www.voxio.chat/external-api/" + strings.TrimPrefix(strings.Trim(r.URL.Path, "/"), "external-api/")
	pageURL := func(p int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		return path + "?" + q.Encode()
	}
	var next, prev, from, to any
	if page < last {
		next = pageURL(page + 1)
	}
	if page > 1 {
		prev = pageURL(page - 1)
	}
	if start < end {
		from, to = start+1, end
	}
	data := items[start:end]
	if data == nil {
		data = []any{}
	}
	return map[string]any{
		"current_page": page, "data": data, "first_page_url": pageURL(1), "from": from, "last_page": last,
		"last_page_url": pageURL(last), "links": []any{}, "next_page_url": next, "path": path, "per_page": perPage,
		"prev_page_url": prev, "to": to, "total": total,
	}
}

// atoi reads a positive integer, or def for anything else (as Laravel
// treats a bad page number).
func atoi(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return def
	}
	return n
}

func parseID(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		return 0
	}
	return n
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// ok writes Voxio's success envelope; data nil leaves "data" out.
func ok(w http.ResponseWriter, remark, msg string, data any) {
	body := map[string]any{"remark": remark, "status": "success", "message": []string{msg}}
	if data != nil {
		body["data"] = data
	}
	writeJSON(w, http.StatusOK, body)
}

// fail writes Voxio's error envelope with HTTP 200, as Voxio does.
func fail(w http.ResponseWriter, remark string, msgs ...string) {
	writeJSON(w, http.StatusOK, map[string]any{"remark": remark, "status": "error", "message": msgs})
}
