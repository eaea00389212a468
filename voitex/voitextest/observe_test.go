package voitextest_test

import (
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
)

// TestListenerAndObserver: a sandbox on an address chosen in advance tells
// its observer about each request once answered.
func TestListenerAndObserver(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	seen := make(chan voitextest.Served, 4)
	s := voitextest.NewServer(voitextest.WithListener(l), voitextest.WithObserver(func(sv voitextest.Served) { seen <- sv }))
	defer s.Close()
	assert.Equal(t, "http://"+l.Addr().String(), s.URL)
	c, err := s.NewClient()
	require.NoError(t, err)
	_, err = c.SMS.Send(context.Background(), voitex.SMSParams{From: "8459511000", To: "8451239876", Body: "hello"})
	require.NoError(t, err)
	sv := <-seen
	assert.Equal(t, "/send/", sv.Path)
	assert.Equal(t, voitextest.DefaultAuthKey, sv.Header.Get("Auth-Key"))
	assert.Equal(t, http.StatusOK, sv.Status)
	assert.Contains(t, string(sv.Response), "success")
	assert.Len(t, s.SentSMS(), 1)
}
