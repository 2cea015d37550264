package web

import (
	"context"
	"strconv"
	"strings"
	"time"

	"partnerdesk/internal/desk"
)

// ActivityView is the activity log page.
type ActivityView struct {
	From, To, Customer, Actor, Operation string
	Filter                               desk.ActivityFilter
	Page                                 desk.ActivityPage
	Counts                               []desk.DayCount
	Users                                []string
	Errors                               desk.FieldErrors
	ErrArgs                              map[string][]any
	// Now anchors the presets (today, 7 and 30 days).
	Now time.Time
}

// Query returns the view's filters as URL query pairs (for links and the export).
func (v ActivityView) Query(extra ...string) []string {
	q := []string{"from", v.From, "to", v.To, "customer", v.Customer, "user", v.Actor, "action", v.Operation}
	return append(q, extra...)
}

// Href is the activity page URL with the view's filters and extra pairs.
func (v ActivityView) Href(path string, extra ...string) string {
	return withQuery(path, v.Query(extra...)...)
}

// Preset is the URL of a preset range ending today.
func (v ActivityView) Preset(days int) string {
	to := v.Now.UTC().Format("2006-01-02")
	from := v.Now.UTC().AddDate(0, 0, -(days - 1)).Format("2006-01-02")
	return withQuery("/settings/activity", "from", from, "to", to, "customer", v.Customer, "user", v.Actor, "action", v.Operation)
}

// Chart categories group the operations into the series of the chart.
var chartCategories = []struct {
	Key string
	Ops []string
}{
	{"keys", []string{desk.OpGetSoftwareKey}},
	{"downloads", []string{desk.OpGetDownloadLink, desk.OpDownload, desk.OpSharedDownload}},
	{"orders", []string{desk.OpCreateOrder, desk.OpUpdateOrder}},
	{"other", nil},
}

func categoryOf(op string) int {
	for i, c := range chartCategories {
		for _, o := range c.Ops {
			if o == op {
				return i
			}
		}
	}
	return len(chartCategories) - 1
}

// ChartDay is one day of the chart: its counts per category.
type ChartDay struct {
	Day    time.Time
	Counts []int
	Total  int
}

// Chart is the server-rendered bar chart of events per day by category.
type Chart struct {
	Days       []ChartDay
	Totals     []int
	Total, Max int
	Categories []string
}

// maxChartDays bounds the bars of one chart.
const maxChartDays = 400

// BuildChart lays the day counts out per day of the range.
func BuildChart(f desk.ActivityFilter, counts []desk.DayCount) Chart {
	ch := Chart{Totals: make([]int, len(chartCategories))}
	for _, c := range chartCategories {
		ch.Categories = append(ch.Categories, c.Key)
	}
	if f.From.IsZero() {
		return ch
	}
	index := map[int64]int{}
	for d := f.From.UTC().Truncate(24 * time.Hour); !d.After(f.To) && len(ch.Days) < maxChartDays; d = d.Add(24 * time.Hour) {
		index[d.Unix()] = len(ch.Days)
		ch.Days = append(ch.Days, ChartDay{Day: d, Counts: make([]int, len(chartCategories))})
	}
	for _, c := range counts {
		i, ok := index[c.Day.Unix()]
		if !ok {
			continue
		}
		k := categoryOf(c.Operation)
		ch.Days[i].Counts[k] += c.N
		ch.Days[i].Total += c.N
		ch.Totals[k] += c.N
		ch.Total += c.N
	}
	for _, d := range ch.Days {
		ch.Max = max(ch.Max, d.Total)
	}
	return ch
}

// Chart geometry.
const (
	chartW, chartH, chartPad = 720, 160, 24
)

// Bar is one stacked segment of the chart.
type Bar struct {
	X, Y, W, H float64
	Category   int
	Title      string
}

// Bars computes the chart's stacked segments.
func (ch Chart) Bars(ctx context.Context) []Bar {
	if len(ch.Days) == 0 || ch.Max == 0 {
		return nil
	}
	slot := float64(chartW-2*chartPad) / float64(len(ch.Days))
	w := slot * 0.8
	var out []Bar
	for i, d := range ch.Days {
		y := float64(chartH - chartPad)
		for k, n := range d.Counts {
			if n == 0 {
				continue
			}
			h := float64(n) / float64(ch.Max) * float64(chartH-2*chartPad)
			y -= h
			out = append(out, Bar{X: chartPad + float64(i)*slot + (slot-w)/2, Y: y, W: w, H: h, Category: k,
				Title: T(ctx, "activity.bar", L(ctx).Date(d.Day), T(ctx, "activity.cat."+ch.Categories[k]), L(ctx).Number(int64(n)))})
		}
	}
	return out
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// Summary says how many events the chart shows over how many days ("12 events in 30 days").
func (ch Chart) Summary(ctx context.Context) string {
	return T(ctx, "activity.chart_summary", L(ctx).N("activity.events", int64(ch.Total)), L(ctx).N("activity.days", int64(len(ch.Days))))
}

// Tick is a date label under the chart, at Left (a percentage of the width: an SVG without a
// viewBox, so the text is never stretched and no inline style is needed under the CSP) below
// its day's bar; Anchor keeps the first and last label inside the chart.
type Tick struct{ Left, Label, Anchor string }

// maxTicks bounds the date labels under the chart (they must fit a phone's width).
const maxTicks = 5

// Ticks puts dates on the chart's axis: the first and last day, and evenly spaced days between.
func (ch Chart) Ticks(ctx context.Context) []Tick {
	n := len(ch.Days)
	if n == 0 {
		return nil
	}
	slot := float64(chartW-2*chartPad) / float64(n)
	var idx []int
	if n <= maxTicks {
		for i := range n {
			idx = append(idx, i)
		}
	} else {
		for k := range maxTicks {
			idx = append(idx, k*(n-1)/(maxTicks-1))
		}
	}
	out := make([]Tick, 0, len(idx))
	for k, i := range idx {
		x := float64(chartPad) + (float64(i)+0.5)*slot
		anchor := "middle"
		switch {
		case len(idx) > 1 && k == 0:
			anchor, x = "start", float64(chartPad)
		case len(idx) > 1 && k == len(idx)-1:
			anchor, x = "end", float64(chartW-chartPad)
		}
		out = append(out, Tick{Left: strconv.FormatFloat(x/chartW*100, 'f', 2, 64) + "%", Label: shortDate(ctx, ch.Days[i].Day), Anchor: anchor})
	}
	return out
}

// shortDate is a date without its year ("Nov 25", "nov. 25."), for the chart's axis.
func shortDate(ctx context.Context, t time.Time) string {
	full := L(ctx).Date(t)
	y := strconv.Itoa(t.Year())
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(full, y+". "), ", "+y))
}

// activityFields is the filter form's order, for focusing the first invalid field.
var activityFields = []string{"from", "to", "user", "action"}

// firstError names the first invalid filter field ("" when none).
func firstError(errs desk.FieldErrors) string {
	for _, f := range activityFields {
		if _, ok := errs[f]; ok {
			return f
		}
	}
	return ""
}
