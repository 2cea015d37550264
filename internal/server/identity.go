package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"
	"partnerdesk/internal/service"
	"partnerdesk/web"

	"github.com/labstack/echo/v4"
)

// signinService is what the signin handlers need of the service.
type signinService interface {
	FinishSSO(ctx context.Context, redirectURL string, ans service.SSOAnswer, ip string) (desk.Session, string, string, error)
	SSOEnabled() bool
	SSOFormOrigin(ctx context.Context) string
	StartSSO(ctx context.Context, redirectURL, next, ip string) (authURL, binding string, err error)
	VerifySecondFactor(ctx context.Context, sessionToken, code, ip string) (desk.Session, string, error)
}

// The steps of a sign-in after the password: the code at /signin/mfa (R22) and single sign-on
// with an OpenID Connect provider (R23).

// ssoCookie ties a single sign-on attempt to the browser that started it (login CSRF).
const ssoCookie = "pd_sso"

// advancedSession sets the cookie of a session that moved on a step (its old token is gone)
// and sends the browser to the next step, or on to where it was going.
func (s *signinHandlers) advancedSession(c echo.Context, sess desk.Session, token, next string) error {
	if err := s.setSession(c, token); err != nil {
		return err
	}
	if sess.Stage != desk.StageFull {
		dest := stagePath(sess.Stage)
		if n := safeNext(next); n != "/" {
			dest += "?next=" + urlQueryEscape(n)
		}
		return c.Redirect(http.StatusSeeOther, dest)
	}
	return c.Redirect(http.StatusSeeOther, homeOf(sess.User, next))
}

// mfaPending returns the request's session when it waits for a code; otherwise the answer to
// give: on to the start page when signed in, to the step due, or back to the sign-in form.
func (s *signinHandlers) mfaPending(c echo.Context) (desk.Session, string, error) {
	sess, token, ok := currentSession(c)
	switch {
	case ok && sess.Stage == desk.StageMFA:
		return sess, token, nil
	case ok && sess.Stage == desk.StageFull:
		return sess, "", c.Redirect(http.StatusSeeOther, homeOf(sess.User, c.QueryParam("next")))
	case ok:
		return sess, "", c.Redirect(http.StatusSeeOther, stagePath(sess.Stage))
	}
	return sess, "", c.Redirect(http.StatusSeeOther, "/signin")
}

func (s *signinHandlers) handleMFAForm(c echo.Context) error {
	_, token, err := s.mfaPending(c)
	if token == "" {
		return err
	}
	return render(c, http.StatusOK, web.MFAPage(web.MFAForm{Next: c.QueryParam("next")}))
}

func (s *signinHandlers) handleMFA(c echo.Context) error {
	_, token, err := s.mfaPending(c)
	if token == "" {
		return err
	}
	next := c.FormValue("next")
	sess, newToken, err := s.svc.VerifySecondFactor(c.Request().Context(), token, c.FormValue("code"), c.RealIP())
	if err != nil {
		var de *desk.Error
		if !errors.As(err, &de) {
			return err
		}
		status := http.StatusUnauthorized
		switch {
		case de.Code == desk.ERATELIMIT:
			status = http.StatusTooManyRequests
			c.Response().Header().Set("Retry-After", strconv.Itoa(de.RetrySeconds()))
		case de.Code == desk.EINVALID:
			status = http.StatusUnprocessableEntity
		case de.Code == desk.EUNAUTHORIZED && !strings.HasPrefix(de.Message, "err.mfa_"):
			// The sign-in itself ended (too long at this step): start again.
			s.clearSession(c)
			return c.Redirect(http.StatusSeeOther, "/signin")
		case de.Code != desk.EUNAUTHORIZED:
			return err
		}
		return render(c, status, web.MFAPage(web.MFAForm{Next: next, Error: i18n.From(c.Request().Context()).Err(de)}))
	}
	return s.advancedSession(c, sess, newToken, next)
}

// signInPage renders the sign-in form. With single sign-on its Content-Security-Policy lets
// forms go on to the identity provider: browsers apply form-action to the redirect that follows
// a form, and the "Sign in with your organisation" form is answered with one to the provider.
func (s *signinHandlers) signInPage(c echo.Context, status int, f web.SignInForm) error {
	f.SSO = s.svc.SSOEnabled()
	if f.SSO {
		if origin := s.svc.SSOFormOrigin(c.Request().Context()); origin != "" {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", allowFormAction(h.Get("Content-Security-Policy"), origin))
		}
	}
	return render(c, status, web.SignInPage(f))
}

// allowFormAction adds origin to a policy's form-action directive.
func allowFormAction(policy, origin string) string {
	parts := strings.Split(policy, ";")
	for i, p := range parts {
		if f := strings.Fields(p); len(f) > 0 && f[0] == "form-action" {
			parts[i] = strings.TrimRight(p, " ") + " " + origin
			return strings.Join(parts, ";")
		}
	}
	return policy
}

// ssoCallbackURL is the redirect URI of this request's origin (PARTNERDESK_OIDC_REDIRECT_URL,
// when set, takes its place in the service).
func (s *signinHandlers) ssoCallbackURL(c echo.Context) string {
	scheme := "http"
	if c.Request().TLS != nil || s.cfg.Secure {
		scheme = "https"
	}
	return scheme + "://" + c.Request().Host + service.SSOCallbackPath
}

func (s *signinHandlers) handleSSOStart(c echo.Context) error {
	if !s.svc.SSOEnabled() {
		return echo.ErrNotFound
	}
	next := safeNext(c.FormValue("next"))
	authURL, binding, err := s.svc.StartSSO(c.Request().Context(), s.ssoCallbackURL(c), next, c.RealIP())
	if err != nil {
		loc := i18n.From(c.Request().Context())
		var de *desk.Error
		if errors.As(err, &de) && de.Code == desk.ERATELIMIT {
			c.Response().Header().Set("Retry-After", strconv.Itoa(de.RetrySeconds()))
			return s.signInPage(c, http.StatusTooManyRequests, web.SignInForm{Next: next, Error: loc.Err(de)})
		}
		s.log.Error("single sign-on start", "err", err)
		return s.signInPage(c, http.StatusServiceUnavailable, web.SignInForm{Next: next, Error: loc.T("err.sso_unavailable")})
	}
	http.SetCookie(c.Response(), &http.Cookie{Name: ssoCookie, Value: binding, Path: "/signin/oidc", MaxAge: 600, HttpOnly: true,
		Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusSeeOther, authURL)
}

func (s *signinHandlers) handleSSOCallback(c echo.Context) error {
	if !s.svc.SSOEnabled() {
		return echo.ErrNotFound
	}
	binding := ""
	if ck, err := c.Request().Cookie(ssoCookie); err == nil {
		binding = ck.Value
	}
	http.SetCookie(c.Response(), &http.Cookie{Name: ssoCookie, Value: "", Path: "/signin/oidc", MaxAge: -1, HttpOnly: true,
		Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
	q := c.QueryParams()
	sess, token, next, err := s.svc.FinishSSO(c.Request().Context(), s.ssoCallbackURL(c),
		service.SSOAnswer{State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error"), Binding: binding}, c.RealIP())
	if desk.ErrorCode(err) == desk.EUNAUTHORIZED {
		loc := i18n.From(c.Request().Context())
		return s.signInPage(c, http.StatusUnauthorized, web.SignInForm{Error: loc.Msg(desk.ErrorMessage(err))})
	}
	if err != nil {
		s.log.Error("single sign-on", "err", err)
		loc := i18n.From(c.Request().Context())
		return s.signInPage(c, http.StatusServiceUnavailable, web.SignInForm{Error: loc.T("err.sso_unavailable")})
	}
	return s.startedSession(c, sess, token, next)
}
