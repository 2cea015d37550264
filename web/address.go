package web

import (
	"context"
	"slices"
	"strings"

	"partnerdesk/internal/desk"
)

// AddressLines formats a postal address the way its country writes it, the country last:
// "City, ST 12345" in the United States, the town before the street and the postal code last
// in Hungary (Magyar Posta's order), "12345 City" in most of Europe.
func AddressLines(ctx context.Context, country string, a desk.Address) []string {
	join := func(parts ...string) string {
		var out []string
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return strings.Join(out, " ")
	}
	var lines []string
	switch strings.ToUpper(country) {
	case "US", "CA", "AU":
		cityLine := a.City
		if a.Region != "" {
			cityLine += ", " + a.Region
		}
		lines = []string{a.Line1, join(cityLine, a.PostalCode)}
	case "GB", "IE":
		lines = []string{a.Line1, a.City, a.Region, a.PostalCode}
	case "HU":
		lines = []string{a.City, a.Line1, a.PostalCode, a.Region}
	case "JP", "CN", "KR":
		lines = []string{a.PostalCode, join(a.Region, a.City), a.Line1}
	case "BR":
		cityLine := a.City
		if a.Region != "" {
			cityLine += " - " + a.Region
		}
		lines = []string{a.Line1, cityLine, a.PostalCode}
	default:
		lines = []string{a.Line1, join(a.PostalCode, a.City), a.Region}
	}
	var out []string
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return append(out, CountryName(ctx, country))
}

// newCustomerFields is the Add customer form's fields in their order, for the error summary.
var newCustomerFields = []struct{ ID, Label string }{
	{"company_name", "customer.company"}, {"domain", "customers.col.domain"}, {"country", "customers.col.market"},
	{"address_line1", "customer.address_line1"}, {"city", "customer.city"}, {"postal_code", "customer.postal_code"},
	{"region", "customer.region"}, {"first_name", "customer.first_name"}, {"last_name", "customer.last_name"},
	{"email", "customer.email"}, {"phone", "customer.phone"},
}

// customerErrors lists the Add customer form's problems in the form's order (the family name
// first where the language writes it first, as the form asks for it).
func customerErrors(ctx context.Context, errs desk.FieldErrors) []SummaryItem {
	var out []SummaryItem
	fields := slices.Clone(newCustomerFields)
	if L(ctx).FamilyNameFirst() {
		first := slices.IndexFunc(fields, func(f struct{ ID, Label string }) bool { return f.ID == "first_name" })
		fields[first], fields[first+1] = fields[first+1], fields[first]
	}
	for _, f := range fields {
		if m := FieldErr(ctx, errs, f.ID); m != "" {
			out = append(out, SummaryItem{ID: f.ID, Label: T(ctx, f.Label), Msg: m})
		}
	}
	return out
}
