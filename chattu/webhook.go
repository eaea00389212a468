package chattu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/switchboard-go/switchboard/internal/transport"
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

// Webhook handler failures, reported to WithWebhookOnError. Authentication
// failures are relay's (relay.ErrUnauthenticated).
var (
	// ErrMalformedWebhook: the body is not {"event": "...", "data": {...}}
	// or a known event's data has the wrong shape. Answered 400.
	ErrMalformedWebhook = errors.New("chattu: malformed webhook payload")
	// ErrCallbackTimeout: the callback did not return within its budget;
	// the fallback reply was sent. Its later result is discarded.
	ErrCallbackTimeout = errors.New("chattu: webhook callback too slow, fallback reply sent")
	// ErrCallbackFailed: the callback returned an error or panicked.
	// Answered 500.
	ErrCallbackFailed = errors.New("chattu: webhook callback failed")
)

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

type messageEventWire struct {
	From      transport.String `json:"from"`
	To        transport.String `json:"to"`
	Body      transport.String `json:"body"`
	Message   transport.String `json:"message"`
	Timestamp transport.Time   `json:"timestamp"`
	Type      transport.String `json:"type"`
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

type callEventWire struct {
	From      transport.String `json:"from"`
	To        transport.String `json:"to"`
	IsVideo   transport.Bool   `json:"isVideo"`
	Timestamp transport.Time   `json:"timestamp"`
	Type      transport.String `json:"type"`
}

// WebhookEvent is one webhook delivery. For a documented event exactly one
// of MessageReceived, MessageSent and CallRejected is set; for any other
// event only Type, Data and Raw are.
type WebhookEvent struct {
	// Type is the "event" name; any name is accepted.
	Type EventType
	// MessageReceived is set for message_received: reply with Reply.Response.
	MessageReceived *MessageEvent
	// MessageSent is set for message_sent (an acknowledgment is enough).
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
func ParseWebhook(body []byte) (*WebhookEvent, error) {
	var env struct {
		Event json.RawMessage `json:"event"`
		Data  json.RawMessage `json:"data"`
	}
	if !isObject(body) {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformedWebhook)
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: invalid JSON", ErrMalformedWebhook)
	}
	name := text(env.Event)
	if name == "" {
		return nil, fmt.Errorf("%w: no event name", ErrMalformedWebhook)
	}
	if isNullJSON(env.Data) {
		return nil, fmt.Errorf("%w: no data", ErrMalformedWebhook)
	}
	ev := &WebhookEvent{Type: EventType(name), Data: env.Data, Raw: body}
	switch ev.Type {
	case EventMessageReceived, EventMessageSent:
		if !isObject(env.Data) {
			return nil, fmt.Errorf("%w: %s data is not an object", ErrMalformedWebhook, name)
		}
		var w messageEventWire
		if err := json.Unmarshal(env.Data, &w); err != nil {
			return nil, fmt.Errorf("%w: %s data: %v", ErrMalformedWebhook, name, err)
		}
		m := &MessageEvent{From: string(w.From), To: string(w.To), Body: string(w.Body), Message: string(w.Message), Timestamp: w.Timestamp.Time, Type: string(w.Type)}
		if ev.Type == EventMessageReceived {
			ev.MessageReceived = m
		} else {
			ev.MessageSent = m
		}
	case EventCallRejected:
		if !isObject(env.Data) {
			return nil, fmt.Errorf("%w: %s data is not an object", ErrMalformedWebhook, name)
		}
		var w callEventWire
		if err := json.Unmarshal(env.Data, &w); err != nil {
			return nil, fmt.Errorf("%w: %s data: %v", ErrMalformedWebhook, name, err)
		}
		ev.CallRejected = &CallEvent{From: string(w.From), To: string(w.To), IsVideo: bool(w.IsVideo), Timestamp: w.Timestamp.Time, Type: string(w.Type)}
	}
	return ev, nil
}

// Reply is the callback's answer, written as the JSON reply Chattu reads.
type Reply struct {
	// Response is sent back to the sender as an auto-reply
	// (message_received).
	Response string
	// RejectionMessage is sent to a rejected caller (call_rejected). Empty
	// leaves Chattu's default ("מצטער אינני זמין כעת.").
	RejectionMessage string
	// Message replaces the acknowledgment text ("Webhook received
	// successfully.").
	Message string
}

type replyWire struct {
	Status           string `json:"status"`
	Message          string `json:"message"`
	Response         string `json:"response,omitempty"`
	RejectionMessage string `json:"rejectionMessage,omitempty"`
}

// WebhookFunc handles one event. ctx ends at the event's reply budget (see
// WithWebhookTimeout): work that must outlive the reply should be handed off
// (context.WithoutCancel). Returning an error answers 500.
type WebhookFunc func(ctx context.Context, ev *WebhookEvent) (Reply, error)

// WebhookOption configures NewWebhookHandler.
type WebhookOption func(*webhookConfig)

type webhookConfig struct {
	msgTimeout, callTimeout time.Duration
	fallback                func(*WebhookEvent) Reply
	onError                 func(*http.Request, error)
	maxBody                 int64
}

// WithWebhookTimeout sets how long the callback may take before the fallback
// reply is sent: for message events (default 4.5 s of Chattu's 5 s) and for
// call_rejected (default 2.5 s of its 3 s). Each must be positive and within
// Chattu's deadline.
func WithWebhookTimeout(message, call time.Duration) WebhookOption {
	return func(c *webhookConfig) { c.msgTimeout, c.callTimeout = message, call }
}

// WithWebhookFallback sets the reply sent when the callback is too slow (for
// example a canned auto-reply). The default acknowledges without an
// auto-reply, so Chattu sends its default rejection message to callers.
// fn runs in the margin left before Chattu's deadline (0.5 s by default):
// it must return at once, without I/O. A panicking fn acknowledges only.
func WithWebhookFallback(fn func(ev *WebhookEvent) Reply) WebhookOption {
	return func(c *webhookConfig) { c.fallback = fn }
}

// WithWebhookOnError receives every failure with its typed error
// (relay.ErrUnauthenticated, relay.ErrBodyTooLarge, ErrMalformedWebhook,
// ErrCallbackTimeout, ErrCallbackFailed), for logging and metrics. The
// error text never contains the API key or the body. A callback failure or
// timeout is reported after the reply has been written, so fn may take its
// time there without making Chattu wait.
func WithWebhookOnError(fn func(*http.Request, error)) WebhookOption {
	return func(c *webhookConfig) { c.onError = fn }
}

// WithWebhookMaxBody caps the body (default relay.DefaultMaxBodyBytes,
// 1 MiB); larger deliveries get 413.
func WithWebhookMaxBody(n int64) WebhookOption { return func(c *webhookConfig) { c.maxBody = n } }

// WebhookHandler receives Chattu webhooks. Mount it on the URL given to
// Clients.UpdateWebhook (POST only).
type WebhookHandler struct {
	guard http.Handler
	fn    WebhookFunc
	cfg   webhookConfig
}

// NewWebhookHandler returns a handler that accepts deliveries whose
// X-Api-Key is one of apiKeys (the client API keys of the numbers pointing
// at it; several allow rotation), compared in constant time, and answers
// with fn's Reply. A missing or blank key, or a nil fn, is an error: the
// handler cannot be built to accept everything.
func NewWebhookHandler(apiKeys []string, fn WebhookFunc, opts ...WebhookOption) (*WebhookHandler, error) {
	if fn == nil {
		return nil, fmt.Errorf("%w: nil WebhookFunc", relay.ErrConfig)
	}
	cfg := webhookConfig{msgTimeout: DefaultReplyTimeout, callTimeout: DefaultCallReplyTimeout, maxBody: relay.DefaultMaxBodyBytes}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.msgTimeout <= 0 || cfg.msgTimeout > WebhookDeadline || cfg.callTimeout <= 0 || cfg.callTimeout > CallWebhookDeadline {
		return nil, fmt.Errorf("%w: reply timeouts must be positive and within 5 s (3 s for calls)", relay.ErrConfig)
	}
	if cfg.maxBody <= 0 {
		return nil, fmt.Errorf("%w: max body must be positive", relay.ErrConfig)
	}
	for i, k := range apiKeys {
		if k != "" && k != trimmed(k) {
			return nil, fmt.Errorf("%w: API key %d has leading or trailing whitespace", relay.ErrConfig, i)
		}
	}
	var ropts []relay.HandlerOption
	if cfg.onError != nil {
		ropts = append(ropts, relay.WithOnError(cfg.onError))
	}
	guard, err := relay.HeaderCredentials(map[string][]string{"X-Api-Key": apiKeys}, ropts...)
	if err != nil {
		return nil, err
	}
	h := &WebhookHandler{fn: fn, cfg: cfg}
	h.guard = guard(http.HandlerFunc(h.serve))
	return h, nil
}

func trimmed(s string) string { return string(bytes.TrimSpace([]byte(s))) }

// fallback runs the configured fallback; a panicking one acknowledges only.
func (h *WebhookHandler) fallback(ev *WebhookEvent) (rep Reply) {
	if h.cfg.fallback == nil {
		return Reply{}
	}
	defer func() {
		if recover() != nil {
			rep = Reply{}
		}
	}()
	return h.cfg.fallback(ev)
}

// ServeHTTP checks the method and the key, then handles the event.
func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.report(r, fmt.Errorf("chattu: webhook method %s not allowed", r.Method))
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	h.guard.ServeHTTP(w, r)
}

func (h *WebhookHandler) report(r *http.Request, err error) {
	if h.cfg.onError != nil {
		h.cfg.onError(r, err)
	}
}

type outcome struct {
	reply Reply
	err   error
}

func (h *WebhookHandler) serve(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, err := relay.ReadBody(w, r, h.cfg.maxBody)
	if err != nil {
		h.report(r, err)
		code := relay.HTTPStatus(err)
		http.Error(w, http.StatusText(code), code)
		return
	}
	ev, err := ParseWebhook(body)
	if err != nil {
		h.report(r, err)
		writeReplyJSON(w, http.StatusBadRequest, map[string]string{"error": "Invalid webhook payload format."})
		return
	}
	budget := h.cfg.msgTimeout
	if ev.Type == EventCallRejected {
		budget = h.cfg.callTimeout
	}
	budget -= time.Since(start)
	ctx, cancel := context.WithTimeout(r.Context(), budget)
	defer cancel()
	done := make(chan outcome, 1)
	go func() {
		var out outcome
		defer func() {
			if p := recover(); p != nil {
				out = outcome{err: fmt.Errorf("panic: %v", p)}
			}
			done <- out
		}()
		out.reply, out.err = h.fn(ctx, ev)
	}()
	var rep Reply
	var late error
	select {
	case out := <-done:
		if out.err != nil {
			writeReplyJSON(w, http.StatusInternalServerError, replyWire{Status: "error", Message: "Webhook processing failed."})
			_ = http.NewResponseController(w).Flush()
			h.report(r, fmt.Errorf("%w: %s: %w", ErrCallbackFailed, ev.Type, out.err))
			return
		}
		rep = out.reply
	case <-ctx.Done():
		if r.Context().Err() != nil {
			return // Chattu hung up: nobody to answer
		}
		late = fmt.Errorf("%w: %s after %s", ErrCallbackTimeout, ev.Type, time.Since(start).Round(time.Millisecond))
		rep = h.fallback(ev)
	}
	msg := rep.Message
	if msg == "" {
		msg = "Webhook received successfully."
	}
	writeReplyJSON(w, http.StatusOK, replyWire{Status: "success", Message: msg, Response: rep.Response, RejectionMessage: rep.RejectionMessage})
	if late != nil {
		// Reported after the reply has gone out (flushed: net/http would
		// hold it until the handler returns): a slow error hook, such as
		// a remote logger, must not cost the reply its deadline.
		_ = http.NewResponseController(w).Flush()
		h.report(r, late)
	}
}

// writeReplyJSON writes UTF-8 JSON without HTML escaping, so Hebrew, Arabic
// and emoji reach Chattu as the same bytes the callback returned.
func writeReplyJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
