package voxio

import (
	"net/url"
	"strconv"
)

// idPath appends a positive id to a path, escaped.
func idPath(prefix string, id int64) string {
	return prefix + url.PathEscape(strconv.FormatInt(id, 10))
}

// checkID rejects ids Voxio cannot have, before anything is sent.
func checkID(field string, id int64) error {
	if id <= 0 {
		return invalid(field, "must be a positive integer")
	}
	return nil
}
