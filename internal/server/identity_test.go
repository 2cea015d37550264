package server_test

// Sign-in and identity (SPEC §9c): two-step verification (R22), single sign-on (R23), passwords
// and customer users (R24), tokens named in every event.

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

	"github.com/PuerkitoBio/goquery"
)

const (
	idGA       = "globaladmin@partner.example"
	idAA       = "adminagent@partner.example"
	idSales    = "salesagent@partner.example"
	idContoso  = "admin@contoso.onmicrosoft.com"
	idFabrikam = "admin@fabrikam.onmicrosoft.com"
)

var idRecoveryFormat = regexp.MustCompile(`^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$`)

// idPassword signs in with a password only and returns the client and where it was sent.
func idPassword(t *testing.T, env *apptest.Env, email, password string) (*http.Client, string) {
	t.Helper()
	c := env.Client()
	res := env.PostForm(t, c, "/signin", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", email, res.StatusCode)
	}
	return c, res.Header.Get("Location")
}

// idEnrol sets up two-step verification on the security page of a signed-in (or enrolling)
// client and returns the secret and the recovery codes shown once.
func idEnrol(t *testing.T, env *apptest.Env, c *http.Client) (string, []string) {
	t.Helper()
	res := env.Get(t, c, "/account/security")
	d := doc(t, res.Body)
	secret := strings.TrimSpace(testid(d, "totp-secret").Text())
	setup := testid(d, "enrol-form").Find(`input[name="setup"]`).AttrOr("value", "")
	if res.StatusCode != http.StatusOK || !regexp.MustCompile(`^[A-Z2-7]{32}$`).MatchString(secret) || setup == "" {
		t.Fatalf("security page: %d, secret %q, setup %q", res.StatusCode, secret, setup)
	}
	if testid(d, "totp-qr").Find("svg path").Length() != 1 {
		t.Fatal("the security page has no QR code drawn in SVG")
	}
	res = env.PostForm(t, c, "/account/security/mfa", url.Values{"setup": {setup}, "code": {env.TOTPCode(t, secret)}})
	d = doc(t, res.Body)
	var codes []string
	testid(d, "recovery-code").Each(func(_ int, s *goquery.Selection) { codes = append(codes, strings.TrimSpace(s.Text())) })
	if res.StatusCode != http.StatusOK || len(codes) != 10 {
		t.Fatalf("confirm enrolment: %d, %d recovery codes", res.StatusCode, len(codes))
	}
	return secret, codes
}

// idCode posts a code at /signin/mfa.
func idCode(t *testing.T, env *apptest.Env, c *http.Client, code string) *apptest.Response {
	t.Helper()
	return env.PostForm(t, c, "/signin/mfa", url.Values{"code": {code}})
}

// R22: an Admin agent sets up an authenticator app; after the password, no session with rights
// exists until a code is right; a code works once (not even again in its own step); recovery
// codes work once; wrong codes are limited and logged.
func TestTwoStepVerification(t *testing.T) {
	env := apptest.Start(t)
	aa := env.SignIn(t, idAA)
	secret, codes := idEnrol(t, env, aa)
	for _, c := range codes {
		if !idRecoveryFormat.MatchString(c) {
			t.Errorf("recovery code %q", c)
		}
	}
	if evs := env.RecentEvents(t, desk.OpMFAEnrol, 1); len(evs) != 1 || evs[0].ActorEmail != idAA {
		t.Errorf("mfa_enrol event: %+v", evs)
	}
	// The codes are shown once: the page shows how many are left, not the codes.
	d := doc(t, env.Get(t, aa, "/account/security").Body)
	if testid(d, "recovery-code").Length() != 0 || !strings.Contains(testid(d, "codes-left").Text(), "10") || testid(d, "totp-secret").Length() != 0 {
		t.Errorf("the security page after enrolment: codes %d, %q", testid(d, "recovery-code").Length(), testid(d, "codes-left").Text())
	}
	// The secret is stored sealed, not as the base32 text.
	sealed, err := env.App.Store.TOTPSecret(context.Background(), env.User(t, idAA).ID)
	if err != nil || len(sealed) < 28 || strings.Contains(string(sealed), secret) {
		t.Errorf("stored secret: %d bytes, %v", len(sealed), err)
	}

	// The password alone gives a session without rights.
	c, loc := idPassword(t, env, idAA, apptest.Password)
	if loc != "/signin/mfa" {
		t.Fatalf("after the password: to %q, want /signin/mfa", loc)
	}
	for _, p := range []string{"/customers", "/customers/" + apptest.ContosoID + "/software", "/"} {
		if res := env.Get(t, c, p); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin/mfa" {
			t.Errorf("GET %s before the code: %d %s", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if res := env.PostForm(t, c, "/customers/"+apptest.ContosoID+"/cart", url.Values{}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST before the code: %d, want 401", res.StatusCode)
	}
	if res := env.Get(t, c, "/signin/mfa"); res.StatusCode != http.StatusOK || testid(doc(t, res.Body), "mfa-form").Length() != 1 {
		t.Errorf("/signin/mfa: %d", res.StatusCode)
	}

	// The code that confirmed the enrolment counts as used: not again in its own step.
	confirming := env.TOTPCode(t, secret)
	if res := idCode(t, env, c, confirming); res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, "already used") {
		t.Errorf("the confirming code again: %d", res.StatusCode)
	}
	if evs := env.RecentEvents(t, desk.OpMFAFailed, 1); len(evs) != 1 || evs[0].Detail != string(desk.MFAReplayed) || evs[0].Status != "failed" || evs[0].ActorEmail != idAA {
		t.Errorf("mfa_failed event: %+v", evs)
	}
	env.Clock.Advance(30 * time.Second)
	code := env.TOTPCode(t, secret)
	res := idCode(t, env, c, code)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("the right code: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := env.Get(t, c, "/customers"); res.StatusCode != http.StatusOK {
		t.Errorf("signed in with a code: /customers %d", res.StatusCode)
	}
	if evs := env.RecentEvents(t, desk.OpSignIn, 1); len(evs) != 1 || evs[0].ActorEmail != idAA || evs[0].Detail != "method password+totp" {
		t.Errorf("sign_in event: %+v", evs)
	}
	// The same code in another browser, within its step: refused.
	c2, _ := idPassword(t, env, idAA, apptest.Password)
	if res := idCode(t, env, c2, code); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a code replayed in another browser: %d", res.StatusCode)
	}

	// A recovery code works once, whatever its case and dashes.
	if res := idCode(t, env, c2, strings.ToUpper(strings.ReplaceAll(codes[3], "-", " "))); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Errorf("a recovery code: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if evs := env.RecentEvents(t, desk.OpSignIn, 1); len(evs) != 1 || evs[0].Detail != "method password+recovery-code" {
		t.Errorf("sign_in event: %+v", evs)
	}
	c3, _ := idPassword(t, env, idAA, apptest.Password)
	if res := idCode(t, env, c3, codes[3]); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a used recovery code: %d", res.StatusCode)
	}
	if d := doc(t, env.Get(t, c, "/account/security").Body); !strings.Contains(testid(d, "codes-left").Text(), "9") {
		t.Errorf("codes left after one use: %q", testid(d, "codes-left").Text())
	}

	// Wrong codes are limited per account, on every instance (the bucket is in the store):
	// after five (three were the refused replays above) even the right code waits.
	for i := 0; i < 2; i++ {
		if res := idCode(t, env, c3, "000000"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d", i, res.StatusCode)
		}
	}
	env.Clock.Advance(30 * time.Second)
	res = idCode(t, env, c3, env.TOTPCode(t, secret))
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("the right code after 5 wrong ones: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	env.Clock.Advance(2 * time.Minute)
	if res := idCode(t, env, c3, env.TOTPCode(t, secret)); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the right code once the limit refilled: %d", res.StatusCode)
	}

	// A sign-in waits at most ten minutes for its code.
	c4, _ := idPassword(t, env, idAA, apptest.Password)
	env.Clock.Advance(11 * time.Minute)
	if res := env.Get(t, c4, "/signin/mfa"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Errorf("an expired code step: %d %s", res.StatusCode, res.Header.Get("Location"))
	}

	// New recovery codes need a code; the old ones stop working.
	env.Clock.Advance(30 * time.Second)
	aa = env.SignIn(t, idSales) // any signed-in user without two-step verification is refused
	if res := env.PostForm(t, aa, "/account/security/mfa/recovery-codes", url.Values{"code": {"123456"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("new recovery codes without two-step verification: %d", res.StatusCode)
	}
	c5, _ := idPassword(t, env, idAA, apptest.Password)
	if res := idCode(t, env, c5, env.TOTPCode(t, secret)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	env.Clock.Advance(30 * time.Second)
	res = env.PostForm(t, c5, "/account/security/mfa/recovery-codes", url.Values{"code": {env.TOTPCode(t, secret)}})
	if n := testid(doc(t, res.Body), "recovery-code").Length(); res.StatusCode != http.StatusOK || n != 10 {
		t.Errorf("new recovery codes: %d, %d codes", res.StatusCode, n)
	}
	c6, _ := idPassword(t, env, idAA, apptest.Password)
	if res := idCode(t, env, c6, codes[5]); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("an old recovery code after renewal: %d", res.StatusCode)
	}
}

// R22, PARTNERDESK_REQUIRE_MFA: a Global admin without two-step verification can do nothing but
// set it up after the password; then the same session goes on with the user's rights. Roles
// that need no second factor sign in at once.
func TestRequireMFA(t *testing.T) {
	env := apptest.StartWith(t, func(c *apptest.Config) { c.RequireMFA = true })
	ga, loc := idPassword(t, env, idGA, apptest.Password)
	if loc != "/account/security" {
		t.Fatalf("Global admin after the password: %q, want /account/security", loc)
	}
	for _, p := range []string{"/customers", "/settings/users", "/settings/activity", "/portal"} {
		if res := env.Get(t, ga, p); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/security" {
			t.Errorf("GET %s before enrolling: %d %s", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	for _, p := range []string{"/settings/users", "/account/security/password", "/account/security/tokens"} {
		if res := env.PostForm(t, ga, p, url.Values{"email": {"x@partner.example"}, "display_name": {"X"}, "role": {"global-admin"}}); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST %s before enrolling: %d, want 401", p, res.StatusCode)
		}
	}
	d := doc(t, env.Get(t, ga, "/account/security").Body)
	if testid(d, "msg-warning").Length() == 0 || testid(d, "password-section").Length() != 0 || testid(d, "profile").Length() != 0 {
		t.Error("the enrolment step shows more than the set-up")
	}
	before := len(env.RecentEvents(t, desk.OpSignIn, 100))
	idEnrol(t, env, ga)
	if res := env.Get(t, ga, "/customers"); res.StatusCode != http.StatusOK {
		t.Errorf("after enrolling, /customers: %d", res.StatusCode)
	}
	if evs := env.RecentEvents(t, desk.OpSignIn, 100); len(evs) != before+1 || evs[0].Detail != "method password+totp" {
		t.Errorf("sign-in after enrolling: %d events, %+v", len(evs)-before, evs[0])
	}
	// A customer Global admin too; a Sales agent signs in at once.
	if _, loc := idPassword(t, env, idContoso, apptest.Password); loc != "/account/security" {
		t.Errorf("customer Global admin: %q", loc)
	}
	if _, loc := idPassword(t, env, idSales, apptest.Password); loc != "/" {
		t.Errorf("Sales agent: %q", loc)
	}
	// An Admin agent whose second factor an admin reset sets it up again.
	aa, _ := idPassword(t, env, idAA, apptest.Password)
	idEnrol(t, env, aa)
	env.Clock.Advance(30 * time.Second)
	if res := env.PostForm(t, ga, "/settings/users/"+env.User(t, idAA).ID+"/mfa-reset", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset the Admin agent's second factor: %d", res.StatusCode)
	}
	if res := env.Get(t, aa, "/customers"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the reset did not end the Admin agent's session: %d", res.StatusCode)
	}
	if _, loc := idPassword(t, env, idAA, apptest.Password); loc != "/account/security" {
		t.Errorf("Admin agent after the reset: %q", loc)
	}
	if evs := env.RecentEvents(t, desk.OpUpdateUser, 1); len(evs) != 1 || evs[0].Detail != desk.DetailUserMFAResetText(idAA) || evs[0].ActorEmail != idGA {
		t.Errorf("reset event: %+v", evs)
	}
	// A required role cannot turn it off.
	if res := env.PostForm(t, ga, "/account/security/mfa/disable", url.Values{"code": {"000000"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("turning off a required second factor: %d", res.StatusCode)
	}
	// Nor reset their own.
	if res := env.PostForm(t, ga, "/settings/users/"+env.User(t, idGA).ID+"/mfa-reset", nil); res.StatusCode != http.StatusConflict {
		t.Errorf("resetting one's own second factor: %d", res.StatusCode)
	}
}

// R24: everyone changes their own password with the current one; their other sessions end and
// their API tokens are revoked.
func TestChangePassword(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	sales := env.SignIn(t, idSales)
	other := env.SignIn(t, idSales)
	_, secret, err := env.App.Service.CreateToken(ctx, desk.Actor{User: env.User(t, idSales)}, "sync", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	const fresh = "correct-horse-battery-2026"
	for _, tt := range []struct {
		name          string
		current, next string
		field         string
	}{
		{"no current password", "", fresh, "current_password"},
		{"wrong current password", "not-my-password", fresh, "current_password"},
		{"too short", apptest.Password, "short", "new_password"},
		{"the email", apptest.Password, idSales, "new_password"},
		{"the same", apptest.Password, apptest.Password, "new_password"},
	} {
		res := env.PostForm(t, sales, "/account/security/password", url.Values{"current_password": {tt.current}, "new_password": {tt.next}})
		if d := doc(t, res.Body); res.StatusCode != http.StatusUnprocessableEntity || d.Find("#"+tt.field+"-err").Length() != 1 {
			t.Errorf("%s: %d, error on %s: %q", tt.name, res.StatusCode, tt.field, d.Find(".field-error").Text())
		}
	}
	res := env.PostForm(t, sales, "/account/security/password", url.Values{"current_password": {apptest.Password}, "new_password": {fresh}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/security?done=password_changed" {
		t.Fatalf("change: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := env.Get(t, sales, "/customers"); res.StatusCode != http.StatusOK {
		t.Errorf("this session after the change: %d", res.StatusCode)
	}
	if res := env.Get(t, other, "/customers"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the other session after the change: %d, want it ended", res.StatusCode)
	}
	if res := env.Get(t, env.Client(), "/v1/customers", "Authorization", "Bearer "+secret); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the API token after the change: %d, want revoked", res.StatusCode)
	}
	if res := env.PostForm(t, env.Client(), "/signin", url.Values{"email": {idSales}, "password": {apptest.Password}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the old password: %d", res.StatusCode)
	}
	if _, loc := idPassword(t, env, idSales, fresh); loc != "/" {
		t.Errorf("the new password: %q", loc)
	}
	evs := env.RecentEvents(t, desk.OpChangePassword, 3)
	if len(evs) < 2 || evs[0].Status != "succeeded" || evs[0].Detail != "1 API tokens revoked" || evs[1].Status != "failed" || evs[0].ActorEmail != idSales {
		t.Errorf("change_password events: %+v", evs)
	}
	for _, e := range evs {
		if strings.Contains(e.Detail, fresh) || strings.Contains(e.Detail, apptest.Password) {
			t.Error("a password in the activity log")
		}
	}
}

// R24 and the outside review: an admin's password reset gives a one-time password that the next
// sign-in must change before anything else; a reset or a deactivation revokes the user's API
// tokens, and a reactivation does not bring them back.
func TestResetAndDeactivateRevokeTokens(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	ga := env.SignIn(t, idGA)
	aa := env.User(t, idAA)
	_, secret, err := env.App.Service.CreateToken(ctx, desk.Actor{User: aa}, "nightly", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	api := func() int {
		return env.Get(t, env.Client(), "/v1/customers", "Authorization", "Bearer "+secret).StatusCode
	}
	if api() != http.StatusOK {
		t.Fatal("the token does not work to begin with")
	}
	if res := env.PostForm(t, ga, "/settings/users/"+aa.ID+"/deactivate", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", res.StatusCode)
	}
	if res := env.PostForm(t, ga, "/settings/users/"+aa.ID+"/activate", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("activate: %d", res.StatusCode)
	}
	if code := api(); code != http.StatusUnauthorized {
		t.Errorf("the token after deactivation and reactivation: %d, want 401", code)
	}
	_, secret, err = env.App.Service.CreateToken(ctx, desk.Actor{User: aa}, "nightly 2", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	res := env.PostForm(t, ga, "/settings/users/"+aa.ID+"/password", nil)
	otp := strings.TrimSpace(testid(doc(t, res.Body), "one-time-password").Find("code").Text())
	if res.StatusCode != http.StatusOK || len(otp) < 12 {
		t.Fatalf("reset: %d %q", res.StatusCode, otp)
	}
	if code := api(); code != http.StatusUnauthorized {
		t.Errorf("the token after a password reset: %d, want 401", code)
	}
	c, loc := idPassword(t, env, idAA, otp)
	if loc != "/account/security" {
		t.Fatalf("the one-time password: to %q", loc)
	}
	if res := env.Get(t, c, "/customers"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/security" {
		t.Errorf("before the change, /customers: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	d := doc(t, env.Get(t, c, "/account/security").Body)
	if testid(d, "password-section").Length() != 1 || testid(d, "mfa-section").Length() != 0 {
		t.Error("the one-time password step shows more than the password change")
	}
	res = env.PostForm(t, c, "/account/security/password", url.Values{"current_password": {otp}, "new_password": {"my-own-password-2026"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/?done=password_changed") {
		t.Fatalf("change the one-time password: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := env.Get(t, c, "/customers"); res.StatusCode != http.StatusOK {
		t.Errorf("after the change, /customers: %d", res.StatusCode)
	}
}

// R24, R4, R5: the partner's Global admin and the tenant's own Global admin manage a customer's
// users; deactivation ends their sessions at once; a customer admin never reaches another
// tenant's users (404) nor their own account through these routes.
func TestCustomerUserLifecycle(t *testing.T) {
	env := apptest.Start(t)
	ga := env.SignIn(t, idGA)
	contoso := "/customers/" + apptest.ContosoID
	_, otp := isoInvite(t, env, ga, apptest.ContosoID, "ivy@contoso.onmicrosoft.com", "Ivy User", desk.RoleCustomerUser.Slug())
	ivy := isoFirstSignIn(t, env, "ivy@contoso.onmicrosoft.com", otp)
	ivyID := env.User(t, "ivy@contoso.onmicrosoft.com").ID
	fabID := env.User(t, idFabrikam).ID

	// The partner's Global admin, from Contoso's Account tab.
	if res := env.PostForm(t, ga, contoso+"/users/"+ivyID+"/deactivate", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", res.StatusCode)
	}
	if res := env.Get(t, ivy, "/portal"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
		t.Errorf("the deactivated user's session: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if _, loc := idSignInStatus(t, env, "ivy@contoso.onmicrosoft.com", isoNewPassword); loc != http.StatusUnauthorized {
		t.Errorf("a deactivated user signs in: %d", loc)
	}
	d := doc(t, env.Get(t, ga, contoso+"/account").Body)
	row := d.Find(`[data-testid="customer-user"][data-email="ivy@contoso.onmicrosoft.com"]`)
	if !strings.Contains(row.Find(`[data-testid="user-status"]`).Text(), "Deactivated") || row.Find(`[data-testid="activate"]`).Length() != 1 {
		t.Errorf("the Account tab row: %q", strings.Join(strings.Fields(row.Text()), " "))
	}
	if res := env.PostForm(t, ga, contoso+"/users/"+ivyID+"/activate", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("activate: %d", res.StatusCode)
	}
	// Another tenant's user through Contoso's path: not found.
	if res := env.PostForm(t, ga, contoso+"/users/"+fabID+"/deactivate", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("Fabrikam's admin through Contoso's path: %d, want 404", res.StatusCode)
	}
	if !env.User(t, idFabrikam).Active {
		t.Fatal("Fabrikam's admin was deactivated")
	}

	// Contoso's own Global admin, in the admin center.
	cga := env.SignIn(t, idContoso)
	d = doc(t, env.Get(t, cga, "/portal/users").Body)
	if testid(d, "customer-user").Length() < 2 || strings.Contains(d.Text(), idFabrikam) {
		t.Errorf("the Users page lists %d users (or another tenant's)", testid(d, "customer-user").Length())
	}
	res := env.PostForm(t, cga, "/portal/users/"+ivyID+"/password", nil)
	otp2 := strings.TrimSpace(testid(doc(t, res.Body), "one-time-password").Find("code").Text())
	if res.StatusCode != http.StatusOK || len(otp2) < 12 {
		t.Fatalf("the customer admin resets a password: %d %q", res.StatusCode, otp2)
	}
	if _, loc := idPassword(t, env, "ivy@contoso.onmicrosoft.com", otp2); loc != "/account/security" {
		t.Errorf("the reset password must be changed: %q", loc)
	}
	for _, action := range []string{"deactivate", "activate", "password", "mfa-reset", "remove"} {
		if res := env.PostForm(t, cga, "/portal/users/"+fabID+"/"+action, url.Values{"confirm": {"yes"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("Contoso's admin %s Fabrikam's admin: %d, want 404", action, res.StatusCode)
		}
		if res := env.PostForm(t, cga, "/portal/users/"+env.User(t, idContoso).ID+"/"+action, url.Values{"confirm": {"yes"}}); res.StatusCode != http.StatusConflict {
			t.Errorf("Contoso's admin %s themselves: %d, want 409", action, res.StatusCode)
		}
	}
	if u := env.User(t, idFabrikam); !u.Active {
		t.Error("Fabrikam's admin was changed")
	}
	// A user without the admin role may not manage users.
	nora := isoInviteUser(t, env, "nora@contoso.onmicrosoft.com")
	if res := env.Get(t, nora, "/portal/users"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a customer user's /portal/users: %d", res.StatusCode)
	}
	// Removal needs its confirmation, then the user is gone and cannot sign in.
	if res := env.PostForm(t, cga, "/portal/users/"+ivyID+"/remove", nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("remove without confirmation: %d", res.StatusCode)
	}
	if res := env.PostForm(t, cga, "/portal/users/"+ivyID+"/remove", url.Values{"confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", res.StatusCode)
	}
	if _, _, err := env.App.Store.FindUserByEmail(context.Background(), "ivy@contoso.onmicrosoft.com"); desk.ErrorCode(err) != desk.ENOTFOUND {
		t.Errorf("the removed user: %v", err)
	}
	evs := env.RecentEvents(t, "", 60)
	want := map[string]string{
		desk.OpDeleteUser: desk.DetailUserRemovedText("ivy@contoso.onmicrosoft.com"),
	}
	seen := map[string]bool{}
	for _, e := range evs {
		if w, ok := want[e.Operation]; ok && e.Detail == w && e.ActorEmail == idContoso && e.CustomerID == apptest.ContosoID {
			seen[e.Operation] = true
		}
		if e.Operation == desk.OpUpdateUser && e.Detail == desk.DetailUserActiveText("ivy@contoso.onmicrosoft.com", false) && e.ActorEmail == idGA && e.CustomerID == apptest.ContosoID {
			seen["deactivate"] = true
		}
		if e.Operation == desk.OpUpdateUser && e.Detail == desk.DetailUserPasswordText("ivy@contoso.onmicrosoft.com") && e.ActorEmail == idContoso {
			seen["password"] = true
		}
	}
	for _, k := range []string{desk.OpDeleteUser, "deactivate", "password"} {
		if !seen[k] {
			t.Errorf("no %s event with its actor and customer", k)
		}
	}
}

func idSignInStatus(t *testing.T, env *apptest.Env, email, password string) (*http.Client, int) {
	t.Helper()
	c := env.Client()
	res := env.PostForm(t, c, "/signin", url.Values{"email": {email}, "password": {password}})
	return c, res.StatusCode
}

// Every event done with an API token names the token (id and name): in the store, the activity
// log page, its CSV export and the API's audit records. A token is made by its own user.
func TestTokenNamedInEvents(t *testing.T) {
	env := apptest.Start(t)
	aa := env.SignIn(t, idAA)
	res := env.PostForm(t, aa, "/account/security/tokens", url.Values{"name": {"Key sync"}, "days": {"30"}})
	secret := strings.TrimSpace(testid(doc(t, res.Body), "token-secret").Find("code").Text())
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(secret, "pdk_") {
		t.Fatalf("own token: %d %q", res.StatusCode, secret)
	}
	toks, err := env.App.Service.MyTokens(context.Background(), desk.Actor{User: env.User(t, idAA)})
	if err != nil || len(toks) != 1 || toks[0].UserEmail != idAA {
		t.Fatalf("the Admin agent's tokens: %+v %v", toks, err)
	}
	it := env.Purchase(t, apptest.ContosoID, "Windows Server 2022 Standard - 2 Core")
	res = env.Get(t, env.Client(), "/v1/customers/"+apptest.ContosoID+"/entitlements/"+it.ID+"/key?version=2022", "Authorization", "Bearer "+secret)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("API key: %d %s", res.StatusCode, res.Body)
	}
	evs := env.RecentEvents(t, desk.OpGetSoftwareKey, 1)
	if len(evs) != 1 || evs[0].APITokenID != toks[0].ID || evs[0].APITokenName != "Key sync" || evs[0].ActorEmail != idAA {
		t.Fatalf("the key event: %+v", evs)
	}
	// The portal's own events name no token.
	ga := env.SignIn(t, idGA)
	if evs := env.RecentEvents(t, desk.OpSignIn, 1); evs[0].APITokenID != "" {
		t.Errorf("a portal sign-in names a token: %+v", evs[0])
	}
	q := url.Values{"action": {desk.OpGetSoftwareKey}, "from": {"2026-11-25"}, "to": {"2026-11-25"}}
	d := doc(t, env.Get(t, ga, "/settings/activity?"+q.Encode()).Body)
	if !strings.Contains(testid(d, "event-token").First().Text(), "Key sync") {
		t.Errorf("the activity log row does not name the token: %q", testid(d, "event-token").Text())
	}
	_, recs := actCSV(t, env, ga, q)
	if len(recs) < 2 || actCol(t, recs, 1, "apiTokenId") != toks[0].ID || actCol(t, recs, 1, "apiTokenName") != "Key sync" {
		t.Errorf("the export does not name the token: %v", recs)
	}
	_, gsecret, err := env.App.Service.CreateToken(context.Background(), desk.Actor{User: env.User(t, idGA)}, "audit", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	res = env.Get(t, env.Client(), "/v1/auditrecords?startDate=2026-11-25&endDate=2026-11-26", "Authorization", "Bearer "+gsecret)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"apiTokenId":"`+toks[0].ID+`"`) || !strings.Contains(res.Body, `"apiTokenName":"Key sync"`) {
		t.Errorf("audit records: %d, no apiTokenId", res.StatusCode)
	}
	// The Global admin's token form makes their own token, whatever email is posted.
	res = env.PostForm(t, ga, "/settings/tokens", url.Values{"email": {idAA}, "name": {"mine"}, "days": {"1"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GA token: %d", res.StatusCode)
	}
	all, _ := env.App.Service.Tokens(context.Background(), desk.Actor{User: env.User(t, idGA)})
	for _, tk := range all {
		if tk.Name == "mine" && tk.UserEmail != idGA {
			t.Errorf("the Global admin made a token for %s", tk.UserEmail)
		}
	}
	// Another user's token cannot be revoked from My account (not found); one's own can.
	sales := env.SignIn(t, idSales)
	if res := env.PostForm(t, sales, "/account/security/tokens/"+toks[0].ID+"/revoke", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("revoking another user's token: %d", res.StatusCode)
	}
	if res := env.PostForm(t, aa, "/account/security/tokens/"+toks[0].ID+"/revoke", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("revoking one's own token: %d", res.StatusCode)
	}
	// A refused API request names its token too.
	stok, ssecret, err := env.App.Service.CreateToken(context.Background(), desk.Actor{User: env.User(t, idSales)}, "reports", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if res := env.Get(t, env.Client(), "/v1/auditrecords", "Authorization", "Bearer "+ssecret); res.StatusCode != http.StatusForbidden {
		t.Fatalf("the Sales agent's audit records: %d", res.StatusCode)
	}
	if evs := env.RecentEvents(t, desk.OpPermissionDenied, 1); len(evs) != 1 || evs[0].APITokenID != stok.ID || evs[0].APITokenName != "reports" {
		t.Errorf("the API denial: %+v", evs)
	}
	// Customer users have no tokens.
	if res := env.PostForm(t, env.SignIn(t, idContoso), "/account/security/tokens", url.Values{"name": {"x"}, "days": {"1"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a customer user's token: %d", res.StatusCode)
	}
}

// ssoEnv starts PartnerDesk with single sign-on against a provider on 127.0.0.1 (R23).
func ssoEnv(t *testing.T, requireMFA bool) (*apptest.Env, *oidctest.Provider) {
	t.Helper()
	// The provider keeps PartnerDesk's test clock, so token lifetimes agree.
	var env *apptest.Env
	p := oidctest.New(t, func() time.Time { return env.Clock.Now() })
	env = apptest.StartWith(t, func(c *apptest.Config) {
		c.RequireMFA = requireMFA
		c.SSO = service.SSOConfig{Issuer: p.Issuer(), ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret, TrustIdPMFA: true}
	})
	return env, p
}

// ssoSignIn runs a single sign-on in client c and returns PartnerDesk's answer to the callback
// and the callback URL (to replay it).
func ssoSignIn(t *testing.T, env *apptest.Env, p *oidctest.Provider, c *http.Client) (*apptest.Response, string) {
	t.Helper()
	res := env.PostForm(t, c, "/signin/oidc", url.Values{"next": {"/billing"}})
	auth := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(auth, p.Issuer()+"/authorize?") {
		t.Fatalf("start single sign-on: %d %q", res.StatusCode, auth)
	}
	q, _ := url.Parse(auth)
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if len(q.Query().Get(k)) < 40 {
			t.Errorf("authorization request %s = %q", k, q.Query().Get(k))
		}
	}
	if q.Query().Get("code_challenge_method") != "S256" || q.Query().Get("redirect_uri") != env.URL+service.SSOCallbackPath {
		t.Errorf("authorization request: %v", q.Query())
	}
	callback := p.SignIn(t, auth)
	u, _ := url.Parse(callback)
	return env.Get(t, c, u.RequestURI()), u.RequestURI()
}

func TestSingleSignOn(t *testing.T) {
	env, p := ssoEnv(t, false)
	if d := doc(t, env.Get(t, env.Client(), "/signin").Body); testid(d, "sso-submit").Length() != 1 || !strings.Contains(d.Text(), "Sign in with your organisation") {
		t.Fatal("the sign-in page has no single sign-on button")
	}
	// A billing admin of the partner, matched by verified email; roles stay PartnerDesk's.
	p.SetUser(oidctest.User{Subject: "entra-oid-1", Email: "Billing@Partner.example", EmailVerified: true, AMR: []string{"pwd"}})
	c := env.Client()
	res, callback := ssoSignIn(t, env, p, c)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/billing" {
		t.Fatalf("single sign-on: %d %s %s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	if res := env.Get(t, c, "/billing"); res.StatusCode != http.StatusOK {
		t.Errorf("signed in by single sign-on, /billing: %d", res.StatusCode)
	}
	if res := env.Get(t, c, "/customers/new"); res.StatusCode != http.StatusForbidden {
		t.Errorf("the billing admin's roles stay PartnerDesk's: /customers/new %d", res.StatusCode)
	}
	if evs := env.RecentEvents(t, desk.OpSignIn, 1); len(evs) != 1 || evs[0].ActorEmail != "billing@partner.example" || evs[0].Detail != "method sso" {
		t.Errorf("sign_in event: %+v", evs)
	}

	refused := func(what string, res *apptest.Response, reason desk.SSOFailure) {
		t.Helper()
		if res.StatusCode != http.StatusUnauthorized || testid(doc(t, res.Body), "msg-danger").Length() != 1 {
			t.Errorf("%s: %d, want 401 with a message", what, res.StatusCode)
		}
		if evs := env.RecentEvents(t, desk.OpSignInFailed, 1); len(evs) != 1 || !strings.HasPrefix(evs[0].Detail, desk.DetailSSOFailedText(reason, "")) {
			t.Errorf("%s: event %+v, want reason %s", what, evs, reason)
		}
	}
	// The answer replayed: its state was used.
	exchanges := p.Exchanges()
	res = env.Get(t, c, callback)
	refused("replayed state", res, desk.SSOState)
	if p.Exchanges() != exchanges {
		t.Error("a replayed state reached the token endpoint")
	}
	// The answer opened in another browser (without the cookie that binds it to this one).
	res = env.PostForm(t, c, "/signin/oidc", nil)
	cb := p.SignIn(t, res.Header.Get("Location"))
	u, _ := url.Parse(cb)
	refused("another browser's answer", env.Get(t, env.Client(), u.RequestURI()), desk.SSOState)
	// The provider's error answer.
	res = env.PostForm(t, c, "/signin/oidc", nil)
	au, _ := url.Parse(res.Header.Get("Location"))
	refused("error answer", env.Get(t, c, service.SSOCallbackPath+"?error=access_denied&state="+au.Query().Get("state")), desk.SSOProvider)

	for _, tt := range []struct {
		name   string
		user   oidctest.User
		faults oidctest.Faults
		reason desk.SSOFailure
	}{
		{"wrong audience", oidctest.User{Email: idSales, EmailVerified: true}, oidctest.Faults{Audience: "another-app"}, desk.SSOInvalidToken},
		{"expired token", oidctest.User{Email: idSales, EmailVerified: true}, oidctest.Faults{ExpiresIn: -time.Minute}, desk.SSOInvalidToken},
		{"signed with another key", oidctest.User{Email: idSales, EmailVerified: true}, oidctest.Faults{OtherKey: true}, desk.SSOInvalidToken},
		{"another nonce", oidctest.User{Email: idSales, EmailVerified: true}, oidctest.Faults{Nonce: "not-the-one"}, desk.SSOInvalidToken},
		{"unknown email", oidctest.User{Email: "stranger@partner.example", EmailVerified: true}, oidctest.Faults{}, desk.SSOUnknownAccount},
		{"email not verified", oidctest.User{Email: idSales, EmailVerified: false}, oidctest.Faults{}, desk.SSOEmailUnverified},
		{"no email_verified claim", oidctest.User{Email: idSales}, oidctest.Faults{}, desk.SSOEmailUnverified},
	} {
		p.SetUser(tt.user)
		p.SetFaults(tt.faults)
		c := env.Client()
		res, _ := ssoSignIn(t, env, p, c)
		refused(tt.name, res, tt.reason)
		if res := env.Get(t, c, "/customers"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: a session exists (%d)", tt.name, res.StatusCode)
		}
	}
	p.SetFaults(oidctest.Faults{})
	if evs := env.RecentEvents(t, desk.OpSignInFailed, 3); evs[2].Detail != desk.DetailSSOFailedText(desk.SSOUnknownAccount, "stranger@partner.example") {
		t.Errorf("the unknown email's event: %+v", evs[2])
	}
	// A deactivated user.
	ga := env.SignIn(t, idGA)
	env.PostForm(t, ga, "/settings/users/"+env.User(t, idSales).ID+"/deactivate", nil)
	p.SetUser(oidctest.User{Email: idSales, EmailVerified: true})
	res, _ = ssoSignIn(t, env, p, env.Client())
	refused("deactivated user", res, desk.SSOInactive)
	// Microsoft Entra ID vouches with its optional claim xms_edov (email domain owner verified).
	p.SetUser(oidctest.User{Email: idAA, Extra: map[string]any{"xms_edov": true}})
	if res, _ := ssoSignIn(t, env, p, env.Client()); res.StatusCode != http.StatusSeeOther {
		t.Errorf("xms_edov: %d", res.StatusCode)
	}
	// Some providers send email_verified as a string.
	p.SetUser(oidctest.User{Email: idAA, EmailVerified: "true"})
	if res, _ := ssoSignIn(t, env, p, env.Client()); res.StatusCode != http.StatusSeeOther {
		t.Errorf("email_verified as a string: %d", res.StatusCode)
	}

	// Attempts are limited per IP address (each stores a row until used or expired).
	for i := 0; ; i++ {
		res := env.PostForm(t, env.Client(), "/signin/oidc", nil)
		if res.StatusCode == http.StatusTooManyRequests {
			if i < 5 || res.Header.Get("Retry-After") == "" {
				t.Errorf("limited after %d attempts, Retry-After %q", i, res.Header.Get("Retry-After"))
			}
			break
		}
		if res.StatusCode != http.StatusSeeOther || i > 40 {
			t.Fatalf("attempt %d: %d", i, res.StatusCode)
		}
	}
	env.Clock.Advance(time.Minute)

	// In Hungarian: the button and a refusal (SPEC §10).
	h := newHUChecker(t, env)
	hc := env.Client()
	env.PostForm(t, hc, "/settings/language", url.Values{"locale": {"hu"}})
	if d := h.check("sign-in with single sign-on", env.Get(t, hc, "/signin")); !strings.Contains(testid(d, "sso-submit").Text(), "Bejelentkezés a szervezeti fiókjával") {
		t.Errorf("the Hungarian button: %q", testid(d, "sso-submit").Text())
	}
	p.SetUser(oidctest.User{Email: "stranger@partner.example", EmailVerified: true})
	res, _ = ssoSignIn(t, env, p, hc)
	if d := h.check("single sign-on refused", res); !strings.Contains(testid(d, "msg-danger").Text(), "nem tartozik PartnerDesk-felhasználó") {
		t.Errorf("the Hungarian refusal: %q", testid(d, "msg-danger").Text())
	}
}

// R22 with R23: single sign-on counts as the first factor. The provider's "mfa" (amr) counts as
// two-step verification; without it, PartnerDesk asks for its own code, or its set-up.
func TestSingleSignOnMFAPolicy(t *testing.T) {
	env, p := ssoEnv(t, true)
	p.SetUser(oidctest.User{Email: idGA, EmailVerified: true, AMR: []string{"pwd"}})
	c := env.Client()
	if res, _ := ssoSignIn(t, env, p, c); res.Header.Get("Location") != "/account/security?next=%2Fbilling" {
		t.Errorf("Global admin without the provider's MFA, not enrolled: %s", res.Header.Get("Location"))
	}
	idEnrol(t, env, c)
	env.Clock.Advance(30 * time.Second)
	if res, _ := ssoSignIn(t, env, p, env.Client()); res.Header.Get("Location") != "/signin/mfa?next=%2Fbilling" {
		t.Errorf("Global admin without the provider's MFA, enrolled: %s", res.Header.Get("Location"))
	}
	p.SetUser(oidctest.User{Email: idGA, EmailVerified: true, AMR: []string{"pwd", "mfa"}})
	c = env.Client()
	if res, _ := ssoSignIn(t, env, p, c); res.Header.Get("Location") != "/billing" {
		t.Errorf("Global admin with the provider's MFA: %s", res.Header.Get("Location"))
	}
	if evs := env.RecentEvents(t, desk.OpSignIn, 1); evs[0].Detail != "method sso+idp-mfa" {
		t.Errorf("sign_in event: %+v", evs[0])
	}
}
