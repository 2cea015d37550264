package api_test

// Contract tests of the REST API (SPEC §9) through a real HTTP client against the real stack
// (apptest: SQLite, demo data, the whole handler): field names, paging, every error code, the role
// gates per token (R1–R5), idempotent orders (R9), cancellation with exactly one credit (R15, R20),
// audit records of keys and links (R11) and the per-token rate limit.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
)

// The demo's partner users, one per role (SPEC §1, §11).
const (
	globalAdmin = apptest.GlobalAdmin
	adminAgent  = apptest.AdminAgent
	salesAgent  = apptest.SalesAgent
	helpdesk    = apptest.Helpdesk
	billing     = apptest.BillingAdmin
	referrals   = apptest.ReferralsAdmin
)

// Offers the tests buy (demo catalog titles) and the IDs nothing has.
const (
	wsStd      = "Windows Server 2022 Standard - 2 Core" // perpetual, versions 2022/2019/2016
	officeLTSC = "Office LTSC Professional Plus 2024"    // perpetual
	sqlStdSub  = "SQL Server Standard - 2 Core License Pack"
	d2sV5      = "Standard_D2s_v5" // an Azure Reservation (R7)
	unknownID  = "00000000-0000-4000-8000-000000000000"
)

var (
	kosovoID  = apptest.TenantID("prosewarekosovo") // XK: no Azure Reservations (R7)
	wingtipID = apptest.TenantID("wingtiptoys")     // AU: prices include tax (R6)
	// productKey is the real 25-character MAK format of SPEC §4.
	productKey = regexp.MustCompile(`^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$`)
	// twoDecimals and whole are the API's amounts: decimal strings in major units, never floats.
	twoDecimals = regexp.MustCompile(`^-?[0-9]+\.[0-9]{2}$`)
	whole       = regexp.MustCompile(`^-?[0-9]+$`)
)

// newToken creates an API token for a demo user as the CLI would (no acting user).
func newToken(t testing.TB, env *apptest.Env, email string, lifetime time.Duration) (desk.APIToken, string) {
	t.Helper()
	tok, secret, err := env.App.Service.CreateTokenCLI(context.Background(), email, "api test "+email, lifetime)
	if err != nil {
		t.Fatalf("create token for %s: %v", email, err)
	}
	return tok, secret
}

// caller makes API requests with one bearer token.
type caller struct {
	t     testing.TB
	env   *apptest.Env
	token string
}

// as returns a caller with a fresh 30-day token of a demo user.
func as(t testing.TB, env *apptest.Env, email string) *caller {
	t.Helper()
	_, secret := newToken(t, env, email, 30*24*time.Hour)
	return &caller{t: t, env: env, token: secret}
}

// startAs starts PartnerDesk for one test and returns it with a caller holding a fresh token of
// the demo user email.
func startAs(t testing.TB, email string) (*apptest.Env, *caller) {
	t.Helper()
	env := apptest.Start(t)
	return env, as(t, env, email)
}

// reply is an API response with its body read.
type reply struct {
	method, path string
	status       int
	header       http.Header
	body         []byte
}

// httpClient validates every exchange against the OpenAPI document (contract_test.go).
var httpClient = &http.Client{Timeout: 30 * time.Second, Transport: contractTransport{},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// send makes one request (no testing.TB: it is used from goroutines). body is nil, a string or
// []byte (sent as is) or a value (sent as JSON); headers are name, value pairs.
func send(base, token, method, path string, body any, headers ...string) (reply, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return reply{}, err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return reply{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return reply{method: method, path: path, status: res.StatusCode, header: res.Header, body: b}, err
}

func (c *caller) call(method, path string, body any, headers ...string) reply {
	c.t.Helper()
	r, err := send(c.env.URL, c.token, method, path, body, headers...)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func (c *caller) get(path string, headers ...string) reply {
	c.t.Helper()
	return c.call(http.MethodGet, path, nil, headers...)
}

// ok fails unless the reply has the status, and decodes its JSON body into v (when not nil).
func (r reply) ok(t testing.TB, status int, v any) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s %s: status %d, want %d: %s", r.method, r.path, r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: Content-Type %q, want application/json", r.method, r.path, ct)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			t.Fatalf("%s %s: decode %T: %v: %s", r.method, r.path, v, err, r.body)
		}
	}
	return r
}

// object decodes the body generically, to check the JSON field names themselves.
func (r reply) object(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("%s %s: not a JSON object: %v: %s", r.method, r.path, err, r.body)
	}
	return m
}

// collection is a list reply: a JSON object with totalCount and items (what names it in failures).
func (r reply) collection(t testing.TB, what string) map[string]any {
	t.Helper()
	m := r.object(t)
	hasKeys(t, what, m, "totalCount", "items")
	return m
}

// apiError is the error body: Partner Center's {code, description, data}.
type apiError struct {
	Code        int      `json:"code"`
	Description string   `json:"description"`
	Data        []string `json:"data"`
}

// wantError fails unless the reply is a JSON error of the status and code with a description,
// and returns the error.
func (r reply) wantError(t testing.TB, status, code int) apiError {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s %s: status %d, want %d: %s", r.method, r.path, r.status, status, r.body)
	}
	m := r.object(t)
	hasKeys(t, r.path+" error", m, "code", "description", "data")
	if _, ok := m["data"].([]any); !ok {
		t.Errorf("%s %s: error data is %T, want an array: %s", r.method, r.path, m["data"], r.body)
	}
	var e apiError
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("%s %s: decode error: %v", r.method, r.path, err)
	}
	if e.Code != code || strings.TrimSpace(e.Description) == "" {
		t.Fatalf("%s %s: error code %d %q, want code %d with a description", r.method, r.path, e.Code, e.Description, code)
	}
	return e
}

// hasKeys fails unless the JSON object has every key (exact, case-sensitive: SPEC §9's camelCase).
func hasKeys(t testing.TB, what string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			got := make([]string, 0, len(m))
			for g := range m {
				got = append(got, g)
			}
			slices.Sort(got)
			t.Errorf("%s: no field %q (has %v)", what, k, got)
		}
	}
}

func sub(t testing.TB, m map[string]any, key string) map[string]any {
	t.Helper()
	v, ok := m[key].(map[string]any)
	if !ok {
		t.Fatalf("field %q is %T, want an object", key, m[key])
	}
	return v
}

func list(t testing.TB, m map[string]any, key string) []any {
	t.Helper()
	v, ok := m[key].([]any)
	if !ok {
		t.Fatalf("field %q is %T, want an array", key, m[key])
	}
	return v
}

// wantString fails unless the field is a JSON string matching re (amounts are never numbers).
func wantString(t testing.TB, what string, m map[string]any, key string, re *regexp.Regexp) string {
	t.Helper()
	s, ok := m[key].(string)
	if !ok {
		t.Errorf("%s: %q is %T (%v), want a decimal string", what, key, m[key], m[key])
		return ""
	}
	if re != nil && !re.MatchString(s) {
		t.Errorf("%s: %q = %q, want it to match %s", what, key, s, re)
	}
	return s
}

// collection is the list shape: {totalCount, items, continuationToken}.
type collection[T any] struct {
	TotalCount        int    `json:"totalCount"`
	Items             []T    `json:"items"`
	ContinuationToken string `json:"continuationToken"`
}

// pageAll follows continuationToken from path (which holds size) to the end, failing on a page
// that is larger than size or a token that repeats, and returns every item and the totalCounts.
func pageAll[T any](t testing.TB, c *caller, path string, size int) ([]T, []int) {
	t.Helper()
	var all []T
	var totals []int
	seen := map[string]bool{}
	next := path
	for i := 0; ; i++ {
		if i > 500 {
			t.Fatalf("%s: paging does not end", path)
		}
		var p collection[T]
		c.get(next).ok(t, http.StatusOK, &p)
		if len(p.Items) > size {
			t.Fatalf("%s: a page of %d items with size=%d", next, len(p.Items), size)
		}
		all = append(all, p.Items...)
		totals = append(totals, p.TotalCount)
		if p.ContinuationToken == "" {
			return all, totals
		}
		if seen[p.ContinuationToken] {
			t.Fatalf("%s: continuationToken %q repeats", path, p.ContinuationToken)
		}
		seen[p.ContinuationToken] = true
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		next = path + sep + "continuationToken=" + url.QueryEscape(p.ContinuationToken)
	}
}

type customer struct {
	ID             string `json:"id"`
	CompanyProfile struct {
		CompanyName string `json:"companyName"`
		Domain      string `json:"domain"`
	} `json:"companyProfile"`
	BillingProfile struct {
		DefaultAddress struct {
			Country string `json:"country"`
		} `json:"defaultAddress"`
	} `json:"billingProfile"`
}

type lineItem struct {
	LineItemNumber int    `json:"lineItemNumber"`
	OfferID        string `json:"offerId"`
	FriendlyName   string `json:"friendlyName"`
	Quantity       int    `json:"quantity"`
	TermDuration   string `json:"termDuration"`
}

type order struct {
	ID                  string     `json:"id"`
	ReferenceCustomerID string     `json:"referenceCustomerId"`
	BillingCycle        string     `json:"billingCycle"`
	CurrencyCode        string     `json:"currencyCode"`
	CreationDate        time.Time  `json:"creationDate"`
	Status              string     `json:"status"`
	LineItems           []lineItem `json:"lineItems"`
}

type entitlement struct {
	ID             string `json:"id"`
	ReferenceOrder struct {
		ID         string `json:"id"`
		LineItemID int    `json:"lineItemId"`
	} `json:"referenceOrder"`
	ProductID    string    `json:"productId"`
	FriendlyName string    `json:"friendlyName"`
	Quantity     int       `json:"quantity"`
	Status       string    `json:"status"`
	Editions     []edition `json:"editions"`
}

type edition struct {
	Version  string `json:"version"`
	Language string `json:"language"`
	Bitness  string `json:"bitness"`
	FileName string `json:"fileName"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
}

type downloadLink struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expiresAt"`
	SHA256    string    `json:"sha256"`
	FileName  string    `json:"fileName"`
}

type invoice struct {
	ID           string `json:"id"`
	CurrencyCode string `json:"currencyCode"`
	Status       string `json:"status"`
}

type invoiceLine struct {
	OrderID      string `json:"orderId"`
	CustomerID   string `json:"customerId"`
	Description  string `json:"description"`
	Amount       string `json:"amount"`
	CurrencyCode string `json:"currencyCode"`
	Kind         string `json:"kind"`
}

type auditRecord struct {
	ID                string    `json:"id"`
	CustomerID        string    `json:"customerId"`
	CustomerName      string    `json:"customerName"`
	UserPrincipalName string    `json:"userPrincipalName"`
	ResourceType      string    `json:"resourceType"`
	OperationType     string    `json:"operationType"`
	OperationDate     time.Time `json:"operationDate"`
	OperationStatus   string    `json:"operationStatus"`
	OrderID           string    `json:"orderId"`
}

// line is a requested order line.
type line struct {
	offerID string
	qty     int
	term    string
}

func orderBody(lines ...line) map[string]any {
	items := []map[string]any{}
	for i, l := range lines {
		it := map[string]any{"lineItemNumber": i, "offerId": l.offerID, "quantity": l.qty}
		if l.term != "" {
			it["termDuration"] = l.term
		}
		items = append(items, it)
	}
	return map[string]any{"lineItems": items}
}

// placeOrder places an order through the API (with an Idempotency-Key) and returns it.
func placeOrder(t testing.TB, c *caller, customerID string, lines ...line) order {
	t.Helper()
	var o order
	c.call(http.MethodPost, "/v1/customers/"+customerID+"/orders", orderBody(lines...), "Idempotency-Key", fmt.Sprintf("test-%d", time.Now().UnixNano())).ok(t, http.StatusCreated, &o)
	if o.ID == "" || len(o.LineItems) != len(lines) {
		t.Fatalf("placed order: %+v", o)
	}
	return o
}

// cancelBody is the PATCH body cancelling lines of an order.
func cancelBody(o order, lines ...int) map[string]any {
	items := []map[string]any{}
	for _, n := range lines {
		items = append(items, map[string]any{"lineItemNumber": n, "offerId": o.LineItems[n].OfferID})
	}
	return map[string]any{"id": o.ID, "status": "cancelled", "lineItems": items}
}

func orderPath(customerID, orderID string) string {
	return "/v1/customers/" + customerID + "/orders/" + orderID
}

// allOrders lists every order of a customer through the API.
func allOrders(t testing.TB, c *caller, customerID string) []order {
	t.Helper()
	items, _ := pageAll[order](t, c, "/v1/customers/"+customerID+"/orders?size=100", 100)
	return items
}

// entitlementOf returns the software entitlement of an order's line.
func entitlementOf(t testing.TB, c *caller, customerID, orderID string, lineNumber int) entitlement {
	t.Helper()
	items, _ := pageAll[entitlement](t, c, "/v1/customers/"+customerID+"/entitlements?entitlementType=software&size=100", 100)
	for _, e := range items {
		if e.ReferenceOrder.ID == orderID && e.ReferenceOrder.LineItemID == lineNumber {
			return e
		}
	}
	t.Fatalf("no entitlement of order %s line %d among %d", orderID, lineNumber, len(items))
	return entitlement{}
}

// editionOf returns an entitlement's edition of a version.
func editionOf(t testing.TB, e entitlement, version string) edition {
	t.Helper()
	for _, ed := range e.Editions {
		if ed.Version == version {
			return ed
		}
	}
	t.Fatalf("entitlement %s (%s) has no edition of version %s", e.ID, e.FriendlyName, version)
	return edition{}
}

func keyPath(customerID, entitlementID, version string) string {
	return "/v1/customers/" + customerID + "/entitlements/" + entitlementID + "/key?version=" + url.QueryEscape(version)
}

func linksPath(customerID, entitlementID string) string {
	return "/v1/customers/" + customerID + "/entitlements/" + entitlementID + "/downloadlinks"
}

func linkBody(ed edition) map[string]string {
	return map[string]string{"version": ed.Version, "language": ed.Language, "bitness": ed.Bitness}
}

// invoiceLines lists every line of an invoice through the API.
func invoiceLines(t testing.TB, c *caller, invoiceID string) []invoiceLine {
	t.Helper()
	items, _ := pageAll[invoiceLine](t, c, "/v1/invoices/"+invoiceID+"/lineitems?size=100", 100)
	return items
}

// auditRecords lists every audit record of a query through the API.
func auditRecords(t testing.TB, c *caller, q url.Values, size int) []auditRecord {
	t.Helper()
	q.Set("size", strconv.Itoa(size))
	items, _ := pageAll[auditRecord](t, c, "/v1/auditrecords?"+q.Encode(), size)
	return items
}

// day is the test clock's date as the API's date parameters write it.
func day(env *apptest.Env, offsetDays int) string {
	return env.Clock.Now().UTC().AddDate(0, 0, offsetDays).Format("2006-01-02")
}

func TestCustomers(t *testing.T) {
	t.Parallel()
	_, c := startAs(t, salesAgent)

	// One page: every customer, with Partner Center's field names.
	r := c.get("/v1/customers?size=500").ok(t, http.StatusOK, nil)
	m := r.collection(t, "customers")
	items := list(t, m, "items")
	if len(items) < 30 || int(m["totalCount"].(float64)) != len(items) {
		t.Fatalf("customers: totalCount %v, %d items; want about 30 demo customers, all on one page", m["totalCount"], len(items))
	}
	for i, it := range items {
		cm := it.(map[string]any)
		what := fmt.Sprintf("customers.items[%d]", i)
		hasKeys(t, what, cm, "id", "companyProfile", "billingProfile")
		hasKeys(t, what+".companyProfile", sub(t, cm, "companyProfile"), "companyName", "domain")
		bp := sub(t, cm, "billingProfile")
		hasKeys(t, what+".billingProfile", bp, "defaultAddress")
		hasKeys(t, what+".billingProfile.defaultAddress", sub(t, bp, "defaultAddress"), "country")
	}
	var everyone collection[customer]
	r.ok(t, http.StatusOK, &everyone)

	// size outside 1–500 is a 400 naming it.
	for _, bad := range []string{"0", "501", "ten"} {
		if e := c.get("/v1/customers?size="+bad).wantError(t, http.StatusBadRequest, 400); !strings.Contains(e.Description, "size") {
			t.Errorf("size=%s: %q does not name size", bad, e.Description)
		}
	}

	// Get one: Contoso (HU), Fabrikam (US), Wingtip (AU).
	for _, want := range []struct{ id, name, domain, country string }{
		{apptest.ContosoID, "Contoso Ltd.", "contoso.onmicrosoft.com", "HU"},
		{apptest.FabrikamID, "Fabrikam, Inc.", "fabrikam.onmicrosoft.com", "US"},
		{wingtipID, "Wingtip Toys Pty Ltd", "wingtiptoys.onmicrosoft.com", "AU"},
	} {
		var cu customer
		r := c.get("/v1/customers/"+want.id).ok(t, http.StatusOK, &cu)
		m := r.object(t)
		hasKeys(t, "customer", m, "id", "companyProfile", "billingProfile")
		if cu.ID != want.id || cu.CompanyProfile.CompanyName != want.name || cu.CompanyProfile.Domain != want.domain || cu.BillingProfile.DefaultAddress.Country != want.country {
			t.Errorf("GET customer %s: %+v; want %s, %s, %s", want.id, cu, want.name, want.domain, want.country)
		}
	}

	// Paging with size=5 through every customer: no repeats, no gaps, totalCount constant.
	paged, totals := pageAll[customer](t, c, "/v1/customers?size=5", 5)
	if len(totals) < 2 {
		t.Fatalf("size=5 gave %d page(s) for %d customers", len(totals), len(everyone.Items))
	}
	for i, n := range totals {
		if n != everyone.TotalCount {
			t.Errorf("page %d: totalCount %d, want %d on every page", i, n, everyone.TotalCount)
		}
	}
	seen := map[string]bool{}
	for _, cu := range paged {
		if seen[cu.ID] {
			t.Errorf("customer %s (%s) on two pages", cu.ID, cu.CompanyProfile.CompanyName)
		}
		seen[cu.ID] = true
	}
	for _, cu := range everyone.Items {
		if !seen[cu.ID] {
			t.Errorf("customer %s (%s) on no page", cu.ID, cu.CompanyProfile.CompanyName)
		}
	}
	if len(paged) != everyone.TotalCount {
		t.Errorf("paged through %d customers, totalCount %d", len(paged), everyone.TotalCount)
	}
}

func TestOrders(t *testing.T) {
	t.Parallel()
	_, c := startAs(t, salesAgent)

	// List: Contoso's demo orders, newest first, with Partner Center's field names.
	r := c.get("/v1/customers/"+apptest.ContosoID+"/orders").ok(t, http.StatusOK, nil)
	m := r.collection(t, "orders")
	for i, it := range list(t, m, "items") {
		om := it.(map[string]any)
		what := fmt.Sprintf("orders.items[%d]", i)
		hasKeys(t, what, om, "id", "referenceCustomerId", "billingCycle", "currencyCode", "creationDate", "status", "lineItems")
		for j, li := range list(t, om, "lineItems") {
			hasKeys(t, fmt.Sprintf("%s.lineItems[%d]", what, j), li.(map[string]any), "lineItemNumber", "offerId", "friendlyName", "quantity")
		}
	}
	var orders collection[order]
	r.ok(t, http.StatusOK, &orders)
	if len(orders.Items) < 6 || orders.TotalCount != len(orders.Items) {
		t.Fatalf("Contoso orders: totalCount %d, %d items; want the 6 demo orders", orders.TotalCount, len(orders.Items))
	}
	var cancelledVisio bool
	for i, o := range orders.Items {
		if o.ReferenceCustomerID != apptest.ContosoID || o.CurrencyCode != "HUF" || !slices.Contains([]string{"completed", "pending", "cancelled"}, o.Status) {
			t.Errorf("order %s: customer %s, currency %s, status %q", o.ID, o.ReferenceCustomerID, o.CurrencyCode, o.Status)
		}
		if i > 0 && o.CreationDate.After(orders.Items[i-1].CreationDate) {
			t.Errorf("orders not newest first: %s (%s) after %s (%s)", o.ID, o.CreationDate, orders.Items[i-1].ID, orders.Items[i-1].CreationDate)
		}
		if strings.Contains(o.LineItems[0].FriendlyName, "Visio") {
			// The demo's already-cancelled purchase: a cancelled line's quantity is 0.
			cancelledVisio = o.Status == "cancelled" && o.LineItems[0].Quantity == 0
		}
	}
	if !cancelledVisio {
		t.Errorf("the demo's cancelled Visio order is not status cancelled with quantity 0")
	}

	// Get one.
	var got order
	first := orders.Items[0]
	c.get(orderPath(apptest.ContosoID, first.ID)).ok(t, http.StatusOK, &got)
	if got.ID != first.ID || got.Status != first.Status || len(got.LineItems) != len(first.LineItems) || !got.CreationDate.Equal(first.CreationDate) {
		t.Errorf("GET order %s: %+v; list had %+v", first.ID, got, first)
	}

	// Create: 201, Location, the lines with their numbers, offers, names, quantities and terms.
	ws, sql := apptest.OfferID(t, wsStd, desk.TermNone), apptest.OfferID(t, sqlStdSub, desk.TermP1Y)
	r = c.call(http.MethodPost, "/v1/customers/"+apptest.ContosoID+"/orders",
		`{"lineItems": [{"lineItemNumber": 0, "offerId": "`+ws+`", "quantity": 2}, {"lineItemNumber": 1, "offerId": "`+sql+`", "quantity": 1, "termDuration": "P1Y"}]}`,
		"Idempotency-Key", "orders-create-1")
	var created order
	r.ok(t, http.StatusCreated, &created)
	om := r.object(t)
	hasKeys(t, "created order", om, "id", "referenceCustomerId", "billingCycle", "currencyCode", "creationDate", "status", "lineItems")
	lis := list(t, om, "lineItems")
	hasKeys(t, "created order lineItems[1]", lis[1].(map[string]any), "lineItemNumber", "offerId", "friendlyName", "quantity", "termDuration")
	if loc := r.header.Get("Location"); loc != orderPath(apptest.ContosoID, created.ID) {
		t.Errorf("Location %q, want %q", loc, orderPath(apptest.ContosoID, created.ID))
	}
	if created.Status != "completed" || created.ReferenceCustomerID != apptest.ContosoID || created.CurrencyCode != "HUF" {
		t.Errorf("created order: status %q customer %s currency %s", created.Status, created.ReferenceCustomerID, created.CurrencyCode)
	}
	want := []lineItem{{0, ws, "", 2, ""}, {1, sql, "", 1, "P1Y"}}
	for i, l := range created.LineItems {
		if l.LineItemNumber != want[i].LineItemNumber || l.OfferID != want[i].OfferID || l.Quantity != want[i].Quantity || l.TermDuration != want[i].TermDuration || l.FriendlyName == "" {
			t.Errorf("created line %d: %+v, want %+v with a friendlyName", i, l, want[i])
		}
	}
	if !strings.Contains(created.LineItems[0].FriendlyName, wsStd) {
		t.Errorf("line 0 friendlyName %q, want the offer's title", created.LineItems[0].FriendlyName)
	}
	// Amounts of an order are decimal strings too (HUF: whole).
	pr := sub(t, om, "pricing")
	wantString(t, "order pricing", pr, "total", whole)
	// The Location answers the same order, and the list has it first.
	var again order
	c.get(r.header.Get("Location")).ok(t, http.StatusOK, &again)
	if again.ID != created.ID || len(again.LineItems) != 2 || again.Status != "completed" {
		t.Errorf("GET Location: %+v", again)
	}
	after := allOrders(t, c, apptest.ContosoID)
	if len(after) != len(orders.Items)+1 || after[0].ID != created.ID {
		t.Errorf("after creating: %d orders, first %s; want %d, first %s", len(after), after[0].ID, len(orders.Items)+1, created.ID)
	}

	// R6 on an order: Wingtip (AU) pays tax-inclusive AUD prices, Contoso (HU) tax-exclusive HUF.
	r = c.call(http.MethodPost, "/v1/customers/"+wingtipID+"/orders", orderBody(line{ws, 1, ""}), "Idempotency-Key", "orders-wingtip-1").ok(t, http.StatusCreated, nil)
	wp := sub(t, r.object(t), "pricing")
	wantString(t, "Wingtip order pricing", wp, "total", twoDecimals)
	if wp["taxIncluded"] != true || wp["currencyCode"] != "AUD" {
		t.Errorf("Wingtip order pricing %v: want AUD, taxIncluded true (R6)", wp)
	}
	if pr["taxIncluded"] != false {
		t.Errorf("Contoso order pricing %v: want taxIncluded false (R6)", pr)
	}

	// Paging with size=2: the same orders in the same order, totalCount constant.
	paged, totals := pageAll[order](t, c, "/v1/customers/"+apptest.ContosoID+"/orders?size=2", 2)
	if len(paged) != len(after) {
		t.Errorf("size=2: %d orders, one page: %d", len(paged), len(after))
	}
	for i := range min(len(paged), len(after)) {
		if paged[i].ID != after[i].ID {
			t.Errorf("order %d: %s when paged, %s on one page", i, paged[i].ID, after[i].ID)
		}
	}
	for i, n := range totals {
		if n != len(after) {
			t.Errorf("page %d: totalCount %d, want %d", i, n, len(after))
		}
	}
}

// A continuationToken the API did not issue is refused with a 400 naming it, on every list
// (not silently taken as "from the start", which would make a client re-read pages).
func TestBadContinuationToken(t *testing.T) {
	t.Parallel()
	env, ga := startAs(t, globalAdmin)
	inv := "INV-" + env.Clock.Now().Format("2006-01") + "-HUF"
	for _, p := range []string{
		"/v1/customers",
		"/v1/customers/" + apptest.ContosoID + "/orders",
		"/v1/customers/" + apptest.ContosoID + "/entitlements",
		"/v1/invoices",
		"/v1/invoices/" + inv + "/lineitems",
		"/v1/auditrecords",
	} {
		for _, tok := range []string{"not base64!", "Z2FyYmFnZQ"} { // the second is base64 of "garbage"
			r := ga.get(p + "?size=2&continuationToken=" + url.QueryEscape(tok))
			if r.status != http.StatusBadRequest {
				t.Errorf("GET %s with continuationToken %q: %d, want 400", p, tok, r.status)
				continue
			}
			if e := r.wantError(t, http.StatusBadRequest, 400); !strings.Contains(e.Description, "continuationToken") {
				t.Errorf("GET %s with continuationToken %q: %q does not name it", p, tok, e.Description)
			}
		}
	}
}

func TestProducts(t *testing.T) {
	t.Parallel()
	_, c := startAs(t, salesAgent)
	type market struct {
		country, currency string
		amount            *regexp.Regexp
		taxIncluded       bool
	}
	markets := []market{
		{"HU", "HUF", whole, false}, {"US", "USD", twoDecimals, false}, {"DE", "EUR", twoDecimals, false},
		{"AU", "AUD", twoDecimals, true}, {"BR", "BRL", twoDecimals, true},
	}
	views := map[string][]string{
		"Software":              {"SoftwarePerpetual", "SoftwareSubscriptions"},
		"SoftwarePerpetual":     {"SoftwarePerpetual"},
		"SoftwareSubscriptions": {"SoftwareSubscriptions"},
		"AzureReservations":     {"AzureReservations"},
		"SoftwareSUSELinux":     {"SoftwareSUSELinux"},
	}
	for _, mk := range markets {
		counts := map[string]int{}
		for view, types := range views {
			what := mk.country + " " + view
			r := c.get("/v1/products?country="+mk.country+"&targetView="+view).ok(t, http.StatusOK, nil)
			m := r.collection(t, what)
			items := list(t, m, "items")
			counts[view] = len(items)
			if int(m["totalCount"].(float64)) != len(items) {
				t.Errorf("%s: totalCount %v, %d items", what, m["totalCount"], len(items))
			}
			if len(items) == 0 {
				t.Errorf("%s: no products", what)
			}
			for i, it := range items {
				pm := it.(map[string]any)
				pw := fmt.Sprintf("%s items[%d]", what, i)
				hasKeys(t, pw, pm, "id", "title", "productType", "offers")
				if !slices.Contains(types, fmt.Sprint(pm["productType"])) {
					t.Errorf("%s: productType %v in view %s", pw, pm["productType"], view)
				}
				offers := list(t, pm, "offers")
				if len(offers) == 0 {
					t.Errorf("%s: no offers", pw)
				}
				for j, of := range offers {
					ow := fmt.Sprintf("%s.offers[%d]", pw, j)
					om := of.(map[string]any)
					hasKeys(t, ow, om, "offerId", "title", "billingCycle", "price")
					price := sub(t, om, "price")
					hasKeys(t, ow+".price", price, "amount", "currencyCode", "taxIncluded")
					wantString(t, ow+".price", price, "amount", mk.amount)
					if price["currencyCode"] != mk.currency || price["taxIncluded"] != mk.taxIncluded {
						t.Errorf("%s.price: %v %v taxIncluded %v; want %s taxIncluded %v (R6)", ow, price["amount"], price["currencyCode"], price["taxIncluded"], mk.currency, mk.taxIncluded)
					}
				}
			}
		}
		if counts["Software"] != counts["SoftwarePerpetual"]+counts["SoftwareSubscriptions"] {
			t.Errorf("%s: Software has %d products, perpetual %d + subscriptions %d", mk.country, counts["Software"], counts["SoftwarePerpetual"], counts["SoftwareSubscriptions"])
		}
	}
	// R7: no Azure Reservations in Kosovo or China; software is still sold there.
	for _, cc := range []string{"XK", "CN"} {
		var p collection[map[string]any]
		c.get("/v1/products?country="+cc+"&targetView=AzureReservations").ok(t, http.StatusOK, &p)
		if p.TotalCount != 0 || len(p.Items) != 0 {
			t.Errorf("%s AzureReservations: totalCount %d, %d items; want none (R7)", cc, p.TotalCount, len(p.Items))
		}
		c.get("/v1/products?country="+cc+"&targetView=Software").ok(t, http.StatusOK, &p)
		if len(p.Items) == 0 {
			t.Errorf("%s Software: no products", cc)
		}
	}
	// A market that is not a code, or an unknown view, is a clear 400.
	e := c.get("/v1/products?country=Hungary").wantError(t, http.StatusBadRequest, 400)
	if !strings.Contains(e.Description, "country") {
		t.Errorf("bad country: %q does not name the parameter", e.Description)
	}
	e = c.get("/v1/products?country=HU&targetView=Games").wantError(t, http.StatusBadRequest, 400)
	if !strings.Contains(e.Description, "targetView") {
		t.Errorf("bad targetView: %q does not name the parameter", e.Description)
	}
}

func TestEntitlementsKeysAndDownloadLinks(t *testing.T) {
	t.Parallel()
	env, agent := startAs(t, adminAgent)
	o := placeOrder(t, agent, apptest.ContosoID, line{apptest.OfferID(t, wsStd, desk.TermNone), 2, ""})

	// Entitlements: Partner Center's field names, the reference order, the editions.
	r := agent.get("/v1/customers/"+apptest.ContosoID+"/entitlements?entitlementType=software").ok(t, http.StatusOK, nil)
	m := r.collection(t, "entitlements")
	items := list(t, m, "items")
	if len(items) == 0 {
		t.Fatal("Contoso has no software entitlements")
	}
	for i, it := range items {
		em := it.(map[string]any)
		what := fmt.Sprintf("entitlements.items[%d]", i)
		hasKeys(t, what, em, "id", "referenceOrder", "productId", "friendlyName", "quantity", "status", "editions")
		hasKeys(t, what+".referenceOrder", sub(t, em, "referenceOrder"), "id", "lineItemId")
		eds := list(t, em, "editions")
		if len(eds) == 0 {
			t.Errorf("%s: no editions", what)
		}
		for j, ed := range eds {
			hasKeys(t, fmt.Sprintf("%s.editions[%d]", what, j), ed.(map[string]any), "version", "language", "bitness", "fileName", "size", "sha256")
		}
	}
	orderIDs := map[string]bool{}
	for _, od := range allOrders(t, agent, apptest.ContosoID) {
		orderIDs[od.ID] = true
	}
	var ents collection[entitlement]
	r.ok(t, http.StatusOK, &ents)
	for _, e := range ents.Items {
		if !orderIDs[e.ReferenceOrder.ID] {
			t.Errorf("entitlement %s: referenceOrder.id %s is not an order of Contoso", e.ID, e.ReferenceOrder.ID)
		}
	}
	paged, _ := pageAll[entitlement](t, agent, "/v1/customers/"+apptest.ContosoID+"/entitlements?entitlementType=software&size=2", 2)
	if len(paged) != len(ents.Items) || ents.TotalCount != len(ents.Items) {
		t.Errorf("entitlements: %d paged with size=2, %d on one page, totalCount %d", len(paged), len(ents.Items), ents.TotalCount)
	}
	ent := entitlementOf(t, agent, apptest.ContosoID, o.ID, 0)
	if ent.Quantity != 2 || ent.Status != "active" || ent.FriendlyName == "" {
		t.Errorf("new entitlement: %+v", ent)
	}
	ed := editionOf(t, ent, "2022")
	if ed.FileName == "" || ed.Size <= 0 || len(ed.SHA256) != 64 || ed.Language == "" || ed.Bitness == "" {
		t.Errorf("edition 2022: %+v", ed)
	}

	// Key: the real 25-character format, for the version asked.
	var key struct {
		ProductKey string `json:"productKey"`
		Version    string `json:"version"`
	}
	r = agent.get(keyPath(apptest.ContosoID, ent.ID, "2022")).ok(t, http.StatusOK, &key)
	hasKeys(t, "key", r.object(t), "productKey", "version")
	if !productKey.MatchString(key.ProductKey) || key.Version != "2022" {
		t.Errorf("key: %q version %q; want XXXXX-XXXXX-XXXXX-XXXXX-XXXXX for 2022", key.ProductKey, key.Version)
	}
	if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("key response Cache-Control %q, want no-store", cc)
	}

	// Download link: 201, then the URL alone (no token, no cookie) serves the file of that SHA-256.
	var link downloadLink
	r = agent.call(http.MethodPost, linksPath(apptest.ContosoID, ent.ID), linkBody(ed)).ok(t, http.StatusCreated, &link)
	hasKeys(t, "downloadlink", r.object(t), "url", "expiresAt", "sha256", "fileName")
	if link.SHA256 != ed.SHA256 || link.FileName != ed.FileName || !link.ExpiresAt.After(env.Clock.Now()) {
		t.Errorf("link: %+v; want the edition's file and SHA-256, expiring after now", link)
	}
	res, err := http.Get(link.URL)
	if err != nil {
		t.Fatalf("GET %s: %v", link.URL, err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET link: %d %v", res.StatusCode, err)
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != link.SHA256 || int64(len(body)) != ed.Size {
		t.Errorf("downloaded %d bytes with SHA-256 %x; want %d bytes with %s", len(body), sum, ed.Size, link.SHA256)
	}

	// R11: both calls are audit records of the token's user.
	refs := as(t, env, referrals)
	recs := auditRecords(t, refs, url.Values{"startDate": {day(env, -1)}, "endDate": {day(env, 0)},
		"filter": {`{"Field":"CustomerId","Value":"` + apptest.ContosoID + `","Operator":"equals"}`}}, 100)
	for _, op := range []string{"get_software_key", "get_software_download_link"} {
		n := 0
		for _, rec := range recs {
			if rec.OperationType == op && rec.OrderID == o.ID {
				n++
				if rec.UserPrincipalName != adminAgent || rec.CustomerID != apptest.ContosoID || rec.ResourceType == "" || rec.OperationDate.IsZero() {
					t.Errorf("%s record: %+v; want user %s, customer Contoso", op, rec, adminAgent)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d %s audit records of order %s, want 1 (R11)", n, op, o.ID)
		}
	}

	// Bad input: a version that does not exist, an edition that does not exist, no version.
	agent.get("/v1/customers/"+apptest.ContosoID+"/entitlements/"+ent.ID+"/key").wantError(t, http.StatusBadRequest, 400)
	agent.call(http.MethodPost, linksPath(apptest.ContosoID, ent.ID), map[string]string{"version": "1999", "language": ed.Language, "bitness": ed.Bitness}).wantError(t, http.StatusBadRequest, 400)
	// Another tenant's entitlement through this customer's URL is 404 (R5).
	agent.get(keyPath(apptest.FabrikamID, ent.ID, "2022")).wantError(t, http.StatusNotFound, 20000)
	agent.get(keyPath(apptest.ContosoID, unknownID, "2022")).wantError(t, http.StatusNotFound, 20000)
}

func TestInvoices(t *testing.T) {
	t.Parallel()
	env, c := startAs(t, billing)
	r := c.get("/v1/invoices").ok(t, http.StatusOK, nil)
	m := r.collection(t, "invoices")
	var invs collection[invoice]
	r.ok(t, http.StatusOK, &invs)
	if len(invs.Items) == 0 {
		t.Fatal("no invoices")
	}
	for i, it := range list(t, m, "items") {
		im := it.(map[string]any)
		hasKeys(t, fmt.Sprintf("invoices.items[%d]", i), im, "id", "currencyCode", "status")
	}
	hufNov := "INV-" + env.Clock.Now().Format("2006-01") + "-HUF"
	found := false
	for _, inv := range invs.Items {
		found = found || inv.ID == hufNov
	}
	if !found {
		t.Fatalf("no invoice %s among %+v", hufNov, invs.Items)
	}
	for _, inv := range invs.Items {
		want := "issued"
		if strings.HasPrefix(inv.ID, "INV-"+env.Clock.Now().Format("2006-01")+"-") {
			want = "open"
		}
		if inv.Status != want {
			t.Errorf("invoice %s: status %q, want %q", inv.ID, inv.Status, want)
		}
	}
	// Line items: charges positive, credits negative; the demo's cancelled Visio gives a credit.
	r = c.get("/v1/invoices/"+hufNov+"/lineitems?size=500").ok(t, http.StatusOK, nil)
	lm := r.collection(t, "lineitems")
	credits := 0
	for i, it := range list(t, lm, "items") {
		li := it.(map[string]any)
		what := fmt.Sprintf("%s lineitems[%d]", hufNov, i)
		hasKeys(t, what, li, "orderId", "customerId", "description", "amount", "currencyCode", "kind")
		amount := wantString(t, what, li, "amount", whole)
		switch li["kind"] {
		case "charge":
			if strings.HasPrefix(amount, "-") {
				t.Errorf("%s: charge of %s", what, amount)
			}
		case "credit":
			credits++
			if !strings.HasPrefix(amount, "-") {
				t.Errorf("%s: credit of %s, want a negative amount (R20)", what, amount)
			}
		default:
			t.Errorf("%s: kind %v, want charge or credit", what, li["kind"])
		}
		if li["currencyCode"] != "HUF" {
			t.Errorf("%s: currency %v", what, li["currencyCode"])
		}
	}
	if credits == 0 {
		t.Errorf("%s: no credit line (the demo has a cancelled Contoso purchase this month)", hufNov)
	}
	// Paging the lines gives the same lines.
	var all collection[invoiceLine]
	r.ok(t, http.StatusOK, &all)
	paged, _ := pageAll[invoiceLine](t, c, "/v1/invoices/"+hufNov+"/lineitems?size=3", 3)
	if len(paged) != len(all.Items) {
		t.Errorf("paging size=3: %d lines, one page: %d", len(paged), len(all.Items))
	}
	for i := range min(len(paged), len(all.Items)) {
		if paged[i] != all.Items[i] {
			t.Errorf("line %d differs when paged: %+v vs %+v", i, paged[i], all.Items[i])
		}
	}
	c.get("/v1/invoices/INV-1999-01-HUF/lineitems").wantError(t, http.StatusNotFound, 20000)
}

func TestAuditRecords(t *testing.T) {
	t.Parallel()
	env, c := startAs(t, referrals)
	from, to := day(env, -29), day(env, 0)

	r := c.get("/v1/auditrecords?startDate="+from+"&endDate="+to).ok(t, http.StatusOK, nil)
	m := r.collection(t, "auditrecords")
	items := list(t, m, "items")
	if len(items) == 0 {
		t.Fatal("no audit records in the last 30 days of demo data")
	}
	for i, it := range items {
		hasKeys(t, fmt.Sprintf("auditrecords.items[%d]", i), it.(map[string]any),
			"id", "customerId", "customerName", "userPrincipalName", "resourceType", "operationType", "operationDate", "operationStatus")
	}
	lo, _ := time.Parse("2006-01-02", from)
	hi, _ := time.Parse("2006-01-02", to)
	hi = hi.Add(24 * time.Hour)
	var page collection[auditRecord]
	r.ok(t, http.StatusOK, &page)
	for _, rec := range page.Items {
		if rec.OperationDate.Before(lo) || !rec.OperationDate.Before(hi) {
			t.Errorf("record %s at %s is outside %s…%s", rec.ID, rec.OperationDate, from, to)
		}
	}

	filter := func(field, value, op string) url.Values {
		f, _ := json.Marshal(map[string]string{"Field": field, "Value": value, "Operator": op})
		return url.Values{"startDate": {from}, "endDate": {to}, "filter": {string(f)}}
	}
	// CompanyName substring.
	recs := auditRecords(t, c, filter("CompanyName", "Contoso", "substring"), 100)
	if len(recs) == 0 {
		t.Error("CompanyName substring Contoso: no records")
	}
	for _, rec := range recs {
		if !strings.Contains(rec.CustomerName, "Contoso") {
			t.Errorf("CompanyName substring Contoso: record %s of %q", rec.ID, rec.CustomerName)
		}
	}
	// CustomerId equals.
	recs = auditRecords(t, c, filter("CustomerId", apptest.FabrikamID, "equals"), 100)
	if len(recs) == 0 {
		t.Error("CustomerId equals Fabrikam: no records")
	}
	for _, rec := range recs {
		if rec.CustomerID != apptest.FabrikamID {
			t.Errorf("CustomerId equals Fabrikam: record %s of %s", rec.ID, rec.CustomerID)
		}
	}
	// ResourceType equals.
	for _, rt := range []string{"software", "order"} {
		recs = auditRecords(t, c, filter("ResourceType", rt, "equals"), 100)
		if len(recs) == 0 {
			t.Errorf("ResourceType equals %s: no records", rt)
		}
		for _, rec := range recs {
			if rec.ResourceType != rt {
				t.Errorf("ResourceType equals %s: record %s of %s", rt, rec.ID, rec.ResourceType)
			}
		}
	}

	// Paging with continuationToken: the same records in the same order as one big page.
	q := filter("CompanyName", "Contoso", "substring")
	one := auditRecords(t, c, q, 500)
	paged := auditRecords(t, c, filter("CompanyName", "Contoso", "substring"), 4)
	if len(one) < 5 {
		t.Fatalf("only %d Contoso records: too few to page", len(one))
	}
	if len(paged) != len(one) {
		t.Errorf("size=4 paging: %d records, one page: %d", len(paged), len(one))
	}
	seen := map[string]bool{}
	for i, rec := range paged {
		if seen[rec.ID] {
			t.Errorf("record %s on two pages", rec.ID)
		}
		seen[rec.ID] = true
		if i < len(one) && one[i].ID != rec.ID {
			t.Errorf("record %d: %s when paged, %s on one page", i, rec.ID, one[i].ID)
		}
	}

	// Substring means substring: the middle of the name finds Contoso too.
	mid := auditRecords(t, c, filter("CompanyName", "ntos", "substring"), 500)
	if len(mid) != len(one) {
		t.Errorf("CompanyName substring %q: %d records, %q: %d", "ntos", len(mid), "Contoso", len(one))
	}

	// Bad parameters are a clear 400 naming them.
	for _, bad := range []struct{ query, names string }{
		{"startDate=yesterday", "startDate"},
		{"startDate=" + to + "&endDate=" + from, "Date"}, // startDate after endDate
		{"startDate=2020-01-01&endDate=" + to, "Date"},   // a range over the maximum
		{"filter=" + url.QueryEscape(`{"Field":"Colour","Value":"x","Operator":"equals"}`), "Field"},
		{"filter=" + url.QueryEscape(`{"Field":"CompanyName","Value":"x","Operator":"like"}`), "Operator"},
		{"filter=notjson", "filter"},
		{"size=0", "size"},
	} {
		e := c.get("/v1/auditrecords?"+bad.query).wantError(t, http.StatusBadRequest, 400)
		text := e.Description + " " + strings.Join(e.Data, " ")
		if bad.names == "Date" {
			// The API's parameters, not the web form's fields ("from", "to").
			if !strings.Contains(text, "startDate") && !strings.Contains(text, "endDate") {
				t.Errorf("?%s: %q %q names neither startDate nor endDate", bad.query, e.Description, e.Data)
			}
			continue
		}
		if !strings.Contains(text, bad.names) {
			t.Errorf("?%s: %q %q does not name the parameter %s", bad.query, e.Description, e.Data, bad.names)
		}
	}
}

// findOrder returns the demo order of a customer whose first line's name contains title.
func findOrder(t testing.TB, c *caller, customerID, title string) order {
	t.Helper()
	for _, o := range allOrders(t, c, customerID) {
		if len(o.LineItems) > 0 && strings.Contains(o.LineItems[0].FriendlyName, title) {
			return o
		}
	}
	t.Fatalf("no order of %s for %s", title, customerID)
	return order{}
}

func TestCancelErrorCodes(t *testing.T) {
	t.Parallel()
	env, agent := startAs(t, adminAgent)

	// 900117: the demo's 31-day-old SQL Server Enterprise 3-year order (R12).
	old := findOrder(t, agent, apptest.ContosoID, "SQL Server Enterprise - 2 Core License Pack")
	if age := env.Clock.Now().Sub(old.CreationDate); age < 30*24*time.Hour {
		t.Fatalf("the demo order %s is %s old, want over 30 days", old.ID, age)
	}
	e := agent.call(http.MethodPatch, orderPath(apptest.ContosoID, old.ID), cancelBody(old, 0)).wantError(t, http.StatusBadRequest, 900117)
	if !strings.Contains(e.Description, "30-day cancellation window") {
		t.Errorf("900117: %q", e.Description)
	}

	// 800061: the demo's SUSE plan of Fabrikam (R13), inside the window but never cancellable.
	suse := findOrder(t, agent, apptest.FabrikamID, "SUSE Linux Enterprise Server")
	e = agent.call(http.MethodPatch, orderPath(apptest.FabrikamID, suse.ID), cancelBody(suse, 0)).wantError(t, http.StatusBadRequest, 800061)
	if !strings.Contains(e.Description, "SUSE") {
		t.Errorf("800061: %q does not name the product", e.Description)
	}

	// 800060: the second cancellation of the same order.
	o := placeOrder(t, agent, apptest.ContosoID, line{apptest.OfferID(t, officeLTSC, desk.TermNone), 1, ""})
	agent.call(http.MethodPatch, orderPath(apptest.ContosoID, o.ID), cancelBody(o, 0)).ok(t, http.StatusOK, nil)
	agent.call(http.MethodPatch, orderPath(apptest.ContosoID, o.ID), cancelBody(o, 0)).wantError(t, http.StatusConflict, 800060)

	// 20000: an order that does not exist, or that belongs to another customer (R5).
	agent.call(http.MethodPatch, orderPath(apptest.ContosoID, unknownID), map[string]any{"status": "cancelled"}).wantError(t, http.StatusNotFound, 20000)
	agent.get(orderPath(apptest.ContosoID, unknownID)).wantError(t, http.StatusNotFound, 20000)
	agent.get(orderPath(apptest.FabrikamID, o.ID)).wantError(t, http.StatusNotFound, 20000)
	agent.call(http.MethodPatch, orderPath(apptest.FabrikamID, o.ID), cancelBody(o, 0)).wantError(t, http.StatusNotFound, 20000)

	// An unknown customer is a 404 on every customer route.
	for _, p := range []string{"/v1/customers/" + unknownID, "/v1/customers/" + unknownID + "/orders", "/v1/customers/" + unknownID + "/entitlements"} {
		agent.get(p).wantError(t, http.StatusNotFound, 20000)
	}
	agent.call(http.MethodPost, "/v1/customers/"+unknownID+"/orders", orderBody(line{apptest.OfferID(t, officeLTSC, desk.TermNone), 1, ""})).wantError(t, http.StatusNotFound, 20000)
	// A PATCH that is not a cancellation, or names another order, is a 400 naming the field.
	fresh := placeOrder(t, agent, apptest.ContosoID, line{apptest.OfferID(t, officeLTSC, desk.TermNone), 1, ""})
	for _, bad := range []struct {
		body  map[string]any
		names string
	}{
		{map[string]any{"id": fresh.ID, "status": "completed"}, "status"},
		{map[string]any{"id": o.ID, "status": "cancelled"}, "id"},
		{map[string]any{"id": fresh.ID, "status": "cancelled", "lineItems": []map[string]any{{"lineItemNumber": 7}}}, "lineItemNumber"},
	} {
		e := agent.call(http.MethodPatch, orderPath(apptest.ContosoID, fresh.ID), bad.body).wantError(t, http.StatusBadRequest, 400)
		if !strings.Contains(e.Description, bad.names) {
			t.Errorf("PATCH %v: %q does not name %s", bad.body, e.Description, bad.names)
		}
	}
	var still order
	agent.get(orderPath(apptest.ContosoID, fresh.ID)).ok(t, http.StatusOK, &still)
	if still.Status != "completed" || still.LineItems[0].Quantity != 1 {
		t.Errorf("after refused PATCHes: %+v", still)
	}
	// An unknown route is a JSON 404 too, a wrong method a JSON 405.
	agent.call(http.MethodDelete, "/v1/customers", nil).wantError(t, http.StatusMethodNotAllowed, 405)
	agent.get("/v1/nothing-here").wantError(t, http.StatusNotFound, 20000)
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	env, c := startAs(t, salesAgent)
	ordersOf := func(id string) int { return len(allOrders(t, c, id)) }
	before, kosovoBefore := ordersOf(apptest.ContosoID), ordersOf(kosovoID)
	post := func(customerID string, body any) reply {
		return c.call(http.MethodPost, "/v1/customers/"+customerID+"/orders", body)
	}
	ws := apptest.OfferID(t, wsStd, desk.TermNone)

	// Malformed JSON: the description names the byte where it breaks.
	malformed := `{"lineItems": [{"lineItemNumber": 0, "offerId": "` + ws + `", "quantity": 1,}]}`
	var se *json.SyntaxError
	if err := json.NewDecoder(strings.NewReader(malformed)).Decode(new(any)); !errors.As(err, &se) {
		t.Fatalf("the malformed body is not malformed: %v", err)
	}
	e := post(apptest.ContosoID, malformed).wantError(t, http.StatusBadRequest, 400)
	if !strings.Contains(e.Description, strconv.FormatInt(se.Offset, 10)) {
		t.Errorf("malformed JSON: %q does not name byte %d", e.Description, se.Offset)
	}

	// An unknown field, a wrong type: named.
	e = post(apptest.ContosoID, `{"lineItemz": []}`).wantError(t, http.StatusBadRequest, 400)
	if !strings.Contains(e.Description, "lineItemz") {
		t.Errorf("unknown field: %q does not name lineItemz", e.Description)
	}
	e = post(apptest.ContosoID, `{"lineItems":[{"quantity":"two"}]}`).wantError(t, http.StatusBadRequest, 400)
	if !strings.Contains(e.Description, "quantity") {
		t.Errorf("wrong type: %q does not name quantity", e.Description)
	}
	// Trailing data after the object.
	post(apptest.ContosoID, `{"lineItems": []} {"lineItems": []}`).wantError(t, http.StatusBadRequest, 400)

	// R10: quantity 0, an absurd quantity, an unknown offer, no lines — clear errors.
	for _, bad := range []struct {
		body  any
		names string
	}{
		{orderBody(line{ws, 0, ""}), "quantity"},
		{orderBody(line{ws, 1_000_000, ""}), "quantity"},
		{orderBody(line{"NOSUCHOFFER:0001:NOSUCHAVAIL", 1, ""}), "NOSUCHOFFER:0001:NOSUCHAVAIL"},
		{orderBody(), "empty"},
	} {
		e := post(apptest.ContosoID, bad.body).wantError(t, http.StatusBadRequest, 400)
		if !strings.Contains(e.Description, bad.names) {
			t.Errorf("%v: %q does not mention %q", bad.body, e.Description, bad.names)
		}
	}
	// R7: an Azure Reservation for Kosovo names the market.
	e = post(kosovoID, orderBody(line{apptest.OfferID(t, d2sV5, desk.TermP1Y), 1, "P1Y"})).wantError(t, http.StatusBadRequest, 400)
	if !strings.Contains(e.Description, "Kosovo") || !strings.Contains(e.Description, "Azure Reservations") {
		t.Errorf("reservation for Kosovo: %q does not name the market", e.Description)
	}

	// A body over 1 MB: 413.
	big := `{"lineItems": [{"lineItemNumber": 0, "offerId": "` + strings.Repeat("x", 1<<20+10) + `", "quantity": 1}]}`
	post(apptest.ContosoID, big).wantError(t, http.StatusRequestEntityTooLarge, 413)
	// The same without a Content-Length (chunked): still 413, also on PATCH and downloadlinks.
	for _, p := range []struct{ method, path string }{
		{http.MethodPost, "/v1/customers/" + apptest.ContosoID + "/orders"},
		{http.MethodPatch, orderPath(apptest.ContosoID, unknownID)},
		{http.MethodPost, linksPath(apptest.ContosoID, unknownID)},
	} {
		admin := as(t, env, adminAgent)
		req, _ := http.NewRequest(p.method, env.URL+p.path, io.MultiReader(strings.NewReader(big)))
		req.Header.Set("Authorization", "Bearer "+admin.token)
		req.Header.Set("Content-Type", "application/json")
		res, err := httpClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s chunked: %v", p.method, p.path, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), `"code":413`) {
			t.Errorf("%s %s with a chunked body over 1 MB: %d %s; want 413 with code 413", p.method, p.path, res.StatusCode, b)
		}
	}

	// Nothing was created by any of these.
	if n := ordersOf(apptest.ContosoID); n != before {
		t.Errorf("Contoso has %d orders after bad requests, had %d", n, before)
	}
	if n := ordersOf(kosovoID); n != kosovoBefore {
		t.Errorf("Proseware Kosovo has %d orders after the refused reservation, had %d", n, kosovoBefore)
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)

	// No token, a malformed header, an unknown token: 401 with WWW-Authenticate.
	for _, auth := range []string{"", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer pdk_not-a-real-token"} {
		r, err := send(env.URL, "", http.MethodGet, "/v1/customers", nil, "Authorization", auth)
		if err != nil {
			t.Fatal(err)
		}
		r.wantError(t, http.StatusUnauthorized, 401)
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("Authorization %q: WWW-Authenticate %q", auth, r.header.Get("WWW-Authenticate"))
		}
	}
	// A web session cookie does not authenticate the API.
	web := env.SignIn(t, globalAdmin)
	if res := env.Get(t, web, "/v1/customers"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("API with a session cookie: %d, want 401", res.StatusCode)
	}

	// Revoked: 401 at once.
	tok, secret := newToken(t, env, adminAgent, 24*time.Hour)
	c := &caller{t: t, env: env, token: secret}
	c.get("/v1/customers").ok(t, http.StatusOK, nil)
	ga, _, err := env.App.Store.FindUserByEmail(context.Background(), globalAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.Service.RevokeToken(context.Background(), desk.Actor{User: ga, IP: "127.0.0.1"}, tok.ID); err != nil {
		t.Fatal(err)
	}
	r := c.get("/v1/customers")
	r.wantError(t, http.StatusUnauthorized, 401)
	if !strings.Contains(r.header.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("revoked token: WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}

	// Expired: works until its expiry, 401 after.
	_, secret = newToken(t, env, adminAgent, time.Hour)
	c = &caller{t: t, env: env, token: secret}
	c.get("/v1/customers").ok(t, http.StatusOK, nil)
	env.Clock.Advance(59 * time.Minute)
	c.get("/v1/customers").ok(t, http.StatusOK, nil)
	env.Clock.Advance(2 * time.Minute)
	c.get("/v1/customers").wantError(t, http.StatusUnauthorized, 401)
}

// wantForbidden fails unless the reply is a 403 whose body names the roles that may do it (R5).
func wantForbidden(t testing.TB, r reply, roles ...string) {
	t.Helper()
	e := r.wantError(t, http.StatusForbidden, 403)
	for _, role := range roles {
		if !strings.Contains(e.Description, role) || !slices.Contains(e.Data, role) {
			t.Errorf("%s %s: 403 %q %v does not name the role %s", r.method, r.path, e.Description, e.Data, role)
		}
	}
}

func TestRoleGates(t *testing.T) {
	t.Parallel()
	env, agent := startAs(t, adminAgent)
	o := placeOrder(t, agent, apptest.ContosoID, line{apptest.OfferID(t, wsStd, desk.TermNone), 1, ""})
	ent := entitlementOf(t, agent, apptest.ContosoID, o.ID, 0)
	ed := editionOf(t, ent, "2022")
	hufInvoice := "INV-" + env.Clock.Now().Format("2006-01") + "-HUF"
	ws := apptest.OfferID(t, wsStd, desk.TermNone)

	// Sales agent: reads customers and places orders; no keys, no links, no cancel (R1, R3).
	sales := as(t, env, salesAgent)
	sales.get("/v1/customers").ok(t, http.StatusOK, nil)
	sales.get("/v1/customers/"+apptest.ContosoID).ok(t, http.StatusOK, nil)
	sales.get("/v1/customers/"+apptest.ContosoID+"/entitlements").ok(t, http.StatusOK, nil)
	placeOrder(t, sales, apptest.ContosoID, line{ws, 1, ""})
	wantForbidden(t, sales.get(keyPath(apptest.ContosoID, ent.ID, "2022")), "Admin agent", "Global admin")
	wantForbidden(t, sales.call(http.MethodPost, linksPath(apptest.ContosoID, ent.ID), linkBody(ed)), "Admin agent", "Global admin")
	wantForbidden(t, sales.call(http.MethodPatch, orderPath(apptest.ContosoID, o.ID), cancelBody(o, 0)), "Admin agent", "Global admin")
	// The 403 does not depend on whether the object exists (R5).
	wantForbidden(t, sales.get(keyPath(apptest.ContosoID, unknownID, "2022")), "Admin agent")
	wantForbidden(t, sales.get("/v1/invoices"), "Billing admin")
	wantForbidden(t, sales.get("/v1/auditrecords"), "Referrals admin")

	// Helpdesk agent: reads, cannot place orders.
	hd := as(t, env, helpdesk)
	hd.get("/v1/customers").ok(t, http.StatusOK, nil)
	wantForbidden(t, hd.call(http.MethodPost, "/v1/customers/"+apptest.ContosoID+"/orders", orderBody(line{ws, 1, ""}), "Idempotency-Key", "hd-1"), "Sales agent")
	wantForbidden(t, hd.get(keyPath(apptest.ContosoID, ent.ID, "2022")), "Admin agent")

	// Billing admin: invoices and orders (read), not keys, not customers' software, and not the
	// customer record: "customers (read)" is not among the role's rights (SPEC §1), as the
	// customer's page in the portal refuses it too. The 403 is the same for a customer that
	// does not exist (R5).
	bill := as(t, env, billing)
	bill.get("/v1/invoices").ok(t, http.StatusOK, nil)
	bill.get("/v1/invoices/"+hufInvoice+"/lineitems").ok(t, http.StatusOK, nil)
	bill.get(orderPath(apptest.ContosoID, o.ID)).ok(t, http.StatusOK, nil)
	bill.get("/v1/customers/"+apptest.ContosoID+"/orders").ok(t, http.StatusOK, nil)
	wantForbidden(t, bill.get("/v1/customers/"+apptest.ContosoID), "Sales agent", "Helpdesk agent", "Admin agent", "Global admin")
	wantForbidden(t, bill.get("/v1/customers/"+unknownID), "Sales agent")
	wantForbidden(t, bill.get("/v1/customers"), "Sales agent")
	if res := env.Get(t, env.SignIn(t, billing), "/customers/"+apptest.ContosoID+"/account"); res.StatusCode != http.StatusForbidden {
		t.Errorf("the portal's customer page for a Billing admin: %d, want 403 like the API", res.StatusCode)
	}
	wantForbidden(t, bill.get(keyPath(apptest.ContosoID, ent.ID, "2022")), "Admin agent")
	wantForbidden(t, bill.call(http.MethodPost, linksPath(apptest.ContosoID, ent.ID), linkBody(ed)), "Admin agent")
	wantForbidden(t, bill.call(http.MethodPatch, orderPath(apptest.ContosoID, o.ID), cancelBody(o, 0)), "Admin agent")

	// R2: Referrals admin reads the audit records, the Admin agent does not.
	refs := as(t, env, referrals)
	refs.get("/v1/auditrecords").ok(t, http.StatusOK, nil)
	wantForbidden(t, refs.get("/v1/customers"), "Sales agent")
	wantForbidden(t, agent.get("/v1/auditrecords"), "Referrals admin", "Global admin")
	wantForbidden(t, agent.get("/v1/invoices"), "Billing admin")

	// Global admin: everything.
	ga := as(t, env, globalAdmin)
	ga.get("/v1/auditrecords").ok(t, http.StatusOK, nil)
	ga.get("/v1/invoices").ok(t, http.StatusOK, nil)
	ga.get(keyPath(apptest.ContosoID, ent.ID, "2022")).ok(t, http.StatusOK, nil)

	// Nothing was cancelled by the refused attempts.
	var now order
	agent.get(orderPath(apptest.ContosoID, o.ID)).ok(t, http.StatusOK, &now)
	if now.Status != "completed" || now.LineItems[0].Quantity != 1 {
		t.Errorf("after refused cancels: %+v", now)
	}
}

// Customer users have no API tokens: neither the CLI nor the portal makes one (the API is the
// partner's; R4). A token is made by its own user only: a Sales agent makes their own, which
// acts as them; no one names another user.
func TestCustomerUserGetsNoToken(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	_, secret, err := env.App.Service.CreateTokenCLI(context.Background(), "admin@contoso.onmicrosoft.com", "customer token", 24*time.Hour)
	var ve *desk.ValidationError
	if !errors.As(err, &ve) || ve.Fields["user"] == "" || secret != "" {
		t.Fatalf("token for a customer user: secret %q, err %v; want a refusal on the user field", secret, err)
	}
	cga, _, err := env.App.Store.FindUserByEmail(context.Background(), "admin@contoso.onmicrosoft.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, secret, err := env.App.Service.CreateToken(context.Background(), desk.Actor{User: cga}, "customer token", 24*time.Hour); desk.ErrorCode(err) != desk.EFORBIDDEN || secret != "" {
		t.Fatalf("customer Global admin creating a token: secret %q, err %v; want forbidden", secret, err)
	}
	sa, _, err := env.App.Store.FindUserByEmail(context.Background(), salesAgent)
	if err != nil {
		t.Fatal(err)
	}
	tok, secret, err := env.App.Service.CreateToken(context.Background(), desk.Actor{User: sa}, "self", 24*time.Hour)
	if err != nil || tok.UserID != sa.ID || secret == "" {
		t.Fatalf("Sales agent creating their own token: %+v %v", tok, err)
	}
	u, _, err := env.App.Service.AuthenticateToken(context.Background(), secret)
	if err != nil || u.ID != sa.ID {
		t.Fatalf("the Sales agent's token acts as %s (%v), want the Sales agent", u.Email, err)
	}
}

func TestIdempotentCreate(t *testing.T) {
	t.Parallel()
	env, c := startAs(t, salesAgent)
	body := orderBody(line{apptest.OfferID(t, wsStd, desk.TermNone), 3, ""})
	path := "/v1/customers/" + apptest.ContosoID + "/orders"
	before := len(allOrders(t, c, apptest.ContosoID))

	// 10 concurrent retries with one key: one order, all 201 with its id, 9 replayed.
	const n = 10
	replies := make([]reply, n)
	errs := make([]error, n)
	apptest.Together(n, func(i int) {
		replies[i], errs[i] = send(env.URL, c.token, http.MethodPost, path, body, "Idempotency-Key", "retry-me-1")
	})
	ids := map[string]int{}
	replayed := 0
	for i, r := range replies {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		var o order
		r.ok(t, http.StatusCreated, &o)
		ids[o.ID]++
		if r.header.Get("Idempotent-Replayed") == "true" {
			replayed++
		}
		if r.header.Get("Location") != orderPath(apptest.ContosoID, o.ID) {
			t.Errorf("request %d: Location %q", i, r.header.Get("Location"))
		}
	}
	if len(ids) != 1 {
		t.Fatalf("10 retries with one Idempotency-Key gave orders %v, want one (R9)", ids)
	}
	if replayed != n-1 {
		t.Errorf("%d replies have Idempotent-Replayed: true, want %d (all but the first)", replayed, n-1)
	}
	var id string
	for k := range ids {
		id = k
	}
	after := allOrders(t, c, apptest.ContosoID)
	if len(after) != before+1 || after[0].ID != id {
		t.Errorf("%d orders after the retries, had %d; want exactly one new (%s)", len(after), before, id)
	}

	// Without the header, two POSTs are two orders.
	var a, b order
	c.call(http.MethodPost, path, body).ok(t, http.StatusCreated, &a)
	c.call(http.MethodPost, path, body).ok(t, http.StatusCreated, &b)
	if a.ID == b.ID || a.ID == id {
		t.Errorf("two POSTs without Idempotency-Key: %s and %s", a.ID, b.ID)
	}
	if got := len(allOrders(t, c, apptest.ContosoID)); got != before+3 {
		t.Errorf("%d orders, want %d", got, before+3)
	}

	// Within 24 h the key still replays; after 25 h it is refused, naming the header.
	env.Clock.Advance(23 * time.Hour)
	var again order
	r := c.call(http.MethodPost, path, body, "Idempotency-Key", "retry-me-1").ok(t, http.StatusCreated, &again)
	if again.ID != id || r.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry after 23 h: order %s replayed %q; want %s replayed", again.ID, r.header.Get("Idempotent-Replayed"), id)
	}
	env.Clock.Advance(2 * time.Hour)
	e := c.call(http.MethodPost, path, body, "Idempotency-Key", "retry-me-1").wantError(t, http.StatusBadRequest, 400)
	if !strings.Contains(e.Description, "Idempotency-Key") {
		t.Errorf("key reused after 25 h: %q does not name Idempotency-Key", e.Description)
	}
	if got := len(allOrders(t, c, apptest.ContosoID)); got != before+3 {
		t.Errorf("%d orders after the stale key, want %d", got, before+3)
	}
}

// A purchase is cancelled through the API (R17) exactly once (R15), with one credit.
func TestCancelCreditsOnce(t *testing.T) {
	t.Parallel()
	env, agent := startAs(t, adminAgent)
	bill := as(t, env, billing)
	ws, office := apptest.OfferID(t, wsStd, desk.TermNone), apptest.OfferID(t, officeLTSC, desk.TermNone)
	o := placeOrder(t, agent, apptest.ContosoID, line{ws, 2, ""}, line{office, 1, ""})
	ent := entitlementOf(t, agent, apptest.ContosoID, o.ID, 0)
	ed := editionOf(t, ent, "2022")
	var link downloadLink
	agent.call(http.MethodPost, linksPath(apptest.ContosoID, ent.ID), linkBody(ed)).ok(t, http.StatusCreated, &link)

	// A week later (inside the window, the next month), cancel line 0: quantity 0, the order
	// stays completed.
	env.Clock.Advance(7 * 24 * time.Hour)
	if desk.Period(env.Clock.Now()) == desk.Period(o.CreationDate) {
		t.Fatalf("the test wants the cancellation in the month after the purchase")
	}
	var got order
	r := agent.call(http.MethodPatch, orderPath(apptest.ContosoID, o.ID), cancelBody(o, 0)).ok(t, http.StatusOK, &got)
	hasKeys(t, "cancelled order", r.object(t), "id", "status", "lineItems")
	if got.ID != o.ID || got.Status != "completed" || got.LineItems[0].Quantity != 0 || got.LineItems[1].Quantity != 1 {
		t.Errorf("after cancelling line 0: status %q, quantities %d and %d; want completed, 0 and 1", got.Status, got.LineItems[0].Quantity, got.LineItems[1].Quantity)
	}
	// Cancelling it again: 409, and still one credit (R15).
	agent.call(http.MethodPatch, orderPath(apptest.ContosoID, o.ID), cancelBody(o, 0)).wantError(t, http.StatusConflict, 800060)

	// R18: keys and links of the cancelled line answer 410, the shared link stops working.
	agent.get(keyPath(apptest.ContosoID, ent.ID, "2022")).wantError(t, http.StatusGone, 410)
	agent.call(http.MethodPost, linksPath(apptest.ContosoID, ent.ID), linkBody(ed)).wantError(t, http.StatusGone, 410)
	if res, err := http.Get(link.URL); err != nil {
		t.Fatal(err)
	} else {
		res.Body.Close()
		if res.StatusCode != http.StatusGone {
			t.Errorf("shared link after cancellation: %d, want 410 (R18)", res.StatusCode)
		}
	}

	// R19: the purchase stays on the entitlements list, marked cancelled.
	if e := entitlementOf(t, agent, apptest.ContosoID, o.ID, 0); e.Status != "cancelled" {
		t.Errorf("cancelled entitlement: status %q, want cancelled", e.Status)
	}

	// Cancel the rest: the order is cancelled.
	agent.call(http.MethodPatch, orderPath(apptest.ContosoID, o.ID), cancelBody(o, 1)).ok(t, http.StatusOK, &got)
	if got.Status != "cancelled" || got.LineItems[0].Quantity != 0 || got.LineItems[1].Quantity != 0 {
		t.Errorf("after cancelling every line: %+v", got)
	}
	agent.get(orderPath(apptest.ContosoID, o.ID)).ok(t, http.StatusOK, &got)
	if got.Status != "cancelled" {
		t.Errorf("GET after cancelling: status %q", got.Status)
	}
	agent.call(http.MethodPatch, orderPath(apptest.ContosoID, o.ID), cancelBody(o, 0, 1)).wantError(t, http.StatusConflict, 800060)

	// R20: exactly one credit per line on the invoice of the cancellation month, 100% of the charge.
	inv := "INV-" + env.Clock.Now().UTC().Format("2006-01") + "-HUF"
	charges := map[string]string{}
	for _, l := range invoiceLines(t, bill, "INV-"+o.CreationDate.UTC().Format("2006-01")+"-HUF") {
		if l.OrderID == o.ID && l.Kind == "charge" {
			charges[l.Description] = l.Amount
		}
	}
	var creditLines []invoiceLine
	for _, l := range invoiceLines(t, bill, inv) {
		if l.OrderID == o.ID && l.Kind == "credit" {
			creditLines = append(creditLines, l)
		}
	}
	if len(charges) != 2 || len(creditLines) != 2 {
		t.Fatalf("order %s: %d charges, %d credits on %s; want 2 and 2 (one per line)", o.ID, len(charges), len(creditLines), inv)
	}
	var chargeSum, creditSum int64
	for _, a := range charges {
		v, _ := strconv.ParseInt(a, 10, 64)
		chargeSum += v
	}
	for _, l := range creditLines {
		if !strings.HasPrefix(l.Amount, "-") || l.CustomerID != apptest.ContosoID || l.CurrencyCode != "HUF" {
			t.Errorf("credit line %+v: want a negative HUF amount for Contoso", l)
		}
		v, _ := strconv.ParseInt(l.Amount, 10, 64)
		creditSum += v
	}
	if creditSum != -chargeSum {
		t.Errorf("credits %d for charges %d: perpetual software gets 100%% credit (R20)", creditSum, chargeSum)
	}
	// R11: the order's create_order and update_order records name the token's user.
	refs := as(t, env, referrals)
	ops := map[string]int{}
	for _, rec := range auditRecords(t, refs, url.Values{"startDate": {day(env, -10)}, "endDate": {day(env, 0)},
		"filter": {`{"Field":"ResourceType","Value":"order","Operator":"equals"}`}}, 100) {
		if rec.OrderID == o.ID {
			ops[rec.OperationType]++
			if rec.UserPrincipalName != adminAgent {
				t.Errorf("%s record of %s by %q, want %s", rec.OperationType, o.ID, rec.UserPrincipalName, adminAgent)
			}
		}
	}
	if ops["create_order"] != 1 || ops["update_order"] != 2 {
		t.Errorf("audit records of order %s: %v; want 1 create_order and 2 update_order (one per line)", o.ID, ops)
	}
	// The purchase month's invoice has the charges and no credit of the order.
	for _, l := range invoiceLines(t, bill, "INV-"+o.CreationDate.UTC().Format("2006-01")+"-HUF") {
		if l.OrderID == o.ID && l.Kind == "credit" {
			t.Errorf("credit %+v on the purchase month's invoice, want it on %s", l, inv)
		}
	}
}

// R15 through the API: concurrent PATCHes cancel once; the others get 409 800060; one credit.
func TestConcurrentCancel(t *testing.T) {
	t.Parallel()
	env, agent := startAs(t, adminAgent)
	o := placeOrder(t, agent, apptest.ContosoID, line{apptest.OfferID(t, officeLTSC, desk.TermNone), 1, ""})
	const n = 8
	replies := make([]reply, n)
	errs := make([]error, n)
	apptest.Together(n, func(i int) {
		replies[i], errs[i] = send(env.URL, agent.token, http.MethodPatch, orderPath(apptest.ContosoID, o.ID), cancelBody(o, 0))
	})
	oks := 0
	for i, r := range replies {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if r.status == http.StatusOK {
			oks++
			continue
		}
		r.wantError(t, http.StatusConflict, 800060)
	}
	if oks != 1 {
		t.Errorf("%d of %d concurrent cancellations succeeded, want 1 (R15)", oks, n)
	}
	bill := as(t, env, billing)
	credits := 0
	for _, l := range invoiceLines(t, bill, "INV-"+env.Clock.Now().UTC().Format("2006-01")+"-HUF") {
		if l.OrderID == o.ID && l.Kind == "credit" {
			credits++
		}
	}
	if credits != 1 {
		t.Errorf("%d credit lines for order %s, want 1 (R15)", credits, o.ID)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	env := apptest.StartWith(t, func(cfg *apptest.Config) { cfg.APIRatePerSecond, cfg.APIBurst = 1, 3 })
	c := as(t, env, salesAgent)
	start := time.Now()
	for range 3 {
		c.get("/v1/customers?size=1").ok(t, http.StatusOK, nil)
	}
	r := c.get("/v1/customers?size=1")
	if r.status == http.StatusOK && time.Since(start) > 900*time.Millisecond {
		// A slow machine: a token refilled meanwhile (1/s); the next request must be refused.
		r = c.get("/v1/customers?size=1")
	}
	r.wantError(t, http.StatusTooManyRequests, 429)
	ra, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 5 {
		t.Errorf("Retry-After %q, want a few seconds", r.header.Get("Retry-After"))
	}
	if b := r.object(t); !strings.Contains(fmt.Sprint(b["description"]), "Retry") {
		t.Errorf("429 description %q does not say when to retry", b["description"])
	}
	// The limit is per token: another token of the same user is not limited.
	other := as(t, env, salesAgent)
	other.get("/v1/customers?size=1").ok(t, http.StatusOK, nil)
	// The OpenAPI document needs no token and is not limited.
	for range 5 {
		if r, err := send(env.URL, "", http.MethodGet, "/v1/openapi.json", nil); err != nil || r.status != http.StatusOK {
			t.Fatalf("openapi.json: %v %d", err, r.status)
		}
	}
}

// The key reveal limit per user (SPEC §4) answers like the API's own limit: 429, code 429 and a
// Retry-After header a client can wait for.
func TestKeyRevealLimit(t *testing.T) {
	t.Parallel()
	env := apptest.StartWith(t, func(cfg *apptest.Config) { cfg.RevealBurst, cfg.RevealEvery = 2, time.Minute })
	agent := as(t, env, adminAgent)
	o := placeOrder(t, agent, apptest.ContosoID, line{apptest.OfferID(t, wsStd, desk.TermNone), 1, ""})
	ent := entitlementOf(t, agent, apptest.ContosoID, o.ID, 0)
	for range 2 {
		agent.get(keyPath(apptest.ContosoID, ent.ID, "2022")).ok(t, http.StatusOK, nil)
	}
	r := agent.get(keyPath(apptest.ContosoID, ent.ID, "2022"))
	r.wantError(t, http.StatusTooManyRequests, 429)
	if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("429 on the key reveal limit: Retry-After %q, want whole seconds", r.header.Get("Retry-After"))
	}
}
