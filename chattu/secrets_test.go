package chattu

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/wiretest"
)

func TestAPIKeyNeverPrints(t *testing.T) {
	k := APIKey("super-secret-key-123")
	for _, s := range []string{
		fmt.Sprint(k), fmt.Sprintf("%v|%+v|%#v|%s|%q|%x|%X|%10s", k, k, k, k, k, k, k, k), k.String(),
	} {
		assert.NotContains(t, s, "super-secret")
		assert.NotContains(t, s, fmt.Sprintf("%x", "super-secret"))
	}
	assert.Equal(t, `"[REDACTED]"`, fmt.Sprintf("%q", k))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "key", k, "res", struct{ APIKey APIKey }{k})
	assert.NotContains(t, buf.String(), "super-secret")
	assert.Equal(t, "super-secret-key-123", k.Reveal())
	assert.Equal(t, "", APIKey("").String())
}

func TestClientNeverPrintsCredentials(t *testing.T) {
	c, err := New(testBase, "my-account-key-999", WithSessionCookie("connect.sid=cookie-secret-777"))
	require.NoError(t, err)
	s := fmt.Sprintf("%v %+v %#v %s", c, c, c, c)
	assert.NotContains(t, s, "my-account-key-999")
	assert.NotContains(t, s, "cookie-secret-777")
	assert.Equal(t, "chattu.Client", c.String())
}

// TestSecretsStayOutOfErrorsAndLogs: the API key, the session cookie, a
// password and keys the vendor returns never appear in an error or a log.
func TestSecretsStayOutOfErrorsAndLogs(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, m := mockClient(t, WithSessionCookie("connect.sid=cookie-secret-777"), WithLogger(logger), WithRetryMax(0))
	respond(m, "POST", testBase+"/api/add-number", 200, `{"status":"pending_auth","qrCode":null,"apiKey":"fresh-client-key-555"}`, nil)
	res, err := c.Clients.AddNumber(context.Background(), AddNumberParams{ClientID: "c1", PhoneNumber: "972501234567"})
	require.NoError(t, err)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", res, *res, res), "fresh-client-key-555")

	// The vendor echoes every secret back in a failure.
	echo := `{"error":"bad: account-api-key connect.sid=cookie-secret-777 cookie-secret-777 fresh-client-key-555 hunter2-password","apiKey":"unseen-key-444","password":"hunter2-password"}`
	respond(m, "DELETE", testBase+"/clients/c1", 403, echo, nil)
	_, err = c.Clients.Delete(context.Background(), "c1", DeleteClientParams{Password: "hunter2-password"})
	require.Error(t, err)
	var e *Error
	require.ErrorAs(t, err, &e)
	all := err.Error() + fmt.Sprintf("%v %+v %#v", err, err, err) + string(e.Body) + strings.Join(e.Messages, " ") + logs.String()
	for _, secret := range []string{testKey, "cookie-secret-777", "fresh-client-key-555", "hunter2-password", "unseen-key-444"} {
		assert.NotContains(t, all, secret)
	}
}

func TestResetAPIKeySwitchesAtomically(t *testing.T) {
	c, m := mockClient(t)
	var oldKeys, newKeys, other atomic.Int64
	m.Handle("GET", testBase+"/api/profile", func(req *http.Request) (*http.Response, error) {
		switch req.Header.Get("X-Api-Key") {
		case testKey:
			oldKeys.Add(1)
		case "a1b2c3d4e5f6g7h8i9j0":
			newKeys.Add(1)
		default:
			other.Add(1)
			return httpmock.NewStringResponse(401, `{"error":"Invalid API key","code":"AUTH_ERROR"}`), nil
		}
		return httpmock.NewStringResponse(200, wiretest.Fixture(t, "profile.json")), nil
	})
	var resetBody []byte
	m.Handle("POST", testBase+"/api/reset-api-key", func(req *http.Request) (*http.Response, error) {
		buf := new(bytes.Buffer)
		_, _ = buf.ReadFrom(req.Body)
		resetBody = buf.Bytes()
		time.Sleep(5 * time.Millisecond)
		return httpmock.NewStringResponse(200, wiretest.Fixture(t, "reset_api_key.json")), nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var failures atomic.Int64
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, err := c.Account.Profile(context.Background()); err != nil {
					failures.Add(1)
				}
			}
		}()
	}
	time.Sleep(10 * time.Millisecond)
	res, err := c.Account.ResetAPIKey(context.Background(), ResetAPIKeyParams{Username: "your-username"})
	require.NoError(t, err)
	time.Sleep(10 * time.Millisecond)
	cancel()
	wg.Wait()
	assert.True(t, res.Switched)
	assert.JSONEq(t, `{"username":"your-username","currentApiKey":"account-api-key"}`, string(resetBody))
	assert.Zero(t, failures.Load())
	assert.Zero(t, other.Load())
	assert.Positive(t, oldKeys.Load())
	assert.Positive(t, newKeys.Load())
	assert.Equal(t, "a1b2c3d4e5f6g7h8i9j0", *c.apiKey.Load())
	assert.NotContains(t, fmt.Sprintf("%+v", res), "a1b2c3d4e5f6g7h8i9j0")
	assert.NotContains(t, string(res.Raw()), "a1b2c3d4e5f6g7h8i9j0")
}

func TestResetOtherKeyDoesNotSwitch(t *testing.T) {
	c, m := mockClient(t)
	respond(m, "POST", testBase+"/api/reset-api-key", 200, wiretest.Fixture(t, "reset_api_key.json"), nil)
	res, err := c.Account.ResetAPIKey(context.Background(), ResetAPIKeyParams{Username: "u", CurrentAPIKey: "some-client-key"})
	require.NoError(t, err)
	assert.False(t, res.Switched)
	assert.Equal(t, testKey, *c.apiKey.Load())
	assert.JSONEq(t, `{"username":"u","currentApiKey":"some-client-key"}`, string(m.Last().Body))
}

func TestSetAPIKeyRejectsBlank(t *testing.T) {
	c, _ := mockClient(t)
	assert.ErrorIs(t, c.SetAPIKey(" "), ErrValidation)
	assert.ErrorIs(t, c.SetAPIKey(""), ErrValidation)
}

func testPNG(t testing.TB) []byte {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := 0; i < 8; i++ {
		img.SetGray(i, i, color.Gray{Y: 255})
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

func TestAddNumberDecodesQR(t *testing.T) {
	pngBytes := testPNG(t)
	for _, qr := range []string{
		"data:image/png;base64," + base64.StdEncoding.EncodeToString(pngBytes),
		base64.StdEncoding.EncodeToString(pngBytes),
		"data:image/png;base64," + base64.RawStdEncoding.EncodeToString(pngBytes),
	} {
		c, m := mockClient(t)
		respond(m, "POST", testBase+"/api/add-number", 200, `{"status":"pending_auth","message":"QR Code generated for authentication","qrCode":"`+qr+`","apiKey":"k-123456"}`, nil)
		res, err := c.Clients.AddNumber(context.Background(), AddNumberParams{ClientID: "c", PhoneNumber: "12345678901"})
		require.NoError(t, err)
		assert.Equal(t, pngBytes, res.QRCode)
		_, err = png.Decode(bytes.NewReader(res.QRCode))
		assert.NoError(t, err)
	}
}

func TestQRImage(t *testing.T) {
	pngBytes := testPNG(t)
	c, m := mockClient(t)
	m.Handle("GET", testBase+"/api/qr/client-id", func(req *http.Request) (*http.Response, error) {
		r := httpmock.NewBytesResponse(200, pngBytes)
		r.Header.Set("Content-Type", "image/png")
		return r, nil
	})
	img, err := c.Clients.QR(context.Background(), "client-id")
	require.NoError(t, err)
	assert.Equal(t, pngBytes, img.PNG)
	assert.Equal(t, "image/png", img.ContentType)
	assert.True(t, img.IsPNG())
	r := m.Last()
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, testBase+"/api/qr/client-id", r.URL)
	assert.Equal(t, testKey, r.Header.Get("X-Api-Key"))
	assert.Equal(t, "image/png", r.Header.Get("Accept"))
	assert.Empty(t, r.Header.Get("Cookie"))
	assert.Empty(t, r.Body)
}

func TestQRExpiredIsError(t *testing.T) {
	c, m := mockClient(t)
	respond(m, "GET", testBase+"/api/qr/client-id", 404, `{"error":"QR code not available"}`, nil)
	_, err := c.Clients.QR(context.Background(), "client-id")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestMediaDownload(t *testing.T) {
	c, m := mockClient(t, WithSessionCookie(testCookie))
	jpeg := []byte("\xff\xd8\xff\xe0 fake jpeg")
	m.Handle("GET", testBase+"/api/chats/client-id/media/3EB0C767F26AFC1F8B", func(req *http.Request) (*http.Response, error) {
		r := httpmock.NewBytesResponse(200, jpeg)
		r.Header.Set("Content-Type", "image/jpeg")
		r.Header.Set("Content-Disposition", `inline; filename="photo.jpg"`)
		return r, nil
	})
	st, err := c.Chats.Media(context.Background(), "client-id", "3EB0C767F26AFC1F8B")
	require.NoError(t, err)
	defer st.Close()
	var got bytes.Buffer
	_, err = got.ReadFrom(st)
	require.NoError(t, err)
	assert.Equal(t, jpeg, got.Bytes())
	assert.Equal(t, "image/jpeg", st.ContentType)
	assert.Equal(t, "photo.jpg", st.FileName)
	r := m.Last()
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, testBase+"/api/chats/client-id/media/3EB0C767F26AFC1F8B", r.URL)
	// A session endpoint: the cookie, and no key (sent here before issue 13,
	// though the docs show none).
	assert.Empty(t, r.Header.Values("X-Api-Key"))
	assert.Equal(t, testCookie, r.Header.Get("Cookie"))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"), "as the docs show the request")
	assert.Empty(t, r.Body)
}

func TestDeleteParamsNeverPrintPassword(t *testing.T) {
	p := DeleteClientParams{Password: "hunter2-password"}
	s := fmt.Sprintf("%v %+v %#v %s %q", p, p, p, p, &p)
	assert.NotContains(t, s, "hunter2")
	assert.Contains(t, s, "Password:[REDACTED]")
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("deleting", "params", p)
	assert.NotContains(t, buf.String(), "hunter2")
	assert.Contains(t, buf.String(), `"password":"[REDACTED]"`)
	assert.Equal(t, "{Password:}", fmt.Sprint(DeleteClientParams{}))
}
