package voitex

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// NotifyService sends SMS, MMS and notification calls through the Notify
// API: POST https://notify.voitexapi.com/notify/ as multipart form-data, to
// one number, a list of numbers or contact labels.
type NotifyService struct{ tc *transport.Client }

// NotifyType is what a Notify request sends ("type").
type NotifyType string

// The documented Notify types.
const (
	NotifySMS  NotifyType = "SMS"  // an SMS, or an MMS with Attachments
	NotifyCall NotifyType = "CALL" // a notification call (CallType stream or goto)
)

// String returns the wire value.
func (t NotifyType) String() string { return string(t) }

// NotifyStatus is the Notify API's result status.
type NotifyStatus string

// The documented statuses. Send returns success and partial_success as a
// result; failure and error come back as *Error.
const (
	StatusSuccess        NotifyStatus = "success"         // every number accepted
	StatusPartialSuccess NotifyStatus = "partial_success" // some numbers rejected, listed in Invalid
	StatusFailure        NotifyStatus = "failure"         // every number rejected (an *Error)
	StatusError          NotifyStatus = "error"           // the request was refused (an *Error)
)

// String returns the wire value.
func (s NotifyStatus) String() string { return string(s) }

// ToBeSentLayout is the format of to_be_sent.
const ToBeSentLayout = "2006-01-02 15:04:05"

// MaxNotifyBody is the longest SMS body the Notify API accepts, in
// characters.
const MaxNotifyBody = 1000

// GroupThreshold is the number of phones from which Voitex queues a Notify
// as a group broadcast (group_id) instead of individual sends (batch_id).
const GroupThreshold = 20

// AttachmentsField is the form field MMS attachments travel in.
const AttachmentsField = "attachments"

// NotifyParams are the Notify API's fields. Exactly one of To, Phones and
// Labels names the recipients. The SMS fields apply only to NotifySMS and
// the call fields only to NotifyCall; anything else is refused before
// sending.
type NotifyParams struct {
	// Type is NotifySMS or NotifyCall (type, required).
	Type NotifyType
	// CID is the DID on the account to send from (cid, required): a
	// 10-digit North American number, "8459511000", or the same with +1
	// and spaces, dashes, dots or parentheses ("+1 (845) 951-1000"), sent
	// as its 10 digits (see Phone numbers in the package documentation).
	CID string
	// From is the documented alias of cid, written as CID is; it is sent as
	// from. Set CID or From, not both.
	From string

	// To is a single recipient (to), written as CID is; a number outside
	// North America is refused.
	To string
	// Phones are several recipients (phones, sent comma-separated), one
	// number per element, each written as CID is; one malformed number or
	// one given twice (once written as 10 digits) refuses the whole send
	// before anything goes out, so that a list never half-sends by
	// surprise. 1 to 19 are sent individually; 20 or more are queued as a
	// group broadcast.
	Phones []string
	// Labels are contact label numbers (label, sent comma-separated); always
	// a group broadcast.
	Labels []int
	// PhoneTypes selects which phones of labelled contacts are used
	// (phone_type: H, M or H,M); Voitex's default is both. Only with Labels.
	PhoneTypes []PhoneType

	// Title names the broadcast (title); Voitex's default is "IVR
	// Notification".
	Title string
	// ToBeSent schedules the send (to_be_sent). It is written as
	// YYYY-MM-DD HH:MM:SS in the time's own location, so convert it with
	// In to the zone the account is set to. The zero time sends now.
	ToBeSent time.Time
	// DNC is the do-not-call list handling flag (dnc=1 when set).
	DNC bool
	// Confirm is the confirmation flag (confirm=1 when set).
	Confirm bool

	// Body is the SMS text (body, required for SMS), at most 1000
	// characters.
	Body string
	// Message is the documented alias of body; it is sent as message. Set
	// Body or Message, not both.
	Message string
	// Attachments are MMS files (attachments), streamed as form-data parts.
	// A File's Progress, when set, is called as that file is written, with
	// the bytes of it sent so far and its size.
	Attachments []*File

	// CallType is stream or goto (call_type, required for CALL).
	CallType CallType
	// Recording is the recording file name to play, without prefix
	// (recording; stream calls need it or SFileID).
	Recording string
	// SFileID is the Library file id to play (sfile_id), the alternative to
	// Recording.
	SFileID string
	// BranchNumber is the IVR box to route to (branch_number, required for
	// goto).
	BranchNumber string
	// RouteNumber is the DID used to bridge the call (route_number,
	// required for goto), written as CID is.
	RouteNumber string
	// Greeting is optional JSON for the greeting (greeting, goto only),
	// sent as a JSON string.
	Greeting json.RawMessage
	// Variables are optional call variables (variables, goto only), sent as
	// a JSON object in a string.
	Variables map[string]string
}

// NotifyResult is the Notify API's answer for success and partial_success.
type NotifyResult struct {
	transport.RawJSON
	// Status is StatusSuccess or StatusPartialSuccess.
	Status NotifyStatus
	// RequestID identifies this API request (request_id).
	RequestID string
	// BatchID is set for individual sends (to, or 1 to 19 phones).
	BatchID string
	// GroupID is set for group broadcasts (20 or more phones, or labels).
	GroupID string
	// Summary says how Voitex routed the request and how many it accepted.
	Summary NotifySummary
	// Invalid maps each rejected number to Voitex's reason
	// ("invalid_format", "unallocated_nanp").
	Invalid map[string]string
	// Errors are messages Voitex sent along with an accepted request.
	Errors []string
	// Warnings are non-fatal notices ("to_be_sent is in the past").
	Warnings []string
}

// Partial reports a partial_success: some numbers, listed in Invalid, were
// rejected while the others were accepted.
func (r *NotifyResult) Partial() bool { return r.Status == StatusPartialSuccess }

// NotifySummary describes how Voitex routed the request.
type NotifySummary struct {
	// Route is "single" or "group".
	Route string
	// Type is "SMS" or "CALL".
	Type string
	// Mode is how recipients were given ("single", "phones", "label").
	Mode string
	// ValidCount is nil when Voitex sent null (as it does for a single
	// send).
	ValidCount *int
	// InvalidCount is how many numbers were rejected (listed in Invalid).
	InvalidCount int
	// RecipientEstimate is how many recipients the send is expected to
	// reach; for labels it is known only once Voitex expands them.
	RecipientEstimate int
}

type notifyForm struct {
	Type         string `url:"type"`
	CID          string `url:"cid,omitempty"`
	From         string `url:"from,omitempty"`
	To           string `url:"to,omitempty"`
	Phones       string `url:"phones,omitempty"`
	Label        string `url:"label,omitempty"`
	PhoneType    string `url:"phone_type,omitempty"`
	Title        string `url:"title,omitempty"`
	ToBeSent     string `url:"to_be_sent,omitempty"`
	DNC          string `url:"dnc,omitempty"`
	Confirm      string `url:"confirm,omitempty"`
	Body         string `url:"body,omitempty"`
	Message      string `url:"message,omitempty"`
	CallType     string `url:"call_type,omitempty"`
	Recording    string `url:"recording,omitempty"`
	SFileID      string `url:"sfile_id,omitempty"`
	BranchNumber string `url:"branch_number,omitempty"`
	RouteNumber  string `url:"route_number,omitempty"`
	Greeting     string `url:"greeting,omitempty"`
	Variables    string `url:"variables,omitempty"`
}

// Send submits a Notify request. Its phone fields (cid or from, to, each of
// phones, route_number) are checked first and a malformed one is refused
// with a *ValidationError naming it, before anything is sent (see
// NotifyParams). A partial_success, numbers Voitex itself rejected, is
// returned as a result with Partial() true and those numbers in Invalid; a
// failure or error is an *Error carrying the request id. Attachments
// stream from their readers, reporting to each File's Progress. It is never
// repeated once written: when Voitex may have acted (a broken connection, a
// 5xx answer) the error matches ErrMaybeDelivered.
func (s *NotifyService) Send(ctx context.Context, p NotifyParams) (*NotifyResult, error) {
	form, err := p.form()
	if err != nil {
		return nil, err
	}
	mp := &transport.Multipart{Fields: form}
	for _, f := range p.Attachments {
		mp.Files = append(mp.Files, transport.FormFile{Field: AttachmentsField, File: f})
	}
	return transport.Call(ctx, s.tc, &transport.Request{
		Method:    http.MethodPost,
		Service:   serviceNotify,
		Path:      PathNotify,
		Multipart: mp,
		Delivery:  transport.AtMostOnce,
	}, decodeNotify)
}

func decodeNotify(resp *transport.Response) (*NotifyResult, error) {
	env, err := envelopeOf(resp)
	if err != nil {
		return nil, err
	}
	get := env.get
	if get("request_id") == nil && get("batch_id") == nil && get("group_id") == nil {
		// Tolerate the result wrapped in data like the other APIs: its
		// members fill in what the top level lacks.
		if inner, err := members(env.Data); err == nil {
			get = func(k string) json.RawMessage {
				if v := env.get(k); v != nil {
					return v
				}
				return lastOf(inner, k)
			}
		}
	}
	r := &NotifyResult{
		Status:    NotifyStatus(env.Status),
		RequestID: loose.Text(get("request_id")),
		BatchID:   loose.Text(get("batch_id")),
		GroupID:   loose.Text(get("group_id")),
		Invalid:   stringMap(get("invalid")),
		Errors:    messagesOf(get("errors")),
		Warnings:  messagesOf(get("warnings")),
	}
	if sum, err := fieldsOf(get("summary")); err == nil {
		r.Summary = NotifySummary{
			Route:             loose.Text(sum["route"]),
			Type:              loose.Text(sum["type"]),
			Mode:              loose.Text(sum["mode"]),
			InvalidCount:      intOf(sum["invalid_count"]),
			RecipientEstimate: intOf(sum["recipient_estimate"]),
		}
		if loose.Text(sum["valid_count"]) != "" {
			n := intOf(sum["valid_count"])
			r.Summary.ValidCount = &n
		}
	}
	r.SetRaw(resp.Body)
	return r, nil
}

// form validates p against the documented rules and builds the wire form.
func (p *NotifyParams) form() (*notifyForm, error) {
	f := &notifyForm{Type: string(p.Type)}
	switch p.Type {
	case NotifySMS, NotifyCall:
	case "":
		return nil, invalid("type", "required: SMS or CALL")
	default:
		return nil, invalid("type", "must be SMS or CALL")
	}
	switch {
	case p.CID != "" && p.From != "":
		return nil, invalid("cid", "set cid or its alias from, not both")
	case p.CID != "":
		n, err := phoneNumber("cid", p.CID)
		if err != nil {
			return nil, err
		}
		f.CID = n
	case p.From != "":
		n, err := phoneNumber("from", p.From)
		if err != nil {
			return nil, err
		}
		f.From = n
	default:
		return nil, invalid("cid", "required")
	}
	if err := p.recipients(f); err != nil {
		return nil, err
	}
	f.Title = p.Title
	if !p.ToBeSent.IsZero() {
		f.ToBeSent = p.ToBeSent.Format(ToBeSentLayout)
	}
	f.DNC, f.Confirm = flag(p.DNC), flag(p.Confirm)
	if p.Type == NotifySMS {
		return f, p.smsFields(f)
	}
	return f, p.callFields(f)
}

func (p *NotifyParams) recipients(f *notifyForm) error {
	n := 0
	if p.To != "" {
		n++
	}
	if len(p.Phones) > 0 {
		n++
	}
	if len(p.Labels) > 0 {
		n++
	}
	if n != 1 {
		return invalid("to", "exactly one of to, phones and label is required")
	}
	switch {
	case p.To != "":
		n, err := phoneNumber("to", p.To)
		if err != nil {
			return err
		}
		f.To = n
	case len(p.Phones) > 0:
		list, err := phoneList("phones", p.Phones)
		if err != nil {
			return err
		}
		f.Phones = list
	default:
		s, err := labelList("label", p.Labels)
		if err != nil {
			return err
		}
		f.Label = s
	}
	if len(p.PhoneTypes) > 0 {
		if len(p.Labels) == 0 {
			return invalid("phone_type", "applies only with label")
		}
		parts := make([]string, 0, 2)
		seen := map[PhoneType]bool{}
		for _, t := range p.PhoneTypes {
			if !t.valid() {
				return invalid("phone_type", "must be H, M or both")
			}
			if !seen[t] {
				seen[t] = true
				parts = append(parts, string(t))
			}
		}
		f.PhoneType = strings.Join(parts, ",")
	}
	return nil
}

func (p *NotifyParams) smsFields(f *notifyForm) error {
	switch {
	case p.CallType != "" || p.Recording != "" || p.SFileID != "" || p.BranchNumber != "" || p.RouteNumber != "" || len(p.Greeting) > 0 || len(p.Variables) > 0:
		return invalid("call_type", "call fields apply only when type is CALL")
	case p.Body != "" && p.Message != "":
		return invalid("body", "set body or its alias message, not both")
	}
	text, field := p.Body, "body"
	if p.Message != "" {
		text, field = p.Message, "message"
	}
	if strings.TrimSpace(text) == "" {
		return invalid("body", "required for SMS")
	}
	if n := utf8.RuneCountInString(text); n > MaxNotifyBody {
		return invalid(field, "at most "+strconv.Itoa(MaxNotifyBody)+" characters (got "+strconv.Itoa(n)+")")
	}
	if field == "body" {
		f.Body = text
	} else {
		f.Message = text
	}
	for i, a := range p.Attachments {
		if a == nil || a.Reader == nil {
			return invalid(AttachmentsField, "attachment "+strconv.Itoa(i)+" has no content")
		}
	}
	return nil
}

func (p *NotifyParams) callFields(f *notifyForm) error {
	switch {
	case p.Body != "" || p.Message != "":
		return invalid("body", "applies only when type is SMS")
	case len(p.Attachments) > 0:
		return invalid(AttachmentsField, "apply only when type is SMS")
	}
	f.CallType = string(p.CallType)
	switch p.CallType {
	case CallStream:
		switch {
		case p.Recording == "" && p.SFileID == "":
			return invalid("recording", "required when call_type is stream (or sfile_id)")
		case p.Recording != "" && p.SFileID != "":
			return invalid("recording", "set recording or sfile_id, not both")
		case p.BranchNumber != "" || p.RouteNumber != "" || len(p.Greeting) > 0 || len(p.Variables) > 0:
			return invalid("branch_number", "branch_number, route_number, greeting and variables apply only when call_type is goto")
		}
		f.Recording, f.SFileID = p.Recording, p.SFileID
	case CallGoto:
		switch {
		case strings.TrimSpace(p.BranchNumber) == "":
			return invalid("branch_number", "required when call_type is goto")
		case strings.TrimSpace(p.RouteNumber) == "":
			return invalid("route_number", "required when call_type is goto")
		case p.Recording != "" || p.SFileID != "":
			return invalid("recording", "recording and sfile_id apply only when call_type is stream")
		}
		route, err := phoneNumber("route_number", p.RouteNumber)
		if err != nil {
			return err
		}
		f.BranchNumber, f.RouteNumber = p.BranchNumber, route
		if len(p.Greeting) > 0 {
			if !json.Valid(p.Greeting) {
				return invalid("greeting", "must be valid JSON")
			}
			f.Greeting = string(p.Greeting)
		}
		if len(p.Variables) > 0 {
			for k := range p.Variables {
				if strings.TrimSpace(k) == "" {
					return invalid("variables", "names must not be empty")
				}
			}
			b, err := json.Marshal(p.Variables)
			if err != nil {
				return invalid("variables", err.Error())
			}
			f.Variables = string(b)
		}
	case "":
		return invalid("call_type", "required when type is CALL: stream or goto")
	default:
		return invalid("call_type", "must be stream or goto")
	}
	return nil
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return ""
}
