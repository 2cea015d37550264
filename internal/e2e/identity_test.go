package e2e

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/oidctest"
	"partnerdesk/internal/service"

	"github.com/chromedp/chromedp"
)

// Sign-in and identity in the browser (SPEC §9c): setting up two-step verification, signing in
// with a code and with a recovery code (R22), single sign-on against a provider on 127.0.0.1
// (R23), a password change and a customer user's deactivation (R24).

// idType types into an input found by CSS.
func idType(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(sel), value)
}

// idTexts reads the trimmed texts of every element with the data-testid.
func idTexts(t *testing.T, ctx context.Context, id string) []string {
	t.Helper()
	return get(t, ctx, "read every "+id, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('[data-testid="`+id+`"]'), e => e.textContent.trim())`))
}

// An Admin agent sets up an authenticator app from My account → Security (QR code and secret,
// confirmed by a code, ten recovery codes shown once), then signs in with a code from the app,
// and again with a recovery code.
func TestEnrolAndSignInWithCodes(t *testing.T) {
	env, ctx := startSignedIn(t, apptest.AdminAgent)
	fromProfileMenu(t, ctx, "open My account → Security", "account-security", "totp-qr")
	if n := get(t, ctx, "count the QR code's paths", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="totp-qr"] svg path').length`)); n != 1 {
		t.Fatalf("the QR code has %d paths", n)
	}
	secret := text(t, ctx, "totp-secret")
	if !regexp.MustCompile(`^[A-Z2-7]{32}$`).MatchString(secret) {
		t.Fatalf("the secret reads %q", secret)
	}
	screenshot(t, ctx, "mfa-setup")
	run(t, ctx, "confirm with the app's code",
		idType(`[data-testid="enrol-form"] input[name="code"]`, env.TOTPCode(t, secret)),
		chromedp.Click(testID("enrol-submit")),
		chromedp.WaitVisible(testID("recovery-codes")),
	)
	codes := idTexts(t, ctx, "recovery-code")
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown", len(codes))
	}
	if status := text(t, ctx, "mfa-status"); !strings.Contains(status, "On") {
		t.Errorf("the status reads %q", status)
	}
	screenshot(t, ctx, "mfa-recovery-codes")
	signOut(t, ctx)

	// Sign in: the password, then the code (the confirming one is used: the next step's).
	env.Clock.Advance(30 * time.Second)
	signIn(t, ctx, env, apptest.AdminAgent, apptest.Password)
	run(t, ctx, "wait for the code step", chromedp.WaitVisible(testID("mfa-form")))
	if u := location(t, ctx); u.Path != "/signin/mfa" {
		t.Fatalf("after the password the browser is on %s", u.Path)
	}
	screenshot(t, ctx, "mfa-code")
	run(t, ctx, "enter the code",
		idType(`input[name="code"]`, env.TOTPCode(t, secret)),
		chromedp.Click(testID("mfa-submit")),
		chromedp.WaitVisible(testID("profile")),
	)
	if u := location(t, ctx); strings.HasPrefix(u.Path, "/signin") || strings.HasPrefix(u.Path, "/account") {
		t.Fatalf("after the code the browser is on %s", u.Path)
	}
	signOut(t, ctx)

	// A wrong code, then a recovery code.
	signIn(t, ctx, env, apptest.AdminAgent, apptest.Password)
	run(t, ctx, "a wrong code",
		chromedp.WaitVisible(testID("mfa-form")),
		idType(`input[name="code"]`, "000000"),
		chromedp.Click(testID("mfa-submit")),
		chromedp.WaitVisible(testID("msg-danger")),
	)
	run(t, ctx, "a recovery code",
		idType(`input[name="code"]`, codes[0]),
		chromedp.Click(testID("mfa-submit")),
		chromedp.WaitVisible(testID("profile")),
	)
	evs, err := env.App.Service.RecentEvents(context.Background(), desk.OpSignIn, 1)
	if err != nil || len(evs) != 1 || evs[0].Detail != "method password+recovery-code" {
		t.Errorf("the sign-in event: %+v %v", evs, err)
	}
}

// Single sign-on: "Sign in with your organisation" goes to the provider (PKCE, state, nonce),
// whose sign-in comes back to PartnerDesk signed in as the user of the verified email.
func TestSingleSignOnInBrowser(t *testing.T) {
	var env *apptest.Env
	p := oidctest.New(t, func() time.Time { return env.Clock.Now() })
	env = apptest.StartWith(t, func(c *apptest.Config) {
		c.SSO = service.SSOConfig{Issuer: p.Issuer(), ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret, TrustIdPMFA: true}
	})
	p.SetUser(oidctest.User{Subject: "oid-aa", Email: apptest.AdminAgent, EmailVerified: true, AMR: []string{"pwd", "mfa"}})
	ctx := newBrowser(t)
	run(t, ctx, "open the sign-in page and choose single sign-on",
		chromedp.Navigate(env.URL+"/signin"),
		chromedp.WaitVisible(testID("sso-submit")),
		chromedp.Click(testID("sso-submit")),
		chromedp.WaitVisible(testID("idp-continue")),
	)
	if u := location(t, ctx); u.Host == strings.TrimPrefix(env.URL, "http://") || u.Path != "/authorize" {
		t.Fatalf("the browser is on %s, want the provider's sign-in", u)
	}
	if who := text(t, ctx, "idp-user"); who != apptest.AdminAgent {
		t.Fatalf("the provider signs in %q", who)
	}
	run(t, ctx, "sign in at the provider",
		chromedp.Click(testID("idp-continue")),
		chromedp.WaitVisible(testID("profile")),
	)
	if u := location(t, ctx); strings.HasPrefix(u.Path, "/signin") || env.URL != "http://"+u.Host {
		t.Fatalf("after single sign-on the browser is on %s", u)
	}
	if roles := get(t, ctx, "read the roles", chromedp.Evaluate[string](`document.querySelector('[data-testid="user-roles"]').textContent`)); !strings.Contains(roles, "Admin agent") {
		t.Errorf("signed in with the roles %q", roles)
	}
	screenshot(t, ctx, "sso-signed-in")
	evs, err := env.App.Service.RecentEvents(context.Background(), desk.OpSignIn, 1)
	if err != nil || len(evs) != 1 || evs[0].ActorEmail != apptest.AdminAgent || evs[0].Detail != "method sso+idp-mfa" {
		t.Errorf("the sign-in event: %+v %v", evs, err)
	}
}

// A Sales agent changes their password at My account → Security; their other session ends, and
// the new password signs in.
func TestChangePasswordInBrowser(t *testing.T) {
	env := apptest.Start(t)
	other := env.SignIn(t, apptest.SalesAgent)
	ctx := newBrowser(t)
	signInDemo(t, ctx, env, apptest.SalesAgent)
	const fresh = "a-longer-password-of-mine"
	run(t, ctx, "change the password",
		chromedp.Navigate(env.URL+"/account/security"),
		chromedp.WaitVisible(testID("password-form")),
		idType(`input[name="current_password"]`, apptest.Password),
		idType(`input[name="new_password"]`, fresh),
		chromedp.Click(testID("password-submit")),
		chromedp.WaitVisible(testID("msg-success")),
	)
	if msg := text(t, ctx, "msg-success"); !strings.Contains(msg, "password was changed") {
		t.Errorf("the message reads %q", msg)
	}
	if res := env.Get(t, other, "/customers"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the other session after the change: %d", res.StatusCode)
	}
	signOut(t, ctx)
	signIn(t, ctx, env, apptest.SalesAgent, fresh)
	run(t, ctx, "signed in with the new password", chromedp.WaitVisible(testID("profile")))
}

// The partner's Global admin deactivates a customer user from the customer's Account tab: the
// user's session ends at once; then removes them, ticking the confirmation first.
func TestCustomerUserDeactivationInBrowser(t *testing.T) {
	env := apptest.Start(t)
	ctx0 := context.Background()
	ga, _, err := env.App.Store.FindUserByEmail(ctx0, apptest.GlobalAdmin)
	if err != nil {
		t.Fatal(err)
	}
	u, otp, err := env.App.Service.InviteCustomerUser(ctx0, desk.Actor{User: ga}, apptest.ContosoID,
		desk.NewUser{Email: "ivy@contoso.onmicrosoft.com", DisplayName: "Ivy User", Roles: desk.RolesOf(desk.RoleCustomerUser)})
	if err != nil {
		t.Fatal(err)
	}
	ivy := env.Client()
	env.PostForm(t, ivy, "/signin", url.Values{"email": {u.Email}, "password": {otp}})
	if res := env.PostForm(t, ivy, "/account/security/password", url.Values{"current_password": {otp}, "new_password": {"ivy-chose-this-one"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Ivy's first password change: %d", res.StatusCode)
	}
	if res := env.Get(t, ivy, "/portal"); res.StatusCode != http.StatusOK {
		t.Fatalf("Ivy's session: %d", res.StatusCode)
	}

	ctx := newBrowser(t)
	signInDemo(t, ctx, env, apptest.GlobalAdmin)
	row := `[data-testid="customer-user"][data-email="ivy@contoso.onmicrosoft.com"]`
	run(t, ctx, "deactivate Ivy on Contoso's Account tab",
		chromedp.Navigate(env.URL+"/customers/"+apptest.ContosoID+"/account"),
		chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.Click(chromedp.CSS(row+` [data-testid="deactivate"]`)),
		chromedp.WaitVisible(chromedp.CSS(row+` [data-testid="activate"]`)),
	)
	if st := get(t, ctx, "read Ivy's status", chromedp.Text(chromedp.CSS(row+` [data-testid="user-status"]`))); !strings.Contains(st, "Deactivated") {
		t.Errorf("Ivy's status reads %q", st)
	}
	if res := env.Get(t, ivy, "/portal"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("Ivy's session after the deactivation: %d, want it ended", res.StatusCode)
	}
	screenshot(t, ctx, "customer-user-deactivated")
	if disabled := get(t, ctx, "open Remove", chromedp.Evaluate[bool](`(() => {
		document.querySelector('`+row+` [data-testid="remove-open"]').click();
		return document.querySelector('`+row+` [data-testid="remove"]').disabled;
	})()`)); !disabled {
		t.Error("Remove is enabled before the confirmation is ticked")
	}
	run(t, ctx, "tick the confirmation and remove",
		chromedp.Click(chromedp.CSS(row+` [data-testid="remove-confirm"]`)),
		chromedp.Click(chromedp.CSS(row+` [data-testid="remove"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(row)),
	)
	// The removal answers with a new page: wait for its message, not the one it replaces.
	get(t, ctx, "wait for the removal's message", chromedp.Poll[bool](`(() => {
		const m = document.querySelector('[data-testid="msg-success"]');
		return !!m && m.textContent.includes('removed');
	})()`, chromedp.WithPollingInterval(pollInterval)))
}
