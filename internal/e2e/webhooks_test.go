package e2e

import (
	"context"
	"strings"
	"testing"

	"partnerdesk/internal/app/apptest"

	"github.com/chromedp/chromedp"
)

// A Global admin registers the webhook in the browser (the signing secret shown once), sends a
// test event and sees its delivery in the log; Delete asks first, and a No keeps the webhook.
func TestWebhooksInBrowser(t *testing.T) {
	env := apptest.StartWith(t, func(c *apptest.Config) { c.WebhookAllowPrivate = true })
	rcv := apptest.NewReceiver(t)
	ctx := newBrowser(t)
	signInDemo(t, ctx, env, apptest.GlobalAdmin)

	run(t, ctx, "open Settings → Webhooks and register",
		chromedp.Navigate(env.URL+"/settings/webhooks"),
		chromedp.WaitVisible(testID("webhook-none")),
		chromedp.SendKeys(chromedp.CSS(`#webhook-url-input`), rcv.URL),
		chromedp.Click(testID("webhook-save")),
		chromedp.WaitVisible(testID("webhook-secret")),
	)
	secret := strings.TrimSpace(get(t, ctx, "read the secret", chromedp.Text(chromedp.CSS(`[data-testid="webhook-secret"] code`), chromedp.NodeVisible)))
	if !strings.HasPrefix(secret, "pdwhsec_") {
		t.Fatalf("secret %q", secret)
	}
	rcv.SetSecrets(secret)
	if u := text(t, ctx, "webhook-url"); u != rcv.URL {
		t.Fatalf("registered %q", u)
	}

	run(t, ctx, "send a test event", chromedp.Click(testID("webhook-test")), chromedp.WaitVisible(testID("webhook-event")))
	if s := text(t, ctx, "webhook-state"); s != "Pending" {
		t.Fatalf("state %q before delivery", s)
	}
	if _, err := env.App.Service.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "reload the log", chromedp.Reload(), chromedp.WaitVisible(testID("webhook-event")))
	if s, code := text(t, ctx, "webhook-state"), text(t, ctx, "webhook-status-code"); s != "Delivered" || code != "200" {
		t.Fatalf("after delivery: %q %q", s, code)
	}
	if d := rcv.Deliveries(); len(d) != 1 || !d[0].Verified() {
		t.Fatalf("the receiver got %+v", d)
	}
	screenshot(t, ctx, "webhooks")

	// Delete asks first: No keeps the webhook, Yes deletes it.
	run(t, ctx, "answer No to Delete",
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => false`),
		chromedp.Click(testID("webhook-delete")),
	)
	if n := get(t, ctx, "look for the registration", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="webhook-url"]').length`)); n != 1 {
		t.Fatal("No deleted the webhook")
	}
	run(t, ctx, "answer Yes to Delete",
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(testID("webhook-delete")),
		chromedp.WaitVisible(testID("webhook-none")),
	)
}
