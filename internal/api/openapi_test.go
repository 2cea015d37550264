package api_test

// The OpenAPI 3.1 document against the router, both ways: every route is documented with its
// method, every documented operation is a route that answers, and every operation says what it
// needs (summary, responses, bearer security where a token is needed).

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"partnerdesk/internal/api"
	"partnerdesk/internal/app/apptest"
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

func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)

	// No token needed; valid JSON; OpenAPI 3.1.0.
	r, err := send(env.URL, "", http.MethodGet, "/v1/openapi.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.ok(t, http.StatusOK, nil)
	if !json.Valid(r.body) {
		t.Fatalf("openapi.json is not valid JSON: %.200s", r.body)
	}
	doc := r.object(t)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi %v, want 3.1.0", doc["openapi"])
	}
	hasKeys(t, "openapi.json", doc, "info", "paths", "components")
	info := sub(t, doc, "info")
	if info["title"] == "" || info["version"] == "" {
		t.Errorf("info: %v", info)
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
	if len(routes) < 14 {
		t.Fatalf("only %d routes", len(routes))
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
			rt, ok := inRouter[strings.ToUpper(m)+" "+p]
			if !ok {
				t.Errorf("documented operation %s has no route", name)
				continue
			}
			op, _ := ov.(map[string]any)
			if s, _ := op["summary"].(string); strings.TrimSpace(s) == "" {
				t.Errorf("%s: no summary", name)
			}
			responses, _ := op["responses"].(map[string]any)
			has2xx := false
			for code, rv := range responses {
				has2xx = has2xx || strings.HasPrefix(code, "2")
				if d, _ := rv.(map[string]any)["description"].(string); d == "" {
					t.Errorf("%s: response %s has no description", name, code)
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
			case !needsToken && hasSec && len(sec) > 0:
				t.Errorf("%s needs no token but documents security %v", name, sec)
			}
			if _, ok := responses["401"]; needsToken && !ok {
				t.Errorf("%s needs a token but documents no 401", name)
			}
			// Every path parameter is declared, in path and required.
			declared := map[string]bool{}
			params, _ := op["parameters"].([]any)
			for _, pv := range params {
				pm := pv.(map[string]any)
				if pm["in"] == "path" && pm["required"] == true {
					declared[pm["name"].(string)] = true
				}
			}
			for _, mm := range pathParams.FindAllStringSubmatch(p, -1) {
				if !declared[mm[1]] {
					t.Errorf("%s: path parameter %s is not declared (in: path, required)", name, mm[1])
				}
			}
			if m == "post" || m == "patch" {
				if _, ok := op["requestBody"]; !ok {
					t.Errorf("%s: no requestBody", name)
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

	// Every $ref resolves.
	var all []string
	refs(doc, &all)
	if len(all) == 0 {
		t.Error("no $ref in the document")
	}
	for _, ref := range all {
		name, ok := strings.CutPrefix(ref, "#/components/schemas/")
		if !ok || schemas[name] == nil {
			t.Errorf("$ref %q does not resolve", ref)
		}
	}
	// The field names are SPEC §9's: spot-check the schemas.
	for schema, fields := range map[string][]string{
		"Customer":    {"id", "companyProfile", "billingProfile"},
		"Order":       {"id", "referenceCustomerId", "billingCycle", "currencyCode", "creationDate", "status", "lineItems"},
		"LineItem":    {"lineItemNumber", "offerId", "friendlyName", "quantity", "termDuration"},
		"Entitlement": {"id", "referenceOrder", "productId", "friendlyName", "quantity", "status", "editions"},
		"AuditRecord": {"id", "customerId", "customerName", "userPrincipalName", "resourceType", "operationType", "operationDate", "operationStatus"},
		"Error":       {"code", "description", "data"},
	} {
		s, _ := schemas[schema].(map[string]any)
		props, _ := s["properties"].(map[string]any)
		if props == nil {
			t.Errorf("schema %s is missing", schema)
			continue
		}
		hasKeys(t, "schema "+schema, props, fields...)
	}
}
