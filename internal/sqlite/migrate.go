package sqlite

import (
	"context"
	"io/fs"

	"partnerdesk/migrations"
)

// Migrations: the SQLite migrations, embedded.

// Migrate applies the SQLite migrations not applied yet.
func (s *Store) Migrate(ctx context.Context) error { return s.Store.Migrate(ctx, migrations.SQLite) }

func migrationsFS() fs.FS { return migrations.SQLite }
