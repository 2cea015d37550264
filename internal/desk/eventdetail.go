package desk

import (
	"fmt"
	"strings"
)

// An event's Detail is stored as short machine-written English (the API returns it as
// resourceNewValue, the CSV export as detail, and it is part of the hash chain). The builders
// below are the only writers of those formats and ParseDetail is their reader, so that the
// activity log can show the parts in the reader's language.

// DetailKind names the shape of a stored event detail.
type DetailKind string

// The detail shapes.
const (
	DetailText           DetailKind = ""                 // not one of the shapes below: shown as stored
	DetailVersion        DetailKind = "version"          // a key reveal: Version
	DetailEdition        DetailKind = "edition"          // a link or download: Edition, File
	DetailShared         DetailKind = "shared"           // a shared-link download: Email (the issuer), Edition, File
	DetailKeysImported   DetailKind = "keys_imported"    // N keys imported, M assigned
	DetailOrder          DetailKind = "order"            // N lines, Amount
	DetailCancel         DetailKind = "cancel"           // line N cancelled, credit Amount
	DetailCancelOverride DetailKind = "cancel_override"  // the same, the support-request rule overridden: Title (the reason)
	DetailUserCreated    DetailKind = "user_created"     // Email, Roles
	DetailUserRoles      DetailKind = "user_roles"       // Email, Roles
	DetailUserActivated  DetailKind = "user_activated"   // Email
	DetailUserDeactivate DetailKind = "user_deactivated" // Email
	DetailUserPassword   DetailKind = "user_password"    // Email
	DetailToken          DetailKind = "token"            // Name (the token's), Email (its user)
	DetailDenied         DetailKind = "denied"           // Permission, Path; N more in that minute (0: one refusal)
	DetailUnknownAccount DetailKind = "unknown_account"  // a failed sign-in of an unknown account
	DetailSupport        DetailKind = "support"          // Ref, Title
	DetailSupportStatus  DetailKind = "support_status"   // Ref, From, To (statuses)
	DetailUserMFAReset   DetailKind = "user_mfa_reset"   // Email
	DetailUserRemoved    DetailKind = "user_removed"     // Email
	DetailSignIn         DetailKind = "sign_in"          // Methods
	DetailSSOFailed      DetailKind = "sso_failed"       // Reason (an SSOFailure)
	DetailMFAFailed      DetailKind = "mfa_failed"       // Reason (an MFAFailure)
	DetailTokensRevoked  DetailKind = "tokens_revoked"   // N API tokens revoked
	DetailWebhook        DetailKind = "webhook"          // Title (the change: registered, updated, rotated, deleted), Path (the URL)
)

// SSOFailure is why a single sign-on was refused (R23), stored in the failed sign-in's detail.
type SSOFailure string

// The reasons a single sign-on is refused.
const (
	SSOUnknownAccount  SSOFailure = "unknown_account"  // no PartnerDesk user has the email
	SSOInactive        SSOFailure = "inactive"         // the user is deactivated
	SSOEmailUnverified SSOFailure = "email_unverified" // the identity provider did not vouch for the email
	SSOInvalidToken    SSOFailure = "invalid_token"    // the ID token failed verification (signature, issuer, audience, expiry, nonce)
	SSOState           SSOFailure = "state"            // unknown, used or expired state, or another browser's
	SSOProvider        SSOFailure = "provider"         // the identity provider answered with an error
)

// MFAFailure is why a code was refused at sign-in (R22), stored in the event's detail.
type MFAFailure string

// The reasons a code is refused.
const (
	MFAWrongCode     MFAFailure = "wrong_code"     // not the authenticator app's code
	MFAReplayed      MFAFailure = "replayed"       // the code of a 30-second step already used
	MFAWrongRecovery MFAFailure = "wrong_recovery" // not an unused recovery code
)

// Detail is a stored event detail taken apart.
type Detail struct {
	Kind    DetailKind
	Version string
	Edition EditionRef
	File    string
	Email   string
	Name    string
	Roles   Roles
	N, M    int
	Amount  Money
	// Permission and Path: a refused request.
	Permission Permission
	Path       string
	// Ref, Title, From and To: a support request and its status change.
	Ref, Title, From, To string
	// Methods: how a session signed in (SignInMethods); Reason: why a sign-in step was refused.
	Methods []string
	Reason  string
	// Raw is the detail as stored.
	Raw string
}

// DetailVersionText is a key reveal's detail ("version 2022").
func DetailVersionText(version string) string { return "version " + version }

// DetailEditionText is a link's or download's detail: version, language, bitness and file name.
func DetailEditionText(ref EditionRef, file string) string {
	return fmt.Sprintf("%s %s %s %s", ref.Version, ref.Language, ref.Bitness, file)
}

// DetailSharedText is a shared-link download's detail, naming who issued the link.
func DetailSharedText(issuer string, ref EditionRef, file string) string {
	return "shared link issued by " + issuer + ": " + DetailEditionText(ref, file)
}

// DetailKeysImportedText is a key import's detail.
func DetailKeysImportedText(added, assigned int) string {
	return fmt.Sprintf("%d keys imported, %d assigned to waiting purchases", added, assigned)
}

// DetailOrderText is an order's detail: its line count and gross total.
func DetailOrderText(lines int, total Money) string {
	return fmt.Sprintf("%d line(s), %s %s", lines, total.Decimal(), total.Currency)
}

// DetailCancelText is a cancellation's detail: the order line and its credit.
func DetailCancelText(line int, credit Money) string {
	return fmt.Sprintf("line %d cancelled, credit %s %s", line, credit.Decimal(), credit.Currency)
}

// overriddenSep joins a cancellation's detail and the reason of a Global admin's override.
const overriddenSep = ", support-request rule overridden: "

// DetailCancelOverrideText is the detail of a cancellation that overrode the support-request
// rule (PermOverrideCancelPolicy): the order line, its credit and the reason given.
func DetailCancelOverrideText(line int, credit Money, reason string) string {
	return DetailCancelText(line, credit) + overriddenSep + reason
}

// DetailUserCreatedText is a new user's detail: the email and the role slugs.
func DetailUserCreatedText(email string, rs Roles) string { return email + " " + roleSlugList(rs) }

// DetailUserRolesText is a role change's detail.
func DetailUserRolesText(email string, rs Roles) string {
	return email + " roles " + roleSlugList(rs)
}

// DetailUserActiveText is an activation's or deactivation's detail.
func DetailUserActiveText(email string, active bool) string {
	if active {
		return email + " activated"
	}
	return email + " deactivated"
}

// DetailUserPasswordText is a password reset's detail.
func DetailUserPasswordText(email string) string { return email + " password reset" }

// DetailTokenText is a new API token's detail: its name and its user.
func DetailTokenText(name, email string) string { return name + " for " + email }

// DetailDeniedText is a refused request's detail: the permission it needed and the path (with
// its characters escaped: it holds no space).
func DetailDeniedText(p Permission, path string) string { return string(p) + " " + path }

// DetailDeniedMoreText is the detail of the refusals of a user and route in a minute after the
// first: the first's permission and path, and how many more there were.
func DetailDeniedMoreText(p Permission, path string, more int64) string {
	return fmt.Sprintf("%s %s (%d more in that minute)", p, path, more)
}

// DetailUnknownAccountText is the detail of a failed sign-in of an account that does not exist.
const DetailUnknownAccountText = "unknown account"

// DetailSupportText is a filed support request's detail: its reference and title.
func DetailSupportText(ref, title string) string { return ref + " " + title }

// DetailSupportStatusText is a support request's status change.
func DetailSupportStatusText(ref, from, to string) string { return ref + " " + from + " → " + to }

// DetailUserMFAResetText is the detail of an admin's reset of a user's two-step verification.
func DetailUserMFAResetText(email string) string { return email + " two-step verification reset" }

// DetailUserRemovedText is the detail of a removed user.
func DetailUserRemovedText(email string) string { return email + " removed" }

// DetailSignInText is a sign-in's detail: how the session signed in ("password+totp").
func DetailSignInText(method string) string { return "method " + method }

// DetailSSOFailedText is the detail of a refused single sign-on, with the email the identity
// provider named when there is one.
func DetailSSOFailedText(reason SSOFailure, email string) string {
	if email == "" {
		return "sso " + string(reason)
	}
	return "sso " + string(reason) + " " + email
}

// DetailMFAFailedText is the detail of a refused code.
func DetailMFAFailedText(reason MFAFailure) string { return string(reason) }

// DetailTokensRevokedText says how many API tokens a change revoked (R24).
func DetailTokensRevokedText(n int) string { return fmt.Sprintf("%d API tokens revoked", n) }

// Webhook registration changes (R21), as DetailWebhookText writes them.
const (
	WebhookRegistered = "registered"
	WebhookUpdated    = "updated"
	WebhookRotated    = "secret rotated"
	WebhookDeleted    = "deleted"
)

// DetailWebhookText is a webhook registration change's detail: what changed and the URL.
func DetailWebhookText(change, url string) string { return "webhook " + change + ": " + url }

func roleSlugList(rs Roles) string {
	var parts []string
	for _, r := range rs.List() {
		parts = append(parts, r.Slug())
	}
	return strings.Join(parts, ",")
}

func parseRoleSlugs(s string) (Roles, bool) {
	var rs Roles
	if s == "" {
		return 0, true
	}
	for _, slug := range strings.Split(s, ",") {
		r, ok := ParseRole(slug)
		if !ok {
			return 0, false
		}
		rs |= Roles(r)
	}
	return rs, true
}

func parseEdition(s string) (EditionRef, string, bool) {
	f := strings.Fields(s)
	if len(f) != 4 {
		return EditionRef{}, "", false
	}
	return EditionRef{Version: f[0], Language: f[1], Bitness: f[2]}, f[3], true
}

func parseAmount(dec, currency string) (Money, bool) {
	m, err := ParseMoney(dec, currency)
	return m, err == nil && len(currency) == 3
}

// ParseDetail takes a stored detail of an operation apart; anything it does not recognise is
// DetailText with Raw, shown as stored.
func ParseDetail(op, s string) Detail {
	d := Detail{Raw: s}
	if s == "" {
		return d
	}
	switch op {
	case OpGetSoftwareKey:
		if v, ok := strings.CutPrefix(s, "version "); ok && v != "" && !strings.Contains(v, " ") {
			d.Kind, d.Version = DetailVersion, v
		}
	case OpGetDownloadLink, OpDownload:
		if ref, file, ok := parseEdition(s); ok {
			d.Kind, d.Edition, d.File = DetailEdition, ref, file
		}
	case OpSharedDownload:
		rest, ok := strings.CutPrefix(s, "shared link issued by ")
		issuer, ed, ok2 := strings.Cut(rest, ": ")
		if ref, file, ok3 := parseEdition(ed); ok && ok2 && ok3 && issuer != "" {
			d.Kind, d.Email, d.Edition, d.File = DetailShared, issuer, ref, file
		}
	case OpImportKeys:
		var a, b int
		if n, _ := fmt.Sscanf(s, "%d keys imported, %d assigned to waiting purchases", &a, &b); n == 2 && DetailKeysImportedText(a, b) == s {
			d.Kind, d.N, d.M = DetailKeysImported, a, b
		}
	case OpCreateOrder:
		var n int
		var dec, cur string
		if k, _ := fmt.Sscanf(s, "%d line(s), %s %s", &n, &dec, &cur); k == 3 {
			if m, ok := parseAmount(dec, cur); ok && DetailOrderText(n, m) == s {
				d.Kind, d.N, d.Amount = DetailOrder, n, m
			}
		}
	case OpUpdateOrder:
		var n int
		var dec, cur string
		base, reason, overridden := strings.Cut(s, overriddenSep)
		if k, _ := fmt.Sscanf(base, "line %d cancelled, credit %s %s", &n, &dec, &cur); k == 3 {
			if m, ok := parseAmount(dec, cur); ok && DetailCancelText(n, m) == base {
				d.Kind, d.N, d.Amount = DetailCancel, n, m
				if overridden {
					d.Kind, d.Title = DetailCancelOverride, reason
				}
			}
		}
	case OpCreateUser:
		email, slugs, _ := strings.Cut(s, " ")
		if rs, ok := parseRoleSlugs(slugs); ok && strings.Contains(email, "@") {
			d.Kind, d.Email, d.Roles = DetailUserCreated, email, rs
		}
	case OpUpdateUser:
		email, rest, _ := strings.Cut(s, " ")
		if !strings.Contains(email, "@") {
			break
		}
		d.Email = email
		switch {
		case rest == "activated":
			d.Kind = DetailUserActivated
		case rest == "deactivated":
			d.Kind = DetailUserDeactivate
		case rest == "password reset":
			d.Kind = DetailUserPassword
		case rest == "two-step verification reset":
			d.Kind = DetailUserMFAReset
		case rest == "roles" || strings.HasPrefix(rest, "roles "):
			if rs, ok := parseRoleSlugs(strings.TrimPrefix(strings.TrimPrefix(rest, "roles"), " ")); ok {
				d.Kind, d.Roles = DetailUserRoles, rs
			}
		}
		if d.Kind == DetailText {
			d.Email = ""
		}
	case OpCreateAPIToken:
		if i := strings.LastIndex(s, " for "); i > 0 && !strings.Contains(s[i+5:], " ") {
			d.Kind, d.Name, d.Email = DetailToken, s[:i], s[i+5:]
		}
	case OpPermissionDenied:
		if p, path, ok := strings.Cut(s, " "); ok && strings.HasPrefix(path, "/") {
			d.Kind, d.Permission, d.Path = DetailDenied, Permission(p), path
			var n int
			if base, more, ok := strings.Cut(path, " ("); ok {
				if _, err := fmt.Sscanf(more, "%d more in that minute)", &n); err == nil && n > 0 && DetailDeniedMoreText(d.Permission, base, int64(n)) == s {
					d.Path, d.N = base, n
				}
			}
		}
	case OpSignInFailed:
		if s == DetailUnknownAccountText {
			d.Kind = DetailUnknownAccount
		} else if rest, ok := strings.CutPrefix(s, "sso "); ok {
			reason, email, _ := strings.Cut(rest, " ")
			switch SSOFailure(reason) {
			case SSOUnknownAccount, SSOInactive, SSOEmailUnverified, SSOInvalidToken, SSOState, SSOProvider:
				if email == "" || (strings.Contains(email, "@") && !strings.Contains(email, " ")) {
					d.Kind, d.Reason, d.Email = DetailSSOFailed, reason, email
				}
			}
		}
	case OpSignIn:
		if m, ok := strings.CutPrefix(s, "method "); ok && m != "" && !strings.Contains(m, " ") {
			d.Kind, d.Methods = DetailSignIn, SignInMethods(m)
		}
	case OpMFAFailed:
		switch MFAFailure(s) {
		case MFAWrongCode, MFAReplayed, MFAWrongRecovery:
			d.Kind, d.Reason = DetailMFAFailed, s
		}
	case OpDeleteUser:
		if email, ok := strings.CutSuffix(s, " removed"); ok && strings.Contains(email, "@") && !strings.Contains(email, " ") {
			d.Kind, d.Email = DetailUserRemoved, email
		}
	case OpChangePassword:
		var n int
		if k, _ := fmt.Sscanf(s, "%d API tokens revoked", &n); k == 1 && DetailTokensRevokedText(n) == s {
			d.Kind, d.N = DetailTokensRevoked, n
		}
	case OpFileSupport:
		if ref, title, ok := strings.Cut(s, " "); ok && strings.HasPrefix(ref, "SR-") {
			d.Kind, d.Ref, d.Title = DetailSupport, ref, title
		}
	case OpChangeWebhook:
		rest, ok := strings.CutPrefix(s, "webhook ")
		change, u, ok2 := strings.Cut(rest, ": ")
		switch change {
		case WebhookRegistered, WebhookUpdated, WebhookRotated, WebhookDeleted:
			if ok && ok2 && u != "" {
				d.Kind, d.Title, d.Path = DetailWebhook, change, u
			}
		}
	case OpUpdateSupport:
		ref, rest, _ := strings.Cut(s, " ")
		if from, to, ok := strings.Cut(rest, " → "); ok && strings.HasPrefix(ref, "SR-") && from != "" && to != "" {
			d.Kind, d.Ref, d.From, d.To = DetailSupportStatus, ref, from, to
		}
	}
	return d
}
