// Package chattutest is an in-memory sandbox of the Chattu API for tests and
// demos: every documented endpoint with state, Chattu's envelopes and error
// codes, the documented rate limits, session-only endpoints, fault injection,
// and webhooks delivered to a URL whose replies it reads.
//
//	s := chattutest.NewServer()
//	defer s.Close()
//	c, _ := chattu.New(s.URL, chattutest.DefaultAPIKey, chattu.WithSessionCookie(chattutest.DefaultSessionCookie))
//	res, _ := c.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "shop", PhoneNumber: "972501234567"})
//	s.Scan("shop") // the phone scanned the QR: pending_auth -> connected
package chattutest
