package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/sqlstore"
)

// raceN is how many goroutines race in each test; they are spread over two stores.
const raceN = 24

// race runs fn(i, store) on raceN goroutines at once, alternating between the two stores (two
// instances' pools on one database), and waits for them.
func race(a, b *sqlstore.Store, fn func(i int, st *sqlstore.Store)) { raceTimes(a, b, raceN, fn) }

// raceWins races fn and counts the goroutines it reports a win for; an error fails the test.
func raceWins(t *testing.T, a, b *sqlstore.Store, fn func(st *sqlstore.Store) (bool, error)) int32 {
	var wins atomic.Int32
	race(a, b, func(_ int, st *sqlstore.Store) {
		won, err := fn(st)
		if err != nil {
			t.Error(err)
		}
		if won {
			wins.Add(1)
		}
	})
	return wins.Load()
}

// raceTimes is race with n goroutines.
func raceTimes(a, b *sqlstore.Store, n int, fn func(i int, st *sqlstore.Store)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		st := a
		if i%2 == 1 {
			st = b
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			fn(i, st)
		}(i)
	}
	close(start)
	wg.Wait()
}

var raceAt = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// seedShop adds a customer and a software product with one offer, whose key pool for version
// "2022" holds keys keys.
func seedShop(t testing.TB, st *sqlstore.Store, keys int) (desk.Customer, desk.Product) {
	t.Helper()
	ctx := context.Background()
	c := desk.Customer{ID: "c0000000-0000-4000-8000-000000000001", CompanyName: "Contoso Ltd.", Domain: "contoso.onmicrosoft.com",
		Country: "HU", Currency: "HUF", CreatedAt: raceAt}
	p := desk.Product{ID: "PROD1", Title: "Windows Server 2022 Standard", Kind: desk.KindPerpetual, Publisher: "Microsoft Corporation",
		Offers:   []desk.Offer{{ID: "PROD1:0001:AVAIL", Title: "Windows Server 2022 Standard - 2 Core", BillingCycles: []string{desk.BillingOneTime}}},
		Editions: []desk.Edition{{Version: "2022", Language: "en-us", Bitness: "64-bit", FileName: "ws2022.iso", Size: 10, SHA256: "00"}}}
	err := st.InTx(ctx, func(tx *sqlstore.Store) error {
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		if err := tx.SaveProduct(ctx, p, 0); err != nil {
			return err
		}
		if err := tx.SavePrice(ctx, p.Offers[0].ID, "HUF", 100000); err != nil {
			return err
		}
		for i := 0; i < keys; i++ {
			if err := tx.InsertPoolKey(ctx, p.ID, "2022", []byte(fmt.Sprintf("sealed-%d", i)), []byte(fmt.Sprintf("fp-%d", i)), raceAt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, p
}

// raceOrder is an order of the seeded offer with lines lines.
func raceOrder(c desk.Customer, p desk.Product, id string, lines int) desk.Order {
	o := desk.Order{ID: id, CustomerID: c.ID, CreatedAt: raceAt, CreatedBy: "sales@partner.example", Status: desk.OrderCompleted, Currency: "HUF",
		Amounts: desk.Amounts{Net: 100000, Tax: 27000, Gross: 127000}}
	for n := 0; n < lines; n++ {
		o.Lines = append(o.Lines, desk.LineItem{Number: n, OfferID: p.Offers[0].ID, ProductID: p.ID, Kind: p.Kind, Title: p.Offers[0].Title,
			Quantity: 1, Ordered: 1, BillingCycle: desk.BillingOneTime, UnitPrice: 100000, Amounts: desk.Amounts{Net: 100000, Tax: 27000, Gross: 127000},
			Status: desk.StatusActive})
	}
	return o
}

// Two instances starting together agree on one value of a setting (the partner tenant ID, the
// demo data marker).
func testMetaClaim(t *testing.T, h Harness) {
	a := h.Open(t)
	b := h.Second(t, a)
	var claimed atomic.Int32
	values := make([]string, raceN)
	race(a, b, func(i int, st *sqlstore.Store) {
		v, ok, err := st.ClaimMeta(context.Background(), "partner_tenant_id", fmt.Sprintf("tenant-%d", i))
		if err != nil {
			t.Error(err)
		}
		if ok {
			claimed.Add(1)
		}
		values[i] = v
	})
	if claimed.Load() != 1 {
		t.Fatalf("%d claims succeeded, want 1", claimed.Load())
	}
	for i, v := range values {
		if v != values[0] {
			t.Fatalf("goroutine %d read %q, goroutine 0 %q", i, v, values[0])
		}
	}
}

// R9: concurrent submissions of one idempotency key create one order; the others write nothing.
func testRaceOrderIdempotency(t *testing.T, h Harness) {
	a := h.Open(t)
	b := h.Second(t, a)
	c, p := seedShop(t, a, 0)
	ctx := context.Background()
	var created atomic.Int32
	race(a, b, func(i int, st *sqlstore.Store) {
		err := st.InTx(ctx, func(tx *sqlstore.Store) error {
			ok, err := tx.CreateOrder(ctx, raceOrder(c, p, fmt.Sprintf("order-%02d", i), 2), "same-key")
			if ok {
				created.Add(1)
			}
			return err
		})
		if err != nil {
			t.Error(err)
		}
	})
	if created.Load() != 1 {
		t.Fatalf("%d orders created for one key, want 1", created.Load())
	}
	page, err := a.FindOrders(ctx, desk.OrderFilter{CustomerID: c.ID})
	if err != nil || page.Total != 1 || len(page.Items[0].Lines) != 2 {
		t.Fatalf("orders %+v, %v: want one order with its two lines", page, err)
	}
	id, err := b.FindOrderIDByKey(ctx, c.ID, "same-key")
	if err != nil || id != page.Items[0].ID {
		t.Fatalf("the key finds %q (%v), the order is %s", id, err, page.Items[0].ID)
	}
}

// Two orders never get the same key from a pool: with fewer keys than purchases, every key goes
// to exactly one purchase and the rest wait.
func testRaceKeyPool(t *testing.T, h Harness) {
	a := h.Open(t)
	b := h.Second(t, a)
	const keys = raceN / 2
	c, p := seedShop(t, a, keys)
	ctx := context.Background()
	var assigned atomic.Int32
	race(a, b, func(i int, st *sqlstore.Store) {
		o := raceOrder(c, p, fmt.Sprintf("order-%02d", i), 1)
		err := st.InTx(ctx, func(tx *sqlstore.Store) error {
			if _, err := tx.CreateOrder(ctx, o, o.ID); err != nil {
				return err
			}
			e := desk.Entitlement{ID: "ent-" + o.ID, CustomerID: c.ID, OrderID: o.ID, ProductID: p.ID, Quantity: 1, Status: desk.StatusActive, CreatedAt: raceAt}
			if err := tx.CreateEntitlement(ctx, e); err != nil {
				return err
			}
			ok, err := tx.AssignPoolKey(ctx, p.ID, "2022", e.ID, raceAt)
			if ok {
				assigned.Add(1)
			}
			return err
		})
		if err != nil {
			t.Error(err)
		}
	})
	if assigned.Load() != keys {
		t.Fatalf("%d keys assigned from a pool of %d to %d purchases", assigned.Load(), keys, raceN)
	}
	seen := map[string]string{}
	for i := 0; i < raceN; i++ {
		ent := fmt.Sprintf("ent-order-%02d", i)
		ct, err := a.EntitlementKey(ctx, ent, "2022")
		if desk.ErrorCode(err) == desk.ENOTFOUND {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if other, dup := seen[string(ct)]; dup {
			t.Fatalf("key %q given to %s and %s", ct, other, ent)
		}
		seen[string(ct)] = ent
	}
	if len(seen) != keys {
		t.Fatalf("%d purchases hold a key, want %d", len(seen), keys)
	}
	counts, err := a.PoolCounts(ctx)
	if err != nil || len(counts) != 1 || counts[0].Free != 0 || counts[0].Assigned != keys {
		t.Fatalf("pool counts %+v, %v", counts, err)
	}
}

// Support request numbers are never handed out twice.
func testRaceSupportNumbers(t *testing.T, h Harness) {
	a := h.Open(t)
	b := h.Second(t, a)
	ctx := context.Background()
	numbers := make([]int, raceN)
	race(a, b, func(i int, st *sqlstore.Store) {
		q := desk.SupportRequest{ID: fmt.Sprintf("sr-%02d", i), CreatedAt: raceAt, CreatedBy: "x@partner.example", ProblemType: "billing",
			Impact: "minimal", Title: "Question", Description: "Please help", ContactName: "X", ContactEmail: "x@partner.example", Status: desk.SupportNew}
		n, err := st.CreateSupportRequest(ctx, q)
		if err != nil {
			t.Error(err)
		}
		numbers[i] = n
	})
	seen := map[int]bool{}
	for _, n := range numbers {
		if n <= 0 || seen[n] {
			t.Fatalf("numbers %v: %d repeated or missing", numbers, n)
		}
		seen[n] = true
	}
	list, err := a.FindSupportRequests(ctx, 100)
	if err != nil || len(list) != raceN {
		t.Fatalf("%d requests stored, %v", len(list), err)
	}
}

func placeRaceOrder(t *testing.T, st *sqlstore.Store, c desk.Customer, p desk.Product, id string, lines int) desk.Order {
	t.Helper()
	ctx := context.Background()
	o := raceOrder(c, p, id, lines)
	err := st.InTx(ctx, func(tx *sqlstore.Store) error {
		if _, err := tx.CreateOrder(ctx, o, id); err != nil {
			return err
		}
		for _, l := range o.Lines {
			if err := tx.CreateEntitlement(ctx, desk.Entitlement{ID: fmt.Sprintf("ent-%s-%d", id, l.Number), CustomerID: c.ID, OrderID: id, LineNumber: l.Number,
				ProductID: p.ID, Quantity: 1, Status: desk.StatusActive, CreatedAt: raceAt}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// R15: of many cancellations of one line at once, exactly one succeeds (and so one credit); the
// others are refused as already cancelled.
func testRaceCancellation(t *testing.T, h Harness) {
	a := h.Open(t)
	b := h.Second(t, a)
	c, p := seedShop(t, a, 0)
	o := placeRaceOrder(t, a, c, p, "order-1", 1)
	ctx := context.Background()
	var ok, conflict atomic.Int32
	race(a, b, func(i int, st *sqlstore.Store) {
		err := st.InTx(ctx, func(tx *sqlstore.Store) error {
			if err := tx.CancelLine(ctx, desk.Cancellation{ID: fmt.Sprintf("cx-%02d", i), CustomerID: c.ID, OrderID: o.ID, LineNumber: 0, CancelledAt: raceAt,
				CancelledBy: "agent@partner.example", Currency: "HUF", Credit: desk.Credit{Net: 100000, Tax: 27000, Gross: 127000}}); err != nil {
				return err
			}
			return tx.AddInvoiceLine(ctx, desk.InvoiceLine{Period: "2026-11", Currency: "HUF", CustomerID: c.ID, OrderID: o.ID, LineNumber: 0,
				Kind: desk.InvoiceCredit, Description: "credit", Net: -100000, Tax: -27000, Gross: -127000, CreatedAt: raceAt})
		})
		switch desk.ErrorCode(err) {
		case "":
			ok.Add(1)
		case desk.ECONFLICT:
			conflict.Add(1)
		default:
			t.Error(err)
		}
	})
	if ok.Load() != 1 || conflict.Load() != raceN-1 {
		t.Fatalf("%d cancellations succeeded, %d refused; want 1 and %d", ok.Load(), conflict.Load(), raceN-1)
	}
	if n, err := a.CountCancellations(ctx, o.ID, 0); err != nil || n != 1 {
		t.Fatalf("%d cancellations stored (%v), want 1", n, err)
	}
	lines, err := a.InvoiceLines(ctx, "2026-11", "HUF")
	if err != nil {
		t.Fatal(err)
	}
	credits := 0
	for _, l := range lines {
		if l.Kind == desk.InvoiceCredit {
			credits++
		}
	}
	if credits != 1 {
		t.Fatalf("%d credits on the invoice, want 1", credits)
	}
	got, err := a.FindOrder(ctx, c.ID, o.ID)
	if err != nil || got.Status != desk.OrderCancelled || got.Lines[0].Status != desk.StatusCancelled {
		t.Fatalf("order %+v, %v: want cancelled", got, err)
	}
}

// Every line of one order cancelled at once, each by another instance: the order ends cancelled
// (the last cancellation sees that no line is left active).
func testRaceCancelEveryLine(t *testing.T, h Harness) {
	a := h.Open(t)
	b := h.Second(t, a)
	c, p := seedShop(t, a, 0)
	const lines = 8
	o := placeRaceOrder(t, a, c, p, "order-1", lines)
	ctx := context.Background()
	raceTimes(a, b, lines, func(n int, st *sqlstore.Store) {
		if err := st.CancelLine(ctx, desk.Cancellation{ID: fmt.Sprintf("cx-%d", n), CustomerID: c.ID, OrderID: o.ID, LineNumber: n, CancelledAt: raceAt,
			CancelledBy: "agent@partner.example", Currency: "HUF"}); err != nil {
			t.Error(err)
		}
	})
	got, err := a.FindOrder(ctx, c.ID, o.ID)
	if err != nil || got.Status != desk.OrderCancelled {
		t.Fatalf("order status %q (%v) after every line was cancelled, want cancelled", got.Status, err)
	}
}

// An order line has one charge and at most one credit on the invoices.
func testInvoiceLineOncePerKind(t *testing.T, h Harness) {
	st := h.Open(t)
	c, p := seedShop(t, st, 0)
	o := placeRaceOrder(t, st, c, p, "order-1", 1)
	ctx := context.Background()
	l := desk.InvoiceLine{Period: "2026-11", Currency: "HUF", CustomerID: c.ID, OrderID: o.ID, LineNumber: 0, Kind: desk.InvoiceCharge,
		Description: "charge", Net: 1, Tax: 0, Gross: 1, CreatedAt: raceAt}
	if err := st.AddInvoiceLine(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := st.AddInvoiceLine(ctx, l); desk.ErrorCode(err) != desk.ECONFLICT {
		t.Fatalf("a second charge: %v, want ECONFLICT", err)
	}
	l.Kind, l.Gross = desk.InvoiceCredit, -1
	if err := st.AddInvoiceLine(ctx, l); err != nil {
		t.Fatal(err)
	}
	invs, err := st.Invoices(ctx)
	if err != nil || len(invs) != 1 || invs[0].Lines != 2 || invs[0].Charges != 1 || invs[0].Credits != -1 || invs[0].Gross != 0 {
		t.Fatalf("invoices %+v, %v", invs, err)
	}
}

// The activity log stays one verifiable chain with contiguous positions when two instances
// append at once, each event inside a transaction that also writes something else, while both
// instances' sealers run: each event is linked once, and no append waits for a sealer.
func testRaceEventChain(t *testing.T, h Harness) {
	a := h.Open(t)
	b := h.Second(t, a)
	ctx := context.Background()
	const each = 5
	stop := make(chan struct{})
	var sealers sync.WaitGroup
	var sealed atomic.Int64
	for _, st := range []*sqlstore.Store{a, b} {
		sealers.Add(1)
		go func(st *sqlstore.Store) {
			defer sealers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				r, err := st.SealEvents(ctx, 7, false)
				if err != nil {
					t.Error(err)
					return
				}
				sealed.Add(int64(r.Sealed))
				time.Sleep(time.Millisecond)
			}
		}(st)
	}
	race(a, b, func(i int, st *sqlstore.Store) {
		for k := 0; k < each; k++ {
			err := st.InTx(ctx, func(tx *sqlstore.Store) error {
				if err := tx.SetMeta(ctx, fmt.Sprintf("writer-%02d", i), fmt.Sprint(k)); err != nil {
					return err
				}
				return tx.AppendEvent(ctx, &desk.Event{At: raceAt.Add(time.Duration(i*each+k) * time.Millisecond), Operation: desk.OpSignIn,
					ActorEmail: fmt.Sprintf("user%02d@partner.example", i), ResourceType: "session", Status: "succeeded"})
			})
			if err != nil {
				t.Error(err)
				return
			}
		}
	})
	close(stop)
	sealers.Wait()
	r := evVerify(t, a, 1)
	if !r.Intact() || r.Events != raceN*each || r.Pending != 0 {
		t.Fatalf("verify: %+v; want an intact chain of %d", r, raceN*each)
	}
	if n := sealed.Load(); n > raceN*each {
		t.Fatalf("%d links for %d events: an event was linked twice", n, raceN*each)
	}
	evs, err := b.RecentEvents(ctx, "", raceN*each+1)
	if err != nil {
		t.Fatal(err)
	}
	ids, seqs := map[int64]bool{}, map[int64]bool{}
	for _, e := range evs {
		ids[e.ID], seqs[e.Seq] = true, true
	}
	for p := int64(1); p <= raceN*each; p++ {
		if !seqs[p] {
			t.Fatalf("position %d is missing", p)
		}
	}
	if len(ids) != raceN*each {
		t.Fatalf("%d distinct IDs for %d events", len(ids), raceN*each)
	}
	// The daily counts hold every event once.
	day := raceAt.Truncate(24 * time.Hour)
	counts := evCounts(t, a, desk.ActivityFilter{From: day, To: day.Add(24*time.Hour - time.Millisecond)})
	if got := counts[raceAt.Format("2006-01-02")+" "+desk.OpSignIn]; got != raceN*each {
		t.Fatalf("daily count %d, want %d", got, raceN*each)
	}
}

// A burst is a burst across instances (PostgreSQL) or within the one process (SQLite): 30 takes
// succeed, the rest wait, and the wait is reported.
func testRateLimits(t *testing.T, h Harness) {
	a := h.Open(t)
	b := a
	if h.SharedLimits {
		b = h.Second(t, a)
	}
	ctx := context.Background()
	const burst = 10
	var ok atomic.Int32
	var bigWait atomic.Bool
	race(a, b, func(i int, st *sqlstore.Store) {
		got, wait, err := st.TakeToken(ctx, "reveal:user-1", 0.5, burst, raceAt)
		if err != nil {
			t.Error(err)
		}
		if got {
			ok.Add(1)
		} else if wait > time.Second {
			bigWait.Store(true)
		}
	})
	if ok.Load() != burst {
		t.Fatalf("%d takes succeeded from a burst of %d", ok.Load(), burst)
	}
	if !bigWait.Load() {
		t.Fatal("an empty bucket reported no wait")
	}
	if wait, err := a.PeekToken(ctx, "reveal:user-1", 0.5, burst, raceAt); err != nil || wait <= 0 {
		t.Fatalf("peek at an empty bucket: %v, %v", wait, err)
	}
	// Two seconds later one token has come back (0.5 a second); another key is untouched.
	if got, _, err := b.TakeToken(ctx, "reveal:user-1", 0.5, burst, raceAt.Add(2*time.Second)); err != nil || !got {
		t.Fatalf("after 2 s: %v, %v", got, err)
	}
	if got, _, err := a.TakeToken(ctx, "reveal:user-2", 0.5, burst, raceAt); err != nil || !got {
		t.Fatalf("another key: %v, %v", got, err)
	}
	if wait, err := a.PeekToken(ctx, "never-used", 0.5, burst, raceAt); err != nil || wait != 0 {
		t.Fatalf("peek at a fresh bucket: %v, %v", wait, err)
	}
}

// Attachments are stored in the database with their bytes.
func testAttachments(t *testing.T, h Harness) {
	a := h.Open(t)
	b := h.Second(t, a)
	ctx := context.Background()
	q := desk.SupportRequest{ID: "sr-1", CreatedAt: raceAt, CreatedBy: "x@partner.example", ProblemType: "billing", Impact: "minimal", Title: "Invoice",
		Description: "See the file", ContactName: "X", ContactEmail: "x@partner.example", Status: desk.SupportNew}
	data := []byte("%PDF-1.4 not really\x00\x01\x02")
	err := a.InTx(ctx, func(tx *sqlstore.Store) error {
		if _, err := tx.CreateSupportRequest(ctx, q); err != nil {
			return err
		}
		return tx.AddAttachment(ctx, desk.Attachment{ID: "att-1", RequestID: q.ID, FileName: "invoice.pdf", ContentType: "application/pdf", Size: int64(len(data))}, data)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.FindSupportRequest(ctx, q.ID)
	if err != nil || len(got.Attachments) != 1 || got.Attachments[0].FileName != "invoice.pdf" || got.Attachments[0].Size != int64(len(data)) {
		t.Fatalf("request %+v, %v", got, err)
	}
	bytes, err := b.AttachmentData(ctx, q.ID, "att-1")
	if err != nil || string(bytes) != string(data) {
		t.Fatalf("attachment bytes %q, %v", bytes, err)
	}
	if _, err := b.AttachmentData(ctx, "other", "att-1"); desk.ErrorCode(err) != desk.ENOTFOUND {
		t.Fatalf("another request's attachment: %v, want ENOTFOUND", err)
	}
}

// Events written in bulk join the chain: after the events appended before (and linked), and
// before the ones appended after; the daily counts hold them.
func testBulkLinksTheChain(t *testing.T, h Harness) {
	st := h.Open(t)
	ctx := context.Background()
	evAppend(t, st, desk.Event{At: raceAt, Operation: desk.OpSignIn, ResourceType: "session"})
	if _, err := st.SealEvents(ctx, 10, true); err != nil {
		t.Fatal(err)
	}
	waiting := evAppend(t, st, desk.Event{At: raceAt, Operation: desk.OpSignOut, ResourceType: "session"}) // not linked yet
	err := st.Bulk(ctx, func(bk sqlstore.Bulk) error {
		return st.BulkEvents(bk, 99, func(i int) desk.Event {
			return desk.Event{At: raceAt.Add(time.Duration(i+2) * time.Second), Operation: desk.OpGetSoftwareKey, ResourceType: "software", Status: "succeeded"}
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	evAppend(t, st, desk.Event{At: raceAt.Add(time.Hour), Operation: desk.OpSignOut, ResourceType: "session"})
	if r := evVerify(t, st, 1); !r.Intact() || r.Events != 102 {
		t.Fatalf("after the bulk load: %+v", r)
	}
	evs, err := st.RecentEvents(ctx, desk.OpSignOut, 2)
	if err != nil || len(evs) != 2 || evs[1].ID != waiting[0].ID || evs[1].Seq != 101 || evs[0].Seq != 102 || evs[0].ID <= 101 {
		t.Fatalf("the events appended around the bulk load: %+v, %v", evs, err)
	}
	counts := evCounts(t, st, desk.ActivityFilter{From: raceAt.Truncate(24 * time.Hour), To: raceAt.Truncate(24 * time.Hour).Add(24*time.Hour - time.Millisecond)})
	if counts[raceAt.Format("2006-01-02")+" "+desk.OpGetSoftwareKey] != 99 || counts[raceAt.Format("2006-01-02")+" "+desk.OpSignOut] != 2 {
		t.Fatalf("day counts after the bulk load: %v", counts)
	}
}

// The last Global admin stays: two instances each demoting one of the last two Global admins at
// once leave one (the second change counts what the first left).
func testRaceLastGlobalAdmin(t *testing.T, h Harness) {
	a := h.Open(t)
	b := h.Second(t, a)
	ctx := context.Background()
	for _, id := range []string{"ga-1", "ga-2"} {
		if err := a.CreateUser(ctx, desk.User{ID: id, Email: id + "@partner.example", DisplayName: id, Roles: desk.RolesOf(desk.RoleGlobalAdmin),
			Active: true, CreatedAt: raceAt}, "hash"); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for i, st := range []*sqlstore.Store{a, b} {
		wg.Add(1)
		go func(id string, st *sqlstore.Store) {
			defer wg.Done()
			err := st.InTx(ctx, func(tx *sqlstore.Store) error {
				n, err := tx.CountActiveUsersWithRole(ctx, desk.RoleGlobalAdmin)
				if err != nil || n <= 1 {
					return err
				}
				time.Sleep(50 * time.Millisecond) // let the other change count too
				return tx.UpdateUser(ctx, desk.User{ID: id, DisplayName: id, Roles: desk.RolesOf(desk.RoleAdminAgent), Active: true})
			})
			if err != nil {
				t.Error(err)
			}
		}([]string{"ga-1", "ga-2"}[i], st)
	}
	wg.Wait()
	if n, err := a.CountActiveUsersWithRole(ctx, desk.RoleGlobalAdmin); err != nil || n != 1 {
		t.Fatalf("%d Global admins left (%v), want 1", n, err)
	}
}
