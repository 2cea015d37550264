package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"partnerdesk/internal/desk"
	"partnerdesk/migrations"
)

var (
	catalogTestProductID = regexp.MustCompile(`^[0-9A-Z]{12}$`)
	catalogTestOfferID   = regexp.MustCompile(`^([0-9A-Z]{12}):([0-9]{4}):([0-9A-Z]{12})$`)
)

// catalogTestCurrencies is every currency of desk.Countries.
func catalogTestCurrencies() []string {
	var cs []string
	for _, c := range desk.Countries {
		if !slices.Contains(cs, c.Currency) {
			cs = append(cs, c.Currency)
		}
	}
	slices.Sort(cs)
	return cs
}

func TestCatalogSize(t *testing.T) {
	products := Catalog()
	offers := 0
	for _, p := range products {
		offers += len(p.Offers)
	}
	for _, tc := range []struct {
		name     string
		got, min int
	}{
		{"products", len(products), 22},
		{"offers", offers, 40},
	} {
		if tc.got < tc.min {
			t.Errorf("%s: %d, want at least %d", tc.name, tc.got, tc.min)
		}
	}
}

func TestCatalogEveryKind(t *testing.T) {
	products := Catalog()
	for _, kind := range desk.ProductKinds {
		t.Run(string(kind), func(t *testing.T) {
			n := 0
			for _, p := range products {
				if p.Kind == kind {
					n++
				}
			}
			if n == 0 {
				t.Errorf("no product of kind %s", kind)
			}
		})
	}
	for _, p := range products {
		if !slices.Contains(desk.ProductKinds, p.Kind) {
			t.Errorf("%s: unknown kind %q", p.ID, p.Kind)
		}
	}
}

func TestCatalogIDs(t *testing.T) {
	seen := map[string]string{}
	unique := func(id, what string) {
		t.Helper()
		if prev, ok := seen[id]; ok {
			t.Errorf("%s %s: duplicate of %s", what, id, prev)
		}
		seen[id] = what
	}
	availability := map[string]bool{}
	for _, p := range Catalog() {
		if !catalogTestProductID.MatchString(p.ID) {
			t.Errorf("product ID %q is not 12 upper-case alphanumerics", p.ID)
		}
		unique(p.ID, "product")
		if len(p.Offers) == 0 {
			t.Errorf("%s: no offers", p.ID)
		}
		for _, o := range p.Offers {
			m := catalogTestOfferID.FindStringSubmatch(o.ID)
			if m == nil {
				t.Errorf("offer ID %q is not productId:skuId:availabilityId", o.ID)
				continue
			}
			if m[1] != p.ID || !strings.HasPrefix(o.ID, p.ID+":") || o.ProductID != p.ID {
				t.Errorf("offer %s: does not belong to product %s (ProductID %q)", o.ID, p.ID, o.ProductID)
			}
			if o.SkuID() != m[2] {
				t.Errorf("offer %s: SkuID() = %q, want %q", o.ID, o.SkuID(), m[2])
			}
			unique(o.ID, "offer")
			if availability[m[3]] {
				t.Errorf("offer %s: availability ID %s reused", o.ID, m[3])
			}
			availability[m[3]] = true
		}
	}
	// The SPEC's example offer.
	if seen["DG7GMGF0FKZV:0003:DG7GMGF0DWMS"] != "offer" {
		t.Errorf("SPEC example offer DG7GMGF0FKZV:0003:DG7GMGF0DWMS missing")
	}
}

func TestCatalogStable(t *testing.T) {
	a, b := Catalog(), Catalog()
	if len(a) != len(b) {
		t.Fatalf("Catalog() lengths differ: %d vs %d", len(a), len(b))
	}
	for i := range a {
		if a[i].ID != b[i].ID || len(a[i].Offers) != len(b[i].Offers) || len(a[i].Editions) != len(b[i].Editions) {
			t.Errorf("product %d differs between calls", i)
		}
	}
	// A fresh copy: changing one result does not change the next.
	a[0].Offers[0].Title = "changed"
	if Catalog()[0].Offers[0].Title == "changed" {
		t.Errorf("Catalog() shares its slices between calls")
	}
}

func TestCatalogOffers(t *testing.T) {
	for _, p := range Catalog() {
		for _, o := range p.Offers {
			t.Run(o.ID, func(t *testing.T) {
				if o.Title == "" || !strings.HasPrefix(o.Title, p.Title) {
					t.Errorf("title %q does not start with the product title %q", o.Title, p.Title)
				}
				if len(o.BillingCycles) == 0 {
					t.Errorf("no billing cycles")
				}
				if (o.Region != "") != (p.Kind == desk.KindAzureReservation) {
					t.Errorf("region %q on a %s offer", o.Region, p.Kind)
				}
				switch p.Kind {
				case desk.KindPerpetual:
					if o.Term != desk.TermNone || !slices.Equal(o.BillingCycles, []string{desk.BillingOneTime}) {
						t.Errorf("perpetual offer: term %q, billing %v", o.Term, o.BillingCycles)
					}
					if o.Title != p.Title {
						t.Errorf("perpetual offer title %q, want %q", o.Title, p.Title)
					}
				case desk.KindSoftwareSubscription:
					want := []string{desk.BillingOneTime}
					if o.Term == desk.TermP3Y {
						want = append(want, desk.BillingAnnual)
					}
					if !slices.Equal(o.BillingCycles, want) {
						t.Errorf("billing %v, want %v", o.BillingCycles, want)
					}
				case desk.KindServerSubscription:
					if !slices.Equal(o.BillingCycles, []string{desk.BillingMonthly, desk.BillingAnnual}) {
						t.Errorf("billing %v", o.BillingCycles)
					}
				case desk.KindAzureReservation:
					if !slices.Equal(o.BillingCycles, []string{desk.BillingOneTime, desk.BillingMonthly}) {
						t.Errorf("billing %v", o.BillingCycles)
					}
					want := p.Title + ", " + o.Region + ", "
					if !strings.HasPrefix(o.Title, want) {
						t.Errorf("title %q, want prefix %q", o.Title, want)
					}
				}
				if p.Kind != desk.KindPerpetual {
					suffix := map[string]string{desk.TermP1Y: "1 year", desk.TermP3Y: "3 year"}[o.Term]
					if suffix == "" || !strings.HasSuffix(o.Title, suffix) {
						t.Errorf("term %q, title %q", o.Term, o.Title)
					}
				}
			})
		}
	}
}

func TestCatalogPrices(t *testing.T) {
	prices := Prices()
	currencies := catalogTestCurrencies()
	offers := 0
	for _, p := range Catalog() {
		for _, o := range p.Offers {
			offers++
			byCurrency, ok := prices[o.ID]
			if !ok {
				t.Errorf("offer %s: no prices", o.ID)
				continue
			}
			for _, cur := range currencies {
				v, ok := byCurrency[cur]
				switch {
				case !ok:
					t.Errorf("offer %s: no %s price", o.ID, cur)
				case v <= 0:
					t.Errorf("offer %s: %s price %d", o.ID, cur, v)
				case v%100 != 0:
					// Whole units for 2-decimal currencies, hundreds for 0-decimal ones.
					t.Errorf("offer %s: %s price %d is not tidy", o.ID, cur, v)
				}
			}
		}
	}
	if len(prices) != offers {
		t.Errorf("Prices() has %d offers, the catalog %d", len(prices), offers)
	}
	for _, tc := range []struct {
		offer, currency string
		want            int64
	}{
		{"DG7GMGF0D5RK:0001:DG7GMGF0DRWQ", "USD", 14000},   // USD 140
		{"DG7GMGF0D5RK:0001:DG7GMGF0DRWQ", "EUR", 12900},   // 140 × 0.92 = 128.8 → 129
		{"DG7GMGF0D5RK:0001:DG7GMGF0DRWQ", "HUF", 51100},   // 140 × 365 = 51100
		{"DG7GMGF0D5RK:0001:DG7GMGF0DRWQ", "JPY", 21000},   // 140 × 150 = 21000
		{"DG7GMGF0D8H4:0001:DG7GMGF0DRX0", "HUF", 16400},   // 45 × 365 = 16425 → 16400
		{"DG7GMGF0D8H7:0001:DG7GMGF0DRX3", "KRW", 54000},   // 40 × 1350 = 54000
		{"DG7GMGF0FKZV:0003:DG7GMGF0DWMS", "USD", 1925000}, // USD 19,250
	} {
		if got := prices[tc.offer][tc.currency]; got != tc.want {
			t.Errorf("%s in %s: %d, want %d", tc.offer, tc.currency, got, tc.want)
		}
	}
}

func TestCatalogRounding(t *testing.T) {
	for _, tc := range []struct {
		usd, rate int64
		currency  string
		want      int64
	}{
		{100, 9200, "EUR", 9200},     // 92.00
		{1, 9250, "EUR", 100},        // 0.925 → 1
		{1, 4999, "EUR", 100},        // never 0
		{10, 9250, "EUR", 900},       // 9.25 → 9
		{10, 9500, "EUR", 1000},      // 9.5 → 10 (half up)
		{1, 3650000, "HUF", 400},     // 365 → 400
		{1, 3490000, "HUF", 300},     // 349 → 300
		{1, 3500000, "HUF", 400},     // 350 → 400 (half up)
		{1, 1500000, "JPY", 200},     // 150 → 200
		{1, 100000, "JPY", 100},      // 10 → never 0
		{45, 13500000, "KRW", 60800}, // 60750 → 60800
	} {
		if got := catalogConvert(tc.usd, tc.rate, tc.currency); got != tc.want {
			t.Errorf("catalogConvert(%d, %d, %s) = %d, want %d", tc.usd, tc.rate, tc.currency, got, tc.want)
		}
	}
}

func TestCatalogFlags(t *testing.T) {
	hybrid, never := 0, 0
	for _, p := range Catalog() {
		t.Run(p.ID, func(t *testing.T) {
			// R8: Windows Server Standard/Datacenter core licences, not CALs.
			wantHybrid := p.Family == "Windows Server" && !strings.Contains(p.Title, "CAL") &&
				(strings.Contains(p.Title, "Standard") || strings.Contains(p.Title, "Datacenter"))
			if p.HybridBenefit != wantHybrid {
				t.Errorf("%s: HybridBenefit %v, want %v", p.Title, p.HybridBenefit, wantHybrid)
			}
			// R13: SUSE Linux and Red Hat plans.
			vendor := strings.Contains(p.Title, "SUSE") || strings.Contains(p.Title, "Red Hat")
			wantNever := vendor && p.Kind == desk.KindAzureSoftwarePlan
			if p.NeverCancellable != wantNever {
				t.Errorf("%s: NeverCancellable %v, want %v", p.Title, p.NeverCancellable, wantNever)
			}
			wantPublisher := "Microsoft Corporation"
			if vendor {
				wantPublisher = map[bool]string{true: "SUSE", false: "Red Hat, Inc."}[strings.Contains(p.Title, "SUSE")]
			}
			if p.Publisher != wantPublisher {
				t.Errorf("%s: publisher %q, want %q", p.Title, p.Publisher, wantPublisher)
			}
			isAzure := p.Kind == desk.KindAzureReservation || p.Kind == desk.KindAzureSoftwarePlan
			if (p.Family == "") != isAzure {
				t.Errorf("%s: family %q for kind %s", p.Title, p.Family, p.Kind)
			}
			if p.Description == "" || !strings.HasSuffix(p.Description, ".") {
				t.Errorf("%s: description %q", p.Title, p.Description)
			}
		})
		if p.HybridBenefit {
			hybrid++
		}
		if p.NeverCancellable {
			never++
		}
	}
	if hybrid != 6 || never != 3 {
		t.Errorf("HybridBenefit on %d products (want 6), NeverCancellable on %d (want 3)", hybrid, never)
	}
}

func TestCatalogEditions(t *testing.T) {
	versions := map[string][]string{
		"Windows Server":          {"2022", "2019", "2016"},
		"Remote Desktop Services": {"2022", "2019", "2016"},
		"SQL Server":              {"2022", "2019", "2017"},
		"Office":                  {"2024", "2021", "2019"},
		"Project":                 {"2024", "2021", "2019"},
		"Visio":                   {"2024", "2021", "2019"},
		"Exchange Server":         {"2019", "2016", "2013"},
	}
	names := map[string]string{}
	for _, p := range Catalog() {
		t.Run(p.ID, func(t *testing.T) {
			if !p.Kind.IsSoftware() {
				if len(p.Editions) != 0 {
					t.Errorf("%s (%s) has %d editions, want none", p.Title, p.Kind, len(p.Editions))
				}
				return
			}
			vs, ok := versions[p.Family]
			if !ok {
				t.Fatalf("%s: unexpected family %q", p.Title, p.Family)
			}
			bitness := []string{"64-bit"}
			if p.Family == "Office" || p.Family == "Project" || p.Family == "Visio" {
				bitness = append(bitness, "32-bit")
			}
			have := map[string]bool{}
			for _, e := range p.Editions {
				have[e.Version+"|"+e.Language+"|"+e.Bitness] = true
				if e.ProductID != p.ID {
					t.Errorf("edition %s: ProductID %q", e.FileName, e.ProductID)
				}
				if prev, dup := names[e.FileName]; dup {
					t.Errorf("file name %s used by %s and %s", e.FileName, prev, p.ID)
				}
				names[e.FileName] = p.ID
				if !strings.HasSuffix(e.FileName, ".ISO") || !strings.Contains(e.FileName, "_"+e.Version+"_") {
					t.Errorf("file name %s for version %s", e.FileName, e.Version)
				}
			}
			for _, v := range vs {
				for _, lang := range []string{"en-us", "hu-hu", "de-de"} {
					for _, bit := range bitness {
						if !have[v+"|"+lang+"|"+bit] {
							t.Errorf("%s: no edition %s %s %s", p.Title, v, lang, bit)
						}
					}
				}
			}
			if want := len(vs) * 3 * len(bitness); len(p.Editions) != want {
				t.Errorf("%s: %d editions, want %d", p.Title, len(p.Editions), want)
			}
		})
	}
}

func TestCatalogEditionDigests(t *testing.T) {
	for _, p := range Catalog() {
		for _, e := range p.Editions {
			b := FileContent(e.FileName)
			sum := sha256.Sum256(b)
			if e.Size != int64(len(b)) {
				t.Errorf("%s: Size %d, content %d bytes", e.FileName, e.Size, len(b))
			}
			if e.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("%s: SHA256 %s, content %x", e.FileName, e.SHA256, sum)
			}
		}
	}
}

func TestFileContent(t *testing.T) {
	for _, name := range []string{
		"SW_DVD9_Win_Server_STD_CORE_2022_64Bit_English_DC_STD_MLF.ISO",
		"SW_DVD5_Office_LTSC_ProPlus_2024_W32_Hungarian_MLF.ISO",
		"x",
		"",
	} {
		t.Run(name, func(t *testing.T) {
			a, b := FileContent(name), FileContent(name)
			if !bytes.Equal(a, b) {
				t.Errorf("FileContent(%q) is not deterministic", name)
			}
			if len(a) < 32<<10 || len(a) > 256<<10 {
				t.Errorf("FileContent(%q): %d bytes, want 32–256 KiB", name, len(a))
			}
			if !bytes.HasPrefix(a, []byte("PartnerDesk demo placeholder\n")) || !bytes.Contains(a[:200], []byte("File: "+name+"\n")) {
				t.Errorf("FileContent(%q): header %q", name, a[:min(len(a), 120)])
			}
		})
	}
	a := FileContent("SW_DVD9_SQL_Svr_Standard_Core_2022_64Bit_English_MLF.ISO")
	b := FileContent("SW_DVD9_SQL_Svr_Standard_Core_2022_64Bit_German_MLF.ISO")
	if bytes.Equal(a[len(a)-1024:], b[len(b)-1024:]) {
		t.Errorf("different names give the same bytes")
	}
	// Sizes depend on the name.
	sizes := map[int]bool{}
	for _, p := range Catalog() {
		for _, e := range p.Editions {
			sizes[int(e.Size)] = true
		}
	}
	if len(sizes) < 10 {
		t.Errorf("only %d distinct file sizes", len(sizes))
	}
}

// Every demo product has a Hungarian description (SPEC §10), and the migration that fills them in
// on databases loaded before it writes the same texts (the same file on both engines).
func TestCatalogHungarianDescriptions(t *testing.T) {
	const name = "0010_product_description_hu.sql"
	sql, err := fs.ReadFile(migrations.SQLite, name)
	if err != nil {
		t.Fatal(err)
	}
	if pg, err := fs.ReadFile(migrations.Postgres, name); err != nil || string(pg) != string(sql) {
		t.Errorf("migrations/postgres/%s differs from the SQLite one (%v)", name, err)
	}
	update := regexp.MustCompile(`(?m)^UPDATE products SET description_hu = '((?:[^']|'')*)' WHERE id = '([0-9A-Z]{12})' AND description_hu = '';$`)
	inMigration := map[string]string{}
	for _, m := range update.FindAllStringSubmatch(string(sql), -1) {
		inMigration[m[2]] = strings.ReplaceAll(m[1], "''", "'")
	}
	for _, p := range Catalog() {
		if strings.TrimSpace(p.DescriptionHU) == "" || p.DescriptionHU == p.Description {
			t.Errorf("%s has no Hungarian description", p.ID)
		}
		if inMigration[p.ID] != p.DescriptionHU {
			t.Errorf("%s: the migration writes %q, the catalog %q", p.ID, inMigration[p.ID], p.DescriptionHU)
		}
		delete(inMigration, p.ID)
	}
	for id := range inMigration {
		t.Errorf("the migration describes %s, which is not in the catalog", id)
	}
}
