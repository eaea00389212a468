package transport_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// How a vendor package uses the transport: a Config with the vendor's base
// URL, credentials and failure envelope, then one Do per call.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Auth-Key") != "key-123456" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Query().Get("phone") == "" {
			// The vendor reports failures inside HTTP 200.
			fmt.Fprint(w, `{"status":"error","errors":["No valid phone number provided"]}`)
			return
		}
		fmt.Fprint(w, `{"status":"success","data":{"id":"42","first_name":"דנה"}}`)
	}))
	defer srv.Close()

	c, err := transport.New(transport.Config{
		Vendor:  "example",
		BaseURL: srv.URL,
		Auth:    http.Header{"Auth-Key": {"key-123456"}},
		Failure: func(resp *transport.Response) *transport.Error {
			var env struct {
				Status string   `json:"status"`
				Errors []string `json:"errors"`
			}
			if json.Unmarshal(resp.Body, &env) != nil || env.Status != "error" {
				return nil
			}
			return &transport.Error{Code: "error", Messages: env.Errors, Kind: transport.ErrValidation}
		},
	})
	if err != nil {
		log.Fatal(err)
	}

	type params struct {
		Phone string `url:"phone,omitempty"`
	}
	type contact struct {
		Data struct {
			ID        loose.Int `json:"id"` // the vendor sends numbers as strings
			FirstName string    `json:"first_name"`
		} `json:"data"`
	}
	out, err := transport.Call(context.Background(), c, &transport.Request{Method: http.MethodGet, Path: "/contacts", Query: params{Phone: "0501234567"}}, transport.DecodeJSON[contact])
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Data.ID, out.Data.FirstName)

	_, err = transport.Call(context.Background(), c, &transport.Request{Method: http.MethodGet, Path: "/contacts"}, transport.DecodeJSON[contact])
	fmt.Println(errors.Is(err, transport.ErrValidation), err)
	// Output:
	// 42 דנה
	// true example: GET /contacts: HTTP 200 error: No valid phone number provided
}
