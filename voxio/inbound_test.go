package voxio_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/relay"
	"github.com/switchboard-go/switchboard/voxio"
)

const (
	relaySecret = "whsec-relay-3f8a9c1d"
	acctID      = "cid-active-77"
	acctSecret  = "csecret-active-99aa"
)

var relayNow = time.Unix(1781595000, 0)

type relayHarness struct {
	h      *voxio.RelayHandler
	signer *relay.Signer
	mu     sync.Mutex
	events []voxio.Event
	errs   []error
	fail   error
}

// newRelayHarness builds a handler on the relay clock that records events
// and reported errors; mod changes the secrets, opts add options.
func newRelayHarness(t *testing.T, mod func(*voxio.RelayConfig), opts ...voxio.RelayOption) *relayHarness {
	t.Helper()
	hr := &relayHarness{}
	cfg := voxio.RelayConfig{RelaySecret: relaySecret, ClientID: acctID, ClientSecret: acctSecret}
	if mod != nil {
		mod(&cfg)
	}
	opts = append([]voxio.RelayOption{
		voxio.WithRelayClock(func() time.Time { return relayNow }),
		voxio.WithRelayOnError(hr.onError),
	}, opts...)
	h, err := voxio.NewRelayHandler(cfg, func(_ context.Context, ev voxio.Event) error {
		hr.mu.Lock()
		defer hr.mu.Unlock()
		if hr.fail != nil {
			return hr.fail
		}
		hr.events = append(hr.events, ev)
		return nil
	}, opts...)
	require.NoError(t, err)
	hr.h = h
	s, err := relay.NewSigner(voxio.RelayScheme(), []byte(relaySecret), relay.WithSignerClock(func() time.Time { return relayNow }))
	require.NoError(t, err)
	hr.signer = s
	return hr
}

func (hr *relayHarness) onError(_ *http.Request, err error) {
	hr.mu.Lock()
	hr.errs = append(hr.errs, err)
	hr.mu.Unlock()
}

func (hr *relayHarness) reported() []error {
	hr.mu.Lock()
	defer hr.mu.Unlock()
	return append([]error(nil), hr.errs...)
}

// request builds a delivery as Voxio sends it.
func (hr *relayHarness) request(event string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/voxio/relay", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(voxio.HeaderRelayEvent, event)
	r.Header.Set(voxio.HeaderRelayClientID, acctID)
	r.Header.Set(voxio.HeaderRelayClientSecret, acctSecret)
	for k, v := range hr.signer.Sign(body) {
		r.Header[k] = v
	}
	return r
}

func (hr *relayHarness) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	hr.h.ServeHTTP(w, r)
	return w
}

func TestRelayIncomingMessageDocsSample(t *testing.T) {
	hr := newRelayHarness(t, nil)
	body := fixture(t, "relay_incoming_message.json")
	w := hr.serve(hr.request("incoming_message", body))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.JSONEq(t, `{"ok":true,"event":"incoming_message"}`, w.Body.String())
	require.Len(t, hr.events, 1)
	ev, ok := hr.events[0].(*voxio.IncomingMessage)
	require.True(t, ok, "%T", hr.events[0])
	assert.Equal(t, voxio.EventIncomingMessage, ev.EventName())
	assert.Equal(t, "whatsapp", ev.Channel)
	assert.Equal(t, int64(11), ev.UserID)
	assert.Equal(t, int64(24), ev.WhatsAppAccountID)
	assert.Equal(t, int64(101), ev.Conversation.ID)
	assert.Equal(t, voxio.ConversationStatusUnknown, ev.Conversation.Status)
	assert.Equal(t, "open", ev.Conversation.StatusText)
	assert.Equal(t, int64(55), ev.Contact.ID)
	assert.Equal(t, "Customer Name", ev.Contact.Name)
	assert.Equal(t, "Customer Name", ev.Contact.FullName())
	assert.Equal(t, "628123456789", ev.Contact.Mobile)
	assert.Equal(t, int64(9001), ev.Message.ID)
	assert.Equal(t, int64(101), ev.Message.ConversationID)
	assert.Equal(t, "text", ev.Message.Type)
	assert.Equal(t, "Hello", ev.Message.Text)
	assert.Equal(t, "inbound", ev.Message.Direction)
	assert.Equal(t, "wamid.xxx", ev.Message.ProviderMessageID)
	assert.True(t, ev.SentAt.Equal(time.Date(2026, 6, 16, 7, 30, 0, 0, time.UTC)))
	assert.True(t, ev.SignedAt.Equal(relayNow))
	assert.Equal(t, acctID, ev.ClientID, "the verified X-Voxio-Client-Id")
	assert.Equal(t, "incoming_message", ev.HeaderEvent)
	assert.Equal(t, voxio.ChannelWhatsApp, ev.Channel)
	assert.Equal(t, voxio.DirectionInbound, ev.Message.Direction)
	assert.Equal(t, body, []byte(ev.Raw()), "the exact signed bytes")
}

func TestRelayHebrewAndStatus(t *testing.T) {
	hr := newRelayHarness(t, nil)
	w := hr.serve(hr.request("incoming_message", fixture(t, "relay_incoming_message_hebrew.json")))
	require.Equal(t, http.StatusOK, w.Code)
	w = hr.serve(hr.request("message_status", fixture(t, "relay_message_status.json")))
	require.Equal(t, http.StatusOK, w.Code)
	require.Len(t, hr.events, 2)
	in := hr.events[0].(*voxio.IncomingMessage)
	assert.Equal(t, "שלום! אפשר לקבל הצעת מחיר? 🙏🏽", in.Message.Text)
	assert.Equal(t, "דנה כהן", in.Contact.Name)
	assert.Equal(t, int64(102), in.Conversation.ID)
	assert.Equal(t, int64(24), in.WhatsAppAccountID)
	st := hr.events[1].(*voxio.MessageStatusEvent)
	assert.Equal(t, voxio.MessageDelivered, st.Status)
	assert.Equal(t, int64(456), st.Message.ID)
	assert.Equal(t, "wamid.yyy", st.Message.ProviderMessageID)
}

func TestRelayUnknownEventIsHandedOverRaw(t *testing.T) {
	hr := newRelayHarness(t, nil)
	body := []byte(`{"event":"contact_blocked","contact":{"id":5},"extra":{"ñ":"✓"}}`)
	w := hr.serve(hr.request("contact_blocked", body))
	require.Equal(t, http.StatusOK, w.Code)
	ev, ok := hr.events[0].(*voxio.UnknownEvent)
	require.True(t, ok)
	assert.Equal(t, "contact_blocked", ev.EventName())
	assert.Equal(t, body, []byte(ev.Info().Raw()))

	// No event in the payload: the header names it.
	body = []byte(`{"something":1}`)
	w = hr.serve(hr.request("new_thing", body))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "new_thing", hr.events[1].EventName())
}

func TestRelayPayloadEventWinsOverUnsignedHeader(t *testing.T) {
	hr := newRelayHarness(t, nil)
	w := hr.serve(hr.request("message_status", fixture(t, "relay_incoming_message.json")))
	require.Equal(t, http.StatusOK, w.Code)
	ev, ok := hr.events[0].(*voxio.IncomingMessage)
	require.True(t, ok)
	assert.Equal(t, voxio.EventIncomingMessage, ev.Event)
	assert.Equal(t, voxio.EventMessageStatus, ev.HeaderEvent, "the unsigned header is kept, for logging a mismatch")
}

func TestRelayRejections(t *testing.T) {
	body := fixture(t, "relay_incoming_message.json")
	cases := []struct {
		name   string
		mutate func(hr *relayHarness, r *http.Request) *http.Request
		status int
		is     error
	}{
		{"tampered body", func(hr *relayHarness, r *http.Request) *http.Request {
			r2 := hr.request("incoming_message", bytes.Replace(body, []byte("Hello"), []byte("Hellp"), 1))
			r2.Header[voxio.HeaderRelaySignature] = r.Header[voxio.HeaderRelaySignature]
			return r2
		}, 401, relay.ErrNoMatchingSignature},
		{"signed with the client secret instead of the relay secret", func(hr *relayHarness, r *http.Request) *http.Request {
			s, _ := relay.NewSigner(voxio.RelayScheme(), []byte(acctSecret), relay.WithSignerClock(func() time.Time { return relayNow }))
			for k, v := range s.Sign(body) {
				r.Header[k] = v
			}
			return r
		}, 401, relay.ErrNoMatchingSignature},
		{"stale", func(hr *relayHarness, r *http.Request) *http.Request {
			for k, v := range hr.signer.SignAt(relayNow.Add(-301*time.Second), body) {
				r.Header[k] = v
			}
			return r
		}, 401, relay.ErrTooOld},
		{"future", func(hr *relayHarness, r *http.Request) *http.Request {
			for k, v := range hr.signer.SignAt(relayNow.Add(301*time.Second), body) {
				r.Header[k] = v
			}
			return r
		}, 401, relay.ErrTooNew},
		{"milliseconds timestamp", func(hr *relayHarness, r *http.Request) *http.Request {
			for k, v := range hr.signer.SignWithTimestamp(strconv.FormatInt(relayNow.UnixMilli(), 10), body) {
				r.Header[k] = v
			}
			return r
		}, 401, relay.ErrTooNew},
		{"wrong client secret", func(hr *relayHarness, r *http.Request) *http.Request {
			r.Header.Set(voxio.HeaderRelayClientSecret, acctSecret+"x")
			return r
		}, 401, relay.ErrUnauthenticated},
		{"wrong client id", func(hr *relayHarness, r *http.Request) *http.Request {
			r.Header.Set(voxio.HeaderRelayClientID, "someone-else")
			return r
		}, 401, relay.ErrUnauthenticated},
		{"id and secret swapped", func(hr *relayHarness, r *http.Request) *http.Request {
			r.Header.Set(voxio.HeaderRelayClientID, acctSecret)
			r.Header.Set(voxio.HeaderRelayClientSecret, acctID)
			return r
		}, 401, relay.ErrUnauthenticated},
		{"missing client secret", func(hr *relayHarness, r *http.Request) *http.Request {
			r.Header.Del(voxio.HeaderRelayClientSecret)
			return r
		}, 401, relay.ErrUnauthenticated},
		{"client secret twice", func(hr *relayHarness, r *http.Request) *http.Request {
			r.Header.Add(voxio.HeaderRelayClientSecret, "other")
			return r
		}, 401, relay.ErrUnauthenticated},
		{"missing signature", func(hr *relayHarness, r *http.Request) *http.Request {
			r.Header.Del(voxio.HeaderRelaySignature)
			return r
		}, 400, relay.ErrMissingHeader},
		{"missing timestamp", func(hr *relayHarness, r *http.Request) *http.Request {
			r.Header.Del(voxio.HeaderRelayTimestamp)
			return r
		}, 400, relay.ErrMissingHeader},
		{"signature without prefix", func(hr *relayHarness, r *http.Request) *http.Request {
			r.Header.Set(voxio.HeaderRelaySignature, strings.TrimPrefix(r.Header.Get(voxio.HeaderRelaySignature), "sha256="))
			return r
		}, 400, relay.ErrMalformedHeader},
		{"oversize", func(hr *relayHarness, r *http.Request) *http.Request {
			big := append([]byte(`{"event":"incoming_message","pad":"`), bytes.Repeat([]byte("א"), 600<<10)...)
			big = append(big, `"}`...)
			return hr.request("incoming_message", big)
		}, 413, voxio.ErrBodyTooLarge},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			hr := newRelayHarness(t, nil)
			r := tt.mutate(hr, hr.request("incoming_message", body))
			w := hr.serve(r)
			assert.Equal(t, tt.status, w.Code)
			assert.Empty(t, hr.events, "the callback must not run")
			require.NotEmpty(t, hr.errs)
			assert.ErrorIs(t, hr.errs[0], tt.is)
			for _, e := range hr.errs {
				assert.NotContains(t, e.Error(), acctSecret)
				assert.NotContains(t, e.Error(), relaySecret)
			}
			assert.NotContains(t, w.Body.String(), "signature", "the answer does not say which check failed")
		})
	}
}

func TestRelayReplayIsAcknowledgedOnce(t *testing.T) {
	hr := newRelayHarness(t, nil)
	body := fixture(t, "relay_incoming_message.json")
	first := hr.request("incoming_message", body)
	replay := hr.request("incoming_message", body) // same bytes, same signature
	require.Equal(t, first.Header.Get(voxio.HeaderRelaySignature), replay.Header.Get(voxio.HeaderRelaySignature))

	require.Equal(t, http.StatusOK, hr.serve(first).Code)
	w := hr.serve(replay)
	assert.Equal(t, http.StatusOK, w.Code, "a duplicate is acknowledged so Voxio stops retrying")
	assert.JSONEq(t, `{"ok":true,"duplicate":true}`, w.Body.String())
	assert.Len(t, hr.events, 1, "the callback saw the delivery once")
	require.Len(t, hr.errs, 1)
	assert.ErrorIs(t, hr.errs[0], relay.ErrReplay)
}

func TestRelayCallbackFailureAllowsRetry(t *testing.T) {
	hr := newRelayHarness(t, nil)
	body := fixture(t, "relay_incoming_message.json")
	hr.fail = errors.New("database down")
	w := hr.serve(hr.request("incoming_message", body))
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.NotContains(t, w.Body.String(), "database")
	hr.fail = nil
	w = hr.serve(hr.request("incoming_message", body))
	assert.Equal(t, http.StatusOK, w.Code, "Voxio's retry of the failed delivery is processed")
	assert.Len(t, hr.events, 1)
}

// TestRelayCallbackPanicReleases: a panic in the callback is a callback
// failure, as the doc says: answered 500, reported as *PanicError, never a
// crash, and the delivery is forgotten so Voxio's retry is processed.
func TestRelayCallbackPanicReleases(t *testing.T) {
	hr := newRelayHarness(t, nil)
	body := fixture(t, "relay_incoming_message.json")
	panicking := true
	var calls int
	h, err := voxio.NewRelayHandler(voxio.RelayConfig{RelaySecret: relaySecret, ClientID: acctID, ClientSecret: acctSecret},
		func(context.Context, voxio.Event) error {
			calls++
			if panicking {
				panic("boom " + acctSecret)
			}
			return nil
		}, voxio.WithRelayClock(func() time.Time { return relayNow }), voxio.WithRelayOnError(hr.onError))
	require.NoError(t, err)
	w := httptest.NewRecorder()
	assert.NotPanics(t, func() { h.ServeHTTP(w, hr.request("incoming_message", body)) })
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.NotContains(t, w.Body.String(), "boom")
	errs := hr.reported()
	require.Len(t, errs, 1)
	var pe *voxio.PanicError
	require.ErrorAs(t, errs[0], &pe)
	assert.Equal(t, "boom "+acctSecret, pe.Value)
	assert.NotEmpty(t, pe.Stack)
	assert.NotContains(t, errs[0].Error(), acctSecret, "the panic value is not printed")

	panicking = false
	w = httptest.NewRecorder()
	h.ServeHTTP(w, hr.request("incoming_message", body))
	assert.Equal(t, http.StatusOK, w.Code, "Voxio's retry of the delivery is processed")
	assert.Equal(t, 2, calls)
}

// TestRelayCallbackTimeout: a callback past its deadline is answered 500
// at the deadline, its context is cancelled, and the delivery is forgotten.
func TestRelayCallbackTimeout(t *testing.T) {
	hr := newRelayHarness(t, nil)
	body := fixture(t, "relay_incoming_message.json")
	release := make(chan struct{})
	lateErr := make(chan error, 1)
	slow := true
	h, err := voxio.NewRelayHandler(voxio.RelayConfig{RelaySecret: relaySecret, ClientID: acctID, ClientSecret: acctSecret},
		func(ctx context.Context, _ voxio.Event) error {
			if !slow {
				return nil
			}
			<-release // a callback that does not watch its context
			lateErr <- ctx.Err()
			return nil
		}, voxio.WithRelayClock(func() time.Time { return relayNow }), voxio.WithRelayOnError(hr.onError), voxio.WithRelayTimeout(50*time.Millisecond))
	require.NoError(t, err)
	start := time.Now()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, hr.request("incoming_message", body))
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.Less(t, time.Since(start), 2*time.Second, "answered at the deadline")
	require.NotEmpty(t, hr.reported())
	assert.ErrorIs(t, hr.reported()[0], voxio.ErrCallbackTimeout)
	close(release)
	select {
	case err := <-lateErr:
		assert.Error(t, err, "the late callback's context was cancelled")
	case <-time.After(2 * time.Second):
		t.Fatal("the late callback did not finish")
	}

	slow = false
	w = httptest.NewRecorder()
	h.ServeHTTP(w, hr.request("incoming_message", body))
	assert.Equal(t, http.StatusOK, w.Code, "the retry is processed")
}

// TestRelaySlowBodyIsCutOff: a sender trickling its body a byte every
// 150 ms (a real server, a real connection) is answered 408 once the read
// timeout passes, instead of holding the request open.
func TestRelaySlowBodyIsCutOff(t *testing.T) {
	hr := newRelayHarness(t, nil, voxio.WithRelayReadTimeout(300*time.Millisecond))
	ts := httptest.NewServer(hr.h)
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	body := fixture(t, "relay_incoming_message.json")
	signed := hr.request("incoming_message", body)
	var head strings.Builder
	fmt.Fprintf(&head, "POST /hooks/voxio HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", ts.Listener.Addr(), len(body))
	for k, vs := range signed.Header {
		for _, v := range vs {
			fmt.Fprintf(&head, "%s: %s\r\n", k, v)
		}
	}
	head.WriteString("\r\n")
	start := time.Now()
	_, err = io.WriteString(conn, head.String())
	require.NoError(t, err)
	answered := make(chan string, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			answered <- err.Error()
			return
		}
		resp.Body.Close()
		answered <- resp.Status
	}()
	for i := 0; i < len(body); i++ {
		select {
		case status := <-answered:
			assert.Equal(t, "408 Request Timeout", status)
			assert.Less(t, time.Since(start), 2*time.Second, "cut off near the read timeout, not after the whole body")
			assert.Empty(t, hr.events)
			require.NotEmpty(t, hr.reported())
			assert.ErrorIs(t, hr.reported()[0], voxio.ErrReadTimeout)
			return
		case <-time.After(150 * time.Millisecond):
		}
		if _, err := conn.Write(body[i : i+1]); err != nil {
			break // the server closed the connection
		}
	}
	select {
	case status := <-answered:
		assert.Equal(t, "408 Request Timeout", status)
		assert.Less(t, time.Since(start), 2*time.Second)
	case <-time.After(2 * time.Second):
		t.Fatal("no answer to a trickling sender")
	}
	require.NotEmpty(t, hr.reported())
	assert.ErrorIs(t, hr.reported()[0], voxio.ErrReadTimeout)
}

func TestRelayBadJSONAfterValidSignature(t *testing.T) {
	hr := newRelayHarness(t, nil)
	w := hr.serve(hr.request("incoming_message", []byte(`["not","an","object"]`)))
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Empty(t, hr.events)
}

func TestRelayMethodNotAllowed(t *testing.T) {
	hr := newRelayHarness(t, nil)
	w := hr.serve(httptest.NewRequest(http.MethodGet, "/voxio/relay", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
	assert.Equal(t, "POST", w.Header().Get("Allow"))
}

func TestRelayRotation(t *testing.T) {
	hr := newRelayHarness(t, func(c *voxio.RelayConfig) {
		c.RelaySecret = "whsec-new-secret-0001"
		c.OldRelaySecrets = []string{relaySecret}
		c.ClientID, c.ClientSecret = "cid-new", "csecret-new-1234"
		c.OldCredentials = []voxio.Credentials{{ClientID: acctID, ClientSecret: acctSecret}}
	})
	// Old relay secret and old credential pair still pass.
	w := hr.serve(hr.request("incoming_message", fixture(t, "relay_incoming_message.json")))
	assert.Equal(t, http.StatusOK, w.Code)
	require.Len(t, hr.events, 1)
	assert.Equal(t, acctID, hr.events[0].Info().ClientID, "the event tells which pair Voxio used")
	// Mixing the new id with the old secret does not.
	r := hr.request("incoming_message", fixture(t, "relay_message_status.json"))
	r.Header.Set(voxio.HeaderRelayClientID, "cid-new")
	assert.Equal(t, http.StatusUnauthorized, hr.serve(r).Code)
}

func TestRelayConfigErrors(t *testing.T) {
	ok := func(context.Context, voxio.Event) error { return nil }
	base := voxio.RelayConfig{RelaySecret: relaySecret, ClientID: acctID, ClientSecret: acctSecret}
	for name, mod := range map[string]func(*voxio.RelayConfig){
		"no relay secret":    func(c *voxio.RelayConfig) { c.RelaySecret = "" },
		"blank relay secret": func(c *voxio.RelayConfig) { c.RelaySecret = "  " },
		"no client id":       func(c *voxio.RelayConfig) { c.ClientID = "" },
		"no client secret":   func(c *voxio.RelayConfig) { c.ClientSecret = "" },
		"padded secret":      func(c *voxio.RelayConfig) { c.ClientSecret = acctSecret + "\n" },
		"blank old pair":     func(c *voxio.RelayConfig) { c.OldCredentials = []voxio.Credentials{{}} },
		"blank old secret":   func(c *voxio.RelayConfig) { c.OldRelaySecrets = []string{" "} },
	} {
		cfg := base
		mod(&cfg)
		_, err := voxio.NewRelayHandler(cfg, ok)
		assert.ErrorIs(t, err, relay.ErrConfig, name)
		require.Error(t, err, name)
		assert.True(t, strings.HasPrefix(err.Error(), "voxio: "), "%s: %v names the vendor", name, err)
		assert.NotContains(t, err.Error(), acctSecret)
	}
	// Options with values that cannot work fail at construction.
	for name, opt := range map[string]voxio.RelayOption{
		"fractional max age":    voxio.WithRelayMaxAge(1500 * time.Millisecond),
		"zero max age":          voxio.WithRelayMaxAge(0),
		"negative max skew":     voxio.WithRelayMaxSkew(-time.Second),
		"negative body cap":     voxio.WithRelayMaxBody(-1),
		"zero body cap":         voxio.WithRelayMaxBody(0),
		"zero read timeout":     voxio.WithRelayReadTimeout(0),
		"negative read timeout": voxio.WithRelayReadTimeout(-time.Second),
		"zero callback timeout": voxio.WithRelayTimeout(0),
		"nil clock":             voxio.WithRelayClock(nil),
		"nil replay cache":      voxio.WithRelayReplayCache(nil),
	} {
		h, err := voxio.NewRelayHandler(base, ok, opt)
		assert.Nil(t, h, name)
		assert.ErrorIs(t, err, relay.ErrConfig, name)
		require.Error(t, err, name)
		assert.True(t, strings.HasPrefix(err.Error(), "voxio: "), "%s: %v names the vendor", name, err)
	}
	h, err := voxio.NewRelayHandler(base, ok, nil, voxio.WithRelayMaxBody(1<<10), voxio.WithRelayTimeout(time.Second))
	require.NoError(t, err, "a nil option is skipped")
	require.NotNil(t, h)
	_, err = voxio.NewRelayHandler(base, nil)
	assert.ErrorIs(t, err, relay.ErrConfig)
	for _, s := range []string{fmt.Sprintf("%v %+v %#v", base, base, base), fmt.Sprint(voxio.Credentials{ClientID: "a", ClientSecret: acctSecret})} {
		assert.NotContains(t, s, acctSecret)
		assert.NotContains(t, s, relaySecret)
	}
}

func TestRelayWindowBoundaries(t *testing.T) {
	hr := newRelayHarness(t, nil, voxio.WithRelayMaxAge(60*time.Second), voxio.WithRelayMaxSkew(5*time.Second))
	body := fixture(t, "relay_incoming_message.json")
	for _, tt := range []struct {
		at   time.Duration
		code int
	}{{-60 * time.Second, 200}, {-61 * time.Second, 401}, {5 * time.Second, 200}, {6 * time.Second, 401}} {
		// Distinct bytes per delivery, so none is a replay of another.
		r := hr.request("incoming_message", append(bytes.Clone(body), bytes.Repeat([]byte(" "), int(tt.at/time.Second)+100)...))
		for k, v := range hr.signer.SignAt(relayNow.Add(tt.at), mustRead(r)) {
			r.Header[k] = v
		}
		assert.Equal(t, tt.code, hr.serve(r).Code, "signed %v from now", tt.at)
	}
}

func mustRead(r *http.Request) []byte {
	var b bytes.Buffer
	_, _ = b.ReadFrom(r.Body)
	r.Body = httpNopCloser{bytes.NewReader(b.Bytes())}
	return b.Bytes()
}

type httpNopCloser struct{ *bytes.Reader }

func (httpNopCloser) Close() error { return nil }

func TestRelayResignedPayloadIsADuplicate(t *testing.T) {
	hr := newRelayHarness(t, nil)
	body := fixture(t, "relay_incoming_message.json")
	require.Equal(t, http.StatusOK, hr.serve(hr.request("incoming_message", body)).Code)
	r := hr.request("incoming_message", body)
	for k, v := range hr.signer.SignAt(relayNow.Add(-10*time.Second), body) {
		r.Header[k] = v
	}
	w := hr.serve(r)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `{"ok":true,"duplicate":true}`, w.Body.String())
	assert.Len(t, hr.events, 1)
	require.Len(t, hr.errs, 1)
	assert.ErrorIs(t, hr.errs[0], relay.ErrReplay)
}

// failingCache stands in for a shared store that is down.
type failingCache struct{}

func (failingCache) Seen(context.Context, string, time.Time) (bool, error) {
	return false, errors.New("redis: connection refused")
}

func TestRelayCacheOutageAsksForARetry(t *testing.T) {
	hr := newRelayHarness(t, nil, voxio.WithRelayReplayCache(failingCache{}))
	w := hr.serve(hr.request("incoming_message", fixture(t, "relay_incoming_message.json")))
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Empty(t, hr.events)
}
