// Package oidctest is a small OpenID Connect provider for PartnerDesk's tests, served on
// 127.0.0.1 inside the test: discovery, a JSON Web Key Set, an authorization endpoint with a
// sign-in page, and a token endpoint that checks the client secret, the redirect URI, PKCE
// (S256) and that each code is used once, and signs ID tokens with RS256 (go-jose).
//
// It is built on go-jose rather than a full provider library (such as zitadel/oidc's op
// package, which brings a router, OpenTelemetry and a storage interface of some thirty methods)
// because the tests need it to misbehave on purpose — an ID token for another audience, one
// already expired, one signed with another key — which a conforming provider never does.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Client is the client registered at the provider.
const (
	ClientID     = "partnerdesk-test"
	ClientSecret = "partnerdesk-test-secret-0123456789"
)

// User is who signs in at the provider, with the claims the ID token carries.
type User struct {
	Subject, Email, Name string
	// EmailVerified is the email_verified claim (nil: not sent).
	EmailVerified any
	// AMR lists the authentication methods (RFC 8176), e.g. "pwd", "mfa".
	AMR []string
	// Extra are more claims, e.g. Microsoft Entra ID's xms_edov.
	Extra map[string]any
}

// Faults make the provider issue ID tokens that PartnerDesk must refuse.
type Faults struct {
	// Audience replaces the client ID in the aud claim.
	Audience string
	// ExpiresIn is the token's lifetime from now (negative: already expired); 0 is 5 minutes.
	ExpiresIn time.Duration
	// OtherKey signs with a key the JWKS does not publish.
	OtherKey bool
	// Nonce replaces the nonce of the request.
	Nonce string
}

// Provider is a running provider.
type Provider struct {
	srv      *httptest.Server
	key      *rsa.PrivateKey
	otherKey *rsa.PrivateKey
	now      func() time.Time

	mu     sync.Mutex
	user   User
	faults Faults
	codes  map[string]grant
	// Exchanges counts the codes exchanged for tokens.
	exchanges int
}

type grant struct {
	clientID, redirectURI, challenge, nonce string
	user                                    User
	issued                                  time.Time
}

// New starts a provider on 127.0.0.1, with now as its clock (PartnerDesk's test clock, so that
// token lifetimes agree); it stops when the test ends.
func New(t testing.TB, now func() time.Time) *Provider {
	t.Helper()
	if now == nil {
		now = time.Now
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{key: key, otherKey: other, now: now, codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /authorize", p.approve)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// Issuer is the provider's issuer URL.
func (p *Provider) Issuer() string { return p.srv.URL }

// SetUser chooses who signs in next.
func (p *Provider) SetUser(u User) { p.mu.Lock(); p.user = u; p.mu.Unlock() }

// SetFaults makes the next ID tokens faulty (Faults{} for good ones).
func (p *Provider) SetFaults(f Faults) { p.mu.Lock(); p.faults = f; p.mu.Unlock() }

// Exchanges returns how many codes were exchanged for tokens.
func (p *Provider) Exchanges() int { p.mu.Lock(); defer p.mu.Unlock(); return p.exchanges }

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer": p.Issuer(), "authorization_endpoint": p.Issuer() + "/authorize", "token_endpoint": p.Issuer() + "/token",
		"jwks_uri": p.Issuer() + "/jwks", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"}, "code_challenge_methods_supported": []string{"S256"},
		"scopes_supported": []string{"openid", "email", "profile"}, "token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"claims_supported": []string{"sub", "email", "email_verified", "name", "amr", "nonce"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
}

var signInPage = template.Must(template.New("").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><h1>Test identity provider</h1>
<p>Sign in to PartnerDesk as <strong data-testid="idp-user">{{.Email}}</strong>.</p>
<form method="post" action="/authorize">
{{range $k, $v := .Query}}<input type="hidden" name="{{$k}}" value="{{index $v 0}}">{{end}}
<button type="submit" data-testid="idp-continue">Continue</button>
</form></body></html>`))

// authorize checks the request and shows the sign-in page of the current user.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if msg := p.checkAuthorize(q); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	u := p.user
	p.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	signInPage.Execute(w, map[string]any{"Email": u.Email, "Query": q})
}

func (p *Provider) checkAuthorize(q url.Values) string {
	switch {
	case q.Get("client_id") != ClientID:
		return "unknown client_id"
	case q.Get("response_type") != "code":
		return "response_type must be code"
	case !strings.Contains(" "+q.Get("scope")+" ", " openid "):
		return "scope must include openid"
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		return "PKCE with S256 is required"
	case q.Get("state") == "" || q.Get("nonce") == "":
		return "state and nonce are required"
	case !strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:"):
		return "redirect_uri is not registered"
	}
	return ""
}

// approve signs the user in: a one-time code back to the redirect URI with the state.
func (p *Provider) approve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	q := r.PostForm
	if msg := p.checkAuthorize(q); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	code := randomString()
	p.mu.Lock()
	p.codes[code] = grant{clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"), challenge: q.Get("code_challenge"),
		nonce: q.Get("nonce"), user: p.user, issued: p.now()}
	p.mu.Unlock()
	back := url.Values{"code": {code}, "state": {q.Get("state")}}
	http.Redirect(w, r, q.Get("redirect_uri")+"?"+back.Encode(), http.StatusSeeOther)
}

// token exchanges a code: the client's secret, the same redirect URI, the PKCE verifier, once.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request")
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(ClientSecret)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(w, "unsupported_grant_type")
		return
	}
	p.mu.Lock()
	g, found := p.codes[r.PostForm.Get("code")]
	delete(p.codes, r.PostForm.Get("code"))
	faults := p.faults
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case !found || p.now().Sub(g.issued) > time.Minute:
		tokenError(w, "invalid_grant")
		return
	case g.redirectURI != r.PostForm.Get("redirect_uri"):
		tokenError(w, "invalid_grant")
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		tokenError(w, "invalid_grant")
		return
	}
	idToken, err := p.sign(g, faults)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p.mu.Lock()
	p.exchanges++
	p.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": randomString(), "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
}

func (p *Provider) sign(g grant, f Faults) (string, error) {
	now := p.now()
	life := f.ExpiresIn
	if life == 0 {
		life = 5 * time.Minute
	}
	claims := map[string]any{"iss": p.Issuer(), "sub": g.user.Subject, "aud": ClientID, "iat": now.Unix(), "exp": now.Add(life).Unix(),
		"nonce": g.nonce, "email": g.user.Email, "name": g.user.Name}
	if f.Audience != "" {
		claims["aud"] = f.Audience
	}
	if f.Nonce != "" {
		claims["nonce"] = f.Nonce
	}
	if g.user.EmailVerified != nil {
		claims["email_verified"] = g.user.EmailVerified
	}
	if len(g.user.AMR) > 0 {
		claims["amr"] = g.user.AMR
	}
	for k, v := range g.user.Extra {
		claims[k] = v
	}
	key := p.key
	if f.OtherKey {
		key = p.otherKey
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	sig, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return sig.CompactSerialize()
}

// SignIn plays the browser at the provider: it opens the authorization URL, submits the sign-in
// page and returns PartnerDesk's callback URL with the code and state.
func (p *Provider) SignIn(t testing.TB, authURL string) string {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil || !strings.HasPrefix(authURL, p.Issuer()+"/authorize?") {
		t.Fatalf("not this provider's authorization URL: %q", authURL)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	res, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the provider refused the authorization request: %d", res.StatusCode)
	}
	res, err = c.PostForm(p.Issuer()+"/authorize", u.Query())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the provider's sign-in: %d", res.StatusCode)
	}
	return res.Header.Get("Location")
}

func tokenError(w http.ResponseWriter, code string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func randomString() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
