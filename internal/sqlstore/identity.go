package sqlstore

import (
	"context"
	"fmt"
	"time"

	"partnerdesk/internal/desk"
)

// Two-step verification (R22) and single sign-on attempts (R23). Every check that must hold
// across instances is one conditional statement: a step or a recovery code is taken by an UPDATE
// that only one transaction can win, a sign-on attempt by a DELETE that only one can see.

// EnrolTOTP stores a user's sealed authenticator secret with the step of the code that
// confirmed it (that code counts as used). ECONFLICT when the user has one already.
func (s *Store) EnrolTOTP(ctx context.Context, userID string, sealed []byte, step int64, now time.Time) error {
	return s.write(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `UPDATE users SET totp_secret = ?, totp_last_step = ?, mfa_enrolled_at = ? WHERE id = ? AND totp_secret IS NULL`,
			sealed, step, ms(now), userID)
		if err != nil {
			return s.wrap(err, "enrol totp")
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return desk.Errorf(desk.ECONFLICT, "err.mfa_already")
		}
		return nil
	})
}

// TOTPSecret returns a user's sealed authenticator secret (nil when not set up).
func (s *Store) TOTPSecret(ctx context.Context, userID string) ([]byte, error) {
	var sealed []byte
	if err := s.queryRow(ctx, `SELECT totp_secret FROM users WHERE id = ?`, userID).Scan(&sealed); err != nil {
		return nil, notFound(err, "err.user_not_found")
	}
	return sealed, nil
}

// ClaimTOTPStep records step as the user's last used step if it is later than the last one, and
// reports whether it was: of two requests with the same code, on any instances, one wins.
func (s *Store) ClaimTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	var won bool
	err := s.write(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_secret IS NOT NULL AND totp_last_step < ?`, step, userID, step)
		if err != nil {
			return s.wrap(err, "claim totp step")
		}
		n, err := res.RowsAffected()
		won = n == 1
		return err
	})
	return won, err
}

// ClearMFA removes a user's authenticator secret and recovery codes.
func (s *Store) ClearMFA(ctx context.Context, userID string) error {
	return s.write(ctx, func(tx *Store) error {
		if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
			return s.wrap(err, "delete recovery codes")
		}
		res, err := tx.exec(ctx, `UPDATE users SET totp_secret = NULL, totp_last_step = 0, mfa_enrolled_at = 0 WHERE id = ?`, userID)
		return affectedOne(res, s.wrap(err, "clear mfa"), "err.user_not_found")
	})
}

// ReplaceRecoveryCodes gives a user a new set of recovery codes (their hashes); the old ones stop
// working.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte, now time.Time) error {
	return s.write(ctx, func(tx *Store) error {
		if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
			return s.wrap(err, "delete recovery codes")
		}
		for _, h := range hashes {
			if _, err := tx.exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)`, userID, h, ms(now)); err != nil {
				return s.wrap(err, "insert recovery code")
			}
		}
		return nil
	})
}

// UseRecoveryCode marks an unused recovery code used and reports whether there was one: a code
// works once, whichever instance sees it first.
func (s *Store) UseRecoveryCode(ctx context.Context, userID string, hash []byte, now time.Time) (bool, error) {
	var won bool
	err := s.write(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`, ms(now), userID, hash)
		if err != nil {
			return s.wrap(err, "use recovery code")
		}
		n, err := res.RowsAffected()
		won = n == 1
		return err
	})
	return won, err
}

// UnusedRecoveryCodes counts a user's recovery codes not used yet.
func (s *Store) UnusedRecoveryCodes(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count recovery codes: %w", err)
	}
	return n, nil
}

// CreateSSOLogin stores a single sign-on attempt.
func (s *Store) CreateSSOLogin(ctx context.Context, l desk.SSOLogin) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `INSERT INTO sso_logins (state_hash, binding_hash, nonce, verifier, next, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			l.StateHash, l.BindingHash, l.Nonce, l.Verifier, l.Next, ms(l.CreatedAt))
		return s.wrap(err, "insert sso login")
	})
}

// TakeSSOLogin deletes and returns the attempt of a state (ENOTFOUND when there is none): an
// answer of the identity provider is used once, a replayed one finds nothing.
func (s *Store) TakeSSOLogin(ctx context.Context, stateHash []byte) (desk.SSOLogin, error) {
	var l desk.SSOLogin
	err := s.write(ctx, func(tx *Store) error {
		var created int64
		err := tx.queryRow(ctx, `DELETE FROM sso_logins WHERE state_hash = ? RETURNING state_hash, binding_hash, nonce, verifier, next, created_at`, stateHash).
			Scan(&l.StateHash, &l.BindingHash, &l.Nonce, &l.Verifier, &l.Next, &created)
		if err != nil {
			return notFound(err, "err.sso_state")
		}
		l.CreatedAt = fromMS(created)
		return nil
	})
	return l, err
}

// DeleteSSOLoginsBefore removes the attempts started before t (never finished).
func (s *Store) DeleteSSOLoginsBefore(ctx context.Context, t time.Time) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `DELETE FROM sso_logins WHERE created_at < ?`, ms(t))
		return s.wrap(err, "delete old sso logins")
	})
}
