package voitex

import (
	"strconv"
	"strings"
)

// The phone rules are described in the package documentation (doc.go,
// "Phone numbers"); every phone field of every call goes through
// phoneNumber or phoneList.

// phoneRule is the refusal every malformed number gets, so that the fix
// can be read off the error.
const phoneRule = "must be a 10-digit North American number such as 8451239876 (or +1 and 10 digits)"

// phoneNumber checks one phone field and returns the 10 digits to send.
func phoneNumber(field, v string) (string, error) {
	digits, rule := nanp(v)
	if rule != "" {
		return "", invalid(field, rule)
	}
	return digits, nil
}

// phoneList checks a list field (phones, the contact's phone on create): at
// least one number, each well formed, none twice once written as 10
// digits. It returns the numbers as sent, comma-separated.
func phoneList(field string, list []string) (string, error) {
	if len(list) == 0 {
		return "", invalid(field, "required: at least one phone")
	}
	var b strings.Builder
	b.Grow(len(list) * 11)
	seen := make(map[string]bool, len(list))
	for i, v := range list {
		digits, rule := nanp(v)
		if rule != "" {
			return "", invalid(field, "number at index "+strconv.Itoa(i)+": "+rule)
		}
		if seen[digits] {
			return "", invalid(field, "lists "+digits+" twice")
		}
		seen[digits] = true
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits)
	}
	return b.String(), nil
}

// nanp reads v as described above and returns its 10 digits, or the rule
// it breaks.
func nanp(v string) (digits, rule string) {
	switch {
	case strings.TrimSpace(v) == "":
		return "", "required"
	case strings.TrimSpace(v) != v:
		// Usually a value read with its line break: refused rather than
		// guessed at, as credentials are.
		return "", "must not have leading or trailing spaces"
	case strings.ContainsAny(v, ",;\t\r\n"):
		return "", "must be a single phone number"
	}
	plus := v[0] == '+'
	if plus {
		v = v[1:]
	}
	var d [16]byte
	n := 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			if n == len(d) {
				return "", phoneRule + ": too long"
			}
			d[n] = c
			n++
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return "", phoneRule + ": only digits, spaces, dashes, dots, parentheses and a leading + are allowed"
		}
	}
	s := string(d[:n])
	switch {
	case plus && (n == 0 || s[0] != '1'):
		return "", phoneRule + ": Voitex reaches North American numbers (+1) only"
	case n == 11 && s[0] == '1':
		s = s[1:]
	case plus || n != 10:
		return "", phoneRule + ": got " + strconv.Itoa(n) + " digits"
	}
	if s[0] == '0' || s[0] == '1' {
		return "", phoneRule + ": an area code never starts with 0 or 1"
	}
	return s, ""
}
