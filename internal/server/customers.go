package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"partnerdesk/internal/csvexport"
	"partnerdesk/internal/desk"
	"partnerdesk/web"

	"github.com/labstack/echo/v4"
)

// customersService is what the customers handlers need of the service.
type customersService interface {
	CreateCustomer(ctx context.Context, a desk.Actor, n desk.NewCustomer) (desk.Customer, error)
	CustomerByID(ctx context.Context, a desk.Actor, id string) (desk.Customer, error)
	CustomerUsers(ctx context.Context, a desk.Actor, customerID string) ([]desk.User, error)
	FindCustomers(ctx context.Context, a desk.Actor, f desk.CustomerFilter) (desk.CustomerPage, error)
	InviteCustomerUser(ctx context.Context, a desk.Actor, customerID string, n desk.NewUser) (desk.User, string, error)
	Now() time.Time
}

func (s *customersHandlers) customersCrumb(c echo.Context) web.Crumb {
	return web.Crumb{Label: tr(c, "nav.customers"), Href: "/customers"}
}

// searchCountCap is where the list stops counting a search's matches ("200+ customers").
const searchCountCap = 200

// handleCustomerList renders the customer list: one keyset page from the covering index, or its
// results part alone for htmx.
func (s *customersHandlers) handleCustomerList(c echo.Context) error {
	ctx := c.Request().Context()
	f := desk.CustomerFilter{
		Query: c.QueryParam("q"), Sort: desk.CustomerSort(c.QueryParam("sort")), Desc: c.QueryParam("desc") == "1",
		After: c.QueryParam("after"), Before: c.QueryParam("before"), Limit: 50, CountCap: searchCountCap,
	}
	if f.Sort != desk.SortDomain {
		f.Sort = desk.SortName
	}
	v := web.CustomerList{Query: f.Query, Sort: f.Sort, Desc: f.Desc, CanAdd: currentUser(c).Can(desk.PermAddCustomer), Start: 1}
	// The page's position travels in its links (keyset pages have no offset); it only labels
	// the page ("51–52 of 52"), so a stale one is clamped, never trusted for data.
	if n, err := strconv.Atoi(c.QueryParam("start")); err == nil && n > 0 && (f.After != "" || f.Before != "") {
		v.Start = n
	}
	res, err := s.svc.FindCustomers(ctx, actor(c), f)
	if err != nil {
		return err
	}
	v.Result = res
	if isPartial(c) {
		return render(c, http.StatusOK, web.CustomerResults(v))
	}
	p := page(c, "customers", tr(c, "customers.list"), tr(c, "nav.customers"), s.customersCrumb(c), web.Crumb{Label: tr(c, "customers.list")})
	return render(c, http.StatusOK, web.CustomersPage(p, v, web.CustomerResults(v)))
}

// exportPage is how many customers the export reads per keyset page.
const exportPage = 200

// handleCustomerExport streams the customer list as searched and sorted (every match, not one
// page) as CSV, reading it in keyset pages; cells a spreadsheet would run are neutralised.
func (s *customersHandlers) handleCustomerExport(c echo.Context) error {
	ctx := c.Request().Context()
	f := desk.CustomerFilter{Query: c.QueryParam("q"), Sort: desk.CustomerSort(c.QueryParam("sort")), Desc: c.QueryParam("desc") == "1", Limit: exportPage, SkipCount: true}
	if f.Sort != desk.SortDomain {
		f.Sort = desk.SortName
	}
	first, err := s.svc.FindCustomers(ctx, actor(c), f)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", attachment("customers-"+s.svc.Now().Format("2006-01-02")+".csv"))
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	w := csvexport.NewWriter(c.Response())
	w.Write("tenantId", "companyName", "domain", "country", "currencyCode", "relationship", "createdAt")
	for page := first; ; {
		for _, cu := range page.Items {
			w.Write(cu.ID, cu.CompanyName, cu.Domain, cu.Country, cu.Currency, "Cloud Reseller", cu.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"))
		}
		if err := w.Flush(); err != nil || page.Next == "" {
			return err
		}
		f.After = page.Next
		if page, err = s.svc.FindCustomers(ctx, actor(c), f); err != nil {
			// The header is out: the cut-short file is all that can be said; log why.
			s.log.Error("customer export", "err", err)
			return nil
		}
	}
}

func (s *customersHandlers) customerPage(c echo.Context, tab web.CustomerTab) (desk.Customer, web.Page, error) {
	cust, err := s.svc.CustomerByID(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return cust, web.Page{}, err
	}
	p := page(c, "customers", cust.CompanyName, tr(c, "customer.tab."+string(tab)), s.customerCrumbs(c, cust, tr(c, "customer.tab."+string(tab)))...)
	return cust, p, nil
}

// handleCustomerDetails opens a customer on its Software tab, as partner staff expect.
func (s *customersHandlers) handleCustomerDetails(c echo.Context) error {
	if currentUser(c).Can(desk.PermViewSoftware) {
		return s.handleCustomerSoftware(c)
	}
	return s.handleCustomerAccount(c)
}

func (s *customersHandlers) handleCustomerAccount(c echo.Context) error {
	return s.accountPage(c, web.AccountView{}, http.StatusOK)
}

func (s *customersHandlers) accountPage(c echo.Context, v web.AccountView, status int) error {
	cust, p, err := s.customerPage(c, web.TabAccount)
	if err != nil {
		return err
	}
	if v.Users, err = s.svc.CustomerUsers(c.Request().Context(), actor(c), cust.ID); err != nil {
		return err
	}
	v.CanInvite = currentUser(c).Can(desk.PermManageUsers)
	return render(c, status, web.CustomerAccount(p, cust, v))
}

// handleInviteCustomerUser creates a customer user and shows the one-time password once.
func (s *customersHandlers) handleInviteCustomerUser(c echo.Context) error {
	var roles desk.Roles
	if r, ok := desk.ParseRole(c.FormValue("role")); ok && !r.IsPartner() {
		roles = desk.RolesOf(r)
	}
	n := desk.NewUser{Email: c.FormValue("email"), DisplayName: c.FormValue("display_name"), Roles: roles}
	u, password, err := s.svc.InviteCustomerUser(c.Request().Context(), actor(c), c.Param("id"), n)
	var ve *desk.ValidationError
	if errors.As(err, &ve) {
		return s.accountPage(c, web.AccountView{Form: n, Errors: ve.Fields}, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	return s.accountPage(c, web.AccountView{Secret: password, SecretFor: u.Email}, http.StatusOK)
}

func (s *customersHandlers) newCustomerPage(c echo.Context) web.Page {
	return page(c, "customers", tr(c, "customers.add"), tr(c, "nav.customers"), s.customersCrumb(c), web.Crumb{Label: tr(c, "customers.add")})
}

func (s *customersHandlers) handleNewCustomerForm(c echo.Context) error {
	return render(c, http.StatusOK, web.NewCustomerPage(s.newCustomerPage(c), web.NewCustomerView{}))
}

func (s *customersHandlers) handleCreateCustomer(c echo.Context) error {
	n := desk.NewCustomer{
		CompanyName: c.FormValue("company_name"), Domain: c.FormValue("domain"), Country: c.FormValue("country"),
		Address: desk.Address{Line1: c.FormValue("address_line1"), City: c.FormValue("city"), PostalCode: c.FormValue("postal_code"), Region: c.FormValue("region")},
		Contact: desk.Contact{FirstName: c.FormValue("first_name"), LastName: c.FormValue("last_name"), Email: c.FormValue("email"), Phone: c.FormValue("phone")},
	}
	cust, err := s.svc.CreateCustomer(c.Request().Context(), actor(c), n)
	if ve, ok := err.(*desk.ValidationError); ok {
		return render(c, http.StatusUnprocessableEntity, web.NewCustomerPage(s.newCustomerPage(c), web.NewCustomerView{Form: n, Errors: ve.Fields}))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/customers/"+cust.ID+"/account?done=customer_created")
}
