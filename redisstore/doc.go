// Package redisstore keeps the state Switchboard needs to share between
// several instances of a service in Redis: the replay memory of webhook
// receivers (ReplayCache, for relay.Verifier and the vendor handlers built on
// it) and the calls counted against Chattu's rate limits (LimitStore, for
// chattu's client-side limiter).
//
// A single instance needs neither: the in-memory defaults of relay and
// chattu protect one process. Behind a load balancer they do not. A vendor's
// redelivery often lands on another instance, whose memory has never seen
// it, so the user's code runs twice; and instances sending with one Chattu
// key each count only their own calls, so together they exceed Chattu's
// limits. Pointing every instance at one Redis closes both gaps.
//
// It is a separate Go module so that the core module does not depend on a
// Redis client. It needs Redis 6.2 or later (SET ... PXAT, scripts that read
// TIME before writing).
//
// # Failures
//
// Every Redis failure is returned (matching ErrUnavailable and the
// underlying error), never swallowed: relay turns it into a 503 so the vendor
// redelivers later, rather than processing a delivery it cannot deduplicate,
// and chattu's limiter turns it into its own error. Errors never contain a
// key, a signature or a credential.
//
// A store bounds each call with a timeout (DefaultTimeout, see WithTimeout).
// go-redis only applies a context's deadline to socket reads and writes when
// its client is built with ContextTimeoutEnabled: true; without it a Redis
// that accepts connections but does not answer holds each call until the
// client's ReadTimeout. Set it:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true})
//
// By default go-redis retries a refused connection for more than a second
// (DialerRetries, MaxRetries), which the timeout cuts short. After repeated
// dial failures it fails fast and probes the server in the background, so
// calls succeed again within about a second of Redis coming back.
//
// # Restarts
//
// A Redis that restarts without persistence forgets the deliveries it has
// seen, so a redelivery arriving after the restart, within the replay window
// (ten minutes by default), is processed again. Run Redis with persistence
// (appendonly yes) or as a replicated deployment when that matters.
//
// # Redis Cluster
//
// Replay keys are independent, one per delivery. A reservation against
// several Chattu limits runs as one script over one key per limit, so those
// keys must live in one hash slot: the default LimitStore prefix contains a
// hash tag for that reason; keep one in a prefix of your own.
package redisstore
