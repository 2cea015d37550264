package service

import (
	"context"
	"slices"
	"strings"

	"partnerdesk/internal/desk"
)

// catalog is the product catalog held in memory: it is small, read on every catalog and cart
// page, and changes only when products are loaded (demo data), which resets it.
type catalog struct {
	products []desk.Product
	byID     map[string]int // product ID → index in products
	offers   map[string]offerRef
	prices   map[string]map[string]int64
}

type offerRef struct {
	product int
	offer   int
}

func (s *catalogArea) loadCatalog(ctx context.Context) (*catalog, error) {
	s.catalogMu.Lock()
	defer s.catalogMu.Unlock()
	if s.catalog != nil {
		return s.catalog, nil
	}
	products, prices, err := s.store.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	c := &catalog{products: products, byID: map[string]int{}, offers: map[string]offerRef{}, prices: prices}
	for i, p := range products {
		c.byID[p.ID] = i
		for j, o := range p.Offers {
			c.offers[o.ID] = offerRef{i, j}
		}
	}
	s.catalog = c
	return c, nil
}

// LoadCatalog reads the catalog into memory (at start: it never changes while PartnerDesk runs,
// and a use case inside a transaction must not wait for another connection to read it).
func (s *catalogArea) LoadCatalog(ctx context.Context) error {
	_, err := s.loadCatalog(ctx)
	return err
}

// ResetCatalog drops the cached catalog (after products or prices change).
func (s *catalogArea) ResetCatalog() {
	s.catalogMu.Lock()
	s.catalog = nil
	s.catalogMu.Unlock()
}

// product returns a product by its ID.
func (c *catalog) product(id string) (desk.Product, bool) {
	i, ok := c.byID[id]
	if !ok {
		return desk.Product{}, false
	}
	return c.products[i], true
}

// offer returns an offer with its product and its unit price in a currency.
func (c *catalog) offer(id, currency string) (desk.Product, desk.Offer, bool) {
	ref, ok := c.offers[id]
	if !ok {
		return desk.Product{}, desk.Offer{}, false
	}
	p := c.products[ref.product]
	o := p.Offers[ref.offer]
	unit, priced := c.prices[o.ID][currency]
	o.Price = desk.Money{Minor: unit, Currency: currency}
	return p, o, priced
}

// MarketCatalog returns the products a market may buy (R7) to a partner user who may see
// customers or place orders (the API's products listing; customer users may not, R4).
func (s *catalogArea) MarketCatalog(ctx context.Context, a desk.Actor, f desk.CatalogFilter) ([]desk.Product, error) {
	if !a.User.IsPartner() || !(a.User.Can(desk.PermViewCustomers) || a.User.Can(desk.PermPlaceOrder)) {
		return nil, desk.Forbidden(desk.PermViewCustomers)
	}
	return s.marketCatalog(ctx, f)
}

// marketCatalog returns the products a market may buy (R7), each with the offers priced in the
// market's currency, filtered by kind and a title or ID search.
func (s *catalogArea) marketCatalog(ctx context.Context, f desk.CatalogFilter) ([]desk.Product, error) {
	country, ok := desk.CountryByCode(f.Country)
	if !ok {
		return nil, desk.FieldError("country", "err.country")
	}
	c, err := s.loadCatalog(ctx)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(f.Query))
	var out []desk.Product
	for _, p := range c.products {
		if f.Kind != "" && p.Kind != f.Kind {
			continue
		}
		if ok, _ := desk.Sellable(p, country.Code); !ok {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(p.Title), q) && !strings.Contains(strings.ToLower(p.ID), q) &&
			!slices.ContainsFunc(p.Offers, func(o desk.Offer) bool {
				return strings.Contains(strings.ToLower(o.Title), q) || strings.Contains(strings.ToLower(o.ID), q)
			}) {
			continue
		}
		priced := p
		priced.Offers = nil
		for _, o := range p.Offers {
			if unit, ok := c.prices[o.ID][country.Currency]; ok {
				o.Price = desk.Money{Minor: unit, Currency: country.Currency}
				priced.Offers = append(priced.Offers, o)
			}
		}
		if len(priced.Offers) > 0 {
			out = append(out, priced)
		}
	}
	return out, nil
}

// Product returns one catalog product (unpriced), or ENOTFOUND.
func (s *catalogArea) Product(ctx context.Context, id string) (desk.Product, error) {
	c, err := s.loadCatalog(ctx)
	if err != nil {
		return desk.Product{}, err
	}
	if p, ok := c.product(id); ok {
		return p, nil
	}
	return desk.Product{}, desk.Errorf(desk.ENOTFOUND, "err.product_not_found")
}

// CatalogForCustomer is the Add products catalog: the customer's market, priced (R6, R7).
func (s *catalogArea) CatalogForCustomer(ctx context.Context, a desk.Actor, customerID string, kind desk.ProductKind, query string) (desk.Customer, []desk.Product, error) {
	if err := require(a, desk.PermPlaceOrder); err != nil {
		return desk.Customer{}, nil, err
	}
	cust, err := s.CustomerByID(ctx, a, customerID)
	if err != nil {
		return cust, nil, err
	}
	products, err := s.marketCatalog(ctx, desk.CatalogFilter{Country: cust.Country, Kind: kind, Query: query})
	return cust, products, err
}
