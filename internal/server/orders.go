package server

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"
	"partnerdesk/web"

	"github.com/labstack/echo/v4"
)

func (s *Server) customerCrumbs(c echo.Context, cust desk.Customer, last string) []web.Crumb {
	return []web.Crumb{s.customersCrumb(c), {Label: tr(c, "customers.list"), Href: "/customers"},
		{Label: cust.CompanyName, Href: "/customers/" + cust.ID}, {Label: last}}
}

func (s *Server) addProductsView(c echo.Context, errMsg string) (web.Page, web.AddProductsView, error) {
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
	return p, web.AddProductsView{Customer: cust, Products: products, Kind: kind, Query: c.QueryParam("q"), Cart: cart, Error: errMsg}, nil
}

func (s *Server) handleAddProducts(c echo.Context) error {
	p, v, err := s.addProductsView(c, "")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, web.AddProductsPage(p, v))
}

// handleCartChange adds to or changes the cart; htmx gets the cart panel back, a plain form the page.
func (s *Server) handleCartChange(c echo.Context, remove bool) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	var err error
	if remove {
		err = s.svc.RemoveCartLine(ctx, actor(c), id, c.FormValue("offer_id"))
	} else {
		qty, perr := strconv.Atoi(strings.TrimSpace(c.FormValue("quantity")))
		if perr != nil {
			qty = 0 // refused below as out of range (R10)
		}
		line := desk.CartLine{OfferID: c.FormValue("offer_id"), Quantity: qty, BillingCycle: c.FormValue("billing_cycle")}
		err = s.svc.SetCartLine(ctx, actor(c), id, line, c.FormValue("replace") != "1")
	}
	errMsg := ""
	status := http.StatusOK
	if err != nil {
		if desk.ErrorCode(err) != desk.EINVALID {
			return err
		}
		errMsg = i18n.From(ctx).Err(err)
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
		// htmx swaps only 2xx answers by default: the refusal is in the panel, with 200.
		return render(c, http.StatusOK, web.CartPanel(cust, cart, errMsg))
	}
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/customers/"+id+"/add-products")
	}
	p, v, verr := s.addProductsView(c, errMsg)
	if verr != nil {
		return verr
	}
	return render(c, status, web.AddProductsPage(p, v))
}

func (s *Server) handleCartAdd(c echo.Context) error    { return s.handleCartChange(c, false) }
func (s *Server) handleCartRemove(c echo.Context) error { return s.handleCartChange(c, true) }

func idempotencyKey() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) reviewPage(c echo.Context, key, errMsg string, status int) error {
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
func (s *Server) handleReview(c echo.Context) error {
	return s.reviewPage(c, idempotencyKey(), "", http.StatusOK)
}

// handleBuy places the cart as an order. The form's key makes a double click or a resubmission
// return the first order (R9); either way the user lands on that order's confirmation.
func (s *Server) handleBuy(c echo.Context) error {
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

func (s *Server) handleCustomerOrders(c echo.Context) error {
	cust, orders, err := s.svc.Orders(c.Request().Context(), actor(c), c.Param("id"), c.QueryParam("after"), 50)
	if err != nil {
		return err
	}
	p := page(c, "customers", cust.CompanyName, tr(c, "customer.tab.orders"), s.customerCrumbs(c, cust, tr(c, "customer.tab.orders"))...)
	return render(c, http.StatusOK, web.OrdersTab(p, cust, orders, currentUser(c).Can(desk.PermPlaceOrder)))
}

func (s *Server) handleOrder(c echo.Context) error {
	cust, order, err := s.svc.Order(c.Request().Context(), actor(c), c.Param("id"), c.Param("orderId"))
	if err != nil {
		return err
	}
	p := page(c, "customers", cust.CompanyName, tr(c, "order.title"), s.customerCrumbs(c, cust, order.ID)...)
	p.Flash = ""
	return render(c, http.StatusOK, web.OrderDetail(p, cust, order, c.QueryParam("done") == "order_placed"))
}

func (s *Server) handleMarkets(c echo.Context) error {
	p := page(c, "customers", tr(c, "markets.title"), tr(c, "catalog.title"), web.Crumb{Label: tr(c, "catalog.title")}, web.Crumb{Label: tr(c, "markets.title")})
	return render(c, http.StatusOK, web.MarketsPage(p, desk.ReservationUnavailableMarkets))
}
