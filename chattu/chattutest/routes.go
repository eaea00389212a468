package chattutest

import (
	"crypto/subtle"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/chattu"
)

// access is how a request authenticated.
type access struct {
	session  bool
	clientID string // set when the API key is a client's own key
}

// authKind is what an endpoint accepts.
type authKind int

const (
	byAPIKey authKind = iota
	bySession
	byEither
	byBody // reset-api-key: the key travels in the body
)

type bucket struct {
	name  string
	limit int
	per   time.Duration
}

var (
	apiBucket       = bucket{"api", APILimit, 15 * time.Minute}
	chatBucket      = bucket{"chat", ChatLimit, time.Minute}
	sensitiveBucket = bucket{"sensitive", SensitiveLimit, time.Hour}
	deleteBucket    = bucket{"delete", DeleteLimit, 15 * time.Minute}
)

// keyNotUsed is the sandbox's answer (400) to an x-api-key header sent to
// an endpoint whose docs show none: the session-only endpoints, and
// reset-api-key, which carries its key in the body. Chattu itself would
// ignore the header; the sandbox refuses it so that a client sending its
// key where it is not used fails its tests instead of leaking the key in
// production.
const keyNotUsed = "Sandbox: x-api-key is not used by this endpoint (its docs show no such header); do not send the API key here."

type handlerFunc func(w http.ResponseWriter, r *http.Request, a access)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, kind authKind, buckets []bucket, fn handlerFunc) {
		mux.HandleFunc(pattern, s.wrap(kind, buckets, fn))
	}
	api := []bucket{apiBucket}
	chatB := []bucket{chatBucket}

	h("POST /api/add-number", byAPIKey, api, s.addNumber)
	h("GET /api/clients", byAPIKey, api, s.listClients)
	h("GET /api/qr/{clientId}", byAPIKey, api, s.qr)
	h("POST /api/update-webhook", byAPIKey, api, s.updateWebhook)
	h("DELETE /clients/{clientId}", bySession, []bucket{sensitiveBucket, deleteBucket}, s.deleteClient)

	h("POST /api/send-message", byAPIKey, api, s.sendMessage)
	h("GET /api/sent-messages", byAPIKey, api, s.sentMessages)
	h("GET /api/received-messages/{clientId}", byAPIKey, api, s.receivedMessages)

	h("POST /schedule-message", bySession, nil, s.scheduleMessage)
	h("GET /scheduled-messages", bySession, nil, s.scheduledMessages)
	h("DELETE /scheduled-messages/{id}", bySession, []bucket{deleteBucket}, s.cancelScheduled)

	h("GET /api/profile", byAPIKey, api, s.profile)
	h("POST /api/reset-api-key", byBody, []bucket{apiBucket, sensitiveBucket}, s.resetAPIKey)

	h("GET /api/incoming-calls/{clientId}", byAPIKey, api, s.incomingCalls)
	h("GET /api/call-logs", byAPIKey, api, s.callLogs)
	h("GET /api/logs", byAPIKey, api, s.appLogs)

	h("GET /api/chats/{clientId}", bySession, chatB, s.chats)
	h("GET /api/chats/{clientId}/{a}/{b}", bySession, chatB, s.chatGet) // :chatId/messages and media/:messageId
	h("POST /api/chats/{clientId}/{chatId}/send", bySession, chatB, s.chatSend)
	h("POST /api/chats/{clientId}/{chatId}/read", bySession, chatB, s.chatRead)

	h("GET /api/groups/{clientId}", byEither, api, s.groups)
	h("POST /api/send-group-message", byAPIKey, api, s.sendGroupMessage)
	h("POST /api/groups/{clientId}/{groupId}/send", bySession, chatB, s.sessionGroupSend)

	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "Not found"})
	})
	return mux
}

// wrap applies, in Chattu's order, the schedules that came due, the rate
// limiters, then authentication. A request that passes them but carries an
// x-api-key header to an endpoint whose docs show none is refused (see
// keyNotUsed).
func (s *Server) wrap(kind authKind, buckets []bucket, fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.RunDue()
		if !s.allow(w, buckets) {
			return
		}
		var a access
		switch kind {
		case byAPIKey:
			var ok bool
			if a, ok = s.checkKey(r); !ok {
				fail(w, http.StatusUnauthorized, chattu.CodeAuthError, "Invalid or missing API key")
				return
			}
		case bySession:
			if !s.checkSession(r) {
				writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "Authentication required. Please log in to the dashboard."})
				return
			}
			a.session = true
		case byEither:
			if s.checkSession(r) {
				a.session = true
			} else {
				var ok bool
				if a, ok = s.checkKey(r); !ok {
					fail(w, http.StatusUnauthorized, chattu.CodeAuthError, "Invalid or missing API key")
					return
				}
			}
		}
		if (kind == bySession || kind == byBody) && len(r.Header.Values("X-Api-Key")) > 0 {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": keyNotUsed})
			return
		}
		fn(w, r, a)
	}
}

func (s *Server) checkKey(r *http.Request) (access, bool) {
	vals := r.Header.Values("X-Api-Key")
	if len(vals) != 1 || vals[0] == "" {
		return access{}, false
	}
	key := []byte(vals[0])
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.apiKeys {
		if subtle.ConstantTimeCompare(key, []byte(k)) == 1 {
			return access{}, true
		}
	}
	for _, c := range s.clients {
		if subtle.ConstantTimeCompare(key, []byte(c.APIKey)) == 1 {
			return access{clientID: c.ClientID}, true
		}
	}
	return access{}, false
}

// checkSession accepts a request carrying every cookie of the configured
// session.
func (s *Server) checkSession(r *http.Request) bool {
	want, err := http.ParseCookie(s.cookie)
	if err != nil || len(want) == 0 {
		return false
	}
	for _, wc := range want {
		got, err := r.Cookie(wc.Name)
		if err != nil || subtle.ConstantTimeCompare([]byte(got.Value), []byte(wc.Value)) != 1 {
			return false
		}
	}
	return true
}

// allow counts the request in every bucket, or answers 429 when one is
// full (counting nothing).
func (s *Server) allow(w http.ResponseWriter, buckets []bucket) bool {
	if !s.rateLimits || len(buckets) == 0 {
		return true
	}
	s.mu.Lock()
	now := s.nowLocked()
	var wait time.Duration
	for _, b := range buckets {
		win := s.windows[b.name]
		if win == nil || !now.Before(win.start.Add(b.per)) {
			win = &window{start: now}
			s.windows[b.name] = win
		}
		if win.count >= b.limit {
			if d := win.start.Add(b.per).Sub(now); d > wait {
				wait = d
			}
		}
	}
	if wait > 0 {
		s.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": "Too many requests, please try again later."})
		return false
	}
	for _, b := range buckets {
		s.windows[b.name].count++
	}
	s.mu.Unlock()
	return true
}

// clientFor finds a client the caller may use: 404 CLIENT_NOT_FOUND when it
// does not exist, 403 ACCESS_DENIED when a client key names another client.
// It must be called with s.mu held.
func (s *Server) clientFor(w http.ResponseWriter, a access, id string) *client {
	c := s.clients[id]
	if c == nil {
		fail(w, http.StatusNotFound, chattu.CodeClientNotFound, "Client not found")
		return nil
	}
	if a.clientID != "" && a.clientID != id {
		fail(w, http.StatusForbidden, chattu.CodeAccessDenied, "Access denied: this API key belongs to another client")
		return nil
	}
	return c
}

// utf16Len counts characters as JavaScript's String.length does.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func chatIDOf(number string) string {
	return strings.TrimPrefix(number, "+") + "@c.us"
}
