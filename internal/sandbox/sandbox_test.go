package sandbox

import (
	"context"
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

func TestFaultsAndLog(t *testing.T) {
	var mu sync.Mutex
	acted := map[string]int{}
	s := New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		acted[string(b)]++
		mu.Unlock()
		_, _ = w.Write(append([]byte("ok:"), b...))
	}))
	defer s.Close()
	c := s.Client()

	s.FailNext(1, 503, `{"status":"error"}`)
	resp, err := c.Post(s.URL+"/a?x=1", "text/plain", strings.NewReader("one"))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "0", resp.Header.Get("Retry-After"))
	assert.Equal(t, `{"status":"error"}`, string(b))

	s.DropNext(1)
	_, err = c.Post(s.URL+"/a", "text/plain", strings.NewReader("two"))
	require.Error(t, err)

	s.DelayNext(1, 30*time.Millisecond)
	start := time.Now()
	resp, err = c.Post(s.URL+"/a", "text/plain", strings.NewReader("three"))
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
	assert.Equal(t, "ok:three", string(b))

	s.DropResponseNext(1)
	_, err = c.Post(s.URL+"/a", "text/plain", strings.NewReader("four"))
	require.Error(t, err)

	log := s.Requests()
	require.Len(t, log, 4)
	assert.Equal(t, "drop-response", log[3].Fault)
	mu.Lock()
	assert.Equal(t, 1, acted["four"], "the handler acted on the request whose answer was lost")
	mu.Unlock()
	assert.Equal(t, "fail", log[0].Fault)
	assert.Equal(t, "x=1", log[0].RawQuery)
	assert.Equal(t, "two", string(log[1].Body))
	assert.Equal(t, "drop", log[1].Fault)
	assert.Equal(t, "delay", log[2].Fault)
	assert.Equal(t, 4, s.Count("POST", "/a"))
	s.ResetLog()
	assert.Empty(t, s.Requests())
}

func TestClock(t *testing.T) {
	var c Clock
	before := time.Now()
	c.Advance(time.Hour)
	assert.WithinDuration(t, before.Add(time.Hour), c.Now(), time.Second)
	base := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	c.SetBase(func() time.Time { return base })
	assert.Equal(t, base.Add(time.Hour), c.Now())
	c.Advance(-30 * time.Minute)
	assert.Equal(t, base.Add(30*time.Minute), c.Now())
}

func TestWithListenerServesOnTheGivenAddress(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	s := New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "here")
	}), WithListener(l), WithListener(nil))
	assert.Equal(t, "http://"+addr, s.URL)
	resp, err := http.Get("http://" + addr + "/x")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "here", string(b))
	s.Close()
	_, err = net.DialTimeout("tcp", addr, time.Second)
	assert.Error(t, err, "Close closes the listener")
}

func TestWithObserverSeesEveryAnswer(t *testing.T) {
	var mu sync.Mutex
	var seen []Served
	s := New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/silent" {
			return // net/http answers 200 with no body
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "made:")
		_, _ = io.WriteString(w, strings.Repeat("x", MaxObservedResponse))
	}), WithObserver(nil), WithObserver(func(sv Served) {
		mu.Lock()
		seen = append(seen, sv)
		mu.Unlock()
	}))
	defer s.Close()
	c := s.Client()
	send := func(path string) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader("body:"+path))
		req.Header.Set("Authorization", "Bearer k")
		resp, err := c.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	send("/ok")
	s.FailNext(1, http.StatusTooManyRequests, `{"e":1}`)
	send("/fail")
	s.DropNext(1)
	send("/drop")
	s.DropResponseNext(1)
	send("/drop-response")
	send("/silent")
	// The log stops at maxLog; the observer does not.
	s.maxLog = 0
	send("/unlogged")

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 6)
	ok := seen[0]
	assert.Equal(t, "/ok", ok.Path)
	assert.Equal(t, "body:/ok", string(ok.Body))
	assert.Equal(t, "Bearer k", ok.Header.Get("Authorization"))
	assert.Equal(t, http.StatusCreated, ok.Status)
	assert.Equal(t, "text/plain", ok.ContentType)
	assert.Len(t, ok.Response, MaxObservedResponse)
	assert.Equal(t, int64(MaxObservedResponse+5), ok.ResponseSize)
	assert.False(t, ok.Received.IsZero())
	assert.Positive(t, ok.Duration)

	assert.Equal(t, "fail", seen[1].Fault)
	assert.Equal(t, http.StatusTooManyRequests, seen[1].Status)
	assert.Equal(t, `{"e":1}`, string(seen[1].Response))
	assert.Equal(t, "application/json", seen[1].ContentType)
	assert.Equal(t, "drop", seen[2].Fault)
	assert.Equal(t, 0, seen[2].Status)
	assert.Equal(t, "drop-response", seen[3].Fault)
	assert.Equal(t, 0, seen[3].Status)
	assert.Equal(t, http.StatusOK, seen[4].Status)
	assert.Empty(t, seen[4].Response)
	assert.Equal(t, "/unlogged", seen[5].Path)
	assert.Len(t, s.Requests(), 5)

	// The observer owns its copy: changing it leaves the log alone.
	seen[0].Header.Set("Authorization", "changed")
	assert.Equal(t, "Bearer k", s.Requests()[0].Header.Get("Authorization"))
}

func TestObserverSeesADelayTheClientGaveUpOn(t *testing.T) {
	done := make(chan Served, 1)
	s := New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), WithObserver(func(sv Served) { done <- sv }))
	defer s.Close()
	s.DelayNext(1, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/slow", nil)
	_, err := s.Client().Do(req)
	require.Error(t, err)
	select {
	case sv := <-done:
		assert.Equal(t, "delay", sv.Fault)
		assert.Equal(t, 0, sv.Status)
	case <-time.After(5 * time.Second):
		t.Fatal("observer not called")
	}
}

func TestObservedWriterPassesFlushAndHijackThrough(t *testing.T) {
	rec := httptest.NewRecorder()
	w := &observedWriter{ResponseWriter: rec}
	w.Flush()
	assert.True(t, rec.Flushed)
	_, _, err := w.Hijack()
	assert.Error(t, err, "a recorder cannot be hijacked")
	assert.Same(t, http.ResponseWriter(rec), w.Unwrap())
	w.WriteHeader(http.StatusContinue) // 1xx is not the answer
	w.WriteHeader(http.StatusAccepted)
	assert.Equal(t, http.StatusAccepted, w.status)
}
