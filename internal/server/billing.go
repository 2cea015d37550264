package server

import (
	"context"
	"net/http"
	"strconv"

	"partnerdesk/internal/csvexport"
	"partnerdesk/internal/desk"
	"partnerdesk/web"

	"github.com/labstack/echo/v4"
)

// billingService is what the billing handlers need of the service.
type billingService interface {
	Invoice(ctx context.Context, a desk.Actor, id string) (desk.Invoice, []desk.InvoiceLine, error)
	Invoices(ctx context.Context, a desk.Actor) ([]desk.Invoice, error)
}

func (s *billingHandlers) handleBilling(c echo.Context) error {
	invs, err := s.svc.Invoices(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	p := page(c, "billing", tr(c, "billing.title"), tr(c, "billing.title"), web.Crumb{Label: tr(c, "billing.title")})
	return render(c, http.StatusOK, web.BillingPage(p, invs))
}

func (s *billingHandlers) handleInvoice(c echo.Context) error {
	inv, lines, err := s.svc.Invoice(c.Request().Context(), actor(c), c.Param("invoice"))
	if err != nil {
		return err
	}
	p := page(c, "billing", inv.ID, tr(c, "billing.title"), web.Crumb{Label: tr(c, "billing.title"), Href: "/billing"}, web.Crumb{Label: inv.ID})
	return render(c, http.StatusOK, web.InvoicePage(p, inv, lines, currentUser(c).Can(desk.PermViewOrders)))
}

// handleInvoiceCSV exports an invoice's lines: amounts as decimal strings in major units, the
// service period each line covers (R25), every text cell neutralised against formulas (csvexport).
func (s *billingHandlers) handleInvoiceCSV(c echo.Context) error {
	inv, lines, err := s.svc.Invoice(c.Request().Context(), actor(c), c.Param("invoice"))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", attachment(inv.ID+".csv"))
	c.Response().WriteHeader(http.StatusOK)
	w := csvexport.NewWriter(c.Response())
	w.Write("invoiceId", "period", "customerId", "customerName", "orderId", "lineNumber", "kind", "description", "net", "tax", "gross", "currencyCode", "taxIncluded", "date",
		"servicePeriodStart", "servicePeriodEnd")
	money := func(v int64) string { return desk.Money{Minor: v, Currency: inv.Currency}.Decimal() }
	for _, l := range lines {
		if err := w.Write(inv.ID, inv.Period, l.CustomerID, l.CustomerName, l.OrderID, strconv.Itoa(l.LineNumber), l.Kind, l.Description,
			money(l.Net), money(l.Tax), money(l.Gross), l.Currency, strconv.FormatBool(desk.TaxIncluded(l.Country)), l.CreatedAt.Format("2006-01-02T15:04:05Z"),
			l.ServiceStart.Format(desk.DateFormat), l.ServiceEnd.Format(desk.DateFormat)); err != nil {
			return err
		}
	}
	return w.Flush()
}
