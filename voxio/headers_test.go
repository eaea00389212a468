package voxio_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// rawServer accepts one connection, keeps the request head exactly as the
// bytes arrived, and answers with body.
func rawServer(t *testing.T, body string) (url string, head <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	out := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		br := bufio.NewReader(conn)
		var h strings.Builder
		length := 0
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			h.WriteString(line)
			if k, v, ok := strings.Cut(strings.TrimRight(line, "\r\n"), ": "); ok && strings.EqualFold(k, "Content-Length") {
				length, _ = strconv.Atoi(v)
			}
			if line == "\r\n" {
				break
			}
		}
		_, _ = io.CopyN(io.Discard, br, int64(length))
		out <- h.String()
		fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	}()
	return "http://" + ln.Addr().String(), out
}

// TestCredentialHeadersOnTheWire reads the request bytes as they leave the
// client: the docs spell the headers client-id and client-secret; header
// names are case-insensitive and Go sends them canonicalised, so the bytes
// are "Client-Id:" and "Client-Secret:", once each, and no other spelling.
func TestCredentialHeadersOnTheWire(t *testing.T) {
	for name, call := range map[string]func(c *voxio.Client) error{
		"GET": func(c *voxio.Client) error { _, err := c.Contacts.List(context.Background(), nil); return err },
		"POST": func(c *voxio.Client) error {
			_, err := c.Messages.Send(context.Background(), voxio.SendMessageParams{Recipient: voxio.Recipient{MobileCode: "880", Mobile: "1712345678"}, Message: "Hello world"})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			u, head := rawServer(t, `{"status":"success","remark":"ok","message":["ok"]}`)
			c, err := voxio.New(testClientID, testClientSecret, voxio.WithBaseURL(u+"/external-api"))
			require.NoError(t, err)
			require.NoError(t, call(c))
			h := <-head
			lines := strings.Split(h, "\r\n")
			assert.Contains(t, lines, "Client-Id: "+testClientID)
			assert.Contains(t, lines, "Client-Secret: "+testClientSecret)
			assert.Equal(t, 1, strings.Count(strings.ToLower(h), "\r\nclient-id:"))
			assert.Equal(t, 1, strings.Count(strings.ToLower(h), "\r\nclient-secret:"))
			// What a server reading by the documented spelling gets.
			mh, err := textproto.NewReader(bufio.NewReader(strings.NewReader(h[strings.Index(h, "\r\n")+2:]))).ReadMIMEHeader()
			require.NoError(t, err)
			assert.Equal(t, testClientID, http.Header(mh).Get(voxio.HeaderClientID))
			assert.Equal(t, testClientSecret, http.Header(mh).Get(voxio.HeaderClientSecret))
		})
	}
}

// TestClientIDIsNotASecret: the client id identifies the account and stays
// readable in error bodies; the client secret never does.
func TestClientIDIsNotASecret(t *testing.T) {
	c, m := newMockClient(t)
	body := `{"remark":"Unauthorized","status":"error","message":["Client ` + testClientID + ` has no access; secret ` + testClientSecret + ` rejected"]}`
	m.Respond(http.MethodGet, baseURL+"/contact/list", 200, body)
	_, err := c.Contacts.List(context.Background(), nil)
	var e *voxio.Error
	require.ErrorAs(t, err, &e)
	assert.Contains(t, err.Error(), "Client "+testClientID+" has no access")
	assert.Contains(t, string(e.Body), testClientID)
	for _, s := range []string{err.Error(), fmt.Sprintf("%v %+v %#v", err, err, err), string(e.Body)} {
		assert.NotContains(t, s, testClientSecret)
	}
}

// TestLogsCarryNoSecret: with a logger, a send that may have been delivered
// is logged without the client secret.
func TestLogsCarryNoSecret(t *testing.T) {
	s := voxiotest.NewServer(voxiotest.WithCredentials(voxio.Credentials{ClientID: testClientID, ClientSecret: testClientSecret}))
	defer s.Close()
	var buf bytes.Buffer
	c, err := s.NewClient(voxio.WithLogger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.NoError(t, err)
	s.DropNext(1)
	require.ErrorIs(t, sendText(context.Background(), c), voxio.ErrMaybeDelivered)
	_, err = c.Contacts.List(context.Background(), nil)
	require.NoError(t, err)
	require.NotEmpty(t, buf.String())
	assert.NotContains(t, buf.String(), testClientSecret)
}
