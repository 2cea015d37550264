package desk

import "strings"

// Role is one role of SPEC §1. A user holds a set of roles (Roles).
type Role uint16

// The roles of SPEC §1.
const (
	RoleGlobalAdmin         Role = 1 << iota // partner: everything partner-side
	RoleAdminAgent                           // partner: keys, downloads, cancel (R1, R3)
	RoleSalesAgent                           // partner: customers (read), place orders
	RoleHelpdeskAgent                        // partner: customers (read), software list, support
	RoleBillingAdmin                         // partner: invoices, credits, orders (read)
	RoleReferralsAdmin                       // partner: activity log (read) (R2)
	RoleCustomerGlobalAdmin                  // customer: own keys and downloads (R4)
	RoleCustomerUser                         // customer: signs in, sees no keys (R4)
)

// PartnerRoles lists the partner-side roles in display order.
var PartnerRoles = []Role{RoleGlobalAdmin, RoleAdminAgent, RoleSalesAgent, RoleHelpdeskAgent, RoleBillingAdmin, RoleReferralsAdmin}

// CustomerRoles lists the customer-side roles in display order.
var CustomerRoles = []Role{RoleCustomerGlobalAdmin, RoleCustomerUser}

var roleSlugs = map[Role]string{
	RoleGlobalAdmin:         "global-admin",
	RoleAdminAgent:          "admin-agent",
	RoleSalesAgent:          "sales-agent",
	RoleHelpdeskAgent:       "helpdesk-agent",
	RoleBillingAdmin:        "billing-admin",
	RoleReferralsAdmin:      "referrals-admin",
	RoleCustomerGlobalAdmin: "customer-global-admin",
	RoleCustomerUser:        "customer-user",
}

// Slug is the stable, URL- and CLI-safe name of the role ("admin-agent"); message keys use it too.
func (r Role) Slug() string { return roleSlugs[r] }

// IsPartner reports whether the role belongs to the partner tenant.
func (r Role) IsPartner() bool { return r&(RoleCustomerGlobalAdmin|RoleCustomerUser) == 0 }

// ParseRole reads a role slug.
func ParseRole(s string) (Role, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	for r, slug := range roleSlugs {
		if slug == s {
			return r, true
		}
	}
	return 0, false
}

// Roles is a set of roles, stored as a bit mask.
type Roles uint16

// Has reports whether the set holds r.
func (rs Roles) Has(r Role) bool { return uint16(rs)&uint16(r) != 0 }

// Any reports whether the set holds any role of others.
func (rs Roles) Any(others Roles) bool { return rs&others != 0 }

// List returns the roles of the set in display order.
func (rs Roles) List() []Role {
	var out []Role
	for _, r := range append(append([]Role{}, PartnerRoles...), CustomerRoles...) {
		if rs.Has(r) {
			out = append(out, r)
		}
	}
	return out
}

// RolesOf builds a set.
func RolesOf(roles ...Role) Roles {
	var rs Roles
	for _, r := range roles {
		rs |= Roles(r)
	}
	return rs
}

// Permission is something a route or use case needs; Allowed maps it to roles (SPEC §1).
type Permission string

// Permissions of SPEC §1. Every route names one (see internal/server).
const (
	PermViewCustomers  Permission = "view-customers"
	PermAddCustomer    Permission = "add-customer"
	PermPlaceOrder     Permission = "place-order"
	PermViewOrders     Permission = "view-orders"
	PermViewSoftware   Permission = "view-software"
	PermKeysDownloads  Permission = "keys-downloads"  // R1
	PermCancelPurchase Permission = "cancel-purchase" // R3
	// PermOverrideCancelPolicy cancels a purchase that needs a support request (downloaded, or
	// above the amount limit), with a recorded reason: Global admins only.
	PermOverrideCancelPolicy Permission = "override-cancel-policy"
	PermSupportRequests      Permission = "support-requests" // SPEC §8
	PermViewInvoices         Permission = "view-invoices"
	PermViewActivityLog      Permission = "view-activity-log" // R2
	PermManageUsers          Permission = "manage-users"
	PermImportKeys           Permission = "import-keys"
	PermManageTokens         Permission = "manage-tokens"
	PermPartnerArea          Permission = "partner-area"    // any partner user: reference pages (markets, the API)
	PermManageSupport        Permission = "manage-support"  // change a support request's status
	PermCustomerArea         Permission = "customer-area"   // any customer user: their own tenant only (R4)
	PermCustomerKeys         Permission = "customer-keys"   // R4: customer Global admin only
	PermOwnTokens            Permission = "own-tokens"      // any partner user: their own API tokens
	PermCustomerUsers        Permission = "customer-users"  // R24: a customer Global admin manages their own tenant's users
	PermManageWebhooks       Permission = "manage-webhooks" // R21: the webhook registration and its delivery log
)

// Allowed is the role table of SPEC §1: which roles hold each permission.
var Allowed = map[Permission]Roles{
	PermViewCustomers:        RolesOf(RoleGlobalAdmin, RoleAdminAgent, RoleSalesAgent, RoleHelpdeskAgent),
	PermAddCustomer:          RolesOf(RoleGlobalAdmin, RoleAdminAgent, RoleSalesAgent),
	PermPlaceOrder:           RolesOf(RoleGlobalAdmin, RoleAdminAgent, RoleSalesAgent),
	PermViewOrders:           RolesOf(RoleGlobalAdmin, RoleAdminAgent, RoleSalesAgent, RoleHelpdeskAgent, RoleBillingAdmin),
	PermViewSoftware:         RolesOf(RoleGlobalAdmin, RoleAdminAgent, RoleSalesAgent, RoleHelpdeskAgent),
	PermKeysDownloads:        RolesOf(RoleGlobalAdmin, RoleAdminAgent),
	PermCancelPurchase:       RolesOf(RoleGlobalAdmin, RoleAdminAgent),
	PermOverrideCancelPolicy: RolesOf(RoleGlobalAdmin),
	PermSupportRequests:      RolesOf(RoleGlobalAdmin, RoleAdminAgent, RoleHelpdeskAgent),
	PermViewInvoices:         RolesOf(RoleGlobalAdmin, RoleBillingAdmin),
	PermViewActivityLog:      RolesOf(RoleGlobalAdmin, RoleReferralsAdmin),
	PermManageUsers:          RolesOf(RoleGlobalAdmin),
	PermImportKeys:           RolesOf(RoleGlobalAdmin),
	PermManageTokens:         RolesOf(RoleGlobalAdmin),
	PermPartnerArea:          RolesOf(RoleGlobalAdmin, RoleAdminAgent, RoleSalesAgent, RoleHelpdeskAgent, RoleBillingAdmin, RoleReferralsAdmin),
	PermManageSupport:        RolesOf(RoleGlobalAdmin),
	PermCustomerArea:         RolesOf(RoleCustomerGlobalAdmin, RoleCustomerUser),
	PermCustomerKeys:         RolesOf(RoleCustomerGlobalAdmin),
	PermOwnTokens:            RolesOf(RoleGlobalAdmin, RoleAdminAgent, RoleSalesAgent, RoleHelpdeskAgent, RoleBillingAdmin, RoleReferralsAdmin),
	PermCustomerUsers:        RolesOf(RoleCustomerGlobalAdmin),
	PermManageWebhooks:       RolesOf(RoleGlobalAdmin),
}

// Can reports whether a holder of rs may do p.
func (rs Roles) Can(p Permission) bool { return rs.Any(Allowed[p]) }

// Forbidden returns the EFORBIDDEN error for p, naming the roles that would be allowed (R5).
func Forbidden(p Permission) *Error {
	return &Error{Code: EFORBIDDEN, Message: "error.forbidden", Roles: Allowed[p].List(), Perm: p}
}
