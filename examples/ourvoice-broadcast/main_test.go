package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
)

// inFlight counts concurrent requests through it.
type inFlight struct {
	next      http.RoundTripper
	now, peak atomic.Int32
}

func (f *inFlight) RoundTrip(r *http.Request) (*http.Response, error) {
	n := f.now.Add(1)
	defer f.now.Add(-1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	time.Sleep(2 * time.Millisecond) // let requests overlap
	return f.next.RoundTrip(r)
}

func setup(t *testing.T, opts ...ourvoicetest.Option) (*ourvoicetest.Server, *ourvoice.Client, *inFlight, string) {
	t.Helper()
	srv := ourvoicetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	fl := &inFlight{next: srv.Client().Transport}
	c, err := srv.NewClient(ourvoice.WithHTTPClient(&http.Client{Transport: fl}), ourvoice.WithRetryWait(time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	id, err := srv.ReadySession("22997000000")
	require.NoError(t, err)
	return srv, c, fl, id
}

func numbers(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("229960001%02d", i)
	}
	return out
}

func tally(results []Result) map[Outcome]int {
	m := map[Outcome]int{}
	for _, r := range results {
		m[r.Outcome]++
	}
	return m
}

func TestBroadcastWithFaultsNeverSendsTwice(t *testing.T) {
	srv, c, fl, session := setup(t)
	list := append(numbers(12), "+22996000100", " 22996000101 ", "not-a-number") // two duplicates, one invalid
	srv.FailNext(2, 429, `{"message":"Too Many Attempts."}`)                     // retried by the SDK
	srv.DropNext(1)                                                              // request lost before Our Voice
	srv.DropResponseNext(1)                                                      // answer lost after Our Voice acted
	srv.FailNumber("22996000111", "Not on WhatsApp")                             // accepted, fails later

	results := Run(context.Background(), c, Broadcast{SessionID: session, Recipients: list, Type: ourvoice.TypeText, Content: "שלום 📣", Concurrency: 4})

	require.Len(t, results, 13, "duplicates collapse to one recipient")
	assert.Equal(t, map[Outcome]int{Sent: 10, MaybeDelivered: 2, Failed: 1}, tally(results))
	assert.LessOrEqual(t, fl.peak.Load(), int32(4), "bounded concurrency")

	// Exactly one message per recipient that Our Voice accepted, none twice.
	perNumber := map[string]int{}
	for _, m := range srv.SentMessages() {
		perNumber[m.To]++
	}
	for n, k := range perNumber {
		assert.Equal(t, 1, k, n)
	}
	assert.Len(t, srv.SentMessages(), 11, "10 sent + 1 whose answer was lost")
	// 12 valid recipients, each POSTed once, plus the two 429 retries.
	assert.Equal(t, 14, srv.Count("POST", "/v1/whatsapp/messages"))

	found := 0
	for _, r := range results {
		switch r.Outcome {
		case MaybeDelivered:
			if r.Found {
				found++
				assert.NotEmpty(t, r.MessageID)
				assert.Contains(t, r.Reason, "do not resend")
				assert.Equal(t, 1, perNumber[r.To])
			} else {
				assert.Contains(t, r.Reason, "not found")
				assert.Zero(t, perNumber[r.To])
			}
		case Failed:
			assert.Equal(t, "not-a-number", r.To)
			assert.Contains(t, r.Reason, "invalid to_number")
		case Sent:
			assert.NotEmpty(t, r.MessageID)
		}
	}
	assert.Equal(t, 1, found)

	var out bytes.Buffer
	Print(&out, results)
	assert.Contains(t, out.String(), "total 13: sent 10, failed 1, maybe-delivered 2, skipped 0")
	assert.NotContains(t, out.String(), ourvoicetest.DefaultToken)
}

func TestBroadcastStopsWhenBalanceRunsOut(t *testing.T) {
	srv, c, _, session := setup(t, ourvoicetest.WithBalance(25), ourvoicetest.WithMessageCost(10))
	results := Run(context.Background(), c, Broadcast{SessionID: session, Recipients: numbers(6), Type: ourvoice.TypeText, Content: "hi", Concurrency: 1})
	assert.Equal(t, map[Outcome]int{Sent: 2, Failed: 1, Skipped: 3}, tally(results))
	assert.Contains(t, results[2].Reason, "HTTP 402: Insufficient balance")
	assert.Contains(t, results[5].Reason, "not attempted")
	assert.Equal(t, 3, srv.Count("POST", "/v1/whatsapp/messages"))
}

func TestBroadcastBadToken(t *testing.T) {
	srv, _, _, session := setup(t)
	c, err := ourvoice.New("wrong-token-SENTINEL", ourvoice.WithBaseURL(srv.BaseURL()))
	require.NoError(t, err)
	results := Run(context.Background(), c, Broadcast{SessionID: session, Recipients: numbers(4), Type: ourvoice.TypeText, Content: "hi", Concurrency: 1})
	assert.Equal(t, map[Outcome]int{Failed: 1, Skipped: 3}, tally(results))
	assert.Contains(t, results[0].Reason, "HTTP 401: Unauthenticated.")
	for _, r := range results {
		assert.NotContains(t, r.Reason, "SENTINEL")
	}
}

func TestBroadcastVendorRefusal(t *testing.T) {
	srv, c, _, session := setup(t)
	require.NoError(t, srv.Unlink(session, "Logged out"))
	results := Run(context.Background(), c, Broadcast{SessionID: session, Recipients: numbers(3), Type: ourvoice.TypeText, Content: "hi", Concurrency: 2})
	assert.Equal(t, map[Outcome]int{Failed: 3}, tally(results))
	assert.Contains(t, results[0].Reason, "HTTP 422")
	assert.Contains(t, results[0].Reason, "not connected")
	assert.Empty(t, srv.SentMessages())
}

func TestRunSandbox(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-sandbox", "-concurrency", "3"}, &out))
	s := out.String()
	assert.Contains(t, s, "total 7: sent 4, failed 1, maybe-delivered 2, skipped 0")
	assert.Equal(t, 9, strings.Count(s, "\n"))
}

func TestRunFlags(t *testing.T) {
	var out bytes.Buffer
	assert.Error(t, run(context.Background(), []string{"-concurrency", "0"}, &out))
	t.Setenv("OURVOICE_TOKEN", "")
	assert.ErrorIs(t, run(context.Background(), []string{"-session", "x", "-to", "22996000000"}, &out), ourvoice.ErrValidation)
	t.Setenv("OURVOICE_TOKEN", "tok-123456")
	assert.Error(t, run(context.Background(), nil, &out), "needs -session and -to")
}

func TestRunLiveWithFile(t *testing.T) {
	srv, _, _, session := setup(t)
	path := filepath.Join(t.TempDir(), "recipients.txt")
	require.NoError(t, os.WriteFile(path, []byte("# customers\n22996000001\n\n  22996000002  \n+22996000001\n"), 0o600))
	t.Setenv("OURVOICE_TOKEN", ourvoicetest.DefaultToken)
	var out bytes.Buffer
	err := run(context.Background(), []string{"-base-url", srv.BaseURL(), "-session", session, "-file", path, "-to", "22996000003", "-text", "שלום 👋"}, &out)
	require.NoError(t, err)
	assert.Contains(t, out.String(), "total 3: sent 3, failed 0, maybe-delivered 0, skipped 0")
	assert.Equal(t, 3, srv.Count("POST", "/v1/whatsapp/messages"), "the duplicate in the file is sent once")

	assert.Error(t, run(context.Background(), []string{"-session", session, "-file", filepath.Join(t.TempDir(), "missing.txt")}, &out))
}

// TestLookupFailureIsReported: when the answer to a send is lost and the
// lookup that follows fails too, the report says so rather than guessing.
func TestLookupFailureIsReported(t *testing.T) {
	srv, c, _, session := setup(t)
	srv.DropResponseNext(1)                                                                // the send: acted on, answer lost
	srv.FailNext(1, http.StatusBadRequest, `{"success":false,"message":"Lookup refused"}`) // the lookup
	results := Run(context.Background(), c, Broadcast{SessionID: session, Recipients: []string{"22996000001"}, Type: ourvoice.TypeText, Content: "hi", Concurrency: 1})
	require.Len(t, results, 1)
	assert.Equal(t, MaybeDelivered, results[0].Outcome)
	assert.Contains(t, results[0].Reason, "lookup failed: HTTP 400: Lookup refused")
	assert.Len(t, srv.SentMessages(), 1, "sent once, never again")
}

func TestFailureReasons(t *testing.T) {
	t.Run("vendor error without a message", func(t *testing.T) {
		srv, c, _, session := setup(t)
		srv.FailNext(1, http.StatusInternalServerError, `{}`)
		results := Run(context.Background(), c, Broadcast{SessionID: session, Recipients: []string{"22996000001", "22996000002"}, Type: ourvoice.TypeText, Content: "hi", Concurrency: 1})
		// A 500 to a send may have been acted on: the run looks it up
		// instead of calling it failed.
		assert.Equal(t, MaybeDelivered, results[0].Outcome)
		assert.Contains(t, results[0].Reason, "not found at Our Voice yet")
		assert.Equal(t, Sent, results[1].Outcome, "a 500 is not a reason to stop the run")
	})
	t.Run("no connection at all", func(t *testing.T) {
		srv := ourvoicetest.NewServer()
		srv.Close() // nothing listens any more: the request is never written
		c, err := ourvoice.New("tok-SENTINEL-42", ourvoice.WithBaseURL(srv.BaseURL()), ourvoice.WithRetryMax(0))
		require.NoError(t, err)
		results := Run(context.Background(), c, Broadcast{SessionID: "a3f1b2c4-1234-4abc-9def-000011112222", Recipients: []string{"22996000001"}, Type: ourvoice.TypeText, Content: "hi"})
		require.Len(t, results, 1)
		assert.Equal(t, Failed, results[0].Outcome, "nothing was written, so nothing may have been delivered")
		assert.Contains(t, results[0].Reason, "POST /whatsapp/messages")
		assert.NotContains(t, results[0].Reason, "SENTINEL")
	})
}
