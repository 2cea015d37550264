package web

import (
	"context"
	"testing"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"
)

func ctxOf(tag string) context.Context {
	return i18n.WithLocale(context.Background(), i18n.Get(tag))
}

// Invoice lines are written from the order line and the proration in the reader's language
// (R20); the stored English text stays for the API and the CSV.
func TestInvoiceLineText(t *testing.T) {
	charge := desk.InvoiceLine{Kind: desk.InvoiceCharge, Title: "Visio Professional 2024", Quantity: 3, Description: "Visio Professional 2024 × 3"}
	full := desk.InvoiceLine{Kind: desk.InvoiceCredit, Title: "Visio Professional 2024", Quantity: 3}
	prorated := desk.InvoiceLine{Kind: desk.InvoiceCredit, Title: "SQL Server Standard - 2 Core License Pack - 3 year", Quantity: 2, UsedDays: 3, TermDays: 1096}
	orphan := desk.InvoiceLine{Kind: desk.InvoiceCredit, Description: "Cancellation of something"}
	for _, tt := range []struct {
		tag  string
		line desk.InvoiceLine
		want string
	}{
		{"en", charge, "Visio Professional 2024 × 3"},
		{"hu", charge, "Visio Professional 2024 × 3"},
		{"en", full, "Cancellation of Visio Professional 2024 × 3 (100% credit)"},
		{"hu", full, "Lemondás: Visio Professional 2024 × 3 (100%-os jóváírás)"},
		{"en", prorated, "Cancellation of SQL Server Standard - 2 Core License Pack - 3 year × 2 (prorated: 1,093 of 1,096 days unused)"},
		{"hu", prorated, "Lemondás: SQL Server Standard - 2 Core License Pack - 3 year × 2 (időarányos jóváírás: 1\u00a0096 napból 1\u00a0093 felhasználatlan)"},
		{"hu", orphan, "Cancellation of something"},
	} {
		if got := InvoiceLineText(ctxOf(tt.tag), tt.line); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.tag, got, tt.want)
		}
	}
}

// Activity details (R11) read in the reader's language; a detail of no known shape shows as stored.
func TestEventDetail(t *testing.T) {
	ref := desk.EditionRef{Version: "2022", Language: "hu-hu", Bitness: "64-bit"}
	for _, tt := range []struct {
		op, detail, en, hu string
	}{
		{desk.OpGetSoftwareKey, desk.DetailVersionText("2022"), "Version 2022", "Verzió: 2022"},
		{desk.OpDownload, desk.DetailEditionText(ref, "X.ISO"), "Version 2022 · Hungarian · 64-bit · X.ISO", "Verzió: 2022 · Magyar · 64 bites · X.ISO"},
		{desk.OpSharedDownload, desk.DetailSharedText("a@partner.example", ref, "X.ISO"),
			"Shared link issued by a@partner.example · Version 2022 · Hungarian · 64-bit · X.ISO",
			"Megosztott hivatkozás, kiadta: a@partner.example · Verzió: 2022 · Magyar · 64 bites · X.ISO"},
		{desk.OpImportKeys, desk.DetailKeysImportedText(1200, 3), "Keys imported: 1,200; given to purchases waiting for a key: 3",
			"Importált kulcsok: 1\u00a0200; ebből a kulcsra váró vásárlásokhoz rendelve: 3"},
		{desk.OpCreateOrder, desk.DetailOrderText(1, desk.Money{Minor: 39889, Currency: "CHF"}), "1 line, 398.89\u00a0CHF", "1 tétel, 398,89\u00a0CHF"},
		{desk.OpCreateOrder, desk.DetailOrderText(2, desk.Money{Minor: 2524760, Currency: "HUF"}), "2 lines, 2,524,760\u00a0Ft", "2 tétel, 2\u00a0524\u00a0760\u00a0Ft"},
		{desk.OpUpdateOrder, desk.DetailCancelText(0, desk.Money{Minor: 902589, Currency: "HUF"}), "Line 0 cancelled, credit 902,589\u00a0Ft", "Lemondott sor: 0, jóváírás: 902\u00a0589\u00a0Ft"},
		{desk.OpCreateUser, desk.DetailUserCreatedText("u@partner.example", desk.RolesOf(desk.RoleSalesAgent, desk.RoleHelpdeskAgent)),
			"u@partner.example, roles: Sales agent, Helpdesk agent", "u@partner.example, szerepkörök: Értékesítési ügynök, Ügyfélszolgálati ügynök"},
		{desk.OpUpdateUser, desk.DetailUserRolesText("u@partner.example", desk.RolesOf(desk.RoleGlobalAdmin)),
			"u@partner.example: roles set to Global admin", "u@partner.example – új szerepkörök: Globális rendszergazda"},
		{desk.OpUpdateUser, desk.DetailUserActiveText("u@partner.example", false), "u@partner.example: deactivated", "u@partner.example – inaktiválva"},
		{desk.OpUpdateUser, desk.DetailUserPasswordText("u@partner.example"), "u@partner.example: password reset", "u@partner.example – jelszó visszaállítva"},
		{desk.OpCreateAPIToken, desk.DetailTokenText("Export", "b@partner.example"), "Export for b@partner.example", "Export (felhasználó: b@partner.example)"},
		{desk.OpPermissionDenied, desk.DetailDeniedText(desk.PermManageUsers, "/settings/users"),
			"/settings/users (needs the permission Manage users)", "/settings/users (szükséges engedély: Felhasználók kezelése)"},
		{desk.OpPermissionDenied, desk.DetailDeniedMoreText(desk.PermManageUsers, "/settings/users", 1234),
			"/settings/users (needs the permission Manage users): 1,234 more times in that minute", "/settings/users (szükséges engedély: Felhasználók kezelése): abban a percben még 1\u00a0234 alkalommal"},
		{desk.OpSignInFailed, desk.DetailUnknownAccountText, "Unknown account", "Ismeretlen fiók"},
		{desk.OpUpdateSupport, desk.DetailSupportStatusText("SR-000001", "new", "in_progress"), "SR-000001: New → In progress", "SR-000001: Új → Folyamatban"},
		{desk.OpRevokeAPIToken, "abc123", "abc123", "abc123"},
		{desk.OpUpdateUser, desk.DetailUserMFAResetText("u@partner.example"), "u@partner.example: two-step verification reset", "u@partner.example – kétlépéses ellenőrzés visszaállítva"},
		{desk.OpDeleteUser, desk.DetailUserRemovedText("u@contoso.onmicrosoft.com"), "u@contoso.onmicrosoft.com: removed", "u@contoso.onmicrosoft.com – eltávolítva"},
		{desk.OpSignIn, desk.DetailSignInText("password+totp"), "With password + authenticator app", "Módja: jelszó + hitelesítő alkalmazás"},
		{desk.OpSignIn, desk.DetailSignInText("sso+idp-mfa"), "With single sign-on + the organisation's multi-factor authentication",
			"Módja: egyszeri bejelentkezés + a szervezet többtényezős hitelesítése"},
		{desk.OpSignInFailed, desk.DetailSSOFailedText(desk.SSOUnknownAccount, "x@partner.example"), "Single sign-on as x@partner.example: no such user",
			"Egyszeri bejelentkezés (x@partner.example): nincs ilyen felhasználó"},
		{desk.OpSignInFailed, desk.DetailSSOFailedText(desk.SSOState, ""), "Single sign-on: expired, reused or from another browser",
			"Egyszeri bejelentkezés: lejárt, ismételt vagy más böngészőből érkezett"},
		{desk.OpMFAFailed, desk.DetailMFAFailedText(desk.MFAReplayed), "Code already used", "Már felhasznált kód"},
		{desk.OpChangePassword, desk.DetailTokensRevokedText(1200), "API tokens revoked: 1,200", "Visszavont API-jogkivonatok: 1\u00a0200"},
	} {
		e := desk.Event{Operation: tt.op, Detail: tt.detail}
		if got := EventDetail(ctxOf("en"), e); got != tt.en {
			t.Errorf("en %s: got %q, want %q", tt.op, got, tt.en)
		}
		if got := EventDetail(ctxOf("hu"), e); got != tt.hu {
			t.Errorf("hu %s: got %q, want %q", tt.op, got, tt.hu)
		}
	}
	if EventStatus(ctxOf("hu"), "succeeded") != "Sikeres" || EventStatus(ctxOf("hu"), "failed") != "Sikertelen" || EventStatus(ctxOf("hu"), "odd") != "odd" {
		t.Error("event status")
	}
}

// The Add customer country list follows the language's alphabet (Hungarian: cs after c).
func TestSortedCountriesHungarian(t *testing.T) {
	pos := map[string]int{}
	for i, c := range SortedCountries(ctxOf("hu")) {
		pos[c.Code] = i
	}
	// Costa Rica, Curaçao < Csád < Csehország; Oroszország < Örményország; São Tomé < Szudán.
	for _, p := range [][2]string{{"CR", "TD"}, {"CW", "TD"}, {"TD", "CZ"}, {"RU", "AM"}, {"ST", "SD"}, {"TV", "TM"}} {
		if pos[p[0]] > pos[p[1]] {
			t.Errorf("%s should come before %s", p[0], p[1])
		}
	}
}
