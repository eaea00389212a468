package ourvoice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/transport"
)

const (
	sessionUUID = "a3f1b2c4-1234-4abc-9def-000011112222"
	messageUUID = "7f9e1234-abcd-4ef0-8765-aabbccddeeff"
	base        = "https://api.getourvoice.com/v1"
)

// TestWire asserts, for every documented endpoint, what goes on the wire:
// method, full URL with its query, headers, and the JSON body field by
// field.
func TestWire(t *testing.T) {
	ctx := context.Background()
	from := time.Date(2024, 1, 15, 12, 30, 0, 0, time.FixedZone("IST", 2*3600))
	to := time.Date(2024, 1, 16, 0, 0, 0, 500000000, time.UTC)
	cases := []struct {
		name      string
		method    string
		url       string
		respond   string
		status    int
		call      func(c *Client) error
		wantQuery url.Values
		wantBody  string // JSON, "" for none
	}{
		{
			name: "list sessions", method: "GET", url: base + "/whatsapp/sessions", respond: "sessions_list.json", status: 200,
			call: func(c *Client) error { _, err := c.Sessions.List(ctx, nil); return err },
		},
		{
			name: "list sessions page 2", method: "GET", url: base + "/whatsapp/sessions?page=2", respond: "sessions_list.json", status: 200,
			call:      func(c *Client) error { _, err := c.Sessions.List(ctx, &ListSessionsParams{Page: 2}); return err },
			wantQuery: url.Values{"page": {"2"}},
		},
		{
			name: "create session", method: "POST", url: base + "/whatsapp/sessions", respond: "session_create.json", status: 201,
			call: func(c *Client) error { _, err := c.Sessions.Create(ctx); return err },
		},
		{
			name: "get session", method: "GET", url: base + "/whatsapp/sessions/" + sessionUUID, respond: "session_get.json", status: 200,
			call: func(c *Client) error { _, err := c.Sessions.Get(ctx, sessionUUID); return err },
		},
		{
			name: "qr code", method: "GET", url: base + "/whatsapp/sessions/" + sessionUUID + "/qr-code", respond: "session_qr_code.json", status: 200,
			call: func(c *Client) error { _, err := c.Sessions.QRCode(ctx, sessionUUID); return err },
		},
		{
			name: "disconnect", method: "PATCH", url: base + "/whatsapp/sessions/" + sessionUUID + "/disconnect", respond: "session_disconnect.json", status: 200,
			call: func(c *Client) error { _, err := c.Sessions.Disconnect(ctx, sessionUUID); return err },
		},
		{
			name: "reconnect", method: "PATCH", url: base + "/whatsapp/sessions/" + sessionUUID + "/reconnect", respond: "session_qr_code_png.json", status: 200,
			call: func(c *Client) error { _, err := c.Sessions.Reconnect(ctx, sessionUUID); return err },
		},
		{
			name: "delete session", method: "DELETE", url: base + "/whatsapp/sessions/" + sessionUUID, respond: "session_delete.json", status: 200,
			call: func(c *Client) error { _, err := c.Sessions.Delete(ctx, sessionUUID); return err },
		},
		{
			name: "list messages docs sample", method: "GET",
			url:     base + "/whatsapp/messages?filter%5Bdirection%5D=outgoing&filter%5Bstatus%5D=delivered&limit=10",
			respond: "messages_list.json", status: 200,
			call: func(c *Client) error {
				_, err := c.Messages.List(ctx, &ListMessagesParams{Status: MessageDelivered, Direction: DirectionOutgoing, Limit: 10})
				return err
			},
			wantQuery: url.Values{"filter[status]": {"delivered"}, "filter[direction]": {"outgoing"}, "limit": {"10"}},
		},
		{
			name: "list messages every filter", method: "GET",
			url: base + "/whatsapp/messages?filter%5Bdirection%5D=incoming&filter%5Bfrom_number%5D=972501234567&filter%5Bstatus%5D=read" +
				"&filter%5Bto_number%5D%5B%5D=22996000000&filter%5Bto_number%5D%5B%5D=%2B972521111111&filter%5Btype%5D=image" +
				"&limit=25&page=3&session_id=session_" + sessionUUID +
				"&time_from=2024-01-15T10%3A30%3A00.000000Z&time_to=2024-01-16T00%3A00%3A00.500000Z",
			respond: "messages_list.json", status: 200,
			call: func(c *Client) error {
				_, err := c.Messages.List(ctx, &ListMessagesParams{
					ToNumber: []string{"22996000000", "+972521111111"}, FromNumber: "972501234567", Status: MessageRead,
					Direction: DirectionIncoming, Type: TypeImage, SessionID: "session_" + sessionUUID,
					TimeFrom: from, TimeTo: to, Limit: 25, Page: 3,
				})
				return err
			},
			wantQuery: url.Values{
				"filter[to_number][]": {"22996000000", "+972521111111"}, "filter[from_number]": {"972501234567"},
				"filter[status]": {"read"}, "filter[direction]": {"incoming"}, "filter[type]": {"image"},
				"session_id": {"session_" + sessionUUID}, "time_from": {"2024-01-15T10:30:00.000000Z"},
				"time_to": {"2024-01-16T00:00:00.500000Z"}, "limit": {"25"}, "page": {"3"},
			},
		},
		{
			name: "list messages by session", method: "GET",
			url:     base + "/whatsapp/messages/" + sessionUUID + "/session?filter%5Btype%5D=text",
			respond: "messages_list.json", status: 200,
			call: func(c *Client) error {
				_, err := c.Messages.ListBySession(ctx, sessionUUID, &ListMessagesParams{Type: TypeText})
				return err
			},
			wantQuery: url.Values{"filter[type]": {"text"}},
		},
		{
			name: "list messages one recipient is still an array", method: "GET",
			url:     base + "/whatsapp/messages?filter%5Bto_number%5D%5B%5D=22996000000",
			respond: "messages_list.json", status: 200,
			call: func(c *Client) error {
				_, err := c.Messages.List(ctx, &ListMessagesParams{ToNumber: []string{"22996000000"}})
				return err
			},
			wantQuery: url.Values{"filter[to_number][]": {"22996000000"}},
		},
		{
			name: "list messages by gateway session_id with every filter", method: "GET",
			url: base + "/whatsapp/messages/session_" + sessionUUID + "/session?filter%5Bdirection%5D=outgoing" +
				"&filter%5Bfrom_number%5D=22997000000&filter%5Bstatus%5D=scheduled&filter%5Bto_number%5D%5B%5D=972521111111" +
				"&filter%5Btype%5D=audio&limit=50&time_from=2024-01-15T10%3A30%3A00.000000Z&time_to=2024-01-16T00%3A00%3A00.500000Z",
			respond: "messages_list.json", status: 200,
			call: func(c *Client) error {
				_, err := c.Messages.ListBySession(ctx, "session_"+sessionUUID, &ListMessagesParams{
					ToNumber: []string{"972521111111"}, FromNumber: "22997000000", Status: MessageScheduled,
					Direction: DirectionOutgoing, Type: TypeAudio, TimeFrom: from, TimeTo: to, Limit: 50,
				})
				return err
			},
			wantQuery: url.Values{
				"filter[to_number][]": {"972521111111"}, "filter[from_number]": {"22997000000"},
				"filter[status]": {"scheduled"}, "filter[direction]": {"outgoing"}, "filter[type]": {"audio"},
				"time_from": {"2024-01-15T10:30:00.000000Z"}, "time_to": {"2024-01-16T00:00:00.500000Z"}, "limit": {"50"},
			},
		},
		{
			name: "get message", method: "GET", url: base + "/whatsapp/messages/" + messageUUID, respond: "message_get.json", status: 200,
			call: func(c *Client) error { _, err := c.Messages.Get(ctx, messageUUID); return err },
		},
		{
			name: "send text docs sample", method: "POST", url: base + "/whatsapp/messages", respond: "message_send_text.json", status: 201,
			call: func(c *Client) error {
				_, err := c.Messages.Send(ctx, SendMessageParams{WhatsAppSessionID: sessionUUID, ToNumber: []string{"22996000000"}, Type: TypeText, Content: "Hello from Our Voice!"})
				return err
			},
			wantBody: fixture(t, "message_send_text_request.json"),
		},
		{
			name: "send image docs sample", method: "POST", url: base + "/whatsapp/messages", respond: "message_send_hebrew.json", status: 201,
			call: func(c *Client) error {
				_, err := c.Messages.Send(ctx, SendMessageParams{
					WhatsAppSessionID: sessionUUID, ToNumber: []string{"22996000000", "22961000000"}, Type: TypeImage,
					MediaURL: "https://example.com/image.jpg", Content: "Check out this photo!", DelayBetween: Delay(time.Second),
				})
				return err
			},
			wantBody: fixture(t, "message_send_image_request.json"),
		},
		{
			name: "send hebrew document, no delay", method: "POST", url: base + "/whatsapp/messages", respond: "message_send_hebrew.json", status: 201,
			call: func(c *Client) error {
				_, err := c.Messages.Send(ctx, SendMessageParams{
					WhatsAppSessionID: sessionUUID, ToNumber: []string{"+972521111111"}, Type: TypeDocument,
					MediaURL: "https://example.com/חשבונית.pdf", Content: "שלום לכולם! זה הודעה בעברית 👍", DelayBetween: Delay(0),
				})
				return err
			},
			wantBody: `{"whatsapp_session_id":"` + sessionUUID + `","to_number":["+972521111111"],"type":"document",` +
				`"media_url":"https://example.com/חשבונית.pdf","content":"שלום לכולם! זה הודעה בעברית 👍","delay_between":0}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := newMocked(t, WithUserAgent("wiretest/1"))
			// Only tc.url answers: a request anywhere else fails the call.
			mt.Respond(tc.method, tc.url, tc.status, fixture(t, tc.respond))
			require.NoError(t, tc.call(c))
			reqs := mt.Requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, tc.method, r.Method)
			assert.Equal(t, tc.url, r.URL)
			assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
			assert.Equal(t, "application/json", r.Header.Get("Accept"))
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.Equal(t, "wiretest/1 switchboard-go/"+transport.Version, r.Header.Get("User-Agent"))
			u, err := url.Parse(r.URL)
			require.NoError(t, err)
			if tc.wantQuery != nil {
				assert.Equal(t, tc.wantQuery, u.Query())
				assert.Equal(t, tc.wantQuery, r.Query)
			} else {
				assert.Empty(t, u.RawQuery)
			}
			if tc.wantBody == "" {
				assert.Empty(t, r.Body)
			} else {
				assert.Equal(t, "application/json", r.ContentType)
				assert.JSONEq(t, tc.wantBody, string(r.Body))
			}
		})
	}
}

func TestNewRejectsBlankToken(t *testing.T) {
	for _, tok := range []string{"", "   ", "\t", "abc\r\nX-Evil: 1", "ov-token\n", " ov-token", "ov\x00token", "ov\x7ftoken"} {
		c, err := New(tok)
		assert.Nil(t, c)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "%q", tok)
		assert.Equal(t, "token", ve.Field)
		assert.Equal(t, "ourvoice", ve.Vendor)
		assert.ErrorIs(t, err, ErrValidation)
	}
}

// TestOptionErrors: an option given a bad value makes New fail with an
// error naming Our Voice and the option; a nil option is ignored.
func TestOptionErrors(t *testing.T) {
	cases := map[string]Option{
		"WithRetryMax":      WithRetryMax(11),
		"WithRetryWait":     WithRetryWait(time.Second, time.Millisecond),
		"WithRetryAfterMax": WithRetryAfterMax(-time.Second),
		"WithHTTPClient":    WithHTTPClient(nil),
		"WithUserAgent":     WithUserAgent("a\r\nb"),
		"base URL":          WithBaseURL("ftp://x"),
	}
	for field, opt := range cases {
		c, err := New(testToken, opt)
		assert.Nil(t, c, field)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, field)
		assert.Equal(t, "ourvoice", ve.Vendor, field)
		assert.Equal(t, field, ve.Field)
		assert.True(t, strings.HasPrefix(err.Error(), "ourvoice: invalid "+field), err.Error())
	}
	c, err := New(testToken, nil, WithLogger(nil))
	require.NoError(t, err)
	assert.NotNil(t, c.Messages)
}

func TestClientNeverPrintsToken(t *testing.T) {
	c, err := New(testToken)
	require.NoError(t, err)
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out := fmt.Sprintf(f, c)
		assert.NotContains(t, out, testToken, f)
		assert.Contains(t, out, "ourvoice", f)
	}
	assert.NotContains(t, fmt.Sprintf("%+v", *c.Sessions), testToken)
}

func TestSetToken(t *testing.T) {
	c, mt := newMocked(t)
	mt.Respond("GET", base+"/whatsapp/sessions/"+sessionUUID, 200, fixture(t, "session_get.json"))
	const next = "ov-rotated-token-9876"
	require.NoError(t, c.SetToken(next))
	_, err := c.Sessions.Get(context.Background(), sessionUUID)
	require.NoError(t, err)
	assert.Equal(t, "Bearer "+next, mt.Requests()[0].Header.Get("Authorization"))
	assert.ErrorIs(t, c.SetToken(" "), ErrValidation)
}

func TestWithBaseURL(t *testing.T) {
	c, mt := newMocked(t, WithBaseURL("http://sandbox.local:8080/v1/"))
	mt.Respond("GET", "http://sandbox.local:8080/v1/whatsapp/sessions", 200, `{"data":[]}`)
	l, err := c.Sessions.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Empty(t, l.Sessions)
	assert.Len(t, mt.Requests(), 1)
}

// TestValidationSendsNothing checks every input rule and that no request
// left the client when one was broken.
func TestValidationSendsNothing(t *testing.T) {
	ctx := context.Background()
	ok := SendMessageParams{WhatsAppSessionID: sessionUUID, ToNumber: []string{"22996000000"}, Type: TypeText, Content: "hi"}
	send := func(mod func(p *SendMessageParams)) func(c *Client) error {
		return func(c *Client) error {
			p := ok
			p.ToNumber = append([]string(nil), ok.ToNumber...)
			mod(&p)
			_, err := c.Messages.Send(ctx, p)
			return err
		}
	}
	cases := []struct {
		name  string
		field string
		call  func(c *Client) error
	}{
		{"empty send params", "whatsapp_session_id", func(c *Client) error { _, err := c.Messages.Send(ctx, SendMessageParams{}); return err }},
		{"no session", "whatsapp_session_id", send(func(p *SendMessageParams) { p.WhatsAppSessionID = "" })},
		{"session with slash", "whatsapp_session_id", send(func(p *SendMessageParams) { p.WhatsAppSessionID = "a/../b" })},
		{"no recipients", "to_number", send(func(p *SendMessageParams) { p.ToNumber = nil })},
		{"blank recipient", "to_number[1]", send(func(p *SendMessageParams) { p.ToNumber = append(p.ToNumber, " ") })},
		{"letters in number", "to_number[0]", send(func(p *SendMessageParams) { p.ToNumber = []string{"22996XXXXXX"} })},
		{"spaces in number", "to_number[0]", send(func(p *SendMessageParams) { p.ToNumber = []string{"229 96 00 00 00"} })},
		{"too short", "to_number[0]", send(func(p *SendMessageParams) { p.ToNumber = []string{"12345"} })},
		{"too long", "to_number[0]", send(func(p *SendMessageParams) { p.ToNumber = []string{"1234567890123456"} })},
		{"duplicate", "to_number[1]", send(func(p *SendMessageParams) { p.ToNumber = []string{"22996000000", "+22996000000"} })},
		{"no type", "type", send(func(p *SendMessageParams) { p.Type = "" })},
		{"unknown type", "type", send(func(p *SendMessageParams) { p.Type = "sticker" })},
		{"text without content", "content", send(func(p *SendMessageParams) { p.Content = "  " })},
		{"bad utf8", "content", send(func(p *SendMessageParams) { p.Content = "\xff" })},
		{"text with media", "media_url", send(func(p *SendMessageParams) { p.MediaURL = "https://x.example/a.png" })},
		{"image without media", "media_url", send(func(p *SendMessageParams) { p.Type = TypeImage; p.Content = "" })},
		{"audio relative url", "media_url", send(func(p *SendMessageParams) { p.Type = TypeAudio; p.MediaURL = "/a.mp3" })},
		{"document ftp url", "media_url", send(func(p *SendMessageParams) { p.Type = TypeDocument; p.MediaURL = "ftp://x.example/a.pdf" })},
		{"negative delay", "delay_between", send(func(p *SendMessageParams) { p.DelayBetween = Delay(-time.Millisecond) })},
		{"sub-ms delay", "delay_between", send(func(p *SendMessageParams) { p.DelayBetween = Delay(1500 * time.Microsecond) })},
		{"get session blank", "id", func(c *Client) error { _, err := c.Sessions.Get(ctx, " "); return err }},
		{"get session padded", "id", func(c *Client) error { _, err := c.Sessions.Get(ctx, " x"); return err }},
		{"qr code traversal", "id", func(c *Client) error { _, err := c.Sessions.QRCode(ctx, ".."); return err }},
		{"disconnect query", "id", func(c *Client) error { _, err := c.Sessions.Disconnect(ctx, "x?y"); return err }},
		{"reconnect blank", "id", func(c *Client) error { _, err := c.Sessions.Reconnect(ctx, ""); return err }},
		{"delete control", "id", func(c *Client) error { _, err := c.Sessions.Delete(ctx, "a\nb"); return err }},
		{"sessions negative page", "page", func(c *Client) error { _, err := c.Sessions.List(ctx, &ListSessionsParams{Page: -1}); return err }},
		{"get message blank", "id", func(c *Client) error { _, err := c.Messages.Get(ctx, ""); return err }},
		{"filter status", "filter[status]", func(c *Client) error {
			_, err := c.Messages.List(ctx, &ListMessagesParams{Status: "lost"})
			return err
		}},
		{"filter direction", "filter[direction]", func(c *Client) error {
			_, err := c.Messages.List(ctx, &ListMessagesParams{Direction: "sideways"})
			return err
		}},
		{"filter type", "filter[type]", func(c *Client) error {
			_, err := c.Messages.List(ctx, &ListMessagesParams{Type: "gif"})
			return err
		}},
		{"filter blank number", "filter[to_number][0]", func(c *Client) error {
			_, err := c.Messages.List(ctx, &ListMessagesParams{ToNumber: []string{""}})
			return err
		}},
		{"time range reversed", "time_to", func(c *Client) error {
			now := time.Now()
			_, err := c.Messages.List(ctx, &ListMessagesParams{TimeFrom: now, TimeTo: now.Add(-time.Second)})
			return err
		}},
		{"negative limit", "limit", func(c *Client) error { _, err := c.Messages.List(ctx, &ListMessagesParams{Limit: -1}); return err }},
		{"negative page", "page", func(c *Client) error { _, err := c.Messages.List(ctx, &ListMessagesParams{Page: -2}); return err }},
		{"bad session_id filter", "session_id", func(c *Client) error {
			_, err := c.Messages.List(ctx, &ListMessagesParams{SessionID: "a/b"})
			return err
		}},
		{"by session blank", "session_id", func(c *Client) error { _, err := c.Messages.ListBySession(ctx, "", nil); return err }},
		{"by session twice", "session_id", func(c *Client) error {
			_, err := c.Messages.ListBySession(ctx, sessionUUID, &ListMessagesParams{SessionID: sessionUUID})
			return err
		}},
		{"by session all", "session_id", func(c *Client) error {
			for _, err := range c.Messages.ListBySessionAll(ctx, "", nil) {
				return err
			}
			return nil
		}},
		{"list all bad filter", "filter[status]", func(c *Client) error {
			for _, err := range c.Messages.ListAll(ctx, &ListMessagesParams{Status: "x"}) {
				return err
			}
			return nil
		}},
		{"wait blank", "id", func(c *Client) error { _, err := c.Sessions.WaitConnected(ctx, "", nil); return err }},
		{"wait negative", "interval", func(c *Client) error {
			_, err := c.Sessions.WaitConnected(ctx, sessionUUID, &WaitParams{Interval: -1})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := newMocked(t)
			recordEverything(mt)
			err := tc.call(c)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Equal(t, "ourvoice", ve.Vendor)
			assert.ErrorIs(t, err, ErrValidation)
			assert.True(t, strings.HasPrefix(err.Error(), "ourvoice: invalid "+tc.field+": "), err.Error())
			assert.Empty(t, mt.Requests(), "a request went out")
			assert.Zero(t, mt.Count())
		})
	}
}

func TestSendAcceptsDocumentedVariants(t *testing.T) {
	c, mt := newMocked(t)
	mt.Respond("POST", base+"/whatsapp/messages", 201, fixture(t, "message_send_text.json"))
	ctx := context.Background()
	// Audio with a caption: the send docs list captions for image, video and
	// document only, the model for every media type; both are allowed.
	_, err := c.Messages.Send(ctx, SendMessageParams{WhatsAppSessionID: sessionUUID, ToNumber: []string{"22996000000"}, Type: TypeAudio, MediaURL: "https://example.com/a.ogg", Content: "🎵"})
	require.NoError(t, err)
	// Media without a caption: content is omitted from the body.
	_, err = c.Messages.Send(ctx, SendMessageParams{WhatsAppSessionID: sessionUUID, ToNumber: []string{"22996000000"}, Type: TypeVideo, MediaURL: "https://example.com/v.mp4"})
	require.NoError(t, err)
	reqs := mt.Requests()
	require.Len(t, reqs, 2)
	assert.JSONEq(t, `{"whatsapp_session_id":"`+sessionUUID+`","to_number":["22996000000"],"type":"audio","media_url":"https://example.com/a.ogg","content":"🎵"}`, string(reqs[0].Body))
	assert.JSONEq(t, `{"whatsapp_session_id":"`+sessionUUID+`","to_number":["22996000000"],"type":"video","media_url":"https://example.com/v.mp4"}`, string(reqs[1].Body))
}

func TestDecodeDocsSamples(t *testing.T) {
	ctx := context.Background()
	c, mt := newMocked(t)
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return v
	}

	t.Run("create session", func(t *testing.T) {
		mt.Respond("POST", base+"/whatsapp/sessions", 201, fixture(t, "session_create.json"))
		got, err := c.Sessions.Create(ctx)
		require.NoError(t, err)
		assert.Equal(t, Session{
			ID: sessionUUID, AccountID: "43c98bbc-2f78-466b-9b94-b154a1b380ec", SessionID: "session_" + sessionUUID,
			DisplayName: "session_" + sessionUUID, Status: SessionPending,
			LastSeenAt: ts("2024-01-15T10:30:00Z"), CreatedAt: ts("2024-01-15T10:30:00Z"), UpdatedAt: ts("2024-01-15T10:30:00Z"),
		}, withoutRaw(got.Session))
		assert.Equal(t, QRCode("data:image/png;base64,iVBORw0KGgoAAAANS..."), got.QRCode)
		assert.Nil(t, got.PNG, "the docs' sample is truncated")
		_, err = got.QRCode.PNG()
		assert.Error(t, err)
		assert.JSONEq(t, fixture(t, "session_create.json"), string(got.Raw()))
		assert.Contains(t, string(got.Session.Raw()), `"account_id"`)
	})

	t.Run("create session with real png and quirks", func(t *testing.T) {
		mt.Respond("POST", base+"/whatsapp/sessions", 201, fixture(t, "session_create_png.json"))
		got, err := c.Sessions.Create(ctx)
		require.NoError(t, err)
		assert.Equal(t, fixture(t, "qr.png"), string(got.PNG))
		assert.Equal(t, "קו תמיכה 📞", got.Session.DisplayName)
		assert.Empty(t, got.Session.PhoneNumber, `"null" is no number`)
		assert.True(t, got.Session.LastSeenAt.IsZero())
		assert.Equal(t, time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC), got.Session.CreatedAt)
		assert.Contains(t, string(got.Session.Raw()), "webhook_url")
	})

	t.Run("qr code docs sample", func(t *testing.T) {
		mt.Respond("GET", base+"/whatsapp/sessions/"+sessionUUID+"/qr-code", 200, fixture(t, "session_qr_code.json"))
		got, err := c.Sessions.QRCode(ctx, sessionUUID)
		require.NoError(t, err)
		assert.Equal(t, QRCode("data:image/png;base64,iVBORw0KGgoAAAANS..."), got.QRCode)
		assert.Nil(t, got.PNG, "the docs' sample is truncated")
		assert.JSONEq(t, fixture(t, "session_qr_code.json"), string(got.Raw()))
	})

	t.Run("qr code", func(t *testing.T) {
		mt.Respond("GET", base+"/whatsapp/sessions/"+sessionUUID+"/qr-code", 200, fixture(t, "session_qr_code_png.json"))
		got, err := c.Sessions.QRCode(ctx, sessionUUID)
		require.NoError(t, err)
		assert.Equal(t, fixture(t, "qr.png"), string(got.PNG))
		data, mt, err := got.QRCode.Image()
		require.NoError(t, err)
		assert.Equal(t, "image/png", mt)
		assert.Equal(t, got.PNG, data)
	})

	t.Run("get session", func(t *testing.T) {
		mt.Respond("GET", base+"/whatsapp/sessions/"+sessionUUID, 200, fixture(t, "session_get.json"))
		got, err := c.Sessions.Get(ctx, sessionUUID)
		require.NoError(t, err)
		assert.Equal(t, SessionConnected, got.Status)
		assert.Equal(t, "972501234567", got.PhoneNumber)
		assert.Equal(t, "שירות לקוחות 👋", got.DisplayName)
		assert.Equal(t, ts("2024-01-15T10:42:00Z"), got.LastSeenAt)
	})

	t.Run("list sessions", func(t *testing.T) {
		mt.Respond("GET", base+"/whatsapp/sessions", 200, fixture(t, "sessions_list.json"))
		got, err := c.Sessions.List(ctx, nil)
		require.NoError(t, err)
		require.Len(t, got.Sessions, 2)
		assert.False(t, got.HasMore())
		assert.Equal(t, SessionBanned, got.Sessions[1].Status)
		assert.True(t, got.Sessions[1].Status.Terminal())
		assert.Equal(t, "Account banned by WhatsApp ⚠️", got.Sessions[1].Reason)
		var n int
		for s, err := range c.Sessions.ListAll(ctx, nil) {
			require.NoError(t, err)
			assert.NotEmpty(t, s.ID)
			n++
		}
		assert.Equal(t, 2, n)
	})

	t.Run("disconnect", func(t *testing.T) {
		mt.Respond("PATCH", base+"/whatsapp/sessions/"+sessionUUID+"/disconnect", 200, fixture(t, "session_disconnect.json"))
		got, err := c.Sessions.Disconnect(ctx, sessionUUID)
		require.NoError(t, err)
		assert.Equal(t, "Session disconnected successfully", got.Message)
		require.NotNil(t, got.Session)
		assert.Equal(t, SessionDisconnected, got.Session.Status)
		assert.Equal(t, "Disconnected by user", got.Session.Reason)
		assert.Empty(t, got.QRCode)
	})

	t.Run("reconnect with qr and empty answers", func(t *testing.T) {
		mt.Respond("PATCH", base+"/whatsapp/sessions/"+sessionUUID+"/reconnect", 200, fixture(t, "session_qr_code_png.json"))
		got, err := c.Sessions.Reconnect(ctx, sessionUUID)
		require.NoError(t, err)
		assert.Nil(t, got.Session)
		assert.Equal(t, fixture(t, "qr.png"), string(got.PNG))
		for _, body := range []string{"", `{"success":true}`, `{"id":"` + sessionUUID + `","status":"pending"}`} {
			mt.Respond("PATCH", base+"/whatsapp/sessions/"+sessionUUID+"/reconnect", 200, body)
			got, err := c.Sessions.Reconnect(ctx, sessionUUID)
			require.NoError(t, err, body)
			if strings.Contains(body, "pending") {
				require.NotNil(t, got.Session)
				assert.Equal(t, SessionPending, got.Session.Status)
			}
		}
	})

	t.Run("delete", func(t *testing.T) {
		mt.Respond("DELETE", base+"/whatsapp/sessions/"+sessionUUID, 200, fixture(t, "session_delete.json"))
		got, err := c.Sessions.Delete(ctx, sessionUUID)
		require.NoError(t, err)
		assert.Equal(t, "Session deleted successfully", got.Message)
		mt.Respond("DELETE", base+"/whatsapp/sessions/"+sessionUUID, 204, "")
		_, err = c.Sessions.Delete(ctx, sessionUUID)
		require.NoError(t, err)
	})

	t.Run("send text docs sample", func(t *testing.T) {
		mt.Respond("POST", base+"/whatsapp/messages", 201, fixture(t, "message_send_text.json"))
		got, err := c.Messages.Send(ctx, SendMessageParams{WhatsAppSessionID: sessionUUID, ToNumber: []string{"22996000000"}, Type: TypeText, Content: "Hello from Our Voice!"})
		require.NoError(t, err)
		assert.Equal(t, "Message queued for sending", got.Message)
		assert.Equal(t, 1, got.Count)
		assert.Equal(t, 10.0, got.TotalCost)
		assert.Equal(t, 4990.0, got.NewBalance)
		assert.Equal(t, 499, got.RemainingMessages)
		require.Len(t, got.Messages, 1)
		assert.Equal(t, Message{
			ID: messageUUID, WhatsAppSessionID: sessionUUID, CampaignID: "1498e4ff-3d09-4dba-bb7c-62851729f7ea",
			FromNumber: "22997000000", ToNumber: []string{"22996XXXXXX"}, Type: TypeText, Content: "Hello from Our Voice!",
			Status: MessageQueued, Direction: DirectionOutgoing, Cost: 10,
			CreatedAt: ts("2024-01-15T10:45:00Z"), UpdatedAt: ts("2024-01-15T10:45:00Z"),
		}, withoutRawMsg(got.Messages[0]))
		assert.JSONEq(t, fixture(t, "message_send_text.json"), string(got.Raw()))
		var doc struct {
			Data struct{ Messages []json.RawMessage }
		}
		require.NoError(t, json.Unmarshal([]byte(fixture(t, "message_send_text.json")), &doc))
		assert.Equal(t, string(doc.Data.Messages[0]), string(got.Messages[0].Raw()), "each message keeps its exact JSON")
	})

	t.Run("send hebrew with string numbers", func(t *testing.T) {
		mt.Respond("POST", base+"/whatsapp/messages", 201, fixture(t, "message_send_hebrew.json"))
		got, err := c.Messages.Send(ctx, SendMessageParams{WhatsAppSessionID: sessionUUID, ToNumber: []string{"972521111111", "972522222222"}, Type: TypeImage, MediaURL: "https://example.com/x.jpg"})
		require.NoError(t, err)
		assert.Equal(t, 2, got.Count)
		assert.Equal(t, 4965.5, got.NewBalance)
		require.Len(t, got.Messages, 2)
		assert.Equal(t, []string{"972521111111"}, got.Messages[0].ToNumber)
		assert.Equal(t, []string{"972522222222"}, got.Messages[1].ToNumber)
		assert.Equal(t, 12.5, got.Messages[0].Cost)
		assert.Equal(t, "שלום לכולם! זה הודעה בעברית 👍", got.Messages[1].Content)
		assert.Equal(t, "https://example.com/תמונה.jpg", got.Messages[0].MediaURL)
	})

	t.Run("list messages", func(t *testing.T) {
		mt.Respond("GET", base+"/whatsapp/messages", 200, fixture(t, "messages_list.json"))
		got, err := c.Messages.List(ctx, nil)
		require.NoError(t, err)
		require.Len(t, got.Messages, 2)
		assert.True(t, got.HasMore())
		assert.Equal(t, Meta{CurrentPage: 1, LastPage: 3, PerPage: 2, From: 1, To: 2, Total: 6, Path: base + "/whatsapp/messages"}, got.Meta)
		assert.Equal(t, Links{First: base + "/whatsapp/messages?page=1", Last: base + "/whatsapp/messages?page=3", Next: base + "/whatsapp/messages?page=2"}, got.Links)
		m := got.Messages[0]
		assert.Equal(t, []string{"22996000001", "22961000002"}, m.ToNumber)
		assert.Equal(t, "קוד האימות שלך: 4821 🔐", m.Content)
		assert.Equal(t, "5e5e5e5e-1111-4222-8333-444455556666", m.OTPID)
		assert.Equal(t, "3EB0C767D26A1D5E8F2B", m.ProviderMessageID)
		assert.Equal(t, MessageDelivered, m.Status)
		assert.True(t, m.Status.Reached())
		assert.Equal(t, ts("2024-01-15T10:45:02Z"), m.SentAt)
		assert.Equal(t, ts("2024-01-15T10:45:05Z"), m.DeliveredAt)
		assert.True(t, m.ReadAt.IsZero())
		assert.JSONEq(t, `{"retries":0,"events":["sent","delivered"]}`, string(m.Metadata))
		m = got.Messages[1]
		assert.Equal(t, []string{"22997000000"}, m.ToNumber)
		assert.Equal(t, DirectionIncoming, m.Direction)
		assert.Equal(t, TypeDocument, m.Type)
		assert.Equal(t, MessageFailed, m.Status)
		assert.Equal(t, "Media download failed", m.Reason)
		assert.JSONEq(t, `{"webhook":"message.failed"}`, string(m.Metadata))
	})

	t.Run("get message", func(t *testing.T) {
		mt.Respond("GET", base+"/whatsapp/messages/"+messageUUID, 200, fixture(t, "message_get.json"))
		got, err := c.Messages.Get(ctx, messageUUID)
		require.NoError(t, err)
		assert.Equal(t, MessageRead, got.Status)
		assert.Equal(t, ts("2024-01-15T10:47:00Z"), got.ReadAt)
		assert.Nil(t, got.Metadata)
		assert.Equal(t, []string{"22996XXXXXX"}, got.ToNumber)
	})
}

func withoutRaw(s Session) Session    { s.RawJSON = transport.RawJSON{}; return s }
func withoutRawMsg(m Message) Message { m.RawJSON, m.from = transport.RawJSON{}, rawItem{}; return m }
func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestListAllWalksPages(t *testing.T) {
	c, mt := newMocked(t)
	page := func(n, last int, ids ...string) string {
		items := make([]map[string]any, len(ids))
		for i, id := range ids {
			items[i] = map[string]any{"id": id, "to_number": "22996000000", "content": "שלום " + id}
		}
		next := any(nil)
		if n < last {
			next = fmt.Sprintf(base+"/whatsapp/messages?page=%d", n+1)
		}
		return mustJSON(t, map[string]any{"data": items, "links": map[string]any{"next": next}, "meta": map[string]any{"current_page": n, "last_page": last, "per_page": 2}})
	}
	mt.Handle("GET", base+"/whatsapp/messages", func(r *http.Request) (*http.Response, error) {
		switch r.URL.Query().Get("page") {
		case "":
			return httpmock.NewStringResponse(200, page(1, 3, "a", "b")), nil
		case "2":
			return httpmock.NewStringResponse(200, page(2, 3, "c", "d")), nil
		case "3":
			return httpmock.NewStringResponse(200, page(3, 3, "e")), nil
		}
		return httpmock.NewStringResponse(500, "{}"), nil
	})
	var ids []string
	for m, err := range c.Messages.ListAll(context.Background(), &ListMessagesParams{Limit: 2, Direction: DirectionOutgoing}) {
		require.NoError(t, err)
		ids = append(ids, m.ID)
	}
	assert.Equal(t, []string{"a", "b", "c", "d", "e"}, ids)
	reqs := mt.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, base+"/whatsapp/messages?filter%5Bdirection%5D=outgoing&limit=2", reqs[0].URL)
	assert.Equal(t, base+"/whatsapp/messages?filter%5Bdirection%5D=outgoing&limit=2&page=2", reqs[1].URL)

	// Stopping early fetches no further page.
	for range c.Messages.ListAll(context.Background(), nil) {
		break
	}
	assert.Len(t, mt.Requests(), 4)
}

func TestListAllStopsOnIgnoredPage(t *testing.T) {
	c, mt := newMocked(t)
	mt.Respond("GET", base+"/whatsapp/messages/"+sessionUUID+"/session", 200,
		`{"data":[{"id":"x"}],"links":{"next":"n"},"meta":{"current_page":1,"last_page":5}}`)
	var n int
	var last error
	for _, err := range c.Messages.ListBySessionAll(context.Background(), sessionUUID, nil) {
		n++
		last = err
	}
	assert.Equal(t, 2, n)
	require.Error(t, last)
	assert.Contains(t, last.Error(), "asked for page 2, got page 1")
}

func TestDecodeListShapes(t *testing.T) {
	cases := map[string]struct {
		body  string
		ids   []string
		last  bool
		total int
	}{
		"bare array":         {`[{"id":"a"},{"id":"b"}]`, []string{"a", "b"}, true, 0},
		"resource page":      {`{"data":[{"id":"a"}],"links":{"next":null},"meta":{"current_page":2,"last_page":2,"total":3}}`, []string{"a"}, true, 3},
		"wrapped":            {`{"success":true,"data":{"data":[{"id":"a"}],"links":{"next":"x"},"meta":{"current_page":1,"last_page":2}}}`, []string{"a"}, false, 0},
		"flat paginator":     {`{"current_page":"1","data":[{"id":"a"}],"last_page":"4","next_page_url":"u","total":"31"}`, []string{"a"}, false, 31},
		"links only":         {`{"data":[{"id":"a"}],"links":{"next":"u"}}`, []string{"a"}, false, 0},
		"keyed":              {`{"success":true,"messages":[{"id":"a"}]}`, []string{"a"}, true, 0},
		"null data":          {`{"success":true,"data":null}`, nil, true, 0},
		"nested under data2": {`{"data":{"messages":[{"id":"z"}]}}`, []string{"z"}, true, 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resp := answer(200, tc.body)
			require.Nil(t, failure(resp))
			l, err := decodeMessageList(resp)
			require.NoError(t, err)
			var ids []string
			for _, it := range l.Messages {
				ids = append(ids, it.ID)
				assert.Contains(t, string(it.Raw()), `"id":"`+it.ID+`"`, "each item finds its own JSON")
			}
			assert.Equal(t, tc.ids, ids)
			assert.Equal(t, tc.last, l.info.last())
			assert.Equal(t, !tc.last, l.HasMore())
			assert.Equal(t, tc.total, l.Meta.Total)
		})
	}
	for _, body := range []string{`{"data":"nope"}`, `{"data":["nope"]}`, `{"messages":{"id":"a"}}`, `[1,`} {
		_, err := decodeMessageList(answer(200, body))
		assert.Error(t, err, body)
	}
}

func TestQRCodeImage(t *testing.T) {
	png := fixture(t, "qr.png")
	std := "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAAAAADhZOFXAAAAE0lEQVR4nGP4zwCBDAz/0SBJIgB8BB/hqRvM5AAAAABJRU5ErkJggg=="
	for name, q := range map[string]QRCode{
		"data url":      QRCode("data:image/png;base64," + std),
		"unpadded":      QRCode("data:image/png;base64," + strings.TrimRight(std, "=")),
		"url-safe":      QRCode("data:image/png;base64," + strings.NewReplacer("+", "-", "/", "_").Replace(std)),
		"line breaks":   QRCode("data:image/png;base64," + std[:20] + "\n" + std[20:]),
		"upper prefix":  QRCode("DATA:image/PNG;BASE64," + std),
		"bare base64":   QRCode(std),
		"with charset":  QRCode("data:image/png;charset=binary;base64," + std),
		"spaces around": QRCode("  data:image/png;base64," + std + " "),
	} {
		b, err := q.PNG()
		require.NoError(t, err, name)
		assert.Equal(t, png, string(b), name)
	}
	for name, q := range map[string]QRCode{
		"empty":      "",
		"truncated":  "data:image/png;base64,iVBORw0KGgoAAAANS...",
		"no comma":   "data:image/png;base64",
		"not base64": "data:image/png,rawbytes",
		"jpeg":       QRCode("data:image/jpeg;base64," + std),
		"not png":    "data:image/png;base64,aGVsbG8=",
	} {
		_, err := q.PNG()
		assert.Error(t, err, name)
	}
	assert.Equal(t, "data:x", QRCode("data:x").String())
}

func TestStatusHelpers(t *testing.T) {
	assert.True(t, SessionBanned.Terminal())
	assert.True(t, SessionFailed.Terminal())
	assert.False(t, SessionDisconnected.Terminal())
	assert.Equal(t, "pending", SessionPending.String())
	assert.True(t, MessageRead.Reached())
	assert.False(t, MessageSent.Reached())
	assert.Equal(t, "queued", MessageQueued.String())
	assert.True(t, TypeDocument.Media())
	assert.False(t, TypeText.Media())
	assert.Equal(t, "image", TypeImage.String())
	assert.Equal(t, "incoming", DirectionIncoming.String())
	assert.Equal(t, "2024-01-15T10:30:00.000000Z", FormatTime(time.Date(2024, 1, 15, 12, 30, 0, 0, time.FixedZone("", 7200))))
}

func TestErrorsAreMatchable(t *testing.T) {
	var se error = &SessionStatusError{SessionID: "s", Status: SessionBanned, Reason: "spam"}
	assert.ErrorIs(t, se, ErrSessionBanned)
	assert.NotErrorIs(t, se, ErrSessionFailed)
	assert.Equal(t, "ourvoice: session s is banned: spam", se.Error())
	assert.True(t, errors.Is(&SessionStatusError{Status: SessionFailed}, ErrSessionFailed))
}
