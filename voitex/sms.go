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
// stray spaces in keys and values. The documentation says data carries a
// referenceID, and its sample has no such key but repeats "from ", the
// second time with an id ("u7T0um") rather than a number: so when "from"
// comes twice, From is the first (the DID) and ReferenceID the second,
// unless a reference key of its own is present.
type SMS struct {
	transport.RawJSON
	// To is the recipient as Voitex echoed it.
	To string
	// From is the sending DID as Voitex echoed it.
	From string
	// Body is the message as Voitex echoed it, spaces kept.
	Body string
	// DIDType says whether From is a telephone number or toll-free.
	DIDType DIDType
	// ReferenceID identifies the message at Voitex.
	ReferenceID string
	// Data holds every member of data, keys and values trimmed; of a
	// repeated key, the last value.
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
	env, err := decodeEnvelope(resp, PathSend, true)
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
		if members, err := objectMembers(env.Data); err == nil {
			var froms []string
			for _, m := range members {
				if m.key == "from" {
					froms = append(froms, textOf(m.value))
				}
			}
			if len(froms) > 1 {
				out.From = froms[0]
				out.ReferenceID = froms[len(froms)-1]
			}
		}
		out.Body = rawText(f["body"])
		out.DIDType = DIDType(strings.ToUpper(textOf(f["did_type"])))
		if ref := referenceIn(f); ref != "" {
			out.ReferenceID = ref
		}
	}
	out.SetRaw(resp.Body)
	return out, nil
}
