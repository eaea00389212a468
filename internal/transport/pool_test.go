package transport

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFailedCallKeepsThePool checks that a call that gives up does not
// close the shared pool's idle connections (retryablehttp does that unless
// it is kept from it), so the next call reuses the connection.
func TestFailedCallKeepsThePool(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/fail" {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
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

	c, err := New(Config{Vendor: "t", BaseURL: srv.URL}, WithHTTPClient(&http.Client{Transport: NewTransport()}), WithRetryMax(1), WithRetryWait(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/ok"}, nil)
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/fail"}, nil)
	require.ErrorIs(t, err, ErrRateLimited)
	_, err = c.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/ok"}, nil)
	require.NoError(t, err)
	assert.Equal(t, int32(1), conns.Load(), "one connection served every attempt")
}
