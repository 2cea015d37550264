package service

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"partnerdesk/internal/desk"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Single sign-on with an OpenID Connect provider (R23): the Authorization Code flow with PKCE
// (S256), state and nonce. The attempt (state, nonce, code verifier, where to go next) lives in
// the database between the redirect and the answer, tied to the browser by a cookie that holds
// a random binding whose hash the row keeps; the answer takes the row (it is deleted as it is
// read), so a state is used once on any instance. The ID token is verified by go-oidc (signature
// against the provider's published keys, issuer, audience = the client ID, expiry) and its nonce
// compared. The user is the existing active PartnerDesk user with the token's email, which the
// provider must vouch for; roles stay PartnerDesk's.

// SSOConfig configures single sign-on (PARTNERDESK_OIDC_*).
type SSOConfig struct {
	// Issuer is the provider's issuer URL (discovery at Issuer/.well-known/openid-configuration).
	Issuer, ClientID, ClientSecret string
	// RedirectURL is the callback URL registered at the provider; empty: each request's own
	// origin + /signin/oidc/callback.
	RedirectURL string
	// TrustIdPMFA: a token whose amr claim says "mfa" (RFC 8176) counts as two-step verification,
	// so PartnerDesk asks for no code of its own.
	TrustIdPMFA bool
	// HTTPClient talks to the provider (default: a client with a 10-second timeout).
	HTTPClient *http.Client
}

// ssoAttemptTTL is how long a user may take at the provider.
const ssoAttemptTTL = 10 * time.Minute

// SSOCallbackPath is the path of the redirect URI.
const SSOCallbackPath = "/signin/oidc/callback"

type ssoClient struct {
	cfg SSOConfig

	// The provider's metadata and keys are fetched on first use (and again after a failure), so
	// that PartnerDesk starts, and password sign-in works, while the provider is unreachable.
	mu       sync.Mutex
	provider *oidc.Provider
}

// CheckSSOConfig checks the single sign-on settings at start, with a message naming the one at fault.
func CheckSSOConfig(cfg SSOConfig) error {
	_, err := newSSOClient(cfg)
	return err
}

func newSSOClient(cfg SSOConfig) (*ssoClient, error) {
	if cfg.Issuer == "" && cfg.ClientID == "" && cfg.ClientSecret == "" {
		return nil, nil
	}
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("single sign-on needs PARTNERDESK_OIDC_ISSUER, PARTNERDESK_OIDC_CLIENT_ID and PARTNERDESK_OIDC_CLIENT_SECRET together")
	}
	if err := checkProviderURL("PARTNERDESK_OIDC_ISSUER", cfg.Issuer); err != nil {
		return nil, err
	}
	if cfg.RedirectURL != "" {
		if err := checkProviderURL("PARTNERDESK_OIDC_REDIRECT_URL", cfg.RedirectURL); err != nil {
			return nil, err
		}
		if u, _ := url.Parse(cfg.RedirectURL); u.Path != SSOCallbackPath {
			return nil, fmt.Errorf("PARTNERDESK_OIDC_REDIRECT_URL %q must end in %s", cfg.RedirectURL, SSOCallbackPath)
		}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &ssoClient{cfg: cfg}, nil
}

// checkProviderURL accepts https URLs, and http ones on a loopback host only (a local provider).
func checkProviderURL(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%s %q is not an https:// URL", name, raw)
	}
	if u.Scheme == "http" {
		h := u.Hostname()
		if h != "localhost" && !strings.HasPrefix(h, "127.") && h != "::1" {
			return fmt.Errorf("%s %q must use https (http only for a provider on this machine)", name, raw)
		}
	}
	return nil
}

func (c *ssoClient) context(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.cfg.HTTPClient)
}

func (c *ssoClient) discover(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	p, err := oidc.NewProvider(c.context(ctx), c.cfg.Issuer)
	if err != nil {
		return nil, err
	}
	c.provider = p
	return p, nil
}

func (c *ssoClient) oauth(p *oidc.Provider, redirectURL string) *oauth2.Config {
	if c.cfg.RedirectURL != "" {
		redirectURL = c.cfg.RedirectURL
	}
	return &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: redirectURL, Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

// SSOEnabled reports whether single sign-on is configured.
func (s *identityArea) SSOEnabled() bool { return s.sso != nil }

// SSOFormOrigin is the origin the single sign-on form ends up at (the provider's authorization
// endpoint): the sign-in page's Content-Security-Policy lets its form go there (form-action
// covers the redirect after a form). The issuer's origin while the provider does not answer.
func (s *identityArea) SSOFormOrigin(ctx context.Context) string {
	if s.sso == nil {
		return ""
	}
	raw := s.sso.cfg.Issuer
	if p, err := s.sso.discover(ctx); err == nil {
		raw = p.Endpoint().AuthURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// StartSSO begins a single sign-on: it stores the attempt and returns the provider's
// authorization URL and the browser binding to keep in a cookie until the answer. redirectURL
// is this request's callback URL (unless one is configured); next a local path to go to after.
// Attempts are limited per IP address like failed sign-ins (each stores a row until it is used
// or ten minutes pass).
func (s *identityArea) StartSSO(ctx context.Context, redirectURL, next, ip string) (authURL, binding string, err error) {
	if s.sso == nil {
		return "", "", desk.Errorf(desk.ENOTFOUND, "err.sso_off")
	}
	if ok, wait, err := s.limit(ctx, "sso:ip:"+ip, signinIPRate, signinIPBurst); err != nil {
		return "", "", err
	} else if !ok {
		return "", "", desk.RateLimited(wait, "err.signin_rate")
	}
	p, err := s.sso.discover(ctx)
	if err != nil {
		return "", "", fmt.Errorf("single sign-on: the identity provider %s does not answer: %w", s.sso.cfg.Issuer, err)
	}
	state, nonce, verifier := randomToken(32), randomToken(32), oauth2.GenerateVerifier()
	binding = randomToken(32)
	now := s.now()
	if err := s.store.DeleteSSOLoginsBefore(ctx, now.Add(-ssoAttemptTTL)); err != nil {
		return "", "", err
	}
	if err := s.store.CreateSSOLogin(ctx, desk.SSOLogin{StateHash: hashToken(state), BindingHash: hashToken(binding), Nonce: nonce,
		Verifier: verifier, Next: next, CreatedAt: now}); err != nil {
		return "", "", err
	}
	return s.sso.oauth(p, redirectURL).AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), binding, nil
}

// SSOAnswer is the provider's answer at the callback: the query's state, code or error, and the
// binding cookie of the browser.
type SSOAnswer struct {
	State, Code, Error, Binding string
}

// ssoClaims are the ID token's claims PartnerDesk reads.
type ssoClaims struct {
	Email         string          `json:"email"`
	EmailVerified json.RawMessage `json:"email_verified"`
	// XmsEdov is Microsoft Entra ID's optional claim "email domain owner verified".
	XmsEdov json.RawMessage `json:"xms_edov"`
	AMR     []string        `json:"amr"`
}

// claimTrue reads a boolean claim that some providers send as a string ("true").
func claimTrue(raw json.RawMessage) bool {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b
	}
	var s string
	return json.Unmarshal(raw, &s) == nil && strings.EqualFold(s, "true")
}

// FinishSSO completes a single sign-on with the provider's answer. It returns the session (its
// stage follows the user and the policy, as after a password), its token and where to go next;
// a refusal is logged with its reason and is EUNAUTHORIZED.
func (s *identityArea) FinishSSO(ctx context.Context, redirectURL string, ans SSOAnswer, ip string) (desk.Session, string, string, error) {
	if s.sso == nil {
		return desk.Session{}, "", "", desk.Errorf(desk.ENOTFOUND, "err.sso_off")
	}
	fail := func(reason desk.SSOFailure, email string) (desk.Session, string, string, error) {
		a := desk.Actor{IP: ip}
		if email != "" {
			if u, _, err := s.store.FindUserByEmail(ctx, email); err == nil {
				a.User = desk.User{ID: u.ID, Email: u.Email, CustomerID: u.CustomerID, Roles: u.Roles}
			}
		}
		if err := s.audit(ctx, s.store, a, desk.Event{Operation: desk.OpSignInFailed, ResourceType: "session", Status: "failed",
			Detail: desk.DetailSSOFailedText(reason, email)}); err != nil {
			return desk.Session{}, "", "", err
		}
		return desk.Session{}, "", "", &desk.Error{Code: desk.EUNAUTHORIZED, Message: "err.sso_" + string(reason)}
	}
	if ans.State == "" || ans.Binding == "" {
		return fail(desk.SSOState, "")
	}
	l, err := s.store.TakeSSOLogin(ctx, hashToken(ans.State))
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return fail(desk.SSOState, "")
	}
	if err != nil {
		return desk.Session{}, "", "", err
	}
	if subtle.ConstantTimeCompare(l.BindingHash, hashToken(ans.Binding)) != 1 || s.now().Sub(l.CreatedAt) > ssoAttemptTTL {
		return fail(desk.SSOState, "")
	}
	if ans.Error != "" || ans.Code == "" {
		return fail(desk.SSOProvider, "")
	}
	p, err := s.sso.discover(ctx)
	if err != nil {
		return desk.Session{}, "", "", fmt.Errorf("single sign-on: the identity provider %s does not answer: %w", s.sso.cfg.Issuer, err)
	}
	tok, err := s.sso.oauth(p, redirectURL).Exchange(s.sso.context(ctx), ans.Code, oauth2.VerifierOption(l.Verifier))
	if err != nil {
		return fail(desk.SSOProvider, "")
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return fail(desk.SSOInvalidToken, "")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: s.sso.cfg.ClientID, Now: s.now}).Verify(s.sso.context(ctx), raw)
	if err != nil || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(l.Nonce)) != 1 {
		return fail(desk.SSOInvalidToken, "")
	}
	var c ssoClaims
	if err := idt.Claims(&c); err != nil {
		return fail(desk.SSOInvalidToken, "")
	}
	email := strings.ToLower(strings.TrimSpace(c.Email))
	if !desk.ValidEmail(email) {
		return fail(desk.SSOEmailUnverified, "")
	}
	if !claimTrue(c.EmailVerified) && !claimTrue(c.XmsEdov) {
		return fail(desk.SSOEmailUnverified, email)
	}
	u, _, err := s.store.FindUserByEmail(ctx, email)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return fail(desk.SSOUnknownAccount, email)
	}
	if err != nil {
		return desk.Session{}, "", "", err
	}
	if !u.Active {
		return fail(desk.SSOInactive, email)
	}
	idpMFA := false
	if s.sso.cfg.TrustIdPMFA {
		for _, m := range c.AMR {
			idpMFA = idpMFA || m == "mfa"
		}
	}
	sess, token, err := s.startSession(ctx, u, desk.MethodSSO, idpMFA, ip)
	return sess, token, l.Next, err
}
