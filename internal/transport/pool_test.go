package transport

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFailedCallKeepsThePool checks that a call that fails does not close
// the pool's other idle connections (retryablehttp closes them after every
// failed call unless it is kept from it), so the next call reuses one.
func TestFailedCallKeepsThePool(t *testing.T) {
	var conns atomic.Int32
	var both sync.WaitGroup
	both.Add(2)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		switch r.URL.Path {
		case "/pair":
			// Hold both requests until the other arrives, so that two
			// connections end up idle in the pool.
			both.Done()
			both.Wait()
		case "/reset":
			reset(w)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	c, err := New(Config{Vendor: "t", BaseURL: srv.URL}, WithHTTPClient(&http.Client{Transport: NewTransport()}))
	require.NoError(t, err)
	var g sync.WaitGroup
	for i := 0; i < 2; i++ {
		g.Add(1)
		go func() {
			defer g.Done()
			_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/pair"}, nil)
			assert.NoError(t, err)
		}()
	}
	g.Wait()
	require.Equal(t, int32(2), conns.Load())

	_, err = c.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/reset", JSON: 1}, nil)
	require.ErrorIs(t, err, ErrMaybeDelivered)
	_, err = c.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/ok"}, nil)
	require.NoError(t, err)
	assert.Equal(t, int32(2), conns.Load(), "the surviving idle connection was reused")
}
