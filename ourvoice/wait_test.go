package ourvoice

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/wiretest"
)

func sessionBody(status, reason string) string {
	return `{"success":true,"session":{"id":"` + sessionUUID + `","status":"` + status + `","reason":"` + reason + `"}}`
}

func qrBody(code string) string { return `{"success":true,"qr_code":"` + code + `"}` }

// script answers the session and QR endpoints from a list of steps, one
// step per session poll; the last step repeats.
func script(t *testing.T, mt *wiretest.Mock, steps []struct{ status, qr string }) *atomic.Int32 {
	var i atomic.Int32
	i.Store(-1)
	mt.Handle("GET", base+"/whatsapp/sessions/"+sessionUUID, func(*http.Request) (*http.Response, error) {
		n := int(i.Add(1))
		if n >= len(steps) {
			n = len(steps) - 1
			i.Store(int32(n))
		}
		reason := ""
		if steps[n].status == "banned" {
			reason = "Spam reports 🚫"
		}
		return httpmock.NewStringResponse(200, sessionBody(steps[n].status, reason)), nil
	})
	mt.Handle("GET", base+"/whatsapp/sessions/"+sessionUUID+"/qr-code", func(*http.Request) (*http.Response, error) {
		n := int(i.Load())
		if steps[n].qr == "" {
			return httpmock.NewStringResponse(400, `{"success":false,"message":"QR code only available for pending sessions"}`), nil
		}
		return httpmock.NewStringResponse(200, qrBody(steps[n].qr)), nil
	})
	return &i
}

var fast = &WaitParams{Interval: time.Millisecond, MaxInterval: 3 * time.Millisecond}

func TestWaitConnectedHandsEachFreshQR(t *testing.T) {
	c, mt := newMocked(t)
	script(t, mt, []struct{ status, qr string }{
		{"pending", "data:image/png;base64,AAAA"},
		{"pending", "data:image/png;base64,AAAA"},
		{"pending", "data:image/png;base64,BBBB"},
		{"pending", "data:image/png;base64,BBBB"},
		{"pending", "data:image/png;base64,CCCC"},
		{"connected", ""},
	})
	var seen []QRCode
	p := *fast
	p.ShownQRCode = "data:image/png;base64,AAAA"
	p.OnQRCode = func(q QRCode) { seen = append(seen, q) }
	s, err := c.Sessions.WaitConnected(context.Background(), sessionUUID, &p)
	require.NoError(t, err)
	assert.Equal(t, SessionConnected, s.Status)
	assert.Equal(t, []QRCode{"data:image/png;base64,BBBB", "data:image/png;base64,CCCC"}, seen)
}

func TestWaitConnectedWithoutCallbackSkipsQR(t *testing.T) {
	c, mt := newMocked(t)
	script(t, mt, []struct{ status, qr string }{{"pending", "q1"}, {"disconnected", ""}, {"connected", ""}})
	s, err := c.Sessions.WaitConnected(context.Background(), sessionUUID, fast)
	require.NoError(t, err)
	assert.Equal(t, SessionConnected, s.Status)
	for _, r := range mt.Requests() {
		assert.NotContains(t, r.URL, "qr-code")
	}
	assert.Len(t, mt.Requests(), 3)
}

func TestWaitConnectedTerminal(t *testing.T) {
	for _, st := range []struct {
		status string
		is     error
	}{{"banned", ErrSessionBanned}, {"failed", ErrSessionFailed}} {
		t.Run(st.status, func(t *testing.T) {
			c, mt := newMocked(t)
			script(t, mt, []struct{ status, qr string }{{"pending", "q1"}, {st.status, ""}})
			p := *fast
			p.OnQRCode = func(QRCode) {}
			s, err := c.Sessions.WaitConnected(context.Background(), sessionUUID, &p)
			require.Error(t, err)
			assert.ErrorIs(t, err, st.is)
			var se *SessionStatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, SessionStatus(st.status), se.Status)
			require.NotNil(t, s)
			assert.Equal(t, SessionStatus(st.status), s.Status)
			if st.status == "banned" {
				assert.Equal(t, "Spam reports 🚫", se.Reason)
			}
		})
	}
}

func TestWaitConnectedContextEnds(t *testing.T) {
	c, mt := newMocked(t)
	script(t, mt, []struct{ status, qr string }{{"pending", "q1"}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	s, err := c.Sessions.WaitConnected(ctx, sessionUUID, &WaitParams{Interval: 5 * time.Millisecond, OnQRCode: func(QRCode) {}})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "last status pending")
	require.NotNil(t, s)
	assert.Equal(t, SessionPending, s.Status)
	assert.Less(t, time.Since(start), time.Second)
}

func TestWaitConnectedDeletedSession(t *testing.T) {
	c, mt := newMocked(t)
	mt.Respond("GET", base+"/whatsapp/sessions/"+sessionUUID, 404, `{"success":false,"message":"Session not found"}`)
	_, err := c.Sessions.WaitConnected(context.Background(), sessionUUID, fast)
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestWaitConnectedUnauthorizedQR(t *testing.T) {
	c, mt := newMocked(t)
	mt.Respond("GET", base+"/whatsapp/sessions/"+sessionUUID, 200, sessionBody("pending", ""))
	mt.Respond("GET", base+"/whatsapp/sessions/"+sessionUUID+"/qr-code", 401, `{"message":"Unauthenticated."}`)
	p := *fast
	p.OnQRCode = func(QRCode) { t.Fatal("no code to show") }
	_, err := c.Sessions.WaitConnected(context.Background(), sessionUUID, &p)
	assert.ErrorIs(t, err, ErrUnauthorized)
}

// TestWaitConnectedBacksOff checks the polling rhythm: the pause grows by
// half after each unchanged poll up to MaxInterval, and starts over when
// the status changes. Only lower bounds are asserted (timers never fire
// early; a loaded machine may make them late).
func TestWaitConnectedBacksOff(t *testing.T) {
	c, mt := newMocked(t)
	var times []time.Time
	statuses := []string{"pending", "pending", "pending", "pending", "pending", "disconnected", "disconnected", "connected"}
	mt.Handle("GET", base+"/whatsapp/sessions/"+sessionUUID, func(*http.Request) (*http.Response, error) {
		times = append(times, time.Now())
		return httpmock.NewStringResponse(200, sessionBody(statuses[len(times)-1], "")), nil
	})
	const step = 8 * time.Millisecond
	s, err := c.Sessions.WaitConnected(context.Background(), sessionUUID, &WaitParams{Interval: step, MaxInterval: 2 * step})
	require.NoError(t, err)
	assert.Equal(t, SessionConnected, s.Status)
	require.Len(t, times, len(statuses))
	// Pauses after polls 1..7: 8, 12, 16 (cap), 16, 16, then 8 again on
	// the change to disconnected, 12.
	want := []time.Duration{step, step * 3 / 2, 2 * step, 2 * step, 2 * step, step, step * 3 / 2}
	for i, w := range want {
		assert.GreaterOrEqual(t, times[i+1].Sub(times[i]), w, "pause %d", i+1)
	}
}

func TestWaitConnectedContextEndsDuringAPoll(t *testing.T) {
	t.Run("session poll", func(t *testing.T) {
		c, mt := newMocked(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		n := 0
		mt.Handle("GET", base+"/whatsapp/sessions/"+sessionUUID, func(*http.Request) (*http.Response, error) {
			n++
			if n == 2 {
				cancel() // the caller gives up while the second poll is in flight
				return nil, context.Canceled
			}
			return httpmock.NewStringResponse(200, sessionBody("pending", "")), nil
		})
		s, err := c.Sessions.WaitConnected(ctx, sessionUUID, fast)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Contains(t, err.Error(), "last status pending")
		require.NotNil(t, s, "the last session seen comes back")
		assert.Equal(t, SessionPending, s.Status)
		assert.Equal(t, 2, n)
	})
	t.Run("QR code fetch", func(t *testing.T) {
		c, mt := newMocked(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		mt.Respond("GET", base+"/whatsapp/sessions/"+sessionUUID, 200, sessionBody("pending", ""))
		mt.Handle("GET", base+"/whatsapp/sessions/"+sessionUUID+"/qr-code", func(*http.Request) (*http.Response, error) {
			cancel()
			return nil, context.Canceled
		})
		p := *fast
		p.OnQRCode = func(QRCode) { t.Error("no code was fetched") }
		_, err := c.Sessions.WaitConnected(ctx, sessionUUID, &p)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, calls(mt, "GET", "/v1/whatsapp/sessions/"+sessionUUID))
	})
	t.Run("already over", func(t *testing.T) {
		c, mt := newMocked(t)
		mt.Respond("GET", base+"/whatsapp/sessions/"+sessionUUID, 200, sessionBody("pending", ""))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		s, err := c.Sessions.WaitConnected(ctx, sessionUUID, nil)
		assert.Nil(t, s)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Contains(t, err.Error(), "last status unknown")
		assert.Empty(t, mt.Requests())
	})
}

func TestWaitConnectedParams(t *testing.T) {
	c, mt := newMocked(t)
	mt.Respond("GET", base+"/whatsapp/sessions/"+sessionUUID, 200, sessionBody("connected", ""))
	//lint:ignore SA1012 a nil context is bad input the call must refuse, not panic on
	_, err := c.Sessions.WaitConnected(nil, sessionUUID, nil)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "ctx", ve.Field)
	assert.Zero(t, mt.Count())

	// A cap below the first pause is raised to it rather than refused.
	s, err := c.Sessions.WaitConnected(context.Background(), sessionUUID, &WaitParams{Interval: time.Millisecond, MaxInterval: time.Nanosecond})
	require.NoError(t, err)
	assert.Equal(t, SessionConnected, s.Status)
}
