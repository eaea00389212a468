package chattu

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/transport"
	"github.com/switchboard-go/switchboard/internal/wiretest"
)

func TestNewRejectsMissingCredentials(t *testing.T) {
	for _, tc := range []struct{ base, key, field string }{
		{"", testKey, "baseURL"},
		{"  ", testKey, "baseURL"},
		{testBase, "", "apiKey"},
		{testBase, "   ", "apiKey"},
		{testBase, " key-with-space", "apiKey"},
		{testBase, "key\r\nX-Evil: 1", "apiKey"},
	} {
		_, err := New(tc.base, tc.key)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "%q %q", tc.base, tc.key)
		assert.Equal(t, tc.field, ve.Field)
		assert.ErrorIs(t, err, ErrValidation)
	}
	_, err := New("ftp://bot.example.com", testKey)
	assert.ErrorIs(t, err, ErrValidation)
	_, err = New("not a url", testKey)
	assert.ErrorIs(t, err, ErrValidation)
}

func TestSessionCookieOption(t *testing.T) {
	for _, bad := range []string{"", "  ", "a=b\r\nX: y", "novalue"} {
		_, err := New(testBase, testKey, WithSessionCookie(bad))
		assert.ErrorIs(t, err, ErrValidation, "%q", bad)
	}
	c, err := New(testBase, testKey, WithSessionCookie("connect.sid=abc123; other=xyz789"))
	require.NoError(t, err)
	assert.True(t, c.HasSession())
	c, err = New(testBase, testKey)
	require.NoError(t, err)
	assert.False(t, c.HasSession())
}

func TestVendorOptionOutsideNew(t *testing.T) {
	// A Chattu option handed to another vendor's constructor must fail
	// loudly, not be silently dropped: Option is Chattu's own type, so it
	// is not the shared transport option every vendor's New builds on, and
	// passing it elsewhere does not compile.
	for _, o := range []any{WithRateLimit(), WithSessionCookie("a=b"), WithBaseURL(testBase), WithRetryMax(1)} {
		_, shared := o.(transport.Option)
		assert.False(t, shared, "%T", o)
		_, own := o.(Option)
		assert.True(t, own, "%T", o)
	}
	assert.NotEqual(t, reflect.TypeOf(Option(nil)), reflect.TypeOf(transport.Option(nil)))
}

// TestErrorsNameTheVendor: every constructor and validation error says it
// is Chattu's, for programs that build clients of several vendors.
func TestErrorsNameTheVendor(t *testing.T) {
	for name, build := range map[string]func() error{
		"no base URL": func() error { _, err := New("", testKey); return err },
		"no key":      func() error { _, err := New(testBase, ""); return err },
		"bad base":    func() error { _, err := New(testBase, testKey, WithBaseURL("ftp://x")); return err },
		"bad retries": func() error { _, err := New(testBase, testKey, WithRetryMax(99)); return err },
		"bad client":  func() error { _, err := New(testBase, testKey, WithHTTPClient(nil)); return err },
		"bad cookie":  func() error { _, err := New(testBase, testKey, WithSessionCookie("")); return err },
		"bad agent":   func() error { _, err := New(testBase, testKey, WithUserAgent("a\nb")); return err },
		"validation": func() error {
			c, _ := mockClient(t)
			_, err := c.Messages.Send(context.Background(), SendMessageParams{})
			return err
		},
	} {
		err := build()
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, name)
		assert.Equal(t, "chattu", ve.Vendor, name)
		assert.True(t, strings.HasPrefix(err.Error(), "chattu: "), "%s: %v", name, err)
	}
}

func TestConcurrentNewKeepsOptionsApart(t *testing.T) {
	done := make(chan *Client, 40)
	for i := 0; i < 40; i++ {
		go func(i int) {
			var opts []Option
			if i%2 == 0 {
				opts = append(opts, WithSessionCookie("connect.sid=abcdef"), WithRateLimit())
			}
			c, err := New(testBase, testKey, opts...)
			if err != nil {
				done <- nil
				return
			}
			if (i%2 == 0) != c.HasSession() || (i%2 == 0) != (c.limiter != nil) {
				done <- nil
				return
			}
			done <- c
		}(i)
	}
	for i := 0; i < 40; i++ {
		assert.NotNil(t, <-done)
	}
}

// TestValidationSendsNothing checks every rule the docs give is enforced
// before any request goes out.
func TestValidationSendsNothing(t *testing.T) {
	long := strings.Repeat("א", MaxGroupMessageLength+1)
	emojiLong := strings.Repeat("😀", MaxGroupMessageLength/2+1) // 2 UTF-16 units each
	grp := GroupID("120363123456789012@g.us")
	cases := []struct {
		name, field string
		run         func(ctx context.Context, c *Client) error
	}{
		{"add: no client id", "clientId", func(ctx context.Context, c *Client) error {
			_, err := c.Clients.AddNumber(ctx, AddNumberParams{PhoneNumber: "12345678901"})
			return err
		}},
		{"add: plus sign", "phoneNumber", func(ctx context.Context, c *Client) error {
			_, err := c.Clients.AddNumber(ctx, AddNumberParams{ClientID: "a", PhoneNumber: "+12345678901"})
			return err
		}},
		{"add: letters", "phoneNumber", func(ctx context.Context, c *Client) error {
			_, err := c.Clients.AddNumber(ctx, AddNumberParams{ClientID: "a", PhoneNumber: "12-345"})
			return err
		}},
		{"add: slash in client id", "clientId", func(ctx context.Context, c *Client) error {
			_, err := c.Clients.AddNumber(ctx, AddNumberParams{ClientID: "a/../b", PhoneNumber: "12345678901"})
			return err
		}},
		{"qr: no client", "clientId", func(ctx context.Context, c *Client) error {
			_, err := c.Clients.QR(ctx, "")
			return err
		}},
		{"webhook: relative", "webhookUrl", func(ctx context.Context, c *Client) error {
			_, err := c.Clients.UpdateWebhook(ctx, UpdateWebhookParams{ClientID: "a", WebhookURL: "/hook"})
			return err
		}},
		{"webhook: missing", "webhookUrl", func(ctx context.Context, c *Client) error {
			_, err := c.Clients.UpdateWebhook(ctx, UpdateWebhookParams{ClientID: "a"})
			return err
		}},
		{"delete: no password", "password", func(ctx context.Context, c *Client) error {
			_, err := c.Clients.Delete(ctx, "a", DeleteClientParams{})
			return err
		}},
		{"send: no text nor media", "message", func(ctx context.Context, c *Client) error {
			_, err := c.Messages.Send(ctx, SendMessageParams{ClientID: "a", Number: "12345678901"})
			return err
		}},
		{"send: bad number", "number", func(ctx context.Context, c *Client) error {
			_, err := c.Messages.Send(ctx, SendMessageParams{ClientID: "a", Number: "call me", Message: "x"})
			return err
		}},
		{"send: unsupported file", "mediaUrl", func(ctx context.Context, c *Client) error {
			_, err := c.Messages.Send(ctx, SendMessageParams{ClientID: "a", Number: "12345678901", MediaURL: "https://x.test/a.exe"})
			return err
		}},
		{"send: media not http", "mediaUrl", func(ctx context.Context, c *Client) error {
			_, err := c.Messages.Send(ctx, SendMessageParams{ClientID: "a", Number: "12345678901", MediaURL: "file:///etc/passwd.jpg"})
			return err
		}},
		{"received: no client", "clientId", func(ctx context.Context, c *Client) error {
			_, err := c.Messages.Received(ctx, "")
			return err
		}},
		{"schedule: no time", "scheduleTime", func(ctx context.Context, c *Client) error {
			_, err := c.Schedules.Create(ctx, ScheduleParams{ClientID: "a", Number: "9721234567", Message: "x"})
			return err
		}},
		{"schedule: no message", "message", func(ctx context.Context, c *Client) error {
			_, err := c.Schedules.Create(ctx, ScheduleParams{ClientID: "a", Number: "9721234567", ScheduleTime: time.Now()})
			return err
		}},
		{"cancel: no id", "id", func(ctx context.Context, c *Client) error {
			_, err := c.Schedules.Cancel(ctx, 0)
			return err
		}},
		{"reset: no username", "username", func(ctx context.Context, c *Client) error {
			_, err := c.Account.ResetAPIKey(ctx, ResetAPIKeyParams{})
			return err
		}},
		{"calls: no client", "clientId", func(ctx context.Context, c *Client) error {
			_, err := c.Calls.Incoming(ctx, "")
			return err
		}},
		{"chat messages: bad chat id", "chatId", func(ctx context.Context, c *Client) error {
			_, err := c.Chats.Messages(ctx, "a", "9721234567", nil)
			return err
		}},
		{"chat messages: negative limit", "limit", func(ctx context.Context, c *Client) error {
			_, err := c.Chats.Messages(ctx, "a", "9721234567@c.us", &ChatMessagesParams{Limit: -1})
			return err
		}},
		{"chat send: empty", "message", func(ctx context.Context, c *Client) error {
			_, err := c.Chats.Send(ctx, "a", "9721234567@c.us", ChatSendParams{})
			return err
		}},
		{"chat send: group id", "chatId", func(ctx context.Context, c *Client) error {
			_, err := c.Chats.Send(ctx, "a", "1203@g.us", ChatSendParams{Message: "x"})
			return err
		}},
		{"mark read: bad id", "chatId", func(ctx context.Context, c *Client) error {
			_, err := c.Chats.MarkRead(ctx, "a", "x@c.us")
			return err
		}},
		{"media: no message id", "messageId", func(ctx context.Context, c *Client) error {
			_, err := c.Chats.Media(ctx, "a", "")
			return err
		}},
		{"groups: no client", "clientId", func(ctx context.Context, c *Client) error {
			_, err := c.Groups.List(ctx, "")
			return err
		}},
		{"group send: bad group id", "groupId", func(ctx context.Context, c *Client) error {
			_, err := c.Groups.Send(ctx, GroupMessageParams{ClientID: "a", GroupID: "team@g.us", Message: "x"})
			return err
		}},
		{"group send: empty", "message", func(ctx context.Context, c *Client) error {
			_, err := c.Groups.Send(ctx, GroupMessageParams{ClientID: "a", GroupID: grp})
			return err
		}},
		{"group send: 4097 Hebrew characters", "message", func(ctx context.Context, c *Client) error {
			_, err := c.Groups.Send(ctx, GroupMessageParams{ClientID: "a", GroupID: grp, Message: long})
			return err
		}},
		{"group send: emoji count twice", "message", func(ctx context.Context, c *Client) error {
			_, err := c.Groups.Send(ctx, GroupMessageParams{ClientID: "a", GroupID: grp, Message: emojiLong})
			return err
		}},
		{"group send: media without type", "mediaType", func(ctx context.Context, c *Client) error {
			_, err := c.Groups.Send(ctx, GroupMessageParams{ClientID: "a", GroupID: grp, MediaURL: "https://x.test/a.jpg"})
			return err
		}},
		{"group send: type without media", "mediaType", func(ctx context.Context, c *Client) error {
			_, err := c.Groups.Send(ctx, GroupMessageParams{ClientID: "a", GroupID: grp, Message: "x", MediaType: MediaImage})
			return err
		}},
		{"group send: unknown type", "mediaType", func(ctx context.Context, c *Client) error {
			_, err := c.Groups.Send(ctx, GroupMessageParams{ClientID: "a", GroupID: grp, MediaURL: "https://x.test/a.jpg", MediaType: "sticker"})
			return err
		}},
		{"session group send: empty", "message", func(ctx context.Context, c *Client) error {
			_, err := c.Groups.SendWithSession(ctx, "a", grp, SessionGroupMessageParams{})
			return err
		}},
		{"nil context", "ctx", func(_ context.Context, c *Client) error {
			var nilCtx context.Context // a caller's bug the client must not panic on
			_, err := c.Account.Profile(nilCtx)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, m := mockClient(t, WithSessionCookie(testCookie))
			err := tc.run(context.Background(), c)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field, ve.Error())
			assert.Equal(t, "chattu", ve.Vendor)
			assert.ErrorIs(t, err, ErrValidation)
			assert.Empty(t, m.Requests(), "nothing sent")
			assert.Zero(t, m.Count())
		})
	}
}

func TestGroupMessageAtLimitPasses(t *testing.T) {
	c, m := mockClient(t)
	respond(m, "POST", testBase+"/api/send-group-message", 200, wiretest.Fixture(t, "send_group_message.json"), nil)
	_, err := c.Groups.Send(context.Background(), GroupMessageParams{ClientID: "a", GroupID: "120363123456789012@g.us", Message: strings.Repeat("ש", MaxGroupMessageLength)})
	require.NoError(t, err)
}

// TestSessionOnlyEndpointsNeedCookie: without WithSessionCookie each
// session-only endpoint is refused before anything is sent.
func TestSessionOnlyEndpointsNeedCookie(t *testing.T) {
	c, m := mockClient(t)
	ctx := context.Background()
	calls := map[string]func() error{
		"delete client": func() error {
			_, err := c.Clients.Delete(ctx, "a", DeleteClientParams{Password: "pw-secret"})
			return err
		},
		"schedule": func() error {
			_, err := c.Schedules.Create(ctx, ScheduleParams{ClientID: "a", Number: "9721234567", Message: "x", ScheduleTime: time.Now()})
			return err
		},
		"list scheduled": func() error { _, err := c.Schedules.List(ctx); return err },
		"cancel":         func() error { _, err := c.Schedules.Cancel(ctx, 1); return err },
		"chats":          func() error { _, err := c.Chats.List(ctx, "a"); return err },
		"chat messages": func() error {
			_, err := c.Chats.Messages(ctx, "a", "1234567@c.us", nil)
			return err
		},
		"chat send": func() error {
			_, err := c.Chats.Send(ctx, "a", "1234567@c.us", ChatSendParams{Message: "x"})
			return err
		},
		"mark read": func() error {
			_, err := c.Chats.MarkRead(ctx, "a", "1234567@c.us")
			return err
		},
		"media": func() error { _, err := c.Chats.Media(ctx, "a", "m"); return err },
		"session group send": func() error {
			_, err := c.Groups.SendWithSession(ctx, "a", "1203@g.us", SessionGroupMessageParams{Message: "x"})
			return err
		},
	}
	for name, run := range calls {
		err := run()
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, name)
		assert.Equal(t, "session", ve.Field, name)
		assert.Contains(t, ve.Rule, "WithSessionCookie", name)
	}
	assert.Empty(t, m.Requests())
	assert.Zero(t, m.Count())
}

func TestIDs(t *testing.T) {
	id, err := UserChat("+972501234567")
	require.NoError(t, err)
	assert.Equal(t, ChatID("972501234567@c.us"), id)
	assert.Equal(t, "972501234567", id.Number())
	_, err = UserChat("05-0123")
	assert.ErrorIs(t, err, ErrValidation)

	for _, ok := range []string{"9721234567@c.us"} {
		_, err := ParseChatID(ok)
		assert.NoError(t, err, ok)
	}
	for _, bad := range []string{"", "@c.us", "972@g.us", "97a@c.us", "9721234567@c.us ", "9721234567"} {
		_, err := ParseChatID(bad)
		assert.ErrorIs(t, err, ErrValidation, bad)
	}
	for _, ok := range []string{"120363123456789012@g.us", "972501234567-1609459200@g.us", "120363123456789013@c.us", "120363123456789013@newsletter"} {
		_, err := ParseGroupID(ok)
		assert.NoError(t, err, ok)
	}
	for _, bad := range []string{"", "@g.us", "team@g.us", "1-@g.us", "-1@g.us", "1203@x.us", "1203"} {
		_, err := ParseGroupID(bad)
		assert.ErrorIs(t, err, ErrValidation, bad)
	}
	assert.Equal(t, "120363123456789012@g.us", GroupID("120363123456789012@g.us").String())
	assert.Equal(t, "9721234567@c.us", ChatID("9721234567@c.us").String())
}

func TestAckString(t *testing.T) {
	assert.Equal(t, "sent", AckSent.String())
	assert.Equal(t, "delivered", AckDelivered.String())
	assert.Equal(t, "read", AckRead.String())
	assert.Equal(t, "ack(4)", Ack(4).String())
}

func TestValidationErrorIsNotVendorError(t *testing.T) {
	c, _ := mockClient(t)
	_, err := c.Messages.Send(context.Background(), SendMessageParams{})
	var e *Error
	assert.False(t, errors.As(err, &e))
}
