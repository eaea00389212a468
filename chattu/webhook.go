package chattu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/switchboard-go/switchboard/internal/inbound"
	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/relay"
)

// EventType names a webhook event.
type EventType string

// Documented webhook events. Others are passed to the callback raw.
const (
	EventMessageReceived EventType = "message_received"
	EventMessageSent     EventType = "message_sent"
	EventCallRejected    EventType = "call_rejected"
)

// Chattu's documented reply deadlines, and the default budgets the handler
// gives the callback within them (leaving room for the network).
const (
	WebhookDeadline         = 5 * time.Second
	CallWebhookDeadline     = 3 * time.Second
	DefaultReplyTimeout     = 4500 * time.Millisecond
	DefaultCallReplyTimeout = 2500 * time.Millisecond
)

// Webhook handler failures, reported to WithWebhookOnError; the shared
// ones are the values every Switchboard handler reports. Authentication
// failures match relay.ErrUnauthenticated.
var (
	// ErrMalformedWebhook: the body is not {"event": "...", "data": {...}}
	// or a known event's data has the wrong shape. Answered 400.
	ErrMalformedWebhook = errors.New("chattu: malformed webhook payload")
	// ErrCallbackTimeout: the callback did not return within its budget;
	// the fallback reply was sent and the callback's later result dropped.
	ErrCallbackTimeout = inbound.ErrCallbackTimeout
	// ErrCallbackFailed: the callback returned an error or panicked (then
	// errors.As finds a *PanicError). Answered 500.
	ErrCallbackFailed = errors.New("chattu: webhook callback failed")
	// ErrBodyTooLarge: the body exceeded WithWebhookMaxBody. Answered 413.
	ErrBodyTooLarge = inbound.ErrBodyTooLarge
	// ErrReadTimeout: the body did not arrive within
	// WithWebhookReadTimeout (a sender trickling bytes). Answered 408.
	ErrReadTimeout = inbound.ErrReadTimeout
	// ErrReplyNotApplicable: the callback (or the fallback) returned a
	// Reply field the event does not take, such as a Response to
	// message_sent. The field was left out of the answer, which went out
	// with the others; the error is a *ReplyFieldError naming the fields.
	ErrReplyNotApplicable = errors.New("chattu: reply field does not apply to the event")
)

// ReplyFieldError reports Reply fields that do not apply to the event they
// answered, and were therefore not sent: Response applies to
// message_received only, RejectionMessage to call_rejected only, and
// neither to message_sent or an undocumented event. It is reported to
// WithWebhookOnError after the reply has been written, and matches
// ErrReplyNotApplicable.
type ReplyFieldError struct {
	// Event is the event the reply answered.
	Event EventType
	// Fields are the dropped fields as the reply names them ("response",
	// "rejectionMessage"). Their values are not kept: they are the
	// callback's text for a customer.
	Fields []string
	// Fallback reports that the reply came from WithWebhookFallback, the
	// callback having run out of time.
	Fallback bool
}

// Error names the event and the fields, never their values.
func (e *ReplyFieldError) Error() string {
	from := "reply"
	if e.Fallback {
		from = "fallback reply"
	}
	return fmt.Sprintf("chattu: webhook %s: %s field %s does not apply to the event: dropped", e.Event, from, strings.Join(e.Fields, " and "))
}

// Is matches ErrReplyNotApplicable.
func (e *ReplyFieldError) Is(target error) bool { return target == ErrReplyNotApplicable }

// applicable returns rep with only the fields the event type takes, as the
// docs list them, and a *ReplyFieldError naming the others, or nil.
func applicable(t EventType, rep Reply, fallback bool) (Reply, error) {
	var dropped []string
	if rep.Response != "" && t != EventMessageReceived {
		dropped, rep.Response = append(dropped, "response"), ""
	}
	if rep.RejectionMessage != "" && t != EventCallRejected {
		dropped, rep.RejectionMessage = append(dropped, "rejectionMessage"), ""
	}
	if dropped == nil {
		return rep, nil
	}
	return rep, &ReplyFieldError{Event: t, Fields: dropped, Fallback: fallback}
}

// PanicError is a panic recovered from the webhook callback (or the
// fallback): the handler answered as for any callback failure and the
// process did not crash. It is reported to WithWebhookOnError inside an
// error matching ErrCallbackFailed; find it with errors.As(err, &pe) (pe
// *chattu.PanicError) and read:
//
//   - Value (any): what the callback panicked with. The error text does
//     not print it (user code chose it and it could hold a secret).
//   - Stack ([]byte): the goroutine's stack at the panic.
type PanicError = inbound.PanicError

// MessageEvent is the data of message_received and message_sent.
type MessageEvent struct {
	// From is the sender: a phone number for message_received, the client
	// id for message_sent.
	From string
	// To is the client id for message_received, the recipient for
	// message_sent.
	To string
	// Body and Message both carry the text (Chattu sends it twice).
	Body string
	// Message repeats Body; Text reads whichever is set.
	Message string
	// Timestamp is sent in unix milliseconds.
	Timestamp time.Time
	// Type is "received_message" or "sent_message".
	Type string
}

// Text returns the message text, from Body or else Message.
func (m *MessageEvent) Text() string {
	if m.Body != "" {
		return m.Body
	}
	return m.Message
}

// CallEvent is the data of call_rejected.
type CallEvent struct {
	// From is the caller's phone number.
	From string
	// To is the client id that rejected the call.
	To string
	// IsVideo tells a video call from a voice call.
	IsVideo bool
	// Timestamp is when the call came (sent in unix milliseconds).
	Timestamp time.Time
	// Type is "call_rejected".
	Type string
}

// WebhookEvent is one webhook delivery. For a documented event exactly one
// of MessageReceived, MessageSent and CallRejected is set; for any other
// event only Type, Data and Raw are.
type WebhookEvent struct {
	// Type is the "event" name; any name is accepted.
	Type EventType
	// MessageReceived is set for message_received: reply with Reply.Response.
	MessageReceived *MessageEvent
	// MessageSent is set for message_sent: an acknowledgment is all it
	// takes (Reply.Message at most).
	MessageSent *MessageEvent
	// CallRejected is set for call_rejected: reply with Reply.RejectionMessage.
	CallRejected *CallEvent
	// Data is the "data" object exactly as received.
	Data json.RawMessage
	// Raw is the whole body exactly as received.
	Raw json.RawMessage
}

// ParseWebhook decodes a webhook body. It fails with ErrMalformedWebhook
// when the body is not {"event": "<name>", "data": {...}} or a documented
// event's data does not decode.
//
// Fields are read under the SDK's loose-JSON policy (numbers sent as
// strings, 0/1 booleans, "null"), but a documented field that cannot be
// read at all (an object where text belongs, "perhaps" for a boolean, a
// timestamp in no known form) makes the event malformed rather than zero:
// the callback acts on what it is given, and an event half read is not the
// event Chattu sent. Nothing was sent by the SDK, so refusing it loses no
// outcome.
func ParseWebhook(body []byte) (*WebhookEvent, error) {
	if !isObjectJSON(body) {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformedWebhook)
	}
	ms, err := loose.Members(body)
	if err != nil {
		return nil, fmt.Errorf("%w: invalid JSON", ErrMalformedWebhook)
	}
	env := object(ms)
	name := stringText(env.get("event"))
	if name == "" {
		return nil, fmt.Errorf("%w: no event name", ErrMalformedWebhook)
	}
	data := env.get("data")
	if loose.IsNull(data) {
		return nil, fmt.Errorf("%w: no data", ErrMalformedWebhook)
	}
	ev := &WebhookEvent{Type: EventType(name), Data: data, Raw: body}
	switch ev.Type {
	case EventMessageReceived, EventMessageSent, EventCallRejected:
	default:
		return ev, nil
	}
	if !isObjectJSON(data) {
		return nil, fmt.Errorf("%w: %s data is not an object", ErrMalformedWebhook, name)
	}
	dm, err := loose.Members(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s data: invalid JSON", ErrMalformedWebhook, name)
	}
	rd := strictReader{o: dm}
	switch ev.Type {
	case EventMessageReceived, EventMessageSent:
		m := &MessageEvent{From: rd.text("from"), To: rd.text("to"), Body: rd.text("body"), Message: rd.text("message"),
			Timestamp: rd.time("timestamp"), Type: rd.text("type")}
		if ev.Type == EventMessageReceived {
			ev.MessageReceived = m
		} else {
			ev.MessageSent = m
		}
	case EventCallRejected:
		ev.CallRejected = &CallEvent{From: rd.text("from"), To: rd.text("to"), IsVideo: rd.boolean("isVideo"),
			Timestamp: rd.time("timestamp"), Type: rd.text("type")}
	}
	if rd.bad != "" {
		return nil, fmt.Errorf("%w: %s data: %s cannot be read", ErrMalformedWebhook, name, rd.bad)
	}
	return ev, nil
}

// strictReader reads a documented event's fields under the loose policy and
// remembers the first one that has no reading at all. Errors name the
// field, never its value.
type strictReader struct {
	o   object
	bad string
}

func (r *strictReader) fail(key string) {
	if r.bad == "" {
		r.bad = key
	}
}

func (r *strictReader) text(key string) string {
	v := r.o.get(key)
	if isObjectJSON(v) || isArrayJSON(v) {
		r.fail(key)
		return ""
	}
	return textOf(v)
}

func (r *strictReader) boolean(key string) bool {
	v := r.o.get(key)
	if loose.IsNull(v) {
		return false
	}
	switch strings.ToLower(loose.Text(v)) {
	case "true", "1", "yes", "on":
		return true
	case "false", "0", "no", "off":
		return false
	}
	r.fail(key)
	return false
}

func (r *strictReader) time(key string) time.Time {
	v := r.o.get(key)
	if loose.IsNull(v) {
		return time.Time{}
	}
	t, ok := loose.ParseTime(v)
	if !ok {
		r.fail(key)
	}
	return t
}

// Reply is the callback's answer, written as the JSON reply Chattu reads.
// Only the fields that apply to the event are written; one set for another
// event is dropped and reported to WithWebhookOnError (ErrReplyNotApplicable),
// so that a reply meant for one event cannot make Chattu act on another.
type Reply struct {
	// Response is sent back to the sender as an auto-reply. It applies to
	// message_received only.
	Response string
	// RejectionMessage is sent to a rejected caller. It applies to
	// call_rejected only; empty leaves Chattu's default ("מצטער אינני זמין
	// כעת.").
	RejectionMessage string
	// Message replaces the acknowledgment text ("Webhook received
	// successfully."), for any event.
	Message string
}

// WebhookFunc handles one event. ctx ends at the event's reply budget (see
// WithWebhookTimeout): work that must outlive the reply should be handed off
// (context.WithoutCancel). Returning an error, or panicking, answers 500.
type WebhookFunc func(ctx context.Context, ev *WebhookEvent) (Reply, error)

// WebhookOption configures NewWebhookHandler. An option given a value that
// cannot work returns an error, and NewWebhookHandler fails with it: a
// handler is never built on a setting it would silently replace.
type WebhookOption func(*webhookConfig) error

type webhookConfig struct {
	msgTimeout, callTimeout time.Duration
	fallback                func(*WebhookEvent) Reply
	onError                 func(*http.Request, error)
	maxBody                 int64
	readTimeout             time.Duration
}

// configError is a handler construction error: it names Chattu and the
// setting, and matches relay.ErrConfig as every handler constructor's does.
func configError(what, rule string) error {
	return fmt.Errorf("chattu: %s: %s (%w)", what, rule, relay.ErrConfig)
}

// WithWebhookTimeout sets how long the callback may take before the fallback
// reply is sent: for message events (default 4.5 s of Chattu's 5 s) and for
// call_rejected (default 2.5 s of its 3 s). Each must be positive and within
// Chattu's deadline; the budget counts from the request's arrival, so the
// time spent reading the body is part of it.
func WithWebhookTimeout(message, call time.Duration) WebhookOption {
	return func(c *webhookConfig) error {
		if message <= 0 || message > WebhookDeadline || call <= 0 || call > CallWebhookDeadline {
			return configError("WithWebhookTimeout", "budgets must be positive and within 5s (3s for calls)")
		}
		c.msgTimeout, c.callTimeout = message, call
		return nil
	}
}

// WithWebhookFallback sets the reply sent when the callback is too slow (for
// example a canned auto-reply). The default acknowledges without an
// auto-reply, so Chattu sends its default rejection message to callers.
// Its fields follow the rule of Reply: one the event does not take is
// dropped and reported.
// fn runs in the margin left before Chattu's deadline (0.5 s by default):
// it must return at once, without I/O. A panicking fn acknowledges only,
// and the panic is reported. A nil fn restores the default.
func WithWebhookFallback(fn func(ev *WebhookEvent) Reply) WebhookOption {
	return func(c *webhookConfig) error {
		c.fallback = fn
		return nil
	}
}

// WithWebhookOnError receives every failure with its typed error
// (relay.ErrUnauthenticated, ErrBodyTooLarge, ErrReadTimeout,
// ErrMalformedWebhook, ErrCallbackTimeout, ErrCallbackFailed with a
// *PanicError for a panic, ErrReplyNotApplicable with a *ReplyFieldError
// for a reply field the event does not take), for logging and metrics. The
// error text never contains the API key or the body. A callback failure,
// timeout or misused reply field is reported after the reply has been
// written, so fn may take its time there without making Chattu wait; a
// panic in fn is recovered.
func WithWebhookOnError(fn func(*http.Request, error)) WebhookOption {
	return func(c *webhookConfig) error {
		c.onError = fn
		return nil
	}
}

// WithWebhookMaxBody caps the body (default 1 MiB, far above any Chattu
// event); larger deliveries are answered 413 without being read whole.
// n must be positive.
func WithWebhookMaxBody(n int64) WebhookOption {
	return func(c *webhookConfig) error {
		if err := inbound.CheckLimits(n, 0); err != nil || n == 0 {
			return configError("WithWebhookMaxBody", "must be positive")
		}
		c.maxBody = n
		return nil
	}
}

// WithWebhookReadTimeout bounds how long the handler waits for the whole
// body (default 5 s). Chattu sends its small JSON in one go; a sender
// trickling bytes is answered 408 and its connection closed, instead of
// holding a goroutine open. d must be positive.
func WithWebhookReadTimeout(d time.Duration) WebhookOption {
	return func(c *webhookConfig) error {
		if err := inbound.CheckLimits(0, d); err != nil || d == 0 {
			return configError("WithWebhookReadTimeout", "must be positive")
		}
		c.readTimeout = d
		return nil
	}
}

// WebhookHandler receives Chattu webhooks. Mount it on the URL given to
// Clients.UpdateWebhook (POST only). It is safe for concurrent use.
type WebhookHandler struct {
	keys   *relay.CredentialSet
	fn     WebhookFunc
	cfg    webhookConfig
	runner inbound.Runner
}

// NewWebhookHandler returns a handler that accepts deliveries whose
// X-Api-Key is one of apiKeys (the client API keys of the numbers pointing
// at it; several allow rotation), compared in constant time, and answers
// with fn's Reply. A missing, blank or padded key, a nil fn or a bad option
// value is an error matching relay.ErrConfig: the handler cannot be built
// to accept everything.
func NewWebhookHandler(apiKeys []string, fn WebhookFunc, opts ...WebhookOption) (*WebhookHandler, error) {
	if fn == nil {
		return nil, configError("NewWebhookHandler", "nil WebhookFunc")
	}
	cfg := webhookConfig{msgTimeout: DefaultReplyTimeout, callTimeout: DefaultCallReplyTimeout,
		maxBody: inbound.DefaultMaxBody, readTimeout: inbound.DefaultReadTimeout}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	for i, k := range apiKeys {
		if k != "" && k != strings.TrimSpace(k) {
			return nil, configError("NewWebhookHandler", fmt.Sprintf("API key %d has leading or trailing whitespace", i))
		}
	}
	keys, err := relay.NewCredentialSet(apiKeys...)
	if err != nil {
		return nil, fmt.Errorf("chattu: NewWebhookHandler: %w", err)
	}
	return &WebhookHandler{
		keys: keys, fn: fn, cfg: cfg,
		runner: inbound.Runner{MaxBody: cfg.maxBody, ReadTimeout: cfg.readTimeout, OnError: cfg.onError},
	}, nil
}

// ServeHTTP checks the method and the key, reads the body under its cap and
// deadline, runs the callback within the event's budget and answers.
func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		h.runner.Report(r, errors.New("chattu: webhook: method not allowed (POST only)"))
		return
	}
	if err := h.authenticate(r); err != nil {
		http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
		h.runner.Report(r, err)
		return
	}
	body, ok := h.runner.ReadBody(w, r)
	if !ok {
		return
	}
	ev, err := ParseWebhook(body)
	if err != nil {
		writeJSONBytes(w, http.StatusBadRequest, invalidPayload, false)
		h.runner.Report(r, err)
		return
	}
	budget := h.cfg.msgTimeout
	if ev.Type == EventCallRejected {
		budget = h.cfg.callTimeout
	}
	deadline := start.Add(budget)
	rep, err := Reply{}, inbound.ErrCallbackTimeout
	var dropped error // a failure that came too late to answer with
	if remaining := time.Until(deadline); remaining > 0 {
		rep, err = inbound.Invoke(r.Context(), remaining, func(ctx context.Context) (Reply, error) { return h.fn(ctx, ev) })
		if err != inbound.ErrCallbackTimeout && !time.Now().Before(deadline) {
			// It answered, but past its budget: treated as not answering,
			// whatever it returned, so the outcome does not depend on
			// which of the two finished first. A real failure (not its
			// context ending) is still reported.
			if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
				dropped = err
			}
			rep, err = Reply{}, inbound.ErrCallbackTimeout
		}
	}
	var late error
	switch {
	case err == inbound.ErrCallbackTimeout:
		if r.Context().Err() != nil {
			return // Chattu hung up: nobody to answer
		}
		late = fmt.Errorf("chattu: webhook %s: %w (after %s), fallback reply sent", ev.Type, ErrCallbackTimeout, time.Since(start).Round(time.Millisecond))
		rep = h.fallback(r, ev)
	case err != nil:
		writeJSONBytes(w, http.StatusInternalServerError, failedReply, true)
		h.runner.Report(r, fmt.Errorf("%w: %s: %w", ErrCallbackFailed, ev.Type, err))
		return
	}
	rep, misuse := applicable(ev.Type, rep, late != nil)
	// A failure is reported after the reply has gone out (flushed:
	// net/http would hold it until the handler returns): a slow error
	// hook, such as a remote logger, must not cost the reply its deadline.
	writeReply(w, rep, late != nil || misuse != nil)
	if late != nil {
		h.runner.Report(r, late)
	}
	if misuse != nil {
		h.runner.Report(r, misuse)
	}
	if dropped != nil {
		h.runner.Report(r, fmt.Errorf("%w: %s: %w", ErrCallbackFailed, ev.Type, dropped))
	}
}

// authenticate requires exactly one X-Api-Key matching an accepted key.
func (h *WebhookHandler) authenticate(r *http.Request) error {
	vals := r.Header["X-Api-Key"]
	switch {
	case len(vals) == 0 || (len(vals) == 1 && vals[0] == ""):
		return fmt.Errorf("chattu: webhook: %w: X-Api-Key missing", relay.ErrUnauthenticated)
	case len(vals) > 1:
		return fmt.Errorf("chattu: webhook: %w: X-Api-Key sent %d times", relay.ErrUnauthenticated, len(vals))
	}
	if _, ok := h.keys.Match(vals[0]); !ok {
		return fmt.Errorf("chattu: webhook: %w: X-Api-Key does not match", relay.ErrUnauthenticated)
	}
	return nil
}

// fallback runs the configured fallback; a panicking one acknowledges
// only, and the panic is reported.
func (h *WebhookHandler) fallback(r *http.Request, ev *WebhookEvent) Reply {
	if h.cfg.fallback == nil {
		return Reply{}
	}
	rep, err := inbound.Invoke(r.Context(), 0, func(context.Context) (Reply, error) { return h.cfg.fallback(ev), nil })
	if err != nil {
		h.runner.Report(r, fmt.Errorf("%w: %s: fallback: %w", ErrCallbackFailed, ev.Type, err))
		return Reply{}
	}
	return rep
}

const ackMessage = "Webhook received successfully."

// The two fixed answers the handler writes besides a reply.
var (
	invalidPayload = []byte(`{"error":"Invalid webhook payload format."}` + "\n")
	failedReply    = []byte(`{"status":"error","message":"Webhook processing failed."}` + "\n")
)

// contentTypeJSON is shared by every answer; nothing modifies it in place.
var contentTypeJSON = []string{"application/json; charset=utf-8"}

// replyBuffers recycles the buffers replies are written into.
var replyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// writeReply writes the JSON reply Chattu reads: status "success", the
// acknowledgment, and the callback's response and rejection message when
// set (applicable has already dropped those the event does not take);
// flushed at once when flush is set.
func writeReply(w http.ResponseWriter, rep Reply, flush bool) {
	bp := replyBuffers.Get().(*[]byte)
	b := append((*bp)[:0], `{"status":"success","message":`...)
	msg := rep.Message
	if msg == "" {
		msg = ackMessage
	}
	b = appendJSONString(b, msg)
	if rep.Response != "" {
		b = append(b, `,"response":`...)
		b = appendJSONString(b, rep.Response)
	}
	if rep.RejectionMessage != "" {
		b = append(b, `,"rejectionMessage":`...)
		b = appendJSONString(b, rep.RejectionMessage)
	}
	b = append(b, "}\n"...)
	writeJSONBytes(w, http.StatusOK, b, flush)
	*bp = b
	replyBuffers.Put(bp)
}

// writeJSONBytes answers status with the JSON body b. An answer flushed
// before the handler returns carries its Content-Length, so that it is not
// sent chunked; net/http adds it to the others itself.
func writeJSONBytes(w http.ResponseWriter, status int, b []byte, flush bool) {
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	if flush {
		h["Content-Length"] = []string{strconv.Itoa(len(b))}
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
	if flush {
		_ = http.NewResponseController(w).Flush()
	}
}

// appendJSONString appends s as a JSON string as encoding/json writes it
// without HTML escaping: Hebrew, Arabic and emoji reach Chattu as the
// bytes the callback returned; quotes, backslashes, control characters,
// U+2028 and U+2029 are escaped, and invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
