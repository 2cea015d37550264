package api

import (
	"cmp"
	"net/http"
	"time"

	"partnerdesk/internal/desk"

	"github.com/labstack/echo/v4"
)

// Invoices and their line items (R20).

// Invoice is a monthly invoice.
type Invoice struct {
	ID           string `json:"id" pattern:"^INV-[0-9]{4}-[0-9]{2}-[A-Z]{3}$" doc:"INV-<period>-<currency>."`
	Period       string `json:"period" pattern:"^[0-9]{4}-[0-9]{2}$" doc:"The month (YYYY-MM, UTC)."`
	CurrencyCode string `json:"currencyCode" pattern:"^[A-Z]{3}$"`
	Status       string `json:"status" enum:"open|issued" doc:"open collects the current month's charges and credits; issued after the month ends."`
	TotalCharges string `json:"totalCharges" pattern:"decimal"`
	TotalCredits string `json:"totalCredits" pattern:"decimal"`
	Net          string `json:"net" pattern:"decimal"`
	Tax          string `json:"tax" pattern:"decimal"`
	TotalAmount  string `json:"totalAmount" pattern:"decimal"`
}

func (a *API) handleInvoices(c echo.Context) error {
	size, cursor, err := page(c)
	if err != nil {
		return err
	}
	invs, err := a.svc.Invoices(ctx(c), actor(c))
	if err != nil {
		return err
	}
	items, next, err := offsetPage(invs, size, cursor)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, collect(items, len(invs), next, toInvoice))
}

func toInvoice(inv desk.Invoice) Invoice {
	m := func(v int64) string { return desk.Money{Minor: v, Currency: inv.Currency}.Decimal() }
	return Invoice{ID: inv.ID, Period: inv.Period, CurrencyCode: inv.Currency, Status: inv.Status,
		TotalCharges: m(inv.Charges), TotalCredits: m(inv.Credits), Net: m(inv.Net), Tax: m(inv.Tax), TotalAmount: m(inv.Gross)}
}

// InvoiceLine is a charge or credit (R20: credits are negative).
type InvoiceLine struct {
	OrderID        string    `json:"orderId" format:"uuid"`
	LineItemNumber int       `json:"lineItemNumber" min:"0"`
	CustomerID     string    `json:"customerId" format:"uuid"`
	CustomerName   string    `json:"customerName"`
	Description    string    `json:"description"`
	Kind           string    `json:"kind" enum:"charge|credit" doc:"A credit's amounts are negative."`
	Net            string    `json:"net" pattern:"decimal"`
	Tax            string    `json:"tax" pattern:"decimal"`
	Amount         string    `json:"amount" pattern:"decimal" doc:"Net plus tax."`
	CurrencyCode   string    `json:"currencyCode" pattern:"^[A-Z]{3}$"`
	TaxIncluded    bool      `json:"taxIncluded"`
	Date           time.Time `json:"date"`
	// R25: which service the line covers — a charge's month or term, a credit's unused part.
	ServicePeriodStart string `json:"servicePeriodStart" format:"date" doc:"The first day of the service the line covers (UTC): a monthly charge's month, an up-front charge's term, a credit's unused part; a perpetual licence's is the day of purchase or cancellation."`
	ServicePeriodEnd   string `json:"servicePeriodEnd" format:"date" doc:"The last day of the service the line covers (UTC)."`
	BillingCycle       string `json:"billingCycle" enum:"one_time|annual|monthly" doc:"The order line's billing cycle: monthly lines are charged one month per monthly invoice."`
}

func (a *API) handleInvoiceLines(c echo.Context) error {
	size, cursor, err := page(c)
	if err != nil {
		return err
	}
	_, lines, err := a.svc.Invoice(ctx(c), actor(c), c.Param("invoiceId"))
	if err != nil {
		return err
	}
	items, next, err := offsetPage(lines, size, cursor)
	if err != nil {
		return err
	}
	out := Collection[InvoiceLine]{TotalCount: len(lines), Items: []InvoiceLine{}, ContinuationToken: continuation(next)}
	for _, l := range items {
		m := func(v int64) string { return desk.Money{Minor: v, Currency: l.Currency}.Decimal() }
		out.Items = append(out.Items, InvoiceLine{OrderID: l.OrderID, LineItemNumber: l.LineNumber, CustomerID: l.CustomerID, CustomerName: l.CustomerName,
			Description: l.Description, Kind: l.Kind, Net: m(l.Net), Tax: m(l.Tax), Amount: m(l.Gross), CurrencyCode: l.Currency,
			TaxIncluded: desk.TaxIncluded(l.Country), Date: l.CreatedAt, ServicePeriodStart: l.ServiceStart.Format(desk.DateFormat),
			ServicePeriodEnd: l.ServiceEnd.Format(desk.DateFormat), BillingCycle: billingCycleName(cmp.Or(l.BillingCycle, desk.BillingOneTime))})
	}
	return c.JSON(http.StatusOK, out)
}
