package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"
	"partnerdesk/web"

	"github.com/labstack/echo/v4"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext keeps a post-sign-in redirect on this site (a local path, not //host or a scheme).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

func (s *Server) handleHealthz(c echo.Context) error {
	if err := s.svc.Ping(c.Request().Context()); err != nil {
		s.log.Error("healthz", "err", err)
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	return c.String(http.StatusOK, "ok\n")
}

func (s *Server) handleSignInForm(c echo.Context) error {
	if _, ok := c.Get(ctxUser).(desk.User); ok {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	return s.signInPage(c, http.StatusOK, web.SignInForm{Next: c.QueryParam("next")})
}

func (s *Server) handleSignIn(c echo.Context) error {
	email, password, next := c.FormValue("email"), c.FormValue("password"), c.FormValue("next")
	sess, token, err := s.svc.SignIn(c.Request().Context(), email, password, c.RealIP())
	if err != nil {
		code := desk.ErrorCode(err)
		if code != desk.EUNAUTHORIZED && code != desk.ERATELIMIT {
			return err
		}
		status := http.StatusUnauthorized
		var de *desk.Error
		if code == desk.ERATELIMIT && errors.As(err, &de) {
			status = http.StatusTooManyRequests
			c.Response().Header().Set("Retry-After", strconv.Itoa(de.RetrySeconds()))
		}
		loc := i18n.From(c.Request().Context())
		return s.signInPage(c, status, web.SignInForm{Email: email, Next: next, Error: loc.Msg(desk.ErrorMessage(err))})
	}
	return s.startedSession(c, sess, token, next)
}

// startedSession sets the cookie of a new session and sends the browser on: to where it was
// going when the session has the user's rights, else to the step the sign-in must finish
// (a code, a new password, or setting up two-step verification).
func (s *Server) startedSession(c echo.Context, sess desk.Session, token, next string) error {
	// A new session at every sign-in (no fixation): any session the browser had is ended.
	if old := s.sessionToken(c.Request()); old != "" {
		_ = s.svc.SignOut(c.Request().Context(), desk.Actor{User: sess.User, IP: c.RealIP()}, old)
	}
	return s.advancedSession(c, sess, token, next)
}

// homeOf is where a signed-in user goes: next if it is a local path, else their start page.
func homeOf(u desk.User, next string) string {
	dest := safeNext(next)
	if dest == "/" && !u.IsPartner() {
		dest = "/portal"
	}
	return dest
}

func (s *Server) handleSignOut(c echo.Context) error {
	sess, _, _ := currentSession(c)
	if err := s.svc.SignOut(c.Request().Context(), desk.Actor{User: sess.User, IP: c.RealIP()}, s.sessionToken(c.Request())); err != nil {
		return err
	}
	s.clearSession(c)
	return c.Redirect(http.StatusSeeOther, "/signin")
}

// handleLanguage saves the language choice: on the user when signed in, and in a cookie.
func (s *Server) handleLanguage(c echo.Context) error {
	loc := c.FormValue("locale")
	if loc != "en" && loc != "hu" {
		return desk.FieldError("locale", "err.locale")
	}
	if u, ok := c.Get(ctxUser).(desk.User); ok {
		if err := s.svc.SetLocale(c.Request().Context(), desk.Actor{User: u, IP: c.RealIP()}, loc); err != nil {
			return err
		}
	}
	http.SetCookie(c.Response(), &http.Cookie{Name: langCookie, Value: loc, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
	back := "/"
	if ref, err := url.Parse(c.Request().Referer()); err == nil && ref.Host == c.Request().Host {
		back = safeNext(ref.RequestURI())
	}
	return c.Redirect(http.StatusSeeOther, back)
}

// handleHome sends each user to their starting page.
func (s *Server) handleHome(c echo.Context) error {
	u := currentUser(c)
	if !u.IsPartner() {
		return c.Redirect(http.StatusSeeOther, "/portal")
	}
	if u.Can(desk.PermViewCustomers) {
		return c.Redirect(http.StatusSeeOther, "/customers")
	}
	return render(c, http.StatusOK, web.HomePage(page(c, "home", tr(c, "home.title"), "")))
}
