// Package api is PartnerDesk's JSON REST API in the style of the Partner Center REST API
// (SPEC §9): bearer tokens that act with their user's roles (R1–R5 unchanged), Partner Center
// field names and error codes, continuation-token paging, and an OpenAPI document (openapi.go)
// that is the contract: the tests validate every exchange against it.
package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/httperr"
	"partnerdesk/internal/httplog"
	"partnerdesk/internal/i18n"
	"partnerdesk/internal/service"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Config holds the API's settings.
type Config struct {
	Logger *slog.Logger
	// RatePerSecond and Burst limit requests per token (defaults 20/s, burst 100).
	RatePerSecond float64
	Burst         int
	// BaseURL is the public origin (https://desk.example.com) that download links are built on;
	// "" builds them on the request's scheme and Host.
	BaseURL string
}

// Route is one API route.
type Route struct {
	Method, Path string
	// Perm is what the route needs: checked before the handler (require) and again by the
	// service; the document's security, x-permission and x-roles come from it.
	Perm desk.Permission
}

// API is the /v1 handler.
type API struct {
	svc     *service.Service
	log     *slog.Logger
	e       *echo.Echo
	rate    float64
	burst   int
	routes  []Route
	baseURL string

	docOnce sync.Once
	docJSON []byte // the OpenAPI document, built once from the routes
}

const (
	ctxUser = httplog.UserKey
	// ctxToken holds the request's API token: every event it causes names it, and idempotency
	// keys are scoped by it.
	ctxToken = "pd_api_token"
)

// maxBody bounds a request body.
const maxBody = 1 << 20

// New builds the API.
func New(svc *service.Service, cfg Config) *API {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RatePerSecond == 0 {
		cfg.RatePerSecond = 20
	}
	if cfg.Burst == 0 {
		cfg.Burst = 100
	}
	a := &API{svc: svc, log: cfg.Logger, e: echo.New(), rate: cfg.RatePerSecond, burst: cfg.Burst, baseURL: cfg.BaseURL}
	e := a.e
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = echo.ExtractIPDirect() // never trust forgeable X-Forwarded-For / X-Real-IP
	e.HTTPErrorHandler = a.handleError
	e.Use(middleware.RequestID())
	e.Use(httplog.Requests(a.log, "api", true))
	e.Use(httplog.Recover(a.log))
	e.Use(middleware.BodyLimit("1M"))
	e.Use(noStore)
	a.registerRoutes()
	return a
}

// noStore keeps every answer out of browser and proxy caches: they hold customers, orders,
// keys and links of one token's user (the public OpenAPI document sets its own).
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// origin is the scheme and host that absolute links are built on: the configured public base
// URL, else the request's.
func (a *API) origin(c echo.Context) string {
	if a.baseURL != "" {
		return a.baseURL
	}
	return c.Scheme() + "://" + c.Request().Host
}

// Handler serves /v1/...
func (a *API) Handler() http.Handler { return a.e }

// Routes lists the API's routes (the OpenAPI document is tested against it).
func (a *API) Routes() []Route { return append([]Route(nil), a.routes...) }

func (a *API) route(method, path string, perm desk.Permission, h echo.HandlerFunc) {
	a.routes = append(a.routes, Route{Method: method, Path: path, Perm: perm})
	if perm == "" {
		a.e.Add(method, path, h)
		return
	}
	a.e.Add(method, path, h, a.authenticate, require(perm))
}

// require refuses a token whose user lacks the route's permission before the handler reads the
// request: the 403 names the roles the document lists for the operation (x-roles) whatever the
// body, and does not depend on whether the object exists (R5). The service checks again.
func require(perm desk.Permission) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !actor(c).User.Can(perm) {
				return desk.Forbidden(perm)
			}
			return next(c)
		}
	}
}

func (a *API) registerRoutes() {
	a.route(http.MethodGet, "/v1/openapi.json", "", a.handleOpenAPI)
	a.route(http.MethodGet, "/v1/customers", desk.PermViewCustomers, a.handleCustomers)
	// Reading a customer record needs view-customers, as the customer's page does in the portal:
	// a Billing admin reads orders and invoices (SPEC §1), which name the customer, but not the
	// customer record itself.
	a.route(http.MethodGet, "/v1/customers/:customerId", desk.PermViewCustomers, a.handleCustomer)
	a.route(http.MethodGet, "/v1/customers/:customerId/orders", desk.PermViewOrders, a.handleOrders)
	a.route(http.MethodPost, "/v1/customers/:customerId/orders", desk.PermPlaceOrder, a.handleCreateOrder)
	a.route(http.MethodGet, "/v1/customers/:customerId/orders/:orderId", desk.PermViewOrders, a.handleOrder)
	a.route(http.MethodPatch, "/v1/customers/:customerId/orders/:orderId", desk.PermCancelPurchase, a.handleCancelOrder)
	a.route(http.MethodGet, "/v1/products", desk.PermViewCustomers, a.handleProducts)
	a.route(http.MethodGet, "/v1/customers/:customerId/entitlements", desk.PermViewSoftware, a.handleEntitlements)
	a.route(http.MethodGet, "/v1/customers/:customerId/entitlements/:entitlementId/key", desk.PermKeysDownloads, a.handleKey)
	a.route(http.MethodPost, "/v1/customers/:customerId/entitlements/:entitlementId/downloadlinks", desk.PermKeysDownloads, a.handleDownloadLink)
	a.route(http.MethodGet, "/v1/invoices", desk.PermViewInvoices, a.handleInvoices)
	a.route(http.MethodGet, "/v1/invoices/:invoiceId/lineitems", desk.PermViewInvoices, a.handleInvoiceLines)
	a.route(http.MethodGet, "/v1/auditrecords", desk.PermViewActivityLog, a.handleAuditRecords)
	// The resources webhook bodies name (ResourceUri, AuditUri) can be read.
	a.route(http.MethodGet, "/v1/invoices/:invoiceId", desk.PermViewInvoices, a.handleInvoice)
	a.route(http.MethodGet, "/v1/auditrecords/:auditRecordId", desk.PermViewActivityLog, a.handleAuditRecord)
	// Webhooks (R21).
	a.route(http.MethodGet, "/v1/webhooks/registration", desk.PermManageWebhooks, a.handleGetWebhook)
	a.route(http.MethodPost, "/v1/webhooks/registration", desk.PermManageWebhooks, a.handleCreateWebhook)
	a.route(http.MethodPut, "/v1/webhooks/registration", desk.PermManageWebhooks, a.handleUpdateWebhook)
	a.route(http.MethodDelete, "/v1/webhooks/registration", desk.PermManageWebhooks, a.handleDeleteWebhook)
	a.route(http.MethodGet, "/v1/webhooks/registration/events", desk.PermManageWebhooks, a.handleWebhookEvents)
	a.route(http.MethodPost, "/v1/webhooks/registration/validationEvents", desk.PermManageWebhooks, a.handleCreateValidationEvent)
	a.route(http.MethodGet, "/v1/webhooks/registration/validationEvents/:correlationId", desk.PermManageWebhooks, a.handleGetValidationEvent)
}

// authenticate resolves the bearer token to its user and applies the per-token rate limit.
func (a *API) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get("Authorization")
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || secret == "" {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="partnerdesk"`)
			return desk.Errorf(desk.EUNAUTHORIZED, "err.token_missing")
		}
		u, t, err := a.svc.AuthenticateToken(c.Request().Context(), strings.TrimSpace(secret))
		if err != nil {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="partnerdesk", error="invalid_token"`)
			return err
		}
		ok, wait, err := a.svc.TakeAPIToken(c.Request().Context(), t.ID, a.rate, a.burst)
		if err != nil {
			return err
		}
		if !ok {
			return desk.RateLimited(wait, "err.api_rate", int(wait.Seconds())+1)
		}
		c.Set(ctxUser, u)
		c.Set(ctxToken, t)
		return next(c)
	}
}

// actor is the token's user, with the token itself: every event done through the API records
// which token did it.
func actor(c echo.Context) desk.Actor {
	u, _ := c.Get(ctxUser).(desk.User)
	t, _ := c.Get(ctxToken).(desk.APIToken)
	return desk.Actor{User: u, IP: c.RealIP(), TokenID: t.ID, TokenName: t.Name}
}

func ctx(c echo.Context) context.Context { return c.Request().Context() }

// Partner Center error codes (SPEC §9).
const (
	CodeWindowPassed   = 900117 // past the cancellation window (R12, R26)
	CodeNotCancellable = 800061 // the order cannot be cancelled (SUSE/Red Hat)
	CodeInProgress     = 800060 // the order is being changed, or was already cancelled
	CodeNotFound       = 20000  // order (or other object) not found
	// CodeNeedsSupport is PartnerDesk's: the purchase was downloaded, or is above the
	// equivalent of 10,000 USD, so cancelling it needs a support request, as in the portal's
	// dialog (or a Global admin's overrideReason).
	CodeNeedsSupport = 800062
)

// Error is the JSON error body: Partner Center's shape.
type Error struct {
	Code        int      `json:"code" doc:"The HTTP status, or Partner Center's code: 900117, 800061, 800060 or 20000; or 800062 (a cancellation that needs a support request)."`
	Description string   `json:"description" doc:"What went wrong, in English."`
	Data        []string `json:"data" doc:"The fields or parameters at fault, or the roles that may do this (403)."`
}

// handleError answers every error as JSON with the right status and code; only internal errors
// are logged with detail.
func (a *API) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	loc := i18n.Get("en")
	status, body := http.StatusInternalServerError, Error{Code: 500, Description: loc.T("api.err.internal"), Data: []string{}}
	var he *echo.HTTPError
	var de *desk.Error
	var ve *desk.ValidationError
	var re *requestError
	switch {
	case errors.As(err, &re):
		status, body = http.StatusBadRequest, Error{Code: 400, Description: re.msg, Data: re.data}
	case errors.As(err, &he):
		status = he.Code
		body = Error{Code: he.Code, Description: http.StatusText(he.Code), Data: []string{}}
		if he.Code == http.StatusNotFound {
			body.Code = CodeNotFound
			body.Description = "No such resource."
		}
		if he.Code == http.StatusRequestEntityTooLarge {
			body.Description = fmt.Sprintf("The request body is larger than %d bytes.", maxBody)
		}
	case errors.As(err, &ve):
		status = http.StatusBadRequest
		body = Error{Code: 400, Description: loc.T("form.has_errors"), Data: []string{}}
		for f, k := range ve.Fields {
			body.Data = append(body.Data, f+": "+loc.Msg(k))
		}
	case errors.As(err, &de):
		body.Description = loc.Err(de)
		status = httperr.Status(de.Code)
		body.Code = status
		switch de.Code {
		case desk.EFORBIDDEN:
			a.recordDenied(c, de.Perm)
			var roles []string
			for _, r := range de.Roles {
				roles = append(roles, loc.T("role."+r.Slug()))
			}
			body.Description = loc.T("api.err.forbidden", strings.Join(roles, ", "))
			body.Data = roles
		case desk.ENOTFOUND:
			body.Code = CodeNotFound
		case desk.ECONFLICT:
			body.Code = CodeInProgress
		case desk.ERATELIMIT:
			c.Response().Header().Set("Retry-After", strconv.Itoa(de.RetrySeconds()))
		case desk.EKEYREUSED:
			body.Data = []string{"Idempotency-Key"}
		case desk.EWINDOWCLOSED:
			body.Code = CodeWindowPassed
			// Partner Center's sentence, with the window configured for the product's kind (R26).
			for _, arg := range de.Args {
				if w, ok := arg.(desk.WindowArg); ok {
					body.Description = loc.T("api.err.window_passed", loc.Window(time.Duration(w)), body.Description)
				}
			}
		case desk.ENOTCANCEL:
			body.Code = CodeNotCancellable
		case desk.ENEEDSUPPORT:
			body.Code = CodeNeedsSupport
			body.Description = loc.T("api.err.needs_support", body.Description)
			body.Data = []string{"overrideReason"}
		case desk.EINVALID, desk.EUNAUTHORIZED, desk.EGONE:
		default:
			httplog.Error(a.log, c, "api internal error", err)
			body.Description = loc.T("api.err.internal")
		}
	default:
		if errors.Is(err, context.Canceled) {
			return
		}
		httplog.Error(a.log, c, "api internal error", err)
	}
	if body.Data == nil {
		body.Data = []string{}
	}
	c.JSON(status, body)
}

// recordDenied logs a refused API request as the web portal does (R2: a denial is an event),
// naming the permission that was missing (else the route's).
func (a *API) recordDenied(c echo.Context, perm desk.Permission) {
	act := actor(c)
	if act.User.ID == "" {
		return
	}
	for _, r := range a.routes {
		if perm == "" && r.Method == c.Request().Method && r.Path == c.Path() {
			perm = r.Perm
		}
	}
	if err := a.svc.RecordDenied(c.Request().Context(), act, perm, c.Path(), c.Request().URL.EscapedPath()); err != nil {
		httplog.Error(a.log, c, "record denial", err)
	}
}

// requestError is a malformed request: bad JSON, an unknown field, a bad parameter.
type requestError struct {
	msg  string
	data []string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &requestError{msg: fmt.Sprintf(format, args...), data: []string{}}
}

// decode reads a JSON body strictly: unknown fields, names in another case than the document's,
// a name given twice, trailing data, wrong types and malformed JSON are refused with a message
// naming the field.
func decode(c echo.Context, v any) error {
	data, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxBody))
	if err != nil {
		return decodeError(err)
	}
	return decodeStrict(data, v)
}

// decodeStrict is decode of a JSON document already read.
func decodeStrict(data []byte, v any) error {
	if err := checkNames(data, reflect.TypeOf(v)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return badRequest("The request body must hold one JSON object.")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("The request body must hold one JSON object.")
	}
	return nil
}

func decodeError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &mbe):
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
	case errors.As(err, &he): // echo's body limit on a chunked body
		return he
	case errors.As(err, &se):
		return badRequest("Malformed JSON at byte %d.", se.Offset)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(body)"
		}
		return &requestError{msg: fmt.Sprintf("Field %q must be a %s.", field, te.Type.String()), data: []string{field}}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("The request body is empty or incomplete JSON.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &requestError{msg: fmt.Sprintf("Unknown field %q.", field), data: []string{field}}
	}
	return badRequest("Invalid JSON: %v", err)
}

// Collection is Partner Center's list shape.
type Collection[T any] struct {
	TotalCount        int    `json:"totalCount" min:"0" doc:"The number of items on every page together (audit records: on this page)."`
	Items             []T    `json:"items"`
	ContinuationToken string `json:"continuationToken,omitempty" doc:"Pass it as continuationToken for the next page; absent on the last page."`
}

// collect is a page of a listing: items converted to the API's shape, the total over every
// page and the continuation token of the next page (kind: see continuation).
func collect[S, T any](items []S, total int, next string, conv func(S) T, kind ...string) Collection[T] {
	out := Collection[T]{TotalCount: total, Items: make([]T, 0, len(items)), ContinuationToken: continuation(next, kind...)}
	for _, it := range items {
		out.Items = append(out.Items, conv(it))
	}
	return out
}

// page reads size (1–500, default 100) and the continuation token of a listing (kind names the
// listing: a token from another listing, or one the API never issued, is refused).
func page(c echo.Context, kind ...string) (int, string, error) {
	size := 100
	if v := c.QueryParam("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return 0, "", &requestError{msg: "Parameter \"size\" must be a whole number from 1 to 500.", data: []string{"size"}}
		}
		size = n
	}
	token := c.QueryParam("continuationToken")
	if token == "" {
		token = c.Request().Header.Get("MS-ContinuationToken")
	}
	cursor := ""
	if token != "" {
		bad := &requestError{msg: "Parameter \"continuationToken\" is not valid.", data: []string{"continuationToken"}}
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil {
			return 0, "", bad
		}
		cursor = string(b)
		if len(kind) > 0 {
			rest, ok := strings.CutPrefix(cursor, kind[0]+"|")
			if !ok || rest == "" {
				return 0, "", bad
			}
			cursor = rest
		}
	}
	return size, cursor, nil
}

// continuation wraps a listing's cursor as its continuation token ("" when there is no more).
func continuation(cursor string, kind ...string) string {
	if cursor == "" {
		return ""
	}
	if len(kind) > 0 {
		cursor = kind[0] + "|" + cursor
	}
	return base64.RawURLEncoding.EncodeToString([]byte(cursor))
}

// offsetPage pages an in-memory list by an offset cursor.
func offsetPage[T any](items []T, size int, cursor string) ([]T, string, error) {
	off := 0
	if cursor != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(cursor, "o:"))
		if err != nil || n < 0 || !strings.HasPrefix(cursor, "o:") {
			return nil, "", &requestError{msg: "Parameter \"continuationToken\" is not valid.", data: []string{"continuationToken"}}
		}
		off = n
	}
	if off > len(items) {
		off = len(items)
	}
	end := min(off+size, len(items))
	next := ""
	if end < len(items) {
		next = "o:" + strconv.Itoa(end)
	}
	return items[off:end], next, nil
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
