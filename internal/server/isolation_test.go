package server_test

// Tenant isolation and the route × role matrix (SPEC §1, R1–R5, the customer's own view of §4).
// The matrix is built from the router's own route list (Server.Routes), so a route added later
// is tested the moment it is registered — or the test fails because it has no value for one of
// its path parameters, or no expectation for a new public route.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"
	"partnerdesk/internal/server"
	"partnerdesk/internal/service"
)

const (
	isoContosoAdmin = "admin@contoso.onmicrosoft.com"
	isoFabrikamName = "Fabrikam"
)

// isoPartners are the demo partner users, one per partner role (display order of SPEC §1).
var isoPartners = []struct{ name, email string }{
	{"GA global-admin", "globaladmin@partner.example"},
	{"AA admin-agent", "adminagent@partner.example"},
	{"SA sales-agent", "salesagent@partner.example"},
	{"HA helpdesk-agent", "helpdesk@partner.example"},
	{"BA billing-admin", "billing@partner.example"},
	{"RA referrals-admin", "referrals@partner.example"},
}

// isoSignIn signs in with a password (invited users have a one-time password, not the demo one).
func isoSignIn(t *testing.T, env *apptest.Env, email, password string) (*http.Client, *apptest.Response) {
	t.Helper()
	c := env.Client()
	res := env.PostForm(t, c, "/signin", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", email, res.StatusCode)
	}
	return c, res
}

// isoInvite invites a customer user from the customer's Account tab and returns the answer and
// the one-time password shown once (empty when there is none).
func isoInvite(t *testing.T, env *apptest.Env, c *http.Client, customerID, email, name, role string) (*apptest.Response, string) {
	t.Helper()
	res := env.PostForm(t, c, "/customers/"+customerID+"/users", url.Values{"email": {email}, "display_name": {name}, "role": {role}})
	pw := strings.TrimSpace(testid(doc(t, res.Body), "one-time-password").Find("code").Text())
	return res, pw
}

// isoInviteUser invites a Contoso user without keys (role customer-user) as the partner Global
// admin and signs them in (changing the one-time password first, as they must, R24).
func isoInviteUser(t *testing.T, env *apptest.Env, email string) *http.Client {
	t.Helper()
	ga := env.SignIn(t, "globaladmin@partner.example")
	res, pw := isoInvite(t, env, ga, apptest.ContosoID, email, "Nora Nonadmin", desk.RoleCustomerUser.Slug())
	if res.StatusCode != http.StatusOK || len(pw) < 12 {
		t.Fatalf("invite %s: %d, one-time password %q", email, res.StatusCode, pw)
	}
	return isoFirstSignIn(t, env, email, pw)
}

// isoNewPassword is the password a test user chooses in place of their one-time password.
const isoNewPassword = "a-password-of-my-own-2026"

// isoFirstSignIn signs in with a one-time password, which the sign-in must change before
// anything else (R24), and changes it to isoNewPassword.
func isoFirstSignIn(t *testing.T, env *apptest.Env, email, otp string) *http.Client {
	t.Helper()
	c, res := isoSignIn(t, env, email, otp)
	if loc := res.Header.Get("Location"); loc != "/account/security" {
		t.Fatalf("sign in %s with a one-time password: to %q, want /account/security", email, loc)
	}
	res = env.PostForm(t, c, "/account/security/password", url.Values{"current_password": {otp}, "new_password": {isoNewPassword}})
	if res.StatusCode != http.StatusSeeOther || strings.HasPrefix(res.Header.Get("Location"), "/account/security") {
		t.Fatalf("change %s's one-time password: %d %s", email, res.StatusCode, res.Header.Get("Location"))
	}
	return c
}

// isoTenant holds one customer tenant's object IDs, found through the service as partner users.
type isoTenant struct {
	id       string
	item     desk.SoftwareItem
	ref      desk.EditionRef
	edition  desk.Edition
	order    string
	invoice  string
	request  string // a support request about this tenant
	att      string // its attachment
	token    string // a valid download link token of the purchase
	key      string // the purchase's product key (for leak checks)
	userID   string // a partner user the /settings/users/:id routes act on
	apiToken string // an API token ID the /settings/tokens/:token routes act on
	linkPath string
}

// values maps the router's path parameter names to this tenant's IDs. /settings/users/:id is a
// user ID, not a tenant ID ("user" below), and /settings/tokens/:token an API token ID
// ("apitoken"), not a download link token; every other :id is a customer tenant ID.
func (tn *isoTenant) values() map[string]string {
	return map[string]string{
		"id": tn.id, "ent": tn.item.ID, "orderId": tn.order, "invoice": tn.invoice,
		"req": tn.request, "att": tn.att, "token": tn.token, "user": tn.userID, "apitoken": tn.apiToken,
	}
}

// form is a harmless form for a POST route: the purchase's edition for keys and downloads, a
// wrong password for sign-in, English for the language switch, else nothing (which every
// state-changing form refuses as invalid).
func (tn *isoTenant) form(r server.Route, n int) url.Values {
	switch {
	case r.Path == "/signin":
		return url.Values{"email": {fmt.Sprintf("nobody%d@partner.example", n)}, "password": {"not-the-password"}}
	case r.Path == "/settings/language":
		return url.Values{"locale": {"en"}}
	case strings.HasSuffix(r.Path, "/key"), strings.HasSuffix(r.Path, "/download"), strings.HasSuffix(r.Path, "/link"),
		strings.HasSuffix(r.Path, "/editions"):
		return url.Values{"version": {tn.ref.Version}, "language": {tn.ref.Language}, "bitness": {tn.ref.Bitness}}
	}
	return url.Values{}
}

// isoFixture finds (and where needed creates) the objects of Contoso and Fabrikam that the
// routes take as parameters.
func isoFixture(t *testing.T, env *apptest.Env) (contoso, fabrikam *isoTenant) {
	t.Helper()
	ctx := context.Background()
	admin := env.Actor(t, "adminagent@partner.example")
	global := env.Actor(t, "globaladmin@partner.example")
	billing := env.Actor(t, "billing@partner.example")

	target, _, err := env.App.Service.CreateUser(ctx, global, desk.NewUser{Email: "matrix.target@partner.example", DisplayName: "Matrix Target", Roles: desk.RolesOf(desk.RoleHelpdeskAgent)})
	if err != nil {
		t.Fatalf("create the target user: %v", err)
	}
	apiToken, _, err := env.App.Service.CreateToken(ctx, admin, "matrix", 24*time.Hour)
	if err != nil {
		t.Fatalf("create an API token: %v", err)
	}
	invoices, err := env.App.Service.Invoices(ctx, billing)
	if err != nil || len(invoices) == 0 {
		t.Fatalf("invoices: %d, %v", len(invoices), err)
	}

	mk := func(customerID, match string, ref desk.EditionRef) *isoTenant {
		tn := &isoTenant{id: customerID, item: env.Purchase(t, customerID, match), ref: ref, userID: target.ID, apiToken: apiToken.ID}
		tn.order = tn.item.OrderID
		var ok bool
		if tn.edition, ok = tn.item.Product.Edition(ref); !ok {
			t.Fatalf("%s has no edition %+v", tn.item.OfferTitle, ref)
		}
		if !tn.item.HasKey(ref.Version) {
			t.Fatalf("%s has no %s key", tn.item.OfferTitle, ref.Version)
		}
		for _, inv := range invoices {
			_, lines, err := env.App.Service.Invoice(ctx, billing, inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(lines, func(l desk.InvoiceLine) bool { return l.CustomerID == customerID }) {
				tn.invoice = inv.ID
				break
			}
		}
		if tn.invoice == "" {
			t.Fatalf("no invoice has a line of %s", customerID)
		}
		q, err := env.App.Service.FileSupportRequest(ctx, admin, desk.SupportRequest{
			ProblemType: desk.ProblemRefund, Impact: "medium", Title: "Refund for " + customerID, CustomerRef: customerID, OrderRef: tn.order,
			Description: "Bought by mistake.", ContactName: "Adam Agent", ContactEmail: "adminagent@partner.example",
		}, []service.Upload{{Name: "notes.txt", Data: []byte("order " + tn.order + "\n")}})
		if err != nil || len(q.Attachments) != 1 {
			t.Fatalf("file a support request about %s: %v (%d attachments)", customerID, err, len(q.Attachments))
		}
		tn.request, tn.att = q.ID, q.Attachments[0].ID
		link, err := env.App.Service.IssueLink(ctx, admin, customerID, tn.item.ID, ref, true)
		if err != nil || !strings.HasPrefix(link.URL, "/dl/") {
			t.Fatalf("issue a link for %s: %q %v", customerID, link.URL, err)
		}
		tn.linkPath, tn.token = link.URL, strings.TrimPrefix(link.URL, "/dl/")
		if tn.key, err = env.App.Service.RevealKey(ctx, admin, customerID, tn.item.ID, ref.Version); err != nil {
			t.Fatalf("key of %s: %v", customerID, err)
		}
		return tn
	}
	contoso = mk(apptest.ContosoID, "Windows Server 2022 Standard - 2 Core", desk.EditionRef{Version: "2022", Language: "en-us", Bitness: "64-bit"})
	fabrikam = mk(apptest.FabrikamID, "SQL Server 2022 Enterprise - 2 Core", desk.EditionRef{Version: "2022", Language: "en-us", Bitness: "64-bit"})
	if contoso.key == fabrikam.key || contoso.invoice == "" {
		t.Fatal("fixture: the two tenants share a key")
	}
	return contoso, fabrikam
}

// isoPath fills a route's path parameters; a parameter without a value is an error, so a new
// route with a new parameter cannot slip past the matrix.
func isoPath(r server.Route, vals map[string]string) (string, error) {
	parts := strings.Split(r.Path, "/")
	for i, p := range parts {
		if !strings.HasPrefix(p, ":") && !strings.HasPrefix(p, "*") {
			continue
		}
		name := strings.TrimLeft(p, ":*")
		switch {
		case name == "id" && strings.HasPrefix(r.Path, "/settings/users/"):
			name = "user"
		case name == "token" && strings.HasPrefix(r.Path, "/settings/tokens/"):
			name = "apitoken"
		}
		v := vals[name]
		if v == "" {
			return "", fmt.Errorf("%s %s: no test value for the path parameter %q: add one to the isolation tests", r.Method, r.Path, p)
		}
		parts[i] = url.PathEscape(v)
	}
	return strings.Join(parts, "/"), nil
}

// isoDo sends a route's request: GET and HEAD plain, POST as a same-origin form.
func isoDo(t *testing.T, env *apptest.Env, c *http.Client, method, path string, form url.Values, headers ...string) *apptest.Response {
	t.Helper()
	switch method {
	case http.MethodGet:
		return env.Get(t, c, path, headers...)
	case http.MethodHead:
		req, _ := http.NewRequest(http.MethodHead, env.URL+path, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		return env.Do(t, c, req)
	case http.MethodPost:
		return env.PostForm(t, c, path, form, headers...)
	}
	t.Fatalf("%s %s: the isolation tests do not know how to send a %s: add it", method, path, method)
	return nil
}

// isoRoleNames are the English names of the roles that hold p.
func isoRoleNames(p desk.Permission) []string {
	var out []string
	for _, r := range desk.Allowed[p].List() {
		out = append(out, i18n.Get("en").T("role."+r.Slug()))
	}
	return out
}

// isoCheck403 checks a denial is the 403 page naming every role that holds p (R5).
func isoCheck403(t *testing.T, what string, res *apptest.Response, p desk.Permission) {
	t.Helper()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("%s: %d, want 403", what, res.StatusCode)
		return
	}
	d := doc(t, res.Body)
	if testid(d, "error-403").Length() != 1 {
		t.Errorf("%s: 403 without the 403 page", what)
		return
	}
	roles := testid(d, "roles-needed").Text()
	for _, name := range isoRoleNames(p) {
		if !strings.Contains(roles, name) {
			t.Errorf("%s: the 403 page names %q, not %q", what, strings.Join(strings.Fields(roles), " "), name)
		}
	}
}

// isoPublic is what each public route answers, signed out and signed in. A route registered
// without a permission must be listed here on purpose. toSignIn: signed out, the answer is the
// way back to the sign-in form.
var isoPublic = map[string]struct {
	signedOut, signedIn int
	toSignIn            bool
}{
	"GET /healthz":            {200, 200, false},
	"GET /signin":             {200, 303, false}, // signed in: on to the start page
	"POST /signin":            {401, 401, false}, // the harmless form is a wrong password: the form again, 401
	"POST /settings/language": {303, 303, false},
	"POST /settings/theme":    {303, 303, false}, // signed out the choice is a cookie; signed in it is saved on the user
	"GET /dl/:token":          {200, 200, false}, // a signed link is a bearer link by design (SPEC §4)
	"HEAD /dl/:token":         {200, 200, false},
	// The code step of a sign-in (R22): without a sign-in waiting for a code, back to the form;
	// signed in, on to the start page.
	"GET /signin/mfa":  {303, 303, true},
	"POST /signin/mfa": {303, 303, true},
	// Single sign-on (R23) is not configured in this environment.
	"POST /signin/oidc":         {404, 404, false},
	"GET /signin/oidc/callback": {404, 404, false},
}

// isoSignedIn lists the routes open to every signed-in user, customer users included: a partner
// page registered as "signed-in" would open to customers, so a new one must be listed on purpose.
var isoSignedIn = map[string]bool{
	"GET /":         true, // sends each user to their own start page
	"POST /signout": true,
	// My account → Security: everyone's own password and two-step verification (R22, R24).
	"GET /account/security":                     true,
	"POST /account/security/password":           true,
	"POST /account/security/mfa":                true,
	"POST /account/security/mfa/recovery-codes": true,
	"POST /account/security/mfa/disable":        true,
}

// isoCustomerPerm reports whether p is a customer-area permission.
func isoCustomerPerm(p desk.Permission) bool {
	return p == desk.PermCustomerArea || p == desk.PermCustomerKeys || p == desk.PermCustomerUsers
}

// isoIdentity is one column of the matrix.
type isoIdentity struct {
	name   string
	user   desk.User // zero when signed out
	client *http.Client
}

func (id isoIdentity) signedIn() bool { return id.user.ID != "" }

// allowed reports whether the identity may use a route with permission p.
func (id isoIdentity) allowed(p desk.Permission) bool {
	if p == server.PermSignedIn {
		return id.signedIn()
	}
	return id.user.Can(p)
}

// isoOrdered returns the routes with the ones that end the session (sign-out) last, so every
// identity stays signed in for the others.
func isoOrdered(routes []server.Route) []server.Route {
	out := slices.Clone(routes)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path != "/signout" && out[j].Path == "/signout" })
	return out
}

// Every route × every identity: signed out, the six partner roles, Contoso's customer Global
// admin and a Contoso customer user without keys. The expectation comes from the permission the
// route was registered with and User.Can — the same table the app uses — and R5's 403 page.
//
// POSTs are sent with harmless forms (see isoTenant.form) in one shared environment: the state
// they may change (a language saved, a key revealed and audited, a test user deactivated and
// activated again, sign-out last) does not change any other answer of the matrix.
func TestRouteRoleMatrix(t *testing.T) {
	env := apptest.Start(t)
	contoso, _ := isoFixture(t, env)
	routes := env.App.Server.Routes()
	if len(routes) < 40 {
		t.Fatalf("Routes() lists %d routes", len(routes))
	}

	ids := []isoIdentity{{name: "-- signed-out", client: env.Client()}}
	for _, p := range isoPartners {
		ids = append(ids, isoIdentity{name: p.name, user: env.Actor(t, p.email).User, client: env.SignIn(t, p.email)})
	}
	ids = append(ids, isoIdentity{name: "CG customer-global-admin", user: env.Actor(t, isoContosoAdmin).User, client: env.SignIn(t, isoContosoAdmin)})
	const userEmail = "matrix.user@contoso.onmicrosoft.com"
	uc := isoInviteUser(t, env, userEmail)
	ids = append(ids, isoIdentity{name: "CU customer-user", user: env.Actor(t, userEmail).User, client: uc})
	if u := ids[len(ids)-1].user; u.CustomerID != apptest.ContosoID || u.Roles != desk.RolesOf(desk.RoleCustomerUser) {
		t.Fatalf("the invited user: tenant %q roles %v", u.CustomerID, u.Roles.List())
	}

	// Every route's permission is one the role table knows.
	for _, r := range routes {
		if _, ok := desk.Allowed[r.Perm]; !ok && r.Perm != "" && r.Perm != server.PermSignedIn {
			t.Errorf("%s %s: permission %q is not in desk.Allowed", r.Method, r.Path, r.Perm)
		}
		if _, ok := isoPublic[r.Method+" "+r.Path]; r.Perm == "" && !ok {
			t.Errorf("%s %s is public (no permission) but the isolation tests have no expectation for it: review it and add it to isoPublic", r.Method, r.Path)
		}
		if r.Perm == server.PermSignedIn && !isoSignedIn[r.Method+" "+r.Path] {
			t.Errorf("%s %s is open to every signed-in user, customer users included: review it and add it to isoSignedIn", r.Method, r.Path)
		}
		// The customer area and the partner areas never share a permission (R4).
		if portal := r.Path == "/portal" || strings.HasPrefix(r.Path, "/portal/"); r.Perm != "" && r.Perm != server.PermSignedIn && portal != isoCustomerPerm(r.Perm) {
			t.Errorf("%s %s has permission %q: customer-area permissions belong to /portal routes only, and /portal routes need one", r.Method, r.Path, r.Perm)
		}
	}

	counts := map[string]int{}
	matrix := map[string][]string{}
	vals := contoso.values()
	for _, r := range isoOrdered(routes) {
		key := r.Method + " " + r.Path
		path, err := isoPath(r, vals)
		if err != nil {
			t.Error(err)
			continue
		}
		for n, id := range ids {
			what := fmt.Sprintf("%s %s %s", id.name, r.Method, path)
			res := isoDo(t, env, id.client, r.Method, path, contoso.form(r, n))
			matrix[key] = append(matrix[key], fmt.Sprint(res.StatusCode))
			loc := res.Header.Get("Location")
			switch {
			case r.Perm == "":
				want := isoPublic[key].signedOut
				if id.signedIn() {
					want = isoPublic[key].signedIn
				}
				counts["public"]++
				if res.StatusCode != want || (strings.HasPrefix(loc, "/signin") && (id.signedIn() || !isoPublic[key].toSignIn)) {
					t.Errorf("%s (public): %d %s, want %d", what, res.StatusCode, loc, want)
				}
			case !id.signedIn():
				counts["sign-in first"]++
				if r.Method == http.MethodGet {
					if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/signin?next=") {
						t.Errorf("%s: %d %q, want 303 to /signin", what, res.StatusCode, loc)
					}
				} else if res.StatusCode != http.StatusUnauthorized && res.StatusCode != http.StatusForbidden {
					t.Errorf("%s: %d, want 401 or 403", what, res.StatusCode)
				}
			case id.allowed(r.Perm):
				counts["allowed"]++
				// Sign-out's own answer is 303 /signin; any other way to the sign-in form means the
				// session was not accepted.
				toSignIn := strings.HasPrefix(loc, "/signin?") || (loc == "/signin" && r.Path != "/signout")
				if res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden || res.StatusCode >= 500 || toSignIn {
					t.Errorf("%s: allowed (%s) but answered %d %s", what, r.Perm, res.StatusCode, loc)
				}
			default:
				counts["denied 403"]++
				isoCheck403(t, what, res, r.Perm)
			}
		}
	}

	// The matrix, for the record (go test -v).
	var b strings.Builder
	fmt.Fprintf(&b, "%-48s", "route \\ identity")
	for _, id := range ids {
		fmt.Fprintf(&b, " %-4.2s", id.name)
	}
	for _, r := range isoOrdered(routes) {
		key := r.Method + " " + r.Path
		fmt.Fprintf(&b, "\n%-48s", key)
		for _, code := range matrix[key] {
			fmt.Fprintf(&b, " %-4s", code)
		}
	}
	t.Logf("%d routes × %d identities: %v\n%s", len(routes), len(ids), counts, b.String())

	// Sign-out ran last for everyone: every session has ended.
	for _, id := range ids[1:] {
		if res := env.Get(t, id.client, "/"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin?next=") {
			t.Errorf("%s after POST /signout: GET / %d %s", id.name, res.StatusCode, res.Header.Get("Location"))
		}
	}

	// Static files are served outside the route table (echo StaticFS) and are public.
	if res := env.Get(t, env.Client(), "/static/css/app.css"); res.StatusCode != http.StatusOK {
		t.Errorf("GET /static/css/app.css signed out: %d", res.StatusCode)
	}
}

// isoLeaks reports which of Fabrikam's tell-tales a body holds.
func isoLeaks(body string, fab *isoTenant) []string {
	var out []string
	for _, s := range []string{isoFabrikamName, fab.id, fab.key} {
		if strings.Contains(body, s) {
			out = append(out, s)
		}
	}
	return out
}

// Contoso's customer Global admin asks for Fabrikam's objects by ID, on every route: the customer
// area says 404 (R5, nothing tells that the object exists), every partner route says 403, and no
// answer holds Fabrikam's name, tenant ID or product key.
func TestCustomerCannotSeeOtherTenant(t *testing.T) {
	env := apptest.Start(t)
	contoso, fab := isoFixture(t, env)
	c := env.SignIn(t, isoContosoAdmin)
	audited := func() int {
		n := 0
		for _, op := range []string{desk.OpGetSoftwareKey, desk.OpDownload, desk.OpGetDownloadLink} {
			for _, e := range env.EventsSinceEpoch(t, op, 500) {
				if e.ActorEmail == isoContosoAdmin {
					n++
				}
			}
		}
		return n
	}
	vals := fab.values()
	checked := 0
	for _, r := range env.App.Server.Routes() {
		if r.Perm == "" || r.Path == "/signout" {
			continue // public routes: see the bearer link below; sign-out would end the session
		}
		path, err := isoPath(r, vals)
		if err != nil {
			t.Error(err)
			continue
		}
		for _, hx := range [][]string{nil, htmx()} {
			what := fmt.Sprintf("Contoso admin %s %s (htmx %v)", r.Method, path, hx != nil)
			res := isoDo(t, env, c, r.Method, path, fab.form(r, 0), hx...)
			checked++
			if leaks := isoLeaks(res.Body+res.Header.Get("Location"), fab); len(leaks) > 0 {
				t.Errorf("%s: %d, the answer holds %q", what, res.StatusCode, leaks)
			}
			switch {
			case isoCustomerPerm(r.Perm):
				if !strings.Contains(r.Path, ":") {
					// A page of the own tenant opens; a form of it (sent empty) is refused as
					// invalid, not as forbidden or missing.
					if (r.Method == http.MethodGet && res.StatusCode != http.StatusOK) || res.StatusCode == http.StatusForbidden ||
						res.StatusCode == http.StatusNotFound || res.StatusCode >= 500 {
						t.Errorf("%s: %d, want 200 or a form error (own tenant)", what, res.StatusCode)
					}
					continue
				}
				if res.StatusCode != http.StatusNotFound {
					t.Errorf("%s: %d, want 404 (another tenant's object)", what, res.StatusCode)
				} else if hx == nil && testid(doc(t, res.Body), "error-404").Length() != 1 {
					t.Errorf("%s: 404 without the 404 page", what)
				}
			case r.Perm == server.PermSignedIn:
				if res.StatusCode == http.StatusForbidden || res.StatusCode >= 500 {
					t.Errorf("%s: %d", what, res.StatusCode)
				}
			default:
				if hx == nil {
					isoCheck403(t, what+" (partner-only)", res, r.Perm)
				} else if res.StatusCode != http.StatusForbidden {
					t.Errorf("%s (partner-only): %d, want 403", what, res.StatusCode)
				}
			}
		}
	}
	if checked < 80 {
		t.Errorf("only %d requests checked", checked)
	}
	if n := audited(); n != 0 {
		t.Errorf("%d key or download events recorded for Contoso's admin after asking only for Fabrikam's purchase", n)
	}

	// Contoso's own view never lists Fabrikam either.
	for _, p := range []string{"/portal", "/portal/products", "/portal/products/" + contoso.item.ID} {
		res := env.Get(t, c, p)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
		if leaks := isoLeaks(res.Body, fab); len(leaks) > 0 {
			t.Errorf("GET %s holds %q", p, leaks)
		}
		if strings.Contains(res.Body, fab.item.ID) {
			t.Errorf("GET %s holds Fabrikam's entitlement ID", p)
		}
	}

	// A download link is a bearer link by design (SPEC §4: "a copied link works for anyone who
	// holds it until it expires or the purchase is cancelled"): Fabrikam's link fetched with
	// Contoso's cookie works exactly as it does for anyone without a cookie — the cookie neither
	// adds nor removes anything. That is not a tenant leak, and is not asserted as one.
	for _, cl := range []*http.Client{c, env.Client()} {
		res := env.Get(t, cl, fab.linkPath, "Range", "bytes=0-9")
		if res.StatusCode != http.StatusPartialContent || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("Fabrikam's link: %d %q, want the plain download", res.StatusCode, res.Header.Get("Content-Disposition"))
		}
	}
}

// R4 and R11 in the customer's own view: the customer Global admin reveals the key in a side pane
// and downloads the file, both audited with the customer user as actor and Contoso as actor
// tenant; a customer user without the admin role sees the products, never a key or a download.
func TestCustomerKeysAndAudit(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	it := env.Purchase(t, apptest.ContosoID, "Windows Server 2022 Standard - 2 Core")
	ref := desk.EditionRef{Version: "2022", Language: "en-us", Bitness: "64-bit"}
	ed, ok := it.Product.Edition(ref)
	if !ok {
		t.Fatalf("no edition %+v", ref)
	}
	form := url.Values{"version": {ref.Version}, "language": {ref.Language}, "bitness": {ref.Bitness}}
	base := "/portal/products/" + it.ID
	c := env.SignIn(t, isoContosoAdmin)

	res := env.Get(t, c, "/portal/products")
	d := doc(t, res.Body)
	rows := testid(d, "portal-product").Length()
	if res.StatusCode != http.StatusOK || rows == 0 || d.Find(`[data-testid="portal-product"][data-entitlement-id="`+it.ID+`"]`).Length() != 1 {
		t.Fatalf("Your products: %d, %d rows", res.StatusCode, rows)
	}
	res = env.Get(t, c, base)
	d = doc(t, res.Body)
	if res.StatusCode != http.StatusOK || testid(d, "portal-kd").Length() != 1 || testid(d, "download").Length() != 1 || testid(d, "copy-key-pane").Length() != 1 {
		t.Fatalf("product page: %d, Downloads & keys %d", res.StatusCode, testid(d, "portal-kd").Length())
	}
	if got := strings.TrimSpace(testid(d, "portal-product-title").Text()); got != it.OfferTitle {
		t.Errorf("product title %q, want %q", got, it.OfferTitle)
	}
	// The picker reloads itself as a fragment.
	res = env.Get(t, c, base+"/editions?"+form.Encode(), htmx()...)
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") || testid(doc(t, res.Body), "edition-sha256").Text() != ed.SHA256 {
		t.Errorf("editions fragment: %d, SHA-256 %q", res.StatusCode, testid(doc(t, res.Body), "edition-sha256").Text())
	}

	// Copy key to clipboard: the side pane with the key.
	res = env.PostForm(t, c, base+"/key", form, htmx()...)
	d = doc(t, res.Body)
	pane := testid(d, "key-pane")
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") || pane.Length() != 1 || !pane.Is("dialog.pane") {
		t.Fatalf("key pane: %d, %d panes", res.StatusCode, pane.Length())
	}
	key := swIn(pane, "key-value").AttrOr("value", "")
	if !swKeyFormat.MatchString(key) {
		t.Fatalf("the pane shows %q, not XXXXX-XXXXX-XXXXX-XXXXX-XXXXX", key)
	}
	if swIn(pane, "copy-key").Length() != 1 {
		t.Error("the pane has no Copy button")
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("key answer Cache-Control %q", cc)
	}
	// Without JavaScript the key comes on a page.
	if res := env.PostForm(t, c, base+"/key", form); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, key) {
		t.Errorf("plain key page: %d", res.StatusCode)
	}

	// Download: a redirect to a short link, which serves the file.
	res = env.PostForm(t, c, base+"/download", form)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/dl/") {
		t.Fatalf("download: %d %q", res.StatusCode, loc)
	}
	res = env.Get(t, c, loc)
	if res.StatusCode != http.StatusOK || apptest.SHA256([]byte(res.Body)) != ed.SHA256 {
		t.Fatalf("GET the download: %d, SHA-256 %s, want %s", res.StatusCode, apptest.SHA256([]byte(res.Body)), ed.SHA256)
	}

	// R11: who (user and tenant), which customer, product and order, from where.
	for _, op := range []string{desk.OpGetSoftwareKey, desk.OpDownload} {
		evs := env.EventsSinceEpoch(t, op, 500)
		if len(evs) == 0 {
			t.Errorf("no %s event", op)
			continue
		}
		e := evs[0]
		if e.ActorEmail != isoContosoAdmin || e.ActorTenantID != apptest.ContosoID || e.CustomerID != apptest.ContosoID ||
			e.OrderID != it.OrderID || e.Product != it.OfferTitle || e.IP == "" || e.Status != "succeeded" || !e.ActorRoles.Has(desk.RoleCustomerGlobalAdmin) {
			t.Errorf("%s event: %+v", op, e)
		}
		if strings.Contains(e.Detail, key) {
			t.Errorf("%s event detail holds the key", op)
		}
	}
	if n := len(env.EventsSinceEpoch(t, desk.OpGetSoftwareKey, 500)); n != 2 {
		t.Errorf("%d get_software_key events for two reveals", n)
	}
	// The pane's key is the purchase's key.
	if want, err := env.App.Service.RevealKey(ctx, env.Actor(t, "adminagent@partner.example"), apptest.ContosoID, it.ID, ref.Version); err != nil || want != key {
		t.Errorf("the pane shows %q; the purchase's key is %q (%v)", key, want, err)
	}

	// A customer user without the Global admin role (R4).
	const userEmail = "nora.nonadmin@contoso.onmicrosoft.com"
	uc := isoInviteUser(t, env, userEmail)
	before := len(env.EventsSinceEpoch(t, desk.OpGetSoftwareKey, 500)) + len(env.EventsSinceEpoch(t, desk.OpDownload, 500))
	res = env.Get(t, uc, "/portal/products")
	if d := doc(t, res.Body); res.StatusCode != http.StatusOK || testid(d, "portal-product").Length() != rows {
		t.Errorf("customer user Your products: %d, %d rows, want %d", res.StatusCode, testid(d, "portal-product").Length(), rows)
	}
	res = env.Get(t, uc, base)
	d = doc(t, res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(testid(d, "msg-info").Text(), i18n.Get("en").T("portal.admin_only")) {
		t.Errorf("customer user product page: %d, message %q", res.StatusCode, testid(d, "msg-info").Text())
	}
	for _, id := range []string{"portal-kd", "download", "copy-key-pane", "key-pane", "pick-version", "edition-sha256"} {
		if testid(d, id).Length() != 0 {
			t.Errorf("the customer user's product page shows %s", id)
		}
	}
	if strings.Contains(res.Body, key) || strings.Contains(res.Body, "/dl/") {
		t.Error("the customer user's product page holds a key or a link")
	}
	for _, req := range []struct{ method, path string }{
		{http.MethodGet, base + "/editions?" + form.Encode()},
		{http.MethodPost, base + "/key"},
		{http.MethodPost, base + "/download"},
	} {
		for _, hx := range [][]string{nil, htmx()} {
			res := isoDo(t, env, uc, req.method, req.path, form, hx...)
			what := fmt.Sprintf("customer user %s %s (htmx %v)", req.method, req.path, hx != nil)
			if hx == nil {
				isoCheck403(t, what, res, desk.PermCustomerKeys)
			} else if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", what, res.StatusCode)
			}
			if res.Header.Get("Location") != "" || strings.Contains(res.Body, key) || swKeyFormat.MatchString(testid(doc(t, res.Body), "key-value").AttrOr("value", "")) {
				t.Errorf("%s: a refusal carries a key or a link", what)
			}
		}
	}
	if after := len(env.EventsSinceEpoch(t, desk.OpGetSoftwareKey, 500)) + len(env.EventsSinceEpoch(t, desk.OpDownload, 500)); after != before {
		t.Errorf("refusals were recorded as reveals or downloads (%d → %d)", before, after)
	}
	if evs, _ := env.App.Service.RecentEvents(ctx, desk.OpPermissionDenied, 1); len(evs) != 1 || evs[0].ActorEmail != userEmail || evs[0].ActorTenantID != apptest.ContosoID {
		t.Errorf("the customer user's denial is not recorded with their identity: %+v", evs)
	}
}

// A customer session never opens a partner area and a partner session never opens the customer
// area; a session cookie is its own user's, wherever it is sent from.
func TestSessionsNotConfused(t *testing.T) {
	env := apptest.Start(t)
	cust := env.SignIn(t, isoContosoAdmin)
	partnerPaths := []string{"/customers", "/billing", "/support", "/support/new", "/customers/" + apptest.ContosoID}
	for _, r := range env.App.Server.Routes() {
		if r.Method == http.MethodGet && strings.HasPrefix(r.Path, "/settings/") && !strings.Contains(r.Path, ":") {
			partnerPaths = append(partnerPaths, r.Path)
		}
	}
	if !slices.Contains(partnerPaths, "/settings/users") || !slices.Contains(partnerPaths, "/settings/activity") {
		t.Fatalf("settings pages: %v", partnerPaths)
	}
	for _, p := range partnerPaths {
		res := env.Get(t, cust, p)
		if res.StatusCode != http.StatusForbidden || testid(doc(t, res.Body), "error-403").Length() != 1 {
			t.Errorf("customer GET %s: %d, want 403", p, res.StatusCode)
		}
	}
	for _, p := range isoPartners {
		c := env.SignIn(t, p.email)
		for _, path := range []string{"/portal", "/portal/products"} {
			res := env.Get(t, c, path)
			if res.StatusCode != http.StatusForbidden || testid(doc(t, res.Body), "error-403").Length() != 1 {
				t.Errorf("%s GET %s: %d, want 403", p.name, path, res.StatusCode)
			}
		}
		if res := env.Get(t, c, "/"); res.Header.Get("Location") == "/portal" {
			t.Errorf("%s is sent to the customer area", p.name)
		}
	}

	// The REST API takes bearer tokens only: neither a customer's nor a partner's session cookie
	// is a credential there.
	for _, c := range []*http.Client{cust, env.SignIn(t, "globaladmin@partner.example")} {
		for _, p := range []string{"/v1/customers", "/v1/customers/" + apptest.FabrikamID + "/entitlements?entitlementType=software"} {
			if res := env.Get(t, c, p); res.StatusCode != http.StatusUnauthorized || strings.Contains(res.Body, isoFabrikamName) {
				t.Errorf("GET %s with a session cookie: %d, want 401", p, res.StatusCode)
			}
		}
	}

	// The cookie, copied to another client, is the same user there — and only that user.
	u, _ := url.Parse(env.URL)
	for _, tc := range []struct{ email, path string }{{isoContosoAdmin, "/portal"}, {"adminagent@partner.example", "/customers"}} {
		orig := env.SignIn(t, tc.email)
		copyc := env.Client()
		copyc.Jar.SetCookies(u, orig.Jar.Cookies(u))
		res := env.Get(t, copyc, tc.path)
		d := doc(t, res.Body)
		if res.StatusCode != http.StatusOK || !strings.Contains(d.Find(".menu-profile").Text(), tc.email) {
			t.Errorf("copied cookie of %s on %s: %d, profile %q", tc.email, tc.path, res.StatusCode, strings.Join(strings.Fields(d.Find(".menu-profile").Text()), " "))
		}
	}

	// Signing in as a partner in a browser that holds a customer session ends the customer session:
	// the browser is the partner only, and the old customer cookie is dead.
	c := env.SignIn(t, isoContosoAdmin)
	old := c.Jar.Cookies(u)
	if res := env.PostForm(t, c, "/signin", url.Values{"email": {"adminagent@partner.example"}, "password": {"partnerdesk-demo"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d", res.StatusCode)
	}
	if res := env.Get(t, c, "/portal"); res.StatusCode != http.StatusForbidden {
		t.Errorf("after signing in as a partner, /portal: %d, want 403", res.StatusCode)
	}
	if res := env.Get(t, c, "/customers"); res.StatusCode != http.StatusOK {
		t.Errorf("after signing in as a partner, /customers: %d", res.StatusCode)
	}
	replay := env.Client()
	replay.Jar.SetCookies(u, old)
	if res := env.Get(t, replay, "/portal"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
		t.Errorf("the replaced customer session still works: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

// Invite a customer user from the customer's Account tab (partner Global admin only).
func TestInviteCustomerUser(t *testing.T) {
	env := apptest.Start(t)
	path := "/customers/" + apptest.ContosoID + "/users"
	const email = "ivy.invited@contoso.onmicrosoft.com"
	users := func() []string {
		t.Helper()
		list, err := env.App.Service.CustomerUsers(context.Background(), env.Actor(t, "globaladmin@partner.example"), apptest.ContosoID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range list {
			out = append(out, u.Email)
		}
		return out
	}
	before := len(users())
	good := url.Values{"email": {email}, "display_name": {"Ivy Invited"}, "role": {desk.RoleCustomerUser.Slug()}}

	// Everyone but the partner Global admin is refused, and nothing is created.
	for _, p := range append(isoPartners[1:], struct{ name, email string }{"customer-global-admin", isoContosoAdmin}) {
		res := env.PostForm(t, env.SignIn(t, p.email), path, good)
		isoCheck403(t, p.name+" POST "+path, res, desk.PermManageUsers)
	}
	if n := len(users()); n != before {
		t.Fatalf("refused invitations created %d users", n-before)
	}
	ga := env.SignIn(t, "globaladmin@partner.example")
	if d := doc(t, env.Get(t, env.SignIn(t, "adminagent@partner.example"), "/customers/"+apptest.ContosoID+"/account").Body); testid(d, "invite-form").Length() != 0 {
		t.Error("the admin agent is offered the invite form")
	}
	if d := doc(t, env.Get(t, ga, "/customers/"+apptest.ContosoID+"/account").Body); testid(d, "invite-form").Length() != 1 {
		t.Error("the Global admin is not offered the invite form")
	}

	// An invalid email: 422, the field error, the typed values kept.
	res, pw := isoInvite(t, env, ga, apptest.ContosoID, "ivy at contoso", "Ivy Invited", desk.RoleCustomerGlobalAdmin.Slug())
	d := doc(t, res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity || pw != "" || d.Find("#email-err").Text() == "" {
		t.Fatalf("invalid email: %d, error %q", res.StatusCode, d.Find("#email-err").Text())
	}
	if v := d.Find("#email").AttrOr("value", ""); v != "ivy at contoso" {
		t.Errorf("typed email lost: %q", v)
	}
	if v := d.Find("#display_name").AttrOr("value", ""); v != "Ivy Invited" {
		t.Errorf("typed name lost: %q", v)
	}
	if v := d.Find(`input[name="role"][checked]`).AttrOr("value", ""); v != desk.RoleCustomerGlobalAdmin.Slug() {
		t.Errorf("chosen role lost: %q", v)
	}
	// A partner role is not a customer role.
	res, _ = isoInvite(t, env, ga, apptest.ContosoID, email, "Ivy Invited", desk.RoleGlobalAdmin.Slug())
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("customer user with a partner role: %d, want 422", res.StatusCode)
	}
	if n := len(users()); n != before {
		t.Fatalf("invalid invitations created %d users", n-before)
	}

	// A valid invitation: the one-time password once, the user in the list.
	res, pw = isoInvite(t, env, ga, apptest.ContosoID, email, "Ivy Invited", desk.RoleCustomerUser.Slug())
	d = doc(t, res.Body)
	if res.StatusCode != http.StatusOK || len(pw) < 12 {
		t.Fatalf("invite: %d, password %q", res.StatusCode, pw)
	}
	if !strings.Contains(testid(d, "customer-users").Text(), email) || !slices.Contains(users(), email) {
		t.Error("the invited user is not listed")
	}
	if strings.Contains(env.Get(t, ga, "/customers/"+apptest.ContosoID+"/account").Body, pw) {
		t.Error("the one-time password is shown again")
	}
	evs, _ := env.App.Service.RecentEvents(context.Background(), desk.OpCreateUser, 1)
	if len(evs) != 1 || evs[0].ActorEmail != "globaladmin@partner.example" || evs[0].CustomerID != apptest.ContosoID || strings.Contains(evs[0].Detail, pw) {
		t.Errorf("create_user event: %+v", evs)
	}

	// The same email again (in another case) is a field error.
	res, _ = isoInvite(t, env, ga, apptest.ContosoID, strings.ToUpper(email), "Ivy Again", desk.RoleCustomerUser.Slug())
	d = doc(t, res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(d.Find("#email-err").Text(), "already exists") {
		t.Errorf("duplicate: %d, error %q", res.StatusCode, d.Find("#email-err").Text())
	}
	if n := len(users()); n != before+1 {
		t.Errorf("%d users after one invitation, want %d", n, before+1)
	}

	// The new user signs in with the one-time password: they must choose their own password
	// before anything else (R24), then land in their own tenant's customer area.
	c, res := isoSignIn(t, env, email, pw)
	if loc := res.Header.Get("Location"); loc != "/account/security" {
		t.Errorf("the new user lands on %q, want /account/security", loc)
	}
	if res := env.Get(t, c, "/portal"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/security" {
		t.Errorf("before changing the one-time password, /portal: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res = env.PostForm(t, c, "/account/security/password", url.Values{"current_password": {pw}, "new_password": {isoNewPassword}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal") {
		t.Errorf("after the password change: %d %q, want /portal", res.StatusCode, loc)
	}
	res = env.Get(t, c, "/portal")
	if res.StatusCode != http.StatusOK || testid(doc(t, res.Body), "portal-tenant").Text() != "Contoso Ltd." {
		t.Errorf("the new user's /portal: %d", res.StatusCode)
	}
	if res := env.Get(t, c, "/customers"); res.StatusCode != http.StatusForbidden {
		t.Errorf("the new user's /customers: %d, want 403", res.StatusCode)
	}
}
