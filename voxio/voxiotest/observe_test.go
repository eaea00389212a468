package voxiotest_test

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// TestListenerObserverAndContacts: a sandbox on an address chosen in
// advance, watched request by request, lists the contacts the traffic made.
func TestListenerObserverAndContacts(t *testing.T) {
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var seen []voxiotest.Served
	s := voxiotest.NewServer(voxiotest.WithListener(l), voxiotest.WithObserver(func(sv voxiotest.Served) {
		mu.Lock()
		seen = append(seen, sv)
		mu.Unlock()
	}))
	defer s.Close()
	assert.Equal(t, "http://"+l.Addr().String(), s.URL)
	c, err := s.NewClient()
	require.NoError(t, err)

	_, err = c.Contacts.Create(ctx, voxio.ContactParams{FirstName: "Dana", LastName: "Levi", MobileCode: "972", Mobile: "501234567", City: "Haifa"})
	require.NoError(t, err)
	require.NoError(t, s.FailNextError(1, voxiotest.CodeNotFound))
	_, err = c.Messages.Send(ctx, voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "972", Mobile: "501234567"}, Message: "hi"})
	require.ErrorIs(t, err, voxio.ErrNotFound)
	_, err = s.Receive(ctx, voxiotest.Inbound{MobileCode: "62", Mobile: "8123456789", Name: "Budi", Text: "halo"})
	require.ErrorIs(t, err, voxiotest.ErrNoRelayURL)

	mu.Lock()
	require.Len(t, seen, 2)
	assert.Equal(t, "/contact/store", seen[0].Path)
	assert.Equal(t, http.StatusOK, seen[0].Status)
	assert.Contains(t, string(seen[0].Response), `"status":"success"`)
	assert.Equal(t, "fail", seen[1].Fault)
	assert.Contains(t, string(seen[1].Response), "not_found")
	mu.Unlock()

	contacts := s.Contacts()
	require.Len(t, contacts, 2)
	assert.Equal(t, voxiotest.Contact{ID: contacts[0].ID, FirstName: "Dana", LastName: "Levi", MobileCode: "972", Mobile: "501234567",
		City: "Haifa", WhatsAppAccountID: voxiotest.DefaultWhatsAppAccountID}, contacts[0])
	assert.Equal(t, "Budi", contacts[1].FirstName)
	assert.Equal(t, "8123456789", contacts[1].Mobile)
}
