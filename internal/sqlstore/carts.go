package sqlstore

import (
	"context"
	"fmt"
	"time"

	"partnerdesk/internal/desk"
)

// CartLines returns a user's cart for a customer, in the order the lines were added.
func (s *Store) CartLines(ctx context.Context, userID, customerID string) ([]desk.CartLine, error) {
	rows, err := s.query(ctx, `SELECT offer_id, quantity, billing_cycle FROM carts WHERE user_id = ? AND customer_id = ? ORDER BY added_at, offer_id`, userID, customerID)
	if err != nil {
		return nil, fmt.Errorf("cart: %w", err)
	}
	return scanAll(rows, func(l *desk.CartLine) error {
		if err := rows.Scan(&l.OfferID, &l.Quantity, &l.BillingCycle); err != nil {
			return err
		}
		return nil
	})
}

// SetCartLine adds an offer to the cart or replaces its quantity and billing cycle.
func (s *Store) SetCartLine(ctx context.Context, userID, customerID string, l desk.CartLine, now time.Time) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `INSERT INTO carts (user_id, customer_id, offer_id, quantity, billing_cycle, added_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id, customer_id, offer_id) DO UPDATE SET quantity = excluded.quantity, billing_cycle = excluded.billing_cycle`,
			userID, customerID, l.OfferID, l.Quantity, l.BillingCycle, ms(now))
		return s.wrap(err, "set cart line")
	})
}

// DeleteCartLine removes an offer from the cart.
func (s *Store) DeleteCartLine(ctx context.Context, userID, customerID, offerID string) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `DELETE FROM carts WHERE user_id = ? AND customer_id = ? AND offer_id = ?`, userID, customerID, offerID)
		return s.wrap(err, "delete cart line")
	})
}

// ClearCart empties a user's cart for a customer.
func (s *Store) ClearCart(ctx context.Context, userID, customerID string) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `DELETE FROM carts WHERE user_id = ? AND customer_id = ?`, userID, customerID)
		return s.wrap(err, "clear cart")
	})
}
