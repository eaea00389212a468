package voxio

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// call sends req and decodes the successful answer with decode. Failures
// inside the answer have already become *Error in the transport's hook.
func call[R any](ctx context.Context, tc *transport.Client, req *transport.Request, decode func([]byte) (R, error)) (R, error) {
	var zero R
	resp, err := tc.Do(ctx, req, nil)
	if err != nil {
		return zero, err
	}
	r, err := decode(resp.Body)
	if err != nil {
		// A 2xx the SDK cannot read still means Voxio accepted the request:
		// for a send or a create that matches ErrMaybeDelivered, so that the
		// caller checks before sending again.
		return zero, &transport.DecodeError{Vendor: tc.Vendor(), Method: req.Method, Path: req.Path, StatusCode: resp.StatusCode, Accepted: !idempotent(req), Err: err}
	}
	return r, nil
}

// idempotent mirrors the transport's delivery rule for req: Idempotent and
// AtMostOnce decide, otherwise the method does.
func idempotent(req *transport.Request) bool {
	switch req.Delivery {
	case transport.Idempotent:
		return true
	case transport.AtMostOnce:
		return false
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// idPath appends a positive id to a path, escaped.
func idPath(prefix string, id int64) string {
	return prefix + url.PathEscape(strconv.FormatInt(id, 10))
}

// checkID rejects ids Voxio cannot have, before anything is sent.
func checkID(field string, id int64) error {
	if id <= 0 {
		return transport.Invalid(field, "must be a positive integer")
	}
	return nil
}
