package voitex

import (
	"context"
	"net/http"
	"strings"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// CallsService places notification calls from a DID on the account: POST
// https://notify.voitexapi.com/ as multipart form-data. For calls to many
// numbers or labels, scheduling or recordings by name, use the Notify API.
type CallsService struct{ tc *transport.Client }

// CallType is the notification call's behaviour ("type").
type CallType string

// The documented call types.
const (
	// CallGoto directs the person called to an IVR branch; it needs
	// RouteNumber and BranchNumber.
	CallGoto CallType = "goto"
	// CallStream plays one Library file; it needs SFileID (the Notify API
	// also accepts a recording name). Voitex documents it as coming soon for
	// the legacy call.
	CallStream CallType = "stream"
)

// String returns the wire value.
func (t CallType) String() string { return string(t) }

// CallParams are the Notification Call API's fields.
type CallParams struct {
	// CID is the hotline number the call is sent from (cid, required): a
	// 10-digit North American number, "8459511000", or the same with +1
	// and spaces, dashes, dots or parentheses ("+1 845-951-1000"), sent as
	// its 10 digits (see Phone numbers in the package documentation).
	CID string
	// To is the number called (to, required), written as CID is; a number
	// outside North America is refused.
	To string
	// Type is goto or stream (type, required).
	Type CallType
	// RouteNumber is the hotline DID the person called is routed to
	// (route_number, required for goto), written as CID is.
	RouteNumber string
	// BranchNumber is the branch the person called is routed to
	// (branch_number, required for goto).
	BranchNumber string
	// SFileID is the Library file to play (sfile_id, required for stream):
	// the id Recordings.Upload or CreateTTS returned.
	SFileID string
}

// Call is the Notification Call API's answer.
type Call struct {
	transport.RawJSON
	// ReferenceID identifies the request for later reference
	// (reference_id).
	ReferenceID string
}

type callForm struct {
	CID          string `url:"cid"`
	To           string `url:"to"`
	Type         string `url:"type"`
	RouteNumber  string `url:"route_number,omitempty"`
	BranchNumber string `url:"branch_number,omitempty"`
	SFileID      string `url:"sfile_id,omitempty"`
}

// Send places one notification call. A malformed cid, to or route_number
// (see CallParams) is refused with a *ValidationError before anything is
// sent. It is never repeated once written: when Voitex may have acted (a
// broken connection, a 5xx answer) the error matches ErrMaybeDelivered, and
// the person may already be ringing.
func (s *CallsService) Send(ctx context.Context, p CallParams) (*Call, error) {
	form, err := p.form()
	if err != nil {
		return nil, err
	}
	return transport.Call(ctx, s.tc, &transport.Request{
		Method:    http.MethodPost,
		Service:   serviceNotify,
		Path:      PathCall,
		Multipart: &transport.Multipart{Fields: form},
		Delivery:  transport.AtMostOnce,
	}, decodeCall)
}

func decodeCall(resp *transport.Response) (*Call, error) {
	env, err := envelopeOf(resp)
	if err != nil {
		return nil, err
	}
	c := &Call{ReferenceID: env.ReferenceID}
	if c.ReferenceID == "" {
		// Tolerate the id inside data, as the SMS answer carries it.
		if ms, err := members(env.Data); err == nil {
			c.ReferenceID = referenceIn(ms)
		} else {
			c.ReferenceID = dataText(env.Data)
		}
	}
	c.SetRaw(resp.Body)
	return c, nil
}

// form checks p against the documented rules and builds the wire form,
// with the phone numbers as their 10 digits.
func (p *CallParams) form() (*callForm, error) {
	f := &callForm{Type: string(p.Type), BranchNumber: p.BranchNumber, SFileID: p.SFileID}
	var err error
	if f.CID, err = phoneNumber("cid", p.CID); err != nil {
		return nil, err
	}
	if f.To, err = phoneNumber("to", p.To); err != nil {
		return nil, err
	}
	switch p.Type {
	case CallGoto:
		if strings.TrimSpace(p.RouteNumber) == "" {
			return nil, invalid("route_number", "required when type is goto")
		}
		if f.RouteNumber, err = phoneNumber("route_number", p.RouteNumber); err != nil {
			return nil, err
		}
		if strings.TrimSpace(p.BranchNumber) == "" {
			return nil, invalid("branch_number", "required when type is goto")
		}
		if p.SFileID != "" {
			return nil, invalid("sfile_id", "applies only when type is stream")
		}
	case CallStream:
		if strings.TrimSpace(p.SFileID) == "" {
			return nil, invalid("sfile_id", "required when type is stream")
		}
		if p.RouteNumber != "" || p.BranchNumber != "" {
			return nil, invalid("route_number", "route_number and branch_number apply only when type is goto")
		}
	case "":
		return nil, invalid("type", "required: goto or stream")
	default:
		return nil, invalid("type", "must be goto or stream")
	}
	return f, nil
}

// referenceIn finds a reference id among an object's members, whatever the
// spelling (reference_id, referenceID, referenceId, ref_id); of several, the
// last one sent.
func referenceIn(ms []loose.Member) string {
	ref := ""
	for _, m := range ms {
		if len(m.Key) < 5 || (m.Key[0] != 'r' && m.Key[0] != 'R') {
			continue // not a spelling of reference_id: spare the folding
		}
		switch strings.ToLower(strings.ReplaceAll(m.Key, "_", "")) {
		case "referenceid", "refid", "reference":
			if s := loose.Text(m.Value); s != "" {
				ref = s
			}
		}
	}
	return ref
}
