// Command pdbench is PartnerDesk's load benchmark (`make bench`): it builds the large dataset,
// measures the cold start, starts the server and drives it on 127.0.0.1 with signed-in sessions
// and an API token, beside a bare "hello" server that gives this machine's ceiling, and prints a
// table of requests/s, p50/p99 latency and the ratio to the ceiling, with the peak RSS.
package main

import (
	"bufio"
	"context"
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

func run() error {
	bin := flag.String("bin", "bin/partnerdesk", "the partnerdesk binary")
	dataDir := flag.String("data", "bench-data", "data directory (the large dataset is built there once)")
	duration := flag.Duration("duration", 5*time.Second, "measurement time per scenario")
	conns := flag.Int("conns", 32, "concurrent connections")
	addr := flag.String("addr", "127.0.0.1:18080", "server address (loopback)")
	helloAddr := flag.String("hello-addr", "127.0.0.1:18081", "ceiling server address (loopback)")
	only := flag.String("only", "", "run only scenarios whose name contains this")
	flag.Parse()
	for _, a := range []string{*addr, *helloAddr} {
		if h, _, err := net.SplitHostPort(a); err != nil || !net.ParseIP(h).IsLoopback() {
			return fmt.Errorf("%s: the benchmark only talks to loopback addresses", a)
		}
	}
	absBin, err := filepath.Abs(*bin)
	if err != nil {
		return err
	}

	// 1. The large dataset (once).
	if _, err := os.Stat(filepath.Join(*dataDir, "partnerdesk.db")); err != nil {
		fmt.Println("building the large dataset (20,000 customers, 200,000 orders, 300,000 entitlements, 1,000,000 events)…")
		out, err := exec.Command(absBin, "demo", "--scale", "large", "--data-dir", *dataDir).CombinedOutput()
		fmt.Print(string(out))
		if err != nil {
			return fmt.Errorf("demo --scale large: %w", err)
		}
	} else {
		fmt.Println("reusing the dataset in", *dataDir)
	}
	tokOut, err := exec.Command(absBin, "token", "create", "--data-dir", *dataDir, "--user", "adminagent@partner.example", "--name", "bench", "--expires", "24h").CombinedOutput()
	if err != nil {
		return fmt.Errorf("token create: %v: %s", err, tokOut)
	}
	lines := strings.Split(strings.TrimSpace(string(tokOut)), "\n")
	token := lines[len(lines)-1]

	// 2. Cold start: process start to /healthz 200.
	srv := exec.Command(absBin, "serve", "--data-dir", *dataDir, "--addr", *addr)
	srv.Env = append(os.Environ(), "PARTNERDESK_DEMO=false", "PARTNERDESK_REVEAL_BURST=100000000", "PARTNERDESK_REVEAL_EVERY=1ms",
		"PARTNERDESK_API_RATE=1000000", "PARTNERDESK_API_BURST=1000000", "PARTNERDESK_LOG_FORMAT=json")
	logFile, err := os.CreateTemp("", "pdbench-server-*.log")
	if err != nil {
		return err
	}
	defer os.Remove(logFile.Name())
	srv.Stdout, srv.Stderr = logFile, logFile
	start := time.Now()
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { srv.Process.Signal(os.Interrupt); srv.Wait() }()
	base := "http://" + *addr
	coldStart, err := waitHealthy(base, 30*time.Second)
	if err != nil {
		return err
	}
	coldStart = time.Since(start)
	helloCmd := exec.Command(os.Args[0], "hello", *helloAddr)
	if err := helloCmd.Start(); err != nil {
		return err
	}
	defer func() { helloCmd.Process.Kill(); helloCmd.Wait() }()
	if _, err := waitHealthy("http://"+*helloAddr, 10*time.Second); err != nil {
		return err
	}

	// 3. Sessions and the URLs the scenarios use.
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, MaxConnsPerHost: 0, IdleConnTimeout: time.Minute}
	agent, err := signIn(tr, base, "adminagent@partner.example")
	if err != nil {
		return err
	}
	global, err := signIn(tr, base, "globaladmin@partner.example")
	if err != nil {
		return err
	}
	page300, err := customerPage(agent, base, 300)
	if err != nil {
		return err
	}
	contoso, ent, err := contosoPurchase(agent, base)
	if err != nil {
		return err
	}
	plain := &http.Client{Transport: tr}
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
		return func(*http.Client) (*http.Request, error) {
			req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
			if err == nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("HX-Request", "true")
				req.Header.Set("Origin", base)
				req.Header.Set("Sec-Fetch-Site", "same-origin")
			}
			return req, err
		}
	}
	now := time.Now().UTC()
	from, to := now.AddDate(0, 0, -29).Format("2006-01-02"), now.Format("2006-01-02")
	scenarios := []scenario{
		{name: "hello (ceiling)", client: plain, do: func(*http.Client) (*http.Request, error) {
			return http.NewRequest(http.MethodGet, "http://"+*helloAddr+"/", nil)
		}},
		{name: "customer list, page 1", target: "≥ 35 % of ceiling, p99 ≤ 25 ms", client: agent, do: get(agent, "/customers")},
		{name: "customer list, page 300", target: "≥ 35 % of ceiling, p99 ≤ 25 ms", client: agent, do: get(agent, page300)},
		{name: "customer search", client: agent, do: get(agent, "/customers?q=summit+data", "HX-Request", "true")},
		{name: "Software tab", target: "≥ 35 % of ceiling, p99 ≤ 25 ms", client: agent, do: get(agent, "/customers/"+contoso+"/software")},
		{name: "key reveal (audited write)", target: "≥ 10 % of ceiling", client: agent, do: post("/customers/"+contoso+"/software/"+ent+"/key", url.Values{"version": {"2022"}})},
		{name: "download link issue (audited write)", client: agent, do: post("/customers/"+contoso+"/software/"+ent+"/link", url.Values{"version": {"2022"}, "language": {"en-us"}, "bitness": {"64-bit"}})},
		{name: "activity log, 30-day page", target: "p99 ≤ 15 ms", client: global, do: get(global, "/settings/activity?from="+from+"&to="+to)},
		{name: "API order list", client: plain, do: get(plain, "/v1/customers/"+contoso+"/orders", "Authorization", "Bearer "+token)},
	}
	var results []result
	for _, sc := range scenarios {
		if *only != "" && !strings.Contains(sc.name, *only) && sc.name != "hello (ceiling)" {
			continue
		}
		r, err := measure(sc, *conns, *duration)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		results = append(results, r)
		fmt.Printf("  %-38s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d\n", r.name, r.rps, ms(r.p50), ms(r.p99), r.errs)
	}
	rss := peakRSS(srv.Process.Pid)

	// 4. The table.
	ceiling := results[0].rps
	var b strings.Builder
	fmt.Fprintf(&b, "\n| scenario (%d connections, %s each) | req/s | p50 ms | p99 ms | × ceiling | target |\n|---|---:|---:|---:|---:|---|\n", *conns, *duration)
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %.0f | %.2f | %.2f | %.0f %% | %s |\n", r.name, r.rps, ms(r.p50), ms(r.p99), 100*r.rps/ceiling, r.target)
	}
	fmt.Fprintf(&b, "\nCold start on the large dataset (process start → /healthz 200): %s (target ≤ 1 s).\n", coldStart.Round(time.Millisecond))
	fmt.Fprintf(&b, "Peak RSS of the server: %s (target ≤ 150 MB).\n", rss)
	fmt.Print(b.String())
	return nil
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
