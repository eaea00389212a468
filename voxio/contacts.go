package voxio

import (
	"context"
	"iter"
	"net/http"
	"time"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// Contact is a WhatsApp contact. Voxio does not document the contact object,
// so the fields below are the ones its requests name; everything else it
// sends stays reachable through Raw.
type Contact struct {
	// ID is the contactId that Update and Delete take.
	ID int64 `json:"id"`
	// FirstName and LastName are the contact's names (firstname,
	// lastname).
	FirstName string `json:"firstname"`
	LastName  string `json:"lastname"`
	// Name is the display name, as the relay events send it.
	Name string `json:"name,omitempty"`
	// MobileCode is the country calling code ("62"). Relay events send no
	// code: their Mobile holds the full number.
	MobileCode string `json:"mobile_code"`
	// Mobile is the number without the country code in API answers, and
	// with it in relay events.
	Mobile string `json:"mobile"`
	// City, State, PostCode and Address are the optional address fields.
	City     string `json:"city,omitempty"`
	State    string `json:"state,omitempty"`
	PostCode string `json:"post_code,omitempty"`
	Address  string `json:"address,omitempty"`
	// ProfileImage is the image's file name or URL, as Voxio sends it.
	ProfileImage string `json:"profile_image,omitempty"`
	// WhatsAppAccountID is the sender account the contact is linked to.
	WhatsAppAccountID int64 `json:"whatsapp_account_id,omitempty"`
	// CreatedAt and UpdatedAt are Voxio's timestamps (zero when absent).
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	transport.RawJSON
}

// FullName joins the first and last names, or returns Name.
func (c *Contact) FullName() string {
	switch {
	case c.FirstName != "" && c.LastName != "":
		return c.FirstName + " " + c.LastName
	case c.FirstName != "" || c.LastName != "":
		return c.FirstName + c.LastName
	}
	return c.Name
}

// UnmarshalJSON decodes leniently, under the policy of the whole package:
// numbers sent as strings, "null" strings and unknown fields are all
// accepted, and a field in an unexpected form is left zero (its JSON stays
// in Raw). Only a value that is not an object (or null) is an error.
func (c *Contact) UnmarshalJSON(b []byte) error { return unmarshalObject(b, c, decodeContact) }

// decodeContact reads a contact object; raw becomes its Raw, unshared only
// if the caller copied it.
func decodeContact(raw []byte) Contact {
	m := objectOf(raw)
	c := Contact{
		ID:                m.int("id"),
		FirstName:         m.text("firstname"),
		LastName:          m.text("lastname"),
		Name:              m.text("name"),
		MobileCode:        m.text("mobile_code"),
		Mobile:            m.text("mobile"),
		City:              m.text("city"),
		State:             m.text("state"),
		PostCode:          m.text("post_code"),
		Address:           m.text("address"),
		ProfileImage:      m.text("profile_image"),
		WhatsAppAccountID: m.int("whatsapp_account_id"),
		CreatedAt:         m.time("created_at"),
		UpdatedAt:         m.time("updated_at"),
	}
	if a := objectOf(m.get("address")); a != nil {
		// Some Voxio objects carry the address as an object.
		c.Address = a.text("address")
		if c.City == "" {
			c.City = a.text("city")
		}
		if c.State == "" {
			c.State = a.text("state")
		}
		if c.PostCode == "" {
			c.PostCode = a.text("post_code", "zip")
		}
	}
	c.SetRaw(raw)
	return c
}

// ContactListParams filters the contact list. All fields are optional.
type ContactListParams struct {
	// Page is the page to fetch (default 1).
	Page int `url:"page,omitempty"`
	// Paginate is the number of contacts per page (default 20).
	Paginate int `url:"paginate,omitempty"`
	// Search matches first name, last name or mobile number.
	Search string `url:"search,omitempty"`
	// WhatsAppAccountID limits the list to contacts linked to one sender
	// account. With several numbers, set it (or FromNumber) so the list
	// matches the conversation list's scope.
	WhatsAppAccountID int64 `url:"whatsapp_account_id,omitempty"`
	// FromNumber limits the list to one sender number's contacts.
	FromNumber string `url:"from_number,omitempty"`
}

func (p *ContactListParams) validate() error {
	if p.Page < 0 {
		return invalid("page", "must not be negative")
	}
	if p.Paginate < 0 {
		return invalid("paginate", "must not be negative")
	}
	if p.WhatsAppAccountID < 0 {
		return invalid("whatsapp_account_id", "must not be negative")
	}
	return checkOptionalNumber("from_number", p.FromNumber)
}

// ContactList is one page of contacts (data.contacts).
type ContactList struct {
	Envelope
	// Contacts are this page's contacts.
	Contacts []Contact
	// Pagination is the paginator's position; a page without a paginator
	// reports itself as the only page.
	Pagination Pagination
	transport.RawJSON
}

// List returns one page of contacts (GET /contact/list).
func (s *ContactsService) List(ctx context.Context, params *ContactListParams) (*ContactList, error) {
	if params == nil {
		params = &ContactListParams{}
	}
	if err := params.validate(); err != nil {
		return nil, err
	}
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodGet, Path: "/contact/list", Query: params}, decodeContactList)
}

// ListAll walks every page of contacts from params.Page, fetching each page
// only when the previous one has been consumed. It stops after the last
// page or at the first error, which it yields once.
func (s *ContactsService) ListAll(ctx context.Context, params *ContactListParams) iter.Seq2[Contact, error] {
	p := ContactListParams{}
	if params != nil {
		p = *params
	}
	return transport.Pages(ctx, p.Page, func(ctx context.Context, page int) (transport.Page[Contact], error) {
		q := p
		q.Page = page
		res, err := s.List(ctx, &q)
		if err != nil {
			return transport.Page[Contact]{}, err
		}
		return transport.Page[Contact]{Items: res.Contacts, Last: res.Pagination.lastOf(page)}, nil
	})
}

func decodeContactList(resp *transport.Response) (*ContactList, error) {
	env, err := envelopeOf(resp)
	if err != nil {
		return nil, err
	}
	items, pg, err := listIn(env.Data, "contacts")
	if err != nil {
		return nil, err
	}
	res := &ContactList{Envelope: env.Envelope}
	if res.Contacts, err = decodeItems(items, decodeContact); err != nil {
		return nil, err
	}
	res.Pagination = pageOrOnly(pg, len(res.Contacts))
	res.SetRaw(resp.Body)
	return res, nil
}

// ContactParams are a contact's fields for /contact/store and
// /contact/update. FirstName, LastName, MobileCode and Mobile are required
// by both; update replaces the contact with what is sent.
type ContactParams struct {
	// FirstName (firstname) and LastName (lastname) are required.
	FirstName string `url:"firstname"`
	LastName  string `url:"lastname"`
	// MobileCode is the country calling code, digits only ("62", not "+62").
	MobileCode string `url:"mobile_code"`
	// Mobile is the number without the country code, digits only.
	Mobile string `url:"mobile"`
	// City, State, PostCode (post_code) and Address are optional; empty
	// ones are not sent, so an update keeps what Voxio has.
	City     string `url:"city,omitempty"`
	State    string `url:"state,omitempty"`
	PostCode string `url:"post_code,omitempty"`
	Address  string `url:"address,omitempty"`
	// ProfileImage is uploaded as the profile_image file part.
	ProfileImage *File `url:"-"`
	// WhatsAppAccountID links the contact to one sender account, so it
	// appears in that account's conversation list. Voxio defaults to the
	// default account (on update: the current one).
	WhatsAppAccountID int64 `url:"whatsapp_account_id,omitempty"`
	// FromNumber links the contact to one sender number instead.
	FromNumber string `url:"from_number,omitempty"`
}

func (p *ContactParams) validate() error {
	if p == nil {
		return invalid("params", "required")
	}
	if err := required("firstname", p.FirstName); err != nil {
		return err
	}
	if err := required("lastname", p.LastName); err != nil {
		return err
	}
	if err := checkMobile(p.MobileCode, p.Mobile); err != nil {
		return err
	}
	if p.WhatsAppAccountID < 0 {
		return invalid("whatsapp_account_id", "must not be negative")
	}
	if err := checkOptionalNumber("from_number", p.FromNumber); err != nil {
		return err
	}
	if p.ProfileImage != nil {
		if _, err := p.ProfileImage.ResolvedSize(); err != nil {
			return fieldError("profile_image", err)
		}
	}
	return nil
}

func (p *ContactParams) multipart() *transport.Multipart {
	m := &transport.Multipart{Fields: p}
	if p.ProfileImage != nil {
		m.Files = []transport.FormFile{{Field: "profile_image", File: p.ProfileImage}}
	}
	return m
}

// ContactResult is the answer to a create or an update.
type ContactResult struct {
	Envelope
	// Contact is the contact as Voxio stored it, or nil if the answer did not
	// include it.
	Contact *Contact
	transport.RawJSON
}

// Create adds a contact (POST /contact/store). It is not repeated once
// written, so a dropped connection returns an error matching
// ErrMaybeDelivered; list the contacts before creating it again.
func (s *ContactsService) Create(ctx context.Context, params ContactParams) (*ContactResult, error) {
	if err := params.validate(); err != nil {
		return nil, err
	}
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodPost, Path: "/contact/store", Multipart: params.multipart()}, decodeContactResult)
}

// Update replaces a contact's fields (POST /contact/update/{id}). Every
// required field must be sent again.
//
// Unlike Create, an update is retried after a dropped connection or a 5xx:
// it sets the contact to the values sent, so doing it twice leaves the
// same contact as doing it once.
func (s *ContactsService) Update(ctx context.Context, contactID int64, params ContactParams) (*ContactResult, error) {
	if err := checkID("contactId", contactID); err != nil {
		return nil, err
	}
	if err := params.validate(); err != nil {
		return nil, err
	}
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodPost, Path: idPath("/contact/update/", contactID), Multipart: params.multipart(), Delivery: transport.Idempotent}, decodeContactResult)
}

func decodeContactResult(resp *transport.Response) (*ContactResult, error) {
	env, err := envelopeOf(resp)
	if err != nil {
		return nil, err
	}
	res := &ContactResult{Envelope: env.Envelope}
	if m := objectOf(env.Data); m != nil {
		if raw := m.obj("contact"); raw != nil {
			c := decodeContact(raw)
			res.Contact = &c
		} else if m.has("id") {
			c := decodeContact(env.Data)
			res.Contact = &c
		}
	}
	res.SetRaw(resp.Body)
	return res, nil
}

// Result is an answer that carries no data of interest beyond the envelope
// (a delete, a status change).
type Result struct {
	Envelope
	transport.RawJSON
}

func decodeResult(resp *transport.Response) (*Result, error) {
	env, err := envelopeOf(resp)
	if err != nil {
		return nil, err
	}
	res := &Result{Envelope: env.Envelope}
	res.SetRaw(resp.Body)
	return res, nil
}

// Delete removes a contact (DELETE /contact/delete/{id}). Voxio may refuse a
// contact that has messages or is blocked; that is an *Error.
//
// A delete is retried after a dropped connection or a 5xx. If the first
// attempt was carried out and only its answer was lost, the retry finds no
// contact and the call returns an error matching ErrNotFound: the contact
// is gone either way.
func (s *ContactsService) Delete(ctx context.Context, contactID int64) (*Result, error) {
	if err := checkID("contactId", contactID); err != nil {
		return nil, err
	}
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodDelete, Path: idPath("/contact/delete/", contactID)}, decodeResult)
}
