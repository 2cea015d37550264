// Command walk is the README's curl walk-through written against the Go client that oapi-codegen
// generates from /v1/openapi.json, as a partner would write it: list customers, place an order
// with an Idempotency-Key (and retry it), read the purchase's product key, cancel the order by
// PATCH, and find the charge and the credit among the invoice's line items.
//
// TestGeneratedClient generates the client into a module of its own (package pdwalk/partnerdesk),
// builds this program beside it and runs it against a test server with PD_URL, PD_TOKEN (an
// Admin agent's), PD_BILLING_TOKEN, CONTOSO (a customer's tenant ID), OFFER (a perpetual
// software offer), INVOICE (the current month's invoice) and KEY (an Idempotency-Key). It prints
// what it saw as one JSON object, and exits non-zero on the first unexpected answer.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	"pdwalk/partnerdesk"

	openapi_types "github.com/oapi-codegen/runtime/types"
)

// result is what the walk saw.
type result struct {
	Customers      int    `json:"customers"`
	FirstCustomer  string `json:"firstCustomer"`
	Order          string `json:"order"`
	Location       string `json:"location"`
	RetrySameOrder bool   `json:"retrySameOrder"`
	RetryReplayed  bool   `json:"retryReplayed"`
	Entitlement    string `json:"entitlement"`
	ProductKey     string `json:"productKey"`
	CancelStatus   string `json:"cancelStatus"`
	CancelQuantity int    `json:"cancelQuantity"`
	KeyAfterCancel int    `json:"keyAfterCancel"`
	KeyGoneCode    int    `json:"keyGoneCode"`
	Charge         string `json:"charge"`
	Credit         string `json:"credit"`
}

func main() {
	if err := walk(); err != nil {
		fmt.Fprintln(os.Stderr, "walk:", err)
		os.Exit(1)
	}
}

func ptr[T any](v T) *T { return &v }

// bearer sends a token on every request of a client.
func bearer(token string) partnerdesk.ClientOption {
	return partnerdesk.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	})
}

func walk() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	base := os.Getenv("PD_URL")
	var customer openapi_types.UUID
	if err := customer.UnmarshalText([]byte(os.Getenv("CONTOSO"))); err != nil {
		return fmt.Errorf("CONTOSO: %w", err)
	}
	offer := os.Getenv("OFFER")
	pd, err := partnerdesk.NewClientWithResponses(base, bearer(os.Getenv("PD_TOKEN")))
	if err != nil {
		return err
	}
	var out result

	// 1. Customers, five per page.
	customers, err := pd.ListCustomersWithResponse(ctx, &partnerdesk.ListCustomersParams{Size: ptr(5)})
	if err != nil {
		return err
	}
	if customers.JSON200 == nil {
		return fmt.Errorf("list customers: HTTP %d: %s", customers.StatusCode(), customers.Body)
	}
	out.Customers = customers.JSON200.TotalCount
	if len(customers.JSON200.Items) > 0 {
		out.FirstCustomer = customers.JSON200.Items[0].CompanyProfile.CompanyName
	}

	// 2. Place an order with an Idempotency-Key, then retry it: the same order comes back.
	order := partnerdesk.OrderRequest{LineItems: []partnerdesk.LineItemRequest{{LineItemNumber: 0, OfferId: offer, Quantity: 1}}}
	params := &partnerdesk.CreateOrderParams{IdempotencyKey: ptr(os.Getenv("KEY"))}
	placed, err := pd.CreateOrderWithResponse(ctx, customer, params, order)
	if err != nil {
		return err
	}
	if placed.JSON201 == nil {
		return fmt.Errorf("place order: HTTP %d: %s", placed.StatusCode(), placed.Body)
	}
	out.Order = placed.JSON201.Id.String()
	out.Location = placed.Headers201.Location
	retry, err := pd.CreateOrderWithResponse(ctx, customer, params, order)
	if err != nil {
		return err
	}
	if retry.JSON201 == nil {
		return fmt.Errorf("retry order: HTTP %d: %s", retry.StatusCode(), retry.Body)
	}
	out.RetrySameOrder = retry.JSON201.Id == placed.JSON201.Id
	out.RetryReplayed = retry.Headers201.IdempotentReplayed != nil && *retry.Headers201.IdempotentReplayed == "true"

	// 3. The purchase's software entitlement (the newest), and its product key.
	ents, err := pd.ListEntitlementsWithResponse(ctx, customer, &partnerdesk.ListEntitlementsParams{
		EntitlementType: ptr(partnerdesk.ListEntitlementsParamsEntitlementType("software")), Size: ptr(1)})
	if err != nil {
		return err
	}
	if ents.JSON200 == nil || len(ents.JSON200.Items) != 1 {
		return fmt.Errorf("entitlements: HTTP %d: %s", ents.StatusCode(), ents.Body)
	}
	ent := ents.JSON200.Items[0]
	if ent.ReferenceOrder.Id != placed.JSON201.Id {
		return fmt.Errorf("the newest entitlement is of order %s, not %s", ent.ReferenceOrder.Id, placed.JSON201.Id)
	}
	out.Entitlement = ent.Id.String()
	version := ent.Editions[0].Version
	key, err := pd.GetProductKeyWithResponse(ctx, customer, ent.Id, &partnerdesk.GetProductKeyParams{Version: version})
	if err != nil {
		return err
	}
	if key.JSON200 == nil {
		return fmt.Errorf("product key: HTTP %d: %s", key.StatusCode(), key.Body)
	}
	out.ProductKey = key.JSON200.ProductKey

	// 4. Cancel the order's line by PATCH; the key is revoked with it.
	cancelled, err := pd.CancelOrderWithResponse(ctx, customer, placed.JSON201.Id, partnerdesk.CancelRequest{
		Id: ptr(placed.JSON201.Id.String()), Status: partnerdesk.CancelRequestStatus("cancelled"),
		LineItems: &[]partnerdesk.CancelLineRequest{{LineItemNumber: 0, OfferId: ptr(offer)}}})
	if err != nil {
		return err
	}
	if cancelled.JSON200 == nil {
		return fmt.Errorf("cancel: HTTP %d: %s", cancelled.StatusCode(), cancelled.Body)
	}
	out.CancelStatus = string(cancelled.JSON200.Status)
	out.CancelQuantity = cancelled.JSON200.LineItems[0].Quantity
	gone, err := pd.GetProductKeyWithResponse(ctx, customer, ent.Id, &partnerdesk.GetProductKeyParams{Version: version})
	if err != nil {
		return err
	}
	out.KeyAfterCancel = gone.StatusCode()
	if gone.JSON410 != nil {
		out.KeyGoneCode = gone.JSON410.Code
	}

	// 5. The charge and the credit on this month's invoice, as a Billing admin reads them.
	bill, err := partnerdesk.NewClientWithResponses(base, bearer(os.Getenv("PD_BILLING_TOKEN")))
	if err != nil {
		return err
	}
	lines, err := bill.ListInvoiceLineItemsWithResponse(ctx, os.Getenv("INVOICE"), &partnerdesk.ListInvoiceLineItemsParams{Size: ptr(500)})
	if err != nil {
		return err
	}
	if lines.JSON200 == nil {
		return fmt.Errorf("invoice lines: HTTP %d: %s", lines.StatusCode(), lines.Body)
	}
	for _, l := range lines.JSON200.Items {
		if l.OrderId != placed.JSON201.Id {
			continue
		}
		switch l.Kind {
		case partnerdesk.InvoiceLineKind("charge"):
			out.Charge = l.Amount
		case partnerdesk.InvoiceLineKind("credit"):
			out.Credit = l.Amount
		}
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}
