package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"
	"partnerdesk/web"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// ordersService is what the orders handlers need of the service.
type ordersService interface {
	CancelDialog(ctx context.Context, a desk.Actor, customerID, entitlementID, selectedOrder string) (desk.CancelDialog, error)
	CancelEntitlement(ctx context.Context, a desk.Actor, customerID, orderID, entitlementID string, acknowledged bool, overrideReason string) (desk.Order, desk.Cancellation, error)
	Cart(ctx context.Context, a desk.Actor, customerID string) (desk.Cart, error)
	CatalogForCustomer(ctx context.Context, a desk.Actor, customerID string, kind desk.ProductKind, query string) (desk.Customer, []desk.Product, error)
	CustomerByID(ctx context.Context, a desk.Actor, id string) (desk.Customer, error)
	Order(ctx context.Context, a desk.Actor, customerID, orderID string) (desk.Customer, desk.Order, error)
	Orders(ctx context.Context, a desk.Actor, customerID, after string, limit int) (desk.Customer, desk.OrderPage, error)
	PlaceCartOrder(ctx context.Context, a desk.Actor, customerID, key string) (desk.Order, bool, error)
	RemoveCartLine(ctx context.Context, a desk.Actor, customerID, offerID string) error
	SetCartLine(ctx context.Context, a desk.Actor, customerID string, l desk.CartLine, add bool) error
}

// customerCrumbs is the trail of a customer's page. It links only pages the user may open: a
// Billing admin (orders and invoices, no customer list) comes through Billing to the
// customer's Order history.
func (s *ordersHandlers) customerCrumbs(c echo.Context, cust desk.Customer, last string) []web.Crumb {
	u := currentUser(c)
	if !u.Can(desk.PermViewCustomers) {
		var out []web.Crumb
		if u.Can(desk.PermViewInvoices) {
			out = append(out, web.Crumb{Label: tr(c, "billing.title"), Href: "/billing"})
		}
		return append(out, web.Crumb{Label: cust.CompanyName, Href: "/customers/" + cust.ID + "/orders"}, web.Crumb{Label: last})
	}
	return []web.Crumb{s.customersCrumb(c), {Label: tr(c, "customers.list"), Href: "/customers"},
		{Label: cust.CompanyName, Href: "/customers/" + cust.ID}, {Label: last}}
}

func (s *ordersHandlers) addProductsView(c echo.Context, cartErr web.CartError) (web.Page, web.AddProductsView, error) {
	ctx := c.Request().Context()
	kind := desk.ProductKind(c.QueryParam("kind"))
	if !kind.Valid() {
		kind = ""
	}
	cust, products, err := s.svc.CatalogForCustomer(ctx, actor(c), c.Param("id"), kind, c.QueryParam("q"))
	if err != nil {
		return web.Page{}, web.AddProductsView{}, err
	}
	cart, err := s.svc.Cart(ctx, actor(c), cust.ID)
	if err != nil {
		return web.Page{}, web.AddProductsView{}, err
	}
	p := page(c, "customers", cust.CompanyName, tr(c, "catalog.add_products"), s.customerCrumbs(c, cust, tr(c, "catalog.add_products"))...)
	return p, web.AddProductsView{Customer: cust, Products: products, Kind: kind, Query: c.QueryParam("q"), Cart: cart, Error: cartErr}, nil
}

func (s *ordersHandlers) handleAddProducts(c echo.Context) error {
	p, v, err := s.addProductsView(c, web.CartError{})
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, web.AddProductsPage(p, v))
}

// handleCartChange adds to or changes the cart; htmx gets the cart panel back (and the catalog
// row's quantity field, out of band), a plain form the page. A refused quantity (R10) changes
// nothing and is explained at its field; the cart line's field shows the quantity the cart
// keeps, so the field and the totals agree.
func (s *ordersHandlers) handleCartChange(c echo.Context, remove bool) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	offerID := c.FormValue("offer_id")
	replace := c.FormValue("replace") == "1"
	typed := strings.TrimSpace(c.FormValue("quantity"))
	var err error
	if remove {
		err = s.svc.RemoveCartLine(ctx, actor(c), id, offerID)
	} else {
		qty, perr := strconv.Atoi(typed)
		if perr != nil {
			qty = 0 // refused below as out of range (R10)
		}
		line := desk.CartLine{OfferID: offerID, Quantity: qty, BillingCycle: c.FormValue("billing_cycle")}
		err = s.svc.SetCartLine(ctx, actor(c), id, line, !replace)
	}
	var cartErr web.CartError
	status := http.StatusOK
	if err != nil {
		if desk.ErrorCode(err) != desk.EINVALID {
			return err
		}
		cartErr = web.CartError{Msg: i18n.From(ctx).Err(err)}
		if !remove && desk.ErrorMessage(err) == "err.quantity" {
			cartErr = web.CartError{OfferID: offerID, Line: replace, Typed: typed}
		}
		status = http.StatusUnprocessableEntity
	}
	if isPartial(c) {
		cust, cerr := s.svc.CustomerByID(ctx, actor(c), id)
		if cerr != nil {
			return cerr
		}
		cart, cerr := s.svc.Cart(ctx, actor(c), id)
		if cerr != nil {
			return cerr
		}
		if cartErr.OfferID != "" {
			cartErr.Msg = quantityMessage(c, cart, cartErr)
		}
		// htmx gets the refusal inside the panel, with 200 (it is a normal answer to show).
		parts := []templ.Component{web.CartPanel(cust, cart, cartErr)}
		if !remove && !replace && offerID != "" {
			value, msg, note := "1", "", ""
			if cartErr.OfferID != "" {
				value, msg = typed, cartErr.Msg
			} else if err == nil {
				for _, l := range cart.Lines {
					if l.Offer.ID == offerID {
						note = i18n.From(ctx).T("cart.added", i18n.From(ctx).Number(int64(l.Quantity)))
					}
				}
			}
			parts = append(parts, web.OfferQty(offerID, value, msg, note, true))
		}
		return render(c, http.StatusOK, templ.Join(parts...))
	}
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/customers/"+id+"/add-products")
	}
	p, v, verr := s.addProductsView(c, cartErr)
	if verr != nil {
		return verr
	}
	if cartErr.OfferID != "" {
		v.Error.Msg = quantityMessage(c, v.Cart, cartErr)
	}
	return render(c, status, web.AddProductsPage(p, v))
}

// quantityMessage explains a refused quantity at its field: the allowed range, and what the
// cart keeps (a cart line) or already holds (an add that would go over the maximum).
func quantityMessage(c echo.Context, cart desk.Cart, e web.CartError) string {
	loc := i18n.From(c.Request().Context())
	max := loc.Number(desk.MaxQuantity)
	held := 0
	for _, l := range cart.Lines {
		if l.Offer.ID == e.OfferID {
			held = l.Quantity
		}
	}
	n, perr := strconv.Atoi(e.Typed)
	switch {
	case e.Line:
		return loc.T("cart.qty_line", max, loc.Number(int64(held)))
	case perr == nil && n >= 1 && n <= desk.MaxQuantity && held > 0:
		return loc.T("cart.qty_sum", loc.Number(int64(held)), max)
	}
	return loc.T("cart.qty_row", max)
}

func (s *ordersHandlers) handleCartAdd(c echo.Context) error    { return s.handleCartChange(c, false) }
func (s *ordersHandlers) handleCartRemove(c echo.Context) error { return s.handleCartChange(c, true) }

// customersNav is the left navigation entry a customer's page belongs to: Customers, or
// Billing for a user who reaches orders from the invoices.
func customersNav(c echo.Context) string {
	if currentUser(c).Can(desk.PermViewCustomers) {
		return "customers"
	}
	return "billing"
}

func idempotencyKey() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *ordersHandlers) reviewPage(c echo.Context, key, errMsg string, status int) error {
	ctx := c.Request().Context()
	cust, err := s.svc.CustomerByID(ctx, actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	cart, err := s.svc.Cart(ctx, actor(c), cust.ID)
	if err != nil {
		return err
	}
	p := page(c, "customers", cust.CompanyName, tr(c, "review.title"), s.customerCrumbs(c, cust, tr(c, "review.title"))...)
	return render(c, status, web.ReviewPage(p, web.ReviewView{Customer: cust, Cart: cart, Key: key, Error: errMsg}))
}

// handleReview shows "Review your orders" with a fresh idempotency key for the Buy form (R9).
func (s *ordersHandlers) handleReview(c echo.Context) error {
	return s.reviewPage(c, idempotencyKey(), "", http.StatusOK)
}

// handleBuy places the cart as an order. The form's key makes a double click or a resubmission
// return the first order (R9); either way the user lands on that order's confirmation.
func (s *ordersHandlers) handleBuy(c echo.Context) error {
	key := c.FormValue("idempotency_key")
	order, _, err := s.svc.PlaceCartOrder(c.Request().Context(), actor(c), c.Param("id"), key)
	if desk.ErrorCode(err) == desk.EINVALID {
		return s.reviewPage(c, idempotencyKey(), i18n.From(c.Request().Context()).Err(err), http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/customers/"+order.CustomerID+"/orders/"+order.ID+"?done=order_placed")
}

func (s *ordersHandlers) handleCustomerOrders(c echo.Context) error {
	cust, orders, err := s.svc.Orders(c.Request().Context(), actor(c), c.Param("id"), c.QueryParam("after"), 50)
	if err != nil {
		return err
	}
	p := page(c, customersNav(c), cust.CompanyName, tr(c, "customer.tab.orders"), s.customerCrumbs(c, cust, tr(c, "customer.tab.orders"))...)
	return render(c, http.StatusOK, web.OrdersTab(p, cust, orders, currentUser(c).Can(desk.PermPlaceOrder)))
}

func (s *ordersHandlers) handleOrder(c echo.Context) error {
	cust, order, err := s.svc.Order(c.Request().Context(), actor(c), c.Param("id"), c.Param("orderId"))
	if err != nil {
		return err
	}
	p := page(c, customersNav(c), cust.CompanyName, tr(c, "order.title"), s.customerCrumbs(c, cust, order.ID)...)
	p.Flash = ""
	return render(c, http.StatusOK, web.OrderDetail(p, cust, order, c.QueryParam("done") == "order_placed"))
}

// handleMarkets is the reference list of markets without Azure Reservations (R7), searchable.
func (s *ordersHandlers) handleMarkets(c echo.Context) error {
	p := page(c, "markets", tr(c, "markets.title"), tr(c, "nav.markets"), web.Crumb{Label: tr(c, "nav.markets")})
	return render(c, http.StatusOK, web.MarketsPage(p, web.Markets(c.Request().Context(), c.QueryParam("q"))))
}
