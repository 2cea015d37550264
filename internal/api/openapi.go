package api

import (
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// op documents one operation of the API: its parameters and bodies. The OpenAPI document is
// built from this table, and a test checks it against the router both ways.
type op struct {
	params   []param
	request  any
	response any
	status   int
	errors   []int
}

type param struct {
	name, in, desc string
	required       bool
}

var (
	pCustomer    = param{"customerId", "path", "The customer's tenant ID.", true}
	pOrder       = param{"orderId", "path", "The order ID.", true}
	pEntitlement = param{"entitlementId", "path", "The entitlement ID.", true}
	pSize        = param{"size", "query", "Page size, 1–500 (default 100).", false}
	pToken       = param{"continuationToken", "query", "The continuationToken of the previous page.", false}
)

// operations documents every route, keyed "METHOD /path".
var operations = map[string]op{
	"GET /v1/openapi.json":                              {response: map[string]any{}, status: 200},
	"GET /v1/customers":                                 {params: []param{pSize, pToken, {"q", "query", "Search company name, domain or tenant ID.", false}}, response: Collection[Customer]{}, status: 200, errors: []int{401, 403, 429}},
	"GET /v1/customers/{customerId}":                    {params: []param{pCustomer}, response: Customer{}, status: 200, errors: []int{401, 403, 404}},
	"GET /v1/customers/{customerId}/orders":             {params: []param{pCustomer, pSize, pToken}, response: Collection[Order]{}, status: 200, errors: []int{401, 403, 404}},
	"POST /v1/customers/{customerId}/orders":            {params: []param{pCustomer, {"Idempotency-Key", "header", "Retries with the same key within 24 h return the first order.", false}}, request: OrderRequest{}, response: Order{}, status: 201, errors: []int{400, 401, 403, 404, 429}},
	"GET /v1/customers/{customerId}/orders/{orderId}":   {params: []param{pCustomer, pOrder}, response: Order{}, status: 200, errors: []int{401, 403, 404}},
	"PATCH /v1/customers/{customerId}/orders/{orderId}": {params: []param{pCustomer, pOrder}, request: CancelRequest{}, response: Order{}, status: 200, errors: []int{400, 401, 403, 404, 409}},
	"GET /v1/products": {params: []param{{"country", "query", "ISO 3166-1 alpha-2 market.", true},
		{"targetView", "query", "Software, SoftwarePerpetual, SoftwareSubscriptions, AzureReservations or SoftwareSUSELinux.", false}}, response: Collection[Product]{}, status: 200, errors: []int{400, 401, 403}},
	"GET /v1/customers/{customerId}/entitlements": {params: []param{pCustomer, {"entitlementType", "query", "software", false}, pSize, pToken}, response: Collection[Entitlement]{}, status: 200, errors: []int{401, 403, 404}},
	"GET /v1/customers/{customerId}/entitlements/{entitlementId}/key": {params: []param{pCustomer, pEntitlement, {"version", "query", "The product version, e.g. 2022.", true}},
		response: KeyResponse{}, status: 200, errors: []int{400, 401, 403, 404, 410, 429}},
	"POST /v1/customers/{customerId}/entitlements/{entitlementId}/downloadlinks": {params: []param{pCustomer, pEntitlement}, request: LinkRequest{}, response: LinkResponse{}, status: 201, errors: []int{400, 401, 403, 404, 410}},
	"GET /v1/invoices":                       {params: []param{pSize, pToken}, response: Collection[Invoice]{}, status: 200, errors: []int{401, 403}},
	"GET /v1/invoices/{invoiceId}/lineitems": {params: []param{{"invoiceId", "path", "The invoice ID, e.g. INV-2026-11-HUF.", true}, pSize, pToken}, response: Collection[InvoiceLine]{}, status: 200, errors: []int{401, 403, 404}},
	"GET /v1/auditrecords": {params: []param{{"startDate", "query", "First day (YYYY-MM-DD), default 30 days ago.", false}, {"endDate", "query", "Last day (YYYY-MM-DD), default today.", false},
		{"filter", "query", `{"Field":"CompanyName|CustomerId|ResourceType","Value":"…","Operator":"substring|equals"}`, false}, pSize, pToken}, response: Collection[AuditRecord]{}, status: 200, errors: []int{400, 401, 403}},
}

var pathParam = regexp.MustCompile(`:([A-Za-z]+)`)

// OpenAPIPath turns an echo path (/v1/customers/:customerId) into OpenAPI's ({customerId}).
func OpenAPIPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

var (
	docOnce sync.Once
	docJSON map[string]any
)

// Document returns the OpenAPI 3.1 document of the API.
func (a *API) Document() map[string]any {
	docOnce.Do(func() { docJSON = a.buildDocument() })
	return docJSON
}

func (a *API) buildDocument() map[string]any {
	paths := map[string]any{}
	schemas := map[string]any{"Error": schemaOf(reflect.TypeOf(Error{}), nil)}
	for _, r := range a.routes {
		path := OpenAPIPath(r.Path)
		o, ok := operations[r.Method+" "+path]
		if !ok {
			continue // the test fails on this
		}
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		var params []any
		for _, p := range o.params {
			params = append(params, map[string]any{"name": p.name, "in": p.in, "required": p.required, "description": p.desc, "schema": map[string]any{"type": "string"}})
		}
		responses := map[string]any{}
		responses[itoa(o.status)] = map[string]any{"description": "OK", "content": map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(o.response), schemas)}}}
		for _, code := range o.errors {
			responses[itoa(code)] = map[string]any{"description": http.StatusText(code), "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
		}
		operation := map[string]any{"summary": r.Summary, "operationId": operationID(r.Method, path), "responses": responses}
		if len(params) > 0 {
			operation["parameters"] = params
		}
		if o.request != nil {
			operation["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(o.request), schemas)}}}
		}
		if r.Perm != "" {
			operation["security"] = []any{map[string]any{"bearer": []any{}}}
			operation["x-permission"] = string(r.Perm)
		}
		item[strings.ToLower(r.Method)] = operation
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "PartnerDesk API", "version": "1.0",
			"description": "In the style of the Partner Center REST API. Authenticate with `Authorization: Bearer <token>`; a token acts with its user's roles. Amounts are decimal strings in major units. Errors are `{code, description, data}` with Partner Center's codes (900117, 800061, 800060, 20000)."},
		"paths":      paths,
		"components": map[string]any{"schemas": schemas, "securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}}},
	}
}

func operationID(method, path string) string {
	parts := []string{strings.ToLower(method)}
	for _, s := range strings.Split(strings.Trim(path, "/"), "/") {
		if strings.HasPrefix(s, "{") || s == "v1" {
			continue
		}
		s = strings.TrimSuffix(s, ".json")
		parts = append(parts, strings.ToUpper(s[:1])+s[1:])
	}
	return strings.Join(parts, "")
}

func itoa(n int) string { return itoa64(int64(n)) }

var timeType = reflect.TypeOf(time.Time{})

// schemaOf derives a JSON Schema from a Go type by its json tags; named structs go to components.
func schemaOf(t reflect.Type, schemas map[string]any) map[string]any {
	switch {
	case t == nil:
		return map[string]any{}
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem(), schemas)
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), schemas)}
	case reflect.Map:
		return map[string]any{"type": "object"}
	case reflect.Struct:
		props := map[string]any{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			props[name] = schemaOf(f.Type, schemas)
		}
		s := map[string]any{"type": "object", "properties": props}
		name := t.Name()
		if schemas == nil || name == "" || strings.Contains(name, "[") {
			return s
		}
		if _, done := schemas[name]; !done {
			schemas[name] = s
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func (a *API) handleOpenAPI(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, a.Document())
}
