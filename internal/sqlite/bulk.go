package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"partnerdesk/internal/sqlstore"
)

// bulk inserts rows in one transaction through prepared statements.
type bulk struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

// Bulk runs fn in one write transaction on the write connection, then merges the customer
// search index into one segment (the inserts leave thousands of small ones, and a search would
// read every one).
func (e *engine) Bulk(ctx context.Context, fn func(b sqlstore.Bulk) error) error {
	// A large page cache keeps the indexes being filled in memory instead of thrashing the disk.
	if _, err := e.wdb.ExecContext(ctx, `PRAGMA cache_size = -524288`); err != nil {
		return err
	}
	defer e.wdb.ExecContext(context.Background(), `PRAGMA cache_size = -6000`)
	tx, err := e.wdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	b := &bulk{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}}
	defer func() {
		for _, st := range b.stmts {
			st.Close()
		}
	}()
	if err := fn(b); err != nil {
		tx.Rollback()
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO customers_fts (customers_fts) VALUES ('optimize')`); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Insert adds a row to table.
func (b *bulk) Insert(table string, cols []string, vals ...any) error {
	key := table + "(" + strings.Join(cols, ",") + ")"
	st, ok := b.stmts[key]
	if !ok {
		var err error
		st, err = b.tx.PrepareContext(b.ctx, "INSERT INTO "+key+" VALUES ("+strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",")+")")
		if err != nil {
			return fmt.Errorf("prepare %s: %w", key, err)
		}
		b.stmts[key] = st
	}
	if _, err := st.ExecContext(b.ctx, vals...); err != nil {
		return fmt.Errorf("insert %s: %w", table, err)
	}
	return nil
}

// Exec runs a statement inside the bulk transaction.
func (b *bulk) Exec(query string, args ...any) error {
	_, err := b.tx.ExecContext(b.ctx, query, args...)
	return err
}

// QueryRow reads one row inside the bulk transaction.
func (b *bulk) QueryRow(query string, args ...any) sqlstore.Row {
	return b.tx.QueryRowContext(b.ctx, query, args...)
}
