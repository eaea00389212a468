package relay

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// serve runs req through mw and reports the status, whether next ran and the
// error given to OnError.
func serve(t *testing.T, build func(...HandlerOption) (Middleware, error), req *http.Request) (int, bool, error) {
	t.Helper()
	var log errorLog
	mw, err := build(WithOnError(log.record))
	if err != nil {
		t.Fatal(err)
	}
	called := false
	rec := httptest.NewRecorder()
	mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true })).ServeHTTP(rec, req)
	if !called && rec.Body.String() != http.StatusText(rec.Code)+"\n" {
		t.Fatalf("non-generic body %q", rec.Body.String())
	}
	return rec.Code, called, log.last()
}

func TestEqualCredential(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"key", "key", true},
		{"key", "kez", false},
		{"key", "key ", false},
		{"", "key", false},
		{"", "", true},
		{"שלום", "שלום", true},
		{strings.Repeat("a", 1000), strings.Repeat("a", 999), false},
	}
	for _, tc := range tests {
		if got := EqualCredential(tc.a, tc.b); got != tc.want {
			t.Errorf("EqualCredential(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestCredentialSet(t *testing.T) {
	if _, err := NewCredentialSet(); !errors.Is(err, ErrConfig) {
		t.Fatal(err)
	}
	if _, err := NewCredentialSet("ok", " "); !errors.Is(err, ErrConfig) {
		t.Fatal(err)
	}
	c, err := NewCredentialSet("old-key", "new-key")
	if err != nil {
		t.Fatal(err)
	}
	for got, want := range map[string]int{"old-key": 0, "new-key": 1, "NEW-KEY": -1, "": -1, "new-key\n": -1} {
		if i, ok := c.Match(got); i != want || ok != (want >= 0) {
			t.Errorf("Match(%q) = %d, %v", got, i, ok)
		}
	}
	var nilSet *CredentialSet
	if _, ok := nilSet.Match("x"); ok {
		t.Fatal("nil set matched")
	}
}

func TestHeaderCredentials(t *testing.T) {
	pair := map[string][]string{
		"X-Client-Id":     {"client-1"},
		"x-client-secret": {"secret-old", "secret-new"},
	}
	build := func(opts ...HandlerOption) (Middleware, error) { return HeaderCredentials(pair, opts...) }
	req := func(kv ...string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		for i := 0; i < len(kv); i += 2 {
			r.Header.Add(kv[i], kv[i+1])
		}
		return r
	}
	tests := []struct {
		name string
		r    *http.Request
		ok   bool
	}{
		{"both right", req("X-Client-Id", "client-1", "X-Client-Secret", "secret-new"), true},
		{"rotated secret", req("X-Client-Id", "client-1", "X-Client-Secret", "secret-old"), true},
		{"wrong secret", req("X-Client-Id", "client-1", "X-Client-Secret", "secret-x"), false},
		{"wrong id", req("X-Client-Id", "client-2", "X-Client-Secret", "secret-new"), false},
		{"missing secret", req("X-Client-Id", "client-1"), false},
		{"empty secret", req("X-Client-Id", "client-1", "X-Client-Secret", ""), false},
		{"secret twice", req("X-Client-Id", "client-1", "X-Client-Secret", "secret-new", "X-Client-Secret", "secret-new"), false},
		{"prefix of secret", req("X-Client-Id", "client-1", "X-Client-Secret", "secret-ne"), false},
		{"none", req(), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, called, err := serve(t, build, tc.r)
			if tc.ok {
				if !called || err != nil {
					t.Fatalf("rejected: %d %v", code, err)
				}
				return
			}
			if called || code != 401 || !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("got %d called=%v err=%v", code, called, err)
			}
		})
	}

	// A single API key header.
	apiKey := func(opts ...HandlerOption) (Middleware, error) {
		return HeaderCredentials(map[string][]string{"X-Api-Key": {"bot-key"}}, opts...)
	}
	if _, called, _ := serve(t, apiKey, req("x-api-key", "bot-key")); !called {
		t.Fatal("API key rejected")
	}

	bad := []map[string][]string{
		nil,
		{"X-Api-Key": nil},
		{"X-Api-Key": {""}},
		{"X-Api-Key": {"  "}},
		{"Bad Header": {"v"}},
		{"X-Api-Key": {"a"}, "x-api-key": {"b"}},
	}
	for _, m := range bad {
		if _, err := HeaderCredentials(m); !errors.Is(err, ErrConfig) {
			t.Errorf("HeaderCredentials(%v) = %v", m, err)
		}
	}
	if _, err := HeaderCredentials(pair, WithMaxBodyBytes(10)); !errors.Is(err, ErrConfig) {
		t.Errorf("body cap on a guard: %v", err)
	}
}

func TestSecretToken(t *testing.T) {
	const tok = "tok_0123456789abcdef"
	tests := []struct {
		name  string
		from  TokenSource
		route string
		url   string
		ok    bool
	}{
		{"query", QueryToken("token"), "", "/ivr?token=" + tok, true},
		{"query wrong", QueryToken("token"), "", "/ivr?token=tok_0123456789abcdeX", false},
		{"query missing", QueryToken("token"), "", "/ivr", false},
		{"query twice", QueryToken("token"), "", "/ivr?token=" + tok + "&token=" + tok, false},
		{"query other param", QueryToken("token"), "", "/ivr?t=" + tok, false},
		{"path value", PathValueToken("token"), "POST /ivr/{token}", "/ivr/" + tok, true},
		{"path value wrong", PathValueToken("token"), "POST /ivr/{token}", "/ivr/nope", false},
		{"last segment", LastPathSegmentToken(), "", "/hooks/ivr/" + tok, true},
		{"last segment trailing slash", LastPathSegmentToken(), "", "/hooks/ivr/" + tok + "/", false},
		{"last segment prefix", LastPathSegmentToken(), "", "/hooks/ivr/" + tok[:len(tok)-1], false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var log errorLog
			mw, err := SecretToken(tc.from, []string{"tok_previous_token_value", tok}, WithOnError(log.record))
			if err != nil {
				t.Fatal(err)
			}
			called := false
			var h http.Handler = mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
			if tc.route != "" {
				mux := http.NewServeMux()
				mux.Handle(tc.route, h)
				h = mux
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, tc.url, nil))
			if called != tc.ok {
				t.Fatalf("called=%v status=%d", called, rec.Code)
			}
			if !tc.ok && (rec.Code != 401 || !errors.Is(log.last(), ErrUnauthenticated)) {
				t.Fatalf("status %d err %v", rec.Code, log.last())
			}
			if e := log.last(); e != nil && strings.Contains(e.Error(), "tok_") {
				t.Fatalf("token in error: %v", e)
			}
		})
	}
	for _, bad := range [][]string{nil, {"short"}, {"tok_0123456789abcdef", ""}} {
		if _, err := SecretToken(QueryToken("t"), bad); !errors.Is(err, ErrConfig) {
			t.Errorf("SecretToken(%q) = %v", bad, err)
		}
	}
	if _, err := SecretToken(nil, []string{tok}); !errors.Is(err, ErrConfig) {
		t.Errorf("nil source: %v", err)
	}
}

func TestBasicAuth(t *testing.T) {
	creds := []BasicCredential{{"ivr", "old-password"}, {"ivr", "new-password"}, {"ops", "ops-pass"}}
	build := func(opts ...HandlerOption) (Middleware, error) { return BasicAuth("ivr branch", creds, opts...) }
	req := func(user, pass string, set bool) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		if set {
			r.SetBasicAuth(user, pass)
		}
		return r
	}
	tests := []struct {
		name string
		r    *http.Request
		ok   bool
	}{
		{"new password", req("ivr", "new-password", true), true},
		{"old password", req("ivr", "old-password", true), true},
		{"second user", req("ops", "ops-pass", true), true},
		{"cross pair", req("ops", "new-password", true), false},
		{"wrong password", req("ivr", "nope", true), false},
		{"unknown user", req("root", "new-password", true), false},
		{"no auth", req("", "", false), false},
		{"empty", req("", "", true), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mw, err := build()
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			called := false
			mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true })).ServeHTTP(rec, tc.r)
			if called != tc.ok {
				t.Fatalf("called=%v status=%d", called, rec.Code)
			}
			if !tc.ok {
				if rec.Code != 401 || rec.Header().Get("WWW-Authenticate") != `Basic realm="ivr branch", charset="UTF-8"` {
					t.Fatalf("status %d, challenge %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
				}
			}
		})
	}
	if _, _, err := serve(t, build, req("ivr", "nope", true)); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("OnError got %v", err)
	}
	for _, bad := range [][]BasicCredential{nil, {{"", "p"}}, {{"u", ""}}, {{"u:x", "p"}}, {{" ", "p"}}} {
		if _, err := BasicAuth("r", bad); !errors.Is(err, ErrConfig) {
			t.Errorf("BasicAuth(%v) = %v", bad, err)
		}
	}
	if _, err := BasicAuth(`bad"realm`, creds); !errors.Is(err, ErrConfig) {
		t.Errorf("quoted realm: %v", err)
	}
}

func TestIPAllowlist(t *testing.T) {
	allowed := []string{"203.0.113.0/24", "2001:db8:1::/48", "198.51.100.7"}
	proxies := []string{"10.0.0.0/8", "fd00::/8"}
	tests := []struct {
		name   string
		remote string
		xff    []string
		xri    string
		ok     bool
	}{
		{"direct allowed v4", "203.0.113.9:4444", nil, "", true},
		{"direct allowed single", "198.51.100.7:1", nil, "", true},
		{"direct denied", "198.51.100.8:1", nil, "", false},
		{"direct allowed v6", "[2001:db8:1::5]:443", nil, "", true},
		{"mapped v4 peer", "[::ffff:203.0.113.9]:443", nil, "", true},
		{"zoned peer", "[fe80::1%eth0]:443", nil, "", false},
		{"spoofed XFF from untrusted peer", "198.51.100.8:1", []string{"203.0.113.9"}, "", false},
		{"spoofed X-Real-IP from untrusted peer", "198.51.100.8:1", nil, "203.0.113.9", false},
		{"allowed peer ignores XFF", "203.0.113.9:1", []string{"198.51.100.8"}, "", true},
		{"via proxy", "10.1.2.3:1", []string{"203.0.113.9"}, "", true},
		{"via proxy denied", "10.1.2.3:1", []string{"198.51.100.8"}, "", false},
		{"via two proxies", "10.1.2.3:1", []string{"203.0.113.9, 10.9.9.9"}, "", true},
		{"client-forged left entry", "10.1.2.3:1", []string{"203.0.113.9, 198.51.100.8"}, "", false},
		{"client-forged left entry, allowed real", "10.1.2.3:1", []string{"198.51.100.8, 203.0.113.9"}, "", true},
		{"several XFF lines", "10.1.2.3:1", []string{"198.51.100.8", "203.0.113.9, 10.0.0.2"}, "", true},
		{"garbage hop", "10.1.2.3:1", []string{"203.0.113.9, nonsense"}, "", false},
		{"empty hop", "10.1.2.3:1", []string{"203.0.113.9,"}, "", false},
		{"hop with port", "10.1.2.3:1", []string{"203.0.113.9:5555"}, "", true},
		{"bracketed v6 hop", "[fd00::1]:1", []string{"[2001:db8:1::9]"}, "", true},
		{"all hops trusted", "10.1.2.3:1", []string{"10.0.0.5"}, "", false},
		{"X-Real-IP via proxy", "10.1.2.3:1", nil, "203.0.113.9", true},
		{"X-Real-IP garbage", "10.1.2.3:1", nil, "x", false},
		{"proxy without headers", "10.1.2.3:1", nil, "", false},
		{"bad remote addr", "@", nil, "", false},
		{"empty remote addr", "", nil, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.RemoteAddr = tc.remote
			for _, x := range tc.xff {
				r.Header.Add("X-Forwarded-For", x)
			}
			if tc.xri != "" {
				r.Header.Set("X-Real-IP", tc.xri)
			}
			build := func(opts ...HandlerOption) (Middleware, error) { return IPAllowlist(allowed, proxies, opts...) }
			code, called, err := serve(t, build, r)
			if called != tc.ok {
				t.Fatalf("called=%v status=%d err=%v", called, code, err)
			}
			if !tc.ok && (code != 403 || !errors.Is(err, ErrForbidden)) {
				t.Fatalf("status %d err %v", code, err)
			}
		})
	}
	bad := [][2][]string{
		{nil, nil},
		{{"300.0.0.1"}, nil},
		{{"10.0.0.0/33"}, nil},
		{{"fe80::1%eth0"}, nil},
		{{"10.0.0.0/8"}, {"nonsense"}},
	}
	for _, b := range bad {
		if _, err := IPAllowlist(b[0], b[1]); !errors.Is(err, ErrConfig) {
			t.Errorf("IPAllowlist(%v, %v) = %v", b[0], b[1], err)
		}
	}
	// An IPv4-mapped IPv6 entry matches plain IPv4 peers.
	mw, err := IPAllowlist([]string{"::ffff:192.0.2.0/120"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.RemoteAddr = "192.0.2.44:1"
	called := false
	mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true })).ServeHTTP(httptest.NewRecorder(), r)
	if !called {
		t.Fatal("mapped allowlist entry did not match")
	}
}

// Hand-built requests (no URL, no header, no body, no peer) must be refused,
// never crash the process.
func TestBareRequestsDoNotPanic(t *testing.T) {
	v := mustVerifier(t, secrets("k"))
	verify, _ := v.Middleware()
	hc, _ := HeaderCredentials(map[string][]string{"X-Api-Key": {"key"}})
	q, _ := SecretToken(QueryToken("t"), []string{"0123456789abcdef0123"})
	p, _ := SecretToken(PathValueToken("t"), []string{"0123456789abcdef0123"})
	l, _ := SecretToken(LastPathSegmentToken(), []string{"0123456789abcdef0123"})
	ba, _ := BasicAuth("r", []BasicCredential{{"u", "p"}})
	ip, _ := IPAllowlist([]string{"0.0.0.0/0", "::/0"}, []string{"10.0.0.0/8"})
	for i, mw := range []Middleware{verify, hc, q, p, l, ba, ip} {
		called := false
		rec := httptest.NewRecorder()
		mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true })).ServeHTTP(rec, &http.Request{})
		if called || rec.Code < 400 {
			t.Errorf("middleware %d: called=%v status=%d", i, called, rec.Code)
		}
	}
	if _, err := (*Verifier)(nil).Middleware(); !errors.Is(err, ErrConfig) {
		t.Errorf("nil verifier: %v", err)
	}
	if err := mustSigner(t, "k").SignRequest(nil); !errors.Is(err, ErrConfig) {
		t.Errorf("nil request: %v", err)
	}
}
