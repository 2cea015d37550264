package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
)

// R26: the cancel dialog states the window configured for the product's kind and that no early
// termination fee applies inside it; once it has passed, the dialog and the refusal name that
// window, never a fixed 30 days. Both languages.
func TestCancelDialogStatesConfiguredWindow(t *testing.T) {
	env := apptest.StartWith(t, func(c *apptest.Config) {
		c.CancelWindows = map[desk.ProductKind]time.Duration{desk.KindSoftwareSubscription: 7 * 24 * time.Hour, desk.KindPerpetual: 36 * time.Hour}
	})
	sub := env.PlaceOrder(t, apptest.ContosoID, apptest.Line(t, "SQL Server Standard - 2 Core License Pack - 1 year", desk.TermP1Y, 1))
	perp := env.PlaceOrder(t, apptest.ContosoID, apptest.Line(t, "Visio Professional 2024", desk.TermNone, 1))
	en := env.SignIn(t, apptest.AdminAgent)
	hu := env.SignIn(t, apptest.GlobalAdmin) // the language is saved per user
	env.PostForm(t, hu, "/settings/language", url.Values{"locale": {"hu"}})

	dialog := func(c *http.Client, o desk.Order) (string, string) {
		t.Helper()
		res := env.Get(t, c, cnBase(apptest.ContosoID, o.Lines[0].EntitlementID)+"/cancel", htmx()...)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("dialog: %d", res.StatusCode)
		}
		d := doc(t, res.Body)
		return cnText(testid(d, "cancel-window")), cnText(testid(d, "cancel-info"))
	}
	for _, tt := range []struct {
		c      *http.Client
		o      desk.Order
		window string
		fee    string
	}{
		{en, sub, "Cancellation window (Software subscriptions): 7 days from the purchase.", "No early termination fee applies inside the cancellation window."},
		{en, perp, "Cancellation window (Perpetual software): 36 hours from the purchase.", "No early termination fee"},
		{hu, sub, "Lemondási időszak (Szoftver-előfizetések): a vásárlástól számított 7 nap.", "A lemondási időszakon belül nincs korai megszüntetési díj."},
	} {
		w, _ := dialog(tt.c, tt.o)
		if !strings.Contains(w, tt.window) || !strings.Contains(w, tt.fee) {
			t.Errorf("window line %q, want %q and %q", w, tt.window, tt.fee)
		}
	}

	// Past the 7-day window: the dialog and the refused POST name it.
	env.Clock.Advance(8 * 24 * time.Hour)
	en, hu = env.SignIn(t, apptest.AdminAgent), env.SignIn(t, apptest.GlobalAdmin) // the sessions have ended meanwhile
	if _, info := dialog(en, sub); !strings.Contains(info, "The 7-day cancellation window of this order passed") {
		t.Errorf("window passed: %q", info)
	}
	if _, info := dialog(hu, sub); !strings.Contains(info, "A rendelés 7 napos lemondási időszaka lejárt") {
		t.Errorf("window passed (hu): %q", info)
	}
	if _, info := dialog(en, perp); !strings.Contains(info, "The 36-hour cancellation window of this order passed") {
		t.Errorf("perpetual window passed: %q", info)
	}
	res := env.PostForm(t, en, cnBase(apptest.ContosoID, sub.Lines[0].EntitlementID)+"/cancel",
		url.Values{"order_id": {sub.ID}, "acknowledge": {"yes"}}, htmx()...)
	if msg := cnText(testid(doc(t, res.Body), "msg-danger")); res.StatusCode != http.StatusBadRequest || !strings.Contains(msg, "the 7-day cancellation window has passed") || strings.Contains(msg, "30") {
		t.Errorf("POST past the window: %d %q", res.StatusCode, msg)
	}
}
