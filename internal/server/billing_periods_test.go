package server_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"partnerdesk/internal/app/apptest"

	"github.com/PuerkitoBio/goquery"
)

// R25 in the UI and the CSV: the demo's monthly-billed order (Fabrikam's Windows Server
// subscription, bought 31 days ago) shows on two consecutive invoices, each line with the month
// it covers.
func TestInvoicesShowServicePeriods(t *testing.T) {
	env := apptest.Start(t)
	b := env.SignIn(t, apptest.BillingAdmin)
	for _, tt := range []struct{ invoice, period, first, last string }{
		{"INV-2026-10-USD", "Oct 25, 2026 – Nov 24, 2026", "2026-10-25", "2026-11-24"},
		{"INV-2026-11-USD", "Nov 25, 2026 – Dec 24, 2026", "2026-11-25", "2026-12-24"},
	} {
		res := env.Get(t, b, "/billing/invoices/"+tt.invoice)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", tt.invoice, res.StatusCode)
		}
		found := false
		testid(doc(t, res.Body), "invoice-line-charge").Each(func(_ int, s *goquery.Selection) {
			text := cnText(s)
			if strings.Contains(text, "Windows Server Standard Subscription") {
				found = true
				if !strings.Contains(text, "× 16, monthly") || cnText(s.Find(`[data-testid="line-service-period"]`)) != tt.period {
					t.Errorf("%s: %q", tt.invoice, text)
				}
			}
		})
		if !found {
			t.Errorf("%s has no charge of the monthly subscription", tt.invoice)
		}
		res = env.Get(t, b, "/billing/invoices/"+tt.invoice+"/csv")
		rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		found = false
		for _, r := range rows[1:] {
			if strings.Contains(r[7], "Windows Server Standard Subscription") {
				found = true
				if r[14] != tt.first || r[15] != tt.last || !strings.Contains(r[7], "(month ") {
					t.Errorf("%s CSV row %v", tt.invoice, r)
				}
			}
		}
		if !found {
			t.Errorf("%s CSV has no charge of the monthly subscription", tt.invoice)
		}
	}
}
