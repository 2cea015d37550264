package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"partnerdesk/internal/desk"
)

// cancelState decides what the dialog offers for a line, and what Cancel allows, through the
// one rule for the dialog and the API (desk.CancelPolicy.Decide).
func (s *ordersArea) cancelState(p desk.Product, l desk.LineItem, e desk.Entitlement, o desk.Order) desk.CancelDecision {
	return s.cfg.Cancel.Decide(desk.CancelFacts{Kind: p.Kind, NeverCancellable: p.NeverCancellable, Cancelled: l.Status != desk.StatusActive,
		Purchased: o.CreatedAt, Now: s.now(), Gross: l.Amounts.Gross, Currency: o.Currency, Downloaded: !e.DownloadedAt.IsZero()})
}

// CancelDialog returns the cancel dialog of the product of a purchase: every order of that
// product for the customer, with days left, state and the credit cancelling now would give.
func (s *ordersArea) CancelDialog(ctx context.Context, a desk.Actor, customerID, entitlementID, selectedOrder string) (desk.CancelDialog, error) {
	if err := require(a, desk.PermCancelPurchase); err != nil {
		return desk.CancelDialog{}, err
	}
	cust, err := s.CustomerByID(ctx, a, customerID)
	if err != nil {
		return desk.CancelDialog{}, err
	}
	anchor, err := s.store.FindEntitlement(ctx, cust.ID, entitlementID)
	if err != nil {
		return desk.CancelDialog{}, err
	}
	p, err := s.Product(ctx, anchor.ProductID)
	if err != nil {
		return desk.CancelDialog{}, err
	}
	ents, err := s.store.FindEntitlements(ctx, cust.ID)
	if err != nil {
		return desk.CancelDialog{}, err
	}
	d := desk.CancelDialog{CustomerID: cust.ID, CustomerName: cust.CompanyName, CustomerDomain: cust.Domain, ProductTitle: p.Title}
	now := s.now()
	var orderIDs []string
	for _, e := range ents {
		if e.ProductID == anchor.ProductID {
			orderIDs = append(orderIDs, e.OrderID)
		}
	}
	charges, err := s.store.OrderCharges(ctx, orderIDs)
	if err != nil {
		return d, err
	}
	for _, e := range ents {
		if e.ProductID != anchor.ProductID {
			continue
		}
		o, err := s.store.FindOrder(ctx, cust.ID, e.OrderID)
		if err != nil {
			return d, err
		}
		l := o.Lines[e.LineNumber]
		dec := s.cancelState(p, l, e, o)
		state, reason := dec.State, dec.Reason
		opt := desk.CancelOption{OrderID: o.ID, EntitlementID: e.ID, LineNumber: l.Number, Title: l.Title, Quantity: l.Ordered,
			PurchasedAt: o.CreatedAt, Deadline: s.cfg.Cancel.Deadline(o.CreatedAt, p.Kind), Kind: p.Kind, Window: s.cfg.Cancel.Window(p.Kind),
			State: state, Reason: reason,
			Currency: o.Currency, Line: l.Amounts, Credit: desk.LineCredit(charges[desk.ChargeKey(o.ID, l.Number)], l.Term, now)}
		if l.Status == desk.StatusActive {
			opt.DaysLeft = s.cfg.Cancel.DaysLeft(o.CreatedAt, now, p.Kind)
		}
		d.Options = append(d.Options, opt)
		if o.ID == selectedOrder || (selectedOrder == "" && e.ID == entitlementID) {
			d.Selected = opt
		}
	}
	if d.Selected.OrderID == "" && len(d.Options) > 0 {
		d.Selected = d.Options[0]
	}
	return d, nil
}

// Cancel cancels lines of an order (R12–R20) in one transaction: per line the cancellation,
// the revocation of its keys and links (R18), the status change (R19), the credit on the
// monthly invoice (R20) and an update_order event. Concurrent or repeated requests give one
// cancellation: the others get ECONFLICT "already cancelled" (R15). The dialog and the API
// share the rule (desk.CancelPolicy.Decide): a purchase already downloaded, or above the amount
// limit, needs a support request (ENEEDSUPPORT) unless a Global admin overrides the rule with a
// reason, which the line's update_order event records.
// It returns ENOTFOUND, EFORBIDDEN, EINVALID, EWINDOWCLOSED, ENOTCANCEL, ENEEDSUPPORT or ECONFLICT.
func (s *ordersArea) Cancel(ctx context.Context, a desk.Actor, req desk.CancelRequest) (desk.Order, []desk.Cancellation, error) {
	if err := require(a, desk.PermCancelPurchase); err != nil { // R3
		return desk.Order{}, nil, err
	}
	req.OverrideReason = strings.TrimSpace(req.OverrideReason)
	if req.OverrideReason != "" {
		if err := require(a, desk.PermOverrideCancelPolicy); err != nil {
			return desk.Order{}, nil, err
		}
		if !validOverrideReason(req.OverrideReason) {
			return desk.Order{}, nil, &desk.Error{Code: desk.EINVALID, Field: "override_reason", Message: "err.override_reason",
				Args: []any{desk.NumberArg(desk.MaxOverrideReason)}}
		}
	}
	if req.FromDialog && !req.Acknowledged { // R14: the server enforces the checkbox
		return desk.Order{}, nil, desk.KeyError(desk.EINVALID, "err.ack_required")
	}
	if len(req.Lines) == 0 {
		return desk.Order{}, nil, desk.KeyError(desk.EINVALID, "err.cancel_no_lines")
	}
	cust, err := s.CustomerByID(ctx, a, req.CustomerID)
	if err != nil {
		return desk.Order{}, nil, err
	}
	var out []desk.Cancellation
	var order desk.Order
	err = s.store.InTx(ctx, func(tx Store) error {
		out = out[:0]
		var events []desk.Event
		// The order's row is locked first: the billing run charges its lines' months under the
		// same lock, so the credit covers every charge there is (R25).
		if err := tx.LockOrder(ctx, cust.ID, req.OrderID); err != nil {
			if desk.ErrorCode(err) == desk.ENOTFOUND {
				return desk.KeyError(desk.ENOTFOUND, "err.order_not_found")
			}
			return err
		}
		o, err := tx.FindOrder(ctx, cust.ID, req.OrderID)
		if desk.ErrorCode(err) == desk.ENOTFOUND {
			return desk.KeyError(desk.ENOTFOUND, "err.order_not_found")
		}
		if err != nil {
			return err
		}
		charges, err := tx.OrderCharges(ctx, []string{o.ID})
		if err != nil {
			return err
		}
		now := s.now()
		lines := slices.Clone(req.Lines)
		slices.Sort(lines)
		lines = slices.Compact(lines)
		for _, n := range lines {
			if n < 0 || n >= len(o.Lines) {
				return desk.KeyError(desk.EINVALID, "err.cancel_line", n)
			}
		}
		// The purchases' row locks before anything is decided, in line order (two cancellations
		// of one order take them in the same order): a download in flight either commits first,
		// and the rule below sees the purchase downloaded, or waits for this cancellation and is
		// refused (R11, R12). Without them a download could slip between the read of the
		// purchase and its cancellation on PostgreSQL.
		for _, n := range lines {
			if id := o.Lines[n].EntitlementID; id != "" {
				if err := tx.LockEntitlement(ctx, id); err != nil {
					return err
				}
			}
		}
		for _, n := range lines {
			l := o.Lines[n]
			p, err := s.Product(ctx, l.ProductID)
			if err != nil {
				return err
			}
			var e desk.Entitlement
			if l.EntitlementID != "" {
				if e, err = tx.FindEntitlement(ctx, cust.ID, l.EntitlementID); err != nil {
					return err
				}
			}
			dec := s.cancelState(p, l, e, o)
			switch dec.State {
			case desk.CancelDone:
				return desk.KeyError(desk.ECONFLICT, "err.already_cancelled")
			case desk.CancelNever: // R13
				return desk.KeyError(desk.ENOTCANCEL, "err.never_cancellable", l.Title)
			case desk.CancelWindowPassed: // R12
				return desk.KeyError(desk.EWINDOWCLOSED, "err.window_passed", l.Title, desk.WindowArg(s.cfg.Cancel.Window(p.Kind)))
			case desk.CancelNeedsSupport:
				if req.OverrideReason == "" {
					args := []any{l.Title}
					if dec.Reason == "amount" {
						args = append(args, desk.NumberArg(s.cfg.Cancel.SupportThresholdUSD))
					}
					return desk.KeyError(desk.ENEEDSUPPORT, "err.cancel_needs_support."+dec.Reason, args...)
				}
			}
			credit := desk.LineCredit(charges[desk.ChargeKey(o.ID, l.Number)], l.Term, now)
			c := desk.Cancellation{ID: newID(), CustomerID: cust.ID, OrderID: o.ID, LineNumber: l.Number, CancelledAt: now,
				CancelledBy: a.User.Email, Currency: o.Currency, Credit: credit}
			if err := tx.CancelLine(ctx, c); err != nil {
				return err
			}
			first, last := creditPeriod(charges[desk.ChargeKey(o.ID, l.Number)], l.Term, now)
			if err := tx.AddInvoiceLine(ctx, desk.InvoiceLine{Period: desk.Period(now), Currency: o.Currency, CustomerID: cust.ID, OrderID: o.ID,
				LineNumber: l.Number, Kind: desk.InvoiceCredit, Description: creditDescription(l, credit),
				Net: -credit.Net, Tax: -credit.Tax, Gross: -credit.Gross, CreatedAt: now, ServiceStart: first, ServiceEnd: last}); err != nil {
				return err
			}
			amount := desk.Money{Minor: credit.Gross, Currency: o.Currency}
			detail := desk.DetailCancelText(l.Number, amount)
			if dec.Overridable() {
				detail = desk.DetailCancelOverrideText(l.Number, amount, req.OverrideReason)
			}
			events = append(events, desk.Event{Operation: desk.OpUpdateOrder, ResourceType: "order", CustomerID: cust.ID, CustomerName: cust.CompanyName,
				OrderID: o.ID, Product: l.Title, Detail: detail})
			out = append(out, c)
		}
		if order, err = tx.FindOrder(ctx, cust.ID, o.ID); err != nil {
			return err
		}
		// The events last: appending locks the log's chain head until the commit. One
		// order-updated webhook reports the order's change (R21), with the last event's record.
		for i, e := range events {
			if i == len(events)-1 {
				return s.auditNotify(ctx, tx, a, e, desk.WebhookOrderUpdated, orderPath(cust.ID, o.ID), "Order")
			}
			if err := s.audit(ctx, tx, a, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return desk.Order{}, nil, err
	}
	return order, out, nil
}

// creditPeriod is the service a credit gives back: from the cancellation day to the end of the
// last charged period (a perpetual licence: the cancellation day).
func creditPeriod(charges []desk.Charge, term string, now time.Time) (first, last time.Time) {
	first, last = desk.Day(now), desk.Day(now)
	if term == desk.TermNone {
		return first, last
	}
	for _, c := range charges {
		if c.Last.After(last) {
			last = c.Last
		}
	}
	return first, last
}

func creditDescription(l desk.LineItem, c desk.Credit) string {
	if c.TermDays == 0 {
		return fmt.Sprintf("Cancellation of %s × %d (100%% credit)", l.Title, l.Ordered)
	}
	return fmt.Sprintf("Cancellation of %s × %d (prorated: %d of %d days unused)", l.Title, l.Ordered, c.TermDays-c.UsedDays, c.TermDays)
}

// validOverrideReason reports whether an override's reason can be recorded: one line of at most
// MaxOverrideReason characters, without control or format characters.
func validOverrideReason(r string) bool {
	if utf8.RuneCountInString(r) > desk.MaxOverrideReason || !utf8.ValidString(r) {
		return false
	}
	for _, c := range r {
		if unicode.IsControl(c) || unicode.Is(unicode.Cf, c) {
			return false
		}
	}
	return true
}

// CancelEntitlement cancels the purchase (order line) behind an entitlement, from the dialog;
// overrideReason is a Global admin's override of the support-request rule ("" for none).
func (s *ordersArea) CancelEntitlement(ctx context.Context, a desk.Actor, customerID, orderID, entitlementID string, acknowledged bool, overrideReason string) (desk.Order, desk.Cancellation, error) {
	if err := require(a, desk.PermCancelPurchase); err != nil {
		return desk.Order{}, desk.Cancellation{}, err
	}
	e, err := s.store.FindEntitlement(ctx, customerID, entitlementID)
	if err != nil {
		return desk.Order{}, desk.Cancellation{}, err
	}
	if orderID != "" && orderID != e.OrderID {
		return desk.Order{}, desk.Cancellation{}, desk.KeyError(desk.ENOTFOUND, "err.order_not_found")
	}
	o, cs, err := s.Cancel(ctx, a, desk.CancelRequest{CustomerID: customerID, OrderID: e.OrderID, Lines: []int{e.LineNumber}, Acknowledged: acknowledged,
		FromDialog: true, OverrideReason: overrideReason})
	if err != nil {
		return o, desk.Cancellation{}, err
	}
	return o, cs[0], nil
}
