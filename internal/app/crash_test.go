package app_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"partnerdesk/internal/app"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"

	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite"
)

// crashDirEnv names the data directory TestCrashChild works on; unset, the child test skips.
const crashDirEnv = "PARTNERDESK_CRASH_TEST_DIR"

// crashCustomers are the demo customers the child orders for: four markets, two with tax-included
// prices (R6).
var crashCustomers = []string{"contoso", "fabrikam", "wingtiptoys", "northwindtraders"}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// actor returns a demo user as an actor.
func actor(ctx context.Context, a *app.App, email string) (desk.Actor, error) {
	u, _, err := a.Store.FindUserByEmail(ctx, email)
	return desk.Actor{User: u, IP: "127.0.0.1"}, err
}

// crashWorkers is how many goroutines of the child place and cancel at once, so that their
// write transactions share commits and some cancellations collide.
const crashWorkers = 4

// TestCrashChild is the child process of TestCrashSafety: its workers place orders and cancel
// lines on the data directory in PARTNERDESK_CRASH_TEST_DIR until it is killed, printing each one
// to stdout only after the service call returned (the acknowledgement a client would get).
// Workers cancel lines of each other's recent orders, several lines at a time, so some requests
// collide with a cancellation already made and are refused (ECONFLICT) after part of their work.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("the child process of TestCrashSafety")
	}
	var out sync.Mutex
	say := func(format string, args ...any) {
		out.Lock()
		fmt.Printf(format+"\n", args...)
		out.Unlock()
	}
	fail := func(format string, args ...any) {
		say("ERROR "+format, args...)
		os.Exit(2)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: dir, BcryptCost: bcrypt.MinCost, Logger: quietLogger()})
	if err != nil {
		fail("open: %v", err)
	}
	seller, err := actor(ctx, a, demo.PartnerUsers[2].Email) // Sales agent
	if err != nil {
		fail("sales agent: %v", err)
	}
	// The Global admin cancels, with the override of the support-request rule, so that lines
	// above the amount limit are cancelled too.
	admin, err := actor(ctx, a, demo.PartnerUsers[0].Email)
	if err != nil {
		fail("global admin: %v", err)
	}
	var offers []desk.Offer
	for _, p := range demo.Catalog() {
		if !p.NeverCancellable {
			offers = append(offers, p.Offers...)
		}
	}
	type placed struct {
		customerID string
		order      desk.Order
	}
	var (
		mu     sync.Mutex
		recent []placed // the last orders of every worker
	)
	prefix := fmt.Sprintf("crash-%d-%d", os.Getpid(), time.Now().UnixNano())
	start := time.Now()
	worker := func(w int) {
		rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(os.Getpid()*crashWorkers+w)))
		for n := 0; ; n++ {
			if time.Since(start) > time.Minute { // the parent is gone: never outlive it for long
				fail("not killed within a minute")
			}
			cust := demo.TenantID(crashCustomers[rng.IntN(len(crashCustomers))])
			var lines []desk.CartLine
			for range 1 + rng.IntN(3) {
				o := offers[rng.IntN(len(offers))]
				lines = append(lines, desk.CartLine{OfferID: o.ID, Quantity: 1 + rng.IntN(4), Term: o.Term})
			}
			order, created, err := a.Service.PlaceOrder(ctx, seller, cust, fmt.Sprintf("%s-%d-%d", prefix, w, n), lines)
			if desk.ErrorCode(err) == desk.EINVALID {
				continue // an offer not sold (or not priced) in the customer's market (R7)
			}
			if err != nil || !created {
				fail("place order: created=%v %v", created, err)
			}
			say("ORDER %s %s", cust, order.ID)
			mu.Lock()
			recent = append(recent, placed{cust, order})
			if len(recent) > 4*crashWorkers {
				recent = recent[1:]
			}
			p := recent[rng.IntN(len(recent))]
			mu.Unlock()
			if n%2 == 0 {
				continue
			}
			var nums []int
			for i := range p.order.Lines {
				if rng.IntN(2) == 0 {
					nums = append(nums, i)
				}
			}
			if len(nums) == 0 {
				nums = []int{rng.IntN(len(p.order.Lines))}
			}
			_, _, err = a.Service.Cancel(ctx, admin, desk.CancelRequest{CustomerID: p.customerID, OrderID: p.order.ID, Lines: nums, OverrideReason: "SR-000001"})
			switch desk.ErrorCode(err) {
			case "":
				for _, l := range nums {
					say("CANCEL %s %d", p.order.ID, l)
				}
			case desk.ECONFLICT: // a line of it was cancelled already: nothing of this request may remain
				say("CONFLICT %s %v", p.order.ID, nums)
			default:
				fail("cancel %s lines %v: %v", p.order.ID, nums, err)
			}
		}
	}
	for w := range crashWorkers {
		go worker(w)
	}
	select {}
}

// crashRound is what one child acknowledged before it was killed.
type crashRound struct {
	orders  map[string]string // order ID → customer ID
	cancels map[string][]int  // order ID → cancelled lines
	n       int               // acknowledgements
	refused int               // cancellations refused as conflicting
}

// runCrashChild starts the child on dir, kills it with SIGKILL a random 50–400 ms after its first
// acknowledgement, and returns every acknowledgement it printed before dying.
func runCrashChild(t *testing.T, dir string, rng *rand.Rand, known map[string]string) crashRound {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	r := crashRound{orders: map[string]string{}, cancels: map[string][]int{}}
	var other []string
	handle := func(line string) {
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[0] == "ORDER":
			r.orders[f[2]], known[f[2]] = f[1], f[1]
			r.n++
		case len(f) == 3 && f[0] == "CANCEL":
			n, err := strconv.Atoi(f[2])
			if err != nil {
				t.Errorf("child: %q", line)
			}
			r.cancels[f[1]] = append(r.cancels[f[1]], n)
			r.n++
		case len(f) > 0 && f[0] == "CONFLICT":
			r.refused++
		default:
			other = append(other, line)
		}
	}
	killAfter := time.Duration(50+rng.IntN(351)) * time.Millisecond
	var kill <-chan time.Time
	startTimeout := time.After(15 * time.Second)
	killed := false
	for !killed {
		select {
		case line, ok := <-lines:
			if !ok {
				cmd.Wait()
				t.Fatalf("the child exited before it was killed:\n%s\n%s", strings.Join(other, "\n"), stderr.String())
			}
			handle(line)
			if kill == nil && r.n > 0 {
				kill = time.After(killAfter)
			}
		case <-kill:
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		case <-startTimeout:
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			t.Fatalf("no acknowledgement from the child within 15 s:\n%s\n%s", strings.Join(other, "\n"), stderr.String())
		}
	}
	for line := range lines { // whatever it printed before the signal landed was acknowledged
		handle(line)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child: %v, want killed by SIGKILL:\n%s\n%s", err, strings.Join(other, "\n"), stderr.String())
	}
	for _, l := range other {
		if strings.HasPrefix(l, "ERROR") {
			t.Fatalf("child: %s", l)
		}
	}
	return r
}

// checkCrashInvariants reopens the data directory after a kill and checks that the database is
// sound and that every acknowledged order and cancellation survived, exactly once.
func checkCrashInvariants(t *testing.T, dir string, acked map[string]string, cancels map[string][]int) int {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: dir, BcryptCost: bcrypt.MinCost, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("reopen after the kill: %v", err)
	}
	defer a.Close()
	if res, err := a.Store.SQLite.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q %v", res, err)
	}
	ga, err := actor(ctx, a, demo.PartnerUsers[0].Email)
	if err != nil {
		t.Fatal(err)
	}
	for id, cust := range acked {
		_, o, err := a.Service.Order(ctx, ga, cust, id)
		if err != nil {
			t.Fatalf("acknowledged order %s of %s lost: %v", id, cust, err)
		}
		if len(o.Lines) == 0 {
			t.Fatalf("acknowledged order %s has no lines", id)
		}
		for _, n := range cancels[id] {
			if n >= len(o.Lines) || o.Lines[n].Status != desk.StatusCancelled {
				t.Fatalf("acknowledged cancellation of order %s line %d lost: %+v", id, n, o.Lines)
			}
		}
	}
	if rep, err := a.Service.VerifyAudit(ctx, nil); err != nil || !rep.Intact() || rep.Events == 0 {
		t.Fatalf("audit chain: %+v, %v", rep, err)
	}

	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "partnerdesk.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct{ what, query string }{
		{"order lines with more than one credit", `SELECT order_id, line_number, count(*) FROM invoice_lines WHERE kind = 'credit' GROUP BY 1, 2 HAVING count(*) > 1`},
		{"order lines with more than one cancellation", `SELECT order_id, line_number, count(*) FROM cancellations GROUP BY 1, 2 HAVING count(*) > 1`},
		// Each transaction is all or nothing: no half-written order or cancellation survives.
		{"cancellations without their credit", `SELECT c.order_id, c.line_number, 0 FROM cancellations c WHERE NOT EXISTS
			(SELECT 1 FROM invoice_lines i WHERE i.kind = 'credit' AND i.order_id = c.order_id AND i.line_number = c.line_number)`},
		{"credits without a cancellation", `SELECT i.order_id, i.line_number, 0 FROM invoice_lines i WHERE i.kind = 'credit' AND NOT EXISTS
			(SELECT 1 FROM cancellations c WHERE c.order_id = i.order_id AND c.line_number = i.line_number)`},
		{"cancelled lines without a cancellation", `SELECT l.order_id, l.line_number, 0 FROM line_items l WHERE l.status = 'cancelled' AND NOT EXISTS
			(SELECT 1 FROM cancellations c WHERE c.order_id = l.order_id AND c.line_number = l.line_number)`},
		// A line's charges are its installments charged so far (R25: one, or a month each).
		{"orders whose charges do not match their lines", `SELECT o.id, (SELECT sum(l.charged) FROM line_items l WHERE l.order_id = o.id),
			(SELECT count(*) FROM invoice_lines i WHERE i.order_id = o.id AND i.kind = 'charge') AS charges FROM orders o
			WHERE charges = 0 OR charges != (SELECT sum(l.charged) FROM line_items l WHERE l.order_id = o.id)`},
		{"orders without exactly one create_order event", `SELECT o.id, 0, (SELECT count(*) FROM events e WHERE e.order_id = o.id AND e.operation = 'create_order') AS n
			FROM orders o WHERE n != 1`},
		{"orders whose update_order events do not match their cancellations", `SELECT o.id,
			(SELECT count(*) FROM cancellations c WHERE c.order_id = o.id) AS cancels,
			(SELECT count(*) FROM events e WHERE e.order_id = o.id AND e.operation = 'update_order') AS updates
			FROM orders o WHERE cancels != updates`},
		{"orders cancelled with an active line, or active with none", `SELECT o.id, (SELECT count(*) FROM line_items l WHERE l.order_id = o.id AND l.status = 'active') AS active, 0
			FROM orders o WHERE (o.status = 'cancelled') != (active = 0)`},
		{"cancelled lines with an active entitlement or unrevoked key", `SELECT l.order_id, l.line_number, 0 FROM line_items l
			JOIN entitlements e ON e.order_id = l.order_id AND e.line_number = l.line_number
			WHERE l.status = 'cancelled' AND (e.status != 'cancelled' OR EXISTS (SELECT 1 FROM product_keys k WHERE k.entitlement_id = e.id AND k.revoked_at IS NULL))`},
	} {
		rows, err := db.QueryContext(ctx, c.query)
		if err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		var bad []string
		for rows.Next() {
			var id string
			var a, b int
			if err := rows.Scan(&id, &a, &b); err != nil {
				t.Fatal(err)
			}
			bad = append(bad, fmt.Sprintf("%s/%d/%d", id, a, b))
		}
		rows.Close()
		if len(bad) > 0 {
			t.Fatalf("%s: %v", c.what, bad)
		}
	}
	var orders int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM orders`).Scan(&orders); err != nil {
		t.Fatal(err)
	}
	return orders
}

// Killing PartnerDesk (SIGKILL) in the middle of orders and cancellations loses nothing it
// acknowledged, duplicates nothing and leaves a sound database with an intact audit chain.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: five child processes")
	}
	dir := t.TempDir()
	a, err := app.Open(context.Background(), app.Config{DataDir: dir, Demo: true, BcryptCost: bcrypt.MinCost, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	acked := map[string]string{}
	cancels := map[string][]int{}
	last := 0
	for round := range 5 {
		r := runCrashChild(t, dir, rng, acked)
		for id, lines := range r.cancels {
			if _, ok := r.orders[id]; !ok {
				t.Fatalf("round %d: the child cancelled order %s it did not acknowledge", round, id)
			}
			cancels[id] = append(cancels[id], lines...)
		}
		orders := checkCrashInvariants(t, dir, acked, cancels)
		if orders < last+len(r.orders) {
			t.Fatalf("round %d: %d orders, fewer than %d before plus %d acknowledged", round, orders, last, len(r.orders))
		}
		t.Logf("round %d: %d orders and %d line cancellations acknowledged before the kill (%d requests refused as conflicting); %d orders in the database",
			round, len(r.orders), r.n-len(r.orders), r.refused, orders)
		last = orders
	}
}
