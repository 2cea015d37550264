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
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"partnerdesk/internal/ratelimit"
	"partnerdesk/internal/sqlstore"
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

// Options are the engine's settings.
type Options struct {
	// Synchronous is SQLite's synchronous setting: "FULL" (the default, also for "": a committed
	// order or cancellation survives a power cut) or "NORMAL" (WAL: survives a crash of the
	// process; the last commits may be lost on a power cut).
	Synchronous string
}

// DSN returns the connection string with the pragmas every pooled connection needs. Each
// connection keeps 6 MB of pages (SQLite's default is 2 MB); with four readers and the writer
// that is 30 MB, inside the 150 MB budget of the whole process (README, Performance).
func DSN(path string, o Options) string {
	sync := o.Synchronous
	if sync == "" {
		sync = "FULL"
	}
	v := url.Values{}
	for _, p := range []string{"busy_timeout(5000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(" + sync + ")", "cache_size(-6000)"} {
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
	rdb.SetMaxOpenConns(4) // two cores: more readers only split the page cache further
	rdb.SetMaxIdleConns(4)
	rdb.SetConnMaxLifetime(0)
	e := &engine{rdb: rdb, wdb: wdb, stmts: &stmtCache{m: map[string]*sql.Stmt{}}, wstmts: &stmtCache{m: map[string]*sql.Stmt{}},
		txq: make(chan *txRequest, maxGroup), closed: make(chan struct{}), writerDone: make(chan struct{}),
		limits: ratelimit.NewBuckets()}
	go e.writer()
	return &Store{Store: sqlstore.New(e), e: e}, nil
}

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

// CustomerMatch is a substring of the name, domain or tenant ID through the FTS5 trigram index
// for 3 characters or more, "starts with" for one or two.
func (e *engine) CustomerMatch(alias, q string) (string, []any) {
	q = sqlstore.CleanQuery(q)
	if q == "" {
		return "1 = 1", nil
	}
	if len([]rune(q)) >= 3 {
		return alias + `.rowid_ IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?)`, []any{ftsPhrase(q)}
	}
	return sqlstore.PrefixMatch(alias, q)
}

// ftsPhrase is q as one FTS5 phrase (its syntax quoted, not run).
func ftsPhrase(q string) string { return `"` + strings.ReplaceAll(q, `"`, `""`) + `"` }

// CustomerMatchRows is the FTS5 index's rows of a search of 3 characters or more (one per
// matching customer: the index is kept in step with the table), which a capped count reads
// without materialising every match.
func (e *engine) CustomerMatchRows(q string) (string, []any, bool) {
	q = sqlstore.CleanQuery(q)
	if len([]rune(q)) < 3 {
		return "", nil, false
	}
	return `SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?`, []any{ftsPhrase(q)}, true
}

// CustomerMatchDense is CustomerMatch for a search with many matches: "+rowid_" keeps SQLite
// from fetching each match's table row by its rowid and sorting them all; it walks the list's
// covering sort index instead, testing each entry against the matches, and stops at the page's
// end (SQLite 8–15 → 1–3 ms for a word in 2,500 names).
func (e *engine) CustomerMatchDense(alias, q string) (string, []any, bool) {
	q = sqlstore.CleanQuery(q)
	if len([]rune(q)) < 3 {
		return "", nil, false
	}
	return `+` + alias + `.rowid_ IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?)`, []any{ftsPhrase(q)}, true
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
