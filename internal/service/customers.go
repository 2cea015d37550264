package service

import (
	"context"

	"partnerdesk/internal/desk"
)

// FindCustomers returns a page of the customer list (partner users with PermViewCustomers).
func (s *customersArea) FindCustomers(ctx context.Context, a desk.Actor, f desk.CustomerFilter) (desk.CustomerPage, error) {
	if err := require(a, desk.PermViewCustomers); err != nil {
		return desk.CustomerPage{}, err
	}
	if len(f.Query) > 200 {
		f.Query = f.Query[:200]
	}
	if f.Sort != desk.SortDomain {
		f.Sort = desk.SortName
	}
	return s.store.FindCustomers(ctx, f)
}

// CustomerByID returns a customer the actor may see. A customer user asking for another tenant
// gets ENOTFOUND, never a hint that it exists (R4, R5).
func (s *customersArea) CustomerByID(ctx context.Context, a desk.Actor, id string) (desk.Customer, error) {
	if !a.User.IsPartner() {
		if a.User.CustomerID != id {
			return desk.Customer{}, desk.Errorf(desk.ENOTFOUND, "err.customer_not_found")
		}
	} else if !a.User.Can(desk.PermViewCustomers) && !a.User.Can(desk.PermViewOrders) {
		return desk.Customer{}, desk.Forbidden(desk.PermViewCustomers)
	}
	c, err := s.store.FindCustomerByID(ctx, id)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return c, desk.Errorf(desk.ENOTFOUND, "err.customer_not_found")
	}
	return c, err
}

// CreateCustomer adds a customer tenant with a new tenant ID (Add customer). The country sets
// the currency. A taken domain is a field error on "domain".
func (s *customersArea) CreateCustomer(ctx context.Context, a desk.Actor, n desk.NewCustomer) (desk.Customer, error) {
	if err := require(a, desk.PermAddCustomer); err != nil {
		return desk.Customer{}, err
	}
	n.Normalize()
	if err := n.Validate(); err != nil {
		return desk.Customer{}, err
	}
	country, _ := desk.CountryByCode(n.Country)
	c := desk.Customer{
		ID: newID(), CompanyName: n.CompanyName, Domain: n.Domain, Country: country.Code, Currency: country.Currency,
		Address: n.Address, Contact: n.Contact, Relationship: "Cloud Reseller", CreatedAt: s.now(),
	}
	err := s.store.InTx(ctx, func(tx Store) error {
		if err := tx.CreateCustomer(ctx, c); err != nil {
			if desk.ErrorCode(err) == desk.ECONFLICT {
				return &desk.ValidationError{Fields: desk.FieldErrors{"domain": "err.domain_taken"}}
			}
			return err
		}
		return s.auditNotify(ctx, tx, a, desk.Event{Operation: desk.OpCreateCustomer, ResourceType: "customer", CustomerID: c.ID, CustomerName: c.CompanyName},
			desk.WebhookCustomerCreated, "/v1/customers/"+c.ID, "Customer")
	})
	if err != nil {
		return desk.Customer{}, err
	}
	return c, nil
}
