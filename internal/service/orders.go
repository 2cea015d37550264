package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"slices"
	"strings"

	"partnerdesk/internal/desk"
)

// maxOrderLines bounds an order's (and a cart's) lines.
const maxOrderLines = 50

// priceLines validates order lines for a customer's market and prices them (R6, R7, R10). It
// returns the first problem as a clear error naming the line's offer.
func (s *ordersArea) priceLines(ctx context.Context, cust desk.Customer, lines []desk.CartLine) ([]desk.PricedLine, desk.Amounts, error) {
	var total desk.Amounts
	if len(lines) == 0 {
		return nil, total, desk.KeyError(desk.EINVALID, "err.cart_empty")
	}
	if len(lines) > maxOrderLines {
		return nil, total, desk.KeyError(desk.EINVALID, "err.too_many_lines", maxOrderLines)
	}
	c, err := s.loadCatalog(ctx)
	if err != nil {
		return nil, total, err
	}
	total = desk.Amounts{TaxIncluded: desk.TaxIncluded(cust.Country), RateBP: desk.TaxRateBP(cust.Country)}
	out := make([]desk.PricedLine, 0, len(lines))
	for _, l := range lines {
		p, o, priced := c.offer(l.OfferID, cust.Currency)
		switch {
		case o.ID == "":
			return nil, total, desk.KeyError(desk.EINVALID, "err.offer_unknown", l.OfferID)
		case l.Quantity < 1 || l.Quantity > desk.MaxQuantity:
			return nil, total, desk.KeyError(desk.EINVALID, "err.quantity", o.Title, desk.NumberArg(desk.MaxQuantity))
		case l.Term != "" && l.Term != o.Term:
			return nil, total, desk.KeyError(desk.EINVALID, "err.term", o.Title, desk.TermArg(l.Term))
		}
		if ok, _ := desk.Sellable(p, cust.Country); !ok {
			return nil, total, desk.KeyError(desk.EINVALID, "err.reservation_market", o.Title, desk.CountryCode(cust.Country))
		}
		if !priced {
			return nil, total, desk.KeyError(desk.EINVALID, "err.no_price", o.Title, desk.CountryCode(cust.Country))
		}
		if l.BillingCycle == "" {
			l.BillingCycle = o.BillingCycles[0]
		}
		if !slices.Contains(o.BillingCycles, l.BillingCycle) {
			return nil, total, desk.KeyError(desk.EINVALID, "err.billing_cycle", o.Title)
		}
		l.Term = o.Term
		amounts := desk.ComputeAmounts(o.Price.Minor, int64(l.Quantity), cust.Country)
		out = append(out, desk.PricedLine{CartLine: l, Offer: o, Product: p, Amounts: amounts})
		total = total.Add(amounts)
	}
	return out, total, nil
}

// Cart returns the actor's cart for a customer, priced in the customer's market. Lines that can
// no longer be bought are dropped from the view with no error (the review step re-validates).
func (s *ordersArea) Cart(ctx context.Context, a desk.Actor, customerID string) (desk.Cart, error) {
	if err := require(a, desk.PermPlaceOrder); err != nil {
		return desk.Cart{}, err
	}
	cust, err := s.CustomerByID(ctx, a, customerID)
	if err != nil {
		return desk.Cart{}, err
	}
	lines, err := s.store.CartLines(ctx, a.User.ID, cust.ID)
	if err != nil {
		return desk.Cart{}, err
	}
	cart := desk.Cart{CustomerID: cust.ID, Currency: cust.Currency, Total: desk.Amounts{TaxIncluded: desk.TaxIncluded(cust.Country), RateBP: desk.TaxRateBP(cust.Country)}}
	for _, l := range lines {
		priced, total, err := s.priceLines(ctx, cust, []desk.CartLine{l})
		if err != nil {
			continue
		}
		cart.Lines = append(cart.Lines, priced...)
		cart.Total = cart.Total.Add(total)
	}
	return cart, nil
}

// SetCartLine adds an offer to the actor's cart for a customer (add: on top of what the cart
// holds), or sets its quantity and billing frequency; an invalid line is refused and the cart
// left as it was (R10).
func (s *ordersArea) SetCartLine(ctx context.Context, a desk.Actor, customerID string, l desk.CartLine, add bool) error {
	if err := require(a, desk.PermPlaceOrder); err != nil {
		return err
	}
	cust, err := s.CustomerByID(ctx, a, customerID)
	if err != nil {
		return err
	}
	current, err := s.store.CartLines(ctx, a.User.ID, cust.ID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(current, func(c desk.CartLine) bool { return c.OfferID == l.OfferID })
	if i < 0 && len(current) >= maxOrderLines {
		return desk.KeyError(desk.EINVALID, "err.too_many_lines", maxOrderLines)
	}
	if add && i >= 0 && l.Quantity >= 1 {
		l.Quantity += current[i].Quantity
	}
	priced, _, err := s.priceLines(ctx, cust, []desk.CartLine{l})
	if err != nil {
		return err
	}
	return s.store.SetCartLine(ctx, a.User.ID, cust.ID, priced[0].CartLine, s.now())
}

// RemoveCartLine removes an offer from the actor's cart.
func (s *ordersArea) RemoveCartLine(ctx context.Context, a desk.Actor, customerID, offerID string) error {
	if err := require(a, desk.PermPlaceOrder); err != nil {
		return err
	}
	cust, err := s.CustomerByID(ctx, a, customerID)
	if err != nil {
		return err
	}
	return s.store.DeleteCartLine(ctx, a.User.ID, cust.ID, offerID)
}

// PlaceCartOrder places the actor's cart for a customer as one order and empties the cart.
// key is the idempotency key carried by the review form (R9): a second submission with the same
// key — a double click, a retry, the back button — returns the first order and creates nothing.
func (s *ordersArea) PlaceCartOrder(ctx context.Context, a desk.Actor, customerID, key string) (desk.Order, bool, error) {
	return s.placeOrder(ctx, a, customerID, key, nil)
}

// PlaceOrder places an order of the given lines (the API); see PlaceCartOrder for key (R9).
func (s *ordersArea) PlaceOrder(ctx context.Context, a desk.Actor, customerID, key string, lines []desk.CartLine) (desk.Order, bool, error) {
	if lines == nil {
		lines = []desk.CartLine{}
	}
	return s.placeOrder(ctx, a, customerID, key, lines)
}

// placeOrder creates the order, its line items, the software entitlements and the create_order
// event in one transaction; lines nil means "the actor's cart". It reports whether it created.
func (s *ordersArea) placeOrder(ctx context.Context, a desk.Actor, customerID, key string, lines []desk.CartLine) (desk.Order, bool, error) {
	if err := require(a, desk.PermPlaceOrder); err != nil {
		return desk.Order{}, false, err
	}
	key = strings.TrimSpace(key)
	if key == "" || len(key) > 160 {
		return desk.Order{}, false, desk.KeyError(desk.EINVALID, "err.idempotency_key")
	}
	var reqHash []byte // the API's lines: a key reused with other lines is refused
	if lines != nil {
		reqHash = orderRequestHash(customerID, lines)
	}
	cust, err := s.CustomerByID(ctx, a, customerID)
	if err != nil {
		return desk.Order{}, false, err
	}
	var order desk.Order
	created := false
	err = s.store.InTx(ctx, func(tx Store) error {
		created = false
		// A key seen before returns its order (a resubmitted review form finds its cart already
		// empty). This read only saves work: the unique constraint behind CreateOrder is what
		// keeps concurrent submissions of one key to one order.
		existing := func() error {
			id, err := tx.FindOrderIDByKey(ctx, cust.ID, key)
			if err != nil {
				return err
			}
			if order, err = tx.FindOrder(ctx, cust.ID, id); err != nil {
				return err
			}
			if reqHash != nil && order.RequestHash != nil && !bytes.Equal(order.RequestHash, reqHash) {
				return desk.KeyError(desk.EKEYREUSED, "err.idempotency_reused")
			}
			return nil
		}
		if err := existing(); err == nil || desk.ErrorCode(err) != desk.ENOTFOUND {
			return err
		}
		fromCart := lines == nil
		if fromCart {
			var err error
			if lines, err = tx.CartLines(ctx, a.User.ID, cust.ID); err != nil {
				return err
			}
		}
		priced, total, err := s.priceLines(ctx, cust, lines)
		if err != nil {
			// A concurrent submission of the same key may have committed (and emptied the cart)
			// since the first look: its order is this submission's answer (R9).
			if again := existing(); again == nil || desk.ErrorCode(again) != desk.ENOTFOUND {
				return again
			}
			return err
		}
		now := s.now()
		order = desk.Order{ID: newID(), CustomerID: cust.ID, CreatedAt: now, CreatedBy: a.User.Email, Status: desk.OrderCompleted, Currency: cust.Currency, Amounts: total,
			RequestHash: reqHash}
		var titles []string
		var first []desk.Installment
		for i, l := range priced {
			// R25: the first installment now — the whole term, or its first month when billed monthly.
			in := desk.LineInstallment(now, l.Offer.Term, l.BillingCycle, l.Amounts, 0)
			li := desk.LineItem{
				Number: i, OfferID: l.Offer.ID, ProductID: l.Product.ID, Kind: l.Product.Kind, Title: l.Offer.Title,
				Quantity: l.Quantity, Ordered: l.Quantity, Term: l.Offer.Term, BillingCycle: l.BillingCycle,
				UnitPrice: l.Offer.Price.Minor, Amounts: l.Amounts, Status: desk.StatusActive, Charged: 1,
			}
			if in.Of > 1 {
				li.NextChargeAt = in.End
			}
			order.Lines = append(order.Lines, li)
			first = append(first, in)
			titles = append(titles, l.Offer.Title)
		}
		if ok, err := tx.CreateOrder(ctx, order, key); err != nil || !ok {
			if err != nil {
				return err
			}
			// Another submission of the key committed first: nothing was written here.
			return existing()
		}
		for i, l := range order.Lines {
			if err := tx.AddInvoiceLine(ctx, chargeLine(order.Currency, cust.ID, order.ID, l.Number, l.Title, l.Ordered, first[i], now)); err != nil {
				return err
			}
		}
		for i, l := range order.Lines {
			if !l.Kind.IsSoftware() {
				continue
			}
			e := desk.Entitlement{ID: newID(), CustomerID: cust.ID, OrderID: order.ID, LineNumber: l.Number, ProductID: l.ProductID,
				Quantity: l.Quantity, Status: desk.StatusActive, CreatedAt: now}
			if err := tx.CreateEntitlement(ctx, e); err != nil {
				return err
			}
			if err := s.allocateKeys(ctx, tx, e, priced[i].Product); err != nil {
				return err
			}
			order.Lines[i].EntitlementID = e.ID
		}
		if fromCart {
			if err := tx.ClearCart(ctx, a.User.ID, cust.ID); err != nil {
				return err
			}
		}
		created = true
		return s.auditNotify(ctx, tx, a, desk.Event{Operation: desk.OpCreateOrder, ResourceType: "order", CustomerID: cust.ID, CustomerName: cust.CompanyName,
			OrderID: order.ID, Product: strings.Join(titles, "; "),
			Detail: desk.DetailOrderText(len(order.Lines), desk.Money{Minor: total.Gross, Currency: cust.Currency})},
			desk.WebhookOrderCreated, orderPath(cust.ID, order.ID), "Order")
	})
	if err != nil {
		return desk.Order{}, false, err
	}
	return order, created, nil
}

// Orders pages a customer's order history, newest first.
func (s *ordersArea) Orders(ctx context.Context, a desk.Actor, customerID, after string, limit int) (desk.Customer, desk.OrderPage, error) {
	if err := require(a, desk.PermViewOrders); err != nil {
		return desk.Customer{}, desk.OrderPage{}, err
	}
	cust, err := s.CustomerByID(ctx, a, customerID)
	if err != nil {
		return cust, desk.OrderPage{}, err
	}
	page, err := s.store.FindOrders(ctx, desk.OrderFilter{CustomerID: cust.ID, After: after, Limit: limit})
	return cust, page, err
}

// Order returns one order of a customer; another customer's order is ENOTFOUND (R5).
func (s *ordersArea) Order(ctx context.Context, a desk.Actor, customerID, orderID string) (desk.Customer, desk.Order, error) {
	if err := require(a, desk.PermViewOrders); err != nil {
		return desk.Customer{}, desk.Order{}, err
	}
	cust, err := s.CustomerByID(ctx, a, customerID)
	if err != nil {
		return cust, desk.Order{}, err
	}
	o, err := s.store.FindOrder(ctx, cust.ID, orderID)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return cust, o, desk.KeyError(desk.ENOTFOUND, "err.order_not_found")
	}
	return cust, o, err
}

// Entitlements lists a customer's software purchases (the Software tab).
func (s *ordersArea) Entitlements(ctx context.Context, a desk.Actor, customerID string) (desk.Customer, []desk.Entitlement, error) {
	if err := require(a, desk.PermViewSoftware); err != nil {
		return desk.Customer{}, nil, err
	}
	cust, err := s.CustomerByID(ctx, a, customerID)
	if err != nil {
		return cust, nil, err
	}
	ents, err := s.store.FindEntitlements(ctx, cust.ID)
	return cust, ents, err
}

// orderRequestHash is the SHA-256 of an order request as the API received it: the customer and
// each line's offer, quantity, term and billing cycle, in order, as JSON (unambiguous whatever
// the fields hold). R9: an idempotency key names one request.
func orderRequestHash(customerID string, lines []desk.CartLine) []byte {
	type line struct {
		Offer    string `json:"o"`
		Quantity int    `json:"q"`
		Term     string `json:"t"`
		Cycle    string `json:"c"`
	}
	req := struct {
		Customer string `json:"customer"`
		Lines    []line `json:"lines"`
	}{Customer: customerID}
	for _, l := range lines {
		req.Lines = append(req.Lines, line{l.OfferID, l.Quantity, l.Term, l.BillingCycle})
	}
	b, _ := json.Marshal(req)
	h := sha256.Sum256(b)
	return h[:]
}
