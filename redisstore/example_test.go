package redisstore_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/redisstore"
	"github.com/switchboard-go/switchboard/relay"
)

// Every instance of a webhook receiver behind a load balancer verifies
// deliveries against one Redis, so a redelivery that lands on another
// instance is still refused as a replay. When Redis is down the middleware
// answers 503 and the vendor redelivers later.
func ExampleNewReplayCache() {
	rdb := redis.NewClient(&redis.Options{
		Addr:                  "localhost:6379",
		ContextTimeoutEnabled: true, // let deadlines cut a hung Redis short
	})
	defer rdb.Close()

	replay, err := redisstore.NewReplayCache(rdb)
	if err != nil {
		log.Fatal(err)
	}
	scheme := relay.Scheme{
		SignatureHeader: "X-Voxio-Signature",
		SignaturePrefix: "sha256=",
		TimestampHeader: "X-Voxio-Timestamp",
		Layout:          relay.PlaceholderTimestamp + "." + relay.PlaceholderBody,
	}
	v, err := relay.NewVerifier(scheme,
		[]relay.Secret{{Value: []byte(os.Getenv("VOXIO_RELAY_SECRET"))}},
		relay.WithReplayCache(replay))
	if err != nil {
		log.Fatal(err)
	}
	verify, err := v.Middleware(relay.WithOnError(func(r *http.Request, err error) {
		log.Printf("webhook refused: %v", err) // 503s show redisstore.ErrUnavailable
	}))
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("POST /webhooks/voxio", verify(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Runs once per delivery across every instance.
		w.WriteHeader(http.StatusOK)
	})))
}

// Several applications sharing one Redis keep their deliveries apart with a
// prefix each, and a receiver that must answer fast bounds each Redis call.
func ExampleWithKeyPrefix() {
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379", ContextTimeoutEnabled: true})
	defer rdb.Close()
	replay, err := redisstore.NewReplayCache(rdb,
		redisstore.WithKeyPrefix("billing:prod:replay:"),
		redisstore.WithTimeout(500*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	_ = replay // give it to relay.WithReplayCache
}

// Instances sending with one Chattu API key share its limits through one
// Redis. chattu's limiter calls Reserve and Cancel itself; this is what it
// does with them.
func ExampleLimitStore_Reserve() {
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379", ContextTimeoutEnabled: true})
	defer rdb.Close()
	store, err := redisstore.NewLimitStore(rdb)
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	limits := []chattu.Limit{{Key: "account-fingerprint:api", N: 100, Per: 15 * time.Minute}}
	r, err := store.Reserve(ctx, limits, time.Now(), 10*time.Second)
	switch {
	case err != nil:
		log.Printf("limit store unavailable: %v", err)
		return
	case !r.OK:
		log.Printf("over the limit: next slot in %v", r.Wait)
		return
	}
	select {
	case <-time.After(r.Wait):
		// make the call
	case <-ctx.Done():
		_ = store.Cancel(context.WithoutCancel(ctx), limits, r.ID) // give the slot back
	}
}
