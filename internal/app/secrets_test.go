package app_test

import (
	"context"
	"strings"
	"testing"

	"partnerdesk/internal/app"
	"partnerdesk/internal/app/apptest"
)

// An instance whose key-encryption key is not the one the product keys were sealed with refuses
// to start (a restore with the wrong secrets.json used to start and then fail every key reveal);
// a database written before the check value existed is verified by opening a stored key.
func TestWrongKeyEncryptionKeyRefused(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	if v, ok, err := env.App.Store.GetMeta(ctx, "kek_check"); err != nil || !ok || v == "" {
		t.Fatalf("no check value recorded: %q %v %v", v, ok, err)
	}
	base := env.App.Service.Config()
	env.App.Close()
	open := func(kek []byte) error {
		cfg := app.Config{DataDir: env.Dir, DatabaseURL: env.DatabaseURL, KeyEncryptionKey: kek, BcryptCost: 4, Logger: quietLogger()}
		if env.DatabaseURL != "" {
			cfg.SessionSecret = "partnerdesk-test-session-secret-0123456789"
		}
		a, err := app.Open(ctx, cfg)
		if err == nil {
			a.Close()
		}
		return err
	}
	wrong := []byte("a-different-key-encryption-key!!")
	if err := open(wrong); err == nil || !strings.Contains(err.Error(), "key-encryption key does not match") {
		t.Fatalf("wrong key: %v, want a refusal naming the key-encryption key", err)
	}
	// A database from before the check value: the stored keys decide.
	st, err := app.OpenStore(ctx, env.Dir, env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Engine().Reader().ExecContext(ctx, `DELETE FROM meta WHERE key = 'kek_check'`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := open(wrong); err == nil || !strings.Contains(err.Error(), "key-encryption key does not match") {
		t.Fatalf("wrong key on a database without a check value: %v", err)
	}
	if err := open(base.KeyEncryptionKey); err != nil {
		t.Fatalf("the right key: %v", err)
	}
	st, err = app.OpenStore(ctx, env.Dir, env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok, _ := st.GetMeta(ctx, "kek_check"); !ok {
		t.Fatal("the check value was not recorded after a successful start")
	}
}

// On PostgreSQL both shared secrets are required, with a message saying why.
func TestPostgresNeedsSharedSecrets(t *testing.T) {
	_, err := app.Open(context.Background(), app.Config{DataDir: t.TempDir(), DatabaseURL: "postgres://nobody@127.0.0.1:1/none", Logger: quietLogger()})
	if err == nil || !strings.Contains(err.Error(), "PARTNERDESK_SESSION_SECRET and PARTNERDESK_KEY_ENCRYPTION_KEY must be set") {
		t.Fatalf("no secrets on PostgreSQL: %v", err)
	}
}
