package voxio_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/wiretest"
	"github.com/switchboard-go/switchboard/voxio"
)

// pattern is a generated io.ReaderAt whose byte at offset i depends on i,
// so a part sent from the wrong offset changes the hash.
type pattern struct{}

func (pattern) ReadAt(p []byte, off int64) (int, error) {
	for i := range p {
		o := off + int64(i)
		p[i] = byte(o*31 + o>>11)
	}
	return len(p), nil
}

// TestDocument100MBStreamsInFlatMemory sends a 100 MB document through
// Messages.Send to a local server that hashes the part as it arrives, and
// checks that the heap never grows by more than 8 MiB during the call.
func TestDocument100MBStreamsInFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("100 MB upload")
	}
	const size = voxio.MaxDocumentSize
	want := sha256.New()
	_, err := io.Copy(want, io.NewSectionReader(pattern{}, 0, size))
	require.NoError(t, err)

	var got struct {
		sync.Mutex
		name, hash string
		n          int64
		fields     map[string]string
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/form-data" || r.Header.Get("client-secret") != testClientSecret {
			http.Error(w, "bad request", 400)
			return
		}
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		got.Lock()
		defer got.Unlock()
		got.fields = map[string]string{}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			if p.FileName() == "" {
				b, _ := io.ReadAll(p)
				got.fields[p.FormName()] = string(b)
				continue
			}
			h := sha256.New()
			got.n, _ = io.Copy(h, p)
			got.name = p.FormName() + "/" + p.FileName()
			got.hash = hex.EncodeToString(h.Sum(nil))
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, wiretest.Fixture(t, "send_message.json"))
	}))
	defer ts.Close()

	c, err := voxio.New(testClientID, testClientSecret, voxio.WithBaseURL(ts.URL))
	require.NoError(t, err)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := c.Messages.Send(ctx, voxio.SendMessageParams{
		Recipient: voxio.Recipient{MobileCode: "972", Mobile: "521234567"},
		Message:   "הדו\"ח השנתי 📊",
		Document:  &voxio.File{Name: "דוח.pdf", Reader: io.NewSectionReader(pattern{}, 0, size)},
	})
	close(stop)
	wg.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	assert.Equal(t, int64(456), res.Message.ID)

	got.Lock()
	defer got.Unlock()
	assert.Equal(t, "document/דוח.pdf", got.name)
	assert.Equal(t, size, got.n)
	assert.Equal(t, hex.EncodeToString(want.Sum(nil)), got.hash)
	assert.Equal(t, "הדו\"ח השנתי 📊", got.fields["message"])

	growth := int64(peak.Load()) - int64(before.HeapAlloc)
	if after.HeapAlloc > peak.Load() {
		growth = int64(after.HeapAlloc) - int64(before.HeapAlloc)
	}
	t.Logf("heap before %d KiB, peak growth %d KiB, total allocated %d KiB", before.HeapAlloc>>10, growth>>10, (after.TotalAlloc-before.TotalAlloc)>>10)
	assert.Less(t, growth, int64(8<<20), "a 100 MB document must stream, not buffer")
}
