package voitex

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-go/switchboard/internal/wiretest"
)

const (
	multipartType = "multipart/form-data"
	formType      = "application/x-www-form-urlencoded"
)

// TestWire sends every endpoint's documented request and asserts exactly
// what went out (method, host, path, Auth-Key, content type, every field,
// files) and what the documented answer decodes to.
func TestWire(t *testing.T) {
	wav := fixtureFile(t, "hello.wav")
	png := fixtureFile(t, "logo.png")
	at := time.Date(2026, 7, 1, 9, 0, 0, 0, time.FixedZone("EDT", -4*3600))

	cases := []struct {
		name    string
		fixture string
		call    func(ctx context.Context, c *Client) (any, error)
		url     string
		ctype   string
		fields  url.Values
		files   map[string][]wiretest.File
		check   func(t *testing.T, res any)
	}{
		{
			name:    "upload recording",
			fixture: "upload_response.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Recordings.Upload(ctx, UploadParams{AlbumNumber: 1, SortNumber: 5, File: wav(), DisplayName: "Example Recording — הקלטה 🎙"})
			},
			url:    "https://recording.voitexapi.com/upload/",
			ctype:  multipartType,
			fields: url.Values{"album_number": {"1"}, "sort_number": {"5"}, "display_name": {"Example Recording — הקלטה 🎙"}},
			files:  map[string][]wiretest.File{"upload_file": {{Name: "hello.wav", Content: readFixture(t, "hello.wav")}}},
			check: func(t *testing.T, res any) {
				r := res.(*Recording)
				assert.Equal(t, "918357", r.ID)
				assert.JSONEq(t, wiretest.Fixture(t, "upload_response.json"), string(r.Raw()))
			},
		},
		{
			name:    "upload recording with override, auto sort number",
			fixture: "upload_response.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Recordings.Upload(ctx, UploadParams{AlbumNumber: 3, File: &File{Name: "greeting.mp3", Reader: strings.NewReader("ID3fake")}, Override: true})
			},
			url:    "https://recording.voitexapi.com/upload/",
			ctype:  multipartType,
			fields: url.Values{"album_number": {"3"}, "override": {"yes"}},
			files:  map[string][]wiretest.File{"upload_file": {{Name: "greeting.mp3", ContentType: "audio/mpeg", Content: []byte("ID3fake")}}},
			check:  func(t *testing.T, res any) { assert.Equal(t, "918357", res.(*Recording).ID) },
		},
		{
			name:    "create TTS",
			fixture: "tts_response.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Recordings.CreateTTS(ctx, TTSParams{AlbumNumber: 1, SortNumber: 15, Text: "This is a test recording created by the TTS API. שלום 👋"})
			},
			url:    "https://recording.voitexapi.com/upload/",
			ctype:  multipartType,
			fields: url.Values{"album_number": {"1"}, "sort_number": {"15"}, "type": {"tts"}, "text": {"This is a test recording created by the TTS API. שלום 👋"}},
			check:  func(t *testing.T, res any) { assert.Equal(t, "915863", res.(*Recording).ID) },
		},
		{
			name:    "create TTS with override",
			fixture: `{"status":"success","data":915864,"errors":[]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Recordings.CreateTTS(ctx, TTSParams{AlbumNumber: 2, SortNumber: 1, Text: "Hi", Override: true})
			},
			url:    "https://recording.voitexapi.com/upload/",
			ctype:  multipartType,
			fields: url.Values{"album_number": {"2"}, "sort_number": {"1"}, "type": {"tts"}, "text": {"Hi"}, "override": {"yes"}},
			check:  func(t *testing.T, res any) { assert.Equal(t, "915864", res.(*Recording).ID) },
		},
		{
			name:    "notification call goto",
			fixture: "call_response.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Calls.Send(ctx, CallParams{CID: "8459511000", To: "8455009999", Type: CallGoto, RouteNumber: "8459511000", BranchNumber: "8459511000"})
			},
			url:    "https://notify.voitexapi.com/",
			ctype:  multipartType,
			fields: url.Values{"cid": {"8459511000"}, "to": {"8455009999"}, "type": {"goto"}, "route_number": {"8459511000"}, "branch_number": {"8459511000"}},
			check:  func(t *testing.T, res any) { assert.Equal(t, "Sz1gt0IqgVV7HHs", res.(*Call).ReferenceID) },
		},
		{
			name:    "notification call stream",
			fixture: "call_response.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Calls.Send(ctx, CallParams{CID: "8459511000", To: "8455009999", Type: CallStream, SFileID: "918357"})
			},
			url:    "https://notify.voitexapi.com/",
			ctype:  multipartType,
			fields: url.Values{"cid": {"8459511000"}, "to": {"8455009999"}, "type": {"stream"}, "sfile_id": {"918357"}},
			check:  func(t *testing.T, res any) { assert.Equal(t, "Sz1gt0IqgVV7HHs", res.(*Call).ReferenceID) },
		},
		{
			name:    "send SMS (the documented, unescaped sample)",
			fixture: "sms_response.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.SMS.Send(ctx, SMSParams{From: "8459511000", To: "8451234567", Body: "This is a test message body"})
			},
			url:    "https://sms.voitexapi.com/send/",
			ctype:  multipartType,
			fields: url.Values{"from": {"8459511000"}, "to": {"8451234567"}, "body": {"This is a test message body"}},
			check: func(t *testing.T, res any) {
				s := res.(*SMS)
				assert.Equal(t, "8451234567", s.To)
				assert.Equal(t, "8459511000", s.From, "the first of the repeated key is the DID")
				assert.Equal(t, "u7T0um", s.ReferenceID, "the second is the referenceID the prose promises")
				assert.Equal(t, "u7T0um", s.Data["from"], "Data keeps the last of a repeated key")
				assert.Equal(t, "This is a test message body", s.Body)
				assert.Equal(t, DIDTelephone, s.DIDType)
				assert.Equal(t, "TN", s.Data["did_type"])
			},
		},
		{
			name:    "send SMS (escaped data, Hebrew and emoji)",
			fixture: "sms_response_escaped.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.SMS.Send(ctx, SMSParams{From: "8459511000", To: "8451234567", Body: "שלום 👋 מה שלומך?"})
			},
			url:    "https://sms.voitexapi.com/send/",
			ctype:  multipartType,
			fields: url.Values{"from": {"8459511000"}, "to": {"8451234567"}, "body": {"שלום 👋 מה שלומך?"}},
			check: func(t *testing.T, res any) {
				s := res.(*SMS)
				assert.Equal(t, "8459511000", s.From)
				assert.Equal(t, "שלום 👋 מה שלומך?", s.Body)
				assert.Equal(t, DIDTollFree, s.DIDType)
				assert.Equal(t, "u7T0um", s.ReferenceID)
			},
		},
		{
			name:    "create contact",
			fixture: "contact_created.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Contacts.Create(ctx, CreateContactParams{Phones: []string{"7325550184"}, PhoneType: PhoneHome, FirstName: "John", LastName: "Doe", Label: 2})
			},
			url:    "https://contacts.voitexapi.com/",
			ctype:  formType,
			fields: url.Values{"function": {"create"}, "phone": {"7325550184"}, "phone_type": {"H"}, "first_name": {"John"}, "last_name": {"Doe"}, "label": {"2"}},
			check:  func(t *testing.T, res any) { assert.Equal(t, "Contact created", res.(*ContactResult).Message) },
		},
		{
			name:    "create contact with several phones",
			fixture: "contact_created.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Contacts.Create(ctx, CreateContactParams{Phones: []string{"7325550184", "6465557729"}, PhoneType: PhoneMobile, FirstName: "יוסי", LastName: "כהן 😀"})
			},
			url:    "https://contacts.voitexapi.com/",
			ctype:  formType,
			fields: url.Values{"function": {"create"}, "phone": {"7325550184,6465557729"}, "phone_type": {"M"}, "first_name": {"יוסי"}, "last_name": {"כהן 😀"}},
			check:  func(t *testing.T, res any) { assert.Equal(t, "Contact created", res.(*ContactResult).Message) },
		},
		{
			name:    "update contact fields",
			fixture: "contact_updated.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Contacts.Update(ctx, UpdateContactParams{Phone: "7325550184", FirstName: String("John"), LastName: String("Doe"),
					Email: String("john.doe@example.com"), FieldA: String("1234"), Exp: String("2026-02-01")})
			},
			url:    "https://contacts.voitexapi.com/",
			ctype:  formType,
			fields: url.Values{"function": {"update"}, "phone": {"7325550184"}, "first_name": {"John"}, "last_name": {"Doe"}, "email": {"john.doe@example.com"}, "field_a": {"1234"}, "exp": {"2026-02-01"}},
			check:  func(t *testing.T, res any) { assert.Equal(t, "Contact updated", res.(*ContactResult).Message) },
		},
		{
			name:    "update contact: every field, custom fields, clearing",
			fixture: "contact_updated.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Contacts.Update(ctx, UpdateContactParams{Phone: "7325550184", Notes: String("הערה 📝"), Email: String(""),
					FieldB: String("b"), FieldC: String("c"), FieldD: String("d"), FieldE: String("e"), FieldF: String("f"),
					FieldG: String("g"), FieldH: String("h"), FieldI: String("i"), FieldJ: String(""),
					Custom: map[string]string{"address": "1 Main St", "city": ""}})
			},
			url:   "https://contacts.voitexapi.com/",
			ctype: formType,
			fields: url.Values{"function": {"update"}, "phone": {"7325550184"}, "notes": {"הערה 📝"}, "email": {""},
				"field_b": {"b"}, "field_c": {"c"}, "field_d": {"d"}, "field_e": {"e"}, "field_f": {"f"}, "field_g": {"g"},
				"field_h": {"h"}, "field_i": {"i"}, "field_j": {""}, "address": {"1 Main St"}, "city": {""}},
		},
		{
			name:    "update locator phone type",
			fixture: "contact_updated.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Contacts.Update(ctx, UpdateContactParams{Phone: "7325550184", PhoneType: PhoneMobile})
			},
			url:    "https://contacts.voitexapi.com/",
			ctype:  formType,
			fields: url.Values{"function": {"update"}, "phone": {"7325550184"}, "phone_type": {"M"}},
		},
		{
			name:    "add a phone",
			fixture: "contact_updated.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Contacts.Update(ctx, UpdateContactParams{Phone: "7325550184", AddPhone: "6465557729"})
			},
			url:    "https://contacts.voitexapi.com/",
			ctype:  formType,
			fields: url.Values{"function": {"update"}, "phone": {"7325550184"}, "add_phone": {"6465557729"}},
		},
		{
			name:    "add a phone with explicit type",
			fixture: "contact_updated.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Contacts.Update(ctx, UpdateContactParams{Phone: "7325550184", AddPhone: "6465557729", AddPhoneType: PhoneMobile})
			},
			url:    "https://contacts.voitexapi.com/",
			ctype:  formType,
			fields: url.Values{"function": {"update"}, "phone": {"7325550184"}, "add_phone": {"6465557729"}, "add_phone_type": {"M"}},
		},
		{
			name:    "remove a phone",
			fixture: "contact_updated.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Contacts.Update(ctx, UpdateContactParams{Phone: "7325550184", RemovePhone: "6465557729"})
			},
			url:    "https://contacts.voitexapi.com/",
			ctype:  formType,
			fields: url.Values{"function": {"update"}, "phone": {"7325550184"}, "remove_phone": {"6465557729"}},
		},
		{
			name:    "add and remove labels",
			fixture: "contact_updated.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Contacts.Update(ctx, UpdateContactParams{Phone: "7325550184", AddLabels: []int{2, 3, 7}, RemoveLabels: []int{5}})
			},
			url:    "https://contacts.voitexapi.com/",
			ctype:  formType,
			fields: url.Values{"function": {"update"}, "phone": {"7325550184"}, "add_label": {"2,3,7"}, "remove_label": {"5"}},
		},
		{
			name:    "delete contact",
			fixture: "contact_deleted.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Contacts.Delete(ctx, DeleteContactParams{Phone: "7325550184"})
			},
			url:    "https://contacts.voitexapi.com/",
			ctype:  formType,
			fields: url.Values{"function": {"delete"}, "phone": {"7325550184"}},
			check: func(t *testing.T, res any) {
				assert.Equal(t, "Contact deleted successfully", res.(*ContactResult).Message)
			},
		},
		{
			name:    "select contact",
			fixture: "contact_select.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Contacts.Select(ctx, SelectContactParams{Phone: "7325550184"})
			},
			url:    "https://contacts.voitexapi.com/",
			ctype:  formType,
			fields: url.Values{"function": {"select"}, "phone": {"7325550184"}},
			check: func(t *testing.T, res any) {
				c := res.(*Contact)
				assert.Equal(t, "John", c.FirstName)
				assert.Equal(t, "Doe", c.LastName)
				assert.Equal(t, "", c.Exp)
				assert.Equal(t, []ContactPhone{{"7325550184", PhoneHome}, {"6465557729", PhoneMobile}}, c.Phones)
				assert.Equal(t, []int{2, 3, 7}, c.Labels)
				assert.Len(t, c.Fields, 19)
				assert.Contains(t, c.Fields, "field_j")
			},
		},
		{
			name:    "select contact: data as a JSON string, Hebrew, custom field",
			fixture: "contact_select_hebrew.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Contacts.Select(ctx, SelectContactParams{Phone: "7325550184"})
			},
			url:    "https://contacts.voitexapi.com/",
			ctype:  formType,
			fields: url.Values{"function": {"select"}, "phone": {"7325550184"}},
			check: func(t *testing.T, res any) {
				c := res.(*Contact)
				assert.Equal(t, "דוד", c.FirstName)
				assert.Equal(t, "כהן 🎉", c.LastName)
				assert.Equal(t, "לקוח VIP ⭐", c.Notes)
				assert.Equal(t, "2026-02-01", c.Exp)
				assert.Equal(t, "10950", c.Zip)
				assert.Equal(t, "1234", c.FieldA)
				assert.Equal(t, "gold", c.Fields["loyalty_tier"])
				assert.Equal(t, []ContactPhone{{"7325550184", PhoneMobile}}, c.Phones)
				assert.Equal(t, []int{2, 7}, c.Labels)
			},
		},
		{
			name:    "notify SMS to a single number",
			fixture: "notify_single.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Notify.Send(ctx, NotifyParams{Type: NotifySMS, CID: "8459511000", To: "8451234567", Body: "This is a test message"})
			},
			url:    "https://notify.voitexapi.com/notify/",
			ctype:  multipartType,
			fields: url.Values{"type": {"SMS"}, "cid": {"8459511000"}, "to": {"8451234567"}, "body": {"This is a test message"}},
			check: func(t *testing.T, res any) {
				r := res.(*NotifyResult)
				assert.Equal(t, StatusSuccess, r.Status)
				assert.False(t, r.Partial())
				assert.Equal(t, "req_0a1b2c3d4e", r.RequestID)
				assert.Equal(t, "1_S_8451234567_8459511000_2606241530_042", r.BatchID)
				assert.Empty(t, r.GroupID)
				assert.Equal(t, NotifySummary{Route: "single", Type: "SMS", Mode: "single", InvalidCount: 0, RecipientEstimate: 1}, r.Summary)
			},
		},
		{
			name:    "notify SMS to multiple numbers",
			fixture: "notify_group.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Notify.Send(ctx, NotifyParams{Type: NotifySMS, CID: "8459511000", Phones: []string{"8451234567", "8459998888", "8453331111"}, Body: "This is a group message"})
			},
			url:    "https://notify.voitexapi.com/notify/",
			ctype:  multipartType,
			fields: url.Values{"type": {"SMS"}, "cid": {"8459511000"}, "phones": {"8451234567,8459998888,8453331111"}, "body": {"This is a group message"}},
			check: func(t *testing.T, res any) {
				r := res.(*NotifyResult)
				assert.Equal(t, "G2606241530042", r.GroupID)
				require.NotNil(t, r.Summary.ValidCount)
				assert.Equal(t, 25, *r.Summary.ValidCount)
				assert.Equal(t, 25, r.Summary.RecipientEstimate)
				assert.Equal(t, "group", r.Summary.Route)
				assert.Equal(t, "phones", r.Summary.Mode)
			},
		},
		{
			name:    "notify SMS to a contact label",
			fixture: "notify_group.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Notify.Send(ctx, NotifyParams{Type: NotifySMS, CID: "8459511000", Labels: []int{10, 15}, PhoneTypes: []PhoneType{PhoneHome, PhoneMobile}, Body: "This is a label broadcast"})
			},
			url:    "https://notify.voitexapi.com/notify/",
			ctype:  multipartType,
			fields: url.Values{"type": {"SMS"}, "cid": {"8459511000"}, "label": {"10,15"}, "phone_type": {"H,M"}, "body": {"This is a label broadcast"}},
		},
		{
			name:    "notify call: play a recording",
			fixture: "notify_single.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Notify.Send(ctx, NotifyParams{Type: NotifyCall, CID: "8459511000", To: "8451234567", CallType: CallStream, Recording: "my_recording_filename"})
			},
			url:    "https://notify.voitexapi.com/notify/",
			ctype:  multipartType,
			fields: url.Values{"type": {"CALL"}, "cid": {"8459511000"}, "to": {"8451234567"}, "call_type": {"stream"}, "recording": {"my_recording_filename"}},
		},
		{
			name:    "notify call: stream a library file",
			fixture: "notify_single.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Notify.Send(ctx, NotifyParams{Type: NotifyCall, CID: "8459511000", To: "8451234567", CallType: CallStream, SFileID: "918357"})
			},
			url:    "https://notify.voitexapi.com/notify/",
			ctype:  multipartType,
			fields: url.Values{"type": {"CALL"}, "cid": {"8459511000"}, "to": {"8451234567"}, "call_type": {"stream"}, "sfile_id": {"918357"}},
		},
		{
			name:    "notify call: transfer to IVR box",
			fixture: "notify_single.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Notify.Send(ctx, NotifyParams{Type: NotifyCall, CID: "8459511000", To: "8451234567", CallType: CallGoto, BranchNumber: "5", RouteNumber: "8459511000"})
			},
			url:    "https://notify.voitexapi.com/notify/",
			ctype:  multipartType,
			fields: url.Values{"type": {"CALL"}, "cid": {"8459511000"}, "to": {"8451234567"}, "call_type": {"goto"}, "branch_number": {"5"}, "route_number": {"8459511000"}},
		},
		{
			name:    "notify call: goto with greeting, variables and every common field",
			fixture: "notify_group.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Notify.Send(ctx, NotifyParams{Type: NotifyCall, From: "8459511000", Labels: []int{4}, PhoneTypes: []PhoneType{PhoneMobile},
					Title: "תזכורת 📅", ToBeSent: at, DNC: true, Confirm: true, CallType: CallGoto, BranchNumber: "5", RouteNumber: "8459511000",
					Greeting: json.RawMessage(`{"tts":"שלום"}`), Variables: map[string]string{"order": "1234", "lang": "he"}})
			},
			url:   "https://notify.voitexapi.com/notify/",
			ctype: multipartType,
			fields: url.Values{"type": {"CALL"}, "from": {"8459511000"}, "label": {"4"}, "phone_type": {"M"}, "title": {"תזכורת 📅"},
				"to_be_sent": {"2026-07-01 09:00:00"}, "dnc": {"1"}, "confirm": {"1"}, "call_type": {"goto"}, "branch_number": {"5"},
				"route_number": {"8459511000"}, "greeting": {`{"tts":"שלום"}`}, "variables": {`{"lang":"he","order":"1234"}`}},
		},
		{
			name:    "notify scheduled broadcast",
			fixture: "notify_single.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Notify.Send(ctx, NotifyParams{Type: NotifySMS, CID: "8459511000", Phones: []string{"8451234567", "8459998888"}, Body: "This is a scheduled message", ToBeSent: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)})
			},
			url:    "https://notify.voitexapi.com/notify/",
			ctype:  multipartType,
			fields: url.Values{"type": {"SMS"}, "cid": {"8459511000"}, "phones": {"8451234567,8459998888"}, "body": {"This is a scheduled message"}, "to_be_sent": {"2026-07-01 09:00:00"}},
		},
		{
			name:    "notify MMS with attachments and the message alias",
			fixture: "notify_single.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Notify.Send(ctx, NotifyParams{Type: NotifySMS, CID: "8459511000", To: "8451234567", Message: "תמונה 📷", Attachments: []*File{png(), {Name: "note.txt", Reader: strings.NewReader("hi")}}})
			},
			url:    "https://notify.voitexapi.com/notify/",
			ctype:  multipartType,
			fields: url.Values{"type": {"SMS"}, "cid": {"8459511000"}, "to": {"8451234567"}, "message": {"תמונה 📷"}},
			files: map[string][]wiretest.File{"attachments": {
				{Name: "logo.png", ContentType: "image/png", Content: readFixture(t, "logo.png")},
				{Name: "note.txt", Content: []byte("hi")},
			}},
		},
		{
			name:    "notify partial success",
			fixture: "notify_partial.json",
			call: func(ctx context.Context, c *Client) (any, error) {
				// Written with punctuation, sent as 10 digits each. The answer
				// is the documentation's sample, whose "123" the client
				// would refuse before sending; it is decoded as it comes.
				return c.Notify.Send(ctx, NotifyParams{Type: NotifySMS, CID: "+1 845 951 1000", Phones: []string{"8451234567", "(555) 123-4567"}, Body: "hi"})
			},
			url:    "https://notify.voitexapi.com/notify/",
			ctype:  multipartType,
			fields: url.Values{"type": {"SMS"}, "cid": {"8459511000"}, "phones": {"8451234567,5551234567"}, "body": {"hi"}},
			check: func(t *testing.T, res any) {
				r := res.(*NotifyResult)
				assert.True(t, r.Partial())
				assert.Equal(t, map[string]string{"123": "invalid_format", "5551234567": "unallocated_nanp"}, r.Invalid)
				assert.Equal(t, 2, r.Summary.InvalidCount)
				require.NotNil(t, r.Summary.ValidCount)
				assert.Equal(t, 1, *r.Summary.ValidCount)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, m := newMockClient(t)
			body := tc.fixture
			if strings.HasSuffix(body, ".json") {
				body = wiretest.Fixture(t, body)
			}
			respond(m, 200, body)
			res, err := tc.call(context.Background(), c)
			require.NoError(t, err)
			reqs := m.Requests()
			require.Len(t, reqs, 1)
			got := reqs[0]
			assert.Equal(t, "POST", got.Method)
			assert.Equal(t, tc.url, got.URL)
			assert.Equal(t, []string{testKey}, got.Header.Values("Auth-Key"))
			assert.Equal(t, tc.ctype, got.ContentType)
			assert.Equal(t, tc.fields, got.Form)
			if tc.files == nil {
				tc.files = map[string][]wiretest.File{}
			}
			require.Len(t, got.Files, len(tc.files))
			for field, want := range tc.files {
				require.Len(t, got.Files[field], len(want), field)
				for i, w := range want {
					g := got.Files[field][i]
					assert.Equal(t, w.Name, g.Name)
					assert.Equal(t, w.Content, g.Content)
					if w.ContentType != "" {
						assert.Equal(t, w.ContentType, g.ContentType)
					}
				}
			}
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}

// fixtureFile returns a function opening a testdata file for upload, closed
// at the end of the test.
func fixtureFile(t *testing.T, name string) func() *File {
	return func() *File {
		f, err := OpenFile("testdata/" + name)
		require.NoError(t, err)
		t.Cleanup(func() { f.Reader.(interface{ Close() error }).Close() })
		return f
	}
}
