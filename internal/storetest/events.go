package storetest

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/sqlstore"
)

// evBase is the start of the activity tests' timeline (a UTC midnight).
var evBase = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// evAppend appends events in one transaction (AppendEvent chains each to the previous one).
func evAppend(t testing.TB, st *sqlstore.Store, evs ...desk.Event) []desk.Event {
	t.Helper()
	ctx := context.Background()
	err := st.InTx(ctx, func(tx *sqlstore.Store) error {
		for i := range evs {
			if evs[i].Status == "" {
				evs[i].Status = "succeeded"
			}
			if err := tx.AppendEvent(ctx, &evs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// evNewestFirst sorts events as the activity log shows them: at descending, then id descending.
func evNewestFirst(evs []desk.Event) {
	slices.SortFunc(evs, func(a, b desk.Event) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return int(b.ID - a.ID)
	})
}

func evIDs(evs []desk.Event) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

// evMatches is the reference implementation of an activity filter.
func evMatches(f desk.ActivityFilter, e desk.Event) bool {
	if e.At.Before(f.From) || e.At.After(f.To) {
		return false
	}
	if f.CustomerIDs != nil && !slices.Contains(f.CustomerIDs, e.CustomerID) {
		return false
	}
	if f.Actor != "" && e.ActorEmail != f.Actor {
		return false
	}
	if f.Operation != "" && e.Operation != f.Operation {
		return false
	}
	if f.ResourceType != "" && e.ResourceType != f.ResourceType {
		return false
	}
	return true
}

// evFindAll pages through a filter to the end and returns every item in page order.
func evFindAll(t testing.TB, st *sqlstore.Store, f desk.ActivityFilter) ([]desk.Event, int) {
	t.Helper()
	var out []desk.Event
	pages := 0
	for {
		p, err := st.FindEvents(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(p.Items) > f.Limit {
			t.Fatalf("page of %d items with limit %d", len(p.Items), f.Limit)
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out, pages
		}
		if len(p.Items) != f.Limit {
			t.Fatalf("a page of %d items (limit %d) says there is a next page", len(p.Items), f.Limit)
		}
		if pages > 10000 {
			t.Fatal("paging does not end")
		}
		f.After = p.Next
	}
}

var (
	evCustomers  = []struct{ id, name string }{{"c-1", "Contoso Ltd."}, {"c-2", "Fabrikam, Inc."}, {"c-3", "Wingtip Toys"}}
	evActors     = []string{"adminagent@partner.example", "globaladmin@partner.example", "salesagent@partner.example"}
	evOperations = []struct{ op, resource string }{
		{desk.OpGetSoftwareKey, "software"}, {desk.OpGetDownloadLink, "software"}, {desk.OpCreateOrder, "order"},
		{desk.OpSignIn, "session"}, {desk.OpPermissionDenied, "route"},
	}
)

// evSeed appends a varied log over ten days from evBase: every combination of customer, actor
// and operation, some on the same millisecond, some on the exact bounds of day 2..day 6.
func evSeed(t testing.TB, st *sqlstore.Store) []desk.Event {
	t.Helper()
	ctx := context.Background()
	err := st.InTx(ctx, func(tx *sqlstore.Store) error {
		for _, c := range evCustomers {
			if err := tx.CreateCustomer(ctx, desk.Customer{ID: c.id, CompanyName: c.name, Domain: c.id + ".onmicrosoft.com", Country: "HU", Currency: "HUF", CreatedAt: evBase}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var evs []desk.Event
	i := 0
	for _, c := range evCustomers {
		for _, a := range evActors {
			for _, o := range evOperations {
				at := evBase.Add(time.Duration(i*7919%(10*24*60)) * time.Minute)
				e := desk.Event{At: at, ActorEmail: a, ActorID: "u:" + a, ActorTenantID: "partner", ActorRoles: desk.RolesOf(desk.RoleAdminAgent),
					Operation: o.op, ResourceType: o.resource, IP: fmt.Sprintf("10.0.0.%d", i%250+1)}
				if o.resource == "software" || o.resource == "order" {
					e.CustomerID, e.CustomerName, e.Product, e.OrderID = c.id, c.name, "SQL Server 2022 Standard", fmt.Sprintf("o-%d", i)
				}
				evs = append(evs, e)
				i++
			}
		}
	}
	// Ties: three events on one millisecond (the keyset breaks them by id).
	tie := evBase.Add(50*time.Hour + 123*time.Millisecond)
	for k := 0; k < 3; k++ {
		evs = append(evs, desk.Event{At: tie, ActorEmail: evActors[k], Operation: desk.OpGetSoftwareKey, ResourceType: "software", CustomerID: "c-1", CustomerName: "Contoso Ltd."})
	}
	// On and just outside the bounds of [day 2 00:00:00.000, day 6 23:59:59.999].
	from, to := evBase.AddDate(0, 0, 2), evBase.AddDate(0, 0, 7).Add(-time.Millisecond)
	for _, at := range []time.Time{from.Add(-time.Millisecond), from, to, to.Add(time.Millisecond)} {
		evs = append(evs, desk.Event{At: at, ActorEmail: evActors[0], Operation: desk.OpCreateOrder, ResourceType: "order", CustomerID: "c-2", CustomerName: "Fabrikam, Inc."})
	}
	return evAppend(t, st, evs...)
}

// FindEvents applies each filter exactly as the reference does: the range inclusive at both
// ends, customers, actor, operation and resource type, newest first.
func testFindEventsFilters(t *testing.T, h Harness) {
	st := h.Open(t)
	all := evSeed(t, st)
	from, to := evBase.AddDate(0, 0, 2), evBase.AddDate(0, 0, 7).Add(-time.Millisecond)
	wide := func(f desk.ActivityFilter) desk.ActivityFilter {
		if f.From.IsZero() {
			f.From, f.To = evBase.AddDate(0, 0, -1), evBase.AddDate(0, 0, 30)
		}
		f.Limit = 500
		return f
	}
	for _, tt := range []struct {
		name string
		f    desk.ActivityFilter
		// atLeast guards against a vacuous case.
		atLeast int
		// customers are the IDs a CustomerQuery matches (for the reference).
		customers []string
	}{
		{"everything", desk.ActivityFilter{}, len(all), nil},
		{"range", desk.ActivityFilter{From: from, To: to}, 10, nil},
		{"one millisecond", desk.ActivityFilter{From: from, To: from}, 1, nil},
		{"customer", desk.ActivityFilter{CustomerIDs: []string{"c-2"}}, 5, nil},
		{"two customers", desk.ActivityFilter{CustomerIDs: []string{"c-1", "c-3"}}, 10, nil},
		{"no customer matched", desk.ActivityFilter{CustomerIDs: []string{}}, 0, nil},
		{"unknown customer", desk.ActivityFilter{CustomerIDs: []string{"c-404"}}, 0, nil},
		{"customer search by name", desk.ActivityFilter{CustomerQuery: "fabrikam"}, 5, []string{"c-2"}},
		{"customer search by domain", desk.ActivityFilter{CustomerQuery: "c-3.onmicrosoft.com"}, 5, []string{"c-3"}},
		{"customer search, no match", desk.ActivityFilter{CustomerQuery: "Northwind"}, 0, []string{}},
		{"customer search and IDs", desk.ActivityFilter{CustomerQuery: "Contoso", CustomerIDs: []string{"c-1", "c-2"}}, 5, []string{"c-1"}},
		{"actor", desk.ActivityFilter{Actor: "salesagent@partner.example"}, 5, nil},
		{"operation", desk.ActivityFilter{Operation: desk.OpGetSoftwareKey}, 5, nil},
		{"resource type", desk.ActivityFilter{ResourceType: "session"}, 5, nil},
		{"all together", desk.ActivityFilter{From: from, To: to, CustomerIDs: []string{"c-1", "c-2"}, Actor: "adminagent@partner.example", Operation: desk.OpCreateOrder, ResourceType: "order"}, 2, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := wide(tt.f)
			ref := f
			if tt.customers != nil {
				ref.CustomerQuery = ""
				ref.CustomerIDs = tt.customers
			}
			var want []desk.Event
			for _, e := range all {
				if evMatches(ref, e) {
					want = append(want, e)
				}
			}
			evNewestFirst(want)
			if len(want) < tt.atLeast {
				t.Fatalf("the seed has %d matching events, the case needs %d", len(want), tt.atLeast)
			}
			p, err := st.FindEvents(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			if p.Next != "" {
				t.Fatalf("next page with %d of %d events", len(p.Items), len(want))
			}
			if got := evIDs(p.Items); !slices.Equal(got, evIDs(want)) {
				t.Fatalf("got ids %v\nwant     %v", got, evIDs(want))
			}
			for _, e := range p.Items {
				if !evMatches(ref, e) {
					t.Fatalf("event %d does not match the filter: %+v", e.ID, e)
				}
			}
		})
	}
	// The bounds are inclusive: the events on from and on to are in, a millisecond outside are out.
	p, err := st.FindEvents(context.Background(), desk.ActivityFilter{From: from, To: to, Operation: desk.OpCreateOrder, CustomerIDs: []string{"c-2"}, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var ats []time.Time
	for _, e := range p.Items {
		ats = append(ats, e.At)
	}
	if !slices.ContainsFunc(ats, from.Equal) || !slices.ContainsFunc(ats, to.Equal) {
		t.Errorf("the events on the bounds are missing: %v", ats)
	}
	for _, at := range ats {
		if at.Before(from) || at.After(to) {
			t.Errorf("event at %v is outside [%v, %v]", at, from, to)
		}
	}
	// Fields survive the round trip.
	got := p.Items[0]
	var orig desk.Event
	for _, e := range all {
		if e.ID == got.ID {
			orig = e
		}
	}
	if got.CustomerName != orig.CustomerName || got.ActorEmail != orig.ActorEmail || !got.At.Equal(orig.At) || got.Product != orig.Product ||
		got.OrderID != orig.OrderID || got.IP != orig.IP || got.ActorRoles != orig.ActorRoles || got.Status != orig.Status {
		t.Errorf("stored %+v, read %+v", orig, got)
	}
}

// Paging newest first with a small limit while new events keep arriving (at "now", inside the
// range): no event is repeated, every event that existed when paging started is seen, and the
// order is strictly newest first across pages. StreamEvents yields the same events as paging.
func testFindEventsPagingStableWhileAppending(t *testing.T, h Harness) {
	st := h.Open(t)
	ctx := context.Background()
	now := evBase.AddDate(0, 0, 20)
	var seed []desk.Event
	for i := 0; i < 100; i++ {
		// Groups of four on the same millisecond, spread over the 20 days before now.
		at := now.Add(-time.Duration(i/4+1) * 19 * time.Hour).Add(-time.Duration(i%4/2) * time.Millisecond)
		seed = append(seed, desk.Event{At: at, ActorEmail: evActors[i%3], Operation: evOperations[i%5].op, ResourceType: evOperations[i%5].resource})
	}
	// Appended out of time order on purpose: ids do not follow at.
	slices.Reverse(seed[40:70])
	seed = evAppend(t, st, seed...)
	f := desk.ActivityFilter{From: evBase, To: now.Add(time.Hour), Limit: 7}

	existing := map[int64]bool{}
	for _, e := range seed {
		existing[e.ID] = true
	}
	seen := map[int64]int{}
	var order []desk.Event
	appended := 0
	for pages := 0; ; pages++ {
		p, err := st.FindEvents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Items {
			seen[e.ID]++
			order = append(order, e)
		}
		if p.Next == "" {
			break
		}
		if pages > 100 {
			t.Fatal("paging does not end")
		}
		// New events arrive between pages, at now (the newest moment of the range).
		evAppend(t, st,
			desk.Event{At: now, ActorEmail: "new@partner.example", Operation: desk.OpSignIn, ResourceType: "session"},
			desk.Event{At: now.Add(time.Duration(pages) * time.Millisecond), ActorEmail: "new@partner.example", Operation: desk.OpGetSoftwareKey, ResourceType: "software"})
		appended += 2
		f.After = p.Next
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("event %d seen %d times", id, n)
		}
	}
	for id := range existing {
		if seen[id] == 0 {
			t.Errorf("event %d, there when paging started, was skipped", id)
		}
	}
	for i := 1; i < len(order); i++ {
		a, b := order[i-1], order[i]
		if !(a.At.After(b.At) || (a.At.Equal(b.At) && a.ID > b.ID)) {
			t.Fatalf("position %d: event %d (%v) after event %d (%v): not newest first", i, b.ID, b.At, a.ID, a.At)
		}
	}
	if appended == 0 {
		t.Fatal("no events were appended while paging")
	}

	// Without concurrent writers, paging and streaming agree on the whole range, in the same order.
	f.After = ""
	paged, pages := evFindAll(t, st, f)
	if want := (len(seed) + appended + f.Limit - 1) / f.Limit; pages != want {
		t.Errorf("%d pages of %d for %d events, want %d", pages, f.Limit, len(seed)+appended, want)
	}
	var streamed []desk.Event
	if err := st.StreamEvents(ctx, f, func(e desk.Event) error { streamed = append(streamed, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(streamed) != len(seed)+appended || !slices.Equal(evIDs(streamed), evIDs(paged)) {
		t.Fatalf("streamed %d events, paged %d, the log has %d", len(streamed), len(paged), len(seed)+appended)
	}
	// StreamEvents honours the filters like FindEvents does.
	fo := f
	fo.Operation, fo.Limit = desk.OpGetSoftwareKey, 500
	p, err := st.FindEvents(ctx, fo)
	if err != nil {
		t.Fatal(err)
	}
	streamed = nil
	if err := st.StreamEvents(ctx, fo, func(e desk.Event) error { streamed = append(streamed, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(p.Items) == 0 || !slices.Equal(evIDs(streamed), evIDs(p.Items)) {
		t.Fatalf("filtered: streamed %v, found %v", evIDs(streamed), evIDs(p.Items))
	}
	// An error from the callback stops the stream and comes back.
	stop := fmt.Errorf("stop")
	n := 0
	if err := st.StreamEvents(ctx, f, func(desk.Event) error { n++; return stop }); err != stop || n != 1 {
		t.Fatalf("callback error: %v after %d events", err, n)
	}
}

// evGroupBy counts events per UTC day and operation from the events themselves.
func evGroupBy(t testing.TB, st *sqlstore.Store, f desk.ActivityFilter) map[string]int {
	t.Helper()
	out := map[string]int{}
	err := st.StreamEvents(context.Background(), f, func(e desk.Event) error {
		out[e.At.UTC().Format("2006-01-02")+" "+e.Operation]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func evCounts(t testing.TB, st *sqlstore.Store, f desk.ActivityFilter) map[string]int {
	t.Helper()
	cs, err := st.EventDayCounts(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, c := range cs {
		if c.Day.Hour() != 0 || c.Day.Minute() != 0 || c.Day.Location() != time.UTC {
			t.Errorf("day %v is not a UTC midnight", c.Day)
		}
		k := c.Day.Format("2006-01-02") + " " + c.Operation
		if _, dup := out[k]; dup {
			t.Errorf("%s counted twice", k)
		}
		out[k] = c.N
	}
	return out
}

func evSameCounts(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	total := 0
	for k, n := range want {
		total += n
		if got[k] != n {
			t.Errorf("%s: %s = %d, want %d", what, k, got[k], n)
		}
	}
	for k, n := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: %s = %d, want none", what, k, n)
		}
	}
	if total == 0 {
		t.Errorf("%s: no events counted (vacuous)", what)
	}
}

// The chart's per-day counts: from the counts table for a bare day-aligned range, from the
// events for a filtered or unaligned one; both equal a GROUP BY over the events.
func testEventDayCounts(t *testing.T, h Harness) {
	st := h.Open(t)
	evSeed(t, st)
	// Events on the first and last millisecond of a day.
	d5 := evBase.AddDate(0, 0, 5)
	evAppend(t, st,
		desk.Event{At: d5, Operation: desk.OpSignIn, ResourceType: "session"},
		desk.Event{At: d5.Add(24*time.Hour - time.Millisecond), Operation: desk.OpSignIn, ResourceType: "session"},
	)
	aligned := desk.ActivityFilter{From: evBase.AddDate(0, 0, 1), To: evBase.AddDate(0, 0, 8).Add(-time.Millisecond)}
	evSameCounts(t, "day-aligned range (counts table)", evCounts(t, st, aligned), evGroupBy(t, st, aligned))
	// The counts table and the events agree on every day of the log.
	whole := desk.ActivityFilter{From: evBase.AddDate(0, 0, -3), To: evBase.AddDate(0, 0, 30).Add(-time.Millisecond)}
	evSameCounts(t, "whole log", evCounts(t, st, whole), evGroupBy(t, st, whole))

	for name, f := range map[string]desk.ActivityFilter{
		"unaligned range": {From: evBase.AddDate(0, 0, 1).Add(13 * time.Hour), To: evBase.AddDate(0, 0, 6).Add(7 * time.Hour)},
		"operation":       {From: aligned.From, To: aligned.To, Operation: desk.OpGetSoftwareKey},
		"customer":        {From: aligned.From, To: aligned.To, CustomerIDs: []string{"c-3"}},
		"actor":           {From: aligned.From, To: aligned.To, Actor: "globaladmin@partner.example"},
		"resource type":   {From: aligned.From, To: aligned.To, ResourceType: "order"},
	} {
		evSameCounts(t, name, evCounts(t, st, f), evGroupBy(t, st, f))
	}
	// The counts follow new events at once.
	before := evCounts(t, st, aligned)
	evAppend(t, st, desk.Event{At: d5.Add(time.Hour), Operation: desk.OpSignIn, ResourceType: "session"})
	after := evCounts(t, st, aligned)
	k := d5.Format("2006-01-02") + " " + desk.OpSignIn
	if after[k] != before[k]+1 {
		t.Errorf("%s: %d after one more event, was %d", k, after[k], before[k])
	}
}

// evTamper opens a fresh store with the same seed (the same events, IDs and hashes as evSeed
// gives st) and lets edit change it with the append-only triggers out of the way.
func evTamper(t *testing.T, h Harness, edit ...any) *sqlstore.Store {
	t.Helper()
	cp := h.Open(t)
	evSeed(t, cp)
	for _, q := range h.AllowTamper {
		if err := exec(cp, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for i := 0; i < len(edit); i++ {
		q := edit[i].(string)
		var args []any
		for i+1 < len(edit) {
			if _, isSQL := edit[i+1].(string); isSQL {
				break
			}
			args = append(args, edit[i+1])
			i++
		}
		if err := exec(cp, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return cp
}

// The hash chain: intact → 0; a row changed in a copy of the database → that row's ID; the live
// table refuses updates and deletes.
func testVerifyEvents(t *testing.T, h Harness) {
	st := h.Open(t)
	ctx := context.Background()
	if broken, n, err := st.VerifyEvents(ctx); err != nil || broken != 0 || n != 0 {
		t.Fatalf("empty log: broken %d, %d checked, %v", broken, n, err)
	}
	all := evSeed(t, st)
	total := int64(len(all))
	if broken, n, err := st.VerifyEvents(ctx); err != nil || broken != 0 || n != total {
		t.Fatalf("intact log: broken %d, %d of %d checked, %v", broken, n, total, err)
	}

	// The live log is append-only.
	for _, q := range []any{`UPDATE events SET detail = 'x' WHERE id = 3`, `UPDATE events SET hash = prev_hash`, `DELETE FROM events WHERE id = 3`, `DELETE FROM events`} {
		if err := exec(st, q.(string)); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the append-only refusal", q, err)
		}
	}
	if broken, n, err := st.VerifyEvents(ctx); err != nil || broken != 0 || n != total {
		t.Fatalf("after refused changes: broken %d, %d checked, %v", broken, n, err)
	}

	for _, tt := range []struct {
		name   string
		edit   []any
		broken int64
	}{
		{"detail", []any{`UPDATE events SET detail = 'nothing to see' WHERE id = 13`}, 13},
		{"actor_email", []any{`UPDATE events SET actor_email = 'someone@else.example' WHERE id = 21`}, 21},
		{"at", []any{`UPDATE events SET at = at + 1 WHERE id = 30`}, 30},
		{"first event", []any{`UPDATE events SET ip = '192.0.2.1' WHERE id = 1`}, 1},
		{"last event", []any{fmt.Sprintf(`UPDATE events SET operation = 'sign_out' WHERE id = %d`, total)}, total},
		{"two rows: the first is reported", []any{`UPDATE events SET detail = 'a' WHERE id = 40`, `UPDATE events SET detail = 'b' WHERE id = 9`}, 9},
		{"hash overwritten", []any{`UPDATE events SET hash = prev_hash WHERE id = 17`}, 17},
		// A deletion leaves the next event pointing at a missing hash.
		{"deleted row", []any{`DELETE FROM events WHERE id = 25`}, 26},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cp := evTamper(t, h, tt.edit...)
			broken, n, err := cp.VerifyEvents(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if broken != tt.broken {
				t.Fatalf("VerifyEvents reports event %d, want %d", broken, tt.broken)
			}
			if n <= 0 || n > total {
				t.Errorf("%d events checked", n)
			}
		})
	}

	// An attacker who recomputes the changed row's hash still breaks its successor's link.
	orig := all[11] // id 12
	orig.Detail = "rewritten"
	hash := desk.EventHash(orig.PrevHash, orig)
	cp := evTamper(t, h, `UPDATE events SET detail = 'rewritten', hash = ? WHERE id = ?`, hash, orig.ID)
	if broken, _, err := cp.VerifyEvents(ctx); err != nil || broken != orig.ID+1 {
		t.Fatalf("rehashed event %d: VerifyEvents reports %d (%v), want %d", orig.ID, broken, err, orig.ID+1)
	}
	// The original is untouched by all this.
	if broken, _, err := st.VerifyEvents(ctx); err != nil || broken != 0 {
		t.Fatalf("original after the copies: broken %d, %v", broken, err)
	}
}

// A customer search in the activity log filters by every matching customer: one that matches
// more customers than a customer list page (200) must not silently drop the others' events.
func testActivityCustomerSearchCoversEveryMatch(t *testing.T, h Harness) {
	st := h.Open(t)
	ctx := context.Background()
	const n = 250
	var evs []desk.Event
	err := st.InTx(ctx, func(tx *sqlstore.Store) error {
		for i := 0; i < n; i++ {
			c := desk.Customer{ID: fmt.Sprintf("acme-%04d", i), CompanyName: fmt.Sprintf("Acme Widgets %03d", i), Domain: fmt.Sprintf("acme%03d.onmicrosoft.com", i),
				Country: "HU", Currency: "HUF", CreatedAt: evBase}
			if err := tx.CreateCustomer(ctx, c); err != nil {
				return err
			}
			evs = append(evs, desk.Event{At: evBase.Add(time.Duration(i) * time.Minute), CustomerID: c.ID, CustomerName: c.CompanyName,
				Operation: desk.OpGetSoftwareKey, ResourceType: "software"})
		}
		return tx.CreateCustomer(ctx, desk.Customer{ID: "other", CompanyName: "Other Co", Domain: "other.onmicrosoft.com", Country: "HU", Currency: "HUF", CreatedAt: evBase})
	})
	if err != nil {
		t.Fatal(err)
	}
	evAppend(t, st, append(evs, desk.Event{At: evBase, CustomerID: "other", CustomerName: "Other Co", Operation: desk.OpGetSoftwareKey})...)
	f := desk.ActivityFilter{From: evBase, To: evBase.AddDate(0, 0, 1), CustomerQuery: "Acme Widgets", Limit: 50}
	got, _ := evFindAll(t, st, f)
	streamed := 0
	if err := st.StreamEvents(ctx, f, func(desk.Event) error { streamed++; return nil }); err != nil {
		t.Fatal(err)
	}
	counted := 0
	cs, err := st.EventDayCounts(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		counted += c.N
	}
	if len(got) != n || streamed != n || counted != n {
		t.Fatalf("the search matches %d customers with one event each: paged %d, streamed %d, counted %d", n, len(got), streamed, counted)
	}
}

// BenchmarkActivity1M times the activity log on 1,000,000 events over a year (the scale of
// `partnerdesk demo --scale large`): a 30-day page, filtered pages and the CSV export's stream.
//
//	go test -run '^$' -bench BenchmarkActivity1M -benchtime 20x ./internal/sqlite/
func BenchmarkActivity1M(b *testing.B, h Harness) {
	const events, customers = 1_000_000, 20_000
	st := h.Open(b)
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	span := 365 * 24 * time.Hour
	start := now.Add(-span)
	seedStart := time.Now()
	custIDs := make([]string, customers)
	for i := range custIDs {
		custIDs[i] = fmt.Sprintf("%08x-0000-4000-8000-%012d", uint32(i)*2654435761, i)
	}
	ops := []struct{ op, resource string }{
		{desk.OpGetSoftwareKey, "software"}, {desk.OpGetSoftwareKey, "software"}, {desk.OpGetSoftwareKey, "software"},
		{desk.OpGetDownloadLink, "software"}, {desk.OpGetDownloadLink, "software"}, {desk.OpDownload, "software"},
		{desk.OpCreateOrder, "order"}, {desk.OpUpdateOrder, "order"}, {desk.OpSignIn, "session"}, {desk.OpPermissionDenied, "route"},
	}
	cols := []string{"id", "at", "actor_id", "actor_email", "actor_tenant_id", "actor_roles", "customer_id", "customer_name", "operation",
		"resource_type", "status", "product", "order_id", "detail", "ip", "prev_hash", "hash"}
	err := st.Bulk(ctx, func(bk sqlstore.Bulk) error {
		prev := []byte{}
		step := span / events
		for i := 0; i < events; i++ {
			o := ops[(i*7)%len(ops)]
			actor := evActors[i%len(evActors)]
			e := desk.Event{ID: int64(i + 1), At: start.Add(time.Duration(i) * step).Truncate(time.Millisecond), ActorID: "u:" + actor, ActorEmail: actor,
				ActorTenantID: "partner-tenant", ActorRoles: desk.RolesOf(desk.RoleAdminAgent), Operation: o.op, ResourceType: o.resource, Status: "succeeded",
				IP: fmt.Sprintf("10.%d.%d.%d", i%256, (i/256)%256, 1+i%254)}
			if o.resource == "software" || o.resource == "order" {
				c := (i * 7919) % customers
				e.CustomerID, e.CustomerName = custIDs[c], fmt.Sprintf("Customer %05d Ltd.", c)
				e.Product, e.OrderID = "SQL Server 2022 Standard - 2 Core License Pack - 3 year", fmt.Sprintf("order-%07d", i/3)
			}
			e.PrevHash = prev
			e.Hash = desk.EventHash(prev, e)
			if err := bk.Insert("events", cols, e.ID, msOf(e.At), e.ActorID, e.ActorEmail, e.ActorTenantID, int64(e.ActorRoles), e.CustomerID, e.CustomerName,
				e.Operation, e.ResourceType, e.Status, e.Product, e.OrderID, e.Detail, e.IP, e.PrevHash, e.Hash); err != nil {
				return err
			}
			prev = e.Hash
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d events in %s", events, time.Since(seedStart).Round(time.Millisecond))
	// The busiest customer of the last 30 days is as good as any: pick one that has events there.
	last30 := desk.ActivityFilter{From: now.Add(-30 * 24 * time.Hour), To: now, Limit: 50}
	first, err := st.FindEvents(ctx, desk.ActivityFilter{From: last30.From, To: last30.To, Operation: desk.OpGetSoftwareKey, Limit: 1})
	if err != nil || len(first.Items) == 0 {
		b.Fatalf("no key reveal in the last 30 days: %v", err)
	}
	customer := first.Items[0].CustomerID
	b.ResetTimer()

	page := func(name string, f desk.ActivityFilter) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			rows := 0
			for i := 0; i < b.N; i++ {
				p, err := st.FindEvents(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Items) == 0 {
					b.Fatal("empty page")
				}
				rows += len(p.Items)
			}
			b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
		})
	}
	page("page-30d", last30)
	withCustomer := last30
	withCustomer.CustomerIDs = []string{customer}
	page("page-30d-customer", withCustomer)
	withAction := last30
	withAction.Operation = desk.OpGetSoftwareKey
	page("page-30d-action", withAction)

	export := func(name string, f desk.ActivityFilter, want int) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var peak uint64
			var mem runtime.MemStats
			rows := 0
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&mem)
				base := mem.HeapInuse
				b.StartTimer()
				n := 0
				err := st.StreamEvents(ctx, f, func(desk.Event) error {
					if n++; n%20000 == 0 {
						runtime.ReadMemStats(&mem)
						if mem.HeapInuse > base && mem.HeapInuse-base > peak {
							peak = mem.HeapInuse - base
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				if want > 0 && n != want {
					b.Fatalf("exported %d rows, want %d", n, want)
				}
				rows += n
			}
			b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
			b.ReportMetric(float64(peak)/(1<<20), "heapMB")
		})
	}
	export("export-30d", desk.ActivityFilter{From: last30.From, To: last30.To}, 0)
	export("export-all", desk.ActivityFilter{From: start, To: now}, events)
}
