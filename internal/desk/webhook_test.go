package desk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// R21: loopback, private, link-local and other non-public targets are refused, also written as
// IPv4 inside IPv6.
func TestPublicAddress(t *testing.T) {
	for _, ip := range []string{"127.0.0.1", "127.9.9.9", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
		"0.1.2.3", "224.0.0.1", "255.255.255.255", "198.18.0.1", "240.0.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1", "192.0.0.8"} {
		if PublicAddress(netip.MustParseAddr(ip)) {
			t.Errorf("%s is public", ip)
		}
	}
	for _, ip := range []string{"203.0.113.7", "93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:93.184.216.34"} {
		if !PublicAddress(netip.MustParseAddr(ip)) {
			t.Errorf("%s is not public", ip)
		}
	}
}

func TestCheckWebhookURL(t *testing.T) {
	for _, tt := range []struct {
		url          string
		allowPrivate bool
		key          string
	}{
		{"https://hooks.example.com/partnerdesk", false, ""},
		{"https://hooks.example.com:8443/x?tenant=1", false, ""},
		{"http://hooks.example.com/x", false, "err.webhook_https"},
		{"http://127.0.0.1:9000/x", true, ""},
		{"ftp://hooks.example.com/", true, "err.webhook_https"},
		{"https://", false, "err.webhook_url"},
		{"hooks.example.com/x", false, "err.webhook_url"},
		{"https://a:b@hooks.example.com/", false, "err.webhook_userinfo"},
		{"https://hooks.example.com/#frag", false, "err.webhook_fragment"},
		{"https://hooks.example.com:99999/", false, "err.webhook_url"},
		{"  ", false, "err.webhook_url_required"},
		{"https://hooks.example.com/" + strings.Repeat("a", 2048), false, "err.webhook_url_long"},
	} {
		if _, key := CheckWebhookURL(tt.url, tt.allowPrivate); key != tt.key {
			t.Errorf("%q (private %v): %q, want %q", tt.url, tt.allowPrivate, key, tt.key)
		}
	}
}

// The signature is HMAC-SHA256 of "<t>.<body>" keyed with the secret's text, one v1 per secret;
// a receiver checks any v1 and the time.
func TestSignWebhook(t *testing.T) {
	at := time.Unix(1795600000, 0)
	body := []byte(`{"EventName":"test-created"}`)
	h := SignWebhook(at, body, "pdwhsec_new", "pdwhsec_old")
	m := hmac.New(sha256.New, []byte("pdwhsec_new"))
	m.Write([]byte("1795600000." + string(body)))
	if !strings.HasPrefix(h, "t=1795600000,v1="+hex.EncodeToString(m.Sum(nil))+",v1=") || strings.Count(h, "v1=") != 2 {
		t.Fatalf("header %q", h)
	}
	for _, s := range []string{"pdwhsec_new", "pdwhsec_old"} {
		if _, ok := VerifyWebhook(h, body, s, at.Add(time.Minute), 5*time.Minute); !ok {
			t.Errorf("%s does not verify", s)
		}
	}
	if _, ok := VerifyWebhook(h, body, "pdwhsec_other", at, 5*time.Minute); ok {
		t.Error("another secret verifies")
	}
	if _, ok := VerifyWebhook(h, []byte(`{"EventName":"order-created"}`), "pdwhsec_new", at, 5*time.Minute); ok {
		t.Error("another body verifies")
	}
	if _, ok := VerifyWebhook(h, body, "pdwhsec_new", at.Add(10*time.Minute), 5*time.Minute); ok {
		t.Error("an old signature verifies (replay)")
	}
}

// Backoff: the first retry 6 to 10 s after a failure, doubling, at most an hour and a quarter.
func TestWebhookBackoff(t *testing.T) {
	if lo, hi := WebhookBackoff(1, 0), WebhookBackoff(1, 0.999999); lo != 6*time.Second || hi < 9900*time.Millisecond || hi > 10*time.Second {
		t.Errorf("first retry %s to %s", lo, hi)
	}
	if d := WebhookBackoff(2, 0.5); d != 16*time.Second {
		t.Errorf("second %s", d)
	}
	if d := WebhookBackoff(40, 0.5); d != time.Hour {
		t.Errorf("capped %s", d)
	}
	// Retrying for 24 h takes a few dozen attempts.
	total, n := time.Duration(0), 0
	for total < WebhookRetryPeriod {
		n++
		total += WebhookBackoff(n, 0.5)
	}
	if n < 20 || n > 40 {
		t.Errorf("%d attempts in 24 h", n)
	}
}
