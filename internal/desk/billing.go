package desk

import (
	"fmt"
	"time"
)

// Cancellation records a cancelled line and its credit (R15, R20).
type Cancellation struct {
	ID          string
	CustomerID  string
	OrderID     string
	LineNumber  int
	CancelledAt time.Time
	CancelledBy string
	Currency    string
	Credit      Credit
}

// Invoice line kinds.
const (
	InvoiceCharge = "charge"
	InvoiceCredit = "credit"
)

// InvoiceLine is a charge (an order line) or a credit (a cancellation) on a monthly invoice.
type InvoiceLine struct {
	ID           int64
	Period       string // YYYY-MM
	Currency     string
	CustomerID   string
	CustomerName string
	// Country is the customer's market: it says whether the amounts include tax (R6).
	Country    string
	OrderID    string
	LineNumber int
	Kind       string
	// Description is the line's stored text, in English: the API and the CSV export return it.
	Description string
	Net, Tax    int64
	Gross       int64
	CreatedAt   time.Time
	// Title and Quantity are the order line's offer title and ordered quantity; UsedDays and
	// TermDays are a credit's proration (TermDays 0: a full credit). Pages write the line's text
	// from them in the reader's language.
	Title              string
	Quantity           int
	UsedDays, TermDays int
	// ServiceStart and ServiceEnd are the first and last day (UTC) of the service the line covers
	// (R25): a charge's month or term, a credit's unused part, a perpetual licence's purchase day.
	ServiceStart, ServiceEnd time.Time
	// BillingCycle is the order line's billing cycle (one_time, annual, monthly).
	BillingCycle string
}

// DueCharge is an installment of a monthly-billed line whose service period has started and that
// is not charged yet (R25).
type DueCharge struct {
	OrderID      string
	LineNumber   int
	CustomerID   string
	Currency     string
	PurchasedAt  time.Time
	Title        string
	Ordered      int
	Term         string
	BillingCycle string
	// Amounts are the line's, for its whole term; Charged counts the installments charged.
	Amounts Amounts
	Charged int
}

// DateFormat is how service period days are written and stored (UTC).
const DateFormat = "2006-01-02"

// Period returns the invoice period (YYYY-MM, UTC) of an instant. Charges and credits go on the
// invoice of the month they happen in, which is issued after that month ends: a cancellation's
// credit therefore appears on the next monthly invoice the partner receives (R20).
func Period(t time.Time) string { return t.UTC().Format("2006-01") }

// InvoiceID names the monthly invoice of a period and currency, e.g. "INV-2026-11-HUF".
func InvoiceID(period, currency string) string { return fmt.Sprintf("INV-%s-%s", period, currency) }

// ParseInvoiceID splits an invoice ID; ok is false when it is not one.
func ParseInvoiceID(id string) (period, currency string, ok bool) {
	if len(id) != len("INV-2026-11-HUF") || id[:4] != "INV-" || id[11] != '-' {
		return "", "", false
	}
	period, currency = id[4:11], id[12:]
	if _, err := time.Parse("2006-01", period); err != nil {
		return "", "", false
	}
	for _, c := range currency {
		if c < 'A' || c > 'Z' {
			return "", "", false
		}
	}
	return period, currency, true
}

// Invoice statuses.
const (
	InvoiceOpen   = "open"   // the current period: collects charges and credits
	InvoiceIssued = "issued" // a past period
)

// Invoice is a monthly invoice in one currency with its totals.
type Invoice struct {
	ID       string
	Period   string
	Currency string
	Status   string
	Lines    int
	Charges  int64 // gross of the charges
	Credits  int64 // gross of the credits (negative)
	Net, Tax int64
	Gross    int64
}

// InvoiceStatus is open for the current period and issued for past ones.
func InvoiceStatus(period string, now time.Time) string {
	if period >= Period(now) {
		return InvoiceOpen
	}
	return InvoiceIssued
}

// Cancel option states in the cancel dialog (SPEC §6).
const (
	CancelOK           = "cancellable"
	CancelWindowPassed = "window_passed" // R12
	CancelNever        = "never"         // R13
	CancelNeedsSupport = "needs_support" // above the amount limit, or already downloaded
	CancelDone         = "cancelled"     // R19
)

// CancelOption is one order of the product in the cancel dialog's Order number drop-down.
type CancelOption struct {
	OrderID       string
	EntitlementID string
	LineNumber    int
	Title         string
	Quantity      int
	PurchasedAt   time.Time
	Deadline      time.Time
	DaysLeft      int
	// Kind and Window are the product's kind and its configured cancellation window (R26).
	Kind   ProductKind
	Window time.Duration
	State  string
	// Reason says why a request is needed: "amount" or "downloaded".
	Reason   string
	Currency string
	Line     Amounts
	// Credit is what cancelling now would give back (R20).
	Credit Credit
}

// CancelDialog is the data of the cancel dialog of one product of a customer.
type CancelDialog struct {
	CustomerID, CustomerName, CustomerDomain string
	ProductTitle                             string
	Options                                  []CancelOption
	Selected                                 CancelOption
}

// CancelRequest asks to cancel lines of an order.
type CancelRequest struct {
	CustomerID string
	OrderID    string
	// Lines are the order's line numbers to cancel.
	Lines []int
	// Acknowledged is the Important message's checkbox (R14); the dialog requires it.
	Acknowledged bool
	// FromDialog requires the acknowledgement (the API has no checkbox). The cancellation rule
	// (CancelPolicy.Decide) is the same for the dialog and the API.
	FromDialog bool
	// OverrideReason, when given, is a Global admin's reason to cancel a purchase that needs a
	// support request (PermOverrideCancelPolicy); it is recorded with the cancellation.
	OverrideReason string
}
