package server

import (
	"net/http"
	"partnerdesk/internal/httperr"
	"strings"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"
	"partnerdesk/web"

	"github.com/labstack/echo/v4"
)

func (s *ordersHandlers) cancelView(c echo.Context, selected string) (web.CancelView, error) {
	d, err := s.svc.CancelDialog(c.Request().Context(), actor(c), c.Param("id"), c.Param("ent"), selected)
	if err != nil {
		return web.CancelView{}, err
	}
	base := "/customers/" + d.CustomerID + "/software/" + c.Param("ent")
	return web.CancelView{Dialog: d, Base: base, CanOverride: currentUser(c).Can(desk.PermOverrideCancelPolicy)}, nil
}

// renderCancel renders the dialog (htmx) or the page (no JavaScript).
func (s *ordersHandlers) renderCancel(c echo.Context, v web.CancelView, status int) error {
	if isPartial(c) {
		return render(c, status, web.CancelDialog(v))
	}
	cust, err := s.svc.CustomerByID(c.Request().Context(), actor(c), v.Dialog.CustomerID)
	if err != nil {
		return err
	}
	p := page(c, "customers", cust.CompanyName, tr(c, "cancel.title"), s.customerCrumbs(c, cust, tr(c, "cancel.title"))...)
	return render(c, status, web.CancelPage(p, cust, v))
}

// handleCancelDialog opens the cancel dialog; ?order_id= selects another order of the product.
func (s *ordersHandlers) handleCancelDialog(c echo.Context) error {
	v, err := s.cancelView(c, c.QueryParam("order_id"))
	if err != nil {
		return err
	}
	return s.renderCancel(c, v, http.StatusOK)
}

// handleCancel submits the dialog: the server checks the acknowledgement (R14), the window (R12),
// R13, the support-request rule (or a Global admin's override with its reason) and
// exactly-once (R15), and answers with the result at once (R16).
func (s *ordersHandlers) handleCancel(c echo.Context) error {
	ctx := c.Request().Context()
	orderID := c.FormValue("order_id")
	v, err := s.cancelView(c, orderID)
	if err != nil {
		return err
	}
	entitlement := v.Dialog.Selected.EntitlementID
	reason := strings.TrimSpace(c.FormValue("override_reason"))
	if c.FormValue("override") == "yes" && reason == "" {
		err = desk.KeyError(desk.EINVALID, "err.override_reason", desk.NumberArg(desk.MaxOverrideReason))
	}
	var order desk.Order
	var cancelled desk.Cancellation
	if err == nil {
		order, cancelled, err = s.svc.CancelEntitlement(ctx, actor(c), c.Param("id"), orderID, entitlement, c.FormValue("acknowledge") == "yes", reason)
	}
	switch desk.ErrorCode(err) {
	case "":
	case desk.EINVALID, desk.ECONFLICT, desk.EWINDOWCLOSED, desk.ENOTCANCEL, desk.ENEEDSUPPORT:
		v2, verr := s.cancelView(c, orderID)
		if verr != nil {
			return verr
		}
		v2.Error, v2.OverrideReason = i18n.From(ctx).Err(err), reason
		return s.renderCancel(c, v2, httperr.StatusOf(err))
	default:
		return err
	}
	v.Done, v.Cancelled, v.InvoiceID = true, cancelled, desk.InvoiceID(desk.Period(cancelled.CancelledAt), order.Currency)
	// The Software list refreshes itself in place.
	c.Response().Header().Set("HX-Trigger", "software-changed")
	return s.renderCancel(c, v, http.StatusOK)
}
