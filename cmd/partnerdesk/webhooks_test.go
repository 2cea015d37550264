package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"
)

// R21: an event committed with its change is delivered even when the server is killed (SIGKILL)
// after the commit and before the delivery finished: after the restart the receiver gets it,
// signed, with the same event ID (a receiver that had it drops the copy).
func TestWebhookSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs the server")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "partnerdesk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "PARTNERDESK_DATA_DIR="+filepath.Join(dir, "data"), "PARTNERDESK_ADDR=127.0.0.1:0", "PARTNERDESK_DEMO=true",
		"PARTNERDESK_DATABASE_URL=", "PARTNERDESK_WEBHOOK_ALLOW_PRIVATE=1")

	// The receiver holds its first request without answering: the delivery is under way when the
	// server is killed. It answers every later one.
	rcv := apptest.NewReceiver(t)
	hold := make(chan struct{})
	var once sync.Once
	held := make(chan struct{})
	rcv.Answer(func(n int, d apptest.Delivery) int {
		if n == 1 {
			once.Do(func() { close(held) })
			<-hold
		}
		return http.StatusOK
	})
	t.Cleanup(func() {
		select {
		case <-hold:
		default:
			close(hold)
		}
	})

	srv := startInstance(t, bin, env)
	out, err := runCLIIn(bin, env, "token", "create", "--user", "globaladmin@partner.example", "--name", "sigkill")
	if err != nil {
		t.Fatalf("token create: %v: %s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	call := func(base, method, path, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "sigkill-order")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		var m map[string]any
		json.NewDecoder(res.Body).Decode(&m)
		return res.StatusCode, m
	}
	code, reg := call(srv.url, http.MethodPost, "/v1/webhooks/registration", `{"webhookUrl":"`+rcv.URL+`","webhookEvents":["order-created"]}`)
	secret, _ := reg["signingSecret"].(string)
	if code != http.StatusCreated || secret == "" {
		t.Fatalf("register: %d %v", code, reg)
	}
	rcv.SetSecrets(secret)
	offer, _ := demo.ResolveOffer(demo.Catalog(), "Windows Server 2022 Standard - 2 Core", desk.TermNone)
	contoso := demo.TenantID("contoso")
	code, order := call(srv.url, http.MethodPost, "/v1/customers/"+contoso+"/orders",
		`{"lineItems":[{"lineItemNumber":0,"offerId":"`+offer.ID+`","quantity":1}]}`)
	if code != http.StatusCreated {
		t.Fatalf("order: %d %v", code, order)
	}
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatal("the delivery did not start")
	}
	first := rcv.Deliveries()
	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()
	close(hold)
	if len(first) != 0 {
		t.Fatalf("%d requests answered before the kill", len(first))
	}

	// Restarted on the same data directory: the event comes again, signed, the same ID.
	startInstance(t, bin, env)
	start := time.Now()
	d := rcv.WaitFor(t, 90*time.Second, func(d apptest.Delivery) bool { return d.Event == desk.WebhookOrderCreated && d.Attempt != "1" })
	all := rcv.Deliveries()
	if !d.Verified() || !strings.HasSuffix(d.Body.ResourceURI, "/v1/customers/"+contoso+"/orders/"+order["id"].(string)) || d.EventID != all[0].EventID || all[0].Attempt != "1" {
		t.Fatalf("after the restart: %+v (first attempt %+v)", d, all[0])
	}
	t.Logf("delivered %s after the restart (attempt %s)", time.Since(start).Round(time.Second), d.Attempt)
}

// runCLIIn runs a subcommand with env as it is (its data directory included).
func runCLIIn(bin string, env []string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}
