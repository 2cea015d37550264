package apptest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerdesk/internal/desk"
)

// Receiver is a webhook receiver on 127.0.0.1 for tests (R21): it checks every request's
// signature against the signing secrets it was given, answers with the status its answer
// function chooses (200 by default), and records each request.
type Receiver struct {
	URL     string
	mu      sync.Mutex
	secrets []string
	got     []Delivery
	n       int // requests arrived
	answer  func(n int, d Delivery) int
	arrived chan struct{}
}

// Delivery is one request the receiver got.
type Delivery struct {
	EventID, Event, Attempt string
	Body                    desk.WebhookBody
	Raw                     []byte
	Header                  http.Header
	// SignedAt is the signature's t; V1 how many v1 values it carries; Valid whether each of the
	// receiver's secrets matches one of them.
	SignedAt time.Time
	V1       int
	Valid    []bool
	// Status is what the receiver answered.
	Status int
}

// Verified reports whether the request carries a valid signature of every secret the receiver
// holds.
func (d Delivery) Verified() bool {
	for _, ok := range d.Valid {
		if !ok {
			return false
		}
	}
	return len(d.Valid) > 0
}

// NewReceiver starts a receiver, closed at the test's end.
func NewReceiver(t testing.TB, secrets ...string) *Receiver {
	r := &Receiver{secrets: secrets, arrived: make(chan struct{}, 1000)}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.URL = srv.URL + "/partnerdesk/events"
	return r
}

// SetSecrets sets the secrets each request must be signed with.
func (r *Receiver) SetSecrets(secrets ...string) {
	r.mu.Lock()
	r.secrets = secrets
	r.mu.Unlock()
}

// Answer sets what the receiver answers to its n-th request (from 1).
func (r *Receiver) Answer(f func(n int, d Delivery) int) {
	r.mu.Lock()
	r.answer = f
	r.mu.Unlock()
}

// Deliveries returns the requests answered so far, in the order of their answers.
func (r *Receiver) Deliveries() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.got...)
}

// WaitFor waits until the receiver has answered a request that match accepts, and returns it.
func (r *Receiver) WaitFor(t testing.TB, timeout time.Duration, match func(Delivery) bool) Delivery {
	t.Helper()
	deadline := time.After(timeout)
	for {
		for _, d := range r.Deliveries() {
			if match(d) {
				return d
			}
		}
		select {
		case <-r.arrived:
		case <-deadline:
			t.Fatalf("no matching webhook within %s; got %d requests", timeout, len(r.Deliveries()))
		}
	}
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	raw, _ := io.ReadAll(req.Body)
	d := Delivery{EventID: req.Header.Get("X-PartnerDesk-Event-Id"), Event: req.Header.Get("X-PartnerDesk-Event"),
		Attempt: req.Header.Get("X-PartnerDesk-Delivery-Attempt"), Raw: raw, Header: req.Header.Clone()}
	json.Unmarshal(raw, &d.Body)
	sig := req.Header.Get("X-PartnerDesk-Signature")
	for _, part := range strings.Split(sig, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			if sec, err := strconv.ParseInt(v, 10, 64); err == nil {
				d.SignedAt = time.Unix(sec, 0).UTC()
			}
		case "v1":
			d.V1++
		}
	}
	r.mu.Lock()
	for _, s := range r.secrets {
		_, ok := desk.VerifyWebhook(sig, raw, s, d.SignedAt, time.Minute)
		d.Valid = append(d.Valid, ok)
	}
	r.n++
	n, answer := r.n, r.answer
	r.mu.Unlock()
	// The answer may take its time (a receiver that hangs): the others go on meanwhile.
	d.Status = http.StatusOK
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
		d.Status = http.StatusMethodNotAllowed
	} else if answer != nil {
		d.Status = answer(n, d)
	}
	r.mu.Lock()
	r.got = append(r.got, d)
	r.mu.Unlock()
	w.WriteHeader(d.Status)
	select {
	case r.arrived <- struct{}{}:
	default:
	}
}
