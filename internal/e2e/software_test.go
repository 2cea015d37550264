package e2e

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// swRowCSS is the CSS selector of a purchase's tbody on the Software tab.
func swRowCSS(entID string) string {
	return `[data-testid="software-row"][data-entitlement-id="` + entID + `"]`
}

// swIn selects the element with the data-testid inside a purchase's row.
func swIn(entID, id string) chromedp.CSS {
	return chromedp.CSS(swRowCSS(entID) + ` [data-testid="` + id + `"]`)
}

// swPurchase returns a Contoso software purchase (entitlement ID and product) by offer title.
func swPurchase(t *testing.T, env *apptest.Env, match string) (string, desk.Product) {
	t.Helper()
	it := env.Purchase(t, apptest.ContosoID, match)
	return it.ID, it.Product
}

// swOptions reads the option values of a purchase's picker select.
func swOptions(t *testing.T, ctx context.Context, entID, pick string) []string {
	t.Helper()
	return get(t, ctx, "read the "+pick+" options", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll(`+strconv.Quote(swRowCSS(entID)+` [data-testid="`+pick+`"] option`)+`), o => o.value)`))
}

// swChoose changes a picker select as a user does (a change event) and waits until htmx has
// replaced the picker with the narrowed one.
func swChoose(t *testing.T, ctx context.Context, entID, pick, value string) {
	t.Helper()
	sel := strconv.Quote(swRowCSS(entID) + ` [data-testid="` + pick + `"]`)
	form := strconv.Quote(swRowCSS(entID) + ` [data-testid="kd-form"]`)
	get(t, ctx, "choose "+value+" in "+pick, chromedp.Evaluate[bool](`(() => {
		const s = document.querySelector(`+sel+`);
		if (!s || !Array.from(s.options).some(o => o.value === `+strconv.Quote(value)+`)) return false;
		s.closest('form').dataset.stale = '1';
		s.value = `+strconv.Quote(value)+`;
		s.dispatchEvent(new Event('change', {bubbles: true}));
		return true;
	})()`))
	get(t, ctx, "wait for the picker to reload after choosing "+value, chromedp.Poll[bool](`(() => {
		const f = document.querySelector(`+form+`);
		return !!f && !f.dataset.stale && !f.classList.contains('htmx-settling') && !f.classList.contains('htmx-swapping');
	})()`, chromedp.WithPollingInterval(pollInterval)))
}

// swPicked reads the picker's chosen version, language and bitness.
func swPicked(t *testing.T, ctx context.Context, entID string) desk.EditionRef {
	t.Helper()
	v := func(pick string) string { return get(t, ctx, "read "+pick, chromedp.Value(swIn(entID, pick))) }
	return desk.EditionRef{Version: v("pick-version"), Language: v("pick-language"), Bitness: v("pick-bitness")}
}

func swText(t *testing.T, ctx context.Context, what string, sel chromedp.CSS) string {
	t.Helper()
	return strings.TrimSpace(get(t, ctx, "read "+what, chromedp.Text(sel, chromedp.NodeVisible)))
}

// grantClipboard lets the page write and read the clipboard (a person's click would; the test
// reads it back to check what Copy put there).
func grantClipboard(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true}, Setting: browser.PermissionSettingGranted,
		}); err != nil {
			t.Fatalf("grant %s: %v", name, err)
		}
	}
}

// An Admin agent picks editions in the cascading selects, gets a key from the modal (focus,
// copy, Escape), copies a download link that works signed out, and downloads the file.
func TestSoftwareKeysAndDownloads(t *testing.T) {
	env := apptest.Start(t)
	ctx := newBrowser(t)
	office, officeP := swPurchase(t, env, "Office LTSC Professional Plus 2024")
	ws, wsP := swPurchase(t, env, "Windows Server 2022 Standard - 2 Core")
	downloads := downloadsTo(t, ctx)

	grantClipboard(t, ctx)

	signInDemo(t, ctx, env, apptest.AdminAgent)
	run(t, ctx, "open Contoso's Software tab",
		chromedp.Navigate(env.URL+"/customers/"+apptest.ContosoID+"/software"),
		chromedp.WaitVisible(testID("software-table")),
		chromedp.WaitVisible(swIn(ws, "kd-toggle")),
	)
	// One compact row per purchase: the pickers show only when Keys and downloads is opened.
	if get(t, ctx, "look for visible pickers", chromedp.Evaluate[int](`Array.from(document.querySelectorAll('[data-testid="pick-version"], [data-testid="get-key"]')).filter(e => e.checkVisibility()).length`)) != 0 {
		t.Error("pickers show before Keys and downloads is opened")
	}
	screenshot(t, ctx, "software-tab")
	// The order ID shows truncated, whole in its text, with a copy button beside it.
	orderID := strings.TrimSpace(get(t, ctx, "read the order ID", chromedp.Text(swIn(ws, "software-order"))))
	run(t, ctx, "copy the order ID", chromedp.Click(chromedp.CSS(swRowCSS(ws)+` .copy-id`)))
	get(t, ctx, "wait for the copied order ID", chromedp.Poll[bool](`document.querySelector(`+strconv.Quote(swRowCSS(ws)+` .copy-id`)+`).dataset.copied === 'true'`, chromedp.WithPollingInterval(pollInterval)))
	if clip := get(t, ctx, "read the clipboard", chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise)); clip != orderID || len(orderID) != 36 {
		t.Errorf("the clipboard holds %q, want the order ID %q", clip, orderID)
	}
	run(t, ctx, "open Keys and downloads of Office and Windows Server",
		chromedp.Click(swIn(office, "kd-toggle")),
		chromedp.WaitVisible(swIn(office, "pick-bitness")),
		chromedp.Click(swIn(ws, "kd-toggle")),
		chromedp.WaitVisible(swIn(ws, "get-key")),
	)

	// Office has 32-bit builds, Windows Server only 64-bit.
	if got := swOptions(t, ctx, office, "pick-bitness"); !slices.Equal(got, []string{"64-bit", "32-bit"}) {
		t.Errorf("Office bitness options %v", got)
	}
	if got := swOptions(t, ctx, ws, "pick-bitness"); !slices.Equal(got, []string{"64-bit"}) {
		t.Errorf("Windows Server bitness options %v", got)
	}

	// Office: Hungarian, 32-bit, then another version; the choices persist through each reload.
	swChoose(t, ctx, office, "pick-language", "hu-hu")
	swChoose(t, ctx, office, "pick-bitness", "32-bit")
	swChoose(t, ctx, office, "pick-version", "2021")
	want := desk.EditionRef{Version: "2021", Language: "hu-hu", Bitness: "32-bit"}
	if got := swPicked(t, ctx, office); got != want {
		t.Errorf("Office picker after three choices: %+v, want %+v", got, want)
	}
	ed, _ := officeP.Edition(want)
	if got := swText(t, ctx, "the Office SHA-256", swIn(office, "edition-sha256")); got != ed.SHA256 {
		t.Errorf("Office %+v SHA-256 %q, want %q", want, got, ed.SHA256)
	}
	if got := swOptions(t, ctx, office, "pick-bitness"); !slices.Equal(got, []string{"64-bit", "32-bit"}) {
		t.Errorf("Office 2021 bitness options %v", got)
	}

	// Windows Server: 2019 in Hungarian, still 64-bit only.
	swChoose(t, ctx, ws, "pick-version", "2019")
	swChoose(t, ctx, ws, "pick-language", "hu-hu")
	ref := desk.EditionRef{Version: "2019", Language: "hu-hu", Bitness: "64-bit"}
	if got := swPicked(t, ctx, ws); got != ref {
		t.Errorf("Windows Server picker: %+v, want %+v", got, ref)
	}
	if got := swOptions(t, ctx, ws, "pick-bitness"); !slices.Equal(got, []string{"64-bit"}) {
		t.Errorf("Windows Server 2019 bitness options %v", got)
	}
	wsEd, _ := wsP.Edition(ref)
	pageSHA := swText(t, ctx, "the Windows Server SHA-256", swIn(ws, "edition-sha256"))
	if pageSHA != wsEd.SHA256 {
		t.Fatalf("Windows Server %+v SHA-256 %q, want %q", ref, pageSHA, wsEd.SHA256)
	}

	// Get key: a modal dialog with the focus inside it.
	run(t, ctx, "click Get key",
		chromedp.Click(swIn(ws, "get-key")),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open][data-testid="key-dialog"]`)),
	)
	if !get(t, ctx, "check the dialog is modal", chromedp.Evaluate[bool](`document.querySelector('dialog[data-testid="key-dialog"]').matches(':modal')`)) {
		t.Error("the key dialog is not modal")
	}
	if !get(t, ctx, "check the focus", chromedp.Evaluate[bool](`!!document.activeElement && !!document.activeElement.closest('dialog[open][data-testid="key-dialog"]')`)) {
		t.Error("the focus is not inside the key dialog")
	}
	key := get(t, ctx, "read the key", chromedp.Value(chromedp.CSS(`dialog[open] [data-testid="key-value"]`)))
	if !regexp.MustCompile(`^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$`).MatchString(key) {
		t.Fatalf("the dialog shows %q, not a product key", key)
	}
	u, _, err := env.App.Store.FindUserByEmail(context.Background(), apptest.AdminAgent)
	if err != nil {
		t.Fatal(err)
	}
	if want, err := env.App.Service.RevealKey(context.Background(), desk.Actor{User: u, IP: "127.0.0.1"}, apptest.ContosoID, ws, "2019"); err != nil || key != want {
		t.Errorf("the dialog shows %q; the purchase's 2019 key is %q (%v)", key, want, err)
	}
	screenshot(t, ctx, "software-key-dialog")

	// Copy: the live region announces it (the clipboard itself may be refused to headless Chromium).
	copyKey(t, ctx)

	// Escape closes the dialog and gives the focus back to Get key.
	run(t, ctx, "press Escape",
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotPresent(chromedp.CSS(`dialog[open][data-testid="key-dialog"]`)),
	)
	get(t, ctx, "wait for the focus to return to Get key", chromedp.Poll[bool](
		`document.activeElement === document.querySelector(`+strconv.Quote(swRowCSS(ws)+` [data-testid="get-key"]`)+`)`,
		chromedp.WithPollingInterval(pollInterval)))

	// Copy link copies at once and says so, with the expiry (5 days); the link shows in the
	// purchase's row for a second copy.
	run(t, ctx, "click Copy link",
		chromedp.Click(swIn(ws, "copy-link")),
		chromedp.WaitVisible(swIn(ws, "link-value")),
	)
	link := get(t, ctx, "read the link", chromedp.Value(swIn(ws, "link-value")))
	if !strings.HasPrefix(link, env.URL+"/dl/") {
		t.Fatalf("link %q is not an absolute link of %s", link, env.URL)
	}
	expiryAt := i18n.Get("en").DateTime(apptest.Epoch.Add(5 * 24 * time.Hour))
	get(t, ctx, "wait for Link copied", chromedp.Poll[bool](`(() => {
		const s = document.querySelector(`+strconv.Quote(swRowCSS(ws)+` [data-testid="link-status"]`)+`);
		return !!s && s.textContent.trim() === `+strconv.Quote("Link copied · expires "+expiryAt)+`;
	})()`, chromedp.WithPollingInterval(pollInterval)))
	if clip := get(t, ctx, "read the clipboard", chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise)); clip != link {
		t.Errorf("the clipboard holds %q, want the link %q", clip, link)
	}
	expiry := swText(t, ctx, "the link expiry", swIn(ws, "link-expiry"))
	if !strings.Contains(expiry, expiryAt) {
		t.Errorf("link expiry reads %q, want it to name %s", expiry, expiryAt)
	}
	if !get(t, ctx, "check the picker", chromedp.Evaluate[bool](`!!document.querySelector(`+strconv.Quote(swRowCSS(ws)+` [data-testid="pick-version"]`)+`)`)) {
		t.Error("the picker is gone after Copy link")
	}

	// The link works for someone who is not signed in.
	res, err := (&http.Client{Timeout: 30 * time.Second}).Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || apptest.SHA256(body) != pageSHA {
		t.Fatalf("GET the copied link signed out: %d, SHA-256 %s; the page says %s", res.StatusCode, apptest.SHA256(body), pageSHA)
	}
	evs, _ := env.App.Service.RecentEvents(context.Background(), desk.OpSharedDownload, 5)
	if len(evs) != 1 || evs[0].ActorEmail != apptest.AdminAgent {
		t.Errorf("download_software_shared_link events: %+v", evs)
	}
	screenshot(t, ctx, "software-copy-link")

	// Download: the browser saves the file.
	run(t, ctx, "click Download", chromedp.Click(swIn(ws, "download")))
	download(t, ctx, downloads, wsEd.FileName, wsEd.Size, pageSHA)
	dl, _ := env.App.Service.RecentEvents(context.Background(), desk.OpDownload, 5)
	if len(dl) != 1 || dl[0].ActorEmail != apptest.AdminAgent || !strings.Contains(dl[0].Detail, wsEd.FileName) {
		t.Errorf("download_software events: %+v", dl)
	}
	// The page stayed where it was.
	if u := location(t, ctx); u.Path != "/customers/"+apptest.ContosoID+"/software" {
		t.Errorf("after Download the browser is at %s", u.Path)
	}
}
