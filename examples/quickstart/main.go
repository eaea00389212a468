// Command quickstart is a tour of Switchboard. By default it starts an
// in-process sandbox for each vendor, needs no credentials and no network,
// and prints a transcript of what it does.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"
)

// tour is one vendor's part of the quickstart. Each vendor file registers
// its own in init, so the vendors' parts stay independent.
type tour struct {
	name  string
	order int
	run   func(ctx context.Context, w io.Writer) error
}

var tours []tour

func main() {
	timeout := flag.Duration("timeout", 30*time.Second, "give up after this long")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
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
	fmt.Fprintf(w, "\nDone: %d vendors in %s, all against in-process sandboxes.\n", len(tours), time.Since(start).Round(time.Millisecond))
	return nil
}
