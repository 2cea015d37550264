// Package httperr is the one mapping of domain error codes (desk.E…) to HTTP statuses, used by
// both HTTP layers: the portal (internal/server) renders the status with its page, the REST API
// (internal/api) adds Partner Center's error code to its body.
package httperr

import (
	"errors"
	"net/http"

	"partnerdesk/internal/desk"
)

// statuses holds the status of every domain error code but EINTERNAL.
var statuses = map[string]int{
	desk.EINVALID:      http.StatusBadRequest,
	desk.EWINDOWCLOSED: http.StatusBadRequest,
	desk.ENOTCANCEL:    http.StatusBadRequest,
	desk.ENEEDSUPPORT:  http.StatusBadRequest,
	desk.ENOTFOUND:     http.StatusNotFound,
	desk.EFORBIDDEN:    http.StatusForbidden,
	desk.EUNAUTHORIZED: http.StatusUnauthorized,
	desk.ECONFLICT:     http.StatusConflict,
	desk.ERATELIMIT:    http.StatusTooManyRequests,
	desk.EGONE:         http.StatusGone,
	desk.EKEYREUSED:    http.StatusUnprocessableEntity,
}

// Status returns the HTTP status of a domain error code; an unknown code (EINTERNAL) is 500.
func Status(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// StatusOf returns the HTTP status of any error: a domain error's by its code, a validation
// error's 400, anything else 500.
func StatusOf(err error) int {
	var ve *desk.ValidationError
	if errors.As(err, &ve) {
		return http.StatusBadRequest
	}
	return Status(desk.ErrorCode(err))
}
