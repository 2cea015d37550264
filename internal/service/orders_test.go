package service_test

import (
	"context"
	"sync"
	"testing"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"
)

func orderCount(t *testing.T, env *apptest.Env, a desk.Actor, customerID string) int {
	t.Helper()
	_, p, err := env.App.Service.Orders(context.Background(), a, customerID, "", 200)
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

func TestPlaceOrderHungary(t *testing.T) {
	env, ctx, svc := apptest.StartService(t)
	sales := env.Actor(t, apptest.SalesAgent)
	sql3y := apptest.OfferID(t, "SQL Server Standard - 2 Core License Pack - 3 year", desk.TermP3Y)
	ws := apptest.OfferID(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone)
	o, created, err := svc.PlaceOrder(ctx, sales, apptest.ContosoID, "k1", []desk.CartLine{
		{OfferID: sql3y, Quantity: 2, Term: desk.TermP3Y}, {OfferID: ws, Quantity: 8},
	})
	if err != nil || !created {
		t.Fatalf("place: %v %v", created, err)
	}
	prices := demo.Prices()
	wantNet := 2*prices[sql3y]["HUF"] + 8*prices[ws]["HUF"]
	if o.Currency != "HUF" || o.Amounts.TaxIncluded || o.Amounts.Net != wantNet || o.Amounts.Tax != (2*wantNet*2700+10000)/20000 {
		t.Fatalf("HUF totals: %+v (want net %d)", o.Amounts, wantNet)
	}
	if o.Amounts.Net%100 != 0 {
		t.Fatalf("HUF prices are whole hundreds of forints: %d", o.Amounts.Net)
	}
	// Both lines are software: both got an entitlement, visible on the Software tab.
	_, ents, err := svc.Entitlements(ctx, sales, apptest.ContosoID)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, e := range ents {
		if e.OrderID == o.ID {
			found++
		}
	}
	if found != 2 {
		t.Fatalf("entitlements for the order: %d", found)
	}
	// The order is in the history, newest first, and in the activity log.
	_, page, _ := svc.Orders(ctx, sales, apptest.ContosoID, "", 10)
	if page.Items[0].ID != o.ID || len(page.Items[0].Lines) != 2 {
		t.Fatalf("history: %+v", page.Items[0])
	}
	evs, _ := svc.RecentEvents(ctx, desk.OpCreateOrder, 1)
	if len(evs) != 1 || evs[0].OrderID != o.ID || evs[0].CustomerID != apptest.ContosoID || evs[0].ActorEmail != apptest.SalesAgent {
		t.Fatalf("create_order event: %+v", evs)
	}
}

// R6: an Australian customer's order says tax included and takes the GST out of the price.
func TestPlaceOrderAustraliaTaxIncluded(t *testing.T) {
	env := apptest.Start(t)
	a := env.Actor(t, apptest.AdminAgent)
	ws := apptest.OfferID(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone)
	o, _, err := env.App.Service.PlaceOrder(context.Background(), a, apptest.TenantID("wingtiptoys"), "k", []desk.CartLine{{OfferID: ws, Quantity: 3}})
	if err != nil {
		t.Fatal(err)
	}
	gross := 3 * demo.Prices()[ws]["AUD"]
	if o.Currency != "AUD" || !o.Amounts.TaxIncluded || o.Amounts.Gross != gross || o.Amounts.Net+o.Amounts.Tax != gross || o.Amounts.Tax == 0 {
		t.Fatalf("AU amounts: %+v, gross %d", o.Amounts, gross)
	}
}

// R9: concurrent submissions with one key create exactly one order.
func TestPlaceOrderIdempotentUnderConcurrency(t *testing.T) {
	env, ctx, svc := apptest.StartService(t)
	a := env.Actor(t, apptest.SalesAgent)
	before := orderCount(t, env, a, apptest.FabrikamID)
	ws := apptest.OfferID(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone)
	const n = 24
	ids := make([]string, n)
	createdCount := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			o, created, err := svc.PlaceOrder(ctx, a, apptest.FabrikamID, "double-click", []desk.CartLine{{OfferID: ws, Quantity: 1}})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			ids[i] = o.ID
			if created {
				createdCount++
			}
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	if createdCount != 1 {
		t.Fatalf("%d submissions created orders, want 1", createdCount)
	}
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("answers name different orders: %v", ids)
		}
	}
	if got := orderCount(t, env, a, apptest.FabrikamID); got != before+1 {
		t.Fatalf("orders %d → %d", before, got)
	}
	// The same key for another customer is another order.
	if _, created, _ := svc.PlaceOrder(ctx, a, apptest.ContosoID, "double-click", []desk.CartLine{{OfferID: ws, Quantity: 1}}); !created {
		t.Fatal("key shared across customers")
	}
}

// R10: every refusal is a clear EINVALID and creates nothing; R7 names the market.
func TestPlaceOrderRefusals(t *testing.T) {
	env, ctx, svc := apptest.StartService(t)
	a := env.Actor(t, apptest.SalesAgent)
	ws := apptest.OfferID(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone)
	sql1y := apptest.OfferID(t, "SQL Server Standard - 2 Core License Pack - 1 year", desk.TermP1Y)
	vm := apptest.OfferID(t, "Standard_D2s_v5", desk.TermP1Y)
	kosovo := apptest.TenantID("prosewarekosovo")
	for _, tt := range []struct {
		name     string
		customer string
		lines    []desk.CartLine
		key      string
		wantKey  string
	}{
		{"empty", apptest.ContosoID, []desk.CartLine{}, "", "err.cart_empty"},
		{"unknown offer", apptest.ContosoID, []desk.CartLine{{OfferID: "NOPE:0001:NOPE", Quantity: 1}}, "", "err.offer_unknown"},
		{"quantity 0", apptest.ContosoID, []desk.CartLine{{OfferID: ws, Quantity: 0}}, "", "err.quantity"},
		{"quantity negative", apptest.ContosoID, []desk.CartLine{{OfferID: ws, Quantity: -3}}, "", "err.quantity"},
		{"quantity absurd", apptest.ContosoID, []desk.CartLine{{OfferID: ws, Quantity: 10001}}, "", "err.quantity"},
		{"term the offer lacks", apptest.ContosoID, []desk.CartLine{{OfferID: sql1y, Quantity: 1, Term: desk.TermP3Y}}, "", "err.term"},
		{"billing frequency the offer lacks", apptest.ContosoID, []desk.CartLine{{OfferID: ws, Quantity: 1, BillingCycle: desk.BillingMonthly}}, "", "err.billing_cycle"},
		{"reservation in Kosovo (R7)", kosovo, []desk.CartLine{{OfferID: vm, Quantity: 1}}, "", "err.reservation_market"},
		{"one bad line spoils the order", apptest.ContosoID, []desk.CartLine{{OfferID: ws, Quantity: 1}, {OfferID: ws, Quantity: 0}}, "", "err.quantity"},
		{"no idempotency key", apptest.ContosoID, []desk.CartLine{{OfferID: ws, Quantity: 1}}, " ", "err.idempotency_key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := orderCount(t, env, a, tt.customer)
			key := tt.key
			if key == "" {
				key = "k-" + tt.name
			}
			_, _, err := svc.PlaceOrder(ctx, a, tt.customer, key, tt.lines)
			var de *desk.Error
			if desk.ErrorCode(err) != desk.EINVALID || !asErr(err, &de) || de.Message != tt.wantKey {
				t.Fatalf("got %v, want EINVALID %s", err, tt.wantKey)
			}
			if tt.wantKey == "err.reservation_market" && (len(de.Args) != 2 || de.Args[1] != desk.CountryCode("XK")) {
				t.Fatalf("R7 refusal does not name the market: %+v", de.Args)
			}
			if got := orderCount(t, env, a, tt.customer); got != before {
				t.Fatalf("a refused order created something: %d → %d", before, got)
			}
		})
	}
}

func asErr(err error, target **desk.Error) bool {
	e, ok := err.(*desk.Error)
	if ok {
		*target = e
	}
	return ok
}

// R7: a Kosovo customer is never offered an Azure Reservation; a Hungarian one is.
func TestCatalogForMarket(t *testing.T) {
	env, ctx, svc := apptest.StartService(t)
	a := env.Actor(t, apptest.SalesAgent)
	for _, tt := range []struct {
		customer     string
		reservations bool
	}{{apptest.TenantID("prosewarekosovo"), false}, {apptest.TenantID("litware"), false}, {apptest.TenantID("cohowinery"), false}, {apptest.ContosoID, true}} {
		_, products, err := svc.CatalogForCustomer(ctx, a, tt.customer, "", "")
		if err != nil {
			t.Fatal(err)
		}
		has := false
		for _, p := range products {
			has = has || p.Kind == desk.KindAzureReservation
			for _, o := range p.Offers {
				if o.Price.Minor <= 0 {
					t.Errorf("%s unpriced", o.ID)
				}
			}
		}
		if has != tt.reservations {
			t.Errorf("customer %s: reservations offered = %v", tt.customer, has)
		}
	}
	_, only, _ := svc.CatalogForCustomer(ctx, a, apptest.ContosoID, desk.KindAzureSoftwarePlan, "suse")
	if len(only) != 2 {
		t.Fatalf("kind + search filter: %d products", len(only))
	}
}

func TestCartAndRoles(t *testing.T) {
	env, ctx, svc := apptest.StartService(t)
	a := env.Actor(t, apptest.AdminAgent)
	ws := apptest.OfferID(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone)
	for i := 0; i < 2; i++ {
		if err := svc.SetCartLine(ctx, a, apptest.ContosoID, desk.CartLine{OfferID: ws, Quantity: 3}, true); err != nil {
			t.Fatal(err)
		}
	}
	cart, _ := svc.Cart(ctx, a, apptest.ContosoID)
	if len(cart.Lines) != 1 || cart.Lines[0].Quantity != 6 {
		t.Fatalf("add twice: %+v", cart.Lines)
	}
	if err := svc.SetCartLine(ctx, a, apptest.ContosoID, desk.CartLine{OfferID: ws, Quantity: 0}, false); desk.ErrorCode(err) != desk.EINVALID {
		t.Fatalf("quantity 0 accepted: %v", err)
	}
	if cart2, _ := svc.Cart(ctx, a, apptest.ContosoID); cart2.Lines[0].Quantity != 6 {
		t.Fatal("refused change altered the cart")
	}
	o, created, err := svc.PlaceCartOrder(ctx, a, apptest.ContosoID, "cart-key")
	if err != nil || !created || o.Lines[0].Quantity != 6 {
		t.Fatalf("cart order: %v %v", created, err)
	}
	if cart3, _ := svc.Cart(ctx, a, apptest.ContosoID); len(cart3.Lines) != 0 {
		t.Fatal("cart not emptied")
	}
	// The back button resubmits the same form: the same order, nothing new.
	again, created, err := svc.PlaceCartOrder(ctx, a, apptest.ContosoID, "cart-key")
	if err != nil || created || again.ID != o.ID {
		t.Fatalf("resubmission: %v %v %s", created, err, again.ID)
	}
	for _, who := range []string{"helpdesk@partner.example", "billing@partner.example", "referrals@partner.example", "admin@contoso.onmicrosoft.com"} {
		_, _, err := svc.PlaceOrder(ctx, env.Actor(t, who), apptest.ContosoID, "x", []desk.CartLine{{OfferID: ws, Quantity: 1}})
		if desk.ErrorCode(err) != desk.EFORBIDDEN {
			t.Errorf("%s placed an order: %v", who, err)
		}
	}
}
