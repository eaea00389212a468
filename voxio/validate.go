package voxio

import (
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

func required(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return invalid(field, "required")
	}
	return nil
}

// checkMobile applies the documented rules for a destination: a numeric
// country code without "+", and a number.
func checkMobile(code, mobile string) error {
	switch {
	case strings.TrimSpace(code) == "":
		return invalid("mobile_code", "required")
	case strings.HasPrefix(strings.TrimSpace(code), "+"):
		return invalid("mobile_code", "must be the numeric country code without the plus (+) sign")
	case !loose.IsDigits(code) || len(code) > 4:
		return invalid("mobile_code", "must be a numeric country code of 1 to 4 digits")
	}
	switch {
	case strings.TrimSpace(mobile) == "":
		return invalid("mobile", "required")
	case !loose.IsDigits(mobile) || len(mobile) > 15:
		return invalid("mobile", "must be 1 to 15 digits, without the country code, spaces or punctuation")
	}
	return nil
}

// checkOptionalNumber checks a sender number (from_number): digits with the
// country code, as the docs' "6281234567890".
func checkOptionalNumber(field, v string) error {
	if v == "" {
		return nil
	}
	if !loose.IsDigits(v) || len(v) > 20 {
		return invalid(field, "must be the sender number in digits, with the country code and no plus (+) sign")
	}
	return nil
}

// fieldError names the form field in a file problem found while resolving
// it.
func fieldError(field string, err error) error {
	var ve *transport.ValidationError
	if errors.As(err, &ve) {
		return invalid(field, ve.Rule)
	}
	return fmt.Errorf("voxio: %s: %w", field, err)
}
