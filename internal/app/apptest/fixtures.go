package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"

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

// Users returns the demo sign-ins per role, keyed by a short role name (a fresh map each call).
func Users() map[string]string {
	return map[string]string{
		"global": GlobalAdmin, "admin": AdminAgent, "sales": SalesAgent,
		"helpdesk": Helpdesk, "billing": BillingAdmin, "referrals": ReferralsAdmin,
		"customer": ContosoAdmin,
	}
}

// OfferID is the ID of the demo catalog's offer whose title contains match, for term.
func OfferID(t testing.TB, match, term string) string {
	t.Helper()
	o, ok := demo.ResolveOffer(demo.Catalog(), match, term)
	if !ok {
		t.Fatalf("no demo offer %q %q", match, term)
	}
	return o.ID
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
	const alphabet = "BCDFGHJKMPQRTVWXY2346789"
	b := make([]byte, 25)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	var s strings.Builder
	for i, c := range b {
		if i > 0 && i%5 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return s.String()
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
