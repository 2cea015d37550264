package api

import (
	"net/http"
	"strings"

	"partnerdesk/internal/desk"

	"github.com/labstack/echo/v4"
)

// Products: the catalog of a market with its prices (R6).

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
	all, err := a.svc.MarketCatalog(ctx(c), actor(c), desk.CatalogFilter{Country: country})
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
