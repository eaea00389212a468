package switchboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// Outcome is what one send proves about the message.
type Outcome int

const (
	// OutcomeSent: the provider accepted the message.
	OutcomeSent Outcome = iota
	// OutcomeNotSent: the provider provably did not send it: the input was
	// refused before sending, no connection was made, or the vendor refused
	// the request (credentials, balance, plan, rate limit, validation).
	// Another provider may send it without risk of a duplicate.
	OutcomeNotSent
	// OutcomeMaybeDelivered: the message may have gone out (the error
	// matches ErrMaybeDelivered, or nothing proves a refusal). Sending it
	// anywhere else could deliver it twice.
	OutcomeMaybeDelivered
	// OutcomeAborted: nothing was sent, but the caller's context ended, so
	// no further provider was tried.
	OutcomeAborted
)

// String returns "sent", "not sent", "maybe delivered" or "aborted".
func (o Outcome) String() string {
	switch o {
	case OutcomeSent:
		return "sent"
	case OutcomeNotSent:
		return "not sent"
	case OutcomeMaybeDelivered:
		return "maybe delivered"
	case OutcomeAborted:
		return "aborted"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Classify tells, from a send's error alone, whether the message may have
// gone out, and says why in a short phrase for trails and logs. It is the
// rule Failover follows, exported for services that walk their providers
// themselves. It answers OutcomeNotSent only on evidence:
//
//   - nil: OutcomeSent.
//   - errors.Is(err, ErrMaybeDelivered): OutcomeMaybeDelivered, whatever
//     else err wraps (a connection lost after writing, a 5xx to a send other
//     than 501, 505 or a 503 with Retry-After, an answer that could not be
//     read, Voxio's "exception" remark).
//   - a *ValidationError: refused before sending.
//   - a *RequestError that is not maybe-delivered: no request reached the
//     vendor (a refused dial, a context that ended before writing).
//   - chattu.ErrLimitStore, or a rate limit (ErrRateLimited) with no
//     request written: the call was not made.
//   - an *Error with a 2xx, 4xx or 5xx status that is not maybe-delivered:
//     the vendor refused (auth, balance, plan limits, validation, a rate
//     limit whose Retry-After was too long, a 503 with Retry-After).
//   - context.Canceled or context.DeadlineExceeded, however wrapped, that
//     does not match ErrMaybeDelivered: the call ended before its request
//     was written (the vendor packages add ErrMaybeDelivered when a context
//     ends after writing), as when Chattu's client-side rate limiter is
//     still waiting for a slot.
//   - a *FailoverError: what its own trail ended with.
//   - anything else, an error no Switchboard package made included:
//     OutcomeMaybeDelivered, since nothing proves the message stayed here.
//
// ErrMaybeDelivered wins over everything else in err: a *ValidationError,
// chattu.ErrLimitStore or a context error joined with it is still
// OutcomeMaybeDelivered. A Sender of your own that returns a context error
// after its request may have been written must therefore wrap
// ErrMaybeDelivered too.
//
// Classify never answers OutcomeAborted: Failover does, when a send that
// was not made ends with the caller's context.
func Classify(err error) (Outcome, string) {
	if err == nil {
		return OutcomeSent, "accepted"
	}
	var fe *FailoverError
	if errors.As(err, &fe) && fe != nil && len(fe.Trail) > 0 {
		last := fe.Trail[len(fe.Trail)-1]
		o := last.Outcome
		if fe.anyMaybe() {
			o = OutcomeMaybeDelivered
		} else if o == OutcomeAborted {
			o = OutcomeNotSent
		}
		return o, "failover: " + last.Reason
	}
	var rerr *transport.RequestError
	var apiErr *transport.Error
	var derr *transport.DecodeError
	var verr *ValidationError
	if errors.Is(err, ErrMaybeDelivered) {
		switch {
		case errors.As(err, &rerr):
			return OutcomeMaybeDelivered, "the connection failed after the request was written"
		case errors.As(err, &derr):
			return OutcomeMaybeDelivered, "the vendor accepted the request but its answer could not be read"
		case errors.As(err, &apiErr) && apiErr.Uncertain:
			return OutcomeMaybeDelivered, fmt.Sprintf("the vendor's code %q does not say whether it sent", apiErr.Code)
		case errors.As(err, &apiErr) && apiErr.StatusCode >= 500:
			return OutcomeMaybeDelivered, fmt.Sprintf("HTTP %d: the vendor or its gateway may have acted", apiErr.StatusCode)
		}
		return OutcomeMaybeDelivered, "the error says the message may have been delivered"
	}
	switch {
	case errors.As(err, &verr):
		return OutcomeNotSent, "refused before sending: invalid " + verr.Field
	case errors.As(err, &rerr):
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return OutcomeNotSent, "no request reached the vendor: the context ended first"
		}
		return OutcomeNotSent, "no request reached the vendor: the connection was never established"
	case errors.Is(err, chattu.ErrLimitStore):
		return OutcomeNotSent, "the call was not made: Chattu's rate-limit store failed"
	case errors.As(err, &apiErr):
		s := apiErr.StatusCode
		if s < 200 || (s >= 300 && s < 400) || s >= 600 {
			return OutcomeMaybeDelivered, fmt.Sprintf("HTTP %d is not a refusal", s)
		}
		return OutcomeNotSent, "the vendor refused it (" + describeRefusal(apiErr) + ")"
	case errors.Is(err, ErrRateLimited):
		return OutcomeNotSent, "rate limited before sending"
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		// Not ErrMaybeDelivered, which the transport adds to a context that
		// ended after writing: the call ended before it, as while Chattu's
		// client-side limiter waited for a slot.
		return OutcomeNotSent, "not sent: the context ended before the request was written"
	}
	return OutcomeMaybeDelivered, "an unrecognised error: nothing proves the message was not sent"
}

// describeRefusal names a vendor refusal: its status, code and wait.
func describeRefusal(e *transport.Error) string {
	parts := []string{fmt.Sprintf("HTTP %d", e.StatusCode)}
	if e.Code != "" {
		parts = append(parts, e.Code)
	} else if t := http.StatusText(e.StatusCode); t != "" && e.StatusCode != http.StatusOK {
		parts = append(parts, t)
	}
	if e.RetryAfter > 0 {
		parts = append(parts, "retry after "+e.RetryAfter.String())
	}
	return strings.Join(parts, ", ")
}

// Attempt is one provider's part in a Failover send: what it did and why the
// Failover went on or stopped. Receipt.Trail and FailoverError.Trail hold
// them in order, and the hook of WithAttemptHook receives each one.
type Attempt struct {
	// Provider is the vendor tried.
	Provider Provider
	// Index is the sender's position in the Failover, from 0, which tells
	// apart two senders of one vendor.
	Index int
	// Outcome is what the send proved (see Classify), or OutcomeAborted for
	// a provider not tried because the context had ended.
	Outcome Outcome
	// Reason explains the outcome in a short phrase.
	Reason string
	// Err is the error Send returned, unchanged; nil for a sent message.
	Err error
	// Start is when the send began; Duration how long it took, lookup
	// included.
	Start    time.Time
	Duration time.Duration
	// Resolution is what a lookup found after a maybe-delivered send, when
	// the Failover was told to resolve (WithResolve); nil otherwise.
	Resolution *Resolution

	// sender made the attempt, for FailoverError.Resolve.
	sender Sender
}

// String renders the attempt on one line: "voxio not sent: the vendor
// refused it (HTTP 401): <error>".
func (a Attempt) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", a.Provider, a.Outcome, a.Reason)
	if a.Err != nil {
		fmt.Fprintf(&b, ": %v", a.Err)
	}
	if a.Resolution != nil {
		fmt.Fprintf(&b, "; looked up: %s (%s)", a.Resolution.Status, a.Resolution.Evidence)
	}
	return b.String()
}

// Failover sends each message through the first of several providers that
// accepts it, and never through two. It moves to the next provider only when
// the previous one provably did not send (Classify says OutcomeNotSent),
// stops at the first that accepts, and stops at the first whose send may
// have gone out, returning its error. Told to (WithResolve), it looks such a
// send up first, and moves on only when the vendor's own list shows the
// message is not there.
//
// A Failover is itself a Sender, so it nests. It is safe for concurrent use
// when its senders are.
type Failover struct {
	senders []Sender
	hook    func(context.Context, Attempt)
	resolve bool
	settle  time.Duration
}

// FailoverOption configures NewFailover.
type FailoverOption func(*Failover) error

// WithAttemptHook calls fn after each provider's attempt, with the attempt,
// on the sending goroutine: the place for logging and metrics (count
// OutcomeNotSent per provider and reason, alert on OutcomeMaybeDelivered).
// fn must return quickly; the next provider waits for it. The attempt's Err
// is the vendor package's error, which never holds a credential.
func WithAttemptHook(fn func(ctx context.Context, a Attempt)) FailoverOption {
	return func(f *Failover) error {
		if fn == nil {
			return transport.InvalidFor("switchboard", "WithAttemptHook", "a non-nil function")
		}
		f.hook = fn
		return nil
	}
}

// WithResolve makes the Failover look up a maybe-delivered send before
// giving up on it, for providers that are Resolvers: after waiting settle
// (for the vendor to list what it queued), it asks the provider. A message
// found there is a success (the Receipt comes from the lookup); a message
// not found in a complete list lets the Failover move on to the next
// provider; "cannot tell", or a lookup that fails, stops it as without
// WithResolve. Off by default: not found is strong evidence, not proof, for
// a vendor that may still be queueing. settle must be between 0 and 5
// minutes; the wait ends early with the context.
func WithResolve(settle time.Duration) FailoverOption {
	return func(f *Failover) error {
		if settle < 0 || settle > 5*time.Minute {
			return transport.InvalidFor("switchboard", "WithResolve", "a settle delay between 0 and 5m")
		}
		f.resolve, f.settle = true, settle
		return nil
	}
}

// NewFailover returns a Failover that tries senders in the order given.
// It needs at least one sender, none of them nil; a bad option is an error
// too (a *ValidationError).
func NewFailover(senders []Sender, opts ...FailoverOption) (*Failover, error) {
	if len(senders) == 0 {
		return nil, transport.InvalidFor("switchboard", "senders", "at least one")
	}
	for i, s := range senders {
		if s == nil {
			return nil, transport.InvalidFor("switchboard", fmt.Sprintf("senders[%d]", i), "not nil")
		}
	}
	f := &Failover{senders: append([]Sender(nil), senders...)}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(f); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Provider names the Failover by its providers, in order:
// "failover(voxio,ourvoice)". A Receipt names the provider that sent.
func (f *Failover) Provider() Provider {
	if f == nil {
		return "failover()"
	}
	names := make([]string, len(f.senders))
	for i, s := range f.senders {
		names[i] = string(s.Provider())
	}
	return Provider("failover(" + strings.Join(names, ",") + ")")
}

// Send tries each provider in turn and returns the receipt of the one that
// sent m, with Trail listing every attempt. Otherwise the error is a
// *FailoverError with the same trail: it matches ErrMaybeDelivered when a
// provider may have sent m (no provider was tried after it; see
// FailoverError.Resolve), and wraps every provider's error for errors.Is
// and errors.As.
func (f *Failover) Send(ctx context.Context, m Message) (*Receipt, error) {
	if f == nil || len(f.senders) == 0 {
		return nil, transport.InvalidFor("switchboard", "senders", "at least one: build the Failover with NewFailover")
	}
	if ctx == nil {
		return nil, transport.InvalidFor("switchboard", "ctx", "required")
	}
	var trail []Attempt
	for i, s := range f.senders {
		if err := ctx.Err(); err != nil {
			a := Attempt{Provider: s.Provider(), Index: i, Outcome: OutcomeAborted, Err: err,
				Reason: "not tried: the context had ended", Start: time.Now(), sender: s}
			trail = f.record(ctx, trail, a)
			return nil, &FailoverError{Trail: trail, msg: m}
		}
		a := Attempt{Provider: s.Provider(), Index: i, Start: time.Now(), sender: s}
		r, err := s.Send(ctx, m)
		a.Outcome, a.Reason = Classify(err)
		if err != nil {
			a.Err = err
		}
		if a.Outcome == OutcomeNotSent && ctx.Err() != nil {
			a.Outcome, a.Reason = OutcomeAborted, a.Reason+"; the context has ended"
		}
		if a.Outcome == OutcomeMaybeDelivered && f.resolve {
			if res := f.lookUp(ctx, s, m, a.Start); res != nil {
				a.Resolution = res
				if res.Status == ResolutionSent {
					r = res.Receipt
				}
			}
		}
		a.Duration = time.Since(a.Start)

		switch {
		case a.Outcome == OutcomeSent:
			trail = f.record(ctx, trail, a)
			return finish(s, r, trail), nil
		case a.Resolution != nil && a.Resolution.Status == ResolutionSent:
			a.Reason += "; looked up and found sent"
			trail = f.record(ctx, trail, a)
			return finish(s, r, trail), nil
		case a.Resolution != nil && a.Resolution.Status == ResolutionNotFound:
			a.Reason += "; looked up and not found"
			if i < len(f.senders)-1 {
				a.Reason += ", so moved on"
			}
			trail = f.record(ctx, trail, a)
		case a.Outcome == OutcomeNotSent:
			if i < len(f.senders)-1 {
				a.Reason += ", so moved on"
			}
			trail = f.record(ctx, trail, a)
		default:
			if a.Resolution != nil {
				a.Reason += "; looked up: " + a.Resolution.Status.String()
			}
			trail = f.record(ctx, trail, a)
			return nil, &FailoverError{Trail: trail, msg: m}
		}
	}
	return nil, &FailoverError{Trail: trail, msg: m}
}

// record appends a to the trail and hands it to the hook.
func (f *Failover) record(ctx context.Context, trail []Attempt, a Attempt) []Attempt {
	trail = append(trail, a)
	if f.hook != nil {
		f.hook(ctx, a)
	}
	return trail
}

// lookUp waits the settle delay and asks s, when it can be asked, about m.
// A failed lookup is a ResolutionUnknown whose evidence says why; a context
// that ended during the wait returns nil.
func (f *Failover) lookUp(ctx context.Context, s Sender, m Message, since time.Time) *Resolution {
	rs, ok := s.(Resolver)
	if !ok {
		return &Resolution{Provider: s.Provider(), Status: ResolutionUnknown, Evidence: fmt.Sprintf("%T cannot look its messages up", s)}
	}
	if f.settle > 0 {
		t := time.NewTimer(f.settle)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil
		}
	}
	res, err := rs.Resolve(ctx, m, since)
	switch {
	case err != nil:
		return &Resolution{Provider: s.Provider(), Status: ResolutionUnknown, Evidence: "the lookup failed: " + err.Error()}
	case res == nil:
		return &Resolution{Provider: s.Provider(), Status: ResolutionUnknown, Evidence: "the lookup returned nothing"}
	}
	return res
}

// finish completes a sender's receipt: the provider, a time, and the trail.
// A nested Failover's own trail replaces its single attempt, so the outer
// trail names the vendors.
func finish(s Sender, r *Receipt, trail []Attempt) *Receipt {
	out := &Receipt{}
	if r != nil {
		*out = *r
	}
	if out.Provider == "" {
		out.Provider = s.Provider()
	}
	if out.Time.IsZero() {
		out.Time = time.Now()
	}
	if len(out.Trail) > 0 {
		out.Trail = append(append([]Attempt(nil), trail[:len(trail)-1]...), out.Trail...)
	} else {
		out.Trail = trail
	}
	return out
}

// FailoverError is a Failover send that got no receipt. Trail holds every
// provider tried, in order; the last one decided how it ended: a provider
// that may have delivered the message (no other was tried after it), every
// provider refusing, or the context ending.
type FailoverError struct {
	// Trail is every attempt, in order, as Receipt.Trail would have been.
	Trail []Attempt

	// msg is the message, for Resolve.
	msg Message
}

// Last returns the attempt that ended the send.
func (e *FailoverError) Last() Attempt {
	if e == nil || len(e.Trail) == 0 {
		return Attempt{}
	}
	return e.Trail[len(e.Trail)-1]
}

// MaybeDeliveredBy returns the attempt whose provider may have delivered the
// message and stopped the Failover, if that is how it ended. Look the
// message up there (Resolve) before sending it again anywhere.
func (e *FailoverError) MaybeDeliveredBy() (Attempt, bool) {
	if l := e.Last(); l.Outcome == OutcomeMaybeDelivered && len(e.Trail) > 0 {
		return l, true
	}
	return Attempt{}, false
}

// anyMaybe reports whether any attempt may have delivered the message,
// including one looked up and not found.
func (e *FailoverError) anyMaybe() bool {
	for _, a := range e.Trail {
		if a.Outcome == OutcomeMaybeDelivered {
			return true
		}
	}
	return false
}

// Error says how the send ended and each provider's reason. Vendor errors
// carry no credentials, so neither does this text.
func (e *FailoverError) Error() string {
	if e == nil || len(e.Trail) == 0 {
		return "switchboard: failover: no provider tried"
	}
	var b strings.Builder
	l := e.Last()
	switch l.Outcome {
	case OutcomeMaybeDelivered:
		fmt.Fprintf(&b, "switchboard: failover: %s may have delivered the message, so no other provider was tried: %v", l.Provider, l.Err)
		return b.String()
	case OutcomeAborted:
		fmt.Fprintf(&b, "switchboard: failover: stopped at %s, nothing sent there: %v", l.Provider, l.Err)
	default:
		fmt.Fprintf(&b, "switchboard: failover: no provider sent the message (%d tried)", len(e.Trail))
	}
	for _, a := range e.Trail {
		if a.Outcome == OutcomeAborted {
			continue
		}
		fmt.Fprintf(&b, "; %s: %s", a.Provider, a.Reason)
		if a.Err != nil {
			fmt.Fprintf(&b, ": %v", a.Err)
		}
	}
	return b.String()
}

// Is matches ErrMaybeDelivered when any provider tried may have delivered
// the message: the one that stopped the Failover, or one that WithResolve
// looked up and did not find (not found is evidence, not proof). Every
// provider's own error is reachable through Unwrap as well.
func (e *FailoverError) Is(target error) bool {
	return target == ErrMaybeDelivered && e != nil && e.anyMaybe()
}

// Unwrap returns every provider's error, so errors.As finds a vendor's
// *Error or *ValidationError and errors.Is finds context.Canceled.
func (e *FailoverError) Unwrap() []error {
	if e == nil {
		return nil
	}
	var errs []error
	for _, a := range e.Trail {
		if a.Err != nil {
			errs = append(errs, a.Err)
		}
	}
	return errs
}

// Resolve looks up, at its provider, every attempt that may have delivered
// the message (normally the last one). ResolutionSent when one of them holds
// it, with its receipt; ResolutionNotFound when every one of them shows it
// is not there, or when no provider may have sent it at all (every attempt
// proved a refusal); ResolutionUnknown otherwise. The error is a lookup's own
// failure.
func (e *FailoverError) Resolve(ctx context.Context) (*Resolution, error) {
	if e == nil || len(e.Trail) == 0 {
		return nil, transport.InvalidFor("switchboard", "failover error", "has no attempt")
	}
	var unknown *Resolution
	var notFound []string
	for _, a := range e.Trail {
		if a.Outcome != OutcomeMaybeDelivered {
			continue
		}
		if a.sender == nil {
			unknown = &Resolution{Provider: a.Provider, Status: ResolutionUnknown, Evidence: "the attempt's sender is not known"}
			continue
		}
		res, err := Resolve(ctx, a.sender, e.msg, a.Start)
		if err != nil {
			return nil, err
		}
		switch res.Status {
		case ResolutionSent:
			return res, nil
		case ResolutionNotFound:
			notFound = append(notFound, string(res.Provider)+": "+res.Evidence)
		default:
			if unknown == nil {
				unknown = res
			}
		}
	}
	if unknown != nil {
		return unknown, nil
	}
	l := e.Last()
	if len(notFound) == 0 {
		return &Resolution{Provider: l.Provider, Status: ResolutionNotFound,
			Evidence: "every provider tried proved it did not send the message"}, nil
	}
	return &Resolution{Provider: l.Provider, Status: ResolutionNotFound, Evidence: strings.Join(notFound, "; ")}, nil
}
