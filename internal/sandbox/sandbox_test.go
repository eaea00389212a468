package sandbox

import (
	"io"
	"net/http"
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
