// Package voxiotest is an in-memory Voxio Chat for tests and demos: every
// External API endpoint with state, the vendor's answers (HTTP 200 with
// "status":"error" for validation errors, the Unauthorized and IP-whitelist
// answers, not_found), Laravel pagination, fault injection, a test clock,
// and signed Inbound Relay deliveries to a URL of the test's choosing.
//
//	s := voxiotest.NewServer()
//	defer s.Close()
//	c, _ := s.NewClient()
//	c.Messages.Send(ctx, voxio.SendMessageParams{...})
//	s.SentMessages() // what the customer received
//
// # The shape every Switchboard sandbox shares
//
//   - NewServer(opts...), URL, NewClient(opts...), Close.
//   - WithCredentials(pairs...) for what is accepted, WithClock for the
//     clock's base, Now and Advance to read and move it: timestamps in
//     answers, relay signatures and WithAutoStatus's steps follow it.
//   - Faults: FailNext, FailNextWithHeader, DelayNext, DropNext (Voxio never
//     acts), DropResponseNext (Voxio acts, the answer is lost), ClearFaults;
//     FailNextError answers one of Voxio's own failures in its envelope
//     (validation_error, not_found, insufficient_balance,
//     subscription_required, exception, Unauthorized, ip_not_whitelisted,
//     rate_limited).
//   - The request log: Requests, Count(method, path), ResetLog.
//   - Running at a fixed address and watching it live: WithListener,
//     WithObserver (each request once answered), Contacts.
//   - What was sent: SentMessages. Inbound traffic: Receive(ctx, Inbound)
//     delivers a customer's message to the relay URL, signed; Deliveries
//     lists every delivery; AdvanceStatus, DeliverStatuses and
//     SetMessageStatus deliver message_status events.
//   - Seeding with chosen ids, so the docs' requests with fixed ids work:
//     SeedContact, SeedConversation, SeedMessage (and AddTemplate, AddNote,
//     AddTag, AddToList).
//
// NewRelayHandler (or RelayConfig) gives a voxio.RelayHandler that accepts
// the sandbox's deliveries.
//
// The Voxio handler hashes uploaded files as it reads them and keeps only
// their name, type, size and SHA-256; the request log keeps at most the
// first MiB of each body. A 100 MB document sent to the sandbox therefore
// streams through it in constant memory, as it does through the client.
package voxiotest
