package chattu

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		{"500 html", 500, `<html><body>Internal</body></html>`, "", nil, nil, []error{ErrNotFound}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt, rec := mockClient(t, WithRetryMax(0))
			body := []byte(tc.body)
			if len(tc.body) > 5 && tc.body[len(tc.body)-5:] == ".json" {
				body = fixture(t, tc.body)
			}
			respond(mt, rec, "POST", testBase+"/api/send-group-message", tc.status, body, nil)
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

func TestSuccessBodiesAreNotFailures(t *testing.T) {
	for _, b := range []string{`{"status":"success","messages":[]}`, `[]`, `{"success":true}`, `{"error":null,"message":"ok"}`, `{"message":"Client deleted successfully."}`, ``} {
		assert.Nil(t, decodeError(200, nil, []byte(b)), b)
	}
	assert.NotNil(t, decodeError(200, nil, []byte(`{"success":"false"}`)))
	assert.NotNil(t, decodeError(200, nil, []byte(`{"error":"boom"}`)))
}

func TestRetryAfterKept(t *testing.T) {
	c, mt, rec := mockClient(t, WithRetryMax(0))
	respond(mt, rec, "GET", testBase+"/api/profile", 429, []byte(`{"error":"Rate limit exceeded"}`), http.Header{"Retry-After": {"900"}})
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
			e := decodeError(status, nil, []byte(`{"success":false,"error":"x","code":"`+string(tc.code)+`"}`))
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
		e := decodeError(status, nil, []byte(`{"error":"no code here"}`))
		assert.Nil(t, e.Kind)
		assert.ErrorIs(t, &Error{StatusCode: status, Kind: e.Kind}, s)
	}
	// An unknown code leaves the status in charge too.
	e := decodeError(403, nil, []byte(`{"error":"x","code":"SOMETHING_NEW"}`))
	assert.Equal(t, "SOMETHING_NEW", e.Code)
	assert.ErrorIs(t, &Error{StatusCode: 403, Code: e.Code, Kind: e.Kind}, ErrUnauthorized)
	// Codes are matched whatever their case.
	assert.ErrorIs(t, &Error{StatusCode: 403, Kind: decodeError(403, nil, []byte(`{"code":"read_only_chat"}`)).Kind}, ErrReadOnlyChat)
}
