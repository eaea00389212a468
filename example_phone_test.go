package switchboard_test

import (
	"errors"
	"fmt"

	"github.com/switchboard-go/switchboard"
)

// ParsePhone takes a number in international form only: a national number
// is refused, never read as another country's.
func ExampleParsePhone() {
	for _, in := range []string{"+1 (845) 123-9876", "00972 50-123-4567", "972501234567@c.us", "(845) 123-9876"} {
		p, err := switchboard.ParsePhone(in)
		if errors.Is(err, switchboard.ErrValidation) {
			fmt.Printf("%-18s refused: add + and the country code\n", in)
			continue
		}
		fmt.Printf("%-18s %s (country code %s)\n", in, p, p.CountryCode())
	}
	// Output:
	// +1 (845) 123-9876  +18451239876 (country code 1)
	// 00972 50-123-4567  +972501234567 (country code 972)
	// 972501234567@c.us  +972501234567 (country code 972)
	// (845) 123-9876     refused: add + and the country code
}

// ParseDigits reads the bare international digits the WhatsApp vendors
// send in their payloads, such as Our Voice's from_number. It is not for
// numbers users type.
func ExampleParseDigits() {
	p, err := switchboard.ParseDigits("22996000000")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.E164(), p.CountryCode(), p.National())
	// Output: +22996000000 229 96000000
}
