// Package web holds PartnerDesk's templ components: the layout, shared components, one file per area.
package web

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"

	"github.com/a-h/templ"
)

// L returns the request's locale.
func L(ctx context.Context) *i18n.Locale { return i18n.From(ctx) }

// T translates a message key for the request's locale.
func T(ctx context.Context, key string, args ...any) string { return i18n.From(ctx).T(key, args...) }

// Page is what every page of the partner shell needs.
type Page struct {
	// Title is the entity part of "Entity | Section"; Section follows it.
	Title   string
	Section string
	User    desk.User
	// Nav is the active left-navigation item ("customers", "billing", "support", "settings").
	Nav    string
	Crumbs []Crumb
	// Flash is a success message shown once at the top of the page.
	Flash string
}

// Crumb is one breadcrumb; the last has no link.
type Crumb struct {
	Label, Href string
}

// FullTitle returns "Entity | Section | PartnerDesk".
func (p Page) FullTitle() string {
	t := p.Title
	if p.Section != "" && p.Section != p.Title {
		t += " | " + p.Section
	}
	return t + " | PartnerDesk"
}

// NavItem is an entry of the left navigation, the gear menu or a Home tile.
type NavItem struct {
	Key, Label, Href, Icon string
	// Lead is the one-line description on the Home tile.
	Lead string
	Perm desk.Permission
}

// NavItems lists the left navigation's entries the user may open: only areas the user's roles
// can use, so no entry ends in Access denied.
func NavItems(ctx context.Context, u desk.User) []NavItem {
	customersLead := T(ctx, "home.tile.customers")
	if !u.Can(desk.PermKeysDownloads) {
		customersLead = T(ctx, "home.tile.customers_no_keys")
	}
	all := []NavItem{
		{Key: "home", Label: T(ctx, "home.title"), Href: "/", Icon: "home", Perm: desk.PermPartnerArea},
		{Key: "customers", Label: T(ctx, "nav.customers"), Href: "/customers", Icon: "people", Perm: desk.PermViewCustomers, Lead: customersLead},
		{Key: "billing", Label: T(ctx, "billing.title"), Href: "/billing", Icon: "billing", Perm: desk.PermViewInvoices, Lead: T(ctx, "home.tile.billing")},
		{Key: "activity", Label: T(ctx, "activity.title"), Href: "/settings/activity", Icon: "activity", Perm: desk.PermViewActivityLog, Lead: T(ctx, "home.tile.activity")},
		{Key: "support", Label: T(ctx, "support.title"), Href: "/support", Icon: "support", Perm: desk.PermSupportRequests, Lead: T(ctx, "home.tile.support")},
		{Key: "markets", Label: T(ctx, "nav.markets"), Href: "/catalog/markets", Icon: "globe", Perm: desk.PermPartnerArea, Lead: T(ctx, "home.tile.markets")},
	}
	var out []NavItem
	for _, n := range all {
		if u.Can(n.Perm) {
			out = append(out, n)
		}
	}
	return out
}

// SettingsItems lists the gear menu's entries the user may open.
func SettingsItems(ctx context.Context, u desk.User) []NavItem {
	all := []NavItem{
		{Key: "activity", Label: T(ctx, "activity.title"), Href: "/settings/activity", Icon: "activity", Perm: desk.PermViewActivityLog, Lead: T(ctx, "home.tile.activity")},
		{Key: "users", Label: T(ctx, "settings.users"), Href: "/settings/users", Icon: "user", Perm: desk.PermManageUsers, Lead: T(ctx, "home.tile.users")},
		{Key: "keys", Label: T(ctx, "keys.title"), Href: "/settings/keys", Icon: "key", Perm: desk.PermImportKeys, Lead: T(ctx, "home.tile.keys")},
		{Key: "tokens", Label: T(ctx, "tokens.title"), Href: "/settings/tokens", Icon: "lock", Perm: desk.PermManageTokens, Lead: T(ctx, "home.tile.tokens")},
		{Key: "webhooks", Label: T(ctx, "webhooks.title"), Href: "/settings/webhooks", Icon: "link", Perm: desk.PermManageWebhooks, Lead: T(ctx, "home.tile.webhooks")},
		{Key: "api", Label: T(ctx, "api.title"), Href: "/settings/api", Icon: "code", Perm: desk.PermPartnerArea, Lead: T(ctx, "home.tile.api")},
	}
	var out []NavItem
	for _, n := range all {
		if u.Can(n.Perm) {
			out = append(out, n)
		}
	}
	return out
}

// HomeTiles lists the Home workspace's tiles: every area of the left navigation and the gear
// menu the user may open, once each, Home itself left out.
func HomeTiles(ctx context.Context, u desk.User) []NavItem {
	var out []NavItem
	seen := map[string]bool{"home": true}
	for _, n := range append(NavItems(ctx, u), SettingsItems(ctx, u)...) {
		if !seen[n.Key] {
			seen[n.Key] = true
			out = append(out, n)
		}
	}
	return out
}

type themeKey struct{}

// WithTheme returns a context carrying the colour theme the page is drawn in ("" follows the
// device, "light", "dark"): the signed-in user's choice, else the browser's cookie.
func WithTheme(ctx context.Context, theme string) context.Context {
	return context.WithValue(ctx, themeKey{}, theme)
}

// Theme returns the context's colour theme ("" when it follows the device).
func Theme(ctx context.Context) string {
	t, _ := ctx.Value(themeKey{}).(string)
	return t
}

// darkMedia is when the dark stylesheet applies: on a dark device when the user follows it,
// always when they chose Dark, never when they chose Light (a matching stylesheet blocks the
// first paint, so the page never flashes the other theme).
func darkMedia(ctx context.Context) string {
	switch Theme(ctx) {
	case desk.ThemeDark:
		return "all"
	case desk.ThemeLight:
		return "not all"
	}
	return "(prefers-color-scheme: dark)"
}

// colorScheme is the color-scheme meta value: both schemes when the device decides.
func colorScheme(ctx context.Context) string {
	if t := Theme(ctx); t != "" {
		return t
	}
	return "light dark"
}

// RoleNames returns the translated names of a set of roles.
func RoleNames(ctx context.Context, rs desk.Roles) []string {
	var out []string
	for _, r := range rs.List() {
		out = append(out, T(ctx, "role."+r.Slug()))
	}
	return out
}

// Initials returns up to two initials of a display name for the avatar.
func Initials(name string) string {
	var out []rune
	next := true
	for _, r := range name {
		if r == ' ' || r == '.' || r == '@' {
			next = true
			if r == '@' {
				break
			}
			continue
		}
		if next && len(out) < 2 {
			out = append(out, r)
		}
		next = false
	}
	return string(out)
}

// withQuery returns path with the query values set (empty values dropped).
func withQuery(path string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

func itoa(n int) string { return strconv.Itoa(n) }

// FieldErr returns the translated error of a form field, "" when none.
func FieldErr(ctx context.Context, errs desk.FieldErrors, field string) string {
	if k, ok := errs[field]; ok {
		return L(ctx).Msg(k)
	}
	return ""
}

// CountryName returns a market's name in the request's language.
func CountryName(ctx context.Context, code string) string {
	return L(ctx).CountryName(code)
}

// CountryOption is a market in the Add customer drop-down.
type CountryOption struct{ Code, Name, Currency string }

// sortedCountries keeps SortedCountries' answer per language (the list never changes).
var sortedCountries sync.Map

// SortedCountries lists the markets by their name in the request's language, in the language's
// alphabetical order (Hungarian collation: cs after c, ö after o, sz after s…).
func SortedCountries(ctx context.Context) []CountryOption {
	if v, ok := sortedCountries.Load(L(ctx).Tag); ok {
		return v.([]CountryOption)
	}
	out := make([]CountryOption, 0, len(desk.Countries))
	for _, c := range desk.Countries {
		out = append(out, CountryOption{Code: c.Code, Name: CountryName(ctx, c.Code), Currency: c.Currency})
	}
	coll := L(ctx).Collator()
	slices.SortStableFunc(out, func(a, b CountryOption) int { return coll.CompareString(a.Name, b.Name) })
	sortedCountries.Store(L(ctx).Tag, out)
	return out
}

// accentFold maps the accented letters of the market names to their base letters.
var accentFold = strings.NewReplacer("Á", "A", "á", "a", "É", "E", "é", "e", "Í", "I", "í", "i", "Ó", "O", "ó", "o", "Ö", "O", "ö", "o", "Ő", "O", "ő", "o", "Ú", "U", "ú", "u", "Ü", "U", "ü", "u", "Ű", "U", "ű", "u", "Å", "A", "ç", "c", "ô", "o", "é", "e")

// collate folds case and accents, so that a search for "aland" finds "Åland".
func collate(s string) string {
	return strings.ToLower(accentFold.Replace(s))
}

// FieldErrArgs is FieldErr for a message with arguments.
func FieldErrArgs(ctx context.Context, errs desk.FieldErrors, args map[string][]any, field string) string {
	if k, ok := errs[field]; ok {
		if a := args[field]; len(a) > 0 {
			return L(ctx).T(k, a...)
		}
		return L(ctx).Msg(k)
	}
	return ""
}

// joinRoles names the user's roles, comma-separated.
func joinRoles(ctx context.Context, u desk.User) string {
	return strings.Join(RoleNames(ctx, u.Roles), ", ")
}

// iconNames are the symbols of static/icons.svg.
var iconNames = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`menu logo search gear home activity code dismiss checkmark copy chevron-down sort sort-up
		sort-down link theme people billing support globe signout plus check warning info export key lock user chevron-left
		chevron-right`) {
		iconNames[n] = true
	}
	for n := range iconNames {
		var b strings.Builder
		if err := iconSVG(n).Render(context.Background(), &b); err != nil {
			panic(err)
		}
		iconDrawn[n] = templ.Raw(b.String())
	}
}

// iconDrawn holds each known icon's markup, drawn once by iconSVG: an icon is constant (no user
// data), and a list page draws one per row, which cost a tenth of the page's CPU time.
var iconDrawn = map[string]templ.Component{}

// Icon draws one of PartnerDesk's icons (iconSVG).
func Icon(name string) templ.Component {
	if c, ok := iconDrawn[name]; ok {
		return c
	}
	return iconSVG(name)
}

// iconHref is the sprite's symbol of an icon ("dot" for a name it does not have).
func iconHref(name string) string {
	if !iconNames[name] {
		name = "dot"
	}
	return "/static/icons.svg#" + name
}
