package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"partnerdesk/internal/sqlstore"
)

// Backup writes a consistent copy of the database to path while it is in use (VACUUM INTO reads
// one snapshot; writers carry on). The file must not exist yet.
func (s *Store) Backup(ctx context.Context, path string) error {
	// Create the (empty) file first, exclusively and private: it will hold customers, orders and
	// sealed keys, and an existing file is never overwritten. VACUUM INTO accepts an empty file.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f.Close()
	if _, err := s.e.rdb.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity check and returns its answer ("ok" when sound).
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	var res string
	err := s.e.rdb.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res)
	return res, err
}

// ImportAttachmentFiles moves the attachment files of an older data directory (kept in dir under
// random names) into the database, where attachments now live, and removes each file once its
// bytes are committed. It returns how many it moved.
func (s *Store) ImportAttachmentFiles(ctx context.Context, dir string) (int, error) {
	rows, err := s.e.rdb.QueryContext(ctx, `SELECT id, legacy_file FROM support_attachments WHERE data IS NULL AND legacy_file IS NOT NULL`)
	if err != nil {
		return 0, fmt.Errorf("attachment files: %w", err)
	}
	type legacy struct{ id, file string }
	var todo []legacy
	for rows.Next() {
		var l legacy
		if err := rows.Scan(&l.id, &l.file); err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	moved := 0
	for _, l := range todo {
		path := filepath.Join(dir, filepath.Base(l.file))
		data, err := os.ReadFile(path)
		if err != nil {
			return moved, fmt.Errorf("attachment %s: %w", l.id, err)
		}
		err = s.InTx(ctx, func(tx *sqlstore.Store) error {
			return tx.SetLegacyAttachmentData(ctx, l.id, data)
		})
		if err != nil {
			return moved, err
		}
		os.Remove(path)
		moved++
	}
	return moved, nil
}
