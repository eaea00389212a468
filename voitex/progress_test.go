package voitex_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
)

// progressLog records the calls of a File's Progress.
type progressLog struct {
	mu    sync.Mutex
	sent  []int64
	total []int64
}

func (l *progressLog) record(sent, total int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent = append(l.sent, sent)
	l.total = append(l.total, total)
}

// check asserts what Progress promises: called per chunk, with sent
// strictly increasing and ending at the file's size, and total the size
// every time.
func (l *progressLog) check(t *testing.T, size int64, minCalls int) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	require.GreaterOrEqual(t, len(l.sent), minCalls, "one call per chunk")
	for i := range l.sent {
		assert.Equal(t, size, l.total[i], "call %d: total is the file's size", i)
		assert.Positive(t, l.sent[i], "call %d", i)
		if i > 0 {
			assert.Greater(t, l.sent[i], l.sent[i-1], "call %d: sent increases", i)
		}
	}
	assert.Equal(t, size, l.sent[len(l.sent)-1], "the last call reports the whole file")
}

// testAudio is deterministic content of n bytes.
func testAudio(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// TestUploadProgress uploads a recording through the public API to the
// sandbox with a Progress callback, from memory and from a file on disk:
// Progress hears of every chunk, and Voitex receives the whole file.
func TestUploadProgress(t *testing.T) {
	ctx := context.Background()
	const size = 1<<20 + 12345 // a megabyte and an odd tail: many chunks
	data := testAudio(size)

	t.Run("from memory", func(t *testing.T) {
		s, c := sandbox(t)
		var log progressLog
		rec, err := c.Recordings.Upload(ctx, voitex.UploadParams{AlbumNumber: 3, File: &voitex.File{
			Name: "welcome.wav", Reader: bytes.NewReader(data), Progress: log.record,
		}})
		require.NoError(t, err)
		log.check(t, size, 4)
		got, ok := s.Recording(3, 1)
		require.True(t, ok)
		assert.Equal(t, rec.ID, got.ID)
		assert.Equal(t, int64(size), got.Size)
	})

	t.Run("from disk with OpenFile", func(t *testing.T) {
		s, c := sandbox(t)
		path := filepath.Join(t.TempDir(), "long-message.mp3")
		require.NoError(t, os.WriteFile(path, data, 0o600))
		f, err := voitex.OpenFile(path)
		require.NoError(t, err)
		defer f.Reader.(io.Closer).Close()
		var log progressLog
		f.Progress = log.record
		_, err = c.Recordings.Upload(ctx, voitex.UploadParams{AlbumNumber: 1, File: f, DisplayName: "הודעה ארוכה"})
		require.NoError(t, err)
		log.check(t, size, 4)
		got, ok := s.Recording(1, 1)
		require.True(t, ok)
		assert.Equal(t, int64(size), got.Size)
		assert.Equal(t, data[:min(size, voitextest.MaxStoredFile)], got.Data, "as much as the sandbox keeps")
	})

	t.Run("a one-shot reader of unknown size", func(t *testing.T) {
		s, c := sandbox(t)
		var log progressLog
		_, err := c.Recordings.Upload(ctx, voitex.UploadParams{AlbumNumber: 2, File: &voitex.File{
			Name: "stream.wav", Reader: io.MultiReader(bytes.NewReader(data[:1000]), bytes.NewReader(data[1000:])), Progress: log.record,
		}})
		require.NoError(t, err)
		log.mu.Lock()
		defer log.mu.Unlock()
		require.NotEmpty(t, log.sent)
		for i := range log.sent {
			assert.Equal(t, int64(-1), log.total[i], "the size cannot be known in advance")
			if i > 0 {
				assert.Greater(t, log.sent[i], log.sent[i-1])
			}
		}
		assert.Equal(t, int64(size), log.sent[len(log.sent)-1])
		got, ok := s.Recording(2, 1)
		require.True(t, ok)
		assert.Equal(t, int64(size), got.Size)
	})
}

// TestAttachmentProgress sends an MMS with two attachments through Notify
// to the sandbox: each file's Progress reports that file alone, from its
// first chunk to its size.
func TestAttachmentProgress(t *testing.T) {
	s, c := sandbox(t)
	photo := testAudio(600 << 10)
	menu := testAudio(70 << 10)
	var photoLog, menuLog progressLog
	res, err := c.Notify.Send(context.Background(), voitex.NotifyParams{
		Type: voitex.NotifySMS, CID: "8459511000", To: "(845) 123-4567", Body: "התפריט שלנו 📎",
		Attachments: []*voitex.File{
			{Name: "photo.jpg", Reader: bytes.NewReader(photo), Progress: photoLog.record},
			{Name: "menu.pdf", Reader: bytes.NewReader(menu), Progress: menuLog.record},
		},
	})
	require.NoError(t, err)
	assert.Equal(t, voitex.StatusSuccess, res.Status)
	photoLog.check(t, int64(len(photo)), 2)
	menuLog.check(t, int64(len(menu)), 1)

	sent := s.SentNotifications()
	require.Len(t, sent, 1)
	assert.Equal(t, []string{"8451234567"}, sent[0].Recipients)
	require.Len(t, sent[0].Attachments, 2)
	assert.Equal(t, int64(len(photo)), sent[0].Attachments[0].Size)
	assert.Equal(t, photo, sent[0].Attachments[0].Data)
	assert.Equal(t, int64(len(menu)), sent[0].Attachments[1].Size)
	assert.Equal(t, menu, sent[0].Attachments[1].Data)
}
