package e2e

import (
	"strings"
	"testing"

	"partnerdesk/internal/app/apptest"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// pageBackground reads the page's background colour (the theme's colorNeutralBackground3).
const pageBackground = `getComputedStyle(document.documentElement).backgroundColor`

// On a phone the top bar keeps the menu button, search as an icon and the avatar: the menu
// button opens the navigation drawer (Escape closes it), and the profile menu holds the theme,
// the settings and the language. The theme chosen there applies at once and is remembered for
// the user by the server, so the next page is drawn in it from its first paint; "Use device
// setting" follows prefers-color-scheme again.
func TestPhoneMenusAndTheme(t *testing.T) {
	env := apptest.Start(t)
	ctx := newBrowser(t)
	setViewport(t, ctx, 390, 844)
	setColorScheme(t, ctx, "light")
	signInDemo(t, ctx, env, tourGlobal)
	run(t, ctx, "open the customer list", chromedp.Navigate(env.URL+"/customers"), chromedp.WaitVisible(testID("customer-table")))

	// The drawer.
	if get(t, ctx, "look at the navigation", chromedp.Evaluate[bool](`document.getElementById('leftnav').checkVisibility({visibilityProperty: true})`)) {
		t.Error("the navigation shows on a phone before the menu button is pressed")
	}
	run(t, ctx, "open the drawer", chromedp.Click(testID("nav-toggle")), chromedp.WaitVisible(testID("nav-customers")))
	if exp := get(t, ctx, "read aria-expanded", chromedp.Evaluate[string](`document.querySelector('[data-testid="nav-toggle"]').getAttribute('aria-expanded')`)); exp != "true" {
		t.Errorf("the menu button says aria-expanded=%q with the drawer open", exp)
	}
	checkLayout(t, ctx, "drawer-open")
	run(t, ctx, "close it with Escape", chromedp.KeyEvent(kb.Escape))
	get(t, ctx, "wait for the drawer to close", chromedp.Poll[bool](`!document.getElementById('leftnav').checkVisibility({visibilityProperty: true})`, chromedp.WithPollingInterval(pollInterval)))
	if !get(t, ctx, "check the focus", chromedp.Evaluate[bool](`document.activeElement === document.querySelector('[data-testid="nav-toggle"]')`)) {
		t.Error("the focus does not return to the menu button")
	}

	// The profile menu: theme, settings and language, inside the screen.
	run(t, ctx, "open the profile menu", chromedp.Click(testID("profile")), chromedp.WaitVisible(testID("theme-dark")))
	menu := get(t, ctx, "read the menu", chromedp.Evaluate[string](`document.querySelector('[data-testid="profile-menu"]').innerText`))
	for _, want := range []string{"Theme", "Dark", "Activity log", "User management", "Sign out"} {
		if !strings.Contains(menu, want) {
			t.Errorf("the profile menu lacks %q: %q", want, menu)
		}
	}
	if !get(t, ctx, "look for the language", chromedp.Evaluate[bool](`document.getElementById('lang-select-menu').checkVisibility()`)) {
		t.Error("the profile menu has no language on a phone")
	}
	checkLayout(t, ctx, "profile-menu-open")
	light := get(t, ctx, "read the light background", chromedp.Evaluate[string](pageBackground))

	// Dark: at once, then from the server on the next page.
	run(t, ctx, "choose Dark", chromedp.Click(testID("theme-dark")))
	get(t, ctx, "wait for the dark theme", chromedp.Poll[bool](`document.documentElement.dataset.theme === 'dark'`, chromedp.WithPollingInterval(pollInterval)))
	dark := get(t, ctx, "read the dark background", chromedp.Evaluate[string](pageBackground))
	if dark == light || dark != "rgb(20, 20, 20)" {
		t.Errorf("the dark theme's background is %s (light %s), want rgb(20, 20, 20)", dark, light)
	}
	if !get(t, ctx, "wait for the choice to be saved", chromedp.Evaluate[bool](servedUntil(`h.includes('data-theme="dark"')`), chromedp.EvalAwaitPromise)) {
		t.Fatal("the server never draws the page in the dark theme")
	}
	run(t, ctx, "open another page", chromedp.Navigate(env.URL+"/settings/users"), chromedp.WaitReady(testID("users-table")))
	if html := get(t, ctx, "read the served page", chromedp.Evaluate[string](`fetch(location.href).then(r => r.text())`, chromedp.EvalAwaitPromise)); !strings.Contains(html, `<html lang="en" data-theme="dark">`) {
		t.Errorf("the server draws the page without the saved theme: %.120q", html)
	}
	if bg := get(t, ctx, "read the background", chromedp.Evaluate[string](pageBackground)); bg != dark {
		t.Errorf("the next page's background is %s, want the dark %s", bg, dark)
	}
	if pressed := get(t, ctx, "read the theme switch", chromedp.Evaluate[string](`document.querySelector('[data-testid="theme-dark"]').getAttribute('aria-pressed')`)); pressed != "true" {
		t.Errorf("Dark reads aria-pressed=%q on the next page", pressed)
	}
	screenshot(t, ctx, "theme-dark-phone")

	// Device setting: the page follows prefers-color-scheme again, both ways.
	run(t, ctx, "open the profile menu", chromedp.Click(testID("profile")), chromedp.WaitVisible(testID("theme-system")))
	run(t, ctx, "choose the device setting", chromedp.Click(testID("theme-system")))
	get(t, ctx, "wait for the attribute to go", chromedp.Poll[bool](`!document.documentElement.hasAttribute('data-theme')`, chromedp.WithPollingInterval(pollInterval)))
	if bg := get(t, ctx, "read the background", chromedp.Evaluate[string](pageBackground)); bg != light {
		t.Errorf("with a light device the background is %s, want %s", bg, light)
	}
	setColorScheme(t, ctx, "dark")
	if bg := get(t, ctx, "read the background", chromedp.Evaluate[string](pageBackground)); bg != dark {
		t.Errorf("with a dark device the background is %s, want %s", bg, dark)
	}
	if !get(t, ctx, "wait for the choice to be saved", chromedp.Evaluate[bool](servedUntil(`!h.includes('data-theme=')`), chromedp.EvalAwaitPromise)) {
		t.Error("the server still draws the page in a chosen theme")
	}
}

// servedUntil is a script that fetches Home until its HTML (h) satisfies cond (the theme is
// saved by a request of its own, which may still be on its way).
func servedUntil(cond string) string {
	return `(async () => {
		for (let i = 0; i < 100; i++) {
			const h = await fetch('/', {credentials: 'same-origin'}).then(r => r.text());
			if (` + cond + `) return true;
			await new Promise(r => setTimeout(r, 50));
		}
		return false;
	})()`
}
