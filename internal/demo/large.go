package demo

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/sqlstore"
)

// LargeScale is the benchmark dataset of `partnerdesk demo --scale large`.
type LargeScale struct {
	Customers, OrdersPerCustomer, Events int
}

// Large is 20,000 customers, 200,000 orders (300,000 software lines and entitlements) and
// 1,000,000 activity events.
var Large = LargeScale{Customers: 20000, OrdersPerCustomer: 10, Events: 1000000}

// LargeReport says how long each part took.
type LargeReport struct {
	Customers, Orders, Lines, Entitlements, Events int
	Took                                           time.Duration
}

var largeMarkets = []string{"HU", "US", "DE", "GB", "FR", "AU", "BR", "NL", "IT", "ES", "PL", "SE", "AT", "CH", "JP", "CA", "IN", "CN", "XK", "DK"}

var nameParts = [][]string{
	{"Alpha", "Blue", "North", "Silver", "Green", "Bright", "Coastal", "Summit", "River", "Golden", "Prime", "Urban", "Crystal", "Delta", "Nova"},
	{"Data", "Logistics", "Foods", "Media", "Systems", "Health", "Energy", "Retail", "Studio", "Works", "Labs", "Finance", "Travel", "Motors", "Print"},
	{"Ltd.", "Inc.", "GmbH", "Kft.", "S.A.", "B.V.", "AB", "Pty Ltd", "LLC", "S.p.A."},
}

func guid(r *rand.Rand) string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], r.Uint64())
	binary.LittleEndian.PutUint64(b[8:], r.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// LoadLarge adds the benchmark dataset beside the demo data, in one transaction, once, through
// the store's bulk inserter (prepared statements on SQLite, COPY on PostgreSQL).
func LoadLarge(ctx context.Context, st *sqlstore.Store, scale LargeScale, now time.Time) (LargeReport, error) {
	start := time.Now()
	var rep LargeReport
	if _, done, err := st.GetMeta(ctx, "large_loaded"); err != nil || done {
		if done {
			err = errors.New("the large dataset is already loaded in this data directory")
		}
		return rep, err
	}
	r := rand.New(rand.NewPCG(20000, 1000000))
	products := Catalog()
	prices := Prices()
	var offers []desk.Offer
	kinds := map[string]desk.Product{}
	for _, p := range products {
		if !p.Kind.IsSoftware() {
			continue
		}
		for _, o := range p.Offers {
			offers = append(offers, o)
			kinds[o.ID] = p
		}
	}
	type cust struct{ id, name, country, currency string }
	custs := make([]cust, 0, scale.Customers)
	err := st.Bulk(ctx, func(b sqlstore.Bulk) error {
		cols := []string{"id", "company_name", "name_fold", "domain", "country", "currency", "address_line1", "city", "postal_code",
			"contact_first_name", "contact_last_name", "contact_email", "relationship", "created_at"}
		for i := 0; i < scale.Customers; i++ {
			c, _ := desk.CountryByCode(largeMarkets[r.IntN(len(largeMarkets))])
			name := fmt.Sprintf("%s %s %05d %s", nameParts[0][r.IntN(15)], nameParts[1][r.IntN(15)], i, nameParts[2][r.IntN(10)])
			id := guid(r)
			domain := fmt.Sprintf("bench%05d%s.onmicrosoft.com", i, strings.ToLower(nameParts[1][i%15]))
			created := now.AddDate(-3, 0, 0).Add(time.Duration(r.Int64N(int64(2 * 365 * 24 * time.Hour))))
			if err := b.Insert("customers", cols, id, name, strings.ToLower(name), domain, c.Code, c.Currency, "1 Main Street", "Capital",
				"1000", "Alex", "Admin", "it@"+domain, "Cloud Reseller", created.UnixMilli()); err != nil {
				return err
			}
			custs = append(custs, cust{id, name, c.Code, c.Currency})
		}
		rep.Customers = len(custs)

		orderCols := []string{"id", "customer_id", "idempotency_key", "created_at", "created_by", "status", "currency", "tax_included", "tax_rate_bp", "net", "tax", "gross"}
		lineCols := []string{"order_id", "line_number", "offer_id", "product_id", "kind", "title", "quantity", "ordered", "term", "billing_cycle", "unit_price", "net", "tax", "gross", "status"}
		entCols := []string{"id", "customer_id", "order_id", "line_number", "product_id", "quantity", "status", "created_at"}
		invCols := []string{"period", "currency", "customer_id", "order_id", "line_number", "kind", "description", "net", "tax", "gross", "created_at",
			"service_start", "service_end"}
		for _, c := range custs {
			for k := 0; k < scale.OrdersPerCustomer; k++ {
				oid := guid(r)
				at := now.Add(-time.Duration(r.Int64N(int64(700 * 24 * time.Hour))))
				nlines := 1 + r.IntN(2)
				var total desk.Amounts
				type line struct {
					o   desk.Offer
					qty int
					a   desk.Amounts
				}
				var ls []line
				for n := 0; n < nlines; n++ {
					o := offers[r.IntN(len(offers))]
					qty := 1 + r.IntN(20)
					a := desk.ComputeAmounts(prices[o.ID][c.currency], int64(qty), c.country)
					ls = append(ls, line{o, qty, a})
					total = total.Add(a)
				}
				if err := b.Insert("orders", orderCols, oid, c.id, "bench-"+oid, at.UnixMilli(), "salesagent@partner.example", desk.OrderCompleted,
					c.currency, flag(desk.TaxIncluded(c.country)), desk.TaxRateBP(c.country), total.Net, total.Tax, total.Gross); err != nil {
					return err
				}
				rep.Orders++
				for n, l := range ls {
					p := kinds[l.o.ID]
					if err := b.Insert("line_items", lineCols, oid, n, l.o.ID, p.ID, p.Kind, l.o.Title, l.qty, l.qty, l.o.Term, l.o.BillingCycles[0],
						prices[l.o.ID][c.currency], l.a.Net, l.a.Tax, l.a.Gross, desk.StatusActive); err != nil {
						return err
					}
					if err := b.Insert("entitlements", entCols, guid(r), c.id, oid, n, p.ID, l.qty, desk.StatusActive, at.UnixMilli()); err != nil {
						return err
					}
					// Charged up front for the whole term, whatever the cycle (the benchmark's lines
					// have no months left to charge).
					first, last := desk.LineInstallment(at, l.o.Term, desk.BillingOneTime, l.a, 0).ServicePeriod()
					if err := b.Insert("invoice_lines", invCols, desk.Period(at), c.currency, c.id, oid, n, desk.InvoiceCharge,
						fmt.Sprintf("%s × %d", l.o.Title, l.qty), l.a.Net, l.a.Tax, l.a.Gross, at.UnixMilli(),
						first.Format(desk.DateFormat), last.Format(desk.DateFormat)); err != nil {
						return err
					}
					rep.Lines++
					rep.Entitlements++
				}
			}
		}

		// Events: appended after the demo's, linked into the chain, spread over the last year in
		// time order.
		ops := []struct {
			op, resource string
			weight       int
		}{
			{desk.OpGetSoftwareKey, "software", 35}, {desk.OpGetDownloadLink, "software", 18}, {desk.OpDownload, "software", 10},
			{desk.OpSharedDownload, "software", 5}, {desk.OpCreateOrder, "order", 10}, {desk.OpUpdateOrder, "order", 2},
			{desk.OpSignIn, "session", 16}, {desk.OpSignInFailed, "session", 3}, {desk.OpPermissionDenied, "route", 1},
		}
		var wheel []int
		for i, o := range ops {
			for j := 0; j < o.weight; j++ {
				wheel = append(wheel, i)
			}
		}
		partnerID, _, _ := st.GetMeta(ctx, "partner_tenant_id")
		span := int64(365 * 24 * time.Hour)
		startAt := now.Add(-time.Duration(span))
		err := st.BulkEvents(b, scale.Events, func(i int) desk.Event {
			o := ops[wheel[r.IntN(len(wheel))]]
			c := custs[r.IntN(len(custs))]
			u := PartnerUsers[r.IntN(2)]
			if o.op == desk.OpSignIn || o.op == desk.OpSignInFailed {
				u = PartnerUsers[r.IntN(len(PartnerUsers))]
			}
			e := desk.Event{At: startAt.Add(time.Duration(span / int64(scale.Events) * int64(i))).Truncate(time.Millisecond),
				ActorID: TenantID("user:" + u.Email), ActorEmail: u.Email, ActorTenantID: partnerID, ActorRoles: desk.RolesOf(u.Role),
				Operation: o.op, ResourceType: o.resource, Status: "succeeded", IP: fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), 1+r.IntN(254))}
			if o.resource != "session" && o.resource != "route" {
				e.CustomerID, e.CustomerName = c.id, c.name
				e.Product = offers[r.IntN(len(offers))].Title
			}
			if o.op == desk.OpSignInFailed || o.op == desk.OpPermissionDenied {
				e.Status = "failed"
			}
			return e
		})
		if err != nil {
			return err
		}
		rep.Events = scale.Events
		return b.Exec(`INSERT INTO meta (key, value) VALUES ('large_loaded', ?)`, now.Format(time.RFC3339))
	})
	rep.Took = time.Since(start)
	return rep, err
}

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}
