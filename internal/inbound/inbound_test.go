package inbound

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type reports struct {
	mu   sync.Mutex
	errs []error
}

func (r *reports) add(_ *http.Request, err error) {
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
}

func (r *reports) all() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

func TestReadBodyCap(t *testing.T) {
	var rep reports
	rn := &Runner{MaxBody: 8, OnError: rep.add}
	for _, tc := range []struct {
		body   string
		length int64
		status int
	}{
		{"12345678", 8, 0},
		{"123456789", 9, http.StatusRequestEntityTooLarge},
		{"123456789", -1, http.StatusRequestEntityTooLarge}, // no Content-Length
	} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
		r.ContentLength = tc.length
		body, ok := rn.ReadBody(w, r)
		if tc.status == 0 {
			require.True(t, ok)
			assert.Equal(t, tc.body, string(body))
			continue
		}
		assert.False(t, ok)
		assert.Equal(t, tc.status, w.Code)
	}
	errs := rep.all()
	require.Len(t, errs, 2)
	assert.ErrorIs(t, errs[0], ErrBodyTooLarge)
}

// A sender trickling its body is cut off at the read deadline with 408,
// on a real server, and the handler goroutine returns.
func TestReadBodySlowSenderGets408(t *testing.T) {
	trickle(t, func(w http.ResponseWriter) http.ResponseWriter { return w })
}

// trickle sends a body one byte every 150 ms, as the reviewer's client
// did, to a handler that reads it through wrap(w) with a 300 ms read
// timeout, and checks the 408 comes in time and is reported once.
func trickle(t *testing.T, wrap func(http.ResponseWriter) http.ResponseWriter) {
	t.Helper()
	var rep reports
	rn := &Runner{ReadTimeout: 300 * time.Millisecond, OnError: rep.add}
	returned := make(chan time.Duration, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if _, ok := rn.ReadBody(wrap(w), r); ok {
			w.WriteHeader(http.StatusOK)
		}
		returned <- time.Since(start)
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
	require.NoError(t, err)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; i < 100; i++ {
			select {
			case <-stop:
				return
			case <-time.After(150 * time.Millisecond):
			}
			if _, err := conn.Write([]byte("x")); err != nil {
				return
			}
		}
	}()
	select {
	case d := <-returned:
		assert.Less(t, d, 2*time.Second)
	case <-time.After(5 * time.Second):
		t.Fatal("handler still reading after 5 s")
	}
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
	require.Len(t, rep.all(), 1)
	assert.ErrorIs(t, rep.all()[0], ErrReadTimeout)
}

func TestInvoke(t *testing.T) {
	ctx := context.Background()
	v, err := Invoke(ctx, 0, func(context.Context) (int, error) { return 7, nil })
	require.NoError(t, err)
	assert.Equal(t, 7, v)

	_, err = Invoke(ctx, 0, func(context.Context) (int, error) { panic("boom secret") })
	var pe *PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "boom secret", pe.Value)
	assert.NotContains(t, err.Error(), "secret")
	assert.NotEmpty(t, pe.Stack)

	_, err = Invoke(ctx, time.Second, func(context.Context) (int, error) { panic(errors.New("x")) })
	require.ErrorAs(t, err, &pe)

	start := time.Now()
	cancelled := make(chan struct{})
	_, err = Invoke(ctx, 50*time.Millisecond, func(ctx context.Context) (int, error) {
		<-ctx.Done()
		close(cancelled)
		return 1, nil
	})
	assert.ErrorIs(t, err, ErrCallbackTimeout)
	assert.Less(t, time.Since(start), time.Second)
	select {
	case <-cancelled:
	case <-time.After(time.Second):
		t.Fatal("the late callback's context was not cancelled")
	}

	v, err = Invoke(ctx, time.Second, func(context.Context) (int, error) { return 3, errors.New("no") })
	assert.Equal(t, 3, v)
	assert.EqualError(t, err, "no")
}

func TestReportRecoversAndSkipsNil(t *testing.T) {
	rn := &Runner{OnError: func(*http.Request, error) { panic("in hook") }}
	assert.NotPanics(t, func() { rn.Report(httptest.NewRequest("GET", "/", nil), errors.New("x")) })
	called := false
	rn = &Runner{OnError: func(*http.Request, error) { called = true }}
	rn.Report(nil, nil)
	assert.False(t, called)
	assert.Error(t, CheckLimits(-1, 0))
	assert.Error(t, CheckLimits(0, -1))
	assert.NoError(t, CheckLimits(0, 0))
}

func TestInvokeEndsWithTheRequest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	_, err := Invoke(ctx, time.Minute, func(ctx context.Context) (int, error) {
		<-ctx.Done()
		return 0, nil
	})
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrCallbackTimeout)
}

func TestReadBodyOnARecorderDoesNotAllocateADeadlineError(t *testing.T) {
	rn := &Runner{}
	body := strings.Repeat("x", 512)
	allocs := testing.AllocsPerRun(50, func() {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		if _, ok := rn.ReadBody(w, r); !ok {
			t.Fatal("read failed")
		}
	})
	// The recorder, the request and the body's buffers; no error values.
	assert.Less(t, allocs, 40.0)
}

// hidingWriter wraps a ResponseWriter the way a careless logging
// middleware does: without Unwrap, so the connection's deadline is out of
// reach.
type hidingWriter struct{ w http.ResponseWriter }

func (h hidingWriter) Header() http.Header         { return h.w.Header() }
func (h hidingWriter) Write(b []byte) (int, error) { return h.w.Write(b) }
func (h hidingWriter) WriteHeader(code int)        { h.w.WriteHeader(code) }

// Behind such a wrapper a trickling sender still gets 408 at the timeout.
func TestReadBodySlowSenderBehindAWrapper(t *testing.T) {
	trickle(t, func(w http.ResponseWriter) http.ResponseWriter { return hidingWriter{w} })
}
