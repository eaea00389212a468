package redisstore_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/switchboard-go/switchboard/redisstore"
	"github.com/switchboard-go/switchboard/relay"
)

// The pair below measures what a receiver pays per delivery for replay
// protection shared through Redis (one round trip to the test's local
// redis-server) against relay's in-memory cache: both verify the signature
// of a 1 KiB body and record it. No target; run them together:
//
//	go test -run '^$' -bench VerifyDedupe -benchmem -count 5 .

// benchPool is how many distinct signed deliveries a benchmark cycles
// through; after each pass it switches to a fresh cache (timer stopped) so
// every Verify is a first delivery.
const benchPool = 4096

func benchDeliveries(b *testing.B) []delivery {
	b.Helper()
	s, err := relay.NewSigner(voxioScheme(), []byte(relaySecret))
	if err != nil {
		b.Fatal(err)
	}
	ds := make([]delivery, benchPool)
	for i := range ds {
		body := bytes.Repeat([]byte(`{"k":"שלום"}`), 1<<10/15+1)[:1<<10]
		copy(body, fmt.Sprintf(`{"id":"%06d"}`, i))
		ds[i] = delivery{body: body, header: s.Sign(body)}
	}
	return ds
}

func benchmarkVerifyDedupe(b *testing.B, newCache func(pass int) relay.ReplayCache) {
	ds := benchDeliveries(b)
	newVerifier := func(pass int) *relay.Verifier {
		v, err := relay.NewVerifier(voxioScheme(), []relay.Secret{{Value: []byte(relaySecret)}}, relay.WithReplayCache(newCache(pass)))
		if err != nil {
			b.Fatal(err)
		}
		return v
	}
	ctx := context.Background()
	v := newVerifier(0)
	b.SetBytes(1 << 10)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		j := i % benchPool
		if j == 0 && i > 0 {
			b.StopTimer()
			v = newVerifier(i / benchPool)
			b.StartTimer()
		}
		if _, err := v.Verify(ctx, ds[j].header, ds[j].body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyDedupeRedis(b *testing.B) {
	flush(b)
	rdb := newClient(b)
	run := fmt.Sprint(b.N) // each b.N round of the framework writes its own keys
	benchmarkVerifyDedupe(b, func(pass int) relay.ReplayCache {
		return newReplayCache(b, rdb, redisstore.WithKeyPrefix(fmt.Sprintf("bench:%s:%d:", run, pass)))
	})
}

func BenchmarkVerifyDedupeMemory(b *testing.B) {
	benchmarkVerifyDedupe(b, func(int) relay.ReplayCache {
		return relay.NewMemoryReplayCache(0, nil)
	})
}
