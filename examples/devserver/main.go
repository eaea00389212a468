// Command devserver runs the four Switchboard sandboxes (Voxio Chat,
// Voitex, Our Voice and Chattu) as local servers on fixed loopback ports,
// for an application under development, and a web page that shows what the
// application sends, live, and makes the vendors call it back.
//
//	go run ./examples/devserver                 # prints the lines below, then serves
//	export VOXIO_BASE_URL=http://127.0.0.1:7701/external-api ...
//
// Paste the printed export lines into the shell that starts the
// application (they hold sandbox credentials only, never a real vendor's),
// and open the inspector at http://127.0.0.1:7700. The page shows, per
// vendor, the requests the application made and what they did (WhatsApp
// conversations with statuses moving on, SMS, calls, Notify batches,
// uploads, contacts), the sessions and clients waiting for a QR scan (scan
// by a click), and buttons that make each vendor call the application: a
// signed Voxio relay delivery, Chattu message and call webhooks, an Our
// Voice incoming message, a Voitex call through the application's API
// Branch with a keypad. A fault form makes the next requests fail with a
// vendor's own error, lose their answer or wait.
//
// Flags choose the addresses (-addr for the page, -voxio, -voitex,
// -ourvoice, -chattu; port 0 picks a free one), -relay-url where Voxio's
// relay deliveries go from the start, and -status-every how fast Voxio
// messages move sent -> delivered -> read. The page answers only requests
// addressed to localhost, a loopback address or the -addr host, and takes
// actions only from itself, so another web site open in the same browser
// cannot drive it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/switchboard-go/switchboard/chattu/chattutest"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "devserver:", err)
		os.Exit(1)
	}
}

// Default addresses: loopback only, so nothing outside the machine reaches
// the sandboxes or the page.
const (
	defaultPageAddr     = "127.0.0.1:7700"
	defaultVoxioAddr    = "127.0.0.1:7701"
	defaultVoitexAddr   = "127.0.0.1:7702"
	defaultOurVoiceAddr = "127.0.0.1:7703"
	defaultChattuAddr   = "127.0.0.1:7704"
)

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pageAddr := fs.String("addr", defaultPageAddr, "address of the inspector page")
	voxioAddr := fs.String("voxio", defaultVoxioAddr, "address of the Voxio Chat sandbox")
	voitexAddr := fs.String("voitex", defaultVoitexAddr, "address of the Voitex sandbox")
	ourvoiceAddr := fs.String("ourvoice", defaultOurVoiceAddr, "address of the Our Voice sandbox")
	chattuAddr := fs.String("chattu", defaultChattuAddr, "address of the Chattu sandbox")
	relayURL := fs.String("relay-url", "", "your application's Voxio Inbound Relay URL (can be set on the page)")
	statusEvery := fs.Duration("status-every", 5*time.Second, "how fast Voxio messages move sent -> delivered -> read")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *relayURL != "" {
		if _, err := appURL(*relayURL); err != nil {
			return fmt.Errorf("-relay-url: %w", err)
		}
	}
	if *statusEvery <= 0 {
		return errors.New("-status-every must be positive")
	}

	var ls []net.Listener
	closeAll := func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}
	for _, a := range []struct{ flag, addr string }{{"addr", *pageAddr}, {"voxio", *voxioAddr}, {"voitex", *voitexAddr}, {"ourvoice", *ourvoiceAddr}, {"chattu", *chattuAddr}} {
		l, err := net.Listen("tcp", a.addr)
		if err != nil {
			closeAll()
			return fmt.Errorf("-%s %s: %w (choose another address with -%s, or port 0 for any free one)", a.flag, a.addr, err, a.flag)
		}
		ls = append(ls, l)
	}
	d, err := newDevServer(config{Voxio: ls[1], Voitex: ls[2], OurVoice: ls[3], Chattu: ls[4], RelayURL: *relayURL, StatusEvery: *statusEvery})
	if err != nil {
		closeAll()
		return err
	}
	defer d.Close()

	pageHost, _, _ := net.SplitHostPort(ls[0].Addr().String())
	srv := &http.Server{Handler: d.handler(pageHost), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ls[0]) }()

	fmt.Fprintln(stdout, "# Switchboard dev server: paste these lines into the shell that starts your application.")
	fmt.Fprintln(stdout, "# They are sandbox credentials; no real vendor's credential is used or stored.")
	for _, e := range d.envLines() {
		fmt.Fprintf(stdout, "export %s=%s\n", e.Key, shellQuote(e.Value))
	}
	fmt.Fprintf(stdout, "# Inspector: http://%s/  (Ctrl-C stops everything)\n", ls[0].Addr())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// End the live streams first: Shutdown waits for open requests.
	d.hub.close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	return nil
}

// envLine is one environment variable an application reads.
type envLine struct{ Key, Value string }

// envLines are the variables that point an application at the sandboxes:
// base URLs and sandbox credentials, the relay secret, and the ids of the
// session and client ready to send through.
func (d *devServer) envLines() []envLine {
	chattuKey := ""
	if st, ok := d.chattu.ClientState(d.chattuClient); ok {
		chattuKey = st.APIKey
	}
	return []envLine{
		{"VOXIO_BASE_URL", d.voxio.URL + "/external-api"},
		{"VOXIO_CLIENT_ID", voxiotest.DefaultClientID},
		{"VOXIO_CLIENT_SECRET", voxiotest.DefaultClientSecret},
		{"VOXIO_RELAY_SECRET", voxiotest.DefaultRelaySecret},
		{"VOITEX_BASE_URL", d.voitex.URL},
		{"VOITEX_AUTH_KEY", voitextest.DefaultAuthKey},
		{"OURVOICE_BASE_URL", d.ourvoice.BaseURL()},
		{"OURVOICE_TOKEN", d.ourvoice.Token()},
		{"OURVOICE_SESSION_ID", d.ourvoiceSession},
		{"CHATTU_BASE_URL", d.chattu.URL},
		{"CHATTU_API_KEY", d.chattu.APIKey()},
		{"CHATTU_SESSION_COOKIE", chattutest.DefaultSessionCookie},
		{"CHATTU_CLIENT_ID", d.chattuClient},
		{"CHATTU_CLIENT_API_KEY", chattuKey},
	}
}

// shellQuote quotes a value for a POSIX shell when it needs it.
func shellQuote(v string) string {
	safe := v != ""
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r)) {
			safe = false
			break
		}
	}
	if safe {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}
