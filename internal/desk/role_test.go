package desk

import "testing"

// The role table of SPEC §1, permission by permission (R1–R4).
func TestRoleTable(t *testing.T) {
	ga, aa, sa, ha, ba, ra := RoleGlobalAdmin, RoleAdminAgent, RoleSalesAgent, RoleHelpdeskAgent, RoleBillingAdmin, RoleReferralsAdmin
	cga, cu := RoleCustomerGlobalAdmin, RoleCustomerUser
	tests := []struct {
		perm    Permission
		allowed []Role
	}{
		{PermViewCustomers, []Role{ga, aa, sa, ha}},
		{PermAddCustomer, []Role{ga, aa, sa}},
		{PermPlaceOrder, []Role{ga, aa, sa}},
		{PermViewSoftware, []Role{ga, aa, sa, ha}},
		{PermKeysDownloads, []Role{ga, aa}},  // R1
		{PermCancelPurchase, []Role{ga, aa}}, // R3
		{PermSupportRequests, []Role{ga, aa, ha}},
		{PermViewInvoices, []Role{ga, ba}},
		{PermViewOrders, []Role{ga, aa, sa, ha, ba}},
		{PermViewActivityLog, []Role{ga, ra}}, // R2: not Admin agents
		{PermManageUsers, []Role{ga}},
		{PermImportKeys, []Role{ga}},
		{PermCustomerArea, []Role{cga, cu}},
		{PermCustomerKeys, []Role{cga}}, // R4
	}
	all := append(append([]Role{}, PartnerRoles...), CustomerRoles...)
	for _, tt := range tests {
		for _, r := range all {
			want := false
			for _, a := range tt.allowed {
				want = want || a == r
			}
			u := User{Active: true, Roles: RolesOf(r)}
			if !r.IsPartner() {
				u.CustomerID = "c"
			}
			if got := u.Can(tt.perm); got != want {
				t.Errorf("%s can %s = %v, want %v", r.Slug(), tt.perm, got, want)
			}
		}
	}
}

func TestUserCanNeverCrossTenantKind(t *testing.T) {
	// A customer user whose bits claim a partner role still holds no partner permission (R4).
	u := User{Active: true, CustomerID: "c", Roles: RolesOf(RoleGlobalAdmin, RoleCustomerGlobalAdmin)}
	if u.Can(PermViewCustomers) || u.Can(PermKeysDownloads) || u.Can(PermViewActivityLog) {
		t.Fatal("customer user holds a partner permission")
	}
	if !u.Can(PermCustomerKeys) {
		t.Fatal("customer global admin lost their own keys")
	}
	p := User{Active: true, Roles: RolesOf(RoleGlobalAdmin, RoleCustomerGlobalAdmin)}
	if p.Can(PermCustomerArea) {
		t.Fatal("partner user holds a customer-area permission")
	}
	inactive := User{Active: false, Roles: RolesOf(RoleGlobalAdmin)}
	if inactive.Can(PermManageUsers) {
		t.Fatal("a deactivated user holds permissions")
	}
}

func TestForbiddenNamesRoles(t *testing.T) {
	e := Forbidden(PermKeysDownloads) // R5: the 403 names the role needed
	if e.Code != EFORBIDDEN || len(e.Roles) != 2 || e.Roles[0] != RoleGlobalAdmin || e.Roles[1] != RoleAdminAgent {
		t.Fatalf("got %+v", e)
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range append(append([]Role{}, PartnerRoles...), CustomerRoles...) {
		got, ok := ParseRole(r.Slug())
		if !ok || got != r {
			t.Errorf("ParseRole(%q) = %v, %v", r.Slug(), got, ok)
		}
	}
	if _, ok := ParseRole("root"); ok {
		t.Error("unknown role parsed")
	}
}
