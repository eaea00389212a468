package voitex

import (
	"context"
	"net/http"
	"strings"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// SMSService sends a text message from an SMS-enabled DID: POST
// https://sms.voitexapi.com/send/ as multipart form-data. For several
// recipients, labels, scheduling or MMS, use the Notify API.
type SMSService struct{ tc *transport.Client }

// SMSParams are the Send SMS API's fields.
type SMSParams struct {
	// From is the SMS-enabled DID on the account (from, required).
	From string
	// To is the recipient (to, required).
	To string
	// Body is the message (body, required). Voitex documents no limit for
	// this API; the Notify API's is 1000 characters.
	Body string
}

// DIDType is the kind of number an SMS was sent from.
type DIDType string

// The documented DID types.
const (
	// DIDTelephone is an ordinary telephone number ("TN").
	DIDTelephone DIDType = "TN"
	// DIDTollFree is a toll-free number ("TF").
	DIDTollFree DIDType = "TF"
)

// SMS is the Send SMS API's answer: the data sent, with the DID's type and
// a reference id. Voitex sends it as an object encoded in a string, with
// stray spaces in keys and values, and its sample repeats the "from " key;
// as with encoding/json the last one wins, so From holds whatever came last.
type SMS struct {
	transport.RawJSON
	To          string
	From        string
	Body        string
	DIDType     DIDType
	ReferenceID string
	// Data holds every member of data, keys and values trimmed.
	Data map[string]string
}

type smsForm struct {
	From string `url:"from"`
	To   string `url:"to"`
	Body string `url:"body"`
}

// Send sends one SMS. It is never repeated once written: on a broken
// connection the error matches ErrMaybeDelivered.
func (s *SMSService) Send(ctx context.Context, p SMSParams) (*SMS, error) {
	if err := requirePhone("from", p.From); err != nil {
		return nil, err
	}
	if err := requirePhone("to", p.To); err != nil {
		return nil, err
	}
	if strings.TrimSpace(p.Body) == "" {
		return nil, transport.Invalid("body", "required")
	}
	resp, err := s.tc.Do(ctx, &transport.Request{
		Method:    http.MethodPost,
		Service:   serviceSMS,
		Path:      PathSend,
		Multipart: &transport.Multipart{Fields: smsForm(p)},
		Delivery:  transport.AtMostOnce,
	}, nil)
	if err != nil {
		return nil, err
	}
	env, err := decodeEnvelope(resp)
	if err != nil {
		return nil, err
	}
	out := &SMS{ReferenceID: env.ReferenceID}
	if f, err := objectFields(env.Data); err == nil {
		out.Data = make(map[string]string, len(f))
		for k, v := range f {
			out.Data[k] = textOf(v)
		}
		out.To = textOf(f["to"])
		out.From = textOf(f["from"])
		out.Body = rawText(f["body"])
		out.DIDType = DIDType(strings.ToUpper(textOf(f["did_type"])))
		if ref := referenceIn(f); ref != "" {
			out.ReferenceID = ref
		}
	}
	out.SetRaw(resp.Body)
	return out, nil
}
