package voxiotest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// TestConfiguredCredentialsAndRelay: WithCredentials, WithRelaySecret,
// WithRelayURL and WithRelayHTTPClient change what the sandbox accepts and
// how it signs and sends deliveries.
func TestConfiguredCredentialsAndRelay(t *testing.T) {
	const id, secret, relaySecret = "acct-id-1", "acct-secret-1", "relay-secret-1"
	k := &sink{}
	cfg := voxio.RelayConfig{RelaySecret: relaySecret, ClientID: id, ClientSecret: secret}
	h, err := voxio.NewRelayHandler(cfg, k.add)
	require.NoError(t, err)
	ts := httptest.NewServer(h)
	defer ts.Close()
	hc := &http.Client{Timeout: 5 * time.Second}

	s := voxiotest.NewServer(voxiotest.WithCredentials(voxio.Credentials{ClientID: id, ClientSecret: secret}), voxiotest.WithRelaySecret(relaySecret),
		voxiotest.WithRelayURL(ts.URL), voxiotest.WithRelayHTTPClient(hc))
	defer s.Close()

	c, err := s.NewClient()
	require.NoError(t, err)
	_, err = c.Contacts.List(context.Background(), nil)
	require.NoError(t, err, "the configured pair is accepted")

	dflt, err := voxio.New(voxiotest.DefaultClientID, voxiotest.DefaultClientSecret, voxio.WithBaseURL(s.URL))
	require.NoError(t, err)
	_, err = dflt.Contacts.List(context.Background(), nil)
	assert.ErrorIs(t, err, voxio.ErrUnauthorized, "the defaults are not")

	d, err := s.Receive(context.Background(), voxiotest.Inbound{MobileCode: "62", Mobile: "811", Text: "hi"})
	require.NoError(t, err, "signed with the configured relay secret")
	assert.True(t, d.OK())
	assert.Equal(t, id, d.Header.Get(voxio.HeaderRelayClientID))
	assert.Equal(t, secret, d.Header.Get(voxio.HeaderRelayClientSecret))
	require.Len(t, k.all(), 1)
	assert.Equal(t, id, k.all()[0].Info().ClientID)

	all := s.Deliveries()
	require.Len(t, all, 1)
	assert.Equal(t, voxio.EventIncomingMessage, all[0].Event)
	assert.Equal(t, d.Body, all[0].Body)
}

// TestSeveralAccounts: contacts, conversations and templates are scoped
// by whatsapp_account_id or from_number as the docs describe.
func TestSeveralAccounts(t *testing.T) {
	ctx := context.Background()
	s := voxiotest.NewServer(voxiotest.WithAccount(31, "6289999999999"))
	defer s.Close()
	c, err := s.NewClient()
	require.NoError(t, err)

	tid := s.AddTemplate("second_account_hello", "id", "APPROVED", 31)
	pending := s.AddTemplate("draft", "en_US", "PENDING", 0)

	// A contact created on the default account, then written to from the
	// second: it belongs to both scopes through the conversation.
	created, err := c.Contacts.Create(ctx, voxio.ContactParams{FirstName: "Sari", LastName: "Dewi", MobileCode: "62", Mobile: "8111"})
	require.NoError(t, err)
	assert.Equal(t, int64(voxiotest.DefaultWhatsAppAccountID), created.Contact.WhatsAppAccountID)
	_, err = c.Contacts.Create(ctx, voxio.ContactParams{FirstName: "Only", LastName: "Default", MobileCode: "62", Mobile: "8222"})
	require.NoError(t, err)
	sent, err := c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "8111", FromNumber: "6289999999999"}, TemplateID: tid})
	require.NoError(t, err)

	second, err := c.Contacts.List(ctx, &voxio.ContactListParams{WhatsAppAccountID: 31})
	require.NoError(t, err)
	require.Len(t, second.Contacts, 1)
	assert.Equal(t, "Sari", second.Contacts[0].FirstName)
	byNumber, err := c.Contacts.List(ctx, &voxio.ContactListParams{FromNumber: "6289999999999"})
	require.NoError(t, err)
	assert.Len(t, byNumber.Contacts, 1)
	none, err := c.Contacts.List(ctx, &voxio.ContactListParams{FromNumber: "6200000000"})
	require.NoError(t, err)
	assert.Empty(t, none.Contacts, "a number that is not connected scopes to nothing")
	dflt, err := c.Contacts.List(ctx, &voxio.ContactListParams{WhatsAppAccountID: voxiotest.DefaultWhatsAppAccountID, Search: "8222"})
	require.NoError(t, err)
	assert.Len(t, dflt.Contacts, 1)

	convs, err := c.Inbox.Conversations(ctx, &voxio.ConversationListParams{FromNumber: "6289999999999"})
	require.NoError(t, err)
	require.Len(t, convs.Conversations, 1)
	assert.Equal(t, sent.ConversationID, convs.Conversations[0].ID)
	assert.Equal(t, int64(31), convs.Conversations[0].WhatsAppAccountID)

	byConv, err := c.Templates.List(ctx, &voxio.TemplateListParams{ConversationID: sent.ConversationID})
	require.NoError(t, err)
	require.Len(t, byConv.Templates, 1, "the conversation's sender account's templates")
	assert.Equal(t, "second_account_hello", byConv.Templates[0].Name)
	_, err = c.Templates.List(ctx, &voxio.TemplateListParams{ConversationID: 999})
	assert.ErrorIs(t, err, voxio.ErrNotFound)

	// A template of another account, an unknown one, and one not approved.
	to := voxio.Recipient{MobileCode: "62", Mobile: "8111"}
	_, err = c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{Recipient: to, TemplateID: tid})
	assert.ErrorIs(t, err, voxio.ErrNotFound, "template belongs to the selected sender account only")
	_, err = c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{Recipient: to, TemplateID: 999})
	assert.ErrorIs(t, err, voxio.ErrNotFound)
	_, err = c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{Recipient: to, TemplateID: pending})
	assert.ErrorIs(t, err, voxio.ErrValidation, "only approved templates can be sent")
	_, err = c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "8111", WhatsAppAccountID: 77}, TemplateID: tid})
	assert.ErrorIs(t, err, voxio.ErrValidation, "unknown sender account")

	// Updating the contact onto the second account moves its scope.
	_, err = c.Contacts.Update(ctx, created.Contact.ID, voxio.ContactParams{FirstName: "Sari", LastName: "Dewi", MobileCode: "62", Mobile: "8111", WhatsAppAccountID: 31})
	require.NoError(t, err)
	_, err = c.Contacts.Update(ctx, 999, voxio.ContactParams{FirstName: "a", LastName: "b", MobileCode: "62", Mobile: "1"})
	assert.ErrorIs(t, err, voxio.ErrNotFound)
}

// TestOtherBodyEncodings: like a Laravel application, the sandbox reads
// urlencoded and JSON bodies as well as multipart.
func TestOtherBodyEncodings(t *testing.T) {
	s := voxiotest.NewServer()
	defer s.Close()
	h := auth()
	h.Set("Content-Type", "application/json")
	code, m := raw(t, s, "POST", "/inbox/send-message", h, strings.NewReader(`{"mobile_code":"62","mobile":"811","message":"שלום","cta_url_id":null,"whatsapp_account_id":24}`))
	assert.Equal(t, 200, code)
	require.Equal(t, "success", m["status"], m)
	msgs := s.SentMessages()
	require.Len(t, msgs, 1)
	assert.Equal(t, "שלום", msgs[0].Text)
	assert.Equal(t, "24", msgs[0].Fields.Get("whatsapp_account_id"))

	code, m = raw(t, s, "POST", "/inbox/send-message", h, strings.NewReader(`{not json`))
	assert.Equal(t, 200, code)
	assert.Equal(t, "validation_error", m["remark"])

	h.Set("Content-Type", "application/x-www-form-urlencoded")
	form := url.Values{"mobile_code": {"62"}, "mobile": {"811"}, "latitude": {"x"}, "cta_url_id": {"abc"}, "product": {"{"}}
	_, m = raw(t, s, "POST", "/inbox/send-message", h, strings.NewReader(form.Encode()))
	assert.Equal(t, "validation_error", m["remark"])
	assert.Contains(t, m["message"], "The latitude and longitude fields are required together.")
	assert.Contains(t, m["message"], "The latitude must be a number.")
	assert.Contains(t, m["message"], "The cta url id must be an integer.")
	assert.Contains(t, m["message"], "The product must be a valid JSON string.")

	h.Set("Content-Type", "multipart/form-data") // no boundary
	_, m = raw(t, s, "POST", "/contact/store", h, strings.NewReader("--x--"))
	assert.Equal(t, "validation_error", m["remark"])

	_, m = raw(t, s, "POST", "/inbox/send-template-message", auth(), nil)
	assert.Equal(t, "validation_error", m["remark"])
	assert.Contains(t, m["message"], "The template id field is required.")
	assert.Contains(t, m["message"], "The mobile code field is required.")
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	_, m = raw(t, s, "POST", "/inbox/send-template-message", h, strings.NewReader("mobile_code=%2B62&mobile=8a&template_id=abc"))
	assert.Contains(t, m["message"], "The template id must be an integer.")
	assert.Contains(t, m["message"], "The mobile code must be a valid numeric country code without the plus (+) sign.")
	assert.Contains(t, m["message"], "The mobile must be a valid mobile number.")

	_, m = raw(t, s, "POST", "/inbox/change-conversation-status/1", h, strings.NewReader(""))
	assert.Contains(t, m["message"], "The status field is required.")
	_, m = raw(t, s, "POST", "/inbox/change-conversation-status/99", h, strings.NewReader("status=1"))
	assert.Equal(t, "not_found", m["remark"])

	_, m = raw(t, s, "GET", "/inbox/conversation-list?status=7", auth(), nil)
	assert.Equal(t, "validation_error", m["remark"])
	for _, p := range []string{"/inbox/conversation-messages/99", "/inbox/conversation-details/99"} {
		_, m = raw(t, s, "GET", p, auth(), nil)
		assert.Equal(t, "not_found", m["remark"], p)
	}

	code, m = raw(t, s, "GET", "/contact/list", http.Header{"client-secret": {voxiotest.DefaultClientSecret}}, nil)
	assert.Equal(t, 200, code)
	assert.Equal(t, []any{"The client id is required"}, m["message"])
}

// TestContactDeletionRules: a contact with messages or a blocked one cannot
// be deleted, as the docs warn.
func TestContactDeletionRules(t *testing.T) {
	ctx := context.Background()
	s := voxiotest.NewServer()
	defer s.Close()
	c, err := s.NewClient()
	require.NoError(t, err)
	sent, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "811"}, Message: "hi"})
	require.NoError(t, err)
	m, ok := s.Message(sent.Message.ID)
	require.True(t, ok)
	_, err = c.Contacts.Delete(ctx, m.ContactID)
	assert.ErrorIs(t, err, voxio.ErrValidation, "has messages")

	quiet, err := c.Contacts.Create(ctx, voxio.ContactParams{FirstName: "a", LastName: "b", MobileCode: "62", Mobile: "822"})
	require.NoError(t, err)
	require.True(t, s.BlockContact(quiet.Contact.ID))
	_, err = c.Contacts.Delete(ctx, quiet.Contact.ID)
	assert.ErrorIs(t, err, voxio.ErrValidation, "blocked")
	assert.False(t, s.BlockContact(999))
	_, err = c.Contacts.Delete(ctx, 999)
	assert.ErrorIs(t, err, voxio.ErrNotFound)

	_, ok = s.Message(999)
	assert.False(t, ok)
	assert.False(t, s.AddNote(999, "x"))
	assert.False(t, s.AddTag(999, "x"))
	assert.False(t, s.AddToList(999, "x"))
}

// TestStatusControlsRefuseWhatVoxioWouldNot: statuses move only for sent
// messages, forward, and need a relay URL to be delivered.
func TestStatusControlsRefuseWhatVoxioWouldNot(t *testing.T) {
	ctx := context.Background()
	s := voxiotest.NewServer()
	defer s.Close()
	_, err := s.AdvanceStatus(ctx, 1)
	assert.ErrorContains(t, err, "no message 1")
	_, err = s.SetMessageStatus(ctx, 1, voxio.MessageFailed)
	assert.ErrorContains(t, err, "no message 1")

	receiver(t, s, nil)
	in, err := s.Receive(ctx, voxiotest.Inbound{MobileCode: "62", Mobile: "811", Text: "hi", WhatsAppAccountID: voxiotest.DefaultWhatsAppAccountID})
	require.NoError(t, err)
	_, err = s.AdvanceStatus(ctx, in.MessageID)
	assert.ErrorContains(t, err, "was received, not sent")
	_, err = s.Receive(ctx, voxiotest.Inbound{MobileCode: "62", Mobile: "811", WhatsAppAccountID: 5})
	assert.ErrorContains(t, err, "unknown WhatsApp account 5")
	_, err = s.Receive(ctx, voxiotest.Inbound{MobileCode: "+62", Mobile: "811"})
	assert.Error(t, err)

	c, err := s.NewClient()
	require.NoError(t, err)
	sent, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "811"}, Message: "hello"})
	require.NoError(t, err)
	ds, err := s.DeliverStatuses(ctx, sent.Message.ID)
	require.NoError(t, err)
	require.Len(t, ds, 3)
	_, err = s.AdvanceStatus(ctx, sent.Message.ID)
	assert.ErrorContains(t, err, "already read")
}

// TestAutoStatusWithoutReceiver: with no relay URL, statuses still move on
// their own, and nothing is delivered.
func TestAutoStatusWithoutReceiver(t *testing.T) {
	s := voxiotest.NewServer(voxiotest.WithAutoStatus(time.Millisecond))
	defer s.Close()
	c, err := s.NewClient()
	require.NoError(t, err)
	sent, err := c.Messages.Send(context.Background(), voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "811"}, Message: "hello"})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		m, _ := s.Message(sent.Message.ID)
		return m.Status == voxio.MessageRead
	}, 2*time.Second, 2*time.Millisecond)
	assert.Empty(t, s.Deliveries())
}

// TestMediaInAnswers: the sandbox reports uploads and locations back in
// the conversation's messages.
func TestMediaInAnswers(t *testing.T) {
	ctx := context.Background()
	s := voxiotest.NewServer()
	defer s.Close()
	c, err := s.NewClient()
	require.NoError(t, err)
	to := voxio.Recipient{MobileCode: "62", Mobile: "811"}
	sent, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: to, Image: &voxio.File{Name: "a.png", Reader: strings.NewReader("png")}})
	require.NoError(t, err)
	_, err = c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: to, Location: &voxio.Location{Latitude: 1.5, Longitude: 2.5}})
	require.NoError(t, err)
	_, err = c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: to, CTAURLID: 4})
	require.NoError(t, err)
	_, err = c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: to, Product: map[string]any{"id": 1}})
	require.NoError(t, err)
	res, err := c.Inbox.ConversationMessages(ctx, sent.ConversationID)
	require.NoError(t, err)
	require.Len(t, res.Messages, 4)
	types := []string{}
	for _, m := range res.Messages {
		types = append(types, m.Type)
	}
	assert.Equal(t, []string{"product", "interactive", "location", "image"}, types)
	assert.Contains(t, string(res.Messages[3].Raw()), `"media_file_name":"a.png"`)
	assert.Contains(t, string(res.Messages[2].Raw()), `"latitude":"1.5"`)
	m, _ := s.Message(sent.Message.ID)
	require.Len(t, m.Files, 1)
	assert.Equal(t, int64(3), m.Files[0].Size)
	assert.Equal(t, "image", m.Files[0].Field)
	assert.Equal(t, sha256hex("png"), m.Files[0].SHA256)
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
