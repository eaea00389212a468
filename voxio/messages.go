package voxio

import (
	"context"
	"encoding/json"
	"math"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// Documented upload limits of send-message. Voxio writes "MB"; the limits are
// taken as binary megabytes, the larger reading, so that no file Voxio
// accepts is refused here.
const (
	MaxImageSize    int64 = 5 << 20
	MaxVideoSize    int64 = 16 << 20
	MaxAudioSize    int64 = 16 << 20
	MaxDocumentSize int64 = 100 << 20
)

// mediaRule is one file field's documented type and size limit.
type mediaRule struct {
	field   string
	max     int64
	exts    []string // without dot; nil: any type
	types   []string // media types matching exts
	typeMsg string
}

var (
	imageRule = mediaRule{field: "image", max: MaxImageSize,
		exts: []string{"jpg", "jpeg", "png"}, types: []string{"image/jpeg", "image/png"}, typeMsg: "jpg, jpeg or png"}
	videoRule = mediaRule{field: "video", max: MaxVideoSize,
		exts: []string{"mp4"}, types: []string{"video/mp4"}, typeMsg: "mp4"}
	audioRule    = mediaRule{field: "audio", max: MaxAudioSize}
	documentRule = mediaRule{field: "document", max: MaxDocumentSize,
		exts: []string{"pdf", "doc", "docx", "xls", "xlsx", "txt"},
		types: []string{"application/pdf", "application/msword",
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			"application/vnd.ms-excel",
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/plain"},
		typeMsg: "pdf, doc, docx, xls, xlsx or txt"}
)

// check validates f against the rule without reading its content: the type
// from the file name's extension or its ContentType, the size from
// File.ResolvedSize.
func (r mediaRule) check(f *File) error {
	size, err := f.ResolvedSize()
	if err != nil {
		return fieldError(r.field, err)
	}
	if r.exts != nil {
		name := f.Name
		if osf, ok := f.Reader.(*os.File); ok && name == "" {
			name = osf.Name()
		}
		ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), ".")
		mt, _, _ := mime.ParseMediaType(f.ContentType)
		if !contains(r.exts, ext) && !contains(r.types, strings.ToLower(mt)) {
			if name == "" && f.ContentType == "" {
				return invalid(r.field, "must be "+r.typeMsg+": give the file a Name with its extension or a ContentType")
			}
			return invalid(r.field, "must be "+r.typeMsg)
		}
	}
	limit := strconv.FormatInt(r.max>>20, 10) + " MB"
	switch {
	case size < 0:
		return invalid(r.field, "size must be known to check the "+limit+" limit: set File.Size")
	case size == 0:
		return invalid(r.field, "file is empty")
	case size > r.max:
		return invalid(r.field, "must be at most "+limit)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Location is a location message's point and optional label.
type Location struct {
	// Latitude is in decimal degrees, -90 to 90.
	Latitude float64
	// Longitude is in decimal degrees, -180 to 180.
	Longitude float64
	// Name is an optional label for the place.
	Name string
	// Address is the place's optional address.
	Address string
}

// Recipient identifies the destination and the sender account of a send.
type Recipient struct {
	// MobileCode is the country calling code, digits only, without "+".
	MobileCode string
	// Mobile is the number without the country code. A contact and a
	// conversation are created for a number Voxio does not know yet.
	Mobile string
	// FromNumber picks one of the account's connected WhatsApp numbers as
	// the sender. With several numbers, set it or WhatsAppAccountID.
	FromNumber string
	// WhatsAppAccountID picks the sender account; it wins over FromNumber
	// when both are set.
	WhatsAppAccountID int64
}

func (r *Recipient) validate() error {
	if err := checkMobile(r.MobileCode, r.Mobile); err != nil {
		return err
	}
	if r.WhatsAppAccountID < 0 {
		return invalid("whatsapp_account_id", "must not be negative")
	}
	return checkOptionalNumber("from_number", r.FromNumber)
}

func (r *Recipient) values() url.Values {
	v := url.Values{"mobile_code": {r.MobileCode}, "mobile": {r.Mobile}}
	if r.FromNumber != "" {
		v.Set("from_number", r.FromNumber)
	}
	if r.WhatsAppAccountID > 0 {
		v.Set("whatsapp_account_id", strconv.FormatInt(r.WhatsAppAccountID, 10))
	}
	return v
}

// SendMessageParams is a message for /inbox/send-message. At least one kind
// of content is required: Message, a file, Location, CTAURLID,
// InteractiveListID, Product or CreatedOrderData.
type SendMessageParams struct {
	Recipient
	// Message is the text body.
	Message string
	// Image is a jpg, jpeg or png of at most 5 MB.
	Image *File
	// Document is a pdf, doc, docx, xls, xlsx or txt of at most 100 MB.
	Document *File
	// Video is an mp4 of at most 16 MB.
	Video *File
	// Audio is an audio file of at most 16 MB.
	Audio *File
	// Location sends latitude, longitude and the optional name and address.
	Location *Location
	// CTAURLID sends an interactive button message with this CTA URL.
	CTAURLID int64
	// InteractiveListID sends this interactive list. Interactive messages
	// need an active plan.
	InteractiveListID int64
	// Product is a WooCommerce product payload, sent as a JSON string: a
	// string, []byte or json.RawMessage holding JSON is sent as is, any other
	// value is marshaled.
	Product any
	// CreatedOrderData is an order payload for an e-commerce CTA message,
	// sent like Product.
	CreatedOrderData any
}

func (p *SendMessageParams) encode() (*transport.Multipart, error) {
	if p == nil {
		return nil, invalid("params", "required")
	}
	if err := p.Recipient.validate(); err != nil {
		return nil, err
	}
	v := p.Recipient.values()
	m := &transport.Multipart{Fields: v}
	content := false
	if p.Message != "" {
		if strings.TrimSpace(p.Message) == "" {
			return nil, invalid("message", "must not be blank")
		}
		v.Set("message", p.Message)
		content = true
	}
	for _, f := range []struct {
		rule mediaRule
		file *File
	}{{imageRule, p.Image}, {documentRule, p.Document}, {videoRule, p.Video}, {audioRule, p.Audio}} {
		if f.file == nil {
			continue
		}
		if err := f.rule.check(f.file); err != nil {
			return nil, err
		}
		m.Files = append(m.Files, transport.FormFile{Field: f.rule.field, File: f.file})
		content = true
	}
	if l := p.Location; l != nil {
		if math.IsNaN(l.Latitude) || l.Latitude < -90 || l.Latitude > 90 {
			return nil, invalid("latitude", "must be between -90 and 90")
		}
		if math.IsNaN(l.Longitude) || l.Longitude < -180 || l.Longitude > 180 {
			return nil, invalid("longitude", "must be between -180 and 180")
		}
		v.Set("latitude", strconv.FormatFloat(l.Latitude, 'f', -1, 64))
		v.Set("longitude", strconv.FormatFloat(l.Longitude, 'f', -1, 64))
		if l.Name != "" {
			v.Set("name", l.Name)
		}
		if l.Address != "" {
			v.Set("address", l.Address)
		}
		content = true
	}
	if p.CTAURLID < 0 {
		return nil, invalid("cta_url_id", "must be a positive integer")
	} else if p.CTAURLID > 0 {
		v.Set("cta_url_id", strconv.FormatInt(p.CTAURLID, 10))
		content = true
	}
	if p.InteractiveListID < 0 {
		return nil, invalid("interactive_list_id", "must be a positive integer")
	} else if p.InteractiveListID > 0 {
		v.Set("interactive_list_id", strconv.FormatInt(p.InteractiveListID, 10))
		content = true
	}
	for _, j := range []struct {
		field string
		value any
	}{{"product", p.Product}, {"created_order_data", p.CreatedOrderData}} {
		s, err := jsonString(j.field, j.value)
		if err != nil {
			return nil, err
		}
		if s != "" {
			v.Set(j.field, s)
			content = true
		}
	}
	if !content {
		return nil, invalid("message", "at least one message type is required: message, image, document, video, audio, location, cta_url_id, interactive_list_id, product or created_order_data")
	}
	return m, nil
}

// jsonString renders a "json string" field: text that already is JSON is
// sent as is, other values are marshaled.
func jsonString(field string, v any) (string, error) {
	var b []byte
	switch t := v.(type) {
	case nil:
		return "", nil
	case string:
		b = []byte(t)
	case []byte:
		b = t
	case json.RawMessage:
		b = t
	default:
		var err error
		if b, err = json.Marshal(t); err != nil {
			return "", invalid(field, "cannot be encoded as JSON: "+err.Error())
		}
	}
	if len(b) == 0 {
		return "", nil
	}
	if !json.Valid(b) {
		return "", invalid(field, "must be valid JSON")
	}
	return string(b), nil
}

// SendResult is Voxio's acceptance of a send.
type SendResult struct {
	Envelope
	// ConversationID is the conversation the message went to, created if
	// needed.
	ConversationID int64
	// Message is the stored message with its first status (usually
	// MessageSent); nil for a template send, whose answer has none.
	Message *Message
	transport.RawJSON
}

// Send sends a WhatsApp message (POST /inbox/send-message). Files are
// streamed, not loaded into memory, and checked against the documented
// types and sizes before anything is sent.
//
// The request is never repeated once any of it was written: if the
// connection fails after that, the error matches ErrMaybeDelivered and the
// customer may have the message. Check the conversation before sending
// again.
func (s *MessagesService) Send(ctx context.Context, params SendMessageParams) (*SendResult, error) {
	form, err := params.encode()
	if err != nil {
		return nil, err
	}
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodPost, Path: "/inbox/send-message", Multipart: form, Delivery: transport.AtMostOnce}, decodeSendResult)
}

// SendTemplateParams is a template send for /inbox/send-template-message.
type SendTemplateParams struct {
	Recipient
	// TemplateID is an approved template of the selected sender account.
	TemplateID int64
}

// SendTemplate sends an approved WhatsApp template (POST
// /inbox/send-template-message), the way to open a business-initiated
// conversation. Like Send, it is never repeated once written.
func (s *MessagesService) SendTemplate(ctx context.Context, params SendTemplateParams) (*SendResult, error) {
	if err := params.Recipient.validate(); err != nil {
		return nil, err
	}
	if params.TemplateID <= 0 {
		return nil, invalid("template_id", "required: a positive template id")
	}
	v := params.Recipient.values()
	v.Set("template_id", strconv.FormatInt(params.TemplateID, 10))
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodPost, Path: "/inbox/send-template-message", Multipart: &transport.Multipart{Fields: v}, Delivery: transport.AtMostOnce}, decodeSendResult)
}

// decodeSendResult reads the envelope the Failure hook already parsed: the
// answer to a send is parsed once.
func decodeSendResult(resp *transport.Response) (*SendResult, error) {
	env, err := envelopeOf(resp)
	if err != nil {
		return nil, err
	}
	res := &SendResult{Envelope: env.Envelope}
	if m := objectOf(env.Data); m != nil {
		res.ConversationID = m.int("conversation_id")
		if raw := m.obj("message"); raw != nil {
			msg := decodeMessage(raw)
			if msg.ConversationID == 0 {
				msg.ConversationID = res.ConversationID
			}
			res.Message = &msg
		}
	}
	res.SetRaw(resp.Body)
	return res, nil
}
