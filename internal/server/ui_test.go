package server_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"

	"github.com/PuerkitoBio/goquery"
)

// uiLinks lists the same-site links of a page's navigation: the left navigation, the Home
// tiles, the breadcrumbs, the customer's tabs, the menus and the error page's way back.
func uiLinks(d *goquery.Document) []string {
	var out []string
	d.Find(`#leftnav a, .tiles a, .crumbs a, .sidemenu a, .menu-list a, [data-testid="error-actions"] a`).Each(func(_ int, s *goquery.Selection) {
		if h := s.AttrOr("href", ""); strings.HasPrefix(h, "/") {
			out = append(out, h)
		}
	})
	return out
}

// Every page shows only what the role can use: from each role's Home and the pages it works
// on, no navigation link, tile, breadcrumb or tab ends in Access denied. Each role's Home has
// the tiles of its areas.
func TestNavigationOnlyOffersWhatTheRoleCanUse(t *testing.T) {
	env := apptest.Start(t)
	contoso := "/customers/" + apptest.ContosoID
	ctx := context.Background()
	agent := env.Actor(t, "adminagent@partner.example")
	_, orders, err := env.App.Service.Orders(ctx, agent, apptest.ContosoID, "", 50)
	if err != nil || len(orders.Items) == 0 {
		t.Fatalf("orders: %v", err)
	}
	order := contoso + "/orders/" + orders.Items[0].ID
	for _, tt := range []struct {
		email string
		pages []string
		tiles []string
	}{
		{"globaladmin@partner.example", []string{"/", contoso + "/software", order, "/settings/users"}, []string{"customers", "billing", "activity", "support", "markets", "users", "keys", "tokens", "webhooks", "api"}},
		{"adminagent@partner.example", []string{"/", contoso + "/software", order}, []string{"customers", "support", "markets", "api"}},
		{"salesagent@partner.example", []string{"/", contoso + "/software", contoso + "/add-products", order}, []string{"customers", "markets", "api"}},
		{"helpdesk@partner.example", []string{"/", contoso + "/software", order, "/support"}, []string{"customers", "support", "markets", "api"}},
		{"billing@partner.example", []string{"/", "/billing", "/billing/invoices/INV-2026-11-HUF", order, contoso + "/orders"}, []string{"billing", "markets", "api"}},
		{"referrals@partner.example", []string{"/", "/settings/activity", "/catalog/markets"}, []string{"activity", "markets", "api"}},
	} {
		t.Run(tt.email, func(t *testing.T) {
			c := env.SignIn(t, tt.email)
			home := env.Get(t, c, "/")
			if home.StatusCode != http.StatusOK {
				t.Fatalf("Home: %d", home.StatusCode)
			}
			var tiles []string
			testid(doc(t, home.Body), "home-links").Find("a").Each(func(_ int, s *goquery.Selection) {
				tiles = append(tiles, strings.TrimPrefix(s.AttrOr("data-testid", ""), "tile-"))
			})
			if !slices.Equal(tiles, tt.tiles) {
				t.Errorf("Home tiles %v, want %v", tiles, tt.tiles)
			}
			seen := map[string]bool{}
			for _, p := range tt.pages {
				res := env.Get(t, c, p)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: %d", p, res.StatusCode)
				}
				links := uiLinks(doc(t, res.Body))
				if len(links) == 0 {
					t.Errorf("%s has no navigation", p)
				}
				for _, l := range links {
					if seen[l] {
						continue
					}
					seen[l] = true
					if r := env.Get(t, c, l); r.StatusCode == http.StatusForbidden || r.StatusCode == http.StatusNotFound {
						t.Errorf("%s links to %s, which answers %d", p, l, r.StatusCode)
					}
				}
			}
		})
	}
	// A Billing admin reaches an order from an invoice: only Order history of the customer,
	// and breadcrumbs through Billing.
	c := env.SignIn(t, "billing@partner.example")
	d := doc(t, env.Get(t, c, order).Body)
	var tabs []string
	d.Find(".sidemenu a").Each(func(_ int, s *goquery.Selection) { tabs = append(tabs, s.AttrOr("data-testid", "")) })
	if !slices.Equal(tabs, []string{"tab-orders"}) {
		t.Errorf("a Billing admin's customer tabs: %v, want Order history only", tabs)
	}
	var crumbs []string
	testid(d, "crumbs").Find("li").Each(func(_ int, s *goquery.Selection) { crumbs = append(crumbs, strings.TrimSpace(s.Text())) })
	if len(crumbs) != 3 || crumbs[0] != "Billing" || crumbs[1] != "Contoso Ltd." {
		t.Errorf("a Billing admin's breadcrumbs read %q", crumbs)
	}
}

// Sales and Helpdesk agents are told that keys and downloads need the Admin agent role (R1),
// and are offered no expander; Admin agents get one per active purchase.
func TestSoftwareTabSaysKeysNeedAdminAgent(t *testing.T) {
	env := apptest.Start(t)
	path := "/customers/" + apptest.ContosoID + "/software"
	for _, tt := range []struct {
		email     string
		told      bool
		expanders bool
	}{
		{"salesagent@partner.example", true, false},
		{"helpdesk@partner.example", true, false},
		{"adminagent@partner.example", false, true},
		{"globaladmin@partner.example", false, true},
	} {
		d := doc(t, env.Get(t, env.SignIn(t, tt.email), path).Body)
		msg := testid(d, "keys-need-role").Text()
		if told := strings.Contains(msg, "need the Admin agent role"); told != tt.told {
			t.Errorf("%s: told %v (%q)", tt.email, told, strings.TrimSpace(msg))
		}
		if got := testid(d, "kd-expander").Length() > 0; got != tt.expanders {
			t.Errorf("%s: Keys and downloads expanders %v, want %v", tt.email, got, tt.expanders)
		}
		if testid(d, "software-row").Length() == 0 {
			t.Errorf("%s: no purchases listed", tt.email)
		}
	}
}

// SUSE Linux, Red Hat and Azure Reservation purchases are on the Software tab too: the plans
// say they can never be cancelled (R13); a reservation inside its window is cancelled through a
// pre-filled support request (R12). None of them offers keys or the cancel dialog.
func TestSoftwareTabListsAzurePurchases(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "adminagent@partner.example")
	d := doc(t, env.Get(t, c, "/customers/"+apptest.FabrikamID+"/software").Body)
	rows := testid(d, "azure-row")
	kinds := map[string]int{}
	rows.Each(func(_ int, s *goquery.Selection) {
		kinds[s.AttrOr("data-kind", "")]++
		title := s.Find(".purchase-title").Text()
		cell := strings.Join(strings.Fields(s.Find(`[data-testid="azure-cancellation"]`).Text()), " ")
		switch {
		case strings.Contains(title, "SUSE") || strings.Contains(title, "Red Hat"):
			if !strings.Contains(cell, "Can never be cancelled") || s.Find(`[data-testid="support-request"]`).Length() != 0 {
				t.Errorf("%s: cancellation reads %q", title, cell)
			}
		case s.AttrOr("data-kind", "") == string(desk.KindAzureReservation):
			href := s.Find(`[data-testid="support-request"]`).AttrOr("href", "")
			if !strings.Contains(cell, "days left") || !strings.HasPrefix(href, "/support/new?") || !strings.Contains(href, "Azure+Reservation") {
				t.Errorf("%s: cancellation reads %q, support link %q", title, cell, href)
			}
		}
		if s.Find(`[data-testid="get-key"], [data-testid="cancel"]`).Length() != 0 {
			t.Errorf("%s offers keys or the cancel dialog", title)
		}
	})
	if kinds[string(desk.KindAzureSoftwarePlan)] != 2 || kinds[string(desk.KindAzureReservation)] != 1 {
		t.Errorf("Fabrikam's Azure purchases: %v, want 2 software plans and 1 reservation", kinds)
	}
	// A customer without any has no such section.
	if n := testid(doc(t, env.Get(t, c, "/customers/"+apptest.ContosoID+"/software").Body), "azure-table").Length(); n != 0 {
		t.Error("Contoso shows an Azure section without Azure purchases")
	}
}

// Export on the customer list is a CSV of every customer matching the search (not one page),
// for the roles that see the list; cells a spreadsheet would run are neutralised.
func TestCustomerExport(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "salesagent@partner.example")
	actNewCustomer(t, env, c, "=HYPERLINK(1)", "formula")
	d := doc(t, env.Get(t, c, "/customers?q=contoso").Body)
	if href := testid(d, "export-customers").AttrOr("href", ""); href != "/customers/export?q=contoso" {
		t.Errorf("Export links to %q", href)
	}
	for _, tt := range []struct {
		query string
		want  int
	}{{"", 0}, {"q=contoso", 1}, {"q=formula&sort=domain&desc=1", 1}} {
		res := env.Get(t, c, "/customers/export?"+tt.query)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.Contains(res.Header.Get("Content-Disposition"), "customers-2026-11-25.csv") {
			t.Fatalf("export %q: %d %s %s", tt.query, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
		}
		recs, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if recs[0][0] != "tenantId" || recs[0][1] != "companyName" {
			t.Errorf("header %v", recs[0])
		}
		want := tt.want
		if want == 0 {
			n, _ := env.App.Store.CountCustomers(context.Background())
			want = n
		}
		if len(recs)-1 != want {
			t.Errorf("export %q: %d rows, want %d", tt.query, len(recs)-1, want)
		}
		for _, r := range recs[1:] {
			if strings.HasPrefix(r[1], "=") {
				t.Errorf("a formula reaches the spreadsheet: %q", r[1])
			}
		}
	}
	// Roles without the customer list may not export it (R5: the 403 names the roles).
	for _, email := range []string{"billing@partner.example", "referrals@partner.example", "admin@contoso.onmicrosoft.com"} {
		if res := env.Get(t, env.SignIn(t, email), "/customers/export"); res.StatusCode != http.StatusForbidden || strings.Contains(res.Body, "tenantId") {
			t.Errorf("%s exports the customer list: %d", email, res.StatusCode)
		}
	}
}

// The list says which rows it shows: "51–56 of 56" on the second page of 56 customers.
func TestCustomerListRange(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "salesagent@partner.example")
	n, _ := env.App.Store.CountCustomers(context.Background())
	for i := n; i < 56; i++ {
		actNewCustomer(t, env, c, fmt.Sprintf("Zulu %02d Kft.", i), fmt.Sprintf("zulu%02d", i))
	}
	d := doc(t, env.Get(t, c, "/customers").Body)
	if r := testid(d, "customer-range").Text(); r != "1–50 of 56" {
		t.Errorf("first page range %q", r)
	}
	next := testid(d, "page-next").AttrOr("href", "")
	d = doc(t, env.Get(t, c, next).Body)
	if r := testid(d, "customer-range").Text(); r != "51–56 of 56" {
		t.Errorf("second page range %q (%s)", r, next)
	}
	prev := testid(d, "page-prev").AttrOr("href", "")
	if r := testid(doc(t, env.Get(t, c, prev).Body), "customer-range").Text(); r != "1–50 of 56" {
		t.Errorf("back to the first page: range %q (%s)", r, prev)
	}
	// A position in the URL that does not fit the page is clamped, never shown as is.
	u, _ := url.Parse(next)
	q := u.Query()
	q.Set("start", "900")
	if r := testid(doc(t, env.Get(t, c, "/customers?"+q.Encode()).Body), "customer-range").Text(); r != "51–56 of 56" {
		t.Errorf("a forged position reads %q", r)
	}
}

// The markets page lists each market once (106, not the seed's 109 names) and searches by
// name, code or the seed's name.
func TestMarketsSearch(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "referrals@partner.example")
	for _, tt := range []struct {
		q     string
		codes []string
	}{{"kos", []string{"XK"}}, {"BQ", []string{"BQ"}}, {"Koszovó", []string{"XK"}}, {"zzz", nil}} {
		d := doc(t, env.Get(t, c, "/catalog/markets?q="+url.QueryEscape(tt.q)).Body)
		var codes []string
		testid(d, "market-row").Each(func(_ int, s *goquery.Selection) { codes = append(codes, s.AttrOr("data-code", "")) })
		if !slices.Equal(codes, tt.codes) {
			t.Errorf("search %q: %v, want %v", tt.q, codes, tt.codes)
		}
		if lead := testid(d, "markets-lead").Text(); !strings.Contains(lead, "106 markets") {
			t.Errorf("lead %q", lead)
		}
		if tt.codes == nil && testid(d, "markets-empty").Length() != 1 {
			t.Errorf("search %q: no empty state", tt.q)
		}
	}
	// The Bonaire row holds every seed name that means it.
	d := doc(t, env.Get(t, c, "/catalog/markets?q=BQ").Body)
	if n := len(strings.Split(strings.TrimSpace(d.Find(`[data-code="BQ"] td`).Eq(2).Text()), "\n")); testid(d, "market-row").Length() != 1 || n < 1 {
		t.Errorf("BQ row: %q", d.Find(`[data-code="BQ"]`).Text())
	}
}

// A cancelled order shows its credit (R20): per line, in a credits table naming the invoice,
// and the total after credits; every money column says whether it holds tax.
func TestCancelledOrderShowsItsCredit(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	_, orders, err := env.App.Service.Orders(ctx, env.Actor(t, "adminagent@partner.example"), apptest.ContosoID, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	var cancelled desk.Order
	for _, o := range orders.Items {
		if o.Status == desk.StatusCancelled {
			cancelled = o
		}
	}
	full, err := env.App.Store.FindOrder(ctx, apptest.ContosoID, cancelled.ID)
	if err != nil || full.Lines[0].Credit.Gross == 0 {
		t.Fatalf("the demo's cancelled order has no credit: %+v %v", full.Lines, err)
	}
	c := env.SignIn(t, "billing@partner.example")
	d := doc(t, env.Get(t, c, "/customers/"+apptest.ContosoID+"/orders/"+cancelled.ID).Body)
	credit := strings.TrimSpace(testid(d, "credit-gross").Text())
	if credit == "" || !strings.Contains(testid(d, "line-credit").Text(), credit) {
		t.Errorf("credit %q, line says %q", credit, testid(d, "line-credit").Text())
	}
	inv := desk.InvoiceID(desk.Period(full.Lines[0].CancelledAt), full.Currency)
	if href := testid(d, "order-credit").Find("a").AttrOr("href", ""); href != "/billing/invoices/"+inv {
		t.Errorf("the credit links to %q, want invoice %s", href, inv)
	}
	if after := strings.TrimSpace(testid(d, "order-after-credits").Text()); !strings.HasPrefix(after, "0") {
		t.Errorf("a fully cancelled order's total after credits reads %q", after)
	}
	var heads []string
	testid(d, "order-lines").Find("thead th").Each(func(_ int, s *goquery.Selection) { heads = append(heads, strings.Join(strings.Fields(s.Text()), " ")) })
	for _, want := range []string{"Unit price (excl. tax)", "Net (excl. tax)", "Tax", "Total (incl. tax)"} {
		if !slices.Contains(heads, want) {
			t.Errorf("order columns %v lack %q", heads, want)
		}
	}
}

// Billing amounts are labelled so they add up: charges + credits = total, net + tax = total;
// a market where PartnerDesk charges no tax says so instead of "tax is added" beside 0 %.
func TestMoneyIsLabelled(t *testing.T) {
	env := apptest.Start(t)
	d := doc(t, env.Get(t, env.SignIn(t, "billing@partner.example"), "/billing").Body)
	var heads []string
	testid(d, "invoices-table").Find("thead th").Each(func(_ int, s *goquery.Selection) { heads = append(heads, strings.TrimSpace(s.Text())) })
	if want := []string{"Invoice", "Period", "Status", "Charges (incl. tax)", "Credits (incl. tax)", "Net (excl. tax)", "Tax", "Total (incl. tax)"}; !slices.Equal(heads, want) {
		t.Errorf("invoice columns %v, want %v", heads, want)
	}
	c := env.SignIn(t, "salesagent@partner.example")
	cartAdd(t, env, c, apptest.FabrikamID, wsStd2(t), "1")
	d = doc(t, env.Get(t, c, "/customers/"+apptest.FabrikamID+"/review").Body)
	note := testid(d, "tax-note").Text()
	label := strings.TrimSpace(testid(d, "total-tax").Prev().Text())
	if strings.Contains(note, "tax is added") || !strings.Contains(note, "adds no tax") || label != "Tax (not charged)" {
		t.Errorf("a US review says %q beside %q", note, label)
	}
}

// The activity chart has dates on its axis: the first and last day of the range and days
// between.
func TestActivityChartAxis(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "referrals@partner.example")
	_, d := actPage(t, env, c, url.Values{"from": {"2026-10-27"}, "to": {"2026-11-25"}})
	var ticks []string
	testid(d, "chart-tick").Each(func(_ int, s *goquery.Selection) { ticks = append(ticks, s.Text()) })
	if len(ticks) != 5 || ticks[0] != "Oct 27" || ticks[4] != "Nov 25" {
		t.Errorf("axis dates %v, want 5 from Oct 27 to Nov 25", ticks)
	}
	_, d = actPage(t, env, c, url.Values{"from": {"2026-11-23"}, "to": {"2026-11-25"}}, "Accept-Language", "hu")
	ticks = nil
	testid(d, "chart-tick").Each(func(_ int, s *goquery.Selection) { ticks = append(ticks, s.Text()) })
	if !slices.Equal(ticks, []string{"nov. 23.", "nov. 24.", "nov. 25."}) {
		t.Errorf("Hungarian axis dates %v", ticks)
	}
}

// A refused date range from the filter form (htmx) comes back as the form alone, retargeted,
// not pushed into the history, with one clean message at the end date in each language: the
// results on the page stay. A full page load shows the same message once.
func TestActivityInvalidRangeOnce(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "globaladmin@partner.example")
	for _, lang := range []struct{ tag, msg string }{{"en", "The end date must not be before the start date."}, {"hu", "A záró dátum nem lehet korábbi a kezdő dátumnál."}} {
		q := url.Values{"from": {"2026-11-20"}, "to": {"2026-11-10"}}
		res, d := actPage(t, env, c, q, "HX-Request", "true", "Accept-Language", lang.tag)
		h := res.Header
		if res.StatusCode != http.StatusBadRequest || h.Get("HX-Retarget") != "#activity-filters" || h.Get("HX-Reselect") != "#activity-filters" || h.Get("HX-Push-Url") != "false" {
			t.Errorf("%s: %d, retarget %q, reselect %q, push %q", lang.tag, res.StatusCode, h.Get("HX-Retarget"), h.Get("HX-Reselect"), h.Get("HX-Push-Url"))
		}
		if d.Find("#activity-results").Length() != 0 || strings.Contains(res.Body, "<html") {
			t.Errorf("%s: the refusal carries results or a page", lang.tag)
		}
		if got := strings.TrimSpace(testid(d, "to-error").Text()); got != lang.msg {
			t.Errorf("%s: the end date says %q, want %q", lang.tag, got, lang.msg)
		}
		if _, ok := d.Find("#activity-to").Attr("data-autofocus"); !ok {
			t.Errorf("%s: the end date is not focused", lang.tag)
		}
		res, d = actPage(t, env, c, q, "Accept-Language", lang.tag)
		if n := strings.Count(d.Find("main").Text(), lang.msg); n != 1 || strings.Contains(res.Body, "%!") {
			t.Errorf("%s: the full page shows the message %d times", lang.tag, n)
		}
	}
}

// The theme choice is saved on the signed-in user (the first paint of every later page is in
// it), in a cookie when signed out; anything else is refused.
func TestThemeChoice(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "helpdesk@partner.example")
	fetchHdr := []string{"X-PartnerDesk-Fetch", "1"}
	if res := env.PostForm(t, c, "/settings/theme", url.Values{"theme": {"dark"}}, fetchHdr...); res.StatusCode != http.StatusNoContent {
		t.Fatalf("choose dark: %d", res.StatusCode)
	}
	home := env.Get(t, c, "/")
	if !strings.Contains(home.Body, `<html lang="en" data-theme="dark">`) || !strings.Contains(home.Body, `<meta name="color-scheme" content="dark">`) {
		t.Errorf("Home after choosing dark: %.200q", home.Body)
	}
	if pressed := testid(doc(t, home.Body), "theme-dark").AttrOr("aria-pressed", ""); pressed != "true" {
		t.Errorf("the switch shows Dark as %q", pressed)
	}
	// Another browser of the same user gets it too (it is the user's, not the browser's).
	if other := env.Get(t, env.SignIn(t, "helpdesk@partner.example"), "/"); !strings.Contains(other.Body, `data-theme="dark"`) {
		t.Error("the theme is not the user's")
	}
	if res := env.PostForm(t, c, "/settings/theme", url.Values{"theme": {"purple"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a made-up theme: %d", res.StatusCode)
	}
	// Without JavaScript the form posts and comes back to the page.
	res := env.PostForm(t, c, "/settings/theme", url.Values{"theme": {""}}, "Referer", env.URL+"/support")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/support" {
		t.Errorf("plain post: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	if home := env.Get(t, c, "/"); strings.Contains(home.Body, "data-theme=") || !strings.Contains(home.Body, `content="light dark"`) {
		t.Error("the device setting still draws a chosen theme")
	}
	// Signed out: a cookie, for the sign-in page.
	anon := env.Client()
	res = env.PostForm(t, anon, "/settings/theme", url.Values{"theme": {"light"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("signed out: %d", res.StatusCode)
	}
	if page := env.Get(t, anon, "/signin"); !strings.Contains(page.Body, `data-theme="light"`) {
		t.Error("the sign-in page ignores the signed-out choice")
	}
}

// Every answer says it is PartnerDesk's (app.js swaps nothing else), and an Access denied
// page offers the way back and Home.
func TestErrorPagesHaveAWayBack(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "salesagent@partner.example")
	res := env.Get(t, c, "/settings/users", "Referer", env.URL+"/customers?q=contoso")
	d := doc(t, res.Body)
	if res.StatusCode != http.StatusForbidden || res.Header.Get("X-PartnerDesk") != "1" {
		t.Fatalf("403: %d, X-PartnerDesk %q", res.StatusCode, res.Header.Get("X-PartnerDesk"))
	}
	if back := testid(d, "error-back").AttrOr("href", ""); back != "/customers?q=contoso" {
		t.Errorf("Go back links to %q", back)
	}
	if home := testid(d, "error-home").AttrOr("href", ""); home != "/" {
		t.Errorf("Go to Home links to %q", home)
	}
	// Another site's page is no way back.
	if d := doc(t, env.Get(t, c, "/settings/users", "Referer", "https://evil.example/x").Body); testid(d, "error-back").Length() != 0 {
		t.Error("the way back leads off-site")
	}
}

// The Account tab writes the address the way the customer's country does.
func TestAddressPerCountry(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "globaladmin@partner.example")
	for _, tt := range []struct {
		id    string
		match func(lines []string) bool
	}{
		// United States: street, then city and ZIP code on one line.
		{apptest.FabrikamID, func(l []string) bool {
			return slices.Equal(l, []string{"1 Microsoft Way", "Redmond 98052", "United States"})
		}},
		// Hungary (Magyar Posta's order): town, street, postal code.
		{apptest.ContosoID, func(l []string) bool {
			return slices.Equal(l, []string{"Budapest", "Széchenyi István tér 7", "1051", "Hungary"})
		}},
	} {
		html, _ := testid(doc(t, env.Get(t, c, "/customers/"+tt.id+"/account").Body), "address").Html()
		var lines []string
		for _, l := range strings.Split(html, "<br/>") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		if !tt.match(lines) {
			t.Errorf("%s address lines %q", tt.id, lines)
		}
	}
}
