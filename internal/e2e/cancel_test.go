package e2e

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"

	"github.com/chromedp/chromedp"
)

// cxDialog is the open cancel dialog.
const cxDialog = `dialog[open][data-testid="cancel-dialog"]`

// cxIn selects an element with the data-testid inside the open cancel dialog.
func cxIn(id string) chromedp.CSS { return chromedp.CSS(cxDialog + ` [data-testid="` + id + `"]`) }

// cxPlace places a fresh order of one Windows Server 2022 Standard licence for Contoso as the
// sales agent: inside the window, below the amount limit, never downloaded.
func cxPlace(t *testing.T, env *apptest.Env) desk.Order {
	t.Helper()
	ctx := context.Background()
	u, _, err := env.App.Store.FindUserByEmail(ctx, apptest.SalesAgent)
	if err != nil {
		t.Fatal(err)
	}
	offer := apptest.Offer(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone)
	o, _, err := env.App.Service.PlaceOrder(ctx, desk.Actor{User: u, IP: "127.0.0.1"}, apptest.ContosoID, "e2e-"+t.Name(), []desk.CartLine{{OfferID: offer.ID, Quantity: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// cxLineStatus reads an order line's status and number of cancellations from the store.
func cxLineStatus(t *testing.T, env *apptest.Env, orderID string, line int) (string, int) {
	t.Helper()
	ctx := context.Background()
	o, err := env.App.Store.FindOrder(ctx, apptest.ContosoID, orderID)
	if err != nil {
		t.Fatal(err)
	}
	n, err := env.App.Store.CountCancellations(ctx, orderID, line)
	if err != nil {
		t.Fatal(err)
	}
	return o.Lines[line].Status, n
}

// cxOpenDialog clicks a purchase's Cancel button and waits for the modal dialog.
func cxOpenDialog(t *testing.T, ctx context.Context, entID string) {
	t.Helper()
	run(t, ctx, "click Cancel on the purchase",
		chromedp.Click(swIn(entID, "cancel")),
		chromedp.WaitVisible(chromedp.CSS(cxDialog)),
	)
	if !get(t, ctx, "check the dialog", chromedp.Evaluate[bool](`(() => {
		const d = document.querySelector(`+strconv.Quote(cxDialog)+`);
		return d.matches(':modal') && d.getAttribute('role') === 'alertdialog';
	})()`)) {
		t.Error("the cancel dialog is not a modal alert dialog")
	}
	// An alert dialog starts on its least destructive button.
	get(t, ctx, "wait for the focus on Keep the purchase", chromedp.Poll[bool](
		`(() => { const a = document.activeElement; return !!a && a.matches(`+strconv.Quote(cxDialog+` [data-testid="cancel-close"]`)+`); })()`,
		chromedp.WithPollingInterval(pollInterval)))
	if keep := strings.TrimSpace(get(t, ctx, "read the focused button", chromedp.Evaluate[string](`document.activeElement.textContent`))); keep != "Keep the purchase" {
		t.Errorf("the focused button reads %q", keep)
	}
}

// cxKeep clicks Keep the purchase and waits until the dialog is gone.
func cxKeep(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "click Keep the purchase",
		chromedp.Click(cxIn("cancel-close")),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="cancel-dialog"]`)),
	)
}

func cxRowStatus(t *testing.T, ctx context.Context, entID string) string {
	t.Helper()
	return get(t, ctx, "read the row's status", chromedp.Evaluate[string](
		`(document.querySelector(`+strconv.Quote(swRowCSS(entID))+`) || {dataset: {}}).dataset.status || ''`))
}

// An Admin agent cancels a purchase from the Software tab: the modal dialog starts on Keep,
// Submit waits for the acknowledgement, the confirmation shows at once (R16), and the list
// updates in place (R19) without a page load.
func TestCancelPurchaseInDialog(t *testing.T) {
	env := apptest.Start(t)
	o := cxPlace(t, env)
	ent := o.Lines[0].EntitlementID
	ctx := newBrowser(t)
	signInDemo(t, ctx, env, apptest.AdminAgent)
	run(t, ctx, "open Contoso's Software tab",
		chromedp.Navigate(env.URL+"/customers/"+apptest.ContosoID+"/software"),
		chromedp.WaitVisible(swIn(ent, "cancel")),
	)
	if v := get(t, ctx, "set the marker", chromedp.Evaluate[int](`window.__marker = 1`)); v != 1 {
		t.Fatalf("set window.__marker: got %d", v)
	}

	// Keep closes the dialog and changes nothing.
	cxOpenDialog(t, ctx, ent)
	cxKeep(t, ctx)
	if st := cxRowStatus(t, ctx, ent); st != desk.StatusActive {
		t.Fatalf("after Keep the row is %q", st)
	}

	cxOpenDialog(t, ctx, ent)
	if sel := get(t, ctx, "read the selected order", chromedp.Value(cxIn("cancel-order"))); sel != o.ID {
		t.Errorf("the dialog selects order %s, want %s", sel, o.ID)
	}
	if st := get(t, ctx, "read the info state", chromedp.Evaluate[string](
		`document.querySelector(`+strconv.Quote(cxDialog+` [data-testid="cancel-info"]`)+`).dataset.state`)); st != desk.CancelOK {
		t.Errorf("cancel info state %q", st)
	}
	// Choosing another order in the drop-down reloads the dialog's body: the focus stays on the
	// drop-down, and choosing this order again brings its state back.
	opts := get(t, ctx, "read the order options", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(`+strconv.Quote(cxDialog+` [data-testid="cancel-order"] option`)+`), o => o.value)`))
	for _, id := range []string{opts[len(opts)-1], o.ID} {
		if id == get(t, ctx, "read the selected order", chromedp.Value(cxIn("cancel-order"))) {
			continue
		}
		get(t, ctx, "choose order "+id, chromedp.Evaluate[bool](`(() => {
			const s = document.querySelector(`+strconv.Quote(cxDialog+` [data-testid="cancel-order"]`)+`);
			s.focus(); s.dataset.stale = '1'; s.value = `+strconv.Quote(id)+`;
			s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`))
		get(t, ctx, "wait for the dialog body of "+id, chromedp.Poll[bool](`(() => {
			const s = document.querySelector(`+strconv.Quote(cxDialog+` [data-testid="cancel-order"]`)+`);
			return !!s && !s.dataset.stale && s.value === `+strconv.Quote(id)+` && !document.querySelector('.htmx-settling, .htmx-added'); })()`, chromedp.WithPollingInterval(pollInterval)))
		get(t, ctx, "wait for the focus on the drop-down", chromedp.Poll[bool](`document.activeElement && document.activeElement.id === 'cancel-order'`, chromedp.WithPollingInterval(pollInterval)))
	}
	submitDisabled := `document.querySelector(` + strconv.Quote(cxDialog+` [data-testid="cancel-submit"]`) + `).disabled`
	if !get(t, ctx, "check Submit is disabled", chromedp.Evaluate[bool](submitDisabled)) {
		t.Error("Submit is enabled before the box is ticked")
	}
	screenshot(t, ctx, "cancel-dialog")

	run(t, ctx, "tick the acknowledgement", chromedp.Click(cxIn("cancel-ack")))
	get(t, ctx, "wait for Submit to be enabled", chromedp.Poll[bool](`!(`+submitDisabled+`)`, chromedp.WithPollingInterval(pollInterval)))
	run(t, ctx, "untick it", chromedp.Click(cxIn("cancel-ack")))
	get(t, ctx, "wait for Submit to be disabled again", chromedp.Poll[bool](submitDisabled, chromedp.WithPollingInterval(pollInterval)))
	if st, n := cxLineStatus(t, env, o.ID, 0); st != desk.StatusActive || n != 0 {
		t.Fatalf("before Submit the line is %s with %d cancellations", st, n)
	}

	run(t, ctx, "tick the acknowledgement and submit",
		chromedp.Click(cxIn("cancel-ack")),
		chromedp.WaitEnabled(cxIn("cancel-submit")),
		chromedp.Click(cxIn("cancel-submit")),
		chromedp.WaitVisible(cxIn("cancel-confirmation")),
	)
	// The focus stays in the dialog, on its Close button.
	get(t, ctx, "wait for the focus on Close", chromedp.Poll[bool](
		`(() => { const a = document.activeElement; return !!a && a.matches(`+strconv.Quote(cxDialog+` [data-testid="close-dialog"]`)+`); })()`,
		chromedp.WithPollingInterval(pollInterval)))
	if got := swText(t, ctx, "the confirmation", cxIn("cancel-confirmation")); !strings.Contains(got, o.ID) {
		t.Errorf("the confirmation reads %q, want it to name order %s", got, o.ID)
	}
	if got := swText(t, ctx, "the credit", cxIn("cancel-credit")); !strings.Contains(got, "INV-2026-11-HUF") {
		t.Errorf("the credit message reads %q, want it to name invoice INV-2026-11-HUF", got)
	}
	screenshot(t, ctx, "cancel-confirmation")
	if st, n := cxLineStatus(t, env, o.ID, 0); st != desk.StatusCancelled || n != 1 {
		t.Errorf("after Submit the line is %s with %d cancellations", st, n)
	}

	run(t, ctx, "close the dialog",
		chromedp.Click(cxIn("close-dialog")),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="cancel-dialog"]`)),
	)
	get(t, ctx, "wait for the row to show cancelled", chromedp.Poll[bool](
		`(() => { const r = document.querySelector(`+strconv.Quote(swRowCSS(ent))+`); return !!r && r.dataset.status === 'cancelled'; })()`,
		chromedp.WithPollingInterval(pollInterval)))
	if get(t, ctx, "look for Get key and Cancel in the row", chromedp.Evaluate[int](
		`document.querySelectorAll(`+strconv.Quote(swRowCSS(ent)+` [data-testid="get-key"], `+swRowCSS(ent)+` [data-testid="cancel"]`)+`).length`)) != 0 {
		t.Error("the cancelled row still offers Get key or Cancel")
	}
	if note := swText(t, ctx, "the revoked note", swIn(ent, "revoked-note")); !strings.Contains(note, "revoked") {
		t.Errorf("revoked note %q", note)
	}
	markerAlive(t, ctx, "the cancellation")
	if u := location(t, ctx); u.Path != "/customers/"+apptest.ContosoID+"/software" {
		t.Errorf("after the cancellation the browser is at %s", u.Path)
	}
}

// R12 in the browser: a 31-day-old purchase offers no Cancel on the Software tab but the
// support request for it (pre-filled); its cancel dialog, opened anyway, says the window passed
// and offers no Submit.
func TestCancelWindowPassedInDialog(t *testing.T) {
	env := apptest.Start(t)
	old, _ := swPurchase(t, env, "SQL Server Enterprise - 2 Core License Pack - 3 year")
	e, err := env.App.Store.FindEntitlement(context.Background(), apptest.ContosoID, old)
	if err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	signInDemo(t, ctx, env, apptest.AdminAgent)
	run(t, ctx, "open Contoso's Software tab",
		chromedp.Navigate(env.URL+"/customers/"+apptest.ContosoID+"/software"),
		chromedp.WaitVisible(swIn(old, "days-left")),
	)
	if days := swText(t, ctx, "the window column", swIn(old, "days-left")); !strings.Contains(strings.ToLower(days), "window passed") {
		t.Errorf("the Software tab says %q for the 31-day-old order", days)
	}
	if n := get(t, ctx, "look for Cancel", chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(swRowCSS(old)+` [data-testid="cancel"]`)+`).length`)); n != 0 {
		t.Error("a purchase past its window offers Cancel")
	}
	href := get(t, ctx, "read the support link", chromedp.Evaluate[string](`(document.querySelector(`+strconv.Quote(swRowCSS(old)+` [data-testid="support-request"]`)+`) || {}).getAttribute?.('href') || ''`))
	if !strings.HasPrefix(href, "/support/new?") || !strings.Contains(href, "order_ref="+e.OrderID) {
		t.Fatalf("the row's support request link is %q, want /support/new pre-filled with order %s", href, e.OrderID)
	}
	run(t, ctx, "open the support request",
		chromedp.Click(swIn(old, "support-request")),
		chromedp.WaitVisible(testID("support-form")),
	)
	if v := get(t, ctx, "read the pre-filled order", chromedp.Value(chromedp.ID("order_ref"))); v != e.OrderID {
		t.Errorf("the support form's order is %q, want %s", v, e.OrderID)
	}
	if v := get(t, ctx, "read the pre-filled reason", chromedp.Value(chromedp.ID("refund_reason"))); !strings.Contains(v, "after the cancellation window") {
		t.Errorf("the support form's reason is %q", v)
	}

	// The dialog itself (its page, as without JavaScript) says the window passed, no Submit.
	run(t, ctx, "open the cancel dialog's page",
		chromedp.Navigate(env.URL+"/customers/"+apptest.ContosoID+"/software/"+old+"/cancel"),
		chromedp.WaitVisible(testID("cancel-info")),
	)
	if st := get(t, ctx, "read the info state", chromedp.Evaluate[string](`document.querySelector('[data-testid="cancel-info"]').dataset.state`)); st != desk.CancelWindowPassed {
		t.Errorf("cancel info state %q", st)
	}
	if msg := text(t, ctx, "cancel-info"); !strings.Contains(msg, "30-day cancellation window of this order passed") {
		t.Errorf("the dialog says %q", msg)
	}
	if n := get(t, ctx, "look for Submit and the checkbox", chromedp.Evaluate[int](
		`document.querySelectorAll('[data-testid="cancel-submit"], [data-testid="cancel-ack"]').length`)); n != 0 {
		t.Error("a window-passed order offers Submit or the checkbox")
	}
	screenshot(t, ctx, "cancel-window-passed")
	if st, n := cxLineStatus(t, env, e.OrderID, e.LineNumber); st != desk.StatusActive || n != 0 {
		t.Errorf("the 31-day-old order is %s with %d cancellations", st, n)
	}
}

// Report a problem in the browser: a request with an attachment, then listed as New.
func TestSupportRequestWithAttachment(t *testing.T) {
	env := apptest.Start(t)
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for x := 0; x < 8; x++ {
		img.Set(x, x, color.RGBA{B: 255, A: 255})
	}
	file := filepath.Join(t.TempDir(), "evidence.png")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	title := "Refund for a duplicate order"

	ctx := newBrowser(t)
	signInDemo(t, ctx, env, apptest.AdminAgent)
	run(t, ctx, "fill Report a problem",
		chromedp.Navigate(env.URL+"/support/new?order_ref=ORDER-E2E&customer_ref="+apptest.ContosoID),
		chromedp.WaitVisible(testID("support-form")),
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("description"), "The customer ordered the same licence twice."),
		chromedp.SetUploadFiles(chromedp.ID("files"), []string{file}),
	)
	if v := get(t, ctx, "read the pre-filled order", chromedp.Value(chromedp.ID("order_ref"))); v != "ORDER-E2E" {
		t.Errorf("order ref pre-filled as %q", v)
	}
	if v := get(t, ctx, "read the problem type", chromedp.Value(chromedp.ID("problem_type"))); v != desk.ProblemRefund {
		t.Errorf("problem type %q, want %s preselected", v, desk.ProblemRefund)
	}
	run(t, ctx, "submit the request",
		chromedp.Click(testID("support-submit")),
		chromedp.WaitVisible(testID("support-ref")),
	)
	if ref := text(t, ctx, "support-ref"); !strings.HasPrefix(ref, "SR-") || !strings.Contains(ref, title) {
		t.Errorf("the request page heading reads %q", ref)
	}
	if st := text(t, ctx, "support-status"); st != "New" {
		t.Errorf("status %q", st)
	}
	if att := text(t, ctx, "attachments"); !strings.Contains(att, "evidence.png") || !strings.Contains(att, "image/png") {
		t.Errorf("attachments read %q", att)
	}
	screenshot(t, ctx, "support-request")
	reqPath := location(t, ctx).Path

	run(t, ctx, "open the list",
		chromedp.Navigate(env.URL+"/support"),
		chromedp.WaitVisible(testID("support-table")),
	)
	row := get(t, ctx, "read the request's row", chromedp.Evaluate[string](`(() => {
		const a = document.querySelector('[data-testid="support-row"] a[href=`+strconv.Quote(reqPath)+`]');
		return a ? a.closest('tr').textContent.replace(/\s+/g, ' ').trim() : '';
	})()`))
	if !strings.Contains(row, title) || !strings.Contains(row, "New") {
		t.Errorf("the list row reads %q", row)
	}
}
