// Command partnerdesk runs PartnerDesk: `serve` (the default), `migrate`, `demo` and `user create`.
// Configuration comes from flags and PARTNERDESK_* environment variables; a bad value stops the
// start with a message naming it.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"partnerdesk/internal/app"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/postgres"
	"partnerdesk/internal/sqlite"

	"golang.org/x/term"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "partnerdesk:", err)
		os.Exit(2)
	}
}

// config holds the settings shared by the subcommands.
type config struct {
	addr, dataDir, sessionSecret, logFormat, baseURL string
	databaseURL, filesDir                            string
	demo, secure                                     bool
	kek                                              []byte
	linkTTL                                          time.Duration
	revealBurst, apiBurst                            int
	revealEvery, activityRange                       time.Duration
	apiRate                                          float64
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envBool(name string, def bool) (bool, error) {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q is not a boolean (use true or false)", name, v)
	}
	return b, nil
}

// flags binds the shared settings to fs with their environment defaults.
func flags(fs *flag.FlagSet, cfg *config) error {
	demoDef, err := envBool("PARTNERDESK_DEMO", false)
	if err != nil {
		return err
	}
	secureDef, err := envBool("PARTNERDESK_SECURE_COOKIES", false)
	if err != nil {
		return err
	}
	fs.StringVar(&cfg.addr, "addr", env("PARTNERDESK_ADDR", "127.0.0.1:8080"), "listen address (PARTNERDESK_ADDR)")
	fs.StringVar(&cfg.dataDir, "data-dir", env("PARTNERDESK_DATA_DIR", "./data"), "data directory: SQLite database, secrets, files (PARTNERDESK_DATA_DIR)")
	fs.StringVar(&cfg.databaseURL, "database-url", env("PARTNERDESK_DATABASE_URL", ""), "a postgres:// URL selects PostgreSQL; empty keeps SQLite in the data directory (PARTNERDESK_DATABASE_URL)")
	fs.StringVar(&cfg.filesDir, "files-dir", env("PARTNERDESK_FILES_DIR", ""), "downloadable software files; default DATA_DIR/artifacts (PARTNERDESK_FILES_DIR)")
	fs.BoolVar(&cfg.demo, "demo", demoDef, "load the demo data on first start (PARTNERDESK_DEMO)")
	fs.BoolVar(&cfg.secure, "secure-cookies", secureDef, "mark cookies Secure, for TLS or a TLS proxy (PARTNERDESK_SECURE_COOKIES)")
	fs.StringVar(&cfg.logFormat, "log-format", env("PARTNERDESK_LOG_FORMAT", "text"), "log format: text or json (PARTNERDESK_LOG_FORMAT)")
	fs.StringVar(&cfg.baseURL, "base-url", env("PARTNERDESK_BASE_URL", ""), "the public origin, e.g. https://desk.example.com: links are built on it, other Hosts get 421 (PARTNERDESK_BASE_URL)")
	fs.DurationVar(&cfg.linkTTL, "link-ttl", 0, "how long copied download links work, e.g. 120h (PARTNERDESK_LINK_TTL; default 5 days)")
	if v := os.Getenv("PARTNERDESK_LINK_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("PARTNERDESK_LINK_TTL=%q is not a positive duration (e.g. 120h)", v)
		}
		cfg.linkTTL = d
	}
	cfg.sessionSecret = os.Getenv("PARTNERDESK_SESSION_SECRET")
	for _, knob := range []struct {
		name string
		dst  *int
	}{{"PARTNERDESK_REVEAL_BURST", &cfg.revealBurst}, {"PARTNERDESK_API_BURST", &cfg.apiBurst}} {
		if v := os.Getenv(knob.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("%s=%q is not a positive whole number", knob.name, v)
			}
			*knob.dst = n
		}
	}
	if v := os.Getenv("PARTNERDESK_REVEAL_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("PARTNERDESK_REVEAL_EVERY=%q is not a positive duration (e.g. 2s)", v)
		}
		cfg.revealEvery = d
	}
	if v := os.Getenv("PARTNERDESK_ACTIVITY_MAX_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3660 {
			return fmt.Errorf("PARTNERDESK_ACTIVITY_MAX_DAYS=%q must be a whole number of days from 1 to 3660", v)
		}
		cfg.activityRange = time.Duration(n) * 24 * time.Hour
	}
	if v := os.Getenv("PARTNERDESK_API_RATE"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 {
			return fmt.Errorf("PARTNERDESK_API_RATE=%q is not a positive number of requests per second", v)
		}
		cfg.apiRate = f
	}
	switch v := strings.ToUpper(os.Getenv("PARTNERDESK_SQLITE_SYNCHRONOUS")); v {
	case "", "FULL":
	case "NORMAL":
		sqlite.Synchronous = "NORMAL"
	default:
		return fmt.Errorf("PARTNERDESK_SQLITE_SYNCHRONOUS=%q must be FULL or NORMAL", v)
	}
	if v := os.Getenv("PARTNERDESK_KEY_ENCRYPTION_KEY"); v != "" {
		k, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(k) != 32 {
			return errors.New("PARTNERDESK_KEY_ENCRYPTION_KEY must be 32 bytes in base64 (e.g. from `openssl rand -base64 32`)")
		}
		cfg.kek = k
	}
	return nil
}

func (cfg config) check() error {
	if _, port, err := net.SplitHostPort(cfg.addr); err != nil || port == "" {
		return fmt.Errorf("PARTNERDESK_ADDR / --addr %q is not host:port (e.g. 127.0.0.1:8080)", cfg.addr)
	}
	if strings.TrimSpace(cfg.dataDir) == "" {
		return errors.New("PARTNERDESK_DATA_DIR / --data-dir is empty")
	}
	if cfg.logFormat != "text" && cfg.logFormat != "json" {
		return fmt.Errorf("PARTNERDESK_LOG_FORMAT / --log-format %q must be text or json", cfg.logFormat)
	}
	if cfg.linkTTL < 0 {
		return errors.New("--link-ttl must be positive")
	}
	if cfg.baseURL != "" {
		if _, err := app.ParseBaseURL(cfg.baseURL); err != nil {
			return fmt.Errorf("PARTNERDESK_BASE_URL / --base-url %q %v", cfg.baseURL, err)
		}
	}
	if cfg.sessionSecret != "" && len(cfg.sessionSecret) < 32 {
		return errors.New("PARTNERDESK_SESSION_SECRET must be at least 32 characters")
	}
	if cfg.databaseURL != "" && !postgres.IsURL(cfg.databaseURL) {
		return fmt.Errorf("PARTNERDESK_DATABASE_URL / --database-url must be a postgres:// URL (or empty for SQLite in the data directory)")
	}
	return nil
}

func (cfg config) app(log *slog.Logger, demo bool) app.Config {
	return app.Config{DataDir: cfg.dataDir, DatabaseURL: cfg.databaseURL, FilesDir: cfg.filesDir, Demo: demo, SessionSecret: cfg.sessionSecret, SecureCookies: cfg.secure, BaseURL: cfg.baseURL, Logger: log,
		KeyEncryptionKey: cfg.kek, LinkTTL: cfg.linkTTL, RevealBurst: cfg.revealBurst, RevealEvery: cfg.revealEvery,
		APIRatePerSecond: cfg.apiRate, APIBurst: cfg.apiBurst, MaxActivityRange: cfg.activityRange}
}

// where names the database for messages: the PostgreSQL server and database, or the data directory.
func where(cfg config) string {
	if cfg.databaseURL == "" {
		return cfg.dataDir
	}
	if u, err := url.Parse(cfg.databaseURL); err == nil {
		return "PostgreSQL " + u.Host + u.Path
	}
	return "PostgreSQL"
}

func (cfg config) logger(w io.Writer) *slog.Logger {
	if cfg.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args, stdout, stderr)
	case "migrate":
		return migrate(args, stdout)
	case "demo":
		return loadDemo(args, stdout)
	case "user":
		if len(args) == 0 || args[0] != "create" {
			return errors.New("usage: partnerdesk user create --email EMAIL --role ROLE [--name NAME] [--password-stdin]")
		}
		return createUser(args[1:], stdin, stdout)
	case "backup":
		return backupCmd(args, stdout)
	case "token":
		if len(args) == 0 || args[0] != "create" {
			return errors.New("usage: partnerdesk token create --user EMAIL --name NAME [--expires 720h]")
		}
		return createToken(args[1:], stdout)
	case "audit":
		if len(args) == 0 || args[0] != "verify" {
			return errors.New("usage: partnerdesk audit verify [--data-dir DIR | --database-url URL] [--checkpoints FILE,…]")
		}
		return auditVerify(args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, "usage: partnerdesk [serve|migrate|demo|user create] [flags]; partnerdesk CMD -h lists the flags")
		return nil
	}
	return fmt.Errorf("unknown command %q (serve, migrate, demo, user create)", cmd)
}

func parse(name string, args []string, extra func(fs *flag.FlagSet)) (config, error) {
	var cfg config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if err := flags(fs, &cfg); err != nil {
		return cfg, err
	}
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	return cfg, cfg.check()
}

func serve(args []string, stdout, stderr io.Writer) error {
	var pprofAddr string
	cfg, err := parse("serve", args, func(fs *flag.FlagSet) {
		fs.StringVar(&pprofAddr, "pprof", os.Getenv("PARTNERDESK_PPROF_ADDR"), "serve Go's profiler on this loopback address, e.g. 127.0.0.1:6060 (PARTNERDESK_PPROF_ADDR; off by default)")
	})
	if err != nil {
		return err
	}
	if pprofAddr != "" {
		if h, _, err := net.SplitHostPort(pprofAddr); err != nil || !net.ParseIP(h).IsLoopback() {
			return fmt.Errorf("--pprof %q must be a loopback host:port", pprofAddr)
		}
		go http.ListenAndServe(pprofAddr, nil) // net/http/pprof registers on the default mux
	}
	log := cfg.logger(stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	acfg := cfg.app(log, cfg.demo)
	acfg.ExclusiveServe = true
	a, err := app.Open(ctx, acfg)
	if err != nil {
		return err
	}
	defer a.Close()
	a.Start() // the activity log's sealer and checkpoints, and the sweeps; Close ends them
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s (PARTNERDESK_ADDR): %w", cfg.addr, err)
	}
	// net/http's own messages (TLS handshakes, broken connections) go to the same structured log.
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError)}
	fmt.Fprintf(stdout, "PartnerDesk is running at http://%s/\n", ln.Addr())
	if cfg.baseURL != "" {
		fmt.Fprintf(stdout, "Public URL: %s/ (other Host names get 421)\n", strings.TrimSuffix(cfg.baseURL, "/"))
	}
	if cfg.demo {
		if a.DemoLoaded {
			fmt.Fprintln(stdout, "Demo data loaded.")
		}
		fmt.Fprintf(stdout, "Demo sign-ins (password %q):\n", demo.Password)
		for _, u := range demo.PartnerUsers {
			fmt.Fprintf(stdout, "  %-32s %s\n", u.Email, u.Role.Slug())
		}
		fmt.Fprintf(stdout, "  %-32s customer global admin (any demo customer: admin@<primary domain>)\n", "admin@contoso.onmicrosoft.com")
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func migrate(args []string, stdout io.Writer) error {
	cfg, err := parse("migrate", args, nil)
	if err != nil {
		return err
	}
	st, err := app.OpenStore(context.Background(), cfg.dataDir, cfg.databaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintln(stdout, "migrations applied to", where(cfg))
	return nil
}

func loadDemo(args []string, stdout io.Writer) error {
	var scale string
	cfg, err := parse("demo", args, func(fs *flag.FlagSet) {
		fs.StringVar(&scale, "scale", "small", "small (the demo) or large (adds 20,000 customers, 200,000 orders, 1,000,000 events)")
	})
	if err != nil {
		return err
	}
	if scale != "small" && scale != "large" {
		return fmt.Errorf("--scale %q must be small or large", scale)
	}
	a, err := app.Open(context.Background(), cfg.app(cfg.logger(io.Discard), true))
	if err != nil {
		return err
	}
	defer a.Close()
	if a.DemoLoaded {
		fmt.Fprintln(stdout, "demo data loaded into", where(cfg))
	} else {
		fmt.Fprintln(stdout, "demo data was already loaded in", where(cfg))
	}
	if scale == "large" {
		rep, err := demo.LoadLarge(context.Background(), a.Store.Store, demo.Large, time.Now().UTC())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "large dataset loaded in %s: %d customers, %d orders, %d lines, %d entitlements, %d events\n",
			rep.Took.Round(time.Millisecond), rep.Customers, rep.Orders, rep.Lines, rep.Entitlements, rep.Events)
	}
	return nil
}

// createToken creates an API token for a partner user and prints it (shown once).
func createToken(args []string, stdout io.Writer) error {
	var email, name string
	var expires time.Duration
	cfg, err := parse("token create", args, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "user", "", "the partner user the token acts as (email)")
		fs.StringVar(&name, "name", "", "a name for the token, e.g. billing-sync")
		fs.DurationVar(&expires, "expires", 720*time.Hour, "how long the token is valid (at most 8784h)")
	})
	if err != nil {
		return err
	}
	a, err := app.Open(context.Background(), cfg.app(cfg.logger(io.Discard), false))
	if err != nil {
		return err
	}
	defer a.Close()
	t, secret, err := a.Service.CreateToken(context.Background(), desk.Actor{}, email, name, expires)
	var ve *desk.ValidationError
	if errors.As(err, &ve) {
		return fmt.Errorf("cannot create the token: %v (user must be an active partner user; --name required; --expires up to 8784h)", ve.Fields)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "token %q for %s, valid until %s:\n%s\n", t.Name, t.UserEmail, t.ExpiresAt.Format(time.RFC3339), secret)
	return nil
}

// auditVerify checks the activity log — its keyed hash chain, and every signed checkpoint in the
// data directory's audit-checkpoints.log and in the files given with --checkpoints (other
// instances' checkpoint files, server logs) — and lists what is wrong.
func auditVerify(args []string, stdout io.Writer) error {
	var extra string
	cfg, err := parse("audit verify", args, func(fs *flag.FlagSet) {
		fs.StringVar(&extra, "checkpoints", "", "more files to read checkpoints from, comma-separated (other instances' audit-checkpoints.log, server logs)")
	})
	if err != nil {
		return err
	}
	var files []string
	for _, f := range strings.Split(extra, ",") {
		if f = strings.TrimSpace(f); f != "" {
			files = append(files, f)
		}
	}
	a, err := app.Open(context.Background(), cfg.app(cfg.logger(io.Discard), false))
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := a.VerifyAudit(context.Background(), files...)
	if err != nil {
		return err
	}
	if !rep.Intact() {
		fmt.Fprintf(stdout, "the activity log is NOT intact (%d events in the chain, %d checkpoints compared):\n", rep.Events, rep.Checkpoints)
		for _, f := range rep.Faults {
			fmt.Fprintln(stdout, "  -", f)
		}
		if rep.MoreFaults > 0 {
			fmt.Fprintf(stdout, "  - and %d more\n", rep.MoreFaults)
		}
		return fmt.Errorf("the activity log is not intact: %d faults", len(rep.Faults)+rep.MoreFaults)
	}
	fmt.Fprintf(stdout, "activity log intact: %d events in the hash chain (keyed with HMAC-SHA256 from position %d), %d checkpoints match\n",
		rep.Events, rep.KeyedFrom, rep.Checkpoints)
	if rep.Checkpoints == 0 {
		fmt.Fprintln(stdout, "no checkpoint was found: a serving instance writes them to DATA_DIR/"+app.CheckpointFile+" (pass other instances' files with --checkpoints)")
	}
	return nil
}

// createUser creates a user: the first Global admin of a real installation is made this way.
// The password is read from the terminal (twice), from stdin with --password-stdin, or generated.
func createUser(args []string, stdin io.Reader, stdout io.Writer) error {
	var email, roleName, name string
	var fromStdin bool
	cfg, err := parse("user create", args, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the user's email (sign-in name)")
		fs.StringVar(&roleName, "role", "", "a partner role: global-admin, admin-agent, sales-agent, helpdesk-agent, billing-admin, referrals-admin")
		fs.StringVar(&name, "name", "", "display name (default: the email)")
		fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from standard input")
	})
	if err != nil {
		return err
	}
	role, ok := desk.ParseRole(roleName)
	if !ok || !role.IsPartner() {
		return fmt.Errorf("--role %q is not a partner role (global-admin, admin-agent, sales-agent, helpdesk-agent, billing-admin, referrals-admin)", roleName)
	}
	if !desk.ValidEmail(strings.TrimSpace(email)) {
		return fmt.Errorf("--email %q is not a valid email address", email)
	}
	password, generated := "", false
	switch {
	case fromStdin:
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		password = strings.TrimRight(line, "\r\n")
	case isTerminal(stdin):
		fmt.Fprint(stdout, "Password (empty to generate one): ")
		p1, err := term.ReadPassword(int(stdin.(*os.File).Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return err
		}
		if len(p1) > 0 {
			fmt.Fprint(stdout, "Repeat the password: ")
			p2, err := term.ReadPassword(int(stdin.(*os.File).Fd()))
			fmt.Fprintln(stdout)
			if err != nil {
				return err
			}
			if string(p1) != string(p2) {
				return errors.New("the passwords do not match")
			}
		}
		password = string(p1)
	}
	if password == "" {
		b := make([]byte, 15)
		rand.Read(b)
		password, generated = base64.RawURLEncoding.EncodeToString(b), true
	}
	a, err := app.Open(context.Background(), cfg.app(cfg.logger(io.Discard), false))
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Service.CreateUserCLI(context.Background(), desk.NewUser{Email: email, DisplayName: name, Roles: desk.RolesOf(role)}, password)
	if err != nil {
		if desk.ErrorCode(err) == desk.ECONFLICT {
			return fmt.Errorf("a user with the email %s already exists", email)
		}
		var ve *desk.ValidationError
		if errors.As(err, &ve) {
			return fmt.Errorf("invalid user: %v", ve.Fields)
		}
		return err
	}
	fmt.Fprintf(stdout, "created %s (%s)\n", u.Email, role.Slug())
	if generated {
		fmt.Fprintf(stdout, "generated password (shown once): %s\n", password)
	}
	return nil
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
