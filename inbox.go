package switchboard

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/internal/transport"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/voxio"
)

// Inbox receives every customer message from every vendor and hands each
// one, as an Inbound, to one callback: the HTTP handlers it builds take
// Voxio's relay and Chattu's webhooks, and Run polls Our Voice, which sends
// no webhooks. A service answering customers writes that callback once,
// whichever vendors carry its traffic:
//
//	inbox, _ := switchboard.NewInbox(func(ctx context.Context, in switchboard.Inbound) error {
//		return store(ctx, in) // store or enqueue, and return quickly
//	})
//	relay, _ := inbox.VoxioHandler(voxio.RelayConfig{RelaySecret: ..., ClientID: ..., ClientSecret: ...})
//	hooks, _ := inbox.ChattuHandler([]string{chattuClientAPIKey})
//	_ = inbox.WatchOurVoice(ourVoiceClient, sessionID, storedCursor, saveCursor)
//	http.Handle("/voxio/relay", relay)
//	http.Handle("/chattu/webhook", hooks)
//	go inbox.Run(ctx)
//
// A failing callback follows each vendor's rule, so that a message is not
// lost where the vendor can help it:
//
//   - Voxio: the relay is answered 500 and the delivery forgotten, so
//     Voxio's retry is processed (the voxio.RelayHandler's rule, with its
//     signature, timestamp window and duplicate checks).
//   - Chattu: the chattu.WebhookHandler's rule: an error is answered 500
//     and a callback past the reply budget gets the fallback reply (see
//     chattu.WithWebhookFallback). Chattu documents no redelivery, so the
//     callback should store the message before anything slow.
//   - Our Voice: the poller does not move its cursor past the message and
//     offers it again after a backoff, until the callback accepts it.
//
// An Inbox is safe for concurrent use: the vendors' requests and the
// pollers call the callbacks concurrently.
type Inbox struct {
	fn      func(context.Context, Inbound) error
	status  func(context.Context, StatusUpdate) error
	onError func(Provider, error)
	numbers map[inboxAccount]Phone

	mu      sync.Mutex
	pollers []*inboxPoller
	running bool
}

// inboxAccount names one receiving account of one vendor.
type inboxAccount struct {
	p       Provider
	account string
}

// inboxPoller is one Our Voice session the Inbox polls.
type inboxPoller struct {
	w       *ourvoice.Watcher
	session string
	save    func(context.Context, string) error
}

// InboxOption configures NewInbox. A value that cannot work makes
// NewInbox fail, never a silent default.
type InboxOption func(*Inbox) error

// WithInboxStatus hands delivery statuses of the account's own messages
// to fn: Voxio's message_status events and Chattu's message_sent webhooks,
// as StatusUpdate. Without it they are acknowledged and dropped. An error
// from fn follows the same vendor rules as the message callback's.
func WithInboxStatus(fn func(context.Context, StatusUpdate) error) InboxOption {
	return func(ib *Inbox) error {
		ib.status = fn
		return nil
	}
}

// WithInboxNumber tells the Inbox which number an account of a vendor
// receives on, so that Inbound.To is set for vendors whose events name the
// account instead of the number: Voxio (account: the whatsapp_account_id,
// "24") and Chattu (account: the client id). For Our Voice (account: the
// session uuid) it fills To only when the message names no recipient.
// Each call adds one account.
func WithInboxNumber(p Provider, account string, number Phone) InboxOption {
	return func(ib *Inbox) error {
		switch {
		case p != Voxio && p != Chattu && p != OurVoice:
			return transport.InvalidFor("switchboard", "WithInboxNumber", "provider must be voxio, chattu or ourvoice")
		case account == "":
			return transport.InvalidFor("switchboard", "WithInboxNumber", "account required")
		case number.IsZero():
			return transport.InvalidFor("switchboard", "WithInboxNumber", "number required (ParsePhone)")
		}
		ib.numbers[inboxAccount{p, account}] = number
		return nil
	}
}

// WithInboxOnError receives what the Our Voice pollers recover from: a
// failed poll, a failed or panicking callback (then offered again), and a
// cursor save that failed. Errors of the HTTP handlers go to the handler's
// own option (voxio.WithRelayOnError, chattu.WithWebhookOnError), passed
// to VoxioHandler and ChattuHandler. fn runs on the poller's goroutine and
// should return quickly; errors never contain a credential.
func WithInboxOnError(fn func(p Provider, err error)) InboxOption {
	return func(ib *Inbox) error {
		ib.onError = fn
		return nil
	}
}

// NewInbox returns an Inbox that hands every customer message to fn. fn
// should store or enqueue the message and return: the vendors wait for it
// (Voxio and Chattu answer only once it returns, within their deadlines),
// and its ctx ends with the vendor's request or with Run. A nil fn or a bad
// option is an error.
func NewInbox(fn func(ctx context.Context, in Inbound) error, opts ...InboxOption) (*Inbox, error) {
	if fn == nil {
		return nil, transport.InvalidFor("switchboard", "NewInbox", "callback required")
	}
	ib := &Inbox{fn: fn, numbers: map[inboxAccount]Phone{}}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(ib); err != nil {
			return nil, err
		}
	}
	return ib, nil
}

// ready refuses an Inbox not built by NewInbox (nil, or without its
// callback), which could only panic when a message arrived.
func (ib *Inbox) ready() error {
	if ib == nil || ib.fn == nil {
		return transport.InvalidFor("switchboard", "inbox", "build it with NewInbox")
	}
	return nil
}

// fill sets To from WithInboxNumber when the vendor did not name it.
func (ib *Inbox) fill(in *Inbound) {
	if in.To.IsZero() {
		in.To = ib.numbers[inboxAccount{in.Provider, in.Account}]
	}
}

// VoxioHandler returns the http.Handler for Voxio's Inbound Relay URL,
// built with voxio.NewRelayHandler from cfg (the relay secret and the API
// credentials Voxio sends) and opts, so every delivery is verified first.
// incoming_message goes to the callback as an Inbound, message_status to
// WithInboxStatus's callback as a StatusUpdate, other events are
// acknowledged. A callback error is answered 500, and Voxio redelivers.
func (ib *Inbox) VoxioHandler(cfg voxio.RelayConfig, opts ...voxio.RelayOption) (*voxio.RelayHandler, error) {
	if err := ib.ready(); err != nil {
		return nil, err
	}
	return voxio.NewRelayHandler(cfg, func(ctx context.Context, ev voxio.Event) error {
		switch ev := ev.(type) {
		case *voxio.IncomingMessage:
			in, ok := VoxioInbound(ev)
			if !ok {
				return nil
			}
			ib.fill(&in)
			return ib.fn(ctx, in)
		case *voxio.MessageStatusEvent:
			if ib.status == nil {
				return nil
			}
			st, ok := VoxioStatus(ev)
			if !ok {
				return nil
			}
			return ib.status(ctx, st)
		}
		return nil
	}, opts...)
}

// ChattuHandler returns the http.Handler for the Chattu webhook URL,
// built with chattu.NewWebhookHandler from the client API keys Chattu
// sends (several during a rotation) and opts. message_received goes to
// the callback as an Inbound; message_sent, the account's own message
// going out, goes to WithInboxStatus's callback as a StatusUpdate (never
// to the message callback, so a bot does not answer itself);
// call_rejected and other events are acknowledged, leaving Chattu's
// default rejection message. The reply carries no auto-reply: send
// answers through a Sender.
func (ib *Inbox) ChattuHandler(apiKeys []string, opts ...chattu.WebhookOption) (*chattu.WebhookHandler, error) {
	if err := ib.ready(); err != nil {
		return nil, err
	}
	return chattu.NewWebhookHandler(apiKeys, func(ctx context.Context, ev *chattu.WebhookEvent) (chattu.Reply, error) {
		switch ev.Type {
		case chattu.EventMessageReceived:
			in, ok := ChattuInbound(ev)
			if !ok {
				return chattu.Reply{}, nil
			}
			ib.fill(&in)
			return chattu.Reply{}, ib.fn(ctx, in)
		case chattu.EventMessageSent:
			if ib.status == nil {
				return chattu.Reply{}, nil
			}
			if st, ok := ChattuStatus(ev); ok {
				return chattu.Reply{}, ib.status(ctx, st)
			}
		}
		return chattu.Reply{}, nil
	}, opts...)
}

// ErrInboxRunning is returned by Run while another Run of the same Inbox
// is under way, and by WatchOurVoice once Run has started.
var ErrInboxRunning = errors.New("switchboard: inbox is running")

// WatchOurVoice adds an Our Voice session for Run to poll (see
// ourvoice.Watcher), starting after from: the Inbound.Cursor of the last
// message handled, as stored, or "" for the session's whole history
// (ourvoice.CursorAt(t).String() starts at a time instead). The session's
// incoming messages go to the callback in order, each once; one whose
// callback fails is offered again after a backoff and nothing after it is
// handed over first.
//
// For exactly once across restarts, store each Inbound.Cursor in the
// callback, in the same transaction as the message, and pass nil for
// save. Otherwise save, when not nil, is called with the cursor after
// each message the callback accepted; a crash between the two hands that
// message over again after the restart (at least once), and a failed save
// is reported to WithInboxOnError.
//
// opts tune the poller (ourvoice.WithWatchInterval, WithWatchBackoff...);
// an ourvoice.WithWatchOnError among them replaces WithInboxOnError for
// it. Sessions are added before Run: once Run has started, it is
// ErrInboxRunning. A nil client, a bad session id, a from that is not a
// cursor or a bad option is an error.
func (ib *Inbox) WatchOurVoice(c *ourvoice.Client, sessionID string, from string, save func(ctx context.Context, cursor string) error, opts ...ourvoice.WatchOption) error {
	if err := ib.ready(); err != nil {
		return err
	}
	cur, err := ourvoice.ParseCursor(from)
	if err != nil {
		return err
	}
	all := append([]ourvoice.WatchOption{ourvoice.WithWatchOnError(func(err error) { ib.report(OurVoice, err) })}, opts...)
	w, err := ourvoice.NewWatcher(c, sessionID, cur, all...)
	if err != nil {
		return err
	}
	ib.mu.Lock()
	defer ib.mu.Unlock()
	if ib.running {
		return ErrInboxRunning
	}
	ib.pollers = append(ib.pollers, &inboxPoller{w: w, session: sessionID, save: save})
	return nil
}

// Run polls every session added with WatchOurVoice until ctx ends, and
// returns ctx's error then, once every poller has stopped (promptly: a
// poll or a pause under way is cut short). With no session to poll it
// returns nil at once. Another Run of the same Inbox at the same time is
// ErrInboxRunning; after Run returns, Run may be called again and goes on
// from where each poller stopped. An Inbox not built by NewInbox (nil or
// the zero Inbox) is a *ValidationError, here and in VoxioHandler,
// ChattuHandler and WatchOurVoice.
func (ib *Inbox) Run(ctx context.Context) error {
	if err := ib.ready(); err != nil {
		return err
	}
	if ctx == nil {
		return transport.InvalidFor("switchboard", "ctx", "required")
	}
	ib.mu.Lock()
	if ib.running {
		ib.mu.Unlock()
		return ErrInboxRunning
	}
	pollers := ib.pollers
	if len(pollers) == 0 {
		ib.mu.Unlock()
		return nil
	}
	ib.running = true
	ib.mu.Unlock()
	defer func() {
		ib.mu.Lock()
		ib.running = false
		ib.mu.Unlock()
	}()

	var wg sync.WaitGroup
	for _, p := range pollers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = p.w.Run(ctx, func(ctx context.Context, m ourvoice.Incoming) error { return ib.polled(ctx, p, m) })
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// polled hands one Our Voice message to the callback, then to save.
func (ib *Inbox) polled(ctx context.Context, p *inboxPoller, m ourvoice.Incoming) error {
	in, ok := OurVoiceInbound(&m.Message)
	if !ok {
		return nil // not incoming: nothing for the callback
	}
	in.Cursor = m.Cursor.String()
	if in.To.IsZero() {
		in.To = ib.numbers[inboxAccount{OurVoice, p.session}]
	}
	ib.fill(&in)
	if err := ib.fn(ctx, in); err != nil {
		return err
	}
	if p.save != nil {
		if err := inboxSaveCursor(ctx, p.save, in.Cursor); err != nil {
			ib.report(OurVoice, fmt.Errorf("switchboard: inbox: saving the Our Voice cursor of session %s after message %s: %w", p.session, in.ID, err))
		}
	}
	return nil
}

// inboxSaveCursor calls save, turning a panic into an error: the message was
// handled, so a failing save must not make the poller offer it again.
func inboxSaveCursor(ctx context.Context, save func(context.Context, string) error, cursor string) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = errors.New("save panicked")
		}
	}()
	return save(ctx, cursor)
}

// report hands err to WithInboxOnError's function; a panic there is
// recovered, since the pollers must go on.
func (ib *Inbox) report(p Provider, err error) {
	if ib.onError == nil {
		return
	}
	defer func() { _ = recover() }()
	ib.onError(p, err)
}

// String describes the Inbox without its callbacks.
func (ib *Inbox) String() string {
	if ib == nil {
		return "switchboard.Inbox(nil)"
	}
	ib.mu.Lock()
	defer ib.mu.Unlock()
	return "switchboard.Inbox{ourvoice sessions: " + strconv.Itoa(len(ib.pollers)) + "}"
}
