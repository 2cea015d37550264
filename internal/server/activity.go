package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"partnerdesk/internal/csvexport"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/service"
	"partnerdesk/web"

	"github.com/labstack/echo/v4"
)

// activityService is what the activity handlers need of the service.
type activityService interface {
	Activity(ctx context.Context, a desk.Actor, q service.ActivityQuery) (desk.ActivityFilter, desk.ActivityPage, []desk.DayCount, error)
	ActivityFilter(ctx context.Context, q service.ActivityQuery) (desk.ActivityFilter, error)
	ActivityUsers(ctx context.Context, a desk.Actor) ([]string, error)
	ExportActivity(ctx context.Context, a desk.Actor, q service.ActivityQuery, fn func(desk.Event) error) error
	Now() time.Time
}

// activityQuery reads the filters from the URL; a missing range is the last 30 days.
func (s *activityHandlers) activityQuery(c echo.Context) service.ActivityQuery {
	now := s.svc.Now()
	q := service.ActivityQuery{From: c.QueryParam("from"), To: c.QueryParam("to"), Customer: c.QueryParam("customer"),
		Actor: c.QueryParam("user"), Operation: c.QueryParam("action"), After: c.QueryParam("after"), Limit: 50}
	if q.From == "" && q.To == "" {
		q.From, q.To = now.AddDate(0, 0, -29).Format("2006-01-02"), now.Format("2006-01-02")
	}
	return q
}

// handleActivity renders the activity log: the chart, one keyset page of events and the pager.
func (s *activityHandlers) handleActivity(c echo.Context) error {
	ctx := c.Request().Context()
	q := s.activityQuery(c)
	v := web.ActivityView{From: q.From, To: q.To, Customer: q.Customer, Actor: q.Actor, Operation: q.Operation, Now: s.svc.Now()}
	status := http.StatusOK
	f, events, counts, err := s.svc.Activity(ctx, actor(c), q)
	var ve *desk.ValidationError
	switch {
	case errors.As(err, &ve):
		v.Errors, v.ErrArgs, status = ve.Fields, ve.Args, http.StatusBadRequest
	case err != nil:
		return err
	default:
		v.Filter, v.Page, v.Counts = f, events, counts
	}
	if v.Users, err = s.svc.ActivityUsers(ctx, actor(c)); err != nil {
		return err
	}
	if status != http.StatusOK && isPartial(c) {
		// The filter form alone comes back with the errors at their fields; the results of the
		// last good filter stay, and the refused filter is not pushed into the history.
		h := c.Response().Header()
		h.Set("HX-Retarget", "#activity-filters")
		h.Set("HX-Reswap", "outerHTML")
		h.Set("HX-Reselect", "#activity-filters")
		h.Set("HX-Push-Url", "false")
		return render(c, status, web.ActivityFilters(v))
	}
	p := page(c, "activity", tr(c, "activity.title"), tr(c, "settings.title"), web.Crumb{Label: tr(c, "settings.title")}, web.Crumb{Label: tr(c, "activity.title")})
	return render(c, status, web.ActivityPage(p, v, web.ActivityResults(v)))
}

// handleActivityExport streams the whole filtered range as CSV (not just one page), one row at a
// time; every cell a spreadsheet would run as a formula is neutralised (csvexport).
func (s *activityHandlers) handleActivityExport(c echo.Context) error {
	ctx := c.Request().Context()
	q := s.activityQuery(c)
	if _, err := s.svc.ActivityFilter(ctx, q); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", attachment("activity-"+q.From+"-"+q.To+".csv"))
	h.Set("Cache-Control", "no-store")
	w := csvexport.NewWriter(c.Response())
	started := false
	n := 0
	err := s.svc.ExportActivity(ctx, actor(c), q, func(e desk.Event) error {
		if !started {
			c.Response().WriteHeader(http.StatusOK)
			w.Write(activityHeader...)
			started = true
		}
		var roles []string
		for _, r := range e.ActorRoles.List() {
			roles = append(roles, r.Slug())
		}
		err := w.Write(strconv.FormatInt(e.ID, 10), e.At.UTC().Format("2006-01-02T15:04:05.000Z"), e.CustomerID, e.CustomerName,
			e.Operation, e.ActorEmail, strings.Join(roles, " "), e.ActorTenantID, e.Product, e.OrderID, e.IP, e.Status, e.Detail, e.APITokenID, e.APITokenName)
		if n++; n%500 == 0 && err == nil {
			err = w.Flush()
			c.Response().Flush()
		}
		return err
	})
	if err != nil && !started {
		return err
	}
	if !started {
		c.Response().WriteHeader(http.StatusOK)
		w.Write(activityHeader...)
	}
	return w.Flush()
}

var activityHeader = []string{"id", "dateTimeUtc", "customerId", "customerName", "operationType", "userPrincipalName", "roles", "tenantId", "product", "orderId", "ip", "operationStatus", "detail", "apiTokenId", "apiTokenName"}
