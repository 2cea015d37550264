package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"

	"partnerdesk/internal/desk"
)

// Error mapping: driver errors to domain errors (desk.Error with a catalog key).

// wrap maps driver errors to domain errors: constraint violations become ECONFLICT naming the
// column when the engine can tell it.
func (s *Store) wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	var de *desk.Error
	if errors.As(err, &de) {
		return err
	}
	if ok, field := s.eng.Conflict(err); ok {
		return &desk.Error{Code: desk.ECONFLICT, Message: "err.conflict", Field: field}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// notFound maps sql.ErrNoRows to ENOTFOUND with the catalog key; another error is wrapped.
func notFound(err error, key string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return desk.Errorf(desk.ENOTFOUND, key)
	}
	return fmt.Errorf("%s: %w", key, err)
}

// affectedOne is ENOTFOUND with the catalog key when the statement changed no row.
func affectedOne(res sql.Result, err error, key string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return desk.Errorf(desk.ENOTFOUND, key)
	}
	return nil
}
