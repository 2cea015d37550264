package api

import (
	"net/http"

	"partnerdesk/internal/desk"

	"github.com/labstack/echo/v4"
)

// Customers: GET /v1/customers and /v1/customers/{id}.

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
	return c.JSON(http.StatusOK, collect(res.Items, res.Total, res.Next, toCustomer, "customers"))
}

func (a *API) handleCustomer(c echo.Context) error {
	cu, err := a.svc.CustomerByID(ctx(c), actor(c), c.Param("customerId"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCustomer(cu))
}
