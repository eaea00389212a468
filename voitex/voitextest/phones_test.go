package voitextest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
)

// postRaw sends form to path as a hand-written request would, bypassing the
// client's checks, and returns the decoded answer.
func postRaw(t *testing.T, s *voitextest.Server, path string, form url.Values) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(voitex.HeaderAuthKey, voitextest.DefaultAuthKey)
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

// badPhones are numbers the client refuses; the sandbox must refuse them
// too when a request carries them on the wire.
var badPhones = []string{"not-a-phone", "845123987", "84512398761", "845123ABCD", "+442079460958", "442079460958", "0451239876", "1451239876"}

// TestRawRequestsWithBadPhones sends each malformed number in every phone
// field by hand: the sandbox answers Voitex's error envelope and acts on
// nothing, as the client would have refused it before sending. Notify
// recipients are the exception Voitex documents: they are listed in
// invalid as invalid_format, and a send with none left is a failure.
func TestRawRequestsWithBadPhones(t *testing.T) {
	for _, bad := range badPhones {
		t.Run(bad, func(t *testing.T) {
			s := voitextest.NewServer()
			defer s.Close()
			require.NoError(t, s.SeedContact(voitextest.Contact{Phones: []voitex.ContactPhone{{Phone: "7325550184"}}}))
			require.NoError(t, s.SeedRecording(voitextest.Recording{ID: "918357", Album: 1}))
			cases := []struct {
				path string
				form url.Values
			}{
				{"/send/", url.Values{"from": {bad}, "to": {"8451234567"}, "body": {"x"}}},
				{"/send/", url.Values{"from": {"8459511000"}, "to": {bad}, "body": {"x"}}},
				{"/", url.Values{"cid": {bad}, "to": {"8455009999"}, "type": {"stream"}, "sfile_id": {"918357"}}},
				{"/", url.Values{"cid": {"8459511000"}, "to": {bad}, "type": {"stream"}, "sfile_id": {"918357"}}},
				{"/", url.Values{"cid": {"8459511000"}, "to": {"8455009999"}, "type": {"goto"}, "branch_number": {"5"}, "route_number": {bad}}},
				{"/notify/", url.Values{"type": {"SMS"}, "cid": {bad}, "to": {"8451234567"}, "body": {"x"}}},
				{"/notify/", url.Values{"type": {"SMS"}, "from": {bad}, "to": {"8451234567"}, "body": {"x"}}},
				{"/notify/", url.Values{"type": {"CALL"}, "cid": {"8459511000"}, "to": {"8451234567"}, "call_type": {"goto"}, "branch_number": {"5"}, "route_number": {bad}}},
				{"/", url.Values{"function": {"create"}, "phone": {bad}}},
				{"/", url.Values{"function": {"create"}, "phone": {"2015550123," + bad}}},
				{"/", url.Values{"function": {"update"}, "phone": {bad}, "first_name": {"x"}}},
				{"/", url.Values{"function": {"update"}, "phone": {"7325550184"}, "add_phone": {bad}}},
				{"/", url.Values{"function": {"delete"}, "phone": {bad}}},
				{"/", url.Values{"function": {"select"}, "phone": {bad}}},
			}
			for _, tc := range cases {
				out := postRaw(t, s, tc.path, tc.form)
				assert.Equal(t, "error", out["status"], "%s %v", tc.path, tc.form)
				assert.NotEmpty(t, out["errors"], "%s %v", tc.path, tc.form)
			}
			for _, form := range []url.Values{
				{"type": {"SMS"}, "cid": {"8459511000"}, "to": {bad}, "body": {"x"}},
				{"type": {"SMS"}, "cid": {"8459511000"}, "phones": {bad}, "body": {"x"}},
			} {
				out := postRaw(t, s, "/notify/", form)
				assert.Equal(t, "failure", out["status"], "%v", form)
				assert.Equal(t, map[string]any{bad: "invalid_format"}, out["invalid"], "%v", form)
			}
			out := postRaw(t, s, "/notify/", url.Values{"type": {"SMS"}, "cid": {"8459511000"}, "phones": {"8451234567," + bad}, "body": {"x"}})
			assert.Equal(t, "partial_success", out["status"])
			assert.Equal(t, map[string]any{bad: "invalid_format"}, out["invalid"])

			assert.Empty(t, s.SentSMS())
			assert.Empty(t, s.SentCalls())
			assert.Len(t, s.SentNotifications(), 1, "only the partial success")
			assert.Len(t, s.Contacts(), 1)
			ct, ok := s.Contact("7325550184")
			require.True(t, ok)
			assert.Len(t, ct.Phones, 1)
			assert.Error(t, s.SeedContact(voitextest.Contact{Phones: []voitex.ContactPhone{{Phone: bad}}}))
		})
	}
}

// TestClientAndSandboxAgreeOnPhones checks that a number in the form sent
// on the wire (digits only) is accepted by the sandbox exactly when the
// client accepts it, so that a test against the sandbox sees the client's
// rule and a hand-written request sees the same one.
func TestClientAndSandboxAgreeOnPhones(t *testing.T) {
	s := voitextest.NewServer()
	defer s.Close()
	c, err := s.NewClient(voitex.WithRetryMax(0))
	require.NoError(t, err)
	for _, v := range []string{
		"8451239876", "2015550123", "9999999999", "5551234567", "18451239876",
		"0451239876", "1451239876", "845123987", "84512398761", "28451239876", "118451239876", "", "x",
	} {
		_, clientErr := c.SMS.Send(context.Background(), voitex.SMSParams{From: "8459511000", To: v, Body: "x"})
		var ve *voitex.ValidationError
		clientOK := !errors.As(clientErr, &ve)
		if clientOK {
			require.NoError(t, clientErr, v)
		}
		out := postRaw(t, s, "/send/", url.Values{"from": {"8459511000"}, "to": {v}, "body": {"x"}})
		assert.Equal(t, clientOK, out["status"] == "success", "%q: client accepts %v, sandbox answers %v", v, clientOK, out)
	}
}
