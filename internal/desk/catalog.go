package desk

import "strings"

// ProductKind is a kind of product of SPEC §2.
type ProductKind string

// The product kinds of SPEC §2.
const (
	KindPerpetual            ProductKind = "perpetual"             // one-time purchase
	KindSoftwareSubscription ProductKind = "software-subscription" // 1- or 3-year term, billed up front
	KindServerSubscription   ProductKind = "server-subscription"   // Windows Server / SQL Server subscriptions
	KindAzureReservation     ProductKind = "azure-reservation"     // reserved VM instances: region, term
	KindAzureSoftwarePlan    ProductKind = "azure-software-plan"   // SUSE Linux, Red Hat
)

// ProductKinds lists the kinds in the catalog's filter order.
var ProductKinds = []ProductKind{KindPerpetual, KindSoftwareSubscription, KindServerSubscription, KindAzureReservation, KindAzureSoftwarePlan}

// IsSoftware reports whether the kind is software with keys and downloads (the Software tab).
func (k ProductKind) IsSoftware() bool {
	return k == KindPerpetual || k == KindSoftwareSubscription || k == KindServerSubscription
}

// Product is a catalog product (Partner Center's productId).
type Product struct {
	ID          string // e.g. DG7GMGF0FKZV
	Title       string
	Kind        ProductKind
	Publisher   string
	Description string
	// DescriptionHU is the Hungarian description; empty shows Description.
	DescriptionHU string
	// Family groups versions of one product line ("Windows Server", "SQL Server") for key pools.
	Family string
	// HybridBenefit marks Windows Server products, which carry the Azure Hybrid Benefit note (R8).
	HybridBenefit bool
	// Vendor plans (SUSE Linux, Red Hat) can never be cancelled or exchanged (R13).
	NeverCancellable bool
	Offers           []Offer
	Editions         []Edition
}

// Term durations in ISO 8601, as Partner Center writes them.
const (
	TermNone = ""    // perpetual: no term
	TermP1Y  = "P1Y" // one year
	TermP3Y  = "P3Y" // three years
)

// Billing cycles.
const (
	BillingOneTime = "one_time"
	BillingAnnual  = "annual"
	BillingMonthly = "monthly"
)

// Offer is a buyable SKU availability: productId:skuId:availabilityId.
type Offer struct {
	ID        string // DG7GMGF0FKZV:0003:DG7GMGF0DWMS
	ProductID string
	Title     string // "SQL Server Enterprise - 2 Core License Pack - 3 year"
	Term      string // TermNone, TermP1Y, TermP3Y
	// BillingCycles lists the billing frequencies the offer allows; the first is the default.
	BillingCycles []string
	// Region is set for Azure Reservations ("West Europe").
	Region string
	// Price is the unit price in the customer's market (filled for a market by the catalog query).
	Price Money
}

// SkuID returns the skuId part of the offer ID.
func (o Offer) SkuID() string {
	parts := strings.Split(o.ID, ":")
	if len(parts) == 3 {
		return parts[1]
	}
	return ""
}

// Edition is one downloadable build of a software product (SPEC §2).
type Edition struct {
	ProductID string
	Version   string // "2022"
	Language  string // "en-us", "hu-hu"
	Bitness   string // "64-bit", "32-bit"
	FileName  string
	Size      int64
	SHA256    string
}

// CatalogFilter selects catalog products for a market.
type CatalogFilter struct {
	Country string
	Kind    ProductKind // "" for every kind
	Query   string      // title or ID substring
}

// Sellable reports whether a product may be sold in a market (R7), with the reason key if not.
func Sellable(p Product, country string) (bool, string) {
	if p.Kind == KindAzureReservation && !ReservationsAvailable(country) {
		return false, "err.reservation_market"
	}
	return true, ""
}

// Valid reports whether k is one of the product kinds.
func (k ProductKind) Valid() bool {
	for _, v := range ProductKinds {
		if v == k {
			return true
		}
	}
	return false
}
