package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voxio"
)

// Live mode talks to the real vendors. It reads credentials from the
// environment, runs only read-only calls, and sends a message only when
// -send-to names the recipient (and the vendor's sender is configured).
//
//	VOXIO_CLIENT_ID, VOXIO_CLIENT_SECRET          Voxio Chat
//	VOITEX_AUTH_KEY                              Voitex
//	OURVOICE_TOKEN                               Our Voice
//	CHATTU_BASE_URL, CHATTU_API_KEY              Chattu (deployed per customer)
//
// Optional: VOITEX_LOOKUP_PHONE (a phone for the read-only contact select),
// and for -send-to: VOXIO_MOBILE_CODE (the recipient's country code),
// VOITEX_SMS_FROM (and VOITEX_SMS_TO, the recipient as a 10-digit North
// American number, the only form Voitex's docs show), OURVOICE_SESSION_ID, CHATTU_CLIENT_ID. VOXIO_BASE_URL,
// VOITEX_BASE_URL and OURVOICE_BASE_URL point a vendor at a proxy.

// liveConfig is what live mode runs with; env is looked up by name.
type liveConfig struct {
	env    func(string) string
	sendTo string // the recipient's international digits (Phone.Digits), or ""
	text   string
}

// errNothingConfigured means no vendor's credentials were in the
// environment.
var errNothingConfigured = errors.New("no vendor credentials in the environment (see examples/quickstart/live.go)")

func runLive(ctx context.Context, w io.Writer, cfg liveConfig) error {
	steps := []struct {
		name string
		run  func(context.Context, io.Writer, liveConfig) (bool, error)
	}{
		{"Voxio Chat", liveVoxio}, {"Voitex", liveVoitex}, {"Our Voice", liveOurVoice}, {"Chattu", liveChattu},
	}
	ran := 0
	var errs []error
	for _, s := range steps {
		fmt.Fprintf(w, "\n== %s (live) ==\n", s.name)
		ok, err := s.run(ctx, w, cfg)
		if err != nil {
			// One vendor failing does not hide what the others say.
			fmt.Fprintf(w, "failed: %v\n", err)
			errs = append(errs, fmt.Errorf("%s: %w", s.name, err))
		}
		if ok {
			ran++
		}
	}
	if ran == 0 {
		return errNothingConfigured
	}
	return errors.Join(errs...)
}

func skip(w io.Writer, vars ...string) (bool, error) {
	fmt.Fprintf(w, "skipped: set %s\n", strings.Join(vars, " and "))
	return false, nil
}

func liveVoxio(ctx context.Context, w io.Writer, cfg liveConfig) (bool, error) {
	id, secret := cfg.env("VOXIO_CLIENT_ID"), cfg.env("VOXIO_CLIENT_SECRET")
	if id == "" || secret == "" {
		return skip(w, "VOXIO_CLIENT_ID", "VOXIO_CLIENT_SECRET")
	}
	var opts []voxio.Option
	if u := cfg.env("VOXIO_BASE_URL"); u != "" {
		opts = append(opts, voxio.WithBaseURL(u))
	}
	c, err := voxio.New(id, secret, opts...)
	if err != nil {
		return true, err
	}
	contacts, err := c.Contacts.List(ctx, &voxio.ContactListParams{Paginate: 5})
	if err != nil {
		return true, err
	}
	fmt.Fprintf(w, "contacts: %d in all, first page:\n", contacts.Pagination.Total)
	for _, ct := range contacts.Contacts {
		fmt.Fprintf(w, "  %d %s %s +%s %s\n", ct.ID, ct.FirstName, ct.LastName, ct.MobileCode, ct.Mobile)
	}
	templates, err := c.Templates.List(ctx, nil)
	if err != nil {
		return true, err
	}
	fmt.Fprintf(w, "templates: %d\n", len(templates.Templates))
	if cfg.sendTo == "" {
		return true, nil
	}
	code := cfg.env("VOXIO_MOBILE_CODE")
	if code == "" || !strings.HasPrefix(cfg.sendTo, code) {
		fmt.Fprintln(w, "send skipped: set VOXIO_MOBILE_CODE to the recipient's country code")
		return true, nil
	}
	res, err := c.Messages.Send(ctx, voxio.SendMessageParams{
		Recipient: voxio.Recipient{MobileCode: code, Mobile: strings.TrimPrefix(cfg.sendTo, code)},
		Message:   cfg.text,
	})
	if err != nil {
		return true, err
	}
	fmt.Fprintf(w, "sent: message %d, status %v\n", res.Message.ID, res.Message.Status)
	return true, nil
}

func liveVoitex(ctx context.Context, w io.Writer, cfg liveConfig) (bool, error) {
	key := cfg.env("VOITEX_AUTH_KEY")
	if key == "" {
		return skip(w, "VOITEX_AUTH_KEY")
	}
	var opts []voitex.Option
	if u := cfg.env("VOITEX_BASE_URL"); u != "" {
		opts = append(opts, voitex.WithBaseURL(u))
	}
	c, err := voitex.New(key, opts...)
	if err != nil {
		return true, err
	}
	// Voitex has no list endpoint: its only read is a contact select.
	if phone := cfg.env("VOITEX_LOOKUP_PHONE"); phone != "" {
		ct, err := c.Contacts.Select(ctx, voitex.SelectContactParams{Phone: phone})
		if err != nil {
			return true, err
		}
		fmt.Fprintf(w, "contact for %s: %s %s, %d phone(s)\n", phone, ct.FirstName, ct.LastName, len(ct.Phones))
	} else {
		fmt.Fprintln(w, "no read-only call without VOITEX_LOOKUP_PHONE (Voitex has no list endpoint)")
	}
	if cfg.sendTo == "" {
		return true, nil
	}
	from := cfg.env("VOITEX_SMS_FROM")
	if from == "" {
		fmt.Fprintln(w, "send skipped: set VOITEX_SMS_FROM to an SMS-enabled number of the account")
		return true, nil
	}
	// Voitex takes 10-digit North American numbers (8451239876); -send-to
	// in another form is refused before sending.
	to := cfg.sendTo
	if local := cfg.env("VOITEX_SMS_TO"); local != "" {
		to = local
	}
	sms, err := c.SMS.Send(ctx, voitex.SMSParams{From: from, To: to, Body: cfg.text})
	if err != nil {
		return true, err
	}
	fmt.Fprintf(w, "sent SMS to %s\n", sms.To)
	return true, nil
}

func liveOurVoice(ctx context.Context, w io.Writer, cfg liveConfig) (bool, error) {
	token := cfg.env("OURVOICE_TOKEN")
	if token == "" {
		return skip(w, "OURVOICE_TOKEN")
	}
	var opts []ourvoice.Option
	if u := cfg.env("OURVOICE_BASE_URL"); u != "" {
		opts = append(opts, ourvoice.WithBaseURL(u))
	}
	c, err := ourvoice.New(token, opts...)
	if err != nil {
		return true, err
	}
	sessions, err := c.Sessions.List(ctx, nil)
	if err != nil {
		return true, err
	}
	fmt.Fprintf(w, "sessions: %d\n", len(sessions.Sessions))
	for _, s := range sessions.Sessions {
		fmt.Fprintf(w, "  %s %s %s\n", s.ID, s.Status, s.PhoneNumber)
	}
	if cfg.sendTo == "" {
		return true, nil
	}
	session := cfg.env("OURVOICE_SESSION_ID")
	if session == "" {
		fmt.Fprintln(w, "send skipped: set OURVOICE_SESSION_ID to a connected session")
		return true, nil
	}
	res, err := c.Messages.Send(ctx, ourvoice.SendMessageParams{WhatsAppSessionID: session, ToNumber: []string{cfg.sendTo}, Type: ourvoice.TypeText, Content: cfg.text})
	if err != nil {
		return true, err
	}
	fmt.Fprintf(w, "sent: %d message(s) queued\n", res.Count)
	return true, nil
}

func liveChattu(ctx context.Context, w io.Writer, cfg liveConfig) (bool, error) {
	base, key := cfg.env("CHATTU_BASE_URL"), cfg.env("CHATTU_API_KEY")
	if base == "" || key == "" {
		return skip(w, "CHATTU_BASE_URL", "CHATTU_API_KEY")
	}
	c, err := chattu.New(base, key)
	if err != nil {
		return true, err
	}
	profile, err := c.Account.Profile(ctx)
	if err != nil {
		return true, err
	}
	fmt.Fprintf(w, "account: %s\n", profile.Username)
	clients, err := c.Clients.List(ctx)
	if err != nil {
		return true, err
	}
	fmt.Fprintf(w, "clients: %d\n", len(clients.Clients))
	for _, ci := range clients.Clients {
		fmt.Fprintf(w, "  %s %s %s\n", ci.ClientID, ci.Status, ci.ConnectedNumber)
	}
	if cfg.sendTo == "" {
		return true, nil
	}
	client := cfg.env("CHATTU_CLIENT_ID")
	if client == "" {
		fmt.Fprintln(w, "send skipped: set CHATTU_CLIENT_ID to a connected client")
		return true, nil
	}
	if _, err := c.Messages.Send(ctx, chattu.SendMessageParams{ClientID: client, Number: cfg.sendTo, Message: cfg.text}); err != nil {
		return true, err
	}
	fmt.Fprintf(w, "sent to %s\n", cfg.sendTo)
	return true, nil
}
