package desk

import "time"

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
}
