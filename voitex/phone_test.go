package voitex

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// phoneField is one phone field of one call: send puts v in that field of
// an otherwise valid request, and wire names the form field it travels in.
type phoneField struct {
	name  string // the call and field, for the test name
	field string // the field the *ValidationError names
	wire  string // the form field sent
	// prefix is what comes before the number on the wire (the other
	// number of a list).
	prefix string
	send   func(ctx context.Context, c *Client, v string) error
	// optional fields are left out when empty, so "" is not refused there.
	optional bool
}

// phoneFields lists every phone field of every call.
func phoneFields() []phoneField {
	return []phoneField{
		{"sms from", "from", "from", "", func(ctx context.Context, c *Client, v string) error {
			_, err := c.SMS.Send(ctx, SMSParams{From: v, To: "8451234567", Body: "x"})
			return err
		}, false},
		{"sms to", "to", "to", "", func(ctx context.Context, c *Client, v string) error {
			_, err := c.SMS.Send(ctx, SMSParams{From: "8459511000", To: v, Body: "x"})
			return err
		}, false},
		{"call cid", "cid", "cid", "", func(ctx context.Context, c *Client, v string) error {
			_, err := c.Calls.Send(ctx, CallParams{CID: v, To: "8455009999", Type: CallStream, SFileID: "1"})
			return err
		}, false},
		{"call to", "to", "to", "", func(ctx context.Context, c *Client, v string) error {
			_, err := c.Calls.Send(ctx, CallParams{CID: "8459511000", To: v, Type: CallStream, SFileID: "1"})
			return err
		}, false},
		{"call route_number", "route_number", "route_number", "", func(ctx context.Context, c *Client, v string) error {
			_, err := c.Calls.Send(ctx, CallParams{CID: "8459511000", To: "8455009999", Type: CallGoto, RouteNumber: v, BranchNumber: "5"})
			return err
		}, false},
		{"notify cid", "cid", "cid", "", func(ctx context.Context, c *Client, v string) error {
			_, err := c.Notify.Send(ctx, NotifyParams{Type: NotifySMS, CID: v, To: "8451234567", Body: "x"})
			return err
		}, false},
		{"notify from", "from", "from", "", func(ctx context.Context, c *Client, v string) error {
			_, err := c.Notify.Send(ctx, NotifyParams{Type: NotifySMS, From: v, To: "8451234567", Body: "x"})
			return err
		}, true},
		{"notify to", "to", "to", "", func(ctx context.Context, c *Client, v string) error {
			_, err := c.Notify.Send(ctx, NotifyParams{Type: NotifySMS, CID: "8459511000", To: v, Body: "x"})
			return err
		}, false},
		{"notify phones", "phones", "phones", "8459998888,", func(ctx context.Context, c *Client, v string) error {
			_, err := c.Notify.Send(ctx, NotifyParams{Type: NotifySMS, CID: "8459511000", Phones: []string{"8459998888", v}, Body: "x"})
			return err
		}, false},
		{"notify call route_number", "route_number", "route_number", "", func(ctx context.Context, c *Client, v string) error {
			_, err := c.Notify.Send(ctx, NotifyParams{Type: NotifyCall, CID: "8459511000", To: "8451234567", CallType: CallGoto, BranchNumber: "5", RouteNumber: v})
			return err
		}, false},
		{"notify call to", "to", "to", "", func(ctx context.Context, c *Client, v string) error {
			_, err := c.Notify.Send(ctx, NotifyParams{Type: NotifyCall, CID: "8459511000", To: v, CallType: CallStream, Recording: "r"})
			return err
		}, false},
		{"contact create phone", "phone", "phone", "6465557729,", func(ctx context.Context, c *Client, v string) error {
			_, err := c.Contacts.Create(ctx, CreateContactParams{Phones: []string{"6465557729", v}})
			return err
		}, false},
		{"contact update phone", "phone", "phone", "", func(ctx context.Context, c *Client, v string) error {
			_, err := c.Contacts.Update(ctx, UpdateContactParams{Phone: v, FirstName: String("x")})
			return err
		}, false},
		{"contact update add_phone", "add_phone", "add_phone", "", func(ctx context.Context, c *Client, v string) error {
			_, err := c.Contacts.Update(ctx, UpdateContactParams{Phone: "7325550184", AddPhone: v})
			return err
		}, true},
		{"contact update remove_phone", "remove_phone", "remove_phone", "", func(ctx context.Context, c *Client, v string) error {
			_, err := c.Contacts.Update(ctx, UpdateContactParams{Phone: "7325550184", RemovePhone: v})
			return err
		}, true},
		{"contact delete phone", "phone", "phone", "", func(ctx context.Context, c *Client, v string) error {
			_, err := c.Contacts.Delete(ctx, DeleteContactParams{Phone: v})
			return err
		}, false},
		{"contact select phone", "phone", "phone", "", func(ctx context.Context, c *Client, v string) error {
			_, err := c.Contacts.Select(ctx, SelectContactParams{Phone: v})
			return err
		}, false},
	}
}

// TestPhoneValidation sends each malformed number in every phone field:
// each is refused with a *ValidationError naming the field, and nothing
// goes out.
func TestPhoneValidation(t *testing.T) {
	bad := map[string]string{
		"not a phone":               "not-a-phone",
		"empty":                     "",
		"blank":                     "   ",
		"too short":                 "845123987",
		"too long":                  "84512398761",
		"far too long":              "845123987684512398768451239876",
		"letters":                   "845123ABCD",
		"vanity letters":            "1-800-FLOWERS",
		"an extension":              "845-123-9876 x12",
		"international (UK)":        "+44 20 7946 0958",
		"international (Israel)":    "+972501234567",
		"international, no plus":    "972501234567",
		"international prefix 011":  "011 44 20 7946 0958",
		"a plus and 10 digits":      "+8451239876",
		"a lone plus":               "+",
		"a plus inside":             "845+1239876",
		"area code 0":               "0451239876",
		"area code 1":               "1451239876",
		"1 and area code 1":         "11451239876",
		"two numbers":               "8451234567,8459998888",
		"two numbers with ;":        "8451234567;8459998888",
		"padded":                    " 8451239876",
		"trailing newline":          "8451239876\n",
		"a tab inside":              "845\t1239876",
		"digits of another script":  "٨٤٥١٢٣٩٨٧٦",
		"punctuation only":          "(---)",
		"E.164 with a 2-digit code": "+33 1 23 45 67 89",
	}
	for _, pf := range phoneFields() {
		for name, v := range bad {
			if v == "" && pf.optional {
				continue // unset, not malformed
			}
			t.Run(pf.name+"/"+name, func(t *testing.T) {
				c, m := newMockClient(t)
				err := pf.send(context.Background(), c, v)
				var ve *ValidationError
				require.ErrorAs(t, err, &ve, "%q", v)
				assert.Equal(t, pf.field, ve.Field)
				assert.Equal(t, "voitex", ve.Vendor)
				assert.ErrorIs(t, err, ErrValidation)
				assert.True(t, strings.HasPrefix(err.Error(), "voitex: invalid "+pf.field+": "), err.Error())
				assert.Empty(t, m.Requests(), "nothing may be sent")
			})
		}
	}
}

// TestPhoneRules pins the rule each refusal states, so that the fix can be
// read off the error, and the index of a bad entry in a list.
func TestPhoneRules(t *testing.T) {
	cases := map[string]string{
		"not-a-phone":      "only digits, spaces, dashes, dots, parentheses and a leading + are allowed",
		"845123987":        "got 9 digits",
		"84512398761":      "got 11 digits",
		"+44 20 7946 0958": "North American numbers (+1) only",
		"+1 845 123 987":   "got 10 digits", // +1 and 9 digits
		"0451239876":       "area code never starts with 0 or 1",
		"8451234567,1":     "a single phone number",
		" 8451239876":      "leading or trailing spaces",
		"":                 "required",
	}
	for v, want := range cases {
		_, err := phoneNumber("to", v)
		require.Error(t, err, v)
		assert.Contains(t, err.Error(), want, v)
		if v != "" && !strings.Contains(want, "spaces") && want != "a single phone number" {
			assert.Contains(t, err.Error(), "10-digit North American number such as 8451239876", v)
		}
	}
	_, err := phoneList("phones", []string{"8451234567", "8459998888", "not-a-phone"})
	assert.ErrorContains(t, err, "voitex: invalid phones: number at index 2: ")
	_, err = phoneList("phones", nil)
	assert.EqualError(t, err, "voitex: invalid phones: required: at least one phone")
}

// TestPhoneNormalised sends the accepted spellings of one number in every
// phone field: each goes out as the 10 digits the documentation shows.
func TestPhoneNormalised(t *testing.T) {
	accepted := []string{
		"8451239876",
		"18451239876",
		"+18451239876",
		"(845) 123-9876",
		"845-123-9876",
		"845.123.9876",
		"845 123 9876",
		"+1 (845) 123-9876",
		"+1 845.123.9876",
		"1-845-123-9876",
	}
	for _, pf := range phoneFields() {
		for _, v := range accepted {
			t.Run(pf.name+"/"+v, func(t *testing.T) {
				c, m := newMockClient(t)
				// The mock's bare answer does not decode as a contact;
				// only the request matters here.
				err := pf.send(context.Background(), c, v)
				var ve *ValidationError
				require.False(t, errors.As(err, &ve), "%v", err)
				require.Len(t, m.Requests(), 1)
				assert.Equal(t, []string{pf.prefix + "8451239876"}, m.Last().Form[pf.wire])
			})
		}
	}
}

// TestPhoneDuplicatesAfterNormalising: the same number spelled two ways is
// one number, listed twice.
func TestPhoneDuplicatesAfterNormalising(t *testing.T) {
	ctx := context.Background()
	c, m := newMockClient(t)
	_, err := c.Notify.Send(ctx, NotifyParams{Type: NotifySMS, CID: "8459511000", Phones: []string{"8451234567", "+1 (845) 123-4567"}, Body: "x"})
	assert.EqualError(t, err, "voitex: invalid phones: lists 8451234567 twice")
	_, err = c.Contacts.Create(ctx, CreateContactParams{Phones: []string{"7325550184", "732.555.0184"}})
	assert.EqualError(t, err, "voitex: invalid phone: lists 7325550184 twice")
	_, err = c.Contacts.Update(ctx, UpdateContactParams{Phone: "7325550184", AddPhone: "6465557729", RemovePhone: "+1 646 555 7729"})
	assert.EqualError(t, err, "voitex: invalid remove_phone: must differ from add_phone")
	assert.Empty(t, m.Requests())
}
