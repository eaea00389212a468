package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
)

// maxCallSteps bounds the API Branch requests of one call, as
// voitextest.Simulator does: more usually means a routing loop.
const maxCallSteps = 20

// Call ends, beyond voitextest's outcomes.
const (
	outcomeHangup = "hangup"
	outcomeError  = "error"
)

// errNotAKey is returned for a key no phone keypad has.
var errNotAKey = errors.New("not a key of a phone keypad (0-9, * or #)")

// errNoCallWaiting is returned for a key pressed when no call waits for one.
var errNoCallWaiting = errors.New("no call is waiting for a key press: start a call first")

// ivr walks one call at a time through an application's API Branch, the
// way Voitex's IVR does, one request per branch, with keys pressed by a
// person on the page instead of a script (voitextest.Simulator runs whole
// scripted calls; this is its interactive twin). Actions are serialised;
// the view can be read while a request to the application is in flight.
type ivr struct {
	sandbox *voitextest.Server
	client  *http.Client

	act sync.Mutex // one action at a time

	mu   sync.Mutex
	call *callState
	busy bool
}

// callState is a call in progress or the last one that ended.
type callState struct {
	ID        string
	URL       string
	Triggers  map[string]bool
	CID, DID  string
	Branch    string // the API Branch asked last
	History   []voitex.BranchStep
	Variables map[string]string
	Lines     []string
	Waiting   bool // inputs offered: a key press is expected
	Inputs    map[string]string
	Goto      string
	Buffer    string // keys pressed so far at this prompt
	Steps     int
	Ended     bool
	Outcome   string
	End       string // the branch the call left for
}

// callView is what the page shows of the call.
type callView struct {
	Active     bool
	Busy       bool
	Waiting    bool
	URL        string
	CID, DID   string
	Options    []string
	Buffer     string
	Transcript string
	Outcome    string
	End        string
}

func (v *ivr) view() callView {
	v.mu.Lock()
	defer v.mu.Unlock()
	c := v.call
	if c == nil {
		return callView{Busy: v.busy}
	}
	out := callView{Active: !c.Ended, Busy: v.busy, Waiting: c.Waiting, URL: c.URL, CID: c.CID, DID: c.DID, Buffer: c.Buffer,
		Transcript: strings.Join(c.Lines, "\n"), Outcome: c.Outcome, End: c.End}
	if c.Waiting {
		out.Options = describeInputs(c.Inputs, c.Goto)
	}
	return out
}

func describeInputs(inputs map[string]string, fallback string) []string {
	keys := make([]string, 0, len(inputs))
	for k := range inputs {
		keys = append(keys, k)
	}
	// Keys in order, the catch-all last.
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == voitex.CatchAll) != (keys[j] == voitex.CatchAll) {
			return keys[j] == voitex.CatchAll
		}
		return keys[i] < keys[j]
	})
	var out []string
	for _, k := range keys {
		label := k
		if k == voitex.CatchAll {
			label = "any other key"
		}
		out = append(out, fmt.Sprintf("%s → branch %s", label, inputs[k]))
	}
	if fallback != "" {
		out = append(out, "no key → branch "+fallback)
	}
	return out
}

// callParams start a call.
type callParams struct {
	URL      string
	Branches []string // the API Branch numbers pointing at URL; the first starts the call
	CID, DID string
}

// start places a new call, replacing any other, and asks its first
// branch.
func (v *ivr) start(ctx context.Context, p callParams) error {
	if len(p.Branches) == 0 {
		return errors.New("give at least one API Branch number")
	}
	v.act.Lock()
	defer v.act.Unlock()
	c := &callState{
		ID:        fmt.Sprintf("DEV-%d", time.Now().UnixNano()),
		URL:       p.URL,
		Triggers:  map[string]bool{},
		CID:       p.CID,
		DID:       p.DID,
		Variables: map[string]string{},
	}
	for _, b := range p.Branches {
		c.Triggers[b] = true
	}
	c.Lines = append(c.Lines, fmt.Sprintf("call %s from %s to %s", c.ID, orDash(c.CID), orDash(c.DID)))
	v.mu.Lock()
	v.call = c
	v.mu.Unlock()
	return v.ask(ctx, p.Branches[0])
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ask sends the API Branch request for branch and follows the answer as
// far as it goes without a key press. Called with v.act held.
func (v *ivr) ask(ctx context.Context, branch string) error {
	for {
		v.mu.Lock()
		c := v.call
		if c.Steps >= maxCallSteps {
			v.endLocked(outcomeError, "", fmt.Sprintf("stopped after %d API Branch requests: a routing loop?", maxCallSteps))
			v.mu.Unlock()
			return errors.New("too many API Branch requests in one call")
		}
		c.Steps++
		c.Branch = branch
		in := voitextest.Inbound{URL: c.URL, Client: v.client, CallID: c.ID, CID: c.CID, DID: c.DID,
			BranchData: append([]voitex.BranchStep(nil), c.History...), Variables: cloneMap(c.Variables)}
		v.busy = true
		v.mu.Unlock()

		d, err := v.sandbox.Receive(ctx, in)

		v.mu.Lock()
		v.busy = false
		if err != nil {
			msg := err.Error()
			if d != nil && d.StatusCode != 0 {
				msg = fmt.Sprintf("HTTP %d: %s", d.StatusCode, msg)
			}
			v.endLocked(outcomeError, "", fmt.Sprintf("branch %s: the application failed: %s", branch, msg))
			v.mu.Unlock()
			return err
		}
		r := d.Reply
		var played []string
		for _, p := range r.Play {
			if p.Type == voitex.PlayTTSType {
				played = append(played, "[tts: "+p.Text+"]")
			} else {
				played = append(played, fmt.Sprintf("[%s %d/%d]", p.Type, p.Album, p.Sort))
			}
		}
		for k, val := range r.Variables {
			c.Variables[k] = val
		}
		line := "branch " + branch + ":"
		if len(played) > 0 {
			line += " " + strings.Join(played, " ")
		}
		if len(r.Variables) > 0 {
			line += " " + describeVariables(r.Variables)
		}
		c.Lines = append(c.Lines, line)
		switch {
		case len(r.Inputs) > 0:
			c.Waiting, c.Inputs, c.Goto, c.Buffer = true, r.Inputs, r.Goto, ""
			c.Lines = append(c.Lines, "waiting for a key: "+strings.Join(describeInputs(r.Inputs, r.Goto), ", "))
			v.mu.Unlock()
			return nil
		case r.Goto != "":
			next, more := v.followLocked(r.Goto, "")
			v.mu.Unlock()
			if !more {
				return nil
			}
			branch = next
		default:
			v.endLocked(voitextest.OutcomeNoRoute, "", "no goto and no inputs: Voitex follows the Trigger's No Route Found setting")
			v.mu.Unlock()
			return nil
		}
	}
}

func describeVariables(vars map[string]string) string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + vars[k]
	}
	return "{set " + strings.Join(parts, ", ") + "}"
}

// followLocked moves the call from the current branch, where pressed was
// entered, to next: another request when next is an API Branch, the end of
// the call otherwise. It reports whether next must be asked.
func (v *ivr) followLocked(next, pressed string) (string, bool) {
	c := v.call
	c.History = append(c.History, voitex.BranchStep{Branch: c.Branch, Input: pressed})
	c.Waiting, c.Inputs, c.Goto, c.Buffer = false, nil, "", ""
	if c.Triggers[next] {
		return next, true
	}
	v.endLocked(voitextest.OutcomeGoto, next, "")
	return "", false
}

func (v *ivr) endLocked(outcome, end, note string) {
	c := v.call
	if note != "" {
		c.Lines = append(c.Lines, note)
	}
	c.Waiting, c.Ended, c.Outcome, c.End = false, true, outcome, end
	line := "outcome: " + outcome
	if end != "" {
		line += " at branch " + end
	}
	c.Lines = append(c.Lines, line)
}

// press enters one key (0-9, * or #) at the prompt. A key that starts a
// longer input ("1" of "17") waits for the next; a key that completes one
// takes it; anything else takes the % catch-all, then goto, else the call
// ends with invalid_input, as voitextest.Simulator follows answers.
func (v *ivr) press(ctx context.Context, key string) error {
	if len(key) != 1 || !strings.Contains("0123456789*#", key) {
		return fmt.Errorf("%q is %w", key, errNotAKey)
	}
	v.act.Lock()
	defer v.act.Unlock()
	v.mu.Lock()
	c := v.call
	if c == nil || c.Ended || !c.Waiting {
		v.mu.Unlock()
		return errNoCallWaiting
	}
	c.Buffer += key
	typed := c.Buffer
	exact, hasExact := c.Inputs[typed]
	longer := false
	for k := range c.Inputs {
		if len(k) > len(typed) && strings.HasPrefix(k, typed) {
			longer = true
		}
	}
	var next string
	switch {
	case hasExact && !longer:
		next = exact
	case longer:
		c.Lines = append(c.Lines, fmt.Sprintf("pressed %q…", typed))
		v.mu.Unlock()
		return nil
	default:
		if b, ok := c.Inputs[voitex.CatchAll]; ok {
			next = b
		} else if c.Goto != "" {
			next = c.Goto
		} else {
			c.Lines = append(c.Lines, fmt.Sprintf("pressed %q", typed))
			c.History = append(c.History, voitex.BranchStep{Branch: c.Branch, Input: typed})
			v.endLocked(voitextest.OutcomeInvalidInput, "", "")
			v.mu.Unlock()
			return nil
		}
	}
	c.Lines = append(c.Lines, fmt.Sprintf("pressed %q → %s", typed, next))
	branch, more := v.followLocked(next, typed)
	v.mu.Unlock()
	if !more {
		return nil
	}
	return v.ask(ctx, branch)
}

// silence lets the prompt time out without a key (or finishes a longer
// input with what was typed): the call takes goto, else ends with no_input.
func (v *ivr) silence(ctx context.Context) error {
	v.act.Lock()
	defer v.act.Unlock()
	v.mu.Lock()
	c := v.call
	if c == nil || c.Ended || !c.Waiting {
		v.mu.Unlock()
		return errNoCallWaiting
	}
	if typed := c.Buffer; typed != "" {
		if b, ok := c.Inputs[typed]; ok {
			c.Lines = append(c.Lines, fmt.Sprintf("pressed %q → %s", typed, b))
			branch, more := v.followLocked(b, typed)
			v.mu.Unlock()
			if !more {
				return nil
			}
			return v.ask(ctx, branch)
		}
	}
	if c.Goto == "" {
		c.Lines = append(c.Lines, "no key pressed")
		v.endLocked(voitextest.OutcomeNoInput, "", "")
		v.mu.Unlock()
		return nil
	}
	c.Lines = append(c.Lines, "no key pressed → "+c.Goto)
	branch, more := v.followLocked(c.Goto, "")
	v.mu.Unlock()
	if !more {
		return nil
	}
	return v.ask(ctx, branch)
}

// hangup ends the call from the caller's side.
func (v *ivr) hangup() error {
	v.act.Lock()
	defer v.act.Unlock()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.call == nil || v.call.Ended {
		return errors.New("no call in progress")
	}
	v.endLocked(outcomeHangup, "", "the caller hung up")
	return nil
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
