package service

import (
	"context"
	"errors"
	"strings"

	"partnerdesk/internal/desk"
)

// Users lists the partner's users (Settings → Users, Global admin).
func (s *usersArea) Users(ctx context.Context, a desk.Actor) ([]desk.User, error) {
	if err := require(a, desk.PermManageUsers); err != nil {
		return nil, err
	}
	return s.store.FindUsers(ctx, desk.UserFilter{})
}

// CreateUser adds a partner user with a generated one-time password, returned to show once.
func (s *usersArea) CreateUser(ctx context.Context, a desk.Actor, n desk.NewUser) (desk.User, string, error) {
	if err := require(a, desk.PermManageUsers); err != nil {
		return desk.User{}, "", err
	}
	n.CustomerID = ""
	return s.createUser(ctx, a, n, "", desk.Customer{})
}

// createUser is the one create-user flow (Settings → Users, a customer's users, the command
// line): it normalises and validates the new user, hashes the password (a generated one-time
// password when password is "", which the first sign-in must change), and stores the user with
// its event. An email in use is a field error on "email".
func (s *usersArea) createUser(ctx context.Context, a desk.Actor, n desk.NewUser, password string, cust desk.Customer) (desk.User, string, error) {
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	n.DisplayName = strings.TrimSpace(n.DisplayName)
	if n.DisplayName == "" && a.User.ID == "" {
		n.DisplayName = n.Email
	}
	if err := n.Validate(); err != nil {
		return desk.User{}, "", err
	}
	oneTime := password == ""
	if oneTime {
		password = randomToken(12)
	} else if len(password) < 12 {
		return desk.User{}, "", desk.FieldError("password", "err.password_short")
	}
	hash, err := s.HashPassword(password)
	if err != nil {
		return desk.User{}, "", err
	}
	u := desk.User{ID: newID(), Email: n.Email, DisplayName: n.DisplayName, CustomerID: n.CustomerID, Roles: n.Roles, Active: true, CreatedAt: s.now(), MustChangePassword: oneTime}
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.CreateUser(ctx, u, hash); err != nil {
			if desk.ErrorCode(err) == desk.ECONFLICT {
				return &desk.ValidationError{Fields: desk.FieldErrors{"email": "err.email_taken"}}
			}
			return err
		}
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpCreateUser, ResourceType: "user", CustomerID: cust.ID, CustomerName: cust.CompanyName,
			Detail: desk.DetailUserCreatedText(u.Email, u.Roles)})
	})
	if err != nil {
		return desk.User{}, "", err
	}
	if !oneTime {
		password = ""
	}
	return u, password, nil
}

// partnerUser loads a partner user for an administrative change.
func (s *usersArea) partnerUser(ctx context.Context, st Store, id string) (desk.User, error) {
	u, err := st.FindUserByID(ctx, id)
	if err != nil {
		return u, err
	}
	if !u.IsPartner() {
		return desk.User{}, desk.Errorf(desk.ENOTFOUND, "err.user_not_found")
	}
	return u, nil
}

// lastGlobalAdmin refuses a change that would leave no active Global admin.
func lastGlobalAdmin(ctx context.Context, st Store, before, after desk.User) error {
	if !(before.Active && before.Roles.Has(desk.RoleGlobalAdmin)) || (after.Active && after.Roles.Has(desk.RoleGlobalAdmin)) {
		return nil
	}
	n, err := st.CountActiveUsersWithRole(ctx, desk.RoleGlobalAdmin)
	if err != nil {
		return err
	}
	if n <= 1 {
		return desk.Errorf(desk.ECONFLICT, "err.last_global_admin")
	}
	return nil
}

// changePartnerUser applies a change to a partner user in one transaction, refusing one that
// would leave no active Global admin, and records it; with endSessions their sessions end at
// once and their API tokens are revoked (R24).
func (s *usersArea) changePartnerUser(ctx context.Context, a desk.Actor, id string, change func(*desk.User), detail func(email string) string, endSessions bool) (desk.User, error) {
	if err := require(a, desk.PermManageUsers); err != nil {
		return desk.User{}, err
	}
	var out desk.User
	err := s.store.InTx(ctx, func(tx Store) error {
		u, err := s.partnerUser(ctx, tx, id)
		if err != nil {
			return err
		}
		next := u
		change(&next)
		if err := lastGlobalAdmin(ctx, tx, u, next); err != nil {
			return err
		}
		if err := tx.UpdateUser(ctx, next); err != nil {
			return err
		}
		if endSessions {
			if err := s.endAccess(ctx, tx, u.ID); err != nil {
				return err
			}
		}
		out = next
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpUpdateUser, ResourceType: "user", Detail: detail(u.Email)})
	})
	return out, err
}

// SetUserRoles changes a partner user's roles; the last active Global admin keeps the role.
func (s *usersArea) SetUserRoles(ctx context.Context, a desk.Actor, id string, roles desk.Roles) (desk.User, error) {
	if err := require(a, desk.PermManageUsers); err != nil {
		return desk.User{}, err
	}
	if !desk.ValidPartnerRoles(roles) {
		return desk.User{}, &desk.ValidationError{Fields: desk.FieldErrors{"roles": "err.roles"}}
	}
	return s.changePartnerUser(ctx, a, id, func(u *desk.User) { u.Roles = roles },
		func(email string) string { return desk.DetailUserRolesText(email, roles) }, false)
}

// SetUserActive deactivates (ending every session at once and revoking every API token, which a
// reactivation does not bring back) or reactivates a partner user; the last active Global admin
// cannot be deactivated (R24).
func (s *usersArea) SetUserActive(ctx context.Context, a desk.Actor, id string, active bool) (desk.User, error) {
	return s.changePartnerUser(ctx, a, id, func(u *desk.User) { u.Active = active },
		func(email string) string { return desk.DetailUserActiveText(email, active) }, !active)
}

// ResetPassword gives a partner user a one-time password (returned to show once) that their next
// sign-in must change, ends their sessions and revokes their API tokens (R24).
func (s *usersArea) ResetPassword(ctx context.Context, a desk.Actor, id string) (desk.User, string, error) {
	if err := require(a, desk.PermManageUsers); err != nil {
		return desk.User{}, "", err
	}
	password := randomToken(12)
	hash, err := s.HashPassword(password)
	if err != nil {
		return desk.User{}, "", err
	}
	var out desk.User
	err = s.store.InTx(ctx, func(tx Store) error {
		u, err := s.partnerUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := tx.SetUserPassword(ctx, u.ID, hash, true); err != nil {
			return err
		}
		if err := s.endAccess(ctx, tx, u.ID); err != nil {
			return err
		}
		out = u
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpUpdateUser, ResourceType: "user", Detail: desk.DetailUserPasswordText(u.Email)})
	})
	return out, password, err
}

// SetLocale saves the actor's own language choice ("en", "hu", or "" for the browser's).
func (s *usersArea) SetLocale(ctx context.Context, a desk.Actor, locale string) error {
	if locale != "" && locale != "en" && locale != "hu" {
		return desk.FieldError("locale", "err.locale")
	}
	u := a.User
	u.Locale = locale
	return s.store.UpdateUser(ctx, u)
}

// SetTheme saves the actor's own colour theme ("light", "dark", or "" for the device's).
func (s *usersArea) SetTheme(ctx context.Context, a desk.Actor, theme string) error {
	if !desk.ValidTheme(theme) {
		return desk.FieldError("theme", "err.theme")
	}
	return s.store.SetUserTheme(ctx, a.User.ID, theme)
}

// CreateUserCLI creates a user from the command line (`partnerdesk user create`), with no actor.
// An email in use is ECONFLICT.
func (s *usersArea) CreateUserCLI(ctx context.Context, n desk.NewUser, password string) (desk.User, error) {
	if password == "" {
		return desk.User{}, desk.FieldError("password", "err.password_short")
	}
	u, _, err := s.createUser(ctx, desk.Actor{User: desk.User{Email: "cli"}}, n, password, desk.Customer{})
	var ve *desk.ValidationError
	if errors.As(err, &ve) && ve.Fields["email"] == "err.email_taken" {
		return u, desk.KeyError(desk.ECONFLICT, "err.email_taken")
	}
	return u, err
}

// CustomerUsers lists a customer's users: for partner users who may see the customer, and for
// the customer's own Global admin (their tenant only, R4).
func (s *usersArea) CustomerUsers(ctx context.Context, a desk.Actor, customerID string) ([]desk.User, error) {
	if !a.User.IsPartner() {
		if err := require(a, desk.PermCustomerUsers); err != nil {
			return nil, err
		}
		if customerID != a.User.CustomerID {
			return nil, desk.Errorf(desk.ENOTFOUND, "err.customer_not_found")
		}
		return s.store.FindUsers(ctx, desk.UserFilter{CustomerID: customerID})
	}
	if err := require(a, desk.PermViewCustomers); err != nil {
		return nil, err
	}
	cust, err := s.CustomerByID(ctx, a, customerID)
	if err != nil {
		return nil, err
	}
	return s.store.FindUsers(ctx, desk.UserFilter{CustomerID: cust.ID})
}

// InviteCustomerUser creates a user of a customer tenant — its Global admin or a user without
// keys (R4) — with a one-time password to pass on, which their first sign-in must change: by the
// partner's Global admins, and by the tenant's own Global admin.
func (s *usersArea) InviteCustomerUser(ctx context.Context, a desk.Actor, customerID string, n desk.NewUser) (desk.User, string, error) {
	cust, err := s.customerForUsers(ctx, a, customerID)
	if err != nil {
		return desk.User{}, "", err
	}
	n.CustomerID = cust.ID
	return s.createUser(ctx, a, n, "", cust)
}
