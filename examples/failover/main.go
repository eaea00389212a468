// Command failover sends one message through the first of several providers
// that accepts it (Voxio, Our Voice, Chattu, then Voitex SMS), and never
// through two, with the switchboard package's Failover.
//
// A provider is skipped only when its failure proves that nothing was sent:
// the input was refused before sending, the connection was never made, or
// the vendor refused the request (credentials, balance, plan limits, a rate
// limit, an error inside HTTP 200). When the message may have gone out (the
// error matches switchboard.ErrMaybeDelivered: the connection broke after
// writing, a 5xx, an unreadable answer) the failover stops and reports which
// provider may have delivered it. Told to (switchboard.WithResolve), it first
// looks the message up at that provider, and moves on only when it is not
// there. See switchboard.Classify for the rule.
//
// The demo runs against the four in-process sandboxes with injected faults,
// and needs no credentials and no network:
//
//	go run ./examples/failover
//	go run ./examples/failover -to "+972 52-123-4567" -text "שלום"
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard"
)

func main() {
	text := flag.String("text", "Your order #1042 has shipped 📦", "the message text")
	to := flag.String("to", "+1 212 555 0143", "the recipient in international form, + and the country code (Voitex SMS reaches +1 only)")
	timeout := flag.Duration("timeout", 30*time.Second, "give up after this long")
	flag.Parse()

	phone, err := switchboard.ParsePhone(*to)
	if err != nil {
		fmt.Fprintln(os.Stderr, "failover:", err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, os.Stdout, switchboard.Message{To: phone, Text: *text}); err != nil {
		fmt.Fprintln(os.Stderr, "failover:", err)
		os.Exit(1)
	}
}

// scenario is one send of the demo, with the faults injected before it.
type scenario struct {
	title string
	// resolve sends with a Failover told to look maybe-delivered sends up.
	resolve bool
	inject  func(sb *sandboxes)
}

// retryAfter returns a Retry-After header of d, in seconds.
func retryAfter(d time.Duration) http.Header {
	return http.Header{"Retry-After": {fmt.Sprint(int(d.Seconds()))}}
}

// scenarios are the demo's sends, in order. The last one closes Voxio's
// sandbox for good.
var scenarios = []scenario{
	{"every provider is up", false, func(*sandboxes) {}},
	{"Voxio rejects the credentials (401); Our Voice is rate limited for an hour (429, Retry-After 3600)", false, func(sb *sandboxes) {
		sb.voxio.FailNext(1, http.StatusUnauthorized, `{"status":"error","remark":"Unauthorized","message":["Unauthorized"]}`)
		sb.ourvoice.FailNextWithHeader(1, http.StatusTooManyRequests, `{"success":false,"message":"Too Many Attempts."}`, retryAfter(time.Hour))
	}},
	{"Voxio answers HTTP 200 with a validation error; Our Voice 422", false, func(sb *sandboxes) {
		sb.voxio.FailNext(1, http.StatusOK, `{"status":"error","remark":"validation_error","message":["The mobile must be a valid mobile number."]}`)
		sb.ourvoice.FailNext(1, http.StatusUnprocessableEntity, `{"success":false,"message":"The given data was invalid.","errors":{"to_number.0":["The number is not on WhatsApp."]}}`)
	}},
	{"Voxio acts on the send, then the connection drops before its answer", false, func(sb *sandboxes) {
		sb.voxio.DropResponseNext(1)
	}},
	{"the same, with the failover told to look it up (WithResolve)", true, func(sb *sandboxes) {
		sb.voxio.DropResponseNext(1)
	}},
	{"Voxio drops the connection before acting; looked up, not found, so Our Voice sends", true, func(sb *sandboxes) {
		sb.voxio.DropNext(1)
	}},
	{"Voxio answers 500: it may have acted before failing", false, func(sb *sandboxes) {
		sb.voxio.FailNext(1, http.StatusInternalServerError, `{"status":"error","remark":"exception","message":["Server Error"]}`)
	}},
	{"every provider refuses", false, func(sb *sandboxes) {
		sb.voxio.FailNextWithHeader(1, http.StatusServiceUnavailable, `{"status":"error","remark":"maintenance","message":["Back soon"]}`, retryAfter(10*time.Minute))
		sb.ourvoice.FailNext(1, http.StatusPaymentRequired, `{"success":false,"message":"Insufficient balance."}`)
		sb.chattu.FailNext(1, http.StatusForbidden, `{"success":false,"error":"Plan limit exceeded","code":"PLAN_LIMIT_EXCEEDED"}`)
		sb.voitex.FailNext(1, http.StatusOK, `{"status":"error","data":"","errors":["Invalid Auth-Key"]}`)
	}},
	{"Voxio is down (connection refused)", false, func(sb *sandboxes) {
		sb.voxio.close()
	}},
}

// run plays every scenario against fresh sandboxes and writes a transcript
// to w.
func run(ctx context.Context, w io.Writer, m switchboard.Message) error {
	sb, err := startSandboxes(ctx)
	if err != nil {
		return err
	}
	defer sb.Close()
	plain, err := sb.Failover()
	if err != nil {
		return err
	}
	resolving, err := sb.Failover(switchboard.WithResolve(50 * time.Millisecond))
	if err != nil {
		return err
	}

	fmt.Fprintf(w, "Sending %q to %s through %s\n", m.Text, m.To, plain.Provider())
	for i, sc := range scenarios {
		before := sb.snapshot()
		sc.inject(sb)
		fmt.Fprintf(w, "\n%d. %s\n", i+1, sc.title)
		f := plain
		if sc.resolve {
			f = resolving
		}
		// Each send is its own message, numbered: a lookup tells apart
		// messages, not sends of the same text to the same number.
		mi := m
		mi.Text = fmt.Sprintf("%s (%d/%d)", m.Text, i+1, len(scenarios))
		r, err := f.Send(ctx, mi)
		report(w, r, err)
		fmt.Fprintf(w, "   send requests seen: %s\n", sb.since(before))
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// report writes one send's attempts and outcome.
func report(w io.Writer, r *switchboard.Receipt, err error) {
	var fe *switchboard.FailoverError
	switch {
	case err == nil && r != nil:
		for _, a := range r.Trail {
			attempt(w, a)
		}
		fmt.Fprintf(w, "   => SENT through %s (id %s)\n", r.Provider, r.ID)
	case errors.As(err, &fe):
		for _, a := range fe.Trail {
			attempt(w, a)
		}
		l := fe.Last()
		if a, ok := fe.MaybeDeliveredBy(); ok {
			fmt.Fprintf(w, "   => STOPPED: %s may have delivered it; not sent anywhere else. Look it up there (FailoverError.Resolve) before sending again.\n", a.Provider)
		} else if l.Outcome == switchboard.OutcomeAborted {
			fmt.Fprintf(w, "   => NOT SENT: stopped at %s: %v\n", l.Provider, l.Err)
		} else {
			fmt.Fprintf(w, "   => NOT SENT: all %d providers refused; nothing was delivered, so it is safe to try again later.\n", len(fe.Trail))
		}
	default:
		fmt.Fprintf(w, "   => error: %v\n", err)
	}
}

// attempt writes one provider's attempt on one line.
func attempt(w io.Writer, a switchboard.Attempt) {
	fmt.Fprintf(w, "   %-9s %s: %s", a.Provider, a.Outcome, a.Reason)
	if a.Err != nil && a.Outcome != switchboard.OutcomeSent {
		fmt.Fprintf(w, " [%v]", a.Err)
	}
	fmt.Fprintln(w)
	if res := a.Resolution; res != nil {
		fmt.Fprintf(w, "   %-9s looked up: %s (%s)\n", "", res.Status, res.Evidence)
	}
}

// counts is how many send requests and sent messages each provider had.
type counts map[string][2]int

// snapshot records what every provider has seen so far.
func (sb *sandboxes) snapshot() counts {
	c := counts{}
	for _, p := range sb.ordered {
		c[p.Name()] = [2]int{p.requests(), p.sent()}
	}
	return c
}

// since describes, per provider, the send requests and sent messages since
// before.
func (sb *sandboxes) since(before counts) string {
	now := sb.snapshot()
	parts := make([]string, len(sb.ordered))
	for i, p := range sb.ordered {
		n, b := now[p.Name()], before[p.Name()]
		parts[i] = fmt.Sprintf("%s %d (sent %d)", p.Name(), n[0]-b[0], n[1]-b[1])
	}
	return strings.Join(parts, ", ")
}
