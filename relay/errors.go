package relay

import (
	"errors"
	"net/http"
)

// The sentinels below are the only values callers should branch on; the
// wrapped text adds context (which header, how old) for logs. Messages are
// built from header names, counts and parsed integers only, never from header
// values, secrets or bodies, so an error can be logged as-is without leaking a
// MAC or a credential.
var (
	// ErrConfig reports a configuration that cannot verify anything (an empty or
	// blank secret, a malformed scheme, a nonsensical limit). Constructors return
	// it instead of silently degrading to "accept everything".
	ErrConfig = errors.New("relay: invalid configuration")

	// ErrMissingHeader means a header the scheme requires was absent or empty.
	ErrMissingHeader = errors.New("relay: missing header")

	// ErrMalformedHeader means a header was present but not in the expected
	// form, or was sent more than once (an ambiguity an attacker could exploit
	// if two components picked different copies).
	ErrMalformedHeader = errors.New("relay: malformed header")

	// ErrTooOld means the signed timestamp is older than the allowed age.
	ErrTooOld = errors.New("relay: timestamp too old")

	// ErrTooNew means the signed timestamp is further in the future than the
	// allowed clock skew (a millisecond timestamp lands here too).
	ErrTooNew = errors.New("relay: timestamp too far in the future")

	// ErrNoMatchingSignature means no configured secret produced the MAC that
	// was sent: the body, timestamp or secret differ from what was signed.
	ErrNoMatchingSignature = errors.New("relay: no matching signature")

	// ErrUnauthenticated means a shared credential, token or basic-auth pair was
	// missing or wrong.
	ErrUnauthenticated = errors.New("relay: unauthenticated")

	// ErrForbidden means the caller is refused whatever it presents, e.g. its
	// address is outside the allowlist; it maps to 403 rather than 401 because
	// no credential would help.
	ErrForbidden = errors.New("relay: forbidden")

	// ErrBodyTooLarge means the request body exceeded the configured cap.
	ErrBodyTooLarge = errors.New("relay: body too large")

	// ErrReplay means a correctly signed request was already accepted within
	// the timestamp window.
	ErrReplay = errors.New("relay: replayed request")

	// ErrUnavailable means verification could not be completed for reasons
	// that are not the sender's fault (the replay cache failed or is full).
	// It maps to 503 so that the vendor retries instead of dropping the event.
	ErrUnavailable = errors.New("relay: verification unavailable")
)

// HTTPStatus maps an error from this package to the status a receiver should
// answer with. Vendor handlers that verify by hand use it to answer exactly as
// the middleware would. Unknown errors map to 400 because they come from
// reading the request (a client that hung up, a broken chunked body).
func HTTPStatus(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrBodyTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrUnavailable):
		return http.StatusServiceUnavailable
	case errors.Is(err, ErrConfig):
		return http.StatusInternalServerError
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, ErrUnauthenticated),
		errors.Is(err, ErrNoMatchingSignature),
		errors.Is(err, ErrTooOld),
		errors.Is(err, ErrTooNew),
		errors.Is(err, ErrReplay):
		return http.StatusUnauthorized
	default:
		// ErrMissingHeader, ErrMalformedHeader and read errors.
		return http.StatusBadRequest
	}
}

// writeFailure answers with a body that names only the status, so a prober
// learns nothing about which check failed; the detail goes to onError.
func writeFailure(w http.ResponseWriter, r *http.Request, err error, onError func(*http.Request, error)) {
	if onError != nil {
		onError(r, err)
	}
	code := HTTPStatus(err)
	http.Error(w, http.StatusText(code), code)
}
