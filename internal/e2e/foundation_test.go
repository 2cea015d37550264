package e2e

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"partnerdesk/internal/app/apptest"

	"github.com/chromedp/chromedp"
)

// location returns the tab's current URL, parsed.
func location(t *testing.T, ctx context.Context) *url.URL {
	t.Helper()
	s := get(t, ctx, "read the location", chromedp.Location())
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("parse location %q: %v", s, err)
	}
	return u
}

// text returns the trimmed visible text of the first element with the data-testid.
func text(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	return strings.TrimSpace(get(t, ctx, "read the text of "+id, chromedp.Text(testID(id), chromedp.NodeVisible)))
}

// rowCount counts the customer rows on the page.
func rowCount(t *testing.T, ctx context.Context) int {
	t.Helper()
	return get(t, ctx, "count the customer rows",
		chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="customer-row"]').length`))
}

// An admin agent signs in, sees the customer list, narrows it with the live search (no page
// load, the URL follows) and opens Contoso.
func TestSignInSearchAndOpenCustomer(t *testing.T) {
	_, ctx := startSignedIn(t, apptest.AdminAgent)
	// Sign-in lands on Home: a tile for each area the role can use.
	run(t, ctx, "wait for Home", chromedp.WaitVisible(testID("home-links")))
	if u := location(t, ctx); u.Path != "/" {
		t.Fatalf("after sign-in the browser is on %s, want Home", u)
	}
	tiles := get(t, ctx, "read the tiles", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('[data-testid^="tile-"]'), a => a.dataset.testid)`))
	if !slices.Equal(tiles, []string{"tile-customers", "tile-support", "tile-markets", "tile-api"}) {
		t.Errorf("an Admin agent's Home offers %v", tiles)
	}
	clickTo(t, ctx, "open Customers from Home", "tile-customers", "customer-table", "/customers")
	if n := rowCount(t, ctx); n < 2 {
		t.Fatalf("customer list shows %d rows, want the demo customers", n)
	}
	if c := text(t, ctx, "customer-count"); !strings.HasSuffix(c, "customers") || strings.HasPrefix(c, "0 ") {
		t.Fatalf("customer count reads %q, want the number of demo customers", c)
	}

	// A marker on window survives only if the page is not loaded again.
	if v := get(t, ctx, "set the marker", chromedp.Evaluate[int](`window.__marker = 1`)); v != 1 {
		t.Fatalf("set window.__marker: got %d", v)
	}
	run(t, ctx, "type into the live search", chromedp.SendKeys(testID("customer-search"), "contoso"))
	get(t, ctx, "wait for the list to narrow to Contoso Ltd.", chromedp.Poll[bool](`(() => {
		const rows = document.querySelectorAll('[data-testid="customer-row"]');
		if (rows.length !== 1) return false;
		const link = rows[0].querySelector('[data-testid="customer-link"]');
		return !!link && link.textContent.trim() === 'Contoso Ltd.';
	})()`, chromedp.WithPollingInterval(pollInterval)))
	if !get(t, ctx, "read the marker", chromedp.Evaluate[bool](`window.__marker === 1`)) {
		t.Fatalf("window.__marker is gone after the search: the page was loaded again instead of swapped")
	}
	// htmx pushes the URL after the swap.
	get(t, ctx, "wait for the URL to hold ?q=contoso", chromedp.Poll[bool](
		`location.pathname === '/customers' && new URLSearchParams(location.search).get('q') === 'contoso'`,
		chromedp.WithPollingInterval(pollInterval)))
	// One match is "1 customer": English needs the singular.
	if c := text(t, ctx, "customer-count"); c != "1 customer" {
		t.Errorf("customer count after the search reads %q, want %q", c, "1 customer")
	}
	if !get(t, ctx, "read the marker", chromedp.Evaluate[bool](`window.__marker === 1`)) {
		t.Fatalf("window.__marker is gone after the URL changed: the page was loaded again")
	}

	run(t, ctx, "open the customer",
		chromedp.Click(testID("customer-link")),
		chromedp.WaitVisible(testID("customer-name")),
	)
	if name := text(t, ctx, "customer-name"); name != "Contoso Ltd." {
		t.Fatalf("customer page shows %q, want Contoso Ltd.", name)
	}
	if u := location(t, ctx); u.Path != "/customers/"+apptest.ContosoID {
		t.Errorf("customer page is at %s, want /customers/%s", u.Path, apptest.ContosoID)
	}
	screenshot(t, ctx, "customer-contoso")
}

// Choosing Magyar in the language drop-down reloads the page in Hungarian.
func TestSwitchLanguageToHungarian(t *testing.T) {
	env, ctx := startSignedIn(t, apptest.AdminAgent)
	run(t, ctx, "open the customer list in English",
		chromedp.Navigate(env.URL+"/customers"),
		chromedp.WaitVisible(chromedp.CSS(`#leftnav`)),
		chromedp.WaitReady(chromedp.CSS(`html[lang="en"]`)),
	)
	if nav := get(t, ctx, "read the left navigation", chromedp.Text(chromedp.CSS(`#leftnav`), chromedp.NodeVisible)); !strings.Contains(nav, "Customers") {
		t.Fatalf("left navigation reads %q before the switch, want Customers", nav)
	}
	// Select Magyar as a user does: the value changes and a change event bubbles to app.js.
	change(t, ctx, "choose hu in #lang-select", "#lang-select", "hu")
	run(t, ctx, "wait for the Hungarian page",
		chromedp.WaitReady(chromedp.CSS(`html[lang="hu"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#leftnav`)),
	)
	nav := strings.TrimSpace(get(t, ctx, "read the left navigation", chromedp.Text(chromedp.CSS(`#leftnav`), chromedp.NodeVisible)))
	if !strings.Contains(nav, "Ügyfelek") {
		t.Fatalf("left navigation reads %q, want Ügyfelek", nav)
	}
	if sel := get(t, ctx, "read the language", chromedp.Value(chromedp.ID("lang-select"))); sel != "hu" {
		t.Errorf("language drop-down shows %q, want hu", sel)
	}
	if u := location(t, ctx); u.Path != "/customers" {
		t.Errorf("after the switch the browser is on %s, want back on /customers", u)
	}
	screenshot(t, ctx, "language-hu")
}

// A wrong password keeps the user on the sign-in page with the error message bar.
func TestWrongPasswordShowsError(t *testing.T) {
	env := apptest.Start(t)
	ctx := newBrowser(t)

	signIn(t, ctx, env, apptest.AdminAgent, "not-the-password")
	run(t, ctx, "wait for the error message bar", chromedp.WaitVisible(testID("msg-danger")))
	if msg := text(t, ctx, "msg-danger"); msg != "The email or password is not correct." {
		t.Errorf("error message reads %q", msg)
	}
	if u := location(t, ctx); u.Path != "/signin" {
		t.Fatalf("after a wrong password the browser is on %s, want /signin", u)
	}
	run(t, ctx, "the form is still there", chromedp.WaitVisible(testID("signin-form")))
	if n := get(t, ctx, "look for the shell", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="profile"]').length`)); n != 0 {
		t.Fatalf("the signed-in shell shows after a wrong password")
	}
	screenshot(t, ctx, "signin-wrong-password")
}

// A sales agent may not manage users: the 403 page names the role that may.
func TestSalesAgentForbiddenFromUsers(t *testing.T) {
	env, ctx := startSignedIn(t, apptest.SalesAgent)
	res := get(t, ctx, "open /settings/users", chromedp.NavigateResponse(env.URL+"/settings/users"))
	if res.Status != http.StatusForbidden {
		t.Errorf("GET /settings/users as a sales agent: status %d, want 403", res.Status)
	}
	run(t, ctx, "wait for the 403 page", chromedp.WaitVisible(testID("error-403")))
	if roles := text(t, ctx, "roles-needed"); !strings.Contains(roles, "Global admin") {
		t.Fatalf("403 page names %q, want the role Global admin", roles)
	}
	screenshot(t, ctx, "forbidden-users")
}

// Signing out through the profile menu ends the session.
func TestSignOut(t *testing.T) {
	env, ctx := startSignedIn(t, apptest.AdminAgent)
	signOut(t, ctx)
	if u := location(t, ctx); u.Path != "/signin" {
		t.Fatalf("after sign-out the browser is on %s, want /signin", u)
	}

	run(t, ctx, "open /customers signed out",
		chromedp.Navigate(env.URL+"/customers"),
		chromedp.WaitVisible(testID("signin-form")),
	)
	u := location(t, ctx)
	if u.Path != "/signin" {
		t.Fatalf("/customers after sign-out lands on %s, want /signin", u)
	}
	if next := u.Query().Get("next"); next != "/customers" {
		t.Errorf("sign-in page after the redirect has next=%q, want /customers", next)
	}
	screenshot(t, ctx, "signed-out")
}
