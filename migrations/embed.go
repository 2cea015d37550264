// Package migrations holds the numbered SQL files that build the database, applied in order.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
