package api_test

// A partner's script with curl against a running PartnerDesk: list Contoso's orders, place an
// order with an Idempotency-Key, fetch a key, cancel inside the window, read the credit; and a
// Sales agent's token refused the key. Run with -v: the log is a transcript a reader can paste
// (after the export line).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
)

// curlRun is the result of one curl call.
type curlRun struct {
	status int
	head   string // the shown response headers, with -i
	body   []byte
}

// shellQuote quotes an argument for a POSIX shell, keeping $PD_URL and $PD_TOKEN expandable.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,%", r))
	}) < 0 {
		return s
	}
	if strings.ContainsAny(s, "'") || !strings.Contains(s, "$") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return `"` + strings.NewReplacer(`"`, `\"`, "`", "\\`", `\`, `\\`).Replace(s) + `"`
}

// curl runs curl with args, logs the command as a reader would type it (the server's URL base
// and the tokens as $PD_URL, $PD_TOKEN, $PD_SALES_TOKEN) and its output, and returns the HTTP
// status and body.
func curl(t *testing.T, base string, secrets map[string]string, args ...string) curlRun {
	t.Helper()
	full := append([]string{"-sS", "--max-time", "20", "-w", "\n%{http_code}"}, args...)
	cmd := exec.Command("curl", full...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("curl %v: %v: %s", args, err, errb.String())
	}
	raw := out.Bytes()
	i := bytes.LastIndexByte(raw, '\n')
	status, err := strconv.Atoi(strings.TrimSpace(string(raw[i+1:])))
	if err != nil {
		t.Fatalf("curl %v: no status in %q", args, raw)
	}
	body, head := raw[:i], ""
	if slices.Contains(args, "-i") { // the response headers first, worth showing: status, Location, Idempotent-Replayed
		h, b, _ := bytes.Cut(body, []byte("\r\n\r\n"))
		body = b
		for _, l := range strings.Split(string(h), "\r\n") {
			if strings.HasPrefix(l, "HTTP/") || strings.HasPrefix(l, "Location:") || strings.HasPrefix(l, "Idempotent-Replayed:") {
				head += l + "\n"
			}
		}
	}

	shown := []string{"curl", "-sS"}
	for _, a := range args {
		a = strings.ReplaceAll(a, base, "$PD_URL")
		a = strings.ReplaceAll(a, apptest.ContosoID, "$CONTOSO")
		for name, secret := range secrets {
			a = strings.ReplaceAll(a, secret, "$"+name)
		}
		shown = append(shown, shellQuote(a))
	}
	t.Logf("$ %s\n%s%s", strings.Join(shown, " "), head, pretty(body, status))
	return curlRun{status: status, head: head, body: body}
}

// pretty indents a JSON body for the transcript, with the status curl -w printed.
func pretty(body []byte, status int) string {
	var b bytes.Buffer
	body = bytes.TrimSpace(body)
	if json.Indent(&b, body, "", "  ") != nil {
		b.Reset()
		b.Write(body)
	}
	return fmt.Sprintf("%s\n(HTTP %d)", b.String(), status)
}

func (r curlRun) want(t *testing.T, status int, v any) {
	t.Helper()
	if r.status != status {
		t.Fatalf("HTTP %d, want %d: %s", r.status, status, r.body)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			t.Fatalf("decode %T: %v: %s", v, err, r.body)
		}
	}
}

func TestCurlWalkthrough(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	env := apptest.Start(t)
	// curl talks to the server through a proxy that validates every exchange against the
	// OpenAPI document.
	base := contractProxy(t, env.URL)
	_, token := newToken(t, env, adminAgent, 24*time.Hour)
	_, salesToken := newToken(t, env, salesAgent, 24*time.Hour)
	secrets := map[string]string{"PD_TOKEN": token, "PD_SALES_TOKEN": salesToken}
	contoso := apptest.ContosoID
	auth := "Authorization: Bearer " + token
	t.Logf("# An Admin agent's token and a Sales agent's token, made with `partnerdesk token create` (here: the test's).\n"+
		"$ export PD_URL=%s PD_TOKEN=%s PD_SALES_TOKEN=%s CONTOSO=%s", base, token, salesToken, contoso)

	// 1. Contoso's orders, two per page.
	var orders collection[order]
	curl(t, base, secrets, "-H", auth, base+"/v1/customers/"+contoso+"/orders?size=2").want(t, 200, &orders)
	if len(orders.Items) != 2 || orders.TotalCount < 6 || orders.ContinuationToken == "" {
		t.Fatalf("orders page: %d items, totalCount %d, token %q", len(orders.Items), orders.TotalCount, orders.ContinuationToken)
	}

	// 2. Place an order with an Idempotency-Key; the retry returns the same order.
	body := fmt.Sprintf(`{"lineItems":[{"lineItemNumber":0,"offerId":"%s","quantity":2}]}`, apptest.OfferID(t, wsStd, desk.TermNone))
	post := []string{"-i", "-X", "POST", "-H", auth, "-H", "Content-Type: application/json", "-H", "Idempotency-Key: walkthrough-0001", "-d", body, base + "/v1/customers/" + contoso + "/orders"}
	var placed, retried order
	first := curl(t, base, secrets, post...)
	first.want(t, 201, &placed)
	if !strings.Contains(first.head, "Location: /v1/customers/"+contoso+"/orders/"+placed.ID) || strings.Contains(first.head, "Idempotent-Replayed") {
		t.Fatalf("first POST headers: %q", first.head)
	}
	if placed.Status != "completed" || len(placed.LineItems) != 1 || placed.LineItems[0].Quantity != 2 {
		t.Fatalf("placed: %+v", placed)
	}
	t.Log("# The same request again (a retry): the same order, not a second one.")
	again := curl(t, base, secrets, post...)
	again.want(t, 201, &retried)
	if retried.ID != placed.ID || !strings.Contains(again.head, "Idempotent-Replayed: true") {
		t.Fatalf("retry: order %s (first was %s), headers %q", retried.ID, placed.ID, again.head)
	}

	// 3. The order's software entitlement, then its key.
	var ents collection[entitlement]
	curl(t, base, secrets, "-H", auth, base+"/v1/customers/"+contoso+"/entitlements?entitlementType=software&size=1").want(t, 200, &ents)
	if len(ents.Items) != 1 || ents.Items[0].ReferenceOrder.ID != placed.ID {
		t.Fatalf("the newest entitlement is not the new order's: %+v", ents.Items)
	}
	ent := ents.Items[0]
	var key struct {
		ProductKey, Version string
	}
	keyURL := base + "/v1/customers/" + contoso + "/entitlements/" + ent.ID + "/key?version=2022"
	curl(t, base, secrets, "-H", auth, keyURL).want(t, 200, &key)
	if !productKey.MatchString(key.ProductKey) || key.Version != "2022" {
		t.Fatalf("key: %+v", key)
	}

	// 4. A Sales agent's token may not see keys (R1): 403 naming the role needed.
	var denied apiError
	curl(t, base, secrets, "-H", "Authorization: Bearer "+salesToken, keyURL).want(t, 403, &denied)
	if denied.Code != 403 || !strings.Contains(denied.Description, "Admin agent") {
		t.Fatalf("sales agent key: %+v", denied)
	}

	// 5. Cancel inside the 30-day window (PATCH status cancelled): quantity 0, order cancelled.
	cancel := fmt.Sprintf(`{"id":"%s","status":"cancelled","lineItems":[{"lineItemNumber":0,"offerId":"%s"}]}`, placed.ID, placed.LineItems[0].OfferID)
	var cancelled order
	curl(t, base, secrets, "-X", "PATCH", "-H", auth, "-H", "Content-Type: application/json", "-d", cancel,
		base+"/v1/customers/"+contoso+"/orders/"+placed.ID).want(t, 200, &cancelled)
	if cancelled.Status != "cancelled" || cancelled.LineItems[0].Quantity != 0 {
		t.Fatalf("cancelled: %+v", cancelled)
	}
	t.Log("# The key is revoked with the purchase (R18).")
	curl(t, base, secrets, "-H", auth, keyURL).want(t, 410, nil)

	// 6. The credit on this month's invoice (as a Global admin or Billing admin).
	_, billingToken := newToken(t, env, billing, 24*time.Hour)
	secrets["PD_BILLING_TOKEN"] = billingToken
	t.Logf("$ export PD_BILLING_TOKEN=%s", billingToken)
	inv := "INV-" + env.Clock.Now().UTC().Format("2006-01") + "-HUF"
	res := curl(t, base, secrets, "-H", "Authorization: Bearer "+billingToken, base+"/v1/invoices/"+inv+"/lineitems?size=500")
	var lines collection[invoiceLine]
	res.want(t, 200, &lines)
	var charge, credit []invoiceLine
	for _, l := range lines.Items {
		if l.OrderID != placed.ID {
			continue
		}
		if l.Kind == "credit" {
			credit = append(credit, l)
		} else {
			charge = append(charge, l)
		}
	}
	if len(charge) != 1 || len(credit) != 1 || credit[0].Amount != "-"+charge[0].Amount {
		t.Fatalf("order %s on %s: charges %+v, credits %+v; want one charge and one 100%% credit", placed.ID, inv, charge, credit)
	}
	t.Logf("# Of the %d lines above, this order's:\n  charge %s %s  %s\n  credit %s %s  %s",
		len(lines.Items), charge[0].Amount, charge[0].CurrencyCode, charge[0].Description, credit[0].Amount, credit[0].CurrencyCode, credit[0].Description)
}
