package desk

import "testing"

// R6: prices exclude tax everywhere but Australia and Brazil, where they include it.
func TestComputeAmounts(t *testing.T) {
	for _, tt := range []struct {
		name            string
		unit, qty       int64
		country         string
		net, tax, gross int64
		included        bool
	}{
		{"HU excl 27%, HUF whole forints", 52300, 3, "HU", 156900, 42363, 199263, false},
		{"DE excl 19%", 14000, 2, "DE", 28000, 5320, 33320, false},
		{"US no tax", 14000, 2, "US", 28000, 0, 28000, false},
		{"AU incl 10%", 22000, 1, "AU", 20000, 2000, 22000, true},
		{"AU incl rounding half up", 1000, 1, "AU", 909, 91, 1000, true}, // 1000/11 = 90.909… → 91
		{"BR incl 14.25%", 114250, 1, "BR", 100000, 14250, 114250, true},
		{"half-up on excl", 50, 1, "HU", 50, 14, 64, false}, // 13.5 → 14
		{"GB excl 20%", 1, 1, "GB", 1, 0, 1, false},         // 0.2 → 0
		{"CH excl 8.1%", 10000, 1, "CH", 10000, 810, 10810, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := ComputeAmounts(tt.unit, tt.qty, tt.country)
			if a.Net != tt.net || a.Tax != tt.tax || a.Gross != tt.gross || a.TaxIncluded != tt.included {
				t.Fatalf("got net %d tax %d gross %d incl %v; want %d %d %d %v", a.Net, a.Tax, a.Gross, a.TaxIncluded, tt.net, tt.tax, tt.gross, tt.included)
			}
			if a.Net+a.Tax != a.Gross {
				t.Fatal("net + tax != gross")
			}
		})
	}
}

func TestSellable(t *testing.T) {
	res := Product{Kind: KindAzureReservation}
	for _, c := range []string{"XK", "CN", "AZ", "KH"} {
		if ok, key := Sellable(res, c); ok || key != "err.reservation_market" {
			t.Errorf("reservation sellable in %s", c)
		}
		if ok, _ := Sellable(Product{Kind: KindPerpetual}, c); !ok {
			t.Errorf("perpetual not sellable in %s", c)
		}
	}
	for _, c := range []string{"HU", "US", "AU", "BR", "DE", "GB"} {
		if ok, _ := Sellable(res, c); !ok {
			t.Errorf("reservation not sellable in %s", c)
		}
	}
}
