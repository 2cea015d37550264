// Package e2e drives PartnerDesk in Debian's Chromium with chromedp and asserts what a user sees.
package e2e

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

const (
	// chromiumPath is Debian's Chromium; CI installs it (see .ci/run).
	chromiumPath = "/usr/bin/chromium"
	// skipEnv lets a machine without a browser run the other tests on purpose.
	skipEnv = "PARTNERDESK_SKIP_BROWSER"
	// testTimeout bounds one whole test: starting the browser and every step.
	testTimeout = 60 * time.Second
	// stepTimeout bounds one wait, so a missing element fails with its name, not the test deadline.
	stepTimeout = 15 * time.Second
	// pollInterval is how often a Poll re-checks the page.
	pollInterval = 20 * time.Millisecond
)

// newBrowser starts a headless Chromium with a fresh profile for this test and returns a tab's
// context that ends after testTimeout. The browser is closed when the test ends. Without
// /usr/bin/chromium the test fails, unless PARTNERDESK_SKIP_BROWSER=1 asks to skip it.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return newBrowserFor(t, testTimeout)
}

// newBrowserFor is newBrowser with another deadline, for a test that walks many pages.
func newBrowserFor(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv(skipEnv) == "1" {
			t.Skipf("%s not found and %s=1: skipping the browser test", chromiumPath, skipEnv)
		}
		t.Fatalf("browser tests need Chromium at %s (%v): install it with `apt-get install chromium`, "+
			"or set %s=1 to skip them", chromiumPath, err, skipEnv)
	}
	profile := t.TempDir()
	// Chromium keeps its singleton socket and shared memory files in TMPDIR: keep them in the test's
	// own directory, so nothing is left in /tmp.
	tmp := t.TempDir()
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.Env("TMPDIR="+tmp),
	)
	t.Cleanup(allocCancel) // runs last: waits for the browser process to exit
	tabCtx, tabCancel := chromedp.NewContext(allocCtx)
	t.Cleanup(tabCancel)
	ctx, cancel := context.WithTimeout(tabCtx, timeout)
	t.Cleanup(cancel)

	// Start the browser now and give the page a desktop viewport, so the left navigation shows.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	return ctx
}

// run runs steps with a per-step deadline and fails the test with what it was doing.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		screenshot(t, ctx, failName(t))
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs one action that returns a value, with the same deadline and failure report as run.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		screenshot(t, ctx, failName(t))
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func failName(t *testing.T) string { return t.Name() + "-failed" }

// testID selects the first element with the data-testid attribute.
func testID(id string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + id + `"]`) }

// signIn signs in through the form at /signin and waits until the sign-in page is gone.
func signIn(t *testing.T, ctx context.Context, env *apptest.Env, email, password string) {
	t.Helper()
	run(t, ctx, "open /signin and submit as "+email,
		chromedp.Navigate(env.URL+"/signin"),
		chromedp.WaitVisible(testID("signin-form")),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Click(testID("signin-submit")),
	)
}

// signInDemo signs in with the demo password and waits for the shell (the profile button).
func signInDemo(t *testing.T, ctx context.Context, env *apptest.Env, email string) {
	t.Helper()
	signIn(t, ctx, env, email, apptest.Password)
	run(t, ctx, "wait for the signed-in shell", chromedp.WaitVisible(testID("profile")))
}

// screenshot saves a full-page PNG as <repo>/test-artifacts/<name>.png. A failure to save is
// logged, not fatal: the screenshot is evidence, not the assertion.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if ctx.Err() != nil {
		t.Logf("screenshot %s: browser context ended: %v", name, ctx.Err())
		return
	}
	dir := filepath.Join(repoRoot(t), "test-artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(dir, filepath.Base(filepath.Clean(name))+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	t.Logf("screenshot: %s", path)
}

// repoRoot is the directory of go.mod above the test's working directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", dir)
		}
	}
}

// download waits for the browser to finish saving name in dir (Chromium renames the file when it
// is complete) and returns it: size bytes (0: any non-empty file) whose SHA-256 is sha ("": not
// checked), as the page said.
func download(t *testing.T, ctx context.Context, dir, name string, size int64, sha string) []byte {
	t.Helper()
	path := filepath.Join(dir, name)
	deadline := time.Now().Add(stepTimeout)
	for {
		b, err := os.ReadFile(path)
		if err == nil && len(b) > 0 && (size == 0 || int64(len(b)) == size) {
			if sha != "" && apptest.SHA256(b) != sha {
				t.Fatalf("downloaded file SHA-256 %s; the page says %s", apptest.SHA256(b), sha)
			}
			return b
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			screenshot(t, ctx, failName(t))
			t.Fatalf("no %s (%d bytes, 0: any) in the download directory after %s; it holds %v", name, size, stepTimeout, names)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// downloadsTo makes the browser save downloads, without asking, into a fresh directory it returns.
func downloadsTo(t *testing.T, ctx context.Context) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir, EventsEnabled: new(true),
	}); err != nil {
		t.Fatalf("set the download directory: %v", err)
	}
	return dir
}

// startSignedIn starts PartnerDesk with the demo data and a browser signed in as email.
func startSignedIn(t *testing.T, email string) (*apptest.Env, context.Context) {
	t.Helper()
	env := apptest.Start(t)
	ctx := newBrowser(t)
	signInDemo(t, ctx, env, email)
	return env, ctx
}

// change sets the value of the element css selects and fires the change event a user's edit or
// choice fires (htmx and app.js act on it).
func change(t *testing.T, ctx context.Context, what, css, value string) {
	t.Helper()
	get(t, ctx, what, chromedp.Evaluate[bool](`(() => {
		const el = document.querySelector(`+strconv.Quote(css)+`);
		el.value = `+strconv.Quote(value)+`;
		el.dispatchEvent(new Event('change', {bubbles: true}));
		return true;
	})()`))
}

// fromProfileMenu opens the profile menu, chooses item and waits for the element then.
func fromProfileMenu(t *testing.T, ctx context.Context, what, item, then string) {
	t.Helper()
	run(t, ctx, what,
		chromedp.Click(testID("profile")),
		chromedp.WaitVisible(testID(item)),
		chromedp.Click(testID(item)),
		chromedp.WaitVisible(testID(then)),
	)
}

// signOut signs out through the profile menu.
func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	fromProfileMenu(t, ctx, "sign out", "signout", "signin-form")
}

// clickTo clicks the button, waits for the element then, and checks that the browser is at path.
func clickTo(t *testing.T, ctx context.Context, what, button, then, path string) {
	t.Helper()
	run(t, ctx, what, chromedp.Click(testID(button)), chromedp.WaitVisible(testID(then)))
	if u := location(t, ctx); u.Path != path {
		t.Fatalf("%s: the browser is at %s, want %s", what, u, path)
	}
}

// copyKey clicks Copy in the open key dialog or pane and waits for the Copied announcement in its
// live region (the clipboard itself may be refused to headless Chromium).
func copyKey(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "click Copy", chromedp.Click(chromedp.CSS(`dialog[open] [data-testid="copy-key"]`)))
	get(t, ctx, "wait for the Copied announcement", chromedp.Poll[bool](
		`(() => { const c = document.querySelector('dialog[open] [data-testid="copied"]'); return !!c && c.textContent.trim() === 'Copied'; })()`,
		chromedp.WithPollingInterval(pollInterval)))
}
