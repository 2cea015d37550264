package desk

import (
	"math/rand/v2"
	"testing"
	"time"
)

// R25: monthly billing charges a term month by month; everything else once, for the whole term.
func TestInstallments(t *testing.T) {
	for _, tt := range []struct {
		term, cycle string
		n           int
	}{
		{TermP1Y, BillingMonthly, 12}, {TermP3Y, BillingMonthly, 36}, {TermP1Y, BillingAnnual, 1}, {TermP3Y, BillingAnnual, 1},
		{TermP1Y, BillingOneTime, 1}, {TermNone, BillingOneTime, 1}, {TermNone, BillingMonthly, 1},
	} {
		if got := Installments(tt.term, tt.cycle); got != tt.n {
			t.Errorf("%s %s: %d installments, want %d", tt.term, tt.cycle, got, tt.n)
		}
	}
}

// The installments of a monthly line: one service period starting in each month, back to back,
// ending with the term; their amounts add up to the line's exactly.
func TestLineInstallmentsCoverTheTerm(t *testing.T) {
	total := Amounts{Net: 1000001, Tax: 270001, Gross: 1270002}
	for _, bought := range []time.Time{day(2026, 11, 25, 10), day(2026, 1, 31, 23), day(2028, 2, 29, 0), day(2026, 3, 30, 12), day(2026, 12, 31, 0)} {
		for _, term := range []string{TermP1Y, TermP3Y} {
			n := Installments(term, BillingMonthly)
			var sum Amounts
			days := 0
			months := map[string]bool{}
			prevEnd := bought
			for k := 0; k < n; k++ {
				in := LineInstallment(bought, term, BillingMonthly, total, k)
				if in.Number != k+1 || in.Of != n || !in.Start.Equal(prevEnd) || !in.End.After(in.Start) {
					t.Fatalf("%v %s installment %d: %+v (previous end %v)", bought, term, k, in, prevEnd)
				}
				if m := Period(in.Start); months[m] {
					t.Fatalf("%v %s: two service periods start in %s", bought, term, m)
				} else {
					months[m] = true
				}
				first, last := in.ServicePeriod()
				days += civilDays(first, last) + 1
				prevEnd = in.End
				sum = sum.Add(in.Amounts)
				if in.Amounts.Net+in.Amounts.Tax != in.Amounts.Gross {
					t.Fatalf("installment %d: net + tax != gross", k)
				}
			}
			if end := bought.AddDate(termYears(term), 0, 0); !prevEnd.Equal(end) {
				t.Errorf("%v %s: the last installment ends %v, want the term's end %v", bought, term, prevEnd, end)
			}
			if want := civilDays(bought, bought.AddDate(termYears(term), 0, 0)); days != want {
				t.Errorf("%v %s: the service periods have %d days, the term %d", bought, term, days, want)
			}
			if sum.Net != total.Net || sum.Tax != total.Tax || sum.Gross != total.Gross {
				t.Errorf("%v %s: installments add up to %+v, want %+v", bought, term, sum, total)
			}
		}
	}
	// Up front: one charge, the whole term (or the purchase day of a perpetual licence).
	in := LineInstallment(day(2026, 11, 25, 10), TermP1Y, BillingAnnual, total, 0)
	if first, last := in.ServicePeriod(); in.Of != 1 || in.Amounts != total || !first.Equal(day(2026, 11, 25, 0)) || !last.Equal(day(2027, 11, 24, 0)) {
		t.Errorf("annual: %+v %v–%v", in, first, last)
	}
	in = LineInstallment(day(2026, 11, 25, 10), TermNone, BillingOneTime, total, 0)
	if first, last := in.ServicePeriod(); !first.Equal(day(2026, 11, 25, 0)) || !last.Equal(first) {
		t.Errorf("perpetual service period %v–%v", first, last)
	}
}

func TestAddMonths(t *testing.T) {
	for _, tt := range []struct {
		from time.Time
		n    int
		want time.Time
	}{
		{day(2026, 1, 31, 9), 1, day(2026, 2, 28, 9)},
		{day(2028, 1, 31, 9), 1, day(2028, 2, 29, 9)},
		{day(2026, 1, 31, 9), 2, day(2026, 3, 31, 9)},
		{day(2028, 2, 29, 0), 12, day(2029, 2, 28, 0)},
		{day(2026, 11, 25, 10), 1, day(2026, 12, 25, 10)},
		{day(2026, 12, 31, 10), 2, day(2027, 2, 28, 10)},
	} {
		if got := AddMonths(tt.from, tt.n); !got.Equal(tt.want) {
			t.Errorf("%v + %d months: %v, want %v", tt.from, tt.n, got, tt.want)
		}
	}
}

// R20 stays true: billed up front, LineCredit of the one charge is ComputeCredit.
func TestLineCreditUpFrontIsComputeCredit(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		bought := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int64N(int64(4 * 365 * 24 * time.Hour))))
		cancelled := bought.Add(time.Duration(r.Int64N(int64(400 * 24 * time.Hour))))
		term := []string{TermP1Y, TermP3Y, TermNone}[r.IntN(3)]
		total := Amounts{Net: r.Int64N(1e9), Tax: r.Int64N(3e8)}
		total.Gross = total.Net + total.Tax
		in := LineInstallment(bought, term, BillingOneTime, total, 0)
		first, last := in.ServicePeriod()
		got := LineCredit([]Charge{{Amounts: in.Amounts, First: first, Last: last}}, term, cancelled)
		if want := ComputeCredit(total, term, bought, cancelled); got != want {
			t.Fatalf("bought %v, cancelled %v, %s: LineCredit %+v, ComputeCredit %+v", bought, cancelled, term, got, want)
		}
	}
}

// R25, R20: a monthly line gives back the unused days of the month under way; months used up give
// nothing back; nothing is credited that was not charged.
func TestLineCreditMonthly(t *testing.T) {
	total := Amounts{Net: 1200000, Tax: 324000, Gross: 1524000} // HUF, 27 % VAT: 127,000 a month
	bought := day(2026, 11, 25, 10)
	charge := func(k int) Charge {
		in := LineInstallment(bought, TermP1Y, BillingMonthly, total, k)
		first, last := in.ServicePeriod()
		return Charge{Amounts: in.Amounts, First: first, Last: last}
	}
	if c := charge(0); c.Amounts.Gross != 127000 || !c.First.Equal(day(2026, 11, 25, 0)) || !c.Last.Equal(day(2026, 12, 24, 0)) {
		t.Fatalf("first month %+v", c)
	}
	for _, tt := range []struct {
		name               string
		charges            []Charge
		cancelled          time.Time
		gross, tax         int64
		usedDays, termDays int
	}{
		{"the purchase day: the month back", []Charge{charge(0)}, day(2026, 11, 25, 18), 127000, 27000, 0, 30},
		{"8 days into the first month (30 days)", []Charge{charge(0)}, day(2026, 12, 3, 9), 93133, 19800, 8, 30},
		{"the last day of the first month", []Charge{charge(0)}, day(2026, 12, 24, 23), 4233, 900, 29, 30},
		{"2 days into the second month (31 days)", []Charge{charge(0), charge(1)}, day(2026, 12, 27, 9), 118806, 25258, 2, 31},
	} {
		c := LineCredit(tt.charges, TermP1Y, tt.cancelled)
		if c.Gross != tt.gross || c.Tax != tt.tax || c.UsedDays != tt.usedDays || c.TermDays != tt.termDays || c.Net != c.Gross-c.Tax {
			t.Errorf("%s: %+v, want gross %d tax %d, %d of %d days used", tt.name, c, tt.gross, tt.tax, tt.usedDays, tt.termDays)
		}
		charged := int64(0)
		for _, ch := range tt.charges {
			charged += ch.Amounts.Gross
		}
		if c.Gross > charged {
			t.Errorf("%s: credit %d above the %d charged", tt.name, c.Gross, charged)
		}
	}
	// Perpetual: every charge back.
	if c := LineCredit([]Charge{{Amounts: total}}, TermNone, day(2026, 12, 1, 0)); c.Gross != total.Gross || c.Tax != total.Tax {
		t.Errorf("perpetual %+v", c)
	}
}
