package service

import (
	"context"
	"strings"

	"partnerdesk/internal/desk"
)

// FindCustomers returns a page of the customer list (partner users with PermViewCustomers).
func (s *Service) FindCustomers(ctx context.Context, a desk.Actor, f desk.CustomerFilter) (desk.CustomerPage, error) {
	if err := require(a, desk.PermViewCustomers); err != nil {
		return desk.CustomerPage{}, err
	}
	if len(f.Query) > 200 {
		f.Query = f.Query[:200]
	}
	if f.Sort != desk.SortDomain {
		f.Sort = desk.SortName
	}
	if strings.TrimSpace(f.Query) != "" {
		return s.store.FindCustomers(ctx, f)
	}
	// The unfiltered list's total comes from a count kept in memory: counting 20,000 rows on
	// every page view is most of the page's cost, and customers are only added through this
	// service, which updates it.
	total, err := s.customerTotal(ctx)
	if err != nil {
		return desk.CustomerPage{}, err
	}
	f.SkipCount = true
	page, err := s.store.FindCustomers(ctx, f)
	page.Total = int(total)
	return page, err
}

func (s *Service) customerTotal(ctx context.Context) (int64, error) {
	if n := s.customers.Load(); n > 0 {
		return n, nil
	}
	n, err := s.store.CountCustomers(ctx)
	if err != nil {
		return 0, err
	}
	s.customers.Store(int64(n))
	return int64(n), nil
}

// CustomerByID returns a customer the actor may see. A customer user asking for another tenant
// gets ENOTFOUND, never a hint that it exists (R4, R5).
func (s *Service) CustomerByID(ctx context.Context, a desk.Actor, id string) (desk.Customer, error) {
	if !a.User.IsPartner() {
		if a.User.CustomerID != id {
			return desk.Customer{}, desk.Errorf(desk.ENOTFOUND, "err.customer_not_found")
		}
	} else if !a.User.Can(desk.PermViewCustomers) && !a.User.Can(desk.PermViewOrders) {
		return desk.Customer{}, desk.Forbidden(desk.PermViewCustomers)
	}
	if c, ok := s.customerCache.Load(id); ok {
		return c.(desk.Customer), nil
	}
	c, err := s.store.FindCustomerByID(ctx, id)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return c, desk.Errorf(desk.ENOTFOUND, "err.customer_not_found")
	}
	if err == nil && s.customerCached.Add(1) <= maxCachedCustomers {
		// Customers are added, never changed: a loaded one can be kept. (A future edit of a
		// customer must drop its entry here.)
		s.customerCache.Store(id, c)
	}
	return c, err
}

// maxCachedCustomers bounds the customer cache.
const maxCachedCustomers = 100000

// CreateCustomer adds a customer tenant with a new tenant ID (Add customer). The country sets
// the currency. A taken domain is a field error on "domain".
func (s *Service) CreateCustomer(ctx context.Context, a desk.Actor, n desk.NewCustomer) (desk.Customer, error) {
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
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpCreateCustomer, ResourceType: "customer", CustomerID: c.ID, CustomerName: c.CompanyName})
	})
	if err != nil {
		return desk.Customer{}, err
	}
	s.customers.Store(0) // recount on the next list view
	s.customersVersion.Add(1)
	return c, nil
}

// CustomersVersion changes whenever a customer is added (the web layer keys its list cache on it).
func (s *Service) CustomersVersion() int64 { return s.customersVersion.Load() }
