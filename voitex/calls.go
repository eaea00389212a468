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
	// CID is the hotline number the call is sent from (cid, required).
	CID string
	// To is the number called (to, required).
	To string
	// Type is goto or stream (type, required).
	Type CallType
	// RouteNumber is the hotline DID the person called is routed to
	// (route_number, required for goto).
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

// Send places one notification call. It is never repeated once written: on
// a broken connection the error matches ErrMaybeDelivered, and the person
// may already be ringing.
func (s *CallsService) Send(ctx context.Context, p CallParams) (*Call, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	return transport.Call(ctx, s.tc, &transport.Request{
		Method:  http.MethodPost,
		Service: serviceNotify,
		Path:    PathCall,
		Multipart: &transport.Multipart{Fields: callForm{
			CID: p.CID, To: p.To, Type: string(p.Type),
			RouteNumber: p.RouteNumber, BranchNumber: p.BranchNumber, SFileID: p.SFileID,
		}},
		Delivery: transport.AtMostOnce,
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

func (p *CallParams) validate() error {
	if err := requirePhone("cid", p.CID); err != nil {
		return err
	}
	if err := requirePhone("to", p.To); err != nil {
		return err
	}
	switch p.Type {
	case CallGoto:
		if err := requirePhone("route_number", p.RouteNumber); err != nil {
			return invalid("route_number", "required when type is goto")
		}
		if strings.TrimSpace(p.BranchNumber) == "" {
			return invalid("branch_number", "required when type is goto")
		}
		if p.SFileID != "" {
			return invalid("sfile_id", "applies only when type is stream")
		}
	case CallStream:
		if strings.TrimSpace(p.SFileID) == "" {
			return invalid("sfile_id", "required when type is stream")
		}
		if p.RouteNumber != "" || p.BranchNumber != "" {
			return invalid("route_number", "route_number and branch_number apply only when type is goto")
		}
	case "":
		return invalid("type", "required: goto or stream")
	default:
		return invalid("type", "must be goto or stream")
	}
	return nil
}

// requirePhone checks a single phone number field: present, one number,
// no stray separators that would make Voitex read two.
func requirePhone(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return invalid(field, "required")
	}
	if strings.TrimSpace(v) != v {
		return invalid(field, "must not have leading or trailing spaces")
	}
	if strings.ContainsAny(v, ",; \t\r\n") {
		return invalid(field, "must be a single phone number")
	}
	return nil
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
