package server_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"

	"github.com/PuerkitoBio/goquery"
)

// actWide is a range that holds every demo event (they all fall in the three months before
// apptest.Epoch) and today.
var actWide = url.Values{"from": {"2026-08-01"}, "to": {"2026-11-25"}}

func actQuery(base url.Values, kv ...string) url.Values {
	q := url.Values{}
	for k, v := range base {
		q[k] = slices.Clone(v)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return q
}

// actPage fetches the activity log page with a query and parses it.
func actPage(t *testing.T, env *apptest.Env, c *http.Client, q url.Values, headers ...string) (*apptest.Response, *goquery.Document) {
	t.Helper()
	path := "/settings/activity"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	res := env.Get(t, c, path, headers...)
	return res, doc(t, res.Body)
}

// actCSV downloads the export of a query and parses it as RFC 4180 CSV.
func actCSV(t *testing.T, env *apptest.Env, c *http.Client, q url.Values) (*apptest.Response, [][]string) {
	t.Helper()
	res := env.Get(t, c, "/settings/activity/export?"+q.Encode())
	if res.StatusCode != http.StatusOK {
		t.Fatalf("export %s: %d\n%.300s", q.Encode(), res.StatusCode, res.Body)
	}
	r := csv.NewReader(strings.NewReader(res.Body))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("export %s is not valid CSV: %v", q.Encode(), err)
	}
	if len(recs) == 0 {
		t.Fatalf("export %s is empty: no header row", q.Encode())
	}
	return res, recs
}

var actHeader = []string{"id", "dateTimeUtc", "customerId", "customerName", "operationType", "userPrincipalName", "roles", "tenantId", "product", "orderId", "ip", "operationStatus", "detail", "apiTokenId", "apiTokenName"}

// actCol returns a column of a CSV export by header name.
func actCol(t *testing.T, recs [][]string, row int, name string) string {
	t.Helper()
	i := slices.Index(recs[0], name)
	if i < 0 {
		t.Fatalf("the export has no %s column: %v", name, recs[0])
	}
	return recs[row][i]
}

// actStore streams the store's events of a range, as the reference for counts.
func actStore(t *testing.T, env *apptest.Env, from, to string, keep func(desk.Event) bool) []desk.Event {
	t.Helper()
	f := desk.ActivityFilter{From: actDay(t, from), To: actDay(t, to).Add(24*time.Hour - time.Millisecond)}
	var out []desk.Event
	err := env.App.Store.StreamEvents(context.Background(), f, func(e desk.Event) error {
		if keep == nil || keep(e) {
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func actDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// actAllEvents reads the whole log (every field), for the secrets check.
func actAllEvents(t *testing.T, env *apptest.Env) []desk.Event {
	t.Helper()
	evs, err := env.App.Service.RecentEvents(context.Background(), "", 100000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// actChart reads the chart: data-total and the per-day totals of its data table.
func actChart(t *testing.T, d *goquery.Document) (total int, days []int) {
	t.Helper()
	ch := testid(d, "activity-chart")
	if ch.Length() != 1 {
		t.Fatal("no activity-chart")
	}
	v, ok := ch.Attr("data-total")
	n, err := strconv.Atoi(v)
	if !ok || err != nil {
		t.Fatalf("activity-chart data-total %q", v)
	}
	testid(d, "chart-day").Each(func(_ int, s *goquery.Selection) {
		k, err := strconv.Atoi(strings.TrimSpace(s.Find(`[data-testid="chart-day-total"]`).Text()))
		if err != nil {
			t.Fatalf("chart-day-total: %v", err)
		}
		days = append(days, k)
	})
	return n, days
}

func actSum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// actRowText is the text of a row with its whitespace collapsed.
func actRowText(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// R2: only Global admins and Referrals admins open the activity log or export it; everyone else
// gets the 403 page naming those roles, and each denial is itself an event naming the path.
func TestActivityLogPerRole(t *testing.T) {
	env := apptest.Start(t)
	for _, who := range []string{"global", "referrals", "admin", "sales", "helpdesk", "billing", "customer"} {
		t.Run(who, func(t *testing.T) {
			c := env.SignIn(t, apptest.Users[who])
			allowed := who == "global" || who == "referrals"
			for _, path := range []string{"/settings/activity", "/settings/activity?from=2026-11-01&to=2026-11-25&action=get_software_key", "/settings/activity/export"} {
				env.Clock.Advance(time.Minute) // each denial the first of its route and minute (the rest are counted)
				before := env.EventsSinceEpoch(t, desk.OpPermissionDenied, 1000)
				res := env.Get(t, c, path)
				after := env.EventsSinceEpoch(t, desk.OpPermissionDenied, 1000)
				if allowed {
					if res.StatusCode != http.StatusOK {
						t.Fatalf("GET %s: %d, want 200", path, res.StatusCode)
					}
					if len(after) != len(before) {
						t.Errorf("GET %s by an allowed role recorded a denial", path)
					}
					continue
				}
				if res.StatusCode != http.StatusForbidden {
					t.Fatalf("GET %s: %d, want 403", path, res.StatusCode)
				}
				if strings.Contains(res.Body, `data-testid="activity-table"`) || strings.Contains(res.Body, "dateTimeUtc") || strings.Contains(res.Header.Get("Content-Type"), "csv") {
					t.Fatalf("GET %s: the 403 answer holds the log", path)
				}
				if who != "customer" {
					d := doc(t, res.Body)
					roles := testid(d, "roles-needed").Text()
					if testid(d, "error-403").Length() != 1 || !strings.Contains(roles, "Global admin") || !strings.Contains(roles, "Referrals admin") || strings.Contains(roles, "Admin agent") {
						t.Errorf("GET %s: the 403 page names %q, want Global admin and Referrals admin only", path, roles)
					}
				}
				if len(after) != len(before)+1 {
					t.Fatalf("GET %s: %d new permission_denied events, want 1", path, len(after)-len(before))
				}
				e := after[0]
				p, _, _ := strings.Cut(path, "?")
				if e.ActorEmail != apptest.Users[who] || !strings.Contains(e.Detail, p) || e.Status != "failed" || e.IP == "" {
					t.Errorf("GET %s: denial recorded as %+v", path, e)
				}
			}
			// The gear menu offers the activity log to the allowed roles only.
			res := env.Get(t, c, "/")
			if res.StatusCode == http.StatusSeeOther {
				res = env.Get(t, c, res.Header.Get("Location"))
			}
			has := doc(t, res.Body).Find(`a.menu-item[href="/settings/activity"]`).Length() > 0
			if has != allowed {
				t.Errorf("gear menu offers the activity log: %v, want %v", has, allowed)
			}
		})
	}
	// The denials are in the log the Referrals admin reads.
	ref := env.SignIn(t, apptest.ReferralsAdmin)
	_, d := actPage(t, env, ref, url.Values{"action": {desk.OpPermissionDenied}, "from": {"2026-11-25"}, "to": {"2026-11-25"}})
	if n := testid(d, "activity-row").Length(); n != 5*3 {
		t.Errorf("the log shows %d denials, want %d (5 roles × 3 paths)", n, 5*3)
	}
}

// Range validation: start after end, more than a year, malformed dates → 400 with the error on
// the form (and no results); no dates → the last 30 days.
func TestActivityRangeValidation(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, apptest.GlobalAdmin)
	for _, tt := range []struct {
		name     string
		from, to string
		msg      string // a part of the error shown
		toError  bool   // the error is on the end date (data-testid="to-error")
	}{
		{"start after end", "2026-11-20", "2026-11-10", "must not be before", true},
		{"two years", "2024-11-25", "2026-11-25", "at most 366 days", true},
		{"a year and two days", "2025-11-24", "2026-11-25", "at most 366 days", true},
		{"malformed start", "2026-13-01", "2026-11-25", "Enter a date", false},
		{"malformed end", "2026-11-01", "2026-02-30", "Enter a date", true},
		{"words", "yesterday", "today", "Enter a date", false},
		{"another format", "11/01/2026", "2026-11-25", "Enter a date", false},
		{"start only", "2026-11-01", "", "Enter a date", true},
		{"end only", "", "2026-11-01", "Enter a date", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{"from": {tt.from}, "to": {tt.to}, "customer": {"contoso"}, "action": {desk.OpGetSoftwareKey}}
			res, d := actPage(t, env, c, q)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("%s..%s: %d, want 400", tt.from, tt.to, res.StatusCode)
			}
			errs := d.Find(".field-error").Text()
			if tt.toError {
				errs = testid(d, "to-error").Text()
			}
			if !strings.Contains(errs, tt.msg) {
				t.Errorf("%s..%s: errors %q, want %q", tt.from, tt.to, errs, tt.msg)
			}
			if testid(d, "activity-table").Length()+testid(d, "activity-chart").Length()+testid(d, "activity-export").Length() != 0 {
				t.Error("an invalid range shows results")
			}
			// What was typed is kept, to be corrected.
			if v, _ := testid(d, "activity-from").Attr("value"); v != tt.from {
				t.Errorf("from kept as %q", v)
			}
			if v, _ := testid(d, "activity-customer").Attr("value"); v != "contoso" {
				t.Errorf("customer kept as %q", v)
			}
			// The export refuses the same range.
			if res := env.Get(t, c, "/settings/activity/export?"+q.Encode()); res.StatusCode != http.StatusBadRequest || strings.Contains(res.Header.Get("Content-Type"), "csv") {
				t.Errorf("export %s..%s: %d %s, want 400", tt.from, tt.to, res.StatusCode, res.Header.Get("Content-Type"))
			}
		})
	}
	// An unknown action is refused too.
	if res, _ := actPage(t, env, c, actQuery(actWide, "action", "drop_table")); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown action: %d", res.StatusCode)
	}
	// The longest accepted ranges: exactly a year (and a leap year's 366 days); one day.
	for _, r := range [][2]string{{"2025-11-26", "2026-11-25"}, {"2025-11-25", "2026-11-25"}, {"2026-11-25", "2026-11-25"}} {
		if res, d := actPage(t, env, c, url.Values{"from": {r[0]}, "to": {r[1]}}); res.StatusCode != http.StatusOK || testid(d, "activity-chart").Length() != 1 {
			t.Errorf("%s..%s: %d, want 200 with the chart", r[0], r[1], res.StatusCode)
		}
	}

	// No dates: the last 30 days, today included.
	res, d := actPage(t, env, c, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("no dates: %d", res.StatusCode)
	}
	from, _ := testid(d, "activity-from").Attr("value")
	to, _ := testid(d, "activity-to").Attr("value")
	if from != "2026-10-27" || to != "2026-11-25" {
		t.Errorf("default range %s..%s, want 2026-10-27..2026-11-25", from, to)
	}
	if s := testid(d, "chart-summary").Text(); !strings.Contains(s, "in 30 days") {
		t.Errorf("chart summary %q, want 30 days", s)
	}
	want := len(actStore(t, env, "2026-10-27", "2026-11-25", nil))
	if total, _ := actChart(t, d); total != want || want == 0 {
		t.Errorf("default range: chart total %d, the store has %d events", total, want)
	}
	// The presets end today and keep the filters.
	res, d = actPage(t, env, c, url.Values{"from": {"2026-09-01"}, "to": {"2026-09-30"}, "action": {desk.OpCreateOrder}})
	for id, wantFrom := range map[string]string{"preset-today": "2026-11-25", "preset-7": "2026-11-19", "preset-30": "2026-10-27"} {
		href, _ := testid(d, id).Attr("href")
		u, err := url.Parse(href)
		if err != nil || u.Path != "/settings/activity" || u.Query().Get("from") != wantFrom || u.Query().Get("to") != "2026-11-25" || u.Query().Get("action") != desk.OpCreateOrder {
			t.Errorf("%s links to %q", id, href)
		}
	}
}

// The filters narrow the rows exactly (compared with the store), the form keeps them, the links
// (export, next page, presets) carry them, and an htmx request gets the same results.
func TestActivityFilters(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, apptest.GlobalAdmin)
	from, to := actWide.Get("from"), actWide.Get("to")
	for _, tt := range []struct {
		name  string
		q     url.Values
		match func(desk.Event) bool
	}{
		{"customer name", actQuery(actWide, "customer", "contoso"), func(e desk.Event) bool { return e.CustomerID == apptest.ContosoID }},
		{"customer name, other case", actQuery(actWide, "customer", "FABRIKAM"), func(e desk.Event) bool { return e.CustomerID == apptest.FabrikamID }},
		{"customer domain", actQuery(actWide, "customer", "wingtiptoys.onmicrosoft.com"), func(e desk.Event) bool { return e.CustomerID == apptest.TenantID("wingtiptoys") }},
		{"user", actQuery(actWide, "user", apptest.SalesAgent), func(e desk.Event) bool { return e.ActorEmail == apptest.SalesAgent }},
		{"user, other case", actQuery(actWide, "user", "AdminAgent@Partner.Example"), func(e desk.Event) bool { return e.ActorEmail == apptest.AdminAgent }},
		{"action", actQuery(actWide, "action", desk.OpUpdateOrder), func(e desk.Event) bool { return e.Operation == desk.OpUpdateOrder }},
		{"all three", actQuery(actWide, "customer", "contoso", "user", apptest.AdminAgent, "action", desk.OpGetSoftwareKey), func(e desk.Event) bool {
			return e.CustomerID == apptest.ContosoID && e.ActorEmail == apptest.AdminAgent && e.Operation == desk.OpGetSoftwareKey
		}},
		{"nothing matches", actQuery(actWide, "customer", "no such customer"), func(desk.Event) bool { return false }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := actStore(t, env, from, to, tt.match)
			if len(want) == 0 && tt.name != "nothing matches" {
				t.Fatal("the reference has no events: the case proves nothing")
			}
			res, d := actPage(t, env, c, tt.q)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%d", res.StatusCode)
			}
			rows := testid(d, "activity-row")
			if len(want) > 50 {
				t.Fatalf("the reference has %d events: more than a page", len(want))
			}
			if rows.Length() != len(want) {
				t.Fatalf("%d rows, the store has %d matching events", rows.Length(), len(want))
			}
			if len(want) == 0 && testid(d, "activity-empty").Length() != 1 {
				t.Error("no rows and no empty state")
			}
			// The rows are the reference's events, newest first.
			rows.Each(func(i int, s *goquery.Selection) {
				e := want[i]
				op, _ := s.Attr("data-operation")
				txt := actRowText(s)
				if op != e.Operation || !strings.Contains(txt, e.ActorEmail) || !strings.Contains(txt, e.CustomerName) {
					t.Errorf("row %d %q (%s), want event %d %s by %s for %q", i, txt, op, e.ID, e.Operation, e.ActorEmail, e.CustomerName)
				}
			})
			if total, days := actChart(t, d); total != len(want) || actSum(days) != total {
				t.Errorf("chart total %d, days add up to %d, want %d", total, actSum(days), len(want))
			}
			// The form keeps the filters: a bookmarked URL shows the same view.
			for id, key := range map[string]string{"activity-from": "from", "activity-to": "to", "activity-customer": "customer", "activity-user": "user"} {
				if v, _ := testid(d, id).Attr("value"); v != tt.q.Get(key) {
					t.Errorf("%s value %q, want %q", id, v, tt.q.Get(key))
				}
			}
			sel, _ := testid(d, "activity-action").Find("option[selected]").Attr("value")
			if sel != tt.q.Get("action") {
				t.Errorf("selected action %q, want %q", sel, tt.q.Get("action"))
			}
			// The export link carries the same filters.
			href, _ := testid(d, "activity-export").Attr("href")
			u, err := url.Parse(href)
			if err != nil || u.Path != "/settings/activity/export" {
				t.Fatalf("export link %q", href)
			}
			for _, k := range []string{"from", "to", "customer", "user", "action"} {
				if u.Query().Get(k) != tt.q.Get(k) {
					t.Errorf("export link %s=%q, want %q", k, u.Query().Get(k), tt.q.Get(k))
				}
			}
			// htmx asks for the same URL; the page answers with the results block that hx-select picks.
			hres, hd := actPage(t, env, c, tt.q, "HX-Request", "true")
			if hres.StatusCode != http.StatusOK || hd.Find("#activity-results").Length() != 1 || testid(hd, "activity-row").Length() != rows.Length() {
				t.Errorf("htmx request: %d, %d results blocks, %d rows", hres.StatusCode, hd.Find("#activity-results").Length(), testid(hd, "activity-row").Length())
			}
		})
	}
	// The form targets the results block, pushes the URL and submits by GET (bookmarkable).
	_, d := actPage(t, env, c, actWide)
	f := testid(d, "activity-filters")
	if m, _ := f.Attr("method"); !strings.EqualFold(m, "get") {
		t.Errorf("filter form method %q", m)
	}
	for attr, want := range map[string]string{"hx-get": "/settings/activity", "hx-target": "#activity-results", "hx-select": "#activity-results", "hx-push-url": "true"} {
		if v, _ := f.Attr(attr); v != want {
			t.Errorf("filter form %s=%q, want %q", attr, v, want)
		}
	}
}

// actAppend adds events straight to the log (as the application would record them).
func actAppend(t *testing.T, env *apptest.Env, evs ...desk.Event) {
	t.Helper()
	for i := range evs {
		if evs[i].Status == "" {
			evs[i].Status = "succeeded"
		}
		if err := env.App.Store.AppendEvent(context.Background(), &evs[i]); err != nil {
			t.Fatal(err)
		}
	}
}

var actMarker = regexp.MustCompile(`paging-\d{3}`)

// Next-page links walk a long range: every page at most 50 rows, the chart on the first page
// only, the filters kept, no row twice and none missing, even with new events arriving meanwhile.
func TestActivityPagination(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, apptest.ReferralsAdmin)
	const n = 137
	var evs []desk.Event
	for i := n - 1; i >= 0; i-- {
		// Newest first they run paging-000, paging-001, …; pairs share a millisecond (the later
		// appended, with the higher id, comes first).
		at := apptest.Epoch.Add(-time.Duration(i/2) * 37 * time.Minute)
		evs = append(evs, desk.Event{At: at, ActorEmail: apptest.AdminAgent, ActorRoles: desk.RolesOf(desk.RoleAdminAgent), Operation: desk.OpSignOut,
			ResourceType: "session", Detail: fmt.Sprintf("paging-%03d", i), IP: "127.0.0.1"})
	}
	actAppend(t, env, evs...)
	q := url.Values{"action": {desk.OpSignOut}, "user": {apptest.AdminAgent}}
	res, d := actPage(t, env, c, q)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("first page: %d", res.StatusCode)
	}
	if total, _ := actChart(t, d); total != n {
		t.Errorf("chart total %d, want %d", total, n)
	}
	seen := map[string]int{}
	var order []string
	pages := 0
	for {
		pages++
		rows := testid(d, "activity-row")
		if rows.Length() == 0 || rows.Length() > 50 {
			t.Fatalf("page %d has %d rows", pages, rows.Length())
		}
		rows.Each(func(_ int, s *goquery.Selection) {
			m := actMarker.FindString(s.Text())
			if m == "" {
				t.Fatalf("page %d: a row that is not the test's: %q", pages, actRowText(s))
			}
			seen[m]++
			order = append(order, m)
		})
		if pages > 1 && testid(d, "activity-chart").Length() != 0 {
			t.Errorf("page %d repeats the chart", pages)
		}
		next := testid(d, "activity-next")
		if next.Length() == 0 {
			break
		}
		href, _ := next.Attr("href")
		u, err := url.Parse(href)
		if err != nil || u.Query().Get("action") != desk.OpSignOut || u.Query().Get("user") != apptest.AdminAgent || u.Query().Get("after") == "" {
			t.Fatalf("next link %q does not keep the filters", href)
		}
		if hx, _ := next.Attr("hx-get"); hx != href {
			t.Errorf("next link hx-get %q, href %q", hx, href)
		}
		// New events arrive between pages (now, inside the range).
		actAppend(t, env, desk.Event{At: env.Clock.Now(), ActorEmail: apptest.AdminAgent, Operation: desk.OpSignOut, ResourceType: "session", Detail: fmt.Sprintf("paging-%03d", 900+pages)})
		env.SignIn(t, apptest.AdminAgent)
		env.Clock.Advance(time.Second)
		if res, d = actPage(t, env, c, u.Query()); res.StatusCode != http.StatusOK {
			t.Fatalf("page %d: %d", pages+1, res.StatusCode)
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 3 {
		t.Errorf("%d pages for %d events, want 3", pages, n)
	}
	for m, k := range seen {
		if k > 1 {
			t.Errorf("%s shown %d times", m, k)
		}
	}
	for i := 0; i < n; i++ {
		m := fmt.Sprintf("paging-%03d", i)
		if seen[m] != 1 {
			t.Errorf("%s shown %d times, want once", m, seen[m])
		}
	}
	if !slices.IsSorted(order) {
		t.Errorf("rows are not newest first: %v", order)
	}
}

// The events the test causes appear with who (user, role, tenant), when, customer, product,
// order and IP; and no product key, password or token ever reaches an event, the page or the CSV.
func TestActivityRecordsWithoutSecrets(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	// A key reveal by the admin agent, from a known address.
	agent := env.ActorAt(t, apptest.AdminAgent, "203.0.113.7")
	_, items, err := env.App.Service.Software(ctx, agent, apptest.ContosoID)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(items, func(it desk.SoftwareItem) bool { return it.Status == desk.StatusActive && len(it.KeyVersions) > 0 })
	if i < 0 {
		t.Fatal("Contoso has no active purchase with a key")
	}
	item := items[i]
	version := item.KeyVersions[0]
	key, err := env.App.Service.RevealKey(ctx, agent, apptest.ContosoID, item.ID, version)
	if err != nil || !regexp.MustCompile(`^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$`).MatchString(key) {
		t.Fatalf("reveal: %q, %v", key, err)
	}
	// A sign-in with the password, and a failed one with another secret-looking password.
	ga := env.SignIn(t, apptest.GlobalAdmin)
	wrong := "Wr0ng-But-Secret-Passw0rd"
	if res := env.PostForm(t, env.Client(), "/signin", url.Values{"email": {apptest.BillingAdmin}, "password": {wrong}}); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("failed sign-in: %d", res.StatusCode)
	}
	// An API token.
	tok, secret, err := env.App.Service.CreateToken(ctx, env.ActorAt(t, apptest.AdminAgent, "198.51.100.4"), "reporting", 24*time.Hour)
	if err != nil || secret == "" {
		t.Fatalf("create token: %v", err)
	}
	// A new user's one-time password, used to sign in.
	res := env.PostForm(t, ga, "/settings/users", url.Values{"email": {"new.analyst@partner.example"}, "display_name": {"New Analyst"}, "role": {"referrals-admin"}})
	otp := strings.TrimSpace(testid(doc(t, res.Body), "one-time-password").Find("code").Text())
	if res.StatusCode != http.StatusOK || len(otp) < 12 {
		t.Fatalf("create user: %d, one-time password %q", res.StatusCode, otp)
	}
	if res := env.PostForm(t, env.Client(), "/signin", url.Values{"email": {"new.analyst@partner.example"}, "password": {otp}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in with the one-time password: %d", res.StatusCode)
	}
	// A shared download link (its signed token is a bearer secret), then opened.
	ed := item.Product.Editions[0]
	link, err := env.App.Service.IssueLink(ctx, agent, apptest.ContosoID, item.ID, desk.EditionRef{Version: ed.Version, Language: ed.Language, Bitness: ed.Bitness}, true)
	if err != nil {
		t.Fatal(err)
	}
	linkToken := strings.TrimPrefix(link.URL, "/dl/")
	if res := env.Get(t, env.Client(), link.URL); res.StatusCode != http.StatusOK {
		t.Fatalf("open the shared link: %d", res.StatusCode)
	}
	partner := actPartnerTenant(t, env)

	// The reveal, as the log shows it.
	res, d := actPage(t, env, ga, url.Values{"action": {desk.OpGetSoftwareKey}, "from": {"2026-11-25"}, "to": {"2026-11-25"}})
	if n := testid(d, "activity-row").Length(); n < 1 {
		t.Fatal("no key reveal today")
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("activity: %d", res.StatusCode)
	}
	row := testid(d, "activity-row").First()
	txt := actRowText(row)
	for _, want := range []string{"Contoso Ltd.", apptest.AdminAgent, "Admin agent", item.OfferTitle, item.OrderID, "203.0.113.7", partner, "Version " + version, "Succeeded"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the reveal's row %q lacks %q", txt, want)
		}
	}
	if when := strings.TrimSpace(row.Find("td").First().Text()); !strings.Contains(when, "2026") || !strings.Contains(when, "10:00") {
		t.Errorf("the reveal's time reads %q, want 2026-11-25 10:00 (UTC)", when)
	}
	// The sign-in, the failed one and the token creation.
	for _, tt := range []struct {
		op   string
		want []string
	}{
		{desk.OpSignIn, []string{apptest.GlobalAdmin, "Global admin", "127.0.0.1", partner}},
		{desk.OpSignInFailed, []string{apptest.BillingAdmin, "Billing admin", "127.0.0.1", "failed"}},
		{desk.OpCreateAPIToken, []string{apptest.AdminAgent, "Admin agent", "198.51.100.4", "reporting for " + apptest.AdminAgent}},
	} {
		_, d := actPage(t, env, ga, url.Values{"action": {tt.op}, "from": {"2026-11-25"}, "to": {"2026-11-25"}})
		found := false
		testid(d, "activity-row").Each(func(_ int, s *goquery.Selection) {
			ok := true
			for _, w := range tt.want {
				ok = ok && strings.Contains(actRowText(s), w)
			}
			found = found || ok
		})
		if !found {
			t.Errorf("no %s row with %q", tt.op, tt.want)
		}
	}
	// In the CSV: user, roles, tenant, customer, product, order, IP.
	_, recs := actCSV(t, env, ga, url.Values{"action": {desk.OpGetSoftwareKey}, "from": {"2026-11-25"}, "to": {"2026-11-25"}})
	if len(recs) < 2 {
		t.Fatal("the reveal is not in the export")
	}
	for col, want := range map[string]string{"customerId": apptest.ContosoID, "customerName": "Contoso Ltd.", "operationType": desk.OpGetSoftwareKey,
		"userPrincipalName": apptest.AdminAgent, "roles": "admin-agent", "tenantId": partner, "product": item.OfferTitle, "orderId": item.OrderID,
		"ip": "203.0.113.7", "operationStatus": "succeeded", "dateTimeUtc": "2026-11-25T10:00:00.000Z"} {
		if got := actCol(t, recs, 1, col); got != want {
			t.Errorf("export %s = %q, want %q", col, got, want)
		}
	}

	// No secret anywhere: events, the page (every action), the export.
	secrets := map[string]string{"product key": key, "password": apptest.Password, "wrong password": wrong, "token": secret,
		"token without prefix": strings.TrimPrefix(secret, "pdk_"), "one-time password": otp, "download link token": linkToken}
	if len(linkToken) < 20 {
		t.Fatalf("link %q has no token", link.URL)
	}
	// The shared link's download and the new user's sign-in are recorded (without the secrets).
	if len(env.EventsSinceEpoch(t, desk.OpSharedDownload, 1000)) != 1 || len(env.EventsSinceEpoch(t, desk.OpGetDownloadLink, 1000)) != 1 || len(env.EventsSinceEpoch(t, desk.OpCreateUser, 1000)) != 1 {
		t.Error("the link, its download or the new user is not in the log")
	}
	for _, e := range actAllEvents(t, env) {
		fields := []string{e.ActorID, e.ActorEmail, e.ActorTenantID, e.CustomerID, e.CustomerName, e.Operation, e.ResourceType, e.Status, e.Product, e.OrderID, e.Detail, e.IP}
		for what, s := range secrets {
			for _, f := range fields {
				if strings.Contains(f, s) {
					t.Errorf("event %d (%s) holds the %s: %q", e.ID, e.Operation, what, f)
				}
			}
		}
	}
	res, _ = actPage(t, env, ga, actWide)
	exp, _ := actCSV(t, env, ga, actWide)
	for what, s := range secrets {
		if strings.Contains(res.Body, s) {
			t.Errorf("the activity page holds the %s", what)
		}
		if strings.Contains(exp.Body, s) {
			t.Errorf("the export holds the %s", what)
		}
	}
	if !strings.Contains(exp.Body, "reporting for "+apptest.AdminAgent) && !strings.Contains(exp.Body, tok.Name) {
		t.Error("the token creation is not in the export")
	}
}

// actPartnerTenant is the partner's tenant ID, as events record it.
func actPartnerTenant(t *testing.T, env *apptest.Env) string {
	t.Helper()
	v, ok, err := env.App.Store.GetMeta(context.Background(), "partner_tenant_id")
	if err != nil || !ok || v == "" {
		t.Fatalf("partner tenant id: %q %v %v", v, ok, err)
	}
	return v
}

// actNewCustomer adds a customer through the form as the Global admin and returns its ID.
func actNewCustomer(t *testing.T, env *apptest.Env, c *http.Client, name, domain string) string {
	t.Helper()
	form := url.Values{"company_name": {name}, "domain": {domain + ".onmicrosoft.com"}, "country": {"HU"}, "address_line1": {"Fő utca 1"},
		"city": {"Pécs"}, "postal_code": {"7621"}, "first_name": {"Anna"}, "last_name": {"Kiss"}, "email": {"anna@" + domain + ".example"}}
	res := env.PostForm(t, c, "/customers", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add customer %q: %d\n%.500s", name, res.StatusCode, res.Body)
	}
	id := strings.TrimPrefix(res.Header.Get("Location"), "/customers/")
	id, _, _ = strings.Cut(id, "/")
	id, _, _ = strings.Cut(id, "?")
	return id
}

// The CSV export: a header row, one row per event of the whole filtered range (not one page),
// sent as an attachment; commas and quotes escaped per RFC 4180; cells a spreadsheet would run
// as formulas (= + - @) neutralised with a leading single quote. The chart agrees with it.
func TestActivityExportCSV(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	ga := env.SignIn(t, apptest.GlobalAdmin)
	names := map[string]string{
		"formula":  `=cmd|' /C calc'!A0`,
		"plus":     `+SUM(1)`,
		"minus":    `-1,"quoted"`,
		"at":       `@SUM(A1)`,
		"commas":   `Quote "Q", Inc.`,
		"multiple": `=1+2, "x"`,
	}
	ids := map[string]string{}
	for k, name := range names {
		ids[k] = actNewCustomer(t, env, ga, name, "csvtest"+k)
	}
	// An order for the formula customer, by the sales agent.
	offer := apptest.Offer(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone)
	order, _, err := env.App.Service.PlaceOrder(ctx, env.ActorAt(t, apptest.SalesAgent, "192.0.2.10"), ids["formula"], "csv-order", []desk.CartLine{{OfferID: offer.ID, Quantity: 2}})
	if err != nil {
		t.Fatalf("order: %v", err)
	}

	// Every event of the range, more than one page of them.
	res, recs := actCSV(t, env, ga, actWide)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, ".csv") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if res.ContentLength != -1 || !slices.Contains(res.TransferEncoding, "chunked") {
		t.Errorf("the export is not streamed: Content-Length %d, Transfer-Encoding %v", res.ContentLength, res.TransferEncoding)
	}
	if !slices.Equal(recs[0], actHeader) {
		t.Errorf("header %v, want %v", recs[0], actHeader)
	}
	want := actStore(t, env, actWide.Get("from"), actWide.Get("to"), nil)
	if len(want) <= 50 {
		t.Fatalf("the range holds %d events: not more than a page", len(want))
	}
	if len(recs)-1 != len(want) {
		t.Fatalf("the export has %d rows, the range %d events", len(recs)-1, len(want))
	}
	if _, d := actPage(t, env, ga, actWide); testid(d, "activity-next").Length() != 1 {
		t.Error("the page of the same range has no next page: the test does not prove the export is not one page")
	}
	idsSeen := map[string]bool{}
	for i, r := range recs[1:] {
		if len(r) != len(actHeader) {
			t.Fatalf("row %d has %d cells", i+1, len(r))
		}
		if r[0] != strconv.FormatInt(want[i].ID, 10) {
			t.Fatalf("row %d is event %s, want %d (newest first)", i+1, r[0], want[i].ID)
		}
		idsSeen[r[0]] = true
		for j, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("row %d %s = %q starts with a formula character", i+1, actHeader[j], cell)
			}
		}
	}
	if len(idsSeen) != len(want) {
		t.Errorf("%d distinct events in %d rows", len(idsSeen), len(recs)-1)
	}

	// The customers' names: neutralised and escaped.
	byName := map[string][]string{}
	for i := 1; i < len(recs); i++ {
		n := actCol(t, recs, i, "customerName")
		byName[n] = append(byName[n], actCol(t, recs, i, "operationType"))
	}
	for k, name := range names {
		cell := name
		if strings.ContainsRune("=+-@", rune(name[0])) {
			cell = "'" + name
		}
		if !slices.Contains(byName[cell], desk.OpCreateCustomer) {
			t.Errorf("%s: no create_customer row with customerName %q", k, cell)
		}
	}
	if ops := byName["'"+names["formula"]]; !slices.Contains(ops, desk.OpCreateOrder) {
		t.Errorf("the order for the formula customer is not exported: %v", ops)
	}
	// RFC 4180 on the wire: fields with commas or quotes are quoted, quotes doubled.
	for _, raw := range []string{`"'-1,""quoted"""`, `"Quote ""Q"", Inc."`, `'=cmd|' /C calc'!A0`, `"'=1+2, ""x"""`} {
		if !strings.Contains(res.Body, raw) {
			t.Errorf("the export does not hold %s", raw)
		}
	}
	// The order's row: product, order ID, user and IP.
	_, ord := actCSV(t, env, ga, actQuery(actWide, "action", desk.OpCreateOrder, "customer", "cmd"))
	if len(ord) != 2 || actCol(t, ord, 1, "orderId") != order.ID || !strings.Contains(actCol(t, ord, 1, "product"), offer.Title) ||
		actCol(t, ord, 1, "userPrincipalName") != apptest.SalesAgent || actCol(t, ord, 1, "ip") != "192.0.2.10" || actCol(t, ord, 1, "roles") != "sales-agent" {
		t.Errorf("order export %v", ord)
	}

	// The chart and the export agree, filtered or not (the unfiltered chart reads the daily counts).
	for _, q := range []url.Values{
		actWide,
		{"from": {"2026-10-27"}, "to": {"2026-11-25"}},
		actQuery(actWide, "customer", "contoso"),
		actQuery(actWide, "action", desk.OpCreateCustomer),
		actQuery(actWide, "user", apptest.AdminAgent),
		{"from": {"2026-11-25"}, "to": {"2026-11-25"}},
	} {
		_, d := actPage(t, env, ga, q)
		total, days := actChart(t, d)
		_, recs := actCSV(t, env, ga, q)
		if total != len(recs)-1 || actSum(days) != total || total == 0 {
			t.Errorf("%s: chart total %d, days add up to %d, export %d rows", q.Encode(), total, actSum(days), len(recs)-1)
		}
		if s := testid(d, "chart-summary").Text(); !strings.Contains(s, strconv.Itoa(total)+" events") {
			t.Errorf("%s: chart summary %q does not say %d events", q.Encode(), s, total)
		}
	}
	// An empty result still exports the header.
	if _, recs := actCSV(t, env, ga, actQuery(actWide, "customer", "no such customer")); len(recs) != 1 || !slices.Equal(recs[0], actHeader) {
		t.Errorf("empty export %v", recs)
	}
	// The Referrals admin exports too.
	if _, recs := actCSV(t, env, env.SignIn(t, apptest.ReferralsAdmin), actQuery(actWide, "action", desk.OpCreateCustomer)); len(recs)-1 != len(names) {
		t.Errorf("referrals export: %d create_customer rows, want %d", len(recs)-1, len(names))
	}
}

// R2 through the REST API: an Admin agent's token is refused the audit records, and that denial
// is recorded like the page's (a permission_denied event naming the path).
func TestActivityAPIDenialRecorded(t *testing.T) {
	env := apptest.Start(t)
	for _, who := range []string{"admin", "sales", "billing"} {
		_, secret, err := env.App.Service.CreateToken(context.Background(), env.Actor(t, apptest.Users[who]), "r2-"+who, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		before := env.EventsSinceEpoch(t, desk.OpPermissionDenied, 1000)
		res := env.Get(t, env.Client(), "/v1/auditrecords", "Authorization", "Bearer "+secret)
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("%s GET /v1/auditrecords: %d, want 403", who, res.StatusCode)
		}
		after := env.EventsSinceEpoch(t, desk.OpPermissionDenied, 1000)
		if len(after) != len(before)+1 || after[0].ActorEmail != apptest.Users[who] || !strings.Contains(after[0].Detail, "/v1/auditrecords") {
			t.Errorf("%s: the API's denial of /v1/auditrecords is not in the activity log (%d denials before, %d after)", who, len(before), len(after))
		}
	}
}
