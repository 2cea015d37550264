package server

import (
	"context"
	"errors"
	"net/http"

	"partnerdesk/internal/desk"
	"partnerdesk/web"

	"github.com/labstack/echo/v4"
)

// peopleService is what the people handlers need of the service.
type peopleService interface {
	CustomerByID(ctx context.Context, a desk.Actor, id string) (desk.Customer, error)
	CustomerUsers(ctx context.Context, a desk.Actor, customerID string) ([]desk.User, error)
	InviteCustomerUser(ctx context.Context, a desk.Actor, customerID string, n desk.NewUser) (desk.User, string, error)
	RemoveCustomerUser(ctx context.Context, a desk.Actor, customerID, userID string, confirmed bool) (desk.User, error)
	ResetCustomerUserMFA(ctx context.Context, a desk.Actor, customerID, userID string) (desk.User, error)
	ResetCustomerUserPassword(ctx context.Context, a desk.Actor, customerID, userID string) (desk.User, string, error)
	ResetUserMFA(ctx context.Context, a desk.Actor, userID string) (desk.User, error)
	SetCustomerUserActive(ctx context.Context, a desk.Actor, customerID, userID string, active bool) (desk.User, error)
}

// Customer users' lifecycle (R24): from the customer's Account tab (the partner's Global admins)
// and from the admin center's Users page (the tenant's own Global admin; their tenant only, R4).

// customerUserActions are the actions on one customer user, the last part of their route.
var customerUserActions = []string{"deactivate", "activate", "password", "mfa-reset", "remove"}

// userResult is what an action on a user leaves to show: a one-time password, or a refusal.
type userResult struct {
	user     desk.User
	password string
	refusal  string
	status   int
}

// runUserAction runs action on a customer's user as the request's actor.
func (s *peopleHandlers) runUserAction(c echo.Context, action, customerID, userID string) (userResult, error) {
	ctx, a := c.Request().Context(), actor(c)
	var r userResult
	var err error
	switch action {
	case "deactivate", "activate":
		r.user, err = s.svc.SetCustomerUserActive(ctx, a, customerID, userID, action == "activate")
	case "password":
		r.user, r.password, err = s.svc.ResetCustomerUserPassword(ctx, a, customerID, userID)
	case "mfa-reset":
		r.user, err = s.svc.ResetCustomerUserMFA(ctx, a, customerID, userID)
	case "remove":
		// The confirmation is checked by the server, not only by the disabled button (as R14's is).
		r.user, err = s.svc.RemoveCustomerUser(ctx, a, customerID, userID, c.FormValue("confirm") == "yes")
	default:
		return r, echo.ErrNotFound
	}
	switch desk.ErrorCode(err) {
	case desk.ECONFLICT:
		r.refusal, r.status, err = tr(c, desk.ErrorMessage(err)), http.StatusConflict, nil
	case desk.EINVALID:
		r.refusal, r.status, err = tr(c, desk.ErrorMessage(err)), http.StatusBadRequest, nil
	}
	return r, err
}

// doneKey is the success message of an action.
func doneKey(action string) string {
	switch action {
	case "remove":
		return "user_removed"
	case "mfa-reset":
		return "mfa_reset"
	}
	return "user_updated"
}

func (s *peopleHandlers) handlePartnerCustomerUser(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Param("id")
		r, err := s.runUserAction(c, action, id, c.Param("user"))
		if err != nil {
			return err
		}
		switch {
		case r.refusal != "":
			return s.accountPage(c, web.AccountView{Error: r.refusal}, r.status)
		case r.password != "":
			return s.accountPage(c, web.AccountView{Secret: r.password, SecretFor: r.user.Email}, http.StatusOK)
		}
		return c.Redirect(http.StatusSeeOther, "/customers/"+id+"/account?done="+doneKey(action))
	}
}

func (s *peopleHandlers) portalUsersPage(c echo.Context, v web.PortalUsersView, status int) error {
	ctx, a := c.Request().Context(), actor(c)
	cust, err := s.svc.CustomerByID(ctx, a, a.User.CustomerID)
	if err != nil {
		return err
	}
	if v.Users, err = s.svc.CustomerUsers(ctx, a, cust.ID); err != nil {
		return err
	}
	p := page(c, "users", tr(c, "portal.users"), tr(c, "portal.title"), s.portalUsersCrumbs(c)...)
	return render(c, status, web.PortalUsersPage(p, cust, v))
}

func (s *peopleHandlers) portalUsersCrumbs(c echo.Context) []web.Crumb {
	return []web.Crumb{{Label: tr(c, "home.title"), Href: "/portal"}, {Label: tr(c, "portal.users")}}
}

func (s *peopleHandlers) handlePortalUsers(c echo.Context) error {
	return s.portalUsersPage(c, web.PortalUsersView{}, http.StatusOK)
}

func (s *peopleHandlers) handlePortalInvite(c echo.Context) error {
	var roles desk.Roles
	if r, ok := desk.ParseRole(c.FormValue("role")); ok && !r.IsPartner() {
		roles = desk.RolesOf(r)
	}
	n := desk.NewUser{Email: c.FormValue("email"), DisplayName: c.FormValue("display_name"), Roles: roles}
	u, password, err := s.svc.InviteCustomerUser(c.Request().Context(), actor(c), currentUser(c).CustomerID, n)
	var ve *desk.ValidationError
	if errors.As(err, &ve) {
		return s.portalUsersPage(c, web.PortalUsersView{Form: n, Errors: ve.Fields}, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	return s.portalUsersPage(c, web.PortalUsersView{Secret: password, SecretFor: u.Email}, http.StatusOK)
}

func (s *peopleHandlers) handlePortalUserAction(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		r, err := s.runUserAction(c, action, currentUser(c).CustomerID, c.Param("user"))
		if err != nil {
			return err
		}
		switch {
		case r.refusal != "":
			return s.portalUsersPage(c, web.PortalUsersView{Error: r.refusal}, r.status)
		case r.password != "":
			return s.portalUsersPage(c, web.PortalUsersView{Secret: r.password, SecretFor: r.user.Email}, http.StatusOK)
		}
		return c.Redirect(http.StatusSeeOther, "/portal/users?done="+doneKey(action))
	}
}

func (s *peopleHandlers) handleUserMFAReset(c echo.Context) error {
	return s.userAction(c, func() error {
		_, err := s.svc.ResetUserMFA(c.Request().Context(), actor(c), c.Param("id"))
		return err
	})
}
