package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
)

// R26: 900117 states the window configured for the product's kind, as Partner Center's
// sentence does for its fixed one.
func TestCancelWindowConfiguredInAPI(t *testing.T) {
	t.Parallel()
	env := apptest.StartWith(t, func(c *apptest.Config) {
		c.CancelWindows = map[desk.ProductKind]time.Duration{desk.KindSoftwareSubscription: 7 * 24 * time.Hour}
	})
	agent := as(t, env, adminAgent)
	sub := placeOrder(t, agent, apptest.ContosoID, line{apptest.OfferID(t, sqlStdSub, desk.TermP1Y), 1, desk.TermP1Y})
	perp := placeOrder(t, agent, apptest.ContosoID, line{apptest.OfferID(t, wsStd, desk.TermNone), 1, ""})
	env.Clock.Advance(8 * 24 * time.Hour)
	agent = as(t, env, adminAgent)
	e := agent.call(http.MethodPatch, orderPath(apptest.ContosoID, sub.ID), cancelBody(sub, 0)).wantError(t, http.StatusBadRequest, 900117)
	if !strings.HasPrefix(e.Description, "You have passed your 7-day cancellation window.") || strings.Contains(e.Description, "30") {
		t.Errorf("900117 of a software subscription with a 7-day window: %q", e.Description)
	}
	// A perpetual purchase keeps the default 30 days: 8 days old, it is cancelled.
	agent.call(http.MethodPatch, orderPath(apptest.ContosoID, perp.ID), cancelBody(perp, 0)).ok(t, http.StatusOK, nil)
}

// R25 in the API: invoice line items say which month a charge covers.
func TestInvoiceLineServicePeriods(t *testing.T) {
	t.Parallel()
	_, b := startAs(t, billing)
	type line struct {
		Description        string `json:"description"`
		Kind               string `json:"kind"`
		BillingCycle       string `json:"billingCycle"`
		ServicePeriodStart string `json:"servicePeriodStart"`
		ServicePeriodEnd   string `json:"servicePeriodEnd"`
	}
	months := map[string]string{}
	for _, inv := range []string{"INV-2026-10-USD", "INV-2026-11-USD"} {
		items, _ := pageAll[line](t, b, "/v1/invoices/"+inv+"/lineitems?size=500", 500)
		for _, l := range items {
			if l.ServicePeriodStart == "" || l.ServicePeriodEnd < l.ServicePeriodStart {
				t.Errorf("%s: %+v", inv, l)
			}
			if strings.Contains(l.Description, "Windows Server Standard Subscription") && l.Kind == "charge" {
				if l.BillingCycle != "monthly" {
					t.Errorf("%s: %+v", inv, l)
				}
				months[inv] = l.ServicePeriodStart + " " + l.ServicePeriodEnd
			}
		}
	}
	if months["INV-2026-10-USD"] != "2026-10-25 2026-11-24" || months["INV-2026-11-USD"] != "2026-11-25 2026-12-24" {
		t.Errorf("the monthly order's months: %v", months)
	}
}
