package voitex

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-go/switchboard/internal/wiretest"
)

// TestValidation checks that bad input is refused with a *ValidationError
// naming the field, before any request goes out.
func TestValidation(t *testing.T) {
	okSMS := func(mod func(*NotifyParams)) func(context.Context, *Client) error {
		return func(ctx context.Context, c *Client) error {
			p := NotifyParams{Type: NotifySMS, CID: "8459511000", To: "8451234567", Body: "hi"}
			mod(&p)
			_, err := c.Notify.Send(ctx, p)
			return err
		}
	}
	okCall := func(mod func(*NotifyParams)) func(context.Context, *Client) error {
		return func(ctx context.Context, c *Client) error {
			p := NotifyParams{Type: NotifyCall, CID: "8459511000", To: "8451234567", CallType: CallGoto, BranchNumber: "5", RouteNumber: "8459511000"}
			mod(&p)
			_, err := c.Notify.Send(ctx, p)
			return err
		}
	}
	update := func(p UpdateContactParams) func(context.Context, *Client) error {
		return func(ctx context.Context, c *Client) error { _, err := c.Contacts.Update(ctx, p); return err }
	}
	cases := []struct {
		name  string
		field string
		call  func(context.Context, *Client) error
	}{
		// Recordings
		{"upload without album", "album_number", func(ctx context.Context, c *Client) error {
			_, err := c.Recordings.Upload(ctx, UploadParams{File: &File{Name: "a.wav", Reader: strings.NewReader("x")}})
			return err
		}},
		{"upload negative sort", "sort_number", func(ctx context.Context, c *Client) error {
			_, err := c.Recordings.Upload(ctx, UploadParams{AlbumNumber: 1, SortNumber: -1, File: &File{Name: "a.wav", Reader: strings.NewReader("x")}})
			return err
		}},
		{"upload without file", "upload_file", func(ctx context.Context, c *Client) error {
			_, err := c.Recordings.Upload(ctx, UploadParams{AlbumNumber: 1})
			return err
		}},
		{"upload a non-audio file", "upload_file", func(ctx context.Context, c *Client) error {
			_, err := c.Recordings.Upload(ctx, UploadParams{AlbumNumber: 1, File: &File{Name: "a.ogg", Reader: strings.NewReader("x")}})
			return err
		}},
		{"tts without text", "text", func(ctx context.Context, c *Client) error {
			_, err := c.Recordings.CreateTTS(ctx, TTSParams{AlbumNumber: 1, Text: "  "})
			return err
		}},
		{"tts without album", "album_number", func(ctx context.Context, c *Client) error {
			_, err := c.Recordings.CreateTTS(ctx, TTSParams{Text: "x"})
			return err
		}},
		// Notification call
		{"call without cid", "cid", func(ctx context.Context, c *Client) error {
			_, err := c.Calls.Send(ctx, CallParams{To: "8455009999", Type: CallStream, SFileID: "1"})
			return err
		}},
		{"call without to", "to", func(ctx context.Context, c *Client) error {
			_, err := c.Calls.Send(ctx, CallParams{CID: "8459511000", Type: CallStream, SFileID: "1"})
			return err
		}},
		{"call to two numbers", "to", func(ctx context.Context, c *Client) error {
			_, err := c.Calls.Send(ctx, CallParams{CID: "8459511000", To: "1,2", Type: CallStream, SFileID: "1"})
			return err
		}},
		{"call without type", "type", func(ctx context.Context, c *Client) error {
			_, err := c.Calls.Send(ctx, CallParams{CID: "8459511000", To: "8455009999"})
			return err
		}},
		{"call with unknown type", "type", func(ctx context.Context, c *Client) error {
			_, err := c.Calls.Send(ctx, CallParams{CID: "8459511000", To: "8455009999", Type: "ring"})
			return err
		}},
		{"goto without route", "route_number", func(ctx context.Context, c *Client) error {
			_, err := c.Calls.Send(ctx, CallParams{CID: "8459511000", To: "8455009999", Type: CallGoto, BranchNumber: "1"})
			return err
		}},
		{"goto without branch", "branch_number", func(ctx context.Context, c *Client) error {
			_, err := c.Calls.Send(ctx, CallParams{CID: "8459511000", To: "8455009999", Type: CallGoto, RouteNumber: "8459511000"})
			return err
		}},
		{"goto with sfile_id", "sfile_id", func(ctx context.Context, c *Client) error {
			_, err := c.Calls.Send(ctx, CallParams{CID: "8459511000", To: "8455009999", Type: CallGoto, RouteNumber: "8459511000", BranchNumber: "1", SFileID: "2"})
			return err
		}},
		{"stream without sfile_id", "sfile_id", func(ctx context.Context, c *Client) error {
			_, err := c.Calls.Send(ctx, CallParams{CID: "8459511000", To: "8455009999", Type: CallStream})
			return err
		}},
		{"stream with a route", "route_number", func(ctx context.Context, c *Client) error {
			_, err := c.Calls.Send(ctx, CallParams{CID: "8459511000", To: "8455009999", Type: CallStream, SFileID: "1", RouteNumber: "8459511000"})
			return err
		}},
		// SMS
		{"sms without from", "from", func(ctx context.Context, c *Client) error {
			_, err := c.SMS.Send(ctx, SMSParams{To: "8451234567", Body: "x"})
			return err
		}},
		{"sms with padded to", "to", func(ctx context.Context, c *Client) error {
			_, err := c.SMS.Send(ctx, SMSParams{From: "8459511000", To: " 8451234567", Body: "x"})
			return err
		}},
		{"sms without body", "body", func(ctx context.Context, c *Client) error {
			_, err := c.SMS.Send(ctx, SMSParams{From: "8459511000", To: "8451234567"})
			return err
		}},
		// Contacts
		{"create without phone", "phone", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.Create(ctx, CreateContactParams{FirstName: "x"})
			return err
		}},
		{"create with a phone twice", "phone", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.Create(ctx, CreateContactParams{Phones: []string{"7325550184", "7325550184"}})
			return err
		}},
		{"create with a comma inside a phone", "phone", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.Create(ctx, CreateContactParams{Phones: []string{"7325550184,6465557729"}})
			return err
		}},
		{"create with a bad phone type", "phone_type", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.Create(ctx, CreateContactParams{Phones: []string{"7325550184"}, PhoneType: "W"})
			return err
		}},
		{"create with a negative label", "label", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.Create(ctx, CreateContactParams{Phones: []string{"7325550184"}, Label: -1})
			return err
		}},
		{"update without locator", "phone", update(UpdateContactParams{FirstName: String("x")})},
		{"update with nothing to change", "UpdateContactParams", update(UpdateContactParams{Phone: "7325550184"})},
		{"update with a bad phone type", "phone_type", update(UpdateContactParams{Phone: "7325550184", PhoneType: "h"})},
		{"add_phone_type without add_phone", "add_phone_type", update(UpdateContactParams{Phone: "7325550184", AddPhoneType: PhoneMobile})},
		{"add_phone_type invalid", "add_phone_type", update(UpdateContactParams{Phone: "7325550184", AddPhone: "6465557729", AddPhoneType: "X"})},
		{"add_phone two numbers", "add_phone", update(UpdateContactParams{Phone: "7325550184", AddPhone: "1,2"})},
		{"remove the phone being added", "remove_phone", update(UpdateContactParams{Phone: "7325550184", AddPhone: "6465557729", RemovePhone: "6465557729"})},
		{"label zero", "add_label", update(UpdateContactParams{Phone: "7325550184", AddLabels: []int{0}})},
		{"label twice", "remove_label", update(UpdateContactParams{Phone: "7325550184", RemoveLabels: []int{3, 3}})},
		{"custom field shadowing a parameter", "add_phone", update(UpdateContactParams{Phone: "7325550184", Custom: map[string]string{"add_phone": "1"}})},
		{"custom field shadowing a typed field", "email", update(UpdateContactParams{Phone: "7325550184", Custom: map[string]string{"email": "x"}})},
		{"custom field with a bad name", "a b", update(UpdateContactParams{Phone: "7325550184", Custom: map[string]string{"a b": "x"}})},
		{"delete without phone", "phone", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.Delete(ctx, DeleteContactParams{})
			return err
		}},
		{"select without phone", "phone", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.Select(ctx, SelectContactParams{})
			return err
		}},
		// Notify: common
		{"notify without type", "type", okSMS(func(p *NotifyParams) { p.Type = "" })},
		{"notify with a lowercase type", "type", okSMS(func(p *NotifyParams) { p.Type = "sms" })},
		{"notify without cid", "cid", okSMS(func(p *NotifyParams) { p.CID = "" })},
		{"notify with cid and from", "cid", okSMS(func(p *NotifyParams) { p.From = "8459511001" })},
		{"notify without recipients", "to", okSMS(func(p *NotifyParams) { p.To = "" })},
		{"notify with to and phones", "to", okSMS(func(p *NotifyParams) { p.Phones = []string{"8459998888"} })},
		{"notify with to and label", "to", okSMS(func(p *NotifyParams) { p.Labels = []int{1} })},
		{"notify with phones and label", "to", okSMS(func(p *NotifyParams) { p.To = ""; p.Phones = []string{"8459998888"}; p.Labels = []int{1} })},
		{"notify with an empty phone", "phones", okSMS(func(p *NotifyParams) { p.To = ""; p.Phones = []string{"8459998888", ""} })},
		{"notify with a phone twice", "phones", okSMS(func(p *NotifyParams) { p.To = ""; p.Phones = []string{"8459998888", "8459998888"} })},
		{"notify with label zero", "label", okSMS(func(p *NotifyParams) { p.To = ""; p.Labels = []int{0} })},
		{"phone_type without label", "phone_type", okSMS(func(p *NotifyParams) { p.PhoneTypes = []PhoneType{PhoneHome} })},
		{"phone_type invalid", "phone_type", okSMS(func(p *NotifyParams) { p.To = ""; p.Labels = []int{1}; p.PhoneTypes = []PhoneType{"X"} })},
		// Notify: SMS
		{"sms without body", "body", okSMS(func(p *NotifyParams) { p.Body = "" })},
		{"sms with body and message", "body", okSMS(func(p *NotifyParams) { p.Message = "x" })},
		{"sms body over 1000 characters", "body", okSMS(func(p *NotifyParams) { p.Body = strings.Repeat("א", 1001) })},
		{"sms message over 1000 characters", "message", okSMS(func(p *NotifyParams) { p.Body = ""; p.Message = strings.Repeat("👍", 1001) })},
		{"sms with a call field", "call_type", okSMS(func(p *NotifyParams) { p.RouteNumber = "8459511000" })},
		{"sms with variables", "call_type", okSMS(func(p *NotifyParams) { p.Variables = map[string]string{"a": "b"} })},
		{"sms with an empty attachment", "attachments", okSMS(func(p *NotifyParams) { p.Attachments = []*File{{Name: "x.png"}} })},
		// Notify: CALL
		{"call without call_type", "call_type", okCall(func(p *NotifyParams) { p.CallType = "" })},
		{"call with a bad call_type", "call_type", okCall(func(p *NotifyParams) { p.CallType = "ring" })},
		{"call with a body", "body", okCall(func(p *NotifyParams) { p.Body = "x" })},
		{"call with attachments", "attachments", okCall(func(p *NotifyParams) {
			p.Attachments = []*File{{Name: "x.png", Reader: strings.NewReader("x")}}
		})},
		{"goto without branch", "branch_number", okCall(func(p *NotifyParams) { p.BranchNumber = "" })},
		{"goto without route", "route_number", okCall(func(p *NotifyParams) { p.RouteNumber = "" })},
		{"goto with a recording", "recording", okCall(func(p *NotifyParams) { p.Recording = "r" })},
		{"goto with bad greeting JSON", "greeting", okCall(func(p *NotifyParams) { p.Greeting = json.RawMessage(`{bad`) })},
		{"goto with an empty variable name", "variables", okCall(func(p *NotifyParams) { p.Variables = map[string]string{" ": "x"} })},
		{"stream without recording", "recording", okCall(func(p *NotifyParams) { p.CallType = CallStream; p.BranchNumber = ""; p.RouteNumber = "" })},
		{"stream with recording and sfile_id", "recording", okCall(func(p *NotifyParams) {
			p.CallType, p.BranchNumber, p.RouteNumber, p.Recording, p.SFileID = CallStream, "", "", "r", "1"
		})},
		{"stream with a branch", "branch_number", okCall(func(p *NotifyParams) { p.CallType = CallStream; p.Recording = "r" })},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, m := newMockClient(t)
			err := tc.call(context.Background(), c)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Equal(t, "voitex", ve.Vendor)
			assert.True(t, strings.HasPrefix(err.Error(), "voitex: invalid "+tc.field+": "), err.Error())
			assert.ErrorIs(t, err, ErrValidation)
			assert.Empty(t, m.Requests(), "nothing may be sent")
		})
	}
}

func TestNotifyLimitsAccepted(t *testing.T) {
	c, m := newMockClient(t)
	respond(m, 200, wiretest.Fixture(t, "notify_single.json"))
	_, err := c.Notify.Send(context.Background(), NotifyParams{Type: NotifySMS, CID: "8459511000", To: "8451234567", Body: strings.Repeat("👍", MaxNotifyBody)})
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("👍", MaxNotifyBody), m.Last().Form.Get("body"))

	// to_be_sent keeps the wall clock of the time's own zone.
	loc := time.FixedZone("IDT", 3*3600)
	_, err = c.Notify.Send(context.Background(), NotifyParams{Type: NotifySMS, CID: "8459511000", To: "8451234567", Body: "x", ToBeSent: time.Date(2026, 1, 2, 3, 4, 5, 0, loc)})
	require.NoError(t, err)
	assert.Equal(t, "2026-01-02 03:04:05", m.Last().Form.Get("to_be_sent"))
}
