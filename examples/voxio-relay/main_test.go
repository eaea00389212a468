package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

func TestSandboxRun(t *testing.T) {
	var out, errs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, run(ctx, []string{"-sandbox"}, func(string) string { return "" }, &out, &errs))
	s := out.String()
	assert.Contains(t, s, `incoming_message: conversation 1, Customer Name (+628123456789), text: "Hello, is my order ready? 🙂"`)
	for _, st := range []string{"sent", "delivered", "read"} {
		assert.Contains(t, s, "message_status: message 2 in conversation 1 is "+st)
	}
	assert.Equal(t, 1, strings.Count(s, "incoming_message:"), "the duplicate is not processed again")
	assert.Contains(t, s, `duplicate delivery answered 200 {"ok":true,"duplicate":true}`)
	assert.Contains(t, s, "forged delivery answered 401")
	assert.Contains(t, errs.String(), "relay delivery rejected")
	assert.NotContains(t, errs.String(), voxiotest.DefaultClientSecret)
	assert.NotContains(t, errs.String(), voxiotest.DefaultRelaySecret)
}

func TestMissingConfigIsAnError(t *testing.T) {
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0"}, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "VOXIO_RELAY_SECRET")
}

func TestFullQueueAsksForARetry(t *testing.T) {
	sb := voxiotest.NewServer()
	defer sb.Close()
	rc := &receiver{queue: make(chan voxio.Event, 1), logger: discardLogger()}
	mux, err := newMux(sb.RelayConfig(), "/hooks/voxio", rc)
	require.NoError(t, err)
	ts := httptest.NewServer(mux)
	defer ts.Close()
	sb.SetRelayURL(ts.URL + "/hooks/voxio")

	d, err := sb.Receive(context.Background(), voxiotest.Inbound{MobileCode: "62", Mobile: "811", Text: "one"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, d.StatusCode)
	second, err := sb.Receive(context.Background(), voxiotest.Inbound{MobileCode: "62", Mobile: "811", Text: "two"})
	require.Error(t, err)
	assert.Equal(t, http.StatusInternalServerError, second.StatusCode, "no room: Voxio must retry")

	<-rc.queue // the worker catches up
	again, err := sb.Redeliver(context.Background(), second)
	require.NoError(t, err, "the retry of a refused delivery is accepted, not taken for a duplicate")
	assert.JSONEq(t, `{"ok":true,"event":"incoming_message"}`, string(again.Response))

	resp, err := http.Get(ts.URL + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestServeUntilCancelled runs the real receiver (configuration from the
// environment) on a free port, sends it a sandbox delivery, and checks that
// cancelling the context shuts it down cleanly.
func TestServeUntilCancelled(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	env := map[string]string{
		"VOXIO_RELAY_SECRET":  voxiotest.DefaultRelaySecret,
		"VOXIO_CLIENT_ID":     voxiotest.DefaultClientID,
		"VOXIO_CLIENT_SECRET": voxiotest.DefaultClientSecret,
	}
	var out, errs lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", addr, "-path", "/relay"}, func(k string) string { return env[k] }, &out, &errs)
	}()

	sb := voxiotest.NewServer()
	defer sb.Close()
	sb.SetRelayURL("http://" + addr + "/relay")
	require.Eventually(t, func() bool {
		_, err := sb.Receive(context.Background(), voxiotest.Inbound{MobileCode: "62", Mobile: "811", Name: "Ana", Text: "halo"})
		return err == nil
	}, 5*time.Second, 20*time.Millisecond)
	require.Eventually(t, func() bool {
		return strings.Contains(out.String(), `incoming_message: conversation 1, Ana (+62811), text: "halo"`)
	}, 5*time.Second, 5*time.Millisecond)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("did not shut down")
	}
	assert.Contains(t, errs.String(), "listening")
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-queue", "0"}, {"-path", "relay"}, {"-nope"}} {
		err := run(context.Background(), args, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{})
		assert.Error(t, err, "%v", args)
	}
}

func TestDescribeUnknownEvent(t *testing.T) {
	ev, err := voxio.ParseEvent([]byte(`{"event":"contact_updated","contact":{"id":5}}`), "")
	require.NoError(t, err)
	assert.Equal(t, "contact_updated: 46 bytes (not modelled; raw payload kept)", describe(ev))
}

// lockedBuffer is a bytes.Buffer safe to read while run writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
