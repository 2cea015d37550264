package desk

import "time"

// ActivityFilter selects activity log events (SPEC §5): a date range, and optionally a customer,
// a user and an action; keyset pagination newest first.
type ActivityFilter struct {
	From, To time.Time // inclusive range, UTC
	// CustomerIDs restricts to these customers; nil for all.
	CustomerIDs []string
	// CustomerQuery restricts to the customers whose name, domain or tenant ID matches it.
	CustomerQuery string
	// Actor is a user's email (exact).
	Actor string
	// Operation is an operation type (exact).
	Operation string
	// ResourceType is a resource type (exact; the API's audit filter).
	ResourceType string
	// After is the cursor of the last event of the previous page.
	After string
	Limit int
}

// ActivityPage is one page of events, newest first.
type ActivityPage struct {
	Items []Event
	Next  string
}

// DayCount is how many events of an operation happened on a day (for the chart).
type DayCount struct {
	Day       time.Time
	Operation string
	N         int
}

// Operations lists the operation types the activity log filters by, in display order.
var Operations = []string{
	OpGetSoftwareKey, OpGetDownloadLink, OpDownload, OpSharedDownload, OpCreateOrder, OpUpdateOrder,
	OpSignIn, OpSignInFailed, OpSignOut, OpPermissionDenied, OpCreateCustomer, OpCreateUser, OpUpdateUser,
	OpImportKeys, OpFileSupport, OpUpdateSupport, OpCreateAPIToken, OpRevokeAPIToken, OpChangeWebhook,
	OpDeleteUser, OpChangePassword, OpMFAEnrol, OpMFAFailed, OpMFARecoveryCodes, OpMFADisable,
}

// DefaultMaxActivityRange caps the date range of one activity query.
const DefaultMaxActivityRange = 366 * 24 * time.Hour
