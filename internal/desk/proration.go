package desk

import "time"

// Credit is what a cancellation gives back, in the order's currency (R20).
type Credit struct {
	Net, Tax, Gross int64
	// UsedDays and TermDays explain a prorated credit (both 0 for a 100 % credit).
	UsedDays, TermDays int
}

// termYears returns the years of a term ("P1Y" → 1, "P3Y" → 3, perpetual → 0).
func termYears(term string) int {
	switch term {
	case TermP1Y:
		return 1
	case TermP3Y:
		return 3
	}
	return 0
}

// civilDays counts the calendar days (UTC) from a's date to b's date.
func civilDays(a, b time.Time) int {
	a, b = a.UTC(), b.UTC()
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// ComputeCredit is the credit for cancelling a line (R20), written down here as the rule:
//
//   - Perpetual software (and any line without a term) gets 100 % back: net, tax and gross.
//   - A subscription with a term gets the unused part back. The term runs from the purchase
//     date (UTC) to the same date 1 or 3 years later, so it has 365 or 366 days for one year
//     (1,095 or 1,096 for three) depending on leap days; a purchase on 29 February ends on
//     1 March. Used days are the UTC midnights passed since the purchase: a cancellation on the
//     purchase day uses 0 days (a full credit); the day of cancellation itself is not counted.
//   - credit gross = round(gross × unused / term days), credit tax = round(tax × unused / term
//     days), both rounded half up to the currency's minor unit (whole forints for HUF); credit
//     net = credit gross − credit tax, so the three always add up. In markets whose prices
//     include tax (AU, BR, R6) the tax is credited too, like everywhere else.
func ComputeCredit(line Amounts, term string, purchased, cancelled time.Time) Credit {
	years := termYears(term)
	if years == 0 {
		return Credit{Net: line.Net, Tax: line.Tax, Gross: line.Gross}
	}
	start := purchased.UTC()
	end := start.AddDate(years, 0, 0)
	termDays := civilDays(start, end)
	used := civilDays(start, cancelled)
	if used < 0 {
		used = 0
	}
	if used > termDays {
		used = termDays
	}
	unused := int64(termDays - used)
	c := Credit{UsedDays: used, TermDays: termDays}
	c.Gross = roundDiv(line.Gross*unused, int64(termDays))
	c.Tax = roundDiv(line.Tax*unused, int64(termDays))
	c.Net = c.Gross - c.Tax
	return c
}

// USDRates are PartnerDesk's reference exchange rates: units of a currency per US dollar × 10,000.
// They convert the cancellation policy's amount limit (and the demo price lists).
var USDRates = map[string]int64{
	"AED": 36725, "AUD": 15300, "BRL": 55000, "CAD": 13700, "CHF": 8800, "CNY": 72000, "CZK": 232000, "DKK": 68500, "EUR": 9200, "GBP": 7900, "HKD": 78000, "HUF": 3650000, "ILS": 37000, "INR": 835000, "JPY": 1500000, "KRW": 13500000, "MXN": 180000, "NOK": 106000, "NZD": 16700, "PLN": 40000, "RON": 45800, "SAR": 37500, "SEK": 105000, "SGD": 13500, "TRY": 320000, "TWD": 320000, "USD": 10000, "ZAR": 185000,
}

// FromUSD converts whole US dollars to a currency's minor units at the reference rates (false
// when the currency has no rate).
func FromUSD(usd int64, currency string) (int64, bool) {
	rate, ok := USDRates[currency]
	if !ok {
		return 0, false
	}
	units := roundDiv(usd*rate, 10000)
	if CurrencyDecimals(currency) == 2 {
		return units * 100, true
	}
	return units, true
}
