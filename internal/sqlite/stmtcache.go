package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared statements: a cache per pool of read statements, and the statements of the write transaction.

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
