package e2e

import (
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"

	"github.com/chromedp/chromedp"
)

// alRows counts the activity rows on the page.
func alRows(t *testing.T, ctx context.Context) int {
	t.Helper()
	return get(t, ctx, "count the activity rows", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="activity-row"]').length`))
}

// alSetRange types a date range into the filter without applying it, and marks the results
// (data-MARK) so that the test can tell when they are replaced.
func alSetRange(t *testing.T, ctx context.Context, what, from, to, mark string) {
	t.Helper()
	if !get(t, ctx, what, chromedp.Evaluate[bool](`(() => {
		const f = document.querySelector('[data-testid="activity-from"]'), t = document.querySelector('[data-testid="activity-to"]');
		if (!f || !t) return false;
		f.value = `+strconv.Quote(from)+`; t.value = `+strconv.Quote(to)+`;
		document.getElementById('activity-results').dataset[`+strconv.Quote(mark)+`] = '1';
		return true;
	})()`)) {
		t.Fatal("no date inputs")
	}
}

// A Referrals admin opens the activity log from the gear menu, applies a date range and an
// action (the table narrows in place and the URL follows), sees the chart agree with the table,
// and downloads the CSV with the same rows.
func TestActivityLogFilterChartExport(t *testing.T) {
	env := apptest.Start(t)
	ctx := newBrowser(t)
	downloads := downloadsTo(t, ctx)
	const from, to = "2026-10-01", "2026-11-25"
	// The reference: the demo's key views in the range (fewer than a page).
	var want []desk.Event
	err := env.App.Store.StreamEvents(context.Background(), desk.ActivityFilter{
		From: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC).Add(-time.Millisecond), Operation: desk.OpGetSoftwareKey,
	}, func(e desk.Event) error { want = append(want, e); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 || len(want) >= 50 {
		t.Fatalf("the demo has %d key views in %s..%s; the test needs 1..49", len(want), from, to)
	}

	signInDemo(t, ctx, env, apptest.ReferralsAdmin)
	run(t, ctx, "open Activity log from the gear menu",
		chromedp.Click(testID("settings-menu")),
		chromedp.WaitVisible(chromedp.CSS(`a.menu-item[href="/settings/activity"]`)),
		chromedp.Click(chromedp.CSS(`a.menu-item[href="/settings/activity"]`)),
		chromedp.WaitVisible(testID("activity-filters")),
		chromedp.WaitVisible(testID("activity-chart")),
	)
	if u := location(t, ctx); u.Path != "/settings/activity" {
		t.Fatalf("the gear menu's Activity log opened %s", u)
	}
	// The default range is the last 30 days.
	if v := get(t, ctx, "read the start date", chromedp.Value(testID("activity-from"))); v != "2026-10-27" {
		t.Errorf("default start date %q, want 2026-10-27", v)
	}

	// A marker on window survives only if the page is not loaded again.
	if v := get(t, ctx, "set the marker", chromedp.Evaluate[int](`window.__marker = 1`)); v != 1 {
		t.Fatalf("set window.__marker: got %d", v)
	}
	// Choose the range and apply it.
	alSetRange(t, ctx, "set the date range", from, to, "stale")
	run(t, ctx, "apply the range", chromedp.Click(testID("activity-apply")))
	get(t, ctx, "wait for the results of the range and the URL", chromedp.Poll[bool](`(() => {
		const r = document.getElementById('activity-results'), q = new URLSearchParams(location.search);
		return !!r && !r.dataset.stale && q.get('from') === '`+from+`' && q.get('to') === '`+to+`';
	})()`, chromedp.WithPollingInterval(pollInterval)))
	all := alRows(t, ctx)
	if all <= len(want) {
		t.Fatalf("the range shows %d rows, no more than its %d key views", all, len(want))
	}

	// Filter by action: choosing it refreshes the results at once.
	if !get(t, ctx, "choose get_software_key", chromedp.Evaluate[bool](`(() => {
		const s = document.querySelector('[data-testid="activity-action"]');
		if (!s || !Array.from(s.options).some(o => o.value === 'get_software_key')) return false;
		document.getElementById('activity-results').dataset.stale = '1';
		s.value = 'get_software_key';
		s.dispatchEvent(new Event('change', {bubbles: true}));
		return true;
	})()`)) {
		t.Fatal("the action filter has no get_software_key")
	}
	get(t, ctx, "wait for the table to narrow to key views and the URL to follow", chromedp.Poll[bool](`(() => {
		const r = document.getElementById('activity-results'), q = new URLSearchParams(location.search);
		const rows = document.querySelectorAll('[data-testid="activity-row"]');
		return !!r && !r.dataset.stale && rows.length > 0 &&
			Array.from(rows).every(x => x.dataset.operation === 'get_software_key') &&
			q.get('action') === 'get_software_key' && q.get('from') === '`+from+`' && q.get('to') === '`+to+`';
	})()`, chromedp.WithPollingInterval(pollInterval)))
	if !get(t, ctx, "read the marker", chromedp.Evaluate[bool](`window.__marker === 1`)) {
		t.Error("window.__marker is gone: the filters loaded the page again instead of swapping the results")
	}
	n := alRows(t, ctx)
	if n != len(want) {
		t.Errorf("the table shows %d key views, the log has %d", n, len(want))
	}
	if get(t, ctx, "look for a next page", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="activity-next"]').length`)) != 0 {
		t.Error("a next page for fewer than 50 rows")
	}
	// The chart agrees with the table: its total, its days, its text summary.
	total, err := strconv.Atoi(get(t, ctx, "read the chart total", chromedp.Evaluate[string](`document.querySelector('[data-testid="activity-chart"]').dataset.total`)))
	if err != nil || total != n {
		t.Errorf("the chart's total is %d (%v), the table has %d rows", total, err, n)
	}
	days := get(t, ctx, "read the chart's days", chromedp.Evaluate[[]int](
		`Array.from(document.querySelectorAll('[data-testid="chart-day-total"]'), x => parseInt(x.textContent.trim(), 10))`))
	sum := 0
	for _, d := range days {
		sum += d
	}
	if sum != n || len(days) == 0 {
		t.Errorf("the chart's days %v add up to %d, the table has %d rows", days, sum, n)
	}
	summary := get(t, ctx, "read the chart summary", chromedp.Evaluate[string](`document.querySelector('[data-testid="chart-summary"]').textContent`))
	if !strings.Contains(summary, strconv.Itoa(n)+" events in 56 days") {
		t.Errorf("the chart summary reads %q, want %d events in 56 days", summary, n)
	}
	if bars := get(t, ctx, "count the chart's bars", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="activity-chart"] svg rect').length`)); bars != len(days) {
		t.Errorf("the chart draws %d bars for %d days with key views", bars, len(days))
	}
	// The form keeps the filters.
	if v := get(t, ctx, "read the action", chromedp.Value(testID("activity-action"))); v != desk.OpGetSoftwareKey {
		t.Errorf("the action filter reads %q", v)
	}
	screenshot(t, ctx, "activity-filtered")

	// Reloading the pushed URL shows the same view (a bookmark works).
	run(t, ctx, "reload the filtered URL", chromedp.Reload(), chromedp.WaitVisible(testID("activity-chart")))
	if m := alRows(t, ctx); m != n {
		t.Errorf("after a reload the table shows %d rows, before %d", m, n)
	}
	if v := get(t, ctx, "read the start date", chromedp.Value(testID("activity-from"))); v != from {
		t.Errorf("after a reload the start date reads %q", v)
	}

	// Export: the CSV has the same rows.
	href := get(t, ctx, "read the export link", chromedp.Evaluate[string](`document.querySelector('[data-testid="activity-export"]').getAttribute('href')`))
	if !strings.Contains(href, "action=get_software_key") || !strings.Contains(href, "from="+from) {
		t.Errorf("the export link %q does not carry the filters", href)
	}
	run(t, ctx, "click Export", chromedp.Click(testID("activity-export")))
	b := download(t, ctx, downloads, "activity-"+from+"-"+to+".csv", 0, "")
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatalf("the download is not CSV: %v", err)
	}
	if len(recs) == 0 || recs[0][0] != "id" {
		t.Fatalf("the download has no header row: %.200q", b)
	}
	if len(recs)-1 != n {
		t.Errorf("the CSV has %d rows, the table %d", len(recs)-1, n)
	}
	op := slices.Index(recs[0], "operationType")
	for i, r := range recs[1:] {
		if op < 0 || r[op] != desk.OpGetSoftwareKey {
			t.Errorf("CSV row %d is not a key view: %v", i+1, r)
		}
		if r[0] != strconv.FormatInt(want[i].ID, 10) {
			t.Errorf("CSV row %d is event %s, want %d", i+1, r[0], want[i].ID)
		}
	}
}

// An Admin agent may not open the activity log (R2): the 403 page names the roles that may.
func TestActivityLogForbiddenForAdminAgent(t *testing.T) {
	env, ctx := startSignedIn(t, apptest.AdminAgent)
	if n := get(t, ctx, "look for Activity log in the gear menu", chromedp.Evaluate[int](`document.querySelectorAll('a.menu-item[href="/settings/activity"]').length`)); n != 0 {
		t.Error("the gear menu offers the activity log to an Admin agent")
	}
	res := get(t, ctx, "open /settings/activity", chromedp.NavigateResponse(env.URL+"/settings/activity"))
	if res.Status != http.StatusForbidden {
		t.Errorf("GET /settings/activity as an Admin agent: status %d, want 403", res.Status)
	}
	run(t, ctx, "wait for the 403 page", chromedp.WaitVisible(testID("error-403")))
	roles := text(t, ctx, "roles-needed")
	if !strings.Contains(roles, "Global admin") || !strings.Contains(roles, "Referrals admin") {
		t.Errorf("the 403 page names %q, want Global admin and Referrals admin", roles)
	}
	if n := get(t, ctx, "look for the log", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="activity-table"], [data-testid="activity-chart"]').length`)); n != 0 {
		t.Error("the 403 page shows the log")
	}
	screenshot(t, ctx, "activity-forbidden")
	evs, _ := env.App.Service.RecentEvents(context.Background(), desk.OpPermissionDenied, 1)
	if len(evs) != 1 || evs[0].ActorEmail != apptest.AdminAgent || !strings.Contains(evs[0].Detail, "/settings/activity") {
		t.Errorf("the denial is not recorded: %+v", evs)
	}
}

// A range whose start is after its end, applied from the form (an htmx request), is explained
// once, at the end date, in the page's language and without a leaked format verb; the chart and
// the table of the last good range stay, and the refused range is not pushed into the history.
func TestActivityLogInvalidRangeShowsError(t *testing.T) {
	env, ctx := startSignedIn(t, apptest.GlobalAdmin)
	for _, lang := range []struct{ tag, msg string }{{"en", "must not be before"}, {"hu", "nem lehet korábbi"}} {
		run(t, ctx, "open the activity log in "+lang.tag,
			chromedp.Navigate(env.URL+"/settings/activity"),
			chromedp.WaitVisible(testID("activity-chart")),
		)
		if get(t, ctx, "read the language", chromedp.Evaluate[string](`document.documentElement.lang`)) != lang.tag {
			change(t, ctx, "choose "+lang.tag, "#lang-select", lang.tag)
			run(t, ctx, "wait for "+lang.tag, chromedp.WaitReady(chromedp.CSS(`html[lang="`+lang.tag+`"]`)), chromedp.WaitVisible(testID("activity-chart")))
		}
		rows := alRows(t, ctx)
		before := location(t, ctx).String()
		alSetRange(t, ctx, "set a reversed range", "2026-11-20", "2026-11-10", "kept")
		run(t, ctx, "apply the range", chromedp.Click(testID("activity-apply")), chromedp.WaitVisible(testID("to-error")))
		screenshot(t, ctx, "activity-invalid-range-"+lang.tag)
		msg := text(t, ctx, "to-error")
		if !strings.Contains(msg, lang.msg) || strings.Contains(msg, "%!") {
			t.Errorf("%s: the end date's error reads %q, want %q without a format verb", lang.tag, msg, lang.msg)
		}
		page := get(t, ctx, "read the page", chromedp.Evaluate[string](`document.querySelector('main').innerText`))
		if strings.Count(page, msg) != 1 || strings.Contains(page, "%!") {
			t.Errorf("%s: the error shows %d times (want once); the page reads:\n%.600s", lang.tag, strings.Count(page, msg), page)
		}
		for _, gone := range []string{"Nothing was saved", "Semmi sem lett mentve"} {
			if strings.Contains(page, gone) {
				t.Errorf("%s: a filter says %q", lang.tag, gone)
			}
		}
		// The last good results stay: the very same chart and table.
		if !get(t, ctx, "check the results were kept", chromedp.Evaluate[bool](`document.getElementById('activity-results').dataset.kept === '1' && !!document.querySelector('[data-testid="activity-chart"]')`)) {
			t.Errorf("%s: the results of the last good range are gone", lang.tag)
		}
		if n := alRows(t, ctx); n != rows {
			t.Errorf("%s: %d rows after the refused range, %d before", lang.tag, n, rows)
		}
		if after := location(t, ctx).String(); after != before {
			t.Errorf("%s: the refused range went into the URL: %s", lang.tag, after)
		}
		// The focus is on the field to correct.
		if id := get(t, ctx, "read the focus", chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ''`)); id != "activity-to" {
			t.Errorf("%s: the focus is on %q, want the end date", lang.tag, id)
		}
	}
}
