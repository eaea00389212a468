package switchboard

import (
	"context"
	"time"

	"github.com/switchboard-go/switchboard/internal/transport"
	"github.com/switchboard-go/switchboard/voitex"
)

// VoitexSMSSender sends text messages as SMS through Voitex's Send SMS API
// (SMS.Send), from one SMS-enabled number of the account. Voitex reaches
// 10-digit North American numbers only, and sends text only. Build it with
// NewVoitexSMSSender.
type VoitexSMSSender struct {
	client *voitex.Client
	from   string
	cfg    senderConfig
}

// NewVoitexSMSSender returns a Sender for c that sends from the caller id
// from, an SMS-enabled DID of the account, written as Voitex's docs do
// ("8459511000") or with +1 and punctuation. A nil client or a from that is
// not a 10-digit North American number is a *ValidationError.
func NewVoitexSMSSender(c *voitex.Client, from string, opts ...SenderOption) (*VoitexSMSSender, error) {
	if c == nil {
		return nil, transport.InvalidFor("voitex", "client", "required")
	}
	p, err := ParseNANP(from)
	if err != nil {
		return nil, transport.InvalidFor("voitex", "from", "a 10-digit North American number")
	}
	cfg, err := newSenderConfig(opts)
	if err != nil {
		return nil, err
	}
	return &VoitexSMSSender{client: c, from: p.National(), cfg: cfg}, nil
}

// Provider returns Voitex.
func (s *VoitexSMSSender) Provider() Provider { return Voitex }

// String names the provider and the sending number, never the Auth-Key.
func (s *VoitexSMSSender) String() string {
	if s == nil {
		return "voitex sms sender"
	}
	return "voitex sms sender (from " + s.from + ")"
}

// ready refuses a sender not built by NewVoitexSMSSender, or a nil context.
func (s *VoitexSMSSender) ready(ctx context.Context) error {
	if s == nil || s.client == nil {
		return transport.InvalidFor("voitex", "sender", "build it with NewVoitexSMSSender")
	}
	if ctx == nil {
		return transport.InvalidFor("voitex", "ctx", "required")
	}
	return nil
}

// Send sends m.Text as one SMS to the Phone's 10-digit North American number
// (Phone.NANP). A number outside the North American plan, or an
// attachment, is a *ValidationError and nothing is sent, so a Failover moves
// on. Voitex's errors pass through unchanged. The Receipt's ID is Voitex's
// reference id.
func (s *VoitexSMSSender) Send(ctx context.Context, m Message) (*Receipt, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if err := m.check("voitex"); err != nil {
		return nil, err
	}
	if m.Attachment != nil {
		return nil, transport.InvalidFor("voitex", "attachment", "Voitex SMS sends text only")
	}
	to, err := m.To.NANP()
	if err != nil {
		return nil, err
	}
	res, err := s.client.SMS.Send(ctx, voitex.SMSParams{From: s.from, To: to, Body: m.Text})
	if err != nil {
		return nil, err
	}
	return &Receipt{Provider: Voitex, ID: res.ReferenceID, Time: s.cfg.stamp(time.Time{}), Result: res, Raw: res.Raw()}, nil
}

// Resolve answers ResolutionUnknown: Voitex's Send SMS API has no list or
// status call to look a sent SMS up in, so a maybe-delivered SMS stays
// unknown. It makes no request.
func (s *VoitexSMSSender) Resolve(ctx context.Context, m Message, since time.Time) (*Resolution, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if err := checkResolve("voitex", &m, since); err != nil {
		return nil, err
	}
	return &Resolution{Provider: Voitex, Status: ResolutionUnknown,
		Evidence: "Voitex's Send SMS API offers no way to look a sent SMS up"}, nil
}
