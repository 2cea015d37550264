package api

import (
	"net/http"
	"strings"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/service"

	"github.com/labstack/echo/v4"
)

// Orders: list, read, place and cancel (R12–R15).

// Order is an order as Partner Center's API shows it.
type Order struct {
	ID                  string     `json:"id" format:"uuid"`
	ReferenceCustomerID string     `json:"referenceCustomerId" format:"uuid" doc:"The customer's tenant ID."`
	BillingCycle        string     `json:"billingCycle" enum:"one_time|annual|monthly" doc:"The billing cycle of the first line."`
	CurrencyCode        string     `json:"currencyCode" pattern:"^[A-Z]{3}$"`
	CreationDate        time.Time  `json:"creationDate"`
	Status              string     `json:"status" enum:"completed|pending|cancelled" doc:"cancelled once every line is cancelled."`
	LineItems           []LineItem `json:"lineItems"`
	Pricing             Pricing    `json:"pricing"`
}

// LineItem is an order line.
type LineItem struct {
	LineItemNumber int     `json:"lineItemNumber" min:"0"`
	OfferID        string  `json:"offerId" doc:"productId:skuId:availabilityId."`
	FriendlyName   string  `json:"friendlyName,omitempty"`
	Quantity       int     `json:"quantity" min:"0" doc:"0 once the line is cancelled."`
	TermDuration   string  `json:"termDuration,omitempty" enum:"P1Y|P3Y" doc:"ISO 8601; absent for perpetual software."`
	BillingCycle   string  `json:"billingCycle,omitempty" enum:"one_time|annual|monthly"`
	Status         string  `json:"status,omitempty" enum:"active|cancelled"`
	Pricing        Pricing `json:"pricing"`
}

// Pricing gives amounts as decimal strings in major units (never floats), R6.
type Pricing struct {
	Net          string `json:"net" pattern:"decimal"`
	Tax          string `json:"tax" pattern:"decimal"`
	Total        string `json:"total" pattern:"decimal"`
	CurrencyCode string `json:"currencyCode" pattern:"^[A-Z]{3}$"`
	TaxIncluded  bool   `json:"taxIncluded" doc:"Whether the market's prices include tax."`
}

func pricing(a desk.Amounts, cur string) Pricing {
	m := func(v int64) string { return desk.Money{Minor: v, Currency: cur}.Decimal() }
	return Pricing{Net: m(a.Net), Tax: m(a.Tax), Total: m(a.Gross), CurrencyCode: cur, TaxIncluded: a.TaxIncluded}
}

// billingCycleName maps a billing cycle to Partner Center's names.
func billingCycleName(b string) string {
	switch b {
	case desk.BillingOneTime:
		return "one_time"
	case desk.BillingAnnual:
		return "annual"
	case desk.BillingMonthly:
		return "monthly"
	}
	return b
}

func toOrder(o desk.Order) Order {
	out := Order{ID: o.ID, ReferenceCustomerID: o.CustomerID, CurrencyCode: o.Currency, CreationDate: o.CreatedAt, Status: o.Status,
		LineItems: []LineItem{}, Pricing: pricing(o.Amounts, o.Currency)}
	for _, l := range o.Lines {
		if out.BillingCycle == "" {
			out.BillingCycle = billingCycleName(l.BillingCycle)
		}
		l.Amounts.TaxIncluded = o.Amounts.TaxIncluded
		out.LineItems = append(out.LineItems, LineItem{LineItemNumber: l.Number, OfferID: l.OfferID, FriendlyName: l.Title, Quantity: l.Quantity,
			TermDuration: l.Term, BillingCycle: billingCycleName(l.BillingCycle), Status: l.Status, Pricing: pricing(l.Amounts, o.Currency)})
	}
	return out
}

func (a *API) handleOrders(c echo.Context) error {
	size, cursor, err := page(c, "orders")
	if err != nil {
		return err
	}
	_, res, err := a.svc.Orders(ctx(c), actor(c), c.Param("customerId"), cursor, size)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, collect(res.Items, res.Total, res.Next, toOrder, "orders"))
}

func (a *API) handleOrder(c echo.Context) error {
	_, o, err := a.svc.Order(ctx(c), actor(c), c.Param("customerId"), c.Param("orderId"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toOrder(o))
}

// OrderRequest is the body of POST .../orders.
type OrderRequest struct {
	ID                  string            `json:"id,omitempty" doc:"Ignored: the server assigns the order ID."`
	ReferenceCustomerID string            `json:"referenceCustomerId,omitempty" doc:"When given, the customer in the URL."`
	BillingCycle        string            `json:"billingCycle,omitempty" doc:"The default billing cycle of the lines (one_time, annual or monthly)."`
	LineItems           []LineItemRequest `json:"lineItems" minItems:"1"`
}

// LineItemRequest is one requested line.
type LineItemRequest struct {
	LineItemNumber int    `json:"lineItemNumber" min:"0" doc:"The lines are numbered 0, 1, 2… in order."`
	OfferID        string `json:"offerId" doc:"productId:skuId:availabilityId, as GET /v1/products lists it."`
	Quantity       int    `json:"quantity" min:"1" max:"10000" doc:"1 to 10,000."`
	TermDuration   string `json:"termDuration,omitempty" doc:"P1Y or P3Y for subscriptions and reservations."`
	BillingCycle   string `json:"billingCycle,omitempty" doc:"one_time, annual or monthly, as the offer allows."`
	FriendlyName   string `json:"friendlyName,omitempty" doc:"Ignored: the offer's title is used."`
}

// idempotencyWindow is how long an Idempotency-Key is honoured.
const idempotencyWindow = 24 * time.Hour

// handleCreateOrder places an order. With an Idempotency-Key header, retries (also concurrent
// ones) with the same token within 24 h return the first order (R9); the key used again with
// another request is refused (422); without one, each request is a new order.
func (a *API) handleCreateOrder(c echo.Context) error {
	var req OrderRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	if req.ReferenceCustomerID != "" && req.ReferenceCustomerID != c.Param("customerId") {
		return &requestError{msg: "Field \"referenceCustomerId\" does not match the customer in the URL.", data: []string{"referenceCustomerId"}}
	}
	lines := make([]desk.CartLine, 0, len(req.LineItems))
	for i, l := range req.LineItems {
		if l.LineItemNumber != i {
			return &requestError{msg: "Field \"lineItems[].lineItemNumber\" must number the lines 0, 1, 2… in order.", data: []string{"lineItemNumber"}}
		}
		cycle := l.BillingCycle
		if cycle == "" {
			cycle = req.BillingCycle
		}
		lines = append(lines, desk.CartLine{OfferID: l.OfferID, Quantity: l.Quantity, Term: l.TermDuration, BillingCycle: strings.ToLower(cycle)})
	}
	key := strings.TrimSpace(c.Request().Header.Get("Idempotency-Key"))
	if len(key) > 80 {
		return &requestError{msg: "The Idempotency-Key header is longer than 80 characters.", data: []string{"Idempotency-Key"}}
	}
	// A key is scoped by the token that sent it: another token's same key is another request.
	tok, _ := c.Get(ctxToken).(desk.APIToken)
	stored := "api:" + tok.ID + ":" + key
	if key == "" {
		stored = "api-auto:" + service.NewID()
	}
	o, created, err := a.svc.PlaceOrder(ctx(c), actor(c), c.Param("customerId"), stored, lines)
	if err != nil {
		return err
	}
	if !created {
		if a.svc.Now().Sub(o.CreatedAt) > idempotencyWindow {
			return &requestError{msg: "This Idempotency-Key was used more than 24 hours ago; use a new key.", data: []string{"Idempotency-Key"}}
		}
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	c.Response().Header().Set("Location", "/v1/customers/"+o.CustomerID+"/orders/"+o.ID)
	return c.JSON(http.StatusCreated, toOrder(o))
}

// CancelRequest is the body of PATCH .../orders/{id}: status "cancelled" with the lines to cancel.
type CancelRequest struct {
	ID                  string              `json:"id,omitempty" doc:"When given, the order in the URL."`
	ReferenceCustomerID string              `json:"referenceCustomerId,omitempty" doc:"Ignored: the customer is the one in the URL."`
	Status              string              `json:"status" enum:"cancelled" doc:"Only cancellation is supported."`
	LineItems           []CancelLineRequest `json:"lineItems,omitempty" doc:"The lines to cancel; none means every active line."`
	OverrideReason      string              `json:"overrideReason,omitempty" maxLength:"500" doc:"Global admins only: cancel although a line needs a support request (already downloaded, or above the equivalent of 10,000 USD), e.g. once support approved the refund. The reason is recorded in the activity log."`
}

// CancelLineRequest names a line to cancel.
type CancelLineRequest struct {
	LineItemNumber int    `json:"lineItemNumber" min:"0"`
	OfferID        string `json:"offerId,omitempty" doc:"When given, the line's offer."`
	Quantity       *int   `json:"quantity,omitempty" doc:"Ignored: a cancelled line's quantity becomes 0."`
	FriendlyName   string `json:"friendlyName,omitempty" doc:"Ignored."`
	TermDuration   string `json:"termDuration,omitempty" doc:"Ignored."`
}

// handleCancelOrder cancels lines (R12–R20; errors 900117, 800061, 800062, 800060, 20000) by the
// portal's rule: a line already downloaded, or above the amount limit, needs a support request
// unless a Global admin gives overrideReason. A cancelled line's quantity becomes 0; the order is
// cancelled when every line is.
func (a *API) handleCancelOrder(c echo.Context) error {
	var req CancelRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	if req.ID != "" && req.ID != c.Param("orderId") {
		return &requestError{msg: "Field \"id\" does not match the order in the URL.", data: []string{"id"}}
	}
	if !strings.EqualFold(req.Status, desk.OrderCancelled) {
		return &requestError{msg: "Field \"status\" must be \"cancelled\": only cancellation is supported.", data: []string{"status"}}
	}
	_, current, err := a.svc.Order(ctx(c), actor(c), c.Param("customerId"), c.Param("orderId"))
	if err != nil {
		return err
	}
	var nums []int
	for _, l := range req.LineItems {
		if l.LineItemNumber < 0 || l.LineItemNumber >= len(current.Lines) {
			return &requestError{msg: "Field \"lineItems[].lineItemNumber\" names no line of this order.", data: []string{"lineItemNumber"}}
		}
		if l.OfferID != "" && l.OfferID != current.Lines[l.LineItemNumber].OfferID {
			return &requestError{msg: "Field \"lineItems[].offerId\" does not match the line's offer.", data: []string{"offerId"}}
		}
		nums = append(nums, l.LineItemNumber)
	}
	if len(req.LineItems) == 0 {
		for _, l := range current.Lines {
			if l.Status == desk.StatusActive {
				nums = append(nums, l.Number)
			}
		}
	}
	o, _, err := a.svc.Cancel(ctx(c), actor(c), desk.CancelRequest{CustomerID: c.Param("customerId"), OrderID: current.ID, Lines: nums, OverrideReason: req.OverrideReason})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toOrder(o))
}
