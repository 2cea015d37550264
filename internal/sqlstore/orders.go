package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"partnerdesk/internal/desk"
)

// CreateOrder inserts an order and its line items, unless the customer already has an order
// with the idempotency key (R9): then it writes nothing and returns false. The unique constraint
// decides, not a prior read, so concurrent submissions of one key create one order: the later
// insert waits for the earlier transaction and then does nothing.
func (s *Store) CreateOrder(ctx context.Context, o desk.Order, key string) (bool, error) {
	created := false
	err := s.write(ctx, func(tx *Store) error {
		created = false
		res, err := tx.exec(ctx, `INSERT INTO orders (id, customer_id, idempotency_key, created_at, created_by, status, currency, tax_included, tax_rate_bp, net, tax, gross, request_hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (customer_id, idempotency_key) DO NOTHING`, o.ID, o.CustomerID, key, ms(o.CreatedAt), o.CreatedBy, o.Status, o.Currency,
			flag(o.Amounts.TaxIncluded), o.Amounts.RateBP, o.Amounts.Net, o.Amounts.Tax, o.Amounts.Gross, o.RequestHash)
		if err != nil {
			return s.wrap(err, "insert order")
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		created = true
		for _, l := range o.Lines {
			var next any
			if !l.NextChargeAt.IsZero() {
				next = ms(l.NextChargeAt)
			}
			_, err := tx.exec(ctx, `INSERT INTO line_items (order_id, line_number, offer_id, product_id, kind, title, quantity, ordered, term, billing_cycle, unit_price, net, tax, gross, status,
				charged, next_charge_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.ID, l.Number, l.OfferID, l.ProductID, l.Kind, l.Title, l.Quantity, l.Ordered,
				l.Term, l.BillingCycle, l.UnitPrice, l.Amounts.Net, l.Amounts.Tax, l.Amounts.Gross, l.Status, max(l.Charged, 1), next)
			if err != nil {
				return s.wrap(err, "insert line item")
			}
		}
		return nil
	})
	return created, err
}

// FindOrderIDByKey returns the ID of the customer's order placed with an idempotency key, or ENOTFOUND.
func (s *Store) FindOrderIDByKey(ctx context.Context, customerID, key string) (string, error) {
	var id string
	err := s.queryRow(ctx, `SELECT id FROM orders WHERE customer_id = ? AND idempotency_key = ?`, customerID, key).Scan(&id)
	if err != nil {
		return "", notFound(err, "err.order_not_found")
	}
	return id, nil
}

const orderCols = `o.id, o.customer_id, o.created_at, o.created_by, o.status, o.currency, o.tax_included, o.tax_rate_bp, o.net, o.tax, o.gross, o.request_hash`

func scanOrder(r scanner) (desk.Order, error) {
	var o desk.Order
	var created int64
	err := r.Scan(&o.ID, &o.CustomerID, &created, &o.CreatedBy, &o.Status, &o.Currency, &o.Amounts.TaxIncluded, &o.Amounts.RateBP,
		&o.Amounts.Net, &o.Amounts.Tax, &o.Amounts.Gross, &o.RequestHash)
	o.CreatedAt = fromMS(created)
	return o, err
}

// FindOrder returns one order of a customer with its lines, or ENOTFOUND (also for another
// customer's order: the customer ID is part of the key).
func (s *Store) FindOrder(ctx context.Context, customerID, id string) (desk.Order, error) {
	o, err := scanOrder(s.queryRow(ctx, `SELECT `+orderCols+` FROM orders o WHERE o.customer_id = ? AND o.id = ?`, customerID, id))
	if err != nil {
		return desk.Order{}, notFound(err, "err.order_not_found")
	}
	rows, err := s.query(ctx, `SELECT l.line_number, l.offer_id, l.product_id, l.kind, l.title, l.quantity, l.ordered, l.term, l.billing_cycle,
		l.unit_price, l.net, l.tax, l.gross, l.status, coalesce(e.id, ''),
		coalesce(c.credit_net, 0), coalesce(c.credit_tax, 0), coalesce(c.credit_gross, 0), coalesce(c.used_days, 0), coalesce(c.term_days, 0), coalesce(c.cancelled_at, 0), l.charged, coalesce(l.next_charge_at, 0)
		FROM line_items l LEFT JOIN entitlements e ON e.order_id = l.order_id AND e.line_number = l.line_number
		LEFT JOIN cancellations c ON c.order_id = l.order_id AND c.line_number = l.line_number
		WHERE l.order_id = ? ORDER BY l.line_number`, id)
	if err != nil {
		return o, fmt.Errorf("line items: %w", err)
	}
	o.Lines, err = scanAll(rows, func(l *desk.LineItem) error {
		var cancelled, next int64
		if err := rows.Scan(&l.Number, &l.OfferID, &l.ProductID, &l.Kind, &l.Title, &l.Quantity, &l.Ordered, &l.Term, &l.BillingCycle,
			&l.UnitPrice, &l.Amounts.Net, &l.Amounts.Tax, &l.Amounts.Gross, &l.Status, &l.EntitlementID,
			&l.Credit.Net, &l.Credit.Tax, &l.Credit.Gross, &l.Credit.UsedDays, &l.Credit.TermDays, &cancelled, &l.Charged, &next); err != nil {
			return err
		}
		if next > 0 {
			l.NextChargeAt = fromMS(next)
		}
		if cancelled > 0 {
			l.CancelledAt = fromMS(cancelled)
		}
		l.Amounts.TaxIncluded, l.Amounts.RateBP = o.Amounts.TaxIncluded, o.Amounts.RateBP
		return nil
	})
	return o, err
}

// FindOrders pages a customer's order history, newest first (keyset on created_at, id), with the
// line items of each order read in one query (no N+1).
func (s *Store) FindOrders(ctx context.Context, f desk.OrderFilter) (desk.OrderPage, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var page desk.OrderPage
	if err := s.queryRow(ctx, `SELECT count(*) FROM orders WHERE customer_id = ?`, f.CustomerID).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("count orders: %w", err)
	}
	q := `SELECT ` + orderCols + ` FROM orders o WHERE o.customer_id = ?`
	args := []any{f.CustomerID}
	if key, id, ok := DecodeCursor(f.After); ok {
		at, err := strconv.ParseInt(key, 10, 64)
		if err == nil {
			q += ` AND (o.created_at, o.id) < (?, ?)`
			args = append(args, at, id)
		}
	}
	q += ` ORDER BY o.created_at DESC, o.id DESC LIMIT ?`
	args = append(args, f.Limit+1)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return page, fmt.Errorf("find orders: %w", err)
	}
	if page.Items, err = scanRows(rows, scanOrder); err != nil {
		return page, err
	}
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		last := page.Items[len(page.Items)-1]
		page.Next = EncodeCursor(strconv.FormatInt(ms(last.CreatedAt), 10), last.ID)
	}
	if len(page.Items) == 0 {
		return page, nil
	}
	pos := map[string]int{}
	args = args[:0]
	ph := ""
	for i, o := range page.Items {
		pos[o.ID] = i
		args = append(args, o.ID)
		if i > 0 {
			ph += ","
		}
		ph += "?"
	}
	rows, err = s.query(ctx, `SELECT order_id, line_number, offer_id, product_id, kind, title, quantity, ordered, term, billing_cycle, unit_price, net, tax, gross, status
		FROM line_items WHERE order_id IN (`+ph+`) ORDER BY order_id, line_number`, args...)
	if err != nil {
		return page, fmt.Errorf("line items: %w", err)
	}
	return page, eachRow(rows, func() error {
		var oid string
		var l desk.LineItem
		if err := rows.Scan(&oid, &l.Number, &l.OfferID, &l.ProductID, &l.Kind, &l.Title, &l.Quantity, &l.Ordered, &l.Term, &l.BillingCycle,
			&l.UnitPrice, &l.Amounts.Net, &l.Amounts.Tax, &l.Amounts.Gross, &l.Status); err != nil {
			return err
		}
		o := &page.Items[pos[oid]]
		o.Lines = append(o.Lines, l)
		return nil
	})
}

// FindAzurePurchases lists a customer's Azure Reservation and Azure software plan lines, newest
// first (they have no entitlement, so the Software tab reads them from the orders: the
// customer's orders by their index, their lines by primary key).
func (s *Store) FindAzurePurchases(ctx context.Context, customerID string) ([]desk.AzurePurchase, error) {
	rows, err := s.query(ctx, `SELECT l.order_id, l.line_number, l.product_id, l.kind, l.title, l.ordered, l.term, l.status, o.created_at, p.never_cancellable
		FROM orders o JOIN line_items l ON l.order_id = o.id JOIN products p ON p.id = l.product_id
		WHERE o.customer_id = ? AND l.kind IN ('azure-reservation', 'azure-software-plan')
		ORDER BY o.created_at DESC, o.id DESC, l.line_number`, customerID)
	if err != nil {
		return nil, fmt.Errorf("find azure purchases: %w", err)
	}
	return scanAll(rows, func(a *desk.AzurePurchase) error {
		var created int64
		if err := rows.Scan(&a.OrderID, &a.LineNumber, &a.ProductID, &a.Kind, &a.Title, &a.Quantity, &a.Term, &a.Status, &created, &a.NeverCancellable); err != nil {
			return err
		}
		a.CreatedAt = fromMS(created)
		return nil
	})
}

// LockOrder locks a customer's order row until the transaction ends (ENOTFOUND if there is none):
// a cancellation and the billing run's charges of the order's lines take turns (R15, R25).
func (s *Store) LockOrder(ctx context.Context, customerID, id string) error {
	var locked string
	err := s.queryRow(ctx, `SELECT id FROM orders WHERE customer_id = ? AND id = ?`+s.eng.ForUpdate(), customerID, id).Scan(&locked)
	if err != nil {
		return notFound(err, "err.order_not_found")
	}
	return nil
}

// CreateEntitlement inserts a software entitlement for an order line.
func (s *Store) CreateEntitlement(ctx context.Context, e desk.Entitlement) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.exec(ctx, `INSERT INTO entitlements (id, customer_id, order_id, line_number, product_id, quantity, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.CustomerID, e.OrderID, e.LineNumber, e.ProductID, e.Quantity, e.Status, ms(e.CreatedAt))
		return s.wrap(err, "insert entitlement")
	})
}

const entitlementCols = `e.id, e.customer_id, e.order_id, e.line_number, e.product_id, p.title, l.title, p.kind, e.quantity, e.status, e.created_at, coalesce(e.cancelled_at, 0), coalesce(e.downloaded_at, 0)`

const entitlementFrom = ` FROM entitlements e JOIN products p ON p.id = e.product_id JOIN line_items l ON l.order_id = e.order_id AND l.line_number = e.line_number`

func scanEntitlement(r scanner) (desk.Entitlement, error) {
	var e desk.Entitlement
	var created, cancelled, downloaded int64
	err := r.Scan(&e.ID, &e.CustomerID, &e.OrderID, &e.LineNumber, &e.ProductID, &e.ProductTitle, &e.OfferTitle, &e.Kind, &e.Quantity, &e.Status, &created, &cancelled, &downloaded)
	e.CreatedAt = fromMS(created)
	if downloaded > 0 {
		e.DownloadedAt = fromMS(downloaded)
	}
	if cancelled > 0 {
		e.CancelledAt = fromMS(cancelled)
	}
	return e, err
}

// FindEntitlements lists a customer's software purchases, newest first.
func (s *Store) FindEntitlements(ctx context.Context, customerID string) ([]desk.Entitlement, error) {
	rows, err := s.query(ctx, `SELECT `+entitlementCols+entitlementFrom+` WHERE e.customer_id = ? ORDER BY e.created_at DESC, e.id DESC`, customerID)
	if err != nil {
		return nil, fmt.Errorf("find entitlements: %w", err)
	}
	return scanRows(rows, scanEntitlement)
}

// FindEntitlement returns one entitlement of a customer, or ENOTFOUND.
func (s *Store) FindEntitlement(ctx context.Context, customerID, id string) (desk.Entitlement, error) {
	e, err := scanEntitlement(s.queryRow(ctx, `SELECT `+entitlementCols+entitlementFrom+` WHERE e.customer_id = ? AND e.id = ?`, customerID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, desk.Errorf(desk.ENOTFOUND, "err.entitlement_not_found")
	}
	return e, err
}

// FindEntitlementByID returns an entitlement by ID alone (a download link names only that), or ENOTFOUND.
func (s *Store) FindEntitlementByID(ctx context.Context, id string) (desk.Entitlement, error) {
	e, err := scanEntitlement(s.queryRow(ctx, `SELECT `+entitlementCols+entitlementFrom+` WHERE e.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, desk.Errorf(desk.ENOTFOUND, "err.entitlement_not_found")
	}
	return e, err
}
