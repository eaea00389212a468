// Command voitex-ivr is an IVR decision server for Voitex API Branches. It
// looks the caller up in the Voitex contacts, sends VIPs straight to
// priority support, and collects a PIN into a call variable, with every
// failure routed to an operator rather than dropping the caller.
//
// Configure three API Branches ("Trigger") in the Voitex portal:
//
//	branch 100  POST https://your.host/voitex/<token>/welcome
//	branch 200  POST https://your.host/voitex/<token>/pin
//	branch 210  POST https://your.host/voitex/<token>/pin-check
//
// and run it with the account's key and the URL token:
//
//	VOITEX_AUTH_KEY=... VOITEX_BRANCH_TOKEN=$(openssl rand -hex 16) go run ./examples/voitex-ivr -listen :8080
//
// Without VOITEX_AUTH_KEY it runs a demo against the voitextest sandbox and
// its IVR simulator, and prints the simulated calls.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/switchboard-go/switchboard/relay"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
)

// The IVR's branches, as numbered in the Voitex portal.
const (
	BranchWelcome  = "100" // API Branch: greet, route VIPs, main menu
	BranchPIN      = "200" // API Branch: ask for the PIN
	BranchPINCheck = "210" // API Branch: check what was entered
	BranchSupport  = "300" // support queue
	BranchAccount  = "400" // account menu, reads the caller_pin variable
	BranchPriority = "500" // priority support queue
	BranchOperator = "900" // a person
)

// VIPLabel is the contact label number that marks VIP callers.
const VIPLabel = 7

// MaxPINAttempts is how many wrong PINs send the caller to an operator.
const MaxPINAttempts = 3

// Contacts looks callers up; *voitex.ContactsService implements it.
type Contacts interface {
	Select(ctx context.Context, p voitex.SelectContactParams) (*voitex.Contact, error)
}

// App holds what the branch handlers need.
type App struct {
	// Contacts finds callers Voitex sent no contact_info for.
	Contacts Contacts
	// Logger receives refused requests and the failures callers were
	// shielded from; nil discards them.
	Logger *slog.Logger
}

// Routes returns the three API Branch endpoints under
// /voitex/{token}/..., guarded by the URL token.
func (a *App) Routes(tokens ...string) (http.Handler, error) {
	guard, err := relay.SecretToken(relay.PathValueToken("token"), tokens, relay.WithOnError(func(r *http.Request, err error) {
		a.logger().Warn("API Branch request refused", "remote", r.RemoteAddr, "error", err)
	}))
	if err != nil {
		return nil, err
	}
	opts := []voitex.BranchOption{
		voitex.WithBranchFallback(voitex.Goto(BranchOperator).PlayTTS("One moment, connecting you to an operator.")),
		voitex.WithBranchTimeout(2 * time.Second),
		voitex.WithBranchOnError(func(r *http.Request, err error) {
			// A failure during a call names the call (printed without
			// payment data); the others are requests refused before one.
			var be *voitex.BranchError
			if errors.Is(err, voitex.ErrBranchDateTime) && errors.As(err, &be) {
				// Not a failure: the call went on without DateTime, and
				// the text Voitex sent is in DateTimeText.
				a.logger().Warn("API Branch date_time in an unknown layout", "call", be.Call, "date_time", be.Call.DateTimeText)
				return
			}
			if errors.As(err, &be) {
				a.logger().Error("API Branch failed; caller sent to the operator", "call", be.Call, "error", err)
				return
			}
			a.logger().Warn("API Branch request refused", "remote", r.RemoteAddr, "error", err)
		}),
	}
	mux := http.NewServeMux()
	for path, fn := range map[string]voitex.BranchFunc{"welcome": a.Welcome, "pin": a.PIN, "pin-check": a.PINCheck} {
		h, err := voitex.NewBranchHandler(guard, fn, opts...)
		if err != nil {
			return nil, err
		}
		mux.Handle("POST /voitex/{token}/"+path, h)
	}
	return mux, nil
}

func (a *App) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// Welcome greets the caller by name, sends VIPs to priority support and
// offers everyone else the main menu.
func (a *App) Welcome(ctx context.Context, call *voitex.BranchRequest) (*voitex.BranchResponse, error) {
	contact := call.Contact
	if contact == nil && call.CID != "" {
		// Voitex sends contact_info only for numbers it matched; look the
		// caller up ourselves otherwise (a select is safe to retry). A
		// caller id that is not a North American number (withheld, or from
		// abroad) cannot be a contact: the client refuses it unsent.
		c, err := a.Contacts.Select(ctx, voitex.SelectContactParams{Phone: call.CID})
		var notAPhone *voitex.ValidationError
		switch {
		case errors.Is(err, voitex.ErrContactNotFound), errors.Is(err, voitex.ErrNoValidPhone), errors.As(err, &notAPhone):
		case err != nil:
			return nil, fmt.Errorf("looking up the caller: %w", err)
		default:
			contact = c
		}
	}
	name := "and welcome"
	if contact != nil && contact.FirstName != "" {
		name = contact.FirstName
	}
	if contact != nil && slices.Contains(contact.Labels, VIPLabel) {
		return voitex.Goto(BranchPriority).PlayTTS("Welcome back, " + name + ". Connecting you to priority support."), nil
	}
	return voitex.NewBranchResponse().
		PlayTTS("Hello "+name+". Press 1 for your account, 2 for support, or 0 for an operator.").
		Input("1", BranchPIN).Input("2", BranchSupport).Input("0", BranchOperator), nil
}

// PIN asks for the PIN; whatever is typed goes to the check.
func (a *App) PIN(ctx context.Context, call *voitex.BranchRequest) (*voitex.BranchResponse, error) {
	return voitex.NewBranchResponse().
		PlayTTS("Please enter your four digit PIN, then press pound.").
		AnyInput(BranchPINCheck), nil
}

// PINCheck stores a well-formed PIN in the caller_pin variable for the
// account menu, asks again after a malformed one, and hands the caller to an
// operator after MaxPINAttempts.
func (a *App) PINCheck(ctx context.Context, call *voitex.BranchRequest) (*voitex.BranchResponse, error) {
	pin := strings.TrimSuffix(call.LastInput(), "#")
	if len(pin) == 4 && strings.Trim(pin, "0123456789") == "" {
		return voitex.Goto(BranchAccount).PlayTTS("Thank you.").
			SetVariable("caller_pin", pin).SetVariable("pin_attempts", "0"), nil
	}
	attempts, _ := strconv.Atoi(call.Variables["pin_attempts"])
	attempts++
	if attempts >= MaxPINAttempts {
		return voitex.Goto(BranchOperator).PlayTTS("Let me connect you to someone who can help."), nil
	}
	return voitex.NewBranchResponse().
		PlayTTS("That PIN was not valid. Please enter your four digit PIN, then press pound.").
		AnyInput(BranchPINCheck).
		SetVariable("pin_attempts", strconv.Itoa(attempts)), nil
}

func main() {
	listen := flag.String("listen", ":8080", "address to serve the API Branches on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *listen, os.Getenv, os.Stdout, os.Stderr); err != nil {
		log.Fatal(err)
	}
}

// run serves the API Branches on listen until ctx ends, or runs the demo
// when VOITEX_AUTH_KEY is not set. getenv and the writers are parameters so
// that tests drive the real program.
func run(ctx context.Context, listen string, getenv func(string) string, stdout, stderr io.Writer) error {
	key, token := getenv("VOITEX_AUTH_KEY"), getenv("VOITEX_BRANCH_TOKEN")
	if key == "" {
		return demo(ctx, stdout)
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	client, err := voitex.New(key, voitex.WithLogger(logger))
	if err != nil {
		return err
	}
	app := &App{Contacts: client.Contacts, Logger: logger}
	h, err := app.Routes(token)
	if err != nil {
		return err // an empty or short token is refused here
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	logger.Info("serving Voitex API Branches", "addr", ln.Addr().String())
	return serve(ctx, ln, h)
}

// serve answers on ln until ctx ends, then lets calls in progress finish:
// a caller mid-call should get the answer to the request already made.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return <-done
}

// demo runs the IVR against the sandbox: a VIP, a caller who gets the PIN
// wrong once, and an unknown caller who asks for support.
func demo(ctx context.Context, w io.Writer) error {
	sb := voitextest.NewServer()
	defer sb.Close()
	client, err := sb.NewClient()
	if err != nil {
		return err
	}
	// The callers Voitex knows, seeded with the values the demo needs.
	for _, c := range []voitextest.Contact{
		{Phones: []voitex.ContactPhone{{Phone: "7325550184"}}, Fields: map[string]string{"first_name": "Dana"}, Labels: []int{VIPLabel}},
		{Phones: []voitex.ContactPhone{{Phone: "6465557729"}}, Fields: map[string]string{"first_name": "יוסי"}, Labels: []int{2}},
	} {
		if err := sb.SeedContact(c); err != nil {
			return err
		}
	}
	const token = "demo-token-0123456789abcdef"
	app := &App{Contacts: client.Contacts}
	h, err := app.Routes(token)
	if err != nil {
		return err
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	sim := Simulator(srv.URL, token)
	for _, call := range []voitextest.Call{
		{CID: "7325550184", DID: "8459511110"},
		{CID: "6465557729", DID: "8459511110", Keys: []string{"1", "12#", "4321#"}},
		{CID: "2015550123", DID: "8459511110", Keys: []string{"2"}},
	} {
		res, err := sim.Run(ctx, call)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "call from %s:\n%s", call.CID, res.Transcript())
		if pin := res.Variables["caller_pin"]; pin != "" {
			fmt.Fprintf(w, "caller_pin = %s\n", pin)
		}
	}
	return nil
}

// Simulator maps the three API Branches to their endpoints on base.
func Simulator(base, token string) *voitextest.Simulator {
	prefix := base + "/voitex/" + token + "/"
	return &voitextest.Simulator{
		Triggers: []string{BranchWelcome},
		Branches: map[string]string{
			BranchWelcome:  prefix + "welcome",
			BranchPIN:      prefix + "pin",
			BranchPINCheck: prefix + "pin-check",
		},
	}
}
