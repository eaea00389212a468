package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// How much each list on the page shows, newest first.
const (
	shownRequests      = 40
	shownItems         = 30
	shownConversations = 20
	shownMessages      = 30
)

var templateFuncs = template.FuncMap{
	"clock": func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Local().Format("15:04:05")
	},
	"ms": func(d time.Duration) string {
		if d < time.Millisecond {
			return "<1 ms"
		}
		return fmt.Sprintf("%d ms", d.Milliseconds())
	},
	"statusClass": func(code int) string {
		switch {
		case code == 0:
			return "bad"
		case code >= 200 && code < 300:
			return "good"
		case code >= 500:
			return "bad"
		}
		return "warn"
	},
	"statusText": func(code int) string {
		if code == 0 {
			return "no answer"
		}
		return fmt.Sprintf("%d %s", code, http.StatusText(code))
	},
	"size":       sizeText,
	"join":       strings.Join,
	"pathEscape": url.PathEscape,
	"shellQuote": shellQuote,
	"list":       func(f fileView) []fileView { return []fileView{f} },
	"keypad":     func() []string { return []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"} },
	"keyID": func(k string) string {
		switch k {
		case "*":
			return "star"
		case "#":
			return "hash"
		}
		return k
	},
	"faultForm": func(vendor, name string, codes []faultCode) faultFormView {
		return faultFormView{Vendor: vendor, Name: name, Codes: codes}
	},
	"feedOf": func(vendor string, items []exchange, count int64) feedView {
		return feedView{Vendor: vendor, Items: items, Count: count}
	},
}

// faultFormView is what the fault form of one vendor needs.
type faultFormView struct {
	Vendor, Name string
	Codes        []faultCode
}

// feedView is one vendor's request feed.
type feedView struct {
	Vendor string
	Items  []exchange
	Count  int64
}

// fileView is an uploaded file, as the page lists it.
type fileView struct {
	Field, Name, Type, Size string
}

// --- Voxio ---

type voxioView struct {
	BaseURL       string
	RelayURL      string
	Conversations []conversationView
	Contacts      []voxioContactView
	Deliveries    []relayDeliveryView
	Requests      []exchange
	RequestCount  int64
	Action        string
}

type conversationView struct {
	ID       int64
	Contact  string
	Number   string
	Messages []voxioMessageView
	last     time.Time
}

type voxioMessageView struct {
	ID        int64
	At        time.Time
	Inbound   bool
	Type      string
	Text      string
	Status    string
	Template  int64
	Files     []fileView
	Fields    []string
	StatusKey string // for CSS: sent, delivered, read, failed...
}

type voxioContactView struct {
	ID      int64
	Name    string
	Number  string
	City    string
	Blocked bool
}

type relayDeliveryView struct {
	At        time.Time
	Event     string
	MessageID int64
	Status    int
	Answer    string
}

func (d *devServer) voxioView() voxioView {
	v := voxioView{BaseURL: d.voxio.URL + "/external-api", RelayURL: d.currentRelayURL(), Action: d.action(regionVoxio)}
	contacts := map[int64]voxiotest.Contact{}
	for _, c := range d.voxio.Contacts() {
		contacts[c.ID] = c
		v.Contacts = append(v.Contacts, voxioContactView{ID: c.ID, Name: strings.TrimSpace(c.FirstName + " " + c.LastName),
			Number: "+" + c.MobileCode + " " + c.Mobile, City: c.City, Blocked: c.Blocked})
	}
	reverse(v.Contacts)
	v.Contacts = head(v.Contacts, shownItems)

	msgs := d.voxio.SentMessages()
	seen := map[int64]bool{}
	for _, m := range msgs {
		seen[m.ID] = true
	}
	deliveries := d.voxio.Deliveries()
	for _, dl := range deliveries {
		if dl.Event == voxio.EventIncomingMessage && !seen[dl.MessageID] {
			if m, ok := d.voxio.Message(dl.MessageID); ok {
				msgs = append(msgs, m)
				seen[m.ID] = true
			}
		}
	}
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].ID < msgs[j].ID })
	convs := map[int64]*conversationView{}
	var order []*conversationView
	for _, m := range msgs {
		cv := convs[m.ConversationID]
		if cv == nil {
			cv = &conversationView{ID: m.ConversationID}
			if c, ok := contacts[m.ContactID]; ok {
				cv.Contact = strings.TrimSpace(c.FirstName + " " + c.LastName)
				cv.Number = "+" + c.MobileCode + " " + c.Mobile
			}
			convs[m.ConversationID] = cv
			order = append(order, cv)
		}
		mv := voxioMessageView{ID: m.ID, At: m.CreatedAt, Inbound: m.Direction == voxio.DirectionInbound, Type: m.Type, Text: m.Text,
			Status: m.Status.String(), StatusKey: strings.ToLower(m.Status.String()), Template: m.TemplateID}
		for _, f := range m.Files {
			mv.Files = append(mv.Files, fileView{Field: f.Field, Name: f.FileName, Type: f.ContentType, Size: sizeText(f.Size)})
		}
		if m.Text == "" {
			// Content that is not text (a location, an interactive
			// message): show the fields sent.
			keys := make([]string, 0, len(m.Fields))
			for k := range m.Fields {
				if k != "mobile" && k != "mobile_code" && !sensitive(k) {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			for _, k := range keys {
				mv.Fields = append(mv.Fields, k+"="+clip(strings.Join(m.Fields[k], ","), 200))
			}
		}
		cv.Messages = append(cv.Messages, mv)
		cv.last = m.CreatedAt
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].last.After(order[j].last) })
	for _, cv := range head(order, shownConversations) {
		if len(cv.Messages) > shownMessages {
			cv.Messages = cv.Messages[len(cv.Messages)-shownMessages:]
		}
		v.Conversations = append(v.Conversations, *cv)
	}

	for i := len(deliveries) - 1; i >= 0 && len(v.Deliveries) < shownItems; i-- {
		dl := deliveries[i]
		v.Deliveries = append(v.Deliveries, relayDeliveryView{At: dl.At, Event: dl.Event, MessageID: dl.MessageID, Status: dl.StatusCode,
			Answer: renderBody("", dl.Response, int64(len(dl.Response)))})
	}
	v.Requests = d.feeds[regionVoxio].latest(shownRequests)
	v.RequestCount = d.feeds[regionVoxio].count()
	return v
}

// --- Voitex ---

type voitexView struct {
	BaseURL       string
	SMS           []smsView
	Calls         []notificationCallView
	Notifications []notifyView
	Uploads       []recordingView
	Contacts      []voitexContactView
	Branch        []branchView
	Requests      []exchange
	RequestCount  int64
	Action        string
}

type smsView struct {
	At            time.Time
	From, To, Ref string
	Body          string
}

type notificationCallView struct {
	At                   time.Time
	CID, To, Type, Route string
	Ref                  string
}

type notifyView struct {
	At        time.Time
	Type      string
	Mode      string
	Status    string
	ID        string
	To        []string
	Invalid   []string
	Labels    string
	What      string
	Files     []fileView
	Scheduled string
}

type recordingView struct {
	At           time.Time
	ID           string
	Place        string
	Name         string
	File         fileView
	TTS          bool
	Text         string
	DisplayTitle string
}

type voitexContactView struct {
	Name   string
	Phones string
	Labels string
}

type branchView struct {
	CallID string
	Status int
	Reply  string
	Err    string
	Took   time.Duration
}

func (d *devServer) voitexView() voitexView {
	s := d.voitex
	v := voitexView{BaseURL: s.URL, Action: d.action(regionVoitex)}
	for _, m := range s.SentSMS() {
		v.SMS = append(v.SMS, smsView{At: m.At, From: m.From, To: m.To, Ref: m.ReferenceID, Body: m.Body})
	}
	for _, c := range s.SentCalls() {
		route := c.SFileID
		if c.Type == "goto" {
			route = "branch " + c.BranchNumber + " on " + c.RouteNumber
		} else if route != "" {
			route = "plays file " + route
		}
		v.Calls = append(v.Calls, notificationCallView{At: c.At, CID: c.CID, To: c.To, Type: c.Type, Route: route, Ref: c.ReferenceID})
	}
	for _, n := range s.SentNotifications() {
		nv := notifyView{At: n.Received, Type: n.Type, Mode: n.Mode, Status: n.Status, ID: n.BatchID + n.GroupID, To: n.Recipients}
		if n.Scheduled {
			nv.Scheduled = n.SendAt.Format("2006-01-02 15:04:05")
		}
		for num, why := range n.Invalid {
			nv.Invalid = append(nv.Invalid, num+" ("+why+")")
		}
		sort.Strings(nv.Invalid)
		if len(n.Labels) > 0 {
			nv.Labels = fmt.Sprint(n.Labels)
		}
		switch {
		case n.Type == "SMS":
			nv.What = n.Body
		case n.CallType == "goto":
			nv.What = "call, goto branch " + n.BranchNumber + " on " + n.RouteNumber
		default:
			nv.What = "call, " + n.CallType + " " + n.Recording + n.SFileID
		}
		for _, a := range n.Attachments {
			nv.Files = append(nv.Files, fileView{Field: "attachments", Name: a.Name, Type: a.ContentType, Size: sizeText(a.Size)})
		}
		v.Notifications = append(v.Notifications, nv)
	}
	for _, r := range s.Recordings() {
		rv := recordingView{At: r.Created, ID: r.ID, Place: fmt.Sprintf("album %d, #%d", r.Album, r.Sort), DisplayTitle: r.DisplayName,
			TTS: r.TTS, Text: r.Text, File: fileView{Name: r.FileName, Type: r.ContentType, Size: sizeText(r.Size)}}
		v.Uploads = append(v.Uploads, rv)
	}
	sort.SliceStable(v.Uploads, func(i, j int) bool { return v.Uploads[i].At.Before(v.Uploads[j].At) })
	for _, c := range s.Contacts() {
		name := strings.TrimSpace(c.Fields["first_name"] + " " + c.Fields["last_name"])
		var phones []string
		for _, p := range c.Phones {
			phones = append(phones, p.Phone+" ("+string(p.Type)+")")
		}
		var labels []string
		for _, l := range c.Labels {
			labels = append(labels, fmt.Sprint(l))
		}
		v.Contacts = append(v.Contacts, voitexContactView{Name: name, Phones: strings.Join(phones, ", "), Labels: strings.Join(labels, ", ")})
	}
	for _, dl := range s.Deliveries() {
		bv := branchView{Status: dl.StatusCode, Reply: renderBody("application/json", dl.RawReply, int64(len(dl.RawReply))), Took: dl.Elapsed}
		if dl.Err != nil {
			bv.Err = dl.Err.Error()
		}
		if id, ok := callID(dl.Body); ok {
			bv.CallID = id
		}
		v.Branch = append(v.Branch, bv)
	}
	reverse(v.SMS)
	reverse(v.Calls)
	reverse(v.Notifications)
	reverse(v.Uploads)
	reverse(v.Contacts)
	reverse(v.Branch)
	v.SMS, v.Calls, v.Notifications = head(v.SMS, shownItems), head(v.Calls, shownItems), head(v.Notifications, shownItems)
	v.Uploads, v.Contacts, v.Branch = head(v.Uploads, shownItems), head(v.Contacts, shownItems), head(v.Branch, shownItems)
	v.Requests = d.feeds[regionVoitex].latest(shownRequests)
	v.RequestCount = d.feeds[regionVoitex].count()
	return v
}

// callID reads call_id from an API Branch request body.
func callID(body []byte) (string, bool) {
	var b struct {
		CallID string `json:"call_id"`
	}
	if err := json.Unmarshal(body, &b); err != nil || b.CallID == "" {
		return "", false
	}
	return b.CallID, true
}

// --- Our Voice ---

type ourvoiceView struct {
	BaseURL      string
	Sessions     []sessionView
	Messages     []ourvoiceMessageView
	Inbound      []inboundView
	Balance      string
	ScanPhone    string
	Requests     []exchange
	RequestCount int64
	Action       string
}

type sessionView struct {
	ID, Status, Phone, Name, Reason string
	Pending                         bool
	QRVersion                       string
}

type ourvoiceMessageView struct {
	At                  time.Time
	ID, From, To, Type  string
	Content, Media      string
	Status, Reason      string
	Cost                string
	SentAt, DeliveredAt time.Time
	ReadAt              time.Time
}

func (d *devServer) ourvoiceView() ourvoiceView {
	s := d.ourvoice
	v := ourvoiceView{BaseURL: s.BaseURL(), Balance: fmt.Sprintf("%.2f", s.Balance()), ScanPhone: ourvoicetest.DefaultPhone,
		Action: d.action(regionOurVoice)}
	for _, ss := range s.Sessions() {
		sv := sessionView{ID: ss.ID, Status: string(ss.Status), Phone: ss.PhoneNumber, Name: ss.DisplayName, Reason: ss.Reason,
			Pending: ss.Status == ourvoice.SessionPending}
		if sv.Pending {
			if qr, err := s.CurrentQR(ss.ID); err == nil {
				sv.QRVersion = shortHash([]byte(qr))
			}
		}
		v.Sessions = append(v.Sessions, sv)
	}
	for _, m := range s.SentMessages() {
		v.Messages = append(v.Messages, ourvoiceMessageView{At: m.CreatedAt, ID: m.ID, From: m.From, To: m.To, Type: string(m.Type),
			Content: m.Content, Media: m.MediaURL, Status: string(m.Status), Reason: m.Reason, Cost: fmt.Sprintf("%.2f", m.Cost),
			SentAt: m.SentAt, DeliveredAt: m.DeliveredAt, ReadAt: m.ReadAt})
	}
	reverse(v.Messages)
	v.Messages = head(v.Messages, shownItems)
	v.Inbound = d.ourvoiceInbound()
	reverse(v.Inbound)
	v.Inbound = head(v.Inbound, shownItems)
	v.Requests = d.feeds[regionOurVoice].latest(shownRequests)
	v.RequestCount = d.feeds[regionOurVoice].count()
	return v
}

// --- Chattu ---

type chattuView struct {
	BaseURL      string
	Clients      []chattuClientView
	Sent         []chattuSentView
	Hooks        []webhookView
	Schedules    []scheduleView
	Requests     []exchange
	RequestCount int64
	Action       string
}

type chattuClientView struct {
	ID, Phone, APIKey, Webhook string
	Connected                  bool
	QRVersion                  string
}

type chattuSentView struct {
	At                          time.Time
	Client, To, Text, Media, By string
}

type webhookView struct {
	Event, Client, URL string
	Status             int
	Reply              string
	Err                string
	Took               time.Duration
}

type scheduleView struct {
	ID                  int64
	Client, To, Message string
	Due                 time.Time
	Status              string
}

func (d *devServer) chattuView() chattuView {
	s := d.chattu
	v := chattuView{BaseURL: s.URL, Action: d.action(regionChattu)}
	for _, c := range s.Clients() {
		cv := chattuClientView{ID: c.ClientID, Phone: c.PhoneNumber, APIKey: c.APIKey, Webhook: c.WebhookURL, Connected: c.Connected}
		if !c.Connected {
			if img, ok := s.QR(c.ClientID); ok {
				cv.QRVersion = shortHash(img)
			}
		}
		v.Clients = append(v.Clients, cv)
	}
	for _, m := range s.SentMessages() {
		v.Sent = append(v.Sent, chattuSentView{At: m.SentAt, Client: m.ClientID, To: m.Recipient, Text: m.Message, Media: m.MediaURL, By: m.Source})
	}
	for _, h := range s.Deliveries() {
		wv := webhookView{Event: h.Event, Client: h.ClientID, URL: h.URL, Status: h.StatusCode, Took: h.Elapsed}
		switch {
		case h.Reply.Response != "":
			wv.Reply = "auto-reply: " + h.Reply.Response
		case h.Reply.RejectionMessage != "":
			wv.Reply = "rejection message: " + h.Reply.RejectionMessage
		default:
			wv.Reply = renderBody("application/json", h.RawReply, int64(len(h.RawReply)))
		}
		if h.Err != nil {
			wv.Err = h.Err.Error()
		}
		v.Hooks = append(v.Hooks, wv)
	}
	for _, sc := range s.Schedules() {
		v.Schedules = append(v.Schedules, scheduleView{ID: sc.ID, Client: sc.ClientID, To: sc.Recipient, Message: sc.Message, Due: sc.ScheduleTime, Status: sc.Status})
	}
	reverse(v.Sent)
	reverse(v.Hooks)
	reverse(v.Schedules)
	v.Sent, v.Hooks, v.Schedules = head(v.Sent, shownItems), head(v.Hooks, shownItems), head(v.Schedules, shownItems)
	v.Requests = d.feeds[regionChattu].latest(shownRequests)
	v.RequestCount = d.feeds[regionChattu].count()
	return v
}

func shortHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

func head[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}
