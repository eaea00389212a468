package relay

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/textproto"
	"sort"
	"strconv"
	"strings"
)

// EqualCredential compares a received credential with the expected one in
// time that does not depend on where they differ or on the received length
// matching: both sides are hashed to fixed-size SHA-256 digests first, and the
// digests are compared with subtle.ConstantTimeCompare. (Hashing still takes
// time proportional to each input's length; CredentialSet hashes the expected
// values once, ahead of time, so only the received value is hashed per
// request.)
func EqualCredential(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// CredentialSet holds the accepted values of one shared credential (an API
// key, a client secret) as digests. Several values allow rotation: add the
// new value, switch the vendor, remove the old one.
type CredentialSet struct {
	digests [][sha256.Size]byte
}

// NewCredentialSet rejects an empty set and empty or blank values, because a
// blank expected value would accept any request that omits the header.
func NewCredentialSet(accepted ...string) (*CredentialSet, error) {
	if len(accepted) == 0 {
		return nil, fmt.Errorf("%w: no accepted credential values", ErrConfig)
	}
	c := &CredentialSet{digests: make([][sha256.Size]byte, len(accepted))}
	for i, v := range accepted {
		if strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("%w: accepted credential value %d is empty or blank", ErrConfig, i)
		}
		c.digests[i] = sha256.Sum256([]byte(v))
	}
	return c, nil
}

// Match reports whether got is one of the accepted values and which one (for
// logging rotations). Every accepted value is compared, so timing does not
// reveal how many values exist before the match.
func (c *CredentialSet) Match(got string) (index int, ok bool) {
	if c == nil || got == "" {
		return -1, false
	}
	g := sha256.Sum256([]byte(got))
	index = -1
	for i := range c.digests {
		eq := subtle.ConstantTimeCompare(g[:], c.digests[i][:])
		index = subtle.ConstantTimeSelect(eq, i, index)
	}
	return index, index >= 0
}

// HeaderCredentials returns a guard that requires every listed header to carry
// exactly one value matching one of its accepted values: an account's
// X-Client-Id and X-Client-Secret pair, or a single X-Api-Key. Each header
// is matched independently, so with two rotating pairs any combination of
// accepted id and accepted secret passes. Failures answer 401.
func HeaderCredentials(expected map[string][]string, opts ...HandlerOption) (Middleware, error) {
	cfg, err := buildHandlerConfig(false, opts)
	if err != nil {
		return nil, err
	}
	if len(expected) == 0 {
		return nil, fmt.Errorf("%w: no credential headers", ErrConfig)
	}
	type check struct {
		header string
		set    *CredentialSet
	}
	checks := make([]check, 0, len(expected))
	for name, values := range expected {
		if err := checkHeaderName("credential header", name); err != nil {
			return nil, err
		}
		key := textproto.CanonicalMIMEHeaderKey(name)
		set, err := NewCredentialSet(values...)
		if err != nil {
			return nil, fmt.Errorf("%w: header %s", err, key)
		}
		checks = append(checks, check{header: key, set: set})
	}
	// A fixed order gives stable error messages; checking every header even
	// after a failure keeps timing independent of which one was wrong.
	sort.Slice(checks, func(i, j int) bool { return checks[i].header < checks[j].header })
	for i := 1; i < len(checks); i++ {
		if checks[i].header == checks[i-1].header {
			return nil, fmt.Errorf("%w: header %s listed twice", ErrConfig, checks[i].header)
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var firstErr error
			for _, c := range checks {
				var err error
				vals := r.Header[c.header]
				switch {
				case len(vals) == 0 || (len(vals) == 1 && vals[0] == ""):
					err = fmt.Errorf("%w: %s missing", ErrUnauthenticated, c.header)
				case len(vals) > 1:
					err = fmt.Errorf("%w: %s sent %d times", ErrUnauthenticated, c.header, len(vals))
				default:
					if _, ok := c.set.Match(vals[0]); !ok {
						err = fmt.Errorf("%w: %s does not match", ErrUnauthenticated, c.header)
					}
				}
				if firstErr == nil {
					firstErr = err
				}
			}
			if firstErr != nil {
				writeFailure(w, r, firstErr, cfg.onError)
				return
			}
			next.ServeHTTP(w, r)
		})
	}, nil
}

// TokenSource extracts a secret token from a request; it returns "" when the
// token is absent or ambiguous.
type TokenSource func(*http.Request) string

// QueryToken reads the token from a query parameter. A parameter given twice
// yields "" so that two components cannot disagree about which one counts.
func QueryToken(param string) TokenSource {
	return func(r *http.Request) string {
		if r.URL == nil {
			return ""
		}
		vals := r.URL.Query()[param]
		if len(vals) != 1 {
			return ""
		}
		return vals[0]
	}
}

// PathValueToken reads the token from a net/http ServeMux wildcard, e.g.
// "POST /ivr/{token}".
func PathValueToken(name string) TokenSource {
	return func(r *http.Request) string { return r.PathValue(name) }
}

// LastPathSegmentToken reads the token from the last segment of the path,
// for routers (gin, echo) whose path parameters net/http cannot see.
func LastPathSegmentToken() TokenSource {
	return func(r *http.Request) string {
		if r.URL == nil {
			return ""
		}
		p := r.URL.Path
		i := strings.LastIndexByte(p, '/')
		return p[i+1:]
	}
}

// MinTokenLength is the shortest URL token SecretToken accepts. A URL token
// may be the only thing protecting an unsigned endpoint, so anything short
// enough to type from memory is refused; generate 32 random hex characters.
const MinTokenLength = 16

// SecretToken returns a guard for callbacks the vendor does not sign (an IVR
// callback, say): the callback URL embeds a random token and the guard accepts
// only requests that carry one of the accepted tokens. Failures answer 401.
// URLs end up in access logs, so prefer this in combination with an allowlist
// and rotate the token if logs leak.
func SecretToken(from TokenSource, accepted []string, opts ...HandlerOption) (Middleware, error) {
	cfg, err := buildHandlerConfig(false, opts)
	if err != nil {
		return nil, err
	}
	if from == nil {
		return nil, fmt.Errorf("%w: nil TokenSource", ErrConfig)
	}
	for i, t := range accepted {
		if len(t) < MinTokenLength {
			return nil, fmt.Errorf("%w: token %d is shorter than %d bytes", ErrConfig, i, MinTokenLength)
		}
	}
	set, err := NewCredentialSet(accepted...)
	if err != nil {
		return nil, err
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := set.Match(from(r)); !ok {
				writeFailure(w, r, fmt.Errorf("%w: missing or wrong URL token", ErrUnauthenticated), cfg.onError)
				return
			}
			next.ServeHTTP(w, r)
		})
	}, nil
}

// BasicCredential is one accepted user/password pair. List the same user
// twice with different passwords to rotate.
type BasicCredential struct {
	// Username is compared in constant time, like Password.
	Username string
	// Password is never printed.
	Password string
}

// String names the user and hides the password.
func (c BasicCredential) String() string {
	return "relay.BasicCredential{Username: " + strconv.Quote(c.Username) + ", Password: [REDACTED]}"
}

// GoString is String, for %#v.
func (c BasicCredential) GoString() string { return c.String() }

// Format prints String for every verb.
func (c BasicCredential) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue keeps the password out of structured logs.
func (c BasicCredential) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", c.Username), slog.String("password", "[REDACTED]"))
}

// BasicAuth returns a guard requiring HTTP basic authentication with one of
// the given pairs. Every pair is compared on every request, so timing reveals
// neither valid usernames nor how far a password matched. Failures answer 401
// with a WWW-Authenticate challenge for realm.
func BasicAuth(realm string, accepted []BasicCredential, opts ...HandlerOption) (Middleware, error) {
	cfg, err := buildHandlerConfig(false, opts)
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(realm); i++ {
		if b := realm[i]; b < ' ' || b == '"' || b == '\\' || b == 0x7f {
			return nil, fmt.Errorf("%w: realm must not contain quotes, backslashes or control characters", ErrConfig)
		}
	}
	if len(accepted) == 0 {
		return nil, fmt.Errorf("%w: no basic-auth credentials", ErrConfig)
	}
	type pair struct{ user, pass [sha256.Size]byte }
	pairs := make([]pair, len(accepted))
	for i, c := range accepted {
		switch {
		case strings.TrimSpace(c.Username) == "" || strings.TrimSpace(c.Password) == "":
			return nil, fmt.Errorf("%w: basic-auth credential %d has an empty or blank username or password", ErrConfig, i)
		case strings.ContainsRune(c.Username, ':'):
			// Basic auth splits at the first colon, so such a user can never log in.
			return nil, fmt.Errorf("%w: basic-auth username %d contains a colon", ErrConfig, i)
		}
		pairs[i] = pair{sha256.Sum256([]byte(c.Username)), sha256.Sum256([]byte(c.Password))}
	}
	challenge := fmt.Sprintf(`Basic realm="%s", charset="UTF-8"`, realm)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			user, pass, ok := r.BasicAuth()
			if !ok {
				w.Header().Set("WWW-Authenticate", challenge)
				writeFailure(w, r, fmt.Errorf("%w: no basic-auth credentials", ErrUnauthenticated), cfg.onError)
				return
			}
			u, p := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
			match := 0
			for i := range pairs {
				match |= subtle.ConstantTimeCompare(u[:], pairs[i].user[:]) & subtle.ConstantTimeCompare(p[:], pairs[i].pass[:])
			}
			if match != 1 {
				w.Header().Set("WWW-Authenticate", challenge)
				writeFailure(w, r, fmt.Errorf("%w: basic-auth credentials do not match", ErrUnauthenticated), cfg.onError)
				return
			}
			next.ServeHTTP(w, r)
		})
	}, nil
}

// IPAllowlist returns a guard admitting only clients whose address falls in
// one of the allowed CIDRs or addresses (IPv4 or IPv6). Failures answer 403.
//
// The client address is the TCP peer unless the peer is one of
// trustedProxies: only then are X-Forwarded-For (walked right to left,
// skipping trusted proxies, because the right end is what our own proxies
// appended and the left end is whatever the client claimed) and, without it,
// X-Real-IP believed. An unparsable address where the client should be is a
// denial, never a fallback to a more permissive guess.
func IPAllowlist(allowed, trustedProxies []string, opts ...HandlerOption) (Middleware, error) {
	cfg, err := buildHandlerConfig(false, opts)
	if err != nil {
		return nil, err
	}
	if len(allowed) == 0 {
		return nil, fmt.Errorf("%w: empty IP allowlist", ErrConfig)
	}
	allow, err := parsePrefixes("allowlist", allowed)
	if err != nil {
		return nil, err
	}
	trusted, err := parsePrefixes("trusted proxy", trustedProxies)
	if err != nil {
		return nil, err
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			client, err := clientAddr(r, trusted)
			if err == nil && !containsAddr(allow, client) {
				err = fmt.Errorf("%w: client %s is not in the allowlist", ErrForbidden, client)
			}
			if err != nil {
				writeFailure(w, r, err, cfg.onError)
				return
			}
			next.ServeHTTP(w, r)
		})
	}, nil
}

func parsePrefixes(what string, entries []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(entries))
	for i, e := range entries {
		e = strings.TrimSpace(e)
		var p netip.Prefix
		if strings.Contains(e, "/") {
			var err error
			if p, err = netip.ParsePrefix(e); err != nil {
				return nil, fmt.Errorf("%w: %s entry %d %q is not a CIDR", ErrConfig, what, i, e)
			}
		} else {
			a, err := netip.ParseAddr(e)
			if err != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%w: %s entry %d %q is not an IP address", ErrConfig, what, i, e)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		// Peers are compared unmapped, so an IPv4-mapped IPv6 entry
		// (::ffff:10.0.0.0/104) must become its IPv4 form to ever match.
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func containsAddr(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHostAddr accepts the forms proxies write: a bare address, an address
// with a port, or a bracketed IPv6 address. Zones are dropped and IPv4-mapped
// addresses unmapped so that prefix matching sees one canonical form.
func parseHostAddr(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err2 := netip.ParseAddrPort(s)
		if err2 != nil {
			if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
				return netip.Addr{}, false
			}
			if a, err = netip.ParseAddr(s[1 : len(s)-1]); err != nil {
				return netip.Addr{}, false
			}
		} else {
			a = ap.Addr()
		}
	}
	return a.WithZone("").Unmap(), true
}

func clientAddr(r *http.Request, trusted []netip.Prefix) (netip.Addr, error) {
	peer, ok := parseHostAddr(r.RemoteAddr)
	if !ok {
		return netip.Addr{}, fmt.Errorf("%w: unparsable peer address", ErrForbidden)
	}
	if !containsAddr(trusted, peer) {
		return peer, nil
	}
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		// Several header lines form one list in order (RFC 9110 5.3).
		hops := strings.Split(strings.Join(xff, ","), ",")
		var last netip.Addr
		for i := len(hops) - 1; i >= 0; i-- {
			a, ok := parseHostAddr(hops[i])
			if !ok {
				return netip.Addr{}, fmt.Errorf("%w: unparsable X-Forwarded-For hop", ErrForbidden)
			}
			if !containsAddr(trusted, a) {
				return a, nil
			}
			last = a
		}
		// Every hop is one of our proxies: the leftmost is the origin.
		return last, nil
	}
	if xri := r.Header.Values("X-Real-Ip"); len(xri) > 0 {
		if len(xri) > 1 {
			return netip.Addr{}, fmt.Errorf("%w: X-Real-Ip sent %d times", ErrForbidden, len(xri))
		}
		a, ok := parseHostAddr(xri[0])
		if !ok {
			return netip.Addr{}, fmt.Errorf("%w: unparsable X-Real-Ip", ErrForbidden)
		}
		return a, nil
	}
	return peer, nil
}
