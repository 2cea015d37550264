package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"

	"github.com/labstack/echo/v4"
)

// OpenAPIVersion is the version of the OpenAPI Specification the document is written in.
// Every tool the document is tested with reads it: kin-openapi (loader, validator and the
// request/response filter), oapi-codegen's Go client generator and the Spectral linter.
const OpenAPIVersion = "3.0.3"

// op documents one operation of the API. The OpenAPI document is built from this table and the
// router; tests check it against the router both ways and every API exchange against it.
type op struct {
	// id is the operationId: stable and unique. It also keys the operation's texts in the i18n
	// catalogs: api.op.<id> (summary) and api.op.<id>.desc (description).
	id       string
	tag      string
	params   []param
	request  any
	response any
	status   int
	ok       string            // the success response's description
	headers  map[string]header // the success response's headers
	// errors lists the error statuses besides those every authenticated operation has (401,
	// 403, 429) and the 413 of an operation with a body; "" describes the status as errorText
	// does.
	errors map[int]string
}

type param struct {
	name, in, desc string
	required       bool
	schema         map[string]any
}

type header struct {
	desc     string
	required bool
	schema   map[string]any
}

var (
	uuidSchema   = map[string]any{"type": "string", "format": "uuid"}
	stringSchema = map[string]any{"type": "string"}

	pCustomer    = param{"customerId", "path", "The customer's tenant ID.", true, uuidSchema}
	pOrder       = param{"orderId", "path", "The order ID.", true, uuidSchema}
	pEntitlement = param{"entitlementId", "path", "The entitlement ID.", true, uuidSchema}
	pSize        = param{"size", "query", "Page size, 1–500 (default 100).", false, map[string]any{"type": "integer", "minimum": 1, "maximum": 500, "default": 100}}
	pToken       = param{"continuationToken", "query", "The continuationToken of the previous page of this listing.", false, stringSchema}
	pTokenHeader = param{"MS-ContinuationToken", "header", "The continuationToken of the previous page, as a header (Partner Center's way); the query parameter wins.", false, stringSchema}
	paging       = []param{pSize, pToken, pTokenHeader}
)

// Descriptions of the error statuses, with Partner Center's codes (SPEC §9).
const (
	text400 = "The request is not valid (code 400): `description` says why, `data` names the fields or parameters."
	text404 = "Not found (code 20000). Objects of another customer are not found either."
)

// operations documents every route, keyed "METHOD /path".
var operations = map[string]op{
	"GET /v1/openapi.json": {id: "getOpenAPIDocument", tag: "Document", response: map[string]any{}, status: 200, ok: "The OpenAPI document."},
	"GET /v1/customers": {id: "listCustomers", tag: "Customers",
		params:   append([]param{{"q", "query", "Search company name, domain or tenant ID.", false, stringSchema}}, paging...),
		response: Collection[Customer]{}, status: 200, ok: "A page of customers, by company name.",
		errors: map[int]string{400: "A bad size or continuationToken (code 400)."}},
	"GET /v1/customers/{customerId}": {id: "getCustomer", tag: "Customers", params: []param{pCustomer},
		response: Customer{}, status: 200, ok: "The customer.", errors: map[int]string{404: ""}},
	"GET /v1/customers/{customerId}/orders": {id: "listOrders", tag: "Orders", params: append([]param{pCustomer}, paging...),
		response: Collection[Order]{}, status: 200, ok: "A page of the customer's orders, newest first.",
		errors: map[int]string{400: "A bad size or continuationToken (code 400).", 404: ""}},
	"POST /v1/customers/{customerId}/orders": {id: "createOrder", tag: "Orders",
		params: []param{pCustomer, {"Idempotency-Key", "header", "Retries with the same key and token within 24 h return the first order instead of placing another; the same key with another request is refused (422). Keys are scoped by token.", false,
			map[string]any{"type": "string", "minLength": 1, "maxLength": 80}}},
		request: OrderRequest{}, response: Order{}, status: 201, ok: "The order placed, or the first order of this Idempotency-Key.",
		headers: map[string]header{
			"Location":            {"The order's URL.", true, stringSchema},
			"Idempotent-Replayed": {"true when this is the order a previous request with the same Idempotency-Key placed.", false, map[string]any{"type": "string", "enum": []any{"true"}}},
		},
		errors: map[int]string{
			400: "The order is not valid (code 400): malformed JSON, an unknown field, an unknown offer, a quantity outside 1–10,000, a product the market does not sell, or an Idempotency-Key used more than 24 h ago.",
			404: "",
			409: "A request with the same Idempotency-Key is being placed at this moment (code 800060); retry.",
			422: "The Idempotency-Key was already used with this token for another request (code 422): use a new key for a new order.",
		}},
	"GET /v1/customers/{customerId}/orders/{orderId}": {id: "getOrder", tag: "Orders", params: []param{pCustomer, pOrder},
		response: Order{}, status: 200, ok: "The order.", errors: map[int]string{404: ""}},
	"PATCH /v1/customers/{customerId}/orders/{orderId}": {id: "cancelOrder", tag: "Orders", params: []param{pCustomer, pOrder},
		request: CancelRequest{}, response: Order{}, status: 200, ok: "The order after the cancellation.",
		errors: map[int]string{
			400: "Not cancelled. Code 900117: the cancellation window has passed. Code 800061: the product cannot be cancelled, e.g. SUSE or Red Hat. " +
				"Code 800062: a line was already downloaded or is above the equivalent of 10,000 USD, so it needs a support request, as in the portal (a Global admin may give overrideReason). " +
				"Code 400: the body is not valid.",
			404: "",
			409: "A line is already cancelled or being cancelled (code 800060).",
		}},
	"GET /v1/products": {id: "listProducts", tag: "Products",
		params: []param{{"country", "query", "The market: an ISO 3166-1 alpha-2 code such as HU or US.", true, map[string]any{"type": "string", "pattern": "^[A-Za-z]{2}$"}},
			{"targetView", "query", "The kind of product; Software is every software kind together.", false,
				map[string]any{"type": "string", "enum": []any{"Software", "SoftwarePerpetual", "SoftwareSubscriptions", "AzureReservations", "SoftwareSUSELinux"}, "default": "Software"}}},
		response: Collection[Product]{}, status: 200, ok: "The products sold in the market, with their offers and prices.",
		errors: map[int]string{400: "A country that is not a market, or an unknown targetView (code 400)."}},
	"GET /v1/customers/{customerId}/entitlements": {id: "listEntitlements", tag: "Software",
		params:   append([]param{pCustomer, {"entitlementType", "query", "Only software entitlements exist.", false, map[string]any{"type": "string", "enum": []any{"software"}}}}, paging...),
		response: Collection[Entitlement]{}, status: 200, ok: "A page of the customer's software, newest first.",
		errors: map[int]string{400: "A bad entitlementType, size or continuationToken (code 400).", 404: ""}},
	"GET /v1/customers/{customerId}/entitlements/{entitlementId}/key": {id: "getProductKey", tag: "Software",
		params:   []param{pCustomer, pEntitlement, {"version", "query", "The product version, e.g. 2022.", true, map[string]any{"type": "string", "minLength": 1}}},
		response: KeyResponse{}, status: 200, ok: "The product key (audited).",
		errors: map[int]string{400: "No version, or a version the product does not have (code 400).", 404: "",
			410: "The purchase was cancelled: its keys are revoked (code 410).",
			429: "Too many key reveals for this user, or too many requests for this token (code 429): wait the Retry-After seconds."}},
	"POST /v1/customers/{customerId}/entitlements/{entitlementId}/downloadlinks": {id: "createDownloadLink", tag: "Software",
		params: []param{pCustomer, pEntitlement}, request: LinkRequest{}, response: LinkResponse{}, status: 201, ok: "A signed download link (audited).",
		errors: map[int]string{400: "An edition the product does not have, or a body that is not valid (code 400).", 404: "",
			410: "The purchase was cancelled: its downloads are revoked (code 410)."}},
	"GET /v1/invoices": {id: "listInvoices", tag: "Invoices", params: paging,
		response: Collection[Invoice]{}, status: 200, ok: "A page of invoices, newest first.",
		errors: map[int]string{400: "A bad size or continuationToken (code 400)."}},
	"GET /v1/invoices/{invoiceId}/lineitems": {id: "listInvoiceLineItems", tag: "Invoices",
		params:   append([]param{{"invoiceId", "path", "The invoice ID, e.g. INV-2026-11-HUF.", true, map[string]any{"type": "string", "pattern": "^INV-[0-9]{4}-[0-9]{2}-[A-Z]{3}$"}}}, paging...),
		response: Collection[InvoiceLine]{}, status: 200, ok: "A page of the invoice's charges and credits.",
		errors: map[int]string{400: "A bad size or continuationToken (code 400).", 404: ""}},
	"GET /v1/auditrecords": {id: "listAuditRecords", tag: "Audit records",
		params: append([]param{
			{"startDate", "query", "The first day (YYYY-MM-DD or RFC 3339), default 29 days before endDate.", false, stringSchema},
			{"endDate", "query", "The last day (YYYY-MM-DD or RFC 3339), default today.", false, stringSchema},
			{"filter", "query", `JSON: {"Field":"CompanyName|CustomerId|ResourceType","Value":"…","Operator":"substring|equals"}.`, false, stringSchema},
		}, paging...),
		response: Collection[AuditRecord]{}, status: 200, ok: "A page of audit records, newest first.",
		errors: map[int]string{400: "A bad date, date range, filter, size or continuationToken (code 400)."}},
	"GET /v1/invoices/{invoiceId}": {id: "getInvoice", tag: "Invoices",
		params:   []param{{"invoiceId", "path", "The invoice ID, e.g. INV-2026-11-HUF.", true, map[string]any{"type": "string", "pattern": "^INV-[0-9]{4}-[0-9]{2}-[A-Z]{3}$"}}},
		response: Invoice{}, status: 200, ok: "The invoice with its totals (an invoice-ready webhook's ResourceUri).", errors: map[int]string{404: ""}},
	"GET /v1/auditrecords/{auditRecordId}": {id: "getAuditRecord", tag: "Audit records",
		params:   []param{{"auditRecordId", "path", "The audit record's ID, as a webhook's AuditUri names it.", true, map[string]any{"type": "string", "pattern": "^[0-9]+$"}}},
		response: AuditRecord{}, status: 200, ok: "The audit record.", errors: map[int]string{404: ""}},
	"GET /v1/webhooks/registration": {id: "getWebhookRegistration", tag: "Webhooks",
		response: WebhookRegistration{}, status: 200, ok: "The registration (its signing secret is never shown again).",
		errors: map[int]string{404: "No webhook is registered (code 20000)."}},
	"POST /v1/webhooks/registration": {id: "createWebhookRegistration", tag: "Webhooks",
		request: WebhookRegistrationRequest{}, response: WebhookRegistration{}, status: 201, ok: "The registration with its signing secret, shown this once.",
		headers: map[string]header{"Location": {"The registration's URL.", true, stringSchema}},
		errors: map[int]string{
			400: "The registration is refused (code 400): a URL that is not https://, that has a user name or a fragment, whose host does not resolve or resolves to a loopback, private or link-local address, or unknown or no events; `data` names the field.",
			409: "A webhook is registered already (code 800060): update it with PUT or delete it first.",
		}},
	"PUT /v1/webhooks/registration": {id: "updateWebhookRegistration", tag: "Webhooks",
		request: WebhookUpdateRequest{}, response: WebhookRegistration{}, status: 200, ok: "The registration as saved; with rotateSigningSecret, its new signing secret, shown this once.",
		errors: map[int]string{400: "The registration is refused (code 400), as for POST.", 404: "No webhook is registered (code 20000)."}},
	"DELETE /v1/webhooks/registration": {id: "deleteWebhookRegistration", tag: "Webhooks",
		status: 204, ok: "Deleted; the events not delivered yet are marked failed.",
		errors: map[int]string{404: "No webhook is registered (code 20000)."}},
	"GET /v1/webhooks/registration/events": {id: "listWebhookEvents", tag: "Webhooks",
		response: []string{}, status: 200, ok: "The event names a registration can subscribe to."},
	"POST /v1/webhooks/registration/validationEvents": {id: "createValidationEvent", tag: "Webhooks",
		response: ValidationEvent{}, status: 201, ok: "A test-created event was queued for the registered URL.",
		headers: map[string]header{"Location": {"The test event's URL.", true, stringSchema}},
		errors:  map[int]string{404: "No webhook is registered (code 20000)."}},
	"GET /v1/webhooks/registration/validationEvents/{correlationId}": {id: "getValidationEvent", tag: "Webhooks",
		params:   []param{{"correlationId", "path", "The test event's correlationId.", true, uuidSchema}},
		response: ValidationEventStatus{}, status: 200, ok: "The test event's delivery.", errors: map[int]string{404: ""}},
}

// tags describes the operation groups, in the document's order.
var tags = []struct{ name, desc string }{
	{"Customers", "The partner's customer tenants."},
	{"Orders", "Orders of a customer: place, read, cancel (SPEC §3, §6)."},
	{"Products", "The catalog of a market (SPEC §2)."},
	{"Software", "A customer's software: entitlements, product keys and download links (SPEC §4)."},
	{"Invoices", "Monthly invoices with their charges and credits."},
	{"Audit records", "The activity log (SPEC §5)."},
	{"Webhooks", "Events POSTed to the partner's receiver, signed (SPEC §9b, R21)."},
	{"Document", "This OpenAPI document."},
}

var pathParam = regexp.MustCompile(`:([A-Za-z]+)`)

// OpenAPIPath turns an echo path (/v1/customers/:customerId) into OpenAPI's ({customerId}).
func OpenAPIPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

// Document returns the OpenAPI document of the API, as /v1/openapi.json serves it.
func (a *API) Document() map[string]any {
	a.docOnce.Do(a.buildDocument)
	var m map[string]any
	if err := json.Unmarshal(a.docJSON, &m); err != nil {
		panic(err) // the document was marshalled by buildDocument
	}
	return m
}

// documentJSON is the document's top level, in the order readers expect.
type documentJSON struct {
	OpenAPI    string         `json:"openapi"`
	Info       map[string]any `json:"info"`
	Servers    []any          `json:"servers"`
	Security   []any          `json:"security"`
	Tags       []any          `json:"tags"`
	Paths      map[string]any `json:"paths"`
	Components map[string]any `json:"components"`
}

func (a *API) buildDocument() {
	en := i18n.Get("en")
	g := &schemaGen{schemas: map[string]any{}}
	errorRef := g.of(reflect.TypeOf(Error{}), reflect.StructField{})
	errorBody := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": errorRef}}}
	}
	bearer := []any{map[string]any{"bearer": []any{}}}
	paths := map[string]any{}
	for _, r := range a.routes {
		path := OpenAPIPath(r.Path)
		o, ok := operations[r.Method+" "+path]
		if !ok {
			continue // TestOpenAPIDocument fails on this
		}
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		var params []any
		for _, p := range o.params {
			params = append(params, map[string]any{"name": p.name, "in": p.in, "required": p.required, "description": p.desc, "schema": p.schema})
		}
		ok2xx := map[string]any{"description": o.ok}
		if o.response != nil { // a 204 has no body
			ok2xx["content"] = map[string]any{"application/json": map[string]any{"schema": g.of(reflect.TypeOf(o.response), reflect.StructField{})}}
		}
		if len(o.headers) > 0 {
			hs := map[string]any{}
			for name, h := range o.headers {
				hs[name] = map[string]any{"description": h.desc, "required": h.required, "schema": h.schema}
			}
			ok2xx["headers"] = hs
		}
		responses := map[string]any{strconv.Itoa(o.status): ok2xx}
		for code, text := range o.errors {
			if text == "" {
				text = errorText(code)
			}
			responses[strconv.Itoa(code)] = errorBody(text)
		}
		description := en.T("api.op." + o.id + ".desc")
		operation := map[string]any{"operationId": o.id, "summary": en.T("api.op." + o.id), "tags": []any{o.tag}, "responses": responses}
		if len(params) > 0 {
			operation["parameters"] = params
		}
		if o.request != nil {
			operation["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": g.of(reflect.TypeOf(o.request), reflect.StructField{})}}}
			responses["413"] = map[string]any{"$ref": "#/components/responses/PayloadTooLarge"}
		}
		if r.Perm == "" {
			operation["security"] = []any{} // public: no token
		} else {
			roles := RoleNames(r.Perm)
			operation["security"] = bearer
			operation["x-permission"] = string(r.Perm)
			operation["x-roles"] = roles
			description += " Roles: " + strings.Join(roles, ", ") + "."
			responses["401"] = map[string]any{"$ref": "#/components/responses/Unauthorized"}
			responses["403"] = errorBody("The token's user holds none of the roles " + strings.Join(roles, ", ") + " (code 403; `data` names them).")
			if _, ok := responses["429"]; !ok {
				responses["429"] = map[string]any{"$ref": "#/components/responses/TooManyRequests"}
			} else {
				responses["429"].(map[string]any)["headers"] = map[string]any{"Retry-After": retryAfter}
			}
		}
		// With a public base URL configured, a request for another Host is refused (421).
		responses["421"] = map[string]any{"$ref": "#/components/responses/MisdirectedRequest"}
		operation["description"] = description
		item[strings.ToLower(r.Method)] = operation
	}
	var tagList []any
	for _, t := range tags {
		tagList = append(tagList, map[string]any{"name": t.name, "description": t.desc})
	}
	doc := documentJSON{
		OpenAPI: OpenAPIVersion,
		Info: map[string]any{"title": "PartnerDesk API", "version": "1.0",
			"description": "In the style of the Partner Center REST API. Authenticate with `Authorization: Bearer <token>`: a Global admin creates tokens " +
				"(Settings → API tokens), and a token acts with its user's roles. Amounts are decimal strings in major units. Lists page with " +
				"`size` and `continuationToken`. Errors are `{code, description, data}` with Partner Center's codes (900117, 800061, 800060, 20000). " +
				"Every authenticated operation is rate-limited per token (429 with Retry-After)."},
		Servers:  []any{map[string]any{"url": "/", "description": "The PartnerDesk server that serves this document."}},
		Security: bearer,
		Tags:     tagList,
		Paths:    paths,
		Components: map[string]any{
			"schemas": g.schemas,
			"responses": map[string]any{
				"Unauthorized": map[string]any{"description": "No token, or a token that is unknown, revoked or expired (code 401).",
					"headers": map[string]any{"WWW-Authenticate": map[string]any{"description": "The bearer challenge.", "required": true, "schema": stringSchema}},
					"content": map[string]any{"application/json": map[string]any{"schema": errorRef}}},
				"TooManyRequests": map[string]any{"description": "Too many requests for this token (code 429): wait the Retry-After seconds.",
					"headers": map[string]any{"Retry-After": retryAfter},
					"content": map[string]any{"application/json": map[string]any{"schema": errorRef}}},
				"PayloadTooLarge": errorBody(fmt.Sprintf("The request body is larger than %d bytes (code 413).", maxBody)),
				"MisdirectedRequest": errorBody("The request's Host is not the server's public base URL (PARTNERDESK_BASE_URL): " +
					"use the URL the server is published at (code 421)."),
			},
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
				"description": "An API token (pdk_…) that a Global admin created; it acts with its user's roles."}},
		},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // maps of strings, numbers and slices always marshal
	}
	a.docJSON = b
}

var retryAfter = map[string]any{"description": "Seconds to wait before the next request.", "required": true, "schema": map[string]any{"type": "integer", "minimum": 1}}

// errorText is the description of an error status an operation shares with others.
func errorText(code int) string {
	switch code {
	case http.StatusBadRequest:
		return text400
	case http.StatusNotFound:
		return text404
	}
	return http.StatusText(code)
}

// RoleNames names, in English, the roles that hold a permission (SPEC §1), as a 403 does.
func RoleNames(p desk.Permission) []string {
	en := i18n.Get("en")
	var out []string
	for _, r := range desk.Allowed[p].List() {
		out = append(out, en.T("role."+r.Slug()))
	}
	return out
}

var timeType = reflect.TypeOf(time.Time{})

// decimal is the pattern of an amount: a decimal string in major units, never a float (SPEC §9).
const decimal = `^-?[0-9]+(\.[0-9]+)?$`

// schemaGen derives JSON Schemas from Go types by their json tags; named structs go to
// components. Tags refine a field: doc (description), enum (a|b|c), pattern ("decimal" for an
// amount), format, maxLength, min, max and minItems. A field without omitempty is always sent, so it is
// required; every object forbids other fields, as the server's strict decoding does.
type schemaGen struct {
	schemas map[string]any
}

func (g *schemaGen) of(t reflect.Type, f reflect.StructField) map[string]any {
	s := g.base(t, f)
	if d := f.Tag.Get("doc"); d != "" && s["$ref"] == nil {
		s["description"] = d
	}
	return s
}

func (g *schemaGen) base(t reflect.Type, f reflect.StructField) map[string]any {
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.base(t.Elem(), f)
	case reflect.String:
		s := map[string]any{"type": "string"}
		if e := f.Tag.Get("enum"); e != "" {
			var vals []any
			for _, v := range strings.Split(e, "|") {
				vals = append(vals, v)
			}
			s["enum"] = vals
		}
		switch p := f.Tag.Get("pattern"); p {
		case "":
		case "decimal":
			s["pattern"] = decimal
		default:
			s["pattern"] = p
		}
		if v := f.Tag.Get("format"); v != "" {
			s["format"] = v
		}
		if v := f.Tag.Get("maxLength"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				panic(fmt.Sprintf("api: bad maxLength tag %q", v))
			}
			s["maxLength"] = n
		}
		return s
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		s := map[string]any{"type": "integer"}
		if t.Kind() == reflect.Int64 {
			s["format"] = "int64"
		}
		for tag, key := range map[string]string{"min": "minimum", "max": "maximum"} {
			if v := f.Tag.Get(tag); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil {
					panic(fmt.Sprintf("api: bad %s tag %q", tag, v))
				}
				s[key] = n
			}
		}
		return s
	case reflect.Slice:
		s := map[string]any{"type": "array", "items": g.base(t.Elem(), f)}
		if v := f.Tag.Get("minItems"); v != "" {
			n, _ := strconv.Atoi(v)
			s["minItems"] = n
		}
		return s
	case reflect.Map:
		return map[string]any{"type": "object"}
	case reflect.Struct:
		return g.object(t)
	}
	panic("api: no schema for " + t.String())
}

// object returns a $ref to the struct's schema in components, adding it on first use.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	name := t.Name()
	if elem, ok := strings.CutPrefix(name, "Collection["); ok {
		// Collection[partnerdesk/internal/api.Customer] is a CustomerCollection.
		elem = strings.TrimSuffix(elem, "]")
		name = elem[strings.LastIndexByte(elem, '.')+1:] + "Collection"
	}
	ref := map[string]any{"$ref": "#/components/schemas/" + name}
	if _, done := g.schemas[name]; done {
		return ref
	}
	g.schemas[name] = nil // a placeholder against recursion
	props := map[string]any{}
	var required []any
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		jsonName, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if jsonName == "" || jsonName == "-" {
			continue
		}
		props[jsonName] = g.of(f.Type, f)
		if !slices.Contains(strings.Split(opts, ","), "omitempty") {
			required = append(required, jsonName)
		}
	}
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	g.schemas[name] = s
	return ref
}

func (a *API) handleOpenAPI(c echo.Context) error {
	a.docOnce.Do(a.buildDocument)
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSONBlob(http.StatusOK, a.docJSON)
}
