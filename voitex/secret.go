package voitex

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// Redacted is what a Secret prints as, whatever the verb or encoder.
const Redacted = transport.Redacted

// secretMask scrambles Secret values in memory, so that even a reflection
// dump that bypasses every method (a Secret inside another type's unexported
// field printed with %v) shows noise instead of card data.
var secretMask = func() [32]byte {
	var k [32]byte
	if _, err := rand.Read(k[:]); err != nil {
		// crypto/rand does not fail on supported platforms; a fixed mask
		// still keeps plain digits out of dumps.
		for i := range k {
			k[i] = byte(0x5a + i)
		}
	}
	return k
}()

func mask(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = c ^ secretMask[i%len(secretMask)]
	}
	return out
}

// Secret holds a piece of payment data (card last four, expiry, CVV, billing
// zip) from an API Branch request. It prints as [REDACTED] with every fmt
// verb (%v, %+v, %#v, %s, %q, %x), in JSON and in slog records; Reveal
// returns the value for the code that really needs it.
type Secret struct {
	b []byte // masked
}

// NewSecret wraps s, for tests and for building requests in a sandbox.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{b: mask([]byte(s))}
}

// Reveal returns the value. Never log what it returns.
func (s Secret) Reveal() string { return string(mask(s.b)) }

// IsZero reports whether the value is empty (the field was absent or null).
func (s Secret) IsZero() bool { return len(s.b) == 0 }

// String returns [REDACTED], or "" for an empty value.
func (s Secret) String() string {
	if s.IsZero() {
		return ""
	}
	return Redacted
}

// GoString returns the redacted form for %#v.
func (s Secret) GoString() string { return fmt.Sprintf("voitex.Secret(%q)", s.String()) }

// Format prints the redacted form for every verb.
func (s Secret) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		_, _ = io.WriteString(f, fmt.Sprintf("%q", s.String()))
	default:
		_, _ = io.WriteString(f, s.String())
	}
}

// MarshalJSON writes the redacted form, so a request logged as JSON shows no
// payment data.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalText writes the redacted form, for encoders that prefer text.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue redacts the value in slog records.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// UnmarshalJSON reads a string or a number (the documented sample sends the
// CVV as 987); null and "null" leave it empty.
func (s *Secret) UnmarshalJSON(b []byte) error {
	*s = NewSecret(loose.Text(b))
	return nil
}
