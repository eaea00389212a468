package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/chattu/chattutest"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

var freePorts = []string{"-addr", "127.0.0.1:0", "-voxio", "127.0.0.1:0", "-voitex", "127.0.0.1:0", "-ourvoice", "127.0.0.1:0", "-chattu", "127.0.0.1:0"}

// TestRun starts the command as `go run ./examples/devserver` does, reads
// the lines it prints, uses them, and stops it as Ctrl-C does.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append(freePorts, "-relay-url", "http://localhost:9/hooks", "-status-every", "2s"), pw, &stderr)
		pw.Close()
	}()
	env := map[string]string{}
	var page string
	sc := bufio.NewScanner(pr)
	for page == "" && sc.Scan() {
		line := sc.Text()
		if kv, ok := strings.CutPrefix(line, "export "); ok {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		if rest, ok := strings.CutPrefix(line, "# Inspector: "); ok {
			page, _, _ = strings.Cut(rest, " ")
		}
	}
	require.NotEmpty(t, page, stderr.String())
	go func() { _, _ = io.Copy(io.Discard, pr) }()

	for _, k := range []string{"VOXIO_BASE_URL", "VOXIO_CLIENT_ID", "VOXIO_CLIENT_SECRET", "VOXIO_RELAY_SECRET", "VOITEX_BASE_URL", "VOITEX_AUTH_KEY",
		"OURVOICE_BASE_URL", "OURVOICE_TOKEN", "OURVOICE_SESSION_ID", "CHATTU_BASE_URL", "CHATTU_API_KEY", "CHATTU_SESSION_COOKIE",
		"CHATTU_CLIENT_ID", "CHATTU_CLIENT_API_KEY"} {
		assert.NotEmpty(t, env[k], k)
	}
	assert.Equal(t, voxiotest.DefaultRelaySecret, env["VOXIO_RELAY_SECRET"])
	assert.Equal(t, chattutest.DefaultAPIKey, env["CHATTU_API_KEY"])
	assert.True(t, strings.HasSuffix(env["VOXIO_BASE_URL"], "/external-api"))

	// The printed base URL and credentials reach the sandbox.
	req, _ := http.NewRequest(http.MethodGet, env["VOXIO_BASE_URL"]+"/inbox/template-list", nil)
	req.Header.Set("client-id", env["VOXIO_CLIENT_ID"])
	req.Header.Set("client-secret", env["VOXIO_CLIENT_SECRET"])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(b), `"status":"success"`)

	resp, err = http.Get(page)
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(b), `value="http://localhost:9/hooks"`)
	assert.Contains(t, string(b), "/inbox/template-list")

	// A browser stays connected to the live stream: stopping still ends.
	stream, err := http.Get(page + "events")
	require.NoError(t, err)
	defer stream.Body.Close()

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
	_, err = net.DialTimeout("tcp", strings.TrimPrefix(env["VOITEX_BASE_URL"], "http://"), time.Second)
	assert.Error(t, err, "the sandboxes are closed")
}

func TestRunRefusesBadFlags(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	for name, args := range map[string][]string{
		"unknown flag": {"-nope"},
		"argument":     append(append([]string{}, freePorts...), "extra"),
		"relay URL":    append(append([]string{}, freePorts...), "-relay-url", "not a url"),
		"status every": append(append([]string{}, freePorts...), "-status-every", "0s"),
		"port in use":  append(append([]string{}, freePorts...), "-voitex", busy.Addr().String()),
		"bad address":  append(append([]string{}, freePorts...), "-chattu", "nowhere:-1"),
	} {
		var out, errOut syncBuffer
		err := run(context.Background(), args, &out, &errOut)
		assert.Error(t, err, name)
		if name == "port in use" {
			assert.Contains(t, err.Error(), "-voitex "+busy.Addr().String())
			assert.Contains(t, err.Error(), "port 0")
		}
		assert.NotContains(t, out.String(), "export", name)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
