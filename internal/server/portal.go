package server

import (
	"context"
	"net/http"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/service"
	"partnerdesk/web"

	"github.com/labstack/echo/v4"
)

// portalService is what the portal handlers need of the service.
type portalService interface {
	IssueLink(ctx context.Context, a desk.Actor, customerID, entitlementID string, ref desk.EditionRef, shared bool) (desk.DownloadLink, error)
	RevealKey(ctx context.Context, a desk.Actor, customerID, entitlementID, version string) (string, error)
	Software(ctx context.Context, a desk.Actor, customerID string) (desk.Customer, []desk.SoftwareItem, error)
	SoftwareItem(ctx context.Context, a desk.Actor, customerID, entitlementID string) (desk.Customer, desk.SoftwareItem, error)
}

// The customer admin area: a customer user's own tenant only (R4); another tenant's purchase ID
// in a URL is simply not found (R5).

func (s *portalHandlers) portalCrumbs(c echo.Context, last ...web.Crumb) []web.Crumb {
	return append([]web.Crumb{{Label: tr(c, "home.title"), Href: "/portal"}, {Label: tr(c, "portal.billing")}}, last...)
}

func (s *portalHandlers) handlePortalHome(c echo.Context) error {
	u := currentUser(c)
	cust, items, err := s.svc.Software(c.Request().Context(), actor(c), u.CustomerID)
	if err != nil {
		return err
	}
	p := page(c, "portal", cust.CompanyName, tr(c, "portal.title"))
	return render(c, http.StatusOK, web.PortalHomePage(p, cust, items))
}

func (s *portalHandlers) handleYourProducts(c echo.Context) error {
	cust, items, err := s.svc.Software(c.Request().Context(), actor(c), currentUser(c).CustomerID)
	if err != nil {
		return err
	}
	p := page(c, "products", tr(c, "portal.your_products"), tr(c, "portal.title"), s.portalCrumbs(c, web.Crumb{Label: tr(c, "portal.your_products")})...)
	return render(c, http.StatusOK, web.YourProductsPage(p, cust, items))
}

func (s *portalHandlers) portalItem(c echo.Context) (desk.Customer, desk.SoftwareItem, web.Page, error) {
	cust, it, err := s.svc.SoftwareItem(c.Request().Context(), actor(c), currentUser(c).CustomerID, c.Param("ent"))
	if err != nil {
		return cust, it, web.Page{}, err
	}
	p := page(c, "products", it.OfferTitle, tr(c, "portal.your_products"),
		s.portalCrumbs(c, web.Crumb{Label: tr(c, "portal.your_products"), Href: "/portal/products"}, web.Crumb{Label: it.OfferTitle})...)
	return cust, it, p, nil
}

func (s *portalHandlers) handlePortalProduct(c echo.Context) error {
	cust, it, p, err := s.portalItem(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, web.PortalProductPage(p, cust, it, service.KeysAllowed(actor(c), cust.ID)))
}

func (s *portalHandlers) handlePortalEditions(c echo.Context) error {
	cust, it, p, err := s.portalItem(c)
	if err != nil {
		return err
	}
	pk := web.NewPicker(cust, it, editionRef(c), "/portal/products/"+it.ID)
	if isPartial(c) {
		return render(c, http.StatusOK, web.PortalDownloads(pk))
	}
	return render(c, http.StatusOK, web.PortalProductPage(p, cust, it, true))
}

func (s *portalHandlers) handlePortalKey(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	ref := editionRef(c)
	key, err := s.svc.RevealKey(ctx, actor(c), u.CustomerID, c.Param("ent"), ref.Version)
	if err != nil {
		return err
	}
	cust, it, p, err := s.portalItem(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	if isPartial(c) {
		return render(c, http.StatusOK, web.KeyPane(it, ref.Version, key))
	}
	return render(c, http.StatusOK, web.PortalKeyPage(p, cust, it, ref.Version, key))
}

func (s *portalHandlers) handlePortalDownload(c echo.Context) error {
	link, err := s.svc.IssueLink(c.Request().Context(), actor(c), currentUser(c).CustomerID, c.Param("ent"), editionRef(c), false)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, link.URL)
}
