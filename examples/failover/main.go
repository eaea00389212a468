// Command failover sends one message through the first of several providers
// that accepts it (Voxio, Our Voice, Chattu, then Voitex SMS), and never
// through two.
//
// A provider is skipped only when its failure proves that nothing was sent:
// the SDK rejected the input, the connection was never made, or the vendor
// refused the request (401, 403, 404, 422, 429, a 503 with Retry-After, an
// error inside HTTP 200). When the request may have reached the vendor (the
// error matches ErrMaybeDelivered, or a 5xx) the failover stops and reports
// which provider may have delivered the message. See classify.
//
// The demo runs against the four in-process sandboxes with injected faults,
// and needs no credentials and no network:
//
//	go run ./examples/failover
//	go run ./examples/failover -country-code 972 -number 521234567 -text "שלום"
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
)

func main() {
	text := flag.String("text", "Your order #1042 has shipped 📦", "the message text")
	cc := flag.String("country-code", "1", "the recipient's country calling code, digits only (Voitex SMS reaches only 1)")
	number := flag.String("number", "2125550143", "the recipient's national number, digits only")
	timeout := flag.Duration("timeout", 30*time.Second, "give up after this long")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	m := Message{To: Phone{CountryCode: strings.TrimPrefix(*cc, "+"), Number: *number}, Text: *text}
	if err := run(ctx, os.Stdout, m); err != nil {
		fmt.Fprintln(os.Stderr, "failover:", err)
		os.Exit(1)
	}
}

// scenario is one send of the demo, with the faults injected before it.
type scenario struct {
	title  string
	inject func(sb *sandboxes)
}

// retryAfter returns a Retry-After header of d, in seconds.
func retryAfter(d time.Duration) http.Header {
	return http.Header{"Retry-After": {fmt.Sprint(int(d.Seconds()))}}
}

// scenarios are the demo's sends, in order. The last one closes Voxio's
// sandbox for good.
var scenarios = []scenario{
	{"every provider is up", func(*sandboxes) {}},
	{"Voxio rejects the credentials (401); Our Voice is rate limited for an hour (429, Retry-After 3600)", func(sb *sandboxes) {
		sb.voxio.FailNext(1, http.StatusUnauthorized, `{"status":"error","remark":"Unauthorized","message":["Unauthorized"]}`)
		sb.ourvoice.FailNextWithHeader(1, http.StatusTooManyRequests, `{"success":false,"message":"Too Many Attempts."}`, retryAfter(time.Hour))
	}},
	{"Voxio answers HTTP 200 with a validation error; Our Voice 422", func(sb *sandboxes) {
		sb.voxio.FailNext(1, http.StatusOK, `{"status":"error","remark":"validation_error","message":["The mobile must be a valid mobile number."]}`)
		sb.ourvoice.FailNext(1, http.StatusUnprocessableEntity, `{"success":false,"message":"The given data was invalid.","errors":{"to_number.0":["The number is not on WhatsApp."]}}`)
	}},
	{"Voxio acts on the send, then the connection drops before its answer", func(sb *sandboxes) {
		sb.voxio.DropResponseNext(1)
	}},
	{"Voxio answers 500: it may have acted before failing", func(sb *sandboxes) {
		sb.voxio.FailNext(1, http.StatusInternalServerError, `{"status":"error","remark":"exception","message":["Server Error"]}`)
	}},
	{"every provider refuses", func(sb *sandboxes) {
		sb.voxio.FailNextWithHeader(1, http.StatusServiceUnavailable, `{"status":"error","remark":"maintenance","message":["Back soon"]}`, retryAfter(10*time.Minute))
		sb.ourvoice.FailNext(1, http.StatusPaymentRequired, `{"success":false,"message":"Insufficient balance."}`)
		sb.chattu.FailNext(1, http.StatusForbidden, `{"success":false,"error":"Plan limit exceeded","code":"PLAN_LIMIT_EXCEEDED"}`)
		sb.voitex.FailNext(1, http.StatusOK, `{"status":"error","data":"","errors":["Invalid Auth-Key"]}`)
	}},
	{"Voxio is down (connection refused)", func(sb *sandboxes) {
		sb.voxio.close()
	}},
}

// run plays every scenario against fresh sandboxes and writes a transcript
// to w.
func run(ctx context.Context, w io.Writer, m Message) error {
	sb, err := startSandboxes(ctx)
	if err != nil {
		return err
	}
	defer sb.Close()
	f := sb.Failover()

	fmt.Fprintf(w, "Sending %q to %s through %s\n", m.Text, m.To, f.Name())
	for i, sc := range scenarios {
		before := sb.snapshot()
		sc.inject(sb)
		fmt.Fprintf(w, "\n%d. %s\n", i+1, sc.title)
		r, err := f.Send(ctx, m)
		report(w, r, err)
		fmt.Fprintf(w, "   send requests seen: %s\n", sb.since(before))
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// report writes one send's attempts and outcome.
func report(w io.Writer, r Receipt, err error) {
	var se *SendError
	switch {
	case err == nil:
		for _, a := range r.Refused {
			fmt.Fprintf(w, "   %-10s refused: %v\n", a.Provider, a.Err)
		}
		fmt.Fprintf(w, "   %-10s SENT (id %s)\n", r.Provider, r.ID)
	case errors.As(err, &se):
		for _, a := range se.Attempts {
			fmt.Fprintf(w, "   %-10s %s: %v\n", a.Provider, a.Outcome, a.Err)
		}
		if p, ok := se.MaybeDeliveredBy(); ok {
			fmt.Fprintf(w, "   => STOPPED: %s may have delivered it; not sent anywhere else. Check %s's sent messages before sending again.\n", p, p)
		} else if l := se.Attempts[len(se.Attempts)-1]; l.Outcome == OutcomeAborted {
			fmt.Fprintf(w, "   => NOT SENT: stopped before %s: %v\n", l.Provider, l.Err)
		} else {
			fmt.Fprintf(w, "   => NOT SENT: all %d providers refused; nothing was delivered, so it is safe to try again later.\n", len(se.Attempts))
		}
	default:
		fmt.Fprintf(w, "   => error: %v\n", err)
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
