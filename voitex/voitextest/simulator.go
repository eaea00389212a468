package voitextest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/switchboard-go/switchboard/voitex"
)

// Outcomes of a simulated call.
const (
	// OutcomeGoto: the call left the API Branches for another branch
	// (Result.End), as a real call would continue to a queue, a voicemail or
	// a Content branch.
	OutcomeGoto = "goto"
	// OutcomeNoRoute: an answer with neither goto nor inputs, so Voitex
	// falls back to the Trigger's "No Route Found" setting.
	OutcomeNoRoute = "no_route"
	// OutcomeNoInput: inputs were offered, no scripted key was left and
	// there was no goto to fall through to.
	OutcomeNoInput = "no_input"
	// OutcomeInvalidInput: the scripted key matched no input and there was
	// no % catch-all or goto.
	OutcomeInvalidInput = "invalid_input"
)

// ErrTooManySteps is returned when a call visits more API Branches than
// Simulator.MaxSteps, which usually means a routing loop.
var ErrTooManySteps = errors.New("voitextest: simulated call exceeded MaxSteps")

// Simulator plays the IVR's side of whole API Branch calls against your
// handler: it sends each request as Receive does, follows goto and inputs
// with the call's scripted key presses, plays nothing but records
// everything, and stops when the call leaves the API Branches.
type Simulator struct {
	// URL is the API Branch endpoint, including any path or query token.
	URL string
	// Triggers are the branch numbers configured as API Branches pointing
	// at URL; a call starts at the first (or at Call.Start).
	// A goto to any other branch ends the simulated call there.
	Triggers []string
	// Branches maps API Branches that have their own endpoint to its URL
	// (one handler per branch); they are triggers too. Other triggers use
	// URL.
	Branches map[string]string
	// HTTPClient sends the requests (http.DefaultClient when nil).
	HTTPClient *http.Client
	// Header is added to every request (basic auth, for example).
	Header http.Header
	// Sandbox, when set, sends the requests with its Receive: contact_info
	// comes from its contacts and each request is in its Deliveries.
	Sandbox *Server
	// MaxSteps bounds the API Branch requests of one call (default 20).
	MaxSteps int
	// Now stamps date_time (time.Now when nil).
	Now func() time.Time
}

// Simulator returns a simulator for url whose contact_info comes from this
// sandbox's contacts, whose date_time reads the sandbox clock, and whose
// requests are recorded in Deliveries.
func (s *Server) Simulator(url string, triggers ...string) *Simulator {
	return &Simulator{URL: url, Triggers: triggers, Sandbox: s, Now: s.Now}
}

// Payment is a payment the simulated caller made, sent in payment_info.
type Payment struct {
	LastFour      string // last_four
	Expiration    string // expiration, MMYY
	CVV           string // cvv, sent as a number as in the documented sample
	Zip           string // zip
	Phone         string // phone
	Amount        string // amount
	TransactionID string // transaction_id
}

// Inbound is one API Branch request: what Voitex POSTs to your URL when a
// caller reaches an API Branch. Receive sends it.
type Inbound struct {
	// URL is the API Branch endpoint, including any path or query token
	// (required).
	URL string
	// Header is added to the request (basic auth, for example).
	Header http.Header
	// Client sends the request (http.DefaultClient when nil), for a handler
	// behind TLS or a custom transport.
	Client *http.Client
	// CallID defaults to a generated "SIM-..." id.
	CallID string
	CID    string // cid: the number calling
	CNAM   string // cnam: the caller ID name
	DID    string // did: the hotline number called
	// DateTime is sent as date_time (default: the sandbox clock).
	DateTime time.Time
	// Contact is sent as contact_info; when nil, the sandbox's contact for
	// CID is sent, else the string "null" as Voitex sends it.
	Contact map[string]any
	// BranchData is the branches the caller went through, oldest first,
	// with what was pressed at each.
	BranchData []voitex.BranchStep
	// Payments are sent in payment_info.
	Payments []Payment
	// Variables are the call's variables, sent as a list of one object as
	// Voitex does.
	Variables map[string]string
}

// Delivery is one API Branch request the sandbox sent and what came back.
type Delivery struct {
	// URL is where it was posted.
	URL string
	// Body is the exact JSON sent.
	Body json.RawMessage
	// StatusCode is 0 when no answer came (a refused connection, a
	// cancelled context).
	StatusCode int
	// RawReply is the answer's body (at most 1 MiB).
	RawReply []byte
	// Reply is RawReply decoded, when the answer was a 200 with JSON.
	Reply voitex.BranchResponse
	// Elapsed is how long the handler took to answer: the caller's silence.
	Elapsed time.Duration
	// Err is the failure Receive returned, if any.
	Err error
}

// Receive sends one API Branch request, as the IVR does when a caller
// reaches the branch, and returns what the handler answered. The error is
// a *StatusError for an answer other than 200, a transport failure, an
// answer that is not JSON, or one a real IVR could not follow (it fails
// voitex.BranchResponse.Validate and matches voitex.ErrBranchResponse); the
// delivery is returned with it whenever a request was sent, and recorded
// in Deliveries.
func (s *Server) Receive(ctx context.Context, in Inbound) (*Delivery, error) {
	if in.DateTime.IsZero() {
		in.DateTime = s.Now()
	}
	var contact any
	if in.Contact == nil {
		if c := s.ContactInfo(in.CID); c != nil {
			contact = c
		}
	}
	d, err := deliver(ctx, in, contact)
	if d != nil {
		s.mu.Lock()
		s.deliveries = append(s.deliveries, *d)
		s.mu.Unlock()
	}
	return d, err
}

// Deliveries returns the API Branch requests Receive and the sandbox's
// simulators sent, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

var simSeq atomic.Int64

// deliver posts in. contact is sent as contact_info when in.Contact is nil
// (nil meaning the string "null").
func deliver(ctx context.Context, in Inbound, contact any) (*Delivery, error) {
	if ctx == nil {
		return nil, errors.New("voitextest: nil context")
	}
	if in.URL == "" {
		return nil, errors.New("voitextest: Inbound needs the API Branch URL")
	}
	if in.DateTime.IsZero() {
		in.DateTime = time.Now()
	}
	if in.CallID == "" {
		in.CallID = fmt.Sprintf("SIM-%d.%d", in.DateTime.Unix(), simSeq.Add(1))
	}
	if in.Contact != nil {
		contact = in.Contact
	}
	body, err := requestBody(in, contact)
	if err != nil {
		return nil, err
	}
	hc := in.Client
	if hc == nil {
		hc = http.DefaultClient
	}
	d := &Delivery{URL: in.URL, Body: body}
	start := time.Now()
	d.StatusCode, d.RawReply, d.Err = post(ctx, hc, in.URL, in.Header, body)
	d.Elapsed = time.Since(start)
	if d.Err != nil {
		return d, d.Err
	}
	if err := json.Unmarshal(d.RawReply, &d.Reply); err != nil {
		d.Err = fmt.Errorf("voitextest: API Branch answered with unreadable JSON: %w", err)
		return d, d.Err
	}
	if err := d.Reply.Validate(); err != nil {
		// A real IVR cannot follow it (a goto that is not a branch number,
		// a key it cannot offer): fail the test rather than guess what
		// Voitex would do.
		d.Err = fmt.Errorf("%w: %w", voitex.ErrBranchResponse, err)
		return d, d.Err
	}
	return d, nil
}

// Call describes one simulated caller.
type Call struct {
	// CallID defaults to a generated "SIM-..." id.
	CallID string
	CID    string // cid: the number calling
	CNAM   string // cnam: the caller ID name
	DID    string // did: the hotline number called
	// Start is the first API Branch (default Triggers[0]).
	Start string
	// Keys are what the caller enters at each prompt that offers inputs,
	// in order: a single key ("1", "#") or several ("17", "1234#"). An entry
	// takes the input of exactly that sequence, else the % catch-all.
	Keys []string
	// Contact is sent as contact_info; when nil, the Sandbox's contact for
	// CID is used, else the string "null" as Voitex sends it.
	Contact map[string]any
	// Payments are sent in payment_info.
	Payments []Payment
	// Variables are the call's variables before the first request.
	Variables map[string]string
}

// Step is one API Branch request of a simulated call.
type Step struct {
	// Branch is the API Branch that was asked.
	Branch string
	// Request is the JSON body sent.
	Request json.RawMessage
	// Status is the HTTP status of the answer.
	Status int
	// Response is the decoded answer.
	Response voitex.BranchResponse
	// Played describes each play item ("file 10/25", "tts: Hello").
	Played []string
	// Pressed is the scripted input used at this step ("" for none).
	Pressed string
	// Next is the branch the call went to ("" when it ended here).
	Next string
}

// Result is a finished simulated call.
type Result struct {
	// CallID is the call_id every request of the call carried.
	CallID string
	// Steps are the API Branch requests, in order.
	Steps []Step
	// Path lists every branch visited, API Branches and the final one.
	Path []string
	// End is the branch the call was sent to when it left the API Branches.
	End string
	// Outcome is one of the Outcome constants.
	Outcome string
	// Played is everything the caller heard, in order.
	Played []string
	// Variables are the call's variables at the end.
	Variables map[string]string
	// KeysLeft are scripted keys the call never used.
	KeysLeft []string
}

// Run simulates call. It returns the result so far together with any error:
// a non-200 answer (*StatusError), a transport failure, an answer that is not
// JSON or that a real IVR could not follow (it fails
// voitex.BranchResponse.Validate; the error matches voitex.ErrBranchResponse),
// or ErrTooManySteps.
//
// Each answer is followed as the API Branch documentation describes: the
// play items are recorded; with inputs, the next scripted key picks its
// branch, any key without an entry of its own takes the % entry, and goto
// (when sent) is where the call goes if no key is left or the key matches
// nothing; without inputs the call goes to goto; an answer with neither
// goto nor inputs falls back to the Trigger's "No Route Found" setting
// (OutcomeNoRoute). A goto to a branch that is not an API Branch ends the
// simulated call there (OutcomeGoto).
func (sim *Simulator) Run(ctx context.Context, call Call) (*Result, error) {
	if len(sim.Triggers) == 0 && call.Start == "" {
		return nil, errors.New("voitextest: Simulator needs Triggers or Call.Start")
	}
	if sim.URL == "" && len(sim.Branches) == 0 {
		return nil, errors.New("voitextest: Simulator needs a URL")
	}
	now := sim.Now
	if now == nil {
		now = time.Now
	}
	max := sim.MaxSteps
	if max <= 0 {
		max = 20
	}
	if call.CallID == "" {
		call.CallID = fmt.Sprintf("SIM-%d.%d", now().Unix(), simSeq.Add(1))
	}
	branch := call.Start
	if branch == "" {
		branch = sim.Triggers[0]
	}
	triggers := map[string]bool{branch: true}
	for _, t := range sim.Triggers {
		triggers[t] = true
	}
	for b := range sim.Branches {
		triggers[b] = true
	}
	res := &Result{CallID: call.CallID, Variables: map[string]string{}}
	for k, v := range call.Variables {
		res.Variables[k] = v
	}
	keys := append([]string(nil), call.Keys...)
	var history []voitex.BranchStep

	for step := 0; ; step++ {
		res.Path = append(res.Path, branch)
		if step >= max {
			res.KeysLeft = keys
			return res, ErrTooManySteps
		}
		in := Inbound{URL: sim.URL, Header: sim.Header, Client: sim.HTTPClient, CallID: call.CallID, CID: call.CID, CNAM: call.CNAM,
			DID: call.DID, DateTime: now(), Contact: call.Contact, BranchData: history, Payments: call.Payments, Variables: res.Variables}
		if u, ok := sim.Branches[branch]; ok {
			in.URL = u
		}
		var d *Delivery
		var err error
		if sim.Sandbox != nil {
			d, err = sim.Sandbox.Receive(ctx, in)
		} else {
			d, err = deliver(ctx, in, nil)
		}
		if d == nil {
			return res, err
		}
		st := Step{Branch: branch, Request: d.Body, Status: d.StatusCode, Response: d.Reply}
		if err != nil {
			res.Steps = append(res.Steps, st)
			res.KeysLeft = keys
			return res, fmt.Errorf("voitextest: branch %s: %w", branch, err)
		}
		r := st.Response
		for _, p := range r.Play {
			if p.Type == voitex.PlayTTSType {
				st.Played = append(st.Played, "tts: "+p.Text)
			} else {
				st.Played = append(st.Played, fmt.Sprintf("%s %d/%d", p.Type, p.Album, p.Sort))
			}
		}
		res.Played = append(res.Played, st.Played...)
		for k, v := range r.Variables {
			res.Variables[k] = v
		}

		next, outcome := "", ""
		switch {
		case len(r.Inputs) > 0:
			if len(keys) == 0 {
				if next = r.Goto; next == "" {
					outcome = OutcomeNoInput
				}
				break
			}
			st.Pressed, keys = keys[0], keys[1:]
			if b, ok := r.Inputs[st.Pressed]; ok {
				next = b
			} else if b, ok := r.Inputs[voitex.CatchAll]; ok {
				next = b
			} else if next = r.Goto; next == "" {
				outcome = OutcomeInvalidInput
			}
		case r.Goto != "":
			next = r.Goto
		default:
			outcome = OutcomeNoRoute
		}
		history = append(history, voitex.BranchStep{Branch: branch, Input: st.Pressed})
		st.Next = next
		res.Steps = append(res.Steps, st)
		if outcome != "" {
			res.Outcome = outcome
			res.KeysLeft = keys
			return res, nil
		}
		if !triggers[next] {
			res.Path = append(res.Path, next)
			res.End, res.Outcome, res.KeysLeft = next, OutcomeGoto, keys
			return res, nil
		}
		branch = next
	}
}

// requestBody builds the JSON body Voitex sends, quirks included:
// contact_info as the string "null" for an unknown caller, variables as a
// list of objects, date_time without a zone.
func requestBody(in Inbound, contact any) ([]byte, error) {
	if contact == nil {
		contact = "null"
	}
	payments := make([]map[string]any, len(in.Payments))
	for i, p := range in.Payments {
		payments[i] = map[string]any{"last_four": p.LastFour, "expiration": p.Expiration, "cvv": cvvJSON(p.CVV), "zip": p.Zip,
			"phone": p.Phone, "amount": p.Amount, "transaction_id": p.TransactionID}
	}
	bd := in.BranchData
	if bd == nil {
		bd = []voitex.BranchStep{}
	}
	variables := []map[string]string{}
	if len(in.Variables) > 0 {
		variables = append(variables, in.Variables)
	}
	return json.Marshal(map[string]any{
		"call_id":      in.CallID,
		"cid":          in.CID,
		"cnam":         in.CNAM,
		"contact_info": contact,
		"date_time":    in.DateTime.Format("2006-01-02 15:04:05"),
		"did":          in.DID,
		"branch_data":  bd,
		"payment_info": payments,
		"variables":    variables,
	})
}

// cvvJSON writes a CVV as a JSON number, as the documented request sample
// does ("cvv":987), unless that would lose a leading zero.
func cvvJSON(cvv string) any {
	if n, err := strconv.Atoi(cvv); err == nil && n > 0 && cvv[0] != '0' {
		return n
	}
	return cvv
}

func post(ctx context.Context, hc *http.Client, url string, h http.Header, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, answer, &StatusError{StatusCode: resp.StatusCode}
	}
	return resp.StatusCode, answer, nil
}

// StatusError is an API Branch answer other than HTTP 200, which a real IVR
// would treat as a failed Trigger.
type StatusError struct {
	// StatusCode is the HTTP status the handler answered with.
	StatusCode int
}

// Error implements error.
func (e *StatusError) Error() string {
	return "voitextest: API Branch answered HTTP " + strconv.Itoa(e.StatusCode)
}

// Transcript renders the call as short readable lines, for examples and
// test failure messages.
func (r *Result) Transcript() string {
	var b strings.Builder
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "branch %s:", s.Branch)
		for _, p := range s.Played {
			fmt.Fprintf(&b, " [%s]", p)
		}
		if s.Pressed != "" {
			fmt.Fprintf(&b, " pressed %q", s.Pressed)
		}
		if s.Next != "" {
			fmt.Fprintf(&b, " -> %s", s.Next)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "outcome: %s", r.Outcome)
	if r.End != "" {
		fmt.Fprintf(&b, " at branch %s", r.End)
	}
	b.WriteByte('\n')
	return b.String()
}
