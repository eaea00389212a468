// Command ourvoice-broadcast sends one WhatsApp message to a list of
// recipients through an Our Voice session, a few at a time, and prints what
// happened to each: sent, failed (with the reason), or maybe delivered.
//
// It never sends anything twice. Each recipient gets exactly one send call;
// the SDK repeats a call only when Our Voice refused it without acting (429,
// or 503 with Retry-After). When an answer is lost after the request went
// out, the recipient is reported as "maybe delivered" and is not retried:
// the program looks the message up instead (Messages.List by number since
// the run started) and says whether Our Voice has it.
//
//	OURVOICE_TOKEN=... go run ./examples/ourvoice-broadcast \
//	    -session a3f1b2c4-... -to 22996000000,22961000000 -text "Hello!"
//
//	go run ./examples/ourvoice-broadcast -sandbox   # in-process sandbox, with faults
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
)

// Outcome classifies what happened to one recipient.
type Outcome string

const (
	// Sent: Our Voice queued the message.
	Sent Outcome = "sent"
	// Failed: Our Voice (or the SDK, before sending) refused it; nothing was
	// sent.
	Failed Outcome = "failed"
	// MaybeDelivered: the request went out but the answer was lost.
	MaybeDelivered Outcome = "maybe-delivered"
	// Skipped: not attempted because an earlier answer showed every send
	// would fail (bad token, no balance).
	Skipped Outcome = "skipped"
)

// Result is one recipient's line of the report.
type Result struct {
	To      string
	Outcome Outcome
	// MessageID is set for Sent, and for MaybeDelivered when the lookup
	// found the message.
	MessageID string
	// Reason explains Failed, Skipped and MaybeDelivered.
	Reason string
	// Found reports, for MaybeDelivered, that the lookup found the message
	// at Our Voice (so it was queued after all).
	Found bool
}

// Broadcast is one run's input.
type Broadcast struct {
	SessionID   string
	Recipients  []string
	Type        ourvoice.MessageType
	Content     string
	MediaURL    string
	Concurrency int
}

// normalise trims, drops blanks and duplicates (a number with and without
// "+" is the same recipient), keeping the first spelling and the order.
func normalise(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range list {
		n = strings.TrimSpace(n)
		key := strings.TrimPrefix(n, "+")
		if n == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, n)
	}
	return out
}

// fatal reports failures that every later send would repeat.
func fatal(err error) bool {
	var e *ourvoice.Error
	return errors.Is(err, ourvoice.ErrUnauthorized) || (errors.As(err, &e) && e.StatusCode == 402)
}

// Run sends b and returns one result per distinct recipient, in input
// order.
func Run(ctx context.Context, c *ourvoice.Client, b Broadcast) []Result {
	recipients := normalise(b.Recipients)
	results := make([]Result, len(recipients))
	workers := b.Concurrency
	if workers < 1 {
		workers = 1
	}
	started := time.Now().Add(-time.Minute) // generous: clocks differ

	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				var stopAll bool
				results[i], stopAll = sendOne(ctx, c, b, recipients[i])
				if stopAll {
					stop(errors.New(results[i].Reason))
				}
			}
		}()
	}
	for i := range recipients {
		if ctx.Err() != nil {
			reason := "not attempted"
			if cause := context.Cause(ctx); cause != nil {
				reason = "not attempted: " + cause.Error()
			}
			results[i] = Result{To: recipients[i], Outcome: Skipped, Reason: reason}
			continue
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	reconcile(context.WithoutCancel(ctx), c, b.SessionID, started, results)
	return results
}

// sendOne makes the single send call for one recipient. It reports
// whether the failure means every other send would fail too.
func sendOne(ctx context.Context, c *ourvoice.Client, b Broadcast, to string) (Result, bool) {
	r := Result{To: to}
	if err := ctx.Err(); err != nil {
		r.Outcome, r.Reason = Skipped, "not attempted: "+context.Cause(ctx).Error()
		return r, false
	}
	res, err := c.Messages.Send(ctx, ourvoice.SendMessageParams{
		WhatsAppSessionID: b.SessionID, ToNumber: []string{to}, Type: b.Type, Content: b.Content, MediaURL: b.MediaURL,
		DelayBetween: ourvoice.Delay(0), // one recipient per call: no pause needed
	})
	switch {
	case err == nil:
		r.Outcome = Sent
		if len(res.Messages) > 0 {
			r.MessageID = res.Messages[0].ID
		}
	case errors.Is(err, ourvoice.ErrMaybeDelivered):
		r.Outcome = MaybeDelivered
		var ve *ourvoice.Error
		if errors.As(err, &ve) {
			r.Reason = fmt.Sprintf("HTTP %d after the request was sent", ve.StatusCode)
		} else {
			r.Reason = "answer lost after the request was sent"
		}
	default:
		r.Outcome, r.Reason = Failed, reason(err)
		return r, fatal(err)
	}
	return r, false
}

// reason is a one-line, token-free explanation of err.
func reason(err error) string {
	var e *ourvoice.Error
	var ve *ourvoice.ValidationError
	switch {
	case errors.As(err, &ve):
		return "invalid " + ve.Field + ": " + ve.Rule
	case errors.As(err, &e):
		msg := strings.Join(e.Messages, "; ")
		if msg == "" {
			msg = "no message"
		}
		return fmt.Sprintf("HTTP %d: %s", e.StatusCode, msg)
	}
	return err.Error()
}

// reconcile looks up the maybe-delivered recipients, by number and time,
// without sending anything.
func reconcile(ctx context.Context, c *ourvoice.Client, sessionID string, since time.Time, results []Result) {
	var numbers []string
	idx := map[string]int{}
	for i, r := range results {
		if r.Outcome == MaybeDelivered {
			numbers = append(numbers, r.To)
			idx[strings.TrimPrefix(r.To, "+")] = i
		}
	}
	if len(numbers) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for m, err := range c.Messages.ListAll(ctx, &ourvoice.ListMessagesParams{
		ToNumber: numbers, SessionID: sessionID, Direction: ourvoice.DirectionOutgoing, TimeFrom: since, Limit: 100,
	}) {
		if err != nil {
			for _, i := range idx {
				results[i].Reason += "; lookup failed: " + reason(err)
			}
			return
		}
		for _, to := range m.ToNumber {
			if i, ok := idx[strings.TrimPrefix(to, "+")]; ok && !results[i].Found {
				results[i].Found, results[i].MessageID = true, m.ID
				results[i].Reason += "; Our Voice has it (" + string(m.Status) + "): do not resend"
			}
		}
	}
	for _, i := range idx {
		if !results[i].Found {
			results[i].Reason += "; not found at Our Voice yet: check again before resending"
		}
	}
}

// Print writes the report: one line per recipient, then totals.
func Print(w io.Writer, results []Result) {
	counts := map[Outcome]int{}
	for _, r := range results {
		counts[r.Outcome]++
		line := fmt.Sprintf("%-16s %-16s", r.To, r.Outcome)
		if r.MessageID != "" {
			line += " " + r.MessageID
		}
		if r.Reason != "" {
			line += " " + r.Reason
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	order := []Outcome{Sent, Failed, MaybeDelivered, Skipped}
	parts := make([]string, 0, len(order))
	for _, o := range order {
		parts = append(parts, fmt.Sprintf("%s %d", o, counts[o]))
	}
	fmt.Fprintf(w, "total %d: %s\n", len(results), strings.Join(parts, ", "))
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ourvoice-broadcast:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("ourvoice-broadcast", flag.ContinueOnError)
	fs.SetOutput(out)
	session := fs.String("session", "", "uuid of a connected session")
	to := fs.String("to", "", "recipients, comma-separated (or use -file)")
	file := fs.String("file", "", "file with one recipient per line")
	text := fs.String("text", "", "message text (or caption)")
	media := fs.String("media", "", "media URL for image/video/audio/document")
	typ := fs.String("type", "text", "text, image, video, audio or document")
	conc := fs.Int("concurrency", 4, "sends in flight at once")
	baseURL := fs.String("base-url", "", "API base URL (default Our Voice's)")
	sandbox := fs.Bool("sandbox", false, "run against an in-process sandbox with injected faults")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *conc < 1 || *conc > 64 {
		return errors.New("-concurrency must be between 1 and 64")
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	recipients := splitList(*to)
	if *file != "" {
		list, err := readList(*file)
		if err != nil {
			return err
		}
		recipients = append(recipients, list...)
	}
	b := Broadcast{SessionID: *session, Recipients: recipients, Type: ourvoice.MessageType(*typ), Content: *text, MediaURL: *media, Concurrency: *conc}

	var c *ourvoice.Client
	var err error
	if *sandbox {
		var srv *ourvoicetest.Server
		srv, c, b, err = demo(ctx, b)
		if err != nil {
			return err
		}
		defer srv.Close()
		fmt.Fprintf(out, "sandbox: %d recipients, faults injected: one 429, one dropped request, one lost answer\n", len(normalise(b.Recipients)))
	} else {
		token := os.Getenv("OURVOICE_TOKEN")
		var opts []ourvoice.Option
		if *baseURL != "" {
			opts = append(opts, ourvoice.WithBaseURL(*baseURL))
		}
		c, err = ourvoice.New(token, opts...)
		if err != nil {
			return fmt.Errorf("OURVOICE_TOKEN: %w", err)
		}
		if len(b.Recipients) == 0 || b.SessionID == "" {
			return errors.New("need -session and -to or -file")
		}
	}
	results := Run(ctx, c, b)
	Print(out, results)
	return nil
}

// demo starts a sandbox with a connected session and a few faults.
func demo(_ context.Context, b Broadcast) (*ourvoicetest.Server, *ourvoice.Client, Broadcast, error) {
	srv := ourvoicetest.NewServer()
	c, err := srv.NewClient(ourvoice.WithRetryWait(10*time.Millisecond, 50*time.Millisecond))
	if err != nil {
		srv.Close()
		return nil, nil, b, err
	}
	if b.SessionID, err = srv.ReadySession("22997000000"); err != nil {
		srv.Close()
		return nil, nil, b, err
	}
	if len(b.Recipients) == 0 {
		b.Recipients = []string{"22996000001", "22996000002", "22996000003", "+22996000002", "22996000004", "2299600000X", "22996000005", "22996000006"}
	}
	if b.Content == "" && b.Type == ourvoice.TypeText {
		b.Content = "שלום! Our Voice broadcast 📣"
	}
	srv.FailNext(1, 429, `{"message":"Too Many Attempts."}`)
	srv.DropNext(1)
	srv.DropResponseNext(1)
	return srv, c, b, nil
}

func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func readList(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out, sc.Err()
}
