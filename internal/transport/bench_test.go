package transport

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// benchBody is a ~2 KiB JSON answer, shaped like a vendor's list page.
var benchBody = func() string {
	var items []string
	for i := 0; i < 12; i++ {
		items = append(items, fmt.Sprintf(`{"id":%d,"firstname":"Contact %d","lastname":"שלום","mobile_code":"972","mobile":"5012345%02d","city":"Tel Aviv"}`, i, i, i))
	}
	return `{"status":"success","remark":"contact-list","message":["Contact data fetched successfully."],"data":{"contacts":{"current_page":1,"data":[` + strings.Join(items, ",") + `],"last_page":3,"per_page":12,"total":30}}}`
}()

type benchContact struct {
	ID         int    `json:"id"`
	FirstName  string `json:"firstname"`
	LastName   string `json:"lastname"`
	MobileCode string `json:"mobile_code"`
	Mobile     string `json:"mobile"`
	City       string `json:"city"`
}

type benchEnvelope struct {
	Status  string   `json:"status"`
	Remark  string   `json:"remark"`
	Message []string `json:"message"`
	Data    struct {
		Contacts struct {
			CurrentPage int            `json:"current_page"`
			Data        []benchContact `json:"data"`
			LastPage    int            `json:"last_page"`
			PerPage     int            `json:"per_page"`
			Total       int            `json:"total"`
		} `json:"contacts"`
	} `json:"data"`
}

func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	body := []byte(benchBody)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("client-secret") != "bench-secret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchSDK(b *testing.B, srv *httptest.Server) *Client {
	b.Helper()
	c, err := New(Config{Vendor: "bench", BaseURL: srv.URL, Auth: http.Header{"Client-Id": {"bench-id"}, "Client-Secret": {"bench-secret"}}},
		WithHTTPClient(&http.Client{Transport: NewTransport()}))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func sdkGET(c *Client) error {
	var out benchEnvelope
	_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/contact/list"}, &out)
	if err == nil && len(out.Data.Contacts.Data) != 12 {
		err = fmt.Errorf("decoded %d contacts", len(out.Data.Contacts.Data))
	}
	return err
}

// rawGET is what a careful hand-written client does: same transport
// settings, same headers, read the body, decode it.
func rawGET(hc *http.Client, url string) error {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url+"/contact/list", nil)
	if err != nil {
		return err
	}
	req.Header.Set("client-id", "bench-id")
	req.Header.Set("client-secret", "bench-secret")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "raw/1")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	var out benchEnvelope
	if err := json.Unmarshal(body, &out); err != nil {
		return err
	}
	if len(out.Data.Contacts.Data) != 12 {
		return fmt.Errorf("decoded %d contacts", len(out.Data.Contacts.Data))
	}
	return nil
}

func BenchmarkTransportGET(b *testing.B) {
	c := benchSDK(b, benchServer(b))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := sdkGET(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawGET(b *testing.B) {
	srv := benchServer(b)
	hc := &http.Client{Transport: NewTransport()}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := rawGET(hc, srv.URL); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTransportParallel(b *testing.B) {
	c := benchSDK(b, benchServer(b))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := sdkGET(c); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkRawParallel(b *testing.B) {
	srv := benchServer(b)
	hc := &http.Client{Transport: NewTransport()}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := rawGET(hc, srv.URL); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// memRT answers every request in memory with benchBody, so the pair below
// measures the SDK's own cost without the network hiding it.
type memRT struct{ body []byte }

func (m memRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	if r.Header.Get("client-secret") != "bench-secret" {
		return &http.Response{StatusCode: http.StatusUnauthorized, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(string(m.body))),
		ContentLength: int64(len(m.body)),
		Request:       r,
	}, nil
}

func BenchmarkTransportGETMem(b *testing.B) {
	c, err := New(Config{Vendor: "bench", BaseURL: "https://bench.example", Auth: http.Header{"Client-Id": {"bench-id"}, "Client-Secret": {"bench-secret"}}},
		WithHTTPClient(&http.Client{Transport: memRT{[]byte(benchBody)}}))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := sdkGET(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawGETMem(b *testing.B) {
	hc := &http.Client{Transport: memRT{[]byte(benchBody)}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := rawGET(hc, "https://bench.example"); err != nil {
			b.Fatal(err)
		}
	}
}
