package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"

	"github.com/PuerkitoBio/goquery"
)

func doc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func testid(d *goquery.Document, id string) *goquery.Selection {
	return d.Find(`[data-testid="` + id + `"]`)
}

func TestHealthz(t *testing.T) {
	env := apptest.Start(t)
	res := env.Get(t, env.Client(), "/healthz")
	if res.StatusCode != 200 || res.Body != "ok\n" {
		t.Fatalf("healthz: %d %q", res.StatusCode, res.Body)
	}
}

func TestSignIn(t *testing.T) {
	env := apptest.Start(t)
	c := env.Client()
	// Signed out: a page redirects to the sign-in form, keeping where the user wanted to go.
	res := env.Get(t, c, "/customers?q=contoso")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin?next=%2Fcustomers%3Fq%3Dcontoso" {
		t.Fatalf("signed out: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	// Wrong password: a clear message, what was typed kept, no session.
	res = env.PostForm(t, c, "/signin", url.Values{"email": {"adminagent@partner.example"}, "password": {"wrong"}})
	d := doc(t, res.Body)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(testid(d, "msg-danger").Text(), "email or password is not correct") {
		t.Fatalf("wrong password: %d %s", res.StatusCode, testid(d, "msg-danger").Text())
	}
	if v, _ := d.Find("#email").Attr("value"); v != "adminagent@partner.example" {
		t.Fatalf("email not kept: %q", v)
	}
	// Right password: a session cookie with the right flags, then the customer list.
	res = env.PostForm(t, c, "/signin", url.Values{"email": {"AdminAgent@partner.example"}, "password": {"partnerdesk-demo"}, "next": {"/customers?q=contoso"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/customers?q=contoso" {
		t.Fatalf("sign in: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	ck := res.Header.Get("Set-Cookie")
	for _, flag := range []string{"pd_session=", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(ck, flag) {
			t.Errorf("session cookie lacks %s: %s", flag, ck)
		}
	}
	res = env.Get(t, c, "/customers?q=contoso")
	if res.StatusCode != 200 || testid(doc(t, res.Body), "customer-row").Length() != 1 {
		t.Fatalf("customer list: %d", res.StatusCode)
	}
	// Both attempts are in the activity log.
	for _, op := range []string{desk.OpSignIn, desk.OpSignInFailed} {
		evs, _ := env.App.Service.RecentEvents(context.Background(), op, 5)
		if len(evs) == 0 || evs[0].ActorEmail != "adminagent@partner.example" {
			t.Errorf("no %s event", op)
		}
	}
}

func TestSignInRedirectStaysLocal(t *testing.T) {
	env := apptest.Start(t)
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "/%09/evil.example/x", "/\t/evil.example/x",
		"/%5Cevil.example", "/%2F/evil.example", "/%250A/evil.example"} {
		res := env.PostForm(t, env.Client(), "/signin", url.Values{"email": {"adminagent@partner.example"}, "password": {"partnerdesk-demo"}, "next": {next}})
		if loc := res.Header.Get("Location"); loc != "/" {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
	// Signed in already, the sign-in page forwards with the same check.
	c := env.SignIn(t, "adminagent@partner.example")
	if res := env.Get(t, c, "/signin?next="+url.QueryEscape("/%09/evil.example/x")); res.Header.Get("Location") != "/" {
		t.Errorf("signed in, next=/%%09/evil.example/x redirected to %q", res.Header.Get("Location"))
	}
}

func TestSignInRateLimited(t *testing.T) {
	env := apptest.Start(t)
	c := env.Client()
	var last int
	for i := 0; i < 6; i++ {
		last = env.PostForm(t, c, "/signin", url.Values{"email": {"billing@partner.example"}, "password": {"nope"}}).StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("6th failed attempt: %d, want 429", last)
	}
	// Even the right password is refused while the account is limited…
	res := env.PostForm(t, c, "/signin", url.Values{"email": {"billing@partner.example"}, "password": {"partnerdesk-demo"}})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.Body, "Too many failed sign-in attempts") {
		t.Fatalf("limited account: %d", res.StatusCode)
	}
	if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 30 {
		t.Errorf("Retry-After %q: want the seconds until the next attempt (1–30)", res.Header.Get("Retry-After"))
	}
	// …but another account is not.
	env.SignIn(t, "helpdesk@partner.example")
	// And the limit refills with time.
	env.Clock.Advance(2 * time.Minute)
	env.SignIn(t, "billing@partner.example")
}

func TestSignOutEndsSessionForGood(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "adminagent@partner.example")
	u, _ := url.Parse(env.URL)
	stolen := c.Jar.Cookies(u)
	res := env.PostForm(t, c, "/signout", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Fatalf("sign out: %d", res.StatusCode)
	}
	// Replaying the old cookie is refused.
	thief := env.Client()
	thief.Jar.SetCookies(u, stolen)
	if res := env.Get(t, thief, "/customers"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("replayed cookie after sign-out: %d", res.StatusCode)
	}
}

func TestSessionTimeouts(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "adminagent@partner.example")
	// Active use keeps the session alive past the idle timeout…
	for i := 0; i < 4; i++ {
		env.Clock.Advance(20 * time.Minute)
		if res := env.Get(t, c, "/customers"); res.StatusCode != 200 {
			t.Fatalf("active session ended after %d min: %d", (i+1)*20, res.StatusCode)
		}
	}
	// …30 idle minutes end it.
	env.Clock.Advance(31 * time.Minute)
	if res := env.Get(t, c, "/customers"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("idle session still valid: %d", res.StatusCode)
	}
	// The absolute timeout ends even a busy session after 12 hours.
	c = env.SignIn(t, "adminagent@partner.example")
	for i := 0; i < 25; i++ {
		env.Clock.Advance(29 * time.Minute)
		env.Get(t, c, "/customers")
	}
	if res := env.Get(t, c, "/customers"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("session older than 12 h still valid: %d", res.StatusCode)
	}
}

// Every role meets its SPEC §1 rights on the foundation's routes; a denial is a 403 page naming
// the roles needed (R5), and is itself recorded.
func TestRoutesPerRole(t *testing.T) {
	env := apptest.Start(t)
	contoso := "/customers/" + apptest.ContosoID
	users := apptest.Users
	clients := map[string]*http.Client{}
	for k, email := range users {
		clients[k] = env.SignIn(t, email)
	}
	for _, tt := range []struct {
		path    string
		allowed []string
	}{
		{"/customers", []string{"global", "admin", "sales", "helpdesk"}},
		{"/customers/new", []string{"global", "admin", "sales"}},
		{contoso, []string{"global", "admin", "sales", "helpdesk"}},
		{contoso + "/account", []string{"global", "admin", "sales", "helpdesk"}},
		{contoso + "/software", []string{"global", "admin", "sales", "helpdesk"}},
		{contoso + "/orders", []string{"global", "admin", "sales", "helpdesk", "billing"}}, // Billing admin: orders (read)
		{"/settings/users", []string{"global"}},
		{"/portal", []string{"customer"}},
	} {
		for who, c := range clients {
			want := http.StatusForbidden
			for _, a := range tt.allowed {
				if a == who {
					want = http.StatusOK
				}
			}
			res := env.Get(t, c, tt.path)
			if res.StatusCode != want {
				t.Errorf("%s GET %s = %d, want %d", who, tt.path, res.StatusCode, want)
				continue
			}
			if want == http.StatusForbidden {
				d := doc(t, res.Body)
				if testid(d, "error-403").Length() != 1 || testid(d, "roles-needed").Text() == "" {
					t.Errorf("%s GET %s: 403 page does not name the roles", who, tt.path)
				}
			}
		}
	}
	env.Clock.Advance(time.Minute) // the first refusal of its route and minute is an event at once
	res := env.Get(t, clients["sales"], "/settings/users")
	if !strings.Contains(testid(doc(t, res.Body), "roles-needed").Text(), "Global admin") {
		t.Error("403 does not name Global admin")
	}
	evs, _ := env.App.Service.RecentEvents(context.Background(), desk.OpPermissionDenied, 1)
	if len(evs) != 1 || evs[0].ActorEmail != "salesagent@partner.example" || !strings.Contains(evs[0].Detail, "/settings/users") {
		t.Fatalf("denial not recorded: %+v", evs)
	}
}

// A customer user never sees another tenant (R4) and never opens a partner page.
func TestCustomerUserIsolated(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "admin@contoso.onmicrosoft.com")
	res := env.Get(t, c, "/")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/portal" {
		t.Fatalf("customer home: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res = env.Get(t, c, "/portal")
	if got := testid(doc(t, res.Body), "portal-tenant").Text(); got != "Contoso Ltd." {
		t.Fatalf("portal shows %q", got)
	}
	for _, p := range []string{"/customers/" + apptest.FabrikamID, "/customers/" + apptest.ContosoID, "/customers"} {
		if res := env.Get(t, c, p); res.StatusCode != http.StatusForbidden || strings.Contains(res.Body, "Fabrikam") {
			t.Errorf("customer GET %s: %d", p, res.StatusCode)
		}
	}
}

// Cross-origin state changes are refused before any handler runs.
func TestCrossOriginRejected(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "globaladmin@partner.example")
	form := url.Values{"email": {"x@partner.example"}, "display_name": {"X"}, "role": {"admin-agent"}}
	for _, h := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
	} {
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/settings/users", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(h[0], h[1])
		if res := env.Do(t, c, req); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %s: %d, want 403", h[0], h[1], res.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/settings/users", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if res := env.Do(t, c, req); res.StatusCode != http.StatusForbidden {
		t.Errorf("foreign Origin: %d, want 403", res.StatusCode)
	}
	// Nothing was created.
	res := env.Get(t, c, "/settings/users")
	if strings.Contains(res.Body, "x@partner.example") {
		t.Fatal("cross-origin request created a user")
	}
}

func TestCustomerSearchAndPaging(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "helpdesk@partner.example")
	res := env.Get(t, c, "/customers")
	d := doc(t, res.Body)
	if n := testid(d, "customer-row").Length(); n < 30 {
		t.Fatalf("first page has %d rows", n)
	}
	// Live search: htmx gets only the results fragment; the plain URL gets the whole page.
	res = env.Get(t, c, "/customers?q=fabrikam", "HX-Request", "true")
	if strings.Contains(res.Body, "<html") || !strings.Contains(res.Body, "Fabrikam, Inc.") || strings.Contains(res.Body, "Contoso") {
		t.Fatalf("htmx fragment wrong: %s", res.Body[:min(300, len(res.Body))])
	}
	res = env.Get(t, c, "/customers?q=fabrikam")
	d = doc(t, res.Body)
	if d.Find("html").Length() != 1 || testid(d, "customer-row").Length() != 1 {
		t.Fatal("plain search page")
	}
	if v, _ := testid(d, "customer-search").Attr("value"); v != "fabrikam" {
		t.Fatalf("search box lost the query: %q", v)
	}
	// Search by tenant ID and by domain.
	for _, q := range []string{apptest.ContosoID, "contoso.onmicrosoft"} {
		d = doc(t, env.Get(t, c, "/customers?q="+url.QueryEscape(q)).Body)
		if testid(d, "customer-row").Length() != 1 || testid(d, "customer-link").Text() != "Contoso Ltd." {
			t.Errorf("search %q", q)
		}
	}
	// Sorting by name descending puts the last name first.
	d = doc(t, env.Get(t, c, "/customers?desc=1").Body)
	if first := testid(d, "customer-link").First().Text(); first != "Woodgrove Bank N.V." {
		t.Errorf("first of name desc = %q", first)
	}
	if s, _ := testid(d, "sort-name").Parent().Attr("aria-sort"); s != "descending" {
		t.Errorf("aria-sort = %q", s)
	}
	// A garbage cursor is the first page, not an error.
	if res := env.Get(t, c, "/customers?after=%%%"); res.StatusCode != 200 {
		t.Errorf("bad cursor: %d", res.StatusCode)
	}
}

func TestAddCustomer(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "salesagent@partner.example")
	bad := url.Values{"company_name": {"New Co"}, "domain": {"not a domain"}, "country": {"HU"}, "city": {"Pécs"}}
	res := env.PostForm(t, c, "/customers", bad)
	d := doc(t, res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity || testid(d, "error-summary").Length() != 1 {
		t.Fatalf("invalid form: %d", res.StatusCode)
	}
	// The error summary links to every field that needs attention, in the form's order, and
	// the page starts on it.
	var links []string
	testid(d, "error-summary-link").Each(func(_ int, s *goquery.Selection) { links = append(links, s.AttrOr("href", "")) })
	if want := []string{"#domain", "#address_line1", "#postal_code", "#first_name", "#last_name", "#email"}; strings.Join(links, " ") != strings.Join(want, " ") {
		t.Errorf("error summary links %v, want %v", links, want)
	}
	if _, ok := testid(d, "error-summary").Attr("data-autofocus"); !ok {
		t.Error("the page does not start on the error summary")
	}
	// Every required field is marked.
	for _, id := range []string{"company_name", "domain", "country", "address_line1", "city", "postal_code", "first_name", "last_name", "email"} {
		if d.Find(`label[for="`+id+`"] .req`).Length() != 1 {
			t.Errorf("required field %s has no mark", id)
		}
	}
	if v, _ := d.Find("#company_name").Attr("value"); v != "New Co" {
		t.Errorf("typed value lost: %q", v)
	}
	if v, _ := d.Find("#city").Attr("value"); v != "Pécs" {
		t.Errorf("typed city lost: %q", v)
	}
	if d.Find("#domain-err").Text() == "" || d.Find("#email-err").Text() == "" {
		t.Error("field errors not shown")
	}
	good := url.Values{"company_name": {"New Co Kft."}, "domain": {"NewCo.onmicrosoft.com"}, "country": {"HU"}, "address_line1": {"Fő utca 1"},
		"city": {"Pécs"}, "postal_code": {"7621"}, "first_name": {"Anna"}, "last_name": {"Kiss"}, "email": {"anna@newco.example"}}
	res = env.PostForm(t, c, "/customers", good)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	res = env.Get(t, c, res.Header.Get("Location"))
	d = doc(t, res.Body)
	if testid(d, "customer-name").Text() != "New Co Kft." || !strings.Contains(testid(d, "account").Text(), "HUF") || testid(d, "msg-success").Length() != 1 {
		t.Fatal("new customer's account page")
	}
	// The same domain again is refused on the domain field.
	res = env.PostForm(t, c, "/customers", good)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc(t, res.Body).Find("#domain-err").Text(), "already belongs") {
		t.Fatalf("duplicate domain: %d", res.StatusCode)
	}
	// A helpdesk agent may not add customers.
	h := env.SignIn(t, "helpdesk@partner.example")
	if res := env.PostForm(t, h, "/customers", good); res.StatusCode != http.StatusForbidden {
		t.Fatalf("helpdesk add customer: %d", res.StatusCode)
	}
}

func TestUserManagement(t *testing.T) {
	env := apptest.Start(t)
	ga := env.SignIn(t, "globaladmin@partner.example")
	res := env.PostForm(t, ga, "/settings/users", url.Values{"email": {"new.agent@partner.example"}, "display_name": {"New Agent"}, "role": {"admin-agent", "sales-agent"}})
	d := doc(t, res.Body)
	pw := strings.TrimSpace(testid(d, "one-time-password").Find("code").Text())
	if res.StatusCode != 200 || len(pw) < 12 {
		t.Fatalf("create user: %d, password %q", res.StatusCode, pw)
	}
	// The new user signs in with the one-time password, changes it (R24) and has both roles.
	nc := isoFirstSignIn(t, env, "new.agent@partner.example", pw)
	if res := env.Get(t, nc, "/customers/new"); res.StatusCode != 200 {
		t.Fatalf("new user: %d", res.StatusCode)
	}
	id, _ := d.Find(`[data-email="new.agent@partner.example"] form`).First().Attr("action")
	id = strings.TrimSuffix(strings.TrimPrefix(id, "/settings/users/"), "/roles")
	// Deactivating ends their session at once.
	if res := env.PostForm(t, ga, "/settings/users/"+id+"/deactivate", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", res.StatusCode)
	}
	if res := env.Get(t, nc, "/customers"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivated user's session still works: %d", res.StatusCode)
	}
	// Changing roles takes effect on the next request.
	sales := env.SignIn(t, "salesagent@partner.example")
	var salesID string
	d.Find(`[data-email="salesagent@partner.example"] form`).First().Each(func(_ int, s *goquery.Selection) {
		a, _ := s.Attr("action")
		salesID = strings.TrimSuffix(strings.TrimPrefix(a, "/settings/users/"), "/roles")
	})
	env.PostForm(t, ga, "/settings/users/"+salesID+"/roles", url.Values{"role": {"billing-admin"}})
	if res := env.Get(t, sales, "/customers"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("role change not applied: %d", res.StatusCode)
	}
	// The last Global admin can neither lose the role nor be deactivated.
	var gaID string
	d.Find(`[data-email="globaladmin@partner.example"] form`).First().Each(func(_ int, s *goquery.Selection) {
		a, _ := s.Attr("action")
		gaID = strings.TrimSuffix(strings.TrimPrefix(a, "/settings/users/"), "/roles")
	})
	for _, p := range []string{"/deactivate", "/roles"} {
		res := env.PostForm(t, ga, "/settings/users/"+gaID+p, url.Values{"role": {"admin-agent"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "last active Global admin") {
			t.Fatalf("last global admin %s: %d", p, res.StatusCode)
		}
	}
	if res := env.Get(t, ga, "/settings/users"); res.StatusCode != 200 {
		t.Fatal("global admin lost access")
	}
}

func TestLanguageSwitch(t *testing.T) {
	env := apptest.Start(t)
	// Signed out, the browser's language decides.
	res := env.Get(t, env.Client(), "/signin", "Accept-Language", "hu-HU,hu;q=0.9")
	if !strings.Contains(res.Body, "Bejelentkezés") || res.Header.Get("Content-Language") != "hu" {
		t.Fatal("Accept-Language hu not honoured")
	}
	c := env.SignIn(t, "adminagent@partner.example")
	res = env.PostForm(t, c, "/settings/language", url.Values{"locale": {"hu"}}, "Referer", env.URL+"/customers")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/customers" {
		t.Fatalf("switch: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	d := doc(t, env.Get(t, c, "/customers").Body)
	if d.Find("html").AttrOr("lang", "") != "hu" || !strings.Contains(d.Find("#leftnav").Text(), "Ügyfelek") {
		t.Fatal("no Hungarian after switching")
	}
	// The choice is saved on the user: a new session in an English browser still gets Hungarian.
	c2 := env.SignIn(t, "adminagent@partner.example")
	if !strings.Contains(env.Get(t, c2, "/customers", "Accept-Language", "en-US").Body, "Ügyfelek") {
		t.Fatal("language not saved on the user")
	}
	if res := env.PostForm(t, c, "/settings/language", url.Values{"locale": {"xx"}}); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad locale: %d", res.StatusCode)
	}
}

func TestNotFound(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "adminagent@partner.example")
	for _, p := range []string{"/customers/00000000-0000-4000-8000-000000000000", "/no/such/page"} {
		res := env.Get(t, c, p)
		if res.StatusCode != http.StatusNotFound || testid(doc(t, res.Body), "error-404").Length() != 1 {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
	}
}

// The client IP comes from the connection: a forged X-Forwarded-For or X-Real-IP neither escapes
// the per-IP sign-in limit nor lands in the activity log (echo trusts those headers by default).
func TestForgedForwardedForIgnored(t *testing.T) {
	env := apptest.Start(t)
	c := env.Client()
	var last int
	for i := 0; i < 21; i++ {
		last = env.PostForm(t, c, "/signin", url.Values{"email": {fmt.Sprintf("nobody%d@partner.example", i)}, "password": {"x"}},
			"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i), "X-Real-IP", fmt.Sprintf("198.51.100.%d", i)).StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("21st failed sign-in from one connection with forged forwarding headers: %d, want 429", last)
	}
	evs, _ := env.App.Service.RecentEvents(context.Background(), desk.OpSignInFailed, 1)
	if len(evs) != 1 || evs[0].IP != "127.0.0.1" {
		t.Fatalf("recorded IP %+v, want 127.0.0.1", evs)
	}
}

// The customer list is kept rendered, but a new customer shows at once (the list's version moves).
func TestCustomerListCacheSeesNewCustomer(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "globaladmin@partner.example")
	before := testid(doc(t, env.Get(t, c, "/customers").Body), "customer-count").Text()
	env.Get(t, c, "/customers?q=zephyr") // kept: no match
	res := env.PostForm(t, c, "/customers", url.Values{"company_name": {"Zephyr Kft."}, "domain": {"zephyr.onmicrosoft.com"}, "country": {"HU"},
		"address_line1": {"Fő utca 1"}, "city": {"Pécs"}, "postal_code": {"7621"}, "first_name": {"Anna"}, "last_name": {"Kiss"}, "email": {"anna@zephyr.example"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	after := testid(doc(t, env.Get(t, c, "/customers").Body), "customer-count").Text()
	if after == before {
		t.Fatalf("count still %q after adding a customer", after)
	}
	if d := doc(t, env.Get(t, c, "/customers?q=zephyr").Body); testid(d, "customer-link").Text() != "Zephyr Kft." {
		t.Fatal("the kept search result does not show the new customer")
	}
}
