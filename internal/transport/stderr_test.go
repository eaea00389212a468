package transport

import (
	"os"
	"testing"
)

// pipeStderr redirects os.Stderr to a pipe for the rest of the test.
func pipeStderr(t *testing.T) (*os.File, *os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	old := os.Stderr
	os.Stderr = w
	t.Cleanup(func() { os.Stderr = old; r.Close() })
	return r, w, nil
}
