package httperr

import (
	"fmt"
	"net/http"
	"testing"

	"partnerdesk/internal/desk"
)

// Every domain error code has its status here and nowhere else (both HTTP layers use it).
func TestStatus(t *testing.T) {
	for _, tt := range []struct {
		code string
		want int
	}{
		{desk.EINVALID, http.StatusBadRequest},
		{desk.EWINDOWCLOSED, http.StatusBadRequest}, // R12: Partner Center answers 400 with 900117
		{desk.ENOTCANCEL, http.StatusBadRequest},    // R13
		{desk.ENEEDSUPPORT, http.StatusBadRequest},
		{desk.ENOTFOUND, http.StatusNotFound}, // R5: outside the tenant is not found
		{desk.EFORBIDDEN, http.StatusForbidden},
		{desk.EUNAUTHORIZED, http.StatusUnauthorized},
		{desk.ECONFLICT, http.StatusConflict},
		{desk.ERATELIMIT, http.StatusTooManyRequests},
		{desk.EGONE, http.StatusGone},
		{desk.EKEYREUSED, http.StatusUnprocessableEntity},
		{desk.EINTERNAL, http.StatusInternalServerError},
		{"something-new", http.StatusInternalServerError},
	} {
		if got := Status(tt.code); got != tt.want {
			t.Errorf("Status(%q) = %d, want %d", tt.code, got, tt.want)
		}
	}
}

func TestStatusOf(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want int
	}{
		{desk.KeyError(desk.ENOTFOUND, "err.x"), http.StatusNotFound},
		{fmt.Errorf("wrapped: %w", desk.KeyError(desk.EGONE, "err.x")), http.StatusGone},
		{desk.FieldErrors{"name": "err.x"}.Err(), http.StatusBadRequest},
		{fmt.Errorf("disk on fire"), http.StatusInternalServerError},
	} {
		if got := StatusOf(tt.err); got != tt.want {
			t.Errorf("StatusOf(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
