package voxio_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/wiretest"
	"github.com/switchboard-go/switchboard/voxio"
)

func ptrFile(name, contentType, content string) *voxio.File {
	return &voxio.File{Name: name, ContentType: contentType, Reader: strings.NewReader(content)}
}

// TestWire covers every documented endpoint: method, URL, both credential
// headers, content type, every query or multipart field and file part, and
// the decoded result of a fixture built from the docs' samples.
func TestWire(t *testing.T) {
	type tc struct {
		name    string
		method  string
		path    string
		fixture string
		call    func(ctx context.Context, c *voxio.Client) (any, error)
		query   url.Values // nil: no query string at all
		// fields nil: no body at all (GET, DELETE)
		fields url.Values
		files  map[string][]wiretest.File
		check  func(t *testing.T, res any)
	}
	cases := []tc{
		{
			name: "contact list", method: http.MethodGet, path: "/contact/list", fixture: "contact_list.json",
			call: func(ctx context.Context, c *voxio.Client) (any, error) {
				return c.Contacts.List(ctx, &voxio.ContactListParams{Page: 2, Paginate: 2, Search: "דנה", WhatsAppAccountID: 24, FromNumber: "6281234567890"})
			},
			query: url.Values{"page": {"2"}, "paginate": {"2"}, "search": {"דנה"}, "whatsapp_account_id": {"24"}, "from_number": {"6281234567890"}},
			check: func(t *testing.T, res any) {
				r := res.(*voxio.ContactList)
				assert.Equal(t, "success", r.Status)
				assert.Equal(t, "contact-list", r.Remark)
				assert.Equal(t, []string{"Contact data fetched successfully."}, r.Messages)
				require.Len(t, r.Contacts, 2)
				a := r.Contacts[0]
				assert.Equal(t, int64(7), a.ID)
				assert.Equal(t, "דנה", a.FirstName)
				assert.Equal(t, "כהן", a.LastName)
				assert.Equal(t, "דנה כהן", a.FullName())
				assert.Equal(t, "972", a.MobileCode)
				assert.Equal(t, "521234567", a.Mobile)
				assert.Equal(t, "תל אביב", a.City)
				assert.Equal(t, "", a.State)
				assert.Equal(t, "6100000", a.PostCode)
				assert.Equal(t, "רחוב הרצל 1", a.Address)
				assert.Equal(t, "", a.ProfileImage, `"null" is no image`)
				assert.Equal(t, int64(24), a.WhatsAppAccountID)
				assert.Equal(t, time.Date(2026, 6, 16, 7, 30, 0, 0, time.UTC), a.CreatedAt.UTC())
				assert.Equal(t, time.Date(2026, 6, 16, 7, 45, 0, 0, time.UTC), a.UpdatedAt)
				assert.Contains(t, string(a.Raw()), `"user_id": 11`)
				b := r.Contacts[1]
				assert.Equal(t, int64(8), b.ID)
				assert.Equal(t, "Doe 🚀", b.LastName)
				assert.Equal(t, "62", b.MobileCode)
				assert.Equal(t, "85712345678", b.Mobile)
				assert.Equal(t, "Jl. Sudirman 1", b.Address)
				assert.Equal(t, "Jakarta", b.City)
				assert.Equal(t, "10220", b.PostCode)
				assert.Equal(t, voxio.Pagination{CurrentPage: 1, LastPage: 2, PerPage: 2, Total: 3, From: 1, To: 2,
					NextPageURL:  "https://www.voxio.chat/external-api/contact/list?page=2",
					FirstPageURL: "https://www.voxio.chat/external-api/contact/list?page=1",
					LastPageURL:  "https://www.voxio.chat/external-api/contact/list?page=2",
					Path:         "https://www.voxio.chat/external-api/contact/list"}, r.Pagination)
				assert.True(t, r.Pagination.HasMore())
				assert.Contains(t, string(r.Raw()), `"contact-list"`)
			},
		},
		{
			name: "contact store", method: http.MethodPost, path: "/contact/store", fixture: "contact_store.json",
			call: func(ctx context.Context, c *voxio.Client) (any, error) {
				return c.Contacts.Create(ctx, voxio.ContactParams{
					FirstName: "John", LastName: "Doe", MobileCode: "62", Mobile: "85712345678",
					City: "ירושלים", State: "ירושלים", PostCode: "9100000", Address: "רחוב יפו 12 🏠",
					ProfileImage:      ptrFile("פרופיל.png", "", "\x89PNG fake"),
					WhatsAppAccountID: 24, FromNumber: "6281234567890",
				})
			},
			fields: url.Values{"firstname": {"John"}, "lastname": {"Doe"}, "mobile_code": {"62"}, "mobile": {"85712345678"},
				"city": {"ירושלים"}, "state": {"ירושלים"}, "post_code": {"9100000"}, "address": {"רחוב יפו 12 🏠"},
				"whatsapp_account_id": {"24"}, "from_number": {"6281234567890"}},
			files: map[string][]wiretest.File{"profile_image": {{Name: "פרופיל.png", ContentType: "image/png", Content: []byte("\x89PNG fake")}}},
			check: func(t *testing.T, res any) {
				r := res.(*voxio.ContactResult)
				assert.Equal(t, "contact_created", r.Remark)
				require.NotNil(t, r.Contact)
				assert.Equal(t, int64(55), r.Contact.ID)
				assert.Equal(t, "ירושלים", r.Contact.City)
				assert.Equal(t, int64(24), r.Contact.WhatsAppAccountID)
				assert.Equal(t, time.Date(2026, 6, 16, 14, 30, 0, 0, time.UTC), r.Contact.CreatedAt)
			},
		},
		{
			name: "contact store, docs sample", method: http.MethodPost, path: "/contact/store", fixture: "contact_store.json",
			call: func(ctx context.Context, c *voxio.Client) (any, error) {
				return c.Contacts.Create(ctx, voxio.ContactParams{FirstName: "John", LastName: "Doe", MobileCode: "62", Mobile: "85712345678", WhatsAppAccountID: 24})
			},
			fields: url.Values{"firstname": {"John"}, "lastname": {"Doe"}, "mobile_code": {"62"}, "mobile": {"85712345678"}, "whatsapp_account_id": {"24"}},
			files:  map[string][]wiretest.File{},
			check:  func(t *testing.T, res any) { assert.NotNil(t, res.(*voxio.ContactResult).Contact) },
		},
		{
			name: "contact update", method: http.MethodPost, path: "/contact/update/55", fixture: "contact_update.json",
			call: func(ctx context.Context, c *voxio.Client) (any, error) {
				return c.Contacts.Update(ctx, 55, voxio.ContactParams{FirstName: "יוסי", LastName: "Doe", MobileCode: "62", Mobile: "85712345678", WhatsAppAccountID: 24})
			},
			fields: url.Values{"firstname": {"יוסי"}, "lastname": {"Doe"}, "mobile_code": {"62"}, "mobile": {"85712345678"}, "whatsapp_account_id": {"24"}},
			files:  map[string][]wiretest.File{},
			check: func(t *testing.T, res any) {
				r := res.(*voxio.ContactResult)
				require.NotNil(t, r.Contact)
				assert.Equal(t, "יוסי", r.Contact.FirstName)
				assert.Equal(t, int64(55), r.Contact.ID)
			},
		},
		{
			name: "contact delete", method: http.MethodDelete, path: "/contact/delete/55", fixture: "contact_delete.json",
			call: func(ctx context.Context, c *voxio.Client) (any, error) { return c.Contacts.Delete(ctx, 55) },
			check: func(t *testing.T, res any) {
				r := res.(*voxio.Result)
				assert.Equal(t, "contact_deleted", r.Remark)
				assert.Equal(t, []string{"Contact deleted successfully"}, r.Messages)
			},
		},
		{
			name: "conversation list", method: http.MethodGet, path: "/inbox/conversation-list", fixture: "conversation_list.json",
			call: func(ctx context.Context, c *voxio.Client) (any, error) {
				return c.Inbox.Conversations(ctx, &voxio.ConversationListParams{Status: voxio.ConversationPending, WhatsAppAccountID: 24, FromNumber: "6281234567890", Page: 2, Paginate: 20})
			},
			query: url.Values{"status": {"2"}, "whatsapp_account_id": {"24"}, "from_number": {"6281234567890"}, "page": {"2"}, "paginate": {"20"}},
			check: func(t *testing.T, res any) {
				r := res.(*voxio.ConversationList)
				require.Len(t, r.Conversations, 2)
				a := r.Conversations[0]
				assert.Equal(t, int64(101), a.ID)
				assert.Equal(t, voxio.ConversationPending, a.Status)
				assert.Equal(t, int64(55), a.ContactID)
				assert.Equal(t, int64(24), a.WhatsAppAccountID)
				require.NotNil(t, a.Contact)
				assert.Equal(t, "שם", a.Contact.LastName)
				require.NotNil(t, a.LastMessage)
				assert.Equal(t, "שלום, מה שלומך? 😀", a.LastMessage.Text)
				assert.Equal(t, voxio.MessageRead, a.LastMessage.Status)
				assert.Equal(t, time.Unix(1781595000, 0).UTC(), a.LastMessage.CreatedAt)
				b := r.Conversations[1]
				assert.Equal(t, voxio.ConversationDone, b.Status)
				assert.Nil(t, b.Contact)
				assert.Equal(t, 2, r.Pagination.CurrentPage)
				assert.False(t, r.Pagination.HasMore())
				assert.Equal(t, 22, r.Pagination.Total)
			},
		},
		{
			name: "conversation list, no filter", method: http.MethodGet, path: "/inbox/conversation-list", fixture: "conversation_list.json",
			call: func(ctx context.Context, c *voxio.Client) (any, error) { return c.Inbox.Conversations(ctx, nil) },
			check: func(t *testing.T, res any) {
				assert.Len(t, res.(*voxio.ConversationList).Conversations, 2)
			},
		},
		{
			name: "conversation messages", method: http.MethodGet, path: "/inbox/conversation-messages/101", fixture: "conversation_messages.json",
			call: func(ctx context.Context, c *voxio.Client) (any, error) { return c.Inbox.ConversationMessages(ctx, 101) },
			check: func(t *testing.T, res any) {
				r := res.(*voxio.ConversationMessages)
				require.NotNil(t, r.Conversation)
				assert.Equal(t, voxio.ConversationImportant, r.Conversation.Status)
				require.NotNil(t, r.Contact)
				assert.Equal(t, "Customer Name", r.Contact.FullName())
				require.Len(t, r.Messages, 2)
				m := r.Messages[0]
				assert.Equal(t, int64(9001), m.ID)
				assert.Equal(t, int64(101), m.ConversationID)
				assert.Equal(t, "text", m.Type)
				assert.Equal(t, "שלום 👋", m.Text)
				assert.Equal(t, "inbound", m.Direction)
				assert.Equal(t, voxio.MessageRead, m.Status)
				assert.Equal(t, "wamid.xxx", m.ProviderMessageID)
				assert.Equal(t, time.Date(2026, 6, 16, 7, 30, 0, 0, time.UTC), m.CreatedAt.UTC())
				assert.Equal(t, voxio.MessageFailed, r.Messages[1].Status)
				assert.Equal(t, int64(101), r.Messages[1].ConversationID)
				assert.Contains(t, string(r.Messages[1].Raw()), "media_url")
				assert.False(t, r.Pagination.HasMore())
			},
		},
		{
			name: "conversation details", method: http.MethodGet, path: "/inbox/conversation-details/2", fixture: "conversation_details.json",
			call: func(ctx context.Context, c *voxio.Client) (any, error) { return c.Inbox.ConversationDetails(ctx, 2) },
			check: func(t *testing.T, res any) {
				r := res.(*voxio.ConversationDetails)
				require.NotNil(t, r.Conversation)
				assert.Equal(t, int64(2), r.Conversation.ID)
				require.NotNil(t, r.Contact)
				assert.Equal(t, int64(55), r.Contact.ID)
				require.Len(t, r.Notes, 1)
				assert.Equal(t, "התקשר מחר", r.Notes[0].Note)
				require.Len(t, r.Tags, 2)
				assert.Equal(t, "לקוח VIP ⭐", r.Tags[0].Name)
				assert.Equal(t, "new", r.Tags[1].Name)
				require.Len(t, r.Lists, 1)
				assert.Equal(t, "Newsletter", r.Lists[0].Name)
			},
		},
		{
			name: "change conversation status, docs sample", method: http.MethodPost, path: "/inbox/change-conversation-status/2", fixture: "change_status.json",
			call: func(ctx context.Context, c *voxio.Client) (any, error) {
				return c.Inbox.ChangeConversationStatus(ctx, 2, voxio.ConversationDone)
			},
			fields: url.Values{"status": {"1"}},
			files:  map[string][]wiretest.File{},
			check:  func(t *testing.T, res any) { assert.Equal(t, "status_changed", res.(*voxio.Result).Remark) },
		},
		{
			name: "change conversation status to reset sends 0", method: http.MethodPost, path: "/inbox/change-conversation-status/2", fixture: "change_status.json",
			call: func(ctx context.Context, c *voxio.Client) (any, error) {
				return c.Inbox.ChangeConversationStatus(ctx, 2, voxio.ConversationReset)
			},
			fields: url.Values{"status": {"0"}},
			files:  map[string][]wiretest.File{},
		},
		{
			name: "send message, docs sample", method: http.MethodPost, path: "/inbox/send-message", fixture: "send_message.json",
			call: func(ctx context.Context, c *voxio.Client) (any, error) {
				return c.Messages.Send(ctx, voxio.SendMessageParams{
					Recipient: voxio.Recipient{MobileCode: "880", Mobile: "1712345678", FromNumber: "6281234567890"},
					Message:   "Hello world",
				})
			},
			fields: url.Values{"mobile_code": {"880"}, "mobile": {"1712345678"}, "message": {"Hello world"}, "from_number": {"6281234567890"}},
			files:  map[string][]wiretest.File{},
			check: func(t *testing.T, res any) {
				r := res.(*voxio.SendResult)
				assert.Equal(t, "success", r.Remark)
				assert.Equal(t, []string{"Message sent successfully"}, r.Messages)
				assert.Equal(t, int64(123), r.ConversationID)
				require.NotNil(t, r.Message)
				assert.Equal(t, int64(456), r.Message.ID)
				assert.Equal(t, voxio.MessageSent, r.Message.Status)
				assert.Equal(t, int64(123), r.Message.ConversationID)
			},
		},
		{
			name: "send message, every field", method: http.MethodPost, path: "/inbox/send-message", fixture: "send_message.json",
			call: func(ctx context.Context, c *voxio.Client) (any, error) {
				return c.Messages.Send(ctx, voxio.SendMessageParams{
					Recipient: voxio.Recipient{MobileCode: "972", Mobile: "521234567", FromNumber: "6281234567890", WhatsAppAccountID: 24},
					Message:   "שלום 👋 — הנה המסמכים",
					Image:     ptrFile("תמונה.jpg", "", "jpeg-bytes"),
					Document:  ptrFile("חשבונית.pdf", "", "%PDF-1.7"),
					Video:     ptrFile("clip.mp4", "", "mp4-bytes"),
					Audio:     &voxio.File{Name: "voice.ogg", ContentType: "audio/ogg", Reader: bytes.NewReader([]byte("ogg-bytes"))},
					Location:  &voxio.Location{Latitude: 32.0853, Longitude: 34.781768, Name: "מגדלי עזריאלי", Address: "דרך מנחם בגין 132, תל אביב"},
					CTAURLID:  7, InteractiveListID: 8,
					Product:          map[string]any{"id": 99, "name": "חולצה 👕"},
					CreatedOrderData: `{"order_id":1001,"total":"49.90"}`,
				})
			},
			fields: url.Values{"mobile_code": {"972"}, "mobile": {"521234567"}, "from_number": {"6281234567890"}, "whatsapp_account_id": {"24"},
				"message": {"שלום 👋 — הנה המסמכים"}, "latitude": {"32.0853"}, "longitude": {"34.781768"},
				"name": {"מגדלי עזריאלי"}, "address": {"דרך מנחם בגין 132, תל אביב"}, "cta_url_id": {"7"}, "interactive_list_id": {"8"},
				"product": {`{"id":99,"name":"חולצה 👕"}`}, "created_order_data": {`{"order_id":1001,"total":"49.90"}`}},
			files: map[string][]wiretest.File{
				"image":    {{Name: "תמונה.jpg", ContentType: "image/jpeg", Content: []byte("jpeg-bytes")}},
				"document": {{Name: "חשבונית.pdf", ContentType: "application/pdf", Content: []byte("%PDF-1.7")}},
				"video":    {{Name: "clip.mp4", ContentType: "video/mp4", Content: []byte("mp4-bytes")}},
				"audio":    {{Name: "voice.ogg", ContentType: "audio/ogg", Content: []byte("ogg-bytes")}},
			},
			check: func(t *testing.T, res any) { assert.Equal(t, int64(456), res.(*voxio.SendResult).Message.ID) },
		},
		{
			name: "send location at 0,0", method: http.MethodPost, path: "/inbox/send-message", fixture: "send_message.json",
			call: func(ctx context.Context, c *voxio.Client) (any, error) {
				return c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "85712345678"}, Location: &voxio.Location{}})
			},
			fields: url.Values{"mobile_code": {"62"}, "mobile": {"85712345678"}, "latitude": {"0"}, "longitude": {"0"}},
			files:  map[string][]wiretest.File{},
		},
		{
			name: "send template, docs sample", method: http.MethodPost, path: "/inbox/send-template-message", fixture: "send_template.json",
			call: func(ctx context.Context, c *voxio.Client) (any, error) {
				return c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{
					Recipient:  voxio.Recipient{MobileCode: "880", Mobile: "1712345678", FromNumber: "6281234567890", WhatsAppAccountID: 24},
					TemplateID: 12,
				})
			},
			fields: url.Values{"mobile_code": {"880"}, "mobile": {"1712345678"}, "template_id": {"12"}, "from_number": {"6281234567890"}, "whatsapp_account_id": {"24"}},
			files:  map[string][]wiretest.File{},
			check: func(t *testing.T, res any) {
				r := res.(*voxio.SendResult)
				assert.Equal(t, voxio.RemarkTemplateSent, r.Remark)
				assert.Equal(t, int64(123), r.ConversationID)
				assert.Nil(t, r.Message)
			},
		},
		{
			name: "template list", method: http.MethodGet, path: "/inbox/template-list", fixture: "template_list.json",
			call: func(ctx context.Context, c *voxio.Client) (any, error) {
				return c.Templates.List(ctx, &voxio.TemplateListParams{WhatsAppAccountID: 24, FromNumber: "6281234567890", ConversationID: 101})
			},
			query: url.Values{"whatsapp_account_id": {"24"}, "from_number": {"6281234567890"}, "conversation_id": {"101"}},
			check: func(t *testing.T, res any) {
				r := res.(*voxio.TemplateList)
				require.Len(t, r.Templates, 2)
				assert.Equal(t, voxio.Template{ID: 12, Name: "order_update", Language: "he", Category: "UTILITY", Status: "APPROVED", WhatsAppAccountID: 24}, withoutRaw(r.Templates[0]))
				assert.Equal(t, int64(13), r.Templates[1].ID)
				assert.Equal(t, "welcome_🎉", r.Templates[1].Name)
				assert.Equal(t, "en_US", r.Templates[1].Language)
				assert.Equal(t, "1", r.Templates[1].Status)
				assert.False(t, r.Pagination.HasMore())
			},
		},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.Respond(tt.method, baseURL+tt.path, http.StatusOK, wiretest.Fixture(t, tt.fixture))
			res, err := tt.call(context.Background(), c)
			require.NoError(t, err)
			reqs := m.Requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, tt.method, r.Method)
			assert.True(t, strings.HasPrefix(r.URL, "https://"), r.URL)
			assert.Equal(t, "www.voxio.chat", r.Host)
			assert.Equal(t, "/external-api"+tt.path, r.Path)
			if tt.query == nil {
				assert.NotContains(t, r.URL, "?")
				assert.Empty(t, r.Query)
			} else {
				assert.Equal(t, tt.query, r.Query)
			}
			// Both credential headers, exactly once each, under the keys
			// that go on the wire (the docs' client-id, canonicalised; see
			// TestCredentialHeadersOnTheWire for the bytes).
			assert.Equal(t, []string{testClientID}, r.Header["Client-Id"])
			assert.Equal(t, []string{testClientSecret}, r.Header["Client-Secret"])
			assert.NotContains(t, r.Header, "client-id")
			assert.NotContains(t, r.Header, "client-secret")
			assert.Equal(t, "application/json", r.Header.Get("Accept"))
			assert.Contains(t, r.Header.Get("User-Agent"), "switchboard-go/")
			if tt.fields == nil {
				assert.Empty(t, r.Body)
				assert.Empty(t, r.ContentType)
			} else {
				assert.Equal(t, "multipart/form-data", r.ContentType)
				assert.Equal(t, tt.fields, r.Form)
				assert.Equal(t, tt.files, r.Files)
			}
			if tt.check != nil {
				tt.check(t, res)
			}
		})
	}
}

func withoutRaw(t voxio.Template) voxio.Template {
	t.SetRaw(nil)
	return t
}
