package service

import (
	"context"
	"strings"

	"partnerdesk/internal/desk"

	"golang.org/x/crypto/bcrypt"
)

// The lifecycle of customer users (R24) — deactivate, reactivate, reset the password or the
// second factor, remove — by the partner's Global admins and by the tenant's own Global admin,
// who never reaches another tenant's users (R4, R5: another tenant's user is not found). Every
// change is audited with the customer it concerns; deactivation and resets end the user's
// sessions and revoke their API tokens at once.

// endAccess ends every session of a user and revokes their API tokens, inside tx (R24).
func (s *peopleArea) endAccess(ctx context.Context, tx Store, userID string) error {
	if err := tx.DeleteUserSessions(ctx, userID); err != nil {
		return err
	}
	_, err := tx.RevokeUserTokens(ctx, userID, s.now())
	return err
}

// customerForUsers returns the customer whose users the actor may manage: any customer the
// partner's Global admin may see, or the customer Global admin's own tenant (any other is
// ENOTFOUND).
func (s *peopleArea) customerForUsers(ctx context.Context, a desk.Actor, customerID string) (desk.Customer, error) {
	if a.User.IsPartner() {
		if err := require(a, desk.PermManageUsers); err != nil {
			return desk.Customer{}, err
		}
	} else if err := require(a, desk.PermCustomerUsers); err != nil {
		return desk.Customer{}, err
	}
	return s.CustomerByID(ctx, a, customerID)
}

// customerUser loads a user of the customer for a change by the actor inside tx: ENOTFOUND
// for a user of another tenant or of the partner; ECONFLICT for the actor's own account, which
// they change at Account security instead.
func (s *peopleArea) customerUser(ctx context.Context, tx Store, a desk.Actor, cust desk.Customer, userID string) (desk.User, error) {
	u, err := tx.FindUserByID(ctx, userID)
	if desk.ErrorCode(err) == desk.ENOTFOUND || (err == nil && u.CustomerID != cust.ID) {
		return desk.User{}, desk.Errorf(desk.ENOTFOUND, "err.user_not_found")
	}
	if err != nil {
		return desk.User{}, err
	}
	if u.ID == a.User.ID {
		return desk.User{}, desk.Errorf(desk.ECONFLICT, "err.user_self")
	}
	return u, nil
}

// changeCustomerUser runs a change on a customer's user in one transaction and audits it.
func (s *peopleArea) changeCustomerUser(ctx context.Context, a desk.Actor, customerID, userID, op string, change func(tx Store, u desk.User) (string, error)) (desk.User, error) {
	cust, err := s.customerForUsers(ctx, a, customerID)
	if err != nil {
		return desk.User{}, err
	}
	var out desk.User
	err = s.store.InTx(ctx, func(tx Store) error {
		u, err := s.customerUser(ctx, tx, a, cust, userID)
		if err != nil {
			return err
		}
		detail, err := change(tx, u)
		if err != nil {
			return err
		}
		out = u
		return s.audit(ctx, tx, a, desk.Event{Operation: op, ResourceType: "user", CustomerID: cust.ID, CustomerName: cust.CompanyName, Detail: detail})
	})
	return out, err
}

// SetCustomerUserActive deactivates a customer's user — their sessions end at once and their
// API tokens are revoked — or reactivates them (R24).
func (s *peopleArea) SetCustomerUserActive(ctx context.Context, a desk.Actor, customerID, userID string, active bool) (desk.User, error) {
	return s.changeCustomerUser(ctx, a, customerID, userID, desk.OpUpdateUser, func(tx Store, u desk.User) (string, error) {
		u.Active = active
		if err := tx.UpdateUser(ctx, u); err != nil {
			return "", err
		}
		if !active {
			if err := s.endAccess(ctx, tx, u.ID); err != nil {
				return "", err
			}
		}
		return desk.DetailUserActiveText(u.Email, active), nil
	})
}

// ResetCustomerUserPassword gives a customer's user a one-time password (returned to show once)
// that their next sign-in must change; their sessions end and their API tokens are revoked.
func (s *peopleArea) ResetCustomerUserPassword(ctx context.Context, a desk.Actor, customerID, userID string) (desk.User, string, error) {
	password := randomToken(12)
	hash, err := s.HashPassword(password)
	if err != nil {
		return desk.User{}, "", err
	}
	u, err := s.changeCustomerUser(ctx, a, customerID, userID, desk.OpUpdateUser, func(tx Store, u desk.User) (string, error) {
		if err := tx.SetUserPassword(ctx, u.ID, hash, true); err != nil {
			return "", err
		}
		return desk.DetailUserPasswordText(u.Email), s.endAccess(ctx, tx, u.ID)
	})
	if err != nil {
		return desk.User{}, "", err
	}
	return u, password, nil
}

// RemoveCustomerUser deletes a customer's user with their sessions and tokens, once the actor
// confirmed it (EINVALID otherwise); the activity log keeps what they did.
func (s *peopleArea) RemoveCustomerUser(ctx context.Context, a desk.Actor, customerID, userID string, confirmed bool) (desk.User, error) {
	return s.changeCustomerUser(ctx, a, customerID, userID, desk.OpDeleteUser, func(tx Store, u desk.User) (string, error) {
		if !confirmed {
			return "", desk.Errorf(desk.EINVALID, "err.remove_confirm")
		}
		return desk.DetailUserRemovedText(u.Email), tx.DeleteUser(ctx, u.ID)
	})
}

// resetMFA clears a user's authenticator and recovery codes, ends their sessions and revokes
// their tokens: their next sign-in sets two-step verification up again where it is required.
func (s *peopleArea) resetMFA(ctx context.Context, tx Store, u desk.User) (string, error) {
	if !u.MFAEnrolled() {
		return "", desk.Errorf(desk.ECONFLICT, "err.mfa_not_enrolled")
	}
	if err := tx.ClearMFA(ctx, u.ID); err != nil {
		return "", err
	}
	return desk.DetailUserMFAResetText(u.Email), s.endAccess(ctx, tx, u.ID)
}

// ResetCustomerUserMFA resets a customer's user's two-step verification (a lost phone).
func (s *peopleArea) ResetCustomerUserMFA(ctx context.Context, a desk.Actor, customerID, userID string) (desk.User, error) {
	return s.changeCustomerUser(ctx, a, customerID, userID, desk.OpUpdateUser, func(tx Store, u desk.User) (string, error) {
		return s.resetMFA(ctx, tx, u)
	})
}

// ResetUserMFA resets a partner user's two-step verification (partner Global admins; their own
// is changed at Account security).
func (s *peopleArea) ResetUserMFA(ctx context.Context, a desk.Actor, userID string) (desk.User, error) {
	if err := require(a, desk.PermManageUsers); err != nil {
		return desk.User{}, err
	}
	var out desk.User
	err := s.store.InTx(ctx, func(tx Store) error {
		u, err := s.partnerUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.ID == a.User.ID {
			return desk.Errorf(desk.ECONFLICT, "err.user_self")
		}
		detail, err := s.resetMFA(ctx, tx, u)
		if err != nil {
			return err
		}
		out = u
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpUpdateUser, ResourceType: "user", Detail: detail})
	})
	return out, err
}

// ChangePassword changes the session user's own password (R24): the current password is
// required (wrong ones count against the account's sign-in limit), the new one must follow the
// rules and differ. Their other sessions end and their API tokens are revoked. A session that
// had to change a one-time password first moves on under a new token: the session and its token
// are returned (the token is empty when the session keeps its own).
func (s *peopleArea) ChangePassword(ctx context.Context, sess desk.Session, sessionToken, current, next, ip string) (desk.Session, string, error) {
	out, token, err := s.changePassword(ctx, sess, sessionToken, current, next, ip)
	if err != nil {
		return desk.Session{}, "", err
	}
	return out, token, nil
}

func (s *peopleArea) changePassword(ctx context.Context, sess desk.Session, sessionToken, current, next, ip string) (desk.Session, string, error) {
	if sess.Stage != desk.StageFull && sess.Stage != desk.StagePassword {
		return sess, "", desk.Errorf(desk.EUNAUTHORIZED, "err.signin_incomplete")
	}
	u := sess.User
	errs := desk.FieldErrors{}
	if current == "" {
		errs["current_password"] = "err.required"
	}
	if err := desk.ValidatePassword(next, u.Email); err != nil {
		errs["new_password"] = desk.ErrorMessage(err)
	}
	if len(errs) > 0 {
		return sess, "", &desk.ValidationError{Fields: errs}
	}
	bucket := "signin:account:" + strings.ToLower(u.Email)
	if !s.cfg.Unlimited {
		wait, err := s.store.PeekToken(ctx, bucket, signinAccountRate, signinAccountBurst, s.now())
		if err != nil {
			return sess, "", err
		}
		if wait > 0 {
			return sess, "", desk.RateLimited(wait, "err.signin_rate")
		}
	}
	hash, err := s.store.UserPasswordHash(ctx, u.ID)
	if err != nil {
		return sess, "", err
	}
	a := desk.Actor{User: u, IP: ip}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(current)) != nil {
		if _, _, err := s.limit(ctx, bucket, signinAccountRate, signinAccountBurst); err != nil {
			return sess, "", err
		}
		if err := s.audit(ctx, s.store, a, desk.Event{Operation: desk.OpChangePassword, ResourceType: "user", Status: "failed", CustomerID: u.CustomerID}); err != nil {
			return sess, "", err
		}
		return sess, "", &desk.ValidationError{Fields: desk.FieldErrors{"current_password": "err.current_password"}}
	}
	if current == next {
		return sess, "", &desk.ValidationError{Fields: desk.FieldErrors{"new_password": "err.password_same"}}
	}
	newHash, err := s.HashPassword(next)
	if err != nil {
		return sess, "", err
	}
	newToken, out := "", sess
	out.User.MustChangePassword = false
	err = s.store.InTx(ctx, func(tx Store) error {
		newToken, out = "", sess
		out.User.MustChangePassword = false
		if err := tx.SetUserPassword(ctx, u.ID, newHash, false); err != nil {
			return err
		}
		if err := tx.DeleteOtherSessions(ctx, u.ID, hashToken(sessionToken)); err != nil {
			return err
		}
		n, err := tx.RevokeUserTokens(ctx, u.ID, s.now())
		if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, desk.Event{Operation: desk.OpChangePassword, ResourceType: "user", CustomerID: u.CustomerID,
			Detail: desk.DetailTokensRevokedText(n)}); err != nil {
			return err
		}
		if sess.Stage != desk.StagePassword {
			return nil
		}
		newToken, err = s.advanceSession(ctx, tx, sessionToken, &out, s.stageAfterSecondFactor(out.User, sess.Method), sess.Method, ip)
		return err
	})
	return out, newToken, err
}
