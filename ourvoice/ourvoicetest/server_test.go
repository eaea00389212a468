package ourvoicetest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
)

// fixedClock is a clock that only Advance moves.
var t0 = time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)

func fixed() time.Time { return t0 }

func newSandbox(t *testing.T, opts ...ourvoicetest.Option) (*ourvoicetest.Server, *ourvoice.Client) {
	t.Helper()
	s := ourvoicetest.NewServer(append([]ourvoicetest.Option{ourvoicetest.WithClock(fixed)}, opts...)...)
	t.Cleanup(s.Close)
	c, err := s.NewClient(ourvoice.WithRetryWait(time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)
	return s, c
}

// connected creates a session and scans it.
func connected(t *testing.T, s *ourvoicetest.Server, c *ourvoice.Client, phone string) ourvoice.Session {
	t.Helper()
	created, err := c.Sessions.Create(context.Background())
	require.NoError(t, err)
	require.NoError(t, s.Scan(created.QRCode, phone))
	sess, err := c.Sessions.Get(context.Background(), created.Session.ID)
	require.NoError(t, err)
	require.Equal(t, ourvoice.SessionConnected, sess.Status)
	return *sess
}

func text(sessionID string, to ...string) ourvoice.SendMessageParams {
	return ourvoice.SendMessageParams{WhatsAppSessionID: sessionID, ToNumber: to, Type: ourvoice.TypeText, Content: "שלום! 👋 Hello from Our Voice", DelayBetween: ourvoice.Delay(0)}
}

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	s, c := newSandbox(t)

	created, err := c.Sessions.Create(ctx)
	require.NoError(t, err)
	sess := created.Session
	assert.Equal(t, ourvoice.SessionPending, sess.Status)
	assert.Equal(t, ourvoicetest.DefaultAccountID, sess.AccountID)
	assert.Equal(t, "session_"+sess.ID, sess.SessionID)
	assert.Empty(t, sess.PhoneNumber)
	assert.Equal(t, t0, sess.CreatedAt)
	require.NotNil(t, created.PNG, "the sandbox's QR code is a real PNG")
	assert.True(t, strings.HasPrefix(string(created.PNG), "\x89PNG"))

	qr1, err := c.Sessions.QRCode(ctx, sess.ID)
	require.NoError(t, err)
	assert.Equal(t, created.QRCode, qr1.QRCode)

	// Sending through a pending session is refused.
	_, err = c.Messages.Send(ctx, text(sess.ID, "22996000000"))
	var e *ourvoice.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 422, e.StatusCode)
	assert.ErrorIs(t, err, ourvoice.ErrValidation)
	assert.Contains(t, e.Fields["whatsapp_session_id"][0], "not connected")

	// The QR code rotates; an old one no longer links.
	s.Advance(ourvoicetest.DefaultQRLifetime)
	qr2, err := c.Sessions.QRCode(ctx, sess.ID)
	require.NoError(t, err)
	assert.NotEqual(t, qr1.QRCode, qr2.QRCode)
	assert.ErrorIs(t, s.Scan(qr1.QRCode, "972501234567"), ourvoicetest.ErrQRExpired)
	assert.ErrorIs(t, s.Scan("data:image/png;base64,AAAA", "972501234567"), ourvoicetest.ErrUnknownQR)
	require.NoError(t, s.Scan(qr2.QRCode, "972501234567"))

	got, err := c.Sessions.Get(ctx, sess.ID)
	require.NoError(t, err)
	assert.Equal(t, ourvoice.SessionConnected, got.Status)
	assert.Equal(t, "972501234567", got.PhoneNumber)
	_, err = c.Sessions.QRCode(ctx, sess.ID)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 400, e.StatusCode)

	list, err := c.Sessions.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, list.Sessions, 1)
	assert.False(t, list.HasMore())

	d, err := c.Sessions.Disconnect(ctx, sess.ID)
	require.NoError(t, err)
	require.NotNil(t, d.Session)
	assert.Equal(t, ourvoice.SessionDisconnected, d.Session.Status)
	assert.Equal(t, "Disconnected by user", d.Session.Reason)
	_, err = c.Sessions.Disconnect(ctx, sess.ID)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 400, e.StatusCode)
	_, err = c.Messages.Send(ctx, text(sess.ID, "22996000000"))
	assert.ErrorIs(t, err, ourvoice.ErrValidation)

	rc, err := c.Sessions.Reconnect(ctx, sess.ID)
	require.NoError(t, err)
	require.NotNil(t, rc.Session)
	assert.Equal(t, ourvoice.SessionPending, rc.Session.Status)
	require.NotNil(t, rc.PNG)
	require.NoError(t, s.Scan(rc.QRCode, "972501234567"))

	require.NoError(t, s.Ban(sess.ID, "Reported as spam"))
	_, err = c.Sessions.Reconnect(ctx, sess.ID)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 400, e.StatusCode)
	assert.Equal(t, []string{"Banned sessions cannot be reconnected."}, e.Messages)
	assert.NotErrorIs(t, err, ourvoice.ErrUnauthorized, "a banned session is not a bad token")

	del, err := c.Sessions.Delete(ctx, sess.ID)
	require.NoError(t, err)
	assert.NotEmpty(t, del.Message)
	_, err = c.Sessions.Get(ctx, sess.ID)
	assert.ErrorIs(t, err, ourvoice.ErrNotFound)
	_, err = c.Sessions.Delete(ctx, sess.ID)
	assert.ErrorIs(t, err, ourvoice.ErrNotFound)
}

func TestWaitConnectedAgainstSandbox(t *testing.T) {
	s, c := newSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	created, err := c.Sessions.Create(ctx)
	require.NoError(t, err)

	// The code Create returned has rotated away by the time we wait.
	s.Advance(ourvoicetest.DefaultQRLifetime)
	var shown []ourvoice.QRCode
	sess, err := c.Sessions.WaitConnected(ctx, created.Session.ID, &ourvoice.WaitParams{
		ShownQRCode: created.QRCode,
		Interval:    time.Millisecond, MaxInterval: 2 * time.Millisecond,
		OnQRCode: func(qr ourvoice.QRCode) {
			shown = append(shown, qr)
			png, err := qr.PNG()
			require.NoError(t, err)
			require.NotEmpty(t, png)
			if len(shown) == 2 {
				require.NoError(t, s.Scan(qr, "22997000000"))
				return
			}
			// The person is slow: the code rotates before the scan.
			s.Advance(ourvoicetest.DefaultQRLifetime)
		},
	})
	require.NoError(t, err)
	assert.Equal(t, ourvoice.SessionConnected, sess.Status)
	assert.Equal(t, "22997000000", sess.PhoneNumber)
	require.Len(t, shown, 2)
	assert.NotEqual(t, created.QRCode, shown[0], "the code Create returned is not shown twice")
	assert.NotEqual(t, shown[0], shown[1])
}

func TestWaitConnectedSeesBan(t *testing.T) {
	s, c := newSandbox(t)
	created, err := c.Sessions.Create(context.Background())
	require.NoError(t, err)
	go func() {
		time.Sleep(20 * time.Millisecond)
		_ = s.Ban(created.Session.ID, "Number banned by WhatsApp 🚫")
	}()
	sess, err := c.Sessions.WaitConnected(context.Background(), created.Session.ID, &ourvoice.WaitParams{Interval: 2 * time.Millisecond, OnQRCode: func(ourvoice.QRCode) {}})
	assert.ErrorIs(t, err, ourvoice.ErrSessionBanned)
	require.NotNil(t, sess)
	assert.Equal(t, "Number banned by WhatsApp 🚫", sess.Reason)

	created, err = c.Sessions.Create(context.Background())
	require.NoError(t, err)
	require.NoError(t, s.Fail(created.Session.ID, "Gateway error"))
	_, err = c.Sessions.WaitConnected(context.Background(), created.Session.ID, nil)
	assert.ErrorIs(t, err, ourvoice.ErrSessionFailed)
}

func TestSendProgressAndAccounting(t *testing.T) {
	ctx := context.Background()
	s, c := newSandbox(t, ourvoicetest.WithBalance(100), ourvoicetest.WithMessageCost(12.5))
	sess := connected(t, s, c, "22997000000")

	res, err := c.Messages.Send(ctx, ourvoice.SendMessageParams{
		WhatsAppSessionID: sess.ID, ToNumber: []string{"22996000000", "+22961000000"}, Type: ourvoice.TypeImage,
		MediaURL: "https://example.com/תמונה.jpg", Content: "Check out this photo! 📸", DelayBetween: ourvoice.Delay(time.Second),
	})
	require.NoError(t, err)
	assert.Equal(t, "Message queued for sending", res.Message)
	assert.Equal(t, 2, res.Count)
	assert.Equal(t, 25.0, res.TotalCost)
	assert.Equal(t, 75.0, res.NewBalance)
	assert.Equal(t, 6, res.RemainingMessages)
	assert.Equal(t, 75.0, s.Balance())
	require.Len(t, res.Messages, 2)
	m0, m1 := res.Messages[0], res.Messages[1]
	assert.Equal(t, []string{"22996000000"}, m0.ToNumber, "sent as a string, decoded as a list")
	assert.Equal(t, []string{"+22961000000"}, m1.ToNumber)
	assert.Contains(t, string(m0.Raw()), `"to_number":"22996000000"`)
	assert.Equal(t, ourvoice.MessageQueued, m0.Status)
	assert.Equal(t, "22997000000", m0.FromNumber)
	assert.Equal(t, 12.5, m0.Cost)
	assert.Equal(t, ourvoice.DirectionOutgoing, m0.Direction)
	assert.True(t, m0.SentAt.IsZero())

	status := func(id string) *ourvoice.Message {
		m, err := c.Messages.Get(ctx, id)
		require.NoError(t, err)
		return m
	}
	s.Advance(ourvoicetest.DefaultTimings.Send)
	m := status(m0.ID)
	assert.Equal(t, ourvoice.MessageSent, m.Status)
	assert.Equal(t, t0.Add(time.Second), m.SentAt)
	assert.NotEmpty(t, m.ProviderMessageID)
	assert.Equal(t, ourvoice.MessageQueued, status(m1.ID).Status, "delay_between spaces the recipients")

	s.Advance(ourvoicetest.DefaultTimings.Deliver)
	m = status(m0.ID)
	assert.Equal(t, ourvoice.MessageDelivered, m.Status)
	assert.Equal(t, t0.Add(3*time.Second), m.DeliveredAt)
	assert.Equal(t, []string{"22996000000"}, m.ToNumber)
	assert.NotEmpty(t, m.Metadata)

	s.Advance(ourvoicetest.DefaultTimings.Read)
	m = status(m0.ID)
	assert.Equal(t, ourvoice.MessageRead, m.Status)
	assert.Equal(t, t0.Add(8*time.Second), m.ReadAt)
	assert.Equal(t, m.ReadAt, m.UpdatedAt)

	// Six more messages fit, the seventh does not; nothing is queued or
	// charged for a refused send.
	_, err = c.Messages.Send(ctx, text(sess.ID, "22990000001", "22990000002", "22990000003", "22990000004", "22990000005", "22990000006", "22990000007"))
	var e *ourvoice.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, http.StatusPaymentRequired, e.StatusCode)
	assert.Contains(t, e.Messages[0], "Insufficient balance")
	assert.Equal(t, 75.0, s.Balance())
	assert.Len(t, s.SentMessages(), 2)

	_, err = c.Messages.Get(ctx, "no-such-message")
	assert.ErrorIs(t, err, ourvoice.ErrNotFound)
}

func TestFailedRecipient(t *testing.T) {
	ctx := context.Background()
	s, c := newSandbox(t)
	sess := connected(t, s, c, "22997000000")
	s.FailNumber("22996000009", "Not a WhatsApp number")
	res, err := c.Messages.Send(ctx, text(sess.ID, "22996000001", "22996000009"))
	require.NoError(t, err)
	s.Advance(time.Minute)
	bad, err := c.Messages.Get(ctx, res.Messages[1].ID)
	require.NoError(t, err)
	assert.Equal(t, ourvoice.MessageFailed, bad.Status)
	assert.Equal(t, "Not a WhatsApp number", bad.Reason)
	good, err := c.Messages.Get(ctx, res.Messages[0].ID)
	require.NoError(t, err)
	assert.Equal(t, ourvoice.MessageRead, good.Status)

	require.NoError(t, s.SetMessageStatus(good.ID, ourvoice.MessageScheduled, ""))
	l, err := c.Messages.List(ctx, &ourvoice.ListMessagesParams{Status: ourvoice.MessageScheduled})
	require.NoError(t, err)
	require.Len(t, l.Messages, 1)
	assert.Equal(t, good.ID, l.Messages[0].ID)
}

func TestVendorValidationBodies(t *testing.T) {
	s, _ := newSandbox(t)
	// Bypass the client's own checks to see what Our Voice answers.
	post := func(body string) (int, string) {
		req, _ := http.NewRequest("POST", s.BaseURL()+"/whatsapp/messages", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+ourvoicetest.DefaultToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := post(`{"type":"text"}`)
	assert.Equal(t, 422, code)
	assert.JSONEq(t, `{"success":false,"message":"The whatsapp session id field is required. (and 2 more errors)","errors":{
		"whatsapp_session_id":["The whatsapp session id field is required."],
		"to_number":["The to number field is required."],
		"content":["The content field is required when type is text."]}}`, body)
	code, body = post(`{"whatsapp_session_id":"x","to_number":"22996000000","type":"video","delay_between":-1}`)
	assert.Equal(t, 422, code)
	assert.Contains(t, body, "The to number field must be an array.")
	assert.Contains(t, body, "The media url field is required unless type is in text.")
	assert.Contains(t, body, "delay_between")
	code, body = post(`{"whatsapp_session_id":"x","to_number":["22996000000"],"type":"text","content":"hi"}`)
	assert.Equal(t, 422, code)
	assert.Contains(t, body, "The selected whatsapp session id is invalid.")
	code, _ = post(`{`)
	assert.Equal(t, 400, code)

	// The client maps the 422 into Error.Fields.
	c, err := s.NewClient()
	require.NoError(t, err)
	_, err = c.Messages.Send(context.Background(), text("a3f1b2c4-1234-4abc-9def-000011112222", "22996000000"))
	var e *ourvoice.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, []string{"The selected whatsapp session id is invalid."}, e.Fields["whatsapp_session_id"])
	assert.NotEmpty(t, e.RequestID)
}

func TestUnauthorized(t *testing.T) {
	s, _ := newSandbox(t, ourvoicetest.WithCredentials("new-token-1", "old-token-0"))
	for _, tok := range []string{"new-token-1", "old-token-0"} {
		c, err := ourvoice.New(tok, ourvoice.WithBaseURL(s.BaseURL()))
		require.NoError(t, err)
		_, err = c.Sessions.List(context.Background(), nil)
		require.NoError(t, err)
	}
	c, err := ourvoice.New("wrong-token-SENTINEL", ourvoice.WithBaseURL(s.BaseURL()))
	require.NoError(t, err)
	_, err = c.Sessions.Create(context.Background())
	assert.ErrorIs(t, err, ourvoice.ErrUnauthorized)
	assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), "wrong-token-SENTINEL")
	var e *ourvoice.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, []string{"Unauthenticated."}, e.Messages)
}

func TestFiltersAndPagination(t *testing.T) {
	ctx := context.Background()
	s, c := newSandbox(t)
	a := connected(t, s, c, "22997000000")
	b := connected(t, s, c, "972501234567")

	// 12 outgoing texts from a over 12 minutes, 2 images from b, 2 incoming.
	for i := 0; i < 12; i++ {
		_, err := c.Messages.Send(ctx, text(a.ID, fmt.Sprintf("229960000%02d", i%3)))
		require.NoError(t, err)
		s.Advance(time.Minute)
	}
	_, err := c.Messages.Send(ctx, ourvoice.SendMessageParams{WhatsAppSessionID: b.ID, ToNumber: []string{"972521111111", "972522222222"}, Type: ourvoice.TypeImage, MediaURL: "https://example.com/a.png", DelayBetween: ourvoice.Delay(0)})
	require.NoError(t, err)
	in, err := s.Receive(ctx, ourvoicetest.Inbound{SessionID: a.ID, From: "22996000000", Type: ourvoice.TypeText, Content: "תודה רבה! 🙏"})
	require.NoError(t, err)
	assert.Equal(t, ourvoice.DirectionIncoming, in.Direction)
	assert.Equal(t, []string{"22997000000"}, in.ToNumber)
	assert.Equal(t, "תודה רבה! 🙏", in.Content)
	got, err := c.Messages.Get(ctx, in.ID)
	require.NoError(t, err)
	assert.Equal(t, in.Content, got.Content)
	_, err = s.Receive(ctx, ourvoicetest.Inbound{SessionID: b.SessionID, From: "972521111111", Content: "👍"})
	require.NoError(t, err)
	s.Advance(4 * time.Second) // the last sends are delivered, not yet read

	count := func(p *ourvoice.ListMessagesParams) int {
		n := 0
		for _, err := range c.Messages.ListAll(ctx, p) {
			require.NoError(t, err)
			n++
		}
		return n
	}
	all := count(nil)
	assert.Equal(t, 16, all)
	assert.Equal(t, 16, count(&ourvoice.ListMessagesParams{Limit: 3}))

	page, err := c.Messages.List(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, page.Messages, ourvoicetest.DefaultPageSize)
	assert.Equal(t, ourvoice.Meta{CurrentPage: 1, LastPage: 2, PerPage: 10, From: 1, To: 10, Total: 16, Path: s.BaseURL() + "/whatsapp/messages"}, page.Meta)
	assert.True(t, page.HasMore())
	assert.Contains(t, page.Links.Next, "page=2")
	page, err = c.Messages.List(ctx, &ourvoice.ListMessagesParams{Page: 2})
	require.NoError(t, err)
	assert.Len(t, page.Messages, 6)
	assert.False(t, page.HasMore())
	assert.Empty(t, page.Links.Next)

	assert.Equal(t, 4, count(&ourvoice.ListMessagesParams{ToNumber: []string{"22996000000"}}), "4 sent to it")
	assert.Equal(t, 8, count(&ourvoice.ListMessagesParams{ToNumber: []string{"22996000000", "22996000001"}}))
	assert.Equal(t, 1, count(&ourvoice.ListMessagesParams{FromNumber: "22996000000"}))
	assert.Equal(t, 2, count(&ourvoice.ListMessagesParams{Direction: ourvoice.DirectionIncoming}))
	assert.Equal(t, 14, count(&ourvoice.ListMessagesParams{Direction: ourvoice.DirectionOutgoing}))
	assert.Equal(t, 2, count(&ourvoice.ListMessagesParams{Type: ourvoice.TypeImage}))
	assert.Equal(t, 13, count(&ourvoice.ListMessagesParams{SessionID: a.ID}))
	assert.Equal(t, 3, count(&ourvoice.ListMessagesParams{SessionID: b.SessionID}), "gateway session_id works too")
	// Delivered: the 2 images (sent 1s, delivered 3s after queueing) and
	// the incoming ones; the texts, a minute older, have been read.
	assert.Equal(t, 4, count(&ourvoice.ListMessagesParams{Status: ourvoice.MessageDelivered}))
	assert.Equal(t, 12, count(&ourvoice.ListMessagesParams{Status: ourvoice.MessageRead}))
	assert.Equal(t, 2, count(&ourvoice.ListMessagesParams{Status: ourvoice.MessageDelivered, Direction: ourvoice.DirectionOutgoing}))
	assert.Equal(t, 3, count(&ourvoice.ListMessagesParams{TimeFrom: t0.Add(2 * time.Minute), TimeTo: t0.Add(4 * time.Minute)}))
	assert.Equal(t, 4, count(&ourvoice.ListMessagesParams{TimeFrom: t0.Add(12 * time.Minute)}))
	assert.Equal(t, 1, count(&ourvoice.ListMessagesParams{TimeTo: t0.Add(30 * time.Second).In(time.FixedZone("", 3*3600))}))

	n := 0
	for m, err := range c.Messages.ListBySessionAll(ctx, b.SessionID, &ourvoice.ListMessagesParams{Limit: 1, Direction: ourvoice.DirectionOutgoing}) {
		require.NoError(t, err)
		assert.Equal(t, b.ID, m.WhatsAppSessionID)
		n++
	}
	assert.Equal(t, 2, n)
	bl, err := c.Messages.ListBySession(ctx, a.ID, &ourvoice.ListMessagesParams{Limit: 5, Page: 3})
	require.NoError(t, err)
	assert.Len(t, bl.Messages, 3)
	assert.Equal(t, 13, bl.Meta.Total)
	_, err = c.Messages.ListBySession(ctx, "unknown-session", nil)
	assert.ErrorIs(t, err, ourvoice.ErrNotFound)

	// Newest first; incoming messages carry the session's number as to_number.
	page, err = c.Messages.List(ctx, &ourvoice.ListMessagesParams{Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, "👍", page.Messages[0].Content)
	assert.Equal(t, []string{"972501234567"}, page.Messages[0].ToNumber)
}

func TestServerQueryRules(t *testing.T) {
	s, _ := newSandbox(t)
	get := func(q string) (int, string) {
		req, _ := http.NewRequest("GET", s.BaseURL()+"/whatsapp/messages?"+q, nil)
		req.Header.Set("Authorization", "Bearer "+ourvoicetest.DefaultToken)
		resp, err := s.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get(url.Values{"filter[colour]": {"red"}}.Encode())
	assert.Equal(t, 400, code)
	assert.Contains(t, body, "colour")
	code, _ = get("limit=0")
	assert.Equal(t, 422, code)
	code, _ = get("limit=101")
	assert.Equal(t, 422, code)
	code, body = get("time_from=yesterday")
	assert.Equal(t, 422, code)
	assert.Contains(t, body, "time from")
	for _, q := range []string{"filter[to_number]=22996000000,22996000001", "filter[to_number][0]=22996000000", "filter[status]=read&limit=100&page=2"} {
		code, _ = get(q)
		assert.Equal(t, 200, code, q)
	}
	code, _ = get("filter[status][]=read")
	assert.Equal(t, 422, code)
}

// TestDeliverySafety runs the delivery-safety table against the sandbox:
// what is retried, what is not, and that no send is duplicated.
func TestDeliverySafety(t *testing.T) {
	ctx := context.Background()

	t.Run("429 on send is retried, one message", func(t *testing.T) {
		s, c := newSandbox(t)
		sess := connected(t, s, c, "22997000000")
		s.FailNext(1, 429, `{"message":"Too Many Attempts."}`)
		res, err := c.Messages.Send(ctx, text(sess.ID, "22996000000"))
		require.NoError(t, err)
		assert.Equal(t, 1, res.Count)
		assert.Len(t, s.SentMessages(), 1)
		assert.Equal(t, 2, s.Count("POST", "/v1/whatsapp/messages"))
	})

	t.Run("429 beyond retries surfaces", func(t *testing.T) {
		s, c := newSandbox(t)
		sess := connected(t, s, c, "22997000000")
		s.FailNext(10, 429, `{"message":"Too Many Attempts."}`)
		_, err := c.Messages.Send(ctx, text(sess.ID, "22996000000"))
		assert.ErrorIs(t, err, ourvoice.ErrRateLimited)
		assert.Empty(t, s.SentMessages())
		s.ClearFaults()
	})

	t.Run("503 without Retry-After on send is not retried", func(t *testing.T) {
		s, c := newSandbox(t)
		sess := connected(t, s, c, "22997000000")
		s.FailNextWithHeader(1, 503, `{"success":false,"message":"Service Unavailable"}`, http.Header{})
		_, err := c.Messages.Send(ctx, text(sess.ID, "22996000000"))
		var e *ourvoice.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, 503, e.StatusCode)
		assert.Equal(t, 1, s.Count("POST", "/v1/whatsapp/messages"))
	})

	t.Run("dropped connection on send: maybe delivered, not repeated", func(t *testing.T) {
		s, c := newSandbox(t)
		sess := connected(t, s, c, "22997000000")
		s.DropNext(1)
		_, err := c.Messages.Send(ctx, text(sess.ID, "22996000000"))
		assert.ErrorIs(t, err, ourvoice.ErrMaybeDelivered)
		var re *ourvoice.RequestError
		require.ErrorAs(t, err, &re)
		assert.True(t, re.MaybeDelivered)
		assert.Equal(t, 1, s.Count("POST", "/v1/whatsapp/messages"))
	})

	t.Run("answer lost after Our Voice acted: exactly one message", func(t *testing.T) {
		s, c := newSandbox(t)
		sess := connected(t, s, c, "22997000000")
		before := s.Balance()
		s.DropResponseNext(1)
		_, err := c.Messages.Send(ctx, text(sess.ID, "22996000000", "22996000001"))
		assert.ErrorIs(t, err, ourvoice.ErrMaybeDelivered)
		assert.Len(t, s.SentMessages(), 2, "queued once, never twice")
		assert.Equal(t, before-2*ourvoicetest.DefaultMessageCost, s.Balance())
		assert.Equal(t, 1, s.Count("POST", "/v1/whatsapp/messages"))
		// The way to find out: list what went to those numbers since then.
		l, err := c.Messages.List(ctx, &ourvoice.ListMessagesParams{ToNumber: []string{"22996000000", "22996000001"}, TimeFrom: t0})
		require.NoError(t, err)
		assert.Len(t, l.Messages, 2)
	})

	t.Run("create session is never repeated", func(t *testing.T) {
		s, c := newSandbox(t)
		s.DropResponseNext(1)
		_, err := c.Sessions.Create(ctx)
		assert.ErrorIs(t, err, ourvoice.ErrMaybeDelivered)
		assert.Equal(t, 1, s.Count("POST", "/v1/whatsapp/sessions"))
		l, err := c.Sessions.List(ctx, nil)
		require.NoError(t, err)
		assert.Len(t, l.Sessions, 1)
	})

	t.Run("disconnect answer lost: acted once, not repeated", func(t *testing.T) {
		s, c := newSandbox(t)
		sess := connected(t, s, c, "22997000000")
		s.DropResponseNext(1)
		_, err := c.Sessions.Disconnect(ctx, sess.ID)
		assert.ErrorIs(t, err, ourvoice.ErrMaybeDelivered)
		assert.Equal(t, 1, s.Count("PATCH", "/v1/whatsapp/sessions/"+sess.ID+"/disconnect"))
		got, err := c.Sessions.Get(ctx, sess.ID)
		require.NoError(t, err)
		assert.Equal(t, ourvoice.SessionDisconnected, got.Status, "Our Voice acted on it")
	})

	t.Run("create session dropped before Our Voice: nothing created, not repeated", func(t *testing.T) {
		s, c := newSandbox(t)
		s.DropNext(1)
		_, err := c.Sessions.Create(ctx)
		assert.ErrorIs(t, err, ourvoice.ErrMaybeDelivered, "the client cannot tell a drop before from one after")
		assert.Equal(t, 1, s.Count("POST", "/v1/whatsapp/sessions"))
		l, err := c.Sessions.List(ctx, nil)
		require.NoError(t, err)
		assert.Empty(t, l.Sessions)
	})

	t.Run("reads are retried after a drop", func(t *testing.T) {
		s, c := newSandbox(t)
		s.DropNext(1)
		_, err := c.Sessions.List(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, 2, s.Count("GET", "/v1/whatsapp/sessions"))
		s.FailNext(2, 503, `{"success":false,"message":"Service Unavailable"}`)
		_, err = c.Messages.List(ctx, nil)
		require.NoError(t, err)
	})

	t.Run("deadline while Our Voice stalls", func(t *testing.T) {
		s, c := newSandbox(t)
		sess := connected(t, s, c, "22997000000")
		s.DelayNext(1, time.Second)
		ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err := c.Messages.Send(ctx, text(sess.ID, "22996000000"))
		assert.ErrorIs(t, err, ourvoice.ErrMaybeDelivered)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 1, s.Count("POST", "/v1/whatsapp/messages"))
	})

	t.Run("success false inside 200", func(t *testing.T) {
		s, c := newSandbox(t)
		s.FailNext(1, 200, `{"success":false,"message":"Gateway rejected the message ⚠️"}`)
		_, err := c.Messages.Send(ctx, text("a3f1b2c4-1234-4abc-9def-000011112222", "22996000000"))
		var e *ourvoice.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, 200, e.StatusCode)
		assert.Equal(t, []string{"Gateway rejected the message ⚠️"}, e.Messages)
	})
}

func TestConcurrentSends(t *testing.T) {
	s, c := newSandbox(t)
	sess := connected(t, s, c, "22997000000")
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := c.Messages.Send(context.Background(), text(sess.ID, fmt.Sprintf("229960001%02d", i)))
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Len(t, s.SentMessages(), 20)
	assert.Equal(t, ourvoicetest.DefaultBalance-20*ourvoicetest.DefaultMessageCost, s.Balance())
}

func TestServerControls(t *testing.T) {
	s, c := newSandbox(t)
	assert.ErrorIs(t, s.Connect("nope", "1"), ourvoicetest.ErrNoSession)
	assert.ErrorIs(t, s.Ban("nope", ""), ourvoicetest.ErrNoSession)
	_, err := s.CurrentQR("nope")
	assert.ErrorIs(t, err, ourvoicetest.ErrNoSession)
	created, err := c.Sessions.Create(context.Background())
	require.NoError(t, err)
	qr, err := s.CurrentQR(created.Session.ID)
	require.NoError(t, err)
	assert.Equal(t, created.QRCode, qr)
	require.NoError(t, s.Connect(created.Session.SessionID, "22997000000"))
	assert.ErrorIs(t, s.Connect(created.Session.ID, "22997000000"), ourvoicetest.ErrNotPending)
	_, err = s.CurrentQR(created.Session.ID)
	assert.ErrorIs(t, err, ourvoicetest.ErrNotPending)
	require.NoError(t, s.Unlink(created.Session.ID, "Logged out from phone"))
	got, ok := s.Session(created.Session.ID)
	require.True(t, ok)
	assert.Equal(t, ourvoice.SessionDisconnected, got.Status)
	assert.Equal(t, "Logged out from phone", got.Reason)
	_, err = s.Receive(context.Background(), ourvoicetest.Inbound{SessionID: created.Session.ID, From: "22996000000", Content: "x"})
	assert.ErrorIs(t, err, ourvoicetest.ErrNotConnected)
	_, err = s.Receive(context.Background(), ourvoicetest.Inbound{SessionID: "nope", From: "22996000000", Content: "x"})
	assert.ErrorIs(t, err, ourvoicetest.ErrNoSession)
	_, err = s.Receive(context.Background(), ourvoicetest.Inbound{SessionID: created.Session.ID, From: "1", Content: "x"})
	assert.Error(t, err)
	_, err = s.Receive(context.Background(), ourvoicetest.Inbound{SessionID: created.Session.ID, From: "22996000000", Type: "sticker"})
	assert.Error(t, err)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.Receive(cancelled, ourvoicetest.Inbound{SessionID: created.Session.ID, From: "22996000000"})
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, s.SetMessageStatus("nope", ourvoice.MessageFailed, ""), ourvoicetest.ErrNoMessage)
	assert.Equal(t, t0, s.Now())
	s.Advance(time.Hour)
	assert.Equal(t, t0.Add(time.Hour), s.Now())
	s.SetBalance(1)
	assert.Equal(t, 1.0, s.Balance())

	// Unknown routes answer JSON.
	req, _ := http.NewRequest("GET", s.BaseURL()+"/whatsapp/unknown/x/y", nil)
	req.Header.Set("Authorization", "Bearer "+ourvoicetest.DefaultToken)
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
}

func TestServerOptions(t *testing.T) {
	ctx := context.Background()
	s, c := newSandbox(t,
		ourvoicetest.WithTimings(ourvoicetest.Timings{Send: 10 * time.Second, Deliver: time.Minute, Read: -1}),
		ourvoicetest.WithQRLifetime(time.Second),
		ourvoicetest.WithAccountID("acct-🙂"),
		ourvoicetest.WithMessageCost(0),
	)
	created, err := c.Sessions.Create(ctx)
	require.NoError(t, err)
	assert.Equal(t, "acct-🙂", created.Session.AccountID)
	s.Advance(time.Second)
	assert.ErrorIs(t, s.Scan(created.QRCode, "22997000000"), ourvoicetest.ErrQRExpired)
	require.NoError(t, s.Connect(created.Session.ID, "22997000000"))

	res, err := c.Messages.Send(ctx, text(created.Session.ID, "22996000000"))
	require.NoError(t, err)
	assert.Zero(t, res.TotalCost)
	assert.Equal(t, ourvoicetest.DefaultBalance, res.NewBalance)
	s.Advance(9 * time.Second)
	m, err := c.Messages.Get(ctx, res.Messages[0].ID)
	require.NoError(t, err)
	assert.Equal(t, ourvoice.MessageQueued, m.Status)
	s.Advance(24 * time.Hour)
	m, err = c.Messages.Get(ctx, res.Messages[0].ID)
	require.NoError(t, err)
	assert.Equal(t, ourvoice.MessageDelivered, m.Status, "never read")
	assert.True(t, m.ReadAt.IsZero())

	s.FailNumber("22996000001", "x")
	s.FailNumber("22996000001", "")
	res, err = c.Messages.Send(ctx, text(created.Session.ID, "+22996000001"))
	require.NoError(t, err)
	s.Advance(time.Hour)
	m, err = c.Messages.Get(ctx, res.Messages[0].ID)
	require.NoError(t, err)
	assert.Equal(t, ourvoice.MessageDelivered, m.Status, "cleared failure")
}
