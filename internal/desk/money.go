package desk

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in a currency's minor units (cents, fillér…) with its ISO 4217 code. Never a float.
type Money struct {
	Minor    int64
	Currency string
}

// zeroDecimal lists currencies billed without a minor unit. HUF has 2 decimals in ISO 4217 but
// none in practice (the fillér is gone): Partner Center prices it in whole forints, and so do we.
var zeroDecimal = map[string]bool{"HUF": true, "JPY": true, "KRW": true, "CLP": true, "ISK": true, "VND": true, "TWD": true, "UGX": true, "XAF": true, "XOF": true, "XPF": true}

// CurrencyDecimals returns how many decimals the currency's minor unit has (0 or 2).
func CurrencyDecimals(code string) int {
	if zeroDecimal[strings.ToUpper(code)] {
		return 0
	}
	return 2
}

// Decimal formats the amount in major units with a dot, as the API does ("1234.50", "-3.05", "12000").
func (m Money) Decimal() string {
	d := CurrencyDecimals(m.Currency)
	if d == 0 {
		return strconv.FormatInt(m.Minor, 10)
	}
	sign := ""
	v := m.Minor
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// ParseMoney reads a decimal amount in major units ("1234.5", "12000") into minor units, refusing
// more decimals than the currency has. A decimal comma ("1234,50", as Hungarian writes it) is
// read as the decimal point when the amount has no point.
func ParseMoney(s, currency string) (Money, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, ".") && strings.Count(s, ",") == 1 {
		s = strings.Replace(s, ",", ".", 1)
	}
	d := CurrencyDecimals(currency)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || (hasFrac && frac == "") || len(frac) > d || len(whole) > 15 {
		return Money{}, FieldError("amount", "err.amount")
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return Money{}, FieldError("amount", "err.amount")
		}
	}
	for len(frac) < d {
		frac += "0"
	}
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return Money{}, FieldError("amount", "err.amount")
	}
	if neg {
		v = -v
	}
	return Money{Minor: v, Currency: strings.ToUpper(currency)}, nil
}
