package voxio

import (
	"context"
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
		return zero, &transport.DecodeError{Vendor: tc.Vendor(), Method: req.Method, Path: req.Path, StatusCode: resp.StatusCode, Err: err}
	}
	return r, nil
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
