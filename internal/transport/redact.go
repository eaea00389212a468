package transport

import (
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Redacted replaces a secret wherever the SDK prints text.
const Redacted = "[REDACTED]"

// secretFieldNames are JSON members whose values are credentials even when
// the SDK never saw them before (a client's new API key in a response body).
const secretFieldNames = `apiKey|newApiKey|currentApiKey|api_key|auth_key|password|client-secret|client_secret|token|secret`

// secretFields matches a secretFieldNames member with its string value.
var secretFields = regexp.MustCompile(`(?i)("(?:` + secretFieldNames + `)"\s*:\s*)"(?:[^"\\]|\\.)*"`)

// redactor removes known secret values from text. Secrets are only ever
// added: after a key rotation the old key is still a secret.
type redactor struct {
	mu      sync.RWMutex
	secrets []string
}

func (r *redactor) add(values ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		// Very short values would redact ordinary words and numbers and
		// cannot be meaningful secrets anyway.
		if len(strings.TrimSpace(v)) < 4 {
			continue
		}
		dup := false
		for _, s := range r.secrets {
			if s == v {
				dup = true
				break
			}
		}
		if !dup {
			r.secrets = append(r.secrets, v)
		}
	}
	// Longest first: a secret that contains another (a key that embeds
	// the account number) must go whole, not leave its remainder behind.
	sort.SliceStable(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

func (r *redactor) string(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, v := range r.secrets {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Redacted)
		}
	}
	return s
}

// text redacts known secrets and credential-named JSON members, for text
// that may quote a vendor's body.
func (r *redactor) text(s string) string {
	s = r.string(s)
	if strings.Contains(s, `"`) {
		s = secretFields.ReplaceAllString(s, `${1}"`+Redacted+`"`)
	}
	return s
}

func (r *redactor) body(b []byte) []byte { return []byte(r.text(string(b))) }

// openSecretField is a credential-named JSON member whose string value runs
// to the end of the text: what is left of one when a body is cut.
var openSecretField = regexp.MustCompile(`(?i)("(?:` + secretFieldNames + `)"\s*:\s*)"(?:[^"\\]|\\.)*\\?$`)

// cappedBody returns b redacted, then cut to at most limit bytes. Redacting
// first means a secret that straddles the cut goes whole instead of leaving
// its first bytes behind. Only the first 2*limit bytes are looked at, which
// covers any secret starting before the cut; a credential member whose value
// runs past what is kept is redacted to its end.
func (r *redactor) cappedBody(b []byte, limit int) []byte {
	window := b
	if len(window) > 2*limit {
		window = window[:2*limit]
	}
	s := r.text(string(window))
	if len(window) == len(b) && len(s) <= limit {
		return []byte(s)
	}
	if len(s) > limit {
		s = s[:limit]
	}
	if strings.Contains(s, `"`) {
		s = openSecretField.ReplaceAllString(s, `${1}"`+Redacted)
		if len(s) > limit {
			s = s[:limit] // into the marker, which hides nothing
		}
	}
	return []byte(s)
}

// RedactBody returns a copy of b with credential-named JSON members
// ("apiKey", "newApiKey", "password", ...) replaced, for vendor packages that
// print or keep bodies.
func RedactBody(b []byte) []byte { return (*redactor)(nil).body(b) }
