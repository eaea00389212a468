package voxio_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/wiretest"
	"github.com/switchboard-go/switchboard/voxio"
)

const (
	testClientID     = "cid-4f9a2b"
	testClientSecret = "csecret-8d1e77c0ffee"
	baseURL          = "https://www.voxio.chat/external-api"
)

// newMockClient returns a client whose requests go to a fresh in-memory
// vendor (internal/wiretest), with short retry waits.
func newMockClient(t *testing.T, opts ...voxio.Option) (*voxio.Client, *wiretest.Mock) {
	t.Helper()
	m := wiretest.New(t)
	opts = append([]voxio.Option{voxio.WithHTTPClient(m.Client()), voxio.WithRetryWait(time.Millisecond, 2*time.Millisecond)}, opts...)
	c, err := voxio.New(testClientID, testClientSecret, opts...)
	require.NoError(t, err)
	return c, m
}

// fixture is wiretest.Fixture as bytes, for the relay tests that sign and
// compare payloads byte for byte.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	return []byte(wiretest.Fixture(t, name))
}
