package service

import (
	"context"

	"partnerdesk/internal/desk"
)

// Invoices lists the monthly invoices (one per month and currency), the open one first (Billing
// admins and Global admins).
func (s *Service) Invoices(ctx context.Context, a desk.Actor) ([]desk.Invoice, error) {
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
func (s *Service) Invoice(ctx context.Context, a desk.Actor, id string) (desk.Invoice, []desk.InvoiceLine, error) {
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
