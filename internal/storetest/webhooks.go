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

// enqueueWebhooks writes n events due at raceAt.
func enqueueWebhooks(t *testing.T, st *sqlstore.Store, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		if err := st.EnqueueWebhook(ctx, desk.WebhookEvent{ID: fmt.Sprintf("event-%03d", i), Name: desk.WebhookOrderCreated, Body: []byte(`{}`),
			CreatedAt: raceAt, NextAttemptAt: raceAt, GiveUpAt: raceAt.Add(desk.WebhookRetryPeriod)}); err != nil {
			t.Fatal(err)
		}
	}
}

// R21: instances claiming the outbox at once each get other events: every event is claimed
// exactly once while its lease runs (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer).
func testWebhookClaimsOnce(t *testing.T, h Harness) {
	a := h.Open(t)
	b := h.Second(t, a)
	const events = 96
	enqueueWebhooks(t, a, events)
	lease := func(int) time.Time { return raceAt.Add(time.Hour) }
	var mu sync.Mutex
	claimed := map[string]int{}
	var calls atomic.Int32
	race(a, b, func(i int, st *sqlstore.Store) {
		for {
			calls.Add(1)
			got, err := st.ClaimWebhooks(context.Background(), raceAt, 3, lease)
			if err != nil {
				t.Error(err)
				return
			}
			if len(got) == 0 {
				return
			}
			mu.Lock()
			for _, e := range got {
				claimed[e.ID]++
				if e.Attempts != 1 || !e.NextAttemptAt.Equal(lease(1)) {
					t.Errorf("claimed %s: attempt %d, next %v", e.ID, e.Attempts, e.NextAttemptAt)
				}
			}
			mu.Unlock()
		}
	})
	if len(claimed) != events {
		t.Fatalf("%d of %d events claimed", len(claimed), events)
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("%s claimed %d times", id, n)
		}
	}
	t.Logf("%d claims over two stores", calls.Load())
}

// A claim is a lease: the event is not claimed again until it ends, then with the next attempt
// number; the lapsed attempt's failure does not move the new claim's schedule, its delivery
// still counts, and the delivery log keeps both attempts.
func testWebhookLease(t *testing.T, h Harness) {
	st := h.Open(t)
	ctx := context.Background()
	enqueueWebhooks(t, st, 1)
	first, err := st.ClaimWebhooks(ctx, raceAt, 10, func(int) time.Time { return raceAt.Add(20 * time.Second) })
	if err != nil || len(first) != 1 {
		t.Fatalf("claim: %d %v", len(first), err)
	}
	if due, _ := st.WebhooksDue(ctx, raceAt.Add(19*time.Second)); due {
		t.Fatal("due again inside the lease")
	}
	again, err := st.ClaimWebhooks(ctx, raceAt.Add(20*time.Second), 10, func(int) time.Time { return raceAt.Add(time.Hour) })
	if err != nil || len(again) != 1 || again[0].Attempts != 2 {
		t.Fatalf("claim after the lease: %+v %v", again, err)
	}
	// The lapsed first attempt fails: it is logged, and the second claim's schedule stands.
	if err := st.FinishWebhookAttempt(ctx, desk.WebhookAttempt{EventSeq: first[0].Seq, Number: 1, At: raceAt.Add(25 * time.Second), Error: desk.WebhookErrTimeout},
		desk.WebhookPending, raceAt.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	e, err := st.WebhookEventByID(ctx, first[0].ID)
	if err != nil || e.Status != desk.WebhookPending || !e.NextAttemptAt.Equal(raceAt.Add(time.Hour)) {
		t.Fatalf("after the lapsed failure: %+v %v", e, err)
	}
	// The second attempt is delivered.
	if err := st.FinishWebhookAttempt(ctx, desk.WebhookAttempt{EventSeq: first[0].Seq, Number: 2, At: raceAt.Add(26 * time.Second), StatusCode: 204,
		Latency: 12 * time.Millisecond}, desk.WebhookDelivered, time.Time{}); err != nil {
		t.Fatal(err)
	}
	page, err := st.WebhookLog(ctx, "", 10)
	if err != nil || len(page.Items) != 1 || page.Items[0].Status != desk.WebhookDelivered || len(page.Items[0].History) != 2 ||
		page.Items[0].History[0].Number != 2 || page.Items[0].LastStatus != 204 || page.Items[0].LastLatency != 12*time.Millisecond {
		t.Fatalf("the log: %+v %v", page, err)
	}
	if due, _ := st.WebhooksDue(ctx, raceAt.Add(48*time.Hour)); due {
		t.Error("a delivered event is due")
	}
	// Redelivered: due at once, with the same ID.
	if err := st.RedeliverWebhook(ctx, first[0].ID, raceAt.Add(time.Minute), raceAt.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := st.ClaimWebhooks(ctx, raceAt.Add(time.Minute), 10, func(int) time.Time { return raceAt.Add(2 * time.Hour) })
	if err != nil || len(got) != 1 || got[0].ID != first[0].ID || got[0].Attempts != 3 {
		t.Fatalf("redelivered: %+v %v", got, err)
	}
}

// One registration; deleting it fails the events not delivered yet.
func testWebhookRegistration(t *testing.T, h Harness) {
	st := h.Open(t)
	ctx := context.Background()
	r := desk.WebhookRegistration{URL: "https://hooks.partner.example/in", Events: []string{desk.WebhookOrderCreated, desk.WebhookOrderUpdated},
		Secret: []byte("sealed"), CreatedAt: raceAt, UpdatedAt: raceAt}
	if err := st.CreateWebhookRegistration(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateWebhookRegistration(ctx, r); desk.ErrorCode(err) != desk.ECONFLICT {
		t.Fatalf("a second registration: %v, want ECONFLICT", err)
	}
	r.PreviousSecret, r.PreviousUntil = []byte("old"), raceAt.Add(24*time.Hour)
	if err := st.UpdateWebhookRegistration(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, ok, err := st.WebhookRegistration(ctx)
	if err != nil || !ok || got.URL != r.URL || len(got.Events) != 2 || string(got.PreviousSecret) != "old" || !got.PreviousUntil.Equal(r.PreviousUntil) {
		t.Fatalf("registration %+v %v %v", got, ok, err)
	}
	enqueueWebhooks(t, st, 3)
	if err := st.DeleteWebhookRegistration(ctx, raceAt); err != nil {
		t.Fatal(err)
	}
	if due, _ := st.WebhooksDue(ctx, raceAt.Add(time.Hour)); due {
		t.Error("events still due after the registration was deleted")
	}
	if _, ok, _ := st.WebhookRegistration(ctx); ok {
		t.Error("still registered")
	}
	if err := st.DeleteWebhookRegistration(ctx, raceAt); desk.ErrorCode(err) != desk.ENOTFOUND {
		t.Errorf("delete twice: %v", err)
	}
}

// R25: several instances charging a line's next month at once write one charge; a cancellation
// stops the line's charges.
func testRaceChargeInstallment(t *testing.T, h Harness) {
	a := h.Open(t)
	b := h.Second(t, a)
	c, p := seedShop(t, a, 0)
	ctx := context.Background()
	o := raceOrder(c, p, "order-1", 2)
	for i := range o.Lines {
		o.Lines[i].Term, o.Lines[i].BillingCycle, o.Lines[i].Charged = desk.TermP1Y, desk.BillingMonthly, 1
		o.Lines[i].NextChargeAt = raceAt.AddDate(0, 1, 0)
	}
	if _, err := a.CreateOrder(ctx, o, "order-1"); err != nil {
		t.Fatal(err)
	}
	due, err := a.DueCharges(ctx, raceAt.AddDate(0, 1, 0), 10)
	if err != nil || len(due) != 2 || due[0].Charged != 1 {
		t.Fatalf("due %+v %v", due, err)
	}
	charge := func(line int) desk.InvoiceLine {
		return desk.InvoiceLine{Period: "2026-12", Currency: "HUF", CustomerID: c.ID, OrderID: o.ID, LineNumber: line, Kind: desk.InvoiceCharge,
			Description: "month 2", Net: 10, Tax: 2, Gross: 12, CreatedAt: raceAt.AddDate(0, 1, 0), ServiceStart: raceAt.AddDate(0, 1, 0), ServiceEnd: raceAt.AddDate(0, 2, -1)}
	}
	if n := raceWins(t, a, b, func(st *sqlstore.Store) (bool, error) {
		return st.ChargeInstallment(ctx, charge(0), 1, raceAt.AddDate(0, 2, 0))
	}); n != 1 {
		t.Fatalf("%d charges of one month won, want 1", n)
	}
	charges, err := a.OrderCharges(ctx, []string{o.ID})
	if err != nil || len(charges[desk.ChargeKey(o.ID, 0)]) != 1 {
		t.Fatalf("charges %v %v", charges, err)
	}
	got, err := a.FindOrder(ctx, c.ID, o.ID)
	if err != nil || got.Lines[0].Charged != 2 || !got.Lines[0].NextChargeAt.Equal(raceAt.AddDate(0, 2, 0)) {
		t.Fatalf("line 0 after its charge: %+v %v", got.Lines[0], err)
	}
	// Line 1 is cancelled first: its month is not charged.
	if err := a.CancelLine(ctx, desk.Cancellation{ID: "cx-1", CustomerID: c.ID, OrderID: o.ID, LineNumber: 1, CancelledAt: raceAt, CancelledBy: "agent@partner.example",
		Currency: "HUF"}); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.ChargeInstallment(ctx, charge(1), 1, raceAt.AddDate(0, 2, 0)); ok || err != nil {
		t.Fatalf("charged a cancelled line: %v %v", ok, err)
	}
	if due, _ := a.DueCharges(ctx, raceAt.AddDate(1, 0, 0), 10); len(due) != 1 || due[0].LineNumber != 0 {
		t.Fatalf("due after the cancellation: %+v", due)
	}
}
