package app_test

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"partnerdesk/internal/app"

	"golang.org/x/crypto/bcrypt"
)

// Low finding: database and data files were created 0644. Every file PartnerDesk creates in
// its data directory — the SQLite database and its -wal and -shm, secrets.json, the serve lock,
// the checkpoint file, the demo's downloadable files — is 0600, every directory 0700, and a
// backup is 0600, whatever the process's umask.
func TestDataFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022) // the usual umask, which let SQLite make its files 0644
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	a, err := app.Open(context.Background(), app.Config{DataDir: dir, Demo: true, ExclusiveServe: true, BcryptCost: bcrypt.MinCost,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	a.Start()
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := a.Store.Backup(context.Background(), backup); err != nil {
		t.Fatal(err)
	}
	a.Stop() // the last checkpoint
	seen := map[string]bool{}
	check := func(path string, d fs.DirEntry) {
		t.Helper()
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		want := fs.FileMode(0o600)
		if st.IsDir() {
			want = 0o700
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s is %v, want %v", path, st.Mode().Perm(), want)
		}
		seen[filepath.Base(path)] = true
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		check(path, d)
		return nil
	})
	check(backup, nil)
	for _, f := range []string{"partnerdesk.db", "partnerdesk.db-wal", "partnerdesk.db-shm", "secrets.json", "serve.lock", app.CheckpointFile, "artifacts"} {
		if !seen[f] {
			t.Errorf("%s was not checked (not created?)", f)
		}
	}
	a.Close()
}
