package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"partnerdesk/internal/sqlstore"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// bulkRows is how many buffered rows trigger a COPY of every table's buffer.
const bulkRows = 20000

// bulk buffers rows per table and writes them with COPY, all in one transaction.
type bulk struct {
	ctx    context.Context
	e      *engine
	tx     pgx.Tx
	order  []string
	tables map[string]*copyBuf
	n      int
}

type copyBuf struct {
	cols []string
	rows [][]any
}

// Bulk runs fn in one transaction on one connection, writing the rows with COPY, then vacuums
// and analyses the tables it filled: the planner needs their statistics, index-only scans need
// the visibility map, and the trigram index must merge its pending list (a search would scan
// it whole otherwise).
func (e *engine) Bulk(ctx context.Context, fn func(b sqlstore.Bulk) error) error {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.Background())
		b := &bulk{ctx: ctx, e: e, tx: tx, tables: map[string]*copyBuf{}}
		if err := fn(b); err != nil {
			return err
		}
		if err := b.flush(); err != nil {
			return err
		}
		if _, ok := b.tables["events"]; ok {
			// Bulk events carry their IDs: the sequence continues after them.
			if _, err := tx.Exec(ctx, `SELECT setval('events_id_seq', coalesce((SELECT max(id) FROM events), 0) + 1, false)`); err != nil {
				return err
			}
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
		for _, t := range b.order {
			if _, err := pc.Exec(ctx, "VACUUM (ANALYZE) "+pgx.Identifier{t}.Sanitize()); err != nil {
				return err
			}
		}
		return nil
	})
}

// Insert buffers a row; the buffers are copied in the order their tables were first seen
// (parents before children) once enough rows wait.
func (b *bulk) Insert(table string, cols []string, vals ...any) error {
	buf, ok := b.tables[table]
	if !ok {
		buf = &copyBuf{cols: cols}
		b.tables[table] = buf
		b.order = append(b.order, table)
	}
	if len(cols) != len(buf.cols) {
		return fmt.Errorf("bulk insert into %s: %d columns, first row had %d", table, len(cols), len(buf.cols))
	}
	buf.rows = append(buf.rows, vals)
	if b.n++; b.n >= bulkRows {
		return b.flush()
	}
	return nil
}

func (b *bulk) flush() error {
	for _, t := range b.order {
		buf := b.tables[t]
		if len(buf.rows) == 0 {
			continue
		}
		if _, err := b.tx.CopyFrom(b.ctx, pgx.Identifier{t}, buf.cols, pgx.CopyFromRows(buf.rows)); err != nil {
			return fmt.Errorf("copy into %s: %w", t, err)
		}
		buf.rows = buf.rows[:0]
	}
	b.n = 0
	return nil
}

// Exec runs a statement after copying the rows buffered so far.
func (b *bulk) Exec(query string, args ...any) error {
	if err := b.flush(); err != nil {
		return err
	}
	_, err := b.tx.Exec(b.ctx, b.e.rebind(query), args...)
	return err
}

// QueryRow reads one row after copying the rows buffered so far.
func (b *bulk) QueryRow(query string, args ...any) sqlstore.Row {
	if err := b.flush(); err != nil {
		return errRow{err}
	}
	return noRows{b.tx.QueryRow(b.ctx, b.e.rebind(query), args...)}
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// noRows reports pgx's "no rows" as database/sql's, which callers test for.
type noRows struct{ r pgx.Row }

func (r noRows) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if err == pgx.ErrNoRows {
		return sql.ErrNoRows
	}
	return err
}
