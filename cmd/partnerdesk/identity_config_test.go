package main

import (
	"io"
	"strings"
	"testing"
)

// PARTNERDESK_REQUIRE_MFA (R22) is on by default outside demo mode and off in it; set, it wins.
// The single sign-on settings (R23) come together and are checked at start, naming the one at
// fault.
func TestIdentityConfig(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		mfa  bool
		err  string
	}{
		{name: "default", mfa: true},
		{name: "demo", args: []string{"--demo"}, mfa: false},
		{name: "demo, required", env: map[string]string{"PARTNERDESK_REQUIRE_MFA": "true"}, args: []string{"--demo"}, mfa: true},
		{name: "off", env: map[string]string{"PARTNERDESK_REQUIRE_MFA": "false"}, mfa: false},
		{name: "not a boolean", env: map[string]string{"PARTNERDESK_REQUIRE_MFA": "sometimes"}, err: "PARTNERDESK_REQUIRE_MFA"},
		{name: "single sign-on", mfa: true, env: map[string]string{"PARTNERDESK_OIDC_ISSUER": "https://login.microsoftonline.com/tenant/v2.0",
			"PARTNERDESK_OIDC_CLIENT_ID": "id", "PARTNERDESK_OIDC_CLIENT_SECRET": "secret"}},
		{name: "single sign-on without a secret", env: map[string]string{"PARTNERDESK_OIDC_ISSUER": "https://login.microsoftonline.com/tenant/v2.0",
			"PARTNERDESK_OIDC_CLIENT_ID": "id"}, err: "PARTNERDESK_OIDC_CLIENT_SECRET"},
		{name: "plain http issuer", env: map[string]string{"PARTNERDESK_OIDC_ISSUER": "http://idp.example.com",
			"PARTNERDESK_OIDC_CLIENT_ID": "id", "PARTNERDESK_OIDC_CLIENT_SECRET": "secret"}, err: "must use https"},
		{name: "redirect URL of another path", env: map[string]string{"PARTNERDESK_OIDC_ISSUER": "https://idp.example.com",
			"PARTNERDESK_OIDC_CLIENT_ID": "id", "PARTNERDESK_OIDC_CLIENT_SECRET": "secret", "PARTNERDESK_OIDC_REDIRECT_URL": "https://desk.example.com/callback"},
			err: "/signin/oidc/callback"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"PARTNERDESK_REQUIRE_MFA", "PARTNERDESK_DEMO", "PARTNERDESK_OIDC_ISSUER", "PARTNERDESK_OIDC_CLIENT_ID",
				"PARTNERDESK_OIDC_CLIENT_SECRET", "PARTNERDESK_OIDC_REDIRECT_URL", "PARTNERDESK_OIDC_TRUST_MFA"} {
				t.Setenv(k, tt.env[k])
			}
			cfg, err := parse("serve", tt.args, io.Discard, flagsFiles|flagsServer, nil)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one naming %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.app(nil, cfg.demo).RequireMFA; got != tt.mfa {
				t.Errorf("RequireMFA %v, want %v", got, tt.mfa)
			}
			if tt.env["PARTNERDESK_OIDC_ISSUER"] != "" && (!cfg.sso.TrustIdPMFA || cfg.sso.ClientID != "id") {
				t.Errorf("single sign-on settings: %+v", cfg.sso)
			}
		})
	}
}
