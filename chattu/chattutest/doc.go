// Package chattutest is an in-memory sandbox of the Chattu API for tests and
// demos: every documented endpoint with state, Chattu's envelopes and error
// codes, the documented rate limits, session-only endpoints, fault injection,
// and webhooks delivered to a URL whose replies it reads.
//
//	s := chattutest.NewServer()
//	defer s.Close()
//	c, _ := s.NewClient()         // account key and dashboard session
//	id, _ := s.ReadyClient("")      // a connected WhatsApp client: "client-id"
//	_, err := c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: id, Number: "972501234567", Message: "שלום"})
//	sent := s.SentMessages()
//
// The controls every Switchboard sandbox shares are methods of Server:
// FailNext, FailNextWithHeader, FailNextError (Chattu's own error codes in
// its envelope), DelayNext, DropNext, DropResponseNext, ClearFaults, the
// request log (Requests, Count, ResetLog), and the test clock (Now,
// Advance, WithClock). Seed a client, a chat message or a scheduled message
// with the ids the docs use (SeedClient, SeedMessage, SeedSchedule) to run
// the docs' requests as written; Receive and Call play the traffic Chattu
// sends to webhooks, and Deliveries shows what they sent. WithListener runs
// the sandbox at a fixed address, and WithObserver, Clients and QR let a
// watcher (examples/devserver) follow it live.
//
// Credentials are checked per endpoint as the docs show them: the x-api-key
// header on the API-key endpoints, the dashboard session cookie on the
// session-only ones (schedules, the chat interface, deleting a client,
// sending to a group as the dashboard does), and the username and current
// key in the body for reset-api-key. Stricter than Chattu, the sandbox
// answers 400 to a request that also carries an x-api-key header to an
// endpoint whose docs show none, so that a client leaking its key there
// fails its tests.
package chattutest
