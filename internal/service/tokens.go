package service

import (
	"context"
	"strings"
	"time"

	"partnerdesk/internal/desk"
)

// tokenPrefix marks PartnerDesk API tokens (so that a leaked one is recognisable in a scan).
const tokenPrefix = "pdk_"

// MaxTokenLifetime bounds a token's expiry.
const MaxTokenLifetime = 366 * 24 * time.Hour

// CreateToken creates an API token for the actor themselves and returns its secret, shown once:
// a token acts with its user's roles, so only that user (or the CLI, CreateTokenCLI) may make
// one. Any active partner user may.
func (s *tokensArea) CreateToken(ctx context.Context, a desk.Actor, name string, lifetime time.Duration) (desk.APIToken, string, error) {
	if err := require(a, desk.PermOwnTokens); err != nil {
		return desk.APIToken{}, "", err
	}
	return s.createToken(ctx, a, a.User.Email, name, lifetime)
}

// CreateTokenCLI creates an API token for a partner user from the command line
// (`partnerdesk token create`), the way to give a first token or one for another user.
func (s *tokensArea) CreateTokenCLI(ctx context.Context, email, name string, lifetime time.Duration) (desk.APIToken, string, error) {
	return s.createToken(ctx, desk.Actor{User: desk.User{Email: "cli"}}, email, name, lifetime)
}

func (s *tokensArea) createToken(ctx context.Context, a desk.Actor, email, name string, lifetime time.Duration) (desk.APIToken, string, error) {
	errs := desk.FieldErrors{}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		errs["name"] = "err.required"
	}
	if lifetime <= 0 || lifetime > MaxTokenLifetime {
		errs["expires"] = "err.token_lifetime"
	}
	u, _, err := s.store.FindUserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if err != nil || !u.IsPartner() || !u.Active {
		errs["user"] = "err.token_user"
	}
	if len(errs) > 0 {
		return desk.APIToken{}, "", &desk.ValidationError{Fields: errs}
	}
	secret := tokenPrefix + randomToken(32)
	now := s.now()
	t := desk.APIToken{ID: newID(), UserID: u.ID, UserEmail: u.Email, Name: name, CreatedAt: now, ExpiresAt: now.Add(lifetime)}
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.CreateToken(ctx, t, hashToken(secret)); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpCreateAPIToken, ResourceType: "api_token", Detail: desk.DetailTokenText(t.Name, u.Email)})
	})
	return t, secret, err
}

// Tokens lists every API token with its last use (Global admin).
func (s *tokensArea) Tokens(ctx context.Context, a desk.Actor) ([]desk.APIToken, error) {
	if err := require(a, desk.PermManageTokens); err != nil {
		return nil, err
	}
	return s.store.FindTokens(ctx, "")
}

// MyTokens lists the actor's own API tokens.
func (s *tokensArea) MyTokens(ctx context.Context, a desk.Actor) ([]desk.APIToken, error) {
	if err := require(a, desk.PermOwnTokens); err != nil {
		return nil, err
	}
	return s.store.FindTokens(ctx, a.User.ID)
}

// RevokeToken revokes a token at once: any token for a Global admin, their own for other
// partner users (another user's is ENOTFOUND).
func (s *tokensArea) RevokeToken(ctx context.Context, a desk.Actor, id string) error {
	owner := ""
	if !a.User.Can(desk.PermManageTokens) {
		if err := require(a, desk.PermOwnTokens); err != nil {
			return err
		}
		owner = a.User.ID
	}
	return s.store.InTx(ctx, func(tx Store) error {
		if err := tx.RevokeToken(ctx, id, owner, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpRevokeAPIToken, ResourceType: "api_token", Detail: id})
	})
}

// AuthenticateToken returns the user a bearer token acts as (R1–R5 apply unchanged), or
// EUNAUTHORIZED for an unknown, revoked or expired token or a deactivated user.
func (s *tokensArea) AuthenticateToken(ctx context.Context, secret string) (desk.User, desk.APIToken, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return desk.User{}, desk.APIToken{}, desk.Errorf(desk.EUNAUTHORIZED, "err.token_invalid")
	}
	t, u, err := s.store.TokenUser(ctx, hashToken(secret))
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return u, t, desk.Errorf(desk.EUNAUTHORIZED, "err.token_invalid")
	}
	if err != nil {
		return u, t, err
	}
	now := s.now()
	if !t.Active(now) || !u.Active {
		return u, t, desk.Errorf(desk.EUNAUTHORIZED, "err.token_invalid")
	}
	if now.Sub(t.LastUsedAt) > time.Minute {
		if err := s.store.TouchToken(ctx, t.ID, now); err != nil {
			return u, t, err
		}
	}
	return u, t, nil
}
