package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app"
	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
)

// R26: 900117 states the window configured for the product's kind, as Partner Center's
// sentence does for its fixed one.
func TestCancelWindowConfiguredInAPI(t *testing.T) {
	t.Parallel()
	env := apptest.StartWith(t, func(c *app.Config) {
		c.CancelWindows = map[desk.ProductKind]time.Duration{desk.KindSoftwareSubscription: 7 * 24 * time.Hour}
	})
	agent := as(t, env, adminAgent)
	sub := placeOrder(t, agent, apptest.ContosoID, line{offerID(t, sqlStdSub, desk.TermP1Y), 1, desk.TermP1Y})
	perp := placeOrder(t, agent, apptest.ContosoID, line{offerID(t, wsStd, desk.TermNone), 1, ""})
	env.Clock.Advance(8 * 24 * time.Hour)
	agent = as(t, env, adminAgent)
	e := agent.call(http.MethodPatch, orderPath(apptest.ContosoID, sub.ID), cancelBody(sub, 0)).wantError(t, http.StatusBadRequest, 900117)
	if !strings.HasPrefix(e.Description, "You have passed your 7-day cancellation window.") || strings.Contains(e.Description, "30") {
		t.Errorf("900117 of a software subscription with a 7-day window: %q", e.Description)
	}
	// A perpetual purchase keeps the default 30 days: 8 days old, it is cancelled.
	agent.call(http.MethodPatch, orderPath(apptest.ContosoID, perp.ID), cancelBody(perp, 0)).ok(t, http.StatusOK, nil)
}
