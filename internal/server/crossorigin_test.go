package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"partnerdesk/internal/app/apptest"
)

var pathParam = regexp.MustCompile(`:[A-Za-z]+`)

// Every state-changing route of the web portal refuses a cross-origin request before any handler
// runs (Go's CrossOriginProtection around the whole router), for a signed-in Global admin, whose
// session would otherwise allow most of them; and nothing is recorded or changed. The list comes
// from the router, so a new POST route is covered without touching this test. (The /v1 API takes
// bearer tokens only, never cookies, so a cross-site page cannot act through it.)
func TestCrossOriginRefusedOnEveryStateChangingRoute(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, "globaladmin@partner.example")
	ctx := context.Background()
	before, _ := env.App.Service.RecentEvents(ctx, "", 1)
	n := 0
	for _, r := range env.App.Server.Routes() {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			continue
		}
		n++
		path := pathParam.ReplaceAllString(r.Path, "x")
		for _, h := range [][2]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
			req, _ := http.NewRequest(r.Method, env.URL+path, strings.NewReader(url.Values{"email": {"x@evil.example"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(h[0], h[1])
			res := env.Do(t, c, req)
			if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "cross-origin") {
				t.Errorf("%s %s with %s: %s → %d, want the cross-origin 403", r.Method, r.Path, h[0], h[1], res.StatusCode)
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d state-changing routes found", n)
	}
	after, _ := env.App.Service.RecentEvents(ctx, "", 1)
	if len(before) != 1 || len(after) != 1 || after[0].ID != before[0].ID {
		t.Fatalf("a refused cross-origin request left an event: before %+v, after %+v", before, after)
	}
}
