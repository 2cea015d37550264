package sqlstore

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"partnerdesk/internal/desk"
)

// SetAuditKey sets the activity log's HMAC key (desk.DeriveAuditKey of the key-encryption key):
// events are written with a MAC under it and linked with it. It is held in the process only.
func (s *Store) SetAuditKey(key []byte) { s.shared.auditKey = key }

func (s *Store) auditKey() ([]byte, error) {
	if len(s.shared.auditKey) == 0 {
		return nil, errors.New("the activity log's key is not set")
	}
	return s.shared.auditKey, nil
}

// AppendEvent adds an event to the activity log inside the caller's transaction, with its ID
// from the engine and a MAC of its fields under the audit key, and without a link: it takes no
// lock that another transaction waits for (on PostgreSQL a shared chain head held until the
// commit's WAL flush made audited writes follow one another). SealEvents links it after the
// commit.
func (s *Store) AppendEvent(ctx context.Context, e *desk.Event) error {
	key, err := s.auditKey()
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		id, err := s.eng.NextEventID(ctx, tx.q)
		if err != nil {
			return fmt.Errorf("activity log event id: %w", err)
		}
		e.ID, e.Seq, e.PrevHash, e.Hash = id, 0, []byte{}, []byte{}
		e.MAC = desk.EventMAC(key, *e)
		_, err = tx.exec(ctx, `INSERT INTO events (id, at, actor_id, actor_email, actor_tenant_id, actor_roles,
			customer_id, customer_name, operation, resource_type, status, product, order_id, detail, ip, api_token_id, api_token_name, mac, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, ms(e.At), e.ActorID, e.ActorEmail, e.ActorTenantID, int64(e.ActorRoles), e.CustomerID, e.CustomerName,
			e.Operation, e.ResourceType, e.Status, e.Product, e.OrderID, e.Detail, e.IP, e.APITokenID, e.APITokenName, e.MAC, e.PrevHash, e.Hash)
		return s.wrap(err, "insert event")
	})
}

// SealEvents links up to limit events written since the last seal into the chain: under the
// one-row chain head's lock (one sealer at a time across instances; with wait false a sealer
// that finds it taken does nothing), the unlinked events get the next positions in ID order and
// each its predecessor's hash and its own (desk.EventHash) — the one update the append-only
// triggers allow — and their daily counts are added to event_counts, in one transaction. A
// transaction still in flight is not seen; its events get later positions.
func (s *Store) SealEvents(ctx context.Context, limit int, wait bool) (desk.SealResult, error) {
	key, err := s.auditKey()
	if err != nil {
		return desk.SealResult{}, err
	}
	if !wait && !s.tx {
		// Most runs find nothing to link: a read says so without a write transaction.
		var one int
		if err := s.queryRow(ctx, `SELECT 1 FROM events WHERE length(hash) = 0 LIMIT 1`).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return desk.SealResult{}, nil
		} else if err != nil {
			return desk.SealResult{}, fmt.Errorf("unlinked events: %w", err)
		}
	}
	var res desk.SealResult
	err = s.InTx(ctx, func(tx *Store) error {
		res = desk.SealResult{}
		lock := s.eng.ForUpdateNoWait()
		if wait {
			lock = s.eng.ForUpdate()
		}
		var last int64
		var prev []byte
		if err := tx.queryRow(ctx, `SELECT last_seq, last_hash FROM event_chain WHERE id = 1`+lock).Scan(&last, &prev); err != nil {
			if s.eng.LockBusy(err) {
				res.Busy = true
				return errSealBusy // rolls back: the failed lock ended the transaction on PostgreSQL
			}
			return fmt.Errorf("activity log chain head: %w", err)
		}
		if prev == nil {
			prev = []byte{}
		}
		rows, err := tx.query(ctx, `SELECT `+eventCols+` FROM events WHERE length(hash) = 0 ORDER BY id LIMIT ?`, limit)
		if err != nil {
			return fmt.Errorf("unlinked events: %w", err)
		}
		evs, err := scanRows(rows, scanEvent)
		if err != nil || len(evs) == 0 {
			return err
		}
		type dayOp struct {
			day int64
			op  string
		}
		counts := map[dayOp]int64{}
		for i := range evs {
			e := &evs[i]
			if !hmac.Equal(e.MAC, desk.EventMAC(key, *e)) {
				res.Forged = append(res.Forged, e.ID)
			}
			last++
			e.Seq, e.PrevHash = last, prev
			e.Hash = desk.EventHash(key, prev, *e)
			r, err := tx.exec(ctx, `UPDATE events SET seq = ?, prev_hash = ?, hash = ? WHERE id = ? AND length(hash) = 0`, e.Seq, e.PrevHash, e.Hash, e.ID)
			if err != nil {
				return s.wrap(err, "link event")
			}
			if n, err := r.RowsAffected(); err != nil || n != 1 {
				return fmt.Errorf("link event %d: %d rows, %v", e.ID, n, err)
			}
			prev = e.Hash
			counts[dayOp{ms(e.At) / dayMS, e.Operation}]++
		}
		for k, n := range counts {
			if _, err := tx.exec(ctx, `INSERT INTO event_counts (day, operation, n) VALUES (?, ?, ?)
				ON CONFLICT (day, operation) DO UPDATE SET n = event_counts.n + excluded.n`, k.day, k.op, n); err != nil {
				return s.wrap(err, "count events")
			}
		}
		if _, err := tx.exec(ctx, `UPDATE event_chain SET last_seq = ?, last_hash = ? WHERE id = 1`, last, prev); err != nil {
			return s.wrap(err, "advance the chain head")
		}
		res.Sealed = len(evs)
		return nil
	})
	if errors.Is(err, errSealBusy) {
		return res, nil
	}
	return res, err
}

var errSealBusy = errors.New("another sealer holds the chain head")

// ChainHead returns the chain's last position and that event's hash (0 and empty for none).
func (s *Store) ChainHead(ctx context.Context) (int64, []byte, error) {
	var last int64
	var h []byte
	if err := s.queryRow(ctx, `SELECT last_seq, last_hash FROM event_chain WHERE id = 1`).Scan(&last, &h); err != nil {
		return 0, nil, fmt.Errorf("activity log chain head: %w", err)
	}
	return last, h, nil
}

// KeyedEventsExist reports whether any event was linked with the audit key.
func (s *Store) KeyedEventsExist(ctx context.Context) (bool, error) {
	var one int
	err := s.queryRow(ctx, `SELECT 1 FROM events WHERE seq IS NOT NULL LIMIT 1`).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// WalkChain calls fn for every linked event in chain order: first the events linked before the
// chain was keyed (their position is their ID), by ID, then the keyed chain by position. One
// event is held at a time.
func (s *Store) WalkChain(ctx context.Context, fn func(desk.Event) error) error {
	for _, q := range []string{
		`SELECT ` + eventCols + ` FROM events WHERE seq IS NULL AND length(hash) > 0 ORDER BY id`,
		`SELECT ` + eventCols + ` FROM events WHERE seq IS NOT NULL ORDER BY seq`,
	} {
		if err := s.walk(ctx, q, fn); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) walk(ctx context.Context, q string, fn func(desk.Event) error) error {
	rows, err := s.query(ctx, q)
	if err != nil {
		return fmt.Errorf("walk the activity log: %w", err)
	}
	return eachRow(rows, func() error {
		e, err := scanEvent(rows)
		if err != nil {
			return err
		}
		if e.Seq == 0 {
			e.Seq = e.ID
		}
		return fn(e)
	})
}

// UnlinkedEvents counts the events not linked into the chain yet, and of them those written
// before staleBefore.
func (s *Store) UnlinkedEvents(ctx context.Context, staleBefore time.Time) (int64, int64, error) {
	var all, stale int64
	err := s.queryRow(ctx, `SELECT count(*), coalesce(sum(CASE WHEN at < ? THEN 1 ELSE 0 END), 0) FROM events WHERE length(hash) = 0`, ms(staleBefore)).Scan(&all, &stale)
	if err != nil {
		return 0, 0, fmt.Errorf("unlinked events: %w", err)
	}
	return all, stale, nil
}

// BulkEvents appends n events made by gen to the chain inside a bulk load (demo and benchmark
// data, never the application's own writes): IDs after the last, positions after the chain
// head's, MACs and links under the audit key, and the head and daily counts brought up to date.
// Events written by the application and not linked yet are linked after these.
func (s *Store) BulkEvents(b Bulk, n int, gen func(i int) desk.Event) error {
	key, err := s.auditKey()
	if err != nil {
		return err
	}
	var last, maxID int64
	var prev []byte
	if err := b.QueryRow(`SELECT last_seq, last_hash FROM event_chain WHERE id = 1`+s.eng.ForUpdate()).Scan(&last, &prev); err != nil {
		return fmt.Errorf("activity log chain head: %w", err)
	}
	if err := b.QueryRow(`SELECT coalesce(max(id), 0) FROM events`).Scan(&maxID); err != nil {
		return err
	}
	cols := []string{"id", "at", "actor_id", "actor_email", "actor_tenant_id", "actor_roles", "customer_id", "customer_name", "operation",
		"resource_type", "status", "product", "order_id", "detail", "ip", "seq", "mac", "prev_hash", "hash"}
	type dayOp struct {
		day int64
		op  string
	}
	counts := map[dayOp]int64{}
	if prev == nil {
		prev = []byte{}
	}
	for i := 0; i < n; i++ {
		e := gen(i)
		e.ID, e.Seq, e.PrevHash = maxID+int64(i)+1, last+int64(i)+1, prev
		e.MAC = desk.EventMAC(key, e)
		e.Hash = desk.EventHash(key, prev, e)
		if err := b.Insert("events", cols, e.ID, ms(e.At), e.ActorID, e.ActorEmail, e.ActorTenantID, int64(e.ActorRoles), e.CustomerID, e.CustomerName,
			e.Operation, e.ResourceType, e.Status, e.Product, e.OrderID, e.Detail, e.IP, e.Seq, e.MAC, e.PrevHash, e.Hash); err != nil {
			return err
		}
		prev = e.Hash
		counts[dayOp{ms(e.At) / dayMS, e.Operation}]++
	}
	for k, c := range counts {
		if err := b.Exec(`INSERT INTO event_counts (day, operation, n) VALUES (?, ?, ?)
			ON CONFLICT (day, operation) DO UPDATE SET n = event_counts.n + excluded.n`, k.day, k.op, c); err != nil {
			return err
		}
	}
	return b.Exec(`UPDATE event_chain SET last_seq = ?, last_hash = ? WHERE id = 1`, last+int64(n), prev)
}

const eventCols = `id, at, actor_id, actor_email, actor_tenant_id, actor_roles, customer_id, customer_name,
	operation, resource_type, status, product, order_id, detail, ip, api_token_id, api_token_name, coalesce(seq, 0), mac, prev_hash, hash`

func scanEvent(r scanner) (desk.Event, error) {
	var e desk.Event
	var at int64
	err := r.Scan(&e.ID, &at, &e.ActorID, &e.ActorEmail, &e.ActorTenantID, &e.ActorRoles, &e.CustomerID, &e.CustomerName,
		&e.Operation, &e.ResourceType, &e.Status, &e.Product, &e.OrderID, &e.Detail, &e.IP, &e.APITokenID, &e.APITokenName, &e.Seq, &e.MAC, &e.PrevHash, &e.Hash)
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
	return scanRows(rows, scanEvent)
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
	var page desk.ActivityPage
	if page.Items, err = scanRows(rows, scanEventListed); err != nil {
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
	return eachRow(rows, func() error {
		e, err := scanEventListed(rows)
		if err != nil {
			return err
		}
		return fn(e)
	})
}

const dayMS = 86400000

// EventDayCounts counts events per day and operation in the filter's range: from the daily
// counts table when only whole days (and perhaps an action) are asked for, else from the events
// themselves.
func (s *Store) EventDayCounts(ctx context.Context, f desk.ActivityFilter) ([]desk.DayCount, error) {
	var rows *sql.Rows
	var err error
	aligned := ms(f.From)%dayMS == 0 && (ms(f.To)+1)%dayMS == 0
	// The daily counts hold the linked events (the sealer adds them); the few written since the
	// last seal are counted from the events themselves, in the same statement (one snapshot: an
	// event linked meanwhile is counted once). Those are read from the small partial index of
	// unlinked events: "+at" and "operation || ''" keep the planner off the range indexes, which
	// would visit every event of the range to find the unlinked ones (SQLite: 1 → 50+ ms a chart).
	switch {
	case f.CustomerIDs == nil && f.CustomerQuery == "" && f.Actor == "" && f.ResourceType == "" && aligned && f.Operation == "":
		rows, err = s.query(ctx, `SELECT day, operation, CAST(sum(n) AS BIGINT) FROM (
				SELECT day, operation, n FROM event_counts WHERE day >= ? AND day <= ?
				UNION ALL
				SELECT at / 86400000 AS day, operation, count(*) AS n FROM events WHERE length(hash) = 0 AND +at >= ? AND +at <= ? GROUP BY at / 86400000, operation
			) c GROUP BY day, operation ORDER BY day, operation`,
			ms(f.From)/dayMS, ms(f.To)/dayMS, ms(f.From), ms(f.To))
	case f.CustomerIDs == nil && f.CustomerQuery == "" && f.Actor == "" && f.ResourceType == "" && aligned:
		// One action over whole days: its row of the daily counts, not a count of its events.
		rows, err = s.query(ctx, `SELECT day, operation, CAST(sum(n) AS BIGINT) FROM (
				SELECT day, operation, n FROM event_counts WHERE operation = ? AND day >= ? AND day <= ?
				UNION ALL
				SELECT at / 86400000 AS day, operation, count(*) AS n FROM events WHERE length(hash) = 0 AND operation || '' = ? AND +at >= ? AND +at <= ? GROUP BY at / 86400000, operation
			) c GROUP BY day, operation ORDER BY day, operation`,
			f.Operation, ms(f.From)/dayMS, ms(f.To)/dayMS, f.Operation, ms(f.From), ms(f.To))
	default:
		where, args := s.activityWhere(f)
		rows, err = s.query(ctx, `SELECT at / 86400000, operation, count(*) FROM events`+where+` GROUP BY at / 86400000, operation ORDER BY 1, 2`, args...)
	}
	if err != nil {
		return nil, fmt.Errorf("event counts: %w", err)
	}
	return scanAll(rows, func(c *desk.DayCount) error {
		var day int64
		if err := rows.Scan(&day, &c.Operation, &c.N); err != nil {
			return err
		}
		c.Day = fromMS(day * dayMS)
		return nil
	})
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
