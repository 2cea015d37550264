package server

import (
	"context"
	"net/http"

	"partnerdesk/internal/desk"
	"partnerdesk/web"

	"github.com/labstack/echo/v4"
)

// usersService is what the users handlers need of the service.
type usersService interface {
	CreateUser(ctx context.Context, a desk.Actor, n desk.NewUser) (desk.User, string, error)
	ResetPassword(ctx context.Context, a desk.Actor, id string) (desk.User, string, error)
	SetUserActive(ctx context.Context, a desk.Actor, id string, active bool) (desk.User, error)
	SetUserRoles(ctx context.Context, a desk.Actor, id string, roles desk.Roles) (desk.User, error)
	Users(ctx context.Context, a desk.Actor) ([]desk.User, error)
}

func (s *usersHandlers) usersPage(c echo.Context, v web.UsersView) error {
	users, err := s.svc.Users(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	v.Users = users
	v.Me = currentUser(c)
	p := page(c, "settings", tr(c, "settings.users"), tr(c, "settings.title"), web.Crumb{Label: tr(c, "settings.title")}, web.Crumb{Label: tr(c, "settings.users")})
	status := http.StatusOK
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	} else if v.Error != "" {
		status = http.StatusConflict
	}
	return render(c, status, web.UsersPage(p, v))
}

func (s *usersHandlers) handleUsers(c echo.Context) error { return s.usersPage(c, web.UsersView{}) }

func formRoles(c echo.Context) desk.Roles {
	var rs desk.Roles
	form, _ := c.FormParams()
	for _, slug := range form["role"] {
		if r, ok := desk.ParseRole(slug); ok && r.IsPartner() {
			rs |= desk.Roles(r)
		}
	}
	return rs
}

func (s *usersHandlers) handleCreateUser(c echo.Context) error {
	n := desk.NewUser{Email: c.FormValue("email"), DisplayName: c.FormValue("display_name"), Roles: formRoles(c)}
	u, password, err := s.svc.CreateUser(c.Request().Context(), actor(c), n)
	if ve, ok := err.(*desk.ValidationError); ok {
		return s.usersPage(c, web.UsersView{Form: n, Errors: ve.Fields})
	}
	if err != nil {
		return err
	}
	return s.usersPage(c, web.UsersView{Secret: password, SecretFor: u.Email})
}

// userAction runs a change on one user and shows the list again, with the refusal if any.
func (s *usersHandlers) userAction(c echo.Context, fn func() error) error {
	err := fn()
	switch desk.ErrorCode(err) {
	case "":
		return c.Redirect(http.StatusSeeOther, "/settings/users?done=user_updated")
	case desk.ECONFLICT, desk.EINVALID:
		return s.usersPage(c, web.UsersView{Error: tr(c, desk.ErrorMessage(err))})
	}
	if ve, ok := err.(*desk.ValidationError); ok {
		return s.usersPage(c, web.UsersView{Error: tr(c, ve.Fields["roles"])})
	}
	return err
}

func (s *usersHandlers) handleUserRoles(c echo.Context) error {
	return s.userAction(c, func() error {
		_, err := s.svc.SetUserRoles(c.Request().Context(), actor(c), c.Param("id"), formRoles(c))
		return err
	})
}

func (s *usersHandlers) handleUserDeactivate(c echo.Context) error {
	return s.userAction(c, func() error {
		_, err := s.svc.SetUserActive(c.Request().Context(), actor(c), c.Param("id"), false)
		return err
	})
}

func (s *usersHandlers) handleUserActivate(c echo.Context) error {
	return s.userAction(c, func() error {
		_, err := s.svc.SetUserActive(c.Request().Context(), actor(c), c.Param("id"), true)
		return err
	})
}

func (s *usersHandlers) handleUserPassword(c echo.Context) error {
	u, password, err := s.svc.ResetPassword(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return s.usersPage(c, web.UsersView{Secret: password, SecretFor: u.Email})
}
