package voitextest

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/switchboard-go/switchboard/voitex"
)

// contactFields are the documented contact fields, in select's order.
var contactFields = []string{"first_name", "last_name", "email", "notes", "exp", "address", "city", "state", "zip",
	"field_a", "field_b", "field_c", "field_d", "field_e", "field_f", "field_g", "field_h", "field_i", "field_j"}

type contact struct {
	fields map[string]string
	phones []voitex.ContactPhone
	labels map[int]bool
}

func (c *contact) hasPhone(p string) int {
	for i, ph := range c.phones {
		if ph.Phone == p {
			return i
		}
	}
	return -1
}

// Contact is a sandbox contact as Contact returns it and SeedContact takes
// it.
type Contact struct {
	// Fields are the fields set by name ("first_name", "field_a"), custom
	// ones included.
	Fields map[string]string
	// Phones are the contact's numbers in the order they were added; a
	// phone without a Type is PhoneHome, as Voitex defaults it.
	Phones []voitex.ContactPhone
	// Labels are label numbers, sorted.
	Labels []int
}

// SeedContact stores c as if it had been created through the Contacts API,
// with the values the test chose, so that documented requests naming a
// fixed phone ("7325550184") work at once. The Contacts API's rules apply:
// at least one valid phone, none belonging to another contact, phone types
// H or M, documented fields or ones enabled with WithCustomFields. Labels
// that do not exist on the account yet are created. Nothing is stored when
// it returns an error.
func (s *Server) SeedContact(c Contact) error {
	if len(c.Phones) == 0 {
		return errors.New("voitextest: SeedContact needs at least one phone")
	}
	nc := &contact{fields: map[string]string{}, labels: map[int]bool{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range c.Phones {
		if !validPhone(p.Phone) {
			return fmt.Errorf("voitextest: SeedContact: %q is not a valid phone number", p.Phone)
		}
		n := normalizePhone(p.Phone)
		if s.contactByPhone(n) != nil || nc.hasPhone(n) >= 0 {
			return fmt.Errorf("voitextest: SeedContact: phone %s belongs to another contact", n)
		}
		t := p.Type
		if t == "" {
			t = voitex.PhoneHome
		}
		if t != voitex.PhoneHome && t != voitex.PhoneMobile {
			return fmt.Errorf("voitextest: SeedContact: phone type %q is not H or M", p.Type)
		}
		nc.phones = append(nc.phones, voitex.ContactPhone{Phone: n, Type: t})
	}
	for k, v := range c.Fields {
		if !s.isField(k) {
			return fmt.Errorf("voitextest: SeedContact: %q is not a contact field (enable custom ones with WithCustomFields)", k)
		}
		nc.fields[k] = v
	}
	for _, l := range c.Labels {
		if l <= 0 {
			return fmt.Errorf("voitextest: SeedContact: label %d is not a label number", l)
		}
		nc.labels[l] = true
	}
	for l := range nc.labels {
		s.labels[l] = true
	}
	s.contacts = append(s.contacts, nc)
	return nil
}

// Contact returns the contact that has phone.
func (s *Server) Contact(phone string) (Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contactByPhone(normalizePhone(phone))
	if c == nil {
		return Contact{}, false
	}
	return c.export(), true
}

// Contacts returns every contact.
func (s *Server) Contacts() []Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Contact, len(s.contacts))
	for i, c := range s.contacts {
		out[i] = c.export()
	}
	return out
}

func (c *contact) export() Contact {
	f := make(map[string]string, len(c.fields))
	for k, v := range c.fields {
		f[k] = v
	}
	return Contact{Fields: f, Phones: append([]voitex.ContactPhone(nil), c.phones...), Labels: sortedInts(c.labels)}
}

func (s *Server) contactByPhone(p string) *contact {
	for _, c := range s.contacts {
		if c.hasPhone(p) >= 0 {
			return c
		}
	}
	return nil
}

func phoneType(v string, def voitex.PhoneType) voitex.PhoneType {
	switch t := voitex.PhoneType(strings.ToUpper(strings.TrimSpace(v))); t {
	case voitex.PhoneHome, voitex.PhoneMobile:
		return t
	}
	return def
}

// contactsAPI serves POST / with a function field.
func (s *Server) contactsAPI(w httpWriter, f *form) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch strings.ToLower(f.get("function")) {
	case voitex.FunctionCreate:
		s.createContact(w, f)
	case voitex.FunctionUpdate:
		s.updateContact(w, f)
	case voitex.FunctionDelete:
		s.deleteContact(w, f)
	case voitex.FunctionSelect:
		s.selectContact(w, f)
	default:
		fail(w, "function must be create, update, delete or select")
	}
}

// labelsFrom parses a label list; ok is false if any number does not exist.
func (s *Server) labelsFrom(v string) (nums []int, ok bool) {
	for _, p := range splitList(v) {
		n, err := strconv.Atoi(p)
		if err != nil || !s.labels[n] {
			return nil, false
		}
		nums = append(nums, n)
	}
	return nums, true
}

func badLabels(v string, labels map[int]bool) string {
	var bad []string
	for _, p := range splitList(v) {
		if n, err := strconv.Atoi(p); err != nil || !labels[n] {
			bad = append(bad, p)
		}
	}
	return "Invalid label number(s): " + strings.Join(bad, ",")
}

func (s *Server) createContact(w httpWriter, f *form) {
	phones := splitList(f.get("phone"))
	if len(phones) == 0 {
		fail(w, "No valid phone number provided")
		return
	}
	var taken []string
	for i, p := range phones {
		if !validPhone(p) {
			fail(w, "No valid phone number provided")
			return
		}
		phones[i] = normalizePhone(p)
		if s.contactByPhone(phones[i]) != nil {
			taken = append(taken, phones[i])
		}
	}
	if len(taken) > 0 {
		fail(w, "contact already exists with phone(s): "+strings.Join(taken, ","))
		return
	}
	c := &contact{fields: map[string]string{}, labels: map[int]bool{}}
	if l := f.get("label"); l != "" {
		nums, ok := s.labelsFrom(l)
		if !ok {
			fail(w, badLabels(l, s.labels))
			return
		}
		for _, n := range nums {
			c.labels[n] = true
		}
	}
	t := phoneType(f.get("phone_type"), voitex.PhoneHome)
	seen := map[string]bool{}
	for _, p := range phones {
		if !seen[p] {
			seen[p] = true
			c.phones = append(c.phones, voitex.ContactPhone{Phone: p, Type: t})
		}
	}
	for _, k := range []string{"first_name", "last_name"} {
		if f.has(k) {
			c.fields[k] = f.raw(k)
		}
	}
	s.contacts = append(s.contacts, c)
	writeData(w, "Contact created")
}

// updateContact checks every rule before changing anything, so a failed
// request leaves the contact as it was.
func (s *Server) updateContact(w httpWriter, f *form) {
	loc := normalizePhone(f.get("phone"))
	if !validPhone(loc) {
		fail(w, "No valid phone number provided")
		return
	}
	c := s.contactByPhone(loc)
	if c == nil {
		fail(w, "No contact found for phone: "+loc)
		return
	}
	add := normalizePhone(f.get("add_phone"))
	if add != "" {
		if !validPhone(add) {
			fail(w, "add_phone is not a valid phone number")
			return
		}
		if other := s.contactByPhone(add); other != nil && other != c {
			fail(w, "Phone "+add+" belongs to another contact")
			return
		}
	}
	remove := normalizePhone(f.get("remove_phone"))
	if remove != "" {
		if c.hasPhone(remove) < 0 {
			fail(w, "Phone "+remove+" is not on this contact")
			return
		}
		remaining := len(c.phones) - 1
		if add != "" && c.hasPhone(add) < 0 {
			remaining++
		}
		if remaining < 1 {
			fail(w, "Cannot remove the last phone on a contact: "+remove)
			return
		}
	}
	var addLabels, removeLabels []int
	if v := f.get("add_label"); v != "" {
		nums, ok := s.labelsFrom(v)
		if !ok {
			fail(w, badLabels(v, s.labels))
			return
		}
		addLabels = nums
	}
	if v := f.get("remove_label"); v != "" {
		nums, ok := s.labelsFrom(v)
		if !ok {
			fail(w, badLabels(v, s.labels))
			return
		}
		removeLabels = nums
	}

	for k, v := range f.values {
		if s.isField(k) {
			c.fields[k] = v // an empty value clears the field
		}
	}
	if t := phoneType(f.get("phone_type"), ""); t != "" {
		c.phones[c.hasPhone(loc)].Type = t
	}
	if add != "" {
		t := phoneType(f.get("add_phone_type"), voitex.PhoneHome)
		if i := c.hasPhone(add); i >= 0 {
			if f.has("add_phone_type") && phoneType(f.get("add_phone_type"), "") != "" {
				c.phones[i].Type = t
			}
		} else {
			c.phones = append(c.phones, voitex.ContactPhone{Phone: add, Type: t})
		}
	}
	if remove != "" {
		i := c.hasPhone(remove)
		c.phones = append(c.phones[:i], c.phones[i+1:]...)
	}
	for _, n := range addLabels {
		c.labels[n] = true
	}
	for _, n := range removeLabels {
		delete(c.labels, n)
	}
	writeData(w, "Contact updated")
}

func (s *Server) isField(k string) bool {
	for _, f := range contactFields {
		if f == k {
			return true
		}
	}
	return s.custom[k]
}

func (s *Server) deleteContact(w httpWriter, f *form) {
	p := normalizePhone(f.get("phone"))
	if !validPhone(p) {
		fail(w, "No valid phone number provided")
		return
	}
	c := s.contactByPhone(p)
	if c == nil {
		fail(w, "No contact found for phone: "+p)
		return
	}
	for i, x := range s.contacts {
		if x == c {
			s.contacts = append(s.contacts[:i], s.contacts[i+1:]...)
			break
		}
	}
	writeData(w, "Contact deleted successfully")
}

func (s *Server) selectContact(w httpWriter, f *form) {
	p := normalizePhone(f.get("phone"))
	if !validPhone(p) {
		fail(w, "No valid phone number provided")
		return
	}
	c := s.contactByPhone(p)
	if c == nil {
		fail(w, "No contact found for phone: "+p)
		return
	}
	writeData(w, s.contactJSON(c))
}

// contactJSON is select's data: the documented fields (exp null when
// empty), enabled custom fields, phones and label numbers.
func (s *Server) contactJSON(c *contact) map[string]any {
	fields := map[string]any{}
	for _, k := range contactFields {
		fields[k] = c.fields[k]
	}
	if c.fields["exp"] == "" {
		fields["exp"] = nil
	}
	custom := make([]string, 0, len(s.custom))
	for k := range s.custom {
		custom = append(custom, k)
	}
	sort.Strings(custom)
	for _, k := range custom {
		fields[k] = c.fields[k]
	}
	phones := make([]map[string]string, len(c.phones))
	for i, p := range c.phones {
		phones[i] = map[string]string{"phone": p.Phone, "type": string(p.Type)}
	}
	return map[string]any{"contact": fields, "phones": phones, "labels": sortedInts(c.labels)}
}

// ContactInfo returns the contact that has phone in the shape an API
// Branch request's contact_info carries (nil when there is none), for the
// IVR simulator.
func (s *Server) ContactInfo(phone string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contactByPhone(normalizePhone(phone))
	if c == nil {
		return nil
	}
	return s.contactJSON(c)
}
