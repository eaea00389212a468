package relay

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Signer produces the headers a vendor would send, so that sandboxes and
// users' tests can exercise a receiver end to end with real signatures
// instead of switching verification off. It is safe for concurrent use.
type Signer struct {
	scheme compiledScheme
	key    *hmacKey
	now    func() time.Time
}

// SignerOption configures NewSigner.
type SignerOption func(*Signer)

// WithSignerClock replaces time.Now as the source of signing timestamps, so a
// test can sign "as of" the same instant its verifier's clock reports.
func WithSignerClock(now func() time.Time) SignerOption {
	return func(s *Signer) { s.now = now }
}

// NewSigner validates the scheme and secret with the same rules as
// NewVerifier, so a sandbox cannot sign with a key a receiver would refuse.
func NewSigner(scheme Scheme, secret []byte, opts ...SignerOption) (*Signer, error) {
	cs, err := scheme.compile()
	if err != nil {
		return nil, err
	}
	keys, err := compileSecrets([]Secret{{Value: secret}})
	if err != nil {
		return nil, err
	}
	s := &Signer{scheme: cs, key: keys[0], now: time.Now}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	if s.now == nil {
		return nil, fmt.Errorf("%w: WithSignerClock(nil)", ErrConfig)
	}
	return s, nil
}

// Sign returns the timestamp and signature headers for body, signed now.
func (s *Signer) Sign(body []byte) http.Header {
	return s.SignAt(s.now(), body)
}

// SignAt signs body as of t, e.g. to produce a delivery that is just inside
// or just outside a receiver's window.
func (s *Signer) SignAt(t time.Time, body []byte) http.Header {
	return s.SignWithTimestamp(strconv.FormatInt(t.Unix(), 10), body)
}

// SignWithTimestamp signs exactly the given timestamp text, even one a
// verifier rejects (milliseconds, a sign, a fraction), so that sandboxes can
// check that a receiver refuses it for the right reason.
func (s *Signer) SignWithTimestamp(timestamp string, body []byte) http.Header {
	var sum [sha256.Size]byte
	s.key.sum(&s.scheme, timestamp, body, &sum)
	sig := make([]byte, 0, len(s.scheme.sigPrefix)+2*sha256.Size)
	sig = append(sig, s.scheme.sigPrefix...)
	sig = hex.AppendEncode(sig, sum[:])
	return http.Header{
		s.scheme.tsHeader:  {timestamp},
		s.scheme.sigHeader: {string(sig)},
	}
}

// SignRequest signs r's body now and sets the headers on r, replacing any
// previous signature. The body is read and replaced with an identical fresh
// reader (GetBody too), so the request can still be sent or served.
func (s *Signer) SignRequest(r *http.Request) error {
	if r == nil {
		return fmt.Errorf("%w: nil request", ErrConfig)
	}
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return fmt.Errorf("relay: reading request body to sign: %w", err)
		}
		body = b
	}
	if len(body) == 0 {
		// A client request with ContentLength 0 and a non-NoBody Body is sent
		// chunked, which some receivers mishandle.
		body = []byte{}
		r.Body = http.NoBody
		r.GetBody = func() (io.ReadCloser, error) { return http.NoBody, nil }
	} else {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	r.ContentLength = int64(len(body))
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	for k, v := range s.Sign(body) {
		r.Header[k] = v
	}
	return nil
}
