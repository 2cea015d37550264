package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/httplog"
	"partnerdesk/internal/i18n"
	"partnerdesk/web"

	"github.com/labstack/echo/v4"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext keeps a post-sign-in redirect on this site: it returns the target rebuilt from its
// parsed path and query when it is a local absolute path, and "/" otherwise. Browsers drop tabs
// and newlines from URLs and read a backslash as a slash, so "/\t/evil.example" or
// "/\\evil.example" would leave the site as "//evil.example": any control, space or format
// character, any backslash, and any percent-encoded form of them (also encoded twice) is
// refused, as is a path that starts with two slashes once decoded ("/%2F/evil.example").
func safeNext(next string) string {
	if next == "" || len(next) > maxNext || next[0] != '/' || !plainURL(next, true) {
		return "/"
	}
	// Decode until nothing changes: whatever a browser or a proxy may decode must be safe too.
	for s, i := next, 0; ; i++ {
		d, err := url.PathUnescape(s)
		if err != nil || i > 3 || !plainURL(d, false) {
			return "/"
		}
		if path, _, _ := strings.Cut(d, "?"); strings.HasPrefix(path, "//") {
			return "/"
		}
		if d == s {
			break
		}
		s = d
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Opaque != "" || u.User != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	out := (&url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}).String()
	if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") {
		return "/"
	}
	return out
}

// maxNext bounds a redirect target.
const maxNext = 2048

// plainURL reports whether s has no control or format character (bidi overrides, zero-width
// characters), no backslash and no space but, once decoded, the plain one of a search; raw
// also refuses anything beyond printable ASCII, which a URL this site builds never has before
// decoding.
func plainURL(s string, raw bool) bool {
	for _, r := range s {
		if r == '\\' || r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) ||
			(unicode.IsSpace(r) && (raw || r != ' ')) || (raw && r > unicode.MaxASCII) {
			return false
		}
	}
	return true
}

func (s *Server) handleHealthz(c echo.Context) error {
	if err := s.svc.Ping(c.Request().Context()); err != nil {
		httplog.Error(s.log, c, "healthz", err)
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
	http.SetCookie(c.Response(), &http.Cookie{Name: s.langCookie, Value: loc, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
	back := "/"
	if ref, err := url.Parse(c.Request().Referer()); err == nil && ref.Host == c.Request().Host {
		back = safeNext(ref.RequestURI())
	}
	return c.Redirect(http.StatusSeeOther, back)
}

// handleTheme saves the colour theme choice: on the user when signed in (so every later page's
// first paint is right), else in a cookie. app.js posts it with fetch and applies it at once;
// without JavaScript the form posts and the page comes back.
func (s *Server) handleTheme(c echo.Context) error {
	theme := c.FormValue("theme")
	if !desk.ValidTheme(theme) {
		return desk.FieldError("theme", "err.theme")
	}
	if u, ok := c.Get(ctxUser).(desk.User); ok {
		if err := s.svc.SetTheme(c.Request().Context(), desk.Actor{User: u, IP: c.RealIP()}, theme); err != nil {
			return err
		}
	} else {
		ck := &http.Cookie{Name: s.themeCookie, Value: theme, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode}
		if theme == "" {
			ck.MaxAge = -1
		}
		http.SetCookie(c.Response(), ck)
	}
	if c.Request().Header.Get("X-PartnerDesk-Fetch") == "1" {
		return c.NoContent(http.StatusNoContent)
	}
	back := "/"
	if ref, err := url.Parse(c.Request().Referer()); err == nil && ref.Host == c.Request().Host {
		back = safeNext(ref.RequestURI())
	}
	return c.Redirect(http.StatusSeeOther, back)
}

// handleHome is the partner Home workspace (tiles for the areas the user's roles can use);
// customer users start in their admin center.
func (s *Server) handleHome(c echo.Context) error {
	u := currentUser(c)
	if !u.IsPartner() {
		return c.Redirect(http.StatusSeeOther, "/portal")
	}
	return render(c, http.StatusOK, web.HomePage(page(c, "home", tr(c, "home.title"), "")))
}
