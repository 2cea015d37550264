// Package pgtest gives tests their own PostgreSQL databases: a fresh database per test, copied
// from a template (CREATE DATABASE … TEMPLATE) that is built once per test process, and dropped
// when the test ends. The server is PARTNERDESK_TEST_DATABASE_URL, or
// postgres://postgres@127.0.0.1:5432/postgres when that is unset.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx driver for database/sql
)

// EnvURL names the PostgreSQL server the tests use.
const EnvURL = "PARTNERDESK_TEST_DATABASE_URL"

// DefaultURL is the server tried when EnvURL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// prefix starts every database these tests create, so that stale ones can be found.
const prefix = "pg_t"

// EnvServer names the server for the PostgreSQL-only tests without moving the application tests.
const EnvServer = "PARTNERDESK_TEST_POSTGRES"

// ServerURL returns the server's URL: EnvURL, else EnvServer, else DefaultURL.
func ServerURL() string {
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	if u := os.Getenv(EnvServer); u != "" {
		return u
	}
	return DefaultURL
}

// Configured reports whether EnvURL asks for the tests to run on PostgreSQL.
func Configured() bool { return os.Getenv(EnvURL) != "" }

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
	seq       atomic.Int64
	// createMu serialises CREATE DATABASE of this process (a template may have one user at a time).
	createMu sync.Mutex
)

// Admin returns a connection pool to the server's maintenance database, or skips the test when
// the server does not answer (under CI=true it fails instead: CI must run these tests).
func Admin(t testing.TB) *sql.DB {
	t.Helper()
	adminOnce.Do(func() {
		admin, adminErr = sql.Open("pgx", ServerURL())
		if adminErr == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			adminErr = admin.PingContext(ctx)
		}
		if adminErr == nil {
			admin.SetMaxOpenConns(4)
			dropStale(admin)
		}
	})
	if adminErr != nil {
		if os.Getenv("CI") == "true" || Configured() || os.Getenv(EnvServer) != "" {
			t.Fatalf("PostgreSQL at %s: %v", redact(ServerURL()), adminErr)
		}
		t.Skipf("PostgreSQL does not answer at %s (%v): set %s to run these tests", redact(ServerURL()), adminErr, EnvURL)
	}
	return admin
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "the configured URL"
	}
	p.User = url.User(p.User.Username())
	return p.String()
}

// URLOf returns the server's URL with another database name.
func URLOf(db string) string {
	p, err := url.Parse(ServerURL())
	if err != nil {
		panic(err)
	}
	p.Path = "/" + db
	return p.String()
}

// Name returns a new database name of this process: pg_t<kind>_<pid>_<n>.
func Name(kind string) string {
	return fmt.Sprintf("%s%s_%d_%d", prefix, kind, os.Getpid(), seq.Add(1))
}

// Create creates database name (a copy of template when template is not empty). It does not
// drop it.
func Create(t testing.TB, name, template string) {
	t.Helper()
	db := Admin(t)
	q := `CREATE DATABASE ` + quote(name)
	if template != "" {
		q += ` TEMPLATE ` + quote(template)
	}
	createMu.Lock()
	defer createMu.Unlock()
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		if _, err = db.Exec(q); err == nil || !strings.Contains(err.Error(), "is being accessed by other users") {
			break
		}
		time.Sleep(100 * time.Millisecond) // another process is copying the same template
	}
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// Drop drops database name, ending its sessions.
func Drop(name string) error {
	if admin == nil {
		return nil
	}
	_, err := admin.Exec(`DROP DATABASE IF EXISTS ` + quote(name) + ` WITH (FORCE)`)
	return err
}

// Fresh creates a database for this test (a copy of template, if given) and drops it when the
// test ends; it returns the database's URL.
func Fresh(t testing.TB, template string) string {
	t.Helper()
	name := Name("")
	Create(t, name, template)
	t.Cleanup(func() {
		if err := Drop(name); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	return URLOf(name)
}

func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// dropStale drops databases of test processes that have ended (on this machine: the server is
// on 127.0.0.1).
func dropStale(db *sql.DB) {
	rows, err := db.Query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, prefix+`%`)
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			continue
		}
		parts := strings.Split(name, "_")
		if len(parts) < 3 {
			continue
		}
		pid, err := strconv.Atoi(parts[len(parts)-2])
		if err != nil {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); os.IsNotExist(err) {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		db.Exec(`DROP DATABASE IF EXISTS ` + quote(name) + ` WITH (FORCE)`)
	}
}
