package sqlite

import (
	"context"
	"fmt"
	"os"
)

// Backup writes a consistent copy of the database to path while it is in use (VACUUM INTO reads
// one snapshot; writers carry on). The file must not exist yet.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists", path)
	}
	if _, err := s.rdb.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return os.Chmod(path, 0o600) // it holds customers, orders and sealed keys
}

// IntegrityCheck runs SQLite's integrity check and returns its answer ("ok" when sound).
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	var res string
	err := s.rdb.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res)
	return res, err
}
