package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerdesk/internal/app"
	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"

	"golang.org/x/crypto/bcrypt"
)

func countOrders(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM orders`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// revealed is a key revealed (acknowledged to the user) during the load.
type revealed struct {
	customerID, entitlementID, version, key string
}

// An online backup taken while orders are placed and keys revealed restores (the procedure of
// `partnerdesk backup`: the file as partnerdesk.db, with the original secrets.json) into a sound
// PartnerDesk that has everything acknowledged before the backup began, keys included.
func TestBackupUnderLoad(t *testing.T) {
	if apptest.OnPostgres() {
		t.Skip("SQLite's online backup (VACUUM INTO); PostgreSQL is backed up with pg_dump")
	}
	env := apptest.StartWith(t, func(c *app.Config) { c.RevealBurst = 1 << 20 })
	ctx := context.Background()
	svc := env.App.Service
	seller, err := actor(ctx, env.App, demo.PartnerUsers[2].Email)
	if err != nil {
		t.Fatal(err)
	}
	agent, err := actor(ctx, env.App, demo.PartnerUsers[1].Email)
	if err != nil {
		t.Fatal(err)
	}
	ga, err := actor(ctx, env.App, demo.PartnerUsers[0].Email)
	if err != nil {
		t.Fatal(err)
	}
	offer := apptest.Offer(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone)
	product, err := svc.Product(ctx, offer.ProductID)
	if err != nil {
		t.Fatal(err)
	}
	versions := product.Versions()
	// Enough keys in the product's pools that every order gets one per version.
	var csv strings.Builder
	for _, v := range versions {
		for range 400 {
			csv.WriteString(product.ID + "," + v + "," + apptest.NewProductKey(t) + "\n")
		}
	}
	if res, err := svc.ImportKeys(ctx, ga, strings.NewReader(csv.String())); err != nil || len(res.Errors) > 0 {
		t.Fatalf("import keys: %+v %v", res, err)
	}
	dbPath := filepath.Join(env.Dir, "partnerdesk.db")
	initialOrders := countOrders(t, dbPath)

	var (
		mu        sync.Mutex
		orders    = map[string]string{} // acknowledged orders: ID → customer ID
		reveals   []revealed
		stop      = make(chan struct{})
		wg        sync.WaitGroup
		loadErr   error
		customers = []string{demo.TenantID("contoso"), demo.TenantID("fabrikam"), demo.TenantID("northwindtraders")}
	)
	// fail records a worker's error (the last one wins) for the test to report.
	fail := func(err error) {
		mu.Lock()
		loadErr = err
		mu.Unlock()
	}
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				cust := customers[(w+n)%len(customers)]
				o, _, err := svc.PlaceOrder(ctx, seller, cust, fmt.Sprintf("backup-%d-%d", w, n),
					[]desk.CartLine{{OfferID: offer.ID, Quantity: 1 + n%3}})
				if err == nil && o.Lines[0].EntitlementID == "" {
					err = desk.Errorf(desk.EINTERNAL, "order %s has no entitlement", o.ID)
				}
				if err != nil {
					fail(err)
					return
				}
				mu.Lock()
				orders[o.ID] = cust
				mu.Unlock()
				v := versions[n%len(versions)]
				key, err := svc.RevealKey(ctx, agent, cust, o.Lines[0].EntitlementID, v)
				if err != nil {
					fail(err)
					return
				}
				mu.Lock()
				reveals = append(reveals, revealed{cust, o.Lines[0].EntitlementID, v, key})
				mu.Unlock()
			}
		}()
	}
	time.Sleep(150 * time.Millisecond)

	// Everything acknowledged up to here must be in the backup.
	mu.Lock()
	before := make(map[string]string, len(orders))
	for id, c := range orders {
		before[id] = c
	}
	revealedBefore := append([]revealed(nil), reveals...)
	mu.Unlock()
	backup := filepath.Join(t.TempDir(), "backup.db")
	err = env.App.Store.Backup(ctx, backup)
	time.Sleep(50 * time.Millisecond) // the load carries on after the backup too
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup under load: %v", err)
	}
	if loadErr != nil {
		t.Fatalf("load: %v", loadErr)
	}
	if len(before) == 0 || len(revealedBefore) == 0 {
		t.Fatalf("no load before the backup: %d orders, %d reveals", len(before), len(revealedBefore))
	}
	t.Logf("%d orders and %d key reveals acknowledged before the backup, %d orders in all", len(before), len(revealedBefore), len(orders))
	st, err := os.Stat(backup)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %v, want 0600 (it holds customers, orders and sealed keys)", st.Mode().Perm())
	}

	// Restore: the backup as partnerdesk.db beside the original secrets.json.
	dir := t.TempDir()
	copyTo := func(src, dst string) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	copyTo(backup, filepath.Join(dir, "partnerdesk.db"))
	copyTo(filepath.Join(env.Dir, "secrets.json"), filepath.Join(dir, "secrets.json"))
	restored, err := app.Open(ctx, app.Config{DataDir: dir, BcryptCost: bcrypt.MinCost, Logger: quietLogger(), RevealBurst: 1 << 20})
	if err != nil {
		t.Fatalf("open the restored copy: %v", err)
	}
	defer restored.Close()
	if res, err := restored.Store.SQLite.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("restored integrity_check: %q %v", res, err)
	}
	if rep, err := restored.Service.VerifyAudit(ctx, nil); err != nil || !rep.Intact() || rep.Events == 0 {
		t.Fatalf("restored audit chain: %+v, %v", rep, err)
	}
	rga, err := actor(ctx, restored, demo.PartnerUsers[0].Email)
	if err != nil {
		t.Fatal(err)
	}
	for id, cust := range before {
		if _, _, err := restored.Service.Order(ctx, rga, cust, id); err != nil {
			t.Fatalf("order %s, acknowledged before the backup, is not in it: %v", id, err)
		}
	}
	if n := countOrders(t, filepath.Join(dir, "partnerdesk.db")); n < initialOrders+len(before) {
		t.Fatalf("restored copy has %d orders, want at least %d + %d", n, initialOrders, len(before))
	}
	ragent, err := actor(ctx, restored, demo.PartnerUsers[1].Email)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range revealedBefore {
		key, err := restored.Service.RevealKey(ctx, ragent, r.customerID, r.entitlementID, r.version)
		if err != nil || key != r.key {
			t.Fatalf("key of %s %s from the restored copy: %q %v, want %q as revealed before the backup", r.entitlementID, r.version, key, err, r.key)
		}
	}
}

// Backing up onto an existing file fails and leaves that file as it was.
func TestBackupRefusesExistingFile(t *testing.T) {
	if apptest.OnPostgres() {
		t.Skip("SQLite's online backup (VACUUM INTO); PostgreSQL is backed up with pg_dump")
	}
	env := apptest.Start(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "existing.db")
	want := []byte("yesterday's backup, not to be overwritten\n")
	if err := os.WriteFile(path, want, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Store.Backup(ctx, path); err == nil {
		t.Fatal("backup onto an existing file succeeded")
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("existing file changed: %q %v", got, err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o640 {
		t.Fatalf("existing file's mode changed: %v %v", st.Mode(), err)
	}
	// An empty existing file is refused too.
	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Store.Backup(ctx, empty); err == nil {
		t.Fatal("backup onto an existing empty file succeeded")
	}
	if st, err := os.Stat(empty); err != nil || st.Size() != 0 {
		t.Fatalf("existing empty file changed: %v", err)
	}
	// A fresh path works, and is 0600 whatever the umask lets through.
	fresh := filepath.Join(t.TempDir(), "fresh.db")
	if err := env.App.Store.Backup(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(fresh); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode %v, want 0600: %v", st.Mode(), err)
	}
}
