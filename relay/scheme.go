package relay

import (
	"fmt"
	"net/textproto"
	"strings"
)

// Layout placeholders. A layout is literal text around exactly one
// timestamp placeholder followed by the body placeholder at the very end.
const (
	PlaceholderTimestamp = "{timestamp}"
	PlaceholderBody      = "{body}"
)

// Scheme describes how a vendor signs a delivery with HMAC-SHA256: where the
// MAC and the timestamp travel and which bytes were signed. It is a plain
// struct so that any vendor can be described without new code: each vendor
// package of the SDK defines its own preset, and a receiver for a vendor the
// SDK does not cover fills the four fields from that vendor's documentation. NewVerifier and NewSigner validate it.
//
// The signature header value must be SignaturePrefix followed by exactly 64
// hex digits (either case). The string to sign is Layout with the raw
// timestamp header value and the raw body substituted.
type Scheme struct {
	// SignatureHeader carries the MAC, e.g. "X-Signature".
	SignatureHeader string
	// SignaturePrefix precedes the hex MAC in the header, e.g. "sha256=".
	// It may be empty for vendors that send bare hex.
	SignaturePrefix string
	// TimestampHeader carries the signing time in unix seconds, e.g.
	// "X-Timestamp". It is required: without a signed timestamp a
	// captured request could be replayed forever.
	TimestampHeader string
	// Layout is the string to sign, e.g. "{timestamp}.{body}" or
	// "v0:{timestamp}:{body}" for vendors that add a version tag. The text
	// between the placeholders must be non-empty and free of digits so that
	// digits cannot be moved between the timestamp and the body.
	Layout string
}

// compiledScheme is a validated Scheme with the layout split into the bytes
// written before and after the timestamp.
type compiledScheme struct {
	sigHeader string // canonical form, used as the http.Header map key
	tsHeader  string
	sigPrefix string
	before    string // layout text before the timestamp
	between   string // layout text between the timestamp and the body
}

func (s Scheme) compile() (compiledScheme, error) {
	var c compiledScheme
	if err := checkHeaderName("SignatureHeader", s.SignatureHeader); err != nil {
		return c, err
	}
	if err := checkHeaderName("TimestampHeader", s.TimestampHeader); err != nil {
		return c, err
	}
	c.sigHeader = textproto.CanonicalMIMEHeaderKey(s.SignatureHeader)
	c.tsHeader = textproto.CanonicalMIMEHeaderKey(s.TimestampHeader)
	if c.sigHeader == c.tsHeader {
		return c, fmt.Errorf("%w: SignatureHeader and TimestampHeader are both %s", ErrConfig, c.sigHeader)
	}
	for i := 0; i < len(s.SignaturePrefix); i++ {
		// Servers trim surrounding whitespace from header values, so a prefix
		// with spaces or control bytes could never match.
		if b := s.SignaturePrefix[i]; b <= ' ' || b >= 0x7f {
			return c, fmt.Errorf("%w: SignaturePrefix must be printable ASCII without spaces", ErrConfig)
		}
	}
	c.sigPrefix = s.SignaturePrefix

	if !strings.HasSuffix(s.Layout, PlaceholderBody) {
		return c, fmt.Errorf("%w: Layout must end with %s", ErrConfig, PlaceholderBody)
	}
	head := strings.TrimSuffix(s.Layout, PlaceholderBody)
	if strings.Count(head, PlaceholderTimestamp) != 1 || strings.Contains(head, PlaceholderBody) {
		return c, fmt.Errorf("%w: Layout must contain %s exactly once, before %s", ErrConfig, PlaceholderTimestamp, PlaceholderBody)
	}
	c.before, c.between, _ = strings.Cut(head, PlaceholderTimestamp)
	if c.between == "" || strings.ContainsAny(c.between, "0123456789") {
		return c, fmt.Errorf("%w: Layout needs a non-digit separator between %s and %s", ErrConfig, PlaceholderTimestamp, PlaceholderBody)
	}
	return c, nil
}

func checkHeaderName(field, name string) error {
	if name == "" {
		return fmt.Errorf("%w: %s is empty", ErrConfig, field)
	}
	if !isToken(name) {
		return fmt.Errorf("%w: %s is not a valid header name", ErrConfig, field)
	}
	return nil
}

// isToken reports whether s is an RFC 9110 token, the grammar of header names.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0:
		default:
			return false
		}
	}
	return true
}
