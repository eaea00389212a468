package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard"
)

// TestRunTranscript plays the whole demo and checks that each scenario ended
// as its title says.
func TestRunTranscript(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, run(ctxT(t), &buf, msg))
	out := buf.String()
	for _, want := range []string{
		`Sending "hello" to +12125550143 through failover(voxio,ourvoice,chattu,voitex)`,
		"1. every provider is up\n   voxio     sent: accepted\n   => SENT through voxio",
		"voxio     not sent: the vendor refused it (HTTP 401, Unauthorized), so moved on [voxio: POST /inbox/send-message: HTTP 401",
		"ourvoice  not sent: the vendor refused it (HTTP 429, Too Many Requests, retry after 1h0m0s), so moved on",
		"=> SENT through chattu",
		"=> STOPPED: voxio may have delivered it",
		"looked up: sent (Voxio conversation messages to 12125550143 on account 24",
		"looked up: not found (Voxio conversation messages",
		"send requests seen: voxio 1 (sent 1), ourvoice 0 (sent 0), chattu 0 (sent 0), voitex 0 (sent 0)",
		"=> NOT SENT: all 4 providers refused",
		"connection refused",
		"=> SENT through ourvoice",
	} {
		assert.Contains(t, out, want)
	}
	assert.Equal(t, len(scenarios), strings.Count(out, "send requests seen:"))
	// No scenario sent the message twice, or through two vendors.
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "send requests seen:") {
			assert.LessOrEqual(t, strings.Count(line, "(sent 1)"), 1, line)
			assert.NotContains(t, line, "(sent 2)", line)
		}
	}
}

func TestReportEndings(t *testing.T) {
	var b strings.Builder
	report(&b, nil, &switchboard.FailoverError{Trail: []switchboard.Attempt{{Provider: switchboard.Voxio, Outcome: switchboard.OutcomeAborted,
		Reason: "not tried: the context had ended", Err: context.Canceled}}})
	report(&b, nil, context.DeadlineExceeded)
	assert.Equal(t, "   voxio     aborted: not tried: the context had ended [context canceled]\n"+
		"   => NOT SENT: stopped at voxio: context canceled\n"+
		"   => error: context deadline exceeded\n", b.String())
}

func TestMainFlags(t *testing.T) {
	out, err := os.CreateTemp(t.TempDir(), "stdout")
	require.NoError(t, err)
	oldArgs, oldStdout, oldFlags := os.Args, os.Stdout, flag.CommandLine
	t.Cleanup(func() { os.Args, os.Stdout, flag.CommandLine = oldArgs, oldStdout, oldFlags })
	flag.CommandLine = flag.NewFlagSet("failover", flag.ContinueOnError)
	os.Args = []string{"failover", "-to", "+972 52-123-4567", "-text", "שלום", "-timeout", (20 * time.Second).String()}
	os.Stdout = out
	main()
	b, err := os.ReadFile(out.Name())
	require.NoError(t, err)
	assert.Contains(t, string(b), `Sending "שלום" to +972521234567`)
	// Voitex SMS cannot reach +972: in "every provider refuses" it refuses
	// before sending.
	assert.Contains(t, string(b), "voitex    not sent: refused before sending: invalid phone [voitex: invalid phone:")
}
