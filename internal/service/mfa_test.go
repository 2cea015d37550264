package service

import (
	"encoding/base32"
	"regexp"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/desk"
)

// RFC 6238, appendix B: the SHA-1 test vectors (secret "12345678901234567890"), as six digits —
// the last six of the RFC's eight.
func TestTOTPCodeRFC6238(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	for _, tt := range []struct {
		unix int64
		want string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	} {
		got, err := TOTPCode(secret, time.Unix(tt.unix, 0))
		if err != nil || got != tt.want {
			t.Errorf("T=%d: %q %v, want %s", tt.unix, got, err, tt.want)
		}
	}
}

// A code is accepted for its own step and the one on either side, no further; the step returned
// is the code's (what the store records against replay).
func TestMatchTOTP(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	at := time.Unix(1111111109, 0)
	code, _ := TOTPCode(secret, at)
	for _, tt := range []struct {
		name  string
		now   time.Time
		code  string
		ok    bool
		stepD int64
	}{
		{"same step", at, code, true, 0},
		{"with a space", at, code[:3] + " " + code[3:], true, 0},
		{"next step", at.Add(30 * time.Second), code, true, -1},
		{"previous step", at.Add(-30 * time.Second), code, true, 1},
		{"two steps later", at.Add(60 * time.Second), code, false, 0},
		{"wrong", at, "000000", false, 0},
		{"empty", at, "", false, 0},
	} {
		step, ok := matchTOTP(secret, tt.code, tt.now)
		if ok != tt.ok || (ok && step != totpStep(tt.now)+tt.stepD) {
			t.Errorf("%s: step %d ok %v", tt.name, step, ok)
		}
	}
}

// Ten recovery codes, xxxx-xxxx-xxxx-xxxx without look-alike characters, all different; their
// hash ignores case, spaces and dashes and differs per user.
func TestRecoveryCodes(t *testing.T) {
	codes := newRecoveryCodes()
	format := regexp.MustCompile(`^[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}$`)
	seen := map[string]bool{}
	for _, c := range codes {
		if !format.MatchString(c) || seen[c] {
			t.Errorf("code %q", c)
		}
		seen[c] = true
	}
	if len(codes) != desk.RecoveryCodeCount {
		t.Fatalf("%d codes", len(codes))
	}
	k, err := newMFAKeys(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	h := k.recoveryHash("u1", codes[0])
	if string(k.recoveryHash("u1", strings.ToUpper(strings.ReplaceAll(codes[0], "-", " ")))) != string(h) {
		t.Error("the hash depends on case and separators")
	}
	if string(k.recoveryHash("u2", codes[0])) == string(h) {
		t.Error("two users' hashes of one code are equal")
	}
}

// The set-up token opens only for its user and until it expires; a secret sealed for one user
// does not open for another.
func TestEnrolTokenAndSealing(t *testing.T) {
	k, err := newMFAKeys([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tok := k.enrolToken("u1", "SECRET", now.Add(time.Minute))
	if s, err := k.openEnrolToken("u1", tok, now); err != nil || s != "SECRET" {
		t.Errorf("open: %q %v", s, err)
	}
	if _, err := k.openEnrolToken("u2", tok, now); err == nil {
		t.Error("another user's set-up opened")
	}
	if _, err := k.openEnrolToken("u1", tok, now.Add(2*time.Minute)); desk.ErrorCode(err) != desk.EINVALID {
		t.Errorf("an expired set-up: %v", err)
	}
	if _, err := k.openEnrolToken("u1", tok[:len(tok)-2]+"AA", now); err == nil {
		t.Error("a tampered set-up opened")
	}
	ct := k.seal(secretAD("u1"), "SECRET")
	if _, err := k.open(secretAD("u2"), ct); err == nil {
		t.Error("a secret sealed for one user opened for another")
	}
}
