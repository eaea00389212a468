package ourvoice

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Defaults of WaitParams.
const (
	// DefaultWaitInterval is the first pause between polls: a person takes
	// a few seconds to scan, so polling faster only spends requests.
	DefaultWaitInterval = time.Second
	// DefaultWaitMaxInterval caps the pause well below the QR code's
	// lifetime (about 20s), so no code is missed.
	DefaultWaitMaxInterval = 5 * time.Second
)

// WaitParams tunes Sessions.WaitConnected. The zero value polls from once a
// second, backing off to once every five seconds, and shows no QR code.
type WaitParams struct {
	// OnQRCode is called, on the waiting goroutine, with every QR code not
	// seen before while the session is pending, so the program can show it
	// to the person who will scan it. WhatsApp rotates the code, so always
	// show the latest. nil skips fetching QR codes.
	OnQRCode func(QRCode)
	// ShownQRCode is a code already shown (the one Create returned); it is
	// not handed to OnQRCode again.
	ShownQRCode QRCode
	// Interval is the first pause between polls (default 1s). The pause
	// grows by half after each unchanged poll up to MaxInterval, and starts
	// over when the status or the QR code changes.
	Interval time.Duration
	// MaxInterval caps the pause (default 5s). Keep it well below the QR
	// code's lifetime (about 20s in WhatsApp) so that no code is missed.
	MaxInterval time.Duration
}

// WaitConnected polls a session until it is connected and returns it. It
// hands each fresh QR code to params.OnQRCode while the session is pending.
// It stops with a *SessionStatusError (matching ErrSessionBanned or
// ErrSessionFailed) if the session reaches a terminal status, with the
// error of a failed poll (ErrNotFound if the session was deleted), or when
// ctx ends, returning the last session seen and an error wrapping
// ctx.Err(). A disconnected session is waited on too: it may be being
// reconnected. params may be nil.
func (s *SessionsService) WaitConnected(ctx context.Context, id string, params *WaitParams) (*Session, error) {
	var p WaitParams
	if params != nil {
		p = *params
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if p.Interval < 0 || p.MaxInterval < 0 {
		return nil, invalid("interval", "must not be negative")
	}
	if p.Interval == 0 {
		p.Interval = DefaultWaitInterval
	}
	if p.MaxInterval == 0 {
		p.MaxInterval = DefaultWaitMaxInterval
	}
	if p.MaxInterval < p.Interval {
		p.MaxInterval = p.Interval
	}
	if ctx == nil {
		return nil, invalid("ctx", "must not be nil")
	}

	lastQR := p.ShownQRCode
	var last *Session
	var lastStatus SessionStatus
	wait := p.Interval
	timer := time.NewTimer(0)
	<-timer.C
	defer timer.Stop()
	for {
		// An HTTP client need not look at an ended context before
		// sending; a poll after the caller gave up is a wasted request.
		if err := ctx.Err(); err != nil {
			return last, waitEnded(id, last, err)
		}
		sess, err := s.Get(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				return last, waitEnded(id, last, ctx.Err())
			}
			return last, err
		}
		last = sess
		switch {
		case sess.Status == SessionConnected:
			return sess, nil
		case sess.Status.Terminal():
			return sess, &SessionStatusError{SessionID: id, Status: sess.Status, Reason: sess.Reason}
		}
		if sess.Status != lastStatus {
			lastStatus = sess.Status
			wait = p.Interval
		}
		if sess.Status == SessionPending && p.OnQRCode != nil {
			qr, err := s.QRCode(ctx, id)
			switch {
			case err == nil && qr.QRCode != "" && qr.QRCode != lastQR:
				lastQR = qr.QRCode
				p.OnQRCode(qr.QRCode)
				wait = p.Interval
			case err != nil && ctx.Err() != nil:
				return last, waitEnded(id, last, ctx.Err())
			case errors.Is(err, ErrUnauthorized):
				return last, err
				// Any other failure to fetch the code usually means the
				// session just left pending; the next poll tells.
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return last, waitEnded(id, last, ctx.Err())
		case <-timer.C:
		}
		wait += wait / 2
		if wait > p.MaxInterval {
			wait = p.MaxInterval
		}
	}
}

func waitEnded(id string, last *Session, cause error) error {
	status := SessionStatus("unknown")
	if last != nil {
		status = last.Status
	}
	return fmt.Errorf("ourvoice: session %s not connected (last status %s): %w", id, status, cause)
}
