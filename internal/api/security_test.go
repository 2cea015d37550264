package api_test

import (
	"net/http"
	"strings"
	"testing"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
)

// Finding 7 of the security review: the API applies the cancel dialog's rule. A line already
// downloaded, or above the equivalent of 10,000 USD, needs a support request: 400 with its own
// code (800062) naming overrideReason; only a Global admin may override, and the override is
// recorded with its reason.
func TestCancelNeedsSupportThroughAPI(t *testing.T) {
	t.Parallel()
	env, agent := startAs(t, adminAgent)
	global := as(t, env, globalAdmin)

	// Downloaded: a shared link fetched once.
	o := placeOrder(t, agent, apptest.ContosoID, line{apptest.OfferID(t, wsStd, desk.TermNone), 1, ""})
	ent := entitlementOf(t, agent, apptest.ContosoID, o.ID, 0)
	var link struct {
		URL string `json:"url"`
	}
	agent.call(http.MethodPost, linksPath(apptest.ContosoID, ent.ID), linkBody(editionOf(t, ent, "2022"))).ok(t, http.StatusCreated, &link)
	res, err := httpClient.Get(link.URL)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("download %v %v", res, err)
	}
	res.Body.Close()
	e := agent.call(http.MethodPatch, orderPath(apptest.ContosoID, o.ID), cancelBody(o, 0)).wantError(t, http.StatusBadRequest, 800062)
	if !strings.Contains(e.Description, "already been downloaded") || !strings.Contains(e.Description, "support request") || len(e.Data) != 1 || e.Data[0] != "overrideReason" {
		t.Errorf("800062: %+v", e)
	}
	// Above the amount limit: two SQL Server Enterprise licences for Contoso (HUF).
	big := placeOrder(t, agent, apptest.ContosoID, line{apptest.OfferID(t, "SQL Server 2022 Enterprise - 2 Core", desk.TermNone), 2, ""})
	e = agent.call(http.MethodPatch, orderPath(apptest.ContosoID, big.ID), cancelBody(big, 0)).wantError(t, http.StatusBadRequest, 800062)
	if !strings.Contains(e.Description, "10,000 US dollars") {
		t.Errorf("800062 above the limit: %q", e.Description)
	}
	// An Admin agent may not override: 403 naming the Global admin, recorded.
	body := cancelBody(big, 0)
	body["overrideReason"] = "SR-000042 approved"
	e = agent.call(http.MethodPatch, orderPath(apptest.ContosoID, big.ID), body).wantError(t, http.StatusForbidden, 403)
	if len(e.Data) != 1 || e.Data[0] != "Global admin" {
		t.Errorf("403 of an Admin agent's override: %+v", e)
	}
	denied := false
	for _, ev := range env.RecentEvents(t, desk.OpPermissionDenied, 200) {
		denied = denied || strings.HasPrefix(ev.Detail, string(desk.PermOverrideCancelPolicy)+" ")
	}
	if !denied {
		t.Error("the refused override is not in the activity log")
	}
	// A reason that is too long, or not one line, is refused.
	for _, bad := range []string{strings.Repeat("x", 501), "approved\nby me"} {
		body["overrideReason"] = bad
		global.call(http.MethodPatch, orderPath(apptest.ContosoID, big.ID), body).wantError(t, http.StatusBadRequest, 400)
	}
	// Nothing was cancelled so far.
	for _, id := range []string{o.ID, big.ID} {
		var still order
		agent.get(orderPath(apptest.ContosoID, id)).ok(t, http.StatusOK, &still)
		if still.Status != "completed" {
			t.Errorf("order %s is %s after refused cancellations", id, still.Status)
		}
	}
	// The Global admin's override cancels, and the event names the reason.
	body["overrideReason"] = "SR-000042 approved the refund"
	var done order
	global.call(http.MethodPatch, orderPath(apptest.ContosoID, big.ID), body).ok(t, http.StatusOK, &done)
	if done.Status != "cancelled" {
		t.Fatalf("after the override: %+v", done)
	}
	found := false
	for _, ev := range env.RecentEvents(t, desk.OpUpdateOrder, 200) {
		if ev.OrderID == big.ID {
			d := desk.ParseDetail(ev.Operation, ev.Detail)
			found = d.Kind == desk.DetailCancelOverride && d.Title == "SR-000042 approved the refund" && ev.ActorEmail == globalAdmin
		}
	}
	if !found {
		t.Error("the override's update_order event does not record the Global admin and the reason")
	}
}

// A body with a name twice, or in two cases, orders nothing: `"quantity":1,"Quantity":9999`
// used to order 9,999.
func TestDuplicateJSONNamesOrderNothing(t *testing.T) {
	t.Parallel()
	_, sales := startAs(t, salesAgent)
	before := len(allOrders(t, sales, apptest.ContosoID))
	offer := apptest.OfferID(t, officeLTSC, desk.TermNone)
	for _, body := range []string{
		`{"lineItems":[{"lineItemNumber":0,"offerId":"` + offer + `","quantity":1,"Quantity":9999}]}`,
		`{"lineItems":[{"lineItemNumber":0,"offerId":"` + offer + `","quantity":1,"quantity":9999}]}`,
		`{"lineItems":[{"lineItemNumber":0,"offerId":"` + offer + `","QUANTITY":9999}]}`,
		`{"lineItems":[{"lineItemNumber":0,"offerId":"` + offer + `","quantity":1}],"LineItems":[{"lineItemNumber":0,"offerId":"` + offer + `","quantity":9999}]}`,
	} {
		e := sales.call(http.MethodPost, "/v1/customers/"+apptest.ContosoID+"/orders", body).wantError(t, http.StatusBadRequest, 400)
		if !strings.Contains(strings.ToLower(e.Description), "quantity") && !strings.Contains(strings.ToLower(e.Description), "lineitems") {
			t.Errorf("%s: %q does not name the field", body, e.Description)
		}
	}
	if after := len(allOrders(t, sales, apptest.ContosoID)); after != before {
		t.Fatalf("%d orders placed from refused bodies", after-before)
	}
}

// Low finding: an Idempotency-Key names one request of one token. The same key with another
// body (a retry that is not one) is refused with 422 and places nothing — it used to answer with
// the first order; the same key from another token (another integration, or another user's) is
// another request and places its own order; the same request again still replays (R9).
func TestIdempotencyKeyBoundToRequestAndToken(t *testing.T) {
	t.Parallel()
	env, sales := startAs(t, salesAgent)
	path := "/v1/customers/" + apptest.ContosoID + "/orders"
	offer := apptest.OfferID(t, officeLTSC, desk.TermNone)
	before := len(allOrders(t, sales, apptest.ContosoID))
	var first, again order
	sales.call(http.MethodPost, path, orderBody(line{offer, 1, ""}), "Idempotency-Key", "bound-1").ok(t, http.StatusCreated, &first)
	for name, body := range map[string]map[string]any{
		"another quantity": orderBody(line{offer, 9999, ""}),
		"another offer":    orderBody(line{apptest.OfferID(t, wsStd, desk.TermNone), 1, ""}),
		"another line":     orderBody(line{offer, 1, ""}, line{offer, 1, ""}),
	} {
		e := sales.call(http.MethodPost, path, body, "Idempotency-Key", "bound-1").wantError(t, http.StatusUnprocessableEntity, 422)
		if len(e.Data) != 1 || e.Data[0] != "Idempotency-Key" || !strings.Contains(e.Description, "another request") {
			t.Errorf("%s: %+v", name, e)
		}
	}
	r := sales.call(http.MethodPost, path, orderBody(line{offer, 1, ""}), "Idempotency-Key", "bound-1").ok(t, http.StatusCreated, &again)
	if again.ID != first.ID || r.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the same request again: %s (replayed %q), want %s replayed", again.ID, r.header.Get("Idempotent-Replayed"), first.ID)
	}
	// Another token of the same user, and another user's token: their own orders.
	for _, c := range []*caller{as(t, env, salesAgent), as(t, env, adminAgent)} {
		var o order
		r := c.call(http.MethodPost, path, orderBody(line{offer, 1, ""}), "Idempotency-Key", "bound-1").ok(t, http.StatusCreated, &o)
		if o.ID == first.ID || r.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("another token's key: order %s replayed %q, want a new order", o.ID, r.header.Get("Idempotent-Replayed"))
		}
	}
	if after := len(allOrders(t, sales, apptest.ContosoID)); after != before+3 {
		t.Fatalf("%d orders placed, want 3 (one per token)", after-before)
	}
}
