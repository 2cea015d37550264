package service_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"partnerdesk/internal/app"
	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
)

// Finding 5: an unknown email, a deactivated user and a wrong password take the same time, so
// that timing does not tell which accounts exist. The bound is relative and generous (a factor
// of 3 between medians); before the fix an unknown email answered about 30 times faster at this cost.
func TestSignInTimingDoesNotRevealAccounts(t *testing.T) {
	const cost = 9
	env := apptest.StartWith(t, func(c *app.Config) { c.BcryptCost = cost })
	ctx := context.Background()
	svc := env.App.Service
	const rounds = 5
	var wrong, inactive []string
	for i := range rounds {
		for _, list := range []*[]string{&wrong, &inactive} {
			email := fmt.Sprintf("timing-%d-%d@partner.example", len(*list), i)
			if list == &inactive {
				email = fmt.Sprintf("timing-inactive-%d@partner.example", i)
			}
			u, err := svc.CreateUserCLI(ctx, desk.NewUser{Email: email, Roles: desk.RolesOf(desk.RoleSalesAgent)}, "correct horse battery staple")
			if err != nil {
				t.Fatal(err)
			}
			if list == &inactive {
				if _, err := svc.SetUserActive(ctx, actorFor(t, env, globalAdmin), u.ID, false); err != nil {
					t.Fatal(err)
				}
			}
			*list = append(*list, email)
		}
	}
	var tUnknown, tWrong, tInactive []time.Duration
	try := func(email, password string, n int) time.Duration {
		start := time.Now()
		_, _, err := svc.SignIn(ctx, email, password, fmt.Sprintf("198.51.100.%d", n))
		d := time.Since(start)
		if desk.ErrorCode(err) != desk.EUNAUTHORIZED || errMessage(err) != "err.signin" {
			t.Fatalf("sign-in %s: %v, want the one refusal for every case", email, err)
		}
		return d
	}
	// Interleaved, so that a slow moment of the machine hits every kind alike.
	for i := range rounds {
		tUnknown = append(tUnknown, try(fmt.Sprintf("nobody-%d@partner.example", i), "correct horse battery staple", 3*i))
		tWrong = append(tWrong, try(wrong[i], "not the password", 3*i+1))
		tInactive = append(tInactive, try(inactive[i], "correct horse battery staple", 3*i+2))
	}
	median := func(ds []time.Duration) time.Duration { slices.Sort(ds); return ds[len(ds)/2] }
	mu, mw, mi := median(tUnknown), median(tWrong), median(tInactive)
	t.Logf("median sign-in: unknown email %v, wrong password %v, deactivated user %v", mu, mw, mi)
	for name, d := range map[string]time.Duration{"an unknown email": mu, "a deactivated user": mi} {
		if r := float64(d) / float64(mw); r < 1.0/3 || r > 3 {
			t.Errorf("%s takes %v, a wrong password %v (ratio %.2f): timing tells them apart", name, d, mw, r)
		}
	}
}
