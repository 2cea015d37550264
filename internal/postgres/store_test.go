package postgres_test

import (
	"context"
	"sync"
	"testing"

	"partnerdesk/internal/postgres"
	"partnerdesk/internal/postgres/pgtest"
	"partnerdesk/internal/sqlstore"
	"partnerdesk/internal/storetest"
	"partnerdesk/migrations"
)

var (
	templateOnce sync.Once
	templateName string
)

// migratedTemplate is an empty, migrated database each test's database is copied from.
func migratedTemplate(t testing.TB) string {
	t.Helper()
	templateOnce.Do(func() {
		name := pgtest.Name("m")
		pgtest.Create(t, name, "")
		st, err := postgres.Open(context.Background(), pgtest.URLOf(name))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		st.Close()
		templateName = name
	})
	if templateName == "" {
		t.Fatal("no template database")
	}
	return templateName
}

var (
	urlsMu sync.Mutex
	urls   = map[*sqlstore.Store]string{}
)

func open(t testing.TB, url string) *postgres.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	urlsMu.Lock()
	urls[st.Store] = url
	urlsMu.Unlock()
	return st
}

var harness = storetest.Harness{
	Open: func(t testing.TB) *sqlstore.Store {
		t.Helper()
		pgtest.Admin(t)
		return open(t, pgtest.Fresh(t, migratedTemplate(t))).Store
	},
	Migrate: func(ctx context.Context, st *sqlstore.Store) error { return st.Migrate(ctx, migrations.Postgres) },
	// Another instance's pool on the same database.
	Second: func(t testing.TB, st *sqlstore.Store) *sqlstore.Store {
		urlsMu.Lock()
		url := urls[st]
		urlsMu.Unlock()
		return open(t, url).Store
	},
	AllowTamper:  []string{`ALTER TABLE events DISABLE TRIGGER events_no_update`},
	SharedLimits: true,
	OpenEmpty: func(t testing.TB) *sqlstore.Store {
		t.Helper()
		pgtest.Admin(t)
		return open(t, pgtest.Fresh(t, "")).Store
	},
	Migrations: migrations.Postgres,
}

// The store contract suite on PostgreSQL.
func TestStore(t *testing.T) {
	pgtest.Admin(t)
	storetest.Run(t, harness)
}

// The store benchmarks on PostgreSQL.
func BenchmarkStore(b *testing.B) {
	pgtest.Admin(b)
	storetest.Bench(b, harness)
}

// Instances starting together on an empty database apply each migration once.
func TestMigrateConcurrently(t *testing.T) {
	url := pgtest.Fresh(t, "")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			st, err := postgres.Open(context.Background(), url)
			if err != nil {
				errs[i] = err
				return
			}
			defer st.Close()
			errs[i] = st.Migrate(context.Background())
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
}
