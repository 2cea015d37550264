package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"

	"github.com/PuerkitoBio/goquery"
)

// Settings → Webhooks (R21): register (the secret shown once), send a test event, the delivery
// log (time, event, attempt, status code, latency, error) and Redeliver, rotate the secret,
// delete; in English and in Hungarian. Only a Global admin may (R1–R5).
func TestWebhooksPage(t *testing.T) {
	env := apptest.StartWith(t, func(c *apptest.Config) { c.WebhookAllowPrivate = true })
	ctx := context.Background()
	rcv := apptest.NewReceiver(t)
	rcv.Answer(func(n int, _ apptest.Delivery) int {
		if n == 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	ga := env.SignIn(t, apptest.GlobalAdmin)
	deliver := func() {
		t.Helper()
		if _, err := env.App.Service.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	page := func() *goquery.Document {
		t.Helper()
		res := env.Get(t, ga, "/settings/webhooks")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /settings/webhooks: %d", res.StatusCode)
		}
		return doc(t, res.Body)
	}
	d := page()
	if testid(d, "webhook-none").Length() != 1 || testid(d, "webhook-log-empty").Length() != 1 {
		t.Fatal("no registration: the page says neither")
	}
	if d.Find(`a[href="/settings/webhooks"]`).Length() == 0 {
		t.Error("Settings does not link the Webhooks page")
	}

	// A refused URL: the form again with the reason, nothing registered.
	res := env.PostForm(t, ga, "/settings/webhooks", url.Values{"url": {"ftp://" + strings.TrimPrefix(rcv.URL, "http://")}, "events": {"order-created"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(testid(doc(t, res.Body), "webhook-url-error").Text(), "https://") {
		t.Fatalf("ftp URL: %d %q", res.StatusCode, testid(doc(t, res.Body), "webhook-url-error").Text())
	}
	res = env.PostForm(t, ga, "/settings/webhooks", url.Values{"url": {rcv.URL}})
	if res.StatusCode != http.StatusUnprocessableEntity || testid(doc(t, res.Body), "webhook-events-error").Length() != 1 {
		t.Fatalf("no events: %d", res.StatusCode)
	}
	// Registered: the secret is shown this once.
	res = env.PostForm(t, ga, "/settings/webhooks", url.Values{"url": {rcv.URL}, "events": {"test-created", "order-created", "order-updated"}})
	d = doc(t, res.Body)
	secret := strings.TrimSpace(testid(d, "webhook-secret").Find("code").Text())
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(secret, "pdwhsec_") {
		t.Fatalf("register: %d, secret %q", res.StatusCode, secret)
	}
	rcv.SetSecrets(secret)
	d = page()
	if testid(d, "webhook-secret").Length() != 0 || strings.Contains(d.Text(), secret) {
		t.Error("the secret is shown again")
	}
	if got := testid(d, "webhook-url").Text(); got != rcv.URL {
		t.Errorf("registered URL %q", got)
	}

	// Send a test event: pending, then the failed first attempt, then delivered.
	res = env.PostForm(t, ga, "/settings/webhooks/test", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/settings/webhooks?done=webhook_test_sent" {
		t.Fatalf("send a test: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	row := func() *goquery.Selection {
		t.Helper()
		rows := testid(page(), "webhook-event")
		if rows.Length() != 1 {
			t.Fatalf("%d events in the log, want 1", rows.Length())
		}
		return rows
	}
	if r := row(); r.AttrOr("data-status", "") != desk.WebhookPending || cnText(testid2(r, "webhook-attempts")) != "0" {
		t.Fatalf("before delivery: %s", cnText(r))
	}
	deliver()
	r := row()
	if r.AttrOr("data-status", "") != desk.WebhookPending || cnText(testid2(r, "webhook-attempts")) != "1" ||
		cnText(testid2(r, "webhook-status-code")) != "503" || cnText(testid2(r, "webhook-error")) != "The receiver answered 503." ||
		!strings.Contains(cnText(r), "ms") || !strings.Contains(cnText(r), "next attempt") {
		t.Fatalf("after a 503: %s", cnText(r))
	}
	env.Clock.Advance(10 * time.Second)
	deliver()
	r = row()
	if r.AttrOr("data-status", "") != desk.WebhookDelivered || cnText(testid2(r, "webhook-status-code")) != "200" || cnText(testid2(r, "webhook-error")) != "—" {
		t.Fatalf("delivered: %s", cnText(r))
	}
	if n := testid(page(), "webhook-attempt").Length(); n != 2 {
		t.Errorf("%d attempts in the history, want 2", n)
	}

	// Redeliver: the same event again, with its ID.
	id := r.AttrOr("data-event-id", "")
	res = env.PostForm(t, ga, "/settings/webhooks/redeliver", url.Values{"event": {id}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("redeliver: %d", res.StatusCode)
	}
	if row().AttrOr("data-status", "") != desk.WebhookPending {
		t.Error("a redelivered event is not pending")
	}
	deliver()
	got := rcv.Deliveries()
	if len(got) != 3 || got[2].EventID != id || got[2].Attempt != "3" || !got[2].Verified() {
		t.Fatalf("redelivery: %d requests, last %+v", len(got), got[len(got)-1])
	}
	if res := env.PostForm(t, ga, "/settings/webhooks/redeliver", url.Values{"event": {"no-such-event"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("redeliver an unknown event: %d", res.StatusCode)
	}

	// Rotate: a new secret, shown once; the previous one is listed with its end.
	res = env.PostForm(t, ga, "/settings/webhooks/rotate", nil)
	d = doc(t, res.Body)
	if next := strings.TrimSpace(testid(d, "webhook-secret").Find("code").Text()); next == "" || next == secret {
		t.Fatalf("rotate: %q", next)
	}
	if !strings.Contains(testid(d, "webhook-previous").Text(), "also signs until") {
		t.Errorf("the previous secret: %q", testid(d, "webhook-previous").Text())
	}

	// Change the events, then the page in Hungarian (no English UI word, R21 in both languages).
	res = env.PostForm(t, ga, "/settings/webhooks", url.Values{"url": {rcv.URL}, "events": {"order-created", "invoice-ready"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/settings/webhooks?done=webhook_saved" {
		t.Fatalf("save: %d", res.StatusCode)
	}
	h := newHUChecker(t, env)
	env.PostForm(t, ga, "/settings/language", url.Values{"locale": {"hu"}})
	d = h.check("/settings/webhooks", env.Get(t, ga, "/settings/webhooks?done=webhook_saved"))
	if !strings.Contains(d.Text(), "Kézbesítési napló") || !strings.Contains(d.Text(), "A webhook mentve.") {
		t.Error("the Hungarian page")
	}
	h.check("/settings/webhooks invalid", env.PostForm(t, ga, "/settings/webhooks", url.Values{"url": {"ftp://x"}}))
	h.check("/settings/activity", env.Get(t, ga, "/settings/activity?action="+desk.OpChangeWebhook))
	env.PostForm(t, ga, "/settings/language", url.Values{"locale": {"en"}})

	// The activity log records each change of the registration (R11).
	evs, err := env.App.Service.RecentEvents(ctx, desk.OpChangeWebhook, 10)
	if err != nil || len(evs) != 3 {
		t.Fatalf("%d webhook changes in the log: %v", len(evs), err)
	}

	// Delete: none again; the log stays.
	res = env.PostForm(t, ga, "/settings/webhooks/delete", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	d = page()
	if testid(d, "webhook-none").Length() != 1 || testid(d, "webhook-event").Length() != 1 || testid(d, "webhook-redeliver").Length() != 0 {
		t.Error("after delete: the registration or the log is wrong")
	}
	if res := env.PostForm(t, ga, "/settings/webhooks/test", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("a test without a registration: %d", res.StatusCode)
	}

	// Other roles: 403 naming the Global admin (R5).
	for _, who := range []string{"admin", "billing", "referrals"} {
		c := env.SignIn(t, apptest.Users[who])
		res := env.Get(t, c, "/settings/webhooks")
		isoCheck403(t, who+" GET /settings/webhooks", res, desk.PermManageWebhooks)
		res = env.PostForm(t, c, "/settings/webhooks", url.Values{"url": {rcv.URL}, "events": {"order-created"}})
		isoCheck403(t, who+" POST /settings/webhooks", res, desk.PermManageWebhooks)
	}
}

// testid2 finds a data-testid inside a selection.
func testid2(s *goquery.Selection, id string) *goquery.Selection {
	return s.Find(`[data-testid="` + id + `"]`)
}
