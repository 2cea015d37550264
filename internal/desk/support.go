package desk

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Support request statuses.
const (
	SupportNew        = "new"
	SupportInProgress = "in_progress"
	SupportResolved   = "resolved"
	SupportClosed     = "closed"
)

// SupportStatuses lists the statuses in their order.
var SupportStatuses = []string{SupportNew, SupportInProgress, SupportResolved, SupportClosed}

// ProblemRefund is the preselected problem type of a cancellation request (SPEC §8).
const ProblemRefund = "csp_purchase_refund"

// ProblemTypes lists the problem types of Report a problem.
var ProblemTypes = []string{ProblemRefund, "billing", "keys_downloads", "orders", "account", "other"}

// Impacts lists the impact levels.
var Impacts = []string{"low", "medium", "high", "critical"}

// SupportRequest is a request filed with Report a problem (SPEC §8).
type SupportRequest struct {
	ID              string
	Number          int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	CreatedBy       string
	ProblemType     string
	Impact          string
	Title           string
	CustomerRef     string
	OrderRef        string
	RefundReason    string
	RequestedAmount string
	Description     string
	ContactName     string
	ContactEmail    string
	ContactPhone    string
	Status          string
	Attachments     []Attachment
}

// Ref is the request's human reference, SR-000123.
func (r SupportRequest) Ref() string { return fmt.Sprintf("SR-%06d", r.Number) }

// Attachment is a file added to a support request.
type Attachment struct {
	ID, RequestID, FileName, StoredName, ContentType string
	Size                                             int64
}

// Normalize trims the fields.
func (r *SupportRequest) Normalize() {
	for _, f := range []*string{&r.ProblemType, &r.Impact, &r.Title, &r.CustomerRef, &r.OrderRef, &r.RefundReason,
		&r.RequestedAmount, &r.Description, &r.ContactName, &r.ContactEmail, &r.ContactPhone} {
		*f = strings.TrimSpace(*f)
	}
}

func oneOf(v string, list []string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Validate checks a new request and returns every problem at once.
func (r SupportRequest) Validate() error {
	errs := FieldErrors{}
	if !oneOf(r.ProblemType, ProblemTypes) {
		errs["problem_type"] = "err.required"
	}
	if !oneOf(r.Impact, Impacts) {
		errs["impact"] = "err.required"
	}
	req := func(field, v string, max int) {
		if v == "" {
			errs[field] = "err.required"
		} else if len(v) > max {
			errs[field] = "err.too_long"
		}
	}
	req("title", r.Title, 200)
	req("description", r.Description, 10000)
	req("contact_name", r.ContactName, 120)
	if !ValidEmail(r.ContactEmail) {
		errs["contact_email"] = "err.email"
	}
	for field, v := range map[string]string{"customer_ref": r.CustomerRef, "refund_reason": r.RefundReason, "requested_amount": r.RequestedAmount, "contact_phone": r.ContactPhone} {
		if len(v) > 500 {
			errs[field] = "err.too_long"
		}
	}
	if r.OrderRef != "" && !ValidOrderRef(r.OrderRef) {
		errs["order_ref"] = "err.order_ref"
	}
	return errs.Err()
}

// orderRef is an order ID or a subscription ID: a GUID (PartnerDesk's orders, Partner Center's
// subscriptions) or Partner Center's alphanumeric order ID, with inner hyphens.
var orderRef = regexp.MustCompile(`^(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)$`)

// ValidOrderRef reports whether s has the shape of an order ID or a subscription ID. The order
// reference of a support request goes into the activity log's order column (and its CSV
// export), so it must be an identifier, not free text.
func ValidOrderRef(s string) bool { return orderRef.MatchString(s) }
