package redisstore_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-go/switchboard/relay"
	"github.com/switchboard-go/switchboard/voxio"
)

const (
	voxioClientID     = "cid-redis-1"
	voxioClientSecret = "csecret-redis-1"
)

// voxioInstances starts n instances of a service receiving Voxio's relay,
// each with its own Redis connection pool, all on one replay store; the
// callback counts each message id.
func voxioInstances(t *testing.T, n int, tune func(*redis.Options)) ([]*httptest.Server, func() map[int64]int) {
	t.Helper()
	var mu sync.Mutex
	seen := map[int64]int{}
	srvs := make([]*httptest.Server, n)
	for i := range srvs {
		h, err := voxio.NewRelayHandler(voxio.RelayConfig{RelaySecret: relaySecret, ClientID: voxioClientID, ClientSecret: voxioClientSecret},
			func(_ context.Context, ev voxio.Event) error {
				in, ok := ev.(*voxio.IncomingMessage)
				if !ok {
					return fmt.Errorf("unexpected event %T", ev)
				}
				mu.Lock()
				defer mu.Unlock()
				seen[in.Message.ID]++
				return nil
			}, voxio.WithRelayReplayCache(newReplayCache(t, newClientWith(t, tune))))
		if err != nil {
			t.Fatal(err)
		}
		srvs[i] = httptest.NewServer(h)
		t.Cleanup(srvs[i].Close)
	}
	return srvs, func() map[int64]int {
		mu.Lock()
		defer mu.Unlock()
		out := make(map[int64]int, len(seen))
		for k, v := range seen {
			out[k] = v
		}
		return out
	}
}

// voxioDelivery signs one incoming_message as Voxio does, anew on every
// (re)delivery, as Voxio's retries are.
func voxioDelivery(t *testing.T, id int) func(url string) int {
	s, err := relay.NewSigner(voxio.RelayScheme(), []byte(relaySecret))
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(fmt.Sprintf(`{"event":"incoming_message","whatsapp_account_id":24,"contact":{"id":55,"mobile":"972501234567"},"message":{"id":%d,"type":"text","text":"שלום %d 👋","direction":"inbound"}}`, id, id))
	return func(url string) int {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			t.Error(err)
			return 0
		}
		for k, v := range s.Sign(body) {
			req.Header[k] = v
		}
		req.Header.Set(voxio.HeaderRelayEvent, "incoming_message")
		req.Header.Set(voxio.HeaderRelayClientID, voxioClientID)
		req.Header.Set(voxio.HeaderRelayClientSecret, voxioClientSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
}

// TestVoxioHandlersShareOneRedis: four instances of the Voxio relay handler
// behind a load balancer, 200 concurrent deliveries of 50 events, each
// event delivered to every instance: the callback runs exactly 50 times.
func TestVoxioHandlersShareOneRedis(t *testing.T) {
	flush(t)
	srvs, seen := voxioInstances(t, 4, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for id := 1; id <= 50; id++ {
		send := voxioDelivery(t, id)
		for i := range srvs {
			wg.Add(1)
			go func(url string) {
				defer wg.Done()
				c := send(url)
				mu.Lock()
				codes[c]++
				mu.Unlock()
			}(srvs[(id+i)%4].URL)
		}
	}
	wg.Wait()
	if codes[http.StatusOK] != 200 {
		t.Fatalf("answers %v, want 200 × 200 (duplicates are acknowledged)", codes)
	}
	got := seen()
	if len(got) != 50 {
		t.Fatalf("callback saw %d distinct messages, want 50", len(got))
	}
	for id, n := range got {
		if n != 1 {
			t.Errorf("message %d processed %d times", id, n)
		}
	}
}

// TestVoxioHandlersRedisOutage: while Redis is down every delivery gets 503
// and nothing is processed; once it is back, Voxio's redeliveries are
// processed once each and the ones processed before stay duplicates.
func TestVoxioHandlersRedisOutage(t *testing.T) {
	flush(t)
	// Fail fast while Redis is down, as a service would configure it.
	srvs, seen := voxioInstances(t, 4, func(o *redis.Options) { o.MaxRetries = -1; o.DialTimeout = 200 * time.Millisecond })
	sends := make([]func(string) int, 20)
	for i := range sends {
		sends[i] = voxioDelivery(t, 1000+i)
	}
	for i := 0; i < 10; i++ {
		if c := sends[i](srvs[i%4].URL); c != http.StatusOK {
			t.Fatalf("before the outage: %d", c)
		}
	}
	stopRedis(t, true)
	for i := range sends {
		if c := sends[i](srvs[(i+1)%4].URL); c != http.StatusServiceUnavailable {
			t.Fatalf("during the outage: delivery %d got %d, want 503", i, c)
		}
	}
	if n := len(seen()); n != 10 {
		t.Fatalf("%d messages processed during the outage, want the 10 from before", n)
	}
	startRedis(t)
	pending := sends
	for deadline := time.Now().Add(10 * time.Second); len(pending) > 0 && time.Now().Before(deadline); {
		var again []func(string) int
		for i, send := range pending {
			if send(srvs[(i+2)%4].URL) == http.StatusServiceUnavailable {
				again = append(again, send)
			}
		}
		pending = again
		if len(pending) > 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if len(pending) > 0 {
		t.Fatalf("%d deliveries still refused after Redis came back", len(pending))
	}
	got := seen()
	if len(got) != 20 {
		t.Fatalf("processed %d distinct messages, want 20", len(got))
	}
	for id, n := range got {
		if n != 1 {
			t.Errorf("message %d processed %d times", id, n)
		}
	}
}
