// Package migrations holds the numbered SQL files that build the database, one folder per engine,
// applied in name order.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// SQLite holds the SQLite migrations (their names are the versions recorded in existing data
// directories).
var SQLite = sub("sqlite")

// Postgres holds the PostgreSQL migrations: one initial file equivalent to SQLite's first seven,
// then the same numbering.
var Postgres = sub("postgres")

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err)
	}
	return f
}
