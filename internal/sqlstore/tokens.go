package sqlstore

import (
	"context"
	"fmt"
	"time"

	"partnerdesk/internal/desk"
)

// CreateToken stores a token by the hash of its secret.
func (s *Store) CreateToken(ctx context.Context, t desk.APIToken, hash []byte) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			t.ID, t.UserID, t.Name, hash, ms(t.CreatedAt), ms(t.ExpiresAt))
		return s.wrap(err, "insert token")
	})
}

const tokenCols = `t.id, t.user_id, u.email, t.name, t.created_at, t.expires_at, coalesce(t.last_used_at, 0), coalesce(t.revoked_at, 0)`

func scanToken(r scanner, extra ...any) (desk.APIToken, error) {
	var t desk.APIToken
	var created, expires, used, revoked int64
	err := r.Scan(append([]any{&t.ID, &t.UserID, &t.UserEmail, &t.Name, &created, &expires, &used, &revoked}, extra...)...)
	t.CreatedAt, t.ExpiresAt = fromMS(created), fromMS(expires)
	if used > 0 {
		t.LastUsedAt = fromMS(used)
	}
	if revoked > 0 {
		t.RevokedAt = fromMS(revoked)
	}
	return t, err
}

// TokenUser returns a token and its user by the hash of its secret, or ENOTFOUND.
func (s *Store) TokenUser(ctx context.Context, hash []byte) (desk.APIToken, desk.User, error) {
	var u desk.User
	var created, enrolled int64
	t, err := scanToken(s.queryRow(ctx, `SELECT `+tokenCols+`, `+userColsOf("u")+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, hash),
		&u.ID, &u.Email, &u.DisplayName, &u.CustomerID, &u.Roles, &u.Locale, &u.Active, &created, &enrolled, &u.MustChangePassword, &u.Theme)
	u.CreatedAt = fromMS(created)
	if enrolled > 0 {
		u.MFAEnrolledAt = fromMS(enrolled)
	}
	if err != nil {
		return t, u, notFound(err, "err.token_not_found")
	}
	return t, u, nil
}

// TouchToken records a token's use.
func (s *Store) TouchToken(ctx context.Context, id string, now time.Time) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, ms(now), id)
		return s.wrap(err, "touch token")
	})
}

// FindTokens lists the tokens of one user, or every token when userID is empty, newest first.
func (s *Store) FindTokens(ctx context.Context, userID string) ([]desk.APIToken, error) {
	q, args := `SELECT `+tokenCols+` FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.created_at DESC`, []any{}
	if userID != "" {
		q, args = `SELECT `+tokenCols+` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.user_id = ? ORDER BY t.created_at DESC`, []any{userID}
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	return scanRows(rows, func(r scanner) (desk.APIToken, error) { return scanToken(r) })
}

// RevokeToken revokes a token — of the user userID only, unless userID is empty (ENOTFOUND when
// unknown, another user's, or already revoked).
func (s *Store) RevokeToken(ctx context.Context, id, userID string, now time.Time) error {
	return s.write(ctx, func(tx *Store) error {
		q, args := `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, []any{ms(now), id}
		if userID != "" {
			q, args = q+` AND user_id = ?`, append(args, userID)
		}
		res, err := tx.exec(ctx, q, args...)
		return affectedOne(res, s.wrap(err, "revoke token"), "err.token_not_found")
	})
}

// RevokeUserTokens revokes every unrevoked API token of a user and returns how many (R24:
// deactivation, resets and password changes; a reactivated user's old tokens stay revoked).
func (s *Store) RevokeUserTokens(ctx context.Context, userID string, now time.Time) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, ms(now), userID)
		if err != nil {
			return s.wrap(err, "revoke user tokens")
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
