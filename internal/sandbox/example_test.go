package sandbox_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/switchboard-go/switchboard/internal/sandbox"
)

// A vendor sandbox wraps its handler in a sandbox.Server; tests then inject
// the faults production has.
func Example() {
	s := sandbox.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"status":"success"}`)
	}))
	defer s.Close()

	s.FailNext(1, http.StatusTooManyRequests, `{"status":"error"}`)
	for i := 0; i < 2; i++ {
		resp, err := s.Client().Post(s.URL+"/send", "application/json", strings.NewReader(`{}`))
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Printf("%d retry-after=%q\n", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	fmt.Println(s.Count(http.MethodPost, "/send"), "requests seen")
	// Output:
	// 429 retry-after="0"
	// 200 retry-after=""
	// 2 requests seen
}
