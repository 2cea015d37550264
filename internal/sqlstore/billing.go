package sqlstore

import (
	"context"
	"fmt"

	"partnerdesk/internal/desk"
)

// CancelLine records a cancellation in the caller's transaction: the cancellation row (a second
// one for the same line is ECONFLICT, R15), the line (status cancelled, quantity 0), the
// entitlement (cancelled), its keys (revoked, R18), and the order (cancelled when no line is
// left active).
func (s *Store) CancelLine(ctx context.Context, c desk.Cancellation) error {
	return s.write(ctx, func(tx *Store) error {
		at := ms(c.CancelledAt)
		// Cancellations of one order take turns (the order row is locked): the last one to finish
		// sees every other line's state and marks the order cancelled when none is left active.
		var locked string
		if err := tx.queryRow(ctx, `SELECT id FROM orders WHERE id = ?`+s.eng.ForUpdate(), c.OrderID).Scan(&locked); err != nil {
			return notFound(err, "err.order_not_found")
		}
		// R15: only an active line is cancelled; of two cancellations racing for it, the second
		// finds it cancelled (PostgreSQL re-checks the condition after the first commits).
		res, err := tx.exec(ctx, `UPDATE line_items SET status = 'cancelled', quantity = 0, cancelled_at = ?
			WHERE order_id = ? AND line_number = ? AND status = 'active'`, at, c.OrderID, c.LineNumber)
		if err != nil {
			return s.wrap(err, "cancel line")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return desk.Errorf(desk.ECONFLICT, "err.already_cancelled")
		}
		if _, err := tx.exec(ctx, `INSERT INTO cancellations (id, customer_id, order_id, line_number, cancelled_at, cancelled_by, currency,
			credit_net, credit_tax, credit_gross, used_days, term_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.CustomerID, c.OrderID, c.LineNumber, at, c.CancelledBy, c.Currency, c.Credit.Net, c.Credit.Tax, c.Credit.Gross,
			c.Credit.UsedDays, c.Credit.TermDays); err != nil {
			if desk.ErrorCode(s.wrap(err, "")) == desk.ECONFLICT {
				return desk.Errorf(desk.ECONFLICT, "err.already_cancelled")
			}
			return s.wrap(err, "insert cancellation")
		}
		if _, err := tx.exec(ctx, `UPDATE entitlements SET status = 'cancelled', cancelled_at = ? WHERE order_id = ? AND line_number = ?`,
			at, c.OrderID, c.LineNumber); err != nil {
			return s.wrap(err, "cancel entitlement")
		}
		if _, err := tx.exec(ctx, `UPDATE product_keys SET revoked_at = ? WHERE revoked_at IS NULL AND entitlement_id IN
			(SELECT id FROM entitlements WHERE order_id = ? AND line_number = ?)`, at, c.OrderID, c.LineNumber); err != nil {
			return s.wrap(err, "revoke keys")
		}
		_, err = tx.exec(ctx, `UPDATE orders SET status = 'cancelled' WHERE id = ?
			AND NOT EXISTS (SELECT 1 FROM line_items WHERE order_id = ? AND status = 'active')`, c.OrderID, c.OrderID)
		return s.wrap(err, "order status")
	})
}

// CountCancellations counts the cancellations (and so the credits) of an order line.
func (s *Store) CountCancellations(ctx context.Context, orderID string, line int) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT count(*) FROM cancellations WHERE order_id = ? AND line_number = ?`, orderID, line).Scan(&n)
	return n, s.wrap(err, "count cancellations")
}

// AddInvoiceLine adds a charge or credit to its monthly invoice; a second one of a kind for a
// line is ECONFLICT.
func (s *Store) AddInvoiceLine(ctx context.Context, l desk.InvoiceLine) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `INSERT INTO invoice_lines (period, currency, customer_id, order_id, line_number, kind, description, net, tax, gross, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.Period, l.Currency, l.CustomerID, l.OrderID, l.LineNumber, l.Kind, l.Description,
			l.Net, l.Tax, l.Gross, ms(l.CreatedAt))
		return s.wrap(err, "insert invoice line")
	})
}

// Invoices lists the monthly invoices (period × currency) with their totals, newest first.
func (s *Store) Invoices(ctx context.Context) ([]desk.Invoice, error) {
	rows, err := s.query(ctx, `SELECT period, currency, count(*),
		CAST(coalesce(sum(CASE WHEN kind = 'charge' THEN gross END), 0) AS BIGINT), CAST(coalesce(sum(CASE WHEN kind = 'credit' THEN gross END), 0) AS BIGINT),
		CAST(sum(net) AS BIGINT), CAST(sum(tax) AS BIGINT), CAST(sum(gross) AS BIGINT)
		FROM invoice_lines GROUP BY period, currency ORDER BY period DESC, currency`)
	if err != nil {
		return nil, fmt.Errorf("invoices: %w", err)
	}
	defer rows.Close()
	var out []desk.Invoice
	for rows.Next() {
		var inv desk.Invoice
		if err := rows.Scan(&inv.Period, &inv.Currency, &inv.Lines, &inv.Charges, &inv.Credits, &inv.Net, &inv.Tax, &inv.Gross); err != nil {
			return nil, err
		}
		inv.ID = desk.InvoiceID(inv.Period, inv.Currency)
		out = append(out, inv)
	}
	return out, rows.Err()
}

// InvoiceLines lists the lines of one invoice by customer, then time, each with its order line's
// title and quantity and, for a credit, its cancellation's proration (pages write the line's text
// from them in the reader's language; both joins are primary-key or unique-index lookups).
func (s *Store) InvoiceLines(ctx context.Context, period, currency string) ([]desk.InvoiceLine, error) {
	rows, err := s.query(ctx, `SELECT l.id, l.period, l.currency, l.customer_id, c.company_name, c.country, l.order_id, l.line_number, l.kind,
		l.description, l.net, l.tax, l.gross, l.created_at, coalesce(li.title, ''), coalesce(li.ordered, 0),
		coalesce(x.used_days, 0), coalesce(x.term_days, 0)
		FROM invoice_lines l JOIN customers c ON c.id = l.customer_id
		LEFT JOIN line_items li ON li.order_id = l.order_id AND li.line_number = l.line_number
		LEFT JOIN cancellations x ON l.kind = 'credit' AND x.order_id = l.order_id AND x.line_number = l.line_number
		WHERE l.period = ? AND l.currency = ? ORDER BY c.name_fold, l.customer_id, l.id`, period, currency)
	if err != nil {
		return nil, fmt.Errorf("invoice lines: %w", err)
	}
	defer rows.Close()
	var out []desk.InvoiceLine
	for rows.Next() {
		var l desk.InvoiceLine
		var at int64
		if err := rows.Scan(&l.ID, &l.Period, &l.Currency, &l.CustomerID, &l.CustomerName, &l.Country, &l.OrderID, &l.LineNumber, &l.Kind,
			&l.Description, &l.Net, &l.Tax, &l.Gross, &at, &l.Title, &l.Quantity, &l.UsedDays, &l.TermDays); err != nil {
			return nil, err
		}
		l.CreatedAt = fromMS(at)
		out = append(out, l)
	}
	return out, rows.Err()
}
