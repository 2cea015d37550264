package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"partnerdesk/internal/app"
)

// backupCmd writes an online, consistent copy of the database (`partnerdesk backup --to FILE`):
// SQLite's VACUUM INTO, or pg_dump --format=custom on PostgreSQL. Restore (SQLite): stop
// PartnerDesk, copy FILE to DATA_DIR/partnerdesk.db (removing any -wal and -shm files beside
// it), keep DATA_DIR/secrets.json (the key-encryption key opens the product keys), start again,
// and run `partnerdesk audit verify`. PostgreSQL: pg_restore into an empty database.
func backupCmd(args []string, _ io.Reader, stdout, _ io.Writer) error {
	var to string
	cfg, err := parse("backup", args, stdout, 0, func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "the backup file to write (must not exist)")
	})
	if err != nil {
		return err
	}
	if to == "" {
		return usageError{"partnerdesk backup needs --to FILE, the backup file to write (partnerdesk backup --help lists its flags)."}
	}
	st, err := app.OpenStoreWith(context.Background(), app.Config{DataDir: cfg.dataDir, DatabaseURL: cfg.databaseURL, SQLiteSynchronous: cfg.sqliteSynchronous})
	if err != nil {
		return err
	}
	defer st.Close()
	abs, _ := filepath.Abs(to)
	if err := st.Backup(context.Background(), abs); err != nil {
		return err
	}
	if st.Postgres != nil {
		fmt.Fprintf(stdout, "backup written to %s (pg_dump custom format: restore with pg_restore); keep PARTNERDESK_KEY_ENCRYPTION_KEY with it\n", abs)
		return nil
	}
	fmt.Fprintf(stdout, "backup written to %s; back up %s too (it holds the key-encryption key)\n", abs, filepath.Join(cfg.dataDir, "secrets.json"))
	return nil
}
