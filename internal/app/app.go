// Package app wires PartnerDesk together: data directory and secrets → store → migrations →
// services → HTTP server. It is the only place (with cmd) that knows the concrete store; the
// command and the tests both start the application through it.
package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/server"
	"partnerdesk/internal/service"
	"partnerdesk/internal/sqlite"
)

// Config is the application's configuration (see cmd/partnerdesk for flags and PARTNERDESK_* variables).
type Config struct {
	DataDir string
	// Demo loads the demo data on first start.
	Demo bool
	// SessionSecret, when set, derives the session cookie keys; otherwise they are generated once
	// and kept in DataDir/secrets.json (0600).
	SessionSecret string
	SecureCookies bool
	Logger        *slog.Logger
	// Now is the clock (tests move it); nil is time.Now.
	Now        func() time.Time
	BcryptCost int
}

// App is a running PartnerDesk.
type App struct {
	Store   *sqlite.Store
	Service *service.Service
	Server  *server.Server
	// DemoLoaded reports whether this start loaded the demo data (first start only).
	DemoLoaded bool
}

// store adapts *sqlite.Store to service.Store: its InTx hands the callback a service.Store.
type store struct{ *sqlite.Store }

func (s store) InTx(ctx context.Context, fn func(tx service.Store) error) error {
	return s.Store.InTx(ctx, func(tx *sqlite.Store) error { return fn(store{tx}) })
}

// Secrets are the keys PartnerDesk generates once and keeps in the data directory.
type Secrets struct {
	SessionHashKey  []byte `json:"session_hash_key"`
	SessionBlockKey []byte `json:"session_block_key"`
}

// OpenStore creates the data directory, opens the database and applies the migrations.
func OpenStore(ctx context.Context, dataDir string) (*sqlite.Store, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dataDir, err)
	}
	st, err := sqlite.Open(filepath.Join(dataDir, "partnerdesk.db"))
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// LoadSecrets reads DataDir/secrets.json, creating it (0600) with fresh random keys if absent.
func LoadSecrets(dataDir string) (Secrets, error) {
	path := filepath.Join(dataDir, "secrets.json")
	var s Secrets
	b, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(b, &s); err != nil || len(s.SessionHashKey) != 64 || len(s.SessionBlockKey) != 32 {
			return s, fmt.Errorf("%s is damaged: remove it to generate new keys (this signs everyone out)", path)
		}
		return s, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return s, err
	}
	s.SessionHashKey = make([]byte, 64)
	s.SessionBlockKey = make([]byte, 32)
	rand.Read(s.SessionHashKey)
	rand.Read(s.SessionBlockKey)
	b, _ = json.MarshalIndent(s, "", "  ")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return s, fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return s, err
	}
	return s, f.Close()
}

// Open starts the application on cfg.DataDir.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	st, err := OpenStore(ctx, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*App, error) { st.Close(); return nil, err }

	var sec Secrets
	if cfg.SessionSecret != "" {
		h := sha256.Sum256([]byte("partnerdesk session hash\x00" + cfg.SessionSecret))
		h2 := sha256.Sum256([]byte("partnerdesk session hash 2\x00" + cfg.SessionSecret))
		b := sha256.Sum256([]byte("partnerdesk session block\x00" + cfg.SessionSecret))
		sec = Secrets{SessionHashKey: append(h[:], h2[:]...), SessionBlockKey: b[:]}
	} else if sec, err = LoadSecrets(cfg.DataDir); err != nil {
		return fail(err)
	}

	partnerID, ok, err := st.GetMeta(ctx, "partner_tenant_id")
	if err != nil {
		return fail(err)
	}
	if !ok {
		partnerID = service.NewID()
		if err := st.SetMeta(ctx, "partner_tenant_id", partnerID); err != nil {
			return fail(err)
		}
	}
	svc := service.New(store{st}, cfg.Now, service.Config{PartnerTenantID: partnerID, BcryptCost: cfg.BcryptCost})
	a := &App{Store: st, Service: svc}
	if cfg.Demo {
		if err := a.loadDemo(ctx, cfg.Now()); err != nil {
			return fail(err)
		}
	}
	a.Server = server.New(svc, server.Config{SessionHashKey: sec.SessionHashKey, SessionBlockKey: sec.SessionBlockKey, Secure: cfg.SecureCookies, Logger: cfg.Logger})
	return a, nil
}

// loadDemo loads the demo data in one transaction, once.
func (a *App) loadDemo(ctx context.Context, now time.Time) error {
	if _, done, err := a.Store.GetMeta(ctx, "demo_loaded"); err != nil || done {
		return err
	}
	hash, err := a.Service.HashPassword(demo.Password)
	if err != nil {
		return err
	}
	err = a.Store.InTx(ctx, func(tx *sqlite.Store) error {
		loaded, err := demo.Load(ctx, tx, hash, now)
		a.DemoLoaded = loaded
		if err != nil || !loaded {
			return err
		}
		if err := loadCatalog(ctx, tx); err != nil {
			return err
		}
		return a.loadDemoOrders(ctx, tx, now)
	})
	a.Service.ResetCatalog()
	return err
}

// loadCatalog saves the demo catalog and its price lists.
func loadCatalog(ctx context.Context, tx *sqlite.Store) error {
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
func (a *App) loadDemoOrders(ctx context.Context, tx *sqlite.Store, now time.Time) error {
	products := demo.Catalog()
	seller, _, err := tx.FindUserByEmail(ctx, demo.PartnerUsers[2].Email)
	if err != nil {
		return err
	}
	actor := desk.Actor{User: seller, IP: "127.0.0.1"}
	cfg := a.Service.Config()
	for i, o := range demo.Orders {
		at := now.Add(-time.Duration(o.AgeDays)*24*time.Hour - time.Duration(o.AgeHours)*time.Hour - time.Duration(i)*time.Minute)
		svc := service.New(store{tx}, func() time.Time { return at }, cfg)
		var lines []desk.CartLine
		for _, l := range o.Lines {
			offer, ok := demo.ResolveOffer(products, l.Match, l.Term)
			if !ok {
				return fmt.Errorf("demo order: no offer matches %q %s", l.Match, l.Term)
			}
			lines = append(lines, desk.CartLine{OfferID: offer.ID, Quantity: l.Qty})
		}
		if _, _, err := svc.PlaceOrder(ctx, actor, demo.TenantID(o.Customer), fmt.Sprintf("demo-%d", i), lines); err != nil {
			return fmt.Errorf("demo order %d for %s: %w", i, o.Customer, err)
		}
	}
	return nil
}

// Close closes the store.
func (a *App) Close() error { return a.Store.Close() }
