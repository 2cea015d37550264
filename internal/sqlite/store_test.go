package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"partnerdesk/internal/sqlstore"
	"partnerdesk/internal/storetest"
)

func openTest(t testing.TB) *Store {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// paths remembers each test store's file, so that Second opens the same database.
var paths = map[*sqlstore.Store]string{}

var harness = storetest.Harness{
	Open: func(t testing.TB) *sqlstore.Store {
		t.Helper()
		path := filepath.Join(t.TempDir(), "test.db")
		st, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		paths[st.Store] = path
		return st.Store
	},
	Migrate: func(ctx context.Context, st *sqlstore.Store) error { return st.Migrate(ctx, migrationsFS()) },
	// Another process's store on the same file: SQLite's file lock serialises the two writers.
	Second: func(t testing.TB, st *sqlstore.Store) *sqlstore.Store {
		t.Helper()
		other, err := Open(paths[st])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		return other.Store
	},
	AllowTamper: []string{`DROP TRIGGER events_no_update`, `DROP TRIGGER events_no_delete`},
	OpenEmpty: func(t testing.TB) *sqlstore.Store {
		t.Helper()
		st, err := Open(filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st.Store
	},
	Migrations: migrationsFS(),
}

// The store contract suite on SQLite.
func TestStore(t *testing.T) { storetest.Run(t, harness) }

// The store benchmarks on SQLite (make bench runs them with few iterations).
func BenchmarkStore(b *testing.B) { storetest.Bench(b, harness) }
