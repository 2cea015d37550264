package sqlstore

import (
	"context"
	"fmt"
	"time"

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
		// No later month is charged for a cancelled line (R25).
		if _, err := tx.exec(ctx, `UPDATE line_items SET next_charge_at = NULL WHERE order_id = ? AND line_number = ?`, c.OrderID, c.LineNumber); err != nil {
			return s.wrap(err, "stop the line's charges")
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
// line on one monthly invoice is ECONFLICT.
func (s *Store) AddInvoiceLine(ctx context.Context, l desk.InvoiceLine) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `INSERT INTO invoice_lines (period, currency, customer_id, order_id, line_number, kind, description, net, tax, gross, created_at,
			service_start, service_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.Period, l.Currency, l.CustomerID, l.OrderID, l.LineNumber, l.Kind,
			l.Description, l.Net, l.Tax, l.Gross, ms(l.CreatedAt), serviceDay(l.ServiceStart, l.CreatedAt), serviceDay(l.ServiceEnd, l.CreatedAt))
		return s.wrap(err, "insert invoice line")
	})
}

// serviceDay writes a service period's day; none given is the line's own day.
func serviceDay(day, created time.Time) string {
	if day.IsZero() {
		day = created
	}
	return day.UTC().Format(desk.DateFormat)
}

func parseDay(s string) time.Time {
	t, _ := time.Parse(desk.DateFormat, s)
	return t
}

// OrderCharges returns the charges of the lines of orders, keyed by desk.ChargeKey, in
// service order: what a cancellation credits the unused part of (R20, R25).
func (s *Store) OrderCharges(ctx context.Context, orderIDs []string) (map[string][]desk.Charge, error) {
	out := map[string][]desk.Charge{}
	if len(orderIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(orderIDs))
	for i, id := range orderIDs {
		args[i] = id
	}
	rows, err := s.query(ctx, `SELECT order_id, line_number, net, tax, gross, service_start, service_end FROM invoice_lines
		WHERE kind = 'charge' AND order_id IN (`+placeholders(len(orderIDs))+`) ORDER BY order_id, line_number, service_start`, args...)
	if err != nil {
		return nil, fmt.Errorf("order charges: %w", err)
	}
	return out, eachRow(rows, func() error {
		var order, first, last string
		var line int
		var c desk.Charge
		if err := rows.Scan(&order, &line, &c.Amounts.Net, &c.Amounts.Tax, &c.Amounts.Gross, &first, &last); err != nil {
			return err
		}
		c.First, c.Last = parseDay(first), parseDay(last)
		k := desk.ChargeKey(order, line)
		out[k] = append(out[k], c)
		return nil
	})
}

// DueCharges lists up to limit installments whose service period has started by now and that are
// not charged yet (the partial index on next_charge_at holds only the lines with one to come).
func (s *Store) DueCharges(ctx context.Context, now time.Time, limit int) ([]desk.DueCharge, error) {
	rows, err := s.query(ctx, `SELECT l.order_id, l.line_number, o.customer_id, o.currency, o.created_at, l.title, l.ordered, l.term, l.billing_cycle,
		l.net, l.tax, l.gross, l.charged
		FROM line_items l JOIN orders o ON o.id = l.order_id
		WHERE l.next_charge_at IS NOT NULL AND l.next_charge_at <= ? AND l.status = 'active'
		ORDER BY l.next_charge_at LIMIT ?`, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due charges: %w", err)
	}
	return scanAll(rows, func(d *desk.DueCharge) error {
		var at int64
		if err := rows.Scan(&d.OrderID, &d.LineNumber, &d.CustomerID, &d.Currency, &at, &d.Title, &d.Ordered, &d.Term, &d.BillingCycle,
			&d.Amounts.Net, &d.Amounts.Tax, &d.Amounts.Gross, &d.Charged); err != nil {
			return err
		}
		d.PurchasedAt = fromMS(at)
		return nil
	})
}

// ChargeInstallment writes the next installment l of an order line in the caller's transaction,
// if the line is still active and has charged installments charged so far (false otherwise: a
// cancellation, or another instance's billing run, came first); next is when the one after it
// starts (zero: none is left). The order row is locked first, as a cancellation locks it.
func (s *Store) ChargeInstallment(ctx context.Context, l desk.InvoiceLine, charged int, next time.Time) (bool, error) {
	done := false
	err := s.write(ctx, func(tx *Store) error {
		done = false
		var locked string
		if err := tx.queryRow(ctx, `SELECT id FROM orders WHERE id = ?`+s.eng.ForUpdate(), l.OrderID).Scan(&locked); err != nil {
			return notFound(err, "err.order_not_found")
		}
		var nextAt any
		if !next.IsZero() {
			nextAt = ms(next)
		}
		res, err := tx.exec(ctx, `UPDATE line_items SET charged = charged + 1, next_charge_at = ?
			WHERE order_id = ? AND line_number = ? AND charged = ? AND status = 'active' AND next_charge_at IS NOT NULL`, nextAt, l.OrderID, l.LineNumber, charged)
		if err != nil {
			return s.wrap(err, "advance the line's charges")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		if err := tx.AddInvoiceLine(ctx, l); err != nil {
			return err
		}
		done = true
		return nil
	})
	return done, err
}

// UnissuedInvoices lists the monthly invoices (period, currency) of the periods before period that
// hold lines and are not issued yet, oldest first. Only the periods from the last one issued on
// are read.
func (s *Store) UnissuedInvoices(ctx context.Context, period string) ([]desk.Invoice, error) {
	var from string
	if err := s.queryRow(ctx, `SELECT coalesce(max(period), '') FROM invoice_issues`).Scan(&from); err != nil {
		return nil, fmt.Errorf("last issued invoice: %w", err)
	}
	rows, err := s.query(ctx, `SELECT DISTINCT l.period, l.currency FROM invoice_lines l
		WHERE l.period >= ? AND l.period < ? AND NOT EXISTS (SELECT 1 FROM invoice_issues i WHERE i.period = l.period AND i.currency = l.currency)
		ORDER BY l.period, l.currency`, from, period)
	if err != nil {
		return nil, fmt.Errorf("unissued invoices: %w", err)
	}
	return scanAll(rows, func(inv *desk.Invoice) error {
		if err := rows.Scan(&inv.Period, &inv.Currency); err != nil {
			return err
		}
		inv.ID = desk.InvoiceID(inv.Period, inv.Currency)
		return nil
	})
}

// IssueInvoice records a monthly invoice as issued; false when it already was (by another
// instance's billing run).
func (s *Store) IssueInvoice(ctx context.Context, period, currency string, now time.Time) (bool, error) {
	issued := false
	err := s.write(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `INSERT INTO invoice_issues (period, currency, issued_at) VALUES (?, ?, ?) ON CONFLICT (period, currency) DO NOTHING`,
			period, currency, ms(now))
		if err != nil {
			return s.wrap(err, "issue invoice")
		}
		n, err := res.RowsAffected()
		issued = n == 1
		return err
	})
	return issued, err
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
	return scanAll(rows, func(inv *desk.Invoice) error {
		if err := rows.Scan(&inv.Period, &inv.Currency, &inv.Lines, &inv.Charges, &inv.Credits, &inv.Net, &inv.Tax, &inv.Gross); err != nil {
			return err
		}
		inv.ID = desk.InvoiceID(inv.Period, inv.Currency)
		return nil
	})
}

// InvoiceLines lists the lines of one invoice by customer, then time, each with its order line's
// title and quantity and, for a credit, its cancellation's proration (pages write the line's text
// from them in the reader's language; both joins are primary-key or unique-index lookups).
func (s *Store) InvoiceLines(ctx context.Context, period, currency string) ([]desk.InvoiceLine, error) {
	rows, err := s.query(ctx, `SELECT l.id, l.period, l.currency, l.customer_id, c.company_name, c.country, l.order_id, l.line_number, l.kind,
		l.description, l.net, l.tax, l.gross, l.created_at, coalesce(li.title, ''), coalesce(li.ordered, 0),
		coalesce(x.used_days, 0), coalesce(x.term_days, 0), l.service_start, l.service_end, coalesce(li.billing_cycle, '')
		FROM invoice_lines l JOIN customers c ON c.id = l.customer_id
		LEFT JOIN line_items li ON li.order_id = l.order_id AND li.line_number = l.line_number
		LEFT JOIN cancellations x ON l.kind = 'credit' AND x.order_id = l.order_id AND x.line_number = l.line_number
		WHERE l.period = ? AND l.currency = ? ORDER BY c.name_fold, l.customer_id, l.id`, period, currency)
	if err != nil {
		return nil, fmt.Errorf("invoice lines: %w", err)
	}
	return scanAll(rows, func(l *desk.InvoiceLine) error {
		var at int64
		var first, last string
		if err := rows.Scan(&l.ID, &l.Period, &l.Currency, &l.CustomerID, &l.CustomerName, &l.Country, &l.OrderID, &l.LineNumber, &l.Kind,
			&l.Description, &l.Net, &l.Tax, &l.Gross, &at, &l.Title, &l.Quantity, &l.UsedDays, &l.TermDays, &first, &last, &l.BillingCycle); err != nil {
			return err
		}
		l.CreatedAt = fromMS(at)
		l.ServiceStart, l.ServiceEnd = parseDay(first), parseDay(last)
		return nil
	})
}
