package storetest

import (
	"context"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/sqlstore"
)

// evBase is the start of the activity tests' timeline (a UTC midnight).
var evBase = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// evAppend appends events in one transaction (unlinked: SealEvents links them).
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
	if _, err := cp.SealEvents(context.Background(), 1<<30, true); err != nil {
		t.Fatal(err)
	}
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

// evVerify links what is waiting and checks the chain as audit verify does, keyed from position
// keyedFrom (1 when not given), against checkpoints.
func evVerify(t testing.TB, st *sqlstore.Store, keyedFrom int64, cps ...desk.Checkpoint) desk.AuditReport {
	t.Helper()
	ctx := context.Background()
	if _, err := st.SealEvents(ctx, 1<<30, true); err != nil {
		t.Fatal(err)
	}
	if keyedFrom == 0 {
		keyedFrom = 1
	}
	c := desk.NewChainCheck(TestAuditKey, keyedFrom, cps)
	if err := st.WalkChain(ctx, func(e desk.Event) error { c.Add(e); return nil }); err != nil {
		t.Fatal(err)
	}
	pending, stale, err := st.UnlinkedEvents(ctx, time.Now().Add(-desk.AuditGrace))
	if err != nil {
		t.Fatal(err)
	}
	return c.Finish(pending, stale)
}

// evFirstFault is the position of a report's first fault (0 when intact).
func evFirstFault(r desk.AuditReport) int64 {
	if len(r.Faults) == 0 {
		return 0
	}
	first := r.Faults[0].Position
	for _, f := range r.Faults {
		if f.Position != 0 && (first == 0 || f.Position < first) {
			first = f.Position
		}
	}
	return first
}

// evHead is a checkpoint of the chain's head as it is now.
func evHead(t testing.TB, st *sqlstore.Store) desk.Checkpoint {
	t.Helper()
	last, h, err := st.ChainHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return desk.SignCheckpoint(TestAuditKey, last, h, time.Now())
}

// The keyed chain: intact; a row changed, removed, moved, forged or rechained in a copy of the
// database is found at its position; a log cut short or rewritten shows against a checkpoint;
// the live table refuses updates and deletes.
func testVerifyEvents(t *testing.T, h Harness) {
	st := h.Open(t)
	ctx := context.Background()
	if r := evVerify(t, st, 1); !r.Intact() || r.Events != 0 {
		t.Fatalf("empty log: %+v", r)
	}
	all := evSeed(t, st)
	total := int64(len(all))
	if r := evVerify(t, st, 1); !r.Intact() || r.Events != total || r.Pending != 0 {
		t.Fatalf("intact log: %+v, want %d events", r, total)
	}

	// The live log is append-only: no change, not even to a linked row's link.
	for _, q := range []string{`UPDATE events SET detail = 'x' WHERE id = 3`, `UPDATE events SET hash = prev_hash`, `UPDATE events SET seq = seq + 1000 WHERE id = 3`,
		`DELETE FROM events WHERE id = 3`, `DELETE FROM events`} {
		if err := exec(st, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the append-only refusal", q, err)
		}
	}
	if r := evVerify(t, st, 1); !r.Intact() || r.Events != total {
		t.Fatalf("after refused changes: %+v", r)
	}

	// What someone who can write the database but has not the key can do, each in a copy.
	// (The seed links every event in one seal, in ID order: positions are the IDs.)
	unkeyed := all[11] // position 12, rehashed with the old unkeyed link
	unkeyed.Detail = "rewritten"
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
		{"mac overwritten", []any{`UPDATE events SET mac = hash WHERE id = 19`}, 19},
		{"deleted row", []any{`DELETE FROM events WHERE id = 25`}, 25},
		{"two positions swapped", []any{`UPDATE events SET seq = -1 WHERE id = 7`, `UPDATE events SET seq = 7 WHERE id = 8`, `UPDATE events SET seq = 8 WHERE id = -1 OR seq = -1`}, 7},
		{"rehashed without the key", []any{`UPDATE events SET detail = 'rewritten', hash = ? WHERE id = ?`, desk.LegacyEventHash(unkeyed.PrevHash, unkeyed), unkeyed.ID}, 12},
		{"the first events removed", []any{`DELETE FROM events WHERE id <= 3`}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cp := evTamper(t, h, tt.edit...)
			r := evVerify(t, cp, 1)
			if got := evFirstFault(r); got != tt.broken || r.Intact() {
				t.Fatalf("first fault at %d, want %d: %v", got, tt.broken, r.Faults)
			}
		})
	}

	// A row put into the table directly, as PartnerDesk would write it but without the key: the
	// sealer links it (the chain stays whole) and names it, and verify reports it.
	cp := evTamper(t, h)
	if _, err := cp.SealEvents(ctx, 100, true); err != nil {
		t.Fatal(err)
	}
	forged := desk.Event{ID: total + 1, At: evBase, Operation: desk.OpDownload, ResourceType: "software", Status: "succeeded", ActorEmail: "x@partner.example"}
	if err := exec(cp, `INSERT INTO events (id, at, actor_email, operation, resource_type, status, mac, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		forged.ID, msOf(forged.At), forged.ActorEmail, forged.Operation, forged.ResourceType, forged.Status, desk.EventMAC([]byte("not the key"), forged), []byte{}, []byte{}); err != nil {
		t.Fatal(err)
	}
	res, err := cp.SealEvents(ctx, 100, true)
	if err != nil || res.Sealed != 1 || len(res.Forged) != 1 || res.Forged[0] != forged.ID {
		t.Fatalf("sealing a forged row: %+v, %v", res, err)
	}
	if r := evVerify(t, cp, 1); evFirstFault(r) != total+1 {
		t.Fatalf("a forged row: %v", r.Faults)
	}

	// Cut short: the newest events removed and the head set back. The chain alone looks whole;
	// the checkpoint taken before shows it.
	cp = evTamper(t, h)
	before := evVerify(t, cp, 1)
	head := evHead(t, cp)
	var h10 []byte
	if err := cp.Engine().Reader().QueryRowContext(ctx, `SELECT hash FROM events WHERE seq = ?`, total-10).Scan(&h10); err != nil {
		t.Fatal(err)
	}
	if err := exec(cp, `DELETE FROM events WHERE seq > ?`, total-10); err != nil {
		t.Fatal(err)
	}
	if err := exec(cp, `UPDATE event_chain SET last_seq = ?, last_hash = ?`, total-10, h10); err != nil {
		t.Fatal(err)
	}
	if r := evVerify(t, cp, 1); !before.Intact() || !r.Intact() || r.Events != total-10 {
		t.Fatalf("the cut log alone: %+v", r)
	}
	if r := evVerify(t, cp, 1, head); r.Intact() || evFirstFault(r) != total || !strings.Contains(r.Faults[0].Problem, "removed from its end") {
		t.Fatalf("the cut log against the checkpoint: %v", r.Faults)
	}

	// Rewritten and linked again by someone who has the key (but not the checkpoints): the chain
	// verifies, the checkpoint does not match.
	cp = evTamper(t, h)
	evVerify(t, cp, 1)
	head = evHead(t, cp)
	if err := exec(cp, `DELETE FROM events WHERE seq >= 30`); err != nil {
		t.Fatal(err)
	}
	var last []byte
	if err := cp.Engine().Reader().QueryRowContext(ctx, `SELECT hash FROM events WHERE seq = 29`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if err := exec(cp, `UPDATE event_chain SET last_seq = 29, last_hash = ?`, last); err != nil {
		t.Fatal(err)
	}
	for i := int64(30); i <= total; i++ {
		evAppend(t, cp, desk.Event{At: evBase, Operation: desk.OpSignIn, ResourceType: "session", ActorEmail: "rewritten@partner.example"})
	}
	if r := evVerify(t, cp, 1); !r.Intact() || r.Events != total {
		t.Fatalf("the rechained log alone: %+v", r)
	}
	if r := evVerify(t, cp, 1, head); r.Intact() || evFirstFault(r) != total {
		t.Fatalf("the rechained log against the checkpoint: %v", r.Faults)
	}
	// A checkpoint that is not signed with the key is reported, not trusted.
	bad := head
	bad.Position--
	if r := evVerify(t, st, 1, bad); r.Intact() || !strings.Contains(r.Faults[0].Problem, "not signed") {
		t.Fatalf("a forged checkpoint: %v", r.Faults)
	}
	// The original is untouched by all this, and matches its own checkpoint.
	if r := evVerify(t, st, 1, evHead(t, st)); !r.Intact() || r.Checkpoints != 1 {
		t.Fatalf("original after the copies: %+v", r)
	}
}

// The chain of a database written before the chain was keyed: its unkeyed links keep verifying
// up to the position the keyed chain starts from; new events are keyed after them; the
// migration keeps the daily counts and the IDs go on after the old ones.
func testUpgradeKeepsTheUnkeyedChain(t *testing.T, h Harness) {
	if h.OpenEmpty == nil {
		t.Skip("the engine has no unmigrated store")
	}
	st := h.OpenEmpty(t)
	st.SetAuditKey(TestAuditKey)
	ctx := context.Background()
	older := fstest.MapFS{}
	names, err := fs.Glob(h.Migrations, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n < "0013" {
			b, _ := fs.ReadFile(h.Migrations, n)
			older[n] = &fstest.MapFile{Data: b}
		}
	}
	if err := st.Migrate(ctx, older); err != nil {
		t.Fatal(err)
	}
	// Events as the older version wrote them: the one-row head, contiguous IDs, unkeyed links.
	const n = 30
	var prev []byte = []byte{}
	for i := int64(1); i <= n; i++ {
		e := desk.Event{ID: i, At: evBase.Add(time.Duration(i) * time.Hour), ActorEmail: "old@partner.example", Operation: desk.OpGetSoftwareKey,
			ResourceType: "software", Status: "succeeded", PrevHash: prev}
		e.Hash = desk.LegacyEventHash(prev, e)
		if err := exec(st, `INSERT INTO events (id, at, actor_email, operation, resource_type, status, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, msOf(e.At), e.ActorEmail, e.Operation, e.ResourceType, e.Status, e.PrevHash, e.Hash); err != nil {
			t.Fatal(err)
		}
		if err := exec(st, `UPDATE event_chain SET last_id = ?, last_hash = ? WHERE id = 1`, e.ID, e.Hash); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
	}
	if err := st.Migrate(ctx, h.Migrations); err != nil {
		t.Fatal(err)
	}
	last, _, err := st.ChainHead(ctx)
	if err != nil || last != n {
		t.Fatalf("the head after the upgrade: %d, %v", last, err)
	}
	evAppend(t, st, desk.Event{At: evBase.Add(100 * time.Hour), Operation: desk.OpSignIn, ResourceType: "session"},
		desk.Event{At: evBase.Add(101 * time.Hour), Operation: desk.OpSignOut, ResourceType: "session"})
	r := evVerify(t, st, n+1)
	if !r.Intact() || r.Events != n+2 {
		t.Fatalf("upgraded log: %+v", r)
	}
	newest, err := st.RecentEvents(ctx, "", 1)
	if err != nil || newest[0].ID != n+2 || newest[0].Seq != n+2 {
		t.Fatalf("the newest event after the upgrade: %+v, %v", newest, err)
	}
	// Not keyed from the start: the unkeyed links fail as keyed ones.
	if r := evVerify(t, st, 1); r.Intact() || evFirstFault(r) != 1 {
		t.Fatalf("checked as keyed from 1: %v", r.Faults)
	}
	// An unkeyed event changed and rehashed without the key breaks its successor's link.
	if err := execAll(st, h.AllowTamper); err != nil {
		t.Fatal(err)
	}
	e := desk.Event{ID: 5, At: evBase.Add(5 * time.Hour), ActorEmail: "old@partner.example", Operation: desk.OpGetSoftwareKey, ResourceType: "software", Status: "succeeded"}
	if err := st.Engine().Reader().QueryRowContext(ctx, `SELECT prev_hash FROM events WHERE id = 5`).Scan(&e.PrevHash); err != nil {
		t.Fatal(err)
	}
	e.Detail = "rewritten"
	if err := exec(st, `UPDATE events SET detail = ?, hash = ? WHERE id = 5`, e.Detail, desk.LegacyEventHash(e.PrevHash, e)); err != nil {
		t.Fatal(err)
	}
	if r := evVerify(t, st, n+1); evFirstFault(r) != 6 {
		t.Fatalf("a rehashed unkeyed event: %v", r.Faults)
	}
	counts := evCounts(t, st, desk.ActivityFilter{From: evBase, To: evBase.AddDate(0, 0, 10).Add(-time.Millisecond)})
	total := 0
	for _, c := range counts {
		total += c
	}
	if total != n+2 {
		t.Fatalf("daily counts after the upgrade: %d events, want %d: %v", total, n+2, counts)
	}
}

func execAll(st *sqlstore.Store, qs []string) error {
	for _, q := range qs {
		if err := exec(st, q); err != nil {
			return err
		}
	}
	return nil
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
	err := st.Bulk(ctx, func(bk sqlstore.Bulk) error {
		step := span / events
		return st.BulkEvents(bk, events, func(i int) desk.Event {
			o := ops[(i*7)%len(ops)]
			actor := evActors[i%len(evActors)]
			e := desk.Event{At: start.Add(time.Duration(i) * step).Truncate(time.Millisecond), ActorID: "u:" + actor, ActorEmail: actor,
				ActorTenantID: "partner-tenant", ActorRoles: desk.RolesOf(desk.RoleAdminAgent), Operation: o.op, ResourceType: o.resource, Status: "succeeded",
				IP: fmt.Sprintf("10.%d.%d.%d", i%256, (i/256)%256, 1+i%254)}
			if o.resource == "software" || o.resource == "order" {
				c := (i * 7919) % customers
				e.CustomerID, e.CustomerName = custIDs[c], fmt.Sprintf("Customer %05d Ltd.", c)
				e.Product, e.OrderID = "SQL Server 2022 Standard - 2 Core License Pack - 3 year", fmt.Sprintf("order-%07d", i/3)
			}
			return e
		})
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
