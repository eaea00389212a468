package ourvoice

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
)

// QRCode is the QR code Our Voice returns for a pending session, as it sent
// it: a data URL ("data:image/png;base64,iVBOR..."). Scanning it with
// WhatsApp ("Linked devices") connects the session. It rotates while the
// session is pending, so show the newest one.
type QRCode string

// errNotDataURL explains why a QR code could not be decoded.
var errNotDataURL = errors.New("ourvoice: qr_code is not a base64 data URL")

// Image decodes the data URL into the image bytes and their media type
// ("image/png"). A bare base64 string (no "data:" prefix) is accepted too;
// its media type is sniffed. Padding, URL-safe alphabets and embedded line
// breaks are tolerated.
func (q QRCode) Image() (data []byte, mediaType string, err error) {
	s := strings.TrimSpace(string(q))
	if s == "" {
		return nil, "", errNotDataURL
	}
	payload := s
	if strings.HasPrefix(strings.ToLower(s), "data:") {
		head, rest, ok := strings.Cut(s[len("data:"):], ",")
		if !ok {
			return nil, "", errNotDataURL
		}
		params := strings.Split(head, ";")
		mediaType = strings.ToLower(strings.TrimSpace(params[0]))
		b64 := false
		for _, p := range params[1:] {
			if strings.EqualFold(strings.TrimSpace(p), "base64") {
				b64 = true
			}
		}
		if !b64 {
			return nil, "", errNotDataURL
		}
		payload = rest
	}
	data, err = decodeBase64(payload)
	if err != nil {
		return nil, "", errNotDataURL
	}
	if mediaType == "" {
		mediaType = http.DetectContentType(data)
		if i := strings.IndexByte(mediaType, ';'); i >= 0 {
			mediaType = mediaType[:i]
		}
	}
	return data, mediaType, nil
}

// PNG decodes the QR code's image. It fails if the data URL is malformed,
// truncated (as in the vendor docs' sample) or not a PNG.
func (q QRCode) PNG() ([]byte, error) {
	data, mt, err := q.Image()
	if err != nil {
		return nil, err
	}
	if mt != "image/png" || !isPNG(data) {
		return nil, errors.New("ourvoice: qr_code is not a PNG image")
	}
	return data, nil
}

// String returns the data URL.
func (q QRCode) String() string { return string(q) }

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

func isPNG(b []byte) bool {
	return len(b) >= len(pngSignature) && string(b[:len(pngSignature)]) == string(pngSignature)
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\n', '\r', '\t':
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// pngOrNil is the decoded PNG when the QR code holds one.
func (q QRCode) pngOrNil() []byte {
	b, err := q.PNG()
	if err != nil {
		return nil
	}
	return b
}
