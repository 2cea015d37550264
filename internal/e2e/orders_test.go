package e2e

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"

	"github.com/chromedp/chromedp"
)

// offerRow selects an element with the data-testid inside the catalog row of an offer.
func offerRow(offerID, id string) chromedp.CSS {
	return chromedp.CSS(`[data-testid="offer"][data-offer-id="` + offerID + `"] [data-testid="` + id + `"]`)
}

// cartQty selects the quantity input of an offer's cart line.
func cartQty(offerID string) chromedp.CSS {
	return chromedp.CSS(`[data-testid="cart-line"][data-offer-id="` + offerID + `"] [data-testid="cart-qty"]`)
}

// markerAlive reports whether window.__marker survived (no page load since it was set).
func markerAlive(t *testing.T, ctx context.Context, after string) {
	t.Helper()
	if !get(t, ctx, "read the marker", chromedp.Evaluate[bool](`window.__marker === 1`)) {
		t.Fatalf("window.__marker is gone after %s: the page was loaded again instead of the cart being swapped", after)
	}
}

// A sales agent fills Contoso's cart with two products, changes a quantity in the cart (all in
// place, with htmx), reviews, buys, and finds the order on the Orders tab.
func TestAddProductsReviewBuy(t *testing.T) {
	env := apptest.Start(t)
	ctx := newBrowser(t)
	ws := apptest.Offer(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone)
	sql := apptest.Offer(t, "SQL Server Standard - 2 Core License Pack - 3 year", desk.TermP3Y)
	customer := "/customers/" + apptest.ContosoID

	signInDemo(t, ctx, env, apptest.SalesAgent)
	run(t, ctx, "open Contoso's Add products page",
		chromedp.Navigate(env.URL+customer+"/add-products"),
		chromedp.WaitVisible(testID("cart-empty")),
		chromedp.WaitVisible(offerRow(ws.ID, "add-to-cart")),
	)
	if v := get(t, ctx, "set the marker", chromedp.Evaluate[int](`window.__marker = 1`)); v != 1 {
		t.Fatalf("set window.__marker: got %d", v)
	}

	// First product, quantity 1 (the row's default).
	run(t, ctx, "add "+ws.Title+" to the cart",
		chromedp.Click(offerRow(ws.ID, "add-to-cart")),
		chromedp.WaitVisible(cartQty(ws.ID)),
	)
	markerAlive(t, ctx, "the first Add to cart")
	total1 := text(t, ctx, "total-gross")

	// Second product, quantity 2 typed into its row.
	run(t, ctx, "add 2 × "+sql.Title+" to the cart",
		chromedp.SetValue(offerRow(sql.ID, "offer-qty"), "2"),
		chromedp.Click(offerRow(sql.ID, "add-to-cart")),
		chromedp.WaitVisible(cartQty(sql.ID)),
	)
	markerAlive(t, ctx, "the second Add to cart")
	if n := get(t, ctx, "count the cart lines", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="cart-line"]').length`)); n != 2 {
		t.Fatalf("cart shows %d lines, want 2", n)
	}
	if q := get(t, ctx, "read the second line's quantity", chromedp.Value(cartQty(sql.ID))); q != "2" {
		t.Errorf("cart quantity of %s reads %q, want 2", sql.Title, q)
	}
	total2 := text(t, ctx, "total-gross")
	if total2 == total1 {
		t.Fatalf("cart total stayed %q after the second add", total2)
	}

	// Change the first line's quantity in the cart: a change event makes htmx update the cart.
	change(t, ctx, "set the first cart line to 3", `[data-testid="cart-line"][data-offer-id="`+ws.ID+`"] [data-testid="cart-qty"]`, "3")
	// If the change came before htmx had wired up the freshly swapped cart (a person cannot type
	// that fast), send it again: setting the quantity to 3 twice is the same request.
	get(t, ctx, "wait for the cart total to change", chromedp.Poll[bool](
		`(() => {
			const g = document.querySelector('[data-testid="total-gross"]');
			if (!!g && g.textContent.trim() !== `+strconv.Quote(total2)+`) return true;
			const cart = document.getElementById('cart');
			if (cart && !cart.classList.contains('htmx-request')) {
				const q = document.querySelector('[data-testid="cart-line"][data-offer-id="`+ws.ID+`"] [data-testid="cart-qty"]');
				if (q) { q.value = '3'; q.dispatchEvent(new Event('change', {bubbles: true})); }
			}
			return false;
		})()`,
		chromedp.WithPollingInterval(250*time.Millisecond)))
	markerAlive(t, ctx, "changing the cart quantity")
	if q := get(t, ctx, "read the first line's quantity", chromedp.Value(cartQty(ws.ID))); q != "3" {
		t.Errorf("cart quantity of %s reads %q after the change, want 3", ws.Title, q)
	}
	// 3 × the licence + 2 × the subscription, 27 % Hungarian VAT added per line (R6).
	prices := demo.Prices()
	var gross int64
	for _, l := range []struct {
		id  string
		qty int64
	}{{ws.ID, 3}, {sql.ID, 2}} {
		net := l.qty * prices[l.id]["HUF"]
		gross += net + (2*net*2700+10000)/20000
	}
	want := i18n.Get("en").Money(desk.Money{Minor: gross, Currency: "HUF"})
	total3 := text(t, ctx, "total-gross")
	if strings.ReplaceAll(total3, "\u00a0", " ") != strings.ReplaceAll(want, "\u00a0", " ") {
		t.Errorf("cart total reads %q, want %q", total3, want)
	}
	screenshot(t, ctx, "orders-add-products-cart")

	// A quantity out of range (R10) is not silently kept by the browser: the server refuses it
	// at the field, and the field shows what the cart keeps, in step with the total.
	get(t, ctx, "wait for the cart to settle", chromedp.Poll[bool](`!document.querySelector('.htmx-settling, .htmx-added, .htmx-request')`, chromedp.WithPollingInterval(pollInterval)))
	change(t, ctx, "set the first cart line to 99999", `[data-testid="cart-line"][data-offer-id="`+ws.ID+`"] [data-testid="cart-qty"]`, "99999")
	run(t, ctx, "wait for the error at the line", chromedp.WaitVisible(chromedp.CSS(`[data-testid="cart-line"][data-offer-id="`+ws.ID+`"] [data-testid="cart-qty-error"]`)))
	if msg := text(t, ctx, "cart-qty-error"); !strings.Contains(msg, "1 to 10,000") || !strings.Contains(msg, "keeps 3") {
		t.Errorf("the line's error reads %q", msg)
	}
	if q := get(t, ctx, "read the line's quantity", chromedp.Value(cartQty(ws.ID))); q != "3" {
		t.Errorf("after 99999 was refused the field shows %q, want the kept 3", q)
	}
	if g := text(t, ctx, "total-gross"); g != total3 {
		t.Errorf("after 99999 was refused the total reads %q, want %q", g, total3)
	}
	markerAlive(t, ctx, "the refused quantity")

	clickTo(t, ctx, "go to Review", "review", "buy", customer+"/review")
	if n := get(t, ctx, "count the review lines", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="review-line"]').length`)); n != 2 {
		t.Fatalf("review shows %d lines, want 2", n)
	}
	if g := text(t, ctx, "total-gross"); g != total3 {
		t.Errorf("review total reads %q, the cart said %q", g, total3)
	}
	if note := text(t, ctx, "tax-note"); !strings.Contains(note, "exclude tax") {
		t.Errorf("tax note reads %q", note)
	}
	screenshot(t, ctx, "orders-review")

	run(t, ctx, "click Buy",
		chromedp.Click(testID("buy")),
		chromedp.WaitVisible(testID("order-confirmation")),
	)
	orderID := text(t, ctx, "order-number")
	if orderID == "" {
		t.Fatal("the confirmation shows no order number")
	}
	u := location(t, ctx)
	if m := regexp.MustCompile(`^` + regexp.QuoteMeta(customer) + `/orders/([^/]+)$`).FindStringSubmatch(u.Path); m == nil || m[1] != orderID {
		t.Errorf("confirmation is at %s, want %s/orders/%s", u.Path, customer, orderID)
	}
	if g := text(t, ctx, "total-gross"); g != total3 {
		t.Errorf("order total reads %q, the cart said %q", g, total3)
	}
	screenshot(t, ctx, "orders-confirmation")

	clickTo(t, ctx, "click Done", "done", "orders-table", customer+"/orders")
	links := get(t, ctx, "read the order links", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('[data-testid="order-link"]'), a => a.textContent.trim())`))
	if len(links) == 0 || links[0] != orderID {
		t.Fatalf("Orders tab lists %v, want %s first (newest first)", links, orderID)
	}
	for _, id := range links[1:] {
		if id == orderID {
			t.Fatalf("order %s is listed twice", orderID)
		}
	}
}
