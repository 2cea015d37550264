// Command pdbench is PartnerDesk's load benchmark (`make bench`): it builds the large dataset,
// measures the cold start, starts the server and drives it on 127.0.0.1 with signed-in sessions
// and an API token, beside a bare "hello" server that gives this machine's ceiling, and prints a
// table of requests/s, p50/p99 latency and the ratio to the ceiling, with the peak RSS.
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "hello" {
		hello(os.Args[2])
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "pdbench:", err)
		os.Exit(1)
	}
}

// hello is the ceiling: the least an HTTP server can do on this machine.
func hello(addr string) {
	http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("hello\n"))
	}))
}

type scenario struct {
	name   string
	target string
	do     func(c *http.Client) (*http.Request, error)
	client *http.Client
}

type result struct {
	name          string
	target        string
	n, errs       int64
	rps           float64
	p50, p99, max time.Duration
}

// engine is one database the benchmark runs on.
type engine struct {
	name    string
	dataDir string
	dbURL   string
	env     []string
}

// args adds the engine's database flags to a subcommand's arguments.
func (e engine) args(a ...string) []string {
	a = append(a, "--data-dir", e.dataDir)
	if e.dbURL != "" {
		a = append(a, "--database-url", e.dbURL)
	}
	return a
}

func (e engine) command(bin string, a ...string) *exec.Cmd {
	cmd := exec.Command(bin, e.args(a...)...)
	cmd.Env = e.env
	return cmd
}

// freeAddr returns a loopback address with a port that is free now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func run() error {
	bin := flag.String("bin", "bin/partnerdesk", "the partnerdesk binary")
	dataDir := flag.String("data", "bench-data", "SQLite data directory (the large dataset is built there once)")
	dbURL := flag.String("database-url", "", "also run on this PostgreSQL database (postgres://…; the large dataset is built there once)")
	duration := flag.Duration("duration", 4*time.Second, "measurement time per scenario")
	conns := flag.Int("conns", 32, "concurrent connections")
	only := flag.String("only", "", "run only scenarios whose name contains one of these (comma-separated)")
	flag.Parse()
	absBin, err := filepath.Abs(*bin)
	if err != nil {
		return err
	}
	engines := []engine{{name: "SQLite", dataDir: *dataDir, env: append(os.Environ(), "PARTNERDESK_DATABASE_URL=")}}
	if *dbURL != "" {
		pgDir, err := os.MkdirTemp("", "pdbench-pg-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(pgDir)
		// PostgreSQL needs the shared secrets; these are the benchmark's own.
		engines = append(engines, engine{name: "PostgreSQL", dataDir: pgDir, dbURL: *dbURL, env: append(os.Environ(),
			"PARTNERDESK_SESSION_SECRET=partnerdesk-bench-session-secret-0123456789",
			"PARTNERDESK_KEY_ENCRYPTION_KEY="+base64.StdEncoding.EncodeToString([]byte("partnerdesk-bench-kek-0123456789")),
			"PARTNERDESK_FILES_DIR="+filepath.Join(*dataDir, "artifacts"))})
	}
	var all [][]result
	for _, e := range engines {
		rs, err := runEngine(absBin, e, *duration, *conns, *only)
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		all = append(all, rs)
	}
	if len(all) == 2 {
		fmt.Printf("\n| scenario | SQLite req/s | SQLite p99 ms | PostgreSQL req/s | PostgreSQL p99 ms | PostgreSQL ÷ SQLite |\n|---|---:|---:|---:|---:|---:|\n")
		for i, r := range all[0] {
			if i >= len(all[1]) {
				break
			}
			p := all[1][i]
			fmt.Printf("| %s | %.0f | %.2f | %.0f | %.2f | %.2f |\n", r.name, r.rps, ms(r.p99), p.rps, ms(p.p99), p.rps/r.rps)
		}
	}
	return nil
}

func progress(format string, args ...any) {
	fmt.Printf("[%s] "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// runEngine builds the dataset on one engine, starts the server, runs every scenario and prints
// the engine's table.
func runEngine(absBin string, e engine, duration time.Duration, conns int, only string) ([]result, error) {
	progress("%s: the large dataset (built once: 20,000 customers, 200,000 orders, 300,000 entitlements, 1,000,000 events)…", e.name)
	t0 := time.Now()
	out, err := e.command(absBin, "demo", "--scale", "large").CombinedOutput()
	switch {
	case err == nil:
		progress("%s: built in %s: %s", e.name, time.Since(t0).Round(time.Second), strings.TrimSpace(string(out)))
	case strings.Contains(string(out), "already loaded"):
		progress("%s: reusing the dataset", e.name)
	default:
		return nil, fmt.Errorf("demo --scale large: %w: %s", err, out)
	}
	tokOut, err := e.command(absBin, "token", "create", "--user", "adminagent@partner.example", "--name", "bench", "--expires", "24h").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("token create: %v: %s", err, tokOut)
	}
	lines := strings.Split(strings.TrimSpace(string(tokOut)), "\n")
	token := lines[len(lines)-1]

	// Cold start: process start to /healthz 200.
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	srv := e.command(absBin, "serve", "--addr", addr)
	// The benchmark's users sign in with the demo password only: no second factor (R22).
	srv.Env = append(srv.Env, "PARTNERDESK_DEMO=false", "PARTNERDESK_REQUIRE_MFA=false", "PARTNERDESK_REVEAL_BURST=100000000", "PARTNERDESK_REVEAL_EVERY=1ms",
		"PARTNERDESK_API_RATE=1000000", "PARTNERDESK_API_BURST=1000000", "PARTNERDESK_LOG_FORMAT=json")
	if pp := os.Getenv("PDBENCH_PPROF"); pp != "" {
		srv.Args = append(srv.Args, "--pprof", pp)
	}
	logFile, err := os.CreateTemp("", "pdbench-server-*.log")
	if err != nil {
		return nil, err
	}
	defer os.Remove(logFile.Name())
	srv.Stdout, srv.Stderr = logFile, logFile
	start := time.Now()
	if err := srv.Start(); err != nil {
		return nil, err
	}
	defer func() { srv.Process.Signal(os.Interrupt); srv.Wait() }()
	base := "http://" + addr
	if _, err := waitHealthy(base, 60*time.Second); err != nil {
		return nil, err
	}
	coldStart := time.Since(start)
	helloAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	helloCmd := exec.Command(os.Args[0], "hello", helloAddr)
	if err := helloCmd.Start(); err != nil {
		return nil, err
	}
	defer func() { helloCmd.Process.Kill(); helloCmd.Wait() }()
	if _, err := waitHealthy("http://"+helloAddr, 10*time.Second); err != nil {
		return nil, err
	}

	// Sessions and the URLs the scenarios use.
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, MaxConnsPerHost: 0, IdleConnTimeout: time.Minute}
	agent, err := signIn(tr, base, "adminagent@partner.example")
	if err != nil {
		return nil, err
	}
	global, err := signIn(tr, base, "globaladmin@partner.example")
	if err != nil {
		return nil, err
	}
	page300, err := customerPage(agent, base, 300)
	if err != nil {
		return nil, err
	}
	contoso, ent, err := contosoPurchase(agent, base)
	if err != nil {
		return nil, err
	}
	plain := &http.Client{Transport: tr}
	progress("%s: finding 2,000 customers and their purchases for the varied scenarios…", e.name)
	v, err := discover(plain, agent, base, token)
	if err != nil {
		return nil, err
	}
	get := func(c *http.Client, path string, headers ...string) func(*http.Client) (*http.Request, error) {
		return func(*http.Client) (*http.Request, error) {
			req, err := http.NewRequest(http.MethodGet, base+path, nil)
			for i := 0; i+1 < len(headers); i += 2 {
				req.Header.Set(headers[i], headers[i+1])
			}
			return req, err
		}
	}
	post := func(path string, form url.Values) func(*http.Client) (*http.Request, error) {
		return func(*http.Client) (*http.Request, error) { return postReq(base, path, form) }
	}
	now := time.Now().UTC()
	from, to := now.AddDate(0, 0, -29).Format("2006-01-02"), now.Format("2006-01-02")
	scenarios := []scenario{
		{name: "hello (ceiling)", client: plain, do: func(*http.Client) (*http.Request, error) {
			return http.NewRequest(http.MethodGet, "http://"+helloAddr+"/", nil)
		}},
		{name: "customer list, page 1", client: agent, do: get(agent, "/customers")},
		{name: "customer list, page 300", client: agent, do: get(agent, page300)},
		{name: "customer search", client: agent, do: get(agent, "/customers?q=summit+data", "HX-Request", "true")},
		{name: "Software tab", client: agent, do: get(agent, "/customers/"+contoso+"/software")},
		{name: "key reveal (audited write)", client: agent, do: post("/customers/"+contoso+"/software/"+ent+"/key", url.Values{"version": {"2022"}})},
		{name: "download link issue (audited write)", client: agent, do: post("/customers/"+contoso+"/software/"+ent+"/link", url.Values{"version": {"2022"}, "language": {"en-us"}, "bitness": {"64-bit"}})},
		{name: "activity log, 30-day page", client: global, do: get(global, "/settings/activity?from="+from+"&to="+to)},
		{name: "API order list", client: plain, do: get(plain, "/v1/customers/"+contoso+"/orders", "Authorization", "Bearer "+token)},
		// Varied: every request a different customer, search, range or purchase.
		{name: "customer list, varied searches", target: "≥ 30 %, p99 ≤ 25 ms", client: agent, do: v.search(base)},
		{name: "Software tab, 2,000 customers", target: "≥ 30 %, p99 ≤ 25 ms", client: agent, do: v.software(base)},
		{name: "activity log, varied ranges", target: "≥ 15 %, p99 ≤ 50 ms", client: global, do: v.activity(base, now)},
		{name: "audited writes, varied", target: "≥ 10 %, p99 ≤ 50 ms", client: agent, do: v.write(base)},
		{name: "90 % Software tabs + 10 % writes", target: "≥ 20 %, p99 ≤ 40 ms", client: agent, do: v.mix(base)},
	}
	var results []result
	for i, sc := range scenarios {
		if only != "" && i != 0 && !slices.ContainsFunc(strings.Split(only, ","), func(o string) bool { return strings.Contains(sc.name, o) }) {
			continue
		}
		var profiled chan struct{}
		if pp := os.Getenv("PDBENCH_PPROF"); pp != "" && i != 0 {
			// A CPU profile of the server during the measurement, for `go tool pprof`.
			profiled = make(chan struct{})
			name := filepath.Join(os.TempDir(), fmt.Sprintf("pdbench-%s-%02d.prof", strings.ToLower(e.name), i))
			go func() {
				defer close(profiled)
				time.Sleep(time.Second)
				res, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pp, max(1, int(duration.Seconds())-1)))
				if err != nil {
					return
				}
				defer res.Body.Close()
				if f, err := os.Create(name); err == nil {
					io.Copy(f, res.Body)
					f.Close()
					progress("%s: profile of %q in %s", e.name, sc.name, name)
				}
			}()
		}
		r, err := measure(sc, conns, duration)
		if profiled != nil {
			<-profiled
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", sc.name, err)
		}
		results = append(results, r)
		progress("%s: %-36s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d", e.name, r.name, r.rps, ms(r.p50), ms(r.p99), r.errs)
	}
	rss := peakRSS(srv.Process.Pid)

	ceiling := results[0].rps
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s — %d connections, %s per scenario\n\n| scenario | req/s | p50 ms | p99 ms | × ceiling | target |\n|---|---:|---:|---:|---:|---|\n", e.name, conns, duration)
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %.0f | %.2f | %.2f | %.0f %% | %s |\n", r.name, r.rps, ms(r.p50), ms(r.p99), 100*r.rps/ceiling, r.target)
	}
	fmt.Fprintf(&b, "\nCold start on the large dataset (process start → /healthz 200): %s (target ≤ 1 s).\n", coldStart.Round(time.Millisecond))
	fmt.Fprintf(&b, "Peak RSS of the server: %s (target ≤ 150 MB).\n", rss)
	fmt.Print(b.String())
	return results, nil
}

func postReq(base, path string, form url.Values) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
	if err == nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("Origin", base)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	return req, err
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func waitHealthy(base string, limit time.Duration) (time.Duration, error) {
	start := time.Now()
	c := &http.Client{Timeout: time.Second}
	for time.Since(start) < limit {
		res, err := c.Get(base + "/healthz")
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			return time.Since(start), nil
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0, fmt.Errorf("%s did not answer within %s", base, limit)
}

func signIn(tr *http.Transport, base, email string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Transport: tr, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(base+"/signin", url.Values{"email": {email}, "password": {"partnerdesk-demo"}})
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign in %s: %d", email, res.StatusCode)
	}
	return c, nil
}

var nextLink = regexp.MustCompile(`rel="next" href="([^"]+)"`)

// customerPage follows the Next links to page n and returns its path.
func customerPage(c *http.Client, base string, n int) (string, error) {
	path := "/customers"
	for i := 1; i < n; i++ {
		body, err := fetch(c, base+path)
		if err != nil {
			return "", err
		}
		m := nextLink.FindStringSubmatch(body)
		if m == nil {
			return "", fmt.Errorf("page %d has no next page", i)
		}
		path = strings.ReplaceAll(m[1], "&amp;", "&")
	}
	return path, nil
}

var entRow = regexp.MustCompile(`data-entitlement-id="([^"]+)" data-status="active"`)

// contosoPurchase finds Contoso's tenant ID and an active purchase with keys.
func contosoPurchase(c *http.Client, base string) (string, string, error) {
	body, err := fetch(c, base+"/customers?q=contoso.onmicrosoft.com")
	if err != nil {
		return "", "", err
	}
	m := regexp.MustCompile(`href="/customers/([0-9a-f-]{36})"`).FindStringSubmatch(body)
	if m == nil {
		return "", "", errors.New("Contoso not found")
	}
	body, err = fetch(c, base+"/customers/"+m[1]+"/software")
	if err != nil {
		return "", "", err
	}
	e := entRow.FindStringSubmatch(body)
	if e == nil {
		return "", "", errors.New("no active Contoso purchase")
	}
	return m[1], e[1], nil
}

func fetch(c *http.Client, u string) (string, error) {
	res, err := c.Get(u)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		return "", fmt.Errorf("GET %s: %d", u, res.StatusCode)
	}
	return string(b), err
}

// measure runs a scenario on conns connections: a short warm-up, then duration of measurement.
func measure(sc scenario, conns int, duration time.Duration) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), duration+time.Second)
	defer cancel()
	warm := time.Now().Add(time.Second / 2)
	end := warm.Add(duration)
	var mu sync.Mutex
	var all []time.Duration
	var n, errs atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			for {
				now := time.Now()
				if now.After(end) {
					break
				}
				req, err := sc.do(sc.client)
				if err != nil {
					firstErr.Store(err)
					return
				}
				req = req.WithContext(ctx)
				t0 := time.Now()
				res, err := sc.client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode >= 400 {
						err = fmt.Errorf("status %d", res.StatusCode)
					}
				}
				d := time.Since(t0)
				if t0.Before(warm) {
					continue
				}
				if t0.Add(d).After(end) {
					break
				}
				if err != nil {
					errs.Add(1)
					firstErr.Store(err)
					continue
				}
				n.Add(1)
				lat = append(lat, d)
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(all) == 0 {
		if e, ok := firstErr.Load().(error); ok {
			return result{}, e
		}
		return result{}, errors.New("no request completed")
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	q := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
	return result{name: sc.name, target: sc.target, n: n.Load(), errs: errs.Load(), rps: float64(n.Load()) / duration.Seconds(),
		p50: q(0.50), p99: q(0.99), max: all[len(all)-1]}, nil
}

// peakRSS reads the process's high-water resident set size.
func peakRSS(pid int) string {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
