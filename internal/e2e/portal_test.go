package e2e

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"

	"github.com/chromedp/chromedp"
)

// ptPick is a select of the customer's Downloads & keys picker.
func ptPick(pick string) chromedp.CSS {
	return chromedp.CSS(`[data-testid="portal-kd"] [data-testid="` + pick + `"]`)
}

// ptOptions reads the option values of a picker select.
func ptOptions(t *testing.T, ctx context.Context, pick string) []string {
	t.Helper()
	return get(t, ctx, "read the "+pick+" options", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll(`+strconv.Quote(string(ptPick(pick))+` option`)+`), o => o.value)`))
}

// ptChoose changes a picker select as a user does (a change event) and waits until htmx has
// replaced the picker form with the reloaded one.
func ptChoose(t *testing.T, ctx context.Context, pick, value string) {
	t.Helper()
	if !get(t, ctx, "choose "+value+" in "+pick, chromedp.Evaluate[bool](`(() => {
		const s = document.querySelector(`+strconv.Quote(string(ptPick(pick)))+`);
		if (!s || !Array.from(s.options).some(o => o.value === `+strconv.Quote(value)+`)) return false;
		s.closest('form').dataset.stale = '1';
		s.value = `+strconv.Quote(value)+`;
		s.dispatchEvent(new Event('change', {bubbles: true}));
		return true;
	})()`)) {
		t.Fatalf("%s has no option %q", pick, value)
	}
	get(t, ctx, "wait for the picker to reload after choosing "+value, chromedp.Poll[bool](`(() => {
		const f = document.querySelector('[data-testid="portal-kd"]');
		return !!f && !f.dataset.stale && !f.classList.contains('htmx-settling') && !f.classList.contains('htmx-swapping');
	})()`, chromedp.WithPollingInterval(pollInterval)))
}

// The customer's Global admin in the customer area (SPEC §4, R4): Your products → a product →
// pick an edition → Copy key to clipboard (side pane) → Copy → close → Download (the file's
// SHA-256 is the page's); another tenant's product typed into the URL is a plain 404.
func TestCustomerPortalKeysAndDownload(t *testing.T) {
	env := apptest.Start(t)
	ctx := newBrowser(t)
	downloads := downloadsTo(t, ctx)

	var it desk.SoftwareItem
	contosoTitles := map[string]bool{}
	contosoItems := env.Software(t, apptest.ContosoID)
	for _, x := range contosoItems {
		contosoTitles[x.OfferTitle] = true
		if x.Status == desk.StatusActive && strings.Contains(x.OfferTitle, "Windows Server 2022 Standard - 2 Core") {
			it = x
		}
	}
	if it.ID == "" {
		t.Fatal("Contoso has no active Windows Server 2022 Standard purchase")
	}
	// Fabrikam's purchase, with a title that Contoso's pages could not show for another reason.
	var fab desk.SoftwareItem
	for _, x := range env.Software(t, apptest.FabrikamID) {
		if x.Status == desk.StatusActive && !contosoTitles[x.OfferTitle] {
			fab = x
			break
		}
	}
	if fab.ID == "" {
		t.Fatal("Fabrikam has no purchase of its own")
	}

	signInDemo(t, ctx, env, apptest.ContosoAdmin)
	if u := location(t, ctx); u.Path != "/portal" {
		t.Fatalf("after sign-in the customer admin is on %s, want /portal", u.Path)
	}
	if got := text(t, ctx, "portal-tenant"); got != "Contoso Ltd." {
		t.Fatalf("the customer area shows %q", got)
	}

	row := `[data-testid="portal-product"][data-entitlement-id="` + it.ID + `"]`
	run(t, ctx, "open Your products",
		chromedp.Click(testID("nav-your-products")),
		chromedp.WaitVisible(testID("portal-products")),
		chromedp.WaitVisible(chromedp.CSS(row)),
	)
	if u := location(t, ctx); u.Path != "/portal/products" {
		t.Errorf("Your products is at %s", u.Path)
	}
	if n := get(t, ctx, "count the products", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="portal-product"]').length`)); n != len(contosoItems) {
		t.Errorf("Your products lists %d products, Contoso has %d", n, len(contosoItems))
	}
	if strings.Contains(get(t, ctx, "read the page", chromedp.Evaluate[string](`document.body.innerText`)), "Fabrikam") {
		t.Error("Contoso's products page names Fabrikam")
	}
	screenshot(t, ctx, "portal-your-products")

	run(t, ctx, "open "+it.OfferTitle,
		chromedp.Click(chromedp.CSS(row+` [data-testid="portal-product-link"]`)),
		chromedp.WaitVisible(testID("portal-kd")),
		chromedp.WaitVisible(testID("copy-key-pane")),
	)
	if got := text(t, ctx, "portal-product-title"); got != it.OfferTitle {
		t.Errorf("product page title %q, want %q", got, it.OfferTitle)
	}

	// Pick an edition: another version, then another language; each change reloads the picker.
	versions := ptOptions(t, ctx, "pick-version")
	if len(versions) < 2 {
		t.Fatalf("versions %v", versions)
	}
	version := versions[1]
	ptChoose(t, ctx, "pick-version", version)
	langs := ptOptions(t, ctx, "pick-language")
	cur := get(t, ctx, "read the language", chromedp.Value(ptPick("pick-language")))
	lang := langs[slices.IndexFunc(langs, func(l string) bool { return l != cur })]
	ptChoose(t, ctx, "pick-language", lang)
	ref := desk.EditionRef{
		Version:  get(t, ctx, "read the version", chromedp.Value(ptPick("pick-version"))),
		Language: get(t, ctx, "read the language", chromedp.Value(ptPick("pick-language"))),
		Bitness:  get(t, ctx, "read the bitness", chromedp.Value(ptPick("pick-bitness"))),
	}
	if ref.Version != version || ref.Language != lang {
		t.Fatalf("the picker shows %+v after choosing %s and %s", ref, version, lang)
	}
	ed, ok := it.Product.Edition(ref)
	if !ok {
		t.Fatalf("no edition %+v", ref)
	}
	pageSHA := strings.TrimSpace(get(t, ctx, "read the SHA-256", chromedp.Text(testID("edition-sha256"), chromedp.NodeVisible)))
	if pageSHA != ed.SHA256 {
		t.Fatalf("the page's SHA-256 for %+v is %q, want %q", ref, pageSHA, ed.SHA256)
	}

	// Copy key to clipboard: the side pane with the key of the chosen version.
	pane := chromedp.CSS(`dialog.pane[open][data-testid="key-pane"]`)
	run(t, ctx, "click Copy key to clipboard",
		chromedp.Click(testID("copy-key-pane")),
		chromedp.WaitVisible(pane),
	)
	key := get(t, ctx, "read the key", chromedp.Value(chromedp.CSS(`dialog[open] [data-testid="key-value"]`)))
	if !regexp.MustCompile(`^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$`).MatchString(key) {
		t.Fatalf("the pane shows %q, not a product key", key)
	}
	if !strings.Contains(get(t, ctx, "read the pane", chromedp.Text(pane)), version) {
		t.Errorf("the pane does not name version %s", version)
	}
	screenshot(t, ctx, "portal-key-pane")
	copyKey(t, ctx)
	run(t, ctx, "close the pane",
		chromedp.Click(chromedp.CSS(`dialog[open] .pane-close`)),
		chromedp.WaitNotPresent(pane),
	)
	evs, _ := env.App.Service.RecentEvents(context.Background(), desk.OpGetSoftwareKey, 1)
	if len(evs) != 1 || evs[0].ActorEmail != apptest.ContosoAdmin || evs[0].ActorTenantID != apptest.ContosoID || evs[0].Detail != "version "+version {
		t.Errorf("get_software_key event: %+v", evs)
	}
	u, _, err := env.App.Store.FindUserByEmail(context.Background(), apptest.AdminAgent)
	if err != nil {
		t.Fatal(err)
	}
	if want, err := env.App.Service.RevealKey(context.Background(), desk.Actor{User: u, IP: "127.0.0.1"}, apptest.ContosoID, it.ID, version); err != nil || want != key {
		t.Errorf("the pane shows %q; the purchase's %s key is %q (%v)", key, version, want, err)
	}

	// Download: the browser saves the chosen edition's file.
	run(t, ctx, "click Download", chromedp.Click(testID("download")))
	download(t, ctx, downloads, ed.FileName, ed.Size, pageSHA)
	dl, _ := env.App.Service.RecentEvents(context.Background(), desk.OpDownload, 1)
	if len(dl) != 1 || dl[0].ActorEmail != apptest.ContosoAdmin || dl[0].ActorTenantID != apptest.ContosoID || !strings.Contains(dl[0].Detail, ed.FileName) {
		t.Errorf("download_software event: %+v", dl)
	}

	// Another tenant's product typed into the URL: the 404 page, nothing of Fabrikam's.
	run(t, ctx, "open Fabrikam's product by URL",
		chromedp.Navigate(env.URL+"/portal/products/"+fab.ID),
		chromedp.WaitVisible(testID("error-404")),
	)
	body := get(t, ctx, "read the 404 page", chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	for _, s := range []string{fab.OfferTitle, "Fabrikam", apptest.FabrikamID} {
		if strings.Contains(body, s) {
			t.Errorf("the 404 page holds %q", s)
		}
	}
	if n := get(t, ctx, "look for a picker", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="portal-kd"], [data-testid="key-pane"]').length`)); n != 0 {
		t.Error("the 404 page offers keys or downloads")
	}
}
