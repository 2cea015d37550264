package desk

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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
	ID, RequestID, FileName, ContentType string
	Size                                 int64
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

// attachmentExts are the file name extensions of each accepted attachment type, the first the
// one given to a file whose name has none of them.
var attachmentExts = map[string][]string{
	"image/png": {".png"}, "image/jpeg": {".jpg", ".jpeg"}, "image/gif": {".gif"}, "image/webp": {".webp"},
	"application/pdf": {".pdf"}, "application/zip": {".zip"},
	"text/plain": {".txt", ".log", ".csv"}, "text/csv": {".csv", ".txt"},
}

// maxAttachmentName bounds an attachment's name, in characters.
const maxAttachmentName = 120

// AttachmentFileName is the name an attachment is stored and downloaded under: the uploaded name
// without its path, without control and format characters (a right-to-left override makes
// "invoice\u202Efdp.exe" read as "invoiceexe.pdf"), quotes or slashes, at most 120 characters,
// and with the extension of its sniffed content type — a GIF that is also an HTML page, sent as
// "x.html", is "x.gif" — so that the name never tells a program to open it as something else.
func AttachmentFileName(name, contentType string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(strings.Trim(strings.TrimSpace(name), "."))
	base, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		base, ext = name[:i], strings.ToLower(name[i:])
	}
	mediaType, _, _ := strings.Cut(contentType, ";")
	exts := attachmentExts[strings.TrimSpace(mediaType)]
	if len(exts) == 0 {
		exts = []string{".bin"}
	}
	if !slices.Contains(exts, ext) {
		base, ext = name, exts[0]
		if i := strings.LastIndexByte(name, '.'); i > 0 {
			base = name[:i]
		}
	}
	if base == "" {
		base = "attachment"
	}
	if r := []rune(base); len(r)+len(ext) > maxAttachmentName {
		base = string(r[:maxAttachmentName-len(ext)])
	}
	return base + ext
}
