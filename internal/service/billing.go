package service

import (
	"context"
	"fmt"
	"time"

	"partnerdesk/internal/desk"
)

// Invoices lists the monthly invoices (one per month and currency), the open one first (Billing
// admins and Global admins).
func (s *billingArea) Invoices(ctx context.Context, a desk.Actor) ([]desk.Invoice, error) {
	if err := require(a, desk.PermViewInvoices); err != nil {
		return nil, err
	}
	invs, err := s.store.Invoices(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range invs {
		invs[i].Status = desk.InvoiceStatus(invs[i].Period, now)
	}
	return invs, nil
}

// Invoice returns one invoice with its lines (charges and credits, per customer).
func (s *billingArea) Invoice(ctx context.Context, a desk.Actor, id string) (desk.Invoice, []desk.InvoiceLine, error) {
	if err := require(a, desk.PermViewInvoices); err != nil {
		return desk.Invoice{}, nil, err
	}
	period, currency, ok := desk.ParseInvoiceID(id)
	if !ok {
		return desk.Invoice{}, nil, desk.KeyError(desk.ENOTFOUND, "err.invoice_not_found")
	}
	lines, err := s.store.InvoiceLines(ctx, period, currency)
	if err != nil {
		return desk.Invoice{}, nil, err
	}
	if len(lines) == 0 {
		return desk.Invoice{}, nil, desk.KeyError(desk.ENOTFOUND, "err.invoice_not_found")
	}
	inv := desk.Invoice{ID: id, Period: period, Currency: currency, Status: desk.InvoiceStatus(period, s.now()), Lines: len(lines)}
	for _, l := range lines {
		if l.Kind == desk.InvoiceCharge {
			inv.Charges += l.Gross
		} else {
			inv.Credits += l.Gross
		}
		inv.Net += l.Net
		inv.Tax += l.Tax
		inv.Gross += l.Gross
	}
	return inv, lines, nil
}

// chargeLine is the invoice line of an installment (R25), on the invoice of the month its service
// period starts in. Its stored description is English machine text (the API and the CSV return
// it); pages write the line's text from its parts.
func chargeLine(currency, customerID, orderID string, line int, title string, ordered int, in desk.Installment, now time.Time) desk.InvoiceLine {
	first, last := in.ServicePeriod()
	desc := fmt.Sprintf("%s × %d", title, ordered)
	if in.Of > 1 {
		desc += fmt.Sprintf(" (month %d of %d: %s to %s)", in.Number, in.Of, first.Format(desk.DateFormat), last.Format(desk.DateFormat))
	}
	return desk.InvoiceLine{Period: desk.Period(in.Start), Currency: currency, CustomerID: customerID, OrderID: orderID, LineNumber: line,
		Kind: desk.InvoiceCharge, Description: desc, Net: in.Amounts.Net, Tax: in.Amounts.Tax, Gross: in.Amounts.Gross, CreatedAt: now,
		ServiceStart: first, ServiceEnd: last}
}

// billingBatch is how many due installments one pass of the billing run charges.
const billingBatch = 200

// BillingRun reports what RunBilling did.
type BillingRun struct {
	Charged int
	Issued  []string
}

// RunBilling is the billing run (R25), safe to run on several instances at once: it charges the
// installments of monthly-billed lines whose service period has started (each exactly once: a
// line's charge count is advanced under its order's row lock, and an invoice holds at most one
// charge of a line) — several months at once after a pause — and then issues the invoices of the
// months that are over, each once, with its invoice-ready webhook.
func (s *billingArea) RunBilling(ctx context.Context) (BillingRun, error) {
	var run BillingRun
	now := s.now()
	for {
		due, err := s.store.DueCharges(ctx, now, billingBatch)
		if err != nil {
			return run, err
		}
		charged := 0
		for _, d := range due {
			in := desk.LineInstallment(d.PurchasedAt, d.Term, d.BillingCycle, d.Amounts, d.Charged)
			var next time.Time
			if in.Number < in.Of {
				next = in.End
			}
			ok, err := s.store.ChargeInstallment(ctx, chargeLine(d.Currency, d.CustomerID, d.OrderID, d.LineNumber, d.Title, d.Ordered, in, now), d.Charged, next)
			if err != nil {
				return run, err
			}
			if ok {
				run.Charged++
				charged++
			}
		}
		if len(due) < billingBatch || charged == 0 {
			break
		}
	}
	invs, err := s.store.UnissuedInvoices(ctx, desk.Period(now))
	if err != nil {
		return run, err
	}
	for _, inv := range invs {
		issued := false
		err := s.store.InTx(ctx, func(tx Store) error {
			var err error
			if issued, err = tx.IssueInvoice(ctx, inv.Period, inv.Currency, now); err != nil || !issued {
				return err
			}
			return s.notify(ctx, tx, desk.WebhookInvoiceReady, "/v1/invoices/"+inv.ID, "Invoice", 0)
		})
		if err != nil {
			return run, err
		}
		if issued {
			run.Issued = append(run.Issued, inv.ID)
		}
	}
	return run, nil
}
