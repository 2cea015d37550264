package web

import (
	"context"
	"strconv"
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
