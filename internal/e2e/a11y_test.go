package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// axeDir holds axe-core, vendored from npm with its licence (no network in tests).
var axeDir = filepath.Join("testdata", "axe-core")

// loadAxe reads axe.min.js and checks it against its recorded SHA-256.
func loadAxe(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(axeDir, "axe.min.js"))
	if err != nil {
		t.Fatalf("read axe-core: %v", err)
	}
	want, err := os.ReadFile(filepath.Join(axeDir, "axe.min.js.sha256"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(src)
	if got := hex.EncodeToString(sum[:]); !strings.HasPrefix(string(want), got) {
		t.Fatalf("axe.min.js has SHA-256 %s, the record says %s", got, strings.Fields(string(want))[0])
	}
	return string(src)
}

// axeViolation is one serious or critical finding, with where it is.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// runAxe runs axe-core on the page (or inside scope) and returns its serious and critical
// violations.
func runAxe(t *testing.T, ctx context.Context, axe, scope string) []axeViolation {
	t.Helper()
	if !get(t, ctx, "look for axe", chromedp.Evaluate[bool](`typeof window.axe === 'object'`)) {
		run(t, ctx, "load axe-core", chromedp.Evaluate[chromedp.Void](axe+";void 0"))
	}
	target := "document"
	if scope != "" {
		target = "document.querySelector(" + jsString(scope) + ")"
	}
	raw := get(t, ctx, "run axe-core", chromedp.Evaluate[string](`axe.run(`+target+`, {resultTypes: ['violations']}).then(r => JSON.stringify(
		r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
			id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 160))
		}))))`, chromedp.EvalAwaitPromise))
	var out []axeViolation
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("axe result %q: %v", raw, err)
	}
	return out
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// reportAxe fails the test with the violations of one page.
func reportAxe(t *testing.T, ctx context.Context, what string, vs []axeViolation) {
	t.Helper()
	if len(vs) == 0 {
		return
	}
	var b strings.Builder
	for _, v := range vs {
		b.WriteString("\n  " + v.Impact + " " + v.ID + ": " + v.Help)
		for _, n := range v.Nodes {
			b.WriteString("\n      " + n)
		}
	}
	screenshot(t, ctx, failName(t)+"-"+what)
	t.Errorf("%s: axe-core finds %d serious or critical violations:%s", what, len(vs), b.String())
}

// axe-core finds no serious or critical violation on any main page or dialog, in the light and
// the dark theme (the device's prefers-color-scheme), in English and in Hungarian.
func TestAccessibility(t *testing.T) {
	axe := loadAxe(t)
	env := apptest.Start(t)
	d := tourSetup(t, env)
	for _, lang := range []string{"en", "hu"} {
		for _, scheme := range []string{"light", "dark"} {
			t.Run(lang+"-"+scheme, func(t *testing.T) {
				ctx := tourBrowser(t, 3*time.Minute)
				setColorScheme(t, ctx, scheme)
				if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
					Headers: network.Headers{"Accept-Language": lang},
				}); err != nil {
					t.Fatalf("set Accept-Language: %v", err)
				}
				current := "-"
				for _, p := range tourPages(d) {
					tourAs(t, ctx, env, &current, p.User)
					tourOpen(t, ctx, env, p)
					if got := get(t, ctx, "read the language", chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang {
						t.Fatalf("%s is in %q, want %q", p.Name, got, lang)
					}
					reportAxe(t, ctx, p.Name, runAxe(t, ctx, axe, ""))
				}
				tourDialogs(t, ctx, env, &current, func(name string) {
					reportAxe(t, ctx, name, runAxe(t, ctx, axe, "dialog[open]"))
				})
				tourStates(t, ctx, env, &current, func(name string) {
					reportAxe(t, ctx, name, runAxe(t, ctx, axe, ""))
				})
			})
		}
	}
}
