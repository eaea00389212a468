package voxio_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

func newSandbox(t *testing.T, opts ...voxiotest.Option) (*voxiotest.Server, *voxio.Client) {
	t.Helper()
	s := voxiotest.NewServer(opts...)
	t.Cleanup(s.Close)
	c, err := s.NewClient()
	require.NoError(t, err)
	return s, c
}

func TestSandboxContactsLifecycle(t *testing.T) {
	ctx := context.Background()
	s, c := newSandbox(t)
	created, err := c.Contacts.Create(ctx, voxio.ContactParams{
		FirstName: "נועה", LastName: "לוי 🌸", MobileCode: "972", Mobile: "541112233", City: "חיפה",
		ProfileImage: &voxio.File{Name: "noa.png", Reader: strings.NewReader("png")},
	})
	require.NoError(t, err)
	require.NotNil(t, created.Contact)
	id := created.Contact.ID
	assert.Equal(t, "לוי 🌸", created.Contact.LastName)
	assert.Equal(t, int64(voxiotest.DefaultWhatsAppAccountID), created.Contact.WhatsAppAccountID)
	assert.NotEmpty(t, created.Contact.ProfileImage)

	// The same number twice is the vendor's validation_error, in HTTP 200.
	_, err = c.Contacts.Create(ctx, voxio.ContactParams{FirstName: "x", LastName: "y", MobileCode: "972", Mobile: "541112233"})
	var e *voxio.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 200, e.StatusCode)
	assert.Equal(t, voxio.RemarkValidationError, e.Code)
	assert.ErrorIs(t, err, voxio.ErrValidation)

	list, err := c.Contacts.List(ctx, &voxio.ContactListParams{Search: "נועה"})
	require.NoError(t, err)
	require.Len(t, list.Contacts, 1)
	assert.Equal(t, "חיפה", list.Contacts[0].City)
	assert.Equal(t, 1, list.Pagination.Total)

	upd, err := c.Contacts.Update(ctx, id, voxio.ContactParams{FirstName: "נועה", LastName: "כהן", MobileCode: "972", Mobile: "541112233", City: "עכו"})
	require.NoError(t, err)
	assert.Equal(t, "עכו", upd.Contact.City)
	assert.Equal(t, "כהן", upd.Contact.LastName)

	_, err = c.Contacts.Update(ctx, 999, voxio.ContactParams{FirstName: "a", LastName: "b", MobileCode: "1", Mobile: "2"})
	assert.ErrorIs(t, err, voxio.ErrNotFound)

	del, err := c.Contacts.Delete(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "contact_deleted", del.Remark)
	_, err = c.Contacts.Delete(ctx, id)
	assert.ErrorIs(t, err, voxio.ErrNotFound)
	assert.Zero(t, s.ContactCount())
}

func TestSandboxContactsPagination(t *testing.T) {
	ctx := context.Background()
	s, c := newSandbox(t)
	for i := 0; i < 45; i++ {
		_, err := c.Contacts.Create(ctx, voxio.ContactParams{FirstName: "איש " + strconv.Itoa(i), LastName: "x", MobileCode: "972", Mobile: strconv.Itoa(500000000 + i)})
		require.NoError(t, err)
	}
	s.ResetLog()
	seen := map[int64]bool{}
	for ct, err := range c.Contacts.ListAll(ctx, &voxio.ContactListParams{Paginate: 20}) {
		require.NoError(t, err)
		seen[ct.ID] = true
	}
	assert.Len(t, seen, 45)
	assert.Equal(t, 3, s.Count(http.MethodGet, "/contact/list"), "three pages, no fourth request")
}

func TestSandboxSendAndInbox(t *testing.T) {
	ctx := context.Background()
	s, c := newSandbox(t)
	sent, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "972", Mobile: "521234567"}, Message: "שלום 👋"})
	require.NoError(t, err)
	require.NotNil(t, sent.Message)
	assert.Equal(t, voxio.MessageSent, sent.Message.Status)
	assert.NotZero(t, sent.ConversationID)

	doc := &voxio.File{Name: "הצעת מחיר.pdf", Reader: strings.NewReader("%PDF-1.7 quote")}
	sent2, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "972", Mobile: "521234567", FromNumber: voxiotest.DefaultFromNumber}, Document: doc, Message: "המסמך"})
	require.NoError(t, err)
	assert.Equal(t, sent.ConversationID, sent2.ConversationID, "same contact, same sender: same conversation")
	m, ok := s.Message(sent2.Message.ID)
	require.True(t, ok)
	require.Len(t, m.Files, 1)
	assert.Equal(t, "הצעת מחיר.pdf", m.Files[0].FileName)
	assert.Equal(t, int64(len("%PDF-1.7 quote")), m.Files[0].Size)
	assert.Equal(t, "document", m.Type)

	var convs []voxio.Conversation
	for cv, err := range c.Inbox.ConversationsAll(ctx, nil) {
		require.NoError(t, err)
		convs = append(convs, cv)
	}
	require.Len(t, convs, 1)
	assert.Equal(t, "521234567", convs[0].Contact.Mobile)
	require.NotNil(t, convs[0].LastMessage)
	assert.Equal(t, "המסמך", convs[0].LastMessage.Text)

	msgs, err := c.Inbox.ConversationMessages(ctx, sent.ConversationID)
	require.NoError(t, err)
	require.Len(t, msgs.Messages, 2)
	assert.Equal(t, "שלום 👋", msgs.Messages[1].Text)
	assert.Equal(t, "outbound", msgs.Messages[0].Direction)
	require.NotNil(t, msgs.Contact)

	_, err = c.Inbox.ChangeConversationStatus(ctx, sent.ConversationID, voxio.ConversationImportant)
	require.NoError(t, err)
	imp, err := c.Inbox.Conversations(ctx, &voxio.ConversationListParams{Status: voxio.ConversationImportant})
	require.NoError(t, err)
	require.Len(t, imp.Conversations, 1)
	assert.Equal(t, voxio.ConversationImportant, imp.Conversations[0].Status)
	done, err := c.Inbox.Conversations(ctx, &voxio.ConversationListParams{Status: voxio.ConversationDone})
	require.NoError(t, err)
	assert.Empty(t, done.Conversations)

	require.True(t, s.AddNote(sent.ConversationID, "להתקשר מחר"))
	require.True(t, s.AddTag(sent.ConversationID, "VIP ⭐"))
	require.True(t, s.AddToList(sent.ConversationID, "Newsletter"))
	det, err := c.Inbox.ConversationDetails(ctx, sent.ConversationID)
	require.NoError(t, err)
	require.NotNil(t, det.Conversation)
	assert.Equal(t, voxio.ConversationImportant, det.Conversation.Status)
	require.Len(t, det.Notes, 1)
	assert.Equal(t, "להתקשר מחר", det.Notes[0].Note)
	require.Len(t, det.Tags, 1)
	assert.Equal(t, "VIP ⭐", det.Tags[0].Name)
	require.Len(t, det.Lists, 1)

	_, err = c.Inbox.ConversationDetails(ctx, 999)
	assert.ErrorIs(t, err, voxio.ErrNotFound)
	_, err = c.Inbox.ConversationMessages(ctx, 999)
	assert.ErrorIs(t, err, voxio.ErrNotFound)

	// A contact with messages cannot be deleted.
	_, err = c.Contacts.Delete(ctx, convs[0].Contact.ID)
	assert.ErrorIs(t, err, voxio.ErrValidation)
}

func TestSandboxTemplates(t *testing.T) {
	ctx := context.Background()
	s, c := newSandbox(t, voxiotest.WithAccount(25, "6289999999999"))
	list, err := c.Templates.List(ctx, &voxio.TemplateListParams{FromNumber: voxiotest.DefaultFromNumber})
	require.NoError(t, err)
	require.Len(t, list.Templates, 3)
	assert.Equal(t, "order_update", list.Templates[0].Name)

	to := voxio.Recipient{MobileCode: "972", Mobile: "521234567"}
	res, err := c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{Recipient: to, TemplateID: voxiotest.TemplateOrderUpdate})
	require.NoError(t, err)
	assert.Equal(t, voxio.RemarkTemplateSent, res.Remark)
	byConv, err := c.Templates.List(ctx, &voxio.TemplateListParams{ConversationID: res.ConversationID})
	require.NoError(t, err)
	assert.Len(t, byConv.Templates, 3)

	_, err = c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{Recipient: to, TemplateID: voxiotest.TemplatePromo})
	assert.ErrorIs(t, err, voxio.ErrValidation, "pending template")
	_, err = c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{Recipient: voxio.Recipient{MobileCode: "972", Mobile: "521234567", WhatsAppAccountID: 25}, TemplateID: voxiotest.TemplateWelcome})
	assert.ErrorIs(t, err, voxio.ErrNotFound, "template of another account")

	s.SetTemplateBalance(0)
	_, err = c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{Recipient: to, TemplateID: voxiotest.TemplateWelcome})
	var e *voxio.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, voxio.RemarkInsufficientBalance, e.Code)
	assert.Equal(t, []string{"Insufficient template balance."}, e.Messages)
}

func TestSandboxVendorAnswers(t *testing.T) {
	ctx := context.Background()
	s, c := newSandbox(t)
	to := voxio.Recipient{MobileCode: "62", Mobile: "85712345678"}

	_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "85712345678", FromNumber: "6200000000"}, Message: "x"})
	assert.ErrorIs(t, err, voxio.ErrValidation, "from_number of no connected account")

	s.SetPlanActive(false)
	_, err = c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: to, InteractiveListID: 3})
	var e *voxio.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "subscription_required", e.Code)
	s.SetPlanActive(true)

	res, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: to, Location: &voxio.Location{Latitude: -6.2, Longitude: 106.816666, Name: "Monas"}})
	require.NoError(t, err)
	m, _ := s.Message(res.Message.ID)
	assert.Equal(t, "location", m.Type)
	assert.Equal(t, "-6.2", m.Fields.Get("latitude"))

	require.True(t, s.BlockContact(m.ContactID))
	_, err = c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: to, Message: "again"})
	assert.ErrorIs(t, err, voxio.ErrValidation, "blocked contact")

	s.SetIPWhitelisted(false)
	_, err = c.Contacts.List(ctx, nil)
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, voxio.ErrUnauthorized)
	assert.Equal(t, "Unauthorized", e.Code)
	assert.Contains(t, e.Messages[0], "whitelisted")

	bad, err := voxio.New(voxiotest.DefaultClientID, "wrong-secret", voxio.WithBaseURL(s.URL))
	require.NoError(t, err)
	s.SetIPWhitelisted(true)
	_, err = bad.Contacts.List(ctx, nil)
	assert.ErrorIs(t, err, voxio.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "wrong-secret")
}

// TestSandboxSendNeverRepeated: a connection dropped after the send was
// written is ErrMaybeDelivered, and the vendor saw exactly one request.
func TestSandboxSendNeverRepeated(t *testing.T) {
	ctx := context.Background()
	to := voxio.Recipient{MobileCode: "62", Mobile: "85712345678"}
	for name, call := range map[string]func(c *voxio.Client) (string, error){
		"send": func(c *voxio.Client) (string, error) {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: to, Message: "once"})
			return "/inbox/send-message", err
		},
		"send with a document": func(c *voxio.Client) (string, error) {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: to, Document: &voxio.File{Name: "a.pdf", Reader: strings.NewReader("%PDF")}})
			return "/inbox/send-message", err
		},
		"send template": func(c *voxio.Client) (string, error) {
			_, err := c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{Recipient: to, TemplateID: voxiotest.TemplateWelcome})
			return "/inbox/send-template-message", err
		},
	} {
		t.Run(name, func(t *testing.T) {
			s, c := newSandbox(t)
			s.DropNext(1)
			path, err := call(c)
			require.Error(t, err)
			assert.ErrorIs(t, err, voxio.ErrMaybeDelivered)
			var re *voxio.RequestError
			require.ErrorAs(t, err, &re)
			assert.True(t, re.MaybeDelivered)
			assert.Equal(t, 1, s.Count(http.MethodPost, path), "sent exactly once")

			// A 500 is not retried either; a 503 with Retry-After is (the
			// vendor refused it without acting).
			s.FailNext(1, 500, `<html>oops</html>`)
			_, err = call(c)
			var e *voxio.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, 500, e.StatusCode)
			assert.Equal(t, 2, s.Count(http.MethodPost, path))

			s.FailNext(1, 503, `{"message":"Service Unavailable"}`)
			_, err = call(c)
			require.NoError(t, err)
			assert.Equal(t, 4, s.Count(http.MethodPost, path))
		})
	}
}

func TestSandboxReadsAreRetried(t *testing.T) {
	s, c := newSandbox(t)
	s.DropNext(1)
	s.FailNext(1, 502, "bad gateway")
	_, err := c.Contacts.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, 3, s.Count(http.MethodGet, "/contact/list"))

	s.DelayNext(1, 2*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Inbox.Conversations(ctx, nil)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
}

// TestSandboxConcurrentSends: one Client shared by many goroutines.
func TestSandboxConcurrentSends(t *testing.T) {
	s, c := newSandbox(t)
	const n = 24
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			_, err := c.Messages.Send(context.Background(), voxio.SendMessageParams{
				Recipient: voxio.Recipient{MobileCode: "62", Mobile: strconv.Itoa(811000 + i%6)},
				Message:   "בדיקה " + strconv.Itoa(i),
			})
			errs <- err
		}()
	}
	for i := 0; i < n; i++ {
		require.NoError(t, <-errs)
	}
	assert.Len(t, s.SentMessages(), n)
	assert.Equal(t, 6, s.ContactCount())
	page, err := c.Inbox.Conversations(context.Background(), nil)
	require.NoError(t, err)
	assert.Len(t, page.Conversations, 6)
}

// TestSandboxAnswerLost: Voxio carried out the request and the answer never
// arrived (DropResponseNext). Sends and creates are not repeated and say
// they may have happened; updates, status changes and reads are repeated,
// which is harmless.
func TestSandboxAnswerLost(t *testing.T) {
	ctx := context.Background()
	to := voxio.Recipient{MobileCode: "62", Mobile: "85712345678"}

	t.Run("send", func(t *testing.T) {
		s, c := newSandbox(t)
		s.DropResponseNext(1)
		_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: to, Message: "exactly once"})
		require.ErrorIs(t, err, voxio.ErrMaybeDelivered)
		assert.Equal(t, 1, s.Count(http.MethodPost, "/inbox/send-message"))
		msgs := s.SentMessages()
		require.Len(t, msgs, 1, "the vendor sent it: the customer has it once")
		assert.Equal(t, "exactly once", msgs[0].Text)
	})
	t.Run("send template", func(t *testing.T) {
		s, c := newSandbox(t)
		s.DropResponseNext(1)
		_, err := c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{Recipient: to, TemplateID: voxiotest.TemplateWelcome})
		require.ErrorIs(t, err, voxio.ErrMaybeDelivered)
		assert.Equal(t, 1, s.Count(http.MethodPost, "/inbox/send-template-message"))
		require.Len(t, s.SentMessages(), 1)
		assert.Equal(t, int64(voxiotest.TemplateWelcome), s.SentMessages()[0].TemplateID)
	})
	t.Run("create contact", func(t *testing.T) {
		s, c := newSandbox(t)
		s.DropResponseNext(1)
		_, err := c.Contacts.Create(ctx, voxio.ContactParams{FirstName: "אבי", LastName: "לוי", MobileCode: "972", Mobile: "501234567"})
		require.ErrorIs(t, err, voxio.ErrMaybeDelivered)
		assert.Equal(t, 1, s.Count(http.MethodPost, "/contact/store"))
		assert.Equal(t, 1, s.ContactCount())
	})
	t.Run("update and change status are repeated", func(t *testing.T) {
		s, c := newSandbox(t)
		sent, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: to, Message: "hi"})
		require.NoError(t, err)
		m, _ := s.Message(sent.Message.ID)

		s.DropResponseNext(1)
		upd, err := c.Contacts.Update(ctx, m.ContactID, voxio.ContactParams{FirstName: "Budi", LastName: "Santoso 🌴", MobileCode: "62", Mobile: "85712345678"})
		require.NoError(t, err)
		assert.Equal(t, "Santoso 🌴", upd.Contact.LastName)
		assert.Equal(t, 2, s.Count(http.MethodPost, "/contact/update/"+strconv.FormatInt(m.ContactID, 10)))

		s.DropNext(1)
		_, err = c.Inbox.ChangeConversationStatus(ctx, sent.ConversationID, voxio.ConversationImportant)
		require.NoError(t, err)
		d, err := c.Inbox.ConversationDetails(ctx, sent.ConversationID)
		require.NoError(t, err)
		assert.Equal(t, voxio.ConversationImportant, d.Conversation.Status)
	})
	t.Run("reads are repeated", func(t *testing.T) {
		s, c := newSandbox(t)
		s.DropResponseNext(2)
		_, err := c.Templates.List(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, 3, s.Count(http.MethodGet, "/inbox/template-list"))
	})
	t.Run("delete whose answer was lost", func(t *testing.T) {
		s, c := newSandbox(t)
		created, err := c.Contacts.Create(ctx, voxio.ContactParams{FirstName: "a", LastName: "b", MobileCode: "62", Mobile: "811"})
		require.NoError(t, err)
		s.DropResponseNext(1)
		_, err = c.Contacts.Delete(ctx, created.Contact.ID)
		assert.ErrorIs(t, err, voxio.ErrNotFound, "the retry finds the contact already gone")
		assert.Equal(t, 0, s.ContactCount())
	})
}
