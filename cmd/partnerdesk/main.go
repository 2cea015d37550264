// Command partnerdesk runs PartnerDesk: `serve` (the default) and the operator's subcommands
// (`partnerdesk help` lists them). Configuration comes from flags and PARTNERDESK_* environment
// variables; a bad value stops the start with a message naming it.
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
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"partnerdesk/internal/app"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"
	"partnerdesk/internal/postgres"
	"partnerdesk/internal/service"

	"golang.org/x/term"
)

func main() {
	err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if err == nil || errors.Is(err, errHelpShown) {
		return
	}
	fmt.Fprintln(os.Stderr, "partnerdesk: "+describe(err))
	var ue usageError
	if errors.As(err, &ue) {
		os.Exit(2)
	}
	os.Exit(1)
}

// errHelpShown is returned once the help a user asked for (-h, --help) was printed: not a failure.
var errHelpShown = errors.New("help shown")

// usageError is a command line PartnerDesk cannot run (an unknown command or flag): exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// describe writes an error as a sentence for the operator: domain errors in English words, never
// as catalog keys ("err.password_short").
func describe(err error) string {
	en := i18n.Get("en")
	var ve *desk.ValidationError
	if errors.As(err, &ve) {
		fields := make([]string, 0, len(ve.Fields))
		for f := range ve.Fields {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		var parts []string
		for _, f := range fields {
			msg := en.T(ve.Fields[f], ve.Args[f]...)
			parts = append(parts, flagName(f)+": "+msg)
		}
		return strings.Join(parts, " ")
	}
	var de *desk.Error
	if errors.As(err, &de) {
		if len(de.Roles) > 0 {
			return en.T("error.forbidden")
		}
		return en.Err(de)
	}
	return err.Error()
}

// flagName names a form field by the flag that sets it, where one does.
func flagName(field string) string {
	switch field {
	case "email":
		return "--email"
	case "display_name":
		return "--name"
	case "roles":
		return "--role"
	}
	return field
}

// command is a subcommand of the operator's command line.
type command struct {
	name    string // "user create"
	args    string // what follows the name in the usage line
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

// commands lists every subcommand, in the order `partnerdesk help` shows them (set in init: the
// commands' own usage reads the list).
var commands []command

func init() {
	commands = []command{
		{"serve", "[flags]", "serve the web portal and the REST API (the default command)", serve},
		{"migrate", "[flags]", "apply the database migrations and exit", migrate},
		{"demo", "[--scale small|large] [flags]", "load the demo data (large adds 20,000 customers, 200,000 orders, 1,000,000 events)", loadDemo},
		{"user create", "--role ROLE --email EMAIL [--name NAME] [flags]", "create a partner user; the password is read from standard input when piped, asked for on a terminal, or generated", createUser},
		{"token create", "--user EMAIL --name NAME [--expires 720h] [flags]", "create an API token and print it once", createToken},
		{"backup", "--to FILE [flags]", "write an online, consistent copy of the database", backupCmd},
		{"audit verify", "[--checkpoints FILE,…] [flags]", "check the activity log's keyed hash chain and its signed checkpoints, and list what is wrong", auditVerify},
		{"help", "[COMMAND]", "show this help, or a command's flags", nil},
	}
}

// commandNames lists the subcommands for messages ("serve, migrate, …").
func commandNames() string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "PartnerDesk: a portal for Cloud Solution Provider partners to sell software, hand out keys and downloads, and cancel purchases.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: partnerdesk [COMMAND] [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "`partnerdesk COMMAND --help` lists a command's flags; every flag can also be set with its PARTNERDESK_* variable.")
	fmt.Fprintln(w, "Stop a running server with Ctrl+C (or SIGTERM): it finishes the requests and webhook deliveries under way.")
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		switch {
		case len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help"):
			printHelp(stdout)
			return errHelpShown
		}
		return serve(args, stdin, stdout, stderr)
	}
	name, rest := args[0], args[1:]
	if name == "help" {
		if len(rest) == 0 {
			printHelp(stdout)
			return errHelpShown
		}
		return run(append(rest, "--help"), stdin, stdout, stderr)
	}
	if name == "user" || name == "token" || name == "audit" {
		if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
			name, rest = name+" "+rest[0], rest[1:]
		}
	}
	for _, c := range commands {
		if c.name == name && c.run != nil {
			return c.run(rest, stdin, stdout, stderr)
		}
	}
	for _, c := range commands {
		if before, _, _ := strings.Cut(c.name, " "); before == name {
			return usageError{fmt.Sprintf("%q needs a subcommand: did you mean partnerdesk %s? The commands are: %s.", name, c.name, commandNames())}
		}
	}
	return usageError{fmt.Sprintf("there is no command %q. The commands are: %s (partnerdesk help explains each).", name, commandNames())}
}

// config holds the settings of the subcommands.
type config struct {
	addr, dataDir, sessionSecret, logFormat string
	databaseURL, filesDir, baseURL          string
	demo, secure, webhookAllowPrivate       bool
	kek                                     []byte
	linkTTL                                 time.Duration
	revealBurst, apiBurst                   int
	revealEvery, activityRange              time.Duration
	apiRate                                 float64
	cancelWindows                           map[desk.ProductKind]time.Duration
	sqliteSynchronous                       string
	// requireMFA is nil unless PARTNERDESK_REQUIRE_MFA is set: then on outside demo mode.
	requireMFA *bool
	sso        service.SSOConfig
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
		return false, fmt.Errorf("%s=%q is not a boolean (use true or false, 1 or 0)", name, v)
	}
	return b, nil
}

// fromEnv reads the PARTNERDESK_* variables into cfg: the defaults of the flags, and the
// settings that only have a variable. Every subcommand checks them all.
func fromEnv(cfg *config) error {
	var err error
	if cfg.demo, err = envBool("PARTNERDESK_DEMO", false); err != nil {
		return err
	}
	if cfg.secure, err = envBool("PARTNERDESK_SECURE_COOKIES", false); err != nil {
		return err
	}
	if cfg.webhookAllowPrivate, err = envBool("PARTNERDESK_WEBHOOK_ALLOW_PRIVATE", false); err != nil {
		return err
	}
	cfg.addr = env("PARTNERDESK_ADDR", "127.0.0.1:8080")
	cfg.dataDir = env("PARTNERDESK_DATA_DIR", "./data")
	cfg.databaseURL = env("PARTNERDESK_DATABASE_URL", "")
	cfg.filesDir = env("PARTNERDESK_FILES_DIR", "")
	cfg.logFormat = env("PARTNERDESK_LOG_FORMAT", "text")
	cfg.baseURL = env("PARTNERDESK_BASE_URL", "")
	if os.Getenv("PARTNERDESK_REQUIRE_MFA") != "" {
		b, err := envBool("PARTNERDESK_REQUIRE_MFA", false)
		if err != nil {
			return err
		}
		cfg.requireMFA = &b
	}
	cfg.sso = service.SSOConfig{Issuer: os.Getenv("PARTNERDESK_OIDC_ISSUER"), ClientID: os.Getenv("PARTNERDESK_OIDC_CLIENT_ID"),
		ClientSecret: os.Getenv("PARTNERDESK_OIDC_CLIENT_SECRET"), RedirectURL: os.Getenv("PARTNERDESK_OIDC_REDIRECT_URL")}
	if cfg.sso.TrustIdPMFA, err = envBool("PARTNERDESK_OIDC_TRUST_MFA", true); err != nil {
		return err
	}
	if v := os.Getenv("PARTNERDESK_LINK_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("PARTNERDESK_LINK_TTL=%q is not a positive duration (e.g. 120h)", v)
		}
		cfg.linkTTL = d
	}
	if v := os.Getenv("PARTNERDESK_CANCEL_WINDOWS"); v != "" {
		w, err := desk.ParseCancelWindows(v)
		if err != nil {
			return fmt.Errorf("PARTNERDESK_CANCEL_WINDOWS: %v", err)
		}
		cfg.cancelWindows = w
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
		cfg.sqliteSynchronous = "NORMAL"
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

// Groups of flags: each subcommand shows only the flags it uses.
const (
	flagsDatabase = 1 << iota // --data-dir, --database-url: every subcommand
	flagsFiles                // --files-dir: serve, demo
	flagsServer               // the server's own: serve
)

// windowsFlag is --cancel-windows, read with desk.ParseCancelWindows.
type windowsFlag struct {
	w *map[desk.ProductKind]time.Duration
}

func (f windowsFlag) String() string {
	if f.w == nil {
		return ""
	}
	return desk.FormatCancelWindows(*f.w)
}

func (f windowsFlag) Set(v string) error {
	w, err := desk.ParseCancelWindows(v)
	if err != nil {
		return err
	}
	*f.w = w
	return nil
}

// bind adds a group's flags to fs, with the environment's values as their defaults.
func bind(fs *flag.FlagSet, cfg *config, groups int) {
	if groups&flagsDatabase != 0 {
		fs.StringVar(&cfg.dataDir, "data-dir", cfg.dataDir, "data directory: the SQLite database and its secrets (PARTNERDESK_DATA_DIR)")
		fs.StringVar(&cfg.databaseURL, "database-url", cfg.databaseURL, "a postgres:// URL selects PostgreSQL; empty keeps SQLite in the data directory (PARTNERDESK_DATABASE_URL)")
	}
	if groups&flagsFiles != 0 {
		fs.StringVar(&cfg.filesDir, "files-dir", cfg.filesDir, "downloadable software files; default DATA_DIR/artifacts (PARTNERDESK_FILES_DIR)")
	}
	if groups&flagsServer != 0 {
		fs.StringVar(&cfg.addr, "addr", cfg.addr, "listen address (PARTNERDESK_ADDR)")
		fs.BoolVar(&cfg.demo, "demo", cfg.demo, "load the demo data on first start (PARTNERDESK_DEMO)")
		fs.BoolVar(&cfg.secure, "secure-cookies", cfg.secure, "mark cookies Secure, for TLS or a TLS proxy (PARTNERDESK_SECURE_COOKIES)")
		fs.StringVar(&cfg.logFormat, "log-format", cfg.logFormat, "log format: text or json (PARTNERDESK_LOG_FORMAT)")
		fs.DurationVar(&cfg.linkTTL, "link-ttl", cfg.linkTTL, "how long copied download links work, e.g. 120h (PARTNERDESK_LINK_TTL; default 5 days)")
		fs.StringVar(&cfg.baseURL, "base-url", cfg.baseURL, "the public origin users and webhook receivers reach PartnerDesk at, e.g. https://desk.example.com: links are built on it, other Hosts get 421 (PARTNERDESK_BASE_URL; default http://ADDR, any Host)")
		fs.Var(windowsFlag{&cfg.cancelWindows}, "cancel-windows", "cancellation window per product kind, e.g. perpetual=720h,software-subscription=168h; kinds left out keep 30 days (PARTNERDESK_CANCEL_WINDOWS)")
		fs.BoolVar(&cfg.webhookAllowPrivate, "webhook-allow-private", cfg.webhookAllowPrivate, "let webhooks reach loopback and private addresses over plain http: tests and local tools only (PARTNERDESK_WEBHOOK_ALLOW_PRIVATE)")
	}
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
	if cfg.sessionSecret != "" && len(cfg.sessionSecret) < 32 {
		return errors.New("PARTNERDESK_SESSION_SECRET must be at least 32 characters")
	}
	if cfg.databaseURL != "" && !postgres.IsURL(cfg.databaseURL) {
		return fmt.Errorf("PARTNERDESK_DATABASE_URL / --database-url must be a postgres:// URL (or empty for SQLite in the data directory)")
	}
	if cfg.baseURL != "" {
		if _, err := app.ParseBaseURL(cfg.baseURL); err != nil {
			return fmt.Errorf("PARTNERDESK_BASE_URL / --base-url %q %v", cfg.baseURL, err)
		}
	}
	return service.CheckSSOConfig(cfg.sso)
}

// mfaRequired is PARTNERDESK_REQUIRE_MFA, by default on outside demo mode (R22).
func (cfg config) mfaRequired() bool {
	if cfg.requireMFA != nil {
		return *cfg.requireMFA
	}
	return !cfg.demo
}

// publicBase is the address PartnerDesk's own URLs start with (webhook bodies name API URLs).
func (cfg config) publicBase() string {
	if cfg.baseURL != "" {
		return strings.TrimSuffix(cfg.baseURL, "/")
	}
	host, port, _ := net.SplitHostPort(cfg.addr)
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func (cfg config) app(log *slog.Logger, demo bool) app.Config {
	return app.Config{DataDir: cfg.dataDir, SQLiteSynchronous: cfg.sqliteSynchronous, DatabaseURL: cfg.databaseURL, FilesDir: cfg.filesDir, Demo: demo, SessionSecret: cfg.sessionSecret, SecureCookies: cfg.secure, BaseURL: cfg.baseURL, Logger: log,
		KeyEncryptionKey: cfg.kek, LinkTTL: cfg.linkTTL, RevealBurst: cfg.revealBurst, RevealEvery: cfg.revealEvery,
		APIRatePerSecond: cfg.apiRate, APIBurst: cfg.apiBurst, MaxActivityRange: cfg.activityRange, CancelWindows: cfg.cancelWindows,
		PublicURL: cfg.publicBase(), WebhookAllowPrivate: cfg.webhookAllowPrivate, RequireMFA: cfg.mfaRequired(), SSO: cfg.sso}
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

// parse reads a subcommand's flags: the groups it uses and its own (extra). -h and --help print
// the command's usage to stdout (errHelpShown); a bad flag is a usageError naming it.
func parse(name string, args []string, stdout io.Writer, groups int, extra func(fs *flag.FlagSet)) (config, error) {
	var cfg config
	if err := fromEnv(&cfg); err != nil {
		return cfg, err
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if extra != nil {
		extra(fs)
	}
	bind(fs, &cfg, groups|flagsDatabase)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout, name, fs)
			return cfg, errHelpShown
		}
		return cfg, usageError{flagSentence(name, err)}
	}
	if fs.NArg() > 0 {
		return cfg, usageError{fmt.Sprintf("partnerdesk %s takes no argument %q (partnerdesk %s --help lists its flags).", name, fs.Arg(0), name)}
	}
	return cfg, cfg.check()
}

// usage prints a command's usage line, summary and flags.
func usage(w io.Writer, name string, fs *flag.FlagSet) {
	for _, c := range commands {
		if c.name == name {
			fmt.Fprintf(w, "usage: partnerdesk %s %s\n\n%s.\n\nflags:\n", c.name, c.args, strings.ToUpper(c.summary[:1])+c.summary[1:])
		}
	}
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// flagSentence turns the flag package's terse errors into sentences naming the command.
func flagSentence(name string, err error) string {
	msg := err.Error()
	help := fmt.Sprintf(" (partnerdesk %s --help lists its flags)", name)
	switch {
	case strings.HasPrefix(msg, "flag provided but not defined: "):
		return fmt.Sprintf("partnerdesk %s has no flag %s%s.", name, strings.TrimPrefix(msg, "flag provided but not defined: "), help)
	case strings.HasPrefix(msg, "flag needs an argument: "):
		return fmt.Sprintf("the flag %s needs a value%s.", strings.TrimPrefix(msg, "flag needs an argument: "), help)
	case strings.HasPrefix(msg, "invalid value "):
		return strings.ToUpper(msg[:1]) + msg[1:] + "."
	}
	return msg + help
}

func serve(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	var pprofAddr string
	cfg, err := parse("serve", args, stdout, flagsFiles|flagsServer, func(fs *flag.FlagSet) {
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
	tuneGC()
	log := cfg.logger(stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	acfg := cfg.app(log, cfg.demo)
	acfg.ExclusiveServe, acfg.Workers = true, true
	a, err := app.Open(ctx, acfg)
	if err != nil {
		return err
	}
	defer a.Close()
	a.Start() // all the background work (activity log, sweeps, webhooks, billing); Close ends it
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
	// Then the deferred Close stops the background work: deliveries under way finish (each
	// within 10 s); events not delivered wait in the outbox for the next start, or for another
	// instance.
	return srv.Shutdown(sctx)
}

func migrate(args []string, _ io.Reader, stdout, _ io.Writer) error {
	cfg, err := parse("migrate", args, stdout, 0, nil)
	if err != nil {
		return err
	}
	st, err := app.OpenStoreWith(context.Background(), app.Config{DataDir: cfg.dataDir, DatabaseURL: cfg.databaseURL, SQLiteSynchronous: cfg.sqliteSynchronous})
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintln(stdout, "migrations applied to", where(cfg))
	return nil
}

func loadDemo(args []string, _ io.Reader, stdout, _ io.Writer) error {
	var scale string
	cfg, err := parse("demo", args, stdout, flagsFiles, func(fs *flag.FlagSet) {
		fs.StringVar(&scale, "scale", "small", "small (the demo) or large (adds 20,000 customers, 200,000 orders, 1,000,000 events)")
	})
	if err != nil {
		return err
	}
	if scale != "small" && scale != "large" {
		return usageError{fmt.Sprintf("--scale %q must be small or large.", scale)}
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
func createToken(args []string, _ io.Reader, stdout, _ io.Writer) error {
	var email, name string
	var expires time.Duration
	cfg, err := parse("token create", args, stdout, 0, func(fs *flag.FlagSet) {
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
	t, secret, err := a.Service.CreateTokenCLI(context.Background(), email, name, expires)
	var ve *desk.ValidationError
	if errors.As(err, &ve) {
		var why []string
		if _, ok := ve.Fields["user"]; ok {
			why = append(why, fmt.Sprintf("--user %q is not an active partner user", email))
		}
		if _, ok := ve.Fields["name"]; ok {
			why = append(why, "--name is required (at most 100 characters)")
		}
		if _, ok := ve.Fields["expires"]; ok {
			why = append(why, fmt.Sprintf("--expires %s must be from 1s to 8784h", expires))
		}
		return fmt.Errorf("cannot create the token: %s", strings.Join(why, "; "))
	}
	if err != nil {
		return fmt.Errorf("cannot create the token: %s", describe(err))
	}
	fmt.Fprintf(stdout, "token %q for %s, valid until %s:\n%s\n", t.Name, t.UserEmail, t.ExpiresAt.Format(time.RFC3339), secret)
	return nil
}

// auditVerify checks the activity log — its keyed hash chain, and every signed checkpoint in the
// data directory's audit-checkpoints.log and in the files given with --checkpoints (other
// instances' checkpoint files, server logs) — and lists what is wrong.
func auditVerify(args []string, _ io.Reader, stdout, _ io.Writer) error {
	var extra string
	cfg, err := parse("audit verify", args, stdout, 0, func(fs *flag.FlagSet) {
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
// The password is read from standard input when it is piped (or with --password-stdin), asked
// for twice on a terminal, or generated.
func createUser(args []string, stdin io.Reader, stdout, _ io.Writer) error {
	var email, roleName, name string
	var fromStdin bool
	cfg, err := parse("user create", args, stdout, 0, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the user's email (sign-in name)")
		fs.StringVar(&roleName, "role", "", "a partner role: global-admin, admin-agent, sales-agent, helpdesk-agent, billing-admin, referrals-admin")
		fs.StringVar(&name, "name", "", "display name (default: the email)")
		fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from standard input (the default when it is piped)")
	})
	if err != nil {
		return err
	}
	role, ok := desk.ParseRole(roleName)
	if !ok || !role.IsPartner() {
		return usageError{fmt.Sprintf("--role %q is not a partner role: use global-admin, admin-agent, sales-agent, helpdesk-agent, billing-admin or referrals-admin.", roleName)}
	}
	if !desk.ValidEmail(strings.TrimSpace(email)) {
		return usageError{fmt.Sprintf("--email %q is not a valid email address.", email)}
	}
	password, generated := "", false
	switch {
	case fromStdin || (stdin != nil && !isTerminal(stdin)):
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the password from standard input: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	case stdin != nil:
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
		return fmt.Errorf("cannot create the user: %s", describe(err))
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

// tuneGC lets the heap grow to five times what is live before a collection (GOGC=400) with a
// soft limit of 96 MiB on the Go heap (GOMEMLIMIT), unless the environment sets either. A page's
// work allocates far more than it keeps, and at Go's default the server spent about a fifth of
// its CPU collecting; the limit keeps the process inside its memory budget (README, Performance).
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(96 << 20)
	}
}
