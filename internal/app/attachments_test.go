package app_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"partnerdesk/internal/app"
	"partnerdesk/internal/app/apptest"
)

// A SQLite data directory of an older version kept attachments as files: on start they move into
// the database (every instance then serves them from there) and the files are removed.
func TestLegacyAttachmentFilesMoveIntoTheDatabase(t *testing.T) {
	if apptest.OnPostgres() {
		t.Skip("attachment files existed on SQLite only")
	}
	env := apptest.Start(t)
	ctx := context.Background()
	q := env.App.Store.Engine().Reader()
	now := time.Now().UnixMilli()
	if _, err := q.ExecContext(ctx, `INSERT INTO support_requests (id, number, created_at, created_by, problem_type, impact, title, description,
		contact_name, contact_email, status, updated_at) VALUES ('sr-old', 900, ?, 'x@partner.example', 'billing', 'minimal', 'Old', 'Old request',
		'X', 'x@partner.example', 'new', ?)`, now, now); err != nil {
		t.Fatal(err)
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO support_attachments (id, request_id, file_name, content_type, size, legacy_file)
		VALUES ('att-old', 'sr-old', 'notes.txt', 'text/plain; charset=utf-8', 5, '0123abcd')`); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(env.Dir, "attachments")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "0123abcd"), []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	env.App.Close()
	a, err := app.Open(ctx, app.Config{DataDir: env.Dir, BcryptCost: 4, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	data, err := a.Store.AttachmentData(ctx, "sr-old", "att-old")
	if err != nil || string(data) != "hello" {
		t.Fatalf("attachment after the move: %q, %v", data, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "0123abcd")); !os.IsNotExist(err) {
		t.Fatalf("the file is still there: %v", err)
	}
}
