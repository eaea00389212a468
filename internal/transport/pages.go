package transport

import (
	"context"
	"errors"
	"iter"
)

// Page is one page of a list.
type Page[T any] struct {
	Items []T
	// Last reports that no page follows this one.
	Last bool
}

// Pages walks a paginated list from page start, fetching each page only
// when the previous one has been consumed. It stops after a page marked
// Last, after an empty page, when the consumer stops, or on the first error,
// which it yields once with the zero T. The context is checked before every
// fetch.
//
// A nil ctx yields one *ValidationError for the field "ctx", naming the
// vendor whose call refused it: fetch is handed a stand-in context that
// every Client refuses before sending anything.
func Pages[T any](ctx context.Context, start int, fetch func(ctx context.Context, page int) (Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		first := start
		if first < 1 {
			first = 1
		}
		if ctx == nil {
			_, err := fetch(nilContext, first)
			yield(zero, InvalidFor(vendorOf(err), "ctx", "must not be nil"))
			return
		}
		for page := first; ; page++ {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			p, err := fetch(ctx, page)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range p.Items {
				if !yield(it, nil) {
					return
				}
			}
			if p.Last || len(p.Items) == 0 {
				return
			}
		}
	}
}

// vendorOf returns the vendor an error of this package names, or "".
func vendorOf(err error) string {
	var ve *ValidationError
	var e *Error
	var re *RequestError
	var de *DecodeError
	switch {
	case errors.As(err, &ve):
		return ve.Vendor
	case errors.As(err, &e):
		return e.Vendor
	case errors.As(err, &re):
		return re.Vendor
	case errors.As(err, &de):
		return de.Vendor
	}
	return ""
}
