package service

import (
	"context"
	"crypto/sha256"
	"strings"
	"sync"

	"partnerdesk/internal/desk"

	"golang.org/x/crypto/bcrypt"
)

// dummyHashes holds, per bcrypt cost, the hash compared against when the account does not
// exist: at the configured cost, so that an unknown email takes as long as a wrong password and
// timing does not reveal which accounts exist.
var dummyHashes sync.Map // int → []byte

// dummyHash returns the dummy hash at a cost, made once per process and cost.
func dummyHash(cost int) []byte {
	if h, ok := dummyHashes.Load(cost); ok {
		return h.([]byte)
	}
	h, err := bcrypt.GenerateFromPassword([]byte("partnerdesk-no-such-user"), cost)
	if err != nil { // a cost outside bcrypt's range: HashPassword fails the same way
		h, _ = bcrypt.GenerateFromPassword([]byte("partnerdesk-no-such-user"), bcrypt.DefaultCost)
	}
	actual, _ := dummyHashes.LoadOrStore(cost, h)
	return actual.([]byte)
}

// SignIn checks an email and password and starts a session. It returns the user and the session
// token for the cookie. Failed attempts are limited per account and client address and per
// address (ERATELIMIT), and slowed per account (see signinGate).
// An unknown email, a deactivated user and a wrong password take the same path — one bcrypt
// comparison at the configured cost, one failed-sign-in event — so neither the answer nor its
// time tells which accounts exist.
func (s *Service) SignIn(ctx context.Context, email, password, ip string) (desk.User, string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if err := s.signinGate(ctx, email, ip); err != nil {
		return desk.User{}, "", err
	}
	u, hash, err := s.store.FindUserByEmail(ctx, email)
	if err != nil && desk.ErrorCode(err) != desk.ENOTFOUND {
		return desk.User{}, "", err
	}
	known := err == nil
	if !known {
		hash = string(dummyHash(s.cfg.BcryptCost))
	}
	if match := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil; !match || !known || !u.Active {
		if err := s.signinFailed(ctx, email, ip); err != nil {
			return desk.User{}, "", err
		}
		// An unknown account is logged as such, not by what was typed: a password pasted into
		// the email field must not end up in the activity log.
		actor := desk.Actor{User: desk.User{Email: u.Email, ID: u.ID, CustomerID: u.CustomerID, Roles: u.Roles}, IP: ip}
		detail := ""
		if u.ID == "" {
			detail = desk.DetailUnknownAccountText
		}
		if aerr := s.audit(ctx, s.store, actor, desk.Event{Operation: desk.OpSignInFailed, ResourceType: "session", Status: "failed", Detail: detail}); aerr != nil {
			return desk.User{}, "", aerr
		}
		return desk.User{}, "", desk.Errorf(desk.EUNAUTHORIZED, "err.signin")
	}
	token := randomToken(32)
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.CreateSession(ctx, hashToken(token), u.ID, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, desk.Actor{User: u, IP: ip}, desk.Event{Operation: desk.OpSignIn, ResourceType: "session", CustomerID: u.CustomerID})
	})
	if err != nil {
		return desk.User{}, "", err
	}
	return u, token, nil
}

// Authenticate returns the user of a session token, or EUNAUTHORIZED when the session is unknown,
// ended, idle too long, too old, or its user deactivated.
func (s *Service) Authenticate(ctx context.Context, token string) (desk.User, error) {
	if token == "" {
		return desk.User{}, desk.Errorf(desk.EUNAUTHORIZED, "err.signin_required")
	}
	h := hashToken(token)
	u, created, seen, err := s.store.SessionUser(ctx, h)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return desk.User{}, desk.Errorf(desk.EUNAUTHORIZED, "err.signin_required")
	}
	if err != nil {
		return desk.User{}, err
	}
	now := s.now()
	if !u.Active || now.Sub(seen) > s.cfg.SessionIdle || now.Sub(created) > s.cfg.SessionMax {
		if err := s.store.DeleteSession(ctx, h); err != nil {
			return desk.User{}, err
		}
		return desk.User{}, desk.Errorf(desk.EUNAUTHORIZED, "err.session_expired")
	}
	// Record activity at most once a minute: the idle timeout does not need more, and a write per
	// request would serialise every page view on the single writer.
	if now.Sub(seen) > minuteTouch {
		if err := s.store.TouchSession(ctx, h, now); err != nil {
			return desk.User{}, err
		}
	}
	return u, nil
}

const minuteTouch = 60 * 1e9

// SignOut ends the session for good: the token is deleted server-side, so a copy of the cookie
// replayed later is refused.
func (s *Service) SignOut(ctx context.Context, a desk.Actor, token string) error {
	return s.store.InTx(ctx, func(tx Store) error {
		if err := tx.DeleteSession(ctx, hashToken(token)); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpSignOut, ResourceType: "session", CustomerID: a.User.CustomerID})
	})
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// HashPassword hashes a password with the configured bcrypt cost.
func (s *Service) HashPassword(password string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(password), s.cfg.BcryptCost)
	return string(b), err
}
