package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"partnerdesk/internal/desk"
)

// AppendEvent adds an event to the activity log, chaining its hash to the previous event's
// inside the caller's transaction. The one-row chain head is locked while the event is appended,
// so that instances appending at once still make one chain with contiguous IDs; callers append
// last in their transaction, to hold that lock briefly.
func (s *Store) AppendEvent(ctx context.Context, e *desk.Event) error {
	return s.write(ctx, func(tx *Store) error {
		var lastID int64
		var prev []byte
		err := tx.queryRow(ctx, `SELECT last_id, last_hash FROM event_chain WHERE id = 1`+s.eng.ForUpdate()).Scan(&lastID, &prev)
		if err != nil {
			return fmt.Errorf("activity log chain head: %w", err)
		}
		if prev == nil {
			prev = []byte{}
		}
		e.ID = lastID + 1
		e.PrevHash = prev
		e.Hash = desk.EventHash(prev, *e)
		_, err = tx.exec(ctx, `INSERT INTO events (id, at, actor_id, actor_email, actor_tenant_id, actor_roles,
			customer_id, customer_name, operation, resource_type, status, product, order_id, detail, ip, api_token_id, api_token_name, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, ms(e.At), e.ActorID, e.ActorEmail, e.ActorTenantID, int64(e.ActorRoles), e.CustomerID, e.CustomerName,
			e.Operation, e.ResourceType, e.Status, e.Product, e.OrderID, e.Detail, e.IP, e.APITokenID, e.APITokenName, e.PrevHash, e.Hash)
		if err != nil {
			return s.wrap(err, "insert event")
		}
		_, err = tx.exec(ctx, `UPDATE event_chain SET last_id = ?, last_hash = ? WHERE id = 1`, e.ID, e.Hash)
		return s.wrap(err, "advance the chain head")
	})
}

const eventCols = `id, at, actor_id, actor_email, actor_tenant_id, actor_roles, customer_id, customer_name,
	operation, resource_type, status, product, order_id, detail, ip, api_token_id, api_token_name, prev_hash, hash`

func scanEvent(r scanner) (desk.Event, error) {
	var e desk.Event
	var at int64
	err := r.Scan(&e.ID, &at, &e.ActorID, &e.ActorEmail, &e.ActorTenantID, &e.ActorRoles, &e.CustomerID, &e.CustomerName,
		&e.Operation, &e.ResourceType, &e.Status, &e.Product, &e.OrderID, &e.Detail, &e.IP, &e.APITokenID, &e.APITokenName, &e.PrevHash, &e.Hash)
	e.At = fromMS(at)
	return e, err
}

// eventListCols are the events' columns without the hash chain (lists and exports need no hashes).
const eventListCols = `id, at, actor_id, actor_email, actor_tenant_id, actor_roles, customer_id, customer_name,
	operation, resource_type, status, product, order_id, detail, ip, api_token_id, api_token_name`

func scanEventListed(r scanner) (desk.Event, error) {
	var e desk.Event
	var at int64
	err := r.Scan(&e.ID, &at, &e.ActorID, &e.ActorEmail, &e.ActorTenantID, &e.ActorRoles, &e.CustomerID, &e.CustomerName,
		&e.Operation, &e.ResourceType, &e.Status, &e.Product, &e.OrderID, &e.Detail, &e.IP, &e.APITokenID, &e.APITokenName)
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
	rows, err := s.query(ctx, q, args...)
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

// activityWhere builds the WHERE clause of an activity filter.
func (s *Store) activityWhere(f desk.ActivityFilter) (string, []any) {
	where := []string{"at >= ?", "at <= ?"}
	args := []any{ms(f.From), ms(f.To)}
	if f.CustomerQuery != "" {
		// Every customer the search matches, however many: a subquery, not a list of IDs.
		w, a := s.eng.CustomerMatch("c", f.CustomerQuery)
		where = append(where, "customer_id IN (SELECT c.id FROM customers c WHERE "+w+")")
		args = append(args, a...)
	}
	if f.CustomerIDs != nil {
		if len(f.CustomerIDs) == 0 {
			where = append(where, "1 = 0")
		} else {
			where = append(where, "customer_id IN ("+placeholders(len(f.CustomerIDs))+")")
			for _, id := range f.CustomerIDs {
				args = append(args, id)
			}
		}
	}
	if f.Actor != "" {
		where = append(where, "actor_email = ?")
		args = append(args, f.Actor)
	}
	if f.Operation != "" {
		where = append(where, "operation = ?")
		args = append(args, f.Operation)
	}
	if f.ResourceType != "" {
		where = append(where, "resource_type = ?")
		args = append(args, f.ResourceType)
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// FindEvents returns a page of events of the filter, newest first (keyset on at, id: events
// appended while someone pages are never skipped or repeated).
func (s *Store) FindEvents(ctx context.Context, f desk.ActivityFilter) (desk.ActivityPage, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	where, args := s.activityWhere(f)
	if at, id, ok := decodeEventCursor(f.After); ok {
		where += " AND (at, id) < (?, ?)"
		args = append(args, at, id)
	}
	rows, err := s.query(ctx, `SELECT `+eventListCols+` FROM events`+where+` ORDER BY at DESC, id DESC LIMIT ?`, append(args, f.Limit+1)...)
	if err != nil {
		return desk.ActivityPage{}, fmt.Errorf("find events: %w", err)
	}
	defer rows.Close()
	var page desk.ActivityPage
	for rows.Next() {
		e, err := scanEventListed(rows)
		if err != nil {
			return page, err
		}
		page.Items = append(page.Items, e)
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		last := page.Items[len(page.Items)-1]
		page.Next = EncodeCursor(strconv.FormatInt(ms(last.At), 10), strconv.FormatInt(last.ID, 10))
	}
	return page, nil
}

func decodeEventCursor(c string) (int64, int64, bool) {
	k, i, ok := DecodeCursor(c)
	if !ok {
		return 0, 0, false
	}
	at, err1 := strconv.ParseInt(k, 10, 64)
	id, err2 := strconv.ParseInt(i, 10, 64)
	return at, id, err1 == nil && err2 == nil
}

// StreamEvents calls fn for every event of the filter, newest first, one row at a time (the
// CSV export holds one event in memory, whatever the range).
func (s *Store) StreamEvents(ctx context.Context, f desk.ActivityFilter, fn func(desk.Event) error) error {
	where, args := s.activityWhere(f)
	rows, err := s.query(ctx, `SELECT `+eventListCols+` FROM events`+where+` ORDER BY at DESC, id DESC`, args...)
	if err != nil {
		return fmt.Errorf("stream events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEventListed(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

const dayMS = 86400000

// EventDayCounts counts events per day and operation in the filter's range: from the daily
// counts table when only whole days (and perhaps an action) are asked for, else from the events
// themselves.
func (s *Store) EventDayCounts(ctx context.Context, f desk.ActivityFilter) ([]desk.DayCount, error) {
	var rows *sql.Rows
	var err error
	aligned := ms(f.From)%dayMS == 0 && (ms(f.To)+1)%dayMS == 0
	switch {
	case f.CustomerIDs == nil && f.CustomerQuery == "" && f.Actor == "" && f.ResourceType == "" && aligned && f.Operation == "":
		rows, err = s.query(ctx, `SELECT day, operation, n FROM event_counts WHERE day >= ? AND day <= ? ORDER BY day, operation`,
			ms(f.From)/dayMS, ms(f.To)/dayMS)
	case f.CustomerIDs == nil && f.CustomerQuery == "" && f.Actor == "" && f.ResourceType == "" && aligned:
		// One action over whole days: its row of the daily counts, not a count of its events.
		rows, err = s.query(ctx, `SELECT day, operation, n FROM event_counts WHERE operation = ? AND day >= ? AND day <= ? ORDER BY day`,
			f.Operation, ms(f.From)/dayMS, ms(f.To)/dayMS)
	default:
		where, args := s.activityWhere(f)
		rows, err = s.query(ctx, `SELECT at / 86400000, operation, count(*) FROM events`+where+` GROUP BY at / 86400000, operation ORDER BY 1, 2`, args...)
	}
	if err != nil {
		return nil, fmt.Errorf("event counts: %w", err)
	}
	defer rows.Close()
	var out []desk.DayCount
	for rows.Next() {
		var day int64
		var c desk.DayCount
		if err := rows.Scan(&day, &c.Operation, &c.N); err != nil {
			return nil, err
		}
		c.Day = fromMS(day * dayMS)
		out = append(out, c)
	}
	return out, rows.Err()
}

// VerifyEvents walks the whole log in order and returns the ID of the first event whose link is
// broken (its prev_hash is not its predecessor's hash, or its hash does not recompute), 0 when
// the chain is intact, and the number of events checked.
func (s *Store) VerifyEvents(ctx context.Context) (int64, int64, error) {
	rows, err := s.query(ctx, `SELECT `+eventCols+` FROM events ORDER BY id`)
	if err != nil {
		return 0, 0, fmt.Errorf("verify events: %w", err)
	}
	defer rows.Close()
	prev := []byte{}
	var n int64
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return 0, n, err
		}
		n++
		if !bytes.Equal(e.PrevHash, prev) || !bytes.Equal(desk.EventHash(e.PrevHash, e), e.Hash) {
			return e.ID, n, nil
		}
		prev = e.Hash
	}
	return 0, n, rows.Err()
}

// EventByID returns one event of the activity log, or ENOTFOUND.
func (s *Store) EventByID(ctx context.Context, id int64) (desk.Event, error) {
	e, err := scanEventListed(s.queryRow(ctx, `SELECT `+eventListCols+` FROM events WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, desk.Errorf(desk.ENOTFOUND, "err.audit_record_not_found")
	}
	if err != nil {
		return e, fmt.Errorf("event %d: %w", id, err)
	}
	return e, nil
}
