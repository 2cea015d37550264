package api

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"
	"partnerdesk/internal/service"

	"github.com/labstack/echo/v4"
)

// Customer is a customer as Partner Center's API shows it.
type Customer struct {
	ID             string         `json:"id" format:"uuid" doc:"The customer's tenant ID."`
	CompanyProfile CompanyProfile `json:"companyProfile"`
	BillingProfile BillingProfile `json:"billingProfile"`
}

// CompanyProfile names the customer.
type CompanyProfile struct {
	CompanyName string `json:"companyName"`
	Domain      string `json:"domain" doc:"The primary domain, such as contoso.onmicrosoft.com."`
	TenantID    string `json:"tenantId" format:"uuid"`
}

// BillingProfile holds the customer's market and currency.
type BillingProfile struct {
	DefaultAddress Address `json:"defaultAddress"`
	Currency       string  `json:"currency" pattern:"^[A-Z]{3}$" doc:"The ISO 4217 currency the customer is billed in."`
}

// Address is a postal address.
type Address struct {
	Country      string `json:"country" pattern:"^[A-Z]{2}$" doc:"The market: an ISO 3166-1 alpha-2 code."`
	City         string `json:"city,omitempty"`
	AddressLine1 string `json:"addressLine1,omitempty"`
	PostalCode   string `json:"postalCode,omitempty"`
}

func toCustomer(c desk.Customer) Customer {
	return Customer{ID: c.ID, CompanyProfile: CompanyProfile{CompanyName: c.CompanyName, Domain: c.Domain, TenantID: c.ID},
		BillingProfile: BillingProfile{Currency: c.Currency, DefaultAddress: Address{Country: c.Country, City: c.Address.City, AddressLine1: c.Address.Line1, PostalCode: c.Address.PostalCode}}}
}

func (a *API) handleCustomers(c echo.Context) error {
	size, cursor, err := page(c, "customers")
	if err != nil {
		return err
	}
	res, err := a.svc.FindCustomers(ctx(c), actor(c), desk.CustomerFilter{Query: c.QueryParam("q"), After: cursor, Limit: size})
	if err != nil {
		return err
	}
	out := Collection[Customer]{TotalCount: res.Total, Items: []Customer{}, ContinuationToken: continuation(res.Next, "customers")}
	for _, cu := range res.Items {
		out.Items = append(out.Items, toCustomer(cu))
	}
	return c.JSON(http.StatusOK, out)
}

func (a *API) handleCustomer(c echo.Context) error {
	cu, err := a.svc.CustomerByID(ctx(c), actor(c), c.Param("customerId"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCustomer(cu))
}

// Order is an order as Partner Center's API shows it.
type Order struct {
	ID                  string     `json:"id" format:"uuid"`
	ReferenceCustomerID string     `json:"referenceCustomerId" format:"uuid" doc:"The customer's tenant ID."`
	BillingCycle        string     `json:"billingCycle" enum:"one_time|annual|monthly" doc:"The billing cycle of the first line."`
	CurrencyCode        string     `json:"currencyCode" pattern:"^[A-Z]{3}$"`
	CreationDate        time.Time  `json:"creationDate"`
	Status              string     `json:"status" enum:"completed|pending|cancelled" doc:"cancelled once every line is cancelled."`
	LineItems           []LineItem `json:"lineItems"`
	Pricing             Pricing    `json:"pricing"`
}

// LineItem is an order line.
type LineItem struct {
	LineItemNumber int     `json:"lineItemNumber" min:"0"`
	OfferID        string  `json:"offerId" doc:"productId:skuId:availabilityId."`
	FriendlyName   string  `json:"friendlyName,omitempty"`
	Quantity       int     `json:"quantity" min:"0" doc:"0 once the line is cancelled."`
	TermDuration   string  `json:"termDuration,omitempty" enum:"P1Y|P3Y" doc:"ISO 8601; absent for perpetual software."`
	BillingCycle   string  `json:"billingCycle,omitempty" enum:"one_time|annual|monthly"`
	Status         string  `json:"status,omitempty" enum:"active|cancelled"`
	Pricing        Pricing `json:"pricing"`
}

// Pricing gives amounts as decimal strings in major units (never floats), R6.
type Pricing struct {
	Net          string `json:"net" pattern:"decimal"`
	Tax          string `json:"tax" pattern:"decimal"`
	Total        string `json:"total" pattern:"decimal"`
	CurrencyCode string `json:"currencyCode" pattern:"^[A-Z]{3}$"`
	TaxIncluded  bool   `json:"taxIncluded" doc:"Whether the market's prices include tax."`
}

func pricing(a desk.Amounts, cur string) Pricing {
	m := func(v int64) string { return desk.Money{Minor: v, Currency: cur}.Decimal() }
	return Pricing{Net: m(a.Net), Tax: m(a.Tax), Total: m(a.Gross), CurrencyCode: cur, TaxIncluded: a.TaxIncluded}
}

// billingCycleName maps a billing cycle to Partner Center's names.
func billingCycleName(b string) string {
	switch b {
	case desk.BillingOneTime:
		return "one_time"
	case desk.BillingAnnual:
		return "annual"
	case desk.BillingMonthly:
		return "monthly"
	}
	return b
}

func toOrder(o desk.Order) Order {
	out := Order{ID: o.ID, ReferenceCustomerID: o.CustomerID, CurrencyCode: o.Currency, CreationDate: o.CreatedAt, Status: o.Status,
		LineItems: []LineItem{}, Pricing: pricing(o.Amounts, o.Currency)}
	for _, l := range o.Lines {
		if out.BillingCycle == "" {
			out.BillingCycle = billingCycleName(l.BillingCycle)
		}
		l.Amounts.TaxIncluded = o.Amounts.TaxIncluded
		out.LineItems = append(out.LineItems, LineItem{LineItemNumber: l.Number, OfferID: l.OfferID, FriendlyName: l.Title, Quantity: l.Quantity,
			TermDuration: l.Term, BillingCycle: billingCycleName(l.BillingCycle), Status: l.Status, Pricing: pricing(l.Amounts, o.Currency)})
	}
	return out
}

func (a *API) handleOrders(c echo.Context) error {
	size, cursor, err := page(c, "orders")
	if err != nil {
		return err
	}
	_, res, err := a.svc.Orders(ctx(c), actor(c), c.Param("customerId"), cursor, size)
	if err != nil {
		return err
	}
	out := Collection[Order]{TotalCount: res.Total, Items: []Order{}, ContinuationToken: continuation(res.Next, "orders")}
	for _, o := range res.Items {
		out.Items = append(out.Items, toOrder(o))
	}
	return c.JSON(http.StatusOK, out)
}

func (a *API) handleOrder(c echo.Context) error {
	_, o, err := a.svc.Order(ctx(c), actor(c), c.Param("customerId"), c.Param("orderId"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toOrder(o))
}

// OrderRequest is the body of POST .../orders.
type OrderRequest struct {
	ID                  string            `json:"id,omitempty" doc:"Ignored: the server assigns the order ID."`
	ReferenceCustomerID string            `json:"referenceCustomerId,omitempty" doc:"When given, the customer in the URL."`
	BillingCycle        string            `json:"billingCycle,omitempty" doc:"The default billing cycle of the lines (one_time, annual or monthly)."`
	LineItems           []LineItemRequest `json:"lineItems" minItems:"1"`
}

// LineItemRequest is one requested line.
type LineItemRequest struct {
	LineItemNumber int    `json:"lineItemNumber" min:"0" doc:"The lines are numbered 0, 1, 2… in order."`
	OfferID        string `json:"offerId" doc:"productId:skuId:availabilityId, as GET /v1/products lists it."`
	Quantity       int    `json:"quantity" min:"1" max:"10000" doc:"1 to 10,000."`
	TermDuration   string `json:"termDuration,omitempty" doc:"P1Y or P3Y for subscriptions and reservations."`
	BillingCycle   string `json:"billingCycle,omitempty" doc:"one_time, annual or monthly, as the offer allows."`
	FriendlyName   string `json:"friendlyName,omitempty" doc:"Ignored: the offer's title is used."`
}

// idempotencyWindow is how long an Idempotency-Key is honoured.
const idempotencyWindow = 24 * time.Hour

// handleCreateOrder places an order. With an Idempotency-Key header, retries (also concurrent
// ones) with the same token within 24 h return the first order (R9); the key used again with
// another request is refused (422); without one, each request is a new order.
func (a *API) handleCreateOrder(c echo.Context) error {
	var req OrderRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	if req.ReferenceCustomerID != "" && req.ReferenceCustomerID != c.Param("customerId") {
		return &requestError{msg: "Field \"referenceCustomerId\" does not match the customer in the URL.", data: []string{"referenceCustomerId"}}
	}
	lines := make([]desk.CartLine, 0, len(req.LineItems))
	for i, l := range req.LineItems {
		if l.LineItemNumber != i {
			return &requestError{msg: "Field \"lineItems[].lineItemNumber\" must number the lines 0, 1, 2… in order.", data: []string{"lineItemNumber"}}
		}
		cycle := l.BillingCycle
		if cycle == "" {
			cycle = req.BillingCycle
		}
		lines = append(lines, desk.CartLine{OfferID: l.OfferID, Quantity: l.Quantity, Term: l.TermDuration, BillingCycle: strings.ToLower(cycle)})
	}
	key := strings.TrimSpace(c.Request().Header.Get("Idempotency-Key"))
	if len(key) > 80 {
		return &requestError{msg: "The Idempotency-Key header is longer than 80 characters.", data: []string{"Idempotency-Key"}}
	}
	// A key is scoped by the token that sent it: another token's same key is another request.
	tok, _ := c.Get(ctxToken).(desk.APIToken)
	stored := "api:" + tok.ID + ":" + key
	if key == "" {
		stored = "api-auto:" + service.NewID()
	}
	o, created, err := a.svc.PlaceOrder(ctx(c), actor(c), c.Param("customerId"), stored, lines)
	if err != nil {
		return err
	}
	if !created {
		if a.svc.Now().Sub(o.CreatedAt) > idempotencyWindow {
			return &requestError{msg: "This Idempotency-Key was used more than 24 hours ago; use a new key.", data: []string{"Idempotency-Key"}}
		}
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	c.Response().Header().Set("Location", "/v1/customers/"+o.CustomerID+"/orders/"+o.ID)
	return c.JSON(http.StatusCreated, toOrder(o))
}

// CancelRequest is the body of PATCH .../orders/{id}: status "cancelled" with the lines to cancel.
type CancelRequest struct {
	ID                  string              `json:"id,omitempty" doc:"When given, the order in the URL."`
	ReferenceCustomerID string              `json:"referenceCustomerId,omitempty" doc:"Ignored: the customer is the one in the URL."`
	Status              string              `json:"status" enum:"cancelled" doc:"Only cancellation is supported."`
	LineItems           []CancelLineRequest `json:"lineItems,omitempty" doc:"The lines to cancel; none means every active line."`
	OverrideReason      string              `json:"overrideReason,omitempty" maxLength:"500" doc:"Global admins only: cancel although a line needs a support request (already downloaded, or above the equivalent of 10,000 USD), e.g. once support approved the refund. The reason is recorded in the activity log."`
}

// CancelLineRequest names a line to cancel.
type CancelLineRequest struct {
	LineItemNumber int    `json:"lineItemNumber" min:"0"`
	OfferID        string `json:"offerId,omitempty" doc:"When given, the line's offer."`
	Quantity       *int   `json:"quantity,omitempty" doc:"Ignored: a cancelled line's quantity becomes 0."`
	FriendlyName   string `json:"friendlyName,omitempty" doc:"Ignored."`
	TermDuration   string `json:"termDuration,omitempty" doc:"Ignored."`
}

// handleCancelOrder cancels lines (R12–R20; errors 900117, 800061, 800062, 800060, 20000) by the
// portal's rule: a line already downloaded, or above the amount limit, needs a support request
// unless a Global admin gives overrideReason. A cancelled line's quantity becomes 0; the order is
// cancelled when every line is.
func (a *API) handleCancelOrder(c echo.Context) error {
	var req CancelRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	if req.ID != "" && req.ID != c.Param("orderId") {
		return &requestError{msg: "Field \"id\" does not match the order in the URL.", data: []string{"id"}}
	}
	if !strings.EqualFold(req.Status, desk.OrderCancelled) {
		return &requestError{msg: "Field \"status\" must be \"cancelled\": only cancellation is supported.", data: []string{"status"}}
	}
	_, current, err := a.svc.Order(ctx(c), actor(c), c.Param("customerId"), c.Param("orderId"))
	if err != nil {
		return err
	}
	var nums []int
	for _, l := range req.LineItems {
		if l.LineItemNumber < 0 || l.LineItemNumber >= len(current.Lines) {
			return &requestError{msg: "Field \"lineItems[].lineItemNumber\" names no line of this order.", data: []string{"lineItemNumber"}}
		}
		if l.OfferID != "" && l.OfferID != current.Lines[l.LineItemNumber].OfferID {
			return &requestError{msg: "Field \"lineItems[].offerId\" does not match the line's offer.", data: []string{"offerId"}}
		}
		nums = append(nums, l.LineItemNumber)
	}
	if len(req.LineItems) == 0 {
		for _, l := range current.Lines {
			if l.Status == desk.StatusActive {
				nums = append(nums, l.Number)
			}
		}
	}
	o, _, err := a.svc.Cancel(ctx(c), actor(c), desk.CancelRequest{CustomerID: c.Param("customerId"), OrderID: current.ID, Lines: nums, OverrideReason: req.OverrideReason})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toOrder(o))
}

// Product is a catalog product of a market.
type Product struct {
	ID          string  `json:"id"`
	Title       string  `json:"title"`
	ProductType string  `json:"productType" enum:"SoftwarePerpetual|SoftwareSubscriptions|AzureReservations|SoftwareSUSELinux"`
	Publisher   string  `json:"publisher"`
	Offers      []Offer `json:"offers"`
}

// Offer is a product's buyable SKU availability with its price in the market (R6).
type Offer struct {
	OfferID       string   `json:"offerId" doc:"productId:skuId:availabilityId: the offerId of an order line."`
	Title         string   `json:"title"`
	TermDuration  string   `json:"termDuration,omitempty" enum:"P1Y|P3Y" doc:"ISO 8601; absent for perpetual software."`
	BillingCycle  string   `json:"billingCycle" enum:"one_time|annual|monthly" doc:"The default billing cycle."`
	BillingCycles []string `json:"billingCycles" enum:"one_time|annual|monthly" doc:"Every billing cycle the offer can be bought with."`
	Price         Price    `json:"price"`
}

// Price is a unit price as a decimal string in major units.
type Price struct {
	Amount       string `json:"amount" pattern:"decimal"`
	CurrencyCode string `json:"currencyCode" pattern:"^[A-Z]{3}$"`
	TaxIncluded  bool   `json:"taxIncluded" doc:"Whether the amount includes tax."`
}

// targetViews maps the API's targetView to product kinds ("Software" is every software kind).
var targetViews = map[string][]desk.ProductKind{
	"Software":              {desk.KindPerpetual, desk.KindSoftwareSubscription, desk.KindServerSubscription},
	"SoftwarePerpetual":     {desk.KindPerpetual},
	"SoftwareSubscriptions": {desk.KindSoftwareSubscription, desk.KindServerSubscription},
	"AzureReservations":     {desk.KindAzureReservation},
	"SoftwareSUSELinux":     {desk.KindAzureSoftwarePlan},
}

var productTypes = map[desk.ProductKind]string{
	desk.KindPerpetual: "SoftwarePerpetual", desk.KindSoftwareSubscription: "SoftwareSubscriptions", desk.KindServerSubscription: "SoftwareSubscriptions",
	desk.KindAzureReservation: "AzureReservations", desk.KindAzureSoftwarePlan: "SoftwareSUSELinux",
}

// handleProducts lists the products of a market and target view; Azure Reservations are empty in
// the markets of R7.
func (a *API) handleProducts(c echo.Context) error {
	if err := requirePartner(c); err != nil {
		return err
	}
	country := strings.ToUpper(c.QueryParam("country"))
	if _, ok := desk.CountryByCode(country); !ok {
		return &requestError{msg: "Parameter \"country\" must be an ISO 3166-1 alpha-2 code such as HU or US.", data: []string{"country"}}
	}
	view := c.QueryParam("targetView")
	if view == "" {
		view = "Software"
	}
	kinds, ok := targetViews[view]
	if !ok {
		return &requestError{msg: "Parameter \"targetView\" must be Software, SoftwarePerpetual, SoftwareSubscriptions, AzureReservations or SoftwareSUSELinux.", data: []string{"targetView"}}
	}
	all, err := a.svc.MarketCatalog(ctx(c), desk.CatalogFilter{Country: country})
	if err != nil {
		return err
	}
	out := Collection[Product]{Items: []Product{}}
	for _, p := range all {
		match := false
		for _, k := range kinds {
			match = match || p.Kind == k
		}
		if !match {
			continue
		}
		ap := Product{ID: p.ID, Title: p.Title, ProductType: productTypes[p.Kind], Publisher: p.Publisher, Offers: []Offer{}}
		for _, o := range p.Offers {
			var cycles []string
			for _, b := range o.BillingCycles {
				cycles = append(cycles, billingCycleName(b))
			}
			ap.Offers = append(ap.Offers, Offer{OfferID: o.ID, Title: o.Title, TermDuration: o.Term, BillingCycle: cycles[0], BillingCycles: cycles,
				Price: Price{Amount: o.Price.Decimal(), CurrencyCode: o.Price.Currency, TaxIncluded: desk.TaxIncluded(country)}})
		}
		out.Items = append(out.Items, ap)
	}
	out.TotalCount = len(out.Items)
	return c.JSON(http.StatusOK, out)
}

// requirePartner refuses customer users on partner-only listings that have no service check.
func requirePartner(c echo.Context) error {
	if a := actor(c); !a.User.IsPartner() || !(a.User.Can(desk.PermViewCustomers) || a.User.Can(desk.PermPlaceOrder)) {
		return desk.Forbidden(desk.PermViewCustomers)
	}
	return nil
}

// Entitlement is a software entitlement with its downloadable editions.
type Entitlement struct {
	ID              string         `json:"id" format:"uuid"`
	ReferenceOrder  ReferenceOrder `json:"referenceOrder"`
	ProductID       string         `json:"productId"`
	FriendlyName    string         `json:"friendlyName"`
	Quantity        int            `json:"quantity" min:"0"`
	Status          string         `json:"status" enum:"active|cancelled"`
	EntitlementType string         `json:"entitlementType" enum:"software"`
	Editions        []Edition      `json:"editions"`
}

// ReferenceOrder names the order line an entitlement came from.
type ReferenceOrder struct {
	ID         string `json:"id" format:"uuid" doc:"The order ID."`
	LineItemID int    `json:"lineItemId" min:"0" doc:"The order line's lineItemNumber."`
}

// Edition is a downloadable build.
type Edition struct {
	Version  string `json:"version"`
	Language string `json:"language"`
	Bitness  string `json:"bitness"`
	FileName string `json:"fileName"`
	Size     int64  `json:"size" min:"0" doc:"Bytes."`
	SHA256   string `json:"sha256" pattern:"^[0-9a-f]{64}$"`
}

func (a *API) handleEntitlements(c echo.Context) error {
	if t := c.QueryParam("entitlementType"); t != "" && !strings.EqualFold(t, "software") {
		return &requestError{msg: "Parameter \"entitlementType\" must be software.", data: []string{"entitlementType"}}
	}
	size, cursor, err := page(c)
	if err != nil {
		return err
	}
	_, items, err := a.svc.Software(ctx(c), actor(c), c.Param("customerId"))
	if err != nil {
		return err
	}
	pageItems, next, err := offsetPage(items, size, cursor)
	if err != nil {
		return err
	}
	out := Collection[Entitlement]{TotalCount: len(items), Items: []Entitlement{}, ContinuationToken: continuation(next)}
	for _, it := range pageItems {
		e := Entitlement{ID: it.ID, ReferenceOrder: ReferenceOrder{ID: it.OrderID, LineItemID: it.LineNumber}, ProductID: it.ProductID,
			FriendlyName: it.OfferTitle, Quantity: it.Quantity, Status: it.Status, EntitlementType: "software", Editions: []Edition{}}
		for _, ed := range it.Product.Editions {
			e.Editions = append(e.Editions, Edition{Version: ed.Version, Language: ed.Language, Bitness: ed.Bitness, FileName: ed.FileName, Size: ed.Size, SHA256: ed.SHA256})
		}
		out.Items = append(out.Items, e)
	}
	return c.JSON(http.StatusOK, out)
}

// KeyResponse is a product key (beyond Partner Center, which has no API for keys).
type KeyResponse struct {
	ProductKey string `json:"productKey" pattern:"^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$"`
	Version    string `json:"version"`
}

func (a *API) handleKey(c echo.Context) error {
	version := c.QueryParam("version")
	if version == "" {
		return &requestError{msg: "Parameter \"version\" is required.", data: []string{"version"}}
	}
	key, err := a.svc.RevealKey(ctx(c), actor(c), c.Param("customerId"), c.Param("entitlementId"), version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, KeyResponse{ProductKey: key, Version: version})
}

// LinkRequest asks for a download link of an edition.
type LinkRequest struct {
	Version  string `json:"version" doc:"An edition's version, e.g. 2022."`
	Language string `json:"language" doc:"An edition's language, e.g. en-US."`
	Bitness  string `json:"bitness" doc:"An edition's bitness, e.g. x64."`
}

// LinkResponse is a signed download link.
type LinkResponse struct {
	URL       string    `json:"url" format:"uri" doc:"Signed: anyone with the link downloads the file until it expires."`
	ExpiresAt time.Time `json:"expiresAt"`
	SHA256    string    `json:"sha256" pattern:"^[0-9a-f]{64}$"`
	FileName  string    `json:"fileName"`
	Size      int64     `json:"size" min:"0" doc:"Bytes."`
}

func (a *API) handleDownloadLink(c echo.Context) error {
	var req LinkRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	link, err := a.svc.IssueLink(ctx(c), actor(c), c.Param("customerId"), c.Param("entitlementId"),
		desk.EditionRef{Version: req.Version, Language: req.Language, Bitness: req.Bitness}, true)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, LinkResponse{URL: a.origin(c) + link.URL, ExpiresAt: link.ExpiresAt,
		SHA256: link.SHA256, FileName: link.FileName, Size: link.Size})
}

// Invoice is a monthly invoice.
type Invoice struct {
	ID           string `json:"id" pattern:"^INV-[0-9]{4}-[0-9]{2}-[A-Z]{3}$" doc:"INV-<period>-<currency>."`
	Period       string `json:"period" pattern:"^[0-9]{4}-[0-9]{2}$" doc:"The month (YYYY-MM, UTC)."`
	CurrencyCode string `json:"currencyCode" pattern:"^[A-Z]{3}$"`
	Status       string `json:"status" enum:"open|issued" doc:"open collects the current month's charges and credits; issued after the month ends."`
	TotalCharges string `json:"totalCharges" pattern:"decimal"`
	TotalCredits string `json:"totalCredits" pattern:"decimal"`
	Net          string `json:"net" pattern:"decimal"`
	Tax          string `json:"tax" pattern:"decimal"`
	TotalAmount  string `json:"totalAmount" pattern:"decimal"`
}

func (a *API) handleInvoices(c echo.Context) error {
	size, cursor, err := page(c)
	if err != nil {
		return err
	}
	invs, err := a.svc.Invoices(ctx(c), actor(c))
	if err != nil {
		return err
	}
	items, next, err := offsetPage(invs, size, cursor)
	if err != nil {
		return err
	}
	out := Collection[Invoice]{TotalCount: len(invs), Items: []Invoice{}, ContinuationToken: continuation(next)}
	for _, inv := range items {
		out.Items = append(out.Items, toInvoice(inv))
	}
	return c.JSON(http.StatusOK, out)
}

func toInvoice(inv desk.Invoice) Invoice {
	m := func(v int64) string { return desk.Money{Minor: v, Currency: inv.Currency}.Decimal() }
	return Invoice{ID: inv.ID, Period: inv.Period, CurrencyCode: inv.Currency, Status: inv.Status,
		TotalCharges: m(inv.Charges), TotalCredits: m(inv.Credits), Net: m(inv.Net), Tax: m(inv.Tax), TotalAmount: m(inv.Gross)}
}

// InvoiceLine is a charge or credit (R20: credits are negative).
type InvoiceLine struct {
	OrderID        string    `json:"orderId" format:"uuid"`
	LineItemNumber int       `json:"lineItemNumber" min:"0"`
	CustomerID     string    `json:"customerId" format:"uuid"`
	CustomerName   string    `json:"customerName"`
	Description    string    `json:"description"`
	Kind           string    `json:"kind" enum:"charge|credit" doc:"A credit's amounts are negative."`
	Net            string    `json:"net" pattern:"decimal"`
	Tax            string    `json:"tax" pattern:"decimal"`
	Amount         string    `json:"amount" pattern:"decimal" doc:"Net plus tax."`
	CurrencyCode   string    `json:"currencyCode" pattern:"^[A-Z]{3}$"`
	TaxIncluded    bool      `json:"taxIncluded"`
	Date           time.Time `json:"date"`
	// R25: which service the line covers — a charge's month or term, a credit's unused part.
	ServicePeriodStart string `json:"servicePeriodStart" format:"date" doc:"The first day of the service the line covers (UTC): a monthly charge's month, an up-front charge's term, a credit's unused part; a perpetual licence's is the day of purchase or cancellation."`
	ServicePeriodEnd   string `json:"servicePeriodEnd" format:"date" doc:"The last day of the service the line covers (UTC)."`
	BillingCycle       string `json:"billingCycle" enum:"one_time|annual|monthly" doc:"The order line's billing cycle: monthly lines are charged one month per monthly invoice."`
}

func (a *API) handleInvoiceLines(c echo.Context) error {
	size, cursor, err := page(c)
	if err != nil {
		return err
	}
	_, lines, err := a.svc.Invoice(ctx(c), actor(c), c.Param("invoiceId"))
	if err != nil {
		return err
	}
	items, next, err := offsetPage(lines, size, cursor)
	if err != nil {
		return err
	}
	out := Collection[InvoiceLine]{TotalCount: len(lines), Items: []InvoiceLine{}, ContinuationToken: continuation(next)}
	for _, l := range items {
		m := func(v int64) string { return desk.Money{Minor: v, Currency: l.Currency}.Decimal() }
		out.Items = append(out.Items, InvoiceLine{OrderID: l.OrderID, LineItemNumber: l.LineNumber, CustomerID: l.CustomerID, CustomerName: l.CustomerName,
			Description: l.Description, Kind: l.Kind, Net: m(l.Net), Tax: m(l.Tax), Amount: m(l.Gross), CurrencyCode: l.Currency,
			TaxIncluded: desk.TaxIncluded(l.Country), Date: l.CreatedAt, ServicePeriodStart: l.ServiceStart.Format(desk.DateFormat),
			ServicePeriodEnd: l.ServiceEnd.Format(desk.DateFormat), BillingCycle: billingCycleName(cmp.Or(l.BillingCycle, desk.BillingOneTime))})
	}
	return c.JSON(http.StatusOK, out)
}

// AuditRecord is an activity log event as Partner Center's audit records show it.
type AuditRecord struct {
	ID                string    `json:"id"`
	CustomerID        string    `json:"customerId" doc:"Empty when the record concerns no customer."`
	CustomerName      string    `json:"customerName"`
	UserPrincipalName string    `json:"userPrincipalName" doc:"The email of the user who acted."`
	ResourceType      string    `json:"resourceType"`
	OperationType     string    `json:"operationType"`
	OperationDate     time.Time `json:"operationDate"`
	OperationStatus   string    `json:"operationStatus" enum:"succeeded|failed"`
	ResourceNewValue  string    `json:"resourceNewValue,omitempty"`
	OrderID           string    `json:"orderId,omitempty"`
	IP                string    `json:"ip,omitempty"`
	APITokenID        string    `json:"apiTokenId,omitempty" doc:"The API token the operation was done with (absent for the portal)."`
	APITokenName      string    `json:"apiTokenName,omitempty" doc:"That token's name."`
}

// auditFilter is the filter parameter: {"Field":"CompanyName|CustomerId|ResourceType","Value":...,"Operator":"substring|equals"}.
type auditFilter struct {
	Field    string `json:"Field"`
	Value    string `json:"Value"`
	Operator string `json:"Operator"`
}

func (a *API) handleAuditRecords(c echo.Context) error {
	size, cursor, err := page(c, "audit")
	if err != nil {
		return err
	}
	parseDate := func(name, v string) (string, error) {
		if v == "" {
			return "", nil
		}
		for _, layout := range []string{time.RFC3339, "2006-01-02"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t.UTC().Format("2006-01-02"), nil
			}
		}
		return "", &requestError{msg: "Parameter \"" + name + "\" must be a date (YYYY-MM-DD or RFC 3339).", data: []string{name}}
	}
	now := a.svc.Now()
	from, err := parseDate("startDate", c.QueryParam("startDate"))
	if err != nil {
		return err
	}
	to, err := parseDate("endDate", c.QueryParam("endDate"))
	if err != nil {
		return err
	}
	if to == "" {
		to = now.Format("2006-01-02")
	}
	if from == "" {
		from = now.AddDate(0, 0, -29).Format("2006-01-02")
	}
	q := service.ActivityQuery{From: from, To: to, After: cursor, Limit: size}
	var resourceType, customerID string
	if raw := c.QueryParam("filter"); raw != "" {
		var f auditFilter
		if err := decodeStrict([]byte(raw), &f); err != nil {
			return &requestError{msg: "Parameter \"filter\" must be JSON like {\"Field\":\"CompanyName\",\"Value\":\"Contoso\",\"Operator\":\"substring\"}.", data: []string{"filter"}}
		}
		op := strings.ToLower(f.Operator)
		if op != "substring" && op != "equals" {
			return &requestError{msg: "Filter \"Operator\" must be substring or equals.", data: []string{"Operator"}}
		}
		switch f.Field {
		case "CompanyName":
			q.Customer = f.Value
		case "CustomerId":
			customerID = f.Value
		case "ResourceType":
			resourceType = f.Value
		default:
			return &requestError{msg: "Filter \"Field\" must be CompanyName, CustomerId or ResourceType.", data: []string{"Field"}}
		}
	}
	filter, err := a.svc.ActivityFilter(ctx(c), q)
	var ve *desk.ValidationError
	if errors.As(err, &ve) {
		// The web form's fields are from/to; the API's are startDate/endDate.
		names := map[string]string{"from": "startDate", "to": "endDate"}
		re := &requestError{msg: "The date range is not valid.", data: []string{}}
		for f, k := range ve.Fields {
			args := ve.Args[f]
			if n, ok := names[f]; ok {
				f = n
			}
			re.data = append(re.data, f)
			msg := i18n.Get("en").Msg(k)
			if a := args; len(a) > 0 {
				msg = i18n.Get("en").T(k, a...)
			}
			re.msg += fmt.Sprintf(" %s: %s", f, msg)
		}
		return re
	}
	if err != nil {
		return err
	}
	if customerID != "" {
		filter.CustomerIDs = []string{customerID}
	}
	filter.ResourceType = resourceType
	events, err := a.svc.AuditRecords(ctx(c), actor(c), filter)
	if err != nil {
		return err
	}
	out := Collection[AuditRecord]{TotalCount: len(events.Items), Items: []AuditRecord{}, ContinuationToken: continuation(events.Next, "audit")}
	for _, e := range events.Items {
		out.Items = append(out.Items, toAuditRecord(e))
	}
	return c.JSON(http.StatusOK, out)
}

func toAuditRecord(e desk.Event) AuditRecord {
	return AuditRecord{ID: itoa64(e.ID), CustomerID: e.CustomerID, CustomerName: e.CustomerName, UserPrincipalName: e.ActorEmail,
		ResourceType: e.ResourceType, OperationType: e.Operation, OperationDate: e.At, OperationStatus: e.Status, ResourceNewValue: e.Detail,
		OrderID: e.OrderID, IP: e.IP, APITokenID: e.APITokenID, APITokenName: e.APITokenName}
}
