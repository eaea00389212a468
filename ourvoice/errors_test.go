package ourvoice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
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
			c, mt := newMocked(t)
			mt.Respond("POST", base+"/whatsapp/messages", tc.status, tc.body)
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
			// A 5xx on a send may have been acted on; a refusal was not.
			assert.Equal(t, tc.status >= 500, errors.Is(err, ErrMaybeDelivered))
			assert.Len(t, mt.Requests(), 1)
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, e), testToken)
		})
	}
}

func TestSuccessTrueOrMissingIsNoFailure(t *testing.T) {
	for _, body := range []string{`{"success":true}`, `{"success":1}`, `{"success":null}`, `{"success":"maybe"}`, `{}`, `[]`, ``} {
		assert.Nil(t, failure(answer(200, body)), body)
	}
	for _, body := range []string{`{"success":0}`, `{"success":"false"}`, `{"success":false}`, `{" success ":"no"}`} {
		assert.NotNil(t, failure(answer(200, body)), body)
	}
}

// TestAnswersAreReadOnce: a success answer that cannot say "success":
// false is left unread by the hook and read in one pass by the decoder;
// any other answer is split by the hook, which hands its envelope to the
// decoder. Both give the same result.
func TestAnswersAreReadOnce(t *testing.T) {
	fast := answer(201, fixture(t, "message_send_text.json"))
	require.Nil(t, failure(fast))
	assert.Nil(t, fast.Envelope, "nothing to read twice")
	want, err := decodeSendResult(fast)
	require.NoError(t, err)
	assert.Equal(t, 1, want.Count)
	assert.Equal(t, messageUUID, want.Messages[0].ID)

	// "success" in a text sends the answer through the hook's reading.
	body := strings.Replace(fixture(t, "message_send_text.json"), "Message queued for sending", "success: queued", 1)
	slow := answer(201, body)
	require.Nil(t, failure(slow))
	env, ok := slow.Envelope.(*envelope)
	require.True(t, ok, "the hook leaves what it read")
	require.NoError(t, env.err)
	got, err := decodeSendResult(slow)
	require.NoError(t, err)
	assert.Equal(t, "success: queued", got.Message)
	got.Message = want.Message
	assert.Equal(t, withoutRawMsg(want.Messages[0]), withoutRawMsg(got.Messages[0]))
	assert.Equal(t, string(want.Messages[0].Raw()), string(got.Messages[0].Raw()))
	assert.Equal(t, want.Count, got.Count)
	assert.Equal(t, want.NewBalance, got.NewBalance)
}

// TestMayReportFailure pins the hook's shortcut: it skips reading an
// answer only when no "success" in it can be false.
func TestMayReportFailure(t *testing.T) {
	skip := []string{
		``, `{}`, `[]`, `not json`, `{"success":true}`, `{"success": 1,"data":{}}`, `{ "success" : "true" }`,
		`{"SUCCESS":true,"data":{"success":"1"}}`, `{"success ":true}`,
	}
	for _, b := range skip {
		assert.False(t, mayReportFailure([]byte(b)), b)
		assert.Nil(t, failure(answer(200, b)), b)
	}
	read := []string{
		`{"success":false}`, `{"Success":false}`, `{"sUcCeSs":0}`, `{"success":"no"}`, `{"success":null}`,
		`{"success":true,"success":false}`, `{"success":true,"data":{"success":false}}`, `{"success":10}`,
		`{"message":"success"}`, `{"\u0073uccess":false}`, `{"success":tru`, `{"success"`, `success`,
		`{"success":true}` + "\n" + `{"success":false}`,
	}
	for _, b := range read {
		assert.True(t, mayReportFailure([]byte(b)), b)
	}
	for _, b := range []string{`{"Success":false}`, `{"sUcCeSs":0}`, `{"\u0073uccess":false}`, `{"success":true,"success":false}`} {
		assert.NotNil(t, failure(answer(200, b)), b)
	}
}

func TestRequestIDFromBody(t *testing.T) {
	e := failure(answer(404, `{"message":"x","request_id":"abc-1"}`))
	require.NotNil(t, e)
	assert.Equal(t, "abc-1", e.RequestID)
}

func TestRateLimitRetriedThenSucceeds(t *testing.T) {
	c, mt := newMocked(t)
	calls := 0
	mt.Handle("POST", base+"/whatsapp/messages", func(*http.Request) (*http.Response, error) {
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
	reqs := mt.Requests()
	require.Len(t, reqs, 2, "429 means Our Voice did not act; the send is repeated")
	assert.Equal(t, reqs[0].Body, reqs[1].Body)
}

func TestRateLimitBeyondCap(t *testing.T) {
	c, mt := newMocked(t, WithRetryAfterMax(time.Second))
	mt.Handle("GET", base+"/whatsapp/sessions", func(*http.Request) (*http.Response, error) {
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
	assert.Len(t, mt.Requests(), 1)
}

func Test503(t *testing.T) {
	t.Run("send with Retry-After is retried", func(t *testing.T) {
		c, mt := newMocked(t)
		n := 0
		mt.Handle("POST", base+"/whatsapp/messages", func(*http.Request) (*http.Response, error) {
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
		assert.Len(t, mt.Requests(), 2)
	})
	t.Run("send without Retry-After is not", func(t *testing.T) {
		c, mt := newMocked(t)
		mt.Respond("POST", base+"/whatsapp/messages", 503, fixture(t, "error_503.json"))
		_, err := sendText(c)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, 503, e.StatusCode)
		assert.Equal(t, []string{"Service temporarily unavailable — נסו שוב מאוחר יותר"}, e.Messages)
		assert.Len(t, mt.Requests(), 1)
	})
	t.Run("create session without Retry-After is not", func(t *testing.T) {
		c, mt := newMocked(t)
		mt.Respond("POST", base+"/whatsapp/sessions", 500, `{"success":false,"message":"gateway down"}`)
		_, err := c.Sessions.Create(context.Background())
		require.Error(t, err)
		assert.Len(t, mt.Requests(), 1)
	})
	t.Run("get is retried", func(t *testing.T) {
		c, mt := newMocked(t)
		n := 0
		mt.Handle("GET", base+"/whatsapp/messages/"+messageUUID, func(*http.Request) (*http.Response, error) {
			n++
			if n < 3 {
				return httpmock.NewStringResponse(503, fixture(t, "error_503.json")), nil
			}
			return httpmock.NewStringResponse(200, fixture(t, "message_get.json")), nil
		})
		m, err := c.Messages.Get(context.Background(), messageUUID)
		require.NoError(t, err)
		assert.Equal(t, MessageRead, m.Status)
		assert.Len(t, mt.Requests(), 3)
	})
}

func TestDecodeFailureIsTyped(t *testing.T) {
	c, mt := newMocked(t)
	mt.Respond("GET", base+"/whatsapp/messages/"+messageUUID, 200, `{"data":{"id":"`+messageUUID+`"`)
	_, err := c.Messages.Get(context.Background(), messageUUID)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "/whatsapp/messages/"+messageUUID, de.Path)
	assert.Equal(t, "ourvoice", de.Vendor)

	// Under the loose-JSON policy a field in an odd form is not a failure:
	// it reads as its zero value, and Raw keeps what was sent.
	mt.Respond("GET", base+"/whatsapp/messages/"+messageUUID, 200, `{"data":{"id":{"nested":true},"status":"read"}}`)
	m, err := c.Messages.Get(context.Background(), messageUUID)
	require.NoError(t, err)
	assert.Empty(t, m.ID)
	assert.Equal(t, MessageRead, m.Status)
	assert.JSONEq(t, `{"id":{"nested":true},"status":"read"}`, string(m.Raw()))
}

func TestLogsNeverCarryToken(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt := newMocked(t, WithLogger(logger))
	mt.Respond("POST", base+"/whatsapp/messages", 401, `{"message":"Unauthenticated.","token":"`+testToken+`"}`)
	mt.Respond("GET", base+"/whatsapp/sessions", 503, `{"success":false}`)
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
			c, mt := newMocked(t, WithRetryMax(0))
			mt.Respond("POST", base+"/whatsapp/messages", tc.status, `{"success":false,"message":"nope",`+fields+`}`)
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
	// Each endpoint's answer is unreadable twice over: cut off (not JSON),
	// and whole but without the structure the endpoint documents.
	const cut = `{"success":true,"session":{"id":"x"},"data":{"messages":[{"id":"1"}`
	cases := []struct {
		name, method, url string
		call              func(c *Client) error
		maybe             bool
		wrongShape        string
	}{
		{"send", "POST", base + "/whatsapp/messages", func(c *Client) error { _, err := sendText(c); return err }, true,
			`{"success":true,"data":{"messages":{"id":1}}}`},
		{"create session", "POST", base + "/whatsapp/sessions", func(c *Client) error { _, err := c.Sessions.Create(ctx); return err }, true,
			`{"success":true,"session":["x"],"qr_code":"data:image/png;base64,AAAA"}`},
		{"disconnect", "PATCH", base + "/whatsapp/sessions/" + sessionUUID + "/disconnect", func(c *Client) error {
			_, err := c.Sessions.Disconnect(ctx, sessionUUID)
			return err
		}, true, `["disconnected"]`},
		{"get message", "GET", base + "/whatsapp/messages/" + messageUUID, func(c *Client) error {
			_, err := c.Messages.Get(ctx, messageUUID)
			return err
		}, false, `"message"`},
		{"list sessions", "GET", base + "/whatsapp/sessions", func(c *Client) error {
			_, err := c.Sessions.List(ctx, nil)
			return err
		}, false, `{"data":"not a list"}`},
	}
	for _, tc := range cases {
		for _, body := range []string{cut, tc.wrongShape} {
			t.Run(tc.name+" "+body, func(t *testing.T) {
				c, mt := newMocked(t)
				mt.Respond(tc.method, tc.url, 201, body)
				err := tc.call(c)
				var de *DecodeError
				require.ErrorAs(t, err, &de)
				assert.Equal(t, 201, de.StatusCode)
				assert.Equal(t, tc.method, de.Method)
				assert.Equal(t, tc.maybe, errors.Is(err, ErrMaybeDelivered))
				assert.Len(t, mt.Requests(), 1)
			})
		}
	}
}

// TestOddFieldsReadAsZero pins the loose-JSON policy on the send path: Our
// Voice accepted the send, so a field in an odd form must not turn it into
// a failure (and a maybe-delivered resend elsewhere); it reads as zero.
func TestOddFieldsReadAsZero(t *testing.T) {
	c, mt := newMocked(t)
	body := `{"success":true,"message":{"text":"queued"},"data":{"messages":[{"id":["x"],"to_number":{"n":1},` +
		`"cost":"abc","status":7,"created_at":"yesterday","sent_at":{},"metadata":"not json","content":"  שלום  "}],` +
		`"count":"abc","total_cost":[1],"new_balance":"4990","remaining_messages":true}}`
	mt.Respond("POST", base+"/whatsapp/messages", 201, body)
	res, err := sendText(c)
	require.NoError(t, err)
	assert.Empty(t, res.Message)
	assert.Zero(t, res.Count)
	assert.Zero(t, res.TotalCost)
	assert.Equal(t, 4990.0, res.NewBalance)
	assert.Zero(t, res.RemainingMessages)
	require.Len(t, res.Messages, 1)
	m := res.Messages[0]
	assert.Empty(t, m.ID)
	assert.Empty(t, m.ToNumber)
	assert.Zero(t, m.Cost)
	assert.Equal(t, MessageStatus("7"), m.Status)
	assert.True(t, m.CreatedAt.IsZero())
	assert.True(t, m.SentAt.IsZero())
	assert.JSONEq(t, `"not json"`, string(m.Metadata))
	assert.Equal(t, "  שלום  ", m.Content, "a message body keeps the sender's spaces")
	assert.Contains(t, string(m.Raw()), `"cost":"abc"`)
	assert.JSONEq(t, body, string(res.Raw()))
}

// TestEchoedTokenIsRedacted: Our Voice quoting the bare token (the part
// after "Bearer ") anywhere in a failure body must not hand it to the
// caller, whichever part of the *Error the caller prints or logs.
func TestEchoedTokenIsRedacted(t *testing.T) {
	const rotated = "ov-rotated-SENTINEL-5678"
	c, mt := newMocked(t)
	require.NoError(t, c.SetToken(rotated))
	for _, tok := range []string{testToken, rotated} {
		body := `{"success":false,"message":"Token ` + tok + ` is not allowed","code":"BAD_` + tok + `","request_id":"` + tok + `",` +
			`"errors":{"authorization":["Bearer ` + tok + ` was revoked"],"token":"` + tok + `"}}`
		mt.Respond("POST", base+"/whatsapp/messages", 422, body)
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
