package switchboard

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/transport"
)

func TestParsePhoneForms(t *testing.T) {
	for _, tc := range []struct{ in, cc, national string }{
		{"+972501234567", "972", "501234567"},
		{"00972501234567", "972", "501234567"},
		{"972501234567@c.us", "972", "501234567"},
		{"9721234567@c.us", "972", "1234567"},
		{"972501234567@s.whatsapp.net", "972", "501234567"},
		{"+1 (845) 123-9876", "1", "8451239876"},
		{"+7 912 345-67-89", "7", "9123456789"},
		{"+44 20 7946 0958", "44", "2079460958"},
		{"+62 812 3456 789", "62", "8123456789"},
		{"+880 1712 345678", "880", "1712345678"},
		{"00229 96 00 00 00", "229", "96000000"},
		{"+380.44.123.4567", "380", "441234567"},
		{"+88216123456", "882", "16123456"},
		{"+35312345678", "353", "12345678"},
		{" +6421234567 ", "64", "21234567"},
		// E.164 numbers of 7 digits: Niue, Tokelau, St Helena.
		{"+683 4002", "683", "4002"},
		{"+690 3456", "690", "3456"},
		{"+290 2345", "290", "2345"},
		{"+972 501234567890", "972", "501234567890"}, // 15 digits, the most E.164 allows
	} {
		p, err := ParsePhone(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.cc, p.CountryCode(), tc.in)
		assert.Equal(t, tc.national, p.National(), tc.in)
		assert.Equal(t, "+"+tc.cc+tc.national, p.E164(), tc.in)
		assert.Equal(t, tc.cc+tc.national, p.Digits(), tc.in)
		assert.Equal(t, tc.cc+tc.national+"@c.us", p.WhatsAppID(), tc.in)
	}
}

// TestParsePhoneRefusesNationalNumbers: a number written without "+", "00"
// or a WhatsApp suffix is what users type for a national number; read as
// international digits it would go to another country (845... is Vietnam,
// 212... Morocco), so ParsePhone refuses it and names the forms it takes.
func TestParsePhoneRefusesNationalNumbers(t *testing.T) {
	for _, in := range []string{
		"(845) 555-1234", // a US number read as +84 (Vietnam)
		"2125550143",     // a US number read as +212 (Morocco)
		"845 123 9876",
		"972501234567", // international digits, but the user's form must say so
		"0501234567",   // an Israeli national number
		"22996000000",
		"1-212-555-0143",
	} {
		_, err := ParsePhone(in)
		var ve *transport.ValidationError
		require.ErrorAs(t, err, &ve, in)
		assert.Equal(t, "phone", ve.Field, in)
		assert.Contains(t, ve.Rule, `"+"`, in)
		assert.Contains(t, ve.Rule, "ParseDigits", in)
	}
}

// TestParseDigitsForms: the bare international digits WhatsApp vendors send
// in their payloads (Our Voice's from_number, Voxio's relay contact,
// Chattu's chat ids) parse with ParseDigits, as do the forms ParsePhone
// takes.
func TestParseDigitsForms(t *testing.T) {
	for _, tc := range []struct{ in, cc, national string }{
		{"972501234567", "972", "501234567"},
		{"628123456789", "62", "8123456789"},
		{"22996000000", "229", "96000000"},
		{"12125550143", "1", "2125550143"},
		{"6834002", "683", "4002"},
		{"+972501234567", "972", "501234567"},
		{"972501234567@c.us", "972", "501234567"},
		{" 972501234567@s.whatsapp.net ", "972", "501234567"},
	} {
		p, err := ParseDigits(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.cc, p.CountryCode(), tc.in)
		assert.Equal(t, tc.national, p.National(), tc.in)
	}
	for _, in := range []string{
		"", "abc", "123456", "1234567890123456", "0501234567", "00972501234567", // a 00 prefix is no vendor's payload form
		"999123456789", "120363041234567890@g.us", "97250123456x7",
	} {
		_, err := ParseDigits(in)
		var ve *transport.ValidationError
		require.ErrorAs(t, err, &ve, "%q", in)
		assert.Equal(t, "phone", ve.Field)
	}
}

func TestParsePhoneRefuses(t *testing.T) {
	for _, in := range []string{
		"", "not-a-phone", "+", "+1234", "+123456", "+1234567890123456", "+9725012345678901", // too short, too long
		"+999123456789", "+210123456789", "+28012345678", "+42212345678", "+80112345678", // spare codes
		"123456789@g.us",                // a group, not a number
		"+97250123456x7", "+972 50#123", // stray characters
	} {
		_, err := ParsePhone(in)
		var ve *transport.ValidationError
		require.True(t, errors.As(err, &ve), "%q: %v", in, err)
		assert.Equal(t, "phone", ve.Field)
	}
}

// TestEveryAssignedCodeSplits: each assigned code, followed by any national
// number, splits off exactly; the table is prefix-free, so no code hides
// another.
func TestEveryAssignedCodeSplits(t *testing.T) {
	codes := CountryCodes()
	require.Greater(t, len(codes), 200)
	for _, cc := range codes {
		for _, national := range []string{"0123456", "123456789", "98765432101"[:11-len(cc)+1]} {
			p, err := ParsePhone("+" + cc + national)
			require.NoError(t, err, cc+national)
			assert.Equal(t, cc, p.CountryCode(), cc+national)
			assert.Equal(t, national, p.National())
		}
		for _, other := range codes {
			if other != cc {
				assert.False(t, strings.HasPrefix(other, cc), "%s is a prefix of %s", cc, other)
			}
		}
	}
	for _, d := range []string{"1", "7", "20", "27", "44", "86", "98", "212", "229", "380", "972", "998"} {
		assert.Equal(t, d, CountryCode(d+"5551234"))
	}
	for _, d := range []string{"0", "28", "42", "80", "83", "89", "969", "210", "259", "384", "388", "671", "684", "801", "999"} {
		assert.Empty(t, CountryCode(d+"5551234"), d)
	}
}

func TestNANP(t *testing.T) {
	for in, want := range map[string]string{"8451239876": "8451239876", "+1 845 123 9876": "8451239876", "18451239876": "8451239876", "(732) 555-0184": "7325550184"} {
		p, err := ParseNANP(in)
		require.NoError(t, err, in)
		got, err := p.NANP()
		require.NoError(t, err)
		assert.Equal(t, want, got)
		assert.Equal(t, "+1"+want, p.E164())
	}
	for _, in := range []string{"0451239876", "1451239876", "845123987", "28451239876", "not-a-phone"} {
		_, err := ParseNANP(in)
		assert.ErrorIs(t, err, transport.ErrValidation, in)
	}
	p, err := ParsePhone("+972501234567")
	require.NoError(t, err)
	_, err = p.NANP()
	var ve *transport.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "voitex", ve.Vendor)
	assert.True(t, Phone{}.IsZero())
	assert.Equal(t, "", Phone{}.E164())
}
