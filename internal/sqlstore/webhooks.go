package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"partnerdesk/internal/desk"
)

// WebhookRegistration returns the webhook registration, with false when there is none.
func (s *Store) WebhookRegistration(ctx context.Context) (desk.WebhookRegistration, bool, error) {
	var r desk.WebhookRegistration
	var events string
	var until sql.NullInt64
	var created, updated int64
	err := s.queryRow(ctx, `SELECT url, events, secret, previous_secret, previous_until, created_at, updated_at FROM webhook_registration WHERE id = 1`).
		Scan(&r.URL, &events, &r.Secret, &r.PreviousSecret, &until, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("webhook registration: %w", err)
	}
	if events != "" {
		r.Events = strings.Split(events, ",")
	}
	if until.Valid {
		r.PreviousUntil = fromMS(until.Int64)
	}
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return r, true, nil
}

func nullMS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ms(t)
}

func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// CreateWebhookRegistration registers the webhook; ECONFLICT when one is registered already.
func (s *Store) CreateWebhookRegistration(ctx context.Context, r desk.WebhookRegistration) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `INSERT INTO webhook_registration (id, url, events, secret, previous_secret, previous_until, created_at, updated_at)
			VALUES (1, ?, ?, ?, ?, ?, ?, ?)`, r.URL, strings.Join(r.Events, ","), r.Secret, nullBytes(r.PreviousSecret), nullMS(r.PreviousUntil),
			ms(r.CreatedAt), ms(r.UpdatedAt))
		if desk.ErrorCode(s.wrap(err, "")) == desk.ECONFLICT {
			return desk.Errorf(desk.ECONFLICT, "err.webhook_exists")
		}
		return s.wrap(err, "insert webhook registration")
	})
}

// UpdateWebhookRegistration replaces the registration's URL, events and secrets; ENOTFOUND when
// none is registered.
func (s *Store) UpdateWebhookRegistration(ctx context.Context, r desk.WebhookRegistration) error {
	return s.write(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `UPDATE webhook_registration SET url = ?, events = ?, secret = ?, previous_secret = ?, previous_until = ?, updated_at = ?
			WHERE id = 1`, r.URL, strings.Join(r.Events, ","), r.Secret, nullBytes(r.PreviousSecret), nullMS(r.PreviousUntil), ms(r.UpdatedAt))
		if err != nil {
			return s.wrap(err, "update webhook registration")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return desk.Errorf(desk.ENOTFOUND, "err.webhook_none")
		}
		return nil
	})
}

// DeleteWebhookRegistration removes the registration; the events still waiting for delivery
// are marked failed (there is nowhere to send them). ENOTFOUND when none is registered.
func (s *Store) DeleteWebhookRegistration(ctx context.Context, now time.Time) error {
	return s.write(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `DELETE FROM webhook_registration WHERE id = 1`)
		if err != nil {
			return s.wrap(err, "delete webhook registration")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return desk.Errorf(desk.ENOTFOUND, "err.webhook_none")
		}
		_, err = tx.exec(ctx, `UPDATE webhook_events SET status = 'failed', last_error = ?, last_detail = '', last_attempt_at = coalesce(last_attempt_at, ?)
			WHERE status = 'pending'`, desk.WebhookErrUnregistered, ms(now))
		return s.wrap(err, "fail the pending webhook events")
	})
}

// EnqueueWebhook writes an event into the outbox, in the caller's transaction.
func (s *Store) EnqueueWebhook(ctx context.Context, e desk.WebhookEvent) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `INSERT INTO webhook_events (id, name, body, created_at, status, next_attempt_at, give_up_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
			e.ID, e.Name, string(e.Body), ms(e.CreatedAt), ms(e.NextAttemptAt), ms(e.GiveUpAt))
		return s.wrap(err, "enqueue webhook")
	})
}

// WebhooksDue reports whether an event is due for delivery at now (a read: the claim is a write).
func (s *Store) WebhooksDue(ctx context.Context, now time.Time) (bool, error) {
	var n int
	err := s.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM webhook_events WHERE status = 'pending' AND next_attempt_at <= ? LIMIT 1) due`, ms(now)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("webhooks due: %w", err)
	}
	return n > 0, nil
}

const webhookCols = `seq, id, name, body, created_at, status, attempts, next_attempt_at, give_up_at, coalesce(delivered_at, 0),
	coalesce(last_attempt_at, 0), last_status, last_latency_ms, last_error, last_detail`

func scanWebhookEvent(r scanner) (desk.WebhookEvent, error) {
	var e desk.WebhookEvent
	var body string
	var created, next, giveUp, delivered, last, latency int64
	err := r.Scan(&e.Seq, &e.ID, &e.Name, &body, &created, &e.Status, &e.Attempts, &next, &giveUp, &delivered, &last, &e.LastStatus, &latency,
		&e.LastError, &e.LastDetail)
	e.Body = []byte(body)
	e.CreatedAt, e.NextAttemptAt, e.GiveUpAt = fromMS(created), fromMS(next), fromMS(giveUp)
	if delivered > 0 {
		e.DeliveredAt = fromMS(delivered)
	}
	if last > 0 {
		e.LastAttemptAt = fromMS(last)
	}
	e.LastLatency = time.Duration(latency) * time.Millisecond
	return e, err
}

// ClaimWebhooks claims up to limit events due at now for this instance: each one's attempt
// count goes up and its next attempt moves to lease(attempt), so that no other instance takes
// it meanwhile. Rows another transaction holds are skipped (PostgreSQL: FOR UPDATE SKIP LOCKED),
// so instances claiming at once get different events.
func (s *Store) ClaimWebhooks(ctx context.Context, now time.Time, limit int, lease func(attempt int) time.Time) ([]desk.WebhookEvent, error) {
	var out []desk.WebhookEvent
	err := s.write(ctx, func(tx *Store) error {
		rows, err := tx.query(ctx, `SELECT `+webhookCols+` FROM webhook_events WHERE status = 'pending' AND next_attempt_at <= ?
			ORDER BY next_attempt_at LIMIT ?`+s.eng.SkipLocked(), ms(now), limit)
		if err != nil {
			return fmt.Errorf("claim webhooks: %w", err)
		}
		if out, err = scanRows(rows, scanWebhookEvent); err != nil {
			return err
		}
		for i := range out {
			out[i].Attempts++
			out[i].NextAttemptAt = lease(out[i].Attempts)
			if _, err := tx.exec(ctx, `UPDATE webhook_events SET attempts = ?, next_attempt_at = ? WHERE seq = ?`,
				out[i].Attempts, ms(out[i].NextAttemptAt), out[i].Seq); err != nil {
				return s.wrap(err, "claim webhook")
			}
		}
		return nil
	})
	return out, err
}

// FinishWebhookAttempt records an attempt in the delivery log and its outcome on the event:
// delivered, failed for good, or due again at next. A worker whose claim lapsed (another
// instance claimed the event again meanwhile) still logs its attempt, and a delivery still
// counts, but its failure does not move the newer claim's schedule.
func (s *Store) FinishWebhookAttempt(ctx context.Context, a desk.WebhookAttempt, status string, next time.Time) error {
	return s.write(ctx, func(tx *Store) error {
		latency := a.Latency.Milliseconds()
		_, err := tx.exec(ctx, `INSERT INTO webhook_attempts (event_seq, number, at, status_code, latency_ms, error, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (event_seq, number) DO NOTHING`, a.EventSeq, a.Number, ms(a.At), a.StatusCode, latency, a.Error, a.Detail)
		if err != nil {
			return s.wrap(err, "log webhook attempt")
		}
		last := `last_attempt_at = ?, last_status = ?, last_latency_ms = ?, last_error = ?, last_detail = ?`
		args := []any{ms(a.At), a.StatusCode, latency, a.Error, a.Detail}
		switch status {
		case desk.WebhookDelivered:
			_, err = tx.exec(ctx, `UPDATE webhook_events SET status = 'delivered', delivered_at = ?, `+last+` WHERE seq = ? AND status = 'pending'`,
				append(append([]any{ms(a.At)}, args...), a.EventSeq)...)
		case desk.WebhookFailed:
			_, err = tx.exec(ctx, `UPDATE webhook_events SET status = 'failed', `+last+` WHERE seq = ? AND status = 'pending' AND attempts = ?`,
				append(args, a.EventSeq, a.Number)...)
		default:
			_, err = tx.exec(ctx, `UPDATE webhook_events SET next_attempt_at = ?, `+last+` WHERE seq = ? AND status = 'pending' AND attempts = ?`,
				append(append([]any{ms(next)}, args...), a.EventSeq, a.Number)...)
		}
		return s.wrap(err, "finish webhook attempt")
	})
}

// WebhookEventByID returns an event of the outbox by its ID, or ENOTFOUND.
func (s *Store) WebhookEventByID(ctx context.Context, id string) (desk.WebhookEvent, error) {
	e, err := scanWebhookEvent(s.queryRow(ctx, `SELECT `+webhookCols+` FROM webhook_events WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, desk.Errorf(desk.ENOTFOUND, "err.webhook_event_not_found")
	}
	if err != nil {
		return e, fmt.Errorf("webhook event: %w", err)
	}
	return e, nil
}

// WebhookLog pages the outbox newest first (keyset on seq), each event with its attempts, newest
// first (one query for the page's attempts).
func (s *Store) WebhookLog(ctx context.Context, after string, limit int) (desk.WebhookPage, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var page desk.WebhookPage
	q := `SELECT ` + webhookCols + ` FROM webhook_events`
	args := []any{}
	if after != "" {
		seq, err := strconv.ParseInt(after, 10, 64)
		if err != nil || seq < 1 {
			return page, desk.Errorf(desk.EINVALID, "err.webhook_page")
		}
		q += ` WHERE seq < ?`
		args = append(args, seq)
	}
	q += ` ORDER BY seq DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return page, fmt.Errorf("webhook log: %w", err)
	}
	if page.Items, err = scanRows(rows, scanWebhookEvent); err != nil {
		return page, err
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.Next = strconv.FormatInt(page.Items[limit-1].Seq, 10)
	}
	if len(page.Items) == 0 {
		return page, nil
	}
	pos := map[int64]int{}
	args = args[:0]
	for i, e := range page.Items {
		pos[e.Seq] = i
		args = append(args, e.Seq)
	}
	rows, err = s.query(ctx, `SELECT event_seq, number, at, status_code, latency_ms, error, detail FROM webhook_attempts
		WHERE event_seq IN (`+placeholders(len(args))+`) ORDER BY event_seq, number DESC`, args...)
	if err != nil {
		return page, fmt.Errorf("webhook attempts: %w", err)
	}
	return page, eachRow(rows, func() error {
		var a desk.WebhookAttempt
		var at, latency int64
		if err := rows.Scan(&a.EventSeq, &a.Number, &at, &a.StatusCode, &latency, &a.Error, &a.Detail); err != nil {
			return err
		}
		a.At, a.Latency = fromMS(at), time.Duration(latency)*time.Millisecond
		e := &page.Items[pos[a.EventSeq]]
		e.History = append(e.History, a)
		return nil
	})
}

// RedeliverWebhook makes an event due again at now, to be retried until giveUp; ENOTFOUND when
// there is no such event.
func (s *Store) RedeliverWebhook(ctx context.Context, id string, now, giveUp time.Time) error {
	return s.write(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `UPDATE webhook_events SET status = 'pending', next_attempt_at = ?, give_up_at = ?, delivered_at = NULL WHERE id = ?`,
			ms(now), ms(giveUp), id)
		if err != nil {
			return s.wrap(err, "redeliver webhook")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return desk.Errorf(desk.ENOTFOUND, "err.webhook_event_not_found")
		}
		return nil
	})
}

// PruneWebhooks deletes the delivered and failed events created before before, with their
// attempts (the delivery log keeps what is recent).
func (s *Store) PruneWebhooks(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *Store) error {
		if _, err := tx.exec(ctx, `DELETE FROM webhook_attempts WHERE event_seq IN
			(SELECT seq FROM webhook_events WHERE status <> 'pending' AND created_at < ?)`, ms(before)); err != nil {
			return s.wrap(err, "prune webhook attempts")
		}
		res, err := tx.exec(ctx, `DELETE FROM webhook_events WHERE status <> 'pending' AND created_at < ?`, ms(before))
		if err != nil {
			return s.wrap(err, "prune webhook events")
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
