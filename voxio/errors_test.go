package voxio_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/wiretest"
	"github.com/switchboard-go/switchboard/voxio"
)

func sendText(ctx context.Context, c *voxio.Client) error {
	_, err := c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "62", Mobile: "85712345678"}, Message: "hi"})
	return err
}

// TestVendorErrors: Voxio answers failures with HTTP 200 and
// "status":"error"; each is an *Error whose Code is the remark, and every
// remark the docs list matches exactly the sentinels of its category. Kind
// alone decides once set, so a remark with a category of its own ignores
// the status, and one without ("exception") leaves the status to decide.
func TestVendorErrors(t *testing.T) {
	cases := []struct {
		fixture  string
		status   int
		code     string
		messages []string
		kinds    []error
	}{
		{"error_client_secret_required.json", 200, "Unauthorized", []string{"The client secret is required"}, []error{voxio.ErrUnauthorized}},
		{"error_ip_whitelist.json", 200, "Unauthorized", []string{
			"Access to this API endpoint is restricted to IP addresses that have been explicitly whitelisted.",
			"In order to access this API endpoint, please add your IP address (::1) to the white list from the user dashboard."},
			[]error{voxio.ErrUnauthorized, voxio.ErrIPNotWhitelisted}},
		{"error_ip_whitelist.json", 403, "Unauthorized", nil, []error{voxio.ErrUnauthorized, voxio.ErrIPNotWhitelisted}},
		// Voxio failed while handling the send: it may have gone out.
		{"error_exception.json", 200, "exception", []string{"Something went wrong while sending message"}, []error{voxio.ErrMaybeDelivered}},
		{"error_exception.json", 500, "exception", nil, []error{voxio.ErrMaybeDelivered}},
		{"error_exception.json", 429, "exception", nil, []error{voxio.ErrRateLimited}},
		{"error_insufficient_balance.json", 200, "insufficient_balance", []string{"Insufficient template balance."}, []error{voxio.ErrInsufficientBalance}},
		{"error_insufficient_balance.json", 402, "insufficient_balance", nil, []error{voxio.ErrInsufficientBalance}},
		{"error_subscription_required.json", 200, "subscription_required", []string{"Interactive messages require an active plan."}, []error{voxio.ErrSubscriptionRequired}},
		{"error_subscription_required.json", 403, "subscription_required", nil, []error{voxio.ErrSubscriptionRequired}},
		{"error_validation.json", 200, "validation_error", []string{"The mobile field must be a valid number — מספר לא תקין", "Please check the form"}, []error{voxio.ErrValidation}},
		{"error_validation.json", 422, "validation_error", nil, []error{voxio.ErrValidation}},
		{"error_not_found.json", 200, "not_found", []string{"Conversation not found"}, []error{voxio.ErrNotFound}},
		{"error_not_found.json", 404, "not_found", nil, []error{voxio.ErrNotFound}},
	}
	all := []error{voxio.ErrUnauthorized, voxio.ErrValidation, voxio.ErrNotFound, voxio.ErrRateLimited, voxio.ErrMaybeDelivered,
		voxio.ErrIPNotWhitelisted, voxio.ErrInsufficientBalance, voxio.ErrSubscriptionRequired}
	for _, tt := range cases {
		t.Run(fmt.Sprintf("%s/%d", tt.fixture, tt.status), func(t *testing.T) {
			c, m := newMockClient(t, voxio.WithRetryMax(0))
			m.Respond(http.MethodPost, baseURL+"/inbox/send-message", tt.status, wiretest.Fixture(t, tt.fixture))
			err := sendText(context.Background(), c)
			var e *voxio.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "voxio", e.Vendor)
			assert.Equal(t, http.MethodPost, e.Method)
			assert.Equal(t, "/inbox/send-message", e.Path, "error paths start with /")
			assert.Equal(t, tt.status, e.StatusCode)
			assert.Equal(t, tt.code, e.Code)
			if tt.messages != nil {
				assert.Equal(t, tt.messages, e.Messages)
			}
			assert.Equal(t, 1, e.Attempts, "a send is not retried")
			for _, k := range all {
				want := false
				for _, w := range tt.kinds {
					want = want || w == k
				}
				assert.Equal(t, want, errors.Is(err, k), "errors.Is(%v)", k)
			}
			assert.Contains(t, err.Error(), tt.code)
		})
	}
}

// TestBareAuthEnvelope: an envelope without a remark is still recognised
// by the authentication messages the docs show.
func TestBareAuthEnvelope(t *testing.T) {
	for body, kinds := range map[string][]error{
		`{"status":"error","message":["The client secret is required"]}`:                     {voxio.ErrUnauthorized},
		`{"status":"error","message":["The client id is required"]}`:                         {voxio.ErrUnauthorized},
		`{"status":"error","message":["Please add your IP address to the white list."]}`:     {voxio.ErrUnauthorized, voxio.ErrIPNotWhitelisted},
		`{"status":"error","remark":"exception","message":["IP whitelist service is down"]}`: nil,
	} {
		c, m := newMockClient(t)
		m.Respond(http.MethodGet, baseURL+"/contact/list", 200, body)
		_, err := c.Contacts.List(context.Background(), nil)
		require.Error(t, err, body)
		for _, k := range []error{voxio.ErrUnauthorized, voxio.ErrIPNotWhitelisted, voxio.ErrValidation, voxio.ErrNotFound} {
			want := false
			for _, w := range kinds {
				want = want || w == k
			}
			assert.Equal(t, want, errors.Is(err, k), "%s: errors.Is(%v)", body, k)
		}
	}
}

// TestUnreadableAnswerToASendIsMaybeDelivered: a 2xx the SDK cannot decode
// means Voxio accepted the request, so a send's error says it may have been
// delivered, and a read's does not.
func TestUnreadableAnswerToASendIsMaybeDelivered(t *testing.T) {
	c, m := newMockClient(t)
	m.Respond(http.MethodPost, baseURL+"/inbox/send-message", 200, "<html>ok</html>")
	m.Respond(http.MethodPost, baseURL+"/contact/store", 200, `["not","an","envelope"]`)
	m.Respond(http.MethodGet, baseURL+"/contact/list", 200, "<html>ok</html>")
	m.Respond(http.MethodPost, baseURL+"/inbox/change-conversation-status/3", 200, "<html>ok</html>")

	err := sendText(context.Background(), c)
	var de *voxio.DecodeError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.Accepted)
	assert.Equal(t, "voxio", de.Vendor)
	assert.Equal(t, "/inbox/send-message", de.Path, "error paths start with /")
	assert.Equal(t, http.StatusOK, de.StatusCode)
	assert.ErrorIs(t, err, voxio.ErrMaybeDelivered)

	_, err = c.Contacts.Create(context.Background(), voxio.ContactParams{FirstName: "a", LastName: "b", MobileCode: "1", Mobile: "2"})
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, voxio.ErrMaybeDelivered, "a create is not repeated either")

	_, err = c.Contacts.List(context.Background(), nil)
	require.ErrorAs(t, err, &de)
	assert.NotErrorIs(t, err, voxio.ErrMaybeDelivered)

	_, err = c.Inbox.ChangeConversationStatus(context.Background(), 3, voxio.ConversationDone)
	require.ErrorAs(t, err, &de)
	assert.NotErrorIs(t, err, voxio.ErrMaybeDelivered, "setting a status is safe to repeat")
}

func TestValidationErrorFields(t *testing.T) {
	c, m := newMockClient(t)
	m.Respond(http.MethodPost, baseURL+"/contact/store", 200, wiretest.Fixture(t, "error_validation.json"))
	_, err := c.Contacts.Create(context.Background(), voxio.ContactParams{FirstName: "a", LastName: "b", MobileCode: "1", Mobile: "2"})
	var e *voxio.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, map[string][]string{"mobile": {"The mobile field must be a valid number — מספר לא תקין"}}, e.Fields)
}

func TestNonEnvelopeFailures(t *testing.T) {
	t.Run("HTML 500 on a GET is retried then an *Error", func(t *testing.T) {
		c, m := newMockClient(t)
		m.Respond(http.MethodGet, baseURL+"/contact/list", 500, "<html>Server Error</html>")
		_, err := c.Contacts.List(context.Background(), nil)
		var e *voxio.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, 500, e.StatusCode)
		assert.Len(t, m.Requests(), 4, "GET is retried up to the default 3 times")
	})
	t.Run("HTML 500 on a send is not retried", func(t *testing.T) {
		c, m := newMockClient(t)
		m.Respond(http.MethodPost, baseURL+"/inbox/send-message", 500, "<html>Server Error</html>")
		err := sendText(context.Background(), c)
		var e *voxio.Error
		require.ErrorAs(t, err, &e)
		assert.Len(t, m.Requests(), 1)
	})
	t.Run("Laravel 404 JSON", func(t *testing.T) {
		c, m := newMockClient(t)
		m.Respond(http.MethodGet, baseURL+"/inbox/conversation-details/9", 404, `{"message":"Not Found"}`)
		_, err := c.Inbox.ConversationDetails(context.Background(), 9)
		require.ErrorIs(t, err, voxio.ErrNotFound)
		var e *voxio.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, []string{"Not Found"}, e.Messages)
	})
	t.Run("Laravel 422 JSON", func(t *testing.T) {
		c, m := newMockClient(t)
		m.Respond(http.MethodPost, baseURL+"/contact/store", 422, `{"message":"The given data was invalid.","errors":{"mobile":["The mobile has already been taken."]}}`)
		_, err := c.Contacts.Create(context.Background(), voxio.ContactParams{FirstName: "a", LastName: "b", MobileCode: "1", Mobile: "2"})
		require.ErrorIs(t, err, voxio.ErrValidation)
		var e *voxio.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, []string{"The mobile has already been taken."}, e.Fields["mobile"])
	})
	t.Run("429 is rate limited", func(t *testing.T) {
		c, m := newMockClient(t, voxio.WithRetryMax(0))
		m.Respond(http.MethodGet, baseURL+"/contact/list", 429, `{"message":"Too Many Attempts."}`)
		_, err := c.Contacts.List(context.Background(), nil)
		require.ErrorIs(t, err, voxio.ErrRateLimited)
	})
	t.Run("200 that is not JSON is a decode error", func(t *testing.T) {
		c, m := newMockClient(t)
		m.Respond(http.MethodGet, baseURL+"/contact/list", 200, "<html>maintenance</html>")
		_, err := c.Contacts.List(context.Background(), nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "decoding response")
	})
	t.Run("absent message and data", func(t *testing.T) {
		c, m := newMockClient(t)
		m.Respond(http.MethodDelete, baseURL+"/contact/delete/3", 200, `{"status":"success","remark":"contact_deleted"}`)
		res, err := c.Contacts.Delete(context.Background(), 3)
		require.NoError(t, err)
		assert.Empty(t, res.Messages)
	})
	t.Run("message as a single string", func(t *testing.T) {
		c, m := newMockClient(t)
		m.Respond(http.MethodDelete, baseURL+"/contact/delete/3", 200, `{"status":"error","remark":"not_found","message":"Contact not found"}`)
		_, err := c.Contacts.Delete(context.Background(), 3)
		var e *voxio.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, []string{"Contact not found"}, e.Messages)
		assert.ErrorIs(t, err, voxio.ErrNotFound)
	})
}

// TestNoSecretLeaks: the client-secret never appears in an error, even one
// whose body echoes it, nor in any print of the client.
func TestNoSecretLeaks(t *testing.T) {
	c, m := newMockClient(t)
	body := `{"remark":"Unauthorized","status":"error","message":["Unknown client secret ` + testClientSecret + `"],"client_secret":"` + testClientSecret + `"}`
	m.Respond(http.MethodGet, baseURL+"/contact/list", 200, body)
	_, err := c.Contacts.List(context.Background(), nil)
	require.Error(t, err)
	var e *voxio.Error
	require.ErrorAs(t, err, &e)
	for _, s := range []string{err.Error(), fmt.Sprintf("%v %+v %#v %s %q", err, err, err, err, err), string(e.Body), strings.Join(e.Messages, " ")} {
		assert.NotContains(t, s, testClientSecret)
	}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c), fmt.Sprintf("%+v %#v", c.Contacts, c.Messages), c.String()} {
		assert.NotContains(t, s, testClientSecret)
		assert.NotContains(t, s, testClientID)
	}
	assert.Equal(t, "voxio.Client", fmt.Sprint(c))
}

func TestNewRejectsBadCredentials(t *testing.T) {
	for _, tt := range []struct{ id, secret, field string }{
		{"", "s3cret", "clientID"},
		{"   ", "s3cret", "clientID"},
		{"id", "", "clientSecret"},
		{"id", "\t", "clientSecret"},
		{"id", "s3cret\n", "clientSecret"},
		{"id\r\nX-Evil: 1", "s3cret", "clientID"},
	} {
		c, err := voxio.New(tt.id, tt.secret)
		assert.Nil(t, c)
		var ve *voxio.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, tt.field, ve.Field)
		assert.ErrorIs(t, err, voxio.ErrValidation)
	}
	_, err := voxio.New("id", "secret", voxio.WithBaseURL("ftp://nope"))
	assert.ErrorIs(t, err, voxio.ErrValidation)
}

func TestSetCredentials(t *testing.T) {
	c, m := newMockClient(t)
	m.Respond(http.MethodGet, baseURL+"/contact/list", 200, wiretest.Fixture(t, "contact_list.json"))
	require.NoError(t, c.SetCredentials("new-id", "new-secret-value"))
	_, err := c.Contacts.List(context.Background(), nil)
	require.NoError(t, err)
	r := m.Requests()[0]
	assert.Equal(t, []string{"new-id"}, r.Header.Values("client-id"))
	assert.Equal(t, []string{"new-secret-value"}, r.Header.Values("client-secret"))
	assert.ErrorIs(t, c.SetCredentials("", "x"), voxio.ErrValidation)
}
