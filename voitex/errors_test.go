package voitex

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-go/switchboard/internal/wiretest"
)

// TestContactRuleErrors checks that every documented contact rule comes back
// as a typed error, in an HTTP 200 as Voitex sends it.
func TestContactRuleErrors(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		call   func(ctx context.Context, c *Client) error
		rule   error
		kind   error
		code   string
		expect string
	}{
		{"create with a phone in use", wiretest.Fixture(t, "contact_exists.json"),
			func(ctx context.Context, c *Client) error {
				_, err := c.Contacts.Create(ctx, CreateContactParams{Phones: []string{"7325550184"}})
				return err
			}, ErrPhoneInUse, ErrValidation, CodePhoneInUse, "contact already exists with phone(s): 7325550184"},
		{"add_phone belongs to another contact", `{"status":"error","errors":["Phone 6465557729 belongs to another contact"]}`,
			func(ctx context.Context, c *Client) error {
				_, err := c.Contacts.Update(ctx, UpdateContactParams{Phone: "7325550184", AddPhone: "6465557729"})
				return err
			}, ErrPhoneInUse, ErrValidation, CodePhoneInUse, "belongs to another contact"},
		{"update unknown contact", wiretest.Fixture(t, "contact_not_found.json"),
			func(ctx context.Context, c *Client) error {
				_, err := c.Contacts.Update(ctx, UpdateContactParams{Phone: "7325550184", FirstName: String("x")})
				return err
			}, ErrContactNotFound, ErrNotFound, CodeContactNotFound, "No contact found for phone: 7325550184"},
		{"delete unknown contact", wiretest.Fixture(t, "contact_not_found.json"),
			func(ctx context.Context, c *Client) error {
				_, err := c.Contacts.Delete(ctx, DeleteContactParams{Phone: "7325550184"})
				return err
			}, ErrContactNotFound, ErrNotFound, CodeContactNotFound, "No contact found"},
		{"select unknown contact", wiretest.Fixture(t, "contact_not_found.json"),
			func(ctx context.Context, c *Client) error {
				_, err := c.Contacts.Select(ctx, SelectContactParams{Phone: "7325550184"})
				return err
			}, ErrContactNotFound, ErrNotFound, CodeContactNotFound, "No contact found"},
		// "abc" is now refused before sending (TestPhoneValidation); Voitex
		// may still judge a well-formed number invalid.
		{"select without a valid phone", wiretest.Fixture(t, "contact_no_phone.json"),
			func(ctx context.Context, c *Client) error {
				_, err := c.Contacts.Select(ctx, SelectContactParams{Phone: "2015550123"})
				return err
			}, ErrNoValidPhone, ErrValidation, CodeNoValidPhone, "No valid phone number provided"},
		{"remove the last phone", `{"status":"error","errors":["Cannot remove the last phone on a contact: 7325550184"]}`,
			func(ctx context.Context, c *Client) error {
				_, err := c.Contacts.Update(ctx, UpdateContactParams{Phone: "7325550184", RemovePhone: "7325550184"})
				return err
			}, ErrLastPhone, ErrValidation, CodeLastPhone, "last phone"},
		{"unknown label", `{"status":"error","errors":["Invalid label number(s): 9"]}`,
			func(ctx context.Context, c *Client) error {
				_, err := c.Contacts.Update(ctx, UpdateContactParams{Phone: "7325550184", AddLabels: []int{9}})
				return err
			}, ErrLabelNotFound, ErrValidation, CodeLabelNotFound, "Invalid label number(s): 9"},
		{"label that does not exist on create", `{"status":"error","errors":["Label 42 does not exist"]}`,
			func(ctx context.Context, c *Client) error {
				_, err := c.Contacts.Create(ctx, CreateContactParams{Phones: []string{"7325550184"}, Label: 42})
				return err
			}, ErrLabelNotFound, ErrValidation, CodeLabelNotFound, "Label 42"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, m := newMockClient(t)
			respond(m, 200, tc.body)
			err := tc.call(context.Background(), c)
			require.Error(t, err)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, 200, e.StatusCode)
			assert.Equal(t, tc.code, e.Code)
			assert.ErrorIs(t, err, tc.rule)
			assert.ErrorIs(t, err, tc.kind)
			assert.Contains(t, err.Error(), tc.expect)
			assert.Equal(t, "voitex", e.Vendor)
			for _, other := range []error{ErrPhoneInUse, ErrContactNotFound, ErrLastPhone, ErrLabelNotFound, ErrNoValidPhone} {
				if other != tc.rule {
					assert.NotErrorIs(t, err, other)
				}
			}
		})
	}
}

func TestEnvelopeErrors(t *testing.T) {
	t.Run("upload error in HTTP 200", func(t *testing.T) {
		c, m := newMockClient(t)
		respond(m, 200, `{"status":"error","data":"","errors":["album_number is required","הקובץ אינו נתמך 🙁"]}`)
		_, err := c.Recordings.CreateTTS(context.Background(), TTSParams{AlbumNumber: 1, Text: "x"})
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, []string{"album_number is required", "הקובץ אינו נתמך 🙁"}, e.Messages)
		assert.ErrorIs(t, err, ErrValidation)
		assert.Equal(t, "POST", e.Method)
		assert.Equal(t, "/upload/", e.Path)
	})
	t.Run("call error carries the reference id", func(t *testing.T) {
		c, m := newMockClient(t)
		respond(m, 200, `{"status":"error","reference_id":"Sz1gt0","errors":["to is not a valid number"]}`)
		_, err := c.Calls.Send(context.Background(), CallParams{CID: "8459511000", To: "8455009999", Type: CallGoto, RouteNumber: "8459511000", BranchNumber: "1"})
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "Sz1gt0", e.RequestID)
		assert.Equal(t, "error", e.Code)
	})
	t.Run("bad Auth-Key", func(t *testing.T) {
		c, m := newMockClient(t)
		respond(m, 401, `{"status":"error","errors":["Invalid Auth-Key"]}`)
		_, err := c.SMS.Send(context.Background(), SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
		assert.ErrorIs(t, err, ErrUnauthorized)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, CodeUnauthorized, e.Code)
	})
	t.Run("bad Auth-Key in HTTP 200", func(t *testing.T) {
		c, m := newMockClient(t)
		respond(m, 200, `{"status":"error","errors":["Auth-Key missing or invalid"]}`)
		_, err := c.SMS.Send(context.Background(), SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
		assert.ErrorIs(t, err, ErrUnauthorized)
	})
	t.Run("non-JSON 502", func(t *testing.T) {
		c, m := newMockClient(t)
		respond(m, 502, `<html>Bad Gateway</html>`)
		_, err := c.SMS.Send(context.Background(), SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, 502, e.StatusCode)
		assert.Len(t, m.Requests(), 1, "a send is not retried on 5xx")
	})
}

func TestNotifyFailures(t *testing.T) {
	t.Run("error", func(t *testing.T) {
		c, m := newMockClient(t)
		respond(m, 200, wiretest.Fixture(t, "notify_error.json"))
		_, err := c.Notify.Send(context.Background(), NotifyParams{Type: NotifyCall, CID: "8459511000", To: "8451234567", CallType: CallGoto, BranchNumber: "5", RouteNumber: "8459511000"})
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "req_0a1b2c3d4e", e.RequestID)
		assert.Equal(t, "error", e.Code)
		assert.Equal(t, []string{"call_type must be stream or goto"}, e.Messages)
		assert.ErrorIs(t, err, ErrValidation)
		assert.Contains(t, err.Error(), "request id req_0a1b2c3d4e")
	})
	t.Run("failure lists the invalid numbers", func(t *testing.T) {
		c, m := newMockClient(t)
		respond(m, 200, wiretest.Fixture(t, "notify_failure.json"))
		// Well-formed numbers that Voitex finds unallocated (a malformed
		// one never leaves the client).
		_, err := c.Notify.Send(context.Background(), NotifyParams{Type: NotifySMS, CID: "8459511000", Phones: []string{"2115550123", "5551234567"}, Body: "x"})
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "req_9z8y7x", e.RequestID)
		assert.Equal(t, "failure", e.Code)
		assert.Equal(t, []string{"invalid 2115550123: unallocated_nanp", "invalid 5551234567: unallocated_nanp"}, e.Messages)
		assert.ErrorIs(t, err, ErrValidation)
	})
}

func TestRetries(t *testing.T) {
	t.Run("select is retried on 5xx", func(t *testing.T) {
		c, m := newMockClient(t)
		respond(m, 500, `{"status":"error","errors":["temporary"]}`)
		_, err := c.Contacts.Select(context.Background(), SelectContactParams{Phone: "7325550184"})
		require.Error(t, err)
		assert.Len(t, m.Requests(), 4)
	})
	sends := map[string]func(context.Context, *Client) error{
		"upload": func(ctx context.Context, c *Client) error {
			_, err := c.Recordings.Upload(ctx, UploadParams{AlbumNumber: 1, File: &File{Name: "a.wav", Reader: strings.NewReader("x")}})
			return err
		},
		"tts": func(ctx context.Context, c *Client) error {
			_, err := c.Recordings.CreateTTS(ctx, TTSParams{AlbumNumber: 1, Text: "x"})
			return err
		},
		"call": func(ctx context.Context, c *Client) error {
			_, err := c.Calls.Send(ctx, CallParams{CID: "8459511000", To: "8455009999", Type: CallStream, SFileID: "1"})
			return err
		},
		"sms": func(ctx context.Context, c *Client) error {
			_, err := c.SMS.Send(ctx, SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
			return err
		},
		"notify": func(ctx context.Context, c *Client) error {
			_, err := c.Notify.Send(ctx, NotifyParams{Type: NotifySMS, CID: "8459511000", To: "8451234567", Body: "x"})
			return err
		},
		"contact create": func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.Create(ctx, CreateContactParams{Phones: []string{"7325550184"}})
			return err
		},
	}
	for name, send := range sends {
		t.Run(name+" is not retried on 5xx", func(t *testing.T) {
			c, m := newMockClient(t)
			respond(m, 500, `{"status":"error","errors":["temporary"]}`)
			require.Error(t, send(context.Background(), c))
			assert.Len(t, m.Requests(), 1)
		})
	}
}

func TestNewAndHosts(t *testing.T) {
	for _, key := range []string{"", "   ", " key", "key\n", "ke\x00y"} {
		_, err := New(key)
		var ve *ValidationError
		assert.ErrorAs(t, err, &ve, "%q", key)
		assert.Equal(t, "voitex", ve.Vendor)
	}
	// Every option's refusal names the vendor too.
	for _, o := range []Option{WithRetryMax(99), WithBaseURL("ftp://x"), WithSMSURL("not a url"), WithHTTPClient(nil), WithUserAgent("a\nb")} {
		_, err := New(testKey, o)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.True(t, strings.HasPrefix(err.Error(), "voitex: invalid "), err.Error())
	}
	_, err := OpenFile("testdata")
	assert.EqualError(t, err, "voitex: invalid file: must be a regular file")
	c, m := newMockClient(t, WithBaseURL("http://sandbox.local:8080/v"), WithSMSURL("https://sms.example.net/base"))
	ctx := context.Background()
	_, _ = c.Recordings.CreateTTS(ctx, TTSParams{AlbumNumber: 1, Text: "x"})
	_, _ = c.Calls.Send(ctx, CallParams{CID: "8459511000", To: "8455009999", Type: CallStream, SFileID: "1"})
	_, _ = c.Notify.Send(ctx, NotifyParams{Type: NotifySMS, CID: "8459511000", To: "8451234567", Body: "x"})
	_, _ = c.SMS.Send(ctx, SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
	_, _ = c.Contacts.Delete(ctx, DeleteContactParams{Phone: "7325550184"})
	var urls []string
	for _, r := range m.Requests() {
		urls = append(urls, r.URL)
	}
	assert.Equal(t, []string{
		"http://sandbox.local:8080/v/upload/",
		"http://sandbox.local:8080/v/",
		"http://sandbox.local:8080/v/notify/",
		"https://sms.example.net/base/send/",
		"http://sandbox.local:8080/v/",
	}, urls)

	c2, m2 := newMockClient(t, WithRecordingURL("https://r.example"), WithNotifyURL("https://n.example"), WithContactsURL("https://c.example"))
	_, _ = c2.Recordings.CreateTTS(ctx, TTSParams{AlbumNumber: 1, Text: "x"})
	_, _ = c2.Notify.Send(ctx, NotifyParams{Type: NotifySMS, CID: "8459511000", To: "8451234567", Body: "x"})
	_, _ = c2.Contacts.Delete(ctx, DeleteContactParams{Phone: "7325550184"})
	_, _ = c2.SMS.Send(ctx, SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
	urls = nil
	for _, r := range m2.Requests() {
		urls = append(urls, r.URL)
	}
	assert.Equal(t, []string{"https://r.example/upload/", "https://n.example/notify/", "https://c.example/", "https://sms.voitexapi.com/send/"}, urls)
}

func TestAuthKeyNeverPrinted(t *testing.T) {
	c, m := newMockClient(t)
	respond(m, 401, `{"status":"error","errors":["Invalid Auth-Key `+testKey+`"],"auth_key":"`+testKey+`"}`)
	_, err := c.SMS.Send(context.Background(), SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
	require.Error(t, err)
	var e *Error
	require.ErrorAs(t, err, &e)
	for _, s := range []string{err.Error(), fmt.Sprintf("%v %+v %#v", err, err, err), string(e.Body), fmt.Sprintf("%v %+v %#v %s", c, c, c, c)} {
		assert.NotContains(t, s, testKey)
	}
	assert.Equal(t, "voitex.Client", fmt.Sprint(c))

	// After a rotation both keys stay secret and the new one is sent.
	require.NoError(t, c.SetAuthKey("new-key-0987654321"))
	respond(m, 200, `{"status":"success","data":"1"}`)
	_, err = c.SMS.Send(context.Background(), SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
	require.NoError(t, err)
	assert.Equal(t, "new-key-0987654321", m.Last().Header.Get("Auth-Key"))
	assert.Error(t, c.SetAuthKey(" "))
	assert.True(t, errors.Is(c.SetAuthKey(""), ErrValidation))
}
