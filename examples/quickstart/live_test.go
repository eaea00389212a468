package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// TestLiveModeAgainstSandboxes runs -live with the environment pointing at
// the sandboxes, as it would at the vendors: read-only calls, and sends only
// with a recipient.
func TestLiveModeAgainstSandboxes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	vx := voxiotest.NewServer()
	defer vx.Close()
	vt := voitextest.NewServer()
	defer vt.Close()
	ov := ourvoicetest.NewServer()
	defer ov.Close()
	ch := chattutest.NewServer()
	defer ch.Close()

	// A connected Our Voice session and Chattu client to send from.
	oc, err := ov.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	created, err := oc.Sessions.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := ov.Connect(created.Session.ID, "22997000000"); err != nil {
		t.Fatal(err)
	}
	cc, err := chattu.New(ch.URL, chattutest.DefaultAPIKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cc.Clients.AddNumber(ctx, chattu.AddNumberParams{ClientID: "shop", PhoneNumber: "972501234567"}); err != nil {
		t.Fatal(err)
	}
	if err := ch.Scan("shop"); err != nil {
		t.Fatal(err)
	}

	env := map[string]string{
		"VOXIO_CLIENT_ID": voxiotest.DefaultClientID, "VOXIO_CLIENT_SECRET": voxiotest.DefaultClientSecret, "VOXIO_BASE_URL": vx.URL, "VOXIO_MOBILE_CODE": "972",
		"VOITEX_AUTH_KEY": voitextest.DefaultAuthKey, "VOITEX_BASE_URL": vt.URL, "VOITEX_SMS_FROM": "8459511000", "VOITEX_SMS_TO": "8451239876",
		"OURVOICE_TOKEN": ourvoicetest.DefaultToken, "OURVOICE_BASE_URL": ov.BaseURL(), "OURVOICE_SESSION_ID": created.Session.ID,
		"CHATTU_BASE_URL": ch.URL, "CHATTU_API_KEY": chattutest.DefaultAPIKey, "CHATTU_CLIENT_ID": "shop",
	}
	getenv := func(k string) string { return env[k] }

	var out bytes.Buffer
	if err := runLive(ctx, &out, liveConfig{env: getenv}); err != nil {
		t.Fatalf("read-only live run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"contacts:", "templates:", "sessions: 1", "clients: 1", "no read-only call without VOITEX_LOOKUP_PHONE"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("transcript lacks %q:\n%s", want, out.String())
		}
	}
	if regexp.MustCompile(`(?m)^sent`).MatchString(out.String()) {
		t.Errorf("read-only run sent something:\n%s", out.String())
	}
	if n := len(vt.SentSMS()); n != 0 {
		t.Errorf("voitex saw %d SMS in a read-only run", n)
	}

	out.Reset()
	if err := runLive(ctx, &out, liveConfig{env: getenv, sendTo: "972501234567", text: "שלום 👋"}); err != nil {
		t.Fatalf("live run with -send-to: %v\n%s", err, out.String())
	}
	if got := len(regexp.MustCompile(`(?m)^sent`).FindAllString(out.String(), -1)); got != 4 {
		t.Errorf("want a send through each of the 4 vendors, transcript:\n%s", out.String())
	}
	if n := len(vt.SentSMS()); n != 1 {
		t.Errorf("voitex saw %d SMS, want 1", n)
	}
	msgs, err := oc.Messages.List(ctx, &ourvoice.ListMessagesParams{})
	if err != nil || len(msgs.Messages) != 1 {
		t.Errorf("our voice messages: %v %v", msgs, err)
	}
}

func TestLiveModeNeedsCredentials(t *testing.T) {
	var out bytes.Buffer
	err := runLive(context.Background(), &out, liveConfig{env: func(string) string { return "" }})
	if !errors.Is(err, errNothingConfigured) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(out.String(), "skipped: set VOXIO_CLIENT_ID and VOXIO_CLIENT_SECRET") {
		t.Errorf("transcript:\n%s", out.String())
	}
}

func TestLiveModeReportsEachVendorsFailure(t *testing.T) {
	vx := voxiotest.NewServer()
	defer vx.Close()
	env := map[string]string{"VOXIO_CLIENT_ID": "wrong", "VOXIO_CLIENT_SECRET": "wrong-secret", "VOXIO_BASE_URL": vx.URL}
	var out bytes.Buffer
	err := runLive(context.Background(), &out, liveConfig{env: func(k string) string { return env[k] }})
	if err == nil || !strings.Contains(out.String(), "failed:") {
		t.Fatalf("err = %v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "wrong-secret") {
		t.Fatalf("secret in transcript:\n%s", out.String())
	}
}

// failNth is a proxy in front of a sandbox that answers the n-th request
// (1-based) with 401, so each step of live mode can be made to fail.
func failNth(t *testing.T, target string, n int) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	var seen atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if int(seen.Add(1)) == n {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"status":"error","success":false,"message":"injected"}`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + u.Path
}

// TestLiveModeStepFailures fails each call of each vendor's live steps in
// turn: the failure is reported for that vendor and nothing is hidden.
func TestLiveModeStepFailures(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	vx := voxiotest.NewServer()
	defer vx.Close()
	vt := voitextest.NewServer()
	defer vt.Close()
	ov := ourvoicetest.NewServer()
	defer ov.Close()
	ch := chattutest.NewServer()
	defer ch.Close()

	type vendor struct {
		name  string
		steps int
		env   func(base string) map[string]string
		base  string
	}
	vendors := []vendor{
		{"Voxio", 3, func(b string) map[string]string {
			return map[string]string{"VOXIO_CLIENT_ID": voxiotest.DefaultClientID, "VOXIO_CLIENT_SECRET": voxiotest.DefaultClientSecret, "VOXIO_BASE_URL": b, "VOXIO_MOBILE_CODE": "972"}
		}, vx.URL},
		{"Voitex", 2, func(b string) map[string]string {
			return map[string]string{"VOITEX_AUTH_KEY": voitextest.DefaultAuthKey, "VOITEX_BASE_URL": b, "VOITEX_LOOKUP_PHONE": "7325550184", "VOITEX_SMS_FROM": "8459511000", "VOITEX_SMS_TO": "8451239876"}
		}, vt.URL},
		{"Our Voice", 2, func(b string) map[string]string {
			return map[string]string{"OURVOICE_TOKEN": ourvoicetest.DefaultToken, "OURVOICE_BASE_URL": b, "OURVOICE_SESSION_ID": "00000000-0000-0000-0000-000000000000"}
		}, ov.BaseURL()},
		{"Chattu", 3, func(b string) map[string]string {
			return map[string]string{"CHATTU_BASE_URL": b, "CHATTU_API_KEY": chattutest.DefaultAPIKey, "CHATTU_CLIENT_ID": "nobody"}
		}, ch.URL},
	}
	for _, v := range vendors {
		for step := 1; step <= v.steps; step++ {
			env := v.env(failNth(t, v.base, step))
			var out bytes.Buffer
			err := runLive(ctx, &out, liveConfig{env: func(k string) string { return env[k] }, sendTo: "972501234567", text: "hi"})
			if err == nil || !strings.Contains(err.Error(), v.name) {
				t.Errorf("%s step %d: err = %v\n%s", v.name, step, err, out.String())
			}
		}
	}
}

func TestToursStopOnAnEndedContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tr := range tours {
		var out bytes.Buffer
		if err := tr.run(ctx, &out); err == nil {
			t.Errorf("%s: a cancelled context did not stop the tour:\n%s", tr.name, out.String())
		}
	}
}
