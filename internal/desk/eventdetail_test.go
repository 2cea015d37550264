package desk

import (
	"reflect"
	"testing"
)

// Every stored detail shape reads back into its parts (the activity log shows them in the
// reader's language, R11); anything else stays text.
func TestParseDetailRoundTrip(t *testing.T) {
	ref := EditionRef{Version: "2022", Language: "hu-hu", Bitness: "64-bit"}
	file := "SW_DVD9_Win_Server_STD_CORE_2022_64Bit_Hungarian_DC_STD_MLF.ISO"
	for _, tt := range []struct {
		op, detail string
		want       Detail
	}{
		{OpGetSoftwareKey, DetailVersionText("2022"), Detail{Kind: DetailVersion, Version: "2022"}},
		{OpGetDownloadLink, DetailEditionText(ref, file), Detail{Kind: DetailEdition, Edition: ref, File: file}},
		{OpDownload, DetailEditionText(ref, file), Detail{Kind: DetailEdition, Edition: ref, File: file}},
		{OpSharedDownload, DetailSharedText("adminagent@partner.example", ref, file), Detail{Kind: DetailShared, Email: "adminagent@partner.example", Edition: ref, File: file}},
		{OpImportKeys, DetailKeysImportedText(12, 3), Detail{Kind: DetailKeysImported, N: 12, M: 3}},
		{OpCreateOrder, DetailOrderText(1, Money{Minor: 39889, Currency: "CHF"}), Detail{Kind: DetailOrder, N: 1, Amount: Money{Minor: 39889, Currency: "CHF"}}},
		{OpCreateOrder, DetailOrderText(3, Money{Minor: 1483360, Currency: "HUF"}), Detail{Kind: DetailOrder, N: 3, Amount: Money{Minor: 1483360, Currency: "HUF"}}},
		{OpUpdateOrder, DetailCancelText(0, Money{Minor: 519176, Currency: "HUF"}), Detail{Kind: DetailCancel, N: 0, Amount: Money{Minor: 519176, Currency: "HUF"}}},
		{OpCreateUser, DetailUserCreatedText("new@partner.example", RolesOf(RoleAdminAgent, RoleSalesAgent)), Detail{Kind: DetailUserCreated, Email: "new@partner.example", Roles: RolesOf(RoleAdminAgent, RoleSalesAgent)}},
		{OpUpdateUser, DetailUserRolesText("x@partner.example", RolesOf(RoleGlobalAdmin)), Detail{Kind: DetailUserRoles, Email: "x@partner.example", Roles: RolesOf(RoleGlobalAdmin)}},
		{OpUpdateUser, DetailUserActiveText("x@partner.example", true), Detail{Kind: DetailUserActivated, Email: "x@partner.example"}},
		{OpUpdateUser, DetailUserActiveText("x@partner.example", false), Detail{Kind: DetailUserDeactivate, Email: "x@partner.example"}},
		{OpUpdateUser, DetailUserPasswordText("x@partner.example"), Detail{Kind: DetailUserPassword, Email: "x@partner.example"}},
		{OpCreateAPIToken, DetailTokenText("CI for billing export", "billing@partner.example"), Detail{Kind: DetailToken, Name: "CI for billing export", Email: "billing@partner.example"}},
		{OpPermissionDenied, DetailDeniedText(PermManageUsers, "/settings/users"), Detail{Kind: DetailDenied, Permission: PermManageUsers, Path: "/settings/users"}},
		{OpPermissionDenied, DetailDeniedMoreText(PermManageUsers, "/settings/users", 29), Detail{Kind: DetailDenied, Permission: PermManageUsers, Path: "/settings/users", N: 29}},
		// A path that only looks like a count (it would hold an escaped space) stays the path.
		{OpPermissionDenied, DetailDeniedText(PermManageUsers, "/x (3 more in that minute) y"), Detail{Kind: DetailDenied, Permission: PermManageUsers, Path: "/x (3 more in that minute) y"}},
		{OpSignInFailed, DetailUnknownAccountText, Detail{Kind: DetailUnknownAccount}},
		{OpFileSupport, DetailSupportText("SR-000012", "Refund for a duplicate order"), Detail{Kind: DetailSupport, Ref: "SR-000012", Title: "Refund for a duplicate order"}},
		{OpUpdateSupport, DetailSupportStatusText("SR-000012", "new", "in_progress"), Detail{Kind: DetailSupportStatus, Ref: "SR-000012", From: "new", To: "in_progress"}},
		{OpUpdateUser, DetailUserMFAResetText("x@partner.example"), Detail{Kind: DetailUserMFAReset, Email: "x@partner.example"}},
		{OpDeleteUser, DetailUserRemovedText("nora@contoso.onmicrosoft.com"), Detail{Kind: DetailUserRemoved, Email: "nora@contoso.onmicrosoft.com"}},
		{OpSignIn, DetailSignInText("password+totp"), Detail{Kind: DetailSignIn, Methods: []string{MethodPassword, MethodTOTP}}},
		{OpSignIn, DetailSignInText("sso+idp-mfa"), Detail{Kind: DetailSignIn, Methods: []string{MethodSSO, MethodIdPMFA}}},
		{OpSignInFailed, DetailSSOFailedText(SSOUnknownAccount, "who@example.com"), Detail{Kind: DetailSSOFailed, Reason: "unknown_account", Email: "who@example.com"}},
		{OpSignInFailed, DetailSSOFailedText(SSOState, ""), Detail{Kind: DetailSSOFailed, Reason: "state"}},
		{OpMFAFailed, DetailMFAFailedText(MFAReplayed), Detail{Kind: DetailMFAFailed, Reason: "replayed"}},
		{OpChangePassword, DetailTokensRevokedText(2), Detail{Kind: DetailTokensRevoked, N: 2}},
		// Not a known shape: kept as text.
		{OpSignInFailed, "sso guessed", Detail{}},
		{OpMFAFailed, "whatever", Detail{}},
		{OpRevokeAPIToken, "3f6c", Detail{}},
		{OpCreateOrder, "2 line(s), 12.5 EUR", Detail{}}, // not the writer's format (one decimal)
		{OpCreateOrder, "free text", Detail{}},
		{OpUpdateUser, "x@partner.example promoted", Detail{}},
		{OpSignInFailed, "", Detail{}},
	} {
		tt.want.Raw = tt.detail
		if got := ParseDetail(tt.op, tt.detail); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s %q:\n got %+v\nwant %+v", tt.op, tt.detail, got, tt.want)
		}
	}
}
