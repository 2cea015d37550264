// Package storetest is the store contract suite: the same tests run against every engine
// (internal/sqlite and internal/postgres call Run from their tests with a Harness). It includes
// races of many goroutines on two stores over one database — the guarantees that must hold when
// several instances write at once.
package storetest

import (
	"context"
	"io/fs"
	"testing"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/sqlstore"
)

// TestAuditKey is the activity log key of the suite's stores (as if derived from a key-encryption key).
var TestAuditKey = desk.DeriveAuditKey([]byte("partnerdesk-storetest-kek-000000"))

// Harness opens stores of one engine for the suite.
type Harness struct {
	// Open returns a fresh, migrated, empty store (closed at the test's end).
	Open func(t testing.TB) *sqlstore.Store
	// Migrate applies the engine's migrations to st.
	Migrate func(ctx context.Context, st *sqlstore.Store) error
	// Second returns another store on st's database: another instance's pool.
	Second func(t testing.TB, st *sqlstore.Store) *sqlstore.Store
	// AllowTamper are the statements that let a test change the append-only activity log.
	AllowTamper []string
	// OpenEmpty returns a store on a fresh database with no migration applied (nil: the
	// upgrade tests skip), and Migrations are the engine's migration files.
	OpenEmpty  func(t testing.TB) *sqlstore.Store
	Migrations fs.FS
	// SharedLimits: rate-limit buckets are shared by two stores on one database (PostgreSQL);
	// else they belong to the process (SQLite, served by one process).
	SharedLimits bool
}

// keyed makes every store of h carry the activity log's key, as the application's do.
func keyed(h Harness) Harness {
	open, second := h.Open, h.Second
	h.Open = func(t testing.TB) *sqlstore.Store { st := open(t); st.SetAuditKey(TestAuditKey); return st }
	h.Second = func(t testing.TB, st *sqlstore.Store) *sqlstore.Store {
		o := second(t, st)
		o.SetAuditKey(TestAuditKey)
		return o
	}
	return h
}

// Run runs the contract suite.
func Run(t *testing.T, h Harness) {
	h = keyed(h)
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"MigrateTwice", testMigrateTwice},
		{"FindCustomersKeyset", testFindCustomersKeyset},
		{"FindCustomersSearch", testFindCustomersSearch},
		{"FindCustomersSearchCapped", testFindCustomersSearchCapped},
		{"CustomerDomainUnique", testCustomerDomainUnique},
		{"EventsAppendOnly", testEventsAppendOnly},
		{"FindEventsFilters", testFindEventsFilters},
		{"FindEventsPagingStableWhileAppending", testFindEventsPagingStableWhileAppending},
		{"EventDayCounts", testEventDayCounts},
		{"VerifyEvents", testVerifyEvents},
		{"UpgradeKeepsTheUnkeyedChain", testUpgradeKeepsTheUnkeyedChain},
		{"ActivityCustomerSearchCoversEveryMatch", testActivityCustomerSearchCoversEveryMatch},
		{"MetaClaim", testMetaClaim},
		{"RaceOrderIdempotency", testRaceOrderIdempotency},
		{"RaceKeyPool", testRaceKeyPool},
		{"RaceSupportNumbers", testRaceSupportNumbers},
		{"RaceCancellation", testRaceCancellation},
		{"RaceCancelEveryLine", testRaceCancelEveryLine},
		{"InvoiceLineOncePerKind", testInvoiceLineOncePerKind},
		{"RaceEventChain", testRaceEventChain},
		{"RaceLastGlobalAdmin", testRaceLastGlobalAdmin},
		{"RateLimits", testRateLimits},
		{"Attachments", testAttachments},
		{"BulkLinksTheChain", testBulkLinksTheChain},
		{"RaceTOTPStep", testRaceTOTPStep},
		{"RaceRecoveryCode", testRaceRecoveryCode},
		{"RaceSSOState", testRaceSSOState},
		{"UserTokensAndRemoval", testUserTokensAndRemoval},
		{"WebhookClaimsOnce", testWebhookClaimsOnce},
		{"WebhookLease", testWebhookLease},
		{"WebhookRegistration", testWebhookRegistration},
		{"RaceChargeInstallment", testRaceChargeInstallment},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, h) })
	}
}

// Bench runs the suite's benchmarks.
func Bench(b *testing.B, h Harness) {
	h = keyed(h)
	b.Run("FindCustomersPage", func(b *testing.B) { BenchmarkFindCustomersPage(b, h) })
	b.Run("Activity1M", func(b *testing.B) { BenchmarkActivity1M(b, h) })
}

// exec runs a raw statement on the store's database, outside its transactions.
func exec(st *sqlstore.Store, query string, args ...any) error {
	_, err := st.Engine().Reader().ExecContext(context.Background(), query, args...)
	return err
}

func msOf(t time.Time) int64 { return t.UnixMilli() }
