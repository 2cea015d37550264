// Package app wires PartnerDesk together: configuration and secrets → store (SQLite in the data
// directory, or PostgreSQL) → migrations → services → HTTP server. It is the only place (with
// cmd) that knows the concrete stores; the command and the tests both start the application
// through it.
package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"partnerdesk/internal/api"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/postgres"
	"partnerdesk/internal/server"
	"partnerdesk/internal/service"
	"partnerdesk/internal/sqlite"
	"partnerdesk/internal/sqlstore"
)

// Config is the application's configuration (see cmd/partnerdesk for flags and PARTNERDESK_* variables).
type Config struct {
	DataDir string
	// SQLiteSynchronous is SQLite's synchronous setting, FULL ("" too) or NORMAL
	// (PARTNERDESK_SQLITE_SYNCHRONOUS).
	SQLiteSynchronous string
	// DatabaseURL, a postgres:// URL, selects PostgreSQL; empty keeps SQLite in DataDir.
	DatabaseURL string
	// FilesDir holds the downloadable software files (default DataDir/artifacts; with several
	// instances a volume they share).
	FilesDir string
	// ExclusiveServe takes the data directory's serve lock (SQLite): a second server on the same
	// SQLite data directory refuses to start.
	ExclusiveServe bool
	// Workers adds the webhook delivery worker (R21) and the billing run (R25) to the background
	// work Start begins (serve sets it; tests drive both themselves).
	Workers bool
	// Demo loads the demo data on first start.
	Demo bool
	// SessionSecret, when set, derives the session cookie keys; otherwise they are generated once
	// and kept in DataDir/secrets.json (0600).
	SessionSecret string
	// SecureCookies marks cookies Secure and names them __Host-…, and sends HSTS: the site is
	// served over HTTPS only.
	SecureCookies bool
	// BaseURL is the public origin (https://desk.example.com, from ParseBaseURL): absolute links
	// are built on it and requests for another Host get 421. "" accepts any Host.
	BaseURL string
	Logger  *slog.Logger
	// Now is the clock (tests move it); nil is time.Now.
	Now        func() time.Time
	BcryptCost int
	// KeyEncryptionKey (32 bytes), when set, encrypts product keys at rest; otherwise one is
	// generated once and kept in DataDir/secrets.json.
	KeyEncryptionKey []byte
	// LinkTTL is how long copied download links work (default 5 days).
	LinkTTL time.Duration
	// RevealBurst and RevealEvery rate-limit key reveals per user (defaults: 30, then one per 2 s).
	RevealBurst int
	RevealEvery time.Duration
	// MaxActivityRange caps an activity log query's date range (default 366 days).
	MaxActivityRange time.Duration
	// SupportThresholdUSD: cancellations above it need a support request (default 10,000 USD).
	SupportThresholdUSD int64
	// APIRatePerSecond and APIBurst limit API requests per token (defaults 20/s, burst 100).
	APIRatePerSecond float64
	APIBurst         int
	// CancelWindows overrides the 30-day cancellation window per product kind (R12, R26).
	CancelWindows map[desk.ProductKind]time.Duration
	// RequireMFA makes Global admins, Admin agents and customer Global admins set up two-step
	// verification before their session gets their rights (R22; PARTNERDESK_REQUIRE_MFA).
	RequireMFA bool
	// SSO configures single sign-on with an OpenID Connect provider (R23; PARTNERDESK_OIDC_*).
	SSO service.SSOConfig
	// PublicURL is the address users and webhook receivers reach PartnerDesk at (webhook bodies
	// name API URLs under it): BaseURL when set, else http://ADDR.
	PublicURL string
	// WebhookAllowPrivate lets webhooks reach loopback and private addresses, over plain http too
	// (tests and local tools).
	WebhookAllowPrivate bool
	// WebhookLookup resolves webhook hosts (nil: the system resolver; tests answer for it).
	WebhookLookup func(ctx context.Context, host string) ([]netip.Addr, error)
	// CheckpointEvery is how often a serving instance signs a checkpoint of the activity log
	// when it has grown (default a minute).
	CheckpointEvery time.Duration
	// Sleep is how a slowed sign-in waits (nil: for real; tests record it).
	Sleep func(ctx context.Context, d time.Duration) error
}

// App is a running PartnerDesk.
type App struct {
	Store   *DB
	Service *service.Service
	Server  *server.Server
	API     *api.API
	// DemoLoaded reports whether this start loaded the demo data (first start only).
	DemoLoaded bool
	handler    http.Handler
	unlock     func()

	log             *slog.Logger
	dataDir         string
	checkpointEvery time.Duration
	workers         bool
	// stop ends the background work that Start began; done closes when it has ended.
	stop func()
	done chan struct{}
	// lastCheckpoint is the chain position of this instance's last checkpoint.
	lastCheckpoint int64
}

// store adapts *sqlstore.Store to service.Store: its InTx hands the callback a service.Store.
type store struct{ *sqlstore.Store }

func (s store) InTx(ctx context.Context, fn func(tx service.Store) error) error {
	return s.Store.InTx(ctx, func(tx *sqlstore.Store) error { return fn(store{tx}) })
}

// DB is an open database of either engine: the shared store, and the engine's own store
// (exactly one of SQLite and Postgres is set).
type DB struct {
	*sqlstore.Store
	SQLite   *sqlite.Store
	Postgres *postgres.Store
}

// Backup writes a consistent copy of the database to path while PartnerDesk runs: VACUUM INTO
// on SQLite, pg_dump --format=custom on PostgreSQL.
func (d *DB) Backup(ctx context.Context, path string) error {
	if d.Postgres != nil {
		return d.Postgres.Backup(ctx, path)
	}
	return d.SQLite.Backup(ctx, path)
}

// OpenStore opens the database — PostgreSQL when databaseURL is a postgres:// URL, else SQLite
// in dataDir (created if needed) — and applies the migrations.
func OpenStore(ctx context.Context, dataDir, databaseURL string) (*DB, error) {
	return OpenStoreWith(ctx, Config{DataDir: dataDir, DatabaseURL: databaseURL})
}

// OpenStoreWith is OpenStore with the engine settings of cfg (DataDir, DatabaseURL,
// SQLiteSynchronous).
func OpenStoreWith(ctx context.Context, cfg Config) (*DB, error) {
	dataDir, databaseURL := cfg.DataDir, cfg.DatabaseURL
	if databaseURL != "" {
		if !postgres.IsURL(databaseURL) {
			return nil, errors.New("PARTNERDESK_DATABASE_URL / --database-url must be a postgres:// URL (or empty for SQLite in the data directory)")
		}
		st, err := postgres.Open(ctx, databaseURL)
		if err != nil {
			return nil, err
		}
		if err := st.Migrate(ctx); err != nil {
			st.Close()
			return nil, err
		}
		return &DB{Store: st.Store, Postgres: st}, nil
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dataDir, err)
	}
	st, err := sqlite.OpenWith(filepath.Join(dataDir, "partnerdesk.db"), sqlite.Options{Synchronous: cfg.SQLiteSynchronous})
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return &DB{Store: st.Store, SQLite: st}, nil
}

// Secrets are the keys PartnerDesk generates once and keeps in the data directory.
type Secrets struct {
	SessionHashKey  []byte `json:"session_hash_key"`
	SessionBlockKey []byte `json:"session_block_key"`
	// KeyEncryptionKey encrypts product keys at rest (AES-256-GCM); losing it loses the keys.
	KeyEncryptionKey []byte `json:"key_encryption_key"`
	// LinkKey signs download links (HMAC-SHA256); changing it voids every link.
	LinkKey []byte `json:"link_key"`
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// LoadSecrets reads DataDir/secrets.json, creating it (0600) with fresh random keys if absent
// and adding any key an older file lacks. A key once written is never replaced.
func LoadSecrets(dataDir string) (Secrets, error) {
	path := filepath.Join(dataDir, "secrets.json")
	var s Secrets
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return s, err
	}
	if err == nil {
		if err := json.Unmarshal(b, &s); err != nil || len(s.SessionHashKey) != 64 || len(s.SessionBlockKey) != 32 {
			return s, fmt.Errorf("%s is damaged: remove it to generate new keys (this signs everyone out and loses stored product keys)", path)
		}
		if len(s.KeyEncryptionKey) != 0 && len(s.KeyEncryptionKey) != 32 {
			return s, fmt.Errorf("%s: key_encryption_key must be 32 bytes", path)
		}
	}
	changed := false
	fill := func(k *[]byte, n int) {
		if len(*k) == 0 {
			*k, changed = randomBytes(n), true
		}
	}
	fill(&s.SessionHashKey, 64)
	fill(&s.SessionBlockKey, 32)
	fill(&s.KeyEncryptionKey, 32)
	fill(&s.LinkKey, 32)
	if !changed {
		return s, nil
	}
	b, _ = json.MarshalIndent(s, "", "  ")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return s, fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return s, fmt.Errorf("write %s: %w", path, err)
	}
	return s, nil
}

// Open starts the application on cfg.DataDir (SQLite) or cfg.DatabaseURL (PostgreSQL).
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	pg := cfg.DatabaseURL != ""
	if pg && (cfg.SessionSecret == "" || len(cfg.KeyEncryptionKey) == 0) {
		return nil, errors.New("on PostgreSQL, PARTNERDESK_SESSION_SECRET and PARTNERDESK_KEY_ENCRYPTION_KEY must be set, " +
			"with the same values on every instance (sessions, download links and stored product keys must work on all of them)")
	}
	var unlock func()
	if cfg.ExclusiveServe && !pg {
		var err error
		if unlock, err = lockDataDir(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	st, err := OpenStoreWith(ctx, cfg)
	if err != nil {
		if unlock != nil {
			unlock()
		}
		return nil, err
	}
	fail := func(err error) (*App, error) {
		st.Close()
		if unlock != nil {
			unlock()
		}
		return nil, err
	}

	var sec Secrets
	if !pg {
		if sec, err = LoadSecrets(cfg.DataDir); err != nil {
			return fail(err)
		}
	}
	if cfg.SessionSecret != "" {
		h := sha256.Sum256([]byte("partnerdesk session hash\x00" + cfg.SessionSecret))
		h2 := sha256.Sum256([]byte("partnerdesk session hash 2\x00" + cfg.SessionSecret))
		b := sha256.Sum256([]byte("partnerdesk session block\x00" + cfg.SessionSecret))
		l := sha256.Sum256([]byte("partnerdesk link key\x00" + cfg.SessionSecret))
		sec.SessionHashKey, sec.SessionBlockKey, sec.LinkKey = append(h[:], h2[:]...), b[:], l[:]
	}
	if len(cfg.KeyEncryptionKey) > 0 {
		if len(cfg.KeyEncryptionKey) != 32 {
			return fail(errors.New("the key-encryption key must be 32 bytes"))
		}
		sec.KeyEncryptionKey = cfg.KeyEncryptionKey
	}
	files := cfg.FilesDir
	if files == "" {
		files = filepath.Join(cfg.DataDir, "artifacts")
	}
	if err := os.MkdirAll(files, 0o700); err != nil {
		return fail(fmt.Errorf("files directory %s (PARTNERDESK_FILES_DIR): %w", files, err))
	}
	if st.SQLite != nil {
		// Attachments now live in the database: move in the files an older version kept.
		legacy := filepath.Join(cfg.DataDir, "attachments")
		if _, err := os.Stat(legacy); err == nil {
			if n, err := st.SQLite.ImportAttachmentFiles(ctx, legacy); err != nil {
				return fail(err)
			} else if n > 0 {
				cfg.Logger.Info("attachments moved into the database", "count", n)
			}
			os.Remove(legacy) // only once empty
		}
	}

	// The partner's tenant ID is made once: instances starting together agree on one.
	partnerID, _, err := st.ClaimMeta(ctx, "partner_tenant_id", service.NewID())
	if err != nil {
		return fail(err)
	}
	// The activity log's key comes from the key-encryption key (outside the database), with a
	// label of its own.
	auditKey := desk.DeriveAuditKey(sec.KeyEncryptionKey)
	st.SetAuditKey(auditKey)
	svc, err := service.New(store{st.Store}, cfg.Now, service.Config{
		PartnerTenantID: partnerID, BcryptCost: cfg.BcryptCost, KeyEncryptionKey: sec.KeyEncryptionKey, LinkKey: sec.LinkKey, AuditKey: auditKey,
		LinkTTL: cfg.LinkTTL, ArtifactsDir: files, SupportThresholdUSD: cfg.SupportThresholdUSD,
		MaxActivityRange: cfg.MaxActivityRange, RevealBurst: cfg.RevealBurst, RevealEvery: cfg.RevealEvery,
		RequireMFA: cfg.RequireMFA, SSO: cfg.SSO,
		Cancel: desk.CancelPolicy{Windows: cfg.CancelWindows}, PublicURL: cfg.PublicURL, WebhookAllowPrivate: cfg.WebhookAllowPrivate,
		WebhookLookup: cfg.WebhookLookup, Logger: cfg.Logger, Sleep: cfg.Sleep,
	})
	if err != nil {
		return fail(err)
	}
	// An instance whose key-encryption key is not the one the stored product keys were sealed
	// with must not start (it would answer every key reveal with an error).
	if err := svc.CheckKeyEncryptionKey(ctx); err != nil {
		return fail(err)
	}
	// Where the keyed chain starts is recorded at the first start; a record that is missing or
	// not signed is reported (the log is still served, and audit verify names the fault).
	if err := svc.InitAudit(ctx); errors.Is(err, service.ErrAuditStart) {
		cfg.Logger.Error("activity log", "error", err.Error())
	} else if err != nil {
		return fail(err)
	}
	a := &App{Store: st, Service: svc, unlock: unlock, log: cfg.Logger, dataDir: cfg.DataDir, checkpointEvery: cfg.CheckpointEvery, workers: cfg.Workers}
	if cfg.Demo {
		if err := a.loadDemo(ctx, cfg.Now()); err != nil {
			return fail(err)
		}
		if a.DemoLoaded {
			if _, _, err := svc.SealAudit(ctx); err != nil {
				return fail(err)
			}
		}
		// Every instance writes the placeholder files it lacks (its files directory may be its own).
		if err := writeArtifacts(files); err != nil {
			return fail(err)
		}
	}
	if err := svc.LoadCatalog(ctx); err != nil {
		return fail(err)
	}
	if cfg.BaseURL != "" {
		if cfg.BaseURL, err = ParseBaseURL(cfg.BaseURL); err != nil {
			return fail(fmt.Errorf("the base URL %v", err))
		}
	}
	a.API = api.New(svc, api.Config{Logger: cfg.Logger, RatePerSecond: cfg.APIRatePerSecond, Burst: cfg.APIBurst, BaseURL: cfg.BaseURL})
	a.Server = server.New(svc, server.Config{SessionHashKey: sec.SessionHashKey, SessionBlockKey: sec.SessionBlockKey, Secure: cfg.SecureCookies,
		BaseURL: cfg.BaseURL, Logger: cfg.Logger, APIDocument: a.API.Document})
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.API.Handler())
	mux.Handle("/", a.Server.Handler())
	a.handler = edge(mux, cfg.BaseURL, cfg.SecureCookies)
	return a, nil
}

// lockDataDir takes an exclusive lock on DATA_DIR/serve.lock for the life of the process: a
// SQLite data directory is served by one process (its rate limits and single writer live there).
func lockDataDir(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, "serve.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another PartnerDesk is already serving the data directory %s: a SQLite data directory is served by one process "+
			"(its rate limits and its single writer live in that process); stop the other one, or use PostgreSQL "+
			"(PARTNERDESK_DATABASE_URL) to run several instances", dir)
	}
	return func() { f.Close() }, nil
}

// Handler is the whole application: the REST API under /v1/ and the web portal elsewhere.
func (a *App) Handler() http.Handler { return a.handler }

// loadDemo loads the demo data in one transaction, once: the transaction first claims the
// demo_loaded marker, so that of two instances starting together on an empty database one loads
// and the other finds the marker (after waiting for the first's commit).
func (a *App) loadDemo(ctx context.Context, now time.Time) error {
	if _, done, err := a.Store.GetMeta(ctx, "demo_loaded"); err != nil || done {
		return err
	}
	hash, err := a.Service.HashPassword(demo.Password)
	if err != nil {
		return err
	}
	err = a.Store.InTx(ctx, func(tx *sqlstore.Store) error {
		loaded, err := demo.Load(ctx, tx, hash, now)
		a.DemoLoaded = loaded
		if err != nil || !loaded {
			return err
		}
		if err := loadCatalog(ctx, tx); err != nil {
			return err
		}
		if err := a.fillKeyPools(ctx, tx, now); err != nil {
			return err
		}
		if err := a.loadDemoOrders(ctx, tx, now); err != nil {
			return err
		}
		// The months of monthly-billed demo orders up to now, and the past months' invoices.
		svc, err := service.New(store{tx}, func() time.Time { return now }, a.Service.Config())
		if err != nil {
			return err
		}
		_, err = svc.RunBilling(ctx)
		return err
	})
	a.Service.ResetCatalog()
	return err
}

// loadCatalog saves the demo catalog and its price lists.
func loadCatalog(ctx context.Context, tx *sqlstore.Store) error {
	products := demo.Catalog()
	for i, p := range products {
		if err := tx.SaveProduct(ctx, p, i); err != nil {
			return err
		}
	}
	for offer, byCurrency := range demo.Prices() {
		for cur, unit := range byCurrency {
			if err := tx.SavePrice(ctx, offer, cur, unit); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadDemoOrders places the demo orders through the real use case, each with a clock set to
// its age, as the sales agent.
func (a *App) loadDemoOrders(ctx context.Context, tx *sqlstore.Store, now time.Time) error {
	products := demo.Catalog()
	seller, _, err := tx.FindUserByEmail(ctx, demo.PartnerUsers[2].Email)
	if err != nil {
		return err
	}
	actor := desk.Actor{User: seller, IP: "127.0.0.1"}
	agentUser, _, err := tx.FindUserByEmail(ctx, demo.PartnerUsers[1].Email)
	if err != nil {
		return err
	}
	agent := desk.Actor{User: agentUser, IP: "127.0.0.1"}
	globalUser, _, err := tx.FindUserByEmail(ctx, demo.PartnerUsers[0].Email)
	if err != nil {
		return err
	}
	global := desk.Actor{User: globalUser, IP: "127.0.0.1"}
	cfg := a.Service.Config()
	cfg.Unlimited = true // the demo's history is not a user's: it takes nothing from the rate limits
	for i, o := range demo.Orders {
		at := now.Add(-time.Duration(o.AgeDays)*24*time.Hour - time.Duration(o.AgeHours)*time.Hour - time.Duration(i)*time.Minute)
		svc, err := service.New(store{tx}, func() time.Time { return at }, cfg)
		if err != nil {
			return err
		}
		var lines []desk.CartLine
		for _, l := range o.Lines {
			offer, ok := demo.ResolveOffer(products, l.Match, l.Term)
			if !ok {
				return fmt.Errorf("demo order: no offer matches %q %s", l.Match, l.Term)
			}
			lines = append(lines, desk.CartLine{OfferID: offer.ID, Quantity: l.Qty})
		}
		order, _, err := svc.PlaceOrder(ctx, actor, demo.TenantID(o.Customer), fmt.Sprintf("demo-%d", i), lines)
		if err != nil {
			return fmt.Errorf("demo order %d for %s: %w", i, o.Customer, err)
		}
		if o.CancelAfterDays == 0 {
			continue
		}
		cancelAt := at.Add(time.Duration(o.CancelAfterDays) * 24 * time.Hour)
		csvc, err := service.New(store{tx}, func() time.Time { return cancelAt }, cfg)
		if err != nil {
			return err
		}
		var nums []int
		for _, l := range order.Lines {
			nums = append(nums, l.Number)
		}
		by := agent
		if o.OverrideReason != "" {
			by = global
		}
		if _, _, err := csvc.Cancel(ctx, by, desk.CancelRequest{CustomerID: order.CustomerID, OrderID: order.ID, Lines: nums, OverrideReason: o.OverrideReason}); err != nil {
			return fmt.Errorf("demo cancellation %d: %w", i, err)
		}
	}
	return a.demoActivity(ctx, tx, now, agent)
}

// demoActivity lets the admin agent view keys and copy links of active purchases over the last
// days, so that the activity log has something to show.
func (a *App) demoActivity(ctx context.Context, tx *sqlstore.Store, now time.Time, agent desk.Actor) error {
	cfg := a.Service.Config()
	cfg.Unlimited = true
	for k, prefix := range []string{"contoso", "fabrikam", "wingtiptoys", "adventureworks", "prosewarekosovo"} {
		ents, err := tx.FindEntitlements(ctx, demo.TenantID(prefix))
		if err != nil {
			return err
		}
		for j, e := range ents {
			if e.Status != desk.StatusActive {
				continue
			}
			at := e.CreatedAt.Add(time.Duration(2+j+k) * time.Hour)
			if at.After(now) {
				at = now.Add(-time.Duration(10+j) * time.Minute)
			}
			svc, err := service.New(store{tx}, func() time.Time { return at }, cfg)
			if err != nil {
				return err
			}
			p, err := svc.Product(ctx, e.ProductID)
			if err != nil {
				return err
			}
			versions := p.Versions()
			if len(versions) == 0 {
				continue
			}
			if _, err := svc.RevealKey(ctx, agent, e.CustomerID, e.ID, versions[0]); err != nil {
				return fmt.Errorf("demo key view: %w", err)
			}
			ed := p.Editions[0]
			if _, err := svc.IssueLink(ctx, agent, e.CustomerID, e.ID, desk.EditionRef{Version: ed.Version, Language: ed.Language, Bitness: ed.Bitness}, true); err != nil {
				return fmt.Errorf("demo link: %w", err)
			}
		}
	}
	return nil
}

// fillKeyPools puts generated keys into every software pool (product × version).
func (a *App) fillKeyPools(ctx context.Context, tx *sqlstore.Store, now time.Time) error {
	gen := demo.NewKeyGenerator()
	for _, p := range demo.Catalog() {
		if !p.Kind.IsSoftware() {
			continue
		}
		for _, v := range p.Versions() {
			for i := 0; i < demo.KeysPerPool; i++ {
				ct, fp := a.Service.SealKey(p.ID, v, gen.Next())
				if err := tx.InsertPoolKey(ctx, p.ID, v, ct, fp, now); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// writeArtifacts writes the demo's placeholder files (with the SHA-256 the catalog states), so
// that downloads work end to end.
func writeArtifacts(dir string) error {
	for _, p := range demo.Catalog() {
		for _, e := range p.Editions {
			path := filepath.Join(dir, e.FileName)
			if st, err := os.Stat(path); err == nil && st.Size() == e.Size {
				continue
			}
			// Written aside and renamed: instances sharing the directory never serve half a file.
			tmp, err := os.CreateTemp(dir, ".partial-*")
			if err != nil {
				return err
			}
			_, werr := tmp.Write(demo.FileContent(e.FileName))
			if err := errors.Join(werr, tmp.Chmod(0o600), tmp.Close()); err != nil {
				os.Remove(tmp.Name())
				return err
			}
			if err := os.Rename(tmp.Name(), path); err != nil {
				os.Remove(tmp.Name())
				return err
			}
		}
	}
	return nil
}

// Close ends the background work (linking what waits and signing a last checkpoint), closes the
// store and releases the data directory's serve lock.
func (a *App) Close() error {
	a.Stop()
	err := a.Store.Close()
	if a.unlock != nil {
		a.unlock()
	}
	return err
}
