package service

import (
	"context"
	"crypto/sha256"
	"strings"
	"sync"
	"time"

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

// pendingMFAMax is how long a sign-in may wait at /signin/mfa for its code.
const pendingMFAMax = 10 * time.Minute

// SignIn checks an email and password and starts a session. It returns the session — whose stage
// says whether it carries the user's rights yet or must first take a code, a new password or the
// set-up of two-step verification (R22, R24) — and its token for the cookie. Failed attempts are
// limited per account and client address and per address (ERATELIMIT), and slowed per account
// (see signinGate). An unknown email, a deactivated user and a wrong password take the same path —
// one bcrypt comparison at the configured cost, one failed-sign-in event — so neither the answer
// nor its time tells which accounts exist.
func (s *identityArea) SignIn(ctx context.Context, email, password, ip string) (desk.Session, string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if err := s.signinGate(ctx, email, ip); err != nil {
		return desk.Session{}, "", err
	}
	u, hash, err := s.store.FindUserByEmail(ctx, email)
	if err != nil && desk.ErrorCode(err) != desk.ENOTFOUND {
		return desk.Session{}, "", err
	}
	known := err == nil
	if !known {
		hash = string(dummyHash(s.cfg.BcryptCost))
	}
	if match := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil; !match || !known || !u.Active {
		if err := s.signinFailed(ctx, email, ip); err != nil {
			return desk.Session{}, "", err
		}
		// An unknown account is logged as such, not by what was typed: a password pasted into
		// the email field must not end up in the activity log.
		actor := desk.Actor{User: desk.User{Email: u.Email, ID: u.ID, CustomerID: u.CustomerID, Roles: u.Roles}, IP: ip}
		detail := ""
		if u.ID == "" {
			detail = desk.DetailUnknownAccountText
		}
		if aerr := s.audit(ctx, s.store, actor, desk.Event{Operation: desk.OpSignInFailed, ResourceType: "session", Status: "failed", Detail: detail}); aerr != nil {
			return desk.Session{}, "", aerr
		}
		return desk.Session{}, "", desk.Errorf(desk.EUNAUTHORIZED, "err.signin")
	}
	return s.startSession(ctx, u, desk.MethodPassword, false, ip)
}

// startSession opens a session after the first factor (a password, or single sign-on, where
// idpMFA says the identity provider checked more than one factor). Its stage follows the user
// and the policy; a session that gets the user's rights at once is logged as a sign-in.
func (s *identityArea) startSession(ctx context.Context, u desk.User, method string, idpMFA bool, ip string) (desk.Session, string, error) {
	if idpMFA {
		method += "+" + desk.MethodIdPMFA
	}
	stage := desk.StageMFA
	if idpMFA || !u.MFAEnrolled() {
		stage = s.stageAfterSecondFactor(u, method)
	}
	token := randomToken(32)
	sess := desk.Session{User: u, Stage: stage, Method: method, CreatedAt: s.now(), LastSeenAt: s.now()}
	err := s.store.InTx(ctx, func(tx Store) error {
		if err := tx.CreateSession(ctx, hashToken(token), u.ID, stage, method, s.now()); err != nil {
			return err
		}
		return s.auditSignIn(ctx, tx, sess, ip)
	})
	if err != nil {
		return desk.Session{}, "", err
	}
	return sess, token, nil
}

// stageAfterSecondFactor is where a sign-in goes once its factors are checked: a one-time
// password is changed first (R24), then a role that must use two-step verification and has no
// second factor sets one up (R22); otherwise the session gets the user's rights.
func (s *identityArea) stageAfterSecondFactor(u desk.User, method string) desk.SessionStage {
	methods := desk.SignInMethods(method)
	if u.MustChangePassword && len(methods) > 0 && methods[0] == desk.MethodPassword {
		return desk.StagePassword
	}
	if s.cfg.RequireMFA && u.NeedsMFA() && !hasSecondFactor(method) {
		return desk.StageEnrol
	}
	return desk.StageFull
}

// hasSecondFactor reports whether a sign-in method includes a second factor.
func hasSecondFactor(method string) bool {
	for _, m := range desk.SignInMethods(method) {
		if m == desk.MethodTOTP || m == desk.MethodRecovery || m == desk.MethodIdPMFA {
			return true
		}
	}
	return false
}

// auditSignIn logs a session that got the user's rights (R11: sign-ins are in the activity log,
// with how the user signed in).
func (s *identityArea) auditSignIn(ctx context.Context, st Store, sess desk.Session, ip string) error {
	if sess.Stage != desk.StageFull {
		return nil
	}
	return s.audit(ctx, st, desk.Actor{User: sess.User, IP: ip}, desk.Event{Operation: desk.OpSignIn, ResourceType: "session",
		CustomerID: sess.User.CustomerID, Detail: desk.DetailSignInText(sess.Method)})
}

// advanceSession replaces a session by one of the next stage inside tx: a new token at every
// step, so a token seen before a step is worth nothing after it. It returns the new token.
func (s *identityArea) advanceSession(ctx context.Context, tx Store, oldToken string, sess *desk.Session, stage desk.SessionStage, method, ip string) (string, error) {
	token := randomToken(32)
	if err := tx.DeleteSession(ctx, hashToken(oldToken)); err != nil {
		return "", err
	}
	if err := tx.CreateSession(ctx, hashToken(token), sess.User.ID, stage, method, s.now()); err != nil {
		return "", err
	}
	sess.Stage, sess.Method, sess.CreatedAt, sess.LastSeenAt = stage, method, s.now(), s.now()
	return token, s.auditSignIn(ctx, tx, *sess, ip)
}

// AuthenticateSession returns the session of a token, or EUNAUTHORIZED when the session is
// unknown, ended, idle too long, too old, or its user deactivated. A session waiting for a code
// lasts at most ten minutes.
func (s *identityArea) AuthenticateSession(ctx context.Context, token string) (desk.Session, error) {
	if token == "" {
		return desk.Session{}, desk.Errorf(desk.EUNAUTHORIZED, "err.signin_required")
	}
	h := hashToken(token)
	sess, err := s.store.SessionUser(ctx, h)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return desk.Session{}, desk.Errorf(desk.EUNAUTHORIZED, "err.signin_required")
	}
	if err != nil {
		return desk.Session{}, err
	}
	now := s.now()
	maxAge := s.cfg.SessionMax
	if sess.Stage == desk.StageMFA {
		maxAge = pendingMFAMax
	}
	if !sess.User.Active || now.Sub(sess.LastSeenAt) > s.cfg.SessionIdle || now.Sub(sess.CreatedAt) > maxAge {
		if err := s.store.DeleteSession(ctx, h); err != nil {
			return desk.Session{}, err
		}
		return desk.Session{}, desk.Errorf(desk.EUNAUTHORIZED, "err.session_expired")
	}
	// Record activity at most once a minute: the idle timeout does not need more, and a write per
	// request would serialise every page view on the single writer.
	if now.Sub(sess.LastSeenAt) > minuteTouch {
		if err := s.store.TouchSession(ctx, h, now); err != nil {
			return desk.Session{}, err
		}
	}
	return sess, nil
}

const minuteTouch = 60 * 1e9

// SignOut ends the session for good: the token is deleted server-side, so a copy of the cookie
// replayed later is refused.
func (s *identityArea) SignOut(ctx context.Context, a desk.Actor, token string) error {
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
func (s *identityArea) HashPassword(password string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(password), s.cfg.BcryptCost)
	return string(b), err
}
