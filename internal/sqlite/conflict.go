package sqlite

import (
	"errors"
	"strings"

	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

// Error mapping: SQLite constraint errors to the store's conflicts.

// Conflict recognises SQLite's constraint errors and names the column of a UNIQUE one.
func (e *engine) Conflict(err error) (bool, string) {
	var se *sqlite3.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3lib.SQLITE_CONSTRAINT {
		return true, constraintField(se.Error())
	}
	return false, ""
}

// constraintField extracts "domain" from "UNIQUE constraint failed: customers.domain".
func constraintField(msg string) string {
	_, after, ok := strings.Cut(msg, "constraint failed: ")
	if !ok {
		return ""
	}
	after, _, _ = strings.Cut(after, ",")
	_, col, _ := strings.Cut(strings.TrimSpace(after), ".")
	col, _, _ = strings.Cut(col, " ")
	return col
}
