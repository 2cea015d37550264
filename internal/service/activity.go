package service

import (
	"context"
	"slices"
	"strings"
	"time"

	"partnerdesk/internal/desk"
)

// ActivityQuery is what the activity log page asks for; QueryActivity validates it.
type ActivityQuery struct {
	From, To  string // YYYY-MM-DD, UTC days, inclusive
	Customer  string // a customer name, domain or tenant ID search
	Actor     string
	Operation string
	After     string
	Limit     int
}

// ActivityFilter validates a query into a filter: dates parse, the start is not after the end,
// the range is at most the configured maximum (R2 is checked by the callers).
func (s *activityArea) ActivityFilter(ctx context.Context, q ActivityQuery) (desk.ActivityFilter, error) {
	errs := desk.FieldErrors{}
	rangeDays := 0
	parse := func(field, v string) time.Time {
		t, err := time.Parse("2006-01-02", strings.TrimSpace(v))
		if err != nil {
			errs[field] = "err.date"
		}
		return t
	}
	from, to := parse("from", q.From), parse("to", q.To)
	if len(errs) == 0 {
		max := s.cfg.MaxActivityRange
		if max == 0 {
			max = desk.DefaultMaxActivityRange
		}
		switch {
		case from.After(to):
			errs["to"] = "err.date_order"
		case to.Sub(from) >= max:
			errs["to"] = "err.date_range"
			rangeDays = int(max / (24 * time.Hour))
		}
	}
	if q.Operation != "" && !slices.Contains(desk.Operations, q.Operation) {
		errs["action"] = "err.action"
	}
	if len(q.Actor) > 254 || len(q.Customer) > 200 {
		errs["user"] = "err.too_long"
	}
	if len(errs) > 0 {
		ve := &desk.ValidationError{Fields: errs}
		if errs["to"] == "err.date_range" { // only that message has a verb to fill
			ve.Args = map[string][]any{"to": {rangeDays}}
		}
		return desk.ActivityFilter{}, ve
	}
	f := desk.ActivityFilter{From: from, To: to.Add(24*time.Hour - time.Millisecond), Actor: strings.ToLower(strings.TrimSpace(q.Actor)),
		Operation: q.Operation, After: q.After, Limit: q.Limit, CustomerQuery: strings.TrimSpace(q.Customer)}
	return f, nil
}

// Activity returns a page of the activity log and the per-day counts of the range (R2: Global
// admins and Referrals admins only).
func (s *activityArea) Activity(ctx context.Context, a desk.Actor, q ActivityQuery) (desk.ActivityFilter, desk.ActivityPage, []desk.DayCount, error) {
	if err := require(a, desk.PermViewActivityLog); err != nil {
		return desk.ActivityFilter{}, desk.ActivityPage{}, nil, err
	}
	f, err := s.ActivityFilter(ctx, q)
	if err != nil {
		return f, desk.ActivityPage{}, nil, err
	}
	page, err := s.store.FindEvents(ctx, f)
	if err != nil {
		return f, page, nil, err
	}
	var counts []desk.DayCount
	if f.After == "" {
		if counts, err = s.store.EventDayCounts(ctx, f); err != nil {
			return f, page, nil, err
		}
	}
	return f, page, counts, nil
}

// ExportActivity streams every event of the query's range and filters to fn (R2).
func (s *activityArea) ExportActivity(ctx context.Context, a desk.Actor, q ActivityQuery, fn func(desk.Event) error) error {
	if err := require(a, desk.PermViewActivityLog); err != nil {
		return err
	}
	q.After = ""
	f, err := s.ActivityFilter(ctx, q)
	if err != nil {
		return err
	}
	return s.store.StreamEvents(ctx, f, fn)
}

// ActivityUsers lists the emails the user filter offers (the partner's users).
func (s *activityArea) ActivityUsers(ctx context.Context, a desk.Actor) ([]string, error) {
	if err := require(a, desk.PermViewActivityLog); err != nil {
		return nil, err
	}
	users, err := s.store.FindUsers(ctx, desk.UserFilter{})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(users))
	for _, u := range users {
		out = append(out, u.Email)
	}
	return out, nil
}

// AuditRecords returns a page of events for an already validated filter (the API's audit
// records; R2).
func (s *activityArea) AuditRecords(ctx context.Context, a desk.Actor, f desk.ActivityFilter) (desk.ActivityPage, error) {
	if err := require(a, desk.PermViewActivityLog); err != nil {
		return desk.ActivityPage{}, err
	}
	return s.store.FindEvents(ctx, f)
}

// AuditRecord returns one event of the activity log (R2: Global admins and Referrals admins), as
// a webhook's AuditUri names it.
func (s *activityArea) AuditRecord(ctx context.Context, a desk.Actor, id int64) (desk.Event, error) {
	if err := require(a, desk.PermViewActivityLog); err != nil {
		return desk.Event{}, err
	}
	return s.store.EventByID(ctx, id)
}
