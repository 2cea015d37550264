package desk

import "strings"

// taxRates are the standard VAT/GST rates, in basis points (2700 = 27 %), that PartnerDesk shows
// for a market. Markets not listed show no tax (0 %): sales taxes there depend on the customer's
// state or registration and are settled on the partner's invoice.
var taxRates = map[string]int64{
	"AT": 2000, "BE": 2100, "BG": 2000, "HR": 2500, "CY": 1900, "CZ": 2100, "DK": 2500, "EE": 2400, "FI": 2550,
	"FR": 2000, "DE": 1900, "GR": 2400, "HU": 2700, "IE": 2300, "IT": 2200, "LV": 2100, "LT": 2100, "LU": 1700,
	"MT": 1800, "NL": 2100, "PL": 2300, "PT": 2300, "RO": 2100, "SK": 2300, "SI": 2200, "ES": 2100, "SE": 2500,
	"GB": 2000, "CH": 810, "LI": 810, "NO": 2500, "IS": 2400,
	"AU": 1000, // GST, included in the price (R6)
	"BR": 1425, // PIS/COFINS on software, included in the price (R6)
	"NZ": 1500, "JP": 1000, "CA": 500, "IN": 1800, "CN": 600, "KR": 1000, "SG": 900, "ZA": 1500, "MX": 1600,
	"TR": 2000, "IL": 1800, "AE": 500, "SA": 1500,
}

// TaxRateBP returns the market's tax rate in basis points.
func TaxRateBP(country string) int64 { return taxRates[strings.ToUpper(strings.TrimSpace(country))] }

// Amounts are the net, tax and gross of a price in minor units.
type Amounts struct {
	Net, Tax, Gross int64
	// TaxIncluded says the price already held the tax (AU and BR, R6).
	TaxIncluded bool
	RateBP      int64
}

// roundDiv divides a ≥ 0 by b > 0 rounding half up.
func roundDiv(a, b int64) int64 { return (2*a + b) / (2 * b) }

// ComputeAmounts prices quantity × unit in a market (R6). Where prices exclude tax the tax is
// added: tax = round(net × rate). Where they include it (AU, BR) the price is the gross and the
// tax is taken out of it: tax = round(gross × rate / (1 + rate)). Rounding is half up to the
// currency's minor unit, on the line total (not per unit).
func ComputeAmounts(unit, quantity int64, country string) Amounts {
	rate := TaxRateBP(country)
	total := unit * quantity
	a := Amounts{RateBP: rate, TaxIncluded: TaxIncluded(country)}
	if a.TaxIncluded {
		a.Gross = total
		a.Tax = roundDiv(total*rate, 10000+rate)
		a.Net = total - a.Tax
		return a
	}
	a.Net = total
	a.Tax = roundDiv(total*rate, 10000)
	a.Gross = a.Net + a.Tax
	return a
}

// Add sums two amounts of the same market.
func (a Amounts) Add(b Amounts) Amounts {
	return Amounts{Net: a.Net + b.Net, Tax: a.Tax + b.Tax, Gross: a.Gross + b.Gross, TaxIncluded: a.TaxIncluded, RateBP: a.RateBP}
}
