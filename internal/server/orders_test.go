package server_test

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"

	"github.com/PuerkitoBio/goquery"
)

var (
	wingtipID = apptest.TenantID("wingtiptoys")
	kosovoID  = apptest.TenantID("prosewarekosovo")
)

// wsStd2 is the perpetual Windows Server 2022 Standard 2-core licence; sql3y a 3-year subscription.
func wsStd2(t *testing.T) string {
	return apptest.OfferID(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone)
}
func sql3y(t *testing.T) string {
	return apptest.OfferID(t, "SQL Server Standard - 2 Core License Pack - 3 year", desk.TermP3Y)
}

// reservationProducts returns the IDs of the demo catalog's Azure Reservation products and one of their offers.
func reservationProducts(t *testing.T) (ids []string, anOffer string) {
	t.Helper()
	for _, p := range demo.Catalog() {
		if p.Kind == desk.KindAzureReservation {
			ids = append(ids, p.ID)
			if anOffer == "" && len(p.Offers) > 0 {
				anOffer = p.Offers[0].ID
			}
		}
	}
	if len(ids) == 0 || anOffer == "" {
		t.Fatal("the demo catalog has no Azure Reservation products")
	}
	return ids, anOffer
}

func htmx(extra ...string) []string { return append([]string{"HX-Request", "true"}, extra...) }

// cartAdd posts the add-to-cart form as htmx does.
func cartAdd(t *testing.T, env *apptest.Env, c *http.Client, customerID, offer, qty string) *apptest.Response {
	t.Helper()
	return env.PostForm(t, c, "/customers/"+customerID+"/cart", url.Values{"offer_id": {offer}, "quantity": {qty}}, htmx()...)
}

// cartQuantities reads the cart lines (offer → quantity) of a page or fragment.
func cartQuantities(t *testing.T, d *goquery.Document) map[string]string {
	t.Helper()
	out := map[string]string{}
	testid(d, "cart-line").Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("data-offer-id")
		out[id] = s.Find(`[data-testid="cart-qty"]`).AttrOr("value", "")
	})
	return out
}

// orderLinks returns the order IDs listed on a customer's Orders tab.
func orderLinks(t *testing.T, env *apptest.Env, c *http.Client, customerID string) []string {
	t.Helper()
	res := env.Get(t, c, "/customers/"+customerID+"/orders")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("orders tab of %s: %d", customerID, res.StatusCode)
	}
	var ids []string
	testid(doc(t, res.Body), "order-link").Each(func(_ int, s *goquery.Selection) {
		ids = append(ids, strings.TrimSpace(s.Text()))
	})
	return ids
}

// newOrders returns the IDs in after that are not in before.
func newOrders(before, after []string) []string {
	var out []string
	for _, id := range after {
		if !slices.Contains(before, id) {
			out = append(out, id)
		}
	}
	return out
}

// reviewKey opens the review page and returns its Buy form's idempotency key.
func reviewKey(t *testing.T, env *apptest.Env, c *http.Client, customerID string) (string, *goquery.Document) {
	t.Helper()
	res := env.Get(t, c, "/customers/"+customerID+"/review")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("review: %d", res.StatusCode)
	}
	d := doc(t, res.Body)
	form := testid(d, "buy-form")
	if form.Length() != 1 {
		t.Fatal("review page has no Buy form")
	}
	if action := form.AttrOr("action", ""); action != "/customers/"+customerID+"/orders" {
		t.Fatalf("Buy form posts to %q", action)
	}
	key := form.Find(`input[type="hidden"][name="idempotency_key"]`).AttrOr("value", "")
	if len(key) < 16 {
		t.Fatalf("Buy form's idempotency key %q", key)
	}
	return key, d
}

var orderLocation = regexp.MustCompile(`^/customers/([0-9a-f-]+)/orders/([^/?]+)\?done=order_placed$`)

// Add products is for the roles that may place orders; everyone else gets the 403 page (R5).
func TestAddProductsPerRole(t *testing.T) {
	env := apptest.Start(t)
	for _, tt := range []struct {
		email string
		want  int
	}{
		{"salesagent@partner.example", http.StatusOK},
		{"adminagent@partner.example", http.StatusOK},
		{"globaladmin@partner.example", http.StatusOK},
		{"helpdesk@partner.example", http.StatusForbidden},
		{"billing@partner.example", http.StatusForbidden},
		{"referrals@partner.example", http.StatusForbidden},
		{"admin@contoso.onmicrosoft.com", http.StatusForbidden},
	} {
		t.Run(tt.email, func(t *testing.T) {
			c := env.SignIn(t, tt.email)
			for _, p := range []string{"/add-products", "/review"} {
				res := env.Get(t, c, "/customers/"+apptest.ContosoID+p)
				if res.StatusCode != tt.want {
					t.Fatalf("GET %s: %d, want %d", p, res.StatusCode, tt.want)
				}
				d := doc(t, res.Body)
				if tt.want == http.StatusForbidden {
					if testid(d, "error-403").Length() != 1 || testid(d, "roles-needed").Text() == "" {
						t.Errorf("GET %s: the 403 page does not name the roles", p)
					}
				} else if p == "/add-products" && testid(d, "product").Length() == 0 {
					t.Errorf("GET %s: no products", p)
				}
			}
			// Nor may they change a cart or buy.
			if tt.want == http.StatusForbidden {
				if res := cartAdd(t, env, c, apptest.ContosoID, wsStd2(t), "1"); res.StatusCode != http.StatusForbidden {
					t.Errorf("POST cart: %d, want 403", res.StatusCode)
				}
				res := env.PostForm(t, c, "/customers/"+apptest.ContosoID+"/orders", url.Values{"idempotency_key": {"forbidden-" + tt.email}})
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("POST orders: %d, want 403", res.StatusCode)
				}
			}
		})
	}
}

// R6 and R7 on the Add products page: the tax note per market, no reservations where unavailable.
func TestAddProductsMarkets(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "salesagent@partner.example")
	resIDs, _ := reservationProducts(t)
	for _, tt := range []struct {
		name, id     string
		reservations bool
		unitTax      string // what every unit price says
		infoBar      string // in the info message bar
	}{
		{"Contoso HU", apptest.ContosoID, true, "excl. tax", "Prices in Hungary exclude tax"},
		{"Wingtip AU", wingtipID, true, "incl. tax", "Prices in Australia include tax"},
		{"Proseware XK", kosovoID, false, "excl. tax", "Prices in Kosovo exclude tax"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base := "/customers/" + tt.id + "/add-products"
			res := env.Get(t, c, base)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("add products: %d", res.StatusCode)
			}
			d := doc(t, res.Body)
			if info := testid(d, "msg-info").Text(); !strings.Contains(info, tt.infoBar) {
				t.Errorf("info bar reads %q, want %q", strings.TrimSpace(info), tt.infoBar)
			}
			prices := testid(d, "unit-price")
			if prices.Length() == 0 {
				t.Fatal("no unit prices")
			}
			prices.Each(func(i int, s *goquery.Selection) {
				if txt := strings.Join(strings.Fields(s.Text()), " "); !strings.HasSuffix(txt, tt.unitTax) {
					t.Errorf("unit price %d reads %q, want it to say %q", i, txt, tt.unitTax)
				}
			})
			if got := testid(d, "reservations-unavailable").Length() == 1; got == tt.reservations {
				t.Errorf("reservations-unavailable shown = %v, want %v", got, !tt.reservations)
			}
			present := 0
			for _, id := range resIDs {
				present += d.Find(`[data-product-id="` + id + `"]`).Length()
			}
			if tt.reservations && present != len(resIDs) {
				t.Errorf("%d of %d reservation products shown", present, len(resIDs))
			}
			if !tt.reservations && present != 0 {
				t.Errorf("%d reservation products offered in a market without them", present)
			}
			// The kind filter lists only reservations, and none where they are not sold.
			d = doc(t, env.Get(t, c, base+"?kind="+string(desk.KindAzureReservation)).Body)
			n := testid(d, "product").Length()
			if tt.reservations && n != len(resIDs) {
				t.Errorf("kind filter lists %d products, want the %d reservations", n, len(resIDs))
			}
			if !tt.reservations && (n != 0 || testid(d, "catalog-empty").Length() != 1) {
				t.Errorf("kind filter lists %d products, want none and the empty message", n)
			}
			testid(d, "product").Each(func(_ int, s *goquery.Selection) {
				if id := s.AttrOr("data-product-id", ""); !slices.Contains(resIDs, id) {
					t.Errorf("kind filter lists non-reservation product %s", id)
				}
			})
		})
	}
}

// R8: Windows Server Standard/Datacenter products carry the Azure Hybrid Benefit note; R13: SUSE
// and Red Hat plans say they can never be cancelled. No other product says either.
func TestProductNotes(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "salesagent@partner.example")
	d := doc(t, env.Get(t, c, "/customers/"+apptest.ContosoID+"/add-products").Body)
	hybrid, never := 0, 0
	for _, p := range demo.Catalog() {
		card := d.Find(`[data-testid="product"][data-product-id="` + p.ID + `"]`)
		if card.Length() != 1 {
			if p.Kind == desk.KindAzureReservation || p.Kind == desk.KindAzureSoftwarePlan || strings.Contains(p.Title, "Windows Server") {
				t.Errorf("%s (%s) is not on Contoso's page", p.Title, p.ID)
			}
			continue
		}
		wantHybrid := strings.Contains(p.Title, "Windows Server") && (strings.Contains(p.Title, "Standard") || strings.Contains(p.Title, "Datacenter"))
		wantNever := strings.Contains(p.Title, "SUSE") || strings.Contains(p.Title, "Red Hat")
		if got := card.Find(`[data-testid="hybrid-benefit"]`).Length() == 1; got != wantHybrid {
			t.Errorf("%s: hybrid-benefit shown = %v, want %v", p.Title, got, wantHybrid)
		}
		if got := card.Find(`[data-testid="never-cancellable"]`).Length() == 1; got != wantNever {
			t.Errorf("%s: never-cancellable shown = %v, want %v", p.Title, got, wantNever)
		}
		if wantHybrid {
			hybrid++
			if txt := card.Find(`[data-testid="hybrid-benefit"]`).Text(); !strings.Contains(txt, "40%") {
				t.Errorf("%s: hybrid benefit note reads %q, want the saving of up to 40%%", p.Title, strings.TrimSpace(txt))
			}
		}
		if wantNever {
			never++
		}
	}
	if hybrid < 4 || never < 3 {
		t.Fatalf("checked %d Windows Server and %d SUSE/Red Hat products", hybrid, never)
	}
}

// The cart: htmx gets the cart fragment; adding again sums; bad input changes nothing (R10).
func TestCart(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "salesagent@partner.example")
	ws, sql := wsStd2(t), sql3y(t)
	page := "/customers/" + apptest.ContosoID + "/add-products"

	// An empty cart to start with.
	if d := doc(t, env.Get(t, c, page).Body); testid(d, "cart-empty").Length() != 1 {
		t.Fatal("the cart is not empty at first")
	}

	res := cartAdd(t, env, c, apptest.ContosoID, ws, "2")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("add: %d", res.StatusCode)
	}
	if strings.Contains(res.Body, "<html") || strings.Contains(res.Body, `data-testid="product"`) {
		t.Fatalf("htmx add returned more than the cart: %.300s", res.Body)
	}
	d := doc(t, res.Body)
	if testid(d, "cart").Length() != 1 || testid(d, "totals").Length() != 1 || testid(d, "review").Length() != 1 {
		t.Fatalf("cart fragment lacks the cart, totals or review link: %.500s", res.Body)
	}
	if q := cartQuantities(t, d); len(q) != 1 || q[ws] != "2" {
		t.Fatalf("cart after the first add: %v", q)
	}
	if g := testid(d, "total-gross").Text(); g == "" {
		t.Fatal("no total in the cart")
	}

	// The same offer again adds to the quantity; another offer is another line.
	if q := cartQuantities(t, doc(t, cartAdd(t, env, c, apptest.ContosoID, ws, "3").Body)); len(q) != 1 || q[ws] != "5" {
		t.Fatalf("cart after adding 3 more: %v, want 5", q)
	}
	if q := cartQuantities(t, doc(t, cartAdd(t, env, c, apptest.ContosoID, sql, "1").Body)); len(q) != 2 || q[ws] != "5" || q[sql] != "1" {
		t.Fatalf("cart after adding another offer: %v", q)
	}
	want := map[string]string{ws: "5", sql: "1"}
	wantTotal := testid(doc(t, env.Get(t, c, page).Body), "total-gross").Text()

	// Bad input (R10): a clear message at the field it is about (a quantity at its catalog
	// row, kept as typed to be corrected), or in the cart; the cart stays as it was.
	_, reservation := reservationProducts(t)
	const qtyMsg = "Enter a whole number from 1 to 10,000."
	for _, tt := range []struct {
		name, offer, qty, msg, where string
	}{
		{"zero", ws, "0", qtyMsg, "offer-qty-error"},
		{"negative", ws, "-1", qtyMsg, "offer-qty-error"},
		{"too many", ws, "10001", qtyMsg, "offer-qty-error"},
		{"not a number", ws, "abc", qtyMsg, "offer-qty-error"},
		{"empty", ws, "", qtyMsg, "offer-qty-error"},
		{"over the maximum together", ws, "9999", "already holds 5 of this offer", "offer-qty-error"},
		{"new line zero", apptest.OfferID(t, "Windows Server 2022 Datacenter - 2 Core", desk.TermNone), "0", qtyMsg, "offer-qty-error"},
		{"unknown offer", "NOSUCHPRODUCT:0001:NOSUCHAVAIL", "1", "NOSUCHPRODUCT:0001:NOSUCHAVAIL", "msg-danger"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := cartAdd(t, env, c, apptest.ContosoID, tt.offer, tt.qty)
			if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") {
				t.Fatalf("htmx refusal: %d (want the cart fragment with 200)", res.StatusCode)
			}
			d := doc(t, res.Body)
			if msg := testid(d, tt.where).Text(); !strings.Contains(msg, tt.msg) {
				t.Errorf("%s reads %q, want %q", tt.where, strings.TrimSpace(msg), tt.msg)
			}
			if tt.where == "offer-qty-error" {
				field := d.Find(`[id="qty-field-` + tt.offer + `"]`)
				if field.AttrOr("hx-swap-oob", "") != "true" || field.Find("input").AttrOr("value", "-") != tt.qty || field.Find("input").AttrOr("aria-invalid", "") != "true" {
					t.Errorf("the row's quantity field is not sent back (oob) with %q and aria-invalid: %.300s", tt.qty, res.Body)
				}
			}
			if q := cartQuantities(t, d); !maps.Equal(q, want) {
				t.Errorf("cart in the answer: %v, want %v", q, want)
			}
			d = doc(t, env.Get(t, c, page).Body)
			if q := cartQuantities(t, d); !maps.Equal(q, want) {
				t.Errorf("cart after the refusal: %v, want %v", q, want)
			}
			if g := testid(d, "total-gross").Text(); g != wantTotal {
				t.Errorf("total after the refusal: %q, want %q", g, wantTotal)
			}
		})
	}

	// R7/R10: a reservation for a customer in a market without them is refused, naming the market.
	res = cartAdd(t, env, c, kosovoID, reservation, "1")
	d = doc(t, res.Body)
	if msg := testid(d, "msg-danger").Text(); res.StatusCode != http.StatusOK || !strings.Contains(msg, "Kosovo") || testid(d, "cart-line").Length() != 0 {
		t.Errorf("reservation for Kosovo: %d, message %q, %d lines", res.StatusCode, strings.TrimSpace(msg), testid(d, "cart-line").Length())
	}

	// Without htmx, a good change redirects back to the page (POST/redirect/GET)…
	res = env.PostForm(t, c, "/customers/"+apptest.ContosoID+"/cart", url.Values{"offer_id": {sql}, "quantity": {"1"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page {
		t.Fatalf("plain add: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	want[sql] = "2"
	// …and a bad one shows the whole page with the message at the row's field and a 422.
	res = env.PostForm(t, c, "/customers/"+apptest.ContosoID+"/cart", url.Values{"offer_id": {sql}, "quantity": {"0"}})
	d = doc(t, res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity || d.Find("html").Length() != 1 || !strings.Contains(testid(d, "offer-qty-error").Text(), qtyMsg) {
		t.Fatalf("plain bad add: %d", res.StatusCode)
	}
	if q := cartQuantities(t, d); !maps.Equal(q, want) {
		t.Errorf("cart after a plain add: %v, want %v", q, want)
	}

	// Changing a line's quantity (the cart's own form) replaces it.
	res = env.PostForm(t, c, "/customers/"+apptest.ContosoID+"/cart", url.Values{"offer_id": {ws}, "quantity": {"7"}, "replace": {"1"}}, htmx()...)
	want[ws] = "7"
	if q := cartQuantities(t, doc(t, res.Body)); !maps.Equal(q, want) {
		t.Errorf("cart after setting 7: %v, want %v", q, want)
	}
	// A refused line quantity is explained at the line, and the field shows what the cart keeps,
	// so the field and the totals agree (R10).
	total7 := testid(doc(t, res.Body), "total-gross").Text()
	for _, bad := range []string{"0", "99999", "x"} {
		res = env.PostForm(t, c, "/customers/"+apptest.ContosoID+"/cart", url.Values{"offer_id": {ws}, "quantity": {bad}, "replace": {"1"}}, htmx()...)
		d = doc(t, res.Body)
		if msg := testid(d, "cart-qty-error").Text(); !strings.Contains(msg, "The cart keeps 7.") {
			t.Errorf("line quantity %q: the line says %q", bad, msg)
		}
		if q := cartQuantities(t, d); !maps.Equal(q, want) {
			t.Errorf("line quantity %q: the field shows %v, want %v", bad, q, want)
		}
		if g := testid(d, "total-gross").Text(); g != total7 {
			t.Errorf("line quantity %q: total %q, want %q", bad, g, total7)
		}
	}

	// Remove.
	res = env.PostForm(t, c, "/customers/"+apptest.ContosoID+"/cart/remove", url.Values{"offer_id": {ws}}, htmx()...)
	delete(want, ws)
	if d := doc(t, res.Body); res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") || !maps.Equal(cartQuantities(t, d), want) {
		t.Fatalf("remove: %d, cart %v", res.StatusCode, cartQuantities(t, d))
	}
	res = env.PostForm(t, c, "/customers/"+apptest.ContosoID+"/cart/remove", url.Values{"offer_id": {sql}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("plain remove: %d", res.StatusCode)
	}
	if d := doc(t, env.Get(t, c, page).Body); testid(d, "cart-empty").Length() != 1 || testid(d, "cart-line").Length() != 0 {
		t.Fatal("the cart is not empty after removing every line")
	}
	// The cart is the agent's own: another agent's cart for Contoso is untouched.
	cartAdd(t, env, c, apptest.ContosoID, ws, "1")
	other := env.SignIn(t, "adminagent@partner.example")
	if d := doc(t, env.Get(t, other, page).Body); testid(d, "cart-line").Length() != 0 {
		t.Error("another agent sees the sales agent's cart")
	}
}

// Review, then Buy twice with one key (a double click, the back button): one order (R9).
func TestReviewAndBuyIdempotent(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "salesagent@partner.example")
	ws, sql := wsStd2(t), sql3y(t)
	before := orderLinks(t, env, c, apptest.ContosoID)
	cartAdd(t, env, c, apptest.ContosoID, ws, "2")
	cartAdd(t, env, c, apptest.ContosoID, sql, "1")

	key, d := reviewKey(t, env, c, apptest.ContosoID)
	if n := testid(d, "review-line").Length(); n != 2 {
		t.Fatalf("review shows %d lines, want 2", n)
	}
	for _, id := range []string{"total-net", "total-tax", "total-gross"} {
		if testid(d, id).Text() == "" {
			t.Errorf("review page lacks %s", id)
		}
	}
	if note := testid(d, "tax-note").Text(); !strings.Contains(note, "Prices in Hungary exclude tax") {
		t.Errorf("tax note reads %q", note)
	}
	if !strings.Contains(testid(d, "review-table").Text(), ws) || !strings.Contains(testid(d, "review-table").Text(), sql) {
		t.Error("review table does not name both offers")
	}

	buy := func() *apptest.Response {
		return env.PostForm(t, c, "/customers/"+apptest.ContosoID+"/orders", url.Values{"idempotency_key": {key}})
	}
	first, second := buy(), buy()
	for i, res := range []*apptest.Response{first, second} {
		if res.StatusCode != http.StatusSeeOther || !orderLocation.MatchString(res.Header.Get("Location")) {
			t.Fatalf("buy #%d: %d → %q", i+1, res.StatusCode, res.Header.Get("Location"))
		}
	}
	loc := first.Header.Get("Location")
	if second.Header.Get("Location") != loc {
		t.Fatalf("the two submissions name different orders: %q and %q", loc, second.Header.Get("Location"))
	}
	m := orderLocation.FindStringSubmatch(loc)
	if m[1] != apptest.ContosoID {
		t.Fatalf("redirected to customer %s", m[1])
	}
	orderID := m[2]

	added := newOrders(before, orderLinks(t, env, c, apptest.ContosoID))
	if len(added) != 1 || added[0] != orderID {
		t.Fatalf("orders tab gained %v, want exactly [%s]", added, orderID)
	}

	res := env.Get(t, c, loc)
	d = doc(t, res.Body)
	if res.StatusCode != http.StatusOK || testid(d, "order-confirmation").Length() != 1 {
		t.Fatalf("confirmation: %d", res.StatusCode)
	}
	if n := strings.TrimSpace(testid(d, "order-number").Text()); n != orderID {
		t.Errorf("order number reads %q, want %q", n, orderID)
	}
	if n := testid(d, "order-line").Length(); n != 2 {
		t.Errorf("order shows %d lines, want 2", n)
	}
	if testid(d, "done").AttrOr("href", "") != "/customers/"+apptest.ContosoID+"/orders" {
		t.Error("Done does not lead to the Orders tab")
	}
	// Without ?done the same page is the order's details, without the confirmation.
	d = doc(t, env.Get(t, c, "/customers/"+apptest.ContosoID+"/orders/"+orderID).Body)
	if testid(d, "order-confirmation").Length() != 0 || strings.TrimSpace(testid(d, "order-id").Text()) != orderID {
		t.Error("order details page")
	}

	// The cart was emptied: the review page has no Buy form, and a Buy with a fresh key (an old
	// tab, a forged form) is refused with 422 and creates nothing.
	d = doc(t, env.Get(t, c, "/customers/"+apptest.ContosoID+"/review").Body)
	if testid(d, "review-empty").Length() != 1 || testid(d, "buy-form").Length() != 0 {
		t.Error("review of an empty cart offers Buy")
	}
	res = env.PostForm(t, c, "/customers/"+apptest.ContosoID+"/orders", url.Values{"idempotency_key": {"fresh-key-for-an-empty-cart"}})
	d = doc(t, res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("buy with an empty cart: %d, want 422", res.StatusCode)
	}
	if msg := testid(d, "msg-danger").Text(); !strings.Contains(msg, "The cart is empty") {
		t.Errorf("empty-cart message reads %q", strings.TrimSpace(msg))
	}
	if testid(d, "review-empty").Length() != 1 || d.Find("html").Length() != 1 {
		t.Error("empty-cart refusal is not the review page")
	}
	// A Buy without a key (a stale or forged form) is refused too.
	cartAdd(t, env, c, apptest.ContosoID, ws, "1")
	res = env.PostForm(t, c, "/customers/"+apptest.ContosoID+"/orders", url.Values{})
	if res.StatusCode != http.StatusUnprocessableEntity || testid(doc(t, res.Body), "msg-danger").Length() != 1 {
		t.Errorf("buy without a key: %d, want 422", res.StatusCode)
	}
	if added := newOrders(before, orderLinks(t, env, c, apptest.ContosoID)); len(added) != 1 {
		t.Fatalf("orders after the refusals: %v, want only %s", added, orderID)
	}
}

// R9 at the HTTP level: ten concurrent submissions of one Buy form make one order.
func TestBuyConcurrentSameKey(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "salesagent@partner.example")
	before := orderLinks(t, env, c, apptest.ContosoID)
	cartAdd(t, env, c, apptest.ContosoID, wsStd2(t), "3")
	key, _ := reviewKey(t, env, c, apptest.ContosoID)
	body := url.Values{"idempotency_key": {key}}.Encode()

	const n = 10
	var wg sync.WaitGroup
	locs := make([]string, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, env.URL+"/customers/"+apptest.ContosoID+"/orders", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", env.URL)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			<-start
			res, err := c.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusSeeOther {
				errs[i] = fmt.Errorf("status %d: %.200s", res.StatusCode, b)
				return
			}
			locs[i] = res.Header.Get("Location")
		}(i)
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("submission %d: %v", i, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	for _, l := range locs {
		if l != locs[0] || !orderLocation.MatchString(l) {
			t.Fatalf("the submissions were sent to different places: %v", locs)
		}
	}
	added := newOrders(before, orderLinks(t, env, c, apptest.ContosoID))
	if len(added) != 1 || !strings.Contains(locs[0], "/orders/"+added[0]+"?") {
		t.Fatalf("orders tab gained %v, answers name %s", added, locs[0])
	}
}

// Orders are per customer (R5: 404, not 403, outside the customer); the billing admin reads them.
func TestOrderAccess(t *testing.T) {
	env := apptest.Start(t)
	sales := env.SignIn(t, "salesagent@partner.example")
	fab := orderLinks(t, env, sales, apptest.FabrikamID)
	con := orderLinks(t, env, sales, apptest.ContosoID)
	if len(fab) == 0 || len(con) == 0 {
		t.Fatalf("demo orders: Fabrikam %d, Contoso %d", len(fab), len(con))
	}
	for _, tt := range []struct {
		name, path string
	}{
		{"Fabrikam's order under Contoso", "/customers/" + apptest.ContosoID + "/orders/" + fab[0]},
		{"Contoso's order under Fabrikam", "/customers/" + apptest.FabrikamID + "/orders/" + con[0]},
		{"no such order", "/customers/" + apptest.ContosoID + "/orders/00000000-0000-4000-8000-000000000000"},
		{"no such customer", "/customers/00000000-0000-4000-8000-000000000000/orders/" + con[0]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := env.Get(t, sales, tt.path)
			d := doc(t, res.Body)
			if res.StatusCode != http.StatusNotFound || testid(d, "error-404").Length() != 1 {
				t.Fatalf("GET %s: %d, want the 404 page", tt.path, res.StatusCode)
			}
			if testid(d, "order").Length() != 0 {
				t.Fatal("the 404 page shows an order")
			}
		})
	}
	if res := env.Get(t, sales, "/customers/"+apptest.FabrikamID+"/orders/"+fab[0]); res.StatusCode != http.StatusOK {
		t.Fatalf("Fabrikam's order under Fabrikam: %d", res.StatusCode)
	}

	billing := env.SignIn(t, "billing@partner.example")
	res := env.Get(t, billing, "/customers/"+apptest.ContosoID+"/orders")
	d := doc(t, res.Body)
	if res.StatusCode != http.StatusOK || testid(d, "order-link").Length() != len(con) {
		t.Fatalf("billing admin orders tab: %d", res.StatusCode)
	}
	if testid(d, "add-products").Length() != 0 {
		t.Error("billing admin is offered Add products")
	}
	res = env.Get(t, billing, "/customers/"+apptest.ContosoID+"/orders/"+con[0])
	if d := doc(t, res.Body); res.StatusCode != http.StatusOK || strings.TrimSpace(testid(d, "order-id").Text()) != con[0] {
		t.Fatalf("billing admin order: %d", res.StatusCode)
	}
	if res := env.Get(t, billing, "/customers/"+apptest.ContosoID+"/add-products"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("billing admin add products: %d, want 403", res.StatusCode)
	}
	// The sales agent's Orders tab offers Add products.
	if d := doc(t, env.Get(t, sales, "/customers/"+apptest.ContosoID+"/orders").Body); testid(d, "add-products").Length() != 1 {
		t.Error("sales agent is not offered Add products on the Orders tab")
	}
}

// R7's reference page: the seed's 109 markets, in the user's language (Accept-Language when the
// user saved none), named correctly (not with the seed's machine-translation errors) and in the
// language's alphabetical order.
func TestMarketsPage(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "salesagent@partner.example")
	for _, tt := range []struct {
		lang, accept string
		names        map[string]string // code → name (the last row of a code)
		before       [][2]string       // pairs in page order
	}{
		{"en", "", map[string]string{"XK": "Kosovo", "CN": "China", "ST": "São Tomé and Príncipe", "SZ": "Eswatini"},
			[][2]string{{"Åland Islands", "American Samoa"}, {"Svalbard and Jan Mayen", "Tokelau"}}},
		{"en", "en-US,en;q=0.9", map[string]string{"XK": "Kosovo", "SH": "Saint Helena, Ascension and Tristan da Cunha"}, nil},
		{"hu", "hu-HU,hu;q=0.9,en;q=0.5", map[string]string{
			"XK": "Koszovó", "CN": "Kína", "ST": "São Tomé és Príncipe", "SH": "Szent Ilona, Ascension és Tristan da Cunha",
			"UM": "Az Amerikai Egyesült Államok lakatlan külbirtokai", "AX": "Åland-szigetek", "GS": "Déli-Georgia és Déli-Sandwich-szigetek",
		}, [][2]string{{"Comore-szigetek", "Csád"}, {"Cook-szigetek", "Csád"}, {"São Tomé és Príncipe", "Szamoa"}, {"Tuvalu", "Új-Kaledónia"}}},
	} {
		t.Run(tt.lang+"/"+tt.accept, func(t *testing.T) {
			var hdr []string
			if tt.accept != "" {
				hdr = []string{"Accept-Language", tt.accept}
			}
			res := env.Get(t, c, "/catalog/markets", hdr...)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("markets: %d", res.StatusCode)
			}
			d := doc(t, res.Body)
			if lang := d.Find("html").AttrOr("lang", ""); lang != tt.lang {
				t.Errorf("page language %q, want %q", lang, tt.lang)
			}
			// One row per market (R7): the seed's 109 names mean 106 markets (BQ and SJ twice).
			rows := testid(d, "market-row")
			if rows.Length() != 106 {
				t.Fatalf("%d market rows, want 106", rows.Length())
			}
			names := map[string]string{}
			pos := map[string]int{}
			rows.Each(func(i int, s *goquery.Selection) {
				td := s.Find("td")
				code := strings.TrimSpace(td.Eq(1).Text())
				if _, ok := desk.CountryByCode(code); !ok {
					t.Errorf("row %q has unknown code %q", td.Eq(0).Text(), code)
				}
				if _, dup := names[code]; dup {
					t.Errorf("market %s is listed twice", code)
				}
				names[code] = strings.TrimSpace(td.Eq(0).Text())
				pos[names[code]] = i
			})
			for code, want := range tt.names {
				if names[code] != want {
					t.Errorf("%s row: %q, want %q", code, names[code], want)
				}
			}
			for _, p := range tt.before {
				if a, ok := pos[p[0]]; !ok || a > pos[p[1]] {
					t.Errorf("%q should come before %q", p[0], p[1])
				}
			}
			// The seed's garbled names are not shown.
			for _, bad := range []string{"Sémo Tomé", "St Foga", "Amilyenha", "outlying", "Aland-szigetek", "Szváziföld"} {
				if strings.Contains(res.Body, bad) {
					t.Errorf("the page shows the seed's %q", bad)
				}
			}
		})
	}
	// The Kosovo customer's warning links to this page.
	d := doc(t, env.Get(t, c, "/customers/"+kosovoID+"/add-products").Body)
	if href := testid(d, "reservations-unavailable").Find("a").AttrOr("href", ""); href != "/catalog/markets" {
		t.Errorf("warning links to %q", href)
	}
}

// R6 totals on the review page: 2 × Windows Server 2022 Standard 2-core for Contoso (HU, 27 % VAT
// added), and for Wingtip Toys (AU, 10 % GST included).
func TestReviewTotals(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "salesagent@partner.example")
	ws := wsStd2(t)
	en := i18n.Get("en")
	for _, tt := range []struct {
		name, id, currency string
		rateBP             int64
		included           bool
		taxLabel           string
	}{
		{"Contoso HU", apptest.ContosoID, "HUF", 2700, false, "Tax (27%)"},
		{"Wingtip AU", wingtipID, "AUD", 1000, true, "Included tax (10%)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			unit, ok := demo.Prices()[ws][tt.currency]
			if !ok || unit <= 0 {
				t.Fatalf("no %s price for %s", tt.currency, ws)
			}
			var net, tax, gross int64
			if tt.included {
				gross = 2 * unit
				tax = (2*gross*tt.rateBP + (10000 + tt.rateBP)) / (2 * (10000 + tt.rateBP)) // half up
				net = gross - tax
			} else {
				net = 2 * unit
				tax = (2*net*tt.rateBP + 10000) / 20000 // half up
				gross = net + tax
			}
			money := func(v int64) string { return en.Money(desk.Money{Minor: v, Currency: tt.currency}) }
			want := map[string]string{"total-net": money(net), "total-tax": money(tax), "total-gross": money(gross)}
			if tt.currency == "HUF" && !strings.HasSuffix(want["total-net"], "\u00a0Ft") {
				t.Fatalf("English HUF format %q lacks the no-break space before Ft", want["total-net"])
			}

			frag := doc(t, cartAdd(t, env, c, tt.id, ws, "2").Body)
			_, d := reviewKey(t, env, c, tt.id)
			for name, dd := range map[string]*goquery.Document{"cart": frag, "review": d} {
				for id, w := range want {
					if got := strings.TrimSpace(testid(dd, id).Text()); got != w {
						t.Errorf("%s %s = %q, want %q", name, id, got, w)
					}
				}
				if lbl := strings.TrimSpace(testid(dd, "total-tax").Prev().Text()); lbl != tt.taxLabel {
					t.Errorf("%s tax label %q, want %q", name, lbl, tt.taxLabel)
				}
			}
			line := testid(d, "review-line").First().Find("td")
			if q := strings.TrimSpace(line.Eq(1).Text()); q != "2" {
				t.Errorf("review line quantity %q", q)
			}
			// Every amount of the line is labelled and they add up: unit × quantity is the net
			// (or, where prices include tax, the total); net + tax = total (R6).
			heads := d.Find(`[data-testid="review-table"] thead th`)
			for i, w := range map[int]string{2: "Unit price (" + map[bool]string{true: "incl. tax", false: "excl. tax"}[tt.included] + ")", 3: "Net (excl. tax)", 4: "Tax", 5: "Total (incl. tax)"} {
				if h := strings.TrimSpace(heads.Eq(i).Text()); h != w {
					t.Errorf("review column %d is %q, want %q", i, h, w)
				}
			}
			for i, w := range map[int]string{2: money(unit), 3: money(net), 4: money(tax), 5: money(gross)} {
				if got := strings.TrimSpace(line.Eq(i).Text()); got != w {
					t.Errorf("review column %d reads %q, want %q", i, got, w)
				}
			}
		})
	}
}
