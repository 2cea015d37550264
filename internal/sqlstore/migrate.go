package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"time"
)

// migrateLock names the lock migrations run under, so that instances starting together on one
// database apply each migration once.
const migrateLock = "partnerdesk migrate"

// Migrate applies the migrations of files (numbered *.sql, applied in name order) not applied
// yet, each in its own transaction, recorded in schema_migrations by file name. It holds the
// engine's lock meanwhile.
func (s *Store) Migrate(ctx context.Context, files fs.FS) error {
	unlock, err := s.eng.Lock(ctx, migrateLock)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer unlock()
	if _, err := s.eng.Reader().ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		err := s.eng.RunTx(ctx, func(q Querier) error {
			var n int
			if err := q.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			body, err := fs.ReadFile(files, name)
			if err != nil {
				return err
			}
			if _, err := q.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err = q.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, name, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}
