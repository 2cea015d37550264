package service_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/service"
)

// A server subscription bought for a year: billed monthly by default (the demo catalog).
const blWSSub = "Windows Server Standard Subscription - 2 Core License Pack"

func blRun(t *testing.T, env *apptest.Env) service.BillingRun {
	t.Helper()
	run, err := env.App.Service.RunBilling(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func blDay(s string) time.Time {
	d, _ := time.Parse(desk.DateFormat, s)
	return d
}

// R25: a monthly-billed offer is charged one month at a time, in advance — the month of
// purchase on that month's invoice, each later month on its own invoice when its service period
// starts — once per month whatever runs the billing, and its cancellation credits the unused
// days of the month charged (R20), nothing later.
func TestMonthlyBilling(t *testing.T) {
	env, ctx, svc := apptest.StartService(t)
	bought := env.Clock.Now() // 25 November 2026, 10:00 UTC
	o := env.PlaceOrder(t, apptest.ContosoID, apptest.Line(t, blWSSub, desk.TermP1Y, 10))
	l := o.Lines[0]
	if l.BillingCycle != desk.BillingMonthly || l.Term != desk.TermP1Y {
		t.Fatalf("the line is %s %s, want monthly P1Y", l.BillingCycle, l.Term)
	}
	month := desk.LineInstallment(bought, l.Term, l.BillingCycle, l.Amounts, 0).Amounts
	if month.Gross*12 > l.Amounts.Gross+12 || month.Gross*12 < l.Amounts.Gross-12 || month.Gross == l.Amounts.Gross {
		t.Fatalf("a month is %d of the year's %d", month.Gross, l.Amounts.Gross)
	}
	charge := func(inv string) desk.InvoiceLine {
		t.Helper()
		ls := cxLines(t, env, inv, o.ID, desk.InvoiceCharge)
		if len(ls) != 1 {
			t.Fatalf("%s holds %d charges of the order, want 1", inv, len(ls))
		}
		return ls[0]
	}
	nov := charge(cxHUFNov)
	if nov.Gross != month.Gross || !nov.ServiceStart.Equal(blDay("2026-11-25")) || !nov.ServiceEnd.Equal(blDay("2026-12-24")) ||
		!strings.Contains(nov.Description, "(month 1 of 12: 2026-11-25 to 2026-12-24)") || nov.BillingCycle != desk.BillingMonthly {
		t.Fatalf("November's charge: %+v", nov)
	}
	if o := cxOrder(t, env, apptest.ContosoID, o.ID); o.Lines[0].Charged != 1 || !o.Lines[0].NextChargeAt.Equal(bought.AddDate(0, 1, 0)) {
		t.Fatalf("after the order: %d charged, next %v", o.Lines[0].Charged, o.Lines[0].NextChargeAt)
	}
	// Several instances run the billing at once. An hour before December's service period
	// starts: nothing of it yet, and November's invoice (over) is issued once.
	runAll := func() []service.BillingRun {
		t.Helper()
		var wg sync.WaitGroup
		runs := make([]service.BillingRun, 4)
		for i := range runs {
			wg.Add(1)
			go func() { defer wg.Done(); runs[i] = blRun(t, env) }()
		}
		wg.Wait()
		return runs
	}
	env.Clock.Advance(29*24*time.Hour + 23*time.Hour)
	issued := 0
	for _, r := range runAll() {
		for _, id := range r.Issued {
			if id == cxHUFNov {
				issued++
			}
		}
	}
	if issued != 1 || len(cxLines(t, env, cxHUFDec, o.ID, desk.InvoiceCharge)) != 0 {
		t.Fatalf("an hour early: November issued %d times, %d December charges", issued, len(cxLines(t, env, cxHUFDec, o.ID, desk.InvoiceCharge)))
	}
	// 25 December, 10:00: December's charge, on December's invoice, once.
	env.Clock.Advance(time.Hour)
	runAll()
	dec := charge(cxHUFDec)
	if dec.Gross != desk.LineInstallment(bought, l.Term, l.BillingCycle, l.Amounts, 1).Amounts.Gross || !dec.ServiceStart.Equal(blDay("2026-12-25")) || !dec.ServiceEnd.Equal(blDay("2027-01-24")) {
		t.Fatalf("December's charge: %+v", dec)
	}
	if again := blRun(t, env); again.Charged != 0 || len(again.Issued) != 0 {
		t.Fatalf("a second run: %+v", again)
	}
	inv, _, err := svc.Invoice(ctx, env.Actor(t, apptest.GlobalAdmin), cxHUFNov)
	if err != nil || inv.Status != desk.InvoiceIssued {
		t.Fatalf("November: %+v %v", inv, err)
	}
}

// R25, R20 through the use case: a monthly line cancelled in its second month gets the unused
// days of that month back, on the invoice of the cancellation, and no later month is charged.
func TestMonthlyCancellation(t *testing.T) {
	env := apptest.StartWith(t, func(c *apptest.Config) {
		c.CancelWindows = map[desk.ProductKind]time.Duration{desk.KindServerSubscription: 60 * 24 * time.Hour}
	})
	ctx := context.Background()
	o := env.PlaceOrder(t, apptest.ContosoID, apptest.Line(t, blWSSub, desk.TermP1Y, 10))
	env.Clock.Advance(30 * 24 * time.Hour) // 25 December, 10:00
	blRun(t, env)
	env.Clock.Advance(2 * 24 * time.Hour) // 27 December
	_, cs, err := env.App.Service.Cancel(ctx, env.Actor(t, apptest.AdminAgent), desk.CancelRequest{CustomerID: apptest.ContosoID, OrderID: o.ID, Lines: []int{0}})
	if err != nil {
		t.Fatal(err)
	}
	dec := cxLines(t, env, cxHUFDec, o.ID, desk.InvoiceCharge)
	if len(dec) != 1 {
		t.Fatalf("December charges: %d", len(dec))
	}
	want := (dec[0].Gross*29 + 15) / 31
	if c := cs[0].Credit; c.Gross != want || c.UsedDays != 2 || c.TermDays != 31 {
		t.Fatalf("credit %+v, want %d: 29 of December's 31 days unused", c, want)
	}
	credit := cxLines(t, env, cxHUFDec, o.ID, desk.InvoiceCredit)
	if len(credit) != 1 || credit[0].Gross != -want || !credit[0].ServiceStart.Equal(blDay("2026-12-27")) || !credit[0].ServiceEnd.Equal(blDay("2027-01-24")) {
		t.Fatalf("the credit line: %+v", credit)
	}
	// No later month is charged for the cancelled line.
	env.Clock.Advance(60 * 24 * time.Hour)
	blRun(t, env)
	for _, inv := range []string{"INV-2027-01-HUF", "INV-2027-02-HUF"} {
		if n := len(cxLines(t, env, inv, o.ID, desk.InvoiceCharge)); n != 0 {
			t.Errorf("%s charges the cancelled line %d times", inv, n)
		}
	}
}

// R25: annual billing charges the term up front; perpetual software is charged once.
func TestUpFrontBilling(t *testing.T) {
	env := apptest.Start(t)
	line := apptest.Line(t, blWSSub, desk.TermP1Y, 2)
	line.BillingCycle = desk.BillingAnnual
	o := env.PlaceOrder(t, apptest.ContosoID, line, apptest.Line(t, cxWSStd, desk.TermNone, 1))
	for i, want := range []struct{ first, last string }{{"2026-11-25", "2027-11-24"}, {"2026-11-25", "2026-11-25"}} {
		var ls []desk.InvoiceLine
		for _, l := range cxLines(t, env, cxHUFNov, o.ID, desk.InvoiceCharge) {
			if l.LineNumber == i {
				ls = append(ls, l)
			}
		}
		if len(ls) != 1 || ls[0].Gross != o.Lines[i].Amounts.Gross || !ls[0].ServiceStart.Equal(blDay(want.first)) || !ls[0].ServiceEnd.Equal(blDay(want.last)) {
			t.Errorf("line %d: %+v", i, ls)
		}
		if !o.Lines[i].NextChargeAt.IsZero() {
			t.Errorf("line %d has a next charge", i)
		}
	}
	env.Clock.Advance(40 * 24 * time.Hour)
	blRun(t, env)
	if n := len(cxLines(t, env, cxHUFDec, o.ID, desk.InvoiceCharge)) + len(cxLines(t, env, "INV-2027-01-HUF", o.ID, desk.InvoiceCharge)); n != 0 {
		t.Errorf("the billing run charged up-front lines again: %d charges", n)
	}
}

// The demo shows monthly billing on two consecutive invoices (R25, done-when).
func TestDemoMonthlyBilling(t *testing.T) {
	env := apptest.Start(t)
	fab := cxDemoOrder(t, env, apptest.FabrikamID, "Windows Server Standard Subscription") // 31 days old, monthly
	oct := cxLines(t, env, "INV-2026-10-USD", fab.ID, desk.InvoiceCharge)
	nov := cxLines(t, env, "INV-2026-11-USD", fab.ID, desk.InvoiceCharge)
	l := fab.Lines[0]
	if len(oct) != 1 || len(nov) != 1 || l.BillingCycle != desk.BillingMonthly ||
		oct[0].Gross != desk.LineInstallment(fab.CreatedAt, l.Term, l.BillingCycle, l.Amounts, 0).Amounts.Gross ||
		nov[0].Gross != desk.LineInstallment(fab.CreatedAt, l.Term, l.BillingCycle, l.Amounts, 1).Amounts.Gross ||
		!nov[0].ServiceStart.Equal(oct[0].ServiceEnd.AddDate(0, 0, 1)) || fab.Lines[0].Charged != 2 {
		t.Fatalf("the demo's monthly order: October %+v, November %+v", oct, nov)
	}
}

// R21: an invoice-ready event when a month's invoice is issued (once), a customer-created event
// with the customer's API URL; a refused change writes no event.
func TestBillingAndCustomerWebhooks(t *testing.T) {
	env := apptest.StartWith(t, func(c *apptest.Config) { c.WebhookAllowPrivate, c.PublicURL = true, "https://desk.partner.example" })
	ctx := context.Background()
	ga := env.Actor(t, apptest.GlobalAdmin)
	if _, _, err := env.App.Service.RegisterWebhook(ctx, ga, service.WebhookInput{URL: "http://127.0.0.1:9/hook",
		Events: []string{desk.WebhookInvoiceReady, desk.WebhookCustomerCreated, desk.WebhookOrderCreated}}); err != nil {
		t.Fatal(err)
	}
	outbox := func(name string) []desk.WebhookBody {
		t.Helper()
		page, err := env.App.Service.WebhookLog(ctx, ga, "", 200)
		if err != nil {
			t.Fatal(err)
		}
		var out []desk.WebhookBody
		for _, e := range page.Items {
			var b desk.WebhookBody
			if err := json.Unmarshal(e.Body, &b); err != nil {
				t.Fatal(err)
			}
			if e.Name == name && b.EventName == name {
				out = append(out, b)
			}
		}
		return out
	}
	c, err := env.App.Service.CreateCustomer(ctx, ga, desk.NewCustomer{CompanyName: "Webhook Példa Kft.", Domain: "webhookpelda.onmicrosoft.com", Country: "HU",
		Address: desk.Address{Line1: "Fő utca 1", City: "Pécs", PostalCode: "7621"},
		Contact: desk.Contact{FirstName: "Anna", LastName: "Kiss", Email: "anna@webhookpelda.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := outbox(desk.WebhookCustomerCreated); len(got) != 1 || got[0].ResourceURI != "https://desk.partner.example/v1/customers/"+c.ID ||
		got[0].ResourceName != "Customer" || got[0].AuditURI == nil || !strings.HasPrefix(*got[0].AuditURI, "https://desk.partner.example/v1/auditrecords/") {
		t.Fatalf("customer-created: %+v", got)
	}
	// A refused order (R10) writes no event.
	_, _, err = env.App.Service.PlaceOrder(ctx, env.Actor(t, apptest.SalesAgent), apptest.ContosoID, "bl-refused", []desk.CartLine{{OfferID: "NO:SUCH:OFFER", Quantity: 1}})
	if err == nil || len(outbox(desk.WebhookOrderCreated)) != 0 {
		t.Fatalf("a refused order: %v, %d events", err, len(outbox(desk.WebhookOrderCreated)))
	}
	// 1 December: November's invoices are issued, one invoice-ready each, once.
	env.Clock.Advance(6*24*time.Hour + 14*time.Hour)
	run := blRun(t, env)
	ready := outbox(desk.WebhookInvoiceReady)
	if len(ready) == 0 || len(ready) != len(run.Issued) {
		t.Fatalf("%d invoice-ready events for %v", len(ready), run.Issued)
	}
	seen := map[string]bool{}
	for _, b := range ready {
		id := strings.TrimPrefix(b.ResourceURI, "https://desk.partner.example/v1/invoices/")
		if _, _, ok := desk.ParseInvoiceID(id); !ok || !strings.HasPrefix(id, "INV-2026-11-") || seen[id] || b.ResourceName != "Invoice" {
			t.Errorf("invoice-ready %+v", b)
		}
		seen[id] = true
	}
	if !seen[cxHUFNov] || !seen["INV-2026-11-USD"] {
		t.Errorf("issued %v", run.Issued)
	}
	blRun(t, env)
	if n := len(outbox(desk.WebhookInvoiceReady)); n != len(ready) {
		t.Errorf("a second run: %d invoice-ready events, want %d", n, len(ready))
	}
}
