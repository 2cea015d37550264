package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"

	"github.com/PuerkitoBio/goquery"
)

// huChecker checks pages rendered in Hungarian (SPEC §10): no English UI word, no Go formatting
// error (%!), no raw catalog key, and (at the end) no catalog key missing in hu.
type huChecker struct {
	t *testing.T
	// english are the words of the English catalog that the Hungarian catalog does not use.
	english map[string]bool
	// data are the texts that are data, not UI, and may be English: product and offer titles,
	// company names, addresses, people, emails, file names (longest first).
	data    []string
	keyRe   *regexp.Regexp
	checked int
}

// huIdentifiers matches GUIDs, URLs and URL paths in text.
var huIdentifiers = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|https?://\S+|(?:^|\s)/[\w./-]*`)

// words splits text into lower-case words of letters.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) })
}

func newHUChecker(t *testing.T, env *apptest.Env) *huChecker {
	t.Helper()
	ctx := context.Background()
	en, hu := i18n.Get("en"), i18n.Get("hu")
	// The Hungarian catalog's words, but not of a message left as in English ("REST API" is the
	// one message the same in both).
	huWords := map[string]bool{"rest": true}
	for _, k := range i18n.Keys("hu") {
		if hu.T(k) == en.T(k) {
			continue
		}
		for _, w := range words(hu.T(k)) {
			huWords[w] = true
		}
	}
	var data []string
	add := func(ss ...string) {
		for _, s := range ss {
			if strings.TrimSpace(s) != "" {
				data = append(data, s)
			}
		}
	}
	for _, p := range demo.Catalog() {
		add(p.Title, p.Publisher, p.Family)
		for _, o := range p.Offers {
			add(o.Title, o.Region)
		}
		for _, e := range p.Editions {
			add(e.FileName)
		}
	}
	for _, c := range desk.Countries {
		add(c.NameHU)
	}
	page, err := env.App.Store.FindCustomers(ctx, desk.CustomerFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range page.Items {
		c, err := env.App.Store.FindCustomerByID(ctx, item.ID)
		if err != nil {
			t.Fatal(err)
		}
		add(c.CompanyName, c.Domain, c.Address.Line1, c.Address.City, c.Address.Region, c.Contact.FirstName, c.Contact.LastName, c.Contact.Email)
		users, err := env.App.Store.FindUsers(ctx, desk.UserFilter{CustomerID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			add(u.DisplayName, u.Email)
		}
	}
	for _, u := range demo.PartnerUsers {
		add(u.Name, u.Email)
	}
	// Names: the product's own, currency codes, the Office apps a description lists,
	// and the key import's CSV header, which is English because the importer reads it.
	add("PartnerDesk", "(Word, Excel, PowerPoint, Outlook, Access)", "SUSE Linux Enterprise Server for SAP Applications", "product,version,key")
	for _, c := range desk.Countries {
		add("(" + c.Currency + ")")
	}
	sort.Slice(data, func(i, j int) bool { return len(data[i]) > len(data[j]) })
	dataWords := map[string]bool{}
	for _, s := range data {
		for _, w := range words(s) {
			dataWords[w] = true
		}
	}
	english := map[string]bool{}
	for _, k := range i18n.Keys("en") {
		for _, w := range words(en.T(k)) {
			if !huWords[w] && !dataWords[w] && len([]rune(w)) > 1 {
				english[w] = true
			}
		}
	}
	// Words that are English wherever they appear (even if a Hungarian message kept one), and
	// what services and data wrote in English before the pages translated it.
	for _, w := range []string{"the", "and", "for", "of", "with", "from", "this", "your", "you", "are", "was", "not", "has",
		"customer", "customers", "order", "orders", "invoice", "invoices", "charge", "charges", "credit", "credits",
		"cancel", "cancelled", "cancellation", "download", "downloads", "key", "keys", "product", "products", "status",
		"billing", "settings", "search", "submit", "close", "copy", "copied", "show", "apply", "review", "buy", "save",
		"remove", "add", "user", "users", "role", "roles", "password", "sign", "signed", "help", "support", "request",
		"problem", "tax", "total", "subtotal", "quantity", "price", "term", "year", "years", "day", "days", "month",
		"version", "language", "succeeded", "failed", "line", "lines", "issued", "prorated", "unused", "imported",
		"assigned", "waiting", "reset", "activated", "deactivated", "bit", "window", "passed", "left"} {
		english[w] = true
	}
	var prefixes []string
	for _, k := range i18n.Keys("en") {
		if p, _, ok := strings.Cut(k, "."); ok && !slices.Contains(prefixes, p) {
			prefixes = append(prefixes, regexp.QuoteMeta(p))
		}
	}
	return &huChecker{t: t, english: english, data: data,
		keyRe: regexp.MustCompile(`\b(?:` + strings.Join(prefixes, "|") + `)\.[a-z0-9_][a-z0-9_-]*(?:\.[a-z0-9_-]+)*`)}
}

// check checks one answer; name says which page or fragment it is.
func (h *huChecker) check(name string, res *apptest.Response) *goquery.Document {
	h.t.Helper()
	h.checked++
	if res.StatusCode >= 500 {
		h.t.Errorf("%s: status %d", name, res.StatusCode)
	}
	if strings.Contains(res.Body, "%!") {
		i := strings.Index(res.Body, "%!")
		h.t.Errorf("%s: formatting error near %q", name, res.Body[max(0, i-80):min(len(res.Body), i+40)])
	}
	// Without JavaScript the <noscript> content is HTML the user reads: check it as such.
	d := doc(h.t, strings.NewReplacer("<noscript>", "<div>", "</noscript>", "</div>").Replace(res.Body))
	if strings.Contains(res.Body, "<html") {
		if lang := d.Find("html").AttrOr("lang", ""); lang != "hu" {
			h.t.Errorf("%s: page language %q", name, lang)
		}
	}
	// Not UI text: scripts, code samples, identifiers, the language switch (English and Magyar
	// are each language's own name), and the API operations' identifiers (method, path,
	// parameters, statuses); their summaries and descriptions are translated and checked.
	body := d.Clone()
	body.Find(`script, style, pre, code, .mono, [data-testid="lang-switch"], [data-testid="api-op"] .badge, [data-testid="api-op"] td:nth-child(3), [data-testid="api-statuses"]`).Remove()
	// Each text node and each attribute people read, on its own (words of neighbouring
	// elements must not run together).
	var texts []string
	body.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range []string{"title", "placeholder", "aria-label", "alt", "data-copied-text"} {
			if v, ok := s.Attr(a); ok {
				texts = append(texts, v)
			}
		}
		s.Contents().Each(func(_ int, c *goquery.Selection) {
			if goquery.NodeName(c) == "#text" {
				texts = append(texts, c.Text())
			}
		})
	})
	for _, text := range texts {
		for _, m := range h.keyRe.FindAllString(text, -1) {
			h.t.Errorf("%s: raw catalog key %q", name, m)
		}
		for _, s := range h.data {
			text = strings.ReplaceAll(text, s, " ")
		}
		// Identifiers: GUIDs and URL paths.
		text = huIdentifiers.ReplaceAllString(text, " ")
		reported := map[string]bool{}
		for _, w := range words(text) {
			if h.english[w] && !reported[w] {
				reported[w] = true
				i := strings.Index(strings.ToLower(text), w)
				h.t.Errorf("%s: English word %q in %q", name, w, strings.Join(strings.Fields(text[max(0, i-60):min(len(text), i+60)]), " "))
			}
		}
	}
	return d
}

// huClient signs in and chooses Magyar, as a user would with the language switch.
func huClient(t *testing.T, env *apptest.Env, email string) *http.Client {
	t.Helper()
	c := env.SignIn(t, email)
	res := env.PostForm(t, c, "/settings/language", url.Values{"locale": {"hu"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("language switch for %s: %d", email, res.StatusCode)
	}
	return c
}

// huSoftware returns a customer's software purchases (as the Global admin sees them).
func huSoftware(t *testing.T, env *apptest.Env, customerID string) []desk.SoftwareItem {
	t.Helper()
	_, items, err := env.App.Service.Software(context.Background(), env.Actor(t, apptest.GlobalAdmin), customerID)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// huListedUser is the ID of the user with this email in the list rows (data-testid row) of d, read
// from the row's password form (its action is base + ID + "/password").
func huListedUser(t *testing.T, d *goquery.Document, row, email, base string) string {
	t.Helper()
	var id string
	testid(d, row).Each(func(_ int, s *goquery.Selection) {
		if s.AttrOr("data-email", "") == email {
			id = strings.TrimSuffix(strings.TrimPrefix(s.Find(`form[action$="/password"]`).AttrOr("action", ""), base), "/password")
		}
	})
	if id == "" {
		t.Fatalf("%s is not listed", email)
	}
	return id
}

// Every page and fragment of PartnerDesk, rendered in Hungarian for the roles that see it, is
// Hungarian: no English UI word from the English catalog, no Go formatting error, no raw
// catalog key, no key missing in hu (SPEC §10).
func TestHungarianPages(t *testing.T) {
	env := apptest.Start(t)
	h := newHUChecker(t, env)
	ctx := context.Background()
	contoso := "/customers/" + apptest.ContosoID
	ga := huClient(t, env, apptest.GlobalAdmin)
	get := func(c *http.Client, path string, headers ...string) *goquery.Document {
		t.Helper()
		res := env.Get(t, c, path, headers...)
		if res.StatusCode == http.StatusSeeOther {
			loc := res.Header.Get("Location")
			h.check(path, res)
			res = env.Get(t, c, loc)
			path += " → " + loc
		}
		return h.check(path, res)
	}
	post := func(c *http.Client, path string, form url.Values, headers ...string) *goquery.Document {
		t.Helper()
		res := env.PostForm(t, c, path, form, headers...)
		if res.StatusCode == http.StatusSeeOther {
			loc := res.Header.Get("Location")
			res = env.Get(t, c, loc)
			path += " → " + loc
		}
		return h.check("POST "+path, res)
	}

	// Customers, the customer details and the forms (Global admin).
	get(ga, "/customers")
	get(ga, "/customers?q=nincs-ilyen-ugyfel")
	get(ga, "/customers?q=contoso", htmx()...)
	get(ga, "/customers?sort=domain&desc=1")
	get(ga, "/customers/new")
	d := post(ga, "/customers", url.Values{"company_name": {"Példa Kft."}, "domain": {"nem jó"}, "country": {"HU"}})
	if testid(d, "error-summary").Length() == 0 {
		t.Error("an invalid new customer shows no error")
	}
	// Hungarian forms ask for the family name first.
	if ln, fn := strings.Index(d.Text(), "Vezetéknév"), strings.Index(d.Text(), "Utónév"); ln < 0 || fn < ln {
		t.Error("the Add customer form does not ask for the family name first")
	}
	post(ga, "/customers", url.Values{"company_name": {"Példa Kft."}, "domain": {"peldakft.onmicrosoft.com"}, "country": {"HU"},
		"address_line1": {"Fő utca 1"}, "city": {"Pécs"}, "postal_code": {"7621"}, "first_name": {"Anna"}, "last_name": {"Kiss"}, "email": {"anna@pelda.example"}})
	d = get(ga, contoso+"/account")
	if !strings.Contains(testid(d, "account").Text(), "Nagy Katalin") {
		t.Errorf("the contact is not named family name first: %q", testid(d, "account").Text())
	}
	post(ga, contoso+"/users", url.Values{"email": {"kovacs.eva@contoso.onmicrosoft.com"}, "display_name": {"Kovács Éva"}, "role": {desk.RoleCustomerUser.Slug()}})
	get(ga, contoso+"/orders")
	for _, id := range orderLinks(t, env, ga, apptest.ContosoID) {
		get(ga, contoso+"/orders/"+id)
	}

	// Catalog, cart, review and Buy.
	get(ga, contoso+"/add-products")
	for _, k := range desk.ProductKinds {
		get(ga, contoso+"/add-products?kind="+string(k))
	}
	get(ga, "/customers/"+kosovoID+"/add-products")
	get(ga, "/customers/"+apptest.TenantID("lucernepublishing")+"/add-products") // CHF, 8.1 % VAT
	h.check("cart add", cartAdd(t, env, ga, apptest.ContosoID, wsStd2(t), "2"))
	h.check("cart add 0", cartAdd(t, env, ga, apptest.ContosoID, wsStd2(t), "0"))
	d = get(ga, contoso+"/review")
	key := testid(d, "buy-form").Find(`input[name="idempotency_key"]`).AttrOr("value", "")
	post(ga, contoso+"/orders", url.Values{"idempotency_key": {key}})
	post(ga, contoso+"/orders", url.Values{"idempotency_key": {"elavult"}})
	get(ga, "/customers/"+wingtipID+"/add-products") // AUD, tax included
	cartAdd(t, env, ga, wingtipID, wsStd2(t), "1")
	get(ga, "/customers/"+wingtipID+"/review")
	lucerne := apptest.TenantID("lucernepublishing")
	cartAdd(t, env, ga, lucerne, wsStd2(t), "1")
	if d := get(ga, "/customers/"+lucerne+"/review"); !strings.Contains(testid(d, "totals").Text(), "Adó (8,1%)") {
		t.Errorf("Swiss VAT is not written with a decimal comma: %q", testid(d, "totals").Text())
	}
	get(ga, "/catalog/markets")

	// Software: keys, links, downloads and the cancel dialog in each of its states.
	d = get(ga, contoso+"/software")
	if strings.Contains(d.Text(), "Mégse") {
		t.Error("the Software tab says Mégse")
	}
	items := huSoftware(t, env, apptest.ContosoID)
	var active, cancelled, passed desk.SoftwareItem
	for _, it := range items {
		switch {
		case it.Status != desk.StatusActive && cancelled.ID == "":
			cancelled = it
		case it.Status == desk.StatusActive && it.DaysLeft > 0 && active.ID == "" && len(it.Product.Editions) > 0:
			active = it
		case it.Status == desk.StatusActive && it.DaysLeft == 0 && !it.Product.NeverCancellable && passed.ID == "":
			passed = it
		}
	}
	if active.ID == "" {
		t.Fatal("Contoso has no cancellable purchase with editions")
	}
	ed := active.Product.Editions[0]
	pick := url.Values{"version": {ed.Version}, "language": {ed.Language}, "bitness": {ed.Bitness}}
	base := contoso + "/software/" + active.ID
	get(ga, base+"/editions?"+pick.Encode(), htmx()...)
	get(ga, base+"/editions?"+pick.Encode())
	post(ga, base+"/key", pick, htmx()...)
	post(ga, base+"/key", pick)
	d = post(ga, base+"/link", pick, htmx()...)
	post(ga, base+"/link", pick)
	if link := testid(d, "link-value").AttrOr("value", ""); link == "" {
		t.Error("Copy link shows no link")
	} else if u, err := url.Parse(link); err != nil || env.Get(t, env.Client(), u.Path).StatusCode != http.StatusOK {
		t.Errorf("the shared link %q does not download", link)
	}
	if res := env.PostForm(t, ga, base+"/download", pick); res.StatusCode != http.StatusSeeOther {
		t.Errorf("download: %d", res.StatusCode)
	}
	get(ga, "/dl/ervenytelen-hivatkozas")
	if passed.ID != "" {
		get(ga, contoso+"/software/"+passed.ID+"/cancel", htmx()...)
	}
	big := env.PlaceOrder(t, apptest.ContosoID, apptest.Line(t, "SQL Server 2022 Enterprise - 2 Core", desk.TermNone, 2))
	get(ga, contoso+"/software/"+big.Lines[0].EntitlementID+"/cancel", htmx()...) // needs a support request
	d = get(ga, base+"/cancel", htmx()...)
	if support := testid(d, "support-link"); support.Length() > 0 {
		get(ga, support.AttrOr("href", ""))
	}
	get(ga, base+"/cancel")
	// Cancel a perpetual licence (full credit) and a subscription (prorated credit, R20).
	for _, o := range []desk.Order{
		env.PlaceOrder(t, apptest.ContosoID, apptest.Line(t, "Visio Professional 2024", desk.TermNone, 3)),
		env.PlaceOrder(t, apptest.ContosoID, apptest.Line(t, "SQL Server Standard - 2 Core License Pack - 1 year", desk.TermP1Y, 1)),
	} {
		cbase := contoso + "/software/" + o.Lines[0].EntitlementID
		get(ga, cbase+"/cancel", htmx()...)
		post(ga, cbase+"/cancel", url.Values{"order_id": {o.ID}}, htmx()...) // not acknowledged
		d = post(ga, cbase+"/cancel", url.Values{"order_id": {o.ID}, "acknowledge": {"yes"}}, htmx()...)
		if testid(d, "cancel-confirmation").Length() != 1 {
			t.Errorf("no cancellation confirmation for %s", o.Lines[0].Title)
		}
		get(ga, cbase+"/cancel", htmx()...) // already cancelled
	}
	get(ga, contoso+"/software")

	// Billing: every invoice, with the charges and the credits just made.
	d = get(ga, "/billing")
	if !strings.Contains(d.Text(), "2026. november") {
		t.Error("the billing list does not name the period 2026. november")
	}
	invs, err := env.App.Service.Invoices(ctx, env.Actor(t, apptest.GlobalAdmin))
	if err != nil {
		t.Fatal(err)
	}
	credits := 0
	for _, inv := range invs {
		d := get(ga, "/billing/invoices/"+inv.ID)
		testid(d, "invoice-line-credit").Each(func(_ int, s *goquery.Selection) {
			credits++
			if !strings.Contains(s.Text(), "Lemondás:") || !strings.Contains(s.Text(), "jóváírás") {
				t.Errorf("%s: credit line %q", inv.ID, strings.Join(strings.Fields(s.Text()), " "))
			}
		})
	}
	if credits == 0 {
		t.Error("no invoice shows a credit")
	}
	get(ga, "/billing/invoices/INV-1999-01-HUF")

	// Support.
	get(ga, "/support")
	get(ga, "/support/new")
	h.check("support request invalid", cnFileSupport(t, env, ga, url.Values{"title": {""}}))
	res := cnFileSupport(t, env, ga, url.Values{
		"problem_type": {desk.ProblemRefund}, "impact": {"high"}, "title": {"Visszatérítés kérése"},
		"customer_ref": {apptest.ContosoID}, "order_ref": {active.OrderID}, "refund_reason": {"Tévedésből vásárolták"},
		"requested_amount": {"1234,50 EUR"}, "description": {"Kérjük, térítsék vissza a teljes rendelést."},
		"contact_name": {"Gabriella Global"}, "contact_email": {apptest.GlobalAdmin},
	}, cnFile{"kép.png", cnPNG(t)})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("file a support request: %d", res.StatusCode)
	}
	srPath, _, _ := strings.Cut(res.Header.Get("Location"), "?")
	get(ga, srPath)
	post(ga, srPath+"/status", url.Values{"status": {"in_progress"}})

	// Settings: users, key pools, API tokens, the API page.
	get(ga, "/settings/users")
	d = post(ga, "/settings/users", url.Values{"display_name": {"Szabó Péter"}, "email": {"szabo.peter@partner.example"}, "role": {"sales-agent"}})
	newUser := huListedUser(t, d, "user-row", "szabo.peter@partner.example", "/settings/users/")
	post(ga, "/settings/users/"+newUser+"/roles", url.Values{"role": {"sales-agent", "helpdesk-agent"}})
	post(ga, "/settings/users/"+newUser+"/password", nil)
	post(ga, "/settings/users/"+newUser+"/deactivate", nil)
	post(ga, "/settings/users/"+newUser+"/activate", nil)
	post(ga, "/settings/users", url.Values{"display_name": {""}, "email": {"rossz"}})
	get(ga, "/settings/keys")
	h.check("key import rejected", swUpload(t, env, ga, "kulcsok.csv", "termék,verzió,kulcs\nDG7GMGF0D5RK,1999,ABCDE-ABCDE-ABCDE-ABCDE-ABCDE\nNINCS,2022,rossz\n"))
	d = h.check("key import", swUpload(t, env, ga, "kulcsok.csv", "product,version,key\nDG7GMGF0D5RK,2022,HUNGR-ABCDE-FGHIJ-KLMNO-PQRST\n"))
	if !strings.Contains(testid(d, "msg-success").Text(), "1 kulcs importálva") {
		t.Errorf("import message %q", testid(d, "msg-success").Text())
	}
	get(ga, "/settings/tokens")
	post(ga, "/settings/tokens", url.Values{"email": {apptest.BillingAdmin}, "name": {"Számlaexport"}, "days": {"30"}})
	get(ga, "/settings/tokens") // lists it
	tokens, err := env.App.Service.Tokens(ctx, env.Actor(t, apptest.GlobalAdmin))
	if err != nil || len(tokens) == 0 {
		t.Fatalf("tokens: %v", err)
	}
	post(ga, "/settings/tokens/"+tokens[0].ID+"/revoke", nil)
	post(ga, "/settings/tokens", url.Values{"email": {apptest.BillingAdmin}, "name": {""}, "days": {"999"}})
	get(ga, "/settings/api")
	// Webhooks: a refused URL, a registration (a public address), a test event, a change, a rotation.
	get(ga, "/settings/webhooks")
	post(ga, "/settings/webhooks", url.Values{"url": {"http://nem-jo.example"}, "events": {"order-created"}})
	post(ga, "/settings/webhooks", url.Values{"url": {"https://203.0.113.10/ertesites"}, "events": {"order-created", "test-created"}})
	post(ga, "/settings/webhooks/test", nil)
	post(ga, "/settings/webhooks", url.Values{"url": {"https://203.0.113.10/ertesites"}, "events": {"order-created", "order-updated", "test-created"}})
	post(ga, "/settings/webhooks/rotate", nil)

	// Errors.
	get(ga, "/customers/00000000-0000-0000-0000-000000000000")
	get(ga, "/nincs-ilyen-oldal")

	// The other partner roles.
	billing := huClient(t, env, apptest.BillingAdmin)
	get(billing, "/")
	d = get(billing, "/customers/new") // 403 naming the roles needed (R5)
	if testid(d, "roles-needed").Length() != 1 {
		t.Error("the 403 page does not name the roles needed")
	}
	get(billing, contoso+"/orders")
	get(billing, "/billing")
	h.check("403 fragment", env.Get(t, billing, contoso+"/software", htmx()...))
	helpdesk := huClient(t, env, apptest.Helpdesk)
	get(helpdesk, contoso+"/software")
	sales := huClient(t, env, apptest.SalesAgent)
	get(sales, contoso+"/add-products")
	referrals := huClient(t, env, apptest.ReferralsAdmin)
	get(referrals, "/")
	// My account → Security (R22, R24): two-step verification set up (with a wrong code first),
	// the code step of a sign-in (with a wrong code), new recovery codes, turned off, set up
	// again and reset by the Global admin; the password change with its errors; the one-time
	// password step; the admin center's Users page with its actions.
	hd := huClient(t, env, apptest.Helpdesk)
	enrol := func() string {
		t.Helper()
		d := get(hd, "/account/security")
		secret := strings.TrimSpace(testid(d, "totp-secret").Text())
		setup := testid(d, "enrol-form").Find(`input[name="setup"]`).AttrOr("value", "")
		post(hd, "/account/security/mfa", url.Values{"setup": {setup}, "code": {"000000"}})
		if d := post(hd, "/account/security/mfa", url.Values{"setup": {setup}, "code": {env.TOTPCode(t, secret)}}); testid(d, "recovery-code").Length() != 10 {
			t.Fatal("no recovery codes after the set-up")
		}
		env.Clock.Advance(30 * time.Second)
		return secret
	}
	secret := enrol()
	get(hd, "/account/security")
	two := env.Client()
	hu2 := []string{"Accept-Language", "hu"}
	env.PostForm(t, two, "/signin", url.Values{"email": {apptest.Helpdesk}, "password": {apptest.Password}}, hu2...)
	get(two, "/signin/mfa")
	post(two, "/signin/mfa", url.Values{"code": {"000000"}})
	post(two, "/signin/mfa", url.Values{"code": {""}})
	post(two, "/signin/mfa", url.Values{"code": {env.TOTPCode(t, secret)}})
	env.Clock.Advance(30 * time.Second)
	post(hd, "/account/security/mfa/recovery-codes", url.Values{"code": {"000000"}})
	post(hd, "/account/security/mfa/recovery-codes", url.Values{"code": {env.TOTPCode(t, secret)}})
	env.Clock.Advance(30 * time.Second)
	post(hd, "/account/security/mfa/disable", url.Values{"code": {env.TOTPCode(t, secret)}})
	enrol()
	get(ga, "/settings/users")
	post(ga, "/settings/users/"+env.Actor(t, apptest.Helpdesk).User.ID+"/mfa-reset", nil)
	hd = huClient(t, env, apptest.Helpdesk)
	post(hd, "/account/security/password", url.Values{"current_password": {"rossz"}, "new_password": {"rövid"}})
	post(hd, "/account/security/password", url.Values{"current_password": {apptest.Password}, "new_password": {"hosszú-új-jelszó-2026"}})
	post(hd, "/account/security/tokens", url.Values{"name": {""}, "days": {"0"}})
	post(hd, "/account/security/tokens", url.Values{"name": {"Jelentések"}, "days": {"30"}})
	d = post(ga, "/settings/users/"+newUser+"/password", nil)
	otp := strings.TrimSpace(testid(d, "one-time-password").Find("code").Text())
	fresh := env.Client()
	env.PostForm(t, fresh, "/signin", url.Values{"email": {"szabo.peter@partner.example"}, "password": {otp}}, hu2...)
	get(fresh, "/account/security", hu2...)
	post(fresh, "/account/security/password", url.Values{"current_password": {otp}, "new_password": {"rövid"}}, hu2...)
	custAdmin := huClient(t, env, apptest.ContosoAdmin)
	get(custAdmin, "/account/security")
	get(custAdmin, "/portal/users")
	d = post(custAdmin, "/portal/users", url.Values{"email": {"toth.anna@contoso.onmicrosoft.com"}, "display_name": {"Tóth Anna"}, "role": {desk.RoleCustomerUser.Slug()}})
	post(custAdmin, "/portal/users", url.Values{"email": {"rossz"}, "display_name": {""}})
	anna := huListedUser(t, d, "customer-user", "toth.anna@contoso.onmicrosoft.com", "/portal/users/")
	for _, a := range []string{"deactivate", "activate", "password", "mfa-reset", "remove"} {
		post(custAdmin, "/portal/users/"+anna+"/"+a, nil)
	}
	post(custAdmin, "/portal/users/"+anna+"/remove", url.Values{"confirm": {"yes"}})
	post(custAdmin, "/portal/users/"+env.Actor(t, apptest.ContosoAdmin).User.ID+"/deactivate", nil)
	get(ga, contoso+"/account")

	// A failed sign-in of an unknown account, a refused request and a sign-out, for the log.
	env.PostForm(t, env.SignIn(t, apptest.AdminAgent), "/signout", nil)
	env.PostForm(t, env.Client(), "/signin", url.Values{"email": {"nincs@partner.example"}, "password": {"rossz-jelszo"}})
	env.Get(t, referrals, "/settings/users")

	// The activity log: every operation of the range, the chart, a second page, filter errors.
	d = get(referrals, "/settings/activity")
	if !strings.Contains(d.Text(), "Sikeres") {
		t.Error("the activity log does not translate the status")
	}
	seen := map[string]bool{}
	testid(d, "activity-row").Each(func(_ int, s *goquery.Selection) { seen[s.AttrOr("data-operation", "")] = true })
	for _, op := range desk.Operations {
		dd := get(referrals, "/settings/activity?"+url.Values{"action": {op}}.Encode())
		if testid(dd, "activity-row").Length() > 0 {
			seen[op] = true
		}
		if next := testid(dd, "activity-next"); next.Length() > 0 {
			get(referrals, next.AttrOr("href", ""), htmx()...)
		}
	}
	var unseen []string
	for _, op := range desk.Operations {
		if !seen[op] {
			unseen = append(unseen, op)
		}
	}
	if len(unseen) > 0 {
		t.Errorf("no event of %v was rendered", unseen)
	}
	get(referrals, "/settings/activity?from=2026-11-25&to=2026-11-01")
	get(referrals, "/settings/activity?from=2024-01-01&to=2026-11-25")
	get(referrals, "/settings/activity?from=tegnap&to=2026-11-25&action=nincs", htmx()...)

	// The customer's admin center: Global admin of the tenant, and a user without keys.
	cust := huClient(t, env, apptest.ContosoAdmin)
	get(cust, "/")
	get(cust, "/portal/products")
	for _, it := range huSoftware(t, env, apptest.ContosoID) {
		if len(it.Product.Editions) == 0 {
			continue
		}
		p := "/portal/products/" + it.ID
		get(cust, p)
		if it.Status == desk.StatusActive {
			e := it.Product.Editions[0]
			q := url.Values{"version": {e.Version}, "language": {e.Language}, "bitness": {e.Bitness}}
			get(cust, p+"/editions?"+q.Encode(), htmx()...)
			post(cust, p+"/key", q, htmx()...)
			post(cust, p+"/key", q)
		}
	}
	get(cust, "/customers") // 403 inside the admin center
	nonAdmin := isoInviteUser(t, env, "nora@contoso.onmicrosoft.com")
	env.PostForm(t, nonAdmin, "/settings/language", url.Values{"locale": {"hu"}})
	get(nonAdmin, "/portal/products/"+items[0].ID)

	// Signed out: the sign-in page and its error, in the browser's language.
	anon := env.Client()
	hu := []string{"Accept-Language", "hu-HU,hu;q=0.9"}
	get(anon, "/signin", hu...)
	h.check("sign-in error", env.PostForm(t, anon, "/signin", url.Values{"email": {"x@partner.example"}, "password": {"rossz"}}, hu...))
	h.check("language error", env.PostForm(t, anon, "/settings/language", url.Values{"locale": {"de"}}, hu...))

	if h.checked < 100 {
		t.Errorf("only %d answers checked", h.checked)
	}
	var missing []string
	for _, k := range i18n.MissingKeys() {
		if strings.HasPrefix(k, "hu: ") {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		t.Errorf("keys missing in hu: %v", missing)
	}
	t.Logf("%d answers checked against %d English words", h.checked, len(h.english))
}
