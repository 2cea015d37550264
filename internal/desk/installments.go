package desk

import (
	"strconv"
	"time"
)

// Installment is one charge of an order line (R25): a line with a term billed monthly is charged
// one month at a time, in advance — the month of purchase with the order, each later month when
// its service period starts; every other line (perpetual software, a term billed annually or up
// front) is one charge for its whole term at purchase.
type Installment struct {
	// Number counts from 1; Of is how many the line has.
	Number, Of int
	// Start and End bound the service period the charge covers: [Start, End), instants. The
	// last installment ends where the term ends (R20's term: the purchase date 1 or 3 years on).
	Start, End time.Time
	Amounts    Amounts
}

// Installments returns how many charges a line with term and billing cycle is billed in.
func Installments(term, cycle string) int {
	if y := termYears(term); y > 0 && cycle == BillingMonthly {
		return 12 * y
	}
	return 1
}

// LineInstallment returns installment k (0-based) of a line bought at purchased for total.
// Amounts are split so that the installments add up to the total exactly: installment k gets
// round(total × (k+1) / n) − round(total × k / n) of the net and of the tax, half up.
func LineInstallment(purchased time.Time, term, cycle string, total Amounts, k int) Installment {
	purchased = purchased.UTC()
	n := Installments(term, cycle)
	in := Installment{Number: k + 1, Of: n, Amounts: total}
	years := termYears(term)
	switch {
	case years == 0:
		in.Start, in.End = purchased, purchased
		return in
	case n == 1:
		in.Start, in.End = purchased, purchased.AddDate(years, 0, 0)
		return in
	}
	in.Start = AddMonths(purchased, k)
	in.End = AddMonths(purchased, k+1)
	if k == n-1 {
		in.End = purchased.AddDate(years, 0, 0)
	}
	share := func(v int64) int64 { return roundDiv(v*int64(k+1), int64(n)) - roundDiv(v*int64(k), int64(n)) }
	in.Amounts.Net, in.Amounts.Tax = share(total.Net), share(total.Tax)
	in.Amounts.Gross = in.Amounts.Net + in.Amounts.Tax
	return in
}

// AddMonths moves t by n calendar months, keeping the time of day; a day the target month does
// not have becomes its last day (31 January + 1 month is 28 or 29 February), so that a monthly
// line has exactly one service period starting in each month.
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

// Day is the UTC calendar day of an instant, at midnight.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ServicePeriod is the service period of an installment as invoices write it: its first and last
// day (UTC). A one-day period (a perpetual licence: the purchase day) has first = last.
func (in Installment) ServicePeriod() (first, last time.Time) {
	first = Day(in.Start)
	last = Day(in.End)
	if last.After(first) {
		last = last.AddDate(0, 0, -1)
	}
	return first, last
}

// Charge is a charge of a line as its invoice holds it: the amounts and the service period's first
// and last day.
type Charge struct {
	Amounts     Amounts
	First, Last time.Time
}

// LineCredit is what cancelling a line at cancelled gives back (R20, R25): exactly what was
// charged and not used. Perpetual software (no term) gets every charge back. A line with a term
// gets each charge's unused days back by the rule of ComputeCredit applied to that charge's
// service period: days = its calendar days, used = the UTC midnights passed since its first day
// (0 to days), credit gross = round(gross × unused / days), credit tax = round(tax × unused /
// days), half up; net = gross − tax. Billed up front, the one charge covers the whole term and
// this is ComputeCredit exactly; billed monthly, the months already used give nothing back and the
// current month its unused days. UsedDays and TermDays are those of the charge in whose period
// the cancellation falls (the last one if none), for the credit's text.
func LineCredit(charges []Charge, term string, cancelled time.Time) Credit {
	var c Credit
	if termYears(term) == 0 {
		for _, ch := range charges {
			c.Net += ch.Amounts.Net
			c.Tax += ch.Amounts.Tax
			c.Gross += ch.Amounts.Gross
		}
		return c
	}
	day := Day(cancelled)
	explained := false
	for i, ch := range charges {
		days := civilDays(ch.First, ch.Last) + 1
		used := min(max(civilDays(ch.First, cancelled), 0), days)
		unused := int64(days - used)
		c.Gross += roundDiv(ch.Amounts.Gross*unused, int64(days))
		c.Tax += roundDiv(ch.Amounts.Tax*unused, int64(days))
		inside := !day.Before(ch.First) && !day.After(ch.Last)
		if (inside && !explained) || (i == len(charges)-1 && !explained) {
			c.UsedDays, c.TermDays, explained = used, days, true
		}
	}
	c.Net = c.Gross - c.Tax
	return c
}

// ChargeKey names an order line among the charges of several orders.
func ChargeKey(orderID string, line int) string { return orderID + "/" + strconv.Itoa(line) }
