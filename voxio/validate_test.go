package voxio_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/wiretest"
	"github.com/switchboard-go/switchboard/voxio"
)

// oneShot hides everything but Read, so its size is unknown.
type oneShot struct{ io.Reader }

func validContact() voxio.ContactParams {
	return voxio.ContactParams{FirstName: "John", LastName: "Doe", MobileCode: "62", Mobile: "85712345678"}
}

func sendTo() voxio.Recipient { return voxio.Recipient{MobileCode: "62", Mobile: "85712345678"} }

// TestValidationBeforeSending: bad input is a *ValidationError naming the
// documented field, and nothing goes out.
func TestValidationBeforeSending(t *testing.T) {
	big := func(n int64) *voxio.File {
		return &voxio.File{Name: "x", Reader: io.NewSectionReader(zeros{}, 0, n)}
	}
	named := func(name string, n int64) *voxio.File {
		f := big(n)
		f.Name = name
		return f
	}
	cases := []struct {
		name  string
		field string
		call  func(ctx context.Context, c *voxio.Client) error
	}{
		{"contact empty params", "firstname", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Contacts.Create(ctx, voxio.ContactParams{})
			return err
		}},
		{"contact firstname", "firstname", func(ctx context.Context, c *voxio.Client) error {
			p := validContact()
			p.FirstName = " "
			_, err := c.Contacts.Create(ctx, p)
			return err
		}},
		{"contact lastname", "lastname", func(ctx context.Context, c *voxio.Client) error {
			p := validContact()
			p.LastName = ""
			_, err := c.Contacts.Create(ctx, p)
			return err
		}},
		{"contact mobile_code missing", "mobile_code", func(ctx context.Context, c *voxio.Client) error {
			p := validContact()
			p.MobileCode = ""
			_, err := c.Contacts.Update(ctx, 5, p)
			return err
		}},
		{"contact mobile missing", "mobile", func(ctx context.Context, c *voxio.Client) error {
			p := validContact()
			p.Mobile = ""
			_, err := c.Contacts.Create(ctx, p)
			return err
		}},
		{"contact profile image without content", "profile_image", func(ctx context.Context, c *voxio.Client) error {
			p := validContact()
			p.ProfileImage = &voxio.File{Name: "a.png"}
			_, err := c.Contacts.Create(ctx, p)
			return err
		}},
		{"contact negative account", "whatsapp_account_id", func(ctx context.Context, c *voxio.Client) error {
			p := validContact()
			p.WhatsAppAccountID = -1
			_, err := c.Contacts.Create(ctx, p)
			return err
		}},
		{"contact update id", "contactId", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Contacts.Update(ctx, 0, validContact())
			return err
		}},
		{"contact delete id", "contactId", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Contacts.Delete(ctx, -4)
			return err
		}},
		{"contact list page", "page", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Contacts.List(ctx, &voxio.ContactListParams{Page: -1})
			return err
		}},
		{"contact list from_number", "from_number", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Contacts.List(ctx, &voxio.ContactListParams{FromNumber: "+62 812"})
			return err
		}},
		{"conversation list status", "status", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Inbox.Conversations(ctx, &voxio.ConversationListParams{Status: 5})
			return err
		}},
		{"conversation messages id", "conversation_id", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Inbox.ConversationMessages(ctx, 0)
			return err
		}},
		{"conversation details id", "conversation_id", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Inbox.ConversationDetails(ctx, 0)
			return err
		}},
		{"change status to unread", "status", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Inbox.ChangeConversationStatus(ctx, 2, voxio.ConversationUnread)
			return err
		}},
		{"change status negative", "status", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Inbox.ChangeConversationStatus(ctx, 2, -1)
			return err
		}},
		{"send empty", "mobile_code", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{})
			return err
		}},
		{"send plus in mobile_code", "mobile_code", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "+62", Mobile: "85712345678"}, Message: "hi"})
			return err
		}},
		{"send letters in mobile_code", "mobile_code", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "ID", Mobile: "85712345678"}, Message: "hi"})
			return err
		}},
		{"send spaces in mobile", "mobile", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "857 1234"}, Message: "hi"})
			return err
		}},
		{"send no content", "message", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo()})
			return err
		}},
		{"send blank message", "message", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), Message: "  \n"})
			return err
		}},
		{"image too large", "image", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), Image: named("a.jpg", voxio.MaxImageSize+1)})
			return err
		}},
		{"image wrong type", "image", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), Image: named("a.gif", 10)})
			return err
		}},
		{"image type unknown", "image", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), Image: &voxio.File{Reader: strings.NewReader("x")}})
			return err
		}},
		{"image empty", "image", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), Image: &voxio.File{Name: "a.png", Reader: strings.NewReader("")}})
			return err
		}},
		{"video too large", "video", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), Video: named("a.mp4", voxio.MaxVideoSize+1)})
			return err
		}},
		{"video wrong type", "video", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), Video: named("a.mov", 10)})
			return err
		}},
		{"audio too large", "audio", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), Audio: named("a.ogg", voxio.MaxAudioSize+1)})
			return err
		}},
		{"document too large", "document", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), Document: named("a.pdf", voxio.MaxDocumentSize+1)})
			return err
		}},
		{"document wrong type", "document", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), Document: named("a.exe", 10)})
			return err
		}},
		{"document of unknown size", "document", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), Document: &voxio.File{Name: "a.pdf", Reader: oneShot{bytes.NewReader([]byte("x"))}}})
			return err
		}},
		{"latitude out of range", "latitude", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), Location: &voxio.Location{Latitude: 91}})
			return err
		}},
		{"longitude NaN", "longitude", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), Location: &voxio.Location{Longitude: math.NaN()}})
			return err
		}},
		{"negative cta_url_id", "cta_url_id", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), CTAURLID: -1})
			return err
		}},
		{"negative interactive_list_id", "interactive_list_id", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), InteractiveListID: -1})
			return err
		}},
		{"product not JSON", "product", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), Product: "{not json"})
			return err
		}},
		{"created_order_data not encodable", "created_order_data", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: sendTo(), CreatedOrderData: make(chan int)})
			return err
		}},
		{"template empty", "mobile_code", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{})
			return err
		}},
		{"template id", "template_id", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{Recipient: sendTo()})
			return err
		}},
		{"template mobile", "mobile", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Messages.SendTemplate(ctx, voxio.SendTemplateParams{Recipient: voxio.Recipient{MobileCode: "62"}, TemplateID: 3})
			return err
		}},
		{"template list conversation", "conversation_id", func(ctx context.Context, c *voxio.Client) error {
			_, err := c.Templates.List(ctx, &voxio.TemplateListParams{ConversationID: -2})
			return err
		}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			c, m := newMockClient(t)
			err := tt.call(context.Background(), c)
			var ve *voxio.ValidationError
			require.ErrorAs(t, err, &ve, "got %v", err)
			assert.Equal(t, tt.field, ve.Field)
			assert.ErrorIs(t, err, voxio.ErrValidation)
			assert.Zero(t, m.Count(), "nothing may be sent")
		})
	}
}

// zeros is an endless io.ReaderAt of zero bytes.
type zeros struct{}

func (zeros) ReadAt(p []byte, _ int64) (int, error) {
	clear(p)
	return len(p), nil
}

func TestLimitsAreInclusive(t *testing.T) {
	c, m := newMockClient(t)
	m.Respond("POST", baseURL+"/inbox/send-message", 200, wiretest.Fixture(t, "send_message.json"))
	img := &voxio.File{Name: "max.png", Reader: io.NewSectionReader(zeros{}, 0, voxio.MaxImageSize)}
	_, err := c.Messages.Send(context.Background(), voxio.SendMessageParams{Recipient: sendTo(), Image: img})
	require.NoError(t, err)
	// A type given by ContentType is enough when the name has no extension.
	doc := &voxio.File{Name: "report", ContentType: "application/pdf", Reader: strings.NewReader("%PDF")}
	_, err = c.Messages.Send(context.Background(), voxio.SendMessageParams{Recipient: sendTo(), Document: doc})
	require.NoError(t, err)
	assert.Equal(t, 2, m.Count())
	assert.False(t, errors.Is(err, voxio.ErrValidation))
}

func TestOpenFileNamesVoxio(t *testing.T) {
	_, err := voxio.OpenFile(t.TempDir())
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "voxio: invalid file"), err.Error())
}
