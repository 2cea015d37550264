package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"partnerdesk/internal/desk"
)

// AppendEvent adds an event to the activity log, chaining its hash to the previous event's
// (inside the caller's transaction, so the chain has no gaps or forks).
func (s *Store) AppendEvent(ctx context.Context, e *desk.Event) error {
	return s.write(ctx, func(tx *Store) error {
		var lastID int64
		var prev []byte
		err := tx.q.QueryRowContext(ctx, `SELECT id, hash FROM events ORDER BY id DESC LIMIT 1`).Scan(&lastID, &prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("last event: %w", err)
		}
		if prev == nil {
			prev = []byte{}
		}
		e.ID = lastID + 1
		e.PrevHash = prev
		e.Hash = desk.EventHash(prev, *e)
		_, err = tx.q.ExecContext(ctx, `INSERT INTO events (id, at, actor_id, actor_email, actor_tenant_id, actor_roles,
			customer_id, customer_name, operation, resource_type, status, product, order_id, detail, ip, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, ms(e.At), e.ActorID, e.ActorEmail, e.ActorTenantID, e.ActorRoles, e.CustomerID, e.CustomerName,
			e.Operation, e.ResourceType, e.Status, e.Product, e.OrderID, e.Detail, e.IP, e.PrevHash, e.Hash)
		return wrap(err, "insert event")
	})
}

const eventCols = `id, at, actor_id, actor_email, actor_tenant_id, actor_roles, customer_id, customer_name,
	operation, resource_type, status, product, order_id, detail, ip, prev_hash, hash`

func scanEvent(r scanner) (desk.Event, error) {
	var e desk.Event
	var at int64
	err := r.Scan(&e.ID, &at, &e.ActorID, &e.ActorEmail, &e.ActorTenantID, &e.ActorRoles, &e.CustomerID, &e.CustomerName,
		&e.Operation, &e.ResourceType, &e.Status, &e.Product, &e.OrderID, &e.Detail, &e.IP, &e.PrevHash, &e.Hash)
	e.At = fromMS(at)
	return e, err
}

// RecentEvents returns the newest events, newest first (at most limit), optionally of one operation.
func (s *Store) RecentEvents(ctx context.Context, operation string, limit int) ([]desk.Event, error) {
	q := `SELECT ` + eventCols + ` FROM events ORDER BY id DESC LIMIT ?`
	args := []any{limit}
	if operation != "" {
		q = `SELECT ` + eventCols + ` FROM events WHERE operation = ? ORDER BY id DESC LIMIT ?`
		args = []any{operation, limit}
	}
	rows, err := s.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("recent events: %w", err)
	}
	defer rows.Close()
	var out []desk.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
