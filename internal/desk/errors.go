// Package desk is PartnerDesk's domain: its types, the role and permission table, the pure rules of
// the SPEC (R1…) and the Error type. It depends on the standard library only.
package desk

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. The HTTP layer maps each to a status; only EINTERNAL is logged with detail.
const (
	EINVALID      = "invalid"         // bad input: 400/422
	ENOTFOUND     = "not_found"       // missing, or outside the caller's tenant (R5): 404
	EFORBIDDEN    = "forbidden"       // the role does not allow it (R1–R5): 403
	EUNAUTHORIZED = "unauthorized"    // not signed in: 401 / redirect to sign-in
	ECONFLICT     = "conflict"        // uniqueness or state conflict: 409
	ERATELIMIT    = "rate_limited"    // too many attempts: 429
	EGONE         = "gone"            // revoked or expired: 410
	EWINDOWCLOSED = "window_closed"   // past the cancellation window (R12): 400
	ENOTCANCEL    = "not_cancellable" // never cancellable (R13): 400
	ENEEDSUPPORT  = "needs_support"   // downloaded, or above the amount limit: a support request: 400
	EKEYREUSED    = "key_reused"      // an idempotency key used before for another request: 422
	EINTERNAL     = "internal"        // a bug or an outage: 500
)

// Error is a domain error: a code for the machine and, for the user, a message catalog key
// (internal/i18n, "err.…") with its Args, translated at the edge (the portal in the reader's
// language, the API in English). Message is always a key, never a sentence.
type Error struct {
	Code string
	// Message is a catalog key ("err.order_not_found"); a test in internal/i18n checks that
	// every key the code uses is in every catalog.
	Message string
	// Field names the form field the message is about, when there is one.
	Field string
	// Roles names the roles that would have been allowed, for EFORBIDDEN (R5).
	Roles []Role
	// Perm is the permission that was missing, for EFORBIDDEN (the denial's event names it).
	Perm Permission
	// Args fill the verbs of the message the key names (a CountryCode shows as the market's
	// name in the reader's language).
	Args []any
	// RetryAfter says when to try again, for ERATELIMIT.
	RetryAfter time.Duration
}

// RateLimited returns an ERATELIMIT error whose message is a catalog key (with args) and that says
// when to try again (the HTTP layers send it as Retry-After).
func RateLimited(wait time.Duration, key string, args ...any) *Error {
	return &Error{Code: ERATELIMIT, Message: key, Args: args, RetryAfter: wait}
}

// RetrySeconds is the whole seconds to wait before trying again, at least 1.
func (e *Error) RetrySeconds() int {
	return max(1, int((e.RetryAfter+time.Second-1)/time.Second))
}

// CountryCode is a market code used as a message argument; messages show its localized name.
type CountryCode string

// NumberArg is a number used as a message argument: messages show it with the reader's digit
// grouping ("10,000", "10 000").
type NumberArg int64

// TermArg is an offer term ("", "P1Y", "P3Y") used as a message argument: messages show its
// localized name ("1 year", "1 év"); an unknown term shows as it is.
type TermArg string

// KeyError returns a domain error whose message is a catalog key with arguments.
func KeyError(code, key string, args ...any) *Error {
	return &Error{Code: code, Message: key, Args: args}
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns a domain error whose message is a catalog key with arguments (as KeyError).
func Errorf(code, key string, args ...any) *Error {
	return &Error{Code: code, Message: key, Args: args}
}

// FieldError returns an EINVALID error about one form field, its message a catalog key with
// arguments.
func FieldError(field, key string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: key, Args: args}
}

// ErrorCode returns the code of a domain error, EINTERNAL for anything else and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the catalog key of a domain error's message, or the generic one.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "error.internal"
}

// FieldErrors collects several field errors of one form so that all are shown at once.
type FieldErrors map[string]string

// Err returns the collected errors as one EINVALID error, or nil when there are none.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &ValidationError{Fields: f}
}

// ValidationError is an EINVALID error about several form fields.
type ValidationError struct {
	Fields FieldErrors
	// Args fill the verbs of a field's message, when it has any.
	Args map[string][]any
}

func (v *ValidationError) Error() string {
	return "invalid: " + fmt.Sprint(map[string]string(v.Fields))
}
