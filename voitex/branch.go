package voitex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/internal/loose"
)

// BranchRequest is what Voitex POSTs to your server when a caller reaches
// an API Branch with the function "Trigger". Payment data is held in Secret
// fields, so the request can be printed and logged as is.
type BranchRequest struct {
	// CallID is unique per call; every API Branch request of one call
	// shares it (call_id).
	CallID string `json:"call_id"`
	// CID is the number the caller is calling from (cid).
	CID string `json:"cid"`
	// CNAM is the caller ID name (cnam).
	CNAM string `json:"cnam"`
	// Contact is the caller's entry in your Voitex contacts (contact_info),
	// or nil when the number is not registered (Voitex sends null or the
	// string "null").
	Contact *Contact `json:"contact_info"`
	// DateTime is the call's current date and time (date_time). Voitex
	// sends a wall-clock time without zone ("2023-07-20 11:35:35"); it is
	// read in UTC unless the handler was given WithBranchLocation. RFC 3339
	// and unix seconds are read too. Any other layout leaves it zero, with
	// the text kept in DateTimeText (and, in the handler, reported as a
	// *DateTimeError).
	DateTime time.Time `json:"date_time"`
	// DateTimeText is date_time exactly as Voitex sent it, whether or not
	// it could be read: when DateTime is zero and DateTimeText is not
	// empty, the layout was not recognised and the text is here to parse.
	DateTimeText string `json:"date_time_text,omitempty"`
	// DID is the hotline number the caller called (did).
	DID string `json:"did"`
	// BranchData lists each branch the caller went through and what was
	// pressed there, oldest first (branch_data). A Content branch set to
	// Clear Data empties it mid-call.
	BranchData []BranchStep `json:"branch_data"`
	// Payments are the payments made during the call (payment_info).
	Payments []Payment `json:"payment_info"`
	// Variables are the call's variables (variables): Voitex sends a list
	// of objects whose keys may carry stray spaces; they are merged here
	// with trimmed keys, later values winning.
	Variables map[string]string `json:"variables"`
	// Extra keeps members the SDK does not model, as raw JSON.
	Extra map[string]json.RawMessage `json:"extra,omitempty"`
}

// BranchStep is one branch the caller navigated and the input pressed there.
type BranchStep struct {
	// Branch is the branch number.
	Branch string `json:"branch"`
	// Input is what the caller pressed there, possibly several digits
	// ("17"); "" when nothing was pressed.
	Input string `json:"input"`
}

// LastInput returns what the caller pressed at the most recent branch, or
// "" when nothing was recorded.
func (r *BranchRequest) LastInput() string {
	if r == nil || len(r.BranchData) == 0 {
		return ""
	}
	return r.BranchData[len(r.BranchData)-1].Input
}

// LogValue describes the call without payment data or contact details, for
// slog.
func (r *BranchRequest) LogValue() slog.Value {
	if r == nil {
		return slog.StringValue("<nil>")
	}
	path := make([]string, len(r.BranchData))
	for i, s := range r.BranchData {
		path[i] = s.Branch
	}
	return slog.GroupValue(
		slog.String("call_id", r.CallID),
		slog.String("cid", r.CID),
		slog.String("did", r.DID),
		slog.String("branches", strings.Join(path, ">")),
		slog.Int("payments", len(r.Payments)),
		slog.Bool("contact", r.Contact != nil),
	)
}

// Payment is one payment made during the call. The card's last four digits,
// expiry, CVV and billing zip are Secrets: they print as [REDACTED] with
// every fmt verb, in JSON and in slog.
type Payment struct {
	// LastFour is the card's last four digits (last_four).
	LastFour Secret `json:"last_four"`
	// Expiration is the card's expiry as Voitex sent it, "MMYY" (expiration).
	Expiration Secret `json:"expiration"`
	// CVV is the card's security code (cvv), sent as a number or a string.
	CVV Secret `json:"cvv"`
	// Zip is the billing zip code (zip).
	Zip Secret `json:"zip"`
	// Phone is the phone number given with the payment.
	Phone string `json:"phone"`
	// Amount is the amount as Voitex sent it ("57").
	Amount string `json:"amount"`
	// TransactionID is the payment processor's transaction id.
	TransactionID string `json:"transaction_id"`
}

// String describes the payment with its card data redacted.
func (p Payment) String() string {
	return fmt.Sprintf("{LastFour:%s Expiration:%s CVV:%s Zip:%s Phone:%s Amount:%s TransactionID:%s}",
		p.LastFour, p.Expiration, p.CVV, p.Zip, p.Phone, p.Amount, p.TransactionID)
}

// Format prints String for every verb, so %#v cannot reach the fields.
func (p Payment) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, p.String()) }

// LogValue redacts the card data in slog records.
func (p Payment) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("last_four", p.LastFour.String()),
		slog.String("expiration", p.Expiration.String()),
		slog.String("cvv", p.CVV.String()),
		slog.String("zip", p.Zip.String()),
		slog.String("phone", p.Phone),
		slog.String("amount", p.Amount),
		slog.String("transaction_id", p.TransactionID),
	)
}

// ParseBranchRequest decodes an API Branch request body as Voitex sends it:
// JSON (or, tolerated, a urlencoded form with the same members), with
// contact_info as an object, null or "null", values as strings or numbers,
// variables as a list of objects with stray spaces in keys. date_time is
// read in UTC; its text is kept in DateTimeText, and a layout that cannot be
// read leaves DateTime zero without failing the decoding (DateTimeErr
// reports it). It never panics; malformed members are skipped rather than
// failing the whole call, except a body that is not an object at all.
func ParseBranchRequest(body []byte) (*BranchRequest, error) {
	return parseBranchRequest(body, time.UTC)
}

// parseBranchRequest is ParseBranchRequest reading date_time in loc.
func parseBranchRequest(body []byte, loc *time.Location) (*BranchRequest, error) {
	fields, err := branchFields(body)
	if err != nil {
		return nil, err
	}
	r := &BranchRequest{
		CallID:    loose.Text(fields["call_id"]),
		CID:       loose.Text(fields["cid"]),
		CNAM:      loose.Text(fields["cnam"]),
		DID:       loose.Text(fields["did"]),
		Variables: map[string]string{},
	}
	if c, err := decodeContact(fields["contact_info"]); err == nil {
		r.Contact = c
	}
	r.DateTimeText = loose.Text(fields["date_time"])
	r.DateTime = parseDateTime(r.DateTimeText, loc)
	for _, it := range objectList(fields["branch_data"]) {
		r.BranchData = append(r.BranchData, BranchStep{Branch: loose.Text(it["branch"]), Input: loose.Text(it["input"])})
	}
	for _, it := range objectList(fields["payment_info"]) {
		r.Payments = append(r.Payments, Payment{
			LastFour:      NewSecret(loose.Text(it["last_four"])),
			Expiration:    NewSecret(loose.Text(it["expiration"])),
			CVV:           NewSecret(loose.Text(it["cvv"])),
			Zip:           NewSecret(loose.Text(it["zip"])),
			Phone:         loose.Text(it["phone"]),
			Amount:        loose.Text(it["amount"]),
			TransactionID: loose.Text(it["transaction_id"]),
		})
	}
	for _, it := range objectList(fields["variables"]) {
		for k, v := range it {
			r.Variables[k] = loose.Text(v)
		}
	}
	for k, v := range fields {
		switch k {
		case "call_id", "cid", "cnam", "contact_info", "date_time", "did", "branch_data", "payment_info", "variables":
			continue
		}
		if r.Extra == nil {
			r.Extra = map[string]json.RawMessage{}
		}
		r.Extra[k] = v
	}
	return r, nil
}

// UnmarshalJSON decodes the request as ParseBranchRequest does, so that a
// BranchRequest filled by encoding/json (a router's body binder, a queue
// consumer) accepts what Voitex really sends: contact_info as "null",
// variables as a list of objects, keys with stray spaces, numbers for
// strings. Without it the documented sample fails to decode. It reads
// Voitex's format only: payment data that was marshalled comes back as
// "[REDACTED]".
func (r *BranchRequest) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return nil // encoding/json's convention: null leaves the value alone
	}
	p, err := ParseBranchRequest(b)
	if err != nil {
		return err
	}
	*r = *p
	return nil
}

// branchFields reads the body's members, from JSON or from a form.
func branchFields(body []byte) (map[string]json.RawMessage, error) {
	b := bytes.TrimSpace(body)
	if len(b) > 0 && (b[0] == '{' || b[0] == '"') {
		return fieldsOf(b)
	}
	vals, err := url.ParseQuery(string(b))
	if err != nil || !(vals.Has("call_id") || vals.Has("cid") || vals.Has("did") || vals.Has("branch_data")) {
		return nil, errors.New("voitex: API Branch request is neither a JSON object nor a form")
	}
	out := make(map[string]json.RawMessage, len(vals))
	for k, vs := range vals {
		v := vs[len(vs)-1]
		t := strings.TrimSpace(v)
		if len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t)) {
			out[strings.TrimSpace(k)] = json.RawMessage(t)
			continue
		}
		q, _ := json.Marshal(v)
		out[strings.TrimSpace(k)] = q
	}
	return out, nil
}

// objectList reads a list of objects, a single object, or either encoded as
// a JSON string, into member maps with trimmed keys. Items that are not
// objects are skipped.
func objectList(raw json.RawMessage) []map[string]json.RawMessage {
	b := bytes.TrimSpace(raw)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if json.Unmarshal(b, &s) != nil {
			return nil
		}
		b = bytes.TrimSpace([]byte(s))
	}
	if len(b) == 0 {
		return nil
	}
	if b[0] == '{' {
		if f, err := fieldsOf(b); err == nil {
			return []map[string]json.RawMessage{f}
		}
		return nil
	}
	if b[0] != '[' {
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(b, &items) != nil {
		return nil
	}
	out := make([]map[string]json.RawMessage, 0, len(items))
	for _, it := range items {
		if f, err := fieldsOf(it); err == nil {
			out = append(out, f)
		}
	}
	return out
}

// DateTimeLayout is the layout of the API Branch's date_time, a wall-clock
// time without zone.
const DateTimeLayout = "2006-01-02 15:04:05"

// parseDateTime reads DateTimeLayout in loc, or RFC 3339 or unix seconds
// (instants, shown in loc); anything else is the zero time.
func parseDateTime(s string, loc *time.Location) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	if t, err := time.ParseInLocation(DateTimeLayout, s, loc); err == nil {
		return t
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(loc)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).In(loc)
	}
	return time.Time{}
}

// ErrBranchDateTime matches a *DateTimeError: an API Branch request whose
// date_time could not be read.
var ErrBranchDateTime = errors.New("voitex: unreadable API Branch date_time")

// DateTimeError reports an API Branch request whose date_time is in none
// of the layouts the SDK reads (DateTimeLayout, RFC 3339, unix seconds).
// The request was still decoded, with DateTime zero: the handler reports
// this error through WithBranchOnError, wrapped in a *BranchError naming
// the call, and goes on to call BranchFunc. errors.Is(err,
// ErrBranchDateTime) matches it; Text is what Voitex sent.
type DateTimeError struct {
	// Text is date_time as Voitex sent it (BranchRequest.DateTimeText).
	Text string
}

// maxDateTimeInError bounds how much of the text Error quotes, so that an
// odd request cannot flood a log line.
const maxDateTimeInError = 64

// Error quotes the text, cut at 64 bytes.
func (e *DateTimeError) Error() string {
	t, cut := e.Text, ""
	if len(t) > maxDateTimeInError {
		t, cut = strings.ToValidUTF8(t[:maxDateTimeInError], ""), "..."
	}
	return fmt.Sprintf("voitex: API Branch date_time %q%s is not in the layout %s (nor RFC 3339, nor unix seconds); DateTime is zero, the text is in DateTimeText", t, cut, DateTimeLayout)
}

// Is matches ErrBranchDateTime.
func (e *DateTimeError) Is(target error) bool { return target == ErrBranchDateTime }

// DateTimeErr returns a *DateTimeError when date_time was sent but could not
// be read (DateTime is zero, DateTimeText holds the text), and nil
// otherwise, including when date_time was absent.
func (r *BranchRequest) DateTimeErr() error {
	if r == nil || !r.DateTime.IsZero() || strings.TrimSpace(r.DateTimeText) == "" {
		return nil
	}
	return &DateTimeError{Text: r.DateTimeText}
}

// PlayType is the kind of a play item.
type PlayType string

// The documented play item types.
const (
	// PlayFileType plays a Library recording by album and sort number.
	PlayFileType PlayType = "file"
	// PlayTTSType speaks text.
	PlayTTSType PlayType = "tts"
)

// Play is one item the caller hears: a Library file or a TTS phrase.
type Play struct {
	// Type is PlayFileType or PlayTTSType.
	Type PlayType
	// Album is the Library album of a file item (album).
	Album int
	// Sort is the file's sort number within Album (sort).
	Sort int
	// Text is spoken (tts items).
	Text string
}

// CatchAll is the input key that routes any key press ("%").
const CatchAll = "%"

// BranchResponse tells the IVR what to do next. Build it with Goto or
// NewBranchResponse and the chainable methods, or as a literal; it is
// validated before it is written, and an invalid one is replaced by the
// handler's fallback. An empty response makes Voitex follow the Trigger's
// "No Route Found" setting.
type BranchResponse struct {
	// Goto is the branch the caller goes to next (goto). With Play and
	// Inputs, the branches are usually given per input instead.
	Goto string
	// Play is what the caller hears first, in order (play).
	Play []Play
	// Inputs maps what the caller may enter while Play runs to the branch
	// it leads to (inputs): one key or a sequence of keys, made of digits,
	// * and # ("1", "*", "17", "123#"; a caller entering 17 reaches the
	// "17" entry, as branch_data records it), or CatchAll, %, for anything
	// else. Any other key, an empty one or % inside a sequence is refused.
	Inputs map[string]string
	// Variables are stored for later branches of the call (variables).
	Variables map[string]string
}

// NewBranchResponse returns an empty response to build on.
func NewBranchResponse() *BranchResponse { return &BranchResponse{} }

// Goto returns a response sending the caller to branch.
func Goto(branch string) *BranchResponse { return &BranchResponse{Goto: branch} }

// GotoBranch sets the branch the caller goes to next.
func (r *BranchResponse) GotoBranch(branch string) *BranchResponse {
	r.Goto = branch
	return r
}

// PlayFile appends the Library recording at album and sort number.
func (r *BranchResponse) PlayFile(album, sort int) *BranchResponse {
	r.Play = append(r.Play, Play{Type: PlayFileType, Album: album, Sort: sort})
	return r
}

// PlayTTS appends a phrase spoken by text-to-speech.
func (r *BranchResponse) PlayTTS(text string) *BranchResponse {
	r.Play = append(r.Play, Play{Type: PlayTTSType, Text: text})
	return r
}

// Input routes key to branch while the play items run: one key or a
// sequence of digits, * and # ("1", "17", "123#"), as in Inputs.
func (r *BranchResponse) Input(key, branch string) *BranchResponse {
	if r.Inputs == nil {
		r.Inputs = map[string]string{}
	}
	r.Inputs[key] = branch
	return r
}

// AnyInput routes whatever the caller presses to branch (the % input); the
// digits pressed reach that branch's request in BranchData.
func (r *BranchResponse) AnyInput(branch string) *BranchResponse { return r.Input(CatchAll, branch) }

// SetVariable stores a variable for later branches of the call.
func (r *BranchResponse) SetVariable(name, value string) *BranchResponse {
	if r.Variables == nil {
		r.Variables = map[string]string{}
	}
	r.Variables[name] = value
	return r
}

// Validate checks the response against the documented shapes.
func (r *BranchResponse) Validate() error {
	if r == nil {
		return nil
	}
	if r.Goto != "" && !loose.IsDigits(r.Goto) {
		return invalid("goto", "must be a branch number")
	}
	for i, p := range r.Play {
		field := "play[" + strconv.Itoa(i) + "]"
		switch p.Type {
		case PlayFileType:
			if p.Album <= 0 || p.Sort < 0 {
				return invalid(field, "a file needs a positive album and a sort number")
			}
			if p.Text != "" {
				return invalid(field, "a file has no text")
			}
		case PlayTTSType:
			if strings.TrimSpace(p.Text) == "" {
				return invalid(field, "a tts item needs text")
			}
			if p.Album != 0 || p.Sort != 0 {
				return invalid(field, "a tts item has no album or sort")
			}
		default:
			return invalid(field, "type must be file or tts")
		}
	}
	for k, b := range r.Inputs {
		if !validKey(k) {
			return invalid("inputs", fmt.Sprintf("key %q must be keys a caller can press, digits, * and # (one or a sequence such as \"17\"), or %% for any", k))
		}
		if !loose.IsDigits(b) {
			return invalid("inputs", fmt.Sprintf("key %q must lead to a branch number", k))
		}
	}
	for k := range r.Variables {
		if k == "" || strings.TrimSpace(k) != k {
			return invalid("variables", fmt.Sprintf("name %q must be non-empty without surrounding spaces", k))
		}
	}
	return nil
}

// validKey accepts an input key: the catch-all, or a non-empty sequence
// of the keys of a phone's keypad.
func validKey(k string) bool {
	if k == CatchAll {
		return true
	}
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; (c < '0' || c > '9') && c != '*' && c != '#' {
			return false
		}
	}
	return true
}

type playJSON struct {
	Type  string `json:"type"`
	Album string `json:"album,omitempty"`
	Sort  string `json:"sort,omitempty"`
	Text  string `json:"text,omitempty"`
}

type responseJSON struct {
	Goto      string            `json:"goto,omitempty"`
	Play      []playJSON        `json:"play,omitempty"`
	Inputs    map[string]string `json:"inputs,omitempty"`
	Variables map[string]string `json:"variables,omitempty"`
}

// MarshalJSON writes the response as the documentation shows it: numbers as
// strings, empty members left out. It refuses an invalid response.
func (r *BranchResponse) MarshalJSON() ([]byte, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if r == nil {
		return []byte("{}"), nil
	}
	out := responseJSON{Goto: r.Goto, Inputs: r.Inputs, Variables: r.Variables}
	for _, p := range r.Play {
		pj := playJSON{Type: string(p.Type), Text: p.Text}
		if p.Type == PlayFileType {
			pj.Album, pj.Sort = strconv.Itoa(p.Album), strconv.Itoa(p.Sort)
		}
		out.Play = append(out.Play, pj)
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads a response leniently (numbers as strings or numbers,
// keys with stray spaces), for tests and simulators that inspect what a
// handler answered.
func (r *BranchResponse) UnmarshalJSON(b []byte) error {
	f, err := fieldsOf(b)
	if err != nil {
		return err
	}
	*r = BranchResponse{Goto: loose.Text(f["goto"]), Inputs: stringMap(f["inputs"]), Variables: stringMap(f["variables"])}
	for _, it := range objectList(f["play"]) {
		r.Play = append(r.Play, Play{Type: PlayType(strings.ToLower(loose.Text(it["type"]))), Album: intOf(it["album"]), Sort: intOf(it["sort"]), Text: loose.RawText(it["text"])})
	}
	return nil
}
