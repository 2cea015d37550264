package service_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/service"
)

// R21: the address is checked again at delivery, on the address that is dialled: a host that
// resolved to a public address at registration and resolves to loopback at delivery (DNS
// rebinding) is refused before any connection, and the attempt says why.
func TestWebhookDeliveryRefusesRebinding(t *testing.T) {
	rcv := apptest.NewReceiver(t)
	port := rcv.URL[strings.LastIndex(rcv.URL, ":")+1 : strings.Index(rcv.URL, "/partnerdesk")]
	var lookups atomic.Int32
	env := apptest.StartWith(t, func(c *apptest.Config) {
		c.WebhookLookup = func(_ context.Context, host string) ([]netip.Addr, error) {
			if host != "rebind.partner.example" {
				return nil, errors.New("no such host")
			}
			if lookups.Add(1) == 1 {
				return []netip.Addr{netip.MustParseAddr("203.0.113.50")}, nil
			}
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		}
	})
	ctx := context.Background()
	ga := env.Actor(t, apptest.GlobalAdmin)
	if _, _, err := env.App.Service.RegisterWebhook(ctx, ga, service.WebhookInput{URL: "https://rebind.partner.example:" + port + "/partnerdesk/events",
		Events: []string{desk.WebhookTestCreated}}); err != nil {
		t.Fatalf("register while the host is public: %v", err)
	}
	id, err := env.App.Service.SendTestWebhook(ctx, ga)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Service.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	e, err := env.App.Service.ValidationEvent(ctx, ga, id)
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != desk.WebhookPending || e.Attempts != 1 || e.LastError != desk.WebhookErrAddress || e.LastDetail != "127.0.0.1" || e.LastStatus != 0 {
		t.Fatalf("after the rebinding: %+v", e)
	}
	if n := len(rcv.Deliveries()); n != 0 {
		t.Fatalf("the receiver on 127.0.0.1 got %d requests", n)
	}
	if msg := service.WebhookDeliveryError(e.LastError, e.LastDetail, e.LastStatus); !strings.Contains(msg, "127.0.0.1, a loopback, private or link-local address") {
		t.Errorf("lastError %q", msg)
	}
	// Retried later like any failure (the host may be fixed).
	if !e.NextAttemptAt.After(env.Clock.Now()) || e.NextAttemptAt.After(env.Clock.Now().Add(15*time.Second)) {
		t.Errorf("next attempt %v", e.NextAttemptAt)
	}
}
