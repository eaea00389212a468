package chattu

import (
	"context"
	"errors"
	"net/http"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// AccountService reads the profile and resets the API key.
type AccountService struct{ c *Client }

// Profile is GET /api/profile.
type Profile struct {
	// Username is the account's login name, the one ResetAPIKey needs.
	Username string
	// Role is the account's dashboard role ("admin").
	Role string
	// APIKey is the account key (a secret; prints as [REDACTED]).
	APIKey APIKey
	// ClientCount is how many WhatsApp clients the account has.
	ClientCount int64
	redactedRaw
}

func decodeProfile(resp *transport.Response) (*Profile, error) {
	p := &Profile{}
	if !isEmpty(resp) {
		o, err := envelope(resp)
		if err != nil {
			return nil, err
		}
		p.Username, p.Role = textOf(o.get("username")), textOf(o.get("role"))
		p.APIKey, p.ClientCount = APIKey(textOf(o.get("apiKey"))), intOf(o.get("clientCount"))
	}
	p.SetRaw(resp.Body)
	return p, nil
}

// Profile returns the account's username, role, API key and client count.
func (s *AccountService) Profile(ctx context.Context) (*Profile, error) {
	out, err := do(ctx, s.c, &endpoint{req: &transport.Request{Method: http.MethodGet, Path: "/api/profile"}}, decodeProfile)
	if err != nil {
		return nil, err
	}
	s.c.tc.AddSecret(string(out.APIKey))
	return out, nil
}

// ResetAPIKeyParams is the body of POST /api/reset-api-key.
type ResetAPIKeyParams struct {
	// Username is the account's login name (required): Chattu checks it with the key.
	Username string
	// CurrentAPIKey defaults to the key this client uses.
	CurrentAPIKey APIKey
}

type resetParamsWire struct {
	Username      string `json:"username"`
	CurrentAPIKey string `json:"currentApiKey"`
}

// ResetAPIKeyResult is {"message": ..., "newApiKey": ...}.
type ResetAPIKeyResult struct {
	// Message is Chattu's confirmation ("API key reset successfully.").
	Message string
	// NewAPIKey is the replacement key (a secret; prints as [REDACTED]).
	NewAPIKey APIKey
	// Switched reports that the client now uses NewAPIKey (the reset key
	// was the one it was using).
	Switched bool
	redactedRaw
}

// decodeReset reads the reset's answer. An answer without the new key is
// a decode failure: Chattu accepted the reset, so the old key may be void
// already, and the call is not safe to repeat (the *DecodeError matches
// ErrMaybeDelivered).
func decodeReset(resp *transport.Response) (*ResetAPIKeyResult, error) {
	o, err := envelope(resp)
	if err != nil {
		return nil, err
	}
	r := &ResetAPIKeyResult{Message: textOf(o.get("message")), NewAPIKey: APIKey(textOf(o.get("newApiKey")))}
	if r.NewAPIKey == "" {
		return nil, errNoNewKey
	}
	r.SetRaw(resp.Body)
	return r, nil
}

// ResetAPIKey replaces the account's API key. Chattu authenticates this call
// with the username and current key in its body, not with a session or the
// x-api-key header, so neither header is sent. When the key being reset is
// the one this client uses (the default), the client switches to the new key
// atomically: requests already under way finish with the old key, every
// later one uses the new key, and other goroutines keep working throughout.
// Chattu allows 5 attempts per hour. The call is never repeated once written
// (a second reset with the old key would fail); if it fails with
// ErrMaybeDelivered the old key may already be void.
func (s *AccountService) ResetAPIKey(ctx context.Context, p ResetAPIKeyParams) (*ResetAPIKeyResult, error) {
	if p.Username == "" {
		return nil, invalid("username", "required")
	}
	c := s.c
	// One reset at a time, so that two concurrent resets cannot leave the
	// client on the key that was reset first.
	c.resetMu.Lock()
	defer c.resetMu.Unlock()
	current := *c.apiKey.Load()
	if p.CurrentAPIKey == "" {
		p.CurrentAPIKey = APIKey(current)
	}
	c.tc.AddSecret(string(p.CurrentAPIKey))
	req := &transport.Request{Method: http.MethodPost, Path: "/api/reset-api-key", JSON: resetParamsWire{p.Username, string(p.CurrentAPIKey)}}
	out, err := do(ctx, c, &endpoint{auth: bodyAuth, req: req}, decodeReset)
	if err != nil {
		return nil, err
	}
	c.tc.AddSecret(string(out.NewAPIKey))
	if string(p.CurrentAPIKey) == current {
		if err := c.SetAPIKey(string(out.NewAPIKey)); err != nil {
			return out, err
		}
		out.Switched = true
	}
	return out, nil
}

var errNoNewKey = errors.New("the response has no newApiKey")
