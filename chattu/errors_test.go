package chattu

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/transport"
	"github.com/switchboard-go/switchboard/internal/wiretest"
)

func TestErrorMapping(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		body     string
		code     string
		messages []string
		is       []error
		isNot    []error
	}{
		{"fixture GROUP_NOT_FOUND", 404, "error_group_not_found.json", CodeGroupNotFound, []string{"Group not found"},
			[]error{ErrNotFound, ErrGroupNotFound}, []error{ErrClientNotFound, ErrUnauthorized}},
		{"AUTH_ERROR", 401, `{"success":false,"error":"Invalid API key","code":"AUTH_ERROR"}`, CodeAuthError, []string{"Invalid API key"},
			[]error{ErrUnauthorized, ErrAuth}, []error{ErrNotFound}},
		{"ACCESS_DENIED", 403, `{"success":false,"error":{"code":"ACCESS_DENIED","message":"Client does not belong to user"}}`, CodeAccessDenied,
			[]string{"Client does not belong to user"}, []error{ErrUnauthorized, ErrAccessDenied}, nil},
		{"PLAN_LIMIT_EXCEEDED", 403, `{"error":"Plan limit reached","errorCode":"PLAN_LIMIT_EXCEEDED"}`, CodePlanLimitExceeded, []string{"Plan limit reached"},
			[]error{ErrPlanLimitExceeded}, []error{ErrRateLimited, ErrUnauthorized}},
		{"READ_ONLY_CHAT", 403, `{"success":false,"message":"Cannot send to a read-only channel","code":"READ_ONLY_CHAT"}`, CodeReadOnlyChat,
			[]string{"Cannot send to a read-only channel"}, []error{ErrReadOnlyChat}, []error{ErrUnauthorized, ErrValidation}},
		{"CLIENT_NOT_FOUND", 404, `{"error":"CLIENT_NOT_FOUND"}`, CodeClientNotFound, []string{"CLIENT_NOT_FOUND"},
			[]error{ErrClientNotFound, ErrNotFound}, nil},
		{"INVALID_CHAT_TYPE", 400, `{"success":false,"error":"Chat is not a group or channel","code":"INVALID_CHAT_TYPE"}`, CodeInvalidChatType,
			[]string{"Chat is not a group or channel"}, []error{ErrInvalidChatType, ErrValidation}, nil},
		{"MEDIA_ERROR", 400, `{"success":false,"error":"Failed to process media URL","error_code":"MEDIA_ERROR"}`, CodeMediaError,
			[]string{"Failed to process media URL"}, []error{ErrMediaError, ErrValidation}, nil},
		{"code in HTTP 200", 200, `{"success":false,"error":"Group not found","code":"GROUP_NOT_FOUND"}`, CodeGroupNotFound, []string{"Group not found"},
			[]error{ErrGroupNotFound, ErrNotFound}, nil},
		{"status error in HTTP 200", 200, `{"status":"error","message":"Client not ready"}`, "", []string{"Client not ready"}, nil,
			[]error{ErrNotFound, ErrValidation}},
		{"plain 400", 400, `{"error":"Password is required"}`, "", []string{"Password is required"}, []error{ErrValidation}, nil},
		{"plain 403", 403, `{"error":"Invalid password or client not owned by user"}`, "", []string{"Invalid password or client not owned by user"},
			[]error{ErrUnauthorized}, nil},
		{"plain 404", 404, `{"error":"Client not found"}`, "", []string{"Client not found"}, []error{ErrNotFound}, nil},
		{"429 text", 429, `Too many requests, please try again later.`, "", []string{"Too many requests, please try again later."},
			[]error{ErrRateLimited}, nil},
		// A 5xx to a send proves no refusal: Chattu, or the proxy in front
		// of it, may have sent the message (issue 13; this case asserted no
		// ErrMaybeDelivered before the rule changed).
		{"500 html", 500, `<html><body>Internal</body></html>`, "", nil, []error{ErrMaybeDelivered}, []error{ErrNotFound, ErrValidation}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, m := mockClient(t, WithRetryMax(0))
			body := tc.body
			if strings.HasSuffix(tc.body, ".json") {
				body = wiretest.Fixture(t, tc.body)
			}
			respond(m, "POST", testBase+"/api/send-group-message", tc.status, body, nil)
			_, err := c.Groups.Send(context.Background(), GroupMessageParams{ClientID: "client-id", GroupID: "120363123456789012@g.us", Message: "שלום"})
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.status, e.StatusCode)
			assert.Equal(t, string(tc.code), e.Code)
			assert.Equal(t, tc.messages, e.Messages)
			assert.Equal(t, "chattu", e.Vendor)
			assert.Equal(t, "/api/send-group-message", e.Path)
			for _, s := range tc.is {
				assert.ErrorIs(t, err, s)
			}
			for _, s := range tc.isNot {
				assert.False(t, errors.Is(err, s), "must not match %v", s)
			}
		})
	}
}

// hook runs the Failure hook on an answer, as the transport does.
func hook(status int, body string) *Error {
	return failure(&transport.Response{StatusCode: status, Body: []byte(body)})
}

func TestSuccessBodiesAreNotFailures(t *testing.T) {
	for _, b := range []string{`{"status":"success","messages":[]}`, `[]`, `{"success":true}`, `{"error":null,"message":"ok"}`, `{"message":"Client deleted successfully."}`, ``,
		`{"success":"maybe","message":"garbled flag"}`, `{"error":false}`, `{"error":"null"}`} {
		assert.Nil(t, hook(200, b), b)
	}
	assert.NotNil(t, hook(200, `{"success":"false"}`))
	assert.NotNil(t, hook(200, `{"success":0}`))
	assert.NotNil(t, hook(200, `{"error":"boom"}`))
	assert.NotNil(t, hook(200, `{"status":"Failed"}`))
}

// TestHookLeavesTheEnvelope: a successful object answer is split into its
// members once, by the hook, and the decoder reads them from there.
func TestHookLeavesTheEnvelope(t *testing.T) {
	resp := &transport.Response{StatusCode: 200, Body: []byte(`{"success":true,"message":"Message sent successfully"}`)}
	require.Nil(t, failure(resp))
	o, ok := resp.Envelope.(object)
	require.True(t, ok)
	assert.Len(t, o, 2)
	// The decoder reads the envelope, not the body.
	resp.Body = []byte(`{}`)
	r, err := decodeResult(resp)
	require.NoError(t, err)
	assert.True(t, r.Success)
	assert.Equal(t, "Message sent successfully", r.Message)

	arr := &transport.Response{StatusCode: 200, Body: []byte(`[]`)}
	require.Nil(t, failure(arr))
	assert.Nil(t, arr.Envelope, "an array is no envelope")
}

func TestRetryAfterKept(t *testing.T) {
	c, m := mockClient(t, WithRetryMax(0))
	respond(m, "GET", testBase+"/api/profile", 429, `{"error":"Rate limit exceeded"}`, http.Header{"Retry-After": {"900"}})
	_, err := c.Account.Profile(context.Background())
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, 900.0, e.RetryAfter.Seconds())
}

// TestCodeSentinelMatrix pins, for every documented code, exactly which
// sentinels its *Error matches: the code decides, not the status, so the
// same holds at the documented status and inside an HTTP 200.
func TestCodeSentinelMatrix(t *testing.T) {
	shared := []error{ErrUnauthorized, ErrNotFound, ErrValidation, ErrRateLimited, ErrMaybeDelivered}
	own := []error{ErrAuth, ErrAccessDenied, ErrPlanLimitExceeded, ErrReadOnlyChat, ErrClientNotFound, ErrGroupNotFound, ErrInvalidChatType, ErrMediaError}
	cases := []struct {
		code   string
		status int
		want   []error
	}{
		{CodeAuthError, 401, []error{ErrAuth, ErrUnauthorized}},
		{CodeAccessDenied, 403, []error{ErrAccessDenied, ErrUnauthorized}},
		{CodePlanLimitExceeded, 403, []error{ErrPlanLimitExceeded}},
		{CodeReadOnlyChat, 403, []error{ErrReadOnlyChat}},
		{CodeClientNotFound, 404, []error{ErrClientNotFound, ErrNotFound}},
		{CodeGroupNotFound, 404, []error{ErrGroupNotFound, ErrNotFound}},
		{CodeInvalidChatType, 400, []error{ErrInvalidChatType, ErrValidation}},
		{CodeMediaError, 400, []error{ErrMediaError, ErrValidation}},
	}
	for _, tc := range cases {
		for _, status := range []int{tc.status, 200} {
			e := hook(status, `{"success":false,"error":"x","code":"`+string(tc.code)+`"}`)
			require.NotNil(t, e, tc.code)
			var err error = &Error{StatusCode: status, Code: e.Code, Kind: e.Kind}
			for _, s := range append(append([]error{}, shared...), own...) {
				want := false
				for _, w := range tc.want {
					want = want || w == s
				}
				assert.Equal(t, want, errors.Is(err, s), "%s at %d vs %v", tc.code, status, s)
			}
		}
	}
	// Without a code the status decides, as for every vendor.
	for status, s := range map[int]error{401: ErrUnauthorized, 403: ErrUnauthorized, 404: ErrNotFound, 400: ErrValidation, 429: ErrRateLimited} {
		e := hook(status, `{"error":"no code here"}`)
		assert.Nil(t, e.Kind)
		assert.ErrorIs(t, &Error{StatusCode: status, Kind: e.Kind}, s)
	}
	// An unknown code leaves the status in charge too.
	e := hook(403, `{"error":"x","code":"SOMETHING_NEW"}`)
	assert.Equal(t, "SOMETHING_NEW", e.Code)
	assert.ErrorIs(t, &Error{StatusCode: 403, Code: e.Code, Kind: e.Kind}, ErrUnauthorized)
	// Codes are matched whatever their case.
	assert.ErrorIs(t, &Error{StatusCode: 403, Kind: hook(403, `{"code":"read_only_chat"}`).Kind}, ErrReadOnlyChat)
}

// TestDecodePolicy: an answer whose structure cannot be read is a
// *DecodeError (and, for a send, maybe delivered); a field in an
// unexpected form is read leniently or left zero.
func TestDecodePolicy(t *testing.T) {
	ctx := context.Background()
	send := SendMessageParams{ClientID: "client-id", Number: "12345678901", Message: "x"}
	for _, body := range []string{`{"success":true`, `["ok"]`, `"sent"`} {
		c, m := mockClient(t)
		respond(m, "POST", testBase+"/api/send-message", 200, body, nil)
		_, err := c.Messages.Send(ctx, send)
		var de *DecodeError
		require.ErrorAs(t, err, &de, body)
		assert.True(t, de.Accepted, body)
		assert.Equal(t, "/api/send-message", de.Path)
		assert.Equal(t, "chattu", de.Vendor)
		assert.ErrorIs(t, err, ErrMaybeDelivered, body)
		assert.Equal(t, 1, m.Count(), "a send is never repeated")
	}

	// Loose fields: numbers as text, flags as words.
	c, m := mockClient(t)
	respond(m, "POST", testBase+"/api/send-message", 200, `{"success":"yes","message":42,"extra":{"kept":true}}`, nil)
	r, err := c.Messages.Send(ctx, send)
	require.NoError(t, err)
	assert.True(t, r.Success)
	assert.Equal(t, "42", r.Message)
	assert.Contains(t, string(r.Raw()), `"kept":true`)

	// A list whose elements are not records is the structure gone wrong;
	// a read is not a send, so it is no maybe-delivered.
	c, m = mockClient(t)
	respond(m, "GET", testBase+"/api/sent-messages", 200, `[1,2]`, nil)
	_, err = c.Messages.Sent(ctx)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.False(t, de.Accepted)
	assert.False(t, errors.Is(err, ErrMaybeDelivered))

	// Members of the wrong shape are left empty.
	c, m = mockClient(t)
	respond(m, "GET", testBase+"/api/groups/client-id", 200, `{"groups":"none","channels":null,"total":"2"}`, nil)
	g, err := c.Groups.List(ctx, "client-id")
	require.NoError(t, err)
	assert.Empty(t, g.Groups)
	assert.Empty(t, g.Channels)
	assert.EqualValues(t, 2, g.Total)

	c, m = mockClient(t, WithSessionCookie(testCookie))
	respond(m, "GET", testBase+"/api/chats/client-id", 200,
		`{"chats":[{"id":"9721234567@c.us","name":"  Dana ","lastMessage":"none","timestamp":"yesterday","unreadCount":"3","isMuted":"1"}]}`, nil)
	chats, err := c.Chats.List(ctx, "client-id")
	require.NoError(t, err)
	require.Len(t, chats.Chats, 1)
	assert.Equal(t, Chat{ID: "9721234567@c.us", Name: "  Dana ", UnreadCount: 3, IsMuted: true}, chats.Chats[0])
}

// TestResetWithoutNewKey: Chattu accepted the reset but its answer has no
// key. The old key may be void already: the error says maybe delivered,
// and the client keeps the key it has rather than guess.
func TestResetWithoutNewKey(t *testing.T) {
	c, m := mockClient(t)
	respond(m, "POST", testBase+"/api/reset-api-key", 200, `{"message":"API key reset successfully."}`, nil)
	res, err := c.Account.ResetAPIKey(context.Background(), ResetAPIKeyParams{Username: "u"})
	assert.Nil(t, res)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.Accepted)
	assert.ErrorIs(t, err, ErrMaybeDelivered)
	assert.Equal(t, testKey, *c.apiKey.Load())
	assert.Equal(t, 1, m.Count())
}

func TestQRTooLarge(t *testing.T) {
	c, m := mockClient(t)
	respond(m, "GET", testBase+"/api/qr/client-id", 200, strings.Repeat("x", maxQRBytes+1), http.Header{"Content-Type": {"image/png"}})
	_, err := c.Clients.QR(context.Background(), "client-id")
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "/api/qr/client-id", de.Path)
	assert.False(t, de.Accepted)
}

// TestServerErrorsOnSends: a send answered with a 5xx is never repeated,
// and it matches ErrMaybeDelivered unless the answer proves a refusal: 501
// and 505 (the server cannot handle the request at all), a 503 with
// Retry-After (come back later), or a code naming a check Chattu makes
// before acting. MEDIA_ERROR with a 5xx proves none: the media is processed
// as part of the send.
func TestServerErrorsOnSends(t *testing.T) {
	ra := http.Header{"Retry-After": {"120"}}
	cases := []struct {
		name   string
		status int
		body   string
		header http.Header
		want   []error
		maybe  bool
	}{
		{"500 error object", 500, `{"success":false,"error":"Internal error"}`, nil, nil, true},
		{"500 empty", 500, ``, nil, nil, true},
		{"502 proxy text", 502, `Bad Gateway`, nil, nil, true},
		{"504 proxy html", 504, `<html>Gateway Timeout</html>`, nil, nil, true},
		{"503 without Retry-After", 503, `{"error":"maintenance"}`, nil, nil, true},
		{"503 with Retry-After", 503, `{"error":"maintenance"}`, ra, nil, false},
		{"501", 501, `Not Implemented`, nil, nil, false},
		{"505", 505, `HTTP Version Not Supported`, nil, nil, false},
		{"500 READ_ONLY_CHAT", 500, `{"success":false,"error":"read only","code":"READ_ONLY_CHAT"}`, nil, []error{ErrReadOnlyChat}, false},
		{"502 GROUP_NOT_FOUND", 502, `{"success":false,"error":"GROUP_NOT_FOUND"}`, nil, []error{ErrGroupNotFound, ErrNotFound}, false},
		{"500 AUTH_ERROR", 500, `{"success":false,"error":"bad key","code":"AUTH_ERROR"}`, nil, []error{ErrAuth, ErrUnauthorized}, false},
		{"500 MEDIA_ERROR", 500, `{"success":false,"error":"Failed to process media URL","code":"MEDIA_ERROR"}`, nil, []error{ErrMediaError}, true},
		{"400 MEDIA_ERROR", 400, `{"success":false,"error":"Failed to process media URL","code":"MEDIA_ERROR"}`, nil, []error{ErrMediaError, ErrValidation}, false},
		{"500 unknown code", 500, `{"success":false,"error":"x","code":"SOMETHING_NEW"}`, nil, nil, true},
	}
	all := []error{ErrUnauthorized, ErrNotFound, ErrValidation, ErrRateLimited, ErrMaybeDelivered,
		ErrAuth, ErrAccessDenied, ErrPlanLimitExceeded, ErrReadOnlyChat, ErrClientNotFound, ErrGroupNotFound, ErrInvalidChatType, ErrMediaError}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, m := mockClient(t, WithRetryMax(3))
			respond(m, "POST", testBase+"/api/send-group-message", tc.status, tc.body, tc.header)
			_, err := c.Groups.Send(context.Background(), GroupMessageParams{ClientID: "client-id", GroupID: "120363123456789012@g.us",
				Message: "x", MediaURL: "https://example.com/a.jpg", MediaType: MediaImage})
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.status, e.StatusCode)
			assert.Equal(t, tc.maybe, e.MaybeDelivered)
			want := tc.want
			if tc.maybe {
				want = append(append([]error{}, want...), ErrMaybeDelivered)
			}
			for _, s := range all {
				assert.Equal(t, slices.Contains(want, s), errors.Is(err, s), "errors.Is(%v)", s)
			}
			if tc.header != nil {
				// A refusal asking for a wait longer than the cap: not
				// waited for, the wait is reported.
				assert.Equal(t, 2*time.Minute, e.RetryAfter)
			}
			assert.Equal(t, 1, m.Count(), "a send is never repeated")
		})
	}

	// A 503 asking to come back at once is retried, send or not: it
	// refused the request.
	c, m := mockClient(t, WithRetryMax(2))
	respond(m, "POST", testBase+"/api/send-message", 503, `{"error":"maintenance"}`, http.Header{"Retry-After": {"0"}})
	_, err := c.Messages.Send(context.Background(), SendMessageParams{ClientID: "client-id", Number: "12345678901", Message: "x"})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.False(t, e.MaybeDelivered)
	assert.False(t, errors.Is(err, ErrMaybeDelivered))
	assert.Equal(t, 3, m.Count())

	// The same answers to a read are retried and never "maybe delivered".
	for _, status := range []int{500, 502, 503, 504} {
		c, m := mockClient(t, WithRetryMax(1))
		respond(m, "GET", testBase+"/api/sent-messages", status, `{"error":"boom"}`, nil)
		_, err := c.Messages.Sent(context.Background())
		var e *Error
		require.ErrorAs(t, err, &e, status)
		assert.False(t, errors.Is(err, ErrMaybeDelivered), status)
		assert.Equal(t, 2, m.Count(), "retried: %d", status)
	}
}

// TestEveryCodeIsClassified: a documented code either proves a refusal or
// is reported as uncertain in a 5xx; none is left to chance.
func TestEveryCodeIsClassified(t *testing.T) {
	for code := range kinds {
		_, uncertain := uncertainKinds[code]
		assert.True(t, refusals[code] != uncertain, code)
		e := hook(500, `{"success":false,"error":"x","code":"`+code+`"}`)
		assert.Equal(t, uncertain, e.Uncertain, code)
		assert.NotNil(t, e.Kind, code)
		e = hook(400, `{"success":false,"error":"x","code":"`+code+`"}`)
		assert.False(t, e.Uncertain, code)
		assert.Equal(t, kinds[code], e.Kind, code)
	}
}
