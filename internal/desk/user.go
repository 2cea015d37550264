package desk

import "time"

// User is a person who signs in: a partner user (CustomerID empty) or a customer user.
type User struct {
	ID          string
	Email       string
	DisplayName string
	// CustomerID is the customer tenant of a customer user; empty for partner users.
	CustomerID string
	Roles      Roles
	// Locale is the saved language ("en", "hu"), or "" to follow the browser.
	Locale string
	// Theme is the saved colour theme (ThemeLight, ThemeDark), or "" to follow the device.
	Theme     string
	Active    bool
	CreatedAt time.Time
	// MFAEnrolledAt is when the user set up an authenticator app (R22); zero when not set up.
	MFAEnrolledAt time.Time
	// MustChangePassword: the password is a one-time password an admin gave out; the next
	// password sign-in can do nothing but change it (R24).
	MustChangePassword bool
}

// MFAEnrolled reports whether the user has set up two-step verification (R22).
func (u User) MFAEnrolled() bool { return !u.MFAEnrolledAt.IsZero() }

// MFARoles are the roles that must use two-step verification when PARTNERDESK_REQUIRE_MFA is on
// (R22): they can reveal product keys or administer users.
var MFARoles = RolesOf(RoleGlobalAdmin, RoleAdminAgent, RoleCustomerGlobalAdmin)

// NeedsMFA reports whether the user holds a role that must use two-step verification (R22).
func (u User) NeedsMFA() bool { return u.Roles.Any(MFARoles) }

// IsPartner reports whether the user belongs to the partner tenant.
func (u User) IsPartner() bool { return u.CustomerID == "" }

// Can reports whether the user may do p. Customer users never hold partner permissions and
// partner users never hold customer-area ones, whatever their bits say (R4).
func (u User) Can(p Permission) bool {
	if !u.Active {
		return false
	}
	allowed := Allowed[p]
	for _, r := range u.Roles.List() {
		if r.IsPartner() == u.IsPartner() && allowed.Has(r) {
			return true
		}
	}
	return false
}

// The colour themes a user can choose; "" follows the device's prefers-color-scheme.
const (
	ThemeLight = "light"
	ThemeDark  = "dark"
)

// ValidTheme reports whether t is a theme choice ("" included).
func ValidTheme(t string) bool { return t == "" || t == ThemeLight || t == ThemeDark }

// UserFilter selects users for a list.
type UserFilter struct {
	// CustomerID "" lists the partner's users.
	CustomerID string
}

// Actor is who performs a use case and from where, for the role checks and the activity log.
type Actor struct {
	User User
	IP   string
	// TokenID and TokenName name the API token the request came with (empty in the portal), so
	// that every event done with a token says which one.
	TokenID, TokenName string
}

// NewUser is the input of Settings → Users → Add user.
type NewUser struct {
	Email       string
	DisplayName string
	Roles       Roles
	// CustomerID makes a customer user (invited from the customer's Account tab).
	CustomerID string
}

// Validate checks a new user's fields (message keys of internal/i18n).
func (n NewUser) Validate() error {
	errs := FieldErrors{}
	if !ValidEmail(n.Email) {
		errs["email"] = "err.email"
	}
	if n.DisplayName == "" {
		errs["display_name"] = "err.required"
	} else if len(n.DisplayName) > 120 {
		errs["display_name"] = "err.too_long"
	}
	if !validRoles(n.Roles, n.CustomerID == "") {
		errs["roles"] = "err.roles"
	}
	return errs.Err()
}

// ValidPartnerRoles reports whether rs is a non-empty set of partner roles only.
func ValidPartnerRoles(rs Roles) bool { return validRoles(rs, true) }

func validRoles(rs Roles, partner bool) bool {
	if len(rs.List()) == 0 {
		return false
	}
	for _, r := range rs.List() {
		if r.IsPartner() != partner {
			return false
		}
	}
	return true
}
