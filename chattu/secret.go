package chattu

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// APIKey is an API key Chattu returned (a client's own key, the account key
// in the profile, a reset key). It prints as [REDACTED] with every fmt verb,
// in slog and in JSON, so results can be logged whole; convert it with
// string(k) or Reveal where the key is really needed.
type APIKey string

// Reveal returns the key itself.
func (k APIKey) Reveal() string { return string(k) }

// String returns [REDACTED], or "" for an empty key so that a missing key is
// still visible when debugging.
func (k APIKey) String() string {
	if k == "" {
		return ""
	}
	return transport.Redacted
}

// Format prints String for every verb (%v, %s, %q, %x, %#v...).
func (k APIKey) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", k.String())
		return
	}
	_, _ = io.WriteString(f, k.String())
}

// LogValue keeps the key out of structured logs.
func (k APIKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// MarshalJSON writes [REDACTED] too, so a result logged by a JSON log
// handler or encoded for debugging cannot leak the key. Store string(k).
func (k APIKey) MarshalJSON() ([]byte, error) { return json.Marshal(k.String()) }

// UnmarshalJSON accepts the key as a string (or a number, or null), under
// the loose-JSON policy: anything else reads as no key.
func (k *APIKey) UnmarshalJSON(b []byte) error {
	*k = APIKey(textOf(b))
	return nil
}

// redactedRaw keeps a response's raw JSON with credential fields (apiKey,
// newApiKey) blanked, for results that carry keys: the typed APIKey fields
// hold the values, and Raw can be logged.
type redactedRaw struct{ raw json.RawMessage }

// Raw returns the JSON the value was decoded from, credentials redacted.
func (r *redactedRaw) Raw() json.RawMessage { return r.raw }

// SetRaw records the JSON the value was decoded from, redacting credentials.
func (r *redactedRaw) SetRaw(b json.RawMessage) { r.raw = transport.RedactBody(b) }
