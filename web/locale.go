package web

import (
	"context"
	"strings"

	"partnerdesk/internal/desk"
)

// This file turns stored, machine-readable values (codes, English details, catalog data) into
// text in the reader's language at display time: the stored values stay what the API and the
// exports return.

// KindName names the product kind of one item ("Software subscription"); the catalog's filter
// pills use the plural kind.* names.
func KindName(ctx context.Context, k desk.ProductKind) string {
	return T(ctx, "product_kind."+string(k))
}

// BitnessLabel names an edition's bitness ("64-bit", "64 bites"); an unknown one shows as stored.
func BitnessLabel(ctx context.Context, bitness string) string {
	if m, ok := L(ctx).Lookup("bitness." + bitness); ok {
		return m
	}
	return bitness
}

// ProductDescription is a product's description in the reader's language (English when the
// product has none in it).
func ProductDescription(ctx context.Context, p desk.Product) string {
	if L(ctx).Tag == "hu" && p.DescriptionHU != "" {
		return p.DescriptionHU
	}
	return p.Description
}

// PersonName writes a contact's name in the reader's order ("Katalin Nagy", "Nagy Katalin").
func PersonName(ctx context.Context, first, last string) string {
	return L(ctx).PersonName(first, last)
}

// InvoiceLineText is an invoice line's description in the reader's language, written from the
// order line and, for a credit, the cancellation's proration (R20); a line without them shows
// its stored description.
func InvoiceLineText(ctx context.Context, l desk.InvoiceLine) string {
	if l.Title == "" || l.Quantity == 0 {
		return l.Description
	}
	loc := L(ctx)
	qty := loc.Number(int64(l.Quantity))
	switch {
	case l.Kind == desk.InvoiceCharge && l.BillingCycle == desk.BillingMonthly && !l.ServiceEnd.Equal(l.ServiceStart):
		return loc.T("billing.line.charge_monthly", l.Title, qty)
	case l.Kind == desk.InvoiceCharge:
		return l.Title + " × " + qty
	case l.TermDays == 0:
		return loc.T("billing.line.credit_full", l.Title, qty)
	}
	return loc.T("billing.line.credit_prorated", l.Title, qty, loc.Number(int64(l.TermDays-l.UsedDays)), loc.Number(int64(l.TermDays)))
}

// ServicePeriodText is the service an invoice line covers (R25): "Nov 25, 2026 – Dec 24, 2026",
// or one day.
func ServicePeriodText(ctx context.Context, l desk.InvoiceLine) string {
	if l.ServiceStart.IsZero() {
		return ""
	}
	if l.ServiceEnd.Equal(l.ServiceStart) {
		return L(ctx).Date(l.ServiceStart)
	}
	return L(ctx).T("billing.service_period", L(ctx).Date(l.ServiceStart), L(ctx).Date(l.ServiceEnd))
}

// EventStatus names an event's status ("succeeded" → "Sikeres").
func EventStatus(ctx context.Context, status string) string {
	if m, ok := L(ctx).Lookup("activity.status." + status); ok {
		return m
	}
	return status
}

// PermissionName names a permission ("manage-users" → "Manage users").
func PermissionName(ctx context.Context, p desk.Permission) string {
	if m, ok := L(ctx).Lookup("perm." + string(p)); ok {
		return m
	}
	return string(p)
}

func supportStatusName(ctx context.Context, s string) string {
	if m, ok := L(ctx).Lookup("support.status." + s); ok {
		return m
	}
	return s
}

// EventDetail is an event's stored detail in the reader's language (R11): its parts (version,
// edition, counts, amounts, roles, statuses) are put into a sentence of the catalog; a detail of
// no known shape shows as stored.
func EventDetail(ctx context.Context, e desk.Event) string {
	l := L(ctx)
	d := desk.ParseDetail(e.Operation, e.Detail)
	edition := func() string {
		return l.T("activity.d.edition", d.Edition.Version, LanguageName(ctx, d.Edition.Language), BitnessLabel(ctx, d.Edition.Bitness), d.File)
	}
	switch d.Kind {
	case desk.DetailVersion:
		return l.T("activity.d.version", d.Version)
	case desk.DetailEdition:
		return edition()
	case desk.DetailShared:
		return l.T("activity.d.shared", d.Email, edition())
	case desk.DetailKeysImported:
		return l.T("activity.d.keys_imported", l.Number(int64(d.N)), l.Number(int64(d.M)))
	case desk.DetailOrder:
		return l.N("activity.d.order", int64(d.N), l.Money(d.Amount))
	case desk.DetailCancel:
		return l.T("activity.d.cancel", itoa(d.N), l.Money(d.Amount))
	case desk.DetailCancelOverride:
		return l.T("activity.d.cancel_override", itoa(d.N), l.Money(d.Amount), d.Title)
	case desk.DetailUserCreated:
		return l.T("activity.d.user_created", d.Email, strings.Join(RoleNames(ctx, d.Roles), ", "))
	case desk.DetailUserRoles:
		return l.T("activity.d.user_roles", d.Email, strings.Join(RoleNames(ctx, d.Roles), ", "))
	case desk.DetailUserActivated:
		return l.T("activity.d.user_activated", d.Email)
	case desk.DetailUserDeactivate:
		return l.T("activity.d.user_deactivated", d.Email)
	case desk.DetailUserPassword:
		return l.T("activity.d.user_password", d.Email)
	case desk.DetailToken:
		return l.T("activity.d.token", d.Name, d.Email)
	case desk.DetailDenied:
		if d.N > 0 {
			return l.T("activity.d.denied_more", d.Path, PermissionName(ctx, d.Permission), l.Number(int64(d.N)))
		}
		return l.T("activity.d.denied", d.Path, PermissionName(ctx, d.Permission))
	case desk.DetailUnknownAccount:
		return l.T("activity.d.unknown_account")
	case desk.DetailSupport:
		return l.T("activity.d.support", d.Ref, d.Title)
	case desk.DetailSupportStatus:
		return l.T("activity.d.support_status", d.Ref, supportStatusName(ctx, d.From), supportStatusName(ctx, d.To))
	case desk.DetailUserMFAReset:
		return l.T("activity.d.user_mfa_reset", d.Email)
	case desk.DetailUserRemoved:
		return l.T("activity.d.user_removed", d.Email)
	case desk.DetailSignIn:
		names := make([]string, len(d.Methods))
		for i, m := range d.Methods {
			names[i] = lookupOr(ctx, "signin.method."+m, m)
		}
		return l.T("activity.d.sign_in", strings.Join(names, " + "))
	case desk.DetailSSOFailed:
		reason := lookupOr(ctx, "sso.reason."+d.Reason, d.Reason)
		if d.Email != "" {
			return l.T("activity.d.sso_failed_as", d.Email, reason)
		}
		return l.T("activity.d.sso_failed", reason)
	case desk.DetailMFAFailed:
		return l.T("activity.d.mfa_failed", lookupOr(ctx, "mfa.reason."+d.Reason, d.Reason))
	case desk.DetailTokensRevoked:
		return l.T("activity.d.tokens_revoked", l.Number(int64(d.N)))
	case desk.DetailWebhook:
		return l.T("activity.d.webhook."+strings.ReplaceAll(d.Title, " ", "_"), d.Path)
	}
	return e.Detail
}

// lookupOr is the message of key, or fallback when the catalog has none.
func lookupOr(ctx context.Context, key, fallback string) string {
	if m, ok := L(ctx).Lookup(key); ok {
		return m
	}
	return fallback
}
