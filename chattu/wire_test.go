package chattu

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/wiretest"
)

// wireCase is one endpoint: what the client must put on the wire and what
// it must make of the docs' response sample.
type wireCase struct {
	name string
	// session gives the client the dashboard session cookie.
	session bool
	// auth is the one credential the endpoint's doc section shows, and so
	// the only one sent: "" for the x-api-key header, "session" for the
	// Cookie, "body" for none (reset-api-key carries its key in the body).
	auth string
	// method and url are the request as sent; body is its JSON ("" for
	// none), compared field by field.
	method, url string
	body        string
	// contentType is the request's Content-Type ("" for none).
	contentType string
	// respond is a fixture file name, or literal content.
	respond       string
	respondHeader http.Header
	run           func(ctx context.Context, c *Client) (any, error)
	check         func(t *testing.T, res any)
}

func TestWire(t *testing.T) {
	sched := time.Date(2025, 10, 6, 21, 30, 0, 0, time.FixedZone("IDT", 3*3600)) // 18:30 UTC
	cases := []wireCase{
		{
			name: "add number", method: "POST", url: testBase + "/api/add-number",
			body:        `{"clientId":"client-id","phoneNumber":"12345678901"}`,
			contentType: "application/json", respond: "add_number.json",
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Clients.AddNumber(ctx, AddNumberParams{ClientID: "client-id", PhoneNumber: "12345678901"})
			},
			check: func(t *testing.T, res any) {
				r := res.(*AddNumberResult)
				assert.Equal(t, NumberPendingAuth, r.Status)
				assert.Equal(t, "QR Code generated for authentication", r.Message)
				assert.Equal(t, "data:image/png;base64,iVBORw0KGgoAAAANS...", r.QRCodeDataURL)
				assert.Nil(t, r.QRCode, "the docs' sample is truncated base64: not decodable")
				assert.Equal(t, "client-api-key-here", r.APIKey.Reveal())
				assert.NotContains(t, string(r.Raw()), "client-api-key-here")
			},
		},
		{
			name: "add number already connected", method: "POST", url: testBase + "/api/add-number",
			body:        `{"clientId":"client-id","phoneNumber":"12345678901"}`,
			contentType: "application/json", respond: "add_number_connected.json",
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Clients.AddNumber(ctx, AddNumberParams{ClientID: "client-id", PhoneNumber: "12345678901"})
			},
			check: func(t *testing.T, res any) {
				r := res.(*AddNumberResult)
				assert.Equal(t, NumberConnected, r.Status)
				assert.Nil(t, r.QRCode)
				assert.Empty(t, r.QRCodeDataURL)
			},
		},
		{
			name: "list clients", method: "GET", url: testBase + "/api/clients", respond: "clients.json",
			run: func(ctx context.Context, c *Client) (any, error) { return c.Clients.List(ctx) },
			check: func(t *testing.T, res any) {
				l := res.(*ClientList)
				require.Len(t, l.Clients, 2)
				a, b := l.Clients[0], l.Clients[1]
				assert.Equal(t, "client-id", a.ClientID)
				assert.Equal(t, "9721234567", a.PhoneNumber)
				assert.Equal(t, APIKey("client-api-key"), a.APIKey)
				assert.Equal(t, "9721234567@c.us", a.ConnectedNumber)
				assert.Equal(t, ClientAuthenticated, a.Status)
				id, ok := a.Connected()
				assert.True(t, ok)
				assert.Equal(t, ChatID("9721234567@c.us"), id)
				assert.Equal(t, "client-id-2", b.ClientID)
				assert.Equal(t, "972512345678", b.PhoneNumber)
				assert.Equal(t, NotConnected, b.ConnectedNumber)
				assert.Equal(t, ClientPendingAuthentication, b.Status)
				_, ok = b.Connected()
				assert.False(t, ok)
				assert.NotContains(t, string(l.Raw()), "client-api-key")
			},
		},
		{
			name: "update webhook", method: "POST", url: testBase + "/api/update-webhook",
			body:        `{"clientId":"client-id","webhookUrl":"https://your-domain.com/webhook.php"}`,
			contentType: "application/json", respond: `{"message":"Webhook updated successfully."}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Clients.UpdateWebhook(ctx, UpdateWebhookParams{ClientID: "client-id", WebhookURL: "https://your-domain.com/webhook.php"})
			},
			check: func(t *testing.T, res any) {
				assert.Equal(t, "Webhook updated successfully.", res.(*Result).Message)
			},
		},
		{
			name: "delete client", session: true, auth: "session", method: "DELETE", url: testBase + "/clients/client-id",
			body: `{"password":"your-password"}`, contentType: "application/json", respond: "client_deleted.json",
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Clients.Delete(ctx, "client-id", DeleteClientParams{Password: "your-password"})
			},
			check: func(t *testing.T, res any) {
				assert.Equal(t, "Client deleted successfully.", res.(*Result).Message)
			},
		},
		{
			name: "send text", method: "POST", url: testBase + "/api/send-message",
			body:        `{"clientId":"client-id","number":"12345678901","message":"Hey! Its a test message"}`,
			contentType: "application/json", respond: `{"success":true,"message":"Message sent successfully"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Messages.Send(ctx, SendMessageParams{ClientID: "client-id", Number: "12345678901", Message: "Hey! Its a test message"})
			},
			check: func(t *testing.T, res any) {
				r := res.(*Result)
				assert.True(t, r.Success)
				assert.Equal(t, "Message sent successfully", r.Message)
			},
		},
		{
			name: "send media with Hebrew caption", method: "POST", url: testBase + "/api/send-message",
			body:        `{"clientId":"client-id","number":"12345678901","message":"שלום 👋","mediaUrl":"https://example.com/image.jpg"}`,
			contentType: "application/json", respond: `{"success":true}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Messages.Send(ctx, SendMessageParams{ClientID: "client-id", Number: "12345678901", Message: "שלום 👋", MediaURL: "https://example.com/image.jpg"})
			},
		},
		{
			name: "sent messages", method: "GET", url: testBase + "/api/sent-messages", respond: "sent_messages.json",
			run: func(ctx context.Context, c *Client) (any, error) { return c.Messages.Sent(ctx) },
			check: func(t *testing.T, res any) {
				l := res.(*SentMessages)
				require.Len(t, l.Messages, 1)
				assert.Equal(t, SentMessage{ID: 1, ClientID: "client-id", SenderNumber: "9721234567", Recipient: "1234567890",
					Message: "Hello from WhatsApp!", Status: "sent", SentAt: time.Date(2025, 11, 1, 12, 0, 0, 0, time.UTC)}, l.Messages[0])
			},
		},
		{
			name: "received messages", method: "GET", url: testBase + "/api/received-messages/client-id", respond: "received_messages.json",
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Messages.Received(ctx, "client-id")
			},
			check: func(t *testing.T, res any) {
				l := res.(*ReceivedMessages)
				assert.Equal(t, "success", l.Status)
				require.Len(t, l.Messages, 1)
				assert.Equal(t, ReceivedMessage{ID: 1, ClientID: "client-id", Sender: "1234567890", Message: "Hello!",
					ReceivedAt: time.Date(2025, 11, 1, 12, 0, 0, 0, time.UTC)}, l.Messages[0])
			},
		},
		{
			name: "schedule message", session: true, auth: "session", method: "POST", url: testBase + "/schedule-message",
			body:        `{"clientId":"client-id","number":"9721234567","message":"Scheduled hello","scheduleTime":"2025-10-06T18:30:00Z"}`,
			contentType: "application/json", respond: `{"message":"Message scheduled.","id":7}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Schedules.Create(ctx, ScheduleParams{ClientID: "client-id", Number: "9721234567", Message: "Scheduled hello", ScheduleTime: sched})
			},
			check: func(t *testing.T, res any) {
				r := res.(*Result)
				assert.Equal(t, "Message scheduled.", r.Message)
				assert.JSONEq(t, `{"message":"Message scheduled.","id":7}`, string(r.Raw()))
			},
		},
		{
			name: "list scheduled", session: true, auth: "session", method: "GET", url: testBase + "/scheduled-messages",
			contentType: "application/json", respond: "scheduled_messages.json",
			run: func(ctx context.Context, c *Client) (any, error) { return c.Schedules.List(ctx) },
			check: func(t *testing.T, res any) {
				l := res.(*ScheduledMessages)
				require.Len(t, l.Messages, 1)
				assert.Equal(t, ScheduledMessage{ID: 1, ClientID: "client-id", Recipient: "+9721234567", Message: "Scheduled hello",
					ScheduleTime: time.Date(2025, 10, 6, 18, 30, 0, 0, time.UTC), Status: SchedulePending,
					CreatedAt: time.Date(2025, 10, 6, 17, 30, 0, 0, time.UTC)}, l.Messages[0])
				assert.True(t, l.Messages[0].SentTime.IsZero())
			},
		},
		{
			name: "cancel scheduled", session: true, auth: "session", method: "DELETE", url: testBase + "/scheduled-messages/123",
			contentType: "application/json", respond: "schedule_cancelled.json",
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Schedules.Cancel(ctx, 123)
			},
			check: func(t *testing.T, res any) {
				assert.Equal(t, "Schedule cancelled.", res.(*Result).Message)
			},
		},
		{
			name: "profile", method: "GET", url: testBase + "/api/profile", respond: "profile.json",
			run: func(ctx context.Context, c *Client) (any, error) { return c.Account.Profile(ctx) },
			check: func(t *testing.T, res any) {
				p := res.(*Profile)
				assert.Equal(t, "admin", p.Username)
				assert.Equal(t, "admin", p.Role)
				assert.Equal(t, "1f92bf99680b32fedeb1", p.APIKey.Reveal())
				assert.EqualValues(t, 5, p.ClientCount)
				assert.NotContains(t, fmt.Sprintf("%v %+v %#v", p, p, p), "1f92bf99680b32fedeb1")
			},
		},
		{
			name: "reset api key", auth: "body", method: "POST", url: testBase + "/api/reset-api-key",
			body:        `{"username":"your-username","currentApiKey":"account-api-key"}`,
			contentType: "application/json", respond: "reset_api_key.json",
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Account.ResetAPIKey(ctx, ResetAPIKeyParams{Username: "your-username"})
			},
			check: func(t *testing.T, res any) {
				r := res.(*ResetAPIKeyResult)
				assert.Equal(t, "API key reset successfully.", r.Message)
				assert.Equal(t, APIKey("a1b2c3d4e5f6g7h8i9j0"), r.NewAPIKey)
				assert.True(t, r.Switched)
			},
		},
		{
			name: "incoming calls", method: "GET", url: testBase + "/api/incoming-calls/client-id", respond: "incoming_calls.json",
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Calls.Incoming(ctx, "client-id")
			},
			check: func(t *testing.T, res any) {
				l := res.(*Calls)
				assert.Equal(t, "success", l.Status)
				require.Len(t, l.Calls, 1)
				noon := time.Date(2025, 11, 1, 12, 0, 0, 0, time.UTC)
				assert.Equal(t, Call{ID: 1, ClientID: "client-id", CallFrom: "1234567890@c.us", StartTime: noon, CreatedAt: noon}, l.Calls[0])
			},
		},
		{
			name: "call logs", method: "GET", url: testBase + "/api/call-logs", respond: "incoming_calls.json",
			run: func(ctx context.Context, c *Client) (any, error) { return c.Calls.Logs(ctx) },
			check: func(t *testing.T, res any) {
				require.Len(t, res.(*Calls).Calls, 1)
			},
		},
		{
			name: "call logs as bare array", method: "GET", url: testBase + "/api/call-logs",
			respond: `[{"id":"4","client_id":"c","call_from":"1@c.us","is_video":1,"start_time":"2025-11-01 12:00:00","duration":"12"}]`,
			run:     func(ctx context.Context, c *Client) (any, error) { return c.Calls.Logs(ctx) },
			check: func(t *testing.T, res any) {
				l := res.(*Calls)
				require.Len(t, l.Calls, 1)
				assert.EqualValues(t, 4, l.Calls[0].ID)
				assert.True(t, l.Calls[0].IsVideo)
				assert.EqualValues(t, 12, l.Calls[0].Duration)
			},
		},
		{
			name: "application logs", method: "GET", url: testBase + "/api/logs",
			respond: `{"logs":[{"level":"info","message":"Client client-id ready"},{"level":"error","message":"x"}]}`,
			run:     func(ctx context.Context, c *Client) (any, error) { return c.Logs.List(ctx) },
			check: func(t *testing.T, res any) {
				l := res.(*AppLogs)
				require.Len(t, l.Entries, 2)
				assert.JSONEq(t, `{"level":"info","message":"Client client-id ready"}`, string(l.Entries[0]))
			},
		},
		{
			name: "chats", session: true, auth: "session", method: "GET", url: testBase + "/api/chats/client-id",
			contentType: "application/json", respond: "chats.json",
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Chats.List(ctx, "client-id")
			},
			check: func(t *testing.T, res any) {
				l := res.(*Chats)
				require.Len(t, l.Chats, 1)
				ts := time.Unix(1699123456, 0).UTC()
				assert.Equal(t, Chat{ID: "9721234567@c.us", Name: "John Doe", ProfilePic: "https://example.com/profile.jpg",
					LastMessage: &LastMessage{Body: "Hello!", Timestamp: ts}, Timestamp: ts, UnreadCount: 2}, l.Chats[0])
			},
		},
		{
			name: "chat messages", session: true, auth: "session", method: "GET", url: testBase + "/api/chats/client-id/9721234567@c.us/messages?limit=50",
			contentType: "application/json", respond: "chat_messages.json",
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Chats.Messages(ctx, "client-id", "9721234567@c.us", &ChatMessagesParams{Limit: 50})
			},
			check: func(t *testing.T, res any) {
				l := res.(*ChatMessages)
				require.Len(t, l.Messages, 1)
				assert.Equal(t, ChatMessage{ID: "3EB0C767F26AFC1F8B", Body: "Hello!", Timestamp: time.Unix(1699123456, 0).UTC(), Type: "chat",
					HasReaction: true, Reactions: []Reaction{{Reaction: "👍", SenderID: "9721234567@c.us"}}, Ack: AckRead}, l.Messages[0])
				assert.Equal(t, "read", l.Messages[0].Ack.String())
			},
		},
		{
			name: "chat messages default limit", session: true, auth: "session", method: "GET", url: testBase + "/api/chats/client-id/9721234567@c.us/messages",
			contentType: "application/json", respond: `{"messages":[]}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Chats.Messages(ctx, "client-id", "9721234567@c.us", nil)
			},
		},
		{
			name: "chat send", session: true, auth: "session", method: "POST", url: testBase + "/api/chats/client-id/9721234567@c.us/send",
			body: `{"message":"Hello! How can I help you?"}`, contentType: "application/json", respond: "chat_send.json",
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Chats.Send(ctx, "client-id", "9721234567@c.us", ChatSendParams{Message: "Hello! How can I help you?"})
			},
			check: func(t *testing.T, res any) {
				r := res.(*SendResult)
				assert.True(t, r.Success)
				assert.Equal(t, SentMessageInfo{ID: "3EB0C767F26AFC1F8B", Body: "Hello! How can I help you?", Timestamp: time.Unix(1699123456, 0).UTC()}, r.Message)
			},
		},
		{
			name: "mark read", session: true, auth: "session", method: "POST", url: testBase + "/api/chats/client-id/9721234567@c.us/read",
			contentType: "application/json", respond: "mark_read.json",
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Chats.MarkRead(ctx, "client-id", "9721234567@c.us")
			},
			check: func(t *testing.T, res any) { assert.True(t, res.(*Result).Success) },
		},
		{
			name: "groups and channels", method: "GET", url: testBase + "/api/groups/client-id",
			contentType: "application/json; charset=utf-8", respond: "groups.json",
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Groups.List(ctx, "client-id")
			},
			check: func(t *testing.T, res any) {
				l := res.(*Groups)
				ts := time.Unix(1699123456, 0).UTC()
				assert.EqualValues(t, 2, l.Total)
				require.Len(t, l.Groups, 1)
				require.Len(t, l.Channels, 1)
				assert.Equal(t, Group{ID: "120363123456789012@g.us", Name: "קבוצת עבודה", Description: "קבוצה לעבודה משותפת",
					ProfilePic: "https://example.com/group-pic.jpg", Participants: 15, Owner: "972501234567@c.us", CreatedAt: ts,
					LastMessage: &LastMessage{Body: "הודעה אחרונה", Timestamp: ts}, Timestamp: ts, UnreadCount: 2, Type: TypeGroup}, l.Groups[0])
				assert.Equal(t, Group{ID: "120363123456789013@c.us", Name: "ערוץ חדשות", Description: "ערוץ לחדשות",
					ProfilePic: "https://example.com/channel-pic.jpg", LastMessage: &LastMessage{Body: "חדשות היום", Timestamp: ts},
					Timestamp: ts, Type: TypeChannel}, l.Channels[0])
				assert.True(t, l.Groups[0].ID.IsGroup())
				assert.False(t, l.Channels[0].ID.IsGroup())
				assert.NoError(t, l.Channels[0].ID.Validate())
			},
		},
		{
			name: "send group message", method: "POST", url: testBase + "/api/send-group-message",
			body:        `{"clientId":"client-id","groupId":"120363123456789012@g.us","message":"שלום לכולם! זה הודעה בעברית","mediaUrl":"https://example.com/image.jpg","mediaType":"image"}`,
			contentType: "application/json; charset=utf-8", respond: "send_group_message.json",
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Groups.Send(ctx, GroupMessageParams{ClientID: "client-id", GroupID: "120363123456789012@g.us",
					Message: "שלום לכולם! זה הודעה בעברית", MediaURL: "https://example.com/image.jpg", MediaType: MediaImage})
			},
			check: func(t *testing.T, res any) {
				r := res.(*SendResult)
				assert.True(t, r.Success)
				assert.Equal(t, SentMessageInfo{ID: "3EB0C767F26AFC1F8B", Body: "שלום לכולם! זה הודעה בעברית", Timestamp: time.Unix(1699123456, 0).UTC(), Type: "chat"}, r.Message)
				assert.Equal(t, GroupID("120363123456789012@g.us"), r.GroupID)
				assert.Equal(t, "קבוצת עבודה", r.GroupName)
			},
		},
		{
			name: "send group message by session", session: true, auth: "session", method: "POST", url: testBase + "/api/groups/client-id/120363123456789012@g.us/send",
			body:        `{"message":"שלום לכולם! זה הודעה בעברית"}`,
			contentType: "application/json; charset=utf-8", respond: "session_group_send.json",
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Groups.SendWithSession(ctx, "client-id", "120363123456789012@g.us", SessionGroupMessageParams{Message: "שלום לכולם! זה הודעה בעברית"})
			},
			check: func(t *testing.T, res any) {
				r := res.(*SendResult)
				assert.True(t, r.Success)
				assert.Equal(t, "שלום לכולם! זה הודעה בעברית", r.Message.Body)
				assert.Equal(t, "chat", r.Message.Type)
			},
		},
		{
			// Chattu takes the session or the key here; the client has
			// both and sends the key only, as the docs' example does.
			name: "groups and channels with session", session: true, method: "GET", url: testBase + "/api/groups/client-id",
			contentType: "application/json; charset=utf-8", respond: "groups.json",
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Groups.List(ctx, "client-id")
			},
			check: func(t *testing.T, res any) { assert.Len(t, res.(*Groups).Channels, 1) },
		},
		{
			name: "send media to a channel by session", session: true, auth: "session", method: "POST",
			url:         testBase + "/api/groups/client-id/120363123456789013@c.us/send",
			body:        `{"message":"⚠️ חדשות היום","mediaUrl":"https://example.com/image.jpg","mediaType":"image"}`,
			contentType: "application/json; charset=utf-8", respond: "session_group_send.json",
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Groups.SendWithSession(ctx, "client-id", "120363123456789013@c.us", SessionGroupMessageParams{
					Message: "⚠️ חדשות היום", MediaURL: "https://example.com/image.jpg", MediaType: MediaImage})
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var opts []Option
			if tc.session {
				opts = append(opts, WithSessionCookie(testCookie))
			}
			c, m := mockClient(t, opts...)
			body := tc.respond
			if strings.HasSuffix(tc.respond, ".json") {
				body = wiretest.Fixture(t, tc.respond)
			}
			respond(m, tc.method, tc.url, 200, body, tc.respondHeader)
			res, err := tc.run(context.Background(), c)
			require.NoError(t, err)
			reqs := m.Requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, tc.method, r.Method)
			assert.Equal(t, tc.url, r.URL)
			// Exactly the credential the endpoint's doc section shows: the
			// key on the API-key endpoints only (it was sent everywhere
			// before issue 13), the cookie on the session endpoints only.
			switch tc.auth {
			case "":
				assert.Equal(t, []string{testKey}, r.Header.Values("X-Api-Key"), "x-api-key where the docs show it")
				assert.Empty(t, r.Header.Values("Cookie"), "the session is only sent where it is needed")
			case "session":
				assert.Empty(t, r.Header.Values("X-Api-Key"), "no key where the docs show none")
				assert.Equal(t, []string{testCookie}, r.Header.Values("Cookie"))
			case "body":
				assert.Empty(t, r.Header.Values("X-Api-Key"), "no key where the docs show none")
				assert.Empty(t, r.Header.Values("Cookie"))
			default:
				t.Fatalf("auth %q", tc.auth)
			}
			for k, vs := range r.Header {
				for _, v := range vs {
					if k != "X-Api-Key" {
						assert.NotContains(t, v, testKey, "the key travels in no other header (%s)", k)
					}
				}
			}
			assert.Equal(t, tc.contentType, r.Header.Get("Content-Type"))
			assert.Contains(t, r.Header.Get("User-Agent"), "switchboard-go/")
			if tc.body == "" {
				assert.Empty(t, r.Body)
			} else {
				assert.JSONEq(t, tc.body, string(r.Body))
				// Exact bytes too: real UTF-8, not \u escapes.
				assert.Equal(t, compactJSON(t, []byte(tc.body)), string(r.Body))
			}
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}
