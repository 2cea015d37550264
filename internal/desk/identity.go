package desk

import (
	"strings"
	"time"
)

// SessionStage is how far a sign-in has got (SPEC §9c). Only a StageFull session carries the
// user's rights; the others can do one thing each, and every other route refuses them.
type SessionStage string

// The stages of a sign-in.
const (
	// StageFull: signed in, with the user's rights.
	StageFull SessionStage = "full"
	// StageMFA: the password (or single sign-on) was right; a code from the authenticator app
	// or a recovery code is due at /signin/mfa (R22).
	StageMFA SessionStage = "mfa"
	// StagePassword: the password was a one-time password an admin gave out; it must be changed
	// at /account/security first (R24).
	StagePassword SessionStage = "password"
	// StageEnrol: the user's role must use two-step verification and has not set it up; it must
	// be set up at /account/security first (R22, PARTNERDESK_REQUIRE_MFA).
	StageEnrol SessionStage = "enrol"
)

// Session is a server-side session: its user, how far its sign-in got and how it signed in.
type Session struct {
	User  User
	Stage SessionStage
	// Method is how the session signed in: SignInMethod values joined by "+".
	Method     string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// Sign-in methods, recorded on the session and in the sign-in event's detail.
const (
	MethodPassword = "password"
	MethodSSO      = "sso"
	// MethodIdPMFA: the identity provider said it checked more than one factor (amr "mfa").
	MethodIdPMFA   = "idp-mfa"
	MethodTOTP     = "totp"
	MethodRecovery = "recovery-code"
)

// SignInMethods splits a session's method into its parts ("password+totp" → password, totp).
func SignInMethods(method string) []string {
	if method == "" {
		return nil
	}
	return strings.Split(method, "+")
}

// PasswordMin and PasswordMax bound a password's length in bytes (bcrypt reads at most 72).
const (
	PasswordMin = 12
	PasswordMax = 72
)

// ValidatePassword checks a new password (message keys of internal/i18n): long enough, not too
// long for bcrypt, and not the user's email.
func ValidatePassword(password, email string) error {
	switch {
	case len(password) < PasswordMin:
		return FieldError("new_password", "err.password_short")
	case len(password) > PasswordMax:
		return FieldError("new_password", "err.password_long")
	case email != "" && strings.EqualFold(strings.TrimSpace(password), email):
		return FieldError("new_password", "err.password_email")
	}
	return nil
}

// RecoveryCodeCount is how many recovery codes a user gets (R22).
const RecoveryCodeCount = 10

// NormalizeRecoveryCode reads a recovery code as typed: case, spaces and dashes do not matter.
func NormalizeRecoveryCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r == '-' || r == ' ' || r == '\t' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// IsTOTPCode reports whether s looks like an authenticator app's code (six digits, spaces
// allowed) rather than a recovery code.
func IsTOTPCode(s string) bool {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if len(s) != 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// SSOLogin is a single sign-on attempt between the redirect to the identity provider and its
// answer (R23): kept in the database so that any instance can finish it, used once.
type SSOLogin struct {
	// StateHash is the SHA-256 of the state parameter; BindingHash of the cookie that ties the
	// attempt to the browser that started it.
	StateHash, BindingHash []byte
	Nonce                  string
	// Verifier is the PKCE code verifier.
	Verifier string
	// Next is where to go after signing in (a local path).
	Next      string
	CreatedAt time.Time
}
