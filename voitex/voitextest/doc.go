// Package voitextest is an in-memory Voitex for tests, examples and local
// development, since Voitex offers no sandbox of its own.
//
// NewServer starts it on a local port. It serves every client-side API at
// the documented paths (/upload/, /, /notify/, /send/; the contacts API and
// the notification call share "/" and are told apart by the function
// field), so a voitex.Client built with voitex.WithBaseURL(s.URL), or with
// s.NewClient, talks to it unchanged. It keeps state and applies the
// documented rules:
//
//   - recordings per album and sort number, the next free sort number when
//     none is given, override=yes to replace one, wav or mp3 only;
//   - contacts with phone uniqueness, last-phone protection, labels by number
//     (WithLabels), "" clearing a field, custom fields (WithCustomFields);
//   - Notify: exactly one of to, phones and label, 1 to 19 phones sent
//     individually (batch_id) and 20 or more, or any label, as a group
//     broadcast (group_id), invalid numbers giving partial_success (failure
//     when none is left), dnc (WithDoNotCall) and to_be_sent scheduling;
//   - Voitex's envelopes and quirks: failures in HTTP 200 with
//     "status":"error", the Send SMS answer with its object in a string and
//     its repeated key, valid_count null for a single send, form keys with
//     stray spaces, the auth_key header spelling of one sample.
//
// Every request needs an accepted Auth-Key (DefaultAuthKey unless
// WithAuthKeys says otherwise). What was sent can be inspected afterwards
// (SMSes, NotificationCalls, Notifications, Recordings, Contacts), and the
// embedded fault injector makes the next calls fail (FailNext), stall
// (DelayNext), lose the connection before Voitex acts (DropNext) or after
// it acted (DropResponseNext), to test delivery safety.
//
// For the API Branch, a Simulator plays the IVR's side of a call against
// your handler: it POSTs the requests Voitex would send (contact_info from
// the sandbox's contacts or "null", branch_data, variables as a list of
// objects, payment_info), follows goto, inputs and the % catch-all with
// scripted key presses, and records the path, what was played and the
// variables.
package voitextest
