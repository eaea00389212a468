package voitex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSentinelsWithKind pins what each failure matches now that Error.Kind,
// once set, alone decides: the contact rules keep matching the generic
// sentinel they document, and the HTTP status keeps its own sentinel even
// when the message reads like another failure. A 5xx to a send (a delete
// here) may have gone out and matches ErrMaybeDelivered, unless it is 501,
// 505 or a 503 with Retry-After, or its message is a documented rule, which
// proves a refusal; a message that merely reads like a validation failure
// proves nothing.
func TestSentinelsWithKind(t *testing.T) {
	all := []error{ErrRateLimited, ErrUnauthorized, ErrNotFound, ErrValidation, ErrMaybeDelivered,
		ErrPhoneInUse, ErrContactNotFound, ErrLastPhone, ErrLabelNotFound, ErrNoValidPhone}
	cases := []struct {
		status int
		msg    string
		want   []error
	}{
		{200, "contact already exists with phone(s): 7325550184", []error{ErrPhoneInUse, ErrValidation}},
		{200, "Phone 6465557729 belongs to another contact", []error{ErrPhoneInUse, ErrValidation}},
		{200, "No contact found for phone: 7325550184", []error{ErrContactNotFound, ErrNotFound}},
		{200, "Cannot remove the last phone on a contact", []error{ErrLastPhone, ErrValidation}},
		{200, "Invalid label number(s): 9", []error{ErrLabelNotFound, ErrValidation}},
		{200, "No valid phone number provided", []error{ErrNoValidPhone, ErrValidation}},
		{200, "Invalid Auth-Key", []error{ErrUnauthorized}},
		{200, "provide exactly one of to, phones or label", []error{ErrValidation}},
		{200, "something went wrong", nil},
		{400, "No contact found for phone: 7325550184", []error{ErrContactNotFound, ErrNotFound, ErrValidation}},
		{401, "Missing header", []error{ErrUnauthorized, ErrValidation}},
		{403, "Invalid Auth-Key", []error{ErrUnauthorized}},
		{404, "Invalid endpoint", []error{ErrNotFound, ErrValidation}},
		{404, "No contact found for phone: 7325550184", []error{ErrContactNotFound, ErrNotFound}},
		{422, "contact already exists with phone(s): 1", []error{ErrPhoneInUse, ErrValidation}},
		{429, "Too many requests, you must slow down", []error{ErrRateLimited, ErrValidation}},
		{500, "something went wrong", []error{ErrMaybeDelivered}},
		{502, "Bad gateway", []error{ErrMaybeDelivered}},
		{504, "Gateway timeout", []error{ErrMaybeDelivered}},
		{503, "Service unavailable", []error{ErrMaybeDelivered}},
		{500, "body is required", []error{ErrMaybeDelivered}},
		{500, "No contact found for phone: 7325550184", []error{ErrContactNotFound, ErrNotFound}},
		{500, "contact already exists with phone(s): 7325550184", []error{ErrPhoneInUse, ErrValidation}},
		{502, "Invalid Auth-Key", []error{ErrUnauthorized}},
		{501, "Not implemented", nil},
		{505, "HTTP version not supported", nil},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d %s", tc.status, tc.msg), func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"status": "error", "errors": []string{tc.msg}})
			c, m := newMockClient(t, WithRetryMax(0))
			respond(m, tc.status, string(body))
			_, err := c.Contacts.Delete(context.Background(), DeleteContactParams{Phone: "7325550184"})
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.status, e.StatusCode)
			for _, s := range all {
				want := false
				for _, w := range tc.want {
					want = want || w == s
				}
				assert.Equal(t, want, errors.Is(err, s), "errors.Is(%v)", s)
			}
			assert.Equal(t, slices.Contains(tc.want, ErrMaybeDelivered), e.MaybeDelivered)
			assert.Len(t, m.Requests(), 1, "a send is never repeated")
		})
	}

	// The same answers to a read: retried (a select is safe to repeat),
	// and never "maybe delivered".
	for _, status := range []int{500, 502, 503, 504} {
		c, m := newMockClient(t, WithRetryMax(1))
		respond(m, status, `{"status":"error","errors":["something went wrong"]}`)
		_, err := c.Contacts.Select(context.Background(), SelectContactParams{Phone: "7325550184"})
		var e *Error
		require.ErrorAs(t, err, &e, status)
		assert.NotErrorIs(t, err, ErrMaybeDelivered, status)
		assert.Len(t, m.Requests(), 2, "retried: %d", status)
	}

	// The sentinels hold for Notify too, whose envelope lists the numbers
	// it rejected: on a 5xx that list proves the refusal.
	c, m := newMockClient(t, WithRetryMax(0))
	respond(m, 500, `{"request_id":"req_1","status":"failure","invalid":{"5551234567":"unallocated_nanp"},"errors":[]}`)
	_, err := c.Notify.Send(context.Background(), NotifyParams{Type: NotifySMS, CID: "8459511000", To: "5551234567", Body: "x"})
	assert.ErrorIs(t, err, ErrValidation)
	assert.NotErrorIs(t, err, ErrMaybeDelivered)
	respond(m, 500, `{"request_id":"req_2","status":"error","errors":["queue unavailable"]}`)
	_, err = c.Notify.Send(context.Background(), NotifyParams{Type: NotifySMS, CID: "8459511000", To: "8451234567", Body: "x"})
	assert.ErrorIs(t, err, ErrMaybeDelivered)
	assert.NotErrorIs(t, err, ErrValidation)
}

// TestUnreadableSuccess: a 2xx the SDK cannot read means Voitex acted on a
// send, so the error must say "maybe delivered"; a select may simply be
// repeated.
func TestUnreadableSuccess(t *testing.T) {
	ctx := context.Background()
	sends := map[string]struct {
		path string
		call func(*Client) error
	}{
		"upload": {PathUpload, func(c *Client) error {
			_, err := c.Recordings.Upload(ctx, UploadParams{AlbumNumber: 1, File: &File{Name: "a.wav", Reader: http.NoBody}})
			return err
		}},
		"tts": {PathUpload, func(c *Client) error {
			_, err := c.Recordings.CreateTTS(ctx, TTSParams{AlbumNumber: 1, Text: "x"})
			return err
		}},
		"call": {PathCall, func(c *Client) error {
			_, err := c.Calls.Send(ctx, CallParams{CID: "8459511000", To: "8455009999", Type: CallStream, SFileID: "1"})
			return err
		}},
		"sms": {PathSend, func(c *Client) error {
			_, err := c.SMS.Send(ctx, SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
			return err
		}},
		"notify": {PathNotify, func(c *Client) error {
			_, err := c.Notify.Send(ctx, NotifyParams{Type: NotifySMS, CID: "8459511000", To: "8451234567", Body: "x"})
			return err
		}},
		"contact update": {PathContacts, func(c *Client) error {
			_, err := c.Contacts.Update(ctx, UpdateContactParams{Phone: "7325550184", FirstName: String("x")})
			return err
		}},
	}
	for name, tc := range sends {
		t.Run(name, func(t *testing.T) {
			c, m := newMockClient(t)
			respond(m, 200, `Accepted`)
			err := tc.call(c)
			assert.ErrorIs(t, err, ErrMaybeDelivered)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, http.MethodPost, de.Method)
			assert.Equal(t, tc.path, de.Path)
			assert.Equal(t, 200, de.StatusCode)
			assert.Len(t, m.Requests(), 1)
		})
	}
	for _, body := range []string{`Accepted`, `{"status":"success","data":"not a contact"}`} {
		c, m := newMockClient(t)
		respond(m, 200, body)
		_, err := c.Contacts.Select(ctx, SelectContactParams{Phone: "7325550184"})
		var de *DecodeError
		require.ErrorAs(t, err, &de, body)
		assert.NotErrorIs(t, err, ErrMaybeDelivered, body)
		assert.Equal(t, PathContacts, de.Path)
	}
}

// TestBranchRequestWithEncodingJSON decodes the documented sample with
// encoding/json, as a router's binder would.
func TestBranchRequestWithEncodingJSON(t *testing.T) {
	want, err := ParseBranchRequest(readFixture(t, "branch_request.json"))
	require.NoError(t, err)
	var got BranchRequest
	require.NoError(t, json.Unmarshal(readFixture(t, "branch_request.json"), &got))
	assert.Equal(t, want.CallID, got.CallID)
	assert.Nil(t, got.Contact)
	assert.Equal(t, map[string]string{"caller_pin": "123", "var_2": "var_val"}, got.Variables)
	assert.Equal(t, "987", got.Payments[0].CVV.Reveal())
	assert.Equal(t, want.DateTime, got.DateTime)

	var wrapped struct {
		Call *BranchRequest `json:"call"`
		Null BranchRequest  `json:"null"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"call":{"cid":"8459511000","contact_info":{"first_name":"נועה"}},"null":null}`), &wrapped))
	assert.Equal(t, "נועה", wrapped.Call.Contact.FirstName)
	assert.Empty(t, wrapped.Null.CallID)
	assert.Error(t, json.Unmarshal([]byte(`[1]`), &got))
}
