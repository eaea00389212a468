package voxio

import (
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-go/switchboard/internal/transport"
)

func required(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return transport.Invalid(field, "required")
	}
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkMobile applies the documented rules for a destination: a numeric
// country code without "+", and a number.
func checkMobile(code, mobile string) error {
	switch {
	case strings.TrimSpace(code) == "":
		return transport.Invalid("mobile_code", "required")
	case strings.HasPrefix(strings.TrimSpace(code), "+"):
		return transport.Invalid("mobile_code", "must be the numeric country code without the plus (+) sign")
	case !isDigits(code) || len(code) > 4:
		return transport.Invalid("mobile_code", "must be a numeric country code of 1 to 4 digits")
	}
	switch {
	case strings.TrimSpace(mobile) == "":
		return transport.Invalid("mobile", "required")
	case !isDigits(mobile) || len(mobile) > 15:
		return transport.Invalid("mobile", "must be 1 to 15 digits, without the country code, spaces or punctuation")
	}
	return nil
}

// checkOptionalNumber checks a sender number (from_number): digits with the
// country code, as the docs' "6281234567890".
func checkOptionalNumber(field, v string) error {
	if v == "" {
		return nil
	}
	if !isDigits(v) || len(v) > 20 {
		return transport.Invalid(field, "must be the sender number in digits, with the country code and no plus (+) sign")
	}
	return nil
}

// fieldError names the form field in a file problem found while resolving
// it.
func fieldError(field string, err error) error {
	var ve *transport.ValidationError
	if errors.As(err, &ve) {
		return transport.Invalid(field, ve.Rule)
	}
	return fmt.Errorf("voxio: %s: %w", field, err)
}
