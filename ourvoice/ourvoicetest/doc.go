// Package ourvoicetest is an in-memory Our Voice server for tests, examples
// and local development, since Our Voice has no sandbox of its own.
//
// It implements every documented endpoint under /v1/whatsapp with state and
// the vendor's envelopes: sessions go pending -> connected when the test
// "scans" the current QR code (Scan, Connect), and can be disconnected,
// reconnected, banned, failed and deleted; the QR code of a pending session
// rotates; messages can only be sent through a connected session and move
// queued -> sent -> delivered -> read on the server's clock, which the test
// controls (WithClock, Now, Advance); every send is charged against a
// balance; lists take every documented filter and paginate as
// {data, links, meta}. Failures use Our Voice's bodies: 401
// {"message":"Unauthenticated."}, 422
// {"success":false,"message","errors":{field:[...]}}, 404/400/402
// {"success":false,"message"}.
//
// # The shape every Switchboard sandbox shares
//
//   - NewServer(opts...), NewClient(opts...), Close, the URL field (and
//     BaseURL, which adds Our Voice's "/v1").
//   - WithCredentials(tokens...) for the accepted API tokens, WithClock
//     for the clock's base, Now and Advance.
//   - Fault injection: FailNext, FailNextWithHeader, DelayNext, DropNext
//     (the request never reaches Our Voice), DropResponseNext (Our Voice
//     acts on the request, then the answer is lost: the case where a send
//     may have been delivered), ClearFaults; and FailNextError, which
//     answers a named Our Voice error in its own envelope.
//   - The request log: Requests, Count, ResetLog.
//   - Running at a fixed address and watching it live: WithListener,
//     WithObserver (each request once answered), Sessions.
//   - What was sent: SentMessages.
//   - Inbound traffic: Receive(ctx, Inbound). Our Voice sends no webhooks,
//     so an incoming message shows up in the session's message lists.
//   - Seeding with chosen ids: SeedSession and SeedMessage, so that the Our
//     Voice docs' requests, which name fixed ids, run against the sandbox;
//     ReadySession for a connected session in one line.
//
// Where the Our Voice docs show no body (session lists, disconnect,
// reconnect, delete, errors other than the documented statuses), the
// sandbox answers in the same style as the documented ones; see each
// handler.
package ourvoicetest
