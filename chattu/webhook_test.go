package chattu

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/wiretest"
	"github.com/switchboard-go/switchboard/relay"
)

const hookKey = "client-api-key-here"

type errLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errLog) add(_ *http.Request, err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}
func (l *errLog) has(target error) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.errs {
		if errors.Is(e, target) {
			return true
		}
	}
	return false
}

func post(t *testing.T, h http.Handler, key string, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/hooks/chattu", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("X-Api-Key", key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestWebhookEvents(t *testing.T) {
	var got []*WebhookEvent
	var mu sync.Mutex
	h, err := NewWebhookHandler([]string{hookKey}, func(ctx context.Context, ev *WebhookEvent) (Reply, error) {
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
		switch ev.Type {
		case EventMessageReceived:
			return Reply{Response: "Thank you for your message! We'll get back to you soon."}, nil
		case EventCallRejected:
			return Reply{RejectionMessage: "מצטער אינני זמין כעת. אנא שלח הודעה ונחזור אליך בהקדם."}, nil
		case EventMessageSent:
			return Reply{}, nil
		}
		return Reply{Message: "Event received."}, nil
	})
	require.NoError(t, err)
	ts := time.UnixMilli(1699123456789).UTC()

	rec := post(t, h, hookKey, wiretest.Fixture(t, "webhook_message_received.json"))
	require.Equal(t, 200, rec.Code)
	assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	// The documented reply, plus the acknowledgment message.
	var doc, ours map[string]any
	require.NoError(t, json.Unmarshal([]byte(wiretest.Fixture(t, "webhook_reply_message.json")), &doc))
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &ours))
	for k, v := range doc {
		assert.Equal(t, v, ours[k], k)
	}
	assert.JSONEq(t, `{"status":"success","message":"Webhook received successfully.","response":"Thank you for your message! We'll get back to you soon."}`, rec.Body.String())

	rec = post(t, h, hookKey, wiretest.Fixture(t, "webhook_call_rejected.json"))
	require.Equal(t, 200, rec.Code)
	var wantCall map[string]any
	require.NoError(t, json.Unmarshal([]byte(wiretest.Fixture(t, "webhook_reply_call.json")), &wantCall))
	assert.JSONEq(t, `{"status":"success","message":"Webhook received successfully.","rejectionMessage":"מצטער אינני זמין כעת. אנא שלח הודעה ונחזור אליך בהקדם."}`, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "מצטער אינני זמין כעת. אנא שלח הודעה ונחזור אליך בהקדם.", "literal UTF-8, no \\u escapes")
	var gotCall map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &gotCall))
	for k, v := range wantCall {
		assert.Equal(t, v, gotCall[k], k)
	}

	rec = post(t, h, hookKey, wiretest.Fixture(t, "webhook_message_sent.json"))
	require.Equal(t, 200, rec.Code)
	assert.JSONEq(t, `{"status":"success","message":"Webhook received successfully."}`, rec.Body.String())

	unknown := `{"event":"group_join","data":{"group":"120363123456789012@g.us","who":["1@c.us"]}}`
	rec = post(t, h, hookKey, unknown)
	require.Equal(t, 200, rec.Code)
	assert.JSONEq(t, `{"status":"success","message":"Event received."}`, rec.Body.String())

	require.Len(t, got, 4)
	assert.Equal(t, &MessageEvent{From: "1234567890", To: "client-id", Body: "Hello, this is a test message", Message: "Hello, this is a test message",
		Timestamp: ts, Type: "received_message"}, got[0].MessageReceived)
	assert.Nil(t, got[0].MessageSent)
	assert.Nil(t, got[0].CallRejected)
	assert.Equal(t, &CallEvent{From: "1234567890", To: "client-id", Timestamp: ts, Type: "call_rejected"}, got[1].CallRejected)
	assert.Equal(t, &MessageEvent{From: "client-id", To: "1234567890", Body: "Hello from the API", Message: "Hello from the API", Timestamp: ts, Type: "sent_message"}, got[2].MessageSent)
	assert.Equal(t, EventType("group_join"), got[3].Type)
	assert.Nil(t, got[3].MessageReceived)
	assert.JSONEq(t, `{"group":"120363123456789012@g.us","who":["1@c.us"]}`, string(got[3].Data))
	assert.Equal(t, unknown, string(got[3].Raw))
}

func TestWebhookUnicodeRoundTrip(t *testing.T) {
	texts := []string{
		"שלום לכולם! זה הודעה בעברית",
		"مرحبا بالعالم",
		"👍⚠️👨‍👩‍👧‍👦 café e\u0301 \u200fRTL\u200e",
		`<b>&"quotes"</b> \ back`,
	}
	for _, txt := range texts {
		var seen string
		h, err := NewWebhookHandler([]string{hookKey}, func(_ context.Context, ev *WebhookEvent) (Reply, error) {
			seen = ev.MessageReceived.Text()
			return Reply{Response: ev.MessageReceived.Body}, nil
		})
		require.NoError(t, err)
		body := `{"event":"message_received","data":{"from":"1234567890","to":"c","body":` + jsonString(txt) + `,"message":` + jsonString(txt) + `,"timestamp":1699123456789,"type":"received_message"}}`
		rec := post(t, h, hookKey, body)
		require.Equal(t, 200, rec.Code)
		assert.Equal(t, txt, seen)
		var reply struct{ Response string }
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &reply))
		assert.Equal(t, txt, reply.Response)
		if !strings.ContainsAny(txt, `"\`) {
			assert.Contains(t, rec.Body.String(), txt, "the bytes travel unescaped")
		}
	}
}

func TestWebhookRejectsBadKey(t *testing.T) {
	var called bool
	log := &errLog{}
	h, err := NewWebhookHandler([]string{hookKey, "rotated-key-2"}, func(context.Context, *WebhookEvent) (Reply, error) {
		called = true
		return Reply{}, nil
	}, WithWebhookOnError(log.add))
	require.NoError(t, err)
	body := wiretest.Fixture(t, "webhook_message_received.json")
	for _, k := range []string{"", "wrong", hookKey + "x", strings.ToUpper(hookKey)} {
		rec := post(t, h, k, body)
		assert.Equal(t, http.StatusUnauthorized, rec.Code, k)
		assert.NotContains(t, rec.Body.String(), hookKey)
	}
	// Two X-Api-Key headers are ambiguous: refused.
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Add("X-Api-Key", hookKey)
	req.Header.Add("X-Api-Key", "wrong")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.False(t, called)
	assert.True(t, log.has(relay.ErrUnauthenticated))
	for _, e := range log.errs {
		assert.NotContains(t, e.Error(), hookKey)
	}
	assert.Equal(t, 200, post(t, h, "rotated-key-2", body).Code)
}

func TestWebhookMalformed(t *testing.T) {
	log := &errLog{}
	h, err := NewWebhookHandler([]string{hookKey}, func(context.Context, *WebhookEvent) (Reply, error) {
		t.Error("callback must not run")
		return Reply{}, nil
	}, WithWebhookOnError(log.add))
	require.NoError(t, err)
	for _, b := range []string{``, `not json`, `[]`, `{}`, `{"event":"message_received"}`, `{"data":{}}`, `{"event":"","data":{}}`,
		`{"event":5,"data":{}}`, `{"event":"message_received","data":null}`, `{"event":"message_received","data":"x"}`,
		`{"event":"message_received","data":{"from":{"x":1}}}`, `{"event":"call_rejected","data":{"isVideo":"perhaps"}}`,
		`{"event":"call_rejected","data":[1]}`, `{"event":"message_sent","data":{"timestamp":"yesterday"}}`, `{"event":"message_received","data":{}`} {
		rec := post(t, h, hookKey, b)
		assert.Equal(t, http.StatusBadRequest, rec.Code, b)
		assert.JSONEq(t, `{"error":"Invalid webhook payload format."}`, rec.Body.String(), b)
	}
	assert.True(t, log.has(ErrMalformedWebhook))
}

func TestWebhookSlowCallbackGetsFallback(t *testing.T) {
	log := &errLog{}
	release := make(chan struct{})
	defer close(release)
	var sawDeadline sync.WaitGroup
	sawDeadline.Add(2)
	h, err := NewWebhookHandler([]string{hookKey}, func(ctx context.Context, ev *WebhookEvent) (Reply, error) {
		<-ctx.Done()
		sawDeadline.Done()
		<-release
		return Reply{Response: "too late"}, nil
	}, WithWebhookTimeout(80*time.Millisecond, 40*time.Millisecond), WithWebhookOnError(log.add),
		WithWebhookFallback(func(ev *WebhookEvent) Reply {
			if ev.Type == EventCallRejected {
				return Reply{RejectionMessage: "אחזור אליך"}
			}
			return Reply{Response: "קיבלנו, נחזור אליך בקרוב 🙏"}
		}))
	require.NoError(t, err)

	start := time.Now()
	rec := post(t, h, hookKey, wiretest.Fixture(t, "webhook_message_received.json"))
	elapsed := time.Since(start)
	assert.Equal(t, 200, rec.Code)
	assert.JSONEq(t, `{"status":"success","message":"Webhook received successfully.","response":"קיבלנו, נחזור אליך בקרוב 🙏"}`, rec.Body.String())
	assert.GreaterOrEqual(t, elapsed, 80*time.Millisecond)
	assert.Less(t, elapsed, time.Second)

	start = time.Now()
	rec = post(t, h, hookKey, wiretest.Fixture(t, "webhook_call_rejected.json"))
	elapsed = time.Since(start)
	assert.JSONEq(t, `{"status":"success","message":"Webhook received successfully.","rejectionMessage":"אחזור אליך"}`, rec.Body.String())
	assert.Less(t, elapsed, 80*time.Millisecond, "calls get the shorter budget")
	sawDeadline.Wait()
	assert.True(t, log.has(ErrCallbackTimeout))
}

func TestWebhookDefaultBudgetsWithinVendorDeadlines(t *testing.T) {
	assert.Less(t, DefaultReplyTimeout, WebhookDeadline)
	assert.Less(t, DefaultCallReplyTimeout, CallWebhookDeadline)
	assert.Equal(t, 5*time.Second, WebhookDeadline)
	assert.Equal(t, 3*time.Second, CallWebhookDeadline)
}

func TestWebhookCallbackFailure(t *testing.T) {
	log := &errLog{}
	h, err := NewWebhookHandler([]string{hookKey}, func(_ context.Context, ev *WebhookEvent) (Reply, error) {
		if ev.Type == EventCallRejected {
			panic("boom")
		}
		return Reply{}, errors.New("database down")
	}, WithWebhookOnError(log.add))
	require.NoError(t, err)
	rec := post(t, h, hookKey, wiretest.Fixture(t, "webhook_message_received.json"))
	assert.Equal(t, 500, rec.Code)
	assert.JSONEq(t, `{"status":"error","message":"Webhook processing failed."}`, rec.Body.String())
	rec = post(t, h, hookKey, wiretest.Fixture(t, "webhook_call_rejected.json"))
	assert.Equal(t, 500, rec.Code)
	assert.JSONEq(t, `{"status":"error","message":"Webhook processing failed."}`, rec.Body.String())
	assert.True(t, log.has(ErrCallbackFailed))
	assert.NotContains(t, rec.Body.String(), "boom")

	// The panic is reported as a *PanicError carrying the value and the
	// stack; its text does not print the value.
	log.mu.Lock()
	defer log.mu.Unlock()
	require.Len(t, log.errs, 2)
	var pe *PanicError
	require.ErrorAs(t, log.errs[1], &pe)
	assert.Equal(t, "boom", pe.Value)
	assert.NotEmpty(t, pe.Stack)
	assert.NotContains(t, log.errs[1].Error(), "boom")
	assert.ErrorIs(t, log.errs[1], ErrCallbackFailed)
	assert.False(t, errors.As(log.errs[0], &pe), "a returned error is no panic")
}

// TestWebhookPanicInFallbackAcknowledges: a fallback that panics still
// leaves Chattu an acknowledgment in time, and the panic is reported.
func TestWebhookPanicInFallbackAcknowledges(t *testing.T) {
	log := &errLog{}
	h, err := NewWebhookHandler([]string{hookKey}, func(ctx context.Context, _ *WebhookEvent) (Reply, error) {
		<-ctx.Done()
		return Reply{Response: "too late"}, nil
	}, WithWebhookTimeout(30*time.Millisecond, 30*time.Millisecond), WithWebhookOnError(log.add),
		WithWebhookFallback(func(*WebhookEvent) Reply { panic("fallback bug") }))
	require.NoError(t, err)
	rec := post(t, h, hookKey, wiretest.Fixture(t, "webhook_message_received.json"))
	assert.Equal(t, 200, rec.Code)
	assert.JSONEq(t, `{"status":"success","message":"Webhook received successfully."}`, rec.Body.String())
	assert.True(t, log.has(ErrCallbackTimeout))
	var pe *PanicError
	log.mu.Lock()
	found := false
	for _, e := range log.errs {
		found = found || errors.As(e, &pe)
	}
	log.mu.Unlock()
	assert.True(t, found, "the fallback's panic is reported")
}

// TestWebhookLateAnswerGetsFallback: a callback that answers only once its
// context has ended is too late, whichever of the two the handler sees
// first: the fallback goes out, every time.
func TestWebhookLateAnswerGetsFallback(t *testing.T) {
	h, err := NewWebhookHandler([]string{hookKey}, func(ctx context.Context, _ *WebhookEvent) (Reply, error) {
		<-ctx.Done()
		return Reply{Response: "late"}, ctx.Err()
	}, WithWebhookTimeout(20*time.Millisecond, 20*time.Millisecond),
		WithWebhookFallback(func(*WebhookEvent) Reply { return Reply{Response: "fallback"} }))
	require.NoError(t, err)
	for i := 0; i < 20; i++ {
		rec := post(t, h, hookKey, wiretest.Fixture(t, "webhook_message_received.json"))
		require.Equal(t, 200, rec.Code)
		assert.JSONEq(t, `{"status":"success","message":"Webhook received successfully.","response":"fallback"}`, rec.Body.String())
	}
}

// TestWebhookSlowBodyGets408: a sender trickling its body one byte every
// 150 ms is cut off at the read deadline with 408, instead of holding the
// request open for as long as it likes.
func TestWebhookSlowBodyGets408(t *testing.T) {
	log := &errLog{}
	h, err := NewWebhookHandler([]string{hookKey}, func(context.Context, *WebhookEvent) (Reply, error) {
		t.Error("callback must not run")
		return Reply{}, nil
	}, WithWebhookReadTimeout(300*time.Millisecond), WithWebhookOnError(log.add))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	body := wiretest.Fixture(t, "webhook_message_received.json")
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < len(body); i++ {
			if _, err := pw.Write([]byte{body[i]}); err != nil {
				return
			}
			time.Sleep(150 * time.Millisecond)
		}
		pw.Close()
	}()
	defer pw.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL, pr)
	req.Header.Set("X-Api-Key", hookKey)
	req.ContentLength = int64(len(body))
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
	assert.Less(t, time.Since(start), 2*time.Second, "cut off at the read deadline, not after the whole body")
	assert.True(t, log.has(ErrReadTimeout))
}

func TestWebhookMethodAndSize(t *testing.T) {
	log := &errLog{}
	h, err := NewWebhookHandler([]string{hookKey}, func(context.Context, *WebhookEvent) (Reply, error) { return Reply{}, nil },
		WithWebhookMaxBody(64), WithWebhookOnError(log.add))
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Api-Key", hookKey)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	assert.Equal(t, "POST", rec.Header().Get("Allow"))

	rec = post(t, h, hookKey, wiretest.Fixture(t, "webhook_message_received.json"))
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	assert.True(t, log.has(ErrBodyTooLarge))
}

func TestWebhookConfigErrors(t *testing.T) {
	fn := func(context.Context, *WebhookEvent) (Reply, error) { return Reply{}, nil }
	for name, build := range map[string]func() (*WebhookHandler, error){
		"no keys":    func() (*WebhookHandler, error) { return NewWebhookHandler(nil, fn) },
		"blank key":  func() (*WebhookHandler, error) { return NewWebhookHandler([]string{"  "}, fn) },
		"empty key":  func() (*WebhookHandler, error) { return NewWebhookHandler([]string{hookKey, ""}, fn) },
		"padded key": func() (*WebhookHandler, error) { return NewWebhookHandler([]string{hookKey + "\n"}, fn) },
		"nil func":   func() (*WebhookHandler, error) { return NewWebhookHandler([]string{hookKey}, nil) },
		"zero timeout": func() (*WebhookHandler, error) {
			return NewWebhookHandler([]string{hookKey}, fn, WithWebhookTimeout(0, time.Second))
		},
		"call too long": func() (*WebhookHandler, error) {
			return NewWebhookHandler([]string{hookKey}, fn, WithWebhookTimeout(time.Second, 4*time.Second))
		},
		"message too long": func() (*WebhookHandler, error) {
			return NewWebhookHandler([]string{hookKey}, fn, WithWebhookTimeout(6*time.Second, time.Second))
		},
		"zero body": func() (*WebhookHandler, error) {
			return NewWebhookHandler([]string{hookKey}, fn, WithWebhookMaxBody(0))
		},
		"negative body": func() (*WebhookHandler, error) {
			return NewWebhookHandler([]string{hookKey}, fn, WithWebhookMaxBody(-1))
		},
		"zero read timeout": func() (*WebhookHandler, error) {
			return NewWebhookHandler([]string{hookKey}, fn, WithWebhookReadTimeout(0))
		},
		"negative read timeout": func() (*WebhookHandler, error) {
			return NewWebhookHandler([]string{hookKey}, fn, WithWebhookReadTimeout(-time.Second))
		},
	} {
		h, err := build()
		assert.Nil(t, h, name)
		assert.ErrorIs(t, err, relay.ErrConfig, name)
		if err != nil {
			assert.True(t, strings.HasPrefix(err.Error(), "chattu: "), "%s: %v", name, err)
			assert.NotContains(t, err.Error(), hookKey, name)
		}
	}
	// Nil options are skipped; good values build.
	h, err := NewWebhookHandler([]string{hookKey}, fn, nil, WithWebhookReadTimeout(time.Second), WithWebhookMaxBody(1<<10),
		WithWebhookTimeout(time.Second, time.Second), WithWebhookFallback(nil), WithWebhookOnError(nil))
	require.NoError(t, err)
	assert.NotNil(t, h)
}

func TestParseWebhookLenient(t *testing.T) {
	ev, err := ParseWebhook([]byte(`{"event":"call_rejected","data":{"from":1234567890,"to":"c","isVideo":"1","timestamp":"1699123456789","type":"call_rejected"}}`))
	require.NoError(t, err)
	assert.Equal(t, "1234567890", ev.CallRejected.From)
	assert.True(t, ev.CallRejected.IsVideo)
	assert.Equal(t, time.UnixMilli(1699123456789).UTC(), ev.CallRejected.Timestamp)
	m := &MessageEvent{Message: "only message"}
	assert.Equal(t, "only message", m.Text())
}

func FuzzDecodeWebhook(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseWebhook(b)
		if err == nil && ev.Type == "" {
			t.Fatal("event without a type")
		}
		if err != nil && !errors.Is(err, ErrMalformedWebhook) {
			t.Fatalf("untyped error %v", err)
		}
	})
}

// TestWebhookSlowErrorHookDoesNotDelayReply: the fallback reply reaches
// Chattu before the (slow) error hook runs.
func TestWebhookSlowErrorHookDoesNotDelayReply(t *testing.T) {
	release := make(chan struct{})
	hookDone := make(chan struct{})
	h, err := NewWebhookHandler([]string{hookKey}, func(ctx context.Context, _ *WebhookEvent) (Reply, error) {
		<-ctx.Done()
		return Reply{}, nil
	}, WithWebhookTimeout(40*time.Millisecond, 40*time.Millisecond),
		WithWebhookFallback(func(*WebhookEvent) Reply { return Reply{Response: "fallback"} }),
		WithWebhookOnError(func(*http.Request, error) {
			<-release // a remote logger that hangs
			close(hookDone)
		}))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(wiretest.Fixture(t, "webhook_message_received.json")))
	req.Header.Set("X-Api-Key", hookKey)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var reply struct{ Response string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&reply))
	assert.Equal(t, "fallback", reply.Response)
	assert.Less(t, time.Since(start), 500*time.Millisecond, "the reply did not wait for the error hook")
	close(release)
	<-hookDone
	resp.Body.Close()
}

// TestWebhookReplyFieldsPerEvent: only the fields the docs give each event
// go out (response for message_received, rejectionMessage for
// call_rejected, neither for message_sent or an undocumented event); a
// field set for the wrong event is dropped and reported to the error hook
// with a typed error naming it, never its text.
func TestWebhookReplyFieldsPerEvent(t *testing.T) {
	both := Reply{Response: "auto-reply text", RejectionMessage: "rejection text"}
	unknown := `{"event":"group_join","data":{"group":"120363123456789012@g.us"}}`
	cases := []struct {
		name    string
		body    string
		reply   Reply
		want    string
		event   EventType
		dropped []string
	}{
		{"message_received takes response", wiretest.Fixture(t, "webhook_message_received.json"), both,
			`{"status":"success","message":"Webhook received successfully.","response":"auto-reply text"}`,
			EventMessageReceived, []string{"rejectionMessage"}},
		{"call_rejected takes rejectionMessage", wiretest.Fixture(t, "webhook_call_rejected.json"), both,
			`{"status":"success","message":"Webhook received successfully.","rejectionMessage":"rejection text"}`,
			EventCallRejected, []string{"response"}},
		{"message_sent takes neither", wiretest.Fixture(t, "webhook_message_sent.json"), both,
			`{"status":"success","message":"Webhook received successfully."}`,
			EventMessageSent, []string{"response", "rejectionMessage"}},
		{"message_sent with a response only", wiretest.Fixture(t, "webhook_message_sent.json"), Reply{Response: "auto-reply text", Message: "ok"},
			`{"status":"success","message":"ok"}`, EventMessageSent, []string{"response"}},
		{"undocumented event takes neither", unknown, Reply{RejectionMessage: "rejection text", Message: "Event received."},
			`{"status":"success","message":"Event received."}`, "group_join", []string{"rejectionMessage"}},
		{"fields that apply are not reported", wiretest.Fixture(t, "webhook_message_received.json"), Reply{Response: "auto-reply text"},
			`{"status":"success","message":"Webhook received successfully.","response":"auto-reply text"}`, EventMessageReceived, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			log := &errLog{}
			h, err := NewWebhookHandler([]string{hookKey}, func(context.Context, *WebhookEvent) (Reply, error) { return tc.reply, nil },
				WithWebhookOnError(log.add))
			require.NoError(t, err)
			rec := post(t, h, hookKey, tc.body)
			require.Equal(t, 200, rec.Code)
			assert.JSONEq(t, tc.want, rec.Body.String())
			if tc.dropped == nil {
				assert.Empty(t, log.errs)
				return
			}
			require.Len(t, log.errs, 1)
			err = log.errs[0]
			assert.ErrorIs(t, err, ErrReplyNotApplicable)
			var fe *ReplyFieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.event, fe.Event)
			assert.Equal(t, tc.dropped, fe.Fields)
			assert.False(t, fe.Fallback)
			for _, f := range tc.dropped {
				assert.Contains(t, err.Error(), f)
			}
			assert.NotContains(t, err.Error(), "text", "the reply's text is not repeated")
			assert.False(t, errors.Is(err, ErrCallbackFailed), "the call was answered")
		})
	}
}

// TestWebhookFallbackReplyFieldsPerEvent: the fallback's reply follows the
// same rule; the misuse is reported after the timeout, marked as the
// fallback's.
func TestWebhookFallbackReplyFieldsPerEvent(t *testing.T) {
	log := &errLog{}
	h, err := NewWebhookHandler([]string{hookKey}, func(ctx context.Context, _ *WebhookEvent) (Reply, error) {
		<-ctx.Done()
		return Reply{}, ctx.Err()
	}, WithWebhookTimeout(30*time.Millisecond, 30*time.Millisecond), WithWebhookOnError(log.add),
		WithWebhookFallback(func(*WebhookEvent) Reply { return Reply{Response: "We got your message"} }))
	require.NoError(t, err)
	rec := post(t, h, hookKey, wiretest.Fixture(t, "webhook_call_rejected.json"))
	require.Equal(t, 200, rec.Code)
	assert.JSONEq(t, `{"status":"success","message":"Webhook received successfully."}`, rec.Body.String(),
		"no response on a call: Chattu sends its default rejection")
	assert.True(t, log.has(ErrCallbackTimeout))
	require.True(t, log.has(ErrReplyNotApplicable))
	var fe *ReplyFieldError
	for _, e := range log.errs {
		errors.As(e, &fe)
	}
	require.NotNil(t, fe)
	assert.Equal(t, &ReplyFieldError{Event: EventCallRejected, Fields: []string{"response"}, Fallback: true}, fe)
	assert.Contains(t, fe.Error(), "fallback reply field response")
}
