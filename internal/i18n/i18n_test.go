package i18n

import (
	"sort"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/desk"
)

// Both catalogs are complete: the same keys, no empty message, and the same number of verbs.
func TestCatalogsComplete(t *testing.T) {
	for k, v := range en {
		h, ok := hu[k]
		if !ok {
			t.Errorf("hu lacks %q", k)
			continue
		}
		if strings.TrimSpace(v) == "" || strings.TrimSpace(h) == "" {
			t.Errorf("%q is empty", k)
		}
		if strings.Count(v, "%") != strings.Count(h, "%") {
			t.Errorf("%q: en and hu differ in format verbs", k)
		}
	}
	for k := range hu {
		if _, ok := en[k]; !ok {
			t.Errorf("en lacks %q", k)
		}
	}
	keys := Keys("en")
	sort.Strings(keys)
	if len(keys) != len(en) {
		t.Fatal("Keys does not list the catalog")
	}
}

func TestNegotiate(t *testing.T) {
	for _, tt := range []struct{ saved, accept, want string }{
		{"", "", "en"},
		{"", "hu-HU,hu;q=0.9,en;q=0.8", "hu"},
		{"", "de-DE,en;q=0.5,hu;q=0.7", "hu"},
		{"", "de-DE", "en"},
		{"en", "hu", "en"},
		{"hu", "en-US", "hu"},
		{"xx", "hu", "hu"},
	} {
		if got := Negotiate(tt.saved, tt.accept).Tag; got != tt.want {
			t.Errorf("Negotiate(%q, %q) = %s, want %s", tt.saved, tt.accept, got, tt.want)
		}
	}
}

func TestFormatting(t *testing.T) {
	en, hu := Get("en"), Get("hu")
	for _, tt := range []struct {
		got, want string
	}{
		{en.Money(desk.Money{Minor: 123450, Currency: "USD"}), "$1,234.50"},
		{en.Money(desk.Money{Minor: 123450, Currency: "EUR"}), "€1,234.50"},
		{en.Money(desk.Money{Minor: 1234567, Currency: "HUF"}), "1,234,567\u00a0Ft"},
		{en.Money(desk.Money{Minor: -500, Currency: "GBP"}), "-£5.00"},
		{hu.Money(desk.Money{Minor: 123450, Currency: "EUR"}), "1\u00a0234,50\u00a0€"},
		{hu.Money(desk.Money{Minor: 1234567, Currency: "HUF"}), "1\u00a0234\u00a0567\u00a0Ft"},
		{en.Money(desk.Money{Minor: 9900, Currency: "CHF"}), "99.00\u00a0CHF"},
		{en.Number(0), "0"},
		{en.Number(20000), "20,000"},
		{hu.Number(20000), "20\u00a0000"},
		{en.Date(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)), "Nov 25, 2026"},
		{hu.Date(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)), "2026. nov. 25."},
		{en.DateTime(time.Date(2026, 3, 1, 14, 5, 0, 0, time.UTC)), "Mar 1, 2026 14:05 UTC"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	if hu.T("nav.customers") != "Ügyfelek" || en.T("nav.customers") != "Customers" {
		t.Error("customers label")
	}
	if en.T("no.such.key") != "no.such.key" {
		t.Error("missing key should show itself")
	}
	if en.Msg("err.required") != "This field is required." || en.Msg("Plain text.") != "Plain text." {
		t.Error("Msg")
	}
}
