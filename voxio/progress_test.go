package voxio_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// progress records a File's Progress calls and checks what Progress
// promises: per chunk, sent increasing to the size, total the size.
type progress struct {
	mu          sync.Mutex
	sent, total []int64
}

func (p *progress) record(sent, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = append(p.sent, sent)
	p.total = append(p.total, total)
}

func (p *progress) check(t *testing.T, size int64) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	require.Greater(t, len(p.sent), 1, "one call per chunk")
	for i := range p.sent {
		assert.Equal(t, size, p.total[i])
		if i > 0 {
			assert.Greater(t, p.sent[i], p.sent[i-1])
		}
	}
	assert.Equal(t, size, p.sent[len(p.sent)-1])
}

// TestUploadProgress: a media message and a contact's profile image
// report their upload through File.Progress, against the sandbox.
func TestUploadProgress(t *testing.T) {
	ctx := context.Background()
	s := voxiotest.NewServer()
	defer s.Close()
	c, err := s.NewClient()
	require.NoError(t, err)

	const size = 3 << 20
	img := bytes.Repeat([]byte{0xff, 0xd8, 0x42}, size/3)
	var media progress
	_, err = c.Messages.Send(ctx, voxio.SendMessageParams{
		Recipient: voxio.Recipient{MobileCode: "972", Mobile: "501234567"},
		Image:     &voxio.File{Name: "receipt.jpg", Reader: bytes.NewReader(img), Progress: media.record},
	})
	require.NoError(t, err)
	media.check(t, size)
	sent := s.SentMessages()
	require.Len(t, sent, 1)
	require.Len(t, sent[0].Files, 1)
	assert.Equal(t, int64(size), sent[0].Files[0].Size)

	var profile progress
	_, err = c.Contacts.Create(ctx, voxio.ContactParams{
		FirstName: "נועה", LastName: "לוי", MobileCode: "972", Mobile: "541112233",
		ProfileImage: &voxio.File{Name: "noa.png", Reader: bytes.NewReader(img[:1<<20]), Progress: profile.record},
	})
	require.NoError(t, err)
	profile.check(t, 1<<20)
}
