package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"partnerdesk/internal/app"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/service"
)

// The demo's partner users, one per role (SPEC §1, §11), and Contoso's customer Global admin.
const (
	GlobalAdmin    = "globaladmin@partner.example"
	AdminAgent     = "adminagent@partner.example"
	SalesAgent     = "salesagent@partner.example"
	Helpdesk       = "helpdesk@partner.example"
	BillingAdmin   = "billing@partner.example"
	ReferralsAdmin = "referrals@partner.example"
	ContosoAdmin   = "admin@contoso.onmicrosoft.com"
)

// Users are the demo sign-ins per role, keyed by a short role name (read only).
var Users = map[string]string{
	"global": GlobalAdmin, "admin": AdminAgent, "sales": SalesAgent,
	"helpdesk": Helpdesk, "billing": BillingAdmin, "referrals": ReferralsAdmin,
	"customer": ContosoAdmin,
}

// Config is the application's configuration, as StartWith's tweak sees it.
type Config = app.Config

// Password is every demo user's password.
const Password = demo.Password

// TenantID is the demo tenant ID of the customer whose primary domain starts with domainPrefix
// (e.g. "contoso").
func TenantID(domainPrefix string) string { return demo.TenantID(domainPrefix) }

// Offer is the demo catalog's offer whose title contains match, for term.
func Offer(t testing.TB, match, term string) desk.Offer {
	t.Helper()
	o, ok := demo.ResolveOffer(demo.Catalog(), match, term)
	if !ok {
		t.Fatalf("no demo offer %q %q", match, term)
	}
	return o
}

// OfferID is the ID of the demo catalog's offer whose title contains match, for term.
func OfferID(t testing.TB, match, term string) string {
	t.Helper()
	return Offer(t, match, term).ID
}

// User is the stored user with this email.
func (e *Env) User(t testing.TB, email string) desk.User {
	t.Helper()
	u, _, err := e.App.Store.FindUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatalf("find %s: %v", email, err)
	}
	return u
}

// Actor is the user with this email acting from 127.0.0.1.
func (e *Env) Actor(t testing.TB, email string) desk.Actor {
	t.Helper()
	return e.ActorAt(t, email, "127.0.0.1")
}

// ActorAt is the user with this email acting from ip.
func (e *Env) ActorAt(t testing.TB, email, ip string) desk.Actor {
	t.Helper()
	return desk.Actor{User: e.User(t, email), IP: ip}
}

// RecentEvents is the service's RecentEvents(op, n), newest first.
func (e *Env) RecentEvents(t testing.TB, op string, n int) []desk.Event {
	t.Helper()
	evs, err := e.App.Service.RecentEvents(context.Background(), op, n)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// EventsSinceEpoch is RecentEvents(op, n) without the demo data's own events (those before Epoch):
// what the test did.
func (e *Env) EventsSinceEpoch(t testing.TB, op string, n int) []desk.Event {
	t.Helper()
	var out []desk.Event
	for _, ev := range e.RecentEvents(t, op, n) {
		if !ev.At.Before(Epoch) {
			out = append(out, ev)
		}
	}
	return out
}

// NewProductKey is a random product key in the 5×5 format key pools take.
func NewProductKey(t testing.TB) string {
	t.Helper()
	b := make([]byte, 25)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return desk.GroupedCode(b, desk.KeyAlphabet, 5)
}

// SHA256 is the hex SHA-256 of b, as the software page shows a file's.
func SHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// SyncBuffer is a bytes.Buffer safe for a logger and a test to share.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// Together runs f(0) … f(n-1) in n goroutines released at once, and waits for them all: the
// shape of every race test.
func Together(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f(i)
		}()
	}
	close(start)
	wg.Wait()
}

// StartService is Start for a test of the service layer: the environment, a context for its
// calls, and its service.
func StartService(t testing.TB) (*Env, context.Context, *service.Service) {
	t.Helper()
	env := Start(t)
	return env, context.Background(), env.App.Service
}

// Line is a cart line of the demo offer whose title contains match, with that term.
func Line(t testing.TB, match, term string, qty int) desk.CartLine {
	t.Helper()
	return desk.CartLine{OfferID: OfferID(t, match, term), Quantity: qty, Term: term}
}

var orderSeq atomic.Int64

// PlaceOrder places a fresh order for a customer as the sales agent, at the test clock's now, and
// returns it (its lines carry their entitlement IDs).
func (e *Env) PlaceOrder(t testing.TB, customerID string, lines ...desk.CartLine) desk.Order {
	t.Helper()
	key := fmt.Sprintf("t-%s-%d", t.Name(), orderSeq.Add(1))
	o, created, err := e.App.Service.PlaceOrder(context.Background(), e.Actor(t, SalesAgent), customerID, key, lines)
	if err != nil || !created {
		t.Fatalf("place order: created=%v %v", created, err)
	}
	return o
}

// Software lists a customer's software purchases as the admin agent sees them.
func (e *Env) Software(t testing.TB, customerID string) []desk.SoftwareItem {
	t.Helper()
	_, items, err := e.App.Service.Software(context.Background(), e.Actor(t, AdminAgent), customerID)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// Purchase is a customer's active software purchase (as the admin agent sees it) whose offer title
// contains match.
func (e *Env) Purchase(t testing.TB, customerID, match string) desk.SoftwareItem {
	t.Helper()
	for _, it := range e.Software(t, customerID) {
		if strings.Contains(it.OfferTitle, match) && it.Status == desk.StatusActive {
			return it
		}
	}
	t.Fatalf("customer %s has no active purchase %q", customerID, match)
	return desk.SoftwareItem{}
}

// File is a file field of a multipart form.
type File struct {
	Field, Name string
	Data        []byte
}

// PostMultipart posts a same-origin multipart form (as a browser would), with the fields and files.
func (e *Env) PostMultipart(t testing.TB, c *http.Client, path string, fields url.Values, files ...File) *Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile(f.Field, f.Name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f.Data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", e.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return e.Do(t, c, req)
}

// Flip changes the character in the middle of s to another base64url character: a token or
// signature tampered with.
func Flip(s string) string {
	i := len(s) / 2
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}
