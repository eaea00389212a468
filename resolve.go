package switchboard

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// Resolver is a Sender that can look a sent message up at its vendor, to
// find out what became of a send that failed with ErrMaybeDelivered. The
// Voxio, Chattu and Our Voice adapters implement it by reading the vendor's
// message lists; the Voitex SMS adapter implements it too, and always
// answers ResolutionUnknown, since Voitex offers no such list.
type Resolver interface {
	Sender
	// Resolve looks for m among the messages the provider sent to m.To
	// from since on (since is when the send started; see
	// WithResolveLookback for the margin before it). It returns the lookup's
	// answer, or an error when the lookup itself failed (then nothing is
	// known).
	Resolve(ctx context.Context, m Message, since time.Time) (*Resolution, error)
}

// ResolutionStatus is what a lookup found out about a send.
type ResolutionStatus int

const (
	// ResolutionUnknown: the lookup cannot tell whether the message went
	// out (the vendor has no list to look in, its list does not reach back
	// far enough, or several messages match). Treat it as sent: do not send
	// it again through any vendor without asking a person.
	ResolutionUnknown ResolutionStatus = iota
	// ResolutionSent: the vendor holds exactly one matching message that
	// it does not report failed; the Resolution's Receipt describes it. A
	// message still queued counts: it may yet go out.
	ResolutionSent
	// ResolutionNotFound: the vendor's complete list of the messages sent
	// to the number since the send holds none with this content, or holds
	// it only as failed (the vendor's status says the customer did not get
	// it: Our Voice's "failed", Voxio's status 9, a Chattu chat message
	// with a negative ack or a sent-messages record whose status is failed;
	// the Evidence then says "found but failed: <reason>"). It is evidence,
	// not proof: a vendor that queues messages may not list one yet, which
	// is why Failover waits a settle delay before looking.
	ResolutionNotFound
)

// String returns "cannot tell", "sent" or "not found".
func (s ResolutionStatus) String() string {
	switch s {
	case ResolutionUnknown:
		return "cannot tell"
	case ResolutionSent:
		return "sent"
	case ResolutionNotFound:
		return "not found"
	}
	return fmt.Sprintf("ResolutionStatus(%d)", int(s))
}

// Resolution is the answer of a lookup: whether the provider sent the
// message, and the evidence.
type Resolution struct {
	// Provider is the vendor that was asked.
	Provider Provider
	// Status is what the lookup found.
	Status ResolutionStatus
	// Receipt describes the message found, when Status is
	// ResolutionSent: its vendor id, time and the vendor's own value.
	Receipt *Receipt
	// Evidence says what was looked at and what was found, in a sentence
	// fit for a log or a support ticket ("Our Voice messages to 12125550143
	// since 2025-01-02T15:04:05Z: 1 matches, id ...").
	Evidence string
}

// String renders the resolution on one line.
func (r *Resolution) String() string {
	if r == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s %s: %s", r.Provider, r.Status, r.Evidence)
}

// Resolve asks s what became of m, sent from since on: the way to settle
// a send that failed with ErrMaybeDelivered before deciding to send it again.
// Record since := time.Now() before calling Send.
//
// A Sender that is not a Resolver (a Sender of your own, a Failover) gets
// ResolutionUnknown: nothing can be looked up. For a Failover, use
// FailoverError.Resolve, which knows which provider to ask. The error is
// a *ValidationError for a nil s or a zero since, or the lookup's own
// failure.
func Resolve(ctx context.Context, s Sender, m Message, since time.Time) (*Resolution, error) {
	if s == nil {
		return nil, transport.InvalidFor("switchboard", "sender", "required")
	}
	if r, ok := s.(Resolver); ok {
		return r.Resolve(ctx, m, since)
	}
	if since.IsZero() {
		return nil, transport.InvalidFor("switchboard", "since", "required: when the send started")
	}
	return &Resolution{Provider: s.Provider(), Status: ResolutionUnknown,
		Evidence: fmt.Sprintf("%T cannot look its messages up", s)}, nil
}

// checkResolve refuses a lookup that cannot be made: no recipient, no start
// time.
func checkResolve(vendor string, m *Message, since time.Time) error {
	if m.To.IsZero() {
		return transport.InvalidFor(vendor, "to", "required: a phone number built with ParsePhone")
	}
	if since.IsZero() {
		return transport.InvalidFor(vendor, "since", "required: when the send started")
	}
	return nil
}

// candidate is a vendor message that matches the one looked for. failed
// marks one the vendor reports failed, why saying how (the vendor's reason,
// else its status): it did not reach the customer.
type candidate struct {
	id     string
	at     time.Time
	result any
	raw    json.RawMessage
	failed bool
	why    string
}

// lookup gathers what an adapter found into a Resolution. what says where it
// looked ("Our Voice messages to 12125550143"); complete reports that the
// list reaches back to from, so that finding nothing proves something; note
// adds what the adapter wants to say about the candidates (the Chattu record
// id).
type lookup struct {
	provider Provider
	what     string
	from     time.Time
	found    []candidate
	complete bool
	note     string
	// odd lists undocumented directions of messages that matched
	// otherwise (Voxio).
	odd []string
}

// resolution decides. Messages the vendor reports failed did not reach
// the customer and are set aside: one other candidate is ResolutionSent,
// several ResolutionUnknown. With no other candidate, failed ones in a
// complete list are ResolutionNotFound ("found but failed: <reason>"): the
// message can go through another provider. Nothing at all in a complete
// list is ResolutionNotFound, anything else ResolutionUnknown.
func (l *lookup) resolution() *Resolution {
	since := l.from.UTC().Format(time.RFC3339)
	r := &Resolution{Provider: l.provider}
	var ok, failed []candidate
	for _, c := range l.found {
		if c.failed {
			failed = append(failed, c)
		} else {
			ok = append(ok, c)
		}
	}
	switch {
	case len(ok) == 1:
		c := ok[0]
		r.Status = ResolutionSent
		r.Receipt = &Receipt{Provider: l.provider, ID: c.id, Time: c.at, Result: c.result, Raw: c.raw}
		id := "id " + c.id
		if c.id == "" {
			id = "without an id"
		}
		r.Evidence = fmt.Sprintf("%s since %s: 1 matching message, %s", l.what, since, id)
		if !c.at.IsZero() {
			r.Evidence += ", at " + c.at.UTC().Format(time.RFC3339)
		}
		if len(failed) > 0 {
			r.Evidence += fmt.Sprintf(" (and %s)", failedEvidence(failed))
		}
	case len(ok) > 1:
		r.Status = ResolutionUnknown
		r.Evidence = fmt.Sprintf("%s since %s: %d matching messages, cannot tell which one this send is", l.what, since, len(ok))
	case len(failed) > 0 && l.complete:
		r.Status = ResolutionNotFound
		r.Evidence = fmt.Sprintf("%s since %s: %s", l.what, since, failedEvidence(failed))
	case len(failed) > 0:
		r.Status = ResolutionUnknown
		r.Evidence = fmt.Sprintf("%s since %s: %s, but the vendor's list does not reach back that far, so another may be this send", l.what, since, failedEvidence(failed))
	case l.complete:
		r.Status = ResolutionNotFound
		r.Evidence = fmt.Sprintf("%s since %s: no matching message", l.what, since)
	default:
		r.Status = ResolutionUnknown
		r.Evidence = fmt.Sprintf("%s since %s: no matching message in what the vendor lists, which does not reach back that far", l.what, since)
	}
	if l.note != "" {
		r.Evidence += "; " + l.note
	}
	return r
}

// failedEvidence describes matching messages the vendor reports failed:
// "1 matching message found but failed: <reason> (id ...)".
func failedEvidence(failed []candidate) string {
	whys := make([]string, len(failed))
	for i, c := range failed {
		whys[i] = c.why
		if c.id != "" {
			whys[i] += " (id " + c.id + ")"
		}
	}
	n := "1 matching message"
	if len(failed) > 1 {
		n = fmt.Sprintf("%d matching messages", len(failed))
	}
	return n + " found but failed: " + strings.Join(whys, "; ")
}

// sameText compares a message's text with what a vendor stored, forgiving
// what vendors are known to change: surrounding spaces and line endings.
// Being too strict here would answer "not found" for a message that went
// out, and a Failover would then send it twice.
func sameText(sent, stored string) bool {
	norm := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	return norm(sent) == norm(stored)
}

// digitsOf keeps the digits of a number as a vendor wrote it.
func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// inWindow reports whether a vendor time t may belong to a send from from
// on. A message without a time cannot be ruled out.
func inWindow(t, from time.Time) bool { return t.IsZero() || !t.Before(from) }
