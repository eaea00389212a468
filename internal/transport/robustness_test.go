package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestErrorBodyRedactedBeforeCut: Error.Body is redacted whole and only
// then cut to MaxErrorBody, so a secret that straddles the cut leaves no
// prefix behind, on every path that builds an *Error.
func TestErrorBodyRedactedBeforeCut(t *testing.T) {
	const secret = "sec-STRADDLE-0123456789abcdef"
	const member = "member-value-0123456789abcdef"
	bodies := map[string]string{
		// A registered secret whose first bytes fall before the cut.
		"/known": strings.Repeat("x", MaxErrorBody-6) + secret + strings.Repeat("y", 100),
		// A credential member whose value runs over the cut.
		"/member": `{"pad":"` + strings.Repeat("x", MaxErrorBody-30) + `","apiKey":"` + member + `"}`,
		// A credential member whose value runs past everything redacted.
		"/long": `{"pad":"` + strings.Repeat("x", MaxErrorBody-40) + `","token":"` + member + strings.Repeat("z", 3*MaxErrorBody) + `"}`,
		// A member escaped at the cut.
		"/escaped": `{"pad":"` + strings.Repeat("x", MaxErrorBody-30) + `","password":"` + strings.Repeat(`\"`, 64) + `"}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, bodies[r.URL.Path])
	}))
	defer srv.Close()
	c, err := New(Config{Vendor: "t", BaseURL: srv.URL, Auth: http.Header{"X-Api-Key": {secret}}})
	require.NoError(t, err)

	check := func(t *testing.T, path string, err error) {
		t.Helper()
		var e *Error
		require.ErrorAs(t, err, &e, path)
		assert.LessOrEqual(t, len(e.Body), MaxErrorBody, path)
		assert.Greater(t, len(e.Body), MaxErrorBody/2, path)
		for _, leak := range []string{"sec-S", "member-", `\"\"`} {
			if i := bytes.Index(e.Body, []byte(leak)); i >= 0 {
				t.Errorf("%s: Error.Body keeps %q", path, e.Body[i:])
			}
		}
	}
	for path := range bodies {
		_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: path}, nil)
		check(t, path, err)
		_, err = c.DoStream(context.Background(), &Request{Method: http.MethodGet, Path: path})
		check(t, path, err)
	}

	// The redactor alone, at the boundary.
	r := &redactor{}
	r.add(secret)
	for cut := MaxErrorBody - len(secret); cut <= MaxErrorBody; cut++ {
		b := []byte(strings.Repeat("x", cut) + secret + "tail")
		got := r.cappedBody(b, MaxErrorBody)
		assert.LessOrEqual(t, len(got), MaxErrorBody)
		if bytes.Contains(got, []byte(secret[:4])) {
			t.Fatalf("cut at %d leaves %q", cut, got[cut:])
		}
	}
	assert.Equal(t, `{"apiKey":"`+Redacted+`"}`, string(r.cappedBody([]byte(`{"apiKey":"k"}`), MaxErrorBody)))
}

// warnRecords collects the records of a logger that only lets Warn and
// above through.
type warnRecords struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *warnRecords) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *warnRecords) take() []map[string]any {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(w.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			out = append(out, m)
		}
	}
	w.buf.Reset()
	return out
}

// TestMaybeDeliveredLogsAtWarn: an answer that leaves a send possibly
// delivered is logged at warn, whatever form it takes (*Error,
// *DecodeError, *RequestError); every other failure stays at debug.
func TestMaybeDeliveredLogsAtWarn(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/500":
			w.WriteHeader(500)
		case "/400":
			w.WriteHeader(400)
		case "/garbage":
			_, _ = io.WriteString(w, `{"id":`)
		case "/reset":
			_, _ = io.Copy(io.Discard, r.Body)
			reset(w)
			return
		default:
			_, _ = io.WriteString(w, `{"id":1}`)
		}
	}))
	defer srv.Close()
	var rec warnRecords
	logger := slog.New(slog.NewJSONHandler(&rec, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := New(Config{Vendor: "t", BaseURL: srv.URL}, WithLogger(logger), WithRetryMax(0))
	require.NoError(t, err)

	decode := DecodeJSON[struct{ ID int }]
	for _, tc := range []struct {
		method, path string
		maybe        bool
		msg          string
	}{
		{http.MethodPost, "/500", true, "vendor reported failure"},
		{http.MethodPost, "/garbage", true, "decoding response failed"},
		{http.MethodPost, "/reset", true, "request failed"},
		{http.MethodGet, "/500", false, ""},
		{http.MethodGet, "/garbage", false, ""},
		{http.MethodPost, "/400", false, ""},
		{http.MethodPost, "/ok", false, ""},
	} {
		_, err := Call(context.Background(), c, &Request{Method: tc.method, Path: tc.path, JSON: map[string]int{"a": 1}}, decode)
		assert.Equal(t, tc.maybe, errors.Is(err, ErrMaybeDelivered), "%s %s: %v", tc.method, tc.path, err)
		got := rec.take()
		if !tc.maybe {
			assert.Empty(t, got, "%s %s logs at warn", tc.method, tc.path)
			continue
		}
		require.Len(t, got, 1, "%s %s", tc.method, tc.path)
		assert.Equal(t, "WARN", got[0]["level"])
		assert.Equal(t, tc.msg, got[0]["msg"])
		assert.Equal(t, true, got[0]["maybe_delivered"])
		assert.Equal(t, tc.path, got[0]["path"])
	}
}

// TestPagesNilContext: an iterator handed a nil context yields one
// *ValidationError naming the vendor, sends nothing and does not panic.
func TestPagesNilContext(t *testing.T) {
	c, mt := newMocked(t, Config{Vendor: "acme", BaseURL: "https://h.example"})
	mt.RegisterNoResponder(httpmock.NewStringResponder(200, `{"items":[1]}`))
	fetch := func(ctx context.Context, page int) (Page[int], error) {
		_, err := c.Do(ctx, &Request{Method: http.MethodGet, Path: "/list"}, nil)
		return Page[int]{Items: []int{page}}, err
	}
	var nilCtx context.Context // a caller's bug the iterator must not panic on
	n := 0
	for v, err := range Pages(nilCtx, 3, fetch) {
		n++
		assert.Zero(t, v)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "acme", ve.Vendor)
		assert.Equal(t, "ctx", ve.Field)
		assert.Equal(t, "acme: invalid ctx: must not be nil", err.Error())
	}
	assert.Equal(t, 1, n)
	assert.Equal(t, 0, mt.GetTotalCallCount(), "nothing is sent")

	// A fetch that never reaches a Client still gets an error, not a panic.
	n = 0
	for _, err := range Pages(nilCtx, 1, func(context.Context, int) (Page[int], error) { return Page[int]{Items: []int{1}}, nil }) {
		n++
		assert.ErrorIs(t, err, ErrValidation)
	}
	assert.Equal(t, 1, n)
}

// TestProgressPanicFailsTheUpload: a File.Progress that panics runs on
// net/http's write goroutine, where the panic would end the process; the
// upload fails with an error instead, and is not retried.
func TestProgressPanicFailsTheUpload(t *testing.T) {
	us := newUploadServer(t)
	c, err := New(Config{Vendor: "test", BaseURL: us.URL}, WithHTTPClient(&http.Client{Transport: NewTransport()}), WithRetryWait(1e6, 2e6))
	require.NoError(t, err)
	for _, method := range []string{http.MethodPost, http.MethodPut} {
		var calls atomic.Int32
		content := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB, several chunks
		f := &File{Name: "a.bin", Reader: bytes.NewReader(content), Progress: func(sent, total int64) {
			if calls.Add(1) == 2 {
				panic("progress bar gone")
			}
		}}
		before := us.requests.Load()
		_, err := c.Do(context.Background(), &Request{Method: method, Path: "/u", Multipart: &Multipart{Files: []FormFile{{Field: "f", File: f}}}}, nil)
		require.Error(t, err, method)
		assert.ErrorIs(t, err, errProgressPanic, method)
		assert.Contains(t, err.Error(), "progress bar gone", method)
		var re *RequestError
		require.ErrorAs(t, err, &re, method)
		assert.Equal(t, 1, re.Attempts, "%s: not retried", method)
		assert.Equal(t, int32(2), calls.Load(), "%s: Progress is not called again after its panic", method)
		assert.LessOrEqual(t, us.requests.Load()-before, int32(1), method)
	}

	// The client keeps working.
	_, err = c.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/u", Multipart: &Multipart{Files: []FormFile{{Field: "f", File: &File{Name: "b.bin", Reader: strings.NewReader("ok")}}}}}, nil)
	require.NoError(t, err)
}

// TestTargetMatchesParse: a request addressed by copying the parsed base
// URL is the request that parsing the whole URL gives.
func TestTargetMatchesParse(t *testing.T) {
	bases := []string{"https://h.example", "https://h.example/external-api", "http://127.0.0.1:8080/a/b", "http://[::1]:9/x",
		"https://H.Example/Mixed-Case/v1.2", "https://h.example/a;b=c/@d", "https://h.example/%7Euser", "https://h.example/sp%20ace"}
	paths := []string{"", "/", "x", "/x", "contact/list", "/api/send-message", "/inbox/conversation-messages/123", "//double", "/a/../b",
		"/a:b@c;d=e,f+g$h&i~j_k.l-m", "/%2F", "/a b", "/a?b", "/a#b", "/ü", "/a%zz", ":8080/x", "/x\x7f"}
	queries := []any{nil, url.Values{}, url.Values{"filter[status]": {"sent"}, "to_number[]": {"+1", "+2"}}, listParams{Page: 2, Search: "a b&c"}}
	for _, b := range bases {
		c, err := New(Config{Vendor: "t", BaseURL: b})
		require.NoError(t, err)
		for _, p := range paths {
			for _, q := range queries {
				r := &Request{Method: http.MethodGet, Path: p, Query: q}
				want, werr := func() (*http.Request, error) {
					u, err := c.url(r)
					if err != nil {
						return nil, err
					}
					return http.NewRequest(http.MethodGet, u, nil)
				}()
				tg, err := c.target(r)
				var got *http.Request
				if err == nil {
					got, err = tg.newRequest(context.Background(), http.MethodGet)
				}
				if werr != nil {
					assert.Error(t, err, "%s + %q", b, p)
					continue
				}
				require.NoError(t, err, "%s + %q", b, p)
				assert.Equal(t, *want.URL, *got.URL, "%s + %q + %v", b, p, q)
				assert.Equal(t, want.Host, got.Host, "%s + %q", b, p)
				assert.Equal(t, want.URL.String(), got.URL.String())
			}
		}
	}
	// The fast path is taken for the vendors' plain paths.
	c, err := New(Config{Vendor: "t", BaseURL: "https://h.example/external-api"})
	require.NoError(t, err)
	tg, err := c.target(&Request{Path: "/contact/list", Query: listParams{Page: 2}})
	require.NoError(t, err)
	assert.NotNil(t, tg.base)
	tg, err = c.target(&Request{Path: "/a b"})
	require.NoError(t, err)
	assert.Nil(t, tg.base)
}

// TestConcurrentCallsKeepTheirOwnState: the Client's one retryablehttp
// client serves concurrent calls whose retries, waits and bodies stay their
// own, and a retried send carries its whole body again (run with -race).
func TestConcurrentCallsKeepTheirOwnState(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id := r.Header.Get("X-Test-Id")
		mu.Lock()
		hits[id]++
		n := hits[id]
		mu.Unlock()
		switch {
		case n == 1 && r.Method == http.MethodPost:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		case n <= 2 && r.Method == http.MethodGet:
			w.WriteHeader(http.StatusBadGateway)
		case r.Method == http.MethodPost:
			_, _ = w.Write(body) // the body as the vendor got it
		default:
			_, _ = io.WriteString(w, `{"id":"`+id+`"}`)
		}
	}))
	defer srv.Close()
	c := deliveryClient(t, srv.URL, nil)
	var wg sync.WaitGroup
	for i := 0; i < 24; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			method, id := http.MethodPost, "post-"+strings.Repeat("x", i)
			if i%2 == 1 {
				method, id = http.MethodGet, "get-"+strings.Repeat("y", i)
			}
			r := &Request{Method: method, Path: "/x", Header: http.Header{"X-Test-Id": {id}}}
			if method == http.MethodPost {
				r.JSON = map[string]string{"id": id}
			}
			var out struct{ ID string }
			resp, err := c.Do(context.Background(), r, &out)
			if !assert.NoError(t, err, id) {
				return
			}
			assert.Equal(t, id, out.ID)
			want := 2
			if method == http.MethodGet {
				want = 3
			}
			assert.Equal(t, want, resp.Attempts, id)
			mu.Lock()
			assert.Equal(t, want, hits[id], id)
			mu.Unlock()
		}(i)
	}
	wg.Wait()
}
