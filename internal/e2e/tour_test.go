package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The tour: every main page of PartnerDesk, as a role that may open it. The layout, the
// accessibility and the screenshot tests walk it.

// tourPage is a main page: its name, who opens it ("" signed out), its path and a data-testid
// that shows once the page is there.
type tourPage struct {
	Name, User, Path, Ready string
}

const (
	tourGlobal    = apptest.GlobalAdmin
	tourAgent     = apptest.AdminAgent
	tourSales     = apptest.SalesAgent
	tourHelpdesk  = apptest.Helpdesk
	tourBilling   = apptest.BillingAdmin
	tourReferrals = apptest.ReferralsAdmin
	tourCustomer  = apptest.ContosoAdmin
)

// tourData are the IDs the tour's paths need, made or found once per test.
type tourData struct {
	Order, CancelledOrder, Support, Entitlement string
}

// tourSetup fills the sales agent's cart (for Review), files a support request and finds an
// order, a cancelled order and a purchase of Contoso.
func tourSetup(t *testing.T, env *apptest.Env) tourData {
	t.Helper()
	ctx := context.Background()
	user := func(email string) desk.Actor {
		u, _, err := env.App.Store.FindUserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return desk.Actor{User: u, IP: "127.0.0.1"}
	}
	var d tourData
	_, page, err := env.App.Service.Orders(ctx, user(tourAgent), apptest.ContosoID, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range page.Items {
		if d.Order == "" && o.Status == desk.OrderCompleted && len(o.Lines) > 1 {
			d.Order = o.ID
		}
		if d.CancelledOrder == "" && o.Status == desk.StatusCancelled {
			d.CancelledOrder = o.ID
		}
	}
	if d.Order == "" || d.CancelledOrder == "" {
		t.Fatalf("Contoso's orders lack a completed order with two lines or a cancelled one: %+v", page.Items)
	}
	for _, it := range env.Software(t, apptest.ContosoID) {
		if it.Status == desk.StatusActive && strings.Contains(it.OfferTitle, "Windows Server 2022 Standard") {
			d.Entitlement = it.ID
		}
	}
	ws := apptest.Offer(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone)
	if err := env.App.Service.SetCartLine(ctx, user(tourSales), apptest.ContosoID, desk.CartLine{OfferID: ws.ID, Quantity: 2}, false); err != nil {
		t.Fatal(err)
	}
	sr, err := env.App.Service.FileSupportRequest(ctx, user(tourHelpdesk), desk.SupportRequest{
		ProblemType: desk.ProblemRefund, Impact: "medium", Title: "Refund for a duplicate order",
		CustomerRef: apptest.ContosoID, OrderRef: d.Order, Description: "The customer ordered the same licence twice.",
		ContactName: "Helpdesk", ContactEmail: tourHelpdesk,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Support = sr.ID
	return d
}

// tourPages lists the main pages in the order the tour visits them (grouped by user, so each
// user signs in once).
func tourPages(d tourData) []tourPage {
	contoso := "/customers/" + apptest.ContosoID
	return []tourPage{
		{"signin", "", "/signin", "signin-form"},

		{"home-global-admin", tourGlobal, "/", "home-links"},
		{"account", tourGlobal, contoso + "/account", "account"},
		{"users", tourGlobal, "/settings/users", "users-table"},
		{"key-pools", tourGlobal, "/settings/keys", "pools-table"},
		{"api-tokens", tourGlobal, "/settings/tokens", "tokens-table"},
		{"rest-api", tourGlobal, "/settings/api", "api-table"},

		{"home-admin-agent", tourAgent, "/", "home-links"},
		{"customers", tourAgent, "/customers", "customer-table"},
		{"software", tourAgent, contoso + "/software", "software-table"},
		{"software-azure", tourAgent, "/customers/" + apptest.FabrikamID + "/software", "azure-table"},
		{"orders", tourAgent, contoso + "/orders", "orders-table"},
		{"order", tourAgent, contoso + "/orders/" + d.Order, "order-lines"},
		{"not-found", tourAgent, contoso + "/orders/no-such-order", "error-404"},

		{"home-sales-agent", tourSales, "/", "home-links"},
		{"software-sales-agent", tourSales, contoso + "/software", "keys-need-role"},
		{"add-customer", tourSales, "/customers/new", "new-customer-form"},
		{"add-products", tourSales, contoso + "/add-products", "cart"},
		{"review", tourSales, contoso + "/review", "review-table"},
		{"markets", tourSales, "/catalog/markets", "markets-table"},
		{"access-denied", tourSales, "/settings/users", "error-403"},

		{"support", tourHelpdesk, "/support", "support-table"},
		{"support-new", tourHelpdesk, "/support/new", "support-form"},
		{"support-request", tourHelpdesk, "/support/" + d.Support, "support-detail"},

		{"home-billing-admin", tourBilling, "/", "home-links"},
		{"billing", tourBilling, "/billing", "invoices-table"},
		{"invoice", tourBilling, "/billing/invoices/INV-2026-11-HUF", "invoice-totals"},
		{"order-cancelled", tourBilling, contoso + "/orders/" + d.CancelledOrder, "order-credits"},

		{"home-referrals-admin", tourReferrals, "/", "home-links"},
		{"activity", tourReferrals, "/settings/activity", "activity-chart"},

		{"portal-home", tourCustomer, "/portal", "portal-tenant"},
		{"portal-products", tourCustomer, "/portal/products", "portal-products"},
		{"portal-product", tourCustomer, "/portal/products/" + d.Entitlement, "portal-kd"},
	}
}

// tourBrowser is a browser for a long walk: a longer deadline than one flow's.
func tourBrowser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	return newBrowserFor(t, timeout)
}

// tourAs signs the browser in as email ("" signs out), unless it already is.
func tourAs(t *testing.T, ctx context.Context, env *apptest.Env, current *string, email string) {
	t.Helper()
	if *current == email {
		return
	}
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatalf("clear cookies: %v", err)
	}
	*current = email
	if email != "" {
		signInDemo(t, ctx, env, email)
	}
}

// tourOpen opens a page and waits for its ready element.
func tourOpen(t *testing.T, ctx context.Context, env *apptest.Env, p tourPage) {
	t.Helper()
	run(t, ctx, "open "+p.Name+" ("+p.Path+")",
		chromedp.Navigate(env.URL+p.Path),
		chromedp.WaitReady(testID(p.Ready)),
	)
}

// setViewport sizes the page (a phone is a touch screen with a mobile viewport).
func setViewport(t *testing.T, ctx context.Context, w, h int64) {
	t.Helper()
	opts := []chromedp.EmulateViewportOption{}
	if w < 640 {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	run(t, ctx, fmt.Sprintf("set the viewport to %d×%d", w, h), chromedp.EmulateViewport(w, h, opts...))
}

// setColorScheme makes the page see a light or dark device (prefers-color-scheme).
func setColorScheme(t *testing.T, ctx context.Context, scheme string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	}); err != nil {
		t.Fatalf("emulate prefers-color-scheme %s: %v", scheme, err)
	}
}

// layoutProblems lists what does not fit the viewport: a document wider than the window, a
// region that scrolls sideways, a visible control outside the window or outside its card, the
// profile button pushed out of the top bar. Empty when the page fits.
const layoutProblems = `(() => {
	const W = document.documentElement.clientWidth, out = [];
	const name = el => {
		const id = el.getAttribute('data-testid') || el.id || '';
		const txt = (el.textContent || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 40);
		return el.tagName.toLowerCase() + (id ? '[' + id + ']' : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') + (txt ? ' "' + txt + '"' : '');
	};
	const shown = el => {
		const r = el.getBoundingClientRect();
		if (r.width <= 1 || r.height <= 1) return null;
		if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) return null;
		return r;
	};
	const sw = document.documentElement.scrollWidth;
	if (sw > W) out.push('the document is ' + sw + 'px wide in a ' + W + 'px window');
	for (const el of document.querySelectorAll('body *')) {
		const cs = getComputedStyle(el);
		if ((cs.overflowX === 'auto' || cs.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
			out.push('scrolls sideways: ' + name(el) + ' (' + el.scrollWidth + ' > ' + el.clientWidth + ')');
	}
	for (const el of document.querySelectorAll('button, a.btn, a.cmd, input:not([type=hidden]), select, textarea, summary, [data-testid=profile]')) {
		const r = shown(el);
		if (!r) continue;
		if (r.right > W + 0.5 || r.left < -0.5) out.push('outside the window: ' + name(el) + ' at ' + Math.round(r.left) + '..' + Math.round(r.right));
		const box = el.closest('.card, .product, .msgbar, .commandbar, .kd, dialog');
		if (box) {
			const b = box.getBoundingClientRect();
			if (r.right > b.right + 0.5 || r.left < b.left - 0.5) out.push('outside its ' + box.className.split(' ')[0] + ': ' + name(el));
		}
	}
	const prof = document.querySelector('[data-testid=profile]');
	if (prof) {
		const r = prof.getBoundingClientRect(), bar = prof.closest('header').getBoundingClientRect();
		if (r.bottom > bar.bottom + 0.5 || r.top < bar.top - 0.5) out.push('the profile button is out of the top bar');
	}
	return out;
})()`

// dialogProblems lists what of the open dialog is outside the window, or its buttons outside it.
const dialogProblems = `(() => {
	const d = document.querySelector('dialog[open]');
	if (!d) return ['no open dialog'];
	const W = document.documentElement.clientWidth, H = window.innerHeight, out = [];
	const r = d.getBoundingClientRect();
	if (r.left < -0.5 || r.right > W + 0.5 || r.top < -0.5 || r.bottom > H + 0.5)
		out.push('the dialog is at ' + [r.left, r.top, r.right, r.bottom].map(Math.round).join(',') + ' in a ' + W + '×' + H + ' window');
	if (d.scrollWidth > d.clientWidth + 1) out.push('the dialog scrolls sideways (' + d.scrollWidth + ' > ' + d.clientWidth + ')');
	for (const b of d.querySelectorAll('button, a.btn, input:not([type=hidden]), select')) {
		const br = b.getBoundingClientRect();
		if (br.width <= 1 || br.height <= 1 || getComputedStyle(b).visibility === 'hidden') continue;
		const label = (b.getAttribute('data-testid') || b.textContent || b.value || '').trim().slice(0, 40);
		if (br.left < r.left - 0.5 || br.right > r.right + 0.5) out.push('outside the dialog: ' + label);
		if (br.left < -0.5 || br.right > W + 0.5 || br.top < -0.5 || br.bottom > H + 0.5) out.push('outside the window: ' + label + ' at ' + [br.left, br.top, br.right, br.bottom].map(Math.round).join(','));
	}
	return out;
})()`

// checkLayout fails the test with the page's layout problems.
func checkLayout(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if probs := get(t, ctx, "measure "+what, chromedp.Evaluate[[]string](layoutProblems)); len(probs) > 0 {
		screenshot(t, ctx, failName(t)+"-"+what)
		t.Errorf("%s does not fit:\n  %s", what, strings.Join(probs, "\n  "))
	}
}

// checkDialog fails the test with the open dialog's layout problems.
func checkDialog(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if probs := get(t, ctx, "measure "+what, chromedp.Evaluate[[]string](dialogProblems)); len(probs) > 0 {
		screenshot(t, ctx, failName(t)+"-"+what)
		t.Errorf("%s does not fit:\n  %s", what, strings.Join(probs, "\n  "))
	}
}

// openKeyDialog opens the first Keys and downloads expander of the Software tab and its Get key.
func openKeyDialog(t *testing.T, ctx context.Context, ent string) {
	t.Helper()
	run(t, ctx, "open Keys and downloads and Get key",
		chromedp.Click(swIn(ent, "kd-toggle")),
		chromedp.WaitVisible(swIn(ent, "get-key")),
		chromedp.Click(swIn(ent, "get-key")),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open][data-testid="key-dialog"]`)),
	)
}

// tourDialogs opens the three dialogs (the key pop-up, the cancel dialog, the customer's key
// pane) and calls check on each while it is open.
func tourDialogs(t *testing.T, ctx context.Context, env *apptest.Env, current *string, check func(name string)) {
	t.Helper()
	ws, _ := swPurchase(t, env, "Windows Server 2022 Standard - 2 Core")
	tourAs(t, ctx, env, current, tourAgent)
	run(t, ctx, "open Contoso's Software tab", chromedp.Navigate(env.URL+"/customers/"+apptest.ContosoID+"/software"), chromedp.WaitVisible(swIn(ws, "kd-toggle")))
	openKeyDialog(t, ctx, ws)
	check("key-dialog")
	run(t, ctx, "close the key dialog", chromedp.Click(chromedp.CSS(`dialog[open] [data-testid="close-dialog"]`)), chromedp.WaitNotPresent(chromedp.CSS(`dialog`)))

	run(t, ctx, "open the cancel dialog", chromedp.Click(swIn(ws, "cancel")), chromedp.WaitVisible(chromedp.CSS(cxDialog)))
	run(t, ctx, "tick the acknowledgement", chromedp.Click(cxIn("cancel-ack")), chromedp.WaitEnabled(cxIn("cancel-submit")))
	check("cancel-dialog")
	cxKeep(t, ctx)

	tourAs(t, ctx, env, current, tourCustomer)
	run(t, ctx, "open the product", chromedp.Navigate(env.URL+"/portal/products/"+ws), chromedp.WaitVisible(testID("copy-key-pane")))
	run(t, ctx, "open the key pane", chromedp.Click(testID("copy-key-pane")), chromedp.WaitVisible(chromedp.CSS(`dialog.pane[open]`)))
	check("key-pane")
	run(t, ctx, "close the pane", chromedp.Click(chromedp.CSS(`dialog[open] .pane-close`)), chromedp.WaitNotPresent(chromedp.CSS(`dialog`)))
}

// tourStates brings pages into the states a user meets when something needs correcting (the
// Add customer error summary, a refused activity range, a refused quantity) and calls check on
// each.
func tourStates(t *testing.T, ctx context.Context, env *apptest.Env, current *string, check func(name string)) {
	t.Helper()
	tourAs(t, ctx, env, current, tourSales)
	run(t, ctx, "submit an empty Add customer form",
		chromedp.Navigate(env.URL+"/customers/new"),
		chromedp.WaitVisible(testID("new-customer-submit")),
		chromedp.Click(testID("new-customer-submit")),
		chromedp.WaitVisible(testID("error-summary")),
	)
	check("add-customer-errors")

	ws := apptest.Offer(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone)
	run(t, ctx, "add 0 to the cart",
		chromedp.Navigate(env.URL+"/customers/"+apptest.ContosoID+"/add-products"),
		chromedp.WaitVisible(offerRow(ws.ID, "add-to-cart")),
		chromedp.SetValue(offerRow(ws.ID, "offer-qty"), "0"),
		chromedp.Click(offerRow(ws.ID, "add-to-cart")),
		chromedp.WaitVisible(offerRow(ws.ID, "offer-qty-error")),
	)
	check("add-products-quantity-error")

	tourAs(t, ctx, env, current, tourReferrals)
	run(t, ctx, "open the activity log", chromedp.Navigate(env.URL+"/settings/activity"), chromedp.WaitVisible(testID("activity-chart")))
	get(t, ctx, "set a reversed range", chromedp.Evaluate[bool](`(() => {
		document.querySelector('[data-testid="activity-from"]').value = '2026-11-20';
		document.querySelector('[data-testid="activity-to"]').value = '2026-11-10';
		return true; })()`))
	run(t, ctx, "apply it", chromedp.Click(testID("activity-apply")), chromedp.WaitVisible(testID("to-error")))
	check("activity-invalid-range")
}

// At 390×844 every main page, as the role that uses it, is no wider than the screen: no region
// scrolls sideways, every control is inside the window and its card (Add to cart included),
// the avatar stays in the top bar; the key pop-up, the cancel dialog and the key pane fit with
// their buttons. At 1366×900 every page fits too (order pages included). Hungarian's longer
// words get the same check.
func TestLayoutFitsPhoneAndDesktop(t *testing.T) {
	env := apptest.Start(t)
	d := tourSetup(t, env)
	ctx := tourBrowser(t, 6*time.Minute)
	for _, lang := range []string{"en", "hu"} {
		if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": lang},
		}); err != nil {
			t.Fatalf("set Accept-Language: %v", err)
		}
		current := "-"
		check := func(name string) { checkLayout(t, ctx, name) }
		tourAtSizes(t, ctx, env, d, &current, func(w int64) string { return "@" + strconv.FormatInt(w, 10) + "-" + lang },
			check, func(name string) { checkDialog(t, ctx, name) }, check)
	}
}

// tourAtSizes shows every page, dialog and state of the tour at a phone's size (390×844) and a
// desktop's (1366×900), and hands each to page, dialog or state by its name with suffix(width).
func tourAtSizes(t *testing.T, ctx context.Context, env *apptest.Env, d tourData, current *string, suffix func(w int64) string, page, dialog, state func(name string)) {
	t.Helper()
	for _, size := range []struct{ w, h int64 }{{390, 844}, {1366, 900}} {
		setViewport(t, ctx, size.w, size.h)
		s := suffix(size.w)
		for _, p := range tourPages(d) {
			tourAs(t, ctx, env, current, p.User)
			tourOpen(t, ctx, env, p)
			page(p.Name + s)
		}
		tourDialogs(t, ctx, env, current, func(name string) { dialog(name + s) })
		tourStates(t, ctx, env, current, func(name string) { state(name + s) })
	}
}

// screenshotsEnv names the folder the screenshot tour writes to (`make screenshots`).
const screenshotsEnv = "PARTNERDESK_SCREENSHOTS"

// The screenshot tour (`make screenshots`): every main page and the dialogs at 390 and 1366
// pixels wide, in the light and the dark theme, as PNG files in $PARTNERDESK_SCREENSHOTS. Skipped
// when the variable is unset (the layout and accessibility tests check the same pages).
func TestScreenshotTour(t *testing.T) {
	dir := os.Getenv(screenshotsEnv)
	if dir == "" {
		t.Skip(screenshotsEnv + " is not set: no screenshot tour")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	env := apptest.Start(t)
	d := tourSetup(t, env)
	ctx := tourBrowser(t, 10*time.Minute)
	current := "-"
	// A page is shot whole; a dialog as the screen shows it (a full-page shot would stretch the
	// viewport that the modal and its backdrop are laid out in).
	shoot := func(name string, whole bool) {
		shot := chromedp.CaptureScreenshot()
		if whole {
			shot = chromedp.FullScreenshot(100)
		}
		png, err := chromedp.Run(ctx, shot)
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, scheme := range []string{"light", "dark"} {
		setColorScheme(t, ctx, scheme)
		whole := func(name string) { shoot(name, true); n++ }
		tourAtSizes(t, ctx, env, d, &current, func(w int64) string { return "-" + strconv.FormatInt(w, 10) + "-" + scheme },
			whole, func(name string) { shoot(name, false); n++ }, whole)
	}
	t.Logf("%d screenshots in %s", n, dir)
}
