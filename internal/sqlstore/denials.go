package sqlstore

import (
	"context"
	"fmt"

	"partnerdesk/internal/desk"
)

// CountDenial counts a refused request of a user on a route in a minute and returns the
// minute's count so far: 1 for the first, which the caller records as an event. One upsert:
// instances counting at once share the row.
func (s *Store) CountDenial(ctx context.Context, d desk.Denial) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *Store) error {
		return tx.queryRow(ctx, `INSERT INTO denials (user_id, route, minute, permission, path, ip, n) VALUES (?, ?, ?, ?, ?, ?, 1)
			ON CONFLICT (user_id, route, minute) DO UPDATE SET n = denials.n + 1 RETURNING n`,
			d.UserID, d.Route, d.Minute, string(d.Permission), d.Path, d.IP).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("count denial: %w", err)
	}
	return n, nil
}

// TakeDenials removes, inside the caller's transaction, up to limit counts of minutes before
// before, and returns them (the caller records those above 1). Rows another instance is taking
// are skipped (FOR UPDATE SKIP LOCKED), so that each is reported once.
func (s *Store) TakeDenials(ctx context.Context, before int64, limit int) ([]desk.Denial, error) {
	rows, err := s.query(ctx, `SELECT user_id, route, minute, permission, path, ip, n FROM denials WHERE minute < ?
		ORDER BY minute LIMIT ?`+s.eng.SkipLocked(), before, limit)
	if err != nil {
		return nil, fmt.Errorf("take denials: %w", err)
	}
	out, err := scanAll(rows, func(d *desk.Denial) error {
		var perm string
		if err := rows.Scan(&d.UserID, &d.Route, &d.Minute, &perm, &d.Path, &d.IP, &d.N); err != nil {
			return err
		}
		d.Permission = desk.Permission(perm)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, d := range out {
		if _, err := s.exec(ctx, `DELETE FROM denials WHERE user_id = ? AND route = ? AND minute = ?`, d.UserID, d.Route, d.Minute); err != nil {
			return nil, s.wrap(err, "take denials")
		}
	}
	return out, nil
}
