package voxio

import (
	"context"
	"iter"
	"net/http"
	"strconv"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// Template is an approved WhatsApp message template. Voxio does not document
// the object; fields beyond these stay reachable through Raw.
type Template struct {
	// ID is the template_id SendTemplate takes.
	ID int64 `json:"id"`
	// Name is the template's WhatsApp name.
	Name string `json:"name"`
	// Language is its language code ("en_US", "he").
	Language string `json:"language,omitempty"`
	// Category is WhatsApp's category ("UTILITY", "MARKETING").
	Category string `json:"category,omitempty"`
	// Status is the approval status as Voxio sends it.
	Status string `json:"status,omitempty"`
	// WhatsAppAccountID is the sender account the template belongs to;
	// it can only be sent from that account.
	WhatsAppAccountID int64 `json:"whatsapp_account_id,omitempty"`
	transport.RawJSON
}

// UnmarshalJSON decodes leniently (see Contact.UnmarshalJSON).
func (t *Template) UnmarshalJSON(b []byte) error { return unmarshalObject(b, t, decodeTemplate) }

func decodeTemplate(raw []byte) Template {
	m := objectOf(raw)
	t := Template{
		ID:                m.int("id"),
		Name:              m.text("name", "template_name"),
		Language:          m.text("language", "language_code"),
		Category:          m.text("category"),
		Status:            m.text("status"),
		WhatsAppAccountID: m.int("whatsapp_account_id"),
	}
	if lang := objectOf(m.get("language")); lang != nil && t.Language == "" {
		t.Language = lang.text("code", "name")
	}
	t.SetRaw(raw)
	return t
}

// TemplateListParams filters the template list. With several sender
// numbers, set one of them to avoid a mixed list.
type TemplateListParams struct {
	// WhatsAppAccountID lists one sender account's templates.
	WhatsAppAccountID int64 `url:"whatsapp_account_id,omitempty"`
	// FromNumber lists one sender number's templates.
	FromNumber string `url:"from_number,omitempty"`
	// ConversationID lists the templates of the sender account of a
	// conversation, for sending a template from a chat.
	ConversationID int64 `url:"conversation_id,omitempty"`
}

func (p *TemplateListParams) validate() error {
	if p.WhatsAppAccountID < 0 {
		return invalid("whatsapp_account_id", "must not be negative")
	}
	if p.ConversationID < 0 {
		return invalid("conversation_id", "must not be negative")
	}
	return checkOptionalNumber("from_number", p.FromNumber)
}

// TemplateList is the account's templates (data.templates).
type TemplateList struct {
	Envelope
	// Templates are the account's templates, approved or not.
	Templates []Template
	// Pagination is the paginator's position when Voxio paginates the list;
	// otherwise the answer is reported as a single page.
	Pagination Pagination
	transport.RawJSON
}

// List fetches the account's WhatsApp templates (GET /inbox/template-list).
func (s *TemplatesService) List(ctx context.Context, params *TemplateListParams) (*TemplateList, error) {
	return s.list(ctx, params, 0)
}

// ListAll walks every template. Voxio documents no page parameter for this
// list; when the answer is a Laravel paginator with more pages, they are
// fetched with the paginator's own page parameter, as its next_page_url
// does.
func (s *TemplatesService) ListAll(ctx context.Context, params *TemplateListParams) iter.Seq2[Template, error] {
	return transport.Pages(ctx, 1, func(ctx context.Context, page int) (transport.Page[Template], error) {
		res, err := s.list(ctx, params, page)
		if err != nil {
			return transport.Page[Template]{}, err
		}
		return transport.Page[Template]{Items: res.Templates, Last: res.Pagination.lastOf(page)}, nil
	})
}

func (s *TemplatesService) list(ctx context.Context, params *TemplateListParams, page int) (*TemplateList, error) {
	if params == nil {
		params = &TemplateListParams{}
	}
	if err := params.validate(); err != nil {
		return nil, err
	}
	q, err := transport.Values(params)
	if err != nil {
		return nil, err
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodGet, Path: "/inbox/template-list", Query: q}, decodeTemplateList)
}

func decodeTemplateList(resp *transport.Response) (*TemplateList, error) {
	env, err := envelopeOf(resp)
	if err != nil {
		return nil, err
	}
	items, pg, err := listIn(env.Data, "templates")
	if err != nil {
		return nil, err
	}
	res := &TemplateList{Envelope: env.Envelope}
	if res.Templates, err = decodeItems(items, decodeTemplate); err != nil {
		return nil, err
	}
	res.Pagination = pageOrOnly(pg, len(res.Templates))
	res.SetRaw(resp.Body)
	return res, nil
}
