// Command voxio-relay is a standalone receiver for Voxio Chat's Inbound
// Relay. It verifies every delivery (HMAC signature with the relay secret,
// timestamp window, X-Voxio-Client-Id/X-Voxio-Client-Secret), answers 200 as
// soon as the event is queued, and processes events on a worker so that
// Voxio never waits on slow work. A full queue answers 500, so Voxio retries
// the delivery later instead of losing it; duplicates are acknowledged once
// and not processed again.
//
//	VOXIO_RELAY_SECRET=... VOXIO_CLIENT_ID=... VOXIO_CLIENT_SECRET=... \
//	    go run ./examples/voxio-relay -addr :8080 -path /hooks/voxio
//
//	go run ./examples/voxio-relay -sandbox   # in-process Voxio sandbox sends it traffic
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "voxio-relay:", err)
		os.Exit(1)
	}
}

// errQueueFull makes the handler answer 500: Voxio retries the delivery.
var errQueueFull = errors.New("event queue full")

// receiver queues verified events for the worker.
type receiver struct {
	queue  chan voxio.Event
	logger *slog.Logger
}

// accept is the relay callback: it only enqueues, so Voxio gets its 2xx at
// once.
func (rc *receiver) accept(_ context.Context, ev voxio.Event) error {
	select {
	case rc.queue <- ev:
		return nil
	default:
		return errQueueFull
	}
}

// work processes queued events until the queue is closed. A real receiver
// would store them or call the application here.
func (rc *receiver) work(out io.Writer) {
	for ev := range rc.queue {
		fmt.Fprintln(out, describe(ev))
	}
}

func describe(ev voxio.Event) string {
	switch ev := ev.(type) {
	case *voxio.IncomingMessage:
		return fmt.Sprintf("incoming_message: conversation %d, %s (+%s), %s: %q", ev.Conversation.ID, ev.Contact.Name, ev.Contact.Mobile, ev.Message.Type, ev.Message.Text)
	case *voxio.MessageStatusEvent:
		return fmt.Sprintf("message_status: message %d in conversation %d is %s", ev.Message.ID, ev.Conversation.ID, ev.Status)
	default:
		return fmt.Sprintf("%s: %d bytes (not modelled; raw payload kept)", ev.EventName(), len(ev.Info().Raw()))
	}
}

// newMux mounts the relay handler at path, plus a health check. opts are
// the handler's options beyond error logging (window, clock, limits).
func newMux(cfg voxio.RelayConfig, path string, rc *receiver, opts ...voxio.RelayOption) (*http.ServeMux, error) {
	onError := voxio.WithRelayOnError(func(r *http.Request, err error) {
		// The error never holds a secret, a signature or the body.
		rc.logger.Warn("relay delivery rejected", "remote", r.RemoteAddr, "event", r.Header.Get(voxio.HeaderRelayEvent), "error", err)
	})
	h, err := voxio.NewRelayHandler(cfg, rc.accept, append([]voxio.RelayOption{onError}, opts...)...)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("POST "+path, h)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	return mux, nil
}

type options struct {
	addr, path string
	queue      int
	maxAge     time.Duration
	sandbox    bool
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("voxio-relay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.addr, "addr", ":8080", "listen address")
	fs.StringVar(&o.path, "path", "/hooks/voxio", "relay URL path, as configured in Voxio")
	fs.IntVar(&o.queue, "queue", 1024, "events held for the worker before deliveries are refused with 500")
	fs.DurationVar(&o.maxAge, "max-age", 300*time.Second, "oldest X-Voxio-Timestamp accepted")
	fs.BoolVar(&o.sandbox, "sandbox", false, "start an in-process Voxio sandbox, send sample deliveries and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.queue < 1 || !strings.HasPrefix(o.path, "/") {
		return errors.New("-queue must be positive and -path must start with /")
	}
	stdout = &lockedWriter{w: stdout} // the worker and the sandbox both print
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	rc := &receiver{queue: make(chan voxio.Event, o.queue), logger: logger}
	var workers sync.WaitGroup
	workers.Add(1)
	go func() { defer workers.Done(); rc.work(stdout) }()
	defer func() { close(rc.queue); workers.Wait() }()

	if o.sandbox {
		return runSandbox(ctx, o, rc, stdout)
	}
	cfg := voxio.RelayConfig{
		RelaySecret:  getenv("VOXIO_RELAY_SECRET"),
		ClientID:     getenv("VOXIO_CLIENT_ID"),
		ClientSecret: getenv("VOXIO_CLIENT_SECRET"),
	}
	mux, err := newMux(cfg, o.path, rc, voxio.WithRelayMaxAge(o.maxAge))
	if err != nil {
		return fmt.Errorf("%w (set VOXIO_RELAY_SECRET, VOXIO_CLIENT_ID and VOXIO_CLIENT_SECRET)", err)
	}
	srv := &http.Server{Addr: o.addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second, WriteTimeout: 15 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	logger.Info("listening", "addr", o.addr, "path", o.path)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// lockedWriter serialises writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write implements io.Writer.
func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// runSandbox points an in-process Voxio at the receiver and sends it an
// incoming message, the statuses of a sent message, a duplicate and a
// forgery.
func runSandbox(ctx context.Context, o options, rc *receiver, out io.Writer) error {
	sb := voxiotest.NewServer()
	defer sb.Close()
	// The receiver follows the sandbox's clock, as it would follow Voxio's
	// real time in production.
	mux, err := newMux(sb.RelayConfig(), o.path, rc, voxio.WithRelayMaxAge(o.maxAge), voxio.WithRelayClock(sb.Now))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	url := "http://" + ln.Addr().String() + o.path
	sb.SetRelayURL(url)
	fmt.Fprintf(out, "sandbox relaying to %s\n", url)

	first, err := sb.Receive(ctx, voxiotest.Inbound{MobileCode: "62", Mobile: "8123456789", Name: "Customer Name", Text: "Hello, is my order ready? 🙂"})
	if err != nil {
		return err
	}
	c, err := sb.NewClient()
	if err != nil {
		return err
	}
	sent, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "8123456789"}, Message: "Yes, it ships today!"})
	if err != nil {
		return err
	}
	if _, err := sb.DeliverStatuses(ctx, sent.Message.ID); err != nil {
		return err
	}
	dup, err := sb.Redeliver(ctx, first)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "duplicate delivery answered %d %s\n", dup.StatusCode, strings.TrimSpace(string(dup.Response)))

	forged, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(string(first.Body)))
	if err != nil {
		return err
	}
	forged.Header = first.Header.Clone()
	forged.Header.Set(voxio.HeaderRelaySignature, "sha256="+strings.Repeat("0", 64))
	resp, err := http.DefaultClient.Do(forged)
	if err != nil {
		return err
	}
	resp.Body.Close()
	fmt.Fprintf(out, "forged delivery answered %d\n", resp.StatusCode)
	return nil
}
