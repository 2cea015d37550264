package service

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"partnerdesk/internal/desk"
)

// WebhookStore holds the webhook registration, the outbox and the delivery log (R21).
type WebhookStore interface {
	WebhookRegistration(ctx context.Context) (desk.WebhookRegistration, bool, error)
	CreateWebhookRegistration(ctx context.Context, r desk.WebhookRegistration) error
	UpdateWebhookRegistration(ctx context.Context, r desk.WebhookRegistration) error
	DeleteWebhookRegistration(ctx context.Context, now time.Time) error
	EnqueueWebhook(ctx context.Context, e desk.WebhookEvent) error
	WebhooksDue(ctx context.Context, now time.Time) (bool, error)
	// ClaimWebhooks claims due events for this instance (rows another one holds are skipped).
	ClaimWebhooks(ctx context.Context, now time.Time, limit int, lease func(attempt int) time.Time) ([]desk.WebhookEvent, error)
	FinishWebhookAttempt(ctx context.Context, a desk.WebhookAttempt, status string, next time.Time) error
	WebhookEventByID(ctx context.Context, id string) (desk.WebhookEvent, error)
	WebhookLog(ctx context.Context, after string, limit int) (desk.WebhookPage, error)
	RedeliverWebhook(ctx context.Context, id string, now, giveUp time.Time) error
	PruneWebhooks(ctx context.Context, before time.Time) (int64, error)
}

// webhookSecretPrefix marks PartnerDesk webhook signing secrets.
const webhookSecretPrefix = "pdwhsec_"

// WebhookInput is a registration as the API and Settings → Webhooks send it.
type WebhookInput struct {
	URL    string
	Events []string
}

// webhookLookup resolves a webhook host (Config.WebhookLookup, or the system resolver).
func (s *webhooksArea) webhookLookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{ip}, nil
	}
	if s.cfg.WebhookLookup != nil {
		return s.cfg.WebhookLookup(ctx, host)
	}
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// addressError is a webhook host that resolves to an address webhooks may not reach.
type addressError struct{ ip netip.Addr }

func (e *addressError) Error() string {
	return "refused: " + e.ip.String() + " is a loopback, private or link-local address"
}

// dnsError is a webhook host that does not resolve.
type dnsError struct{ err error }

func (e *dnsError) Error() string { return "the host does not resolve: " + e.err.Error() }

// webhookAddresses resolves a webhook host and checks every address it resolves to (R21): one
// that is not public refuses the host, unless private targets are allowed.
func (s *webhooksArea) webhookAddresses(ctx context.Context, host string) ([]netip.Addr, error) {
	ips, err := s.webhookLookup(ctx, host)
	if err != nil {
		return nil, &dnsError{err}
	}
	if len(ips) == 0 {
		return nil, &dnsError{errors.New("no address")}
	}
	if !s.cfg.WebhookAllowPrivate {
		for _, ip := range ips {
			if !desk.PublicAddress(ip) {
				return nil, &addressError{ip.Unmap()}
			}
		}
	}
	return ips, nil
}

// dialWebhook connects to a webhook receiver: it resolves the host, checks the addresses and
// dials an address it checked — never a second lookup, which a DNS rebinding answer could point
// at a private address after the check (R21). The dialer checks the address once more as it
// connects.
func (s *webhooksArea) dialWebhook(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return nil, err
	}
	ips, err := s.webhookAddresses(ctx, host)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: desk.WebhookTimeout, Control: func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || (!s.cfg.WebhookAllowPrivate && !desk.PublicAddress(ap.Addr())) {
			return &addressError{ap.Addr().Unmap()}
		}
		return nil
	}}
	var last error
	for _, ip := range ips {
		conn, err := d.DialContext(ctx, network, netip.AddrPortFrom(ip.Unmap(), uint16(p)).String())
		if err == nil {
			return conn, nil
		}
		last = err
	}
	return nil, last
}

// newWebhookClient is the HTTP client of deliveries: no proxy from the environment, the
// checked dial, 10 s for the whole answer, redirects not followed (a redirect could lead
// anywhere, and a 3xx is no delivery).
func (s *webhooksArea) newWebhookClient() *http.Client {
	return &http.Client{
		Timeout: desk.WebhookTimeout,
		Transport: &http.Transport{Proxy: nil, DialContext: s.dialWebhook, ForceAttemptHTTP2: true, MaxIdleConns: 16, IdleConnTimeout: 90 * time.Second,
			TLSHandshakeTimeout: desk.WebhookTimeout, TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// checkWebhookInput validates a registration (R21): the URL's form, where its host points, and
// the events. Problems come back as field errors named as the API names the fields.
func (s *webhooksArea) checkWebhookInput(ctx context.Context, in WebhookInput) (WebhookInput, error) {
	errs := desk.FieldErrors{}
	u, key := desk.CheckWebhookURL(in.URL, s.cfg.WebhookAllowPrivate)
	if key != "" {
		errs["webhookUrl"] = key
	} else {
		lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := s.webhookAddresses(lctx, u.Hostname())
		cancel()
		var ae *addressError
		switch {
		case errors.As(err, &ae):
			errs["webhookUrl"] = "err.webhook_private"
		case err != nil:
			errs["webhookUrl"] = "err.webhook_dns"
		}
		in.URL = u.String()
	}
	var events []string
	for _, e := range in.Events {
		e = strings.TrimSpace(e)
		if !desk.ValidWebhookEvent(e) {
			errs["webhookEvents"] = "err.webhook_event"
			break
		}
		if !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	if len(in.Events) == 0 && errs["webhookEvents"] == "" {
		errs["webhookEvents"] = "err.webhook_events_required"
	}
	// Stored in the list's order, whatever order they were sent in.
	in.Events = nil
	for _, e := range desk.WebhookEvents {
		if slices.Contains(events, e) {
			in.Events = append(in.Events, e)
		}
	}
	return in, errs.Err()
}

func newWebhookSecret() string { return webhookSecretPrefix + randomToken(32) }

// Webhook returns the webhook registration (Global admin); ENOTFOUND when there is none.
func (s *webhooksArea) Webhook(ctx context.Context, a desk.Actor) (desk.WebhookRegistration, error) {
	if err := require(a, desk.PermManageWebhooks); err != nil {
		return desk.WebhookRegistration{}, err
	}
	r, ok, err := s.store.WebhookRegistration(ctx)
	if err != nil {
		return r, err
	}
	if !ok {
		return r, desk.Errorf(desk.ENOTFOUND, "err.webhook_none")
	}
	return r, nil
}

// RegisterWebhook registers the partner's webhook and returns its signing secret, shown once
// (Global admin). ECONFLICT when one is registered: update or delete it.
func (s *webhooksArea) RegisterWebhook(ctx context.Context, a desk.Actor, in WebhookInput) (desk.WebhookRegistration, string, error) {
	if err := require(a, desk.PermManageWebhooks); err != nil {
		return desk.WebhookRegistration{}, "", err
	}
	in, err := s.checkWebhookInput(ctx, in)
	if err != nil {
		return desk.WebhookRegistration{}, "", err
	}
	secret := newWebhookSecret()
	now := s.now()
	r := desk.WebhookRegistration{URL: in.URL, Events: in.Events, Secret: s.sealer.sealSecret(secret), CreatedAt: now, UpdatedAt: now}
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.CreateWebhookRegistration(ctx, r); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpChangeWebhook, ResourceType: "webhook", Detail: desk.DetailWebhookText(desk.WebhookRegistered, r.URL)})
	})
	if err != nil {
		return desk.WebhookRegistration{}, "", err
	}
	return r, secret, nil
}

// UpdateWebhook changes the registration's URL and events (Global admin). With rotate it makes a
// new signing secret, returned (shown once); the previous one keeps signing for 24 h beside it,
// so that receivers can switch without losing an event (R21).
func (s *webhooksArea) UpdateWebhook(ctx context.Context, a desk.Actor, in WebhookInput, rotate bool) (desk.WebhookRegistration, string, error) {
	if err := require(a, desk.PermManageWebhooks); err != nil {
		return desk.WebhookRegistration{}, "", err
	}
	in, err := s.checkWebhookInput(ctx, in)
	if err != nil {
		return desk.WebhookRegistration{}, "", err
	}
	var r desk.WebhookRegistration
	secret := ""
	err = s.store.InTx(ctx, func(tx Store) error {
		old, ok, err := tx.WebhookRegistration(ctx)
		if err != nil {
			return err
		}
		if !ok {
			return desk.Errorf(desk.ENOTFOUND, "err.webhook_none")
		}
		now := s.now()
		r = old
		r.URL, r.Events, r.UpdatedAt = in.URL, in.Events, now
		secret = ""
		if rotate {
			secret = newWebhookSecret()
			r.PreviousSecret, r.PreviousUntil = old.Secret, now.Add(desk.SecretRotationOverlap)
			r.Secret = s.sealer.sealSecret(secret)
		}
		if err := tx.UpdateWebhookRegistration(ctx, r); err != nil {
			return err
		}
		if old.URL != r.URL || !slices.Equal(old.Events, r.Events) {
			if err := s.audit(ctx, tx, a, desk.Event{Operation: desk.OpChangeWebhook, ResourceType: "webhook", Detail: desk.DetailWebhookText(desk.WebhookUpdated, r.URL)}); err != nil {
				return err
			}
		}
		if rotate {
			return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpChangeWebhook, ResourceType: "webhook", Detail: desk.DetailWebhookText(desk.WebhookRotated, r.URL)})
		}
		return nil
	})
	if err != nil {
		return desk.WebhookRegistration{}, "", err
	}
	return r, secret, nil
}

// RotateWebhookSecret makes a new signing secret for the registration as it is (see UpdateWebhook).
func (s *webhooksArea) RotateWebhookSecret(ctx context.Context, a desk.Actor) (desk.WebhookRegistration, string, error) {
	r, err := s.Webhook(ctx, a)
	if err != nil {
		return r, "", err
	}
	return s.UpdateWebhook(ctx, a, WebhookInput{URL: r.URL, Events: r.Events}, true)
}

// DeleteWebhook removes the registration (Global admin); events not delivered yet are marked
// failed.
func (s *webhooksArea) DeleteWebhook(ctx context.Context, a desk.Actor) error {
	if err := require(a, desk.PermManageWebhooks); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		r, ok, err := tx.WebhookRegistration(ctx)
		if err != nil {
			return err
		}
		if !ok {
			return desk.Errorf(desk.ENOTFOUND, "err.webhook_none")
		}
		if err := tx.DeleteWebhookRegistration(ctx, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpChangeWebhook, ResourceType: "webhook", Detail: desk.DetailWebhookText(desk.WebhookDeleted, r.URL)})
	})
}

// SendTestWebhook sends a test-created event to the registered webhook, whatever events it
// subscribes to, and returns its correlationId (Global admin).
func (s *webhooksArea) SendTestWebhook(ctx context.Context, a desk.Actor) (string, error) {
	if err := require(a, desk.PermManageWebhooks); err != nil {
		return "", err
	}
	id := newID()
	err := s.store.InTx(ctx, func(tx Store) error {
		if _, ok, err := tx.WebhookRegistration(ctx); err != nil || !ok {
			if err == nil {
				err = desk.Errorf(desk.ENOTFOUND, "err.webhook_none")
			}
			return err
		}
		return s.enqueue(ctx, tx, id, desk.WebhookTestCreated, "/v1/webhooks/registration/validationEvents/"+id, "test", 0)
	})
	if err != nil {
		return "", err
	}
	s.wakeWebhooks()
	return id, nil
}

// ValidationEvent returns a test event by its correlationId (Global admin); ENOTFOUND for any
// other ID.
func (s *webhooksArea) ValidationEvent(ctx context.Context, a desk.Actor, id string) (desk.WebhookEvent, error) {
	if err := require(a, desk.PermManageWebhooks); err != nil {
		return desk.WebhookEvent{}, err
	}
	e, err := s.store.WebhookEventByID(ctx, id)
	if err == nil && e.Name != desk.WebhookTestCreated {
		err = desk.Errorf(desk.ENOTFOUND, "err.webhook_event_not_found")
	}
	return e, err
}

// WebhookLog pages the delivery log, newest first (Global admin).
func (s *webhooksArea) WebhookLog(ctx context.Context, a desk.Actor, after string, limit int) (desk.WebhookPage, error) {
	if err := require(a, desk.PermManageWebhooks); err != nil {
		return desk.WebhookPage{}, err
	}
	return s.store.WebhookLog(ctx, after, limit)
}

// RedeliverWebhook sends an event again (Global admin): due now, retried for another 24 h, with
// the same event ID so that a receiver that had it drops the copy.
func (s *webhooksArea) RedeliverWebhook(ctx context.Context, a desk.Actor, id string) error {
	if err := require(a, desk.PermManageWebhooks); err != nil {
		return err
	}
	if _, ok, err := s.store.WebhookRegistration(ctx); err != nil || !ok {
		if err == nil {
			err = desk.Errorf(desk.ENOTFOUND, "err.webhook_none")
		}
		return err
	}
	now := s.now()
	if err := s.store.RedeliverWebhook(ctx, id, now, now.Add(desk.WebhookRetryPeriod)); err != nil {
		return err
	}
	s.wakeWebhooks()
	return nil
}

// apiURL is the absolute URL of an API path (webhook bodies carry PartnerDesk API URLs).
func (s *webhooksArea) apiURL(path string) string {
	base := strings.TrimSuffix(s.cfg.PublicURL, "/")
	if base == "" {
		base = "http://127.0.0.1:8080"
	}
	return base + path
}

// notify writes a webhook event into the outbox in the caller's transaction, when the
// registration subscribes to it (R21: written with the change, so nothing is lost on a crash).
// auditID names the change's activity log event (0: none).
func (s *webhooksArea) notify(ctx context.Context, tx Store, name, resourcePath, resourceName string, auditID int64) error {
	r, ok, err := tx.WebhookRegistration(ctx)
	if err != nil || !ok || !r.Subscribes(name) {
		return err
	}
	return s.enqueue(ctx, tx, newID(), name, resourcePath, resourceName, auditID)
}

func (s *webhooksArea) enqueue(ctx context.Context, tx Store, id, name, resourcePath, resourceName string, auditID int64) error {
	now := s.now()
	body := desk.WebhookBody{EventName: name, ResourceURI: s.apiURL(resourcePath), ResourceName: resourceName,
		ResourceChangeUtcDate: now.UTC().Format(desk.WebhookTimeFormat)}
	if auditID > 0 {
		u := s.apiURL("/v1/auditrecords/" + strconv.FormatInt(auditID, 10))
		body.AuditURI = &u
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	if err := tx.EnqueueWebhook(ctx, desk.WebhookEvent{ID: id, Name: name, Body: b, CreatedAt: now, NextAttemptAt: now, GiveUpAt: now.Add(desk.WebhookRetryPeriod)}); err != nil {
		return err
	}
	// The worker of this instance looks at once (and finds the event once this commits; else on
	// its next pass, a second later).
	s.wakeWebhooks()
	return nil
}

func orderPath(customerID, orderID string) string {
	return "/v1/customers/" + customerID + "/orders/" + orderID
}

func entitlementPath(customerID, entitlementID string) string {
	return "/v1/customers/" + customerID + "/entitlements/" + entitlementID
}

// auditNotify appends the change's activity event and writes its webhook event (R11, R21).
func (s *webhooksArea) auditNotify(ctx context.Context, tx Store, a desk.Actor, e desk.Event, name, resourcePath, resourceName string) error {
	id, err := s.auditID(ctx, tx, a, e)
	if err != nil {
		return err
	}
	return s.notify(ctx, tx, name, resourcePath, resourceName, id)
}

// wakeWebhooks tells this instance's delivery worker that an event may be due.
func (s *webhooksArea) wakeWebhooks() {
	select {
	case s.hookWake <- struct{}{}:
	default:
	}
}

// webhookBatch is how many events one delivery pass claims; they are delivered in parallel.
const webhookBatch = 16

// DeliverWebhooks runs the delivery worker until ctx ends: a pass every second (and at once when
// this instance wrote an event), and once an hour the delivery log loses what is older than 90
// days. Every instance runs one; claimed rows keep each event to one instance at a time.
func (s *webhooksArea) DeliverWebhooks(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	lastPrune := time.Time{}
	for {
		for {
			n, err := s.DeliverDue(ctx)
			if err != nil && ctx.Err() == nil {
				s.log("webhook delivery", err)
			}
			if n < webhookBatch || ctx.Err() != nil {
				break
			}
		}
		if time.Since(lastPrune) > time.Hour {
			lastPrune = time.Now()
			if _, err := s.store.PruneWebhooks(ctx, s.now().Add(-90*24*time.Hour)); err != nil && ctx.Err() == nil {
				s.log("prune the webhook log", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.hookWake:
		}
	}
}

// DeliverDue claims the events due now and delivers them, each at most WebhookTimeout; it
// returns how many it attempted. A failed attempt is retried with exponential backoff and jitter
// (the first retry 6 to 10 s later) until 24 h after the event, then the event is failed.
func (s *webhooksArea) DeliverDue(ctx context.Context) (int, error) {
	now := s.now()
	due, err := s.store.WebhooksDue(ctx, now)
	if err != nil || !due {
		return 0, err
	}
	// While an attempt runs, the event's next attempt is where a failed one would put it: an
	// instance that dies mid-delivery leaves the event to be retried then, by any instance.
	events, err := s.store.ClaimWebhooks(ctx, now, webhookBatch, func(attempt int) time.Time {
		return now.Add(desk.WebhookTimeout + desk.WebhookBackoff(attempt, rand.Float64()))
	})
	if err != nil || len(events) == 0 {
		return 0, err
	}
	reg, ok, err := s.store.WebhookRegistration(ctx)
	if err != nil {
		return 0, err
	}
	var secrets []string
	failAll := ""
	if !ok {
		failAll = desk.WebhookErrUnregistered
	} else if secrets, err = s.signingSecrets(reg, now); err != nil {
		s.log("open the webhook signing secret", err)
		failAll = desk.WebhookErrSecret
	}
	// Deliveries finish even when the worker is stopped (each within WebhookTimeout): what was
	// claimed is recorded.
	dctx := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	for _, e := range events {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var a desk.WebhookAttempt
			if failAll != "" {
				a = desk.WebhookAttempt{EventSeq: e.Seq, Number: e.Attempts, At: s.now(), Error: failAll}
			} else {
				a = s.deliver(dctx, reg, secrets, e)
			}
			// Without a registration the event can go nowhere: failed at once. Anything else
			// is retried.
			if err := s.finishAttempt(dctx, e, a, failAll == desk.WebhookErrUnregistered); err != nil {
				s.log("record a webhook attempt", err)
			}
		}()
	}
	wg.Wait()
	return len(events), nil
}

// signingSecrets opens the registration's signing secrets: the current one, and the previous one
// while it is still valid after a rotation (R21: both sign).
func (s *webhooksArea) signingSecrets(r desk.WebhookRegistration, now time.Time) ([]string, error) {
	cur, err := s.sealer.openSecret(r.Secret)
	if err != nil {
		return nil, err
	}
	out := []string{cur}
	if len(r.PreviousSecret) > 0 && now.Before(r.PreviousUntil) {
		prev, err := s.sealer.openSecret(r.PreviousSecret)
		if err != nil {
			return nil, err
		}
		out = append(out, prev)
	}
	return out, nil
}

// deliver makes one attempt: a POST of the body, signed, to the registered URL.
func (s *webhooksArea) deliver(ctx context.Context, reg desk.WebhookRegistration, secrets []string, e desk.WebhookEvent) desk.WebhookAttempt {
	a := desk.WebhookAttempt{EventSeq: e.Seq, Number: e.Attempts, At: s.now()}
	// The URL is checked again: the setting that allowed it (private targets) may be off now.
	if _, key := desk.CheckWebhookURL(reg.URL, s.cfg.WebhookAllowPrivate); key != "" {
		a.Error = desk.WebhookErrURL
		return a
	}
	ctx, cancel := context.WithTimeout(ctx, desk.WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, reg.URL, bytes.NewReader(e.Body))
	if err != nil {
		a.Error, a.Detail = desk.WebhookErrURL, err.Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "PartnerDesk-Webhooks/1.0")
	req.Header.Set("X-PartnerDesk-Event-Id", e.ID)
	req.Header.Set("X-PartnerDesk-Event", e.Name)
	req.Header.Set("X-PartnerDesk-Delivery-Attempt", strconv.Itoa(e.Attempts))
	req.Header.Set("X-PartnerDesk-Signature", desk.SignWebhook(a.At, e.Body, secrets...))
	start := time.Now()
	res, err := s.hookClient.Do(req)
	a.Latency = time.Since(start)
	if err != nil {
		a.Error, a.Detail = classifyDeliveryError(err)
		return a
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	a.StatusCode = res.StatusCode
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
	case res.StatusCode >= 300 && res.StatusCode < 400:
		a.Error, a.Detail = desk.WebhookErrRedirect, res.Header.Get("Location")
	default:
		a.Error = desk.WebhookErrStatus
	}
	if len(a.Detail) > 300 {
		a.Detail = a.Detail[:300]
	}
	return a
}

// classifyDeliveryError says why no answer came, without the URL (which the log shows anyway).
func classifyDeliveryError(err error) (string, string) {
	var ae *addressError
	var de *dnsError
	var ne net.Error
	switch {
	case errors.As(err, &ae):
		return desk.WebhookErrAddress, ae.ip.String()
	case errors.As(err, &de):
		return desk.WebhookErrDNS, de.err.Error()
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return desk.WebhookErrTimeout, ""
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return desk.WebhookErrConnect, oe.Err.Error()
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	if strings.Contains(strings.ToLower(msg), "tls") || strings.Contains(msg, "certificate") {
		return desk.WebhookErrConnect, msg
	}
	return desk.WebhookErrUnknown, msg
}

// finishAttempt records an attempt and what follows: delivered; failed for good (the retry
// period is over, or nothing can be delivered); or the next attempt after the backoff.
func (s *webhooksArea) finishAttempt(ctx context.Context, e desk.WebhookEvent, a desk.WebhookAttempt, final bool) error {
	now := s.now()
	switch {
	case a.Error == "":
		return s.store.FinishWebhookAttempt(ctx, a, desk.WebhookDelivered, time.Time{})
	case final || !now.Before(e.GiveUpAt):
		return s.store.FinishWebhookAttempt(ctx, a, desk.WebhookFailed, time.Time{})
	}
	return s.store.FinishWebhookAttempt(ctx, a, desk.WebhookPending, now.Add(desk.WebhookBackoff(a.Number, rand.Float64())))
}

// log reports a background failure (no request to answer it).
func (s *webhooksArea) log(what string, err error) {
	if s.cfg.Logger != nil {
		s.cfg.Logger.Error(what, "err", err)
	}
}

// WebhookDeliveryError says in English why a delivery attempt failed (the API's lastError).
func WebhookDeliveryError(code, detail string, status int) string {
	switch code {
	case "":
		return ""
	case desk.WebhookErrStatus:
		return fmt.Sprintf("The receiver answered %d %s.", status, http.StatusText(status))
	case desk.WebhookErrTimeout:
		return "The receiver did not answer within 10 seconds."
	case desk.WebhookErrAddress:
		return "Refused: the host resolves to " + detail + ", a loopback, private or link-local address."
	case desk.WebhookErrDNS:
		return "The host does not resolve: " + detail
	case desk.WebhookErrConnect:
		return "The connection failed: " + detail
	case desk.WebhookErrRedirect:
		return fmt.Sprintf("The receiver answered %d, a redirect, which is not followed.", status)
	case desk.WebhookErrUnregistered:
		return "No webhook is registered."
	case desk.WebhookErrURL:
		return "The registered URL is not allowed (https only, unless private targets are allowed)."
	case desk.WebhookErrSecret:
		return "The signing secret could not be opened with this instance's key-encryption key."
	}
	return "The delivery failed: " + detail
}
