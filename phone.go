package switchboard

import (
	"sort"
	"strings"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// Phone is a phone number in international form: a country calling code
// and the national number after it. The zero Phone is not a number;
// ParsePhone (for numbers users write), ParseDigits (for numbers vendors
// send) and ParseNANP (for Voitex's form) build valid ones.
//
// The vendors spell numbers four ways, and Phone converts to each:
// Voxio wants the country code and the national number apart
// (mobile_code "972", mobile "501234567"); Chattu and Our Voice take the
// digits without a plus ("972501234567"); Voitex takes 10-digit North
// American numbers ("8451239876").
type Phone struct {
	cc, national string
}

// ParsePhone reads a number a person or a program wrote in international
// form, the only form that cannot be mistaken for another country's:
// E.164 with its "+" ("+972501234567"), with spaces, dots, dashes or
// parentheses ("+1 (845) 123-9876"), the international prefix 00 instead
// of "+" ("00972501234567"), or a WhatsApp id ("972501234567@c.us",
// "...@s.whatsapp.net"), whose digits are international by definition.
// The country code must be an assigned one and the whole number 7 to 15
// digits long (E.164 allows 15; Niue, Tokelau and St Helena have numbers of
// 7).
//
// Anything else is a *ValidationError, digits alone included: "(845)
// 555-1234" or "2125550143" is a national number, and reading its first
// digits as a country code would send the message to Vietnam (+84) or
// Morocco (+212). Add the country code with "+" to a number a user typed;
// ParseNANP reads Voitex's 10-digit North American form, and ParseDigits
// the bare international digits the WhatsApp vendors put in their
// payloads.
func ParsePhone(s string) (Phone, error) { return parsePhone(s, false) }

// ParseDigits reads a number as the WhatsApp vendors write it in their
// payloads and lists: the international digits without "+" ("972501234567":
// Our Voice's from_number and to_number, Voxio's relay contact, Chattu's
// numbers), or a WhatsApp id ("972501234567@c.us"). It also takes every form
// ParsePhone takes except the 00 prefix, which no vendor sends. It is for
// numbers a vendor sent, never for what a user typed: digits alone are read
// as a country code and a national number, so a national number given to it
// becomes a foreign one. Use ParsePhone for user input. The rules on country
// codes and length are ParsePhone's.
func ParseDigits(s string) (Phone, error) { return parsePhone(s, true) }

// parsePhone implements ParsePhone and, with bare, ParseDigits.
func parsePhone(s string, bare bool) (Phone, error) {
	in := strings.TrimSpace(s)
	whatsapp := false
	if at := strings.IndexByte(in, '@'); at >= 0 {
		switch strings.ToLower(in[at+1:]) {
		case "c.us", "s.whatsapp.net":
			in, whatsapp = in[:at], true
		default:
			return Phone{}, invalidPhone("not a phone number or WhatsApp id")
		}
	}
	switch {
	case strings.HasPrefix(in, "+"):
		in = in[1:]
	case !bare && strings.HasPrefix(in, "00"):
		in = in[2:]
	case !bare && !whatsapp:
		return Phone{}, invalidPhone(`must be international: "+" or 00, then the country code ("+1 845 123 9876"); ` +
			"a national number is ambiguous (ParseNANP reads Voitex's 10-digit form, ParseDigits vendor payloads)")
	}
	var b strings.Builder
	b.Grow(len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return Phone{}, invalidPhone("must hold digits only, after an optional + or 00")
		}
	}
	digits := b.String()
	if len(digits) < minDigits || len(digits) > maxDigits {
		return Phone{}, invalidPhone("must have 7 to 15 digits with the country code")
	}
	cc := CountryCode(digits)
	if cc == "" {
		return Phone{}, invalidPhone("country calling code " + digits[:min(3, len(digits))] + "... is not assigned")
	}
	return Phone{cc: cc, national: digits[len(cc):]}, nil
}

// The length of an international number, country code included: E.164
// allows 15 digits at most, and the shortest numbers in use (Niue, Tokelau,
// St Helena) have 7.
const (
	minDigits = 7
	maxDigits = 15
)

// ParseNANP reads a North American number as Voitex writes it: 10 digits
// ("8451239876"), or 11 with the leading 1, punctuation allowed.
func ParseNANP(s string) (Phone, error) {
	var b strings.Builder
	for _, r := range strings.TrimPrefix(strings.TrimSpace(s), "+") {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return Phone{}, invalidPhone("must hold digits only")
		}
	}
	d := b.String()
	if len(d) == 11 && d[0] == '1' {
		d = d[1:]
	}
	if !validNANP(d) {
		return Phone{}, invalidPhone("must be a 10-digit North American number")
	}
	return Phone{cc: "1", national: d}, nil
}

// validNANP checks the North American plan's shape: ten digits, the area
// code not starting with 0 or 1. The exchange is not checked: Voitex's own
// samples use exchanges such as 123.
func validNANP(d string) bool {
	if len(d) != 10 {
		return false
	}
	for i := 0; i < 10; i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return d[0] >= '2'
}

func invalidPhone(rule string) error { return transport.InvalidFor("switchboard", "phone", rule) }

// IsZero reports the zero Phone.
func (p Phone) IsZero() bool { return p.cc == "" }

// CountryCode returns the country calling code without "+" ("972").
func (p Phone) CountryCode() string { return p.cc }

// National returns the number after the country code ("501234567").
func (p Phone) National() string { return p.national }

// Digits returns the country code and national number without "+"
// ("972501234567"), the form Chattu and Our Voice take.
func (p Phone) Digits() string { return p.cc + p.national }

// E164 returns "+" and the digits ("+972501234567").
func (p Phone) E164() string {
	if p.IsZero() {
		return ""
	}
	return "+" + p.cc + p.national
}

// String returns E164.
func (p Phone) String() string { return p.E164() }

// WhatsAppID returns the chat id WhatsApp vendors use ("972501234567@c.us"),
// or "" for the zero Phone.
func (p Phone) WhatsAppID() string {
	if p.IsZero() {
		return ""
	}
	return p.Digits() + "@c.us"
}

// NANP returns the 10-digit North American number Voitex takes, or a
// *ValidationError for a number outside the North American plan: Voitex's
// documentation shows no other form.
func (p Phone) NANP() (string, error) {
	if p.cc != "1" || !validNANP(p.national) {
		return "", transport.InvalidFor("voitex", "phone", "Voitex reaches 10-digit North American numbers (+1) only")
	}
	return p.national, nil
}

// CountryCode returns the assigned country calling code that digits (an
// international number without "+") starts with, or "" when none does.
// Assigned codes are prefix-free, so at most one matches.
func CountryCode(digits string) string {
	for n := 1; n <= 3 && n <= len(digits); n++ {
		if _, ok := countryCodes[digits[:n]]; ok {
			return digits[:n]
		}
	}
	return ""
}

// CountryCodes returns every assigned country calling code, sorted.
func CountryCodes() []string {
	out := make([]string, 0, len(countryCodes))
	for c := range countryCodes {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// countryCodes are the country calling codes assigned in ITU-T E.164
// (geographic areas, global services and networks), spare and withdrawn
// codes left out: a number that starts with one of those cannot be dialled.
var countryCodes = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, f := range strings.Fields(assignedCodes) {
		m[f] = struct{}{}
	}
	return m
}()

const assignedCodes = `
1 7
20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49
51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86
90 91 92 93 94 95 98
211 212 213 216 218
220 221 222 223 224 225 226 227 228 229
230 231 232 233 234 235 236 237 238 239
240 241 242 243 244 245 246 247 248 249
250 251 252 253 254 255 256 257 258
260 261 262 263 264 265 266 267 268 269
290 291 297 298 299
350 351 352 353 354 355 356 357 358 359
370 371 372 373 374 375 376 377 378 379
380 381 382 383 385 386 387 389
420 421 423
500 501 502 503 504 505 506 507 508 509
590 591 592 593 594 595 596 597 598 599
670 672 673 674 675 676 677 678 679
680 681 682 683 685 686 687 688 689
690 691 692
800 808 850 852 853 855 856 870 878
880 881 882 883 886 888
960 961 962 963 964 965 966 967 968
970 971 972 973 974 975 976 977 979
992 993 994 995 996 998
`
