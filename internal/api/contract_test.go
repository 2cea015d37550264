package api_test

// The OpenAPI document is the contract of every exchange the API tests make: the tests' HTTP
// client (httpClient), the curl walk-through (through a validating proxy) and the generated
// client all send their requests through contractTransport, which validates the request and the
// response against the document with kin-openapi's openapi3filter. An undocumented status, a
// missing or extra field, a wrong type or a missing header fails the exchange, and so does a
// request the document forbids that the server nevertheless accepted.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"partnerdesk/internal/api"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// contract is the document as /v1/openapi.json serves it, loaded and validated once per test
// process, with the router that maps a request to its operation.
var contract struct {
	once   sync.Once
	raw    []byte
	doc    *openapi3.T
	router routers.Router
	err    error

	mu   sync.Mutex
	seen map[string]int // "operationId status" → exchanges validated
}

// validationOptions are the strictest checks kin-openapi makes of a document.
var validationOptions = []openapi3.ValidationOption{
	openapi3.EnableSchemaFormatValidation(), openapi3.EnableSchemaPatternValidation(), openapi3.EnableExamplesValidation(),
}

// contractDoc is the served document, parsed, and its raw bytes; a failure to load it fails the test.
func contractDoc(t testing.TB) (*openapi3.T, []byte) {
	t.Helper()
	doc, _, raw, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	return doc, raw
}

// loadContract returns the document served by the API, loaded and validated by kin-openapi.
func loadContract() (*openapi3.T, routers.Router, []byte, error) {
	contract.once.Do(func() {
		rec := httptest.NewRecorder()
		api.New(nil, api.Config{Logger: slog.New(slog.DiscardHandler)}).Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/openapi.json", nil))
		if rec.Code != http.StatusOK {
			contract.err = fmt.Errorf("GET /v1/openapi.json: %d %s", rec.Code, rec.Body)
			return
		}
		contract.raw = rec.Body.Bytes()
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(contract.raw)
		if err != nil {
			contract.err = fmt.Errorf("kin-openapi cannot load the document: %w", err)
			return
		}
		if err := doc.Validate(loader.Context, append(validationOptions, openapi3.EnableMultiError())...); err != nil {
			contract.err = fmt.Errorf("kin-openapi: the document is not valid: %w", err)
			return
		}
		contract.doc = doc
		contract.router, contract.err = legacy.NewRouter(doc)
		contract.seen = map[string]int{}
	})
	return contract.doc, contract.router, contract.raw, contract.err
}

// bearerPresent is the document's bearer scheme as a client sees it: a non-empty bearer token
// (whether the server knows it is the server's answer, 401).
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecurityScheme.Type != "http" || in.SecurityScheme.Scheme != "bearer" {
		return fmt.Errorf("unexpected security scheme %s %s", in.SecurityScheme.Type, in.SecurityScheme.Scheme)
	}
	tok, ok := strings.CutPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		return errors.New("no bearer token")
	}
	return nil
}

// filterOptions make every documented status the only ones allowed and check the formats the
// document uses (kin-openapi checks date-time itself).
var filterOptions = &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, AuthenticationFunc: bearerPresent,
	SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.WithStringFormatValidators(map[string]openapi3.StringFormatValidator{
		"uuid": openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122),
		"uri": openapi3.NewCallbackValidator(func(s string) error {
			if u, err := url.Parse(s); err != nil || u.Scheme == "" || u.Host == "" {
				return fmt.Errorf("%q is not an absolute URL", s)
			}
			return nil
		}),
	})}}

// contractTransport validates every /v1/ exchange against the document (other paths, such as
// the signed download links, pass through). A violation is returned as the request's error.
type contractTransport struct{ base http.RoundTripper }

func (ct contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := ct.base
	if base == nil {
		base = http.DefaultTransport
	}
	if !strings.HasPrefix(req.URL.Path, "/v1/") {
		return base.RoundTrip(req)
	}
	doc, router, _, err := loadContract()
	if err != nil {
		return nil, err
	}
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(reqBody)), nil }
	}
	// The document's server is "/": match the path, whatever host the test server has.
	probe := req.Clone(req.Context())
	probe.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	probe.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, pathParams, routeErr := router.FindRoute(probe)

	res, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resBody, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(resBody))
	what := fmt.Sprintf("%s %s → %d", req.Method, req.URL.RequestURI(), res.StatusCode)
	fail := func(format string, args ...any) (*http.Response, error) {
		return nil, fmt.Errorf("contract: %s: %.1500s\nresponse body: %.600s", what, fmt.Sprintf(format, args...), resBody)
	}

	if routeErr != nil {
		// Not an operation of the document: the server must say so, as a JSON error.
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed {
			return fail("the document has no such operation (%v), yet the server did not answer 404 or 405", routeErr)
		}
		var v any
		if err := json.Unmarshal(resBody, &v); err != nil {
			return fail("not JSON: %v", err)
		}
		if err := doc.Components.Schemas["Error"].Value.VisitJSON(v); err != nil {
			return fail("not the Error schema: %v", err)
		}
		return res, nil
	}

	in := &openapi3filter.RequestValidationInput{Request: probe, PathParams: pathParams, Route: route, Options: filterOptions}
	reqErr := openapi3filter.ValidateRequest(req.Context(), in)
	if reqErr != nil && res.StatusCode < 400 {
		return fail("the document forbids this request (%v), yet the server accepted it", reqErr)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Body: io.NopCloser(bytes.NewReader(resBody)), Options: filterOptions}
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		return fail("the response breaks the document: %v", err)
	}
	contract.mu.Lock()
	contract.seen[route.Operation.OperationID+" "+strconv.Itoa(res.StatusCode)]++
	contract.mu.Unlock()
	return res, nil
}

// contractProxy serves a validating reverse proxy to the API at target, for clients that are
// not Go (curl); a violation fails the test and answers 502.
func contractProxy(t testing.TB, target string) string {
	t.Helper()
	to, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(to) },
		Transport: contractTransport{},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			t.Errorf("%v", err)
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestMain runs the tests, then (on a full run) checks that the tests exchanged at least one
// success response of every documented operation with the server, so that every operation was
// validated against the document.
func TestMain(m *testing.M) {
	code := m.Run()
	if code != 0 || flag.Lookup("test.run").Value.String() != "" || contract.doc == nil {
		os.Exit(code)
	}
	var missing, seen []string
	for path, item := range contract.doc.Paths.Map() {
		for method, op := range item.Operations() {
			ok := false
			for key, n := range contract.seen {
				id, status, _ := strings.Cut(key, " ")
				ok = ok || id == op.OperationID && strings.HasPrefix(status, "2") && n > 0
			}
			if !ok {
				missing = append(missing, method+" "+path)
			}
		}
	}
	total := 0
	for key, n := range contract.seen {
		seen = append(seen, key)
		total += n
	}
	sort.Strings(seen)
	if len(missing) > 0 {
		slices.Sort(missing)
		fmt.Fprintf(os.Stderr, "contract: no success response of %v was validated; seen: %v\n", missing, seen)
		os.Exit(1)
	}
	if testing.Verbose() {
		fmt.Printf("contract: %d exchanges validated against the OpenAPI document: %s\n", total, strings.Join(seen, ", "))
	}
	os.Exit(code)
}
