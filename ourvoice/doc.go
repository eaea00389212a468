// Package ourvoice is a client for the Our Voice WhatsApp API: sessions
// (WhatsApp accounts linked by QR code) and the messages sent through them.
//
// # Getting started
//
//	c, err := ourvoice.New(os.Getenv("OURVOICE_TOKEN"))
//	created, err := c.Sessions.Create(ctx)          // pending, with a QR code
//	show(created.PNG)                                // scan it with WhatsApp
//	sess, err := c.Sessions.WaitConnected(ctx, created.Session.ID, &ourvoice.WaitParams{
//		ShownQRCode: created.QRCode,
//		OnQRCode:    func(qr ourvoice.QRCode) { png, _ := qr.PNG(); show(png) },
//	})
//	res, err := c.Messages.Send(ctx, ourvoice.SendMessageParams{
//		WhatsAppSessionID: sess.ID,
//		ToNumber:          []string{"22996000000"},
//		Type:              ourvoice.TypeText,
//		Content:           "Hello from Our Voice!",
//	})
//
// Every call takes a context first and returns a typed result with the raw
// JSON reachable through Raw. Lists come one page at a time (List) or as an
// iterator over every page (ListAll), from Our Voice's {data, links, meta}
// pages. ListMessagesParams sends every documented filter under its
// documented name: filter[to_number][] (an array, one entry per number),
// filter[from_number], filter[status], filter[direction], filter[type],
// session_id, time_from and time_to (ISO 8601, from time.Time) and limit,
// plus page for the iterators.
//
// WaitConnected follows a new (or reconnected) session: it polls with
// backoff, hands every fresh QR code to a callback while the session is
// pending, and returns once it is connected, with a *SessionStatusError
// when it is banned or failed, or with an error wrapping ctx.Err() when the
// context ends.
//
// # Failures
//
// Bad input is a *ValidationError naming Our Voice, the field and the rule
// ("ourvoice: invalid to_number[1]: ..."), and nothing is sent; a bad
// option value makes New fail the same way. A failure Our Voice
// reports, including "success": false inside an HTTP 2xx, is an *Error. For
// a non-2xx answer the status decides what errors.Is matches:
// ErrUnauthorized (401, 403), ErrNotFound (404), ErrValidation (400, 422)
// and ErrRateLimited (429). Laravel-style field errors
// ({"errors": {"to_number": ["..."]}}) land in Error.Fields; inside a 2xx
// they make the error match ErrValidation.
//
// Reads and deletes are retried with backoff. A send, a session creation, a
// disconnect or a reconnect is never repeated once any of it was written:
// if the answer is lost, or arrives but cannot be read, the error matches
// ErrMaybeDelivered, because Our Voice may have queued (and charged for)
// it. 429 and 503-with-Retry-After answers are retried even for sends,
// since Our Voice did not act on them.
//
// Answers are read once, under the SDK's loose-JSON policy: numbers sent
// as strings, "null" strings, to_number as a string or a list, metadata as
// a JSON string all decode; a field in a form that cannot be read ("abc"
// for a cost) reads as its zero value rather than failing a send Our Voice
// accepted, and the exact bytes stay reachable through Raw. Only an answer
// whose structure cannot be read (not JSON, no session object in a
// creation, a message list that is not a list) is a *DecodeError.
//
// The token never appears in errors, logs or printed values.
//
// # Testing
//
// Package ourvoicetest is an in-memory Our Voice: sessions whose QR code the
// test "scans" (or ReadySession, a connected session in one line),
// sessions and messages seeded with the docs' fixed ids, messages that move
// queued -> sent -> delivered -> read on a clock the test controls (Now,
// Advance), balance accounting, every filter, the vendor's error bodies
// (FailNextError), and the SDK's shared fault injection (FailNext,
// DelayNext, DropNext, DropResponseNext). Example runs the whole flow
// against it.
package ourvoice
