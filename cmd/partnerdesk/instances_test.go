package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/postgres/pgtest"
)

// instance is a `partnerdesk serve` process of the two-instance test.
type instance struct {
	cmd *exec.Cmd
	url string
	out strings.Builder
	mu  sync.Mutex
}

func (in *instance) log() string { in.mu.Lock(); defer in.mu.Unlock(); return in.out.String() }

// startInstance runs `bin serve` with env (demo on) and waits until it serves.
func startInstance(t *testing.T, bin string, env []string) *instance {
	t.Helper()
	in := &instance{cmd: exec.Command(bin, "serve")}
	in.cmd.Env = env
	stdout, _ := in.cmd.StdoutPipe()
	in.cmd.Stderr = io.Discard
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.cmd.Process.Kill(); in.cmd.Wait() })
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			in.mu.Lock()
			in.out.WriteString(line + "\n")
			in.mu.Unlock()
			if u, ok := strings.CutPrefix(line, "PartnerDesk is running at "); ok {
				in.url = strings.TrimSuffix(u, "/")
			}
			if strings.HasPrefix(line, "Demo sign-ins") { // printed after "Demo data loaded." if this one loaded it
				ready <- in.url
			}
		}
		close(ready)
	}()
	select {
	case u, ok := <-ready:
		if !ok {
			t.Fatalf("the instance stopped before serving: %s", in.log())
		}
		in.url = u
	case <-time.After(90 * time.Second):
		t.Fatalf("the instance did not start: %s", in.log())
	}
	return in
}

// TestTwoInstances runs two `partnerdesk serve` processes on one PostgreSQL database (R9, R11,
// R15, R21 across instances): they start together on an empty database (one set of demo data), a
// session cookie of one works on the other, cancellations and key-reveal limits are shared, a
// webhook receiver gets an order placed on one and cancelled on the other, signed, each event
// once, and when one is killed mid-burst the other carries on and no acknowledged order is lost.
func TestTwoInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs two servers")
	}
	pgtest.Admin(t)
	dbURL := pgtest.Fresh(t, "")
	dir := t.TempDir()
	bin := filepath.Join(dir, "partnerdesk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	files := filepath.Join(dir, "files")
	env := append(os.Environ(),
		"PARTNERDESK_DATABASE_URL="+dbURL,
		"PARTNERDESK_SESSION_SECRET=two-instances-share-this-session-secret-0123",
		"PARTNERDESK_KEY_ENCRYPTION_KEY="+base64.StdEncoding.EncodeToString([]byte("two-instances-share-this-kek-012")),
		"PARTNERDESK_FILES_DIR="+files, "PARTNERDESK_DEMO=true", "PARTNERDESK_ADDR=127.0.0.1:0",
		"PARTNERDESK_API_RATE=10000", "PARTNERDESK_API_BURST=10000", "PARTNERDESK_WEBHOOK_ALLOW_PRIVATE=1")
	envA := append(append([]string{}, env...), "PARTNERDESK_DATA_DIR="+filepath.Join(dir, "a"))
	envB := append(append([]string{}, env...), "PARTNERDESK_DATA_DIR="+filepath.Join(dir, "b"))

	// Both start at the same moment on the empty database.
	var a, b *instance
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a = startInstance(t, bin, envA) }()
	go func() { defer wg.Done(); b = startInstance(t, bin, envB) }()
	wg.Wait()
	if t.Failed() {
		return
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	if loaded := strings.Count(a.log()+b.log(), "Demo data loaded."); loaded != 1 {
		t.Fatalf("%d instances loaded the demo data, want 1", loaded)
	}
	if n := count(`SELECT count(*) FROM customers WHERE id = $1`, demo.TenantID("contoso")); n != 1 {
		t.Fatalf("%d Contosos", n)
	}
	if n := count(`SELECT count(*) FROM users WHERE email = 'globaladmin@partner.example'`); n != 1 {
		t.Fatalf("%d global admins", n)
	}
	if n := count(`SELECT count(*) FROM meta WHERE key = 'partner_tenant_id'`); n != 1 {
		t.Fatalf("%d partner tenant IDs", n)
	}

	// Sign in on A; the cookie works on B (no sticky sessions).
	jar, _ := cookiejar.New(nil)
	web := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodPost, a.url+"/signin", strings.NewReader(url.Values{"email": {"adminagent@partner.example"}, "password": {demo.Password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", a.url)
	res, err := web.Do(req)
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in on A: %v %v", res, err)
	}
	res.Body.Close()
	aURL, _ := url.Parse(a.url)
	bURL, _ := url.Parse(b.url)
	jar.SetCookies(bURL, jar.Cookies(aURL))
	res, err = web.Get(b.url + "/customers/" + demo.TenantID("contoso") + "/software")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("A's session on B: %v %v", res, err)
	}
	res.Body.Close()

	// An API token made with the CLI on the same database.
	tokOut, err := runCLI(bin, env, "token", "create", "--user", "globaladmin@partner.example", "--name", "two-instances")
	if err != nil {
		t.Fatalf("token create: %v: %s", err, tokOut)
	}
	lines := strings.Split(strings.TrimSpace(tokOut), "\n")
	token := lines[len(lines)-1]
	api := &http.Client{Timeout: 30 * time.Second}
	call := func(base, method, path, body string, headers ...string) (int, map[string]any) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := api.Do(req)
		if err != nil {
			return 0, nil
		}
		defer res.Body.Close()
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	contoso := demo.TenantID("contoso")
	offer, ok := demo.ResolveOffer(demo.Catalog(), "Windows Server 2022 Standard - 2 Core", desk.TermNone)
	if !ok {
		t.Fatal("no offer")
	}
	orderBody := `{"lineItems":[{"lineItemNumber":0,"offerId":"` + offer.ID + `","quantity":1}]}`
	placeOrder := func(base, key string) string {
		t.Helper()
		code, o := call(base, http.MethodPost, "/v1/customers/"+contoso+"/orders", orderBody, "Idempotency-Key", key)
		if code != http.StatusCreated {
			t.Fatalf("order %s: %d %v", key, code, o)
		}
		return o["id"].(string)
	}
	cancelBody := `{"status":"cancelled","lineItems":[{"lineItemNumber":0}]}`
	cancel := func(base, order string) int {
		code, _ := call(base, http.MethodPatch, "/v1/customers/"+contoso+"/orders/"+order, cancelBody)
		return code
	}
	credits := func(order string) int {
		return count(`SELECT count(*) FROM invoice_lines WHERE order_id = $1 AND kind = 'credit'`, order)
	}

	// A webhook receiver on 127.0.0.1 (R21): registered through A, it gets the events of an
	// order placed on A and cancelled on B, signed, each once although both instances deliver.
	rcv := apptest.NewReceiver(t)
	code, reg := call(a.url, http.MethodPost, "/v1/webhooks/registration",
		`{"webhookUrl":"`+rcv.URL+`","webhookEvents":["order-created","order-updated"]}`)
	secret, _ := reg["signingSecret"].(string)
	if code != http.StatusCreated || secret == "" {
		t.Fatalf("register the webhook: %d %v", code, reg)
	}
	rcv.SetSecrets(secret)

	// Key reveals: the burst of 30 is shared, not 30 per instance.
	order1 := placeOrder(a.url, "two-instances-1")
	ent := ""
	if err := db.QueryRow(`SELECT id FROM entitlements WHERE order_id = $1`, order1).Scan(&ent); err != nil {
		t.Fatal(err)
	}
	revealed, limited := 0, 0
	started := time.Now()
	for i := 0; i < 60; i++ {
		base := a.url
		if i%2 == 1 {
			base = b.url
		}
		switch code, _ := call(base, http.MethodGet, "/v1/customers/"+contoso+"/entitlements/"+ent+"/key?version=2022", ""); code {
		case http.StatusOK:
			revealed++
		case http.StatusTooManyRequests:
			limited++
		default:
			t.Fatalf("reveal %d: status %d", i, code)
		}
	}
	// The bucket gives one more reveal every 2 s: on a loaded machine the 60 calls may take long
	// enough for a refill or two. Per-instance buckets would answer all 60.
	refills := int(time.Since(started) / (2 * time.Second))
	if revealed < 30 || revealed > 30+refills || revealed+limited != 60 {
		t.Fatalf("60 reveals over two instances in %s: %d answered, %d limited; want 30 (+%d refilled) answered, the rest limited",
			time.Since(started).Round(time.Millisecond), revealed, limited, refills)
	}

	// Ordered on A, cancelled on B: one credit.
	if code := cancel(b.url, order1); code != http.StatusOK {
		t.Fatalf("cancel on B: %d", code)
	}
	if n := credits(order1); n != 1 {
		t.Fatalf("%d credits for the order cancelled on B", n)
	}
	// Both events reach the receiver, signed, naming the order; each event once.
	orderURI := "/v1/customers/" + contoso + "/orders/" + order1
	for _, event := range []string{"order-created", "order-updated"} {
		d := rcv.WaitFor(t, 30*time.Second, func(d apptest.Delivery) bool {
			return d.Event == event && strings.HasSuffix(d.Body.ResourceURI, orderURI)
		})
		if !d.Verified() || d.Status != http.StatusOK || d.Body.EventName != event || d.Body.AuditURI == nil {
			t.Fatalf("%s: %+v", event, d)
		}
	}
	time.Sleep(3 * time.Second) // both workers poll every second: a second delivery would come now
	seen := map[string]int{}
	for _, d := range rcv.Deliveries() {
		seen[d.EventID]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s delivered %d times", id, n)
		}
	}
	if n := count(`SELECT count(*) FROM webhook_events WHERE status = 'delivered'`); n != len(seen) || n != 2 {
		t.Errorf("%d events delivered by the outbox, the receiver got %d, want 2 (order-created, order-updated)", n, len(seen))
	}
	// The registration goes: the burst below sends nothing.
	if code, _ := call(b.url, http.MethodDelete, "/v1/webhooks/registration", ""); code != http.StatusNoContent {
		t.Fatalf("delete the webhook on B: %d", code)
	}

	// 20 cancellations of one order at once, spread over A and B: one succeeds, one credit (R15).
	order2 := placeOrder(a.url, "two-instances-2")
	var okCount atomic.Int32
	var cw sync.WaitGroup
	for i := 0; i < 20; i++ {
		base := a.url
		if i%2 == 1 {
			base = b.url
		}
		cw.Add(1)
		go func() {
			defer cw.Done()
			if cancel(base, order2) == http.StatusOK {
				okCount.Add(1)
			}
		}()
	}
	cw.Wait()
	if okCount.Load() != 1 || credits(order2) != 1 || count(`SELECT count(*) FROM cancellations WHERE order_id = $1`, order2) != 1 {
		t.Fatalf("20 concurrent cancels: %d succeeded, %d credits; want 1 and 1", okCount.Load(), credits(order2))
	}

	// A burst of orders over both; A is killed in the middle. B goes on, and every order that was
	// acknowledged (201) exists.
	var ackMu sync.Mutex
	var acked []string
	var afterKill atomic.Int32
	var killed atomic.Bool
	ctx, stop := context.WithTimeout(context.Background(), 4*time.Second)
	defer stop()
	var bw sync.WaitGroup
	for w := 0; w < 8; w++ {
		bw.Add(1)
		go func(w int) {
			defer bw.Done()
			for i := 0; ctx.Err() == nil; i++ {
				base := a.url
				if (w+i)%2 == 1 {
					base = b.url
				}
				code, o := call(base, http.MethodPost, "/v1/customers/"+contoso+"/orders", orderBody, "Idempotency-Key", fmt.Sprintf("burst-%d-%d", w, i))
				if code == http.StatusCreated {
					ackMu.Lock()
					acked = append(acked, o["id"].(string))
					ackMu.Unlock()
					if killed.Load() && base == b.url {
						afterKill.Add(1)
					}
				}
			}
		}(w)
	}
	time.Sleep(1500 * time.Millisecond)
	a.cmd.Process.Signal(syscall.SIGKILL)
	killed.Store(true)
	bw.Wait()
	if afterKill.Load() == 0 {
		t.Fatal("B acknowledged no order after A was killed")
	}
	missing := 0
	for _, id := range acked {
		if count(`SELECT count(*) FROM orders WHERE id = $1`, id) != 1 {
			missing++
		}
	}
	if missing > 0 || len(acked) == 0 {
		t.Fatalf("%d of %d acknowledged orders are missing", missing, len(acked))
	}
	// The activity log is still one intact chain, and B — stopped now — signed a checkpoint of
	// it on the way out, in its own data directory's file, which verify compares with.
	b.cmd.Process.Signal(syscall.SIGTERM)
	b.cmd.Wait()
	bFile := filepath.Join(dir, "b", "audit-checkpoints.log")
	out, err := runCLI(bin, env, "audit", "verify", "--checkpoints", bFile)
	if err != nil || !strings.Contains(out, "intact") || strings.Contains(out, " 0 checkpoints match") {
		t.Fatalf("audit verify: %v: %s", err, out)
	}
	t.Logf("%d orders acknowledged in the burst (%d by B after A was killed)", len(acked), afterKill.Load())
}

func runCLI(bin string, env []string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append([]string{}, env...), "PARTNERDESK_DATA_DIR="+os.TempDir())
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Finding 6 end to end: `serve` signs a checkpoint of the activity log when it stops (in the
// data directory's file, 0600, and in its log); `audit verify` finds the log intact, and after
// the newest events are removed from the database and the chain head set back — a chain that
// alone looks whole — it says so, from the file or from the server log, and fails.
func TestAuditVerifyCatchesTruncation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "partnerdesk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	env := append(os.Environ(), "PARTNERDESK_DATA_DIR="+data, "PARTNERDESK_ADDR=127.0.0.1:0", "PARTNERDESK_DEMO=true", "PARTNERDESK_DATABASE_URL=")
	srv := exec.Command(bin, "serve")
	srv.Env = env
	var logs strings.Builder
	srv.Stderr = &logs
	stdout, _ := srv.StdoutPipe()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	base := ""
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "PartnerDesk is running at "); ok {
			base = strings.TrimSuffix(u, "/")
			break
		}
	}
	go io.Copy(io.Discard, stdout)
	if base == "" {
		srv.Process.Kill()
		t.Fatalf("serve did not start: %s", logs.String())
	}
	for i := 0; i < 3; i++ {
		res, err := http.PostForm(base+"/signin", url.Values{"email": {"nobody@partner.example"}, "password": {"wrong"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	srv.Process.Signal(syscall.SIGTERM)
	if err := srv.Wait(); err != nil {
		t.Fatalf("serve: %v: %s", err, logs.String())
	}
	file := filepath.Join(data, "audit-checkpoints.log")
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 || !strings.Contains(logs.String(), "checkpoint=pdcp1.") {
		t.Fatalf("no checkpoint at shutdown (%v, %v):\n%s", st, err, logs.String())
	}
	verify := func(args ...string) (string, error) {
		cmd := exec.Command(bin, append([]string{"audit", "verify"}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := verify(); err != nil || !strings.Contains(out, "intact") || !strings.Contains(out, "1 checkpoints match") {
		t.Fatalf("audit verify: %v: %s", err, out)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "partnerdesk.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`DROP TRIGGER events_no_delete`, `DELETE FROM events WHERE seq > (SELECT last_seq - 2 FROM event_chain)`,
		`UPDATE event_chain SET last_seq = (SELECT max(seq) FROM events), last_hash = (SELECT hash FROM events WHERE seq = (SELECT max(seq) FROM events))`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	out, err := verify()
	if err == nil || !strings.Contains(out, "NOT intact") || !strings.Contains(out, "removed from its end") {
		t.Fatalf("audit verify of the cut log: %v: %s", err, out)
	}
	// The server log alone shows it too.
	logFile := filepath.Join(dir, "server.log")
	os.WriteFile(logFile, []byte(logs.String()), 0o600)
	os.Remove(file)
	if out, err := verify("--checkpoints", logFile); err == nil || !strings.Contains(out, "removed from its end") {
		t.Fatalf("audit verify with the server log: %v: %s", err, out)
	}
}

// A SQLite data directory is served by one process: a second `serve` refuses with a message
// saying why, while the other subcommands keep working beside the running server.
func TestSQLiteServedByOneProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "partnerdesk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "PARTNERDESK_DATA_DIR="+filepath.Join(dir, "data"), "PARTNERDESK_ADDR=127.0.0.1:0", "PARTNERDESK_DEMO=true",
		"PARTNERDESK_DATABASE_URL=")
	first := startInstance(t, bin, env)
	if res, err := http.Get(first.url + "/healthz"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("first server: %v %v", res, err)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "already serving the data directory") {
		t.Fatalf("second serve: %v: %s", err, out)
	}
	// Help asked for is not a failure (exit 0); an unknown command is a usage error (exit 2).
	for _, tt := range []struct {
		args []string
		code int
	}{{[]string{"--help"}, 0}, {[]string{"help"}, 0}, {[]string{"user", "create", "--help"}, 0}, {[]string{"no-such-command"}, 2}, {[]string{"migrate", "--addr", "x"}, 2}} {
		cmd := exec.Command(bin, tt.args...)
		cmd.Env = env
		out, _ := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != tt.code {
			t.Errorf("partnerdesk %v: exit %d, want %d: %s", tt.args, code, tt.code, out)
		}
	}
	for _, args := range [][]string{{"migrate"}, {"audit", "verify"}, {"backup", "--to", filepath.Join(dir, "backup.db")}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v beside the server: %v: %s", args, err, out)
		}
	}
}
