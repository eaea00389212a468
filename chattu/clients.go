package chattu

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// ClientsService adds WhatsApp numbers ("clients" in Chattu's words) and
// manages them.
type ClientsService struct{ c *Client }

// NumberStatus is a client's state as add-number reports it.
type NumberStatus string

// Add-number statuses.
const (
	// NumberPendingAuth: scan QRCode with WhatsApp to log the number in.
	NumberPendingAuth NumberStatus = "pending_auth"
	// NumberConnected: the number is already logged in; there is no QR.
	NumberConnected NumberStatus = "connected"
)

// AddNumberParams is the body of POST /api/add-number.
type AddNumberParams struct {
	// ClientID is your unique identifier for this WhatsApp client.
	ClientID string `json:"clientId"`
	// PhoneNumber is the number with its country code, digits only, without
	// "+" ("12345678901").
	PhoneNumber string `json:"phoneNumber"`
}

func (p *AddNumberParams) validate() error {
	if err := checkClientID(p.ClientID); err != nil {
		return err
	}
	if strings.HasPrefix(p.PhoneNumber, "+") {
		return invalid("phoneNumber", `digits only, without the "+" sign`)
	}
	if !loose.IsDigits(p.PhoneNumber) || len(p.PhoneNumber) < 5 || len(p.PhoneNumber) > 20 {
		return invalid("phoneNumber", "required: the number with country code, digits only")
	}
	return nil
}

// AddNumberResult is add-number's answer.
type AddNumberResult struct {
	// Status is pending_auth (scan the QR) or connected.
	Status NumberStatus
	// Message describes the outcome ("QR Code generated for authentication").
	Message string
	// QRCode is the QR as PNG bytes, decoded from the data URL Chattu sends.
	// It is nil when the number is already connected, and also when the
	// data URL could not be decoded; QRCodeDataURL then holds what was sent
	// and Clients.QR fetches the image again.
	QRCode []byte
	// QRCodeDataURL is the qrCode field as sent
	// ("data:image/png;base64,iVBOR...").
	QRCodeDataURL string
	// APIKey is the client's own API key. It is a secret: it prints as
	// [REDACTED] and is kept out of errors and logs.
	APIKey APIKey

	redactedRaw
}

func decodeAddNumber(resp *transport.Response) (*AddNumberResult, error) {
	r := &AddNumberResult{}
	if !isEmpty(resp) {
		o, err := envelope(resp)
		if err != nil {
			return nil, err
		}
		r.Status, r.Message = NumberStatus(textOf(o.get("status"))), textOf(o.get("message"))
		r.QRCodeDataURL = textOf(o.get("qrCode"))
		r.QRCode = decodeDataURL(r.QRCodeDataURL)
		r.APIKey = APIKey(textOf(o.get("apiKey")))
	}
	r.SetRaw(resp.Body)
	return r, nil
}

// decodeDataURL returns the bytes of a base64 data URL (or of bare base64),
// or nil when it is empty or not decodable.
func decodeDataURL(s string) []byte {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if strings.HasPrefix(s, "data:") {
		meta, data, ok := strings.Cut(s, ",")
		if !ok || !strings.HasSuffix(meta, ";base64") {
			return nil
		}
		s = data
	}
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) > 0 {
			return b
		}
	}
	return nil
}

// AddNumber registers a WhatsApp number as a client and returns the QR to
// scan with WhatsApp when it is not connected yet. The returned client API
// key is registered as a secret of this Client. The call is not repeated once
// written (it creates a client).
func (s *ClientsService) AddNumber(ctx context.Context, p AddNumberParams) (*AddNumberResult, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	out, err := do(ctx, s.c, &endpoint{req: &transport.Request{Method: http.MethodPost, Path: "/api/add-number", JSON: &p}}, decodeAddNumber)
	if err != nil {
		return nil, err
	}
	s.c.tc.AddSecret(string(out.APIKey))
	return out, nil
}

// ClientStatus is a client's state as the clients list reports it.
type ClientStatus string

// Statuses the docs show. Others may appear and are kept as sent.
const (
	ClientAuthenticated         ClientStatus = "Authenticated"
	ClientPendingAuthentication ClientStatus = "Pending Authentication"
)

// NotConnected is the connectedNumber Chattu reports for a client that has
// no WhatsApp session.
const NotConnected = "Not Connected"

// ClientInfo is one entry of GET /api/clients.
type ClientInfo struct {
	// ClientID is the identifier given to AddNumber.
	ClientID string
	// PhoneNumber is the number given to AddNumber.
	PhoneNumber string
	// APIKey is the client's own key (a secret; prints as [REDACTED]).
	APIKey APIKey
	// ConnectedNumber is the logged-in WhatsApp id ("9721234567@c.us") or
	// "Not Connected".
	ConnectedNumber string
	// Status is "Authenticated" or "Pending Authentication" (others kept as sent).
	Status ClientStatus
}

// Connected returns the logged-in chat id, and false when the client is not
// connected.
func (ci ClientInfo) Connected() (ChatID, bool) {
	id := ChatID(ci.ConnectedNumber)
	if id.Validate() != nil {
		return "", false
	}
	return id, true
}

type clientInfoWire struct {
	ClientID        loose.String `json:"clientId"`
	PhoneNumber     loose.String `json:"phoneNumber"`
	APIKey          loose.String `json:"apiKey"`
	ConnectedNumber loose.String `json:"connectedNumber"`
	Status          loose.String `json:"status"`
}

func (w *clientInfoWire) value() ClientInfo {
	return ClientInfo{
		ClientID:        string(w.ClientID),
		PhoneNumber:     string(w.PhoneNumber),
		APIKey:          APIKey(w.APIKey),
		ConnectedNumber: string(w.ConnectedNumber),
		Status:          ClientStatus(w.Status),
	}
}

// ClientList is GET /api/clients.
type ClientList struct {
	// Clients are the account's clients (only its own for a client key).
	Clients []ClientInfo
	redactedRaw
}

func decodeClientList(resp *transport.Response) (*ClientList, error) {
	l := &ClientList{}
	raw, _, err := listIn(resp, "clients", "data")
	if err != nil {
		return nil, err
	}
	if l.Clients, err = decodeList(raw, (*clientInfoWire).value); err != nil {
		return nil, err
	}
	l.SetRaw(resp.Body)
	return l, nil
}

// List returns every client of the account. Their API keys are registered
// as secrets of this Client.
func (s *ClientsService) List(ctx context.Context) (*ClientList, error) {
	out, err := do(ctx, s.c, &endpoint{req: &transport.Request{Method: http.MethodGet, Path: "/api/clients"}}, decodeClientList)
	if err != nil {
		return nil, err
	}
	for _, ci := range out.Clients {
		s.c.tc.AddSecret(string(ci.APIKey))
	}
	return out, nil
}

// QRImage is the PNG of a pending client's QR code.
type QRImage struct {
	// PNG is the image.
	PNG []byte
	// ContentType is as sent ("image/png").
	ContentType string
}

// maxQRBytes bounds the QR image; a QR PNG is a few kilobytes, and a
// larger answer is not a QR.
const maxQRBytes = 4 << 20

// QR fetches the QR code image (GET /api/qr/:clientId) of the client
// clientID, waiting in "Pending Authentication" to be scanned. Once the
// client is authenticated the QR expires and Chattu answers with an error.
func (s *ClientsService) QR(ctx context.Context, clientID string) (*QRImage, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	return do(ctx, s.c, &endpoint{req: &transport.Request{
		Method: http.MethodGet, Path: "/api/qr/" + url.PathEscape(clientID),
		Header: http.Header{"Accept": {"image/png"}},
	}}, decodeQR)
}

func decodeQR(resp *transport.Response) (*QRImage, error) {
	if len(resp.Body) > maxQRBytes {
		return nil, errQRTooLarge
	}
	return &QRImage{PNG: resp.Body, ContentType: resp.Header.Get("Content-Type")}, nil
}

var errQRTooLarge = errors.New("QR image larger than 4 MiB")

// IsPNG reports whether the image starts with the PNG signature.
func (q *QRImage) IsPNG() bool { return bytes.HasPrefix(q.PNG, pngSignature) }

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// UpdateWebhookParams is the body of POST /api/update-webhook.
type UpdateWebhookParams struct {
	// ClientID names the WhatsApp client (required).
	ClientID string `json:"clientId"`
	// WebhookURL receives the client's events. Chattu requires a publicly
	// reachable http(s) URL that answers within 5 seconds.
	WebhookURL string `json:"webhookUrl"`
}

// Result is the answer of calls that return only a message
// ({"message": "Client deleted successfully."}) or nothing documented. Raw
// keeps whatever was sent.
type Result struct {
	// Message is the vendor's text, if any.
	Message string
	// Success is the "success" flag, when sent.
	Success bool
	transport.RawJSON
}

// decodeResult reads a Result from any object answer; an empty answer is
// an empty Result.
func decodeResult(resp *transport.Response) (*Result, error) {
	r := &Result{}
	if isEmpty(resp) {
		return r, nil
	}
	o, err := envelope(resp)
	if err != nil {
		return nil, err
	}
	r.Message, r.Success = textOf(o.get("message")), boolOf(o.get("success"))
	r.SetRaw(resp.Body)
	return r, nil
}

// UpdateWebhook sets the URL that receives the client's events
// (message_received, message_sent, call_rejected). See NewWebhookHandler.
func (s *ClientsService) UpdateWebhook(ctx context.Context, p UpdateWebhookParams) (*Result, error) {
	if err := checkClientID(p.ClientID); err != nil {
		return nil, err
	}
	if err := checkHTTPURL("webhookUrl", p.WebhookURL, true); err != nil {
		return nil, err
	}
	return do(ctx, s.c, &endpoint{req: &transport.Request{Method: http.MethodPost, Path: "/api/update-webhook", JSON: &p}}, decodeResult)
}

// DeleteClientParams is the body confirming a client's deletion.
type DeleteClientParams struct {
	// Password is the dashboard password (a secret, never printed).
	Password string `json:"password"`
}

// Format prints the params with the password redacted, for every verb, so
// logging a call's input cannot reveal the dashboard password.
func (p DeleteClientParams) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "{Password:%s}", redactedIfSet(p.Password))
}

// LogValue keeps the password out of structured logs.
func (p DeleteClientParams) LogValue() slog.Value {
	return slog.GroupValue(slog.String("password", redactedIfSet(p.Password)))
}

func redactedIfSet(s string) string {
	if s == "" {
		return ""
	}
	return transport.Redacted
}

// Delete removes the client clientID permanently and disconnects its
// WhatsApp session (DELETE /clients/:clientId). It needs the dashboard session
// (WithSessionCookie) and the account password; Chattu limits it to 5
// attempts per hour.
//
// Deleting twice leaves the same state, so a failed attempt is retried.
// When an answer was lost the retry finds no client: an error matching
// ErrNotFound with Attempts > 1 may mean an earlier attempt deleted it.
func (s *ClientsService) Delete(ctx context.Context, clientID string, p DeleteClientParams) (*Result, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	if p.Password == "" {
		return nil, invalid("password", "required to confirm the deletion")
	}
	s.c.tc.AddSecret(p.Password)
	return do(ctx, s.c, &endpoint{auth: sessionAuth, req: &transport.Request{
		Method: http.MethodDelete, Path: "/clients/" + url.PathEscape(clientID), JSON: &p,
	}}, decodeResult)
}

// checkClientID rejects an empty or blank client id and one with characters
// that have no place in an id (control characters, "/").
func checkClientID(id string) error {
	if strings.TrimSpace(id) == "" {
		return invalid("clientId", "required")
	}
	if strings.ContainsAny(id, "/\\?#") || strings.IndexFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return invalid("clientId", "must not contain '/', '?', '#' or control characters")
	}
	return nil
}

// checkHTTPURL requires an absolute http(s) URL.
func checkHTTPURL(field, raw string, required bool) error {
	if raw == "" {
		if required {
			return invalid(field, "required")
		}
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid(field, "must be an absolute http or https URL")
	}
	return nil
}
