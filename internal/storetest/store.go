package storetest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/sqlstore"
)

// SeedCustomers adds n customers with duplicate names (the keyset must break ties by ID).
func SeedCustomers(t testing.TB, st *sqlstore.Store, n int) []desk.Customer {
	t.Helper()
	ctx := context.Background()
	var out []desk.Customer
	err := st.InTx(ctx, func(tx *sqlstore.Store) error {
		for i := 0; i < n; i++ {
			// Duplicate names on purpose: the keyset must break ties by ID.
			c := desk.Customer{ID: fmt.Sprintf("%08x-0000-4000-8000-%012d", i*7919%n, i), CompanyName: fmt.Sprintf("Company %03d", i%(n/2+1)),
				Domain: fmt.Sprintf("co%04d.onmicrosoft.com", (i*31)%n), Country: "HU", Currency: "HUF", CreatedAt: time.Unix(0, 0)}
			if err := tx.CreateCustomer(ctx, c); err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func testMigrateTwice(t *testing.T, h Harness) {
	st := h.Open(t)
	if err := h.Migrate(context.Background(), st); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
}

// Keyset pagination visits every customer exactly once, forwards and backwards, in every order.
func testFindCustomersKeyset(t *testing.T, h Harness) {
	st := h.Open(t)
	all := SeedCustomers(t, st, 237)
	ctx := context.Background()
	for _, tt := range []struct {
		sort desk.CustomerSort
		desc bool
	}{{desk.SortName, false}, {desk.SortName, true}, {desk.SortDomain, false}, {desk.SortDomain, true}} {
		t.Run(fmt.Sprintf("%s desc=%v", tt.sort, tt.desc), func(t *testing.T) {
			want := append([]desk.Customer{}, all...)
			key := func(c desk.Customer) string {
				if tt.sort == desk.SortDomain {
					return c.Domain + "\x00" + c.ID
				}
				return strings.ToLower(c.CompanyName) + "\x00" + c.ID
			}
			sort.Slice(want, func(i, j int) bool { return (key(want[i]) < key(want[j])) != tt.desc })
			var got []string
			var pages []desk.CustomerPage
			f := desk.CustomerFilter{Sort: tt.sort, Desc: tt.desc, Limit: 20}
			for {
				p, err := st.FindCustomers(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if p.Total != len(all) {
					t.Fatalf("total %d", p.Total)
				}
				for _, c := range p.Items {
					got = append(got, c.ID)
				}
				pages = append(pages, p)
				if p.Next == "" {
					break
				}
				f.After, f.Before = p.Next, ""
			}
			if len(got) != len(want) {
				t.Fatalf("visited %d of %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i].ID {
					t.Fatalf("position %d: %s, want %s", i, got[i], want[i].ID)
				}
			}
			if pages[0].Prev != "" {
				t.Fatal("first page has a previous page")
			}
			// Walk back from the last page with Prev: the same pages in reverse.
			f = desk.CustomerFilter{Sort: tt.sort, Desc: tt.desc, Limit: 20, Before: pages[len(pages)-1].Prev}
			for i := len(pages) - 2; i >= 0; i-- {
				p, err := st.FindCustomers(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Items) != len(pages[i].Items) || p.Items[0].ID != pages[i].Items[0].ID {
					t.Fatalf("back to page %d: got %d items starting %s", i, len(p.Items), p.Items[0].ID)
				}
				if (i == 0) != (p.Prev == "") {
					t.Fatalf("page %d: prev %q", i, p.Prev)
				}
				f.Before = p.Prev
			}
		})
	}
}

func testFindCustomersSearch(t *testing.T, h Harness) {
	st := h.Open(t)
	ctx := context.Background()
	for _, c := range []desk.Customer{
		{ID: "11111111-aaaa-4000-8000-000000000001", CompanyName: "Contoso Ltd.", Domain: "contoso.onmicrosoft.com"},
		{ID: "22222222-bbbb-4000-8000-000000000002", CompanyName: "Fabrikam, Inc.", Domain: "fabrikam.onmicrosoft.com"},
		{ID: "33333333-cccc-4000-8000-000000000003", CompanyName: "Árvíztűrő Kft.", Domain: "arviz.onmicrosoft.com"},
		{ID: "44444444-dddd-4000-8000-000000000004", CompanyName: "100% Pure_Data", Domain: "puredata.onmicrosoft.com"},
	} {
		c.Country, c.Currency = "HU", "HUF"
		if err := st.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"contoso", []string{"Contoso Ltd."}},
		{"CONTOSO", []string{"Contoso Ltd."}},
		{"toso", []string{"Contoso Ltd."}},                   // substring, not only prefix
		{"fabrikam.onmicrosoft", []string{"Fabrikam, Inc."}}, // domain
		{"bbbb-4000", []string{"Fabrikam, Inc."}},            // tenant ID
		{"tűrő", []string{"Árvíztűrő Kft."}},                 // accents
		{"co", []string{"Contoso Ltd."}},                     // short query
		{"%", nil},                                           // LIKE wildcards are literal
		{"_", nil},
		{"0% p", []string{"100% Pure_Data"}},
		{"10", []string{"100% Pure_Data"}},
		{`"x" OR 1`, nil}, // FTS syntax is quoted, not run
		{"nothing-here", nil},
	} {
		p, err := st.FindCustomers(ctx, desk.CustomerFilter{Query: tt.q})
		if err != nil {
			t.Fatalf("%q: %v", tt.q, err)
		}
		var got []string
		for _, c := range p.Items {
			got = append(got, c.CompanyName)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) || p.Total != len(tt.want) {
			t.Errorf("search %q = %v (total %d), want %v", tt.q, got, p.Total, tt.want)
		}
	}
}

// A search with a count cap counts its matches up to the cap ("100+"), and its keyset pages
// still visit every match once in order; fewer matches than the cap are counted exactly.
func testFindCustomersSearchCapped(t *testing.T, h Harness) {
	st := h.Open(t)
	all := SeedCustomers(t, st, 237) // every name holds "Company"
	ctx := context.Background()
	want := append([]desk.Customer{}, all...)
	sort.Slice(want, func(i, j int) bool {
		return strings.ToLower(want[i].CompanyName)+"\x00"+want[i].ID < strings.ToLower(want[j].CompanyName)+"\x00"+want[j].ID
	})
	f := desk.CustomerFilter{Query: "company", Limit: 50, CountCap: 100}
	var got []string
	for {
		p, err := st.FindCustomers(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 100 || !p.TotalCapped {
			t.Fatalf("total %d capped %v, want 100+", p.Total, p.TotalCapped)
		}
		for _, c := range p.Items {
			got = append(got, c.ID)
		}
		if p.Next == "" {
			break
		}
		f.After = p.Next
	}
	if len(got) != len(want) {
		t.Fatalf("visited %d of %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i].ID {
			t.Fatalf("position %d: %s, want %s", i, got[i], want[i].ID)
		}
	}
	for _, q := range []string{"company 01", "co"} {
		exact, err := st.FindCustomers(ctx, desk.CustomerFilter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		capped, err := st.FindCustomers(ctx, desk.CustomerFilter{Query: q, CountCap: 500})
		if err != nil {
			t.Fatal(err)
		}
		if capped.Total != exact.Total || capped.TotalCapped || exact.TotalCapped {
			t.Errorf("%q: capped total %d (%v), exact %d", q, capped.Total, capped.TotalCapped, exact.Total)
		}
	}
}

func testCustomerDomainUnique(t *testing.T, h Harness) {
	st := h.Open(t)
	ctx := context.Background()
	c := desk.Customer{ID: "a", CompanyName: "A", Domain: "a1.onmicrosoft.com", Country: "HU", Currency: "HUF"}
	if err := st.CreateCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	c.ID = "b"
	err := st.CreateCustomer(ctx, c)
	if desk.ErrorCode(err) != desk.ECONFLICT {
		t.Fatalf("want ECONFLICT, got %v", err)
	}
	if _, err := st.FindCustomerByID(ctx, "nope"); desk.ErrorCode(err) != desk.ENOTFOUND {
		t.Fatalf("want ENOTFOUND, got %v", err)
	}
}

// The activity log is append-only: the database itself refuses updates and deletes, and allows
// the sealer's one update of an unlinked row (its position and link), once, with nothing else
// changed.
func testEventsAppendOnly(t *testing.T, h Harness) {
	st := h.Open(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := st.AppendEvent(ctx, &desk.Event{At: time.Now(), Operation: desk.OpSignIn, ActorEmail: "x@y.z"}); err != nil {
			t.Fatal(err)
		}
	}
	// Unlinked: the sealer's update may not change the fields with it.
	if err := exec(st, `UPDATE events SET seq = 1, prev_hash = hash, hash = mac, actor_email = 'evil' WHERE id = 1`); err == nil {
		t.Fatal("a seal that changes a field allowed")
	}
	res, err := st.SealEvents(ctx, 10, false)
	if err != nil || res.Sealed != 3 || len(res.Forged) != 0 {
		t.Fatalf("seal: %+v, %v", res, err)
	}
	for _, q := range []string{`UPDATE events SET actor_email = 'evil' WHERE id = 2`, `UPDATE events SET seq = 9, hash = mac WHERE id = 2`, `DELETE FROM events`} {
		if err := exec(st, q); err == nil {
			t.Fatalf("%s: allowed", q)
		}
	}
	evs, err := st.RecentEvents(ctx, "", 10)
	if err != nil || len(evs) != 3 {
		t.Fatalf("events %d, %v", len(evs), err)
	}
	// Positions 1, 2, 3 in ID order, each linked to its predecessor with the key.
	prev := []byte{}
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		if e.Seq != int64(3-i) || string(e.PrevHash) != string(prev) || string(desk.EventHash(TestAuditKey, e.PrevHash, e)) != string(e.Hash) ||
			string(desk.EventMAC(TestAuditKey, e)) != string(e.MAC) {
			t.Fatalf("event %d (position %d) is not linked", e.ID, e.Seq)
		}
		prev = e.Hash
	}
	// Nothing left to link; a store without the key writes no event.
	if res, err := st.SealEvents(ctx, 10, false); err != nil || res.Sealed != 0 {
		t.Fatalf("a second seal: %+v, %v", res, err)
	}
	st.SetAuditKey(nil)
	if err := st.AppendEvent(ctx, &desk.Event{At: time.Now(), Operation: desk.OpSignIn}); err == nil {
		t.Fatal("an event written without the audit key")
	}
	st.SetAuditKey(TestAuditKey)
}

func BenchmarkFindCustomersPage(b *testing.B, h Harness) {
	st := h.Open(b)
	SeedCustomers(b, st, 20000)
	ctx := context.Background()
	first, _ := st.FindCustomers(ctx, desk.CustomerFilter{Limit: 50})
	// The cursor of a page deep in the list: page 300 of 400.
	f := desk.CustomerFilter{Limit: 50}
	for i := 0; i < 300; i++ {
		p, _ := st.FindCustomers(ctx, f)
		f.After = p.Next
	}
	for _, bb := range []struct {
		name string
		f    desk.CustomerFilter
	}{
		{"page1", desk.CustomerFilter{Limit: 50}},
		{"page300", f},
		{"next-of-page1", desk.CustomerFilter{Limit: 50, After: first.Next}},
		{"search", desk.CustomerFilter{Limit: 50, Query: "company 12"}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := st.FindCustomers(ctx, bb.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
