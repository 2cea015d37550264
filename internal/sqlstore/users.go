package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"partnerdesk/internal/desk"
)

// userColsOf lists a user's columns, of the table alias a ("" for none).
func userColsOf(a string) string {
	if a != "" {
		a += "."
	}
	return a + `id, ` + a + `email, ` + a + `display_name, coalesce(` + a + `customer_id, ''), ` + a + `roles, ` + a + `locale, ` +
		a + `active, ` + a + `created_at, ` + a + `mfa_enrolled_at, ` + a + `must_change_password, ` + a + `theme`
}

var userCols = userColsOf("")

func scanUser(r scanner, extra ...any) (desk.User, error) {
	var u desk.User
	var created, enrolled int64
	dest := append([]any{&u.ID, &u.Email, &u.DisplayName, &u.CustomerID, &u.Roles, &u.Locale, &u.Active, &created, &enrolled, &u.MustChangePassword, &u.Theme}, extra...)
	err := r.Scan(dest...)
	u.CreatedAt = fromMS(created)
	if enrolled > 0 {
		u.MFAEnrolledAt = fromMS(enrolled)
	}
	return u, err
}

func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// CreateUser inserts a user with a password hash; a taken email is ECONFLICT.
func (s *Store) CreateUser(ctx context.Context, u desk.User, passwordHash string) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `INSERT INTO users (id, email, display_name, customer_id, roles, password_hash, locale, active, created_at, must_change_password)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, u.Email, u.DisplayName, nullable(u.CustomerID), int64(u.Roles), passwordHash, u.Locale, flag(u.Active), ms(u.CreatedAt), flag(u.MustChangePassword))
		return s.wrap(err, "insert user")
	})
}

// FindUserByEmail returns a user and its password hash, or ENOTFOUND.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (desk.User, string, error) {
	var hash string
	u, err := scanUser(s.queryRow(ctx, `SELECT `+userCols+`, password_hash FROM users WHERE email = ?`, strings.ToLower(email)), &hash)
	if err != nil {
		return desk.User{}, "", notFound(err, "err.user_not_found")
	}
	return u, hash, nil
}

// FindUserByID returns a user, or ENOTFOUND.
func (s *Store) FindUserByID(ctx context.Context, id string) (desk.User, error) {
	u, err := scanUser(s.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if err != nil {
		return desk.User{}, notFound(err, "err.user_not_found")
	}
	return u, nil
}

// FindUsers lists the users of the partner (CustomerID "") or of one customer, by email.
func (s *Store) FindUsers(ctx context.Context, f desk.UserFilter) ([]desk.User, error) {
	q := `SELECT ` + userCols + ` FROM users WHERE customer_id IS NULL ORDER BY email`
	args := []any{}
	if f.CustomerID != "" {
		q = `SELECT ` + userCols + ` FROM users WHERE customer_id = ? ORDER BY email`
		args = append(args, f.CustomerID)
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	return scanRows(rows, func(r scanner) (desk.User, error) { return scanUser(r) })
}

// CountActiveUsersWithRole counts active partner users holding r. Inside a transaction it locks
// them (PostgreSQL), so that two changes that would each leave one Global admin take turns and
// the second counts what the first left.
func (s *Store) CountActiveUsersWithRole(ctx context.Context, r desk.Role) (int, error) {
	rows, err := s.query(ctx, `SELECT id FROM users WHERE customer_id IS NULL AND active = 1 AND (roles & ?) != 0`+s.eng.ForUpdate(), int64(r))
	if err != nil {
		return 0, s.wrap(err, "count users")
	}
	defer rows.Close()
	n := 0
	err = eachRow(rows, func() error { n++; return nil })
	return n, s.wrap(err, "count users")
}

// UpdateUser saves a user's roles, display name, locale and active flag.
func (s *Store) UpdateUser(ctx context.Context, u desk.User) error {
	return s.write(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `UPDATE users SET display_name = ?, roles = ?, locale = ?, active = ? WHERE id = ?`,
			u.DisplayName, int64(u.Roles), u.Locale, flag(u.Active), u.ID)
		return affectedOne(res, s.wrap(err, "update user"), "err.user_not_found")
	})
}

// SetUserTheme saves a user's colour theme ("", "light" or "dark"; the column's CHECK refuses
// anything else).
func (s *Store) SetUserTheme(ctx context.Context, id, theme string) error {
	return s.write(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `UPDATE users SET theme = ? WHERE id = ?`, theme, id)
		return affectedOne(res, s.wrap(err, "set theme"), "err.user_not_found")
	})
}

// SetUserPassword replaces a user's password hash; mustChange marks it a one-time password that
// the next sign-in must change (R24).
func (s *Store) SetUserPassword(ctx context.Context, id, hash string, mustChange bool) error {
	return s.write(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?`, hash, flag(mustChange), id)
		return affectedOne(res, s.wrap(err, "set password"), "err.user_not_found")
	})
}

// UserPasswordHash returns a user's password hash, or ENOTFOUND.
func (s *Store) UserPasswordHash(ctx context.Context, id string) (string, error) {
	var hash string
	if err := s.queryRow(ctx, `SELECT password_hash FROM users WHERE id = ?`, id).Scan(&hash); err != nil {
		return "", notFound(err, "err.user_not_found")
	}
	return hash, nil
}

// DeleteUser removes a user with their sessions, cart, API tokens and recovery codes; the
// activity log keeps their events (it names users by email).
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *Store) error {
		for _, q := range []string{`DELETE FROM sessions WHERE user_id = ?`, `DELETE FROM carts WHERE user_id = ?`,
			`DELETE FROM api_tokens WHERE user_id = ?`, `DELETE FROM recovery_codes WHERE user_id = ?`} {
			if _, err := tx.exec(ctx, q, id); err != nil {
				return s.wrap(err, "delete user rows")
			}
		}
		res, err := tx.exec(ctx, `DELETE FROM users WHERE id = ?`, id)
		return affectedOne(res, s.wrap(err, "delete user"), "err.user_not_found")
	})
}

// CreateSession stores a session by the hash of its token, with how far its sign-in got and how
// it signed in.
func (s *Store) CreateSession(ctx context.Context, tokenHash []byte, userID string, stage desk.SessionStage, method string, now time.Time) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, stage, method) VALUES (?, ?, ?, ?, ?, ?)`,
			tokenHash, userID, ms(now), ms(now), string(stage), method)
		return s.wrap(err, "insert session")
	})
}

// SessionUser returns a session with its user, or ENOTFOUND.
func (s *Store) SessionUser(ctx context.Context, tokenHash []byte) (desk.Session, error) {
	var created, seen int64
	var stage string
	var sess desk.Session
	u, err := scanUser(s.queryRow(ctx, `SELECT `+userColsOf("u")+`, s.created_at, s.last_seen_at, s.stage, s.method
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, tokenHash), &created, &seen, &stage, &sess.Method)
	if err != nil {
		return desk.Session{}, notFound(err, "err.session_expired")
	}
	sess.User, sess.Stage, sess.CreatedAt, sess.LastSeenAt = u, desk.SessionStage(stage), fromMS(created), fromMS(seen)
	return sess, nil
}

// DeleteOtherSessions ends every session of a user but the one of keepHash.
func (s *Store) DeleteOtherSessions(ctx context.Context, userID string, keepHash []byte) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, keepHash)
		return s.wrap(err, "delete other sessions")
	})
}

// TouchSession records activity on a session (for the idle timeout).
func (s *Store) TouchSession(ctx context.Context, tokenHash []byte, now time.Time) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, ms(now), tokenHash)
		return s.wrap(err, "touch session")
	})
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash []byte) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
		return s.wrap(err, "delete session")
	})
}

// DeleteUserSessions ends every session of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
		return s.wrap(err, "delete sessions")
	})
}

// DeleteExpiredSessions removes sessions idle since before idleBefore or created before
// createdBefore, a batch at a time, and returns how many. Instances sweeping at once delete
// disjoint or already-deleted rows: nothing depends on which one does it.
func (s *Store) DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	var total int64
	for {
		var n int64
		err := s.write(ctx, func(tx *Store) error {
			res, err := tx.exec(ctx, `DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions
				WHERE last_seen_at < ? OR created_at < ? LIMIT 1000)`, ms(idleBefore), ms(createdBefore))
			if err != nil {
				return s.wrap(err, "delete expired sessions")
			}
			n, err = res.RowsAffected()
			return err
		})
		total += n
		if err != nil || n < 1000 {
			return total, err
		}
	}
}
