package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"
	"partnerdesk/internal/service"
	"partnerdesk/web"

	"github.com/labstack/echo/v4"
)

// accountService is what the account handlers need of the service.
type accountService interface {
	BeginEnrolment(u desk.User) (service.Enrolment, error)
	ChangePassword(ctx context.Context, sess desk.Session, sessionToken, current, next, ip string) (desk.Session, string, error)
	ConfirmEnrolment(ctx context.Context, sess desk.Session, sessionToken, enrolToken, code, ip string) ([]string, string, error)
	CreateToken(ctx context.Context, a desk.Actor, name string, lifetime time.Duration) (desk.APIToken, string, error)
	CustomerByID(ctx context.Context, a desk.Actor, id string) (desk.Customer, error)
	DisableMFA(ctx context.Context, a desk.Actor, code string) error
	EnrolmentFromToken(u desk.User, token string) (service.Enrolment, error)
	MFARequired(u desk.User) bool
	MyTokens(ctx context.Context, a desk.Actor) ([]desk.APIToken, error)
	Now() time.Time
	RegenerateRecoveryCodes(ctx context.Context, a desk.Actor, code string) ([]string, error)
	RevokeToken(ctx context.Context, a desk.Actor, id string) error
	Tokens(ctx context.Context, a desk.Actor) ([]desk.APIToken, error)
	UnusedRecoveryCodes(ctx context.Context, a desk.Actor) (int, error)
}

// My account → Security (/account/security): two-step verification (R22), the password (R24)
// and a partner user's own API tokens. A session that must change its one-time password or set
// up two-step verification before anything else is sent here and can use only its part.

// securityPage renders the page for the request's session with what v already holds.
func (s *accountHandlers) securityPage(c echo.Context, v web.SecurityView, status int) error {
	ctx := c.Request().Context()
	sess, _, _ := currentSession(c)
	v.User, v.Stage = sess.User, sess.Stage
	if v.Stage == "" {
		v.Stage = desk.StageFull
	}
	v.Required = s.svc.MFARequired(v.User)
	if v.Next == "" {
		v.Next = safeNext(c.QueryParam("next"))
		if v.Next == "/" {
			v.Next = ""
		}
	}
	a := desk.Actor{User: v.User, IP: c.RealIP()}
	if v.User.MFAEnrolled() {
		n, err := s.svc.UnusedRecoveryCodes(ctx, a)
		if err != nil {
			return err
		}
		v.UnusedCodes = n
	} else if v.Stage != desk.StagePassword && v.Setup.Secret == "" {
		enr, err := s.svc.BeginEnrolment(v.User)
		if err != nil {
			return err
		}
		if v.Setup, err = s.setup(c, enr); err != nil {
			return err
		}
	}
	if v.Stage == desk.StageFull && v.User.Can(desk.PermOwnTokens) {
		tokens, err := s.svc.MyTokens(ctx, a)
		if err != nil {
			return err
		}
		v.Tokens, v.Now = tokens, s.svc.Now()
		if v.TokenForm.Days == "" {
			v.TokenForm.Days = "30"
		}
	}
	if v.Stage == desk.StageFull && !v.User.IsPartner() {
		cust, err := s.svc.CustomerByID(ctx, a, v.User.CustomerID)
		if err != nil {
			return err
		}
		v.Customer = cust
	}
	p := web.Page{Title: tr(c, "security.title"), User: v.User, Nav: "security", Flash: flash(c),
		Crumbs: []web.Crumb{{Label: tr(c, "profile.account")}, {Label: tr(c, "security.title")}}}
	c.Response().Header().Set("Cache-Control", "no-store") // secrets and recovery codes
	return render(c, status, web.SecurityPage(p, v))
}

// setup draws an enrolment's QR code.
func (s *accountHandlers) setup(c echo.Context, enr service.Enrolment) (web.Setup, error) {
	qr, err := web.QRSVG(enr.URI, tr(c, "security.qr_label"))
	if err != nil {
		return web.Setup{}, err
	}
	return web.Setup{Secret: enr.Secret, Token: enr.Token, QR: qr}, nil
}

func (s *accountHandlers) handleSecurity(c echo.Context) error {
	return s.securityPage(c, web.SecurityView{}, http.StatusOK)
}

// formError turns a refused form into what the page shows: field messages, or one message with
// its status. Anything else is returned as it is.
func formError(c echo.Context, err error, v *web.SecurityView) (int, error) {
	var ve *desk.ValidationError
	if errors.As(err, &ve) {
		v.Errors = ve.Fields
		return http.StatusUnprocessableEntity, nil
	}
	var de *desk.Error
	if !errors.As(err, &de) {
		return 0, err
	}
	switch de.Code {
	case desk.EINVALID:
		if de.Field != "" {
			v.Errors = desk.FieldErrors{de.Field: de.Message}
		} else {
			v.Error = i18n.From(c.Request().Context()).Err(de)
		}
		return http.StatusUnprocessableEntity, nil
	case desk.ERATELIMIT:
		c.Response().Header().Set("Retry-After", strconv.Itoa(de.RetrySeconds()))
		v.Error = i18n.From(c.Request().Context()).Err(de)
		return http.StatusTooManyRequests, nil
	case desk.ECONFLICT:
		v.Error = i18n.From(c.Request().Context()).Err(de)
		return http.StatusConflict, nil
	}
	return 0, err
}

// handleConfirmMFA turns two-step verification on with a code from the app just set up, and
// shows the recovery codes once.
func (s *accountHandlers) handleConfirmMFA(c echo.Context) error {
	sess, token, _ := currentSession(c)
	setupToken, next := c.FormValue("setup"), safeNext(c.FormValue("next"))
	codes, newToken, err := s.svc.ConfirmEnrolment(c.Request().Context(), sess, token, setupToken, c.FormValue("code"), c.RealIP())
	if err != nil {
		v := web.SecurityView{}
		status, err := formError(c, err, &v)
		if err != nil {
			return err
		}
		// The same secret again, so the app just set up keeps working (unless it expired).
		if enr, err := s.svc.EnrolmentFromToken(sess.User, setupToken); err == nil {
			if v.Setup, err = s.setup(c, enr); err != nil {
				return err
			}
		}
		if next != "/" {
			v.Next = next
		}
		return s.securityPage(c, v, status)
	}
	if newToken != "" {
		if err := s.setSession(c, newToken); err != nil {
			return err
		}
		sess.Stage = desk.StageFull
	}
	sess.User.MFAEnrolledAt = s.svc.Now()
	c.Set(ctxSession, sess)
	c.Set(ctxUser, sess.User)
	return s.securityPage(c, web.SecurityView{RecoveryCodes: codes, Next: homeOf(sess.User, next)}, http.StatusOK)
}

func (s *accountHandlers) handleRecoveryCodes(c echo.Context) error {
	codes, err := s.svc.RegenerateRecoveryCodes(c.Request().Context(), actor(c), c.FormValue("code"))
	if err != nil {
		v := web.SecurityView{}
		status, err := formError(c, err, &v)
		if err != nil {
			return err
		}
		return s.securityPage(c, v, status)
	}
	return s.securityPage(c, web.SecurityView{RecoveryCodes: codes}, http.StatusOK)
}

func (s *accountHandlers) handleDisableMFA(c echo.Context) error {
	if err := s.svc.DisableMFA(c.Request().Context(), actor(c), c.FormValue("code")); err != nil {
		v := web.SecurityView{}
		status, err := formError(c, err, &v)
		if err != nil {
			return err
		}
		if len(v.Errors) > 0 {
			v.Error, v.Errors = tr(c, v.Errors["code"]), nil
		}
		return s.securityPage(c, v, status)
	}
	return c.Redirect(http.StatusSeeOther, "/account/security?done=mfa_disabled")
}

// handleChangePassword changes the user's own password; a sign-in that had to change its
// one-time password goes on to its next step.
func (s *accountHandlers) handleChangePassword(c echo.Context) error {
	sess, token, _ := currentSession(c)
	next := safeNext(c.FormValue("next"))
	moved, newToken, err := s.svc.ChangePassword(c.Request().Context(), sess, token, c.FormValue("current_password"), c.FormValue("new_password"), c.RealIP())
	if err != nil {
		v := web.SecurityView{}
		status, err := formError(c, err, &v)
		if err != nil {
			return err
		}
		if next != "/" {
			v.Next = next
		}
		return s.securityPage(c, v, status)
	}
	if newToken != "" {
		if moved.Stage == desk.StageFull {
			if err := s.setSession(c, newToken); err != nil {
				return err
			}
			return c.Redirect(http.StatusSeeOther, withDone(homeOf(moved.User, next), "password_changed"))
		}
		return s.advancedSession(c, moved, newToken, next)
	}
	return c.Redirect(http.StatusSeeOther, "/account/security?done=password_changed")
}

// withDone adds the one-time success message to a local path.
func withDone(path, key string) string {
	if strings.Contains(path, "?") {
		return path + "&done=" + key
	}
	return path + "?done=" + key
}

func (s *accountHandlers) handleCreateOwnToken(c echo.Context) error {
	v := web.SecurityView{}
	v.TokenForm.Name, v.TokenForm.Days = c.FormValue("name"), c.FormValue("days")
	days, err := strconv.Atoi(strings.TrimSpace(v.TokenForm.Days))
	if err != nil {
		days = 0
	}
	_, secret, err := s.svc.CreateToken(c.Request().Context(), actor(c), v.TokenForm.Name, time.Duration(days)*24*time.Hour)
	if err != nil {
		status, err := formError(c, err, &v)
		if err != nil {
			return err
		}
		return s.securityPage(c, v, status)
	}
	return s.securityPage(c, web.SecurityView{TokenSecret: secret}, http.StatusOK)
}

func (s *accountHandlers) handleRevokeOwnToken(c echo.Context) error {
	if err := s.svc.RevokeToken(c.Request().Context(), actor(c), c.Param("apitoken")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account/security?done=token_revoked#tokens")
}
