package main

import (
	"bytes"
	"context"
	"testing"
	"time"
)

func TestQuickstartRuns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out); err != nil {
		t.Fatalf("quickstart failed: %v\n%s", err, out.String())
	}
	if !bytes.Contains(out.Bytes(), []byte("Done:")) {
		t.Fatalf("transcript incomplete:\n%s", out.String())
	}
}
