package api_test

// The OpenAPI document against the router, both ways: every route is documented with its
// method, every documented operation is a route that answers, and every operation says what it
// needs (operationId, summary, security, every status it can answer). kin-openapi loads and
// validates the document (contract_test.go); Spectral lints it; the server and the document
// agree on who may call each operation.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"partnerdesk/internal/api"
	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"

	"github.com/PuerkitoBio/goquery"
)

var pathParams = regexp.MustCompile(`\{([^}]+)\}`)

// refs collects every "$ref" of a JSON value.
func refs(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" {
				*out = append(*out, s)
			}
			refs(e, out)
		}
	case []any:
		for _, e := range x {
			refs(e, out)
		}
	}
}

// operationIDs pins every operation's operationId: generated clients name their methods after
// them, so renaming one breaks partners' code.
var operationIDs = map[string]string{
	"GET /v1/openapi.json":                                                       "getOpenAPIDocument",
	"GET /v1/customers":                                                          "listCustomers",
	"GET /v1/customers/{customerId}":                                             "getCustomer",
	"GET /v1/customers/{customerId}/orders":                                      "listOrders",
	"POST /v1/customers/{customerId}/orders":                                     "createOrder",
	"GET /v1/customers/{customerId}/orders/{orderId}":                            "getOrder",
	"PATCH /v1/customers/{customerId}/orders/{orderId}":                          "cancelOrder",
	"GET /v1/products":                                                           "listProducts",
	"GET /v1/customers/{customerId}/entitlements":                                "listEntitlements",
	"GET /v1/customers/{customerId}/entitlements/{entitlementId}/key":            "getProductKey",
	"POST /v1/customers/{customerId}/entitlements/{entitlementId}/downloadlinks": "createDownloadLink",
	"GET /v1/invoices":                                                           "listInvoices",
	"GET /v1/invoices/{invoiceId}/lineitems":                                     "listInvoiceLineItems",
	"GET /v1/auditrecords":                                                       "listAuditRecords",
	"GET /v1/invoices/{invoiceId}":                                               "getInvoice",
	"GET /v1/auditrecords/{auditRecordId}":                                       "getAuditRecord",
	"GET /v1/webhooks/registration":                                              "getWebhookRegistration",
	"POST /v1/webhooks/registration":                                             "createWebhookRegistration",
	"PUT /v1/webhooks/registration":                                              "updateWebhookRegistration",
	"DELETE /v1/webhooks/registration":                                           "deleteWebhookRegistration",
	"GET /v1/webhooks/registration/events":                                       "listWebhookEvents",
	"POST /v1/webhooks/registration/validationEvents":                            "createValidationEvent",
	"GET /v1/webhooks/registration/validationEvents/{correlationId}":             "getValidationEvent",
}

// bodiless are the operations that change something without a request body: sending a test
// event, as Partner Center's validationEvents does.
var bodiless = map[string]bool{"createValidationEvent": true}

// resolve follows a response's $ref into components.responses.
func resolve(t *testing.T, comps map[string]any, v any) map[string]any {
	t.Helper()
	m, _ := v.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		name, ok := strings.CutPrefix(ref, "#/components/responses/")
		r, _ := sub(t, comps, "responses")[name].(map[string]any)
		if !ok || r == nil {
			t.Fatalf("$ref %q does not resolve", ref)
		}
		return r
	}
	return m
}

func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)

	// kin-openapi loads and validates the document the server serves (formats, patterns, refs).
	contractDoc(t)

	// No token needed; valid JSON; the OpenAPI version every tool reads.
	r, err := send(env.URL, "", http.MethodGet, "/v1/openapi.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.ok(t, http.StatusOK, nil)
	doc := r.object(t)
	if doc["openapi"] != "3.0.3" || api.OpenAPIVersion != "3.0.3" {
		t.Errorf("openapi %v, want 3.0.3 (see OpenAPIVersion)", doc["openapi"])
	}
	hasKeys(t, "openapi.json", doc, "info", "servers", "security", "tags", "paths", "components")
	info := sub(t, doc, "info")
	if info["title"] == "" || info["version"] == "" {
		t.Errorf("info: %v", info)
	}
	if servers := list(t, doc, "servers"); len(servers) != 1 || servers[0].(map[string]any)["url"] != "/" {
		t.Errorf("servers %v, want the serving host (url /)", servers)
	}
	comps := sub(t, doc, "components")
	bearer, _ := sub(t, comps, "securitySchemes")["bearer"].(map[string]any)
	if bearer["type"] != "http" || bearer["scheme"] != "bearer" {
		t.Errorf("securitySchemes.bearer: %v, want type http, scheme bearer", bearer)
	}
	schemas := sub(t, comps, "schemas")
	paths := sub(t, doc, "paths")

	// Every route is documented with its method.
	routes := env.App.API.Routes()
	if len(routes) != len(operationIDs) {
		t.Errorf("%d routes, %d pinned operationIds", len(routes), len(operationIDs))
	}
	inRouter := map[string]api.Route{}
	for _, rt := range routes {
		p := api.OpenAPIPath(rt.Path)
		inRouter[rt.Method+" "+p] = rt
		item, _ := paths[p].(map[string]any)
		if _, ok := item[strings.ToLower(rt.Method)]; !ok {
			t.Errorf("route %s %s is not documented in openapi.json", rt.Method, p)
		}
	}

	// Every documented operation is a route, and the router answers it (401 without a token, not
	// 404 or 405), and it is complete.
	methods := []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
	ids := map[string]string{}
	for p, v := range paths {
		item, ok := v.(map[string]any)
		if !ok {
			t.Errorf("paths[%q] is %T", p, v)
			continue
		}
		for m, ov := range item {
			if !slices.Contains(methods, m) {
				continue
			}
			name := strings.ToUpper(m) + " " + p
			rt, ok := inRouter[name]
			if !ok {
				t.Errorf("documented operation %s has no route", name)
				continue
			}
			op, _ := ov.(map[string]any)
			id, _ := op["operationId"].(string)
			if id != operationIDs[name] {
				t.Errorf("%s: operationId %q, want %q (operationIds are stable)", name, id, operationIDs[name])
			}
			if other, dup := ids[id]; dup {
				t.Errorf("operationId %q is used by %s and %s", id, other, name)
			}
			ids[id] = name
			for _, k := range []string{"summary", "description"} {
				if s, _ := op[k].(string); strings.TrimSpace(s) == "" {
					t.Errorf("%s: no %s", name, k)
				}
			}
			if tags, _ := op["tags"].([]any); len(tags) != 1 {
				t.Errorf("%s: tags %v, want one", name, op["tags"])
			}
			responses, _ := op["responses"].(map[string]any)
			has2xx := false
			for code, rv := range responses {
				has2xx = has2xx || strings.HasPrefix(code, "2")
				resp := resolve(t, comps, rv)
				if d, _ := resp["description"].(string); d == "" {
					t.Errorf("%s: response %s has no description", name, code)
				}
				content, _ := resp["content"].(map[string]any)
				if _, ok := content["application/json"]; !ok && code != "204" {
					t.Errorf("%s: response %s has no JSON body", name, code)
				} else if ok && code == "204" {
					t.Errorf("%s: response 204 has a body", name)
				}
			}
			if !has2xx {
				t.Errorf("%s: no success response among %v", name, responses)
			}
			needsToken := rt.Perm != ""
			sec, hasSec := op["security"].([]any)
			bearerSec := hasSec && len(sec) == 1 && sec[0].(map[string]any)["bearer"] != nil
			switch {
			case needsToken && !bearerSec:
				t.Errorf("%s needs a token but its security is %v, want [{bearer: []}]", name, op["security"])
			case !needsToken && (!hasSec || len(sec) > 0):
				t.Errorf("%s needs no token: its security must be [] (the default is bearer), got %v", name, op["security"])
			}
			// Statuses every authenticated operation can answer: 401, 403 naming the roles, and
			// 429 with Retry-After (the per-token rate limit).
			if needsToken {
				for _, code := range []string{"401", "403", "429"} {
					if _, ok := responses[code]; !ok {
						t.Errorf("%s needs a token but documents no %s", name, code)
					}
				}
				roles := api.RoleNames(rt.Perm)
				var xroles []string
				for _, r := range op["x-roles"].([]any) {
					xroles = append(xroles, r.(string))
				}
				if !slices.Equal(roles, xroles) || len(roles) == 0 {
					t.Errorf("%s: x-roles %v, want %v", name, xroles, roles)
				}
				forbidden, _ := resolve(t, comps, responses["403"])["description"].(string)
				for _, role := range roles {
					if !strings.Contains(forbidden, role) || !strings.Contains(op["description"].(string), role) {
						t.Errorf("%s: the 403 %q or the description does not name the role %s", name, forbidden, role)
					}
				}
				if h, _ := resolve(t, comps, responses["429"])["headers"].(map[string]any); h["Retry-After"] == nil {
					t.Errorf("%s: 429 without the Retry-After header", name)
				}
				if h, _ := resolve(t, comps, responses["401"])["headers"].(map[string]any); h["WWW-Authenticate"] == nil {
					t.Errorf("%s: 401 without the WWW-Authenticate header", name)
				}
			}
			// Every path parameter is declared, in path and required; lists page.
			declared := map[string]bool{}
			params, _ := op["parameters"].([]any)
			for _, pv := range params {
				pm := pv.(map[string]any)
				if pm["in"] == "path" && pm["required"] == true {
					declared[pm["name"].(string)] = true
				}
				if pm["name"] == "size" {
					if _, ok := responses["400"]; !ok {
						t.Errorf("%s pages but documents no 400 for a bad size or continuationToken", name)
					}
				}
			}
			for _, mm := range pathParams.FindAllStringSubmatch(p, -1) {
				if !declared[mm[1]] {
					t.Errorf("%s: path parameter %s is not declared (in: path, required)", name, mm[1])
				}
			}
			if m == "post" || m == "patch" || m == "put" {
				_, hasBody := op["requestBody"]
				if !hasBody && !bodiless[id] {
					t.Errorf("%s: no requestBody", name)
				}
				if _, ok := responses["413"]; !ok && hasBody {
					t.Errorf("%s takes a body but documents no 413", name)
				}
			}

			// The router answers it.
			concrete := pathParams.ReplaceAllString(p, unknownID)
			res, err := send(env.URL, "", strings.ToUpper(m), concrete, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := http.StatusOK
			if needsToken {
				want = http.StatusUnauthorized
			}
			if res.status != want {
				t.Errorf("%s %s without a token: %d, want %d (the route exists)", strings.ToUpper(m), concrete, res.status, want)
			}
		}
	}
	if len(ids) != len(operationIDs) {
		t.Errorf("%d operations documented, %d pinned", len(ids), len(operationIDs))
	}

	// Every $ref resolves.
	var all []string
	refs(doc, &all)
	if len(all) == 0 {
		t.Error("no $ref in the document")
	}
	for _, ref := range all {
		kind, name, _ := strings.Cut(strings.TrimPrefix(ref, "#/components/"), "/")
		if c, _ := comps[kind].(map[string]any); c[name] == nil {
			t.Errorf("$ref %q does not resolve", ref)
		}
	}
	// Every object schema lists its required fields and forbids others, so that a validator
	// catches a missing or an extra field in either direction.
	for name, sv := range schemas {
		s := sv.(map[string]any)
		if s["additionalProperties"] != false {
			t.Errorf("schema %s: additionalProperties %v, want false", name, s["additionalProperties"])
		}
		if req, _ := s["required"].([]any); len(req) == 0 {
			t.Errorf("schema %s: no required fields", name)
		}
	}
	// The field names are SPEC §9's: spot-check the schemas, and which are required.
	for schema, fields := range map[string][]string{
		"Customer":           {"id", "companyProfile", "billingProfile"},
		"Order":              {"id", "referenceCustomerId", "billingCycle", "currencyCode", "creationDate", "status", "lineItems"},
		"LineItem":           {"lineItemNumber", "offerId", "quantity"},
		"Entitlement":        {"id", "referenceOrder", "productId", "friendlyName", "quantity", "status", "editions"},
		"AuditRecord":        {"id", "customerId", "customerName", "userPrincipalName", "resourceType", "operationType", "operationDate", "operationStatus"},
		"Error":              {"code", "description", "data"},
		"CustomerCollection": {"totalCount", "items"},
		"OrderRequest":       {"lineItems"},
		"LineItemRequest":    {"lineItemNumber", "offerId", "quantity"},
		"CancelRequest":      {"status"},
		"LinkRequest":        {"version", "language", "bitness"},
	} {
		s, _ := schemas[schema].(map[string]any)
		props, _ := s["properties"].(map[string]any)
		if props == nil {
			t.Errorf("schema %s is missing", schema)
			continue
		}
		hasKeys(t, "schema "+schema, props, fields...)
		var required []string
		for _, r := range s["required"].([]any) {
			required = append(required, r.(string))
		}
		for _, f := range fields {
			if !slices.Contains(required, f) {
				t.Errorf("schema %s: %s is not required (required: %v)", schema, f, required)
			}
		}
		// A request's required fields are exactly those the server needs.
		if strings.HasSuffix(schema, "Request") && len(required) != len(fields) {
			t.Errorf("schema %s: required %v, want %v", schema, required, fields)
		}
	}
	// Optional fields stay optional: a continuationToken only while there are more pages, the
	// id of a cancellation (the URL names the order).
	for schema, field := range map[string]string{"CustomerCollection": "continuationToken", "CancelRequest": "id", "LineItem": "termDuration"} {
		if slices.Contains(sub(t, schemas, schema)["required"].([]any), any(field)) {
			t.Errorf("schema %s requires %s", schema, field)
		}
	}
}

// The server and the document agree on who may call each operation: for every operation and
// every partner role, the demo user of that role is refused with 403 exactly when the role is
// not among the operation's x-roles, and the 403 names x-roles. In particular a Billing admin
// reads orders and invoices but not a customer record (SPEC §1).
func TestOpenAPIRolesAgree(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	doc, _ := contractDoc(t)
	agent := as(t, env, adminAgent)
	o := placeOrder(t, agent, apptest.ContosoID, line{apptest.OfferID(t, wsStd, desk.TermNone), 1, ""})
	ent := entitlementOf(t, agent, apptest.ContosoID, o.ID, 0)
	ed := editionOf(t, ent, "2022")
	inv := "INV-" + env.Clock.Now().Format("2006-01") + "-HUF"
	contoso := "/v1/customers/" + apptest.ContosoID
	calls := map[string]func(c *caller, role string) reply{
		"listCustomers": func(c *caller, _ string) reply { return c.get("/v1/customers?size=1") },
		"getCustomer":   func(c *caller, _ string) reply { return c.get(contoso) },
		"listOrders":    func(c *caller, _ string) reply { return c.get(contoso + "/orders?size=1") },
		"createOrder": func(c *caller, role string) reply {
			return c.call(http.MethodPost, contoso+"/orders", orderBody(line{apptest.OfferID(t, officeLTSC, desk.TermNone), 1, ""}), "Idempotency-Key", "roles-"+role)
		},
		"getOrder": func(c *caller, _ string) reply { return c.get(orderPath(apptest.ContosoID, o.ID)) },
		"cancelOrder": func(c *caller, _ string) reply {
			return c.call(http.MethodPatch, orderPath(apptest.ContosoID, o.ID), cancelBody(o, 0))
		},
		"listProducts":     func(c *caller, _ string) reply { return c.get("/v1/products?country=HU") },
		"listEntitlements": func(c *caller, _ string) reply { return c.get(contoso + "/entitlements?size=1") },
		"getProductKey":    func(c *caller, _ string) reply { return c.get(keyPath(apptest.ContosoID, ent.ID, "2022")) },
		"createDownloadLink": func(c *caller, _ string) reply {
			return c.call(http.MethodPost, linksPath(apptest.ContosoID, ent.ID), linkBody(ed))
		},
		"listInvoices":         func(c *caller, _ string) reply { return c.get("/v1/invoices?size=1") },
		"listInvoiceLineItems": func(c *caller, _ string) reply { return c.get("/v1/invoices/" + inv + "/lineitems?size=1") },
		"listAuditRecords":     func(c *caller, _ string) reply { return c.get("/v1/auditrecords?size=1") },
	}
	en := i18n.Get("en")
	// Key and link calls come before the cancellation, which revokes them (410).
	order := []string{"listCustomers", "getCustomer", "listOrders", "createOrder", "getOrder", "listProducts", "listEntitlements",
		"getProductKey", "createDownloadLink", "listInvoices", "listInvoiceLineItems", "listAuditRecords", "cancelOrder"}
	emails := []string{globalAdmin, adminAgent, salesAgent, helpdesk, billing, referrals}
	roleNamesOf, callers := map[string][]string{}, map[string]*caller{}
	for _, email := range emails {
		u, _, err := env.App.Store.FindUserByEmail(context.Background(), email)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range u.Roles.List() {
			roleNamesOf[email] = append(roleNamesOf[email], en.T("role."+r.Slug()))
		}
		callers[email] = as(t, env, email)
	}
	for _, id := range order {
		for _, email := range emails {
			roleNames, c := roleNamesOf[email], callers[email]
			var op *struct {
				roles []string
			}
			for _, item := range doc.Paths.Map() {
				for _, o := range item.Operations() {
					if o.OperationID == id {
						var roles []string
						for _, r := range o.Extensions["x-roles"].([]any) {
							roles = append(roles, r.(string))
						}
						op = &struct{ roles []string }{roles}
					}
				}
			}
			if op == nil {
				t.Fatalf("no operation %s in the document", id)
			}
			allowed := slices.ContainsFunc(roleNames, func(r string) bool { return slices.Contains(op.roles, r) })
			r := calls[id](c, strings.Split(email, "@")[0])
			switch {
			case !allowed && r.status != http.StatusForbidden:
				t.Errorf("%s (%v): %s answered %d; the document's roles %v do not include theirs", email, roleNames, id, r.status, op.roles)
			case !allowed:
				if e := r.wantError(t, http.StatusForbidden, 403); !slices.Equal(e.Data, op.roles) {
					t.Errorf("%s: %s: the 403 names %v, the document %v", email, id, e.Data, op.roles)
				}
			case r.status == http.StatusForbidden || r.status == http.StatusUnauthorized:
				t.Errorf("%s (%v): %s refused (%d) though the document allows %v: %s", email, roleNames, id, r.status, op.roles, r.body)
			case r.status >= 400 && !(id == "cancelOrder" && r.status == http.StatusConflict):
				t.Errorf("%s: %s answered %d: %s", email, id, r.status, r.body)
			}
		}
	}
}

// Spectral, the OpenAPI linter, finds neither errors nor warnings in the document (with its
// recommended ruleset). make test installs it from testdata/lint (npm ci) and passes its path in
// SPECTRAL; without it (a plain go test) the test is skipped.
func TestOpenAPILint(t *testing.T) {
	t.Parallel()
	bin := os.Getenv("SPECTRAL")
	if bin == "" {
		bin = filepath.Join("testdata", "lint", "node_modules", ".bin", "spectral")
		if _, err := os.Stat(bin); err != nil {
			t.Skip("Spectral is not installed: make test installs it (npm ci in internal/api/testdata/lint)")
		}
	}
	_, raw := contractDoc(t)
	file := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	ruleset, _ := filepath.Abs(filepath.Join("testdata", "lint", ".spectral.yaml"))
	out, err := exec.Command(bin, "lint", "--ruleset", ruleset, "--format", "json", "--fail-severity", "warn", "--quiet", file).Output()
	var results []struct {
		Code     string `json:"code"`
		Message  string `json:"message"`
		Path     []any  `json:"path"`
		Severity int    `json:"severity"`
	}
	if jerr := json.Unmarshal(out, &results); jerr != nil {
		t.Fatalf("spectral: %v: %s (exit: %v)", jerr, out, err)
	}
	for _, r := range results {
		if r.Severity <= 1 { // 0 error, 1 warning
			t.Errorf("spectral %s at %v: %s", r.Code, r.Path, r.Message)
		} else {
			t.Logf("spectral %s at %v: %s", r.Code, r.Path, r.Message)
		}
	}
	if err != nil && len(results) == 0 {
		t.Fatalf("spectral failed: %v", err)
	}
}

// Settings → REST API is rendered from the document, in the user's language: every operation
// with its translated summary and description, parameters, the roles that may call it (as the
// document's x-roles) and its statuses.
func TestAPIPage(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	doc, _ := contractDoc(t)
	web := env.SignIn(t, billing)
	for _, lang := range []string{"en", "hu"} {
		env.PostForm(t, web, "/settings/language", url.Values{"locale": {lang}})
		res := env.Get(t, web, "/settings/api")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: /settings/api: %d", lang, res.StatusCode)
		}
		page, err := goquery.NewDocumentFromReader(strings.NewReader(res.Body))
		if err != nil {
			t.Fatal(err)
		}
		loc := i18n.Get(lang)
		rows := page.Find(`[data-testid="api-op"]`)
		n := 0
		for path, item := range doc.Paths.Map() {
			for method, o := range item.Operations() {
				n++
				row := page.Find(fmt.Sprintf(`[data-testid="api-op"][data-operation-id="%s"]`, o.OperationID))
				if row.Length() != 1 {
					t.Errorf("%s: %d rows for %s", lang, row.Length(), o.OperationID)
					continue
				}
				text := strings.Join(strings.Fields(row.Text()), " ")
				summary, desc := loc.T("api.op."+o.OperationID), loc.T("api.op."+o.OperationID+".desc")
				if summary == "api.op."+o.OperationID || desc == "api.op."+o.OperationID+".desc" {
					t.Errorf("%s: no catalog text for %s", lang, o.OperationID)
				}
				// The page shows `identifiers` as code, without the backticks.
				for _, want := range []string{method, path, o.OperationID, summary, strings.ReplaceAll(desc, "`", "")} {
					if !strings.Contains(text, strings.Join(strings.Fields(want), " ")) {
						t.Errorf("%s: the row of %s lacks %q: %s", lang, o.OperationID, want, text)
					}
				}
				if lang == "hu" && summary == i18n.Get("en").T("api.op."+o.OperationID) {
					t.Errorf("hu: %s is not translated: %q", o.OperationID, summary)
				}
				for _, p := range o.Parameters {
					if !strings.Contains(text, p.Value.Name) {
						t.Errorf("%s: the row of %s does not list the parameter %s", lang, o.OperationID, p.Value.Name)
					}
				}
				for code := range o.Responses.Map() {
					if !strings.Contains(row.Find(`[data-testid="api-statuses"]`).Text(), code) {
						t.Errorf("%s: the row of %s does not list the status %s", lang, o.OperationID, code)
					}
				}
				if perm, ok := o.Extensions["x-permission"].(string); ok {
					cell := row.Find(`[data-testid="api-roles"]`).Text()
					for _, r := range desk.Allowed[desk.Permission(perm)].List() {
						if !strings.Contains(cell, loc.T("role."+r.Slug())) {
							t.Errorf("%s: the row of %s does not name the role %s: %q", lang, o.OperationID, loc.T("role."+r.Slug()), cell)
						}
					}
				}
			}
		}
		if rows.Length() != n {
			t.Errorf("%s: %d rows for %d operations", lang, rows.Length(), n)
		}
		if !strings.Contains(res.Body, loc.T("api.op.listCustomers")) {
			t.Errorf("%s: no %q", lang, loc.T("api.op.listCustomers"))
		}
	}
	hu := i18n.Get("hu")
	if got := hu.T("api.op.listCustomers"); got != "Ügyfelek listázása" {
		t.Errorf("hu listCustomers: %q", got)
	}
}
