package service

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"partnerdesk/internal/desk"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// Two-step verification with an authenticator app (TOTP, RFC 6238) and recovery codes (R22).
//
// The secret is sealed with a key derived from the key-encryption key (AES-256-GCM, the user's
// ID as additional data, so a sealed secret copied to another user does not open). A code is
// accepted for the current 30-second step or the one before or after it, and only for a step
// later than the last one the user used: recorded in the database by a conditional update, so a
// code works once, on whichever instance sees it first, even inside its own step. Recovery
// codes are 16 random characters (about 79 bits), stored as HMAC-SHA256 under a second key
// derived from the key-encryption key, and each works once.

// totpPeriod is the length of a step; totpSkew how many steps either side a code may be from.
const (
	totpPeriod = 30
	totpSkew   = 1
	// totpIssuer names PartnerDesk in the authenticator app.
	totpIssuer = "PartnerDesk"
	// enrolTTL is how long a set-up page's secret may be confirmed.
	enrolTTL = 30 * time.Minute
	// recoveryAlphabet leaves out letters and digits that look alike (0/o, 1/l/i).
	recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	recoveryLen      = 16
)

// mfaKeys seals authenticator secrets and hashes recovery codes.
type mfaKeys struct {
	aead        cipher.AEAD
	recoveryKey []byte
}

func deriveKey(kek []byte, purpose string) []byte {
	m := hmac.New(sha256.New, kek)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

func newMFAKeys(kek []byte) (*mfaKeys, error) {
	block, err := aes.NewCipher(deriveKey(kek, "partnerdesk totp secret"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &mfaKeys{aead: aead, recoveryKey: deriveKey(kek, "partnerdesk recovery code")}, nil
}

func (k *mfaKeys) seal(ad, plain string) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	rand.Read(nonce)
	return k.aead.Seal(nonce, nonce, []byte(plain), []byte(ad))
}

func (k *mfaKeys) open(ad string, ct []byte) (string, error) {
	n := k.aead.NonceSize()
	if len(ct) < n {
		return "", errors.New("sealed secret too short")
	}
	pt, err := k.aead.Open(nil, ct[:n], ct[n:], []byte(ad))
	if err != nil {
		return "", fmt.Errorf("open sealed secret: %w", err)
	}
	return string(pt), nil
}

func secretAD(userID string) string { return "totp\x00" + userID }

func (k *mfaKeys) recoveryHash(userID, code string) []byte {
	m := hmac.New(sha256.New, k.recoveryKey)
	m.Write([]byte(userID + "\x00" + desk.NormalizeRecoveryCode(code)))
	return m.Sum(nil)
}

// enrolToken carries a set-up page's secret to its confirmation, sealed for that user and
// expiring: nothing is stored until a code confirms it, and any instance can confirm it.
func (k *mfaKeys) enrolToken(userID, secret string, expires time.Time) string {
	var exp [8]byte
	binary.BigEndian.PutUint64(exp[:], uint64(expires.Unix()))
	ct := k.seal("totp-enrol\x00"+userID+"\x00"+string(exp[:]), secret)
	return base64.RawURLEncoding.EncodeToString(append(exp[:], ct...))
}

func (k *mfaKeys) openEnrolToken(userID, token string, now time.Time) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) < 8 {
		return "", desk.Errorf(desk.EINVALID, "err.mfa_setup_expired")
	}
	if time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0).Before(now) {
		return "", desk.Errorf(desk.EINVALID, "err.mfa_setup_expired")
	}
	secret, err := k.open("totp-enrol\x00"+userID+"\x00"+string(b[:8]), b[8:])
	if err != nil {
		return "", desk.Errorf(desk.EINVALID, "err.mfa_setup_expired")
	}
	return secret, nil
}

// totpStep returns the step of a moment.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// totpCode is the six-digit code of a step (RFC 6238 with SHA-1, as authenticator apps use).
func totpCode(secret string, step int64) (string, error) {
	return hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// TOTPCode returns the code an authenticator app shows for the secret at t (the tests act as the
// app with it).
func TOTPCode(secret string, t time.Time) (string, error) { return totpCode(secret, totpStep(t)) }

// matchTOTP returns the step whose code is code, within the skew around now.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	found, step := false, int64(0)
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		st := totpStep(now) + d
		want, err := totpCode(secret, st)
		// Every candidate is compared, in constant time, so the answer's timing says nothing.
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && !found {
			found, step = true, st
		}
	}
	return step, found
}

// newRecoveryCodes makes a set of recovery codes, shown as xxxx-xxxx-xxxx-xxxx.
func newRecoveryCodes() []string {
	out := make([]string, desk.RecoveryCodeCount)
	for i := range out {
		b := make([]byte, recoveryLen)
		rand.Read(b)
		// 256 is not a multiple of 31: the bias (at most 1 in 8 on some letters) costs under a
		// bit of the code's 79.
		out[i] = desk.GroupedCode(b, recoveryAlphabet, 4)
	}
	return out
}

// Enrolment is the set-up of an authenticator app: its secret (base32, typed into the app by
// hand), the otpauth:// URI the QR code carries, and the sealed token that the confirmation form
// posts back.
type Enrolment struct {
	Secret, URI, Token string
}

// BeginEnrolment makes a new secret for the user's authenticator app. Nothing is stored: the
// confirmation (ConfirmEnrolment) stores it once a code from the app proves it was set up.
func (s *identityArea) BeginEnrolment(u desk.User) (Enrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: u.Email, Period: totpPeriod, SecretSize: 20})
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: key.Secret(), URI: key.URL(), Token: s.mfa.enrolToken(u.ID, key.Secret(), s.now().Add(enrolTTL))}, nil
}

// EnrolmentFromToken reads back the set-up of a confirmation form that is shown again (a wrong
// code): the same secret, so the app set up with it keeps working.
func (s *identityArea) EnrolmentFromToken(u desk.User, token string) (Enrolment, error) {
	secret, err := s.mfa.openEnrolToken(u.ID, token, s.now())
	if err != nil {
		return Enrolment{}, err
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return Enrolment{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: u.Email, Period: totpPeriod, Secret: raw})
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: key.Secret(), URI: key.URL(), Token: token}, nil
}

// checkMFARate refuses a code while the user's bucket of wrong codes is empty (shared by every
// instance).
func (s *identityArea) checkMFARate(ctx context.Context, userID string) error {
	if s.cfg.Unlimited {
		return nil
	}
	wait, err := s.store.PeekToken(ctx, "mfa:"+userID, mfaRate, mfaBurst, s.now())
	if err != nil {
		return err
	}
	if wait > 0 {
		return desk.RateLimited(wait, "err.mfa_rate")
	}
	return nil
}

// ConfirmEnrolment stores the user's authenticator secret once a code from the app matches it
// (that code counts as used), and returns ten recovery codes to show once. A session that had to
// set up two-step verification before anything else (StageEnrol) then gets the user's rights:
// its new token is returned (empty when the session was already signed in).
func (s *identityArea) ConfirmEnrolment(ctx context.Context, sess desk.Session, sessionToken, enrolToken, code, ip string) ([]string, string, error) {
	if sess.Stage != desk.StageFull && sess.Stage != desk.StageEnrol {
		return nil, "", desk.Errorf(desk.EUNAUTHORIZED, "err.signin_incomplete")
	}
	u := sess.User
	if u.MFAEnrolled() {
		return nil, "", desk.Errorf(desk.ECONFLICT, "err.mfa_already")
	}
	secret, err := s.mfa.openEnrolToken(u.ID, enrolToken, s.now())
	if err != nil {
		return nil, "", err
	}
	if err := s.checkMFARate(ctx, u.ID); err != nil {
		return nil, "", err
	}
	step, ok := matchTOTP(secret, code, s.now())
	if !ok {
		if _, _, err := s.limit(ctx, "mfa:"+u.ID, mfaRate, mfaBurst); err != nil {
			return nil, "", err
		}
		return nil, "", desk.FieldError("code", "err.mfa_code")
	}
	codes := newRecoveryCodes()
	hashes := make([][]byte, len(codes))
	for i, c := range codes {
		hashes[i] = s.mfa.recoveryHash(u.ID, c)
	}
	newToken := ""
	err = s.store.InTx(ctx, func(tx Store) error {
		newToken = ""
		if err := tx.EnrolTOTP(ctx, u.ID, s.mfa.seal(secretAD(u.ID), secret), step, s.now()); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, hashes, s.now()); err != nil {
			return err
		}
		a := desk.Actor{User: u, IP: ip}
		if err := s.audit(ctx, tx, a, desk.Event{Operation: desk.OpMFAEnrol, ResourceType: "user", CustomerID: u.CustomerID}); err != nil {
			return err
		}
		if sess.Stage != desk.StageEnrol {
			return nil
		}
		next := sess
		var err error
		newToken, err = s.advanceSession(ctx, tx, sessionToken, &next, desk.StageFull, sess.Method+"+"+desk.MethodTOTP, ip)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return codes, newToken, nil
}

// VerifySecondFactor takes a code from the authenticator app or a recovery code at /signin/mfa
// (R22). A right code moves the session on (to the user's rights, or to a password change) under
// a new token, returned with the session; a wrong, used or replayed one is logged and counts
// against the user's limit of wrong codes (ERATELIMIT when spent).
func (s *identityArea) VerifySecondFactor(ctx context.Context, sessionToken, code, ip string) (desk.Session, string, error) {
	sess, err := s.AuthenticateSession(ctx, sessionToken)
	if err != nil {
		return desk.Session{}, "", err
	}
	if sess.Stage != desk.StageMFA {
		return desk.Session{}, "", desk.Errorf(desk.EUNAUTHORIZED, "err.signin_required")
	}
	u := sess.User
	if strings.TrimSpace(code) == "" {
		return desk.Session{}, "", desk.FieldError("code", "err.mfa_code_required")
	}
	if err := s.checkMFARate(ctx, u.ID); err != nil {
		return desk.Session{}, "", err
	}
	method, step := desk.MethodRecovery, int64(0)
	var failure desk.MFAFailure
	if desk.IsTOTPCode(code) {
		method = desk.MethodTOTP
		sealed, err := s.store.TOTPSecret(ctx, u.ID)
		if err != nil {
			return desk.Session{}, "", err
		}
		secret, err := s.mfa.open(secretAD(u.ID), sealed)
		if err != nil {
			return desk.Session{}, "", err
		}
		var ok bool
		if step, ok = matchTOTP(secret, code, s.now()); !ok {
			failure = desk.MFAWrongCode
		}
	}
	newToken, next := "", desk.Session{}
	if failure == "" {
		err = s.store.InTx(ctx, func(tx Store) error {
			failure, newToken = "", ""
			if method == desk.MethodTOTP {
				won, err := tx.ClaimTOTPStep(ctx, u.ID, step)
				if err != nil || !won {
					failure = desk.MFAReplayed
					return err
				}
			} else {
				won, err := tx.UseRecoveryCode(ctx, u.ID, s.mfa.recoveryHash(u.ID, code), s.now())
				if err != nil || !won {
					failure = desk.MFAWrongRecovery
					return err
				}
			}
			m := sess.Method + "+" + method
			var err error
			next = sess
			newToken, err = s.advanceSession(ctx, tx, sessionToken, &next, s.stageAfterSecondFactor(u, m), m, ip)
			return err
		})
		if err != nil {
			return desk.Session{}, "", err
		}
	}
	if failure != "" {
		if _, _, err := s.limit(ctx, "mfa:"+u.ID, mfaRate, mfaBurst); err != nil {
			return desk.Session{}, "", err
		}
		a := desk.Actor{User: u, IP: ip}
		if err := s.audit(ctx, s.store, a, desk.Event{Operation: desk.OpMFAFailed, ResourceType: "session", Status: "failed",
			CustomerID: u.CustomerID, Detail: desk.DetailMFAFailedText(failure)}); err != nil {
			return desk.Session{}, "", err
		}
		key := "err.mfa_code"
		if failure == desk.MFAReplayed {
			key = "err.mfa_replayed"
		}
		return desk.Session{}, "", &desk.Error{Code: desk.EUNAUTHORIZED, Message: key}
	}
	return next, newToken, nil
}

// checkOwnCode checks a code from the actor's own authenticator app (for changes to their own
// two-step verification), taking its step so it cannot be used again.
func (s *identityArea) checkOwnCode(ctx context.Context, u desk.User, code string) error {
	if !u.MFAEnrolled() {
		return desk.Errorf(desk.ECONFLICT, "err.mfa_not_enrolled")
	}
	if err := s.checkMFARate(ctx, u.ID); err != nil {
		return err
	}
	sealed, err := s.store.TOTPSecret(ctx, u.ID)
	if err != nil {
		return err
	}
	secret, err := s.mfa.open(secretAD(u.ID), sealed)
	if err != nil {
		return err
	}
	step, ok := matchTOTP(secret, code, s.now())
	if ok {
		if ok, err = s.store.ClaimTOTPStep(ctx, u.ID, step); err != nil {
			return err
		}
	}
	if !ok {
		if _, _, err := s.limit(ctx, "mfa:"+u.ID, mfaRate, mfaBurst); err != nil {
			return err
		}
		return desk.FieldError("code", "err.mfa_code")
	}
	return nil
}

// RegenerateRecoveryCodes gives the actor ten new recovery codes (shown once; the old ones stop
// working), on a code from their authenticator app.
func (s *identityArea) RegenerateRecoveryCodes(ctx context.Context, a desk.Actor, code string) ([]string, error) {
	if err := s.checkOwnCode(ctx, a.User, code); err != nil {
		return nil, err
	}
	codes := newRecoveryCodes()
	hashes := make([][]byte, len(codes))
	for i, c := range codes {
		hashes[i] = s.mfa.recoveryHash(a.User.ID, c)
	}
	err := s.store.InTx(ctx, func(tx Store) error {
		if err := tx.ReplaceRecoveryCodes(ctx, a.User.ID, hashes, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpMFARecoveryCodes, ResourceType: "user", CustomerID: a.User.CustomerID})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// MFARequired reports whether the policy makes u use two-step verification (R22).
func (s *identityArea) MFARequired(u desk.User) bool { return s.cfg.RequireMFA && u.NeedsMFA() }

// DisableMFA turns the actor's own two-step verification off, on a code from their app; a user
// whose role must use it cannot (ECONFLICT), and asks an admin for a reset instead.
func (s *identityArea) DisableMFA(ctx context.Context, a desk.Actor, code string) error {
	if s.MFARequired(a.User) {
		return desk.Errorf(desk.ECONFLICT, "err.mfa_required_role")
	}
	if err := s.checkOwnCode(ctx, a.User, code); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		if err := tx.ClearMFA(ctx, a.User.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpMFADisable, ResourceType: "user", CustomerID: a.User.CustomerID})
	})
}

// UnusedRecoveryCodes counts the actor's recovery codes not used yet.
func (s *identityArea) UnusedRecoveryCodes(ctx context.Context, a desk.Actor) (int, error) {
	return s.store.UnusedRecoveryCodes(ctx, a.User.ID)
}
