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
//	res, err := c.Messages.Send(ctx, &ourvoice.SendParams{
//		WhatsAppSessionID: sess.ID,
//		ToNumber:          []string{"22996000000"},
//		Type:              ourvoice.TypeText,
//		Content:           "Hello from Our Voice!",
//	})
//
// Every call takes a context first and returns a typed result with the raw
// JSON reachable through Raw. Lists come one page at a time (List) or as an
// iterator over every page (ListAll); filters follow the docs' bracket form
// (filter[to_number][], filter[status], ...).
//
// # Failures
//
// Bad input is a *ValidationError and nothing is sent. A failure Our Voice
// reports, including "success": false inside an HTTP 200, is an *Error:
// errors.Is matches ErrUnauthorized (401), ErrNotFound (404), ErrValidation
// (422, with the per-field messages in Error.Fields) and ErrRateLimited
// (429). Requests that read are retried with backoff; a send or a session
// creation is never repeated once any of it was written, and fails with
// ErrMaybeDelivered instead, because Our Voice may have queued (and charged
// for) it. 429 and 503-with-Retry-After answers are retried even for sends,
// since Our Voice did not act on them.
//
// The token never appears in errors, logs or printed values.
//
// # Testing
//
// Package ourvoicetest is an in-memory Our Voice: sessions whose QR code the
// test "scans", messages that move queued -> sent -> delivered -> read on a
// clock the test controls, balance accounting, every filter, the vendor's
// error bodies, and fault injection.
package ourvoice
