// Command quickstart is a tour of Switchboard. By default it starts an
// in-process sandbox for each vendor, needs no credentials and no network,
// and prints a transcript of what it does.
//
//	go run ./examples/quickstart
//
// With -live it reads credentials from the environment (see live.go) and
// runs read-only calls against the real vendors; it sends a message only
// when -send-to names the recipient.
//
//	go run ./examples/quickstart -live
//	go run ./examples/quickstart -live -send-to "+972 50-123-4567" -text "hello"
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/switchboard-go/switchboard"
)

// tour is one vendor's part of the quickstart. Each vendor file registers
// its own in init, so the vendors' parts stay independent.
type tour struct {
	name  string
	order int
	run   func(ctx context.Context, w io.Writer) error
}

var tours []tour

func main() { os.Exit(cli(os.Args[1:], os.Getenv, os.Stdout, os.Stderr)) }

// cli runs the command line and returns the exit code.
func cli(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	live := fs.Bool("live", false, "call the real vendors with credentials from the environment (read-only unless -send-to)")
	sendTo := fs.String("send-to", "", `with -live: also send -text to this number, in international form ("+972 50-123-4567")`)
	text := fs.String("text", "Hello from Switchboard", "with -live -send-to: the message to send")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *sendTo != "" && !*live {
		fmt.Fprintln(stderr, "quickstart: -send-to needs -live")
		return 2
	}
	// A number without "+" or 00 is refused, not read as digits with a
	// country code: "2125550143" would otherwise go to Morocco (+212).
	digits := ""
	if *sendTo != "" {
		to, err := switchboard.ParsePhone(*sendTo)
		if err != nil {
			fmt.Fprintln(stderr, "quickstart: -send-to:", err)
			return 2
		}
		digits = to.Digits()
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	var err error
	if *live {
		err = runLive(ctx, stdout, liveConfig{env: getenv, sendTo: digits, text: *text})
	} else {
		err = run(ctx, stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "quickstart:", err)
		return 1
	}
	return 0
}

func run(ctx context.Context, w io.Writer) error {
	sort.Slice(tours, func(i, j int) bool { return tours[i].order < tours[j].order })
	start := time.Now()
	for _, t := range tours {
		fmt.Fprintf(w, "\n== %s ==\n", t.name)
		if err := t.run(ctx, w); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	fmt.Fprintf(w, "\nDone: %d parts in %s, all against in-process sandboxes.\n", len(tours), time.Since(start).Round(time.Millisecond))
	return nil
}
