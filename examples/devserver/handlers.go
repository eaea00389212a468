package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// maxForm bounds a form posted by the page.
const maxForm = 64 << 10

// pageUserAgent marks the requests the page makes to a sandbox on the
// developer's behalf (a dashboard action), so the feed can tell them from
// the application's.
const pageUserAgent = "switchboard-devserver-page"

// handler serves the inspector: the page, its static files, the live
// stream, the QR images and the actions.
func (d *devServer) handler(allowedHosts ...string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", d.page)
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /events", d.events)
	mux.HandleFunc("GET /regions/{region}", d.region)
	mux.HandleFunc("GET /qr/ourvoice/{id}", d.ourvoiceQR)
	mux.HandleFunc("GET /qr/chattu/{id}", d.chattuQR)
	mux.HandleFunc("POST /voxio/incoming", d.voxioIncoming)
	mux.HandleFunc("POST /voitex/call", d.voitexCall)
	mux.HandleFunc("POST /voitex/key", d.voitexKey)
	mux.HandleFunc("POST /voitex/silence", d.voitexSilence)
	mux.HandleFunc("POST /voitex/hangup", d.voitexHangup)
	mux.HandleFunc("POST /ourvoice/incoming", d.ourvoiceIncoming)
	mux.HandleFunc("POST /ourvoice/scan", d.ourvoiceScan)
	mux.HandleFunc("POST /chattu/incoming", d.chattuIncoming)
	mux.HandleFunc("POST /chattu/call", d.chattuCall)
	mux.HandleFunc("POST /chattu/scan", d.chattuScan)
	mux.HandleFunc("POST /chattu/clients", d.chattuAddClient)
	mux.HandleFunc("POST /faults/{vendor}", d.fault)
	return guard(mux, allowedHosts)
}

// guard keeps the inspector to the developer's own browser: it answers
// only requests addressed to a local host name (no DNS rebinding), takes
// actions only from its own pages (no cross-site form posts), and sets a
// strict content security policy.
func guard(next http.Handler, allowedHosts []string) http.Handler {
	allowed := map[string]bool{}
	for _, h := range allowedHosts {
		allowed[strings.ToLower(h)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !localHost(r.Host, allowed) {
			http.Error(w, "the dev server answers requests for localhost only", http.StatusMisdirectedRequest)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !sameOrigin(r) {
			http.Error(w, "cross-site request refused", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func localHost(hostport string, allowed map[string]bool) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	if host == "localhost" || allowed[host] {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// sameOrigin refuses what a browser marks as coming from another site.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// --- the page ---

type pageData struct {
	Env             []envLine
	Regions         map[string]template.HTML
	Faults          map[string][]faultCode
	RelayURL        string
	OurVoiceSession string
	ChattuClient    string
	ScanPhone       string
	VoitexCID       string
	VoitexDID       string
}

// Defaults the call form starts with: numbers from the Voitex docs.
const (
	defaultCID = "7325550184"
	defaultDID = "8459511000"
)

func (d *devServer) page(w http.ResponseWriter, _ *http.Request) {
	data := pageData{Env: d.envLines(), Regions: map[string]template.HTML{}, Faults: faultCodes, RelayURL: d.currentRelayURL(),
		OurVoiceSession: d.ourvoiceSession, ChattuClient: d.chattuClient, ScanPhone: ourvoicetest.DefaultPhone, VoitexCID: defaultCID, VoitexDID: defaultDID}
	for _, r := range regions {
		html, err := d.renderRegion(r)
		if err != nil {
			http.Error(w, "the page could not be drawn", http.StatusInternalServerError)
			return
		}
		data.Regions[r] = template.HTML(html) // drawn by html/template
	}
	var b strings.Builder
	if err := d.tmpl.ExecuteTemplate(&b, "page", data); err != nil {
		http.Error(w, "the page could not be drawn", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(b.String()))
}

// region serves one live part of the page as it is now, for a browser
// without server-sent events and for tests.
func (d *devServer) region(w http.ResponseWriter, r *http.Request) {
	html, err := d.renderRegion(r.PathValue("region"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(html))
}

func (d *devServer) ourvoiceQR(w http.ResponseWriter, r *http.Request) {
	qr, err := d.ourvoice.CurrentQR(r.PathValue("id"))
	if err != nil {
		http.Error(w, "no QR code: the session does not exist or is not waiting for a scan", http.StatusNotFound)
		return
	}
	img, _, err := qr.Image()
	if err != nil {
		http.Error(w, "the QR code is not an image", http.StatusInternalServerError)
		return
	}
	servePNG(w, img)
}

func (d *devServer) chattuQR(w http.ResponseWriter, r *http.Request) {
	img, ok := d.chattu.QR(r.PathValue("id"))
	if !ok {
		http.Error(w, "no QR code: the client does not exist or is connected", http.StatusNotFound)
		return
	}
	servePNG(w, img)
}

func servePNG(w http.ResponseWriter, img []byte) {
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(img)
}

// --- answering an action ---

// result is the JSON answer to an action posted by the page's script.
type result struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

// finish answers an action: JSON for the page's script, or, for a plain
// form post (no script), a redirect back to the vendor's part of the page,
// where the outcome is shown. status is 200 when the action was carried
// out, whatever the application answered (ok says that).
func (d *devServer) finish(w http.ResponseWriter, r *http.Request, vendor string, status int, ok bool, msg string) {
	if status == http.StatusOK {
		d.setAction(vendor, msg)
		d.changed()
	}
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(result{OK: ok && status == http.StatusOK, Message: msg})
		return
	}
	if status != http.StatusOK {
		http.Error(w, msg, status)
		return
	}
	http.Redirect(w, r, "/#"+vendor, http.StatusSeeOther)
}

func (d *devServer) bad(w http.ResponseWriter, r *http.Request, vendor, msg string) {
	d.finish(w, r, vendor, http.StatusBadRequest, false, msg)
}

// form parses a posted form of bounded size.
func form(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return errors.New("the form could not be read")
	}
	return nil
}

func (d *devServer) timeout(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), d.cfg.CallTimeout+d.cfg.CallTimeout/2)
}

// appURL checks a URL of the developer's application.
func appURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("enter an http:// or https:// URL of your application")
	}
	return raw, nil
}

// digits keeps a phone number's digits, dropping "+", spaces, dashes,
// dots and parentheses; ok is false for anything else or no digit.
func digits(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune("+ -.()", r):
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}

func answerText(b []byte) string {
	s := strings.TrimSpace(renderBody("", b, int64(len(b))))
	if s == "" {
		return "(empty)"
	}
	return clip(strings.Join(strings.Fields(s), " "), 300)
}

// --- Voxio ---

func (d *devServer) voxioIncoming(w http.ResponseWriter, r *http.Request) {
	if err := form(w, r); err != nil {
		d.bad(w, r, regionVoxio, err.Error())
		return
	}
	relayURL := d.currentRelayURL()
	if v := strings.TrimSpace(r.PostFormValue("relay_url")); v != "" {
		u, err := appURL(v)
		if err != nil {
			d.bad(w, r, regionVoxio, "Relay URL: "+err.Error())
			return
		}
		relayURL = u
	}
	if relayURL == "" {
		d.bad(w, r, regionVoxio, "Enter the URL of your application's Inbound Relay handler.")
		return
	}
	code, ok1 := digits(r.PostFormValue("mobile_code"))
	mobile, ok2 := digits(r.PostFormValue("mobile"))
	if !ok1 || !ok2 {
		d.bad(w, r, regionVoxio, "The country code and the mobile number must be digits.")
		return
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	if text == "" {
		d.bad(w, r, regionVoxio, "Write the message the customer sends.")
		return
	}
	d.mu.Lock()
	d.relayURL = relayURL
	d.mu.Unlock()
	d.voxio.SetRelayURL(relayURL)
	ctx, cancel := d.timeout(r)
	defer cancel()
	del, err := d.voxio.Receive(ctx, voxiotest.Inbound{MobileCode: code, Mobile: mobile, Name: strings.TrimSpace(r.PostFormValue("name")), Text: text})
	switch {
	case del == nil && err != nil:
		d.finish(w, r, regionVoxio, http.StatusOK, false, "The incoming message was not delivered: "+err.Error())
	case del.StatusCode == 0:
		d.finish(w, r, regionVoxio, http.StatusOK, false, fmt.Sprintf("Message %d was stored, but %s did not answer: %v", del.MessageID, relayURL, err))
	case !del.OK():
		d.finish(w, r, regionVoxio, http.StatusOK, false, fmt.Sprintf("Incoming message %d, signed with the relay secret, was refused by %s: %d, %s",
			del.MessageID, relayURL, del.StatusCode, answerText(del.Response)))
	default:
		d.finish(w, r, regionVoxio, http.StatusOK, true, fmt.Sprintf("Incoming message %d, signed with the relay secret, was accepted by %s: %d.",
			del.MessageID, relayURL, del.StatusCode))
	}
}

// --- Voitex ---

func (d *devServer) voitexCall(w http.ResponseWriter, r *http.Request) {
	if err := form(w, r); err != nil {
		d.bad(w, r, regionCall, err.Error())
		return
	}
	u, err := appURL(r.PostFormValue("url"))
	if err != nil {
		d.bad(w, r, regionCall, "API Branch URL: "+err.Error())
		return
	}
	var branches []string
	for _, b := range strings.FieldsFunc(r.PostFormValue("branches"), func(r rune) bool { return r == ',' || r == ' ' }) {
		if strings.Trim(b, "0123456789") != "" {
			d.bad(w, r, regionCall, fmt.Sprintf("%q is not a branch number.", b))
			return
		}
		branches = append(branches, b)
	}
	if len(branches) == 0 {
		d.bad(w, r, regionCall, "Give the API Branch numbers that point at this URL; the first one answers the call.")
		return
	}
	cid, ok := digits(r.PostFormValue("cid"))
	if !ok {
		d.bad(w, r, regionCall, "The caller's number must be digits.")
		return
	}
	did, ok := digits(r.PostFormValue("did"))
	if !ok {
		d.bad(w, r, regionCall, "The number called must be digits.")
		return
	}
	ctx, cancel := d.timeout(r)
	defer cancel()
	err = d.ivr.start(ctx, callParams{URL: u, Branches: branches, CID: cid, DID: did})
	d.afterCall(w, r, err)
}

func (d *devServer) afterCall(w http.ResponseWriter, r *http.Request, err error) {
	v := d.ivr.view()
	lines := strings.Split(v.Transcript, "\n")
	last := lines[len(lines)-1]
	switch {
	case errors.Is(err, errNoCallWaiting):
		d.finish(w, r, regionCall, http.StatusConflict, false, err.Error())
	case err != nil:
		d.finish(w, r, regionCall, http.StatusOK, false, "The call ended: "+err.Error())
	default:
		d.finish(w, r, regionCall, http.StatusOK, true, last)
	}
}

func (d *devServer) voitexKey(w http.ResponseWriter, r *http.Request) {
	if err := form(w, r); err != nil {
		d.bad(w, r, regionCall, err.Error())
		return
	}
	ctx, cancel := d.timeout(r)
	defer cancel()
	err := d.ivr.press(ctx, r.PostFormValue("key"))
	if errors.Is(err, errNotAKey) {
		d.bad(w, r, regionCall, err.Error())
		return
	}
	d.afterCall(w, r, err)
}

func (d *devServer) voitexSilence(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := d.timeout(r)
	defer cancel()
	d.afterCall(w, r, d.ivr.silence(ctx))
}

func (d *devServer) voitexHangup(w http.ResponseWriter, r *http.Request) {
	if err := d.ivr.hangup(); err != nil {
		d.finish(w, r, regionCall, http.StatusConflict, false, err.Error())
		return
	}
	d.afterCall(w, r, nil)
}

// --- Our Voice ---

func (d *devServer) ourvoiceIncoming(w http.ResponseWriter, r *http.Request) {
	if err := form(w, r); err != nil {
		d.bad(w, r, regionOurVoice, err.Error())
		return
	}
	session := strings.TrimSpace(r.PostFormValue("session_id"))
	if session == "" {
		session = d.ourvoiceSession
	}
	from, ok := digits(r.PostFormValue("from"))
	if !ok {
		d.bad(w, r, regionOurVoice, "The sender's number must be digits.")
		return
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	if text == "" {
		d.bad(w, r, regionOurVoice, "Write the message the customer sends.")
		return
	}
	m, err := d.ourvoice.Receive(r.Context(), ourvoicetest.Inbound{SessionID: session, From: from, Type: ourvoice.TypeText, Content: text})
	if err != nil {
		d.bad(w, r, regionOurVoice, "Not received: "+err.Error())
		return
	}
	d.addOurVoiceInbound(m)
	d.finish(w, r, regionOurVoice, http.StatusOK, true, fmt.Sprintf("Session %s received message %s. Our Voice sends no webhooks: your application finds it with Messages.List or ListBySession.", session, m.ID))
}

func (d *devServer) ourvoiceScan(w http.ResponseWriter, r *http.Request) {
	if err := form(w, r); err != nil {
		d.bad(w, r, regionOurVoice, err.Error())
		return
	}
	id := strings.TrimSpace(r.PostFormValue("session_id"))
	phone := ourvoicetest.DefaultPhone
	if v := strings.TrimSpace(r.PostFormValue("phone")); v != "" {
		p, ok := digits(v)
		if !ok {
			d.bad(w, r, regionOurVoice, "The phone number must be digits.")
			return
		}
		phone = p
	}
	if err := d.ourvoice.Connect(id, phone); err != nil {
		d.bad(w, r, regionOurVoice, "Not scanned: "+err.Error())
		return
	}
	d.finish(w, r, regionOurVoice, http.StatusOK, true, fmt.Sprintf("Session %s scanned: connected as %s.", id, phone))
}

// --- Chattu ---

// chattuWebhook sets a client's webhook URL when the form gives one other
// than its current one, through the API as Chattu's dashboard would; the
// request shows in the feed, marked as the page's.
func (d *devServer) chattuWebhook(ctx context.Context, clientID, raw string) error {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}
	u, err := appURL(raw)
	if err != nil {
		return fmt.Errorf("webhook URL: %w", err)
	}
	st, ok := d.chattu.ClientState(clientID)
	if !ok {
		return fmt.Errorf("no client %q", clientID)
	}
	if st.WebhookURL == u {
		return nil
	}
	c, err := d.chattu.NewClient(chattu.WithUserAgent(pageUserAgent))
	if err != nil {
		return err
	}
	_, err = c.Clients.UpdateWebhook(ctx, chattu.UpdateWebhookParams{ClientID: clientID, WebhookURL: u})
	return err
}

func (d *devServer) chattuClientAndFrom(w http.ResponseWriter, r *http.Request) (clientID, from string, ok bool) {
	if err := form(w, r); err != nil {
		d.bad(w, r, regionChattu, err.Error())
		return "", "", false
	}
	clientID = strings.TrimSpace(r.PostFormValue("client_id"))
	if clientID == "" {
		clientID = d.chattuClient
	}
	if _, exists := d.chattu.ClientState(clientID); !exists {
		d.bad(w, r, regionChattu, fmt.Sprintf("There is no client %q.", clientID))
		return "", "", false
	}
	from, good := digits(r.PostFormValue("from"))
	if !good {
		d.bad(w, r, regionChattu, "The sender's number must be digits.")
		return "", "", false
	}
	if err := d.chattuWebhook(r.Context(), clientID, r.PostFormValue("webhook_url")); err != nil {
		d.bad(w, r, regionChattu, err.Error())
		return "", "", false
	}
	return clientID, from, true
}

func noWebhook(clientID string) string {
	return fmt.Sprintf("Client %s has no webhook URL: enter one, or have your application call Clients.UpdateWebhook.", clientID)
}

func (d *devServer) chattuIncoming(w http.ResponseWriter, r *http.Request) {
	clientID, from, ok := d.chattuClientAndFrom(w, r)
	if !ok {
		return
	}
	body := strings.TrimSpace(r.PostFormValue("body"))
	if body == "" {
		d.bad(w, r, regionChattu, "Write the message the customer sends.")
		return
	}
	del, err := d.chattu.Receive(r.Context(), chattutest.Inbound{ClientID: clientID, From: from, Name: strings.TrimSpace(r.PostFormValue("name")), Body: body})
	switch {
	case err != nil && del == nil:
		d.bad(w, r, regionChattu, "Not received: "+err.Error())
	case del == nil:
		d.finish(w, r, regionChattu, http.StatusOK, false, "The message was stored. "+noWebhook(clientID))
	case del.Err != nil:
		d.finish(w, r, regionChattu, http.StatusOK, false, "message_received webhook failed: "+del.Err.Error())
	case del.Reply.Response != "":
		d.finish(w, r, regionChattu, http.StatusOK, true, fmt.Sprintf("Your application answered; auto-reply sent to %s: %s", from, del.Reply.Response))
	default:
		d.finish(w, r, regionChattu, http.StatusOK, true, "Your application accepted message_received with no auto-reply.")
	}
}

func (d *devServer) chattuCall(w http.ResponseWriter, r *http.Request) {
	clientID, from, ok := d.chattuClientAndFrom(w, r)
	if !ok {
		return
	}
	video := r.PostFormValue("video") != ""
	del, err := d.chattu.Call(r.Context(), chattutest.IncomingCall{ClientID: clientID, From: from, IsVideo: video})
	switch {
	case err != nil && del == nil:
		d.bad(w, r, regionChattu, "No call: "+err.Error())
	case del == nil:
		d.finish(w, r, regionChattu, http.StatusOK, false, "The call was rejected with Chattu's default message. "+noWebhook(clientID))
	case del.Err != nil:
		d.finish(w, r, regionChattu, http.StatusOK, false, "call_rejected webhook failed, so Chattu sent its default message: "+del.Err.Error())
	case del.Reply.RejectionMessage != "":
		d.finish(w, r, regionChattu, http.StatusOK, true, fmt.Sprintf("Call from %s rejected; your application's message was sent: %s", from, del.Reply.RejectionMessage))
	default:
		d.finish(w, r, regionChattu, http.StatusOK, true, "Call rejected; your application gave no message, so Chattu sent its default: "+chattutest.DefaultRejectionMessage)
	}
}

func (d *devServer) chattuScan(w http.ResponseWriter, r *http.Request) {
	if err := form(w, r); err != nil {
		d.bad(w, r, regionChattu, err.Error())
		return
	}
	id := strings.TrimSpace(r.PostFormValue("client_id"))
	if err := d.chattu.Scan(id); err != nil {
		d.bad(w, r, regionChattu, "Not scanned: "+err.Error())
		return
	}
	d.finish(w, r, regionChattu, http.StatusOK, true, fmt.Sprintf("Client %s scanned: connected.", id))
}

func (d *devServer) chattuAddClient(w http.ResponseWriter, r *http.Request) {
	if err := form(w, r); err != nil {
		d.bad(w, r, regionChattu, err.Error())
		return
	}
	id := strings.TrimSpace(r.PostFormValue("client_id"))
	if id == "" || strings.ContainsAny(id, "/?#% ") {
		d.bad(w, r, regionChattu, "Give the client an id without spaces, slashes or ? # %.")
		return
	}
	phone, ok := digits(r.PostFormValue("phone"))
	if !ok {
		d.bad(w, r, regionChattu, "The phone number must be digits with its country code.")
		return
	}
	st := chattutest.ClientState{ClientID: id, PhoneNumber: phone, Connected: r.PostFormValue("connected") != ""}
	if v := strings.TrimSpace(r.PostFormValue("webhook_url")); v != "" {
		u, err := appURL(v)
		if err != nil {
			d.bad(w, r, regionChattu, "Webhook URL: "+err.Error())
			return
		}
		st.WebhookURL = u
	}
	if err := d.chattu.SeedClient(st); err != nil {
		d.bad(w, r, regionChattu, "Not added: "+err.Error())
		return
	}
	state := "waiting for a QR scan"
	if st.Connected {
		state = "connected"
	}
	d.finish(w, r, regionChattu, http.StatusOK, true, fmt.Sprintf("Client %s added, %s.", id, state))
}

// --- faults ---

func (d *devServer) fault(w http.ResponseWriter, r *http.Request) {
	vendor := r.PathValue("vendor")
	if d.faulter(vendor) == nil {
		http.NotFound(w, r)
		return
	}
	if err := form(w, r); err != nil {
		d.bad(w, r, vendor, err.Error())
		return
	}
	f, err := parseFault(r)
	if err != nil {
		d.bad(w, r, vendor, err.Error())
		return
	}
	msg, err := d.applyFault(vendor, f)
	if err != nil {
		d.bad(w, r, vendor, err.Error())
		return
	}
	d.finish(w, r, vendor, http.StatusOK, true, msg)
}
