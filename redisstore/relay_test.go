package redisstore_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-go/switchboard/redisstore"
	"github.com/switchboard-go/switchboard/relay"
)

const relaySecret = "whsec_redisstore_test_secret_0123456789"

// voxioScheme is Voxio Inbound Relay's signature scheme: X-Voxio-Signature:
// sha256=hex(HMAC-SHA256(secret, timestamp + "." + raw body)), with the
// timestamp in X-Voxio-Timestamp.
func voxioScheme() relay.Scheme {
	return relay.Scheme{
		SignatureHeader: "X-Voxio-Signature",
		SignaturePrefix: "sha256=",
		TimestampHeader: "X-Voxio-Timestamp",
		Layout:          relay.PlaceholderTimestamp + "." + relay.PlaceholderBody,
	}
}

// receiver is one instance of a user's service: a verifier on the shared
// cache, its middleware, and the user's handler, behind its own server.
type receiver struct {
	srv *httptest.Server
}

// processed counts, per event id, how often the user's handler ran.
type processed struct {
	mu    sync.Mutex
	count map[string]int
	fail  map[string]int // event id -> how many more times to answer 500
}

func newProcessed() *processed {
	return &processed{count: make(map[string]int), fail: make(map[string]int)}
}

func (p *processed) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			ID string `json:"id"`
		}
		body, err := io.ReadAll(r.Body)
		if err != nil || json.Unmarshal(body, &ev) != nil || ev.ID == "" {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		p.count[ev.ID]++
		if p.fail[ev.ID] > 0 {
			p.fail[ev.ID]--
			http.Error(w, "try later", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

func (p *processed) snapshot() (total int, counts map[string]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	counts = make(map[string]int, len(p.count))
	for k, v := range p.count {
		counts[k] = v
		total += v
	}
	return total, counts
}

// newReceivers starts n instances running p's handler. shared gives them one
// ReplayCache; otherwise each has its own cache and Redis client, as
// separate processes would.
func newReceivers(t *testing.T, n int, shared bool, p *processed) []*receiver {
	t.Helper()
	var one *redisstore.ReplayCache
	if shared {
		one = newReplayCache(t, newClient(t))
	}
	rs := make([]*receiver, n)
	for i := range rs {
		cache := one
		if !shared {
			cache = newReplayCache(t, newClient(t))
		}
		v, err := relay.NewVerifier(voxioScheme(), []relay.Secret{{Value: []byte(relaySecret)}}, relay.WithReplayCache(cache))
		if err != nil {
			t.Fatal(err)
		}
		mw, err := v.Middleware()
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(mw(p.handler()))
		t.Cleanup(srv.Close)
		rs[i] = &receiver{srv: srv}
	}
	return rs
}

// delivery is one signed event as the vendor sends it, and resends it.
type delivery struct {
	id     string
	body   []byte
	header http.Header
}

func signedEvents(t *testing.T, n int) []delivery {
	t.Helper()
	s, err := relay.NewSigner(voxioScheme(), []byte(relaySecret))
	if err != nil {
		t.Fatal(err)
	}
	ds := make([]delivery, n)
	for i := range ds {
		id := fmt.Sprintf("evt-%03d", i)
		body := []byte(fmt.Sprintf(`{"id":%q,"event":"incoming_message","text":"שלום 👋"}`, id))
		ds[i] = delivery{id: id, body: body, header: s.Sign(body)}
	}
	return ds
}

func (d delivery) send(t *testing.T, r *receiver) int {
	req, err := http.NewRequest(http.MethodPost, r.srv.URL, bytes.NewReader(d.body))
	if err != nil {
		t.Error(err)
		return 0
	}
	for k, v := range d.header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		t.Errorf("delivering %s: %v", d.id, err)
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// sendAll sends every (delivery, receiver) pair at once and counts the
// answers by status.
func sendAll(t *testing.T, jobs []func() int) map[int]int {
	t.Helper()
	var (
		mu    sync.Mutex
		codes = make(map[int]int)
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for _, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c := job()
			mu.Lock()
			codes[c]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return codes
}

func wantOnce(t *testing.T, p *processed, ds []delivery) {
	t.Helper()
	total, counts := p.snapshot()
	for _, d := range ds {
		if counts[d.id] != 1 {
			t.Errorf("%s processed %d times, want once", d.id, counts[d.id])
		}
	}
	if total != len(ds) {
		t.Errorf("handler ran %d times, want %d", total, len(ds))
	}
}

// Four instances behind a load balancer receive 200 concurrent deliveries:
// 50 events, each delivered once to every instance (the first delivery and
// three redeliveries). The user's handler runs exactly once per event.
func TestRelayFourInstances(t *testing.T) {
	for _, shared := range []bool{true, false} {
		name := "cache per instance"
		if shared {
			name = "one shared cache"
		}
		t.Run(name, func(t *testing.T) {
			flush(t)
			p := newProcessed()
			rs := newReceivers(t, 4, shared, p)
			ds := signedEvents(t, 50)
			var jobs []func() int
			for i := range 200 {
				d, r := ds[i/4], rs[i%4]
				jobs = append(jobs, func() int { return d.send(t, r) })
			}
			codes := sendAll(t, jobs)
			if codes[http.StatusOK] != 50 || codes[http.StatusUnauthorized] != 150 || len(codes) != 2 {
				t.Errorf("answers %v, want 50 × 200 and 150 × 401 (replay)", codes)
			}
			wantOnce(t, p, ds)
		})
	}
}

// Redis goes away mid-run: deliveries get 503 and are not processed; when
// it is back, the vendor's redeliveries are processed once and those already
// processed before the outage are still refused as replays.
func TestRelayRedisOutage(t *testing.T) {
	flush(t)
	p := newProcessed()
	rs := newReceivers(t, 4, false, p)
	ds := signedEvents(t, 50)
	round := func(from, to, shift int) map[int]int {
		var jobs []func() int
		for i := from; i < to; i++ {
			d, r := ds[i], rs[(i+shift)%4]
			jobs = append(jobs, func() int { return d.send(t, r) })
		}
		return sendAll(t, jobs)
	}

	if codes := round(0, 20, 0); codes[http.StatusOK] != 20 {
		t.Fatalf("before the outage: %v, want 20 × 200", codes)
	}

	// keep: the data survives, as behind a network cut or with persistence.
	stopRedis(t, true)
	start := time.Now()
	if codes := round(0, 50, 1); codes[http.StatusServiceUnavailable] != 50 {
		t.Fatalf("during the outage: %v, want 50 × 503", codes)
	}
	if d := time.Since(start); d > 2*redisstore.DefaultTimeout+time.Second {
		t.Errorf("503s took %v", d)
	}
	if total, _ := p.snapshot(); total != 20 {
		t.Fatalf("handler ran %d times during the outage, want 20 (before it)", total)
	}

	startRedis(t)
	// The vendor redelivers what got 503 until it gets an answer. go-redis
	// fails fast after repeated dial errors and probes the server in the
	// background, so the first redeliveries may still get 503.
	final := make(map[int]int)
	pending := ds
	for deadline := time.Now().Add(10 * time.Second); len(pending) > 0 && time.Now().Before(deadline); {
		var (
			mu    sync.Mutex
			again []delivery
			jobs  []func() int
		)
		for i, d := range pending {
			r := rs[(i+2)%4]
			jobs = append(jobs, func() int {
				c := d.send(t, r)
				mu.Lock()
				defer mu.Unlock()
				if c == http.StatusServiceUnavailable {
					again = append(again, d)
				} else {
					final[c]++
				}
				return c
			})
		}
		sendAll(t, jobs)
		pending = again
		if len(pending) > 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if len(pending) > 0 || final[http.StatusOK] != 30 || final[http.StatusUnauthorized] != 20 {
		t.Fatalf("after the outage: %v and %d still 503, want 30 × 200 and 20 × 401", final, len(pending))
	}
	// And every later redelivery is a replay.
	if codes := round(0, 50, 3); codes[http.StatusUnauthorized] != 50 {
		t.Fatalf("redeliveries: %v, want 50 × 401", codes)
	}
	wantOnce(t, p, ds)
}

// A delivery whose handler fails (5xx) is forgotten in Redis, so the
// vendor's retry is processed by whichever instance receives it.
func TestRelayReleaseAcrossInstances(t *testing.T) {
	flush(t)
	p := newProcessed()
	rs := newReceivers(t, 2, false, p)
	d := signedEvents(t, 1)[0]
	p.fail[d.id] = 1
	if c := d.send(t, rs[0]); c != http.StatusInternalServerError {
		t.Fatalf("first delivery: %d, want 500", c)
	}
	if c := d.send(t, rs[1]); c != http.StatusOK {
		t.Fatalf("retry on another instance: %d, want 200", c)
	}
	if c := d.send(t, rs[0]); c != http.StatusUnauthorized {
		t.Fatalf("second retry: %d, want 401", c)
	}
	if _, counts := p.snapshot(); counts[d.id] != 2 {
		t.Fatalf("handler ran %d times, want 2 (failed, then done)", counts[d.id])
	}
}
