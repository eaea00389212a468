package relay_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/switchboard-go/switchboard/relay"
)

// scheme describes a vendor that signs timestamp + "." + body with
// HMAC-SHA256 and sends "sha256=" + hex: the four fields come from the
// vendor's documentation.
func scheme() relay.Scheme {
	return relay.Scheme{
		SignatureHeader: "X-Webhook-Signature",
		SignaturePrefix: "sha256=",
		TimestampHeader: "X-Webhook-Timestamp",
		Layout:          relay.PlaceholderTimestamp + "." + relay.PlaceholderBody,
	}
}

// A net/http receiver for a signed webhook: check the account credentials
// the vendor sends (cheap, no body read), then verify the signature over the
// raw body before anything parses it.
func ExampleVerifier_Middleware() {
	verifier, err := relay.NewVerifier(scheme(), []relay.Secret{
		{ID: "2026-01", Value: []byte("relay-secret-from-vendor")},
	})
	if err != nil {
		log.Fatal(err) // an empty secret fails here, not on the first request
	}
	verify, err := verifier.Middleware(relay.WithOnError(func(r *http.Request, err error) {
		log.Printf("rejected %s: %v", r.URL.Path, err) // safe to log: no MACs, secrets or bodies
	}))
	if err != nil {
		log.Fatal(err)
	}
	creds, err := relay.HeaderCredentials(map[string][]string{
		"X-Client-Id":     {"client-id"},
		"X-Client-Secret": {"client-secret"},
	})
	if err != nil {
		log.Fatal(err)
	}
	events := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var event struct {
			Event string `json:"event"`
		}
		// r.Body holds exactly the verified bytes (also in relay.RawBody).
		if err := json.NewDecoder(r.Body).Decode(&event); err != nil {
			http.Error(w, "bad payload", http.StatusBadRequest)
			return
		}
		res, _ := relay.VerificationFromContext(r.Context())
		fmt.Printf("%s signed with secret %q\n", event.Event, res.SecretID)
		w.WriteHeader(http.StatusOK)
	})
	mux := http.NewServeMux()
	mux.Handle("POST /hooks/events", relay.Chain(creds, verify)(events))

	// Pretend to be the vendor.
	signer, _ := relay.NewSigner(scheme(), []byte("relay-secret-from-vendor"))
	body := []byte(`{"event":"incoming_message","message":{"text":"שלום"}}`)
	r := httptest.NewRequest(http.MethodPost, "/hooks/events", bytes.NewReader(body))
	r.Header.Set("X-Client-Id", "client-id")
	r.Header.Set("X-Client-Secret", "client-secret")
	if err := signer.SignRequest(r); err != nil {
		log.Fatal(err)
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	fmt.Println(w.Code)
	// Output:
	// incoming_message signed with secret "2026-01"
	// 200
}

// Signing a request in a test, with a fixed clock so the headers are stable.
func ExampleSigner_SignRequest() {
	at := func() time.Time { return time.Unix(1700000000, 0) }
	signer, err := relay.NewSigner(scheme(), []byte("whsec_relay_test"), relay.WithSignerClock(at))
	if err != nil {
		log.Fatal(err)
	}
	body := `{"event":"incoming_message","message":{"id":9001,"type":"text","text":"Hello"}}`
	r := httptest.NewRequest(http.MethodPost, "/hooks/events", bytes.NewReader([]byte(body)))
	if err := signer.SignRequest(r); err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Header.Get("X-Webhook-Timestamp"))
	fmt.Println(r.Header.Get("X-Webhook-Signature"))
	b, _ := io.ReadAll(r.Body) // the body is still there
	fmt.Println(len(b) == len(body))
	// Output:
	// 1700000000
	// sha256=57621553e5c425d98acee5d769a46dc33c69535a1b3034e7aeba79c84e9dd1af
	// true
}

// Guarding an unsigned IVR callback: a random token in the path, and only
// the vendor's addresses (here behind our own load balancer).
func ExampleSecretToken() {
	token, err := relay.SecretToken(relay.PathValueToken("token"), []string{"f3b9c2e07d5a4c18a6e2"})
	if err != nil {
		log.Fatal(err)
	}
	allow, err := relay.IPAllowlist([]string{"203.0.113.0/24"}, []string{"10.0.0.0/8"})
	if err != nil {
		log.Fatal(err)
	}
	branch := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"goto":"5"}`)
	})
	mux := http.NewServeMux()
	mux.Handle("POST /ivr/branch/{token}", relay.Chain(allow, token)(branch))

	for _, tc := range []struct{ path, forwardedFor string }{
		{"/ivr/branch/f3b9c2e07d5a4c18a6e2", "203.0.113.20"},
		{"/ivr/branch/guessed-token-value!", "203.0.113.20"},
		{"/ivr/branch/f3b9c2e07d5a4c18a6e2", "198.51.100.1"},
	} {
		r := httptest.NewRequest(http.MethodPost, tc.path, nil)
		r.RemoteAddr = "10.0.0.2:51000" // our load balancer
		r.Header.Set("X-Forwarded-For", tc.forwardedFor)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Println(w.Code)
	}
	// Output:
	// 200
	// 401
	// 403
}
