package i18n

import (
	"sort"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/desk"

	"golang.org/x/text/message"
	"golang.org/x/text/number"
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
		// CLDR hu: foreign currencies by their ISO code, the forint as Ft, U+2212 for negatives.
		{hu.Money(desk.Money{Minor: 123450, Currency: "EUR"}), "1\u00a0234,50\u00a0EUR"},
		{hu.Money(desk.Money{Minor: 64200, Currency: "AUD"}), "642,00\u00a0AUD"},
		{hu.Money(desk.Money{Minor: 3784000, Currency: "BRL"}), "37\u00a0840,00\u00a0BRL"},
		{hu.Money(desk.Money{Minor: 6049200, Currency: "USD"}), "60\u00a0492,00\u00a0USD"},
		{hu.Money(desk.Money{Minor: -710700, Currency: "HUF"}), "\u2212710\u00a0700\u00a0Ft"},
		{hu.Number(-5), "\u22125"},
		{en.Money(desk.Money{Minor: 64200, Currency: "AUD"}), "A$642.00"},
		{en.Percent(810), "8.1"},
		{hu.Percent(810), "8,1"},
		{hu.Percent(2700), "27"},
		{hu.Percent(1225), "12,25"},
		{hu.Percent(5), "0,05"},
		{hu.Percent(-50), "\u22120,5"},
		{en.Period("2026-12"), "December 2026"},
		{hu.Period("2026-12"), "2026. december"},
		{hu.Period("bad"), "bad"},
		{en.PersonName("Katalin", "Nagy"), "Katalin Nagy"},
		{hu.PersonName("Katalin", "Nagy"), "Nagy Katalin"},
		{hu.PersonName("", "Nagy"), "Nagy"},
		{en.N("customers.count", 1), "1 customer"},
		{en.N("customers.count", 12000), "12,000 customers"},
		{hu.N("customers.count", 2), "2 ügyfél"},
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

// The integer formatter writes what CLDR (golang.org/x/text) writes for the language, with the
// minus sign Hungarian typography asks for.
func TestNumberMatchesCLDR(t *testing.T) {
	for _, tag := range Supported {
		l := Get(tag)
		p := message.NewPrinter(l.lang)
		for _, n := range []int64{0, 7, 999, 1000, 1234, 99999, 100000, 1234567, 9007199254740993, -1, -1234567} {
			want := p.Sprint(number.Decimal(n))
			if tag == "hu" {
				want = strings.Replace(want, "-", "\u2212", 1)
			}
			if got := l.Number(n); got != want {
				t.Errorf("%s: Number(%d) = %q, CLDR %q", tag, n, got, want)
			}
		}
	}
}

// Hungarian collation (R-independent, issue: the country list): cs after c, ö after o, sz after s,
// ü after u; accents other than those letters do not change the order.
func TestHungarianCollation(t *testing.T) {
	names := []string{"Csád", "Costa Rica", "Örményország", "Omán", "Oroszország", "Türkmenisztán", "Tuvalu", "Szudán", "São Tomé és Príncipe", "Curaçao"}
	c := Get("hu").Collator()
	c.SortStrings(names)
	want := []string{"Costa Rica", "Curaçao", "Csád", "Omán", "Oroszország", "Örményország", "São Tomé és Príncipe", "Szudán", "Tuvalu", "Türkmenisztán"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("hu order\n got %q\nwant %q", names, want)
	}
}

// A key a language lacks is recorded, so that the rendering tests can fail on it.
func TestMissingKeysRecorded(t *testing.T) {
	hu := Get("hu")
	if got := hu.T("no.such.key.for.test"); got != "no.such.key.for.test" {
		t.Fatalf("unknown key shows %q", got)
	}
	found := false
	for _, k := range MissingKeys() {
		found = found || k == "hu: no.such.key.for.test"
	}
	if !found {
		t.Errorf("missing key not recorded: %q", MissingKeys())
	}
	if _, ok := hu.Lookup("bitness.64-bit"); !ok {
		t.Error("Lookup misses a key")
	}
}

// Hungarian plural after a numeral is the singular (CLDR: one/other, same text): "2 ügyfél".
func TestPluralRules(t *testing.T) {
	hu, en := Get("hu"), Get("en")
	for _, n := range []int64{0, 1, 2, 5, 21, 1000} {
		if got := hu.N("orders.count", n); got != hu.Number(n)+" rendelés" {
			t.Errorf("hu %d: %q", n, got)
		}
	}
	if en.N("orders.count", 1) != "1 order" || en.N("orders.count", 0) != "0 orders" || en.N("orders.count", 21) != "21 orders" {
		t.Error("en plural forms")
	}
}
