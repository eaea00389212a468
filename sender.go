package switchboard

import (
	"context"
	"encoding/json"
	"path"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// Sender sends one message through one provider. The four adapters
// (NewVoxioSender, NewChattuSender, NewOurVoiceSender, NewVoitexSMSSender)
// and Failover implement it, so a service can be written against Sender
// alone and choose its vendors where it builds them.
//
// Send sends m at most once and returns the provider's error unchanged (or
// wrapped with %w): errors.Is(err, ErrMaybeDelivered), the other shared
// sentinels, and errors.As for the vendor's *Error or *ValidationError keep
// working, and Failover and Classify read them to tell whether the message
// may have gone out. A Sender of your own must follow the same rule.
type Sender interface {
	// Provider names the vendor the message goes through, for receipts,
	// trails and logs.
	Provider() Provider
	// Send sends m once and returns the provider's receipt, or its error.
	Send(ctx context.Context, m Message) (*Receipt, error)
}

// Message is one message to one person, in the terms every vendor shares:
// a recipient, a text and an optional attachment. Each adapter converts it
// to its vendor's request and refuses, with a *ValidationError and before
// anything is sent, what its vendor cannot carry.
type Message struct {
	// To is the recipient. Build it with ParsePhone from a number in
	// international form (ParseNANP for a 10-digit North American one,
	// ParseDigits for a number a vendor sent); the zero Phone is refused.
	To Phone
	// Text is the message, or the caption of an attachment. It is required
	// without an attachment.
	Text string
	// Attachment is an optional image, video, audio file or document.
	Attachment *Attachment
}

// AttachmentKind says what an attachment is, for the vendors that need to
// be told (Our Voice's type, Voxio's form field).
type AttachmentKind string

// The kinds of attachment the WhatsApp vendors send.
const (
	ImageAttachment    AttachmentKind = "image"
	VideoAttachment    AttachmentKind = "video"
	AudioAttachment    AttachmentKind = "audio"
	DocumentAttachment AttachmentKind = "document"
)

// Attachment is a media file to send with a message. The vendors take media
// in two ways: Chattu and Our Voice fetch it from a public URL, Voxio wants
// the file uploaded. Set URL, File or both; an adapter whose vendor cannot
// use what is set refuses the message with a *ValidationError before
// sending, so a Failover moves on to a provider that can. Voitex SMS sends
// text only.
type Attachment struct {
	// Kind says what the file is. Empty, it is read from the extension of
	// File.Name, else of URL's path: .jpg, .jpeg, .png, .gif and .webp are
	// images, .mp4 video, .mp3, .ogg, .opus, .m4a, .aac, .amr and .wav
	// audio, anything else a document.
	Kind AttachmentKind
	// URL is a public http(s) URL of the file, which Chattu and Our Voice
	// fetch themselves.
	URL string
	// File is the file to upload, which Voxio needs (its type and size
	// limits are checked before anything is sent). When several Voxio
	// senders may upload it in one Failover, give a Reader that can be read
	// again from the start: an *os.File or an io.ReaderAt such as
	// *bytes.Reader.
	File *File
}

// File is a file to upload, the type the vendor packages take (voxio.File is
// the same type). Its fields:
//
//   - Name string: the file name sent, whose extension decides the type
//     unless ContentType is set.
//   - ContentType string: the media type; "" derives it from Name.
//   - Reader io.Reader: the content. An *os.File, io.ReaderAt or
//     io.ReadSeeker can be read again; a plain io.Reader is sent once.
//   - Size int64: the length in bytes; 0 has it measured where possible.
//   - Progress func(sent, total int64): optional upload progress.
type File = transport.File

// kind returns the attachment's kind, derived from its file name or URL when
// Kind is empty.
func (a *Attachment) kind() AttachmentKind {
	if a.Kind != "" {
		return a.Kind
	}
	name := ""
	if a.File != nil {
		name = a.File.Name
	}
	if name == "" {
		name = a.URL
		if i := strings.IndexAny(name, "?#"); i >= 0 {
			name = name[:i]
		}
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp":
		return ImageAttachment
	case ".mp4":
		return VideoAttachment
	case ".mp3", ".ogg", ".opus", ".m4a", ".aac", ".amr", ".wav":
		return AudioAttachment
	}
	return DocumentAttachment
}

// check refuses, for vendor, a message no vendor could send: no recipient,
// or neither text nor attachment, or an attachment of an unknown kind.
func (m *Message) check(vendor string) error {
	if m.To.IsZero() {
		return transport.InvalidFor(vendor, "to", "required: a phone number built with ParsePhone")
	}
	if m.Attachment == nil {
		if strings.TrimSpace(m.Text) == "" {
			return transport.InvalidFor(vendor, "text", "required without an attachment")
		}
		return nil
	}
	switch m.Attachment.Kind {
	case "", ImageAttachment, VideoAttachment, AudioAttachment, DocumentAttachment:
	default:
		return transport.InvalidFor(vendor, "attachment kind", "one of image, video, audio, document")
	}
	if m.Attachment.URL == "" && m.Attachment.File == nil {
		return transport.InvalidFor(vendor, "attachment", "needs a URL or a File")
	}
	return nil
}

// Receipt is a provider's acceptance of a message: the answer to a send, or
// what a lookup (Resolve) found of a send whose answer was lost.
type Receipt struct {
	// Provider is the vendor that accepted the message.
	Provider Provider
	// ID is the vendor's id for the message, as a string: Voxio's message
	// id ("1042"), Chattu's WhatsApp message id, Our Voice's message uuid,
	// Voitex's SMS reference id. It is "" when the vendor gave none.
	ID string
	// Time is when the vendor says it took the message, or, when its answer
	// carries no time, when the answer arrived here.
	Time time.Time
	// Result is the vendor's own typed value: *voxio.SendResult,
	// *chattu.Result, *ourvoice.SendResult or *voitex.SMS for a send; the
	// message found (*voxio.Message, *ourvoice.Message, *chattu.ChatMessage
	// or *chattu.SentMessage) for a lookup. Type-switch on it for what the
	// common fields leave out.
	Result any
	// Raw is the vendor's answer as JSON, as the vendor package kept it
	// (credentials redacted), when there is one.
	Raw json.RawMessage
	// Trail lists, for a Failover, every provider tried in order, this one
	// last: what each did and why the Failover moved on. It is nil for a
	// single adapter.
	Trail []Attempt
}

// SenderOption tunes an adapter built by NewVoxioSender, NewChattuSender,
// NewOurVoiceSender or NewVoitexSMSSender.
type SenderOption func(*senderConfig) error

// senderConfig is what the SenderOptions set.
type senderConfig struct {
	lookback time.Duration
	now      func() time.Time
}

// DefaultResolveLookback is how far before a send's start Resolve still
// counts a matching message as that send. It covers a vendor clock running
// behind this host's and vendor timestamps rounded to the second.
const DefaultResolveLookback = time.Minute

// WithResolveLookback sets how far before a send's start Resolve looks for
// the message (default DefaultResolveLookback). A message found in that
// margin is taken for the send, and two matching messages make the answer
// "cannot tell": a longer margin tolerates a vendor clock further behind
// yours, at the price of more "cannot tell" answers when the same text goes
// to the same number often. d must be between 0 and 24 hours.
func WithResolveLookback(d time.Duration) SenderOption {
	return func(c *senderConfig) error {
		if d < 0 || d > 24*time.Hour {
			return transport.InvalidFor("switchboard", "WithResolveLookback", "between 0 and 24h")
		}
		c.lookback = d
		return nil
	}
}

// newSenderConfig applies opts over the defaults.
func newSenderConfig(opts []SenderOption) (senderConfig, error) {
	c := senderConfig{lookback: DefaultResolveLookback, now: time.Now}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&c); err != nil {
			return senderConfig{}, err
		}
	}
	return c, nil
}

// stamp returns t, or the current time when the vendor gave none.
func (c *senderConfig) stamp(t time.Time) time.Time {
	if !t.IsZero() {
		return t
	}
	if c.now == nil {
		return time.Now()
	}
	return c.now()
}
