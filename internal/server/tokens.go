package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/web"

	"github.com/labstack/echo/v4"
)

func (s *accountHandlers) tokensPage(c echo.Context, v web.TokensView, status int) error {
	ctx := c.Request().Context()
	var err error
	if v.Tokens, err = s.svc.Tokens(ctx, actor(c)); err != nil {
		return err
	}
	if v.Form.Days == "" {
		v.Form.Days = "30"
	}
	v.Now = s.svc.Now()
	p := page(c, "settings", tr(c, "tokens.title"), tr(c, "settings.title"), web.Crumb{Label: tr(c, "settings.title")}, web.Crumb{Label: tr(c, "tokens.title")})
	return render(c, status, web.TokensPage(p, v))
}

func (s *accountHandlers) handleTokens(c echo.Context) error {
	return s.tokensPage(c, web.TokensView{}, http.StatusOK)
}

// handleCreateToken creates a token for the Global admin themselves (a token is only ever made
// by its own user, or with the CLI) and shows its secret once.
func (s *accountHandlers) handleCreateToken(c echo.Context) error {
	var v web.TokensView
	v.Form.Name, v.Form.Days = c.FormValue("name"), c.FormValue("days")
	days, err := strconv.Atoi(strings.TrimSpace(v.Form.Days))
	if err != nil {
		days = 0
	}
	_, secret, err := s.svc.CreateToken(c.Request().Context(), actor(c), v.Form.Name, time.Duration(days)*24*time.Hour)
	var ve *desk.ValidationError
	if errors.As(err, &ve) {
		v.Errors = ve.Fields
		return s.tokensPage(c, v, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	return s.tokensPage(c, web.TokensView{Secret: secret}, http.StatusOK)
}

func (s *accountHandlers) handleRevokeToken(c echo.Context) error {
	if err := s.svc.RevokeToken(c.Request().Context(), actor(c), c.Param("token")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/tokens?done=token_revoked")
}

func (s *accountHandlers) handleAPIDocs(c echo.Context) error {
	var ops []web.APIOperation
	if s.cfg.APIDocument != nil {
		ops = web.APIOperations(s.cfg.APIDocument())
	}
	p := page(c, "settings", tr(c, "api.title"), tr(c, "settings.title"), web.Crumb{Label: tr(c, "settings.title")}, web.Crumb{Label: tr(c, "api.title")})
	return render(c, http.StatusOK, web.APIPage(p, ops, s.origin(c)))
}
