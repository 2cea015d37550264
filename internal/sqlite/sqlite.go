// Package sqlite is PartnerDesk's embedded engine on modernc.org/sqlite (pure Go) for the shared
// store (internal/sqlstore): Open, the pragmas, one writer goroutine that group-commits waiting
// transactions, prepared-statement caches, the FTS5 trigram customer search, in-process rate
// limits (a SQLite data directory is served by one process), and backups by VACUUM INTO.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"partnerdesk/internal/ratelimit"
	"partnerdesk/internal/sqlstore"
	"partnerdesk/migrations"

	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

// Store is the shared store on a SQLite file, with SQLite's own operations (backup, integrity
// check, moving an older data directory's attachment files into the database).
type Store struct {
	*sqlstore.Store
	e *engine
}

// engine implements sqlstore.Engine. Writes go through one connection (SQLite has one writer;
// queuing in Go beats SQLite's sleeping busy handler), reads through a pool that WAL lets run
// alongside.
type engine struct {
	rdb, wdb *sql.DB
	// stmts caches prepared read statements by their SQL: preparing is a large part of a small
	// query's cost with this driver.
	stmts *stmtCache
	// wstmts caches statements prepared on the write connection, used inside transactions.
	wstmts *stmtCache
	// txq feeds the writer goroutine (group commit); closed stops it.
	txq        chan *txRequest
	closed     chan struct{}
	writerDone chan struct{}
	limits     *ratelimit.Buckets
	closeOnce  sync.Once
}

type stmtCache struct {
	mu      sync.RWMutex
	m       map[string]*sql.Stmt
	pending map[string]bool // write statements to prepare after the current transaction
}

// maxCachedStmts bounds the cache (queries with IN lists of varying length are not all kept).
const maxCachedStmts = 256

func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, bool, error) {
	c.mu.RLock()
	st, ok := c.m[query]
	c.mu.RUnlock()
	if ok {
		return st, true, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[query]; ok {
		st.Close()
		return old, true, nil
	}
	if len(c.m) >= maxCachedStmts {
		return st, false, nil // the caller closes uncached statements after use
	}
	c.m[query] = st
	return st, true, nil
}

func (c *stmtCache) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = map[string]*sql.Stmt{}
}

// reader runs reads through cached prepared statements on the read pool.
type reader struct{ e *engine }

func (r reader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, cached, err := r.e.stmts.get(ctx, r.e.rdb, query)
	if err != nil {
		return nil, err
	}
	if !cached {
		defer st.Close()
	}
	return st.QueryContext(ctx, args...)
}

func (r reader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, cached, err := r.e.stmts.get(ctx, r.e.rdb, query)
	if err != nil {
		return r.e.rdb.QueryRowContext(ctx, query, args...) // reports the same error on Scan
	}
	if !cached {
		defer st.Close()
	}
	return st.QueryRowContext(ctx, args...)
}

// ExecContext outside a transaction is for schema statements (migrations).
func (r reader) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return r.e.wdb.ExecContext(ctx, query, args...)
}

// txq runs a transaction's statements through statements prepared once on the write connection.
type txq struct {
	e  *engine
	tx *sql.Tx
}

// stmt returns the transaction's handle on a statement prepared once on the write connection,
// or nil the first time a query is seen: it runs directly and is prepared after the commit
// (preparing now would wait for the only write connection, which the transaction holds).
func (t txq) stmt(ctx context.Context, query string) *sql.Stmt {
	w := t.e.wstmts
	w.mu.RLock()
	st, ok := w.m[query]
	w.mu.RUnlock()
	if ok {
		return t.tx.StmtContext(ctx, st)
	}
	w.mu.Lock()
	if len(w.m)+len(w.pending) < maxCachedStmts {
		if w.pending == nil {
			w.pending = map[string]bool{}
		}
		w.pending[query] = true
	}
	w.mu.Unlock()
	return nil
}

func (t txq) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t txq) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t txq) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// prepareTxStmts prepares, on the idle write connection, the statements transactions asked for.
func (e *engine) prepareTxStmts(ctx context.Context) {
	w := e.wstmts
	w.mu.Lock()
	pending := w.pending
	w.pending = nil
	w.mu.Unlock()
	for q := range pending {
		if st, err := e.wdb.PrepareContext(ctx, q); err == nil {
			w.mu.Lock()
			if _, dup := w.m[q]; dup {
				st.Close()
			} else {
				w.m[q] = st
			}
			w.mu.Unlock()
		}
	}
}

// Options are the engine's settings.
type Options struct {
	// Synchronous is SQLite's synchronous setting: "FULL" (the default, also for "": a committed
	// order or cancellation survives a power cut) or "NORMAL" (WAL: survives a crash of the
	// process; the last commits may be lost on a power cut).
	Synchronous string
}

// DSN returns the connection string with the pragmas every pooled connection needs.
func DSN(path string, o Options) string {
	sync := o.Synchronous
	if sync == "" {
		sync = "FULL"
	}
	v := url.Values{}
	for _, p := range []string{"busy_timeout(5000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(" + sync + ")"} {
		v.Add("_pragma", p)
	}
	v.Set("_txlock", "immediate")
	return "file:" + path + "?" + v.Encode()
}

// Open opens (creating if needed) the database file at path. The file is private (0600), and
// so are the -wal and -shm files SQLite makes beside it (it gives them the database's mode);
// the files of an older data directory are made private too.
func Open(path string) (*Store, error) { return OpenWith(path, Options{}) }

// OpenWith is Open with the engine's settings.
func OpenWith(path string, o Options) (*Store, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("make %s private: %w", p, err)
		}
	}
	wdb, err := sql.Open("sqlite", DSN(path, o))
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
	rdb, err := sql.Open("sqlite", DSN(path, o))
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	rdb.SetMaxOpenConns(8)
	rdb.SetMaxIdleConns(8)
	rdb.SetConnMaxLifetime(0)
	e := &engine{rdb: rdb, wdb: wdb, stmts: &stmtCache{m: map[string]*sql.Stmt{}}, wstmts: &stmtCache{m: map[string]*sql.Stmt{}},
		txq: make(chan *txRequest, maxGroup), closed: make(chan struct{}), writerDone: make(chan struct{}),
		limits: ratelimit.NewBuckets()}
	go e.writer()
	return &Store{Store: sqlstore.New(e), e: e}, nil
}

// Migrate applies the SQLite migrations not applied yet.
func (s *Store) Migrate(ctx context.Context) error { return s.Store.Migrate(ctx, migrations.SQLite) }

func (e *engine) Name() string { return "sqlite" }

func (e *engine) Reader() sqlstore.Querier { return reader{e} }

// Close stops the writer, closes the cached statements and both pools.
func (e *engine) Close() error {
	var err error
	e.closeOnce.Do(func() {
		close(e.closed)
		<-e.writerDone
		e.stmts.closeAll()
		e.wstmts.closeAll()
		err = errors.Join(e.rdb.Close(), e.wdb.Close())
	})
	return err
}

// Ping checks that the database answers (for /healthz).
func (e *engine) Ping(ctx context.Context) error {
	var one int
	return e.rdb.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// RunTx runs fn in one write transaction.
//
// Writes are group-committed: one writer goroutine takes the transactions that are waiting,
// runs each inside its own SAVEPOINT of one database transaction, and commits them together —
// one fsync for many audited key reveals instead of one each. A transaction that fails is rolled
// back to its savepoint alone; RunTx returns only once its work is durably committed (or not).
func (e *engine) RunTx(ctx context.Context, fn func(q sqlstore.Querier) error) error {
	req := &txRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	closed := errors.New("the store is closed")
	select {
	case <-e.closed: // checked first: the queue has room after Close too
		return closed
	default:
	}
	select {
	case e.txq <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-e.closed:
		return closed
	}
	var err error
	select {
	case err = <-req.done:
	case <-e.writerDone:
		// The writer stopped (Close) with this request perhaps still queued: it ran or it never will.
		select {
		case err = <-req.done:
		default:
			return closed
		}
	}
	var p *txPanic
	if errors.As(err, &p) {
		panic(p.value)
	}
	return err
}

type txRequest struct {
	ctx  context.Context
	fn   func(q sqlstore.Querier) error
	done chan error
}

// txPanic carries a panic of a transaction's function back to its caller's goroutine.
type txPanic struct{ value any }

func (p *txPanic) Error() string { return fmt.Sprint("panic in transaction: ", p.value) }

// maxGroup bounds how many transactions share one commit.
const maxGroup = 64

// writer is the goroutine that runs every write transaction (see RunTx).
func (e *engine) writer() {
	defer close(e.writerDone)
	for {
		var first *txRequest
		select {
		case first = <-e.txq:
		case <-e.closed:
			return
		}
		batch := []*txRequest{first}
	drain:
		for len(batch) < maxGroup {
			select {
			case r := <-e.txq:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		e.runGroup(batch)
	}
}

func (e *engine) runGroup(batch []*txRequest) {
	ctx := context.Background()
	tx, err := e.wdb.BeginTx(ctx, nil)
	if err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("begin: %w", err)
		}
		return
	}
	q := txq{e: e, tx: tx}
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
		results[i] = runFn(r.fn, q)
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
	e.prepareTxStmts(ctx)
	for i, r := range batch {
		r.done <- results[i]
	}
}

func runFn(fn func(q sqlstore.Querier) error, q sqlstore.Querier) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &txPanic{value: p}
		}
	}()
	return fn(q)
}

// ForUpdate is empty: the single writer already serialises every write transaction.
func (e *engine) ForUpdate() string { return "" }

// ForUpdateNoWait is empty: a transaction never meets another's row lock.
func (e *engine) ForUpdateNoWait() string { return "" }

// LockBusy is never true (see ForUpdateNoWait).
func (e *engine) LockBusy(err error) bool { return false }

// NextEventID is the largest ID + 1, safe inside the single writer (a rolled-back transaction's
// ID is used again, so IDs stay contiguous).
func (e *engine) NextEventID(ctx context.Context, q sqlstore.Querier) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM events`).Scan(&n)
	return n, err
}

// SkipLocked is empty for the same reason.
func (e *engine) SkipLocked() string { return "" }

// NextSupportNumber is max + 1, safe inside the single writer.
func (e *engine) NextSupportNumber(ctx context.Context, q sqlstore.Querier) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT coalesce(max(number), 0) + 1 FROM support_requests`).Scan(&n)
	return n, err
}

// Lock is a no-op: one process serves a SQLite data directory, and its writes are serial.
func (e *engine) Lock(ctx context.Context, key string) (func(), error) { return func() {}, nil }

// Conflict recognises SQLite's constraint errors and names the column of a UNIQUE one.
func (e *engine) Conflict(err error) (bool, string) {
	var se *sqlite3.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3lib.SQLITE_CONSTRAINT {
		return true, constraintField(se.Error())
	}
	return false, ""
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

// CustomerMatch is a substring of the name, domain or tenant ID through the FTS5 trigram index
// for 3 characters or more, "starts with" for one or two.
func (e *engine) CustomerMatch(alias, q string) (string, []any) {
	q = sqlstore.CleanQuery(q)
	if q == "" {
		return "1 = 1", nil
	}
	if len([]rune(q)) >= 3 {
		return alias + `.rowid_ IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?)`, []any{`"` + strings.ReplaceAll(q, `"`, `""`) + `"`}
	}
	return sqlstore.PrefixMatch(alias, q)
}

// TakeToken takes a token from a bucket kept in this process: a SQLite data directory is served
// by one process only (serve holds a lock on it), so its buckets are every instance's.
func (e *engine) TakeToken(ctx context.Context, key string, perSecond float64, burst int, now time.Time) (bool, time.Duration, error) {
	ok, wait := e.limits.Take(key, perSecond, burst, now)
	return ok, wait, nil
}

// PeekToken returns the wait until the bucket has a token.
func (e *engine) PeekToken(ctx context.Context, key string, perSecond float64, burst int, now time.Time) (time.Duration, error) {
	return e.limits.Peek(key, perSecond, burst, now), nil
}

func migrationsFS() fs.FS { return migrations.SQLite }
