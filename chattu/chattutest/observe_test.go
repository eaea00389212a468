package chattutest_test

import (
	"bytes"
	"context"
	"image/png"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
)

// TestListenerObserverClientsAndQR: a sandbox on an address chosen in
// advance tells its observer about each request once answered, lists its
// clients and shows a waiting client's QR until it is scanned.
func TestListenerObserverClientsAndQR(t *testing.T) {
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	seen := make(chan chattutest.Served, 4)
	s := chattutest.NewServer(chattutest.WithListener(l), chattutest.WithObserver(func(sv chattutest.Served) { seen <- sv }))
	defer s.Close()
	assert.Equal(t, "http://"+l.Addr().String(), s.URL)
	c, err := s.NewClient()
	require.NoError(t, err)

	_, err = c.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "shop", PhoneNumber: "972501234567"})
	require.NoError(t, err)
	sv := <-seen
	assert.Equal(t, "/api/add-number", sv.Path)
	assert.Equal(t, http.StatusOK, sv.Status)

	ready, err := s.ReadyClient("")
	require.NoError(t, err)
	clients := s.Clients()
	require.Len(t, clients, 2)
	assert.Equal(t, "shop", clients[0].ClientID)
	assert.False(t, clients[0].Connected)
	assert.Equal(t, ready, clients[1].ClientID)
	assert.True(t, clients[1].Connected)

	img, ok := s.QR("shop")
	require.True(t, ok)
	_, err = png.Decode(bytes.NewReader(img))
	require.NoError(t, err)
	_, ok = s.QR(ready)
	assert.False(t, ok, "a connected client has no QR")
	_, ok = s.QR("nobody")
	assert.False(t, ok)
	require.NoError(t, s.Scan("shop"))
	_, ok = s.QR("shop")
	assert.False(t, ok)
}
