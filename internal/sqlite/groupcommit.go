package sqlite

import (
	"context"
	"errors"
	"fmt"

	"partnerdesk/internal/sqlstore"
)

// The single writer: write transactions are group-committed.

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
