package ourvoice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sendText(c *Client) (*SendResult, error) {
	return c.Messages.Send(context.Background(), SendMessageParams{WhatsAppSessionID: sessionUUID, ToNumber: []string{"22996000000"}, Type: TypeText, Content: "שלום"})
}

func TestVendorFailures(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		body     string
		is       []error
		code     string
		messages []string
		fields   map[string][]string
	}{
		{
			name: "401", status: 401, body: fixture(t, "error_401.json"),
			is: []error{ErrUnauthorized}, messages: []string{"Unauthenticated."},
		},
		{
			name: "422 field errors", status: 422, body: fixture(t, "error_422.json"),
			is: []error{ErrValidation},
			messages: []string{
				"The to number field is required. (and 1 more error)",
				"content: The content field is required when type is text.",
				"to_number: The to number field is required.",
			},
			fields: map[string][]string{
				"to_number": {"The to number field is required."},
				"content":   {"The content field is required when type is text."},
			},
		},
		{
			name: "success false inside 200", status: 200, body: fixture(t, "error_not_connected.json"),
			messages: []string{"The WhatsApp session is not connected."},
		},
		{
			name: "success false string inside 201 with field errors", status: 201,
			body:     `{"success":"false","message":"Insufficient balance","errors":{"balance":"Top up 👛"}}`,
			is:       []error{ErrValidation},
			messages: []string{"Insufficient balance", "balance: Top up 👛"},
			fields:   map[string][]string{"balance": {"Top up 👛"}},
		},
		{
			name: "404 with code", status: 404, body: `{"success":false,"message":"Session not found","code":"SESSION_NOT_FOUND","request_id":"req-42"}`,
			is: []error{ErrNotFound}, code: "SESSION_NOT_FOUND", messages: []string{"Session not found"},
		},
		{
			name: "error list", status: 400, body: `{"success":false,"error":"Bad request","errors":["to_number must be an array","type invalid"]}`,
			is: []error{ErrValidation}, messages: []string{"Bad request", "to_number must be an array", "type invalid"},
		},
		{
			name: "html 500", status: 500, body: `<html>oops</html>`, messages: []string{"Internal Server Error"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt, rec := newMocked(t)
			mt.RegisterResponder("POST", base+"/whatsapp/messages", jsonResponder(tc.status, tc.body))
			res, err := sendText(c)
			assert.Nil(t, res)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.status, e.StatusCode)
			assert.Equal(t, "ourvoice", e.Vendor)
			assert.Equal(t, "POST", e.Method)
			assert.Equal(t, "/whatsapp/messages", e.Path)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.messages, e.Messages)
			assert.Equal(t, tc.fields, e.Fields)
			assert.Equal(t, 1, e.Attempts, "a send is not repeated")
			for _, s := range tc.is {
				assert.ErrorIs(t, err, s)
			}
			assert.NotErrorIs(t, err, ErrMaybeDelivered)
			assert.Len(t, rec.all(), 1)
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, e), testToken)
		})
	}
}

func TestSuccessTrueOrMissingIsNoFailure(t *testing.T) {
	for _, body := range []string{`{"success":true}`, `{"success":1}`, `{"success":null}`, `{}`, `[]`, ``} {
		assert.Nil(t, decodeError(200, nil, []byte(body)), body)
	}
	assert.NotNil(t, decodeError(200, nil, []byte(`{"success":0}`)))
	assert.NotNil(t, decodeError(200, nil, []byte(`{"success":"false"}`)))
}

func TestRequestIDFromBody(t *testing.T) {
	e := decodeError(404, nil, []byte(`{"message":"x","request_id":"abc-1"}`))
	require.NotNil(t, e)
	assert.Equal(t, "abc-1", e.RequestID)
}

func TestRateLimitRetriedThenSucceeds(t *testing.T) {
	c, mt, rec := newMocked(t)
	calls := 0
	mt.RegisterResponder("POST", base+"/whatsapp/messages", func(*http.Request) (*http.Response, error) {
		calls++
		if calls == 1 {
			r := httpmock.NewStringResponse(429, fixture(t, "error_429.json"))
			r.Header.Set("Retry-After", "0")
			return r, nil
		}
		return httpmock.NewStringResponse(201, fixture(t, "message_send_text.json")), nil
	})
	res, err := sendText(c)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Count)
	reqs := rec.all()
	require.Len(t, reqs, 2, "429 means Our Voice did not act; the send is repeated")
	assert.Equal(t, reqs[0].Body, reqs[1].Body)
}

func TestRateLimitBeyondCap(t *testing.T) {
	c, mt, rec := newMocked(t, WithRetryAfterMax(time.Second))
	mt.RegisterResponder("GET", base+"/whatsapp/sessions", func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(429, fixture(t, "error_429.json"))
		r.Header.Set("Retry-After", "120")
		return r, nil
	})
	_, err := c.Sessions.List(context.Background(), nil)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, 120*time.Second, e.RetryAfter)
	assert.Equal(t, []string{"Too Many Attempts."}, e.Messages)
	assert.Len(t, rec.all(), 1)
}

func Test503(t *testing.T) {
	t.Run("send with Retry-After is retried", func(t *testing.T) {
		c, mt, rec := newMocked(t)
		n := 0
		mt.RegisterResponder("POST", base+"/whatsapp/messages", func(*http.Request) (*http.Response, error) {
			n++
			if n == 1 {
				r := httpmock.NewStringResponse(503, fixture(t, "error_503.json"))
				r.Header.Set("Retry-After", "0")
				return r, nil
			}
			return httpmock.NewStringResponse(201, fixture(t, "message_send_text.json")), nil
		})
		_, err := sendText(c)
		require.NoError(t, err)
		assert.Len(t, rec.all(), 2)
	})
	t.Run("send without Retry-After is not", func(t *testing.T) {
		c, mt, rec := newMocked(t)
		mt.RegisterResponder("POST", base+"/whatsapp/messages", jsonResponder(503, fixture(t, "error_503.json")))
		_, err := sendText(c)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, 503, e.StatusCode)
		assert.Equal(t, []string{"Service temporarily unavailable — נסו שוב מאוחר יותר"}, e.Messages)
		assert.Len(t, rec.all(), 1)
	})
	t.Run("create session without Retry-After is not", func(t *testing.T) {
		c, mt, rec := newMocked(t)
		mt.RegisterResponder("POST", base+"/whatsapp/sessions", jsonResponder(500, `{"success":false,"message":"gateway down"}`))
		_, err := c.Sessions.Create(context.Background())
		require.Error(t, err)
		assert.Len(t, rec.all(), 1)
	})
	t.Run("get is retried", func(t *testing.T) {
		c, mt, rec := newMocked(t)
		n := 0
		mt.RegisterResponder("GET", base+"/whatsapp/messages/"+messageUUID, func(*http.Request) (*http.Response, error) {
			n++
			if n < 3 {
				return httpmock.NewStringResponse(503, fixture(t, "error_503.json")), nil
			}
			return httpmock.NewStringResponse(200, fixture(t, "message_get.json")), nil
		})
		m, err := c.Messages.Get(context.Background(), messageUUID)
		require.NoError(t, err)
		assert.Equal(t, MessageRead, m.Status)
		assert.Len(t, rec.all(), 3)
	})
}

func TestDecodeFailureIsTyped(t *testing.T) {
	c, mt, _ := newMocked(t)
	mt.RegisterResponder("GET", base+"/whatsapp/messages/"+messageUUID, jsonResponder(200, `{"data":{"id":{"nested":true}}}`))
	_, err := c.Messages.Get(context.Background(), messageUUID)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "/whatsapp/messages/"+messageUUID, de.Path)
}

func TestLogsNeverCarryToken(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt, _ := newMocked(t, WithLogger(logger))
	mt.RegisterResponder("POST", base+"/whatsapp/messages", jsonResponder(401, `{"message":"Unauthenticated.","token":"`+testToken+`"}`))
	mt.RegisterResponder("GET", base+"/whatsapp/sessions", jsonResponder(503, `{"success":false}`))
	_, err := sendText(c)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.NotContains(t, string(e.Body), testToken)
	_, _ = c.Sessions.List(context.Background(), nil)
	assert.NotEmpty(t, buf.String())
	assert.NotContains(t, buf.String(), testToken)
}

// TestStatusDecidesOverFieldErrors pins the Kind rule: a Kind set on the
// *Error alone decides what it matches, so the package sets it only where
// no status could (field errors inside a 2xx), and a 401, 404 or 429 that
// also lists fields still matches its status's sentinel.
func TestStatusDecidesOverFieldErrors(t *testing.T) {
	fields := `"errors":{"whatsapp_session_id":["The selected whatsapp session id is invalid."]}`
	cases := []struct {
		status int
		is     error
		not    []error
	}{
		{401, ErrUnauthorized, []error{ErrValidation}},
		{404, ErrNotFound, []error{ErrValidation}},
		{429, ErrRateLimited, []error{ErrValidation}},
		{422, ErrValidation, []error{ErrUnauthorized, ErrNotFound}},
		{200, ErrValidation, []error{ErrUnauthorized, ErrNotFound, ErrRateLimited}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			c, mt, _ := newMocked(t, WithRetryMax(0))
			mt.RegisterResponder("POST", base+"/whatsapp/messages", jsonResponder(tc.status, `{"success":false,"message":"nope",`+fields+`}`))
			_, err := sendText(c)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.status, e.StatusCode)
			assert.Equal(t, map[string][]string{"whatsapp_session_id": {"The selected whatsapp session id is invalid."}}, e.Fields)
			assert.ErrorIs(t, err, tc.is)
			for _, n := range tc.not {
				assert.NotErrorIs(t, err, n)
			}
		})
	}
}

// TestUnreadableAnswerToASend: a 2xx that cannot be decoded means Our
// Voice accepted the request, so a send, a session creation, a disconnect
// or a reconnect must not look safe to repeat; a read may be repeated.
func TestUnreadableAnswerToASend(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, method, url string
		call              func(c *Client) error
		maybe             bool
	}{
		{"send", "POST", base + "/whatsapp/messages", func(c *Client) error { _, err := sendText(c); return err }, true},
		{"create session", "POST", base + "/whatsapp/sessions", func(c *Client) error { _, err := c.Sessions.Create(ctx); return err }, true},
		{"disconnect", "PATCH", base + "/whatsapp/sessions/" + sessionUUID + "/disconnect", func(c *Client) error {
			_, err := c.Sessions.Disconnect(ctx, sessionUUID)
			return err
		}, true},
		{"get message", "GET", base + "/whatsapp/messages/" + messageUUID, func(c *Client) error {
			_, err := c.Messages.Get(ctx, messageUUID)
			return err
		}, false},
		{"list sessions", "GET", base + "/whatsapp/sessions", func(c *Client) error {
			_, err := c.Sessions.List(ctx, nil)
			return err
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt, rec := newMocked(t)
			body := `{"success":true,"session":{"id":["x"]},"data":{"messages":{"id":1},"id":{}}}`
			if tc.name == "list sessions" {
				body = `{"data":"not a list"}`
			}
			mt.RegisterResponder(tc.method, tc.url, jsonResponder(201, body))
			err := tc.call(c)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, 201, de.StatusCode)
			assert.Equal(t, tc.method, de.Method)
			assert.Equal(t, tc.maybe, errors.Is(err, ErrMaybeDelivered))
			assert.Len(t, rec.all(), 1)
		})
	}
}

// TestEchoedTokenIsRedacted: Our Voice quoting the bare token (the part
// after "Bearer ") anywhere in a failure body must not hand it to the
// caller, whichever part of the *Error the caller prints or logs.
func TestEchoedTokenIsRedacted(t *testing.T) {
	const rotated = "ov-rotated-SENTINEL-5678"
	c, mt, _ := newMocked(t)
	require.NoError(t, c.SetToken(rotated))
	for _, tok := range []string{testToken, rotated} {
		body := `{"success":false,"message":"Token ` + tok + ` is not allowed","code":"BAD_` + tok + `","request_id":"` + tok + `",` +
			`"errors":{"authorization":["Bearer ` + tok + ` was revoked"],"token":"` + tok + `"}}`
		mt.RegisterResponder("POST", base+"/whatsapp/messages", jsonResponder(422, body))
		_, err := sendText(c)
		var e *Error
		require.ErrorAs(t, err, &e)
		require.NotEmpty(t, e.Fields)
		printed := fmt.Sprintf("%v|%+v|%#v|%s|%q|%v|%v|%s|%s|%s", err, err, err, e.Error(), err, e.Messages, e.Fields, e.Code, e.RequestID, e.Body)
		assert.NotContains(t, printed, tok)
		assert.Contains(t, printed, "[REDACTED]")
		assert.Equal(t, []string{"[REDACTED] was revoked"}, e.Fields["authorization"])
	}
}
