// Package parity checks that the four vendor packages offer the shared
// surface alike: client options, sentinels, error types, the inbound
// handler shape and the sandbox controls. A fifth vendor is added here too.
package parity

import (
	"errors"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
	"github.com/switchboard-go/switchboard/internal/sandbox"
	"github.com/switchboard-go/switchboard/internal/transport"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// clientOptions is the option set every vendor offers, with one signature.
// Building it for each vendor is the compile-time check: a missing option
// or a different signature does not compile.
type clientOptions[O any] struct {
	WithBaseURL       func(string) O
	WithHTTPClient    func(*http.Client) O
	WithLogger        func(*slog.Logger) O
	WithUserAgent     func(string) O
	WithRetryMax      func(int) O
	WithRetryWait     func(min, max time.Duration) O
	WithRetryAfterMax func(time.Duration) O
}

var (
	_ = clientOptions[voxio.Option]{voxio.WithBaseURL, voxio.WithHTTPClient, voxio.WithLogger, voxio.WithUserAgent, voxio.WithRetryMax, voxio.WithRetryWait, voxio.WithRetryAfterMax}
	_ = clientOptions[voitex.Option]{voitex.WithBaseURL, voitex.WithHTTPClient, voitex.WithLogger, voitex.WithUserAgent, voitex.WithRetryMax, voitex.WithRetryWait, voitex.WithRetryAfterMax}
	_ = clientOptions[ourvoice.Option]{ourvoice.WithBaseURL, ourvoice.WithHTTPClient, ourvoice.WithLogger, ourvoice.WithUserAgent, ourvoice.WithRetryMax, ourvoice.WithRetryWait, ourvoice.WithRetryAfterMax}
	_ = clientOptions[chattu.Option]{chattu.WithBaseURL, chattu.WithHTTPClient, chattu.WithLogger, chattu.WithUserAgent, chattu.WithRetryMax, chattu.WithRetryWait, chattu.WithRetryAfterMax}
)

// The shared error types are one type under four names.
var (
	_ *transport.Error           = (*voxio.Error)(nil)
	_ *transport.Error           = (*voitex.Error)(nil)
	_ *transport.Error           = (*ourvoice.Error)(nil)
	_ *transport.Error           = (*chattu.Error)(nil)
	_ *transport.ValidationError = (*voxio.ValidationError)(nil)
	_ *transport.ValidationError = (*voitex.ValidationError)(nil)
	_ *transport.ValidationError = (*ourvoice.ValidationError)(nil)
	_ *transport.ValidationError = (*chattu.ValidationError)(nil)
	_ *transport.RequestError    = (*voxio.RequestError)(nil)
	_ *transport.RequestError    = (*voitex.RequestError)(nil)
	_ *transport.RequestError    = (*ourvoice.RequestError)(nil)
	_ *transport.RequestError    = (*chattu.RequestError)(nil)
	_ *transport.DecodeError     = (*voxio.DecodeError)(nil)
	_ *transport.DecodeError     = (*voitex.DecodeError)(nil)
	_ *transport.DecodeError     = (*ourvoice.DecodeError)(nil)
	_ *transport.DecodeError     = (*chattu.DecodeError)(nil)
)

// Handlers are http.Handlers of an exported type.
var (
	_ http.Handler = (*voxio.RelayHandler)(nil)
	_ http.Handler = (*chattu.WebhookHandler)(nil)
	_ http.Handler = (*voitex.BranchHandler)(nil)
)

// controls is what every sandbox Server offers a test.
type controls interface {
	FailNext(n, status int, body string)
	FailNextWithHeader(n, status int, body string, h http.Header)
	FailNextError(n int, code string) error
	DelayNext(n int, d time.Duration)
	DropNext(n int)
	DropResponseNext(n int)
	ClearFaults()
	Requests() []sandbox.Recorded
	Count(method, path string) int
	ResetLog()
	Now() time.Time
	Advance(d time.Duration)
	Close()
}

// sandboxOptions is the option set every sandbox offers, with one
// signature; building it for each is the compile-time check.
type sandboxOptions[O any] struct {
	WithListener func(net.Listener) O
	WithObserver func(func(sandbox.Served)) O
	WithClock    func(func() time.Time) O
}

var (
	_ = sandboxOptions[voxiotest.Option]{voxiotest.WithListener, voxiotest.WithObserver, voxiotest.WithClock}
	_ = sandboxOptions[voitextest.Option]{voitextest.WithListener, voitextest.WithObserver, voitextest.WithClock}
	_ = sandboxOptions[ourvoicetest.Option]{ourvoicetest.WithListener, ourvoicetest.WithObserver, ourvoicetest.WithClock}
	_ = sandboxOptions[chattutest.Option]{chattutest.WithListener, chattutest.WithObserver, chattutest.WithClock}
)

var (
	_ controls = (*voxiotest.Server)(nil)
	_ controls = (*voitextest.Server)(nil)
	_ controls = (*ourvoicetest.Server)(nil)
	_ controls = (*chattutest.Server)(nil)
)

func TestSentinelsAreShared(t *testing.T) {
	for name, set := range map[string][]error{
		"ErrRateLimited":    {voxio.ErrRateLimited, voitex.ErrRateLimited, ourvoice.ErrRateLimited, chattu.ErrRateLimited},
		"ErrUnauthorized":   {voxio.ErrUnauthorized, voitex.ErrUnauthorized, ourvoice.ErrUnauthorized, chattu.ErrUnauthorized},
		"ErrNotFound":       {voxio.ErrNotFound, voitex.ErrNotFound, ourvoice.ErrNotFound, chattu.ErrNotFound},
		"ErrValidation":     {voxio.ErrValidation, voitex.ErrValidation, ourvoice.ErrValidation, chattu.ErrValidation},
		"ErrMaybeDelivered": {voxio.ErrMaybeDelivered, voitex.ErrMaybeDelivered, ourvoice.ErrMaybeDelivered, chattu.ErrMaybeDelivered},
	} {
		for i, err := range set {
			require.NotNil(t, err, "%s of vendor %d", name, i)
			assert.True(t, err == set[0], "%s of vendor %d is another value", name, i)
		}
	}
}

var errorType = reflect.TypeOf((*error)(nil)).Elem()

// TestHandlerShape: NewXHandler(credentials or guard, callback, ...XOption)
// (*XHandler, error), where XOption can fail, and the same option names.
func TestHandlerShape(t *testing.T) {
	for _, h := range []struct {
		name    string
		ctor    any
		handler any
		option  any
		opts    map[string]any
	}{
		{"voxio", voxio.NewRelayHandler, (*voxio.RelayHandler)(nil), voxio.RelayOption(nil), map[string]any{
			"OnError": voxio.WithRelayOnError, "MaxBody": voxio.WithRelayMaxBody, "ReadTimeout": voxio.WithRelayReadTimeout, "Timeout": voxio.WithRelayTimeout}},
		{"chattu", chattu.NewWebhookHandler, (*chattu.WebhookHandler)(nil), chattu.WebhookOption(nil), map[string]any{
			"OnError": chattu.WithWebhookOnError, "MaxBody": chattu.WithWebhookMaxBody, "ReadTimeout": chattu.WithWebhookReadTimeout, "Timeout": chattu.WithWebhookTimeout}},
		{"voitex", voitex.NewBranchHandler, (*voitex.BranchHandler)(nil), voitex.BranchOption(nil), map[string]any{
			"OnError": voitex.WithBranchOnError, "MaxBody": voitex.WithBranchMaxBody, "ReadTimeout": voitex.WithBranchReadTimeout, "Timeout": voitex.WithBranchTimeout}},
	} {
		ct := reflect.TypeOf(h.ctor)
		ot := reflect.TypeOf(h.option)
		require.Equal(t, 3, ct.NumIn(), h.name)
		assert.True(t, ct.IsVariadic(), h.name)
		assert.Equal(t, ot, ct.In(2).Elem(), h.name)
		require.Equal(t, 2, ct.NumOut(), h.name)
		assert.Equal(t, reflect.TypeOf(h.handler), ct.Out(0), h.name)
		assert.Equal(t, errorType, ct.Out(1), h.name)
		require.Equal(t, reflect.Func, ot.Kind(), h.name)
		require.Equal(t, 1, ot.NumOut(), "%s: an option can fail", h.name)
		assert.Equal(t, errorType, ot.Out(0), h.name)
		onError := reflect.TypeOf(h.opts["OnError"])
		assert.Equal(t, reflect.TypeOf(func(*http.Request, error) {}), onError.In(0), "%s: OnError signature", h.name)
		assert.Equal(t, reflect.TypeOf(int64(0)), reflect.TypeOf(h.opts["MaxBody"]).In(0), h.name)
		assert.Equal(t, reflect.TypeOf(time.Duration(0)), reflect.TypeOf(h.opts["ReadTimeout"]).In(0), h.name)
		for k, o := range h.opts {
			assert.Equal(t, ot, reflect.TypeOf(o).Out(0), "%s: %s returns the handler's option", h.name, k)
		}
	}
}

// TestSandboxShape: the same constructor, NewClient, credential option and
// inbound trigger in every sandbox.
func TestSandboxShape(t *testing.T) {
	for _, s := range []struct {
		name      string
		newServer any
		server    any
		client    any
		creds     any
	}{
		{"voxiotest", voxiotest.NewServer, (*voxiotest.Server)(nil), (*voxio.Client)(nil), voxiotest.WithCredentials},
		{"voitextest", voitextest.NewServer, (*voitextest.Server)(nil), (*voitex.Client)(nil), voitextest.WithCredentials},
		{"ourvoicetest", ourvoicetest.NewServer, (*ourvoicetest.Server)(nil), (*ourvoice.Client)(nil), ourvoicetest.WithCredentials},
		{"chattutest", chattutest.NewServer, (*chattutest.Server)(nil), (*chattu.Client)(nil), chattutest.WithCredentials},
	} {
		nt := reflect.TypeOf(s.newServer)
		assert.True(t, nt.IsVariadic(), s.name)
		assert.Equal(t, 1, nt.NumIn(), "%s: NewServer(opts ...Option)", s.name)
		assert.Equal(t, reflect.TypeOf(s.server), nt.Out(0), s.name)
		st := reflect.TypeOf(s.server)
		m, ok := st.MethodByName("NewClient")
		require.True(t, ok, s.name)
		assert.Equal(t, reflect.TypeOf(s.client), m.Type.Out(0), s.name)
		assert.Equal(t, errorType, m.Type.Out(1), s.name)
		recv, ok := st.MethodByName("Receive")
		require.True(t, ok, "%s: Receive(ctx, Inbound)", s.name)
		assert.Equal(t, "Inbound", recv.Type.In(2).Name(), s.name)
		assert.True(t, reflect.TypeOf(s.creds).IsVariadic(), "%s: WithCredentials is variadic", s.name)
	}
}

// TestDocsShowTheControlsAndFields: go doc lists a sandbox's controls only
// when the Server declares them itself (promoted methods of an internal
// type are hidden), and shows an alias's fields only through its comment.
func TestDocsShowTheControlsAndFields(t *testing.T) {
	controlNames := []string{"FailNext", "FailNextWithHeader", "FailNextError", "DelayNext", "DropNext", "DropResponseNext", "ClearFaults", "Requests", "Count", "ResetLog", "Now", "Advance", "Close", "NewClient", "Receive"}
	for _, dir := range []string{"voxio/voxiotest", "voitex/voitextest", "ourvoice/ourvoicetest", "chattu/chattutest"} {
		pkg := parseDoc(t, dir)
		var server *doc.Type
		for _, ty := range pkg.Types {
			if ty.Name == "Server" {
				server = ty
			}
		}
		require.NotNil(t, server, dir)
		declared := map[string]bool{}
		for _, m := range server.Methods {
			declared[m.Name] = m.Doc != ""
		}
		for _, name := range controlNames {
			assert.True(t, declared[name], "%s: Server.%s is declared with a doc comment", dir, name)
		}
	}
	fields := map[string][]string{
		"Error":           {"StatusCode", "Code", "Messages", "RequestID", "RetryAfter", "Attempts", "Body"},
		"ValidationError": {"Field", "Rule"},
		"RequestError":    {"MaybeDelivered", "Attempts"},
		"DecodeError":     {"Accepted", "StatusCode"},
	}
	for _, dir := range []string{"voxio", "voitex", "ourvoice", "chattu"} {
		pkg := parseDoc(t, dir)
		docs := map[string]string{}
		for _, ty := range pkg.Types {
			docs[ty.Name] = ty.Doc
		}
		for typ, want := range fields {
			for _, f := range want {
				assert.Contains(t, docs[typ], f, "%s.%s's comment names field %s", dir, typ, f)
			}
		}
	}
}

func parseDoc(t *testing.T, dir string) *doc.Package {
	t.Helper()
	root := filepath.Join("..", "..", dir)
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, root, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
	require.NoError(t, err)
	require.Len(t, pkgs, 1, dir)
	var files []*ast.File
	for _, p := range pkgs {
		for _, f := range p.Files {
			files = append(files, f)
		}
	}
	p, err := doc.NewFromFiles(fset, files, "example.com/"+dir)
	require.NoError(t, err)
	return p
}

// TestValidationErrorsNameTheVendor: a program building four clients
// learns which one refused.
func TestValidationErrorsNameTheVendor(t *testing.T) {
	_, err := voxio.New("", "")
	assertVendor(t, err, "voxio")
	_, err = voitex.New("")
	assertVendor(t, err, "voitex")
	_, err = ourvoice.New("")
	assertVendor(t, err, "ourvoice")
	_, err = chattu.New("https://bot.example", "")
	assertVendor(t, err, "chattu")
	_, err = voxio.New("id", "secret", voxio.WithBaseURL("ftp://x"))
	assertVendor(t, err, "voxio")
}

func assertVendor(t *testing.T, err error, vendor string) {
	t.Helper()
	var ve *transport.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	assert.Equal(t, vendor, ve.Vendor)
	assert.True(t, strings.HasPrefix(err.Error(), vendor+": "), err.Error())
}
