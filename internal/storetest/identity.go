package storetest

import (
	"bytes"
	"context"
	"sync/atomic"
	"testing"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/sqlstore"
)

// seedUser adds a partner Global admin.
func seedUser(t testing.TB, st *sqlstore.Store, id string) desk.User {
	t.Helper()
	u := desk.User{ID: id, Email: id + "@partner.example", DisplayName: id, Roles: desk.RolesOf(desk.RoleGlobalAdmin), Active: true, CreatedAt: raceAt}
	if err := st.CreateUser(context.Background(), u, "hash"); err != nil {
		t.Fatal(err)
	}
	return u
}

// R22 across instances: of many requests with the code of one 30-second step, on two stores,
// exactly one takes the step; an earlier step is refused after a later one; the confirming
// code's step counts as used.
func testRaceTOTPStep(t *testing.T, h Harness) {
	a := h.Open(t)
	b := h.Second(t, a)
	ctx := context.Background()
	u := seedUser(t, a, "totp-user")
	if won, err := a.ClaimTOTPStep(ctx, u.ID, 100); err != nil || won {
		t.Fatalf("a step of a user without two-step verification: %v %v", won, err)
	}
	if err := a.EnrolTOTP(ctx, u.ID, []byte("sealed"), 100, raceAt); err != nil {
		t.Fatal(err)
	}
	if err := b.EnrolTOTP(ctx, u.ID, []byte("other"), 100, raceAt); desk.ErrorCode(err) != desk.ECONFLICT {
		t.Fatalf("a second enrolment: %v, want a conflict", err)
	}
	if won, err := b.ClaimTOTPStep(ctx, u.ID, 100); err != nil || won {
		t.Fatalf("the confirming code's step again: %v %v", won, err)
	}
	if n := raceWins(t, a, b, func(st *sqlstore.Store) (bool, error) { return st.ClaimTOTPStep(ctx, u.ID, 101) }); n != 1 {
		t.Fatalf("%d requests took step 101, want 1", n)
	}
	if won, _ := a.ClaimTOTPStep(ctx, u.ID, 100); won {
		t.Fatal("an earlier step was taken after a later one")
	}
	if won, _ := a.ClaimTOTPStep(ctx, u.ID, 102); !won {
		t.Fatal("the next step was refused")
	}
	sealed, err := b.TOTPSecret(ctx, u.ID)
	if err != nil || !bytes.Equal(sealed, []byte("sealed")) {
		t.Fatalf("secret %q %v", sealed, err)
	}
	got, err := b.FindUserByID(ctx, u.ID)
	if err != nil || !got.MFAEnrolled() || !got.MFAEnrolledAt.Equal(raceAt) {
		t.Fatalf("enrolled: %+v %v", got, err)
	}
	if err := a.ClearMFA(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.FindUserByID(ctx, u.ID); got.MFAEnrolled() {
		t.Fatal("still enrolled after a reset")
	}
	if won, _ := a.ClaimTOTPStep(ctx, u.ID, 200); won {
		t.Fatal("a step taken after the reset")
	}
}

// R22 across instances: a recovery code works once, whichever store sees it; new codes replace
// the old ones.
func testRaceRecoveryCode(t *testing.T, h Harness) {
	a := h.Open(t)
	b := h.Second(t, a)
	ctx := context.Background()
	u := seedUser(t, a, "recovery-user")
	codes := [][]byte{[]byte("code-hash-1"), []byte("code-hash-2"), []byte("code-hash-3")}
	if err := a.ReplaceRecoveryCodes(ctx, u.ID, codes, raceAt); err != nil {
		t.Fatal(err)
	}
	if n := raceWins(t, a, b, func(st *sqlstore.Store) (bool, error) { return st.UseRecoveryCode(ctx, u.ID, codes[1], raceAt) }); n != 1 {
		t.Fatalf("a recovery code worked %d times, want once", n)
	}
	if n, err := b.UnusedRecoveryCodes(ctx, u.ID); err != nil || n != 2 {
		t.Fatalf("%d unused codes, %v; want 2", n, err)
	}
	if err := b.ReplaceRecoveryCodes(ctx, u.ID, [][]byte{[]byte("new")}, raceAt); err != nil {
		t.Fatal(err)
	}
	if won, _ := a.UseRecoveryCode(ctx, u.ID, codes[0], raceAt); won {
		t.Fatal("an old code worked after new ones were made")
	}
	other := seedUser(t, a, "other-user")
	if won, _ := a.UseRecoveryCode(ctx, other.ID, []byte("new"), raceAt); won {
		t.Fatal("another user's code worked")
	}
}

// R23 across instances: a single sign-on attempt is taken once — a replayed answer, on any
// instance, finds nothing; old attempts are cleared.
func testRaceSSOState(t *testing.T, h Harness) {
	a := h.Open(t)
	b := h.Second(t, a)
	ctx := context.Background()
	l := desk.SSOLogin{StateHash: []byte("state-hash"), BindingHash: []byte("binding"), Nonce: "n", Verifier: "v", Next: "/billing", CreatedAt: raceAt}
	if err := a.CreateSSOLogin(ctx, l); err != nil {
		t.Fatal(err)
	}
	var wins atomic.Int32
	race(a, b, func(i int, st *sqlstore.Store) {
		got, err := st.TakeSSOLogin(ctx, l.StateHash)
		switch desk.ErrorCode(err) {
		case "":
			if got.Next != "/billing" || got.Verifier != "v" || !bytes.Equal(got.BindingHash, l.BindingHash) || !got.CreatedAt.Equal(raceAt) {
				t.Errorf("taken: %+v", got)
			}
			wins.Add(1)
		case desk.ENOTFOUND:
		default:
			t.Error(err)
		}
	})
	if wins.Load() != 1 {
		t.Fatalf("a state was taken %d times, want once", wins.Load())
	}
	old := l
	old.StateHash, old.CreatedAt = []byte("old"), raceAt.Add(-time.Hour)
	if err := b.CreateSSOLogin(ctx, old); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteSSOLoginsBefore(ctx, raceAt.Add(-10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.TakeSSOLogin(ctx, old.StateHash); desk.ErrorCode(err) != desk.ENOTFOUND {
		t.Fatalf("an old attempt: %v", err)
	}
}

// R24: revoking a user's tokens revokes only theirs and says how many; a removed user's rows go
// with them while the activity log keeps their events.
func testUserTokensAndRemoval(t *testing.T, h Harness) {
	st := h.Open(t)
	ctx := context.Background()
	u := seedUser(t, st, "token-user")
	v := seedUser(t, st, "other-token-user")
	for i, owner := range []desk.User{u, u, v} {
		tk := desk.APIToken{ID: string(rune('a'+i)) + "-token", UserID: owner.ID, Name: "t", CreatedAt: raceAt, ExpiresAt: raceAt.Add(time.Hour)}
		if err := st.CreateToken(ctx, tk, []byte(tk.ID)); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.RevokeToken(ctx, "a-token", v.ID, raceAt); desk.ErrorCode(err) != desk.ENOTFOUND {
		t.Fatalf("revoking another user's token: %v", err)
	}
	if n, err := st.RevokeUserTokens(ctx, u.ID, raceAt); err != nil || n != 2 {
		t.Fatalf("revoked %d, %v; want 2", n, err)
	}
	if n, _ := st.RevokeUserTokens(ctx, u.ID, raceAt); n != 0 {
		t.Fatalf("revoked again: %d", n)
	}
	mine, err := st.FindTokens(ctx, v.ID)
	if err != nil || len(mine) != 1 || !mine[0].Active(raceAt) {
		t.Fatalf("the other user's tokens: %+v %v", mine, err)
	}
	if err := st.CreateSession(ctx, []byte("session"), u.ID, desk.StageMFA, desk.MethodPassword, raceAt); err != nil {
		t.Fatal(err)
	}
	sess, err := st.SessionUser(ctx, []byte("session"))
	if err != nil || sess.Stage != desk.StageMFA || sess.Method != desk.MethodPassword || sess.User.ID != u.ID {
		t.Fatalf("session: %+v %v", sess, err)
	}
	if err := st.ReplaceRecoveryCodes(ctx, u.ID, [][]byte{[]byte("c")}, raceAt); err != nil {
		t.Fatal(err)
	}
	e := desk.Event{At: raceAt, ActorID: u.ID, ActorEmail: u.Email, Operation: desk.OpSignIn, APITokenID: "a-token", APITokenName: "t"}
	if err := st.AppendEvent(ctx, &e); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.FindUserByID(ctx, u.ID); desk.ErrorCode(err) != desk.ENOTFOUND {
		t.Fatalf("removed user: %v", err)
	}
	evs, err := st.RecentEvents(ctx, desk.OpSignIn, 1)
	if err != nil || len(evs) != 1 || evs[0].ActorEmail != u.Email || evs[0].APITokenID != "a-token" || evs[0].APITokenName != "t" {
		t.Fatalf("the removed user's event: %+v %v", evs, err)
	}
	if r := evVerify(t, st, 0); !r.Intact() {
		t.Fatalf("the chain with a token's event: %+v", r)
	}
}
