package sqlite

import (
	"context"
	"fmt"
	"os"
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
	if _, err := s.rdb.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity check and returns its answer ("ok" when sound).
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	var res string
	err := s.rdb.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res)
	return res, err
}
