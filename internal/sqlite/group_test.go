package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"partnerdesk/internal/sqlstore"
)

// Group commit: concurrent transactions share commits, yet each is all-or-nothing on its own —
// a failing one leaves no trace and does not spoil the others; a panic reaches its caller.
func TestGroupCommitIsolation(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	if err := st.SetMeta(ctx, "seed", "x"); err != nil {
		t.Fatal(err)
	}
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = st.InTx(ctx, func(tx *sqlstore.Store) error {
				if err := tx.SetMeta(ctx, fmt.Sprintf("k%03d", i), "first"); err != nil {
					return err
				}
				if err := tx.SetMeta(ctx, fmt.Sprintf("k%03d", i), "second"); err != nil {
					return err
				}
				if i%3 == 0 {
					return errors.New("refused")
				}
				return nil
			})
		}(i)
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		v, ok, err := st.GetMeta(ctx, fmt.Sprintf("k%03d", i))
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if errs[i] == nil || errs[i].Error() != "refused" || ok {
				t.Fatalf("tx %d: err %v, row present %v (want refused, absent)", i, errs[i], ok)
			}
		} else if errs[i] != nil || !ok || v != "second" {
			t.Fatalf("tx %d: err %v, value %q (want committed second)", i, errs[i], v)
		}
	}
	// A panic inside a transaction reaches the caller, and its writes are rolled back.
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not reach the caller")
			}
		}()
		st.InTx(ctx, func(tx *sqlstore.Store) error {
			tx.SetMeta(ctx, "panicked", "yes")
			panic("boom")
		})
	}()
	if _, ok, _ := st.GetMeta(ctx, "panicked"); ok {
		t.Fatal("a panicking transaction's write was kept")
	}
	// A cancelled context is refused without running the function.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	ran := false
	if err := st.InTx(cctx, func(*sqlstore.Store) error { ran = true; return nil }); err == nil || ran {
		t.Fatalf("cancelled context: err %v, ran %v", err, ran)
	}
}
