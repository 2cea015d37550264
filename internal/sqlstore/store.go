// Package sqlstore is PartnerDesk's store on database/sql, shared by both engines (internal/sqlite
// and internal/postgres): one file per table, queries written once with ? placeholders, the
// migration runner, and the mapping of driver errors to domain errors (a constraint violation is
// ECONFLICT naming the field, no rows is ENOTFOUND). It holds no business rules; what differs
// between the engines sits behind the small Engine interface.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Querier runs statements: the engine's read pool, or a transaction. Queries use ? placeholders;
// the engine rebinds them for its driver.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Engine is what differs between SQLite and PostgreSQL.
type Engine interface {
	// Name is "sqlite" or "postgres".
	Name() string
	// Reader runs reads outside a transaction.
	Reader() Querier
	// RunTx runs fn in one write transaction, all or nothing. The engine may run fn more than
	// once (PostgreSQL retries on a serialization failure), so fn must not keep state outside it.
	RunTx(ctx context.Context, fn func(q Querier) error) error
	// CustomerMatch is the SQL condition "the customer row alias matches the search q" (a
	// substring of the name, domain or tenant ID) with its arguments.
	CustomerMatch(alias, q string) (string, []any)
	// ForUpdate is the suffix of a SELECT that locks its rows until the transaction ends ("" where
	// writes are serial anyway).
	ForUpdate() string
	// ForUpdateNoWait is ForUpdate that fails at once (LockBusy) when another transaction holds
	// a row.
	ForUpdateNoWait() string
	// LockBusy reports whether err is ForUpdateNoWait's failure.
	LockBusy(err error) bool
	// NextEventID returns the ID of the next activity log event inside the transaction q.
	NextEventID(ctx context.Context, q Querier) (int64, error)
	// SkipLocked is the suffix of a SELECT that claims rows no other transaction holds.
	SkipLocked() string
	// NextSupportNumber returns the next support request number inside the transaction q.
	NextSupportNumber(ctx context.Context, q Querier) (int, error)
	// Conflict reports whether err is a constraint violation, with the column it names if any.
	Conflict(err error) (bool, string)
	// TakeToken takes one token of the rate-limit bucket key (perSecond tokens a second, at most
	// burst); false, with the wait until the next token, when it is empty.
	TakeToken(ctx context.Context, key string, perSecond float64, burst int, now time.Time) (bool, time.Duration, error)
	// PeekToken returns the wait until bucket key has a token (0: it has one), taking nothing.
	PeekToken(ctx context.Context, key string, perSecond float64, burst int, now time.Time) (time.Duration, error)
	// Bulk runs fn with a bulk inserter in one transaction (demo and benchmark data).
	Bulk(ctx context.Context, fn func(b Bulk) error) error
	// Lock holds an exclusive lock named key across every instance until unlock is called.
	Lock(ctx context.Context, key string) (unlock func(), err error)
	Ping(ctx context.Context) error
	Close() error
}

// Bulk inserts many rows at once; it bypasses the use cases on purpose (large demo and benchmark
// data) and is not used by the application. Rows of parent tables must be inserted before their
// children's (an engine may buffer rows, and writes them in the order tables were first seen).
type Bulk interface {
	// Insert adds a row to table.
	Insert(table string, cols []string, vals ...any) error
	// Exec runs a statement inside the bulk transaction, after every row inserted so far.
	Exec(query string, args ...any) error
	// QueryRow reads one row inside the bulk transaction, after every row inserted so far.
	QueryRow(query string, args ...any) Row
}

// Row is one row of a query.
type Row interface{ Scan(dest ...any) error }

// Store is the store on one engine. Its methods run on the read pool, or inside InTx on the
// transaction.
type Store struct {
	eng    Engine
	q      Querier
	tx     bool
	shared *shared
}

// shared is what a store and its transactions' stores have in common.
type shared struct {
	// auditKey keys the activity log's MACs and links (SetAuditKey).
	auditKey []byte
}

// New returns the store of an engine.
func New(eng Engine) *Store { return &Store{eng: eng, q: eng.Reader(), shared: &shared{}} }

// Engine returns the store's engine.
func (s *Store) Engine() Engine { return s.eng }

// Close closes the engine.
func (s *Store) Close() error { return s.eng.Close() }

// Ping checks that the database answers (for /healthz).
func (s *Store) Ping(ctx context.Context) error { return s.eng.Ping(ctx) }

// InTx runs fn in one write transaction; fn's store reads and writes through it. An error or a
// panic rolls fn's work back. Inside a transaction InTx runs fn in it.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.tx {
		return fn(s)
	}
	return s.eng.RunTx(ctx, func(q Querier) error { return fn(&Store{eng: s.eng, q: q, tx: true, shared: s.shared}) })
}

// write runs a statement-level write: inside InTx through the transaction, else in its own.
func (s *Store) write(ctx context.Context, fn func(tx *Store) error) error { return s.InTx(ctx, fn) }

func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.q.ExecContext(ctx, query, args...)
}

func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.q.QueryContext(ctx, query, args...)
}

func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.q.QueryRowContext(ctx, query, args...)
}

// Bulk runs fn with the engine's bulk inserter (events go through BulkEvents, which keeps the
// activity log's chain).
func (s *Store) Bulk(ctx context.Context, fn func(b Bulk) error) error { return s.eng.Bulk(ctx, fn) }

// TakeToken takes a token of a rate-limit bucket (see Engine.TakeToken).
func (s *Store) TakeToken(ctx context.Context, key string, perSecond float64, burst int, now time.Time) (bool, time.Duration, error) {
	return s.eng.TakeToken(ctx, key, perSecond, burst, now)
}

// PeekToken returns the wait until a bucket has a token (see Engine.PeekToken).
func (s *Store) PeekToken(ctx context.Context, key string, perSecond float64, burst int, now time.Time) (time.Duration, error) {
	return s.eng.PeekToken(ctx, key, perSecond, burst, now)
}

// GetMeta reads a value of the meta table ("" and false when unset).
func (s *Store) GetMeta(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.queryRow(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
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
		_, err := tx.exec(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return tx.wrap(err, "set meta "+key)
	})
}

// ClaimMeta sets a meta value only if the key is unset, and returns the value the key holds
// afterwards with whether this call set it. Instances starting together on one database agree on
// one value: the losers wait for the winner's transaction and read its value.
func (s *Store) ClaimMeta(ctx context.Context, key, value string) (string, bool, error) {
	var claimed bool
	err := s.write(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, value)
		if err != nil {
			return tx.wrap(err, "claim meta "+key)
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	if err != nil {
		return "", false, err
	}
	if claimed {
		return value, true, nil
	}
	v, _, err := s.GetMeta(ctx, key)
	return v, false, err
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// flag stores a bool as the integer column both engines share.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// Rebind rewrites ? placeholders as $1, $2, … (PostgreSQL), leaving quoted text alone.
func Rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// scanAll reads every row of rows into a slice, scan filling one value (with rows.Scan), and
// closes rows: the one row loop of the store.
func scanAll[T any](rows *sql.Rows, scan func(*T) error) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// eachRow calls fn for every row of rows (fn reads it with rows.Scan) and closes rows: for
// results that are not a slice (maps, counts).
func eachRow(rows *sql.Rows, fn func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanRows reads every row of rows with a row scanner (scanEvent, scanUser …) and closes rows.
func scanRows[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	return scanAll(rows, func(v *T) (err error) {
		*v, err = scan(rows)
		return err
	})
}
