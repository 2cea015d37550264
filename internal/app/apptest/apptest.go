// Package apptest starts a real PartnerDesk for tests: a SQLite file in t.TempDir() — or, when
// PARTNERDESK_TEST_DATABASE_URL names a PostgreSQL server, a database of its own on it — the demo
// data, a clock the test can move, and an httptest server on 127.0.0.1 with signed-in clients.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerdesk/internal/app"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/postgres/pgtest"
	"partnerdesk/internal/service"

	"golang.org/x/crypto/bcrypt"
)

// Clock is a movable test clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Env is a running application for one test.
type Env struct {
	App   *app.App
	Clock *Clock
	URL   string
	Dir   string
	// DatabaseURL is the test's PostgreSQL database ("" on SQLite).
	DatabaseURL string
	srv         *httptest.Server
}

// OnPostgres reports whether the tests run on PostgreSQL (PARTNERDESK_TEST_DATABASE_URL is set).
func OnPostgres() bool { return pgtest.Configured() }

// Secrets every test instance on PostgreSQL shares (they are required there).
const (
	testSessionSecret = "partnerdesk-test-session-secret-0123456789"
)

var testKEK = []byte("partnerdesk-test-kek-0123456789!")

// Epoch is the test clock's start, and the time the demo data was loaded at.
var Epoch = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

var (
	templateOnce sync.Once
	templateDir  string
	templateDB   string
	templateErr  error
)

// template loads the demo data once per test process into a data directory that each test then
// copies (the database and secrets) and links (the read-only artifacts): a fresh, identical
// PartnerDesk per test without paying for the demo load each time.
func template(tb testing.TB) (string, error) {
	templateOnce.Do(func() {
		base := os.TempDir()
		if old, _ := filepath.Glob(filepath.Join(base, "partnerdesk-apptest-*")); len(old) > 0 {
			for _, d := range old {
				if st, err := os.Stat(d); err == nil && time.Since(st.ModTime()) > 2*time.Hour {
					os.RemoveAll(d)
				}
			}
		}
		templateDir, templateErr = os.MkdirTemp(base, "partnerdesk-apptest-*")
		if templateErr != nil {
			return
		}
		cfg := config(templateDir, func() time.Time { return Epoch })
		if OnPostgres() {
			// The demo is loaded once into a template database; each test gets a copy of it.
			templateDB = pgtest.Name("d")
			pgtest.Create(tb, templateDB, "")
			cfg.DatabaseURL = pgtest.URLOf(templateDB)
		}
		var a *app.App
		a, templateErr = app.Open(context.Background(), cfg)
		if templateErr == nil {
			templateErr = a.Close()
		}
	})
	return templateDir, templateErr
}

func config(dir string, now func() time.Time) app.Config {
	cfg := app.Config{DataDir: dir, Demo: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: now, BcryptCost: bcrypt.MinCost}
	if OnPostgres() {
		cfg.SessionSecret, cfg.KeyEncryptionKey = testSessionSecret, testKEK
	}
	return cfg
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o600)
}

// Start opens PartnerDesk with the demo data on a fresh data directory and serves it.
func Start(t testing.TB) *Env {
	return StartWith(t, nil)
}

// StartWith is Start with a chance to change the configuration (limits, windows) first.
func StartWith(t testing.TB, tweak func(*app.Config)) *Env {
	t.Helper()
	if OnPostgres() {
		pgtest.Admin(t)
	}
	tpl, err := template(t)
	if err != nil {
		t.Fatalf("demo template: %v", err)
	}
	dir := t.TempDir()
	clock := &Clock{t: Epoch}
	cfg := config(dir, clock.Now)
	if OnPostgres() {
		cfg.DatabaseURL = pgtest.Fresh(t, templateDB)
	} else {
		for _, f := range []string{"partnerdesk.db", "secrets.json"} {
			if err := copyFile(filepath.Join(tpl, f), filepath.Join(dir, f)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Symlink(filepath.Join(tpl, "artifacts"), filepath.Join(dir, "artifacts")); err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(&cfg)
	}
	a, err := app.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	a.Start() // as serve does: the activity log's sealer, checkpoints and sweeps run
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() { srv.Close(); a.Close() })
	return &Env{App: a, Clock: clock, URL: srv.URL, Dir: dir, DatabaseURL: cfg.DatabaseURL, srv: srv}
}

// Client returns an HTTP client with a cookie jar that does not follow redirects.
func (e *Env) Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 30 * time.Second}
}

// SignIn returns a client signed in as email with the demo password.
func (e *Env) SignIn(t testing.TB, email string) *http.Client {
	t.Helper()
	c := e.Client()
	res := e.PostForm(t, c, "/signin", url.Values{"email": {email}, "password": {demo.Password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: status %d", email, res.StatusCode)
	}
	return c
}

// Get fetches a path and returns the response with its body read into Body.
func (e *Env) Get(t testing.TB, c *http.Client, path string, headers ...string) *Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.Do(t, c, req)
}

// PostForm posts a same-origin form (as a browser would: Origin and Sec-Fetch-Site set).
func (e *Env) PostForm(t testing.TB, c *http.Client, path string, form url.Values, headers ...string) *Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.Do(t, c, req)
}

// Response is an HTTP response with its body read.
type Response struct {
	*http.Response
	Body string
}

// Do sends a request and reads the body.
func (e *Env) Do(t testing.TB, c *http.Client, req *http.Request) *Response {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read %s: %v", req.URL.Path, err)
	}
	return &Response{Response: res, Body: string(b)}
}

// ContosoID is the demo tenant ID of Contoso Ltd. (contoso.onmicrosoft.com, Hungary).
var ContosoID = demo.TenantID("contoso")

// FabrikamID is the demo tenant ID of Fabrikam, Inc. (fabrikam.onmicrosoft.com, United States).
var FabrikamID = demo.TenantID("fabrikam")

// TOTPCode is the code an authenticator app set up with secret shows now, on the test clock
// (R22). A code is taken once per 30-second step: Advance the clock between two uses.
func (e *Env) TOTPCode(t testing.TB, secret string) string {
	t.Helper()
	code, err := service.TOTPCode(secret, e.Clock.Now())
	if err != nil {
		t.Fatalf("TOTP code: %v", err)
	}
	return code
}
