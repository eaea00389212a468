package transport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// patternFile is a large file that exists only as a function of the offset,
// so a 100 MiB upload costs no memory on the sending side but its content is
// not trivially compressible or constant.
type patternFile struct{ size int64 }

func (p patternFile) ReadAt(b []byte, off int64) (int, error) {
	if off >= p.size {
		return 0, io.EOF
	}
	n := len(b)
	if rem := p.size - off; int64(n) > rem {
		n = int(rem)
	}
	for i := 0; i < n; i++ {
		x := uint64(off + int64(i))
		b[i] = byte(x*2654435761>>13) ^ byte(x)
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

func (p patternFile) Size() int64 { return p.size }

func patternHash(size int64) string {
	h := sha256.New()
	_, _ = io.Copy(h, io.NewSectionReader(patternFile{size}, 0, size))
	return hex.EncodeToString(h.Sum(nil))
}

// uploadServer hashes the file part of a multipart upload as it streams in.
type uploadServer struct {
	*httptest.Server
	mu       sync.Mutex
	hashes   map[string]string
	fields   map[string]string
	names    map[string]string
	types    map[string]string
	length   int64
	chunked  bool
	requests atomic.Int32
}

func newUploadServer(t *testing.T) *uploadServer {
	us := &uploadServer{}
	us.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		us.requests.Add(1)
		hashes, fields, names, types := map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
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
				fields[p.FormName()] = string(b)
				continue
			}
			h := sha256.New()
			if _, err := io.Copy(h, p); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			hashes[p.FormName()] = hex.EncodeToString(h.Sum(nil))
			names[p.FormName()] = p.FileName()
			types[p.FormName()] = p.Header.Get("Content-Type")
		}
		us.mu.Lock()
		us.hashes, us.fields, us.names, us.types = hashes, fields, names, types
		us.length = r.ContentLength
		us.chunked = len(r.TransferEncoding) > 0
		us.mu.Unlock()
		_, _ = io.WriteString(w, `{"status":"success"}`)
	}))
	t.Cleanup(us.Close)
	return us
}

func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// TestUploadConstantMemory sends 100 MiB through the public path and checks
// that the heap does not grow with the file: the content is streamed from
// the source, never buffered.
func TestUploadConstantMemory(t *testing.T) {
	const size = 100 << 20
	want := patternHash(size)
	us := newUploadServer(t)
	c, err := New(Config{Vendor: "test", BaseURL: us.URL}, WithHTTPClient(&http.Client{Transport: NewTransport()}))
	require.NoError(t, err)

	runtime.GC()
	base := heapInUse()
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if h := heapInUse(); h > peak.Load() {
					peak.Store(h)
				}
			}
		}
	}()
	var calls, lastSent, lastTotal int64
	monotonic := true
	progress := func(sent, total int64) {
		calls++
		if sent <= lastSent {
			monotonic = false
		}
		lastSent, lastTotal = sent, total
	}
	_, err = c.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/upload/", Multipart: &Multipart{
		Fields: map[string][]string{"album_number": {"3"}, "display_name": {"קובץ גדול"}},
		Files:  []FormFile{{Field: "upload_file", File: &File{Name: "big.wav", Reader: io.NewSectionReader(patternFile{size}, 0, size), Progress: progress}}},
	}}, nil)
	close(done)
	require.NoError(t, err)
	if h := heapInUse(); h > peak.Load() {
		peak.Store(h)
	}

	us.mu.Lock()
	defer us.mu.Unlock()
	assert.Equal(t, want, us.hashes["upload_file"])
	assert.Equal(t, "big.wav", us.names["upload_file"])
	assert.Equal(t, "audio/wav", us.types["upload_file"])
	assert.Equal(t, "קובץ גדול", us.fields["display_name"])
	assert.Greater(t, us.length, int64(size), "exact Content-Length sent")
	assert.False(t, us.chunked)
	growth := int64(peak.Load()) - int64(base)
	t.Logf("heap growth during a %d MiB upload: %.2f MiB", size>>20, float64(growth)/(1<<20))
	assert.Less(t, growth, int64(1<<20), "heap grew with the file")
	assert.Greater(t, calls, int64(100), "progress is reported per chunk")
	assert.True(t, monotonic)
	assert.Equal(t, int64(size), lastSent)
	assert.Equal(t, int64(size), lastTotal)
}

// The progress callback costs no allocation per chunk.
func TestProgressReaderDoesNotAllocate(t *testing.T) {
	var seen int64
	p := &progressReader{r: io.NewSectionReader(patternFile{1 << 30}, 0, 1<<30), fn: func(sent, _ int64) { seen = sent }, total: -1}
	buf := make([]byte, 32<<10)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := p.Read(buf); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
	assert.Positive(t, seen)
}

func TestUploadRetriesRereadableSourceAndNotOneShot(t *testing.T) {
	var calls atomic.Int32
	var mu sync.Mutex
	var lastHash string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if n == 1 {
			// Refused before reading anything: safe to send again.
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		mr, err := r.MultipartReader()
		require.NoError(t, err)
		p, err := mr.NextPart()
		require.NoError(t, err)
		h := sha256.New()
		_, _ = io.Copy(h, p)
		mu.Lock()
		lastHash = hex.EncodeToString(h.Sum(nil))
		mu.Unlock()
		_, _ = io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	c, err := New(Config{Vendor: "test", BaseURL: srv.URL}, WithRetryWait(time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)

	content := strings.Repeat("audio-bytes-", 10000)
	sum := sha256.Sum256([]byte(content))
	for _, src := range []struct {
		name string
		r    io.Reader
		want int32
		ok   bool
	}{
		{"ReaderAt", strings.NewReader(content), 2, true},
		{"ReadSeeker", struct{ io.ReadSeeker }{strings.NewReader(content)}, 2, true},
		{"one-shot", struct{ io.Reader }{strings.NewReader(content)}, 1, false},
	} {
		calls.Store(0)
		_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/u", Multipart: &Multipart{
			Files: []FormFile{{Field: "f", File: &File{Name: "a.mp3", Reader: src.r}}},
		}}, nil)
		assert.Equal(t, src.want, calls.Load(), src.name)
		if src.ok {
			require.NoError(t, err, src.name)
			mu.Lock()
			assert.Equal(t, hex.EncodeToString(sum[:]), lastHash, src.name)
			mu.Unlock()
		} else {
			var e *Error
			assert.True(t, errors.As(err, &e) && e.StatusCode == 503, "one-shot reader is sent once: %v", err)
		}
	}
}

func TestMultipartEncoding(t *testing.T) {
	type fields struct {
		FirstName string `url:"firstname"`
		Mobile    string `url:"mobile"`
		City      string `url:"city,omitempty"`
	}
	e, err := encodeMultipart(&Multipart{
		Fields: fields{FirstName: "דוד", Mobile: "85712345678"},
		Files:  []FormFile{{Field: "profile_image", File: &File{Name: `we"ird.png`, Reader: bytes.NewReader([]byte("PNGDATA"))}}},
	})
	require.NoError(t, err)
	r, err := e.reader()
	require.NoError(t, err)
	raw, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, int64(len(raw)), e.length, "Content-Length is exact")

	// Every attempt is byte-identical.
	r2, _ := e.reader()
	raw2, _ := io.ReadAll(r2)
	assert.Equal(t, raw, raw2)

	mt, params, err := mime.ParseMediaType(e.contentType)
	require.NoError(t, err)
	assert.Equal(t, "multipart/form-data", mt)
	mr := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
	got := map[string]string{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		b, _ := io.ReadAll(p)
		got[p.FormName()] = string(b)
		if p.FormName() == "profile_image" {
			assert.Equal(t, `we"ird.png`, p.FileName())
			assert.Equal(t, "image/png", p.Header.Get("Content-Type"))
		}
	}
	assert.Equal(t, map[string]string{"firstname": "דוד", "mobile": "85712345678", "profile_image": "PNGDATA"}, got)
}

func TestFileResolve(t *testing.T) {
	for _, tc := range []struct {
		name     string
		f        *File
		size     int64
		rereads  bool
		hasError bool
	}{
		{"bytes.Reader", &File{Reader: bytes.NewReader(make([]byte, 10))}, 10, true, false},
		{"declared size on ReaderAt", &File{Reader: bytes.NewReader(make([]byte, 10)), Size: 4}, 4, true, false},
		{"one-shot unknown", &File{Reader: struct{ io.Reader }{strings.NewReader("abc")}}, -1, false, false},
		{"one-shot with size", &File{Reader: struct{ io.Reader }{strings.NewReader("abc")}, Size: 3}, 3, false, false},
		{"nil reader", &File{}, 0, false, true},
		{"nil file", nil, 0, false, true},
		{"negative size", &File{Reader: strings.NewReader("x"), Size: -2}, 0, false, true},
	} {
		s, err := tc.f.resolve("upload_file")
		if tc.hasError {
			assert.ErrorIs(t, err, ErrValidation, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.size, s.size, tc.name)
		assert.Equal(t, tc.rereads, s.rereadable, tc.name)
	}
}

func TestShortFileIsAnError(t *testing.T) {
	us := newUploadServer(t)
	c, err := New(Config{Vendor: "test", BaseURL: us.URL})
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/u", Multipart: &Multipart{
		Files: []FormFile{{Field: "f", File: &File{Name: "a.bin", Reader: struct{ io.Reader }{strings.NewReader("abc")}, Size: 10}}},
	}}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "shorter than its declared size")
}
