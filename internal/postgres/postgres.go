// Package postgres is PartnerDesk's PostgreSQL engine (pgx v5 through database/sql) for the shared
// store (internal/sqlstore), so that several stateless instances can serve one partner: READ
// COMMITTED transactions with explicit row locks, retried whole on a serialization failure or
// deadlock, the pg_trgm customer search, migrations under an advisory lock, rate-limit buckets
// in an UNLOGGED table every instance shares, COPY for bulk data, and backups with pg_dump.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"

	"partnerdesk/internal/ratelimit"
	"partnerdesk/internal/sqlstore"
	"partnerdesk/migrations"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// Store is the shared store on PostgreSQL, with its own operations (backup).
type Store struct {
	*sqlstore.Store
	e *engine
}

// engine implements sqlstore.Engine.
type engine struct {
	db      *sql.DB
	url     string
	rebinds sync.Map // query with ? → query with $n
	stop    chan struct{}
	once    sync.Once
}

// IsURL reports whether a database URL names PostgreSQL.
func IsURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// Open connects to the database at url (postgres://user@host:port/db?sslmode=…).
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("PARTNERDESK_DATABASE_URL: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	// Every instance holds up to this many connections: keep instances × n below the server's
	// max_connections.
	n := max(8, 4*runtime.GOMAXPROCS(0))
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s: %w", redact(cfg), err)
	}
	e := &engine{db: db, url: url, stop: make(chan struct{})}
	go e.sweepBuckets()
	return &Store{Store: sqlstore.New(e), e: e}, nil
}

// redact names the server without the password.
func redact(cfg *pgx.ConnConfig) string {
	return fmt.Sprintf("%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

// Migrate applies the PostgreSQL migrations not applied yet, under an advisory lock.
func (s *Store) Migrate(ctx context.Context) error { return s.Store.Migrate(ctx, migrations.Postgres) }

// DB is the connection pool (tests).
func (s *Store) DB() *sql.DB { return s.e.db }

func (e *engine) Name() string { return "postgres" }

func (e *engine) rebind(q string) string {
	if v, ok := e.rebinds.Load(q); ok {
		return v.(string)
	}
	r := sqlstore.Rebind(q)
	e.rebinds.Store(q, r)
	return r
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// querier rebinds each query's placeholders (once per query text) and runs it on the pool or a
// transaction; pgx prepares and caches the statement per connection.
type querier struct {
	e *engine
	x execer
}

func (q querier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.x.ExecContext(ctx, q.e.rebind(query), args...)
}

func (q querier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.x.QueryContext(ctx, q.e.rebind(query), args...)
}

func (q querier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return q.x.QueryRowContext(ctx, q.e.rebind(query), args...)
}

func (e *engine) Reader() sqlstore.Querier { return querier{e: e, x: e.db} }

func (e *engine) Ping(ctx context.Context) error { return e.db.PingContext(ctx) }

func (e *engine) Close() error {
	e.once.Do(func() { close(e.stop) })
	return e.db.Close()
}

// maxAttempts bounds how often a transaction is run again after a serialization failure or
// deadlock.
const maxAttempts = 10

// RunTx runs fn in a READ COMMITTED transaction; the use cases take the row locks they need
// (FOR UPDATE, SKIP LOCKED, conditional updates, unique constraints). A transaction that fails
// with a serialization failure (40001) or a deadlock (40P01) is run again whole.
func (e *engine) RunTx(ctx context.Context, fn func(q sqlstore.Querier) error) error {
	for attempt := 1; ; attempt++ {
		err := e.runOnce(ctx, fn)
		if err == nil || attempt >= maxAttempts || !retryable(err) {
			return err
		}
		wait := time.Duration(rand.IntN(1<<min(attempt, 6))+1) * time.Millisecond
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return err
		}
	}
}

func (e *engine) runOnce(ctx context.Context, fn func(q sqlstore.Querier) error) (err error) {
	tx, err := e.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(querier{e: e, x: tx}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// ForUpdate locks the selected rows until the transaction ends.
func (e *engine) ForUpdate() string { return " FOR UPDATE" }

// ForUpdateNoWait locks the selected rows, or fails at once (55P03) when another transaction
// holds one.
func (e *engine) ForUpdateNoWait() string { return " FOR UPDATE NOWAIT" }

// LockBusy recognises ForUpdateNoWait's failure: lock_not_available.
func (e *engine) LockBusy(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "55P03"
}

// NextEventID takes the next value of the events' sequence: no lock, and no two instances get
// one ID (a rolled-back transaction leaves a gap in the IDs; the chain's positions have none).
func (e *engine) NextEventID(ctx context.Context, q sqlstore.Querier) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT nextval('events_id_seq')`).Scan(&n)
	return n, err
}

// SkipLocked claims rows that no other transaction holds.
func (e *engine) SkipLocked() string { return " FOR UPDATE SKIP LOCKED" }

// NextSupportNumber takes the next value of a sequence: instances never share a number.
func (e *engine) NextSupportNumber(ctx context.Context, q sqlstore.Querier) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT nextval('support_request_number')`).Scan(&n)
	return n, err
}

// Conflict recognises integrity constraint violations (class 23) and names the column of a
// unique one by its constraint's name (table_column_key).
func (e *engine) Conflict(err error) (bool, string) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || !strings.HasPrefix(pe.Code, "23") {
		return false, ""
	}
	if pe.ColumnName != "" {
		return true, pe.ColumnName
	}
	name := strings.TrimPrefix(pe.ConstraintName, pe.TableName+"_")
	switch {
	case strings.HasPrefix(name, "email"):
		return true, "email"
	case strings.HasSuffix(name, "_key"):
		return true, strings.TrimSuffix(name, "_key")
	}
	return true, ""
}

// CustomerMatch is a substring of the name, domain or tenant ID through the trigram index for 3
// characters or more, "starts with" for one or two. The search is folded as name_fold is, and
// the three fields are joined by a character a search never holds.
func (e *engine) CustomerMatch(alias, q string) (string, []any) {
	q = sqlstore.CleanQuery(q)
	if q == "" {
		return "1 = 1", nil
	}
	like := sqlstore.EscapeLike(sqlstore.Fold(q))
	if len([]rune(q)) >= 3 {
		return `(` + alias + `.name_fold || chr(1) || ` + alias + `.domain || chr(1) || ` + alias + `.id) LIKE ? ESCAPE '\'`, []any{"%" + like + "%"}
	}
	return sqlstore.PrefixMatch(alias, q)
}

// Lock takes a session advisory lock on its own connection.
func (e *engine) Lock(ctx context.Context, key string) (func(), error) {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtext($1))`, key); err != nil {
		conn.Close()
		return nil, fmt.Errorf("advisory lock: %w", err)
	}
	return func() {
		conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(hashtext($1))`, key)
		conn.Close()
	}, nil
}

// TakeToken takes a token from a bucket in rate_buckets with one UPSERT … RETURNING: every
// instance shares the bucket, and the row lock makes concurrent takes queue, not double-spend.
func (e *engine) TakeToken(ctx context.Context, key string, perSecond float64, burst int, now time.Time) (bool, time.Duration, error) {
	const refill = `least($2::float8, b.tokens + greatest($3 - b.updated_at, 0) * $4::float8 / 1000)`
	var ok bool
	var tokens float64
	err := e.db.QueryRowContext(ctx, `INSERT INTO rate_buckets AS b (key, tokens, updated_at, ok) VALUES ($1, $2::float8 - 1, $3, true)
		ON CONFLICT (key) DO UPDATE SET
			tokens = CASE WHEN `+refill+` >= 1 THEN `+refill+` - 1 ELSE `+refill+` END,
			ok = `+refill+` >= 1,
			updated_at = greatest(b.updated_at, $3)
		RETURNING ok, tokens`, key, float64(burst), now.UnixMilli(), perSecond).Scan(&ok, &tokens)
	if err != nil {
		return false, 0, fmt.Errorf("rate limit %s: %w", key, err)
	}
	if ok {
		return true, 0, nil
	}
	return false, ratelimit.Wait(tokens, perSecond), nil
}

// PeekToken reads a bucket without taking from it.
func (e *engine) PeekToken(ctx context.Context, key string, perSecond float64, burst int, now time.Time) (time.Duration, error) {
	var tokens float64
	var at int64
	err := e.db.QueryRowContext(ctx, `SELECT tokens, updated_at FROM rate_buckets WHERE key = $1`, key).Scan(&tokens, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("rate limit %s: %w", key, err)
	}
	return ratelimit.Wait(ratelimit.Refill(tokens, time.UnixMilli(at), now, perSecond, burst), perSecond), nil
}

// sweepBuckets drops buckets untouched for an hour (every limit has refilled by then, so they
// are the same as absent ones).
func (e *engine) sweepBuckets() {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			e.db.ExecContext(ctx, `DELETE FROM rate_buckets WHERE updated_at < $1`, time.Now().Add(-time.Hour).UnixMilli())
			cancel()
		}
	}
}

// Backup writes a consistent copy of the database to path with pg_dump --format=custom (restore
// with pg_restore). The file must not exist yet.
func (s *Store) Backup(ctx context.Context, path string) error {
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		return errors.New("backup: pg_dump is not installed (Debian: apt-get install postgresql-client, the same major version as the server)")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f.Close()
	cmd := exec.CommandContext(ctx, bin, "--format=custom", "--no-owner", "--file="+path, "--dbname="+s.e.url)
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup with pg_dump: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
