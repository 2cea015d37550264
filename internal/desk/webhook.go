package desk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Webhook event names (R21): Partner Center's, and PartnerDesk's own for keys and links.
const (
	WebhookTestCreated     = "test-created"
	WebhookCustomerCreated = "customer-created"
	WebhookOrderCreated    = "order-created"
	WebhookOrderUpdated    = "order-updated" // any status change, a cancellation included
	WebhookInvoiceReady    = "invoice-ready" // a month's invoice issued
	WebhookKeyRetrieved    = "software-key-retrieved"
	WebhookLinkCreated     = "software-download-link-created"
)

// WebhookEvents lists the events a registration can subscribe to, in display order.
var WebhookEvents = []string{WebhookTestCreated, WebhookCustomerCreated, WebhookOrderCreated, WebhookOrderUpdated, WebhookInvoiceReady,
	WebhookKeyRetrieved, WebhookLinkCreated}

// ValidWebhookEvent reports whether name is one of WebhookEvents.
func ValidWebhookEvent(name string) bool {
	for _, e := range WebhookEvents {
		if e == name {
			return true
		}
	}
	return false
}

// WebhookRegistration is the partner's webhook (one per PartnerDesk, as in Partner Center).
type WebhookRegistration struct {
	URL    string
	Events []string
	// Secret is the signing secret sealed with the key-encryption key; PreviousSecret, after a
	// rotation, the one before it, which still signs until PreviousUntil (24 h).
	Secret, PreviousSecret []byte
	PreviousUntil          time.Time
	CreatedAt, UpdatedAt   time.Time
}

// Subscribes reports whether the registration wants an event.
func (r WebhookRegistration) Subscribes(event string) bool {
	for _, e := range r.Events {
		if e == event {
			return true
		}
	}
	return false
}

// SecretRotationOverlap is how long a rotated signing secret still signs (R21: 24 h).
const SecretRotationOverlap = 24 * time.Hour

// Webhook delivery states.
const (
	WebhookPending   = "pending"
	WebhookDelivered = "delivered"
	WebhookFailed    = "failed"
)

// Why a delivery attempt failed (stored; the pages and the API say it in words).
const (
	WebhookErrStatus       = "status"        // the receiver answered other than 2xx (Detail: the status)
	WebhookErrTimeout      = "timeout"       // no answer within WebhookTimeout
	WebhookErrAddress      = "address"       // the host resolves to a loopback, private or link-local address (Detail: it)
	WebhookErrDNS          = "dns"           // the host does not resolve
	WebhookErrConnect      = "connect"       // the connection or TLS failed (Detail: why)
	WebhookErrRedirect     = "redirect"      // the receiver redirected (not followed)
	WebhookErrUnregistered = "unregistered"  // no webhook is registered (any more)
	WebhookErrURL          = "url"           // the registered URL is not allowed
	WebhookErrSecret       = "secret"        // the signing secret could not be opened
	WebhookErrUnknown      = "network_other" // anything else (Detail: the error)
)

// WebhookTimeout is how long a receiver has to answer: a 2xx within it counts as delivered.
const WebhookTimeout = 10 * time.Second

// WebhookRetryPeriod is how long an event is retried before it is marked failed (R21: ≥ 24 h).
const WebhookRetryPeriod = 24 * time.Hour

// WebhookEvent is an event in the outbox: written in the transaction of the change, delivered
// at least once.
type WebhookEvent struct {
	Seq int64
	// ID is the event's ID (X-PartnerDesk-Event-Id, the same on every attempt); a test event's
	// ID is its correlationId.
	ID        string
	Name      string
	Body      []byte
	CreatedAt time.Time
	Status    string
	Attempts  int
	// NextAttemptAt is when the next attempt is due; GiveUpAt when retrying stops.
	NextAttemptAt, GiveUpAt time.Time
	DeliveredAt             time.Time
	// The last attempt's outcome.
	LastAttemptAt time.Time
	LastStatus    int
	LastLatency   time.Duration
	LastError     string
	LastDetail    string
	// History is the event's attempts, newest first (filled for the delivery log).
	History []WebhookAttempt
}

// WebhookAttempt is one delivery attempt of an event.
type WebhookAttempt struct {
	EventSeq   int64
	Number     int
	At         time.Time
	StatusCode int // 0 when no answer came
	Latency    time.Duration
	Error      string // "" when delivered
	Detail     string
}

// WebhookPage is a page of the delivery log, newest first.
type WebhookPage struct {
	Items []WebhookEvent
	Next  string
}

// WebhookBody is the JSON body of a webhook, with Partner Center's fields: the URIs are the
// PartnerDesk API's URLs of the resource and of the audit record (null when the change has
// none, as for test-created).
type WebhookBody struct {
	EventName             string  `json:"EventName"`
	ResourceURI           string  `json:"ResourceUri"`
	ResourceName          string  `json:"ResourceName"`
	AuditURI              *string `json:"AuditUri"`
	ResourceChangeUtcDate string  `json:"ResourceChangeUtcDate"`
}

// WebhookTimeFormat is how ResourceChangeUtcDate is written, as Partner Center writes it.
const WebhookTimeFormat = "2006-01-02T15:04:05.0000000+00:00"

// SignWebhook returns the X-PartnerDesk-Signature header of a body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret's text>", with one
// v1 per secret (during a rotation, the new secret's first and the previous one's second).
func SignWebhook(t time.Time, body []byte, secrets ...string) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=" + ts)
	for _, s := range secrets {
		m := hmac.New(sha256.New, []byte(s))
		m.Write([]byte(ts))
		m.Write([]byte("."))
		m.Write(body)
		b.WriteString(",v1=" + hex.EncodeToString(m.Sum(nil)))
	}
	return b.String()
}

// VerifyWebhook checks a signature header against a secret, as a receiver does: one of its v1
// values must be the HMAC of "<t>.<body>" and t must be within tolerance of now (against
// replays). It returns the signing time.
func VerifyWebhook(header string, body []byte, secret string, now time.Time, tolerance time.Duration) (time.Time, bool) {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	at := time.Unix(sec, 0)
	if d := now.Sub(at); d > tolerance || d < -tolerance {
		return at, false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	want := m.Sum(nil)
	for _, s := range sigs {
		if got, err := hex.DecodeString(s); err == nil && hmac.Equal(got, want) {
			return at, true
		}
	}
	return at, false
}

// WebhookBackoff is the wait before the attempt after attempt n (1, 2, …): 8 s doubled each time
// up to an hour, times 0.75 + jitter/2 for a jitter drawn from [0, 1) (so that the events of a
// receiver that comes back are not all retried at once). The first retry comes 6 to 10 s after a
// failure.
func WebhookBackoff(n int, jitter float64) time.Duration {
	d := 8 * time.Second
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	d = min(d, time.Hour)
	return time.Duration(float64(d) * (0.75 + 0.5*jitter))
}

// MaxWebhookURL bounds a webhook URL's length.
const MaxWebhookURL = 2048

// CheckWebhookURL checks a webhook URL's form (R21): https:// (http:// too when allowPrivate), a
// host, no user name or password, no fragment, at most 2,048 characters. It returns the parsed
// URL, or the message key saying what is wrong. Where the host points is checked apart
// (PublicAddress), at registration and again at every delivery.
func CheckWebhookURL(raw string, allowPrivate bool) (*url.URL, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, "err.webhook_url_required"
	}
	if len(raw) > MaxWebhookURL {
		return nil, "err.webhook_url_long"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return nil, "err.webhook_url"
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowPrivate:
	default:
		return nil, "err.webhook_https"
	}
	if u.User != nil {
		return nil, "err.webhook_userinfo"
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, "err.webhook_fragment"
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, "err.webhook_url"
		}
	}
	return u, ""
}

// nonPublic are the address ranges a webhook may not reach besides those netip names
// (loopback, private, link-local, multicast, unspecified): shared address space (CGNAT),
// "this network", IETF protocol assignments, benchmarking, reserved, broadcast, and the IPv6
// translation and discard prefixes that can reach IPv4 ones.
var nonPublic = func() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range []string{"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "240.0.0.0/4", "255.255.255.255/32",
		"64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2002::/16", "fc00::/7", "fec0::/10"} {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}()

// PublicAddress reports whether a webhook may be delivered to ip (R21): not loopback, private,
// link-local, multicast, unspecified or another non-public range; an IPv4 address inside IPv6
// (::ffff:10.0.0.1) is judged as the IPv4 one.
func PublicAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}
