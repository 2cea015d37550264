package service

import (
	"context"
	"time"

	"partnerdesk/internal/desk"
)

// Sign-in limits. Refusals are keyed on the client address: an account's failures from one
// address (then that address is refused for that account) and an address's failures over every
// account. Failures on an account from every address together only slow it down: each later
// attempt on it waits signinSlowdown before its password is checked, whoever makes it — so an
// attacker guessing from many addresses is slowed, and cannot lock the real user out by failing
// on purpose (the user's own attempt from their address succeeds, two seconds later). A second
// factor, checked after the password, is what stops a guessed password.

func signinPairKey(email, ip string) string { return "signin:account-ip:" + email + "|" + ip }

// signinGate refuses an attempt its address may not make (ERATELIMIT, with the wait), and slows
// one on an account under attack.
func (s *identityArea) signinGate(ctx context.Context, email, ip string) error {
	if s.cfg.Unlimited {
		return nil
	}
	now := s.now()
	waitPair, err := s.store.PeekToken(ctx, signinPairKey(email, ip), signinAccountRate, signinAccountBurst, now)
	if err != nil {
		return err
	}
	waitIP, err := s.store.PeekToken(ctx, "signin:ip:"+ip, signinIPRate, signinIPBurst, now)
	if err != nil {
		return err
	}
	if waitPair > 0 || waitIP > 0 {
		return desk.RateLimited(max(waitPair, waitIP), "err.signin_rate")
	}
	waitAccount, err := s.store.PeekToken(ctx, "signin:account:"+email, signinSlowRate, signinSlowBurst, now)
	if err != nil {
		return err
	}
	if waitAccount > 0 {
		return s.cfg.Sleep(ctx, signinSlowdown)
	}
	return nil
}

// signinFailed counts a failed attempt against the account at its address, the address, and
// the account.
func (s *identityArea) signinFailed(ctx context.Context, email, ip string) error {
	for _, b := range []struct {
		key   string
		rate  float64
		burst int
	}{
		{signinPairKey(email, ip), signinAccountRate, signinAccountBurst},
		{"signin:ip:" + ip, signinIPRate, signinIPBurst},
		{"signin:account:" + email, signinSlowRate, signinSlowBurst},
	} {
		if _, _, err := s.limit(ctx, b.key, b.rate, b.burst); err != nil {
			return err
		}
	}
	return nil
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
