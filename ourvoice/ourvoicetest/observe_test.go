package ourvoicetest_test

import (
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
)

// TestListenerObserverAndSessions: a sandbox on an address chosen in
// advance tells its observer about each request once answered, and lists
// every session as the API shows it.
func TestListenerObserverAndSessions(t *testing.T) {
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	seen := make(chan ourvoicetest.Served, 4)
	s := ourvoicetest.NewServer(ourvoicetest.WithListener(l), ourvoicetest.WithObserver(func(sv ourvoicetest.Served) { seen <- sv }))
	defer s.Close()
	assert.Equal(t, "http://"+l.Addr().String(), s.URL)
	c, err := s.NewClient()
	require.NoError(t, err)

	assert.Empty(t, s.Sessions())
	created, err := c.Sessions.Create(ctx)
	require.NoError(t, err)
	sv := <-seen
	assert.Equal(t, "/v1/whatsapp/sessions", sv.Path)
	assert.Equal(t, http.StatusCreated, sv.Status)
	assert.Equal(t, "application/json", sv.ContentType)

	ready, err := s.ReadySession("")
	require.NoError(t, err)
	list := s.Sessions()
	require.Len(t, list, 2)
	assert.Equal(t, created.Session.ID, list[0].ID)
	assert.Equal(t, ourvoice.SessionPending, list[0].Status)
	assert.Equal(t, ready, list[1].ID)
	assert.Equal(t, ourvoice.SessionConnected, list[1].Status)
}
