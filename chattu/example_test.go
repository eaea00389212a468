package chattu_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
)

// Example adds a number, logs it in by scanning the QR (simulated by the
// sandbox) and sends a message.
func Example() {
	s := chattutest.NewServer()
	defer s.Close()
	ctx := context.Background()

	c, err := chattu.New(s.URL, chattutest.DefaultAPIKey)
	if err != nil {
		panic(err)
	}
	res, err := c.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "shop", PhoneNumber: "972501234567"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Status, "QR bytes:", len(res.QRCode) > 0, "client key:", res.APIKey)

	_ = s.Scan("shop") // the phone scans the QR

	_, err = c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: "shop", Number: "972529999999", Message: "שלום! 👋"})
	fmt.Println("sent:", err == nil)
	// Output:
	// pending_auth QR bytes: true client key: [REDACTED]
	// sent: true
}

func ExampleClientsService_List() {
	s := chattutest.NewServer()
	defer s.Close()
	ctx := context.Background()
	c, _ := chattu.New(s.URL, chattutest.DefaultAPIKey)
	_, _ = c.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "shop", PhoneNumber: "972501234567"})
	_, _ = c.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "support", PhoneNumber: "972507654321"})
	_ = s.Scan("shop")

	list, err := c.Clients.List(ctx)
	if err != nil {
		panic(err)
	}
	for _, cl := range list.Clients {
		fmt.Printf("%s %s %q\n", cl.ClientID, cl.ConnectedNumber, cl.Status)
	}
	// Output:
	// shop 972501234567@c.us "Authenticated"
	// support Not Connected "Pending Authentication"
}

func ExampleGroupsService_Send() {
	s := chattutest.NewServer()
	defer s.Close()
	ctx := context.Background()
	c, _ := chattu.New(s.URL, chattutest.DefaultAPIKey)
	_, _ = c.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "shop", PhoneNumber: "972501234567"})
	_ = s.Scan("shop")

	groups, _ := c.Groups.List(ctx, "shop")
	g := groups.Groups[0]
	res, err := c.Groups.Send(ctx, chattu.GroupMessageParams{ClientID: "shop", GroupID: g.ID, Message: "שלום לכולם! זה הודעה בעברית"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.GroupName, "<-", res.Message.Body)
	// Output:
	// קבוצת עבודה <- שלום לכולם! זה הודעה בעברית
}

func ExampleGroupsService_Send_readOnly() {
	s := chattutest.NewServer()
	defer s.Close()
	ctx := context.Background()
	c, _ := chattu.New(s.URL, chattutest.DefaultAPIKey)
	_, _ = c.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "shop", PhoneNumber: "972501234567"})
	_ = s.Scan("shop")
	_ = s.AddGroup("shop", chattutest.Group{ID: "120363000000000001@g.us", Name: "הכרזות", ReadOnly: true})

	_, err := c.Groups.Send(ctx, chattu.GroupMessageParams{ClientID: "shop", GroupID: "120363000000000001@g.us", Message: "hi"})
	fmt.Println(errors.Is(err, chattu.ErrReadOnlyChat))
	// Output:
	// true
}

func ExampleSchedulesService_Create() {
	now := time.Date(2025, 10, 6, 12, 0, 0, 0, time.UTC)
	s := chattutest.NewServer(chattutest.WithClock(func() time.Time { return now }))
	defer s.Close()
	ctx := context.Background()
	// Schedules belong to the dashboard: they need its login session.
	c, _ := chattu.New(s.URL, chattutest.DefaultAPIKey, chattu.WithSessionCookie(chattutest.DefaultSessionCookie))
	_, _ = c.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "shop", PhoneNumber: "972501234567"})
	_ = s.Scan("shop")

	jerusalem := time.FixedZone("IDT", 3*3600)
	_, err := c.Schedules.Create(ctx, chattu.ScheduleParams{
		ClientID: "shop", Number: "+9721234567", Message: "Scheduled hello",
		ScheduleTime: time.Date(2025, 10, 6, 21, 30, 0, 0, jerusalem), // sent as 18:30Z
	})
	if err != nil {
		panic(err)
	}
	s.Advance(7 * time.Hour)
	l, _ := c.Schedules.List(ctx)
	m := l.Messages[0]
	fmt.Println(m.ScheduleTime.Format(time.RFC3339), m.Status)
	// Output:
	// 2025-10-06T18:30:00Z sent
}

func ExampleSchedulesService_List_withoutSession() {
	c, _ := chattu.New("https://bot.example.com", "account-api-key")
	_, err := c.Schedules.List(context.Background())
	var ve *chattu.ValidationError
	fmt.Println(errors.As(err, &ve), ve.Field)
	// Output:
	// true session
}

func ExampleAccountService_ResetAPIKey() {
	s := chattutest.NewServer()
	defer s.Close()
	ctx := context.Background()
	c, _ := chattu.New(s.URL, chattutest.DefaultAPIKey)

	res, err := c.Account.ResetAPIKey(ctx, chattu.ResetAPIKeyParams{Username: chattutest.DefaultUsername})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Message, res.NewAPIKey, "switched:", res.Switched)
	// The client already uses the new key.
	_, err = c.Account.Profile(ctx)
	fmt.Println("profile:", err == nil)
	// Output:
	// API key reset successfully. [REDACTED] switched: true
	// profile: true
}

func ExampleNewWebhookHandler() {
	s := chattutest.NewServer()
	defer s.Close()
	ctx := context.Background()
	c, _ := chattu.New(s.URL, chattutest.DefaultAPIKey)
	res, _ := c.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "shop", PhoneNumber: "972501234567"})
	_ = s.Scan("shop")

	h, err := chattu.NewWebhookHandler([]string{string(res.APIKey)}, func(ctx context.Context, ev *chattu.WebhookEvent) (chattu.Reply, error) {
		switch ev.Type {
		case chattu.EventMessageReceived:
			return chattu.Reply{Response: "תודה! קיבלנו: " + ev.MessageReceived.Text()}, nil
		case chattu.EventCallRejected:
			return chattu.Reply{RejectionMessage: "מצטער אינני זמין כעת. אנא שלח הודעה ונחזור אליך בהקדם."}, nil
		}
		return chattu.Reply{}, nil
	})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(h) // in production: mux.Handle("POST /hooks/chattu", h)
	defer srv.Close()
	_, _ = c.Clients.UpdateWebhook(ctx, chattu.UpdateWebhookParams{ClientID: "shop", WebhookURL: srv.URL})

	_, _ = s.Receive(ctx, chattutest.Inbound{ClientID: "shop", From: "972529999999", Body: "שלום"})
	_, _ = s.Call(ctx, chattutest.IncomingCall{ClientID: "shop", From: "972529999999"})
	for _, m := range s.SentMessages() {
		fmt.Println(m.Source+":", m.Message)
	}
	// Output:
	// auto-reply: תודה! קיבלנו: שלום
	// call-rejection: מצטער אינני זמין כעת. אנא שלח הודעה ונחזור אליך בהקדם.
}

func ExampleAPIKey() {
	k := chattu.APIKey("1f92bf99680b32fedeb1")
	fmt.Println(k)
	fmt.Printf("%v %s %q %#v\n", k, k, k, k)
	fmt.Println(len(k.Reveal()))
	// Output:
	// [REDACTED]
	// [REDACTED] [REDACTED] "[REDACTED]" [REDACTED]
	// 20
}

func ExampleUserChat() {
	id, _ := chattu.UserChat("+972501234567")
	fmt.Println(id, id.Number())
	_, err := chattu.ParseGroupID("120363123456789012@g.us")
	fmt.Println(err)
	// Output:
	// 972501234567@c.us 972501234567
	// <nil>
}

func ExampleWithRateLimit() {
	s := chattutest.NewServer()
	defer s.Close()
	// The client waits its turn under Chattu's documented limits instead of
	// collecting 429s; each call still ends with its context.
	c, _ := chattu.New(s.URL, chattutest.DefaultAPIKey, chattu.WithRateLimit())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p, err := c.Account.Profile(ctx)
	fmt.Println(p.Username, err)
	// Output:
	// sandbox <nil>
}

// Clients that must stay within Chattu's limits together share one store:
// a MemoryLimitStore within a process, a redisstore.LimitStore across the
// instances of a service. Here two clients share the 5 sensitive operations
// per hour: the sixth reset is refused before it is sent. A store that
// fails stops the call with ErrLimitStore (or, with WithLimitStoreFailOpen,
// lets it go without the limits and logs a warning).
func ExampleWithLimitStore() {
	s := chattutest.NewServer()
	defer s.Close()
	store := chattu.NewMemoryLimitStore()
	a, _ := s.NewClient(chattu.WithLimitStore(store))
	b, _ := s.NewClient(chattu.WithLimitStore(store))

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for i, c := range []*chattu.Client{a, b, a, b, a, b} {
		// A wrong username: Chattu refuses the reset, and still counts it.
		_, err := c.Account.ResetAPIKey(ctx, chattu.ResetAPIKeyParams{Username: "nobody"})
		switch {
		case errors.Is(err, chattu.ErrRateLimited):
			fmt.Println(i+1, "refused by the client-side limit; not sent")
		case errors.Is(err, chattu.ErrUnauthorized):
			fmt.Println(i+1, "sent")
		}
	}
	fmt.Println("resets Chattu received:", s.Count("POST", "/api/reset-api-key"))
	// Output:
	// 1 sent
	// 2 sent
	// 3 sent
	// 4 sent
	// 5 sent
	// 6 refused by the client-side limit; not sent
	// resets Chattu received: 5
}

// New needs the deployment's base URL and an API key; options add the
// dashboard session (for the chat interface, schedules and client deletion)
// and the client-side rate limiter. Credentials never print.
func ExampleNew() {
	c, err := chattu.New("https://bot.example.com", "1f92bf99680b32fedeb1",
		chattu.WithSessionCookie("connect.sid=s%3Aabc123"),
		chattu.WithRateLimit(),
		chattu.WithRetryMax(2),
	)
	if err != nil {
		panic(err)
	}
	fmt.Println(c, c.HasSession())

	_, err = chattu.New("", "key")
	var ve *chattu.ValidationError
	fmt.Println(errors.As(err, &ve), ve.Field)
	// Output:
	// chattu.Client true
	// true baseURL
}
