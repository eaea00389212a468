package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// hub keeps the latest drawing of every region and hands the ones that
// change to every connected browser. A slow browser never holds the others
// up: it gets the latest drawing of each region when it catches up, not
// every one in between.
type hub struct {
	mu     sync.Mutex
	last   map[string]string
	subs   map[*subscriber]struct{}
	closed bool
}

type subscriber struct {
	mu      sync.Mutex
	pending map[string]string
	order   []string
	wake    chan struct{}
	done    chan struct{} // closed when the hub closes
}

func newHub() *hub {
	return &hub{last: map[string]string{}, subs: map[*subscriber]struct{}{}}
}

// publish records region's drawing and queues it for every subscriber,
// unless it is the one they already have.
func (h *hub) publish(region, html string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.last[region] == html {
		return
	}
	h.last[region] = html
	for s := range h.subs {
		s.put(region, html)
	}
}

// current returns the latest drawing of region.
func (h *hub) current(region string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last[region]
}

// subscribe adds a subscriber that first receives every region as it is
// now. It returns nil once the hub is closed.
func (h *hub) subscribe() *subscriber {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	s := &subscriber{pending: map[string]string{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
	for _, r := range regions {
		if html, ok := h.last[r]; ok {
			s.put(r, html)
		}
	}
	h.subs[s] = struct{}{}
	return s
}

func (h *hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	delete(h.subs, s)
	h.mu.Unlock()
}

// close ends every subscription.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for s := range h.subs {
		close(s.done)
	}
	h.subs = map[*subscriber]struct{}{}
}

func (s *subscriber) put(region, html string) {
	s.mu.Lock()
	if _, ok := s.pending[region]; !ok {
		s.order = append(s.order, region)
	}
	s.pending[region] = html
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// take returns the queued regions in the order they first changed.
func (s *subscriber) take() (regions, htmls []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.order {
		regions = append(regions, r)
		htmls = append(htmls, s.pending[r])
	}
	s.order, s.pending = nil, map[string]string{}
	return regions, htmls
}

// writeEvent writes one server-sent event whose data is html, one data
// line per line.
func writeEvent(w io.Writer, event, html string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "event: %s\n", event)
	for _, line := range strings.Split(strings.ReplaceAll(html, "\r", ""), "\n") {
		b.WriteString("data: ")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// keepAlive is how often an idle stream sends a comment, so that proxies
// and the browser keep it open.
var keepAlive = 15 * time.Second

// events streams region drawings as server-sent events: every region at
// once, then each one again whenever it changes.
func (d *devServer) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	s := d.hub.subscribe()
	if s == nil {
		http.Error(w, "the dev server is stopping", http.StatusServiceUnavailable)
		return
	}
	defer d.hub.unsubscribe(s)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := io.WriteString(w, "retry: 1000\n\n"); err != nil {
		return
	}
	t := time.NewTicker(keepAlive)
	defer t.Stop()
	for {
		names, htmls := s.take()
		for i := range names {
			if writeEvent(w, names[i], htmls[i]) != nil {
				return
			}
		}
		if rc.Flush() != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-s.wake:
		case <-t.C:
			if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil {
				return
			}
		}
	}
}
