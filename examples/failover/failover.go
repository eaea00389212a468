package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/switchboard-go/switchboard/voxio"
)

// Message is one text message to one person, whatever the provider.
type Message struct {
	// To is the recipient.
	To Phone
	// Text is the message body.
	Text string
}

// Phone is a phone number split the way the vendors need it: Voxio takes the
// country calling code and the national number apart, the others want them
// joined, and Voitex SMS only reaches North American numbers.
type Phone struct {
	// CountryCode is the country calling code, digits only ("1", "972").
	CountryCode string
	// Number is the national number, digits only ("2125550143").
	Number string
}

// International returns the number as the WhatsApp vendors take it: country
// code and national number, digits only, no "+".
func (p Phone) International() string { return p.CountryCode + p.Number }

// String returns "+<country code> <number>".
func (p Phone) String() string { return "+" + p.CountryCode + " " + p.Number }

// Receipt is a provider's acceptance of a message.
type Receipt struct {
	// Provider is the Name of the Sender that accepted the message.
	Provider string
	// ID is the provider's id or reference for the message, when it gave
	// one.
	ID string
	// Refused lists the providers tried before, each of which proved that it
	// sent nothing. Set by Failover.
	Refused []Attempt
}

// Sender sends a text message through one provider.
//
// Send must return the provider SDK's error unchanged (or wrapped with %w),
// because Failover reads it to decide whether the message could have gone
// out.
type Sender interface {
	// Name identifies the provider in receipts, errors and logs.
	Name() string
	// Send sends m once. It never retries a request that may have
	// been delivered; the Switchboard clients already guarantee that.
	Send(ctx context.Context, m Message) (Receipt, error)
}

// errMaybeDelivered is the sentinel every Switchboard client returns when a
// send failed after it was written. The four vendor packages re-export the
// same value (voxio.ErrMaybeDelivered == ourvoice.ErrMaybeDelivered == ...),
// so naming it through one of them matches them all.
var errMaybeDelivered = voxio.ErrMaybeDelivered

// errNoProviders is returned by a Failover with no Sender.
var errNoProviders = errors.New("failover: no providers configured")

// Outcome is what a failed send proves about the message.
type Outcome int

const (
	// OutcomeRefused: the provider proved it sent nothing (the SDK
	// rejected the input, the connection was never made, or the vendor
	// answered with a refusal). Trying the next provider cannot duplicate
	// the message.
	OutcomeRefused Outcome = iota
	// OutcomeUncertain: the message may have been delivered (the
	// connection broke after the request was written, a 5xx, an answer
	// that could not be read, or an error the SDK did not type). Sending
	// it anywhere else could deliver it twice, so Failover stops.
	OutcomeUncertain
	// OutcomeAborted: nothing was sent, but the caller's context ended,
	// so there is no point in trying another provider.
	OutcomeAborted
)

// String names the outcome for transcripts.
func (o Outcome) String() string {
	switch o {
	case OutcomeRefused:
		return "refused"
	case OutcomeUncertain:
		return "may have been delivered"
	case OutcomeAborted:
		return "aborted"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// classify decides, from a failed send's error alone, whether the message
// could have gone out. It is the whole failover policy, and it only ever
// answers OutcomeRefused on evidence:
//
//   - errors.Is(err, ErrMaybeDelivered): the request was written and the
//     connection failed, or the vendor answered 2xx with a body the SDK could
//     not read. Uncertain. This is checked first, whatever else err wraps.
//   - *ValidationError: the SDK rejected the input before sending. Refused.
//   - *RequestError (not maybe-delivered): no request reached the vendor,
//     typically a refused dial after the SDK's own retries. Refused, or
//     Aborted when the caller's context ended, since a next provider would
//     fail the same way.
//   - *Error with a 4xx status (401, 403, 404, 422, 429 whose Retry-After
//     was above the cap...): the vendor refused the request. Refused.
//   - *Error with a 2xx status: the vendor reported the failure inside
//     HTTP 200 (Voxio's and Voitex's "status":"error", "success": false).
//     Refused, except Voxio's "exception" remark ("Something went wrong
//     while sending message"): the vendor failed partway through its own
//     send, so it is Uncertain.
//   - *Error 503 carrying a Retry-After: the vendor says it is unavailable
//     and did not act (the SDK retries these even for sends). Refused.
//   - any other *Error (500, 502, 504, a 503 without Retry-After): the
//     vendor may have acted before failing. Uncertain.
//   - anything else: not evidence of anything. Uncertain.
func classify(err error) Outcome {
	if errors.Is(err, errMaybeDelivered) {
		return OutcomeUncertain
	}
	var verr *voxio.ValidationError
	if errors.As(err, &verr) {
		return OutcomeRefused
	}
	// A RequestError may wrap the vendor's last answer (a 429 whose wait
	// the context cut short), so it is looked at before *Error.
	var rerr *voxio.RequestError
	if errors.As(err, &rerr) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return OutcomeAborted
		}
		return OutcomeRefused
	}
	var apiErr *voxio.Error
	if errors.As(err, &apiErr) {
		switch s := apiErr.StatusCode; {
		case apiErr.Vendor == "voxio" && apiErr.Code == voxio.RemarkException:
			return OutcomeUncertain
		case s >= 200 && s < 300, s >= 400 && s < 500:
			return OutcomeRefused
		case s == http.StatusServiceUnavailable && apiErr.RetryAfter > 0:
			return OutcomeRefused
		}
	}
	return OutcomeUncertain
}

// Attempt is one provider's failed try.
type Attempt struct {
	// Provider is the Sender's Name.
	Provider string
	// Err is the error its Send returned.
	Err error
	// Outcome is what Err proves about the message.
	Outcome Outcome
}

// String renders the attempt on one line.
func (a Attempt) String() string { return fmt.Sprintf("%s %s: %v", a.Provider, a.Outcome, a.Err) }

// Failover sends each message through the first provider that accepts it,
// moving down the list only past providers that proved they sent nothing
// (see classify). It never sends a message a second time once a provider may
// have delivered it. A Failover is itself a Sender, and is safe for
// concurrent use when its Senders are.
type Failover struct {
	senders []Sender
}

// NewFailover returns a Failover that tries senders in the order given.
func NewFailover(senders ...Sender) *Failover {
	return &Failover{senders: append([]Sender(nil), senders...)}
}

// Name lists the providers in order: "failover(voxio, ourvoice)".
func (f *Failover) Name() string {
	names := make([]string, len(f.senders))
	for i, s := range f.senders {
		names[i] = s.Name()
	}
	return "failover(" + strings.Join(names, ", ") + ")"
}

// Send tries each provider in turn. On success the Receipt names the
// provider that accepted m and lists those that refused it first. Otherwise
// the error is a *SendError: it matches ErrMaybeDelivered when the last
// provider tried may have delivered m, in which case no other provider was
// tried after it and m must not be sent again before checking with that
// provider.
func (f *Failover) Send(ctx context.Context, m Message) (Receipt, error) {
	if len(f.senders) == 0 {
		return Receipt{}, errNoProviders
	}
	var tried []Attempt
	for _, s := range f.senders {
		if err := ctx.Err(); err != nil {
			tried = append(tried, Attempt{Provider: s.Name(), Err: err, Outcome: OutcomeAborted})
			return Receipt{}, &SendError{Attempts: tried}
		}
		r, err := s.Send(ctx, m)
		if err == nil {
			r.Provider = s.Name()
			r.Refused = tried
			return r, nil
		}
		a := Attempt{Provider: s.Name(), Err: err, Outcome: classify(err)}
		tried = append(tried, a)
		if a.Outcome != OutcomeRefused {
			return Receipt{}, &SendError{Attempts: tried}
		}
	}
	return Receipt{}, &SendError{Attempts: tried}
}

// SendError is a message Failover could not get a receipt for. Attempts
// holds every provider tried, in order; the last one decided how it ended:
// every provider refused, one may have delivered the message, or the context
// ended.
type SendError struct {
	Attempts []Attempt
}

// last is the attempt that ended the send.
func (e *SendError) last() Attempt { return e.Attempts[len(e.Attempts)-1] }

// MaybeDeliveredBy names the provider that may have delivered the message,
// if any. Check with that provider (list its sent messages) before sending
// the message again anywhere.
func (e *SendError) MaybeDeliveredBy() (provider string, ok bool) {
	if l := e.last(); l.Outcome == OutcomeUncertain {
		return l.Provider, true
	}
	return "", false
}

// Error says how the send ended and lists each provider's reason.
func (e *SendError) Error() string {
	var b strings.Builder
	l := e.last()
	switch l.Outcome {
	case OutcomeUncertain:
		fmt.Fprintf(&b, "failover: message may have been delivered by %s, not sent elsewhere: %v", l.Provider, l.Err)
	case OutcomeAborted:
		fmt.Fprintf(&b, "failover: stopped before %s: %v", l.Provider, l.Err)
	default:
		fmt.Fprintf(&b, "failover: all %d providers refused the message", len(e.Attempts))
	}
	for _, a := range e.Attempts {
		if a.Outcome == OutcomeRefused {
			fmt.Fprintf(&b, "; %s: %v", a.Provider, a.Err)
		}
	}
	return b.String()
}

// Is matches ErrMaybeDelivered when the last provider tried may have
// delivered the message, also when its own error does not (a 500).
func (e *SendError) Is(target error) bool {
	_, maybe := e.MaybeDeliveredBy()
	return maybe && target == errMaybeDelivered
}

// Unwrap returns every provider's error, so errors.As finds the vendor's
// *Error and errors.Is finds context.Canceled.
func (e *SendError) Unwrap() []error {
	errs := make([]error, len(e.Attempts))
	for i, a := range e.Attempts {
		errs[i] = a.Err
	}
	return errs
}
