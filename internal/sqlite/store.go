// Package sqlite is PartnerDesk's embedded store on modernc.org/sqlite (pure Go): Open, Migrate,
// and one file per table. It maps sql.ErrNoRows to ENOTFOUND and constraint errors to ECONFLICT,
// and holds no business rules.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/migrations"

	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Store is the SQLite store. Writes go through one connection (SQLite has one writer; queuing in
// Go beats SQLite's sleeping busy handler), reads through a pool that WAL lets run alongside.
type Store struct {
	rdb, wdb *sql.DB
	// q is the read pool, or the transaction inside InTx.
	q  querier
	tx *sql.Tx
	// stmts caches prepared read statements by their SQL: preparing is a large part of a small
	// query's cost with this driver.
	stmts *stmtCache
	// wstmts caches statements prepared on the write connection, used inside transactions.
	wstmts *stmtCache
	// txq feeds the writer goroutine (group commit); closed stops it.
	txq        chan *txRequest
	closed     chan struct{}
	writerDone chan struct{}
}

type stmtCache struct {
	mu      sync.RWMutex
	m       map[string]*sql.Stmt
	pending map[string]bool // write statements to prepare after the current transaction
}

// maxCachedStmts bounds the cache (queries with IN lists of varying length are not all kept).
const maxCachedStmts = 256

func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	c.mu.RLock()
	st, ok := c.m[query]
	c.mu.RUnlock()
	if ok {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[query]; ok {
		st.Close()
		return old, nil
	}
	if len(c.m) >= maxCachedStmts {
		return st, nil // the caller closes uncached statements after use
	}
	c.m[query] = st
	return st, nil
}

func (c *stmtCache) cached(st *sql.Stmt, query string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[query] == st
}

// query runs a read: through the transaction inside InTx, else through a cached prepared statement.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s.tx != nil {
		if st := s.txStmt(ctx, query); st != nil {
			return st.QueryContext(ctx, args...)
		}
		return s.tx.QueryContext(ctx, query, args...)
	}
	st, err := s.stmts.get(ctx, s.rdb, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if !s.stmts.cached(st, query) {
		defer st.Close()
	}
	return rows, err
}

// txStmt returns the transaction's handle on a statement prepared once on the write connection,
// or nil the first time a query is seen: it runs directly and is prepared after the commit
// (preparing now would wait for the only write connection, which the transaction holds).
func (s *Store) txStmt(ctx context.Context, query string) *sql.Stmt {
	s.wstmts.mu.RLock()
	st, ok := s.wstmts.m[query]
	s.wstmts.mu.RUnlock()
	if ok {
		return s.tx.StmtContext(ctx, st)
	}
	s.wstmts.mu.Lock()
	if len(s.wstmts.m)+len(s.wstmts.pending) < maxCachedStmts {
		if s.wstmts.pending == nil {
			s.wstmts.pending = map[string]bool{}
		}
		s.wstmts.pending[query] = true
	}
	s.wstmts.mu.Unlock()
	return nil
}

// prepareTxStmts prepares, on the idle write connection, the statements transactions asked for.
func (s *Store) prepareTxStmts(ctx context.Context) {
	s.wstmts.mu.Lock()
	pending := s.wstmts.pending
	s.wstmts.pending = nil
	s.wstmts.mu.Unlock()
	for q := range pending {
		if st, err := s.wdb.PrepareContext(ctx, q); err == nil {
			s.wstmts.mu.Lock()
			if _, dup := s.wstmts.m[q]; dup {
				st.Close()
			} else {
				s.wstmts.m[q] = st
			}
			s.wstmts.mu.Unlock()
		}
	}
}

// exec runs a write inside the transaction through a cached statement.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s.tx != nil {
		if st := s.txStmt(ctx, query); st != nil {
			return st.ExecContext(ctx, args...)
		}
	}
	return s.q.ExecContext(ctx, query, args...)
}

// queryRow is query for one row.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if s.tx != nil {
		if st := s.txStmt(ctx, query); st != nil {
			return st.QueryRowContext(ctx, args...)
		}
		return s.tx.QueryRowContext(ctx, query, args...)
	}
	st, err := s.stmts.get(ctx, s.rdb, query)
	if err != nil {
		return s.rdb.QueryRowContext(ctx, query, args...) // reports the same error on Scan
	}
	row := st.QueryRowContext(ctx, args...)
	if !s.stmts.cached(st, query) {
		defer st.Close()
	}
	return row
}

// Synchronous is SQLite's synchronous setting: "FULL" (the default: a committed order or
// cancellation survives a power cut) or "NORMAL" (WAL: survives a crash of the process; the last
// commits may be lost on a power cut). Set it before Open.
var Synchronous = "FULL"

// DSN returns the connection string with the pragmas every pooled connection needs.
func DSN(path string) string {
	v := url.Values{}
	for _, p := range []string{"busy_timeout(5000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(" + Synchronous + ")"} {
		v.Add("_pragma", p)
	}
	v.Set("_txlock", "immediate")
	return "file:" + path + "?" + v.Encode()
}

// Open opens (creating if needed) the database file at path.
func Open(path string) (*Store, error) {
	wdb, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	if err := wdb.Ping(); err != nil {
		wdb.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	rdb, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	rdb.SetMaxOpenConns(8)
	rdb.SetMaxIdleConns(8)
	rdb.SetConnMaxLifetime(0)
	s := &Store{rdb: rdb, wdb: wdb, q: rdb, stmts: &stmtCache{m: map[string]*sql.Stmt{}}, wstmts: &stmtCache{m: map[string]*sql.Stmt{}},
		txq: make(chan *txRequest, maxGroup), closed: make(chan struct{}), writerDone: make(chan struct{})}
	go s.writer()
	return s, nil
}

// Close stops the writer, closes the cached statements and both pools.
func (s *Store) Close() error {
	select {
	case <-s.closed:
	default:
		close(s.closed)
		<-s.writerDone
	}
	s.stmts.mu.Lock()
	for _, st := range s.stmts.m {
		st.Close()
	}
	s.stmts.m = map[string]*sql.Stmt{}
	s.stmts.mu.Unlock()
	s.wstmts.mu.Lock()
	for _, st := range s.wstmts.m {
		st.Close()
	}
	s.wstmts.m = map[string]*sql.Stmt{}
	s.wstmts.mu.Unlock()
	return errors.Join(s.rdb.Close(), s.wdb.Close())
}

// Ping checks that the database answers (for /healthz).
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.rdb.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// InTx runs fn in one write transaction; fn's store reads and writes through it. An error or a
// panic rolls fn's work back.
//
// Writes are group-committed: one writer goroutine takes the transactions that are waiting,
// runs each inside its own SAVEPOINT of one database transaction, and commits them together —
// one fsync for many audited key reveals instead of one each. A transaction that fails is rolled
// back to its savepoint alone; InTx returns only once its work is durably committed (or not).
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	req := &txRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.txq <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.closed:
		return errors.New("the store is closed")
	}
	err := <-req.done
	var p *txPanic
	if errors.As(err, &p) {
		panic(p.value)
	}
	return err
}

type txRequest struct {
	ctx  context.Context
	fn   func(tx *Store) error
	done chan error
}

// txPanic carries a panic of a transaction's function back to its caller's goroutine.
type txPanic struct{ value any }

func (p *txPanic) Error() string { return fmt.Sprint("panic in transaction: ", p.value) }

// maxGroup bounds how many transactions share one commit.
const maxGroup = 64

// writer is the goroutine that runs every write transaction (see InTx).
func (s *Store) writer() {
	defer close(s.writerDone)
	for {
		var first *txRequest
		select {
		case first = <-s.txq:
		case <-s.closed:
			return
		}
		batch := []*txRequest{first}
	drain:
		for len(batch) < maxGroup {
			select {
			case r := <-s.txq:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		s.runGroup(batch)
	}
}

func (s *Store) runGroup(batch []*txRequest) {
	ctx := context.Background()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("begin: %w", err)
		}
		return
	}
	st := &Store{rdb: s.rdb, wdb: s.wdb, q: tx, tx: tx, stmts: s.stmts, wstmts: s.wstmts}
	results := make([]error, len(batch))
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT pd_tx`); err != nil {
			results[i] = fmt.Errorf("savepoint: %w", err)
			continue
		}
		results[i] = runFn(r.fn, st)
		if results[i] != nil {
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO pd_tx`); err != nil {
				// The transaction is unusable: fail the whole group.
				tx.Rollback()
				for j, r := range batch {
					if j >= i || results[j] == nil {
						results[j] = fmt.Errorf("rollback to savepoint: %w", err)
					}
					r.done <- results[j]
				}
				return
			}
		}
		if _, err := tx.ExecContext(ctx, `RELEASE pd_tx`); err != nil && results[i] == nil {
			results[i] = fmt.Errorf("release: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		for i := range results {
			if results[i] == nil {
				results[i] = fmt.Errorf("commit: %w", err)
			}
		}
	}
	s.prepareTxStmts(ctx)
	for i, r := range batch {
		r.done <- results[i]
	}
}

func runFn(fn func(tx *Store) error, st *Store) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &txPanic{value: p}
		}
	}()
	return fn(st)
}

// write runs a single statement-level write: inside InTx through the transaction, else alone.
func (s *Store) write(ctx context.Context, fn func(tx *Store) error) error {
	return s.InTx(ctx, fn)
}

// Migrate applies the migrations not applied yet, each in its own transaction.
func (s *Store) Migrate(ctx context.Context) error {
	if _, err := s.wdb.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		err := s.InTx(ctx, func(tx *Store) error {
			var n int
			if err := tx.q.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			body, err := fs.ReadFile(migrations.FS, name)
			if err != nil {
				return err
			}
			if _, err := tx.q.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err = tx.q.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, name, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

// GetMeta reads a value of the meta table ("" and false when unset).
func (s *Store) GetMeta(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("get meta %s: %w", key, err)
	}
	return v, true, nil
}

// SetMeta writes a value of the meta table.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.q.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return wrap(err, "set meta "+key)
	})
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// wrap maps driver errors to domain errors: constraint violations become ECONFLICT.
func wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	var se *sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3lib.SQLITE_CONSTRAINT:
			return &desk.Error{Code: desk.ECONFLICT, Message: "err.conflict", Field: constraintField(se.Error())}
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// constraintField extracts "domain" from "UNIQUE constraint failed: customers.domain".
func constraintField(msg string) string {
	_, after, ok := strings.Cut(msg, "constraint failed: ")
	if !ok {
		return ""
	}
	after, _, _ = strings.Cut(after, ",")
	_, col, _ := strings.Cut(strings.TrimSpace(after), ".")
	col, _, _ = strings.Cut(col, " ")
	return col
}

func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return desk.Errorf(desk.ENOTFOUND, format, args...)
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
