package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"partnerdesk/internal/desk"
)

// SaveProduct inserts a product with its offers and editions.
func (s *Store) SaveProduct(ctx context.Context, p desk.Product, sort int) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `INSERT INTO products (id, title, kind, publisher, description, description_hu, family, hybrid_benefit, never_cancellable, sort)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, p.Title, p.Kind, p.Publisher, p.Description, p.DescriptionHU, p.Family, flag(p.HybridBenefit), flag(p.NeverCancellable), sort)
		if err != nil {
			return s.wrap(err, "insert product "+p.ID)
		}
		for i, o := range p.Offers {
			if _, err := tx.exec(ctx, `INSERT INTO offers (id, product_id, title, term, billing_cycles, region, sort) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				o.ID, p.ID, o.Title, o.Term, strings.Join(o.BillingCycles, ","), o.Region, i); err != nil {
				return s.wrap(err, "insert offer "+o.ID)
			}
		}
		for _, e := range p.Editions {
			if _, err := tx.exec(ctx, `INSERT INTO editions (product_id, version, language, bitness, file_name, size, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				p.ID, e.Version, e.Language, e.Bitness, e.FileName, e.Size, e.SHA256); err != nil {
				return s.wrap(err, "insert edition "+e.FileName)
			}
		}
		return nil
	})
}

// SavePrice sets an offer's unit price in a currency.
func (s *Store) SavePrice(ctx context.Context, offerID, currency string, unit int64) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `INSERT INTO prices (offer_id, currency, unit_price) VALUES (?, ?, ?)
			ON CONFLICT (offer_id, currency) DO UPDATE SET unit_price = excluded.unit_price`, offerID, currency, unit)
		return s.wrap(err, "save price")
	})
}

// Catalog returns every product with its offers and editions, in catalog order, and the price
// list (offer → currency → unit price). The catalog is small and read whole (then cached).
func (s *Store) Catalog(ctx context.Context) ([]desk.Product, map[string]map[string]int64, error) {
	index := map[string]int{}
	rows, err := s.query(ctx, `SELECT id, title, kind, publisher, description, description_hu, family, hybrid_benefit, never_cancellable FROM products ORDER BY sort, id`)
	if err != nil {
		return nil, nil, fmt.Errorf("catalog: %w", err)
	}
	products, err := scanAll(rows, func(p *desk.Product) error {
		if err := rows.Scan(&p.ID, &p.Title, &p.Kind, &p.Publisher, &p.Description, &p.DescriptionHU, &p.Family, &p.HybridBenefit, &p.NeverCancellable); err != nil {
			return err
		}
		index[p.ID] = len(index)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	rows, err = s.query(ctx, `SELECT id, product_id, title, term, billing_cycles, region FROM offers ORDER BY product_id, sort`)
	if err != nil {
		return nil, nil, fmt.Errorf("offers: %w", err)
	}
	err = eachRow(rows, func() error {
		var o desk.Offer
		var cycles string
		if err := rows.Scan(&o.ID, &o.ProductID, &o.Title, &o.Term, &cycles, &o.Region); err != nil {
			return err
		}
		o.BillingCycles = strings.Split(cycles, ",")
		if i, ok := index[o.ProductID]; ok {
			products[i].Offers = append(products[i].Offers, o)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	rows, err = s.query(ctx, `SELECT product_id, version, language, bitness, file_name, size, sha256 FROM editions ORDER BY product_id, version DESC, language, bitness DESC`)
	if err != nil {
		return nil, nil, fmt.Errorf("editions: %w", err)
	}
	err = eachRow(rows, func() error {
		var e desk.Edition
		if err := rows.Scan(&e.ProductID, &e.Version, &e.Language, &e.Bitness, &e.FileName, &e.Size, &e.SHA256); err != nil {
			return err
		}
		if i, ok := index[e.ProductID]; ok {
			products[i].Editions = append(products[i].Editions, e)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	prices := map[string]map[string]int64{}
	rows, err = s.query(ctx, `SELECT offer_id, currency, unit_price FROM prices`)
	if err != nil {
		return nil, nil, fmt.Errorf("prices: %w", err)
	}
	err = eachRow(rows, func() error {
		var offer, cur string
		var unit int64
		if err := rows.Scan(&offer, &cur, &unit); err != nil {
			return err
		}
		if prices[offer] == nil {
			prices[offer] = map[string]int64{}
		}
		prices[offer][cur] = unit
		return nil
	})
	return products, prices, err
}
