package chattu_test

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
)

// startShop is the examples' common start: a sandbox whose number "shop"
// is logged in already, and a client with the dashboard session.
func startShop() (*chattutest.Server, *chattu.Client) {
	s := chattutest.NewServer()
	if err := s.SeedClient(chattutest.ClientState{ClientID: "shop", PhoneNumber: "972501234567", Connected: true}); err != nil {
		panic(err)
	}
	c, err := s.NewClient()
	if err != nil {
		panic(err)
	}
	return s, c
}

// A send that may have reached Chattu is never repeated by the SDK: the
// caller decides, knowing the message may already be on its way.
func ExampleMessagesService_Send() {
	s, c := startShop()
	defer s.Close()
	ctx := context.Background()

	_, err := c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: "shop", Number: "972529999999", Message: "ההזמנה שלך מוכנה 📦"})
	fmt.Println("text:", err)
	_, err = c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: "shop", Number: "972529999999", MediaURL: "https://cdn.example.com/receipt.pdf"})
	fmt.Println("document:", err)

	s.DropResponseNext(1) // Chattu sends, then the connection drops
	_, err = c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: "shop", Number: "972529999999", Message: "once"})
	if errors.Is(err, chattu.ErrMaybeDelivered) {
		fmt.Println("may have been delivered: not sent again")
	}
	fmt.Println("messages Chattu sent:", len(s.SentMessages()))
	// Output:
	// text: <nil>
	// document: <nil>
	// may have been delivered: not sent again
	// messages Chattu sent: 3
}

func ExampleMessagesService_Received() {
	s, c := startShop()
	defer s.Close()
	ctx := context.Background()
	_, _ = s.Receive(ctx, chattutest.Inbound{ClientID: "shop", From: "972529999999", Body: "שלום, אפשר להזמין?"})

	res, err := c.Messages.Received(ctx, "shop")
	if err != nil {
		panic(err)
	}
	for _, m := range res.Messages {
		fmt.Println(m.Sender, m.Message)
	}
	// Output:
	// 972529999999 שלום, אפשר להזמין?
}

func ExampleClientsService_QR() {
	s := chattutest.NewServer()
	defer s.Close()
	ctx := context.Background()
	c, _ := chattu.New(s.URL, chattutest.DefaultAPIKey)
	_, _ = c.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "shop", PhoneNumber: "972501234567"})

	qr, err := c.Clients.QR(ctx, "shop")
	if err != nil {
		panic(err)
	}
	fmt.Println(qr.ContentType, qr.IsPNG()) // show it to the person holding the phone

	_ = s.Scan("shop")
	_, err = c.Clients.QR(ctx, "shop")
	fmt.Println("after the scan:", errors.Is(err, chattu.ErrNotFound))
	// Output:
	// image/png true
	// after the scan: true
}

func ExampleGroupsService_List() {
	s, c := startShop()
	defer s.Close()
	res, err := c.Groups.List(context.Background(), "shop")
	if err != nil {
		panic(err)
	}
	for _, g := range append(res.Groups, res.Channels...) {
		fmt.Println(g.Type, g.ID, g.Name)
	}
	fmt.Println("total:", res.Total)
	// Output:
	// group 120363123456789012@g.us קבוצת עבודה
	// channel 120363123456789013@c.us ערוץ חדשות
	// total: 2
}

// The chat interface is the dashboard's: it needs WithSessionCookie.
func ExampleChatsService_Messages() {
	s, c := startShop()
	defer s.Close()
	ctx := context.Background()
	_, _ = s.Receive(ctx, chattutest.Inbound{ClientID: "shop", From: "9721234567", Name: "John Doe", Body: "Hello!"})
	_ = s.React("shop", "9721234567", "👍", "972501234567@c.us")

	chats, err := c.Chats.List(ctx, "shop")
	if err != nil {
		panic(err)
	}
	chat := chats.Chats[0]
	fmt.Println(chat.Name, chat.ID, "unread:", chat.UnreadCount)

	msgs, err := c.Chats.Messages(ctx, "shop", chat.ID, &chattu.ChatMessagesParams{Limit: 50})
	if err != nil {
		panic(err)
	}
	for _, m := range msgs.Messages {
		fmt.Println(m.Body, m.Reactions[0].Reaction)
	}
	_, _ = c.Chats.Send(ctx, "shop", chat.ID, chattu.ChatSendParams{Message: "Hello! How can I help you?"})
	_, _ = c.Chats.MarkRead(ctx, "shop", chat.ID)
	// Output:
	// John Doe 9721234567@c.us unread: 1
	// Hello! 👍
}

func ExampleChatsService_Media() {
	s, c := startShop()
	defer s.Close()
	ctx := context.Background()
	_, _ = s.Receive(ctx, chattutest.Inbound{ClientID: "shop", From: "9721234567", Body: "📷",
		Media: []byte("\xff\xd8\xff\xe0 jpeg"), MediaType: "image/jpeg", Filename: "photo.jpg"})
	msgs, _ := c.Chats.Messages(ctx, "shop", "9721234567@c.us", nil)

	media, err := c.Chats.Media(ctx, "shop", msgs.Messages[0].ID)
	if err != nil {
		panic(err)
	}
	defer media.Close()
	n, _ := io.Copy(io.Discard, media) // stream it to a file or a response
	fmt.Println(media.ContentType, media.FileName, n, "bytes")
	// Output:
	// image/jpeg photo.jpg 9 bytes
}

func ExampleCallsService_Incoming() {
	s, c := startShop()
	defer s.Close()
	ctx := context.Background()
	_, _ = s.Call(ctx, chattutest.IncomingCall{ClientID: "shop", From: "1234567890", IsVideo: true})

	res, err := c.Calls.Incoming(ctx, "shop")
	if err != nil {
		panic(err)
	}
	for _, call := range res.Calls {
		fmt.Println(call.CallFrom, "video:", call.IsVideo)
	}
	// Output:
	// 1234567890@c.us video: true
}

func ExampleWithSessionCookie() {
	// The Cookie header value the browser sends after logging in to the
	// dashboard. It is sent only to the endpoints that need it, and never
	// printed.
	c, err := chattu.New("https://bot.example.com", "account-api-key", chattu.WithSessionCookie("connect.sid=s%3Aabc.def"))
	fmt.Println(c, c.HasSession(), err)
	// Output:
	// chattu.Client true <nil>
}
