// Package server is PartnerDesk's web layer on echo: the router, middleware (request id, logging,
// recover, cross-origin protection, session, locale, role checks) and one handler file per area.
// Handlers are thin: parse, call one service method, render. It never imports a store.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/httperr"
	"partnerdesk/internal/httplog"
	"partnerdesk/internal/i18n"
	"partnerdesk/internal/service"
	"partnerdesk/static"
	"partnerdesk/web"

	"github.com/a-h/templ"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Config holds the web layer's settings.
type Config struct {
	// SessionHashKey and SessionBlockKey sign and encrypt the session cookie.
	SessionHashKey, SessionBlockKey []byte
	// Secure marks cookies Secure and names them __Host-… (serve over TLS, or behind a TLS
	// proxy); the application adds HSTS.
	Secure bool
	// BaseURL is the public origin (https://desk.example.com) that absolute links are built on;
	// "" builds them on the request's scheme and Host.
	BaseURL string
	Logger  *slog.Logger
	// APIDocument returns the REST API's OpenAPI document, rendered for people on /settings/api.
	APIDocument func() map[string]any
}

// Route is one registered route with the permission it needs ("" public, "signed-in" any user).
type Route struct {
	Method, Path string
	Perm         desk.Permission
}

// PermSignedIn marks routes open to any signed-in user.
const PermSignedIn desk.Permission = "signed-in"

// Server is the HTTP application.
type Server struct {
	areas // the handlers, by area (areas.go)

	svc     *service.Service
	cfg     Config
	log     *slog.Logger
	e       *echo.Echo
	cookies *sessions.CookieStore
	routes  []Route
	handler http.Handler
	// decoded remembers decoded session cookies (cookie value → token).
	decoded  sync.Map
	decodedN atomic.Int64
	// sessionCookie, langCookie and themeCookie are the cookies' names: __Host-… when Secure, so that a
	// subdomain or a plain-HTTP page cannot set or overwrite them.
	sessionCookie, langCookie, themeCookie string
}

const (
	ctxUser = httplog.UserKey
	// ctxPending holds a session whose sign-in is not finished (desk.Session): it carries no
	// rights, so ctxUser stays unset and every route behind require refuses it.
	ctxPending = "pending"
	// ctxSession holds the request's session (desk.Session) and ctxToken its token.
	ctxSession = "session"
	ctxToken   = "session-token"
)

// New builds the server and its routes.
func New(svc *service.Service, cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{svc: svc, cfg: cfg, log: cfg.Logger, e: echo.New(), sessionCookie: "pd_session", langCookie: "pd_lang", themeCookie: "pd_theme"}
	s.bind(s)
	if cfg.Secure {
		s.sessionCookie, s.langCookie, s.themeCookie = "__Host-pd_session", "__Host-pd_lang", "__Host-pd_theme"
	}
	s.cookies = sessions.NewCookieStore(cfg.SessionHashKey, cfg.SessionBlockKey)
	s.cookies.Options = &sessions.Options{Path: "/", HttpOnly: true, Secure: cfg.Secure, SameSite: http.SameSiteLaxMode}
	s.cookies.MaxAge(0)
	s.cookies.Options.SameSite = http.SameSiteLaxMode

	e := s.e
	e.HideBanner, e.HidePort = true, true
	// The client IP (sign-in limits, the activity log) comes from the connection, never from
	// X-Forwarded-For or X-Real-IP, which a client can forge (echo trusts them by default).
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{}))
	e.Use(httplog.Requests(s.log))
	e.Use(httplog.Recover(s.log))
	e.Use(middleware.BodyLimit("32M"))
	e.Use(s.secureHeaders)
	e.Use(s.loadSession)

	s.registerRoutes()

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte("403 Forbidden: cross-origin request refused.\n"))
	}))
	s.handler = cop.Handler(e)
	return s
}

// origin is the scheme and host absolute links are built on: the configured public base URL,
// else the request's.
func (s *Server) origin(c echo.Context) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	return c.Scheme() + "://" + c.Request().Host
}

// Handler returns the whole application: cross-origin protection around the router, so every
// state-changing request from another origin is refused before any handler runs.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes lists the registered routes with their permissions (the route × role tests use it).
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// route registers a handler behind the permission check. A route that finishes a sign-in also
// takes sessions of the stages it names (R22, R24); no other route takes them.
func (s *Server) route(method, path string, perm desk.Permission, h echo.HandlerFunc, stages ...desk.SessionStage) {
	s.routes = append(s.routes, Route{Method: method, Path: path, Perm: perm})
	var mw []echo.MiddlewareFunc
	if perm != "" {
		mw = append(mw, s.require(perm, stages...))
	}
	s.e.Add(method, path, h, mw...)
}

func (s *Server) registerRoutes() {
	s.e.StaticFS("/static", static.FS)
	s.route(http.MethodGet, "/healthz", "", s.handleHealthz)
	s.route(http.MethodGet, "/signin", "", s.handleSignInForm)
	s.route(http.MethodPost, "/signin", "", s.handleSignIn)
	s.route(http.MethodPost, "/signout", PermSignedIn, s.handleSignOut, desk.StageMFA, desk.StagePassword, desk.StageEnrol)
	s.route(http.MethodGet, "/signin/mfa", "", s.handleMFAForm)
	s.route(http.MethodPost, "/signin/mfa", "", s.handleMFA)
	s.route(http.MethodPost, "/signin/oidc", "", s.handleSSOStart)
	s.route(http.MethodGet, "/signin/oidc/callback", "", s.handleSSOCallback)
	s.route(http.MethodGet, "/account/security", PermSignedIn, s.handleSecurity, desk.StagePassword, desk.StageEnrol)
	s.route(http.MethodPost, "/account/security/password", PermSignedIn, s.handleChangePassword, desk.StagePassword)
	s.route(http.MethodPost, "/account/security/mfa", PermSignedIn, s.handleConfirmMFA, desk.StageEnrol)
	s.route(http.MethodPost, "/account/security/mfa/recovery-codes", PermSignedIn, s.handleRecoveryCodes)
	s.route(http.MethodPost, "/account/security/mfa/disable", PermSignedIn, s.handleDisableMFA)
	s.route(http.MethodPost, "/account/security/tokens", desk.PermOwnTokens, s.handleCreateOwnToken)
	s.route(http.MethodPost, "/account/security/tokens/:apitoken/revoke", desk.PermOwnTokens, s.handleRevokeOwnToken)
	s.route(http.MethodPost, "/settings/language", "", s.handleLanguage)
	s.route(http.MethodPost, "/settings/theme", "", s.handleTheme)
	s.route(http.MethodGet, "/", PermSignedIn, s.handleHome)

	s.route(http.MethodGet, "/customers", desk.PermViewCustomers, s.handleCustomerList)
	s.route(http.MethodGet, "/customers/new", desk.PermAddCustomer, s.handleNewCustomerForm)
	s.route(http.MethodGet, "/customers/export", desk.PermViewCustomers, s.handleCustomerExport)
	s.route(http.MethodPost, "/customers", desk.PermAddCustomer, s.handleCreateCustomer)
	s.route(http.MethodGet, "/customers/:id", desk.PermViewCustomers, s.handleCustomerDetails)
	s.route(http.MethodGet, "/customers/:id/software", desk.PermViewSoftware, s.handleCustomerSoftware)
	s.route(http.MethodGet, "/customers/:id/orders", desk.PermViewOrders, s.handleCustomerOrders)
	s.route(http.MethodGet, "/customers/:id/account", desk.PermViewCustomers, s.handleCustomerAccount)
	s.route(http.MethodGet, "/customers/:id/orders/:orderId", desk.PermViewOrders, s.handleOrder)
	s.route(http.MethodGet, "/customers/:id/add-products", desk.PermPlaceOrder, s.handleAddProducts)
	s.route(http.MethodPost, "/customers/:id/cart", desk.PermPlaceOrder, s.handleCartAdd)
	s.route(http.MethodPost, "/customers/:id/cart/remove", desk.PermPlaceOrder, s.handleCartRemove)
	s.route(http.MethodGet, "/customers/:id/review", desk.PermPlaceOrder, s.handleReview)
	s.route(http.MethodPost, "/customers/:id/orders", desk.PermPlaceOrder, s.handleBuy)
	s.route(http.MethodGet, "/catalog/markets", desk.PermPartnerArea, s.handleMarkets)
	s.route(http.MethodGet, "/customers/:id/software/:ent/editions", desk.PermKeysDownloads, s.handleEditions)
	s.route(http.MethodPost, "/customers/:id/software/:ent/key", desk.PermKeysDownloads, s.handleRevealKey)
	s.route(http.MethodPost, "/customers/:id/software/:ent/download", desk.PermKeysDownloads, s.handleDownload)
	s.route(http.MethodPost, "/customers/:id/software/:ent/link", desk.PermKeysDownloads, s.handleCopyLink)
	s.route(http.MethodGet, "/dl/:token", "", s.handleFile)
	s.route(http.MethodHead, "/dl/:token", "", s.handleFile)
	s.route(http.MethodGet, "/customers/:id/software/:ent/cancel", desk.PermCancelPurchase, s.handleCancelDialog)
	s.route(http.MethodPost, "/customers/:id/software/:ent/cancel", desk.PermCancelPurchase, s.handleCancel)
	s.route(http.MethodGet, "/billing", desk.PermViewInvoices, s.handleBilling)
	s.route(http.MethodGet, "/billing/invoices/:invoice", desk.PermViewInvoices, s.handleInvoice)
	s.route(http.MethodGet, "/billing/invoices/:invoice/csv", desk.PermViewInvoices, s.handleInvoiceCSV)
	s.route(http.MethodGet, "/support", desk.PermSupportRequests, s.handleSupportList)
	s.route(http.MethodGet, "/support/new", desk.PermSupportRequests, s.handleSupportForm)
	s.route(http.MethodPost, "/support", desk.PermSupportRequests, s.handleFileSupport)
	s.route(http.MethodGet, "/support/:req", desk.PermSupportRequests, s.handleSupportDetail)
	s.route(http.MethodPost, "/support/:req/status", desk.PermManageSupport, s.handleSupportStatus)
	s.route(http.MethodGet, "/support/:req/attachments/:att", desk.PermSupportRequests, s.handleAttachment)
	s.route(http.MethodGet, "/settings/activity", desk.PermViewActivityLog, s.handleActivity)
	s.route(http.MethodGet, "/settings/activity/export", desk.PermViewActivityLog, s.handleActivityExport)
	s.route(http.MethodGet, "/settings/tokens", desk.PermManageTokens, s.handleTokens)
	s.route(http.MethodPost, "/settings/tokens", desk.PermManageTokens, s.handleCreateToken)
	s.route(http.MethodPost, "/settings/tokens/:token/revoke", desk.PermManageTokens, s.handleRevokeToken)
	s.route(http.MethodGet, "/settings/api", desk.PermPartnerArea, s.handleAPIDocs)
	s.route(http.MethodGet, "/settings/webhooks", desk.PermManageWebhooks, s.handleWebhooks)
	s.route(http.MethodPost, "/settings/webhooks", desk.PermManageWebhooks, s.handleSaveWebhook)
	s.route(http.MethodPost, "/settings/webhooks/rotate", desk.PermManageWebhooks, s.handleRotateWebhook)
	s.route(http.MethodPost, "/settings/webhooks/delete", desk.PermManageWebhooks, s.handleDeleteWebhook)
	s.route(http.MethodPost, "/settings/webhooks/test", desk.PermManageWebhooks, s.handleTestWebhook)
	s.route(http.MethodPost, "/settings/webhooks/redeliver", desk.PermManageWebhooks, s.handleRedeliverWebhook)
	s.route(http.MethodGet, "/settings/keys", desk.PermImportKeys, s.handleKeyPools)
	s.route(http.MethodPost, "/settings/keys", desk.PermImportKeys, s.handleImportKeys)

	s.route(http.MethodGet, "/settings/users", desk.PermManageUsers, s.handleUsers)
	s.route(http.MethodPost, "/settings/users", desk.PermManageUsers, s.handleCreateUser)
	s.route(http.MethodPost, "/settings/users/:id/roles", desk.PermManageUsers, s.handleUserRoles)
	s.route(http.MethodPost, "/settings/users/:id/password", desk.PermManageUsers, s.handleUserPassword)
	s.route(http.MethodPost, "/settings/users/:id/deactivate", desk.PermManageUsers, s.handleUserDeactivate)
	s.route(http.MethodPost, "/settings/users/:id/activate", desk.PermManageUsers, s.handleUserActivate)
	s.route(http.MethodPost, "/settings/users/:id/mfa-reset", desk.PermManageUsers, s.handleUserMFAReset)

	s.route(http.MethodPost, "/customers/:id/users", desk.PermManageUsers, s.handleInviteCustomerUser)
	for _, a := range customerUserActions {
		s.route(http.MethodPost, "/customers/:id/users/:user/"+a, desk.PermManageUsers, s.handlePartnerCustomerUser(a))
		s.route(http.MethodPost, "/portal/users/:user/"+a, desk.PermCustomerUsers, s.handlePortalUserAction(a))
	}
	s.route(http.MethodGet, "/portal/users", desk.PermCustomerUsers, s.handlePortalUsers)
	s.route(http.MethodPost, "/portal/users", desk.PermCustomerUsers, s.handlePortalInvite)
	s.route(http.MethodGet, "/portal", desk.PermCustomerArea, s.handlePortalHome)
	s.route(http.MethodGet, "/portal/products", desk.PermCustomerArea, s.handleYourProducts)
	s.route(http.MethodGet, "/portal/products/:ent", desk.PermCustomerArea, s.handlePortalProduct)
	s.route(http.MethodGet, "/portal/products/:ent/editions", desk.PermCustomerKeys, s.handlePortalEditions)
	s.route(http.MethodPost, "/portal/products/:ent/key", desk.PermCustomerKeys, s.handlePortalKey)
	s.route(http.MethodPost, "/portal/products/:ent/download", desk.PermCustomerKeys, s.handlePortalDownload)
}

func (s *Server) secureHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		// app.js swaps only answers that carry this header: a proxy's error page never lands in
		// the page (UI.md §8).
		h.Set("X-PartnerDesk", "1")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		return next(c)
	}
}

// loadSession resolves the session cookie to a user and the request's locale. A session whose
// sign-in is not finished is kept aside (ctxPending), never as the request's user.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if strings.HasPrefix(req.URL.Path, "/static/") || req.URL.Path == "/healthz" {
			return next(c)
		}
		saved, theme, signedIn := "", "", false
		if token := s.sessionToken(req); token != "" {
			sess, err := s.svc.AuthenticateSession(req.Context(), token)
			switch desk.ErrorCode(err) {
			case "":
				c.Set(ctxToken, token)
				c.Set(ctxSession, sess)
				if sess.Stage == desk.StageFull {
					c.Set(ctxUser, sess.User)
				} else {
					c.Set(ctxPending, sess)
				}
				saved, theme, signedIn = sess.User.Locale, sess.User.Theme, true
			case desk.EUNAUTHORIZED:
				s.clearSession(c)
			default:
				return err
			}
		}
		if saved == "" {
			if ck, err := req.Cookie(s.langCookie); err == nil {
				saved = ck.Value
			}
		}
		if signedIn {
			// A signed-in page is the user's alone: no browser or proxy keeps a copy (a shared
			// computer's Back button, a one-time password, a new token). Handlers that serve
			// files set their own.
			c.Response().Header().Set("Cache-Control", "no-store")
		} else if ck, err := req.Cookie(s.themeCookie); err == nil && desk.ValidTheme(ck.Value) {
			theme = ck.Value
		}
		loc := i18n.Negotiate(saved, req.Header.Get("Accept-Language"))
		c.SetRequest(req.WithContext(web.WithTheme(i18n.WithLocale(req.Context(), loc), theme)))
		c.Response().Header().Set("Content-Language", loc.Tag)
		c.Response().Header().Add("Vary", "Cookie, Accept-Language")
		return next(c)
	}
}

// sessionToken decodes the session cookie. Decoding (HMAC check, AES, gob) is a noticeable part
// of a small page's cost, so decoded cookies are remembered: the same cookie value always
// decodes to the same token, and the token's validity is checked on every request anyway.
func (s *Server) sessionToken(r *http.Request) string {
	ck, err := r.Cookie(s.sessionCookie)
	if err != nil || ck.Value == "" {
		return ""
	}
	if t, ok := s.decoded.Load(ck.Value); ok {
		return t.(string)
	}
	sess, err := s.cookies.Get(r, s.sessionCookie)
	if err != nil {
		return ""
	}
	t, _ := sess.Values["t"].(string)
	if t != "" {
		if s.decodedN.Add(1) > maxDecodedCookies {
			s.decoded.Clear()
			s.decodedN.Store(0)
		}
		s.decoded.Store(ck.Value, t)
	}
	return t
}

// maxDecodedCookies bounds the decoded-cookie memo.
const maxDecodedCookies = 10000

func (s *Server) setSession(c echo.Context, token string) error {
	sess := sessions.NewSession(s.cookies, s.sessionCookie)
	sess.Options = s.cookies.Options
	sess.Values["t"] = token
	return s.cookies.Save(c.Request(), c.Response(), sess)
}

func (s *Server) clearSession(c echo.Context) {
	http.SetCookie(c.Response(), &http.Cookie{Name: s.sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
}

// require refuses a request unless the user is signed in (else sign-in) and holds perm (else a
// 403 naming the roles needed, R5, recorded in the activity log). A session part-way through its
// sign-in passes only the routes that take its stage; elsewhere a page sends it back to the step
// it must finish, and anything else is refused (R22, R24).
func (s *Server) require(perm desk.Permission, stages ...desk.SessionStage) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u, ok := c.Get(ctxUser).(desk.User)
			if !ok {
				if p, pending := c.Get(ctxPending).(desk.Session); pending {
					for _, st := range stages {
						if p.Stage == st {
							return next(c)
						}
					}
					if c.Request().Method == http.MethodGet && !isPartial(c) {
						return c.Redirect(http.StatusSeeOther, stagePath(p.Stage))
					}
					return desk.Errorf(desk.EUNAUTHORIZED, "err.signin_incomplete")
				}
				return desk.Errorf(desk.EUNAUTHORIZED, "err.signin_required")
			}
			if perm == PermSignedIn || u.Can(perm) {
				return next(c)
			}
			return desk.Forbidden(perm) // handleError records the denial
		}
	}
}

// currentUser returns the signed-in user (routes behind require always have one).
func currentUser(c echo.Context) desk.User {
	u, _ := c.Get(ctxUser).(desk.User)
	return u
}

func actor(c echo.Context) desk.Actor {
	return desk.Actor{User: currentUser(c), IP: c.RealIP()}
}

// currentSession returns the request's session, finished or not, with its token.
func currentSession(c echo.Context) (desk.Session, string, bool) {
	token, _ := c.Get(ctxToken).(string)
	sess, ok := c.Get(ctxSession).(desk.Session)
	return sess, token, ok
}

// stagePath is the page where a sign-in of a stage goes on.
func stagePath(st desk.SessionStage) string {
	if st == desk.StageMFA {
		return "/signin/mfa"
	}
	return "/account/security"
}

// isPartial reports whether htmx asked for a fragment (not a boosted page or a history restore).
func isPartial(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-Boosted") != "true" && h.Get("HX-History-Restore-Request") != "true"
}

// render writes a component through a buffer, so a render error can still become a clean 500.
func render(c echo.Context, status int, comp templ.Component) error {
	buf := templ.GetBuffer()
	defer templ.ReleaseBuffer(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	c.Response().Header().Add("Vary", "HX-Request")
	return c.HTMLBlob(status, buf.Bytes())
}

// page builds the shell data of a page.
func page(c echo.Context, nav, title, section string, crumbs ...web.Crumb) web.Page {
	return web.Page{Title: title, Section: section, User: currentUser(c), Nav: nav, Crumbs: crumbs, Flash: flash(c)}
}

// flash reads a one-time success message passed in the query after a redirect (POST/redirect/GET).
func flash(c echo.Context) string {
	key := c.QueryParam("done")
	if key == "" {
		return ""
	}
	loc := i18n.From(c.Request().Context())
	if !loc.Has("done." + key) {
		return ""
	}
	return loc.T("done." + key)
}

func tr(c echo.Context, key string, args ...any) string {
	return i18n.From(c.Request().Context()).T(key, args...)
}

// handleError turns an error into a page (or a fragment for htmx, or JSON for the API).
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	loc := i18n.From(c.Request().Context())
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code := he.Code
		key := "error.status"
		if code == http.StatusNotFound {
			key = "error.not_found"
		}
		s.renderError(c, web.ErrorView{Status: code, Title: loc.T("error.title." + statusKey(code)), Message: loc.T(key)})
		return
	}
	var ve *desk.ValidationError
	if errors.As(err, &ve) {
		s.renderError(c, web.ErrorView{Status: http.StatusBadRequest, Title: loc.T("error.title.400"), Message: loc.T("form.has_errors")})
		return
	}
	var de *desk.Error
	if !errors.As(err, &de) {
		if errors.Is(err, context.Canceled) {
			return
		}
		httplog.Error(s.log, c, "internal error", err)
		s.renderError(c, web.ErrorView{Status: http.StatusInternalServerError, Title: loc.T("error.title.500"), Message: loc.T("error.internal")})
		return
	}
	switch de.Code {
	case desk.EUNAUTHORIZED:
		if c.Request().Method == http.MethodGet && !isPartial(c) {
			c.Redirect(http.StatusSeeOther, "/signin?next="+urlQueryEscape(c.Request().URL.RequestURI()))
			return
		}
		if isPartial(c) {
			c.Response().Header().Set("HX-Redirect", "/signin")
		}
		s.renderError(c, web.ErrorView{Status: http.StatusUnauthorized, Title: loc.T("error.title.401"), Message: loc.Msg(de.Message)})
	case desk.EFORBIDDEN:
		// Every refusal of a signed-in user is an event (R2), whether the route's check or a
		// use case's (e.g. an override only a Global admin may make) refused it.
		if u, ok := c.Get(ctxUser).(desk.User); ok && len(de.Roles) > 0 {
			if err := s.svc.RecordDenied(c.Request().Context(), desk.Actor{User: u, IP: c.RealIP()}, de.Perm, c.Path(), c.Request().URL.EscapedPath()); err != nil {
				httplog.Error(s.log, c, "record denial", err)
			}
		}
		s.renderError(c, web.ErrorView{Status: http.StatusForbidden, Title: loc.T("error.title.403"), Message: loc.T("error.forbidden"), Roles: de.Roles})
	case desk.ERATELIMIT:
		c.Response().Header().Set("Retry-After", strconv.Itoa(de.RetrySeconds()))
		fallthrough
	default:
		status := httperr.Status(de.Code)
		s.renderError(c, web.ErrorView{Status: status, Title: loc.T("error.title." + statusKey(status)), Message: loc.Err(de)})
	}
}

func (s *Server) renderError(c echo.Context, e web.ErrorView) {
	if isPartial(c) {
		// htmx swaps error answers too (see the htmx-config in the layout): into the page's
		// modal host, as an alert dialog.
		c.Response().Header().Set("HX-Retarget", "#modal-host")
		c.Response().Header().Set("HX-Reswap", "innerHTML")
		msg := e.Message
		if len(e.Roles) > 0 {
			msg += " " + i18n.From(c.Request().Context()).T("error.roles_needed") + " " + strings.Join(web.RoleNames(c.Request().Context(), desk.RolesOf(e.Roles...)), ", ")
		}
		if err := render(c, e.Status, web.ErrorDialog(e.Title, msg)); err != nil {
			c.String(e.Status, e.Title)
		}
		return
	}
	p := page(c, "", e.Title, "")
	p.Flash = ""
	e.Back = sameSiteReferer(c)
	if err := render(c, e.Status, web.ErrorPage(p, e)); err != nil {
		httplog.Error(s.log, c, "render error page", err)
		c.String(e.Status, e.Title)
	}
}

// sameSiteReferer is the page the user came from when it is on this site and is not the page
// that failed (the error page's way back), else "".
func sameSiteReferer(c echo.Context) string {
	ref, err := url.Parse(c.Request().Referer())
	if err != nil || ref.Host != c.Request().Host || ref.Path == c.Request().URL.Path {
		return ""
	}
	back := safeNext(ref.RequestURI())
	if back == "/" && ref.Path != "/" {
		return ""
	}
	return back
}

func statusKey(status int) string {
	switch status {
	case 400, 401, 403, 404, 405, 409, 410, 413, 429:
		return itoa3(status)
	}
	if status >= 500 {
		return "500"
	}
	return "400"
}

func itoa3(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}
