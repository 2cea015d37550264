package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Bulk inserts many rows in one transaction with prepared statements (large demo and benchmark
// data); it bypasses the use cases on purpose and is not used by the application.
type Bulk struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

// Bulk runs fn in one write transaction.
func (s *Store) Bulk(ctx context.Context, fn func(b *Bulk) error) error {
	// A large page cache keeps the indexes being filled in memory instead of thrashing the disk.
	if _, err := s.wdb.ExecContext(ctx, `PRAGMA cache_size = -524288`); err != nil {
		return err
	}
	defer s.wdb.ExecContext(context.Background(), `PRAGMA cache_size = -2000`)
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	b := &Bulk{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}}
	defer func() {
		for _, st := range b.stmts {
			st.Close()
		}
	}()
	if err := fn(b); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Insert adds a row to table.
func (b *Bulk) Insert(table string, cols []string, vals ...any) error {
	key := table + "(" + strings.Join(cols, ",") + ")"
	st, ok := b.stmts[key]
	if !ok {
		var err error
		st, err = b.tx.PrepareContext(b.ctx, "INSERT INTO "+key+" VALUES ("+placeholders(len(cols))+")")
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

// QueryRow reads one row inside the bulk transaction.
func (b *Bulk) QueryRow(query string, args ...any) *sql.Row {
	return b.tx.QueryRowContext(b.ctx, query, args...)
}

// Exec runs a statement inside the bulk transaction.
func (b *Bulk) Exec(query string, args ...any) error {
	_, err := b.tx.ExecContext(b.ctx, query, args...)
	return err
}
