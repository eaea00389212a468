// Package voitextest is an in-memory Voitex for tests, examples and local
// development, since Voitex offers no sandbox of its own.
//
// NewServer starts it on a local port. It serves every client-side API at
// the documented paths (/upload/, /, /notify/, /send/; the contacts API and
// the notification call share "/" and are told apart by the function
// field), so a voitex.Client built with s.NewClient, or with
// voitex.WithBaseURL(s.URL), talks to it unchanged. It keeps state and
// applies the documented rules:
//
//   - recordings per album and sort number, the next free sort number when
//     none is given, override=yes to replace one, wav or mp3 only;
//   - contacts with phone uniqueness, last-phone protection, labels by number
//     (WithLabels), "" clearing a field, custom fields (WithCustomFields);
//   - Notify: exactly one of to, phones and label, 1 to 19 phones sent
//     individually (batch_id) and 20 or more, or any label, as a group
//     broadcast (group_id), invalid numbers giving partial_success (failure
//     when none is left), dnc (WithDoNotCall) and to_be_sent scheduling;
//   - phone numbers as the voitex client accepts and sends them: 10 digits
//     whose area code does not start with 0 or 1 (or 11 starting with 1) in
//     every phone field (from, to, cid, route_number, the contacts' phone,
//     add_phone, remove_phone, SeedContact); anything else is refused in
//     Voitex's envelope, except in Notify's recipients, where it is listed
//     in invalid as invalid_format as Voitex does (and 555 or N11 area codes
//     as unallocated_nanp);
//   - Voitex's envelopes and quirks: failures in HTTP 200 with
//     "status":"error", the Send SMS answer with its object in a string and
//     its repeated key, valid_count null for a single send, form keys with
//     stray spaces, the auth_key header spelling of one sample.
//
// Every request needs an accepted Auth-Key (DefaultAuthKey unless
// WithCredentials says otherwise). The sandbox has the controls every
// Switchboard sandbox has, each a method of Server:
//
//   - what was sent: SentSMS, SentCalls and SentNotifications, besides
//     Recordings and Contacts;
//   - seeding with chosen values, so the documentation's requests with fixed
//     phones and ids work: SeedContact, SeedRecording, AddLabels;
//   - a test clock: WithClock sets its base, Now reads it, Advance moves it;
//   - faults: FailNext, FailNextWithHeader and FailNextError (a named Voitex
//     failure in Voitex's envelope), DelayNext, DropNext (the connection is
//     lost before Voitex acts) and DropResponseNext (after it acted),
//     ClearFaults;
//   - the request log: Requests, Count and ResetLog;
//   - running at a fixed address and watching it live: WithListener and
//     WithObserver (each request once answered).
//
// For the API Branch, Receive sends one request the way Voitex's IVR does
// when a caller reaches the branch (contact_info from the sandbox's
// contacts or "null", branch_data, variables as a list of objects,
// payment_info) and returns what your handler answered; Deliveries lists
// them. A Simulator builds whole calls on it: it follows goto, inputs and
// the % catch-all with scripted key presses and records the path, what was
// played and the variables.
package voitextest
