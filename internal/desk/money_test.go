package desk

import "testing"

func TestMoneyDecimal(t *testing.T) {
	for _, tt := range []struct {
		m    Money
		want string
	}{
		{Money{123450, "USD"}, "1234.50"},
		{Money{5, "EUR"}, "0.05"},
		{Money{-305, "GBP"}, "-3.05"},
		{Money{0, "AUD"}, "0.00"},
		{Money{123456, "HUF"}, "123456"}, // HUF: no minor unit in practice
		{Money{1000, "JPY"}, "1000"},
	} {
		if got := tt.m.Decimal(); got != tt.want {
			t.Errorf("%+v.Decimal() = %q, want %q", tt.m, got, tt.want)
		}
	}
}

func TestParseMoney(t *testing.T) {
	for _, tt := range []struct {
		in, cur string
		want    int64
		ok      bool
	}{
		{"1234.50", "USD", 123450, true},
		{"1234.5", "USD", 123450, true},
		{"1234", "USD", 123400, true},
		{"-0.05", "EUR", -5, true},
		{"12000", "HUF", 12000, true},
		{"12000.5", "HUF", 0, false}, // more decimals than the currency has
		{"1.234", "USD", 0, false},
		{"1e3", "USD", 0, false},
		{"", "USD", 0, false},
		{"1.", "USD", 0, false},
		{".5", "USD", 0, false},
		{"12 000", "HUF", 0, false},
		{"9999999999999999", "USD", 0, false},
		// A Hungarian decimal comma is a decimal point; a comma next to a point is not.
		{"1234,50", "EUR", 123450, true},
		{"-0,05", "EUR", -5, true},
		{"1,234.50", "USD", 0, false},
		{"1,2,3", "USD", 0, false},
		{"12000,5", "HUF", 0, false},
	} {
		m, err := ParseMoney(tt.in, tt.cur)
		if (err == nil) != tt.ok || (tt.ok && m.Minor != tt.want) {
			t.Errorf("ParseMoney(%q, %s) = %v, %v; want %d ok=%v", tt.in, tt.cur, m, err, tt.want, tt.ok)
		}
		if tt.ok && m.Decimal() == "" {
			t.Errorf("round trip of %q empty", tt.in)
		}
	}
}

func FuzzMoneyRoundTrip(f *testing.F) {
	for _, s := range []string{"0", "1.5", "1234.56", "-3.05", "99999"} {
		f.Add(s, "USD")
		f.Add(s, "HUF")
	}
	f.Fuzz(func(t *testing.T, s, cur string) {
		m, err := ParseMoney(s, cur)
		if err != nil {
			return
		}
		back, err := ParseMoney(m.Decimal(), cur)
		if err != nil || back != m {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, m, m.Decimal(), back, err)
		}
	})
}
