package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
)

func getenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestRunWithoutKeyRunsTheDemo(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), "127.0.0.1:0", getenv(nil), &out, io.Discard))
	assert.Contains(t, out.String(), "call from 7325550184:")
	assert.Contains(t, out.String(), "caller_pin = 4321")
}

func TestRunRefusesBadConfiguration(t *testing.T) {
	ctx := context.Background()
	assert.Error(t, run(ctx, "127.0.0.1:0", getenv(map[string]string{"VOITEX_AUTH_KEY": "k-0123456789", "VOITEX_BRANCH_TOKEN": "short"}), io.Discard, io.Discard),
		"a guessable URL token")
	assert.Error(t, run(ctx, "127.0.0.1:0", getenv(map[string]string{"VOITEX_AUTH_KEY": " padded ", "VOITEX_BRANCH_TOKEN": token}), io.Discard, io.Discard),
		"a key with stray whitespace")
	assert.Error(t, run(ctx, "256.0.0.1:bad", getenv(map[string]string{"VOITEX_AUTH_KEY": "k-0123456789", "VOITEX_BRANCH_TOKEN": token}), io.Discard, io.Discard))
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, "127.0.0.1:0", getenv(map[string]string{"VOITEX_AUTH_KEY": "live-key-0123456789", "VOITEX_BRANCH_TOKEN": token}), io.Discard, &logs)
	}()
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "serving Voitex API Branches") }, 5*time.Second, 10*time.Millisecond)
	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("run did not stop with its context")
	}
	assert.NotContains(t, logs.String(), "live-key-0123456789")
}

// TestServe runs the real server on a port and walks a call through it,
// with a logger that records the failure the caller was shielded from.
func TestServe(t *testing.T) {
	sb := voitextest.NewServer()
	defer sb.Close()
	client, err := sb.NewClient()
	require.NoError(t, err)
	var logs syncBuffer
	app := &App{Contacts: client.Contacts, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	h, err := app.Routes(token)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, h) }()

	base := "http://" + ln.Addr().String()
	sb.FailNext(10, http.StatusInternalServerError, `{"status":"error","errors":["database unavailable"]}`)
	res, err := Simulator(base, token).Run(context.Background(), voitextest.Call{CID: "7325550184",
		Payments: []voitextest.Payment{{LastFour: "4444", CVV: "987", Amount: "57"}}})
	require.NoError(t, err)
	assert.Equal(t, BranchOperator, res.End, res.Transcript())
	assert.Contains(t, logs.String(), "API Branch failed; caller sent to the operator")
	assert.NotContains(t, logs.String(), "4444", "payment data never reaches the log")

	_, err = Simulator(base, "wrong-token-0123456789abcdef").Run(context.Background(), voitextest.Call{CID: "7325550184"})
	require.Error(t, err)
	assert.Contains(t, logs.String(), "API Branch request refused")

	cancel()
	assert.NoError(t, <-done)
}
