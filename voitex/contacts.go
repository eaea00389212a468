package voitex

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-go/switchboard/internal/loose"
	"github.com/switchboard-go/switchboard/internal/transport"
)

// ContactsService manages the account's contacts: POST
// https://contacts.voitexapi.com/ form-urlencoded, with function=create,
// update, delete or select. A contact has one or more phones (each phone
// belongs to one contact only) and any number of labels, referenced by
// number. Broken rules come back as *Error matching ErrPhoneInUse,
// ErrContactNotFound, ErrLastPhone, ErrLabelNotFound or ErrNoValidPhone.
type ContactsService struct{ tc *transport.Client }

// PhoneType is the type of a contact's phone.
type PhoneType string

// The only phone types Voitex supports.
const (
	// PhoneHome is "H", the default when a type is omitted.
	PhoneHome PhoneType = "H"
	// PhoneMobile is "M".
	PhoneMobile PhoneType = "M"
)

// String returns the wire value.
func (t PhoneType) String() string { return string(t) }

func (t PhoneType) valid() bool { return t == PhoneHome || t == PhoneMobile }

// The Contacts API's function values.
const (
	FunctionCreate = "create" // ContactsService.Create
	FunctionUpdate = "update" // ContactsService.Update
	FunctionDelete = "delete" // ContactsService.Delete
	FunctionSelect = "select" // ContactsService.Select
)

// CreateContactParams are the fields of function=create.
type CreateContactParams struct {
	// Phones are the contact's numbers (phone, required; sent
	// comma-separated), one per element: each a 10-digit North American
	// number, "7325550184", or the same with +1 and spaces, dashes, dots or
	// parentheses ("+1 (732) 555-0184"), sent as its 10 digits (see Phone
	// numbers in the package documentation). A malformed number, or one
	// given twice, is refused before sending. If any already belongs to a
	// contact, the request fails with ErrPhoneInUse.
	Phones []string
	// PhoneType applies to every phone (phone_type); empty means Voitex's
	// default, H.
	PhoneType PhoneType
	// FirstName is the contact's first name (first_name, optional).
	FirstName string
	// LastName is the contact's last name (last_name, optional).
	LastName string
	// Label attaches the contact to a label by number (label); 0 for none.
	Label int
}

// UpdateContactParams are the fields of function=update. A nil field is
// left alone; a field pointing to "" is cleared (Voitex clears a field sent
// empty). Use String to take the address of a literal:
//
//	voitex.UpdateContactParams{Phone: "7325550184", Email: voitex.String("")} // clears email
type UpdateContactParams struct {
	// Phone locates the contact: any phone already on it (phone,
	// required), a 10-digit North American number written as in
	// CreateContactParams.Phones.
	Phone string

	FirstName *string // first_name
	LastName  *string // last_name
	Email     *string // email
	// Exp is the expiration date (exp), e.g. "2026-02-01".
	Exp   *string
	Notes *string // notes

	FieldA *string // field_a
	FieldB *string // field_b
	FieldC *string // field_c
	FieldD *string // field_d
	FieldE *string // field_e
	FieldF *string // field_f
	FieldG *string // field_g
	FieldH *string // field_h
	FieldI *string // field_i
	FieldJ *string // field_j

	// Custom sets other custom fields enabled on the account, by their
	// field name ("address", "city"); an empty value clears the field. Names
	// of the fields above and of the API's own parameters are refused, so
	// each field has one way to be set.
	Custom map[string]string

	// PhoneType changes the type of the locator phone only (phone_type).
	PhoneType PhoneType

	// AddPhone adds one phone (add_phone), written as Phone is. It fails
	// with ErrPhoneInUse if the phone belongs to another contact; one
	// already on this contact is not duplicated (its type may change).
	AddPhone string
	// AddPhoneType is the added phone's type (add_phone_type); empty means
	// Voitex's default, H.
	AddPhoneType PhoneType
	// RemovePhone removes one phone (remove_phone), written as Phone is,
	// never the last one: that fails with ErrLastPhone; use Delete instead.
	RemovePhone string

	// AddLabels and RemoveLabels change label membership by label number
	// (add_label, remove_label; sent comma-separated). An unknown number
	// fails the whole request with ErrLabelNotFound. Removing a label only
	// removes membership.
	AddLabels []int
	// RemoveLabels are the label numbers the contact leaves (remove_label).
	RemoveLabels []int
}

// String returns a pointer to s, for the optional fields of
// UpdateContactParams (String("") clears a field).
func String(s string) *string { return &s }

// DeleteContactParams are the fields of function=delete.
type DeleteContactParams struct {
	// Phone is any phone on the contact (phone, required), a 10-digit
	// North American number written as in CreateContactParams.Phones. The
	// whole contact goes, with all its phones and label memberships; labels
	// stay.
	Phone string
}

// SelectContactParams are the fields of function=select.
type SelectContactParams struct {
	// Phone is any phone on the contact (phone, required), a 10-digit
	// North American number written as in CreateContactParams.Phones.
	Phone string
}

// ContactResult is the confirmation of a create, update or delete.
type ContactResult struct {
	transport.RawJSON
	// Message is Voitex's text ("Contact created", "Contact updated",
	// "Contact deleted successfully").
	Message string
}

// Contact is a contact as function=select returns it (and as the API
// Branch's contact_info carries it).
type Contact struct {
	transport.RawJSON

	FirstName string `json:"first_name"` // first_name
	LastName  string `json:"last_name"`  // last_name
	Email     string `json:"email"`      // email
	Notes     string `json:"notes"`      // notes
	// Exp is the expiration date as Voitex sends it ("" for null).
	Exp     string `json:"exp"`
	Address string `json:"address"` // address
	City    string `json:"city"`    // city
	State   string `json:"state"`   // state
	Zip     string `json:"zip"`     // zip, also when sent as a number

	// FieldA to FieldJ are the account's generic custom fields, whose
	// meaning each account decides (field_a ... field_j).
	FieldA string `json:"field_a"`
	FieldB string `json:"field_b"` // field_b
	FieldC string `json:"field_c"` // field_c
	FieldD string `json:"field_d"` // field_d
	FieldE string `json:"field_e"` // field_e
	FieldF string `json:"field_f"` // field_f
	FieldG string `json:"field_g"` // field_g
	FieldH string `json:"field_h"` // field_h
	FieldI string `json:"field_i"` // field_i
	FieldJ string `json:"field_j"` // field_j

	// Fields holds every contact field Voitex sent, keys trimmed, including
	// custom fields the SDK does not model. Numbers and booleans are kept as
	// written; null is "".
	Fields map[string]string `json:"fields,omitempty"`
	// Phones are all the contact's numbers.
	Phones []ContactPhone `json:"phones"`
	// Labels are the numbers of the labels the contact belongs to.
	Labels []int `json:"labels"`
}

// ContactPhone is one of a contact's numbers.
type ContactPhone struct {
	// Phone is the number as Voitex stores it.
	Phone string `json:"phone"`
	// Type is PhoneHome or PhoneMobile.
	Type PhoneType `json:"type"`
}

type createForm struct {
	Function  string `url:"function"`
	Phone     string `url:"phone"`
	PhoneType string `url:"phone_type,omitempty"`
	FirstName string `url:"first_name,omitempty"`
	LastName  string `url:"last_name,omitempty"`
	Label     int    `url:"label,omitempty"`
}

type phoneForm struct {
	Function string `url:"function"`
	Phone    string `url:"phone"`
}

// Create adds a contact. A malformed phone (see CreateContactParams) is
// refused with a *ValidationError before anything is sent. It fails with
// ErrPhoneInUse when any of its phones already exists for the account. It
// is never repeated once written.
func (s *ContactsService) Create(ctx context.Context, p CreateContactParams) (*ContactResult, error) {
	phones, err := phoneList("phone", p.Phones)
	if err != nil {
		return nil, err
	}
	if p.PhoneType != "" && !p.PhoneType.valid() {
		return nil, invalid("phone_type", "must be H or M")
	}
	if p.Label < 0 {
		return nil, invalid("label", "must be a label number")
	}
	return s.change(ctx, createForm{
		Function: FunctionCreate, Phone: phones, PhoneType: string(p.PhoneType),
		FirstName: p.FirstName, LastName: p.LastName, Label: p.Label,
	})
}

// updateFields are the field parameters of function=update, in the
// documentation's order, with the accessor of each.
var updateFields = []struct {
	name string
	get  func(*UpdateContactParams) *string
}{
	{"first_name", func(p *UpdateContactParams) *string { return p.FirstName }},
	{"last_name", func(p *UpdateContactParams) *string { return p.LastName }},
	{"email", func(p *UpdateContactParams) *string { return p.Email }},
	{"exp", func(p *UpdateContactParams) *string { return p.Exp }},
	{"notes", func(p *UpdateContactParams) *string { return p.Notes }},
	{"field_a", func(p *UpdateContactParams) *string { return p.FieldA }},
	{"field_b", func(p *UpdateContactParams) *string { return p.FieldB }},
	{"field_c", func(p *UpdateContactParams) *string { return p.FieldC }},
	{"field_d", func(p *UpdateContactParams) *string { return p.FieldD }},
	{"field_e", func(p *UpdateContactParams) *string { return p.FieldE }},
	{"field_f", func(p *UpdateContactParams) *string { return p.FieldF }},
	{"field_g", func(p *UpdateContactParams) *string { return p.FieldG }},
	{"field_h", func(p *UpdateContactParams) *string { return p.FieldH }},
	{"field_i", func(p *UpdateContactParams) *string { return p.FieldI }},
	{"field_j", func(p *UpdateContactParams) *string { return p.FieldJ }},
}

// reservedUpdateNames are parameters of function=update that a custom field
// must not shadow.
var reservedUpdateNames = map[string]bool{
	"function": true, "phone": true, "phone_type": true, "add_phone": true, "add_phone_type": true,
	"remove_phone": true, "add_label": true, "remove_label": true, "label": true,
}

// Update changes the contact located by p.Phone: fields, the locator
// phone's type, one added and one removed phone, and labels, all in one
// request. A malformed phone, add_phone or remove_phone (see
// UpdateContactParams) and a request that changes nothing are refused
// before sending. It is never repeated once written.
func (s *ContactsService) Update(ctx context.Context, p UpdateContactParams) (*ContactResult, error) {
	form, err := p.form()
	if err != nil {
		return nil, err
	}
	return s.change(ctx, form)
}

func (p *UpdateContactParams) form() (url.Values, error) {
	locator, err := phoneNumber("phone", p.Phone)
	if err != nil {
		return nil, err
	}
	v := url.Values{"function": {FunctionUpdate}, "phone": {locator}}
	for _, f := range updateFields {
		if s := f.get(p); s != nil {
			v.Set(f.name, *s)
		}
	}
	for name, val := range p.Custom {
		switch {
		case name == "" || strings.TrimSpace(name) != name:
			return nil, invalid("Custom", "field names must be non-empty without surrounding spaces")
		case !fieldName(name):
			return nil, invalid(name, "custom field names use letters, digits, _ and - only")
		case reservedUpdateNames[name]:
			return nil, invalid(name, "is a parameter of the update call, not a custom field")
		case v.Has(name) || isUpdateField(name):
			return nil, invalid(name, "has its own field in UpdateContactParams")
		}
		v.Set(name, val)
	}
	if p.PhoneType != "" {
		// Voitex ignores invalid values silently; refusing them here keeps
		// a typo from looking like a successful update.
		if !p.PhoneType.valid() {
			return nil, invalid("phone_type", "must be H or M")
		}
		v.Set("phone_type", string(p.PhoneType))
	}
	add := ""
	if p.AddPhone != "" {
		if add, err = phoneNumber("add_phone", p.AddPhone); err != nil {
			return nil, err
		}
		v.Set("add_phone", add)
	}
	if p.AddPhoneType != "" {
		switch {
		case p.AddPhone == "":
			return nil, invalid("add_phone_type", "applies only with add_phone")
		case !p.AddPhoneType.valid():
			return nil, invalid("add_phone_type", "must be H or M")
		}
		v.Set("add_phone_type", string(p.AddPhoneType))
	}
	if p.RemovePhone != "" {
		remove, err := phoneNumber("remove_phone", p.RemovePhone)
		if err != nil {
			return nil, err
		}
		if remove == add {
			return nil, invalid("remove_phone", "must differ from add_phone")
		}
		v.Set("remove_phone", remove)
	}
	if len(p.AddLabels) > 0 {
		s, err := labelList("add_label", p.AddLabels)
		if err != nil {
			return nil, err
		}
		v.Set("add_label", s)
	}
	if len(p.RemoveLabels) > 0 {
		s, err := labelList("remove_label", p.RemoveLabels)
		if err != nil {
			return nil, err
		}
		v.Set("remove_label", s)
	}
	if len(v) == 2 {
		return nil, invalid("UpdateContactParams", "nothing to update")
	}
	return v, nil
}

func isUpdateField(name string) bool {
	for _, f := range updateFields {
		if f.name == name {
			return true
		}
	}
	return false
}

func fieldName(s string) bool {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// labelList writes label numbers comma-separated, refusing non-positive
// numbers and duplicates.
func labelList(field string, labels []int) (string, error) {
	parts := make([]string, len(labels))
	seen := map[int]bool{}
	for i, l := range labels {
		if l <= 0 {
			return "", invalid(field, "label numbers must be positive")
		}
		if seen[l] {
			return "", invalid(field, "lists label "+strconv.Itoa(l)+" twice")
		}
		seen[l] = true
		parts[i] = strconv.Itoa(l)
	}
	return strings.Join(parts, ","), nil
}

// Delete removes the whole contact located by p.Phone. A malformed phone is
// refused with a *ValidationError before anything is sent. It is never
// repeated once written.
func (s *ContactsService) Delete(ctx context.Context, p DeleteContactParams) (*ContactResult, error) {
	phone, err := phoneNumber("phone", p.Phone)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, phoneForm{Function: FunctionDelete, Phone: phone})
}

// Select returns the contact that has p.Phone, with all its phones and
// labels. A malformed phone (a withheld or international caller id, say) is
// refused with a *ValidationError before anything is sent. It only reads,
// so it is retried like a GET.
func (s *ContactsService) Select(ctx context.Context, p SelectContactParams) (*Contact, error) {
	phone, err := phoneNumber("phone", p.Phone)
	if err != nil {
		return nil, err
	}
	return transport.Call(ctx, s.tc, &transport.Request{
		Method:   http.MethodPost,
		Service:  serviceContacts,
		Path:     PathContacts,
		Form:     phoneForm{Function: FunctionSelect, Phone: phone},
		Delivery: transport.Idempotent,
	}, decodeSelect)
}

func decodeSelect(resp *transport.Response) (*Contact, error) {
	env, err := envelopeOf(resp)
	if err != nil {
		return nil, err
	}
	c, err := decodeContact(env.Data)
	if err != nil {
		return nil, err
	}
	c.SetRaw(resp.Body)
	return c, nil
}

func (s *ContactsService) change(ctx context.Context, form any) (*ContactResult, error) {
	return transport.Call(ctx, s.tc, &transport.Request{
		Method:   http.MethodPost,
		Service:  serviceContacts,
		Path:     PathContacts,
		Form:     form,
		Delivery: transport.AtMostOnce,
	}, decodeContactResult)
}

func decodeContactResult(resp *transport.Response) (*ContactResult, error) {
	env, err := envelopeOf(resp)
	if err != nil {
		return nil, err
	}
	r := &ContactResult{Message: loose.RawText(env.Data)}
	r.SetRaw(resp.Body)
	return r, nil
}

// decodeContact reads select's data ({contact, phones, labels}) or a flat
// contact object such as an API Branch contact_info, either possibly
// encoded as a JSON string.
func decodeContact(raw json.RawMessage) (*Contact, error) {
	top, err := fieldsOf(raw)
	if err != nil {
		return nil, err
	}
	fields := top
	if inner, ok := top["contact"]; ok {
		if f, err := fieldsOf(inner); err == nil {
			fields = f
		}
	}
	c := &Contact{Fields: map[string]string{}}
	for k, v := range fields {
		if k == "phones" || k == "labels" {
			continue
		}
		c.Fields[k] = loose.Text(v)
	}
	for k, dst := range map[string]*string{
		"first_name": &c.FirstName, "last_name": &c.LastName, "email": &c.Email, "notes": &c.Notes,
		"exp": &c.Exp, "address": &c.Address, "city": &c.City, "state": &c.State, "zip": &c.Zip,
		"field_a": &c.FieldA, "field_b": &c.FieldB, "field_c": &c.FieldC, "field_d": &c.FieldD, "field_e": &c.FieldE,
		"field_f": &c.FieldF, "field_g": &c.FieldG, "field_h": &c.FieldH, "field_i": &c.FieldI, "field_j": &c.FieldJ,
	} {
		*dst = c.Fields[k]
	}
	phones := top["phones"]
	if phones == nil {
		phones = fields["phones"]
	}
	c.Phones = decodePhones(phones)
	labels := top["labels"]
	if labels == nil {
		labels = fields["labels"]
	}
	c.Labels = decodeLabels(labels)
	return c, nil
}

// decodePhones reads a list of {phone, type} objects, a list of numbers, or
// a comma-separated string.
func decodePhones(raw json.RawMessage) []ContactPhone {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return nil
	}
	if b[0] != '[' {
		var out []ContactPhone
		for _, ph := range splitList(loose.Text(b)) {
			out = append(out, ContactPhone{Phone: ph})
		}
		return out
	}
	var items []json.RawMessage
	if json.Unmarshal(b, &items) != nil {
		return nil
	}
	out := make([]ContactPhone, 0, len(items))
	for _, it := range items {
		if f, err := fieldsOf(it); err == nil {
			out = append(out, ContactPhone{Phone: loose.Text(f["phone"]), Type: PhoneType(strings.ToUpper(loose.Text(f["type"])))})
		} else if s := loose.Text(it); s != "" {
			out = append(out, ContactPhone{Phone: s})
		}
	}
	return out
}

// decodeLabels reads label numbers sent as numbers, numeric strings or one
// comma-separated string; anything else is skipped.
func decodeLabels(raw json.RawMessage) []int {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return nil
	}
	var parts []string
	if b[0] == '[' {
		var items []json.RawMessage
		if json.Unmarshal(b, &items) != nil {
			return nil
		}
		for _, it := range items {
			parts = append(parts, loose.Text(it))
		}
	} else {
		parts = splitList(loose.Text(b))
	}
	out := make([]int, 0, len(parts))
	for _, p := range parts {
		if n, err := strconv.Atoi(strings.TrimSpace(p)); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
