// Package httperr is the one mapping of domain error codes (desk.E…) to HTTP statuses, used by
// both HTTP layers: the portal (internal/server) renders the status with its page, the REST API
// (internal/api) adds Partner Center's error code to its body.
package httperr

import (
	"errors"
	"net/http"

	"partnerdesk/internal/desk"
)

// Status returns the HTTP status of a domain error code; an unknown code (EINTERNAL) is 500.
func Status(code string) int {
	switch code {
	case desk.EINVALID, desk.EWINDOWCLOSED, desk.ENOTCANCEL, desk.ENEEDSUPPORT:
		return http.StatusBadRequest
	case desk.ENOTFOUND:
		return http.StatusNotFound
	case desk.EFORBIDDEN:
		return http.StatusForbidden
	case desk.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case desk.ECONFLICT:
		return http.StatusConflict
	case desk.ERATELIMIT:
		return http.StatusTooManyRequests
	case desk.EGONE:
		return http.StatusGone
	case desk.EKEYREUSED:
		return http.StatusUnprocessableEntity
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
