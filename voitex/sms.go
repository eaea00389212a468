package voitex

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// SMSService sends a text message from an SMS-enabled DID: POST
// https://sms.voitexapi.com/send/ as multipart form-data. For several
// recipients, labels, scheduling or MMS, use the Notify API.
type SMSService struct{ tc *transport.Client }

// SMSParams are the Send SMS API's fields.
type SMSParams struct {
	// From is the SMS-enabled DID on the account (from, required): a
	// 10-digit North American number, "8459511000", or the same with +1
	// and spaces, dashes, dots or parentheses ("+1 (845) 951-1000"), sent
	// as its 10 digits (see Phone numbers in the package documentation).
	From string
	// To is the recipient (to, required), written as From is; a number
	// outside North America is refused.
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

// Send sends one SMS. A malformed from or to (see SMSParams) is refused
// with a *ValidationError before anything is sent. It is never repeated
// once written: when Voitex may have acted (a broken connection, a 5xx
// answer) the error matches ErrMaybeDelivered.
func (s *SMSService) Send(ctx context.Context, p SMSParams) (*SMS, error) {
	from, err := phoneNumber("from", p.From)
	if err != nil {
		return nil, err
	}
	to, err := phoneNumber("to", p.To)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(p.Body) == "" {
		return nil, invalid("body", "required")
	}
	// Three fixed fields: url.Values spares the reflection of a tagged
	// struct on the hottest send.
	fields := url.Values{"from": {from}, "to": {to}, "body": {p.Body}}
	return transport.Call(ctx, s.tc, &transport.Request{
		Method:    http.MethodPost,
		Service:   serviceSMS,
		Path:      PathSend,
		Multipart: &transport.Multipart{Fields: fields},
		Delivery:  transport.AtMostOnce,
	}, decodeSMS)
}

// decodeSMS reads the Send SMS answer: data is an object, usually inside a
// string, whose repeated "from" key carries the reference id.
func decodeSMS(resp *transport.Response) (*SMS, error) {
	env, err := envelopeOf(resp)
	if err != nil {
		return nil, err
	}
	out := &SMS{ReferenceID: env.ReferenceID}
	if ms, err := members(env.Data); err == nil {
		out.Data = make(map[string]string, len(ms))
		froms := 0
		for _, m := range ms {
			if m.Key == "body" {
				// The message keeps its spaces; Data, as documented, not.
				out.Body = loose.RawText(m.Value)
				out.Data[m.Key] = strings.TrimSpace(out.Body)
				continue
			}
			v := loose.Text(m.Value)
			out.Data[m.Key] = v
			switch m.Key {
			case "from":
				// The first is the DID; a second is the referenceID the
				// prose promises.
				if froms == 0 {
					out.From = v
				} else {
					out.ReferenceID = v
				}
				froms++
			case "to":
				out.To = v
			case "did_type":
				out.DIDType = DIDType(strings.ToUpper(v))
			}
		}
		if ref := referenceIn(ms); ref != "" {
			out.ReferenceID = ref
		}
	}
	out.SetRaw(resp.Body)
	return out, nil
}
