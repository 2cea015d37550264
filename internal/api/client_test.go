package api_test

// A Go client generated from the document with oapi-codegen compiles and runs the README's
// walk-through against a test server: the document is good enough for the tool partners use to
// write their integrations, not only for validators.

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"

	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/util"

	// The generated client's runtime library: imported here so that go.mod pins its version and
	// `go mod download` fetches it, for the offline build of the generated client below.
	_ "github.com/oapi-codegen/runtime"
)

// walkResult is what testdata/client/main.go prints.
type walkResult struct {
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

func TestGeneratedClient(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and builds a client")
	}
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	_, raw := contractDoc(t)

	// Generate the client as `oapi-codegen -generate types,client -package partnerdesk` does:
	// its own loader reads the document from a file.
	dir := t.TempDir()
	spec := filepath.Join(dir, "openapi.json")
	if err := os.WriteFile(spec, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	swagger, err := util.LoadSwagger(spec)
	if err != nil {
		t.Fatalf("oapi-codegen cannot load the document: %v", err)
	}
	cfg := codegen.Configuration{PackageName: "partnerdesk", Generate: codegen.GenerateOptions{Models: true, Client: true}}.UpdateDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	code, err := codegen.Generate(swagger, cfg)
	if err != nil {
		t.Fatalf("oapi-codegen: %v", err)
	}
	// One method per operation, named after its operationId.
	for _, id := range operationIDs {
		method := "func (c *ClientWithResponses) " + strings.ToUpper(id[:1]) + id[1:] + "WithResponse("
		if !strings.Contains(code, method) {
			t.Errorf("the generated client has no %s…)", method)
		}
	}

	// A module of its own, as a partner's would be; it requires this repository (by a replace)
	// so that it builds with the versions of go.mod, from the module cache, without a network.
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	walk, err := os.ReadFile(filepath.Join("testdata", "client", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	mod := "module pdwalk\n\ngo 1.26\n\nrequire partnerdesk v0.0.0\n\nreplace partnerdesk => " + root + "\n"
	for name, body := range map[string][]byte{
		"go.mod": []byte(mod), "go.sum": sum, "main.go": walk, filepath.Join("partnerdesk", "client.gen.go"): []byte(code),
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	build := exec.Command(goBin, "build", "-o", "walk", ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod -buildvcs=false", "GOPROXY=off", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the generated client does not build: %v\n%s", err, out)
	}

	// Run it against a test server, through the validating proxy.
	env := apptest.Start(t)
	_, token := newToken(t, env, adminAgent, time.Hour)
	_, billingToken := newToken(t, env, billing, time.Hour)
	inv := "INV-" + env.Clock.Now().UTC().Format("2006-01") + "-HUF"
	run := exec.Command(filepath.Join(dir, "walk"))
	run.Env = append(os.Environ(), "PD_URL="+contractProxy(t, env.URL), "PD_TOKEN="+token, "PD_BILLING_TOKEN="+billingToken,
		"CONTOSO="+apptest.ContosoID, "OFFER="+apptest.OfferID(t, wsStd, desk.TermNone), "INVOICE="+inv, "KEY=generated-client-1")
	var stdout, stderr bytes.Buffer
	run.Stdout, run.Stderr = &stdout, &stderr
	if err := run.Run(); err != nil {
		t.Fatalf("the walk-through with the generated client failed: %v\n%s", err, stderr.Bytes())
	}
	var got walkResult
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("walk output: %v: %s", err, stdout.Bytes())
	}
	t.Logf("generated client: %+v", got)
	if got.Customers < 30 || got.FirstCustomer == "" {
		t.Errorf("customers: %d, first %q; want the demo's customers", got.Customers, got.FirstCustomer)
	}
	if got.Order == "" || got.Location != orderPath(apptest.ContosoID, got.Order) || !got.RetrySameOrder || !got.RetryReplayed {
		t.Errorf("order %s at %q, retry same %v replayed %v; want one order, replayed on retry (R9)", got.Order, got.Location, got.RetrySameOrder, got.RetryReplayed)
	}
	if !productKey.MatchString(got.ProductKey) {
		t.Errorf("product key %q", got.ProductKey)
	}
	if got.CancelStatus != "cancelled" || got.CancelQuantity != 0 || got.KeyAfterCancel != 410 || got.KeyGoneCode != 410 {
		t.Errorf("after the cancellation: status %q, quantity %d, key %d (code %d); want cancelled, 0, 410 (R18)", got.CancelStatus, got.CancelQuantity, got.KeyAfterCancel, got.KeyGoneCode)
	}
	if got.Charge == "" || got.Credit != "-"+got.Charge {
		t.Errorf("invoice %s: charge %q, credit %q; want a full credit of the charge (R20)", inv, got.Charge, got.Credit)
	}
	// The order is the server's: the same one through the tests' own client.
	var o order
	as(t, env, adminAgent).get(orderPath(apptest.ContosoID, got.Order)).ok(t, 200, &o)
	if o.Status != "cancelled" {
		t.Errorf("order %s: status %q", got.Order, o.Status)
	}
}
