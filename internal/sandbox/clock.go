package sandbox

import (
	"sync"
	"time"
)

// Clock is a sandbox's test clock: the real time (or a base the test
// chose), moved forward by Advance. Every time-dependent behaviour of a
// sandbox (message statuses, QR expiry, rate-limit windows, relay
// signatures) reads it, so a test skips ahead instead of sleeping. Its zero
// value follows time.Now. It is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	base   func() time.Time
	offset time.Duration
}

// Now returns the sandbox's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	base, off := c.base, c.offset
	c.mu.Unlock()
	if base == nil {
		base = time.Now
	}
	return base().Add(off)
}

// Advance moves the clock forward by d (backwards for a negative d).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// SetBase makes the clock follow now instead of time.Now; Advance still
// adds to it. A nil now restores time.Now.
func (c *Clock) SetBase(now func() time.Time) {
	c.mu.Lock()
	c.base = now
	c.mu.Unlock()
}
