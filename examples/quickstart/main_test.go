package main

import (
	"bytes"
	"context"
	"testing"
	"time"
)

func TestQuickstartRuns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out); err != nil {
		t.Fatalf("quickstart failed: %v\n%s", err, out.String())
	}
	if !bytes.Contains(out.Bytes(), []byte("Done:")) {
		t.Fatalf("transcript incomplete:\n%s", out.String())
	}
	// The unified part: a proven refusal moves on, the message goes out
	// once, and both vendors' answers reach the one callback.
	for _, want := range []string{
		"chattu   not sent: the vendor refused it (HTTP 403, PLAN_LIMIT_EXCEEDED)",
		"(Chattu sent 0, Our Voice 1)",
		"inbox: chattu   +972528888888: תודה!",
		"inbox: ourvoice +972528888888: מתי זה מגיע?",
	} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("transcript lacks %q:\n%s", want, out.String())
		}
	}
}

func TestCommandLine(t *testing.T) {
	none := func(string) string { return "" }
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 0, "Done:"},
		{[]string{"-send-to", "972501234567"}, 2, "-send-to needs -live"},
		// A national number is refused, never read as a foreign one
		// (2125550143 as +212, Morocco).
		{[]string{"-live", "-send-to", "2125550143"}, 2, "must be international"},
		{[]string{"-live", "-send-to", "(845) 555-1234"}, 2, "must be international"},
		{[]string{"-live", "-send-to", "+1 212 555 0143"}, 1, "no vendor credentials"},
		{[]string{"-live"}, 1, "no vendor credentials"},
		{[]string{"-bogus"}, 2, "flag provided but not defined"},
	} {
		var out, errs bytes.Buffer
		if got := cli(tc.args, none, &out, &errs); got != tc.code {
			t.Errorf("%v: exit %d, want %d\n%s%s", tc.args, got, tc.code, out.String(), errs.String())
		}
		if !bytes.Contains(append(out.Bytes(), errs.Bytes()...), []byte(tc.want)) {
			t.Errorf("%v: output lacks %q:\n%s%s", tc.args, tc.want, out.String(), errs.String())
		}
	}
}
