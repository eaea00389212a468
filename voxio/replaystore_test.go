package voxio_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/relay"
	"github.com/switchboard-go/switchboard/voxio"
)

// downCache is a replay store that cannot be reached.
type downCache struct{}

func (downCache) Seen(context.Context, string, time.Time) (bool, error) {
	return false, errors.New("dial tcp 127.0.0.1:6379: connection refused")
}

// TestRelayReplayStoreDown: without its replay store the handler cannot
// tell a duplicate, so it answers 503 and Voxio redelivers later; the
// callback does not run.
func TestRelayReplayStoreDown(t *testing.T) {
	hr := newRelayHarness(t, nil, voxio.WithRelayReplayCache(downCache{}))
	w := hr.serve(hr.request("incoming_message", fixture(t, "relay_incoming_message.json")))
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Empty(t, hr.events, "nothing is processed without deduplication")
	require.Len(t, hr.reported(), 1)
	assert.ErrorIs(t, hr.reported()[0], relay.ErrUnavailable)
}

// TestRelayReplayStoreDownFailOpen: a user who opted in gets the delivery
// processed, and a warning for each one.
func TestRelayReplayStoreDownFailOpen(t *testing.T) {
	var logs bytes.Buffer
	l := slog.New(slog.NewTextHandler(&logs, nil))
	hr := newRelayHarness(t, nil, voxio.WithRelayReplayCache(downCache{}), voxio.WithRelayReplayFailOpen(l))
	w := hr.serve(hr.request("incoming_message", fixture(t, "relay_incoming_message.json")))
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Len(t, hr.events, 1)
	assert.Contains(t, logs.String(), "level=WARN")
	assert.Contains(t, logs.String(), "processing without deduplication")
	assert.NotContains(t, logs.String(), relaySecret)

	_, err := voxio.NewRelayHandler(voxio.RelayConfig{RelaySecret: relaySecret, ClientID: acctID, ClientSecret: acctSecret},
		func(context.Context, voxio.Event) error { return nil }, voxio.WithRelayReplayFailOpen(nil))
	assert.ErrorIs(t, err, relay.ErrConfig, "the choice needs a logger")
}
