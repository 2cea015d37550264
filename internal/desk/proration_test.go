package desk

import (
	"testing"
	"time"
)

func day(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }

// R20 at its edges: 100 % for perpetual, prorated by unused days for subscriptions.
func TestComputeCredit(t *testing.T) {
	line := Amounts{Net: 100000, Tax: 27000, Gross: 127000} // HUF, 27 % excluded
	for _, tt := range []struct {
		name               string
		term               string
		bought, cancelled  time.Time
		gross, tax         int64
		usedDays, termDays int
	}{
		{"perpetual: 100 %", TermNone, day(2026, 11, 1, 9), day(2026, 11, 20, 9), 127000, 27000, 0, 0},
		{"1y, same day: day 0, full credit", TermP1Y, day(2026, 11, 1, 9), day(2026, 11, 1, 23), 127000, 27000, 0, 365},
		{"1y, next day: 1 used of 365", TermP1Y, day(2026, 11, 1, 23), day(2026, 11, 2, 0), 126652, 26926, 1, 365},
		{"1y, 10 days", TermP1Y, day(2026, 11, 15, 12), day(2026, 11, 25, 12), 123521, 26260, 10, 365},
		{"1y, last day of the window (30 days)", TermP1Y, day(2026, 11, 1, 12), day(2026, 12, 1, 12), 116562, 24781, 30, 365},
		{"1y over a leap day: 366 days", TermP1Y, day(2027, 6, 1, 0), day(2027, 6, 11, 0), 123530, 26262, 10, 366},
		{"1y from 29 Feb ends 1 Mar: 366 days", TermP1Y, day(2028, 2, 29, 0), day(2028, 3, 10, 0), 123530, 26262, 10, 366},
		{"1y over a month end (31 Jan → 2 Feb)", TermP1Y, day(2026, 1, 31, 0), day(2026, 2, 2, 0), 126304, 26852, 2, 365},
		{"3y, 10 days: 1096 with a leap day", TermP3Y, day(2026, 11, 15, 0), day(2026, 11, 25, 0), 125841, 26754, 10, 1096},
		{"3y without a leap day: 1095", TermP3Y, day(2028, 3, 1, 0), day(2028, 3, 11, 0), 125840, 26753, 10, 1095},
		{"cancel before purchase clamps to 0 days", TermP1Y, day(2026, 11, 2, 0), day(2026, 11, 1, 0), 127000, 27000, 0, 365},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := ComputeCredit(line, tt.term, tt.bought, tt.cancelled)
			if c.Gross != tt.gross || c.Tax != tt.tax || c.UsedDays != tt.usedDays || c.TermDays != tt.termDays {
				t.Fatalf("got %+v, want gross %d tax %d used %d term %d", c, tt.gross, tt.tax, tt.usedDays, tt.termDays)
			}
			if c.Net+c.Tax != c.Gross {
				t.Fatal("net + tax != gross")
			}
		})
	}
}

// Half-up rounding to the minor unit, and a tax-included (AU) line credits its tax too.
func TestComputeCreditRounding(t *testing.T) {
	// 1000 × 364/365 = 997.26 → 997; 5 × 364/365 = 4.986 → 5.
	c := ComputeCredit(Amounts{Net: 995, Tax: 5, Gross: 1000}, TermP1Y, day(2026, 11, 1, 0), day(2026, 11, 2, 0))
	if c.Gross != 997 || c.Tax != 5 || c.Net != 992 {
		t.Fatalf("%+v", c)
	}
	// A tax-included (AU) perpetual line credits its GST too.
	au := ComputeAmounts(22000, 1, "AU") // 20000 + 2000 GST, included
	c = ComputeCredit(au, TermNone, day(2026, 11, 1, 0), day(2026, 11, 5, 0))
	if c.Gross != 22000 || c.Tax != 2000 {
		t.Fatalf("AU perpetual credit %+v", c)
	}
}

func TestCancelWindowEdge(t *testing.T) {
	p := CancelPolicy{}
	bought := day(2026, 11, 1, 9)
	deadline := bought.Add(30 * 24 * time.Hour)
	if !p.InWindow(bought, deadline, KindPerpetual) {
		t.Fatal("the deadline itself is inside the window")
	}
	if p.InWindow(bought, deadline.Add(time.Millisecond), KindPerpetual) {
		t.Fatal("a millisecond after the deadline is outside")
	}
	if got := p.DaysLeft(bought, bought, KindPerpetual); got != 30 {
		t.Fatalf("days left at purchase = %d", got)
	}
	if got := p.DaysLeft(bought, deadline.Add(-time.Minute), KindPerpetual); got != 1 {
		t.Fatalf("days left a minute before the deadline = %d", got)
	}
	if got := p.DaysLeft(bought, deadline.Add(time.Minute), KindPerpetual); got != 0 {
		t.Fatalf("days left after the deadline = %d", got)
	}
	// Per kind: software subscriptions at 7 days (Partner Center's later rule), configurable.
	p = CancelPolicy{Windows: map[ProductKind]time.Duration{KindSoftwareSubscription: 7 * 24 * time.Hour}}
	if p.InWindow(bought, bought.Add(8*24*time.Hour), KindSoftwareSubscription) || !p.InWindow(bought, bought.Add(8*24*time.Hour), KindPerpetual) {
		t.Fatal("per-kind window")
	}
}

func TestFromUSD(t *testing.T) {
	for _, tt := range []struct {
		cur  string
		want int64
	}{{"USD", 1000000}, {"EUR", 920000}, {"GBP", 790000}} {
		if got, ok := FromUSD(10000, tt.cur); !ok || got != tt.want {
			t.Errorf("10,000 USD in %s = %d, want %d", tt.cur, got, tt.want)
		}
	}
	if huf, ok := FromUSD(10000, "HUF"); !ok || huf < 3000000 || huf > 4000000 {
		t.Errorf("HUF %d", huf)
	}
	if _, ok := FromUSD(1, "XXX"); ok {
		t.Error("unknown currency converted")
	}
}
