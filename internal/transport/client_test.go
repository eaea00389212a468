package transport

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/loose"
)

type listParams struct {
	Page     int      `url:"page,omitempty"`
	Status   string   `url:"filter[status],omitempty"`
	ToNumber []string `url:"filter[to_number][],omitempty"`
	Search   string   `url:"search,omitempty"`
}

type thing struct {
	RawJSON
	ID   loose.Int `json:"id"`
	Name string    `json:"name"`
}

func newMocked(t *testing.T, cfg Config, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	opts = append([]Option{WithHTTPClient(&http.Client{Transport: mt}), WithRetryWait(1e6, 2e6)}, opts...)
	c, err := New(cfg, opts...)
	require.NoError(t, err)
	return c, mt
}

func TestDoGETWire(t *testing.T) {
	c, mt := newMocked(t, Config{Vendor: "v", BaseURL: "https://api.example.com/external-api", Auth: http.Header{"Client-Id": {"cid-123"}, "Client-Secret": {"sec-SENTINEL"}}}, WithUserAgent("app/1"))
	var got *http.Request
	mt.RegisterResponder("GET", "https://api.example.com/external-api/contact/list", func(r *http.Request) (*http.Response, error) {
		got = r
		return httpmock.NewStringResponse(200, `{"id":"7","name":"שלום 👍","extra":true}`), nil
	})
	var out thing
	resp, err := c.Do(context.Background(), &Request{Method: "GET", Path: "contact/list", Query: listParams{Page: 2, Status: "sent", ToNumber: []string{"+1", "+2"}}}, &out)
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, "cid-123", got.Header.Get("client-id"))
	assert.Equal(t, "sec-SENTINEL", got.Header.Get("client-secret"))
	assert.Equal(t, "application/json", got.Header.Get("Accept"))
	assert.Equal(t, "app/1 switchboard-go/"+Version, got.Header.Get("User-Agent"))
	assert.Equal(t, "filter%5Bstatus%5D=sent&filter%5Bto_number%5D%5B%5D=%2B1&filter%5Bto_number%5D%5B%5D=%2B2&page=2", got.URL.RawQuery)
	assert.Equal(t, []string{"+1", "+2"}, got.URL.Query()["filter[to_number][]"])
	assert.Equal(t, loose.Int(7), out.ID)
	assert.Equal(t, "שלום 👍", out.Name)
	assert.JSONEq(t, `{"id":"7","name":"שלום 👍","extra":true}`, string(out.Raw()))
	assert.Equal(t, 1, resp.Attempts)
}

func TestDoJSONAndForm(t *testing.T) {
	c, mt := newMocked(t, Config{Vendor: "v", BaseURL: "https://h.example"})
	var ct, body string
	mt.RegisterResponder("POST", "https://h.example/x", func(r *http.Request) (*http.Response, error) {
		ct = r.Header.Get("Content-Type")
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		return httpmock.NewStringResponse(200, `{}`), nil
	})
	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/x", JSON: map[string]any{"to_number": []string{"972501234567"}, "content": "hi"}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "application/json", ct)
	assert.JSONEq(t, `{"to_number":["972501234567"],"content":"hi"}`, body)

	type form struct {
		Function  string  `url:"function"`
		FirstName *string `url:"first_name,omitempty"`
		LastName  *string `url:"last_name,omitempty"`
	}
	empty := ""
	_, err = c.Do(context.Background(), &Request{Method: "POST", Path: "x", Form: form{Function: "update", FirstName: &empty}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "application/x-www-form-urlencoded", ct)
	assert.Equal(t, "first_name=&function=update", body)
}

func TestFailureInside200(t *testing.T) {
	decode := func(resp *Response) *Error {
		body := resp.Body
		var env struct {
			Status  string   `json:"status"`
			Remark  string   `json:"remark"`
			Message []string `json:"message"`
		}
		if json.Unmarshal(body, &env) != nil || env.Status != "error" {
			return nil
		}
		e := &Error{Code: env.Remark, Messages: env.Message}
		if env.Remark == "validation_error" {
			e.Kind = ErrValidation
		}
		return e
	}
	c, mt := newMocked(t, Config{Vendor: "voxio", BaseURL: "https://h.example", Failure: decode, Auth: http.Header{"Client-Secret": {"sec-SENTINEL"}}})
	mt.RegisterResponder("POST", "https://h.example/send?token=q-SENTINEL", httpmock.NewStringResponder(200, `{"status":"error","remark":"validation_error","message":["The mobile field is required.","sec-SENTINEL"]}`))
	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "send", Query: map[string][]string{"token": {"q-SENTINEL"}}, JSON: map[string]string{"a": "b"}}, nil)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 200, e.StatusCode)
	assert.Equal(t, "validation_error", e.Code)
	assert.ErrorIs(t, err, ErrValidation)
	assert.NotErrorIs(t, err, ErrNotFound)
	assert.Contains(t, err.Error(), "The mobile field is required.")
	assert.NotContains(t, err.Error(), "SENTINEL")
	assert.False(t, strings.Contains(string(e.Body), "sec-SENTINEL"))
}

func TestDoStream(t *testing.T) {
	c, mt := newMocked(t, Config{Vendor: "chattu", BaseURL: "https://bot.example", Failure: func(resp *Response) *Error {
		body := resp.Body
		var env struct {
			Success *bool  `json:"success"`
			Code    string `json:"code"`
			Error   string `json:"error"`
		}
		if json.Unmarshal(body, &env) == nil && env.Success != nil && !*env.Success {
			return &Error{Code: env.Code, Messages: []string{env.Error}}
		}
		return nil
	}})
	png := "\x89PNG\r\n\x1a\nDATA"
	mt.RegisterResponder("GET", "https://bot.example/api/qr/c1", func(r *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(200, png)
		resp.Header.Set("Content-Type", "image/png")
		resp.Header.Set("Content-Disposition", `inline; filename="qr code.png"`)
		return resp, nil
	})
	mt.RegisterResponder("GET", "https://bot.example/api/qr/c2", func(r *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(200, `{"success":false,"code":"CLIENT_NOT_FOUND","error":"no such client"}`)
		resp.Header.Set("Content-Type", "application/json; charset=utf-8")
		return resp, nil
	})
	mt.RegisterResponder("GET", "https://bot.example/api/qr/c3", httpmock.NewStringResponder(404, `not here`))

	s, err := c.DoStream(context.Background(), &Request{Method: "GET", Path: "/api/qr/c1", Header: http.Header{"Accept": {"image/png"}}})
	require.NoError(t, err)
	b, err := io.ReadAll(s)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	assert.Equal(t, png, string(b))
	assert.Equal(t, "image/png", s.ContentType)
	assert.Equal(t, "qr code.png", s.FileName)

	_, err = c.DoStream(context.Background(), &Request{Method: "GET", Path: "/api/qr/c2"})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "CLIENT_NOT_FOUND", e.Code)

	_, err = c.DoStream(context.Background(), &Request{Method: "GET", Path: "/api/qr/c3"})
	assert.ErrorIs(t, err, ErrNotFound)
}
