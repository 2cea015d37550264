package desk

import (
	"regexp"
	"strings"
	"time"
)

// Order statuses, as Partner Center names them.
const (
	OrderCompleted = "completed"
	OrderPending   = "pending"
	OrderCancelled = "cancelled"
)

// Line item and entitlement statuses.
const (
	StatusActive    = "active"
	StatusCancelled = "cancelled"
)

// MaxQuantity is the largest quantity of one line (R10).
const MaxQuantity = 10000

// Order is a purchase for a customer.
type Order struct {
	ID         string
	CustomerID string
	CreatedAt  time.Time
	// CreatedBy is the email of the user who placed it.
	CreatedBy string
	Status    string
	Currency  string
	Amounts   Amounts
	Lines     []LineItem
	// RequestHash is the hash of the API request that placed it (nil from the portal): an
	// idempotency key reused with another request is refused (R9).
	RequestHash []byte
}

// LineItem is one product line of an order.
type LineItem struct {
	Number       int
	OfferID      string
	ProductID    string
	Kind         ProductKind
	Title        string
	Quantity     int // 0 once cancelled (as Partner Center reports it)
	Ordered      int // the quantity bought
	Term         string
	BillingCycle string
	UnitPrice    int64
	Amounts      Amounts
	Status       string
	// EntitlementID is the software entitlement the line created ("" for Azure kinds).
	EntitlementID string
	// Credit and CancelledAt are the line's cancellation (R20); zero while it is active.
	Credit      Credit
	CancelledAt time.Time
	// Charged counts the installments charged so far (R25); NextChargeAt is when the next one's
	// service period starts (zero when none is left).
	Charged      int
	NextChargeAt time.Time
}

// CartLine is a line of a cart or of an order request.
type CartLine struct {
	OfferID      string
	Quantity     int
	BillingCycle string
	// Term, when given (the API's termDuration), must match the offer's term.
	Term string
}

// PricedLine is a cart line with its offer, product and price for the customer's market.
type PricedLine struct {
	CartLine
	Offer   Offer
	Product Product
	Amounts Amounts
}

// Cart is a user's cart for one customer, priced.
type Cart struct {
	CustomerID string
	Currency   string
	Lines      []PricedLine
	Total      Amounts
}

// OrderFilter pages a customer's order history, newest first.
type OrderFilter struct {
	CustomerID string
	// After is an opaque cursor; Limit the page size.
	After string
	Limit int
}

// OrderPage is a page of orders.
type OrderPage struct {
	Items []Order
	Total int
	Next  string
}

// Entitlement is a software purchase on a customer's Software tab.
type Entitlement struct {
	ID           string
	CustomerID   string
	OrderID      string
	LineNumber   int
	ProductID    string
	ProductTitle string
	OfferTitle   string
	Kind         ProductKind
	Quantity     int
	Status       string
	CreatedAt    time.Time
	CancelledAt  time.Time
	// DownloadedAt is the first download's time (zero when never downloaded).
	DownloadedAt time.Time
}

// AzurePurchase is an Azure Reservation or Azure software plan (SUSE Linux, Red Hat) bought
// for a customer: an order line with no keys or downloads, listed on the Software tab.
type AzurePurchase struct {
	OrderID    string
	LineNumber int
	ProductID  string
	Kind       ProductKind
	Title      string
	Quantity   int
	Term       string
	Status     string
	CreatedAt  time.Time
	// NeverCancellable marks SUSE Linux and Red Hat plans (R13).
	NeverCancellable bool
	// Deadline and DaysLeft are the cancellation window (R12); DaysLeft is 0 once it passed.
	Deadline time.Time
	DaysLeft int
}

// PoolCount is the state of a key pool (product, version).
type PoolCount struct {
	ProductID, ProductTitle, Version string
	Free, Assigned                   int
}

// Keys are 25 characters in five groups, as Windows and SQL Server MAKs are (not the seed's
// "32-digit"): XXXXX-XXXXX-XXXXX-XXXXX-XXXXX.
var keyPattern = regexp.MustCompile(`^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$`)

// NormalizeKey upper-cases and trims a product key.
func NormalizeKey(k string) string { return strings.ToUpper(strings.TrimSpace(k)) }

// ValidKey reports whether k (normalized) has the product key format.
func ValidKey(k string) bool { return keyPattern.MatchString(k) }

// Edition key for a download: which build of an entitlement's product.
type EditionRef struct {
	Version, Language, Bitness string
}

// DownloadLink is a signed link to an edition's file (SPEC §4).
type DownloadLink struct {
	URL       string
	ExpiresAt time.Time
	FileName  string
	SHA256    string
	Size      int64
}
