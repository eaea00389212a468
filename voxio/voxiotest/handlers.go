package voxiotest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/voxio"
)

const maxFieldBytes = 1 << 20

// form is a parsed request body: text fields and files (hashed, not kept).
type form struct {
	fields url.Values
	files  map[string]Upload
}

// parseForm reads multipart/form-data (streaming each file through SHA-256),
// urlencoded or JSON bodies, as a Laravel application accepts all three.
func parseForm(r *http.Request) (*form, error) {
	f := &form{fields: url.Values{}, files: map[string]Upload{}}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, err
		}
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return f, nil
			}
			if err != nil {
				return nil, err
			}
			if p.FileName() != "" {
				h := sha256.New()
				n, err := io.Copy(h, p)
				if err != nil {
					return nil, err
				}
				f.files[p.FormName()] = Upload{Field: p.FormName(), FileName: p.FileName(), ContentType: p.Header.Get("Content-Type"), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
				continue
			}
			b, err := io.ReadAll(io.LimitReader(p, maxFieldBytes))
			if err != nil {
				return nil, err
			}
			f.fields.Add(p.FormName(), string(b))
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		f.fields = r.PostForm
	case "application/json":
		var m map[string]any
		if err := json.NewDecoder(io.LimitReader(r.Body, maxFieldBytes)).Decode(&m); err != nil {
			return nil, err
		}
		for k, v := range m {
			switch t := v.(type) {
			case string:
				f.fields.Set(k, t)
			case nil:
			default:
				b, _ := json.Marshal(t)
				f.fields.Set(k, strings.Trim(string(b), `"`))
			}
		}
	}
	return f, nil
}

func (s *Server) readForm(w http.ResponseWriter, r *http.Request) (*form, bool) {
	f, err := parseForm(r)
	if err != nil {
		fail(w, "validation_error", "The request body could not be read.")
		return nil, false
	}
	return f, true
}

// checkNumber applies Voxio's mobile_code and mobile rules.
func checkNumber(f *form) []string {
	var errs []string
	code, mobile := f.fields.Get("mobile_code"), f.fields.Get("mobile")
	switch {
	case code == "":
		errs = append(errs, "The mobile code field is required.")
	case !loose.IsDigits(code):
		errs = append(errs, "The mobile code must be a valid numeric country code without the plus (+) sign.")
	}
	switch {
	case mobile == "":
		errs = append(errs, "The mobile field is required.")
	case !loose.IsDigits(mobile):
		errs = append(errs, "The mobile must be a valid mobile number.")
	}
	return errs
}

// senderAccount resolves whatsapp_account_id (which wins) or from_number, or
// the default account when neither is sent.
func (s *Server) senderAccount(f *form) (*account, string) {
	if v := f.fields.Get("whatsapp_account_id"); v != "" {
		a := s.accountByID(parseID(v))
		if a == nil {
			return nil, "The selected whatsapp account id is invalid."
		}
		return a, ""
	}
	if v := f.fields.Get("from_number"); v != "" {
		a := s.accountByNumber(v)
		if a == nil {
			return nil, "The from number does not match any of your connected WhatsApp numbers."
		}
		return a, ""
	}
	return &s.accounts[0], ""
}

// scopeAccount resolves a list filter; ok is false when a filter names no
// account (the list is then empty).
func (s *Server) scopeAccount(q url.Values) (id int64, filtered, ok bool) {
	if v := q.Get("whatsapp_account_id"); v != "" {
		a := s.accountByID(parseID(v))
		return parseID(v), true, a != nil
	}
	if v := q.Get("from_number"); v != "" {
		a := s.accountByNumber(v)
		if a == nil {
			return 0, true, false
		}
		return a.id, true, true
	}
	return 0, false, true
}

func (s *Server) contactInAccount(c *contact, accountID int64) bool {
	if c.accountID == accountID {
		return true
	}
	for _, cv := range s.conversations {
		if cv.contactID == c.id && cv.accountID == accountID {
			return true
		}
	}
	return false
}

func (s *Server) contactList(w http.ResponseWriter, r *http.Request, _ int64) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	accID, filtered, found := s.scopeAccount(q)
	search := strings.ToLower(strings.TrimSpace(q.Get("search")))
	items := []any{}
	for i := len(s.contacts) - 1; i >= 0; i-- {
		c := s.contacts[i]
		if !found || (filtered && !s.contactInAccount(c, accID)) {
			continue
		}
		if search != "" && !strings.Contains(strings.ToLower(c.firstname), search) && !strings.Contains(strings.ToLower(c.lastname), search) &&
			!strings.Contains(c.mobile, search) && !strings.Contains(c.mobileCode+c.mobile, search) {
			continue
		}
		items = append(items, contactJSON(c))
	}
	ok(w, "contact-list", "Contact data fetched successfully.", map[string]any{"contacts": paginate(r, items, atoi(q.Get("paginate"), 20))})
}

// contactFields validates store/update fields.
func (s *Server) contactFields(f *form, self *contact) (*account, []string) {
	var errs []string
	for _, k := range []string{"firstname", "lastname"} {
		if strings.TrimSpace(f.fields.Get(k)) == "" {
			errs = append(errs, "The "+k+" field is required.")
		}
	}
	errs = append(errs, checkNumber(f)...)
	var acc *account
	if f.fields.Get("whatsapp_account_id") != "" || f.fields.Get("from_number") != "" {
		a, msg := s.senderAccount(f)
		if msg != "" {
			errs = append(errs, msg)
		}
		acc = a
	}
	if len(errs) == 0 {
		if other := s.contactByNumber(f.fields.Get("mobile_code"), f.fields.Get("mobile")); other != nil && other != self {
			errs = append(errs, "The mobile has already been taken.")
		}
	}
	if up, ok := f.files["profile_image"]; ok {
		switch strings.ToLower(filepath.Ext(up.FileName)) {
		case ".jpg", ".jpeg", ".png":
		default:
			errs = append(errs, "The profile image must be a file of type: jpg, jpeg, png.")
		}
	}
	return acc, errs
}

func applyContact(c *contact, f *form) {
	c.firstname, c.lastname = f.fields.Get("firstname"), f.fields.Get("lastname")
	c.mobileCode, c.mobile = f.fields.Get("mobile_code"), f.fields.Get("mobile")
	for k, p := range map[string]*string{"city": &c.city, "state": &c.state, "post_code": &c.postCode, "address": &c.address} {
		if v, ok := f.fields[k]; ok {
			*p = v[0]
		}
	}
	if up, ok := f.files["profile_image"]; ok {
		c.profileImage = up.SHA256[:16] + strings.ToLower(filepath.Ext(up.FileName))
	}
}

func (s *Server) contactStore(w http.ResponseWriter, r *http.Request, _ int64) {
	f, okForm := s.readForm(w, r)
	if !okForm {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	acc, errs := s.contactFields(f, nil)
	if len(errs) > 0 {
		fail(w, "validation_error", errs...)
		return
	}
	if acc == nil {
		acc = &s.accounts[0]
	}
	now := s.Now()
	c := &contact{id: s.newID("contact"), accountID: acc.id, createdAt: now, updatedAt: now}
	applyContact(c, f)
	s.contacts = append(s.contacts, c)
	ok(w, "contact_created", "Contact created successfully", map[string]any{"contact": contactJSON(c)})
}

func (s *Server) contactUpdate(w http.ResponseWriter, r *http.Request, id int64) {
	f, okForm := s.readForm(w, r)
	if !okForm {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contactByID(id)
	if c == nil {
		fail(w, "not_found", "Contact not found")
		return
	}
	acc, errs := s.contactFields(f, c)
	if len(errs) > 0 {
		fail(w, "validation_error", errs...)
		return
	}
	applyContact(c, f)
	if acc != nil {
		c.accountID = acc.id
	}
	c.updatedAt = s.Now()
	ok(w, "contact_updated", "Contact updated successfully", map[string]any{"contact": contactJSON(c)})
}

func (s *Server) contactDelete(w http.ResponseWriter, _ *http.Request, id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contactByID(id)
	if c == nil {
		fail(w, "not_found", "Contact not found")
		return
	}
	if c.blocked {
		fail(w, "validation_error", "A blocked contact cannot be deleted.")
		return
	}
	for _, cv := range s.conversations {
		if cv.contactID == id && s.lastMessage(cv.id) != nil {
			fail(w, "validation_error", "This contact has messages and cannot be deleted.")
			return
		}
	}
	kept := s.contacts[:0]
	for _, x := range s.contacts {
		if x.id != id {
			kept = append(kept, x)
		}
	}
	s.contacts = kept
	convs := s.conversations[:0]
	for _, cv := range s.conversations {
		if cv.contactID != id {
			convs = append(convs, cv)
		}
	}
	s.conversations = convs
	ok(w, "contact_deleted", "Contact deleted successfully", nil)
}

func (s *Server) conversationList(w http.ResponseWriter, r *http.Request, _ int64) {
	q := r.URL.Query()
	status := 0
	if v := q.Get("status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 4 {
			fail(w, "validation_error", "The selected status is invalid.")
			return
		}
		status = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	accID, filtered, found := s.scopeAccount(q)
	convs := append([]*conversation(nil), s.conversations...)
	sort.SliceStable(convs, func(i, j int) bool {
		if !convs[i].updatedAt.Equal(convs[j].updatedAt) {
			return convs[i].updatedAt.After(convs[j].updatedAt)
		}
		return convs[i].id > convs[j].id
	})
	items := []any{}
	for _, cv := range convs {
		if !found || (filtered && cv.accountID != accID) {
			continue
		}
		switch {
		case status == 4 && s.unread(cv.id) == 0:
			continue
		case status >= 1 && status <= 3 && cv.status != status:
			continue
		}
		items = append(items, s.conversationJSON(cv))
	}
	ok(w, "conversation-list", "Conversation list fetched successfully", map[string]any{"conversation": paginate(r, items, atoi(q.Get("paginate"), 20))})
}

func (s *Server) conversationMessages(w http.ResponseWriter, r *http.Request, id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cv := s.conversationByID(id)
	if cv == nil {
		fail(w, "not_found", "Conversation not found")
		return
	}
	items := []any{}
	for i := len(s.messages) - 1; i >= 0; i-- {
		if m := s.messages[i]; m.conversationID == id {
			items = append(items, messageJSON(m))
		}
	}
	data := map[string]any{"conversation": s.conversationJSON(cv), "contact": nil, "messages": paginate(r, items, 20)}
	if c := s.contactByID(cv.contactID); c != nil {
		data["contact"] = contactJSON(c)
	}
	// Opening a conversation reads its messages, as the inbox does.
	for _, m := range s.messages {
		if m.conversationID == id && m.direction == "inbound" {
			m.read = true
		}
	}
	ok(w, "conversation-messages", "Messages fetched successfully", data)
}

func (s *Server) conversationDetails(w http.ResponseWriter, _ *http.Request, id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cv := s.conversationByID(id)
	if cv == nil {
		fail(w, "not_found", "Conversation not found")
		return
	}
	notes, tags, lists := []any{}, []any{}, []any{}
	for _, n := range cv.notes {
		notes = append(notes, map[string]any{"id": n.id, "note": n.text, "created_at": laravelTime(n.at)})
	}
	for i, t := range cv.tags {
		tags = append(tags, map[string]any{"id": i + 1, "name": t})
	}
	for i, l := range cv.lists {
		lists = append(lists, map[string]any{"id": i + 1, "name": l})
	}
	data := map[string]any{"conversation": s.conversationJSON(cv), "contact": nil, "notes": notes, "tags": tags, "lists": lists}
	if c := s.contactByID(cv.contactID); c != nil {
		data["contact"] = contactJSON(c)
	}
	ok(w, "conversation-details", "Conversation details fetched successfully", data)
}

func (s *Server) changeStatus(w http.ResponseWriter, r *http.Request, id int64) {
	f, okForm := s.readForm(w, r)
	if !okForm {
		return
	}
	v := f.fields.Get("status")
	n, err := strconv.Atoi(v)
	switch {
	case v == "":
		fail(w, "validation_error", "The status field is required.")
		return
	case err != nil || n < 0 || n > 3:
		fail(w, "validation_error", "The selected status is invalid.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cv := s.conversationByID(id)
	if cv == nil {
		fail(w, "not_found", "Conversation not found")
		return
	}
	cv.status = n
	cv.updatedAt = s.Now()
	ok(w, "status_changed", "Conversation status changed successfully", map[string]any{"conversation": s.conversationJSON(cv)})
}

// mediaLimits are the documented send-message file rules.
var mediaLimits = []struct {
	field string
	max   int64
	exts  []string
}{
	{"image", voxio.MaxImageSize, []string{".jpg", ".jpeg", ".png"}},
	{"document", voxio.MaxDocumentSize, []string{".pdf", ".doc", ".docx", ".xls", ".xlsx", ".txt"}},
	{"video", voxio.MaxVideoSize, []string{".mp4"}},
	{"audio", voxio.MaxAudioSize, nil},
}

func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request, _ int64) {
	f, okForm := s.readForm(w, r)
	if !okForm {
		return
	}
	errs := checkNumber(f)
	typ := ""
	var files []Upload
	for _, lim := range mediaLimits {
		up, has := f.files[lim.field]
		if !has {
			continue
		}
		ext := strings.ToLower(filepath.Ext(up.FileName))
		if lim.exts != nil && !containsString(lim.exts, ext) {
			errs = append(errs, "The "+lim.field+" must be a file of type: "+strings.ReplaceAll(strings.Join(lim.exts, ", "), ".", "")+".")
		}
		if up.Size > lim.max {
			errs = append(errs, "The "+lim.field+" may not be greater than "+strconv.FormatInt(lim.max>>10, 10)+" kilobytes.")
		}
		files = append(files, up)
		if typ == "" {
			typ = lim.field
		}
	}
	lat, long := f.fields.Get("latitude"), f.fields.Get("longitude")
	if (lat == "") != (long == "") {
		errs = append(errs, "The latitude and longitude fields are required together.")
	}
	for _, k := range []string{"latitude", "longitude"} {
		if v := f.fields.Get(k); v != "" {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				errs = append(errs, "The "+k+" must be a number.")
			}
		}
	}
	interactive := false
	for _, k := range []string{"cta_url_id", "interactive_list_id"} {
		if v := f.fields.Get(k); v != "" {
			if parseID(v) == 0 {
				errs = append(errs, "The "+strings.ReplaceAll(k, "_", " ")+" must be an integer.")
			}
			interactive = true
		}
	}
	for _, k := range []string{"product", "created_order_data"} {
		if v := f.fields.Get(k); v != "" {
			if !json.Valid([]byte(v)) {
				errs = append(errs, "The "+strings.ReplaceAll(k, "_", " ")+" must be a valid JSON string.")
			}
			interactive = true
		}
	}
	switch {
	case typ != "":
	case lat != "" && long != "":
		typ = "location"
	case f.fields.Get("product") != "" || f.fields.Get("created_order_data") != "":
		typ = "product"
	case interactive:
		typ = "interactive"
	case strings.TrimSpace(f.fields.Get("message")) != "":
		typ = "text"
	default:
		errs = append(errs, "At least one message type is required.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	acc, msg := s.senderAccount(f)
	if msg != "" {
		errs = append(errs, msg)
	}
	if len(errs) > 0 {
		fail(w, "validation_error", errs...)
		return
	}
	if interactive && !s.planActive {
		fail(w, "subscription_required", "Interactive messages require an active plan.")
		return
	}
	m, failMsg := s.storeOutbound(f, acc, typ)
	if failMsg != "" {
		fail(w, "validation_error", failMsg)
		return
	}
	m.files = files
	ok(w, "success", "Message sent successfully", map[string]any{"conversation_id": m.conversationID, "message": map[string]any{"id": m.id, "status": int(m.status)}})
	s.startAutoStatus(m.id)
}

// storeOutbound finds or creates the contact and conversation and stores a
// sent message. Called with s.mu held.
func (s *Server) storeOutbound(f *form, acc *account, typ string) (*message, string) {
	now := s.Now()
	code, mobile := f.fields.Get("mobile_code"), f.fields.Get("mobile")
	c := s.contactByNumber(code, mobile)
	if c == nil {
		c = &contact{id: s.newID("contact"), mobileCode: code, mobile: mobile, accountID: acc.id, createdAt: now, updatedAt: now}
		s.contacts = append(s.contacts, c)
	}
	if c.blocked {
		return nil, "This contact is blocked and cannot receive messages."
	}
	cv := s.conversationFor(c.id, acc.id)
	if cv == nil {
		cv = &conversation{id: s.newID("conversation"), contactID: c.id, accountID: acc.id, createdAt: now}
		s.conversations = append(s.conversations, cv)
	}
	cv.updatedAt = now
	m := &message{id: s.newID("message"), conversationID: cv.id, accountID: acc.id, typ: typ, text: f.fields.Get("message"),
		direction: "outbound", status: voxio.MessageSent, notified: voxio.MessageStatusUnknown, fields: cloneValues(f.fields), createdAt: now}
	m.providerID = "wamid.sandbox." + strconv.FormatInt(m.id, 10)
	s.messages = append(s.messages, m)
	return m, ""
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (s *Server) sendTemplate(w http.ResponseWriter, r *http.Request, _ int64) {
	f, okForm := s.readForm(w, r)
	if !okForm {
		return
	}
	errs := checkNumber(f)
	tid := f.fields.Get("template_id")
	switch {
	case tid == "":
		errs = append(errs, "The template id field is required.")
	case parseID(tid) == 0:
		errs = append(errs, "The template id must be an integer.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	acc, msg := s.senderAccount(f)
	if msg != "" {
		errs = append(errs, msg)
	}
	if len(errs) > 0 {
		fail(w, "validation_error", errs...)
		return
	}
	var t *template
	for _, x := range s.templates {
		if x.id == parseID(tid) && x.accountID == acc.id {
			t = x
		}
	}
	switch {
	case t == nil:
		fail(w, "not_found", "Template not found for the selected sender account.")
		return
	case t.status != "APPROVED":
		fail(w, "validation_error", "Only approved WhatsApp templates can be sent.")
		return
	case s.templateQuota == 0:
		fail(w, "insufficient_balance", "Insufficient template balance.")
		return
	}
	m, failMsg := s.storeOutbound(f, acc, "template")
	if failMsg != "" {
		fail(w, "validation_error", failMsg)
		return
	}
	if s.templateQuota > 0 {
		s.templateQuota--
	}
	m.templateID, m.text = t.id, t.body
	ok(w, "template_sent", "Message sent successfully", map[string]any{"conversation_id": m.conversationID})
	s.startAutoStatus(m.id)
}

func (s *Server) templateList(w http.ResponseWriter, r *http.Request, _ int64) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	accID, filtered, found := s.scopeAccount(q)
	if v := q.Get("conversation_id"); v != "" {
		cv := s.conversationByID(parseID(v))
		if cv == nil {
			fail(w, "not_found", "Conversation not found")
			return
		}
		accID, filtered, found = cv.accountID, true, true
	}
	items := []any{}
	for _, t := range s.templates {
		if !found || (filtered && t.accountID != accID) {
			continue
		}
		items = append(items, templateJSON(t))
	}
	ok(w, "template-list", "Template list fetched successfully", map[string]any{"templates": paginate(r, items, 20)})
}
