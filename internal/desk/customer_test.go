package desk

import "testing"

func TestValidDomain(t *testing.T) {
	for _, tt := range []struct {
		d    string
		want bool
	}{
		{"contoso.onmicrosoft.com", true},
		{"a1-b2.onmicrosoft.com", true},
		{"ab.onmicrosoft.com", true},
		{"a.onmicrosoft.com", false},
		{"contoso.com", false},
		{"-contoso.onmicrosoft.com", false},
		{"contoso-.onmicrosoft.com", false},
		{"con_toso.onmicrosoft.com", false},
		{"Contoso.onmicrosoft.com", false}, // Normalize lower-cases first
		{"abcdefghijklmnopqrstuvwxyz12.onmicrosoft.com", false},
		{".onmicrosoft.com", false},
		{"sub.contoso.onmicrosoft.com", false},
	} {
		if got := ValidDomain(tt.d); got != tt.want {
			t.Errorf("ValidDomain(%q) = %v, want %v", tt.d, got, tt.want)
		}
	}
}

func TestNewCustomerValidate(t *testing.T) {
	good := NewCustomer{CompanyName: " Contoso  Ltd. ", Domain: " NewCo.onmicrosoft.com ", Country: "hu",
		Address: Address{Line1: "Fő utca 1", City: "Budapest", PostalCode: "1011"},
		Contact: Contact{FirstName: "Anna", LastName: "Kiss", Email: "anna@example.com"}}
	good.Normalize()
	if err := good.Validate(); err != nil {
		t.Fatalf("valid customer refused: %v", err)
	}
	if good.CompanyName != "Contoso Ltd." || good.Domain != "newco.onmicrosoft.com" || good.Country != "HU" {
		t.Fatalf("normalize: %+v", good)
	}
	err := NewCustomer{Domain: "bad", Country: "QQ", Contact: Contact{Email: "nope"}}.Validate()
	ve, ok := err.(*ValidationError)
	if !ok {
		t.Fatalf("want ValidationError, got %v", err)
	}
	for _, f := range []string{"company_name", "domain", "country", "address_line1", "city", "postal_code", "first_name", "last_name", "email"} {
		if ve.Fields[f] == "" {
			t.Errorf("no error for %s", f)
		}
	}
}
