package desk

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// Customer is a customer tenant of the partner.
type Customer struct {
	// ID is the tenant ID, a GUID as in Partner Center (the "Microsoft ID").
	ID          string
	CompanyName string
	// Domain is the primary domain, e.g. contoso.onmicrosoft.com.
	Domain string
	// Country is the market, ISO 3166-1 alpha-2; it sets Currency.
	Country  string
	Currency string
	Address  Address
	Contact  Contact
	// Relationship is Partner Center's relationship column ("Cloud Reseller").
	Relationship string
	CreatedAt    time.Time
}

// Address is a postal address.
type Address struct {
	Line1, City, PostalCode, Region string
}

// Contact is the customer's primary contact.
type Contact struct {
	FirstName, LastName, Email, Phone string
}

// CustomerSort names a sortable column of the customer list.
type CustomerSort string

// Sortable columns of the customer list; each has an index behind it.
const (
	SortName   CustomerSort = "name"
	SortDomain CustomerSort = "domain"
)

// CustomerFilter selects a page of customers (keyset pagination).
type CustomerFilter struct {
	// Query searches company name, domain and tenant ID.
	Query string
	Sort  CustomerSort
	Desc  bool
	// After / Before are opaque cursors of the row after (or before) which the page starts.
	After, Before string
	Limit         int
	// SkipCount leaves CustomerPage.Total at 0 (the caller knows it, e.g. from a cache).
	SkipCount bool
	// CountCap, when above 0, stops counting a search's matches past it: Total is then CountCap
	// and TotalCapped is set ("200+"), so a common word costs what a rare one does.
	CountCap int
}

// CustomerPage is one page of the customer list.
type CustomerPage struct {
	Items []Customer
	// Total counts every customer that matches the query (at most CustomerFilter.CountCap).
	Total int
	// TotalCapped: more than Total customers match (the count stopped at the filter's CountCap).
	TotalCapped bool
	// Next / Prev are the cursors for the following and preceding pages ("" at the ends).
	Next, Prev string
}

// NewCustomer is the input of Add customer.
type NewCustomer struct {
	CompanyName string
	Domain      string
	Country     string
	Address     Address
	Contact     Contact
}

var domainLabel = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// Normalize trims the input and lower-cases the domain and country.
func (n *NewCustomer) Normalize() {
	n.CompanyName = strings.Join(strings.Fields(n.CompanyName), " ")
	n.Domain = strings.ToLower(strings.TrimSpace(n.Domain))
	n.Country = strings.ToUpper(strings.TrimSpace(n.Country))
	n.Address.Line1 = strings.TrimSpace(n.Address.Line1)
	n.Address.City = strings.TrimSpace(n.Address.City)
	n.Address.PostalCode = strings.TrimSpace(n.Address.PostalCode)
	n.Address.Region = strings.TrimSpace(n.Address.Region)
	n.Contact.FirstName = strings.TrimSpace(n.Contact.FirstName)
	n.Contact.LastName = strings.TrimSpace(n.Contact.LastName)
	n.Contact.Email = strings.TrimSpace(n.Contact.Email)
	n.Contact.Phone = strings.TrimSpace(n.Contact.Phone)
}

// Validate checks every field and returns all problems at once (message keys of internal/i18n).
func (n NewCustomer) Validate() error {
	errs := FieldErrors{}
	if n.CompanyName == "" {
		errs["company_name"] = "err.required"
	} else if len(n.CompanyName) > 200 {
		errs["company_name"] = "err.too_long"
	}
	if !ValidDomain(n.Domain) {
		errs["domain"] = "err.domain"
	}
	if _, ok := CountryByCode(n.Country); !ok || n.Country == "" {
		errs["country"] = "err.country"
	}
	if n.Address.Line1 == "" {
		errs["address_line1"] = "err.required"
	}
	if n.Address.City == "" {
		errs["city"] = "err.required"
	}
	if n.Address.PostalCode == "" {
		errs["postal_code"] = "err.required"
	}
	if n.Contact.FirstName == "" {
		errs["first_name"] = "err.required"
	}
	if n.Contact.LastName == "" {
		errs["last_name"] = "err.required"
	}
	if !ValidEmail(n.Contact.Email) {
		errs["email"] = "err.email"
	}
	if len(n.Contact.Phone) > 40 {
		errs["phone"] = "err.too_long"
	}
	return errs.Err()
}

// ValidDomain reports whether d is a primary domain of the form name.onmicrosoft.com.
func ValidDomain(d string) bool {
	name, ok := strings.CutSuffix(d, ".onmicrosoft.com")
	return ok && len(name) >= 2 && len(name) <= 27 && domainLabel.MatchString(name)
}

// ValidEmail reports whether s is a plain address (no display name).
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254
}
