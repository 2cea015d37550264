package desk

import (
	"testing"
	"time"
)

// The one cancellation rule of the dialog and the API (finding 7 of the security review): the
// order of the checks, the support-request rule's two reasons and its edges, and what a Global
// admin may override.
func TestCancelPolicyDecide(t *testing.T) {
	bought := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	limitHUF, _ := FromUSD(DefaultSupportThresholdUSD, "HUF")
	base := CancelFacts{Kind: KindPerpetual, Purchased: bought, Now: bought.Add(24 * time.Hour), Gross: 100000, Currency: "HUF"}
	with := func(f func(*CancelFacts)) CancelFacts { c := base; f(&c); return c }
	for _, tt := range []struct {
		name        string
		policy      CancelPolicy
		facts       CancelFacts
		state       string
		reason      string
		overridable bool
	}{
		{"inside the window", CancelPolicy{}, base, CancelOK, "", false},
		{"already cancelled wins over everything", CancelPolicy{}, with(func(c *CancelFacts) {
			c.Cancelled, c.NeverCancellable, c.Downloaded, c.Now = true, true, true, bought.AddDate(1, 0, 0)
		}), CancelDone, "", false},
		{"never cancellable (R13) even when downloaded", CancelPolicy{}, with(func(c *CancelFacts) { c.NeverCancellable, c.Downloaded = true, true }), CancelNever, "", false},
		{"at the deadline", CancelPolicy{}, with(func(c *CancelFacts) { c.Now = bought.Add(DefaultCancelWindow) }), CancelOK, "", false},
		{"a millisecond after the deadline (R12)", CancelPolicy{}, with(func(c *CancelFacts) { c.Now = bought.Add(DefaultCancelWindow + time.Millisecond) }), CancelWindowPassed, "", false},
		{"past the window even when downloaded", CancelPolicy{}, with(func(c *CancelFacts) { c.Now, c.Downloaded = bought.AddDate(0, 2, 0), true }), CancelWindowPassed, "", false},
		{"a per-kind window", CancelPolicy{Windows: map[ProductKind]time.Duration{KindPerpetual: 12 * time.Hour}}, base, CancelWindowPassed, "", false},
		{"downloaded", CancelPolicy{}, with(func(c *CancelFacts) { c.Downloaded = true }), CancelNeedsSupport, "downloaded", true},
		{"at the amount limit", CancelPolicy{}, with(func(c *CancelFacts) { c.Gross = limitHUF }), CancelOK, "", false},
		{"one unit above the amount limit", CancelPolicy{}, with(func(c *CancelFacts) { c.Gross = limitHUF + 1 }), CancelNeedsSupport, "amount", true},
		{"the amount reason first", CancelPolicy{}, with(func(c *CancelFacts) { c.Gross, c.Downloaded = limitHUF+1, true }), CancelNeedsSupport, "amount", true},
		{"a configured limit", CancelPolicy{SupportThresholdUSD: 100}, with(func(c *CancelFacts) { c.Gross, c.Currency = 10001, "USD" }), CancelNeedsSupport, "amount", true},
		{"a configured limit, at it", CancelPolicy{SupportThresholdUSD: 100}, with(func(c *CancelFacts) { c.Gross, c.Currency = 10000, "USD" }), CancelOK, "", false},
		{"a currency without a rate has no limit", CancelPolicy{}, with(func(c *CancelFacts) { c.Gross, c.Currency = 1<<40, "XXX" }), CancelOK, "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.policy.Decide(tt.facts)
			if d.State != tt.state || d.Reason != tt.reason || d.Overridable() != tt.overridable {
				t.Errorf("Decide = %+v (overridable %v), want %s %q (overridable %v)", d, d.Overridable(), tt.state, tt.reason, tt.overridable)
			}
		})
	}
}

// Only Global admins hold the override.
func TestOverridePermission(t *testing.T) {
	for _, r := range []Role{RoleGlobalAdmin, RoleAdminAgent, RoleSalesAgent, RoleHelpdeskAgent, RoleBillingAdmin, RoleReferralsAdmin, RoleCustomerGlobalAdmin, RoleCustomerUser} {
		if got := RolesOf(r).Can(PermOverrideCancelPolicy); got != (r == RoleGlobalAdmin) {
			t.Errorf("%s may override: %v", r.Slug(), got)
		}
	}
}

func TestCancelOverrideDetail(t *testing.T) {
	credit := Money{Minor: 519176, Currency: "HUF"}
	s := DetailCancelOverrideText(0, credit, "SR-000042 approved: refund in full")
	d := ParseDetail(OpUpdateOrder, s)
	if d.Kind != DetailCancelOverride || d.N != 0 || d.Amount != credit || d.Title != "SR-000042 approved: refund in full" {
		t.Fatalf("ParseDetail(%q) = %+v", s, d)
	}
	if d := ParseDetail(OpUpdateOrder, DetailCancelText(1, credit)); d.Kind != DetailCancel {
		t.Fatalf("a plain cancellation parses as %s", d.Kind)
	}
}
