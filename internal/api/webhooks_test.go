package api_test

import (
	"context"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
)

const publicURL = "https://desk.partner.example"

type registration struct {
	SubscriberID             string     `json:"subscriberId"`
	WebhookURL               string     `json:"webhookUrl"`
	WebhookEvents            []string   `json:"webhookEvents"`
	SigningSecret            string     `json:"signingSecret"`
	PreviousSecretValidUntil *time.Time `json:"previousSecretValidUntil"`
}

type validation struct {
	CorrelationID string `json:"correlationId"`
	Status        string `json:"status"`
	Attempts      int    `json:"attempts"`
	LastError     string `json:"lastError"`
}

// deliver runs one delivery pass of the instance's worker (the tests move the clock between).
func deliver(t *testing.T, env *apptest.Env) int {
	t.Helper()
	n, err := env.App.Service.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// R21: what the registration refuses, with 400 in the API's error shape naming the field, and
// who may call it (Global admin).
func TestWebhookRegistrationRefused(t *testing.T) {
	t.Parallel()
	env := apptest.StartWith(t, func(c *apptest.Config) {
		c.WebhookLookup = func(_ context.Context, host string) ([]netip.Addr, error) {
			switch host {
			case "hooks.partner.example":
				return []netip.Addr{netip.MustParseAddr("203.0.113.7")}, nil
			case "internal.partner.example": // one public and one private address: refused
				return []netip.Addr{netip.MustParseAddr("203.0.113.8"), netip.MustParseAddr("10.1.2.3")}, nil
			case "metadata.partner.example":
				return []netip.Addr{netip.MustParseAddr("169.254.169.254")}, nil
			case "mapped.partner.example":
				return []netip.Addr{netip.MustParseAddr("::ffff:192.168.1.1")}, nil
			case "localhost":
				return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
			}
			return nil, &net404{host}
		}
	})
	ga := as(t, env, globalAdmin)
	ga.get("/v1/webhooks/registration").wantError(t, http.StatusNotFound, 20000)
	var events []string
	ga.get("/v1/webhooks/registration/events").ok(t, http.StatusOK, &events)
	if !slices.Equal(events, desk.WebhookEvents) {
		t.Errorf("events %v", events)
	}
	for _, tt := range []struct {
		url    string
		events []string
		field  string
		why    string
	}{
		{"http://hooks.partner.example/in", []string{"order-created"}, "webhookUrl", "https://"},
		{"ftp://hooks.partner.example/in", []string{"order-created"}, "webhookUrl", "https://"},
		{"https://127.0.0.1/in", []string{"order-created"}, "webhookUrl", "private"},
		{"https://[::1]:8443/in", []string{"order-created"}, "webhookUrl", "private"},
		{"https://10.0.0.8/in", []string{"order-created"}, "webhookUrl", "private"},
		{"https://192.168.10.1/in", []string{"order-created"}, "webhookUrl", "private"},
		{"https://100.64.0.1/in", []string{"order-created"}, "webhookUrl", "private"},
		{"https://localhost/in", []string{"order-created"}, "webhookUrl", "private"},
		{"https://internal.partner.example/in", []string{"order-created"}, "webhookUrl", "private"},
		{"https://metadata.partner.example/latest", []string{"order-created"}, "webhookUrl", "private"},
		{"https://mapped.partner.example/in", []string{"order-created"}, "webhookUrl", "private"},
		{"https://nowhere.partner.example/in", []string{"order-created"}, "webhookUrl", "does not resolve"},
		{"https://user:pw@hooks.partner.example/in", []string{"order-created"}, "webhookUrl", "user name"},
		{"https://hooks.partner.example/in#x", []string{"order-created"}, "webhookUrl", "fragment"},
		{"", []string{"order-created"}, "webhookUrl", "Enter the webhook URL"},
		{"https://hooks.partner.example/in", []string{"order-created", "order-shipped"}, "webhookEvents", "from the list"},
		{"https://hooks.partner.example/in", []string{}, "webhookEvents", "at least one"},
	} {
		e := ga.call(http.MethodPost, "/v1/webhooks/registration", map[string]any{"webhookUrl": tt.url, "webhookEvents": tt.events}).wantError(t, http.StatusBadRequest, 400)
		if !slices.ContainsFunc(e.Data, func(d string) bool { return strings.HasPrefix(d, tt.field+": ") && strings.Contains(d, tt.why) }) {
			t.Errorf("%s %v: %q %v, want %s: …%s…", tt.url, tt.events, e.Description, e.Data, tt.field, tt.why)
		}
	}
	ga.call(http.MethodPost, "/v1/webhooks/registration", `{"webhookUrl":"https://hooks.partner.example/in","webhookEvents":["order-created"],"secret":"x"}`).
		wantError(t, http.StatusBadRequest, 400)
	ga.get("/v1/webhooks/registration").wantError(t, http.StatusNotFound, 20000)

	// Only a Global admin's token (R1–R5: 403 naming the role).
	for _, who := range []string{adminAgent, billing, referrals} {
		e := as(t, env, who).call(http.MethodPost, "/v1/webhooks/registration", map[string]any{"webhookUrl": "https://hooks.partner.example/in",
			"webhookEvents": []string{"order-created"}}).wantError(t, http.StatusForbidden, 403)
		if !slices.Contains(e.Data, "Global admin") {
			t.Errorf("%s: 403 %v", who, e.Data)
		}
	}
	// A public host registers; a second registration is refused.
	var r registration
	ga.call(http.MethodPost, "/v1/webhooks/registration", map[string]any{"webhookUrl": "https://hooks.partner.example/in",
		"webhookEvents": []string{"order-updated", "order-created", "order-created"}}).ok(t, http.StatusCreated, &r)
	if r.WebhookURL != "https://hooks.partner.example/in" || !slices.Equal(r.WebhookEvents, []string{"order-created", "order-updated"}) ||
		!strings.HasPrefix(r.SigningSecret, "pdwhsec_") || r.SubscriberID == "" {
		t.Fatalf("registration %+v", r)
	}
	ga.call(http.MethodPost, "/v1/webhooks/registration", map[string]any{"webhookUrl": "https://hooks.partner.example/in",
		"webhookEvents": []string{"order-created"}}).wantError(t, http.StatusConflict, 800060)
	// The secret is shown once: reading the registration does not show it.
	m := ga.get("/v1/webhooks/registration").ok(t, http.StatusOK, nil).object(t)
	if _, ok := m["signingSecret"]; ok {
		t.Error("GET shows the signing secret")
	}
	// An update to a private address is refused and changes nothing.
	ga.call(http.MethodPut, "/v1/webhooks/registration", map[string]any{"webhookUrl": "https://10.0.0.1/in", "webhookEvents": []string{"order-created"}}).
		wantError(t, http.StatusBadRequest, 400)
	ga.get("/v1/webhooks/registration").ok(t, http.StatusOK, &r)
	if r.WebhookURL != "https://hooks.partner.example/in" {
		t.Errorf("after a refused update: %s", r.WebhookURL)
	}
}

type net404 struct{ host string }

func (e *net404) Error() string { return "no such host " + e.host }

// R21, done-when: a receiver on 127.0.0.1 gets Partner Center-shaped, signed events; it fails
// the first attempts and gets the event later (backoff), the event ID the same on every attempt;
// the test event's status follows; rotation signs with both secrets for 24 h; the URIs are API
// URLs that answer.
func TestWebhookDeliveries(t *testing.T) {
	t.Parallel()
	env := apptest.StartWith(t, func(c *apptest.Config) { c.WebhookAllowPrivate, c.PublicURL = true, publicURL })
	rcv := apptest.NewReceiver(t)
	ga := as(t, env, globalAdmin)
	var r registration
	ga.call(http.MethodPost, "/v1/webhooks/registration", map[string]any{"webhookUrl": rcv.URL, "webhookEvents": desk.WebhookEvents}).ok(t, http.StatusCreated, &r)
	rcv.SetSecrets(r.SigningSecret)

	// The receiver is down for the first two attempts of the test event.
	rcv.Answer(func(n int, d apptest.Delivery) int {
		if d.Event == desk.WebhookTestCreated && n <= 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	var v validation
	ga.call(http.MethodPost, "/v1/webhooks/registration/validationEvents", nil).ok(t, http.StatusCreated, &v)
	id := v.CorrelationID
	statusOf := func(id string) validation {
		t.Helper()
		var v validation
		ga.get("/v1/webhooks/registration/validationEvents/"+id).ok(t, http.StatusOK, &v)
		return v
	}
	status := func() validation { t.Helper(); return statusOf(id) }
	if got := status(); got.Status != desk.WebhookPending || got.Attempts != 0 || got.LastError != "" {
		t.Fatalf("before delivery: %+v", got)
	}
	if deliver(t, env) != 1 {
		t.Fatal("the test event was not attempted")
	}
	if got := status(); got.Status != desk.WebhookPending || got.Attempts != 1 || got.LastError != "The receiver answered 503 Service Unavailable." {
		t.Fatalf("after a 503: %+v", got)
	}
	// Not due again at once: the first retry comes within ~15 s (6 to 10 s after the failure).
	if deliver(t, env) != 0 {
		t.Fatal("retried at once")
	}
	env.Clock.Advance(10 * time.Second)
	if deliver(t, env) != 1 {
		t.Fatal("not retried 10 s later")
	}
	env.Clock.Advance(20 * time.Second)
	deliver(t, env)
	if got := status(); got.Status != desk.WebhookDelivered || got.Attempts != 3 || got.LastError != "" {
		t.Fatalf("after the third attempt: %+v", got)
	}
	got := rcv.Deliveries()
	if len(got) != 3 {
		t.Fatalf("%d requests, want 3", len(got))
	}
	for i, d := range got {
		if d.EventID != id || d.Event != desk.WebhookTestCreated || d.Attempt != []string{"1", "2", "3"}[i] || !d.Verified() || d.V1 != 1 {
			t.Errorf("request %d: %+v", i, d)
		}
		if d.Body.EventName != desk.WebhookTestCreated || d.Body.ResourceName != "test" || d.Body.AuditURI != nil ||
			d.Body.ResourceURI != publicURL+"/v1/webhooks/registration/validationEvents/"+id {
			t.Errorf("request %d body: %s", i, d.Raw)
		}
	}
	if !got[2].SignedAt.Equal(env.Clock.Now().Truncate(time.Second)) {
		t.Errorf("signed at %v, want the delivery's time %v", got[2].SignedAt, env.Clock.Now())
	}
	for _, k := range []string{"EventName", "ResourceUri", "ResourceName", "AuditUri", "ResourceChangeUtcDate"} {
		if !strings.Contains(string(got[0].Raw), `"`+k+`":`) {
			t.Errorf("the body has no %s: %s", k, got[0].Raw)
		}
	}
	if _, err := time.Parse(desk.WebhookTimeFormat, got[0].Body.ResourceChangeUtcDate); err != nil {
		t.Errorf("ResourceChangeUtcDate %q: %v", got[0].Body.ResourceChangeUtcDate, err)
	}

	// An order placed and cancelled through the API: order-created, then order-updated, each
	// naming the order's API URL and its audit record, which a Global admin can read.
	agent := as(t, env, adminAgent)
	o := placeOrder(t, agent, apptest.ContosoID, line{apptest.OfferID(t, wsStd, desk.TermNone), 1, ""})
	agent.call(http.MethodPatch, orderPath(apptest.ContosoID, o.ID), cancelBody(o, 0)).ok(t, http.StatusOK, nil)
	deliver(t, env)
	for _, want := range []struct{ event, op string }{{desk.WebhookOrderCreated, desk.OpCreateOrder}, {desk.WebhookOrderUpdated, desk.OpUpdateOrder}} {
		d := rcv.WaitFor(t, 5*time.Second, func(d apptest.Delivery) bool { return d.Event == want.event })
		if !d.Verified() || d.Body.ResourceURI != publicURL+orderPath(apptest.ContosoID, o.ID) || d.Body.ResourceName != "Order" || d.Body.AuditURI == nil {
			t.Fatalf("%s: %s", want.event, d.Raw)
		}
		path := strings.TrimPrefix(*d.Body.AuditURI, publicURL)
		var rec auditRecord
		ga.get(path).ok(t, http.StatusOK, &rec)
		if rec.OperationType != want.op || rec.OrderID != o.ID || rec.UserPrincipalName != adminAgent {
			t.Errorf("%s's audit record %s: %+v", want.event, path, rec)
		}
		agent.get(path).wantError(t, http.StatusForbidden, 403) // R2: the activity log is not the admin agent's
	}
	// Key and link events name the entitlement.
	o2 := placeOrder(t, agent, apptest.ContosoID, line{apptest.OfferID(t, wsStd, desk.TermNone), 1, ""})
	ent := entitlementOf(t, agent, apptest.ContosoID, o2.ID, 0).ID
	var key struct{ ProductKey string }
	agent.get("/v1/customers/"+apptest.ContosoID+"/entitlements/"+ent+"/key?version=2022").ok(t, http.StatusOK, &key)
	agent.call(http.MethodPost, "/v1/customers/"+apptest.ContosoID+"/entitlements/"+ent+"/downloadlinks",
		map[string]any{"version": "2022", "language": "en-us", "bitness": "64-bit"}).ok(t, http.StatusCreated, nil)
	deliver(t, env)
	for _, event := range []string{desk.WebhookKeyRetrieved, desk.WebhookLinkCreated} {
		d := rcv.WaitFor(t, 5*time.Second, func(d apptest.Delivery) bool { return d.Event == event })
		if d.Body.ResourceURI != publicURL+"/v1/customers/"+apptest.ContosoID+"/entitlements/"+ent || d.Body.ResourceName != "Entitlement" ||
			key.ProductKey == "" || strings.Contains(string(d.Raw), key.ProductKey) || strings.Contains(string(d.Raw), "/dl/") {
			t.Errorf("%s: %s", event, d.Raw)
		}
	}

	// Rotation: the new secret is shown once and signs; the previous one signs beside it for 24 h.
	old := r.SigningSecret
	ga.call(http.MethodPut, "/v1/webhooks/registration", map[string]any{"webhookUrl": rcv.URL, "webhookEvents": desk.WebhookEvents, "rotateSigningSecret": true}).
		ok(t, http.StatusOK, &r)
	if r.SigningSecret == "" || r.SigningSecret == old || r.PreviousSecretValidUntil == nil ||
		!r.PreviousSecretValidUntil.Equal(env.Clock.Now().Add(24*time.Hour)) {
		t.Fatalf("rotated: %+v", r)
	}
	rcv.SetSecrets(r.SigningSecret, old)
	n := len(rcv.Deliveries())
	ga.call(http.MethodPost, "/v1/webhooks/registration/validationEvents", nil).ok(t, http.StatusCreated, &v)
	deliver(t, env)
	if d := rcv.Deliveries()[n]; d.V1 != 2 || !d.Verified() {
		t.Errorf("during the rotation: %d v1 values, valid %v", d.V1, d.Valid)
	}
	env.Clock.Advance(24*time.Hour + time.Second)
	ga = as(t, env, globalAdmin)
	rcv.SetSecrets(r.SigningSecret)
	ga.call(http.MethodPost, "/v1/webhooks/registration/validationEvents", nil).ok(t, http.StatusCreated, &v)
	deliver(t, env)
	if d := rcv.Deliveries()[n+1]; d.V1 != 1 || !d.Verified() {
		t.Errorf("after 24 h: %d v1 values, valid %v", d.V1, d.Valid)
	}
	if m := ga.get("/v1/webhooks/registration").ok(t, http.StatusOK, nil).object(t); m["previousSecretValidUntil"] != nil {
		t.Errorf("the previous secret still listed after 24 h: %v", m)
	}

	// The invoice of an invoice-ready webhook answers.
	var inv invoice
	ga.get("/v1/invoices/INV-2026-11-HUF").ok(t, http.StatusOK, &inv)
	if inv.ID != "INV-2026-11-HUF" {
		t.Errorf("invoice %+v", inv)
	}
	ga.get("/v1/invoices/INV-1999-01-HUF").wantError(t, http.StatusNotFound, 20000)
	ga.get("/v1/auditrecords/999999999").wantError(t, http.StatusNotFound, 20000)
	ga.get("/v1/webhooks/registration/validationEvents/"+unknownID).wantError(t, http.StatusNotFound, 20000)

	// An event the receiver never accepts is retried for 24 h, then failed and shown so.
	rcv.Answer(func(int, apptest.Delivery) int { return http.StatusInternalServerError })
	ga.call(http.MethodPost, "/v1/webhooks/registration/validationEvents", nil).ok(t, http.StatusCreated, &v)
	start := env.Clock.Now()
	for i := 0; i < 100 && statusOf(v.CorrelationID).Status == desk.WebhookPending; i++ {
		deliver(t, env)
		env.Clock.Advance(time.Hour)
		if i%10 == 9 {
			ga = as(t, env, globalAdmin)
		}
	}
	final := statusOf(v.CorrelationID)
	if final.Status != desk.WebhookFailed || final.Attempts < 10 || final.LastError != "The receiver answered 500 Internal Server Error." {
		t.Fatalf("after retrying: %+v", final)
	}
	var last time.Time
	for _, d := range rcv.Deliveries() {
		if d.EventID == v.CorrelationID {
			last = d.SignedAt
		}
	}
	if last.Sub(start) < 24*time.Hour {
		t.Errorf("the last attempt came %s after the event: retries stop after 24 h at the earliest", last.Sub(start))
	}

	// Deleting the registration: 204, then 404; nothing more is sent.
	del, err := send(env.URL, ga.token, http.MethodDelete, "/v1/webhooks/registration", nil)
	if err != nil || del.status != http.StatusNoContent || len(del.body) != 0 {
		t.Fatalf("DELETE: %d %s %v", del.status, del.body, err)
	}
	ga.get("/v1/webhooks/registration").wantError(t, http.StatusNotFound, 20000)
	ga.call(http.MethodPost, "/v1/webhooks/registration/validationEvents", nil).wantError(t, http.StatusNotFound, 20000)
	n = len(rcv.Deliveries())
	placeOrder(t, agent, apptest.ContosoID, line{apptest.OfferID(t, wsStd, desk.TermNone), 1, ""})
	deliver(t, env)
	if len(rcv.Deliveries()) != n {
		t.Error("an event was sent after the registration was deleted")
	}
}
