package desk

import (
	"bufio"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// seedPath is the seed file holding the R7 table, relative to this package's directory.
const seedPath = "../../../shared/seed/sell-software-subscriptions.hu-HU.md"

// wantUnavailable is the whole R7 table of the seed, in the seed's order (column 1, 2, then 3).
var wantUnavailable = []struct{ name, code string }{
	{"Aland-szigetek", "AX"},
	{"Amerikai Szamoa", "AS"},
	{"Andorra", "AD"},
	{"Anguilla", "AI"},
	{"Antarktisz", "AQ"},
	{"Antigua és Barbuda", "AG"},
	{"Aruba", "AW"},
	{"Azerbajdzsán", "AZ"},
	{"Benin", "BJ"},
	{"Bhután", "BT"},
	{"Bonaire", "BQ"},
	{"Bouvet-sziget", "BV"},
	{"Brit indiai-óceáni terület", "IO"},
	{"Brit Virgin-szigetek", "VG"},
	{"Burkina Faso", "BF"},
	{"Burundi", "BI"},
	{"Kambodzsa", "KH"},
	{"Közép-afrikai Köztársaság", "CF"},
	{"Csád", "TD"},
	{"Kína", "CN"},
	{"Karácsony-sziget", "CX"},
	{"Cocos (Keeling)-szigetek", "CC"},
	{"Comore-szigetek", "KM"},
	{"Kongó", "CG"},
	{"Kongó (KDK)", "CD"},
	{"Cook-szigetek", "CK"},
	{"Dzsibuti", "DJ"},
	{"Dominika", "DM"},
	{"Egyenlítői-Guinea", "GQ"},
	{"Eritrea", "ER"},
	{"Falkland-szigetek", "FK"},
	{"Francia Guyana", "GF"},
	{"Francia Polinézia", "PF"},
	{"Francia Déli Területek", "TF"},
	{"Gabon", "GA"},
	{"Gambia", "GM"},
	{"Gibraltár", "GI"},
	{"Grönland", "GL"},
	{"Grenada", "GD"},
	{"Guadeloupe", "GP"},
	{"Guam", "GU"},
	{"Guernsey", "GG"},
	{"Guinea", "GN"},
	{"Bissau-Guinea", "GW"},
	{"Guyana", "GY"},
	{"Haiti", "HT"},
	{"Heard-sziget és McDonald-szigetek", "HM"},
	{"Man-sziget", "IM"},
	{"Jan Mayen", "SJ"},
	{"Jersey", "JE"},
	{"Kiribati", "KI"},
	{"Koszovó", "XK"},
	{"Laosz", "LA"},
	{"Lesotho", "LS"},
	{"Libéria", "LR"},
	{"Madagaszkár", "MG"},
	{"Malawi", "MW"},
	{"Maldív-szigetek", "MV"},
	{"Mali", "ML"},
	{"Marshall-szigetek", "MH"},
	{"Martinique", "MQ"},
	{"Mauritánia", "MR"},
	{"Mayotte", "YT"},
	{"Mikronézia", "FM"},
	{"Montserrat", "MS"},
	{"Mozambik", "MZ"},
	{"Mianmar", "MM"},
	{"Nauru", "NR"},
	{"Új-Kaledónia", "NC"},
	{"Niger", "NE"},
	{"Niue", "NU"},
	{"Norfolk-sziget", "NF"},
	{"Északi Mariana-szigetek", "MP"},
	{"Palau", "PW"},
	{"Pápua Új-Guinea", "PG"},
	{"Pitcairn-szigetek", "PN"},
	{"Réunion", "RE"},
	{"Saba", "BQ"},
	{"Saint Barthélemy", "BL"},
	{"Saint Lucia", "LC"},
	{"Saint Martin", "MF"},
	{"Saint-Pierre és Miquelon", "PM"},
	{"Saint Vincent és Grenadine-szigetek", "VC"},
	{"Szamoa", "WS"},
	{"San Marino", "SM"},
	{"Sémo Tomé és Príncipe", "ST"},
	{"Seychelle-szigetek", "SC"},
	{"Sierra Leone", "SL"},
	{"Sint Eustatius", "BQ"},
	{"Sint Maarten", "SX"},
	{"Salamon-szigetek", "SB"},
	{"Szomália", "SO"},
	{"Dél-Georgia és Déli-Sandwich-szigetek", "GS"},
	{"Dél-Szudán", "SS"},
	{"St Foga, Ascension, Tristan da Amilyenha", "SH"},
	{"Suriname", "SR"},
	{"Svalbard", "SJ"},
	{"Szváziföld", "SZ"},
	{"Timor-Leste", "TL"},
	{"Togo", "TG"},
	{"Tokelau", "TK"},
	{"Tonga", "TO"},
	{"Turks- és Caicos-szigetek", "TC"},
	{"Tuvalu", "TV"},
	{"Egyesült Államokbeli, outlying-szigetek", "UM"},
	{"Vanuatu", "VU"},
	{"Vatikán", "VA"},
	{"Wallis és Futuna", "WF"},
	{"Jemen", "YE"},
}

func TestReservationUnavailableMarketsMatchesSeedTable(t *testing.T) {
	if got, want := len(ReservationUnavailableMarkets), len(wantUnavailable); got != want {
		t.Fatalf("len(ReservationUnavailableMarkets) = %d, want %d", got, want)
	}
	for i, w := range wantUnavailable {
		got := ReservationUnavailableMarkets[i]
		if got.SeedName != w.name || got.Code != w.code {
			t.Errorf("entry %d = {%q, %q}, want {%q, %q}", i, got.SeedName, got.Code, w.name, w.code)
		}
		if ReservationsAvailable(w.code) {
			t.Errorf("ReservationsAvailable(%q) [%s] = true, want false (R7)", w.code, w.name)
		}
		if _, ok := CountryByCode(w.code); !ok {
			t.Errorf("code %q of %q is not in Countries", w.code, w.name)
		}
	}
}

// readSeedTable parses the "Nem elérhető piacok" table of the seed: it returns the names column by
// column (column 1 top to bottom, then 2, then 3), trimmed, skipping empty cells.
func readSeedTable(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(seedPath)
	if os.IsNotExist(err) {
		t.Skipf("seed file %s not present", seedPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	separator := regexp.MustCompile(`^[\s|:-]+$`)
	var cols [][]string
	inSection, header := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !inSection {
			inSection = strings.Contains(line, "Nem elérhető piacok")
			continue
		}
		row := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), ">"))
		if !strings.HasPrefix(row, "|") {
			if header {
				break // end of the table
			}
			continue // blank quote lines before the table
		}
		if !header { // the column headings (A–Gi | Gr–Pal | Pap–Z)
			header = true
			continue
		}
		if separator.MatchString(row) {
			continue
		}
		cells := strings.Split(strings.Trim(row, "|"), "|")
		for len(cols) < len(cells) {
			cols = append(cols, nil)
		}
		for i, c := range cells {
			if c = strings.TrimSpace(c); c != "" {
				cols[i] = append(cols[i], c)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, col := range cols {
		names = append(names, col...)
	}
	if len(names) == 0 {
		t.Fatalf("no table found in %s", seedPath)
	}
	return names
}

func TestReservationUnavailableMarketsAgainstSeedFile(t *testing.T) {
	names := readSeedTable(t)
	t.Logf("seed table: %d entries", len(names))
	if got, want := len(ReservationUnavailableMarkets), len(names); got != want {
		t.Errorf("len(ReservationUnavailableMarkets) = %d, seed table has %d entries", got, want)
	}
	listed := make(map[string]bool, len(ReservationUnavailableMarkets))
	for _, u := range ReservationUnavailableMarkets {
		listed[u.SeedName] = true
	}
	for i, n := range names {
		if !listed[n] {
			t.Errorf("seed entry %q is missing from ReservationUnavailableMarkets", n)
		}
		if i < len(ReservationUnavailableMarkets) && ReservationUnavailableMarkets[i].SeedName != n {
			t.Errorf("entry %d = %q, seed order has %q", i, ReservationUnavailableMarkets[i].SeedName, n)
		}
	}
}

func TestReservationsAvailable(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"HU", true}, {"US", true}, {"DE", true}, {"GB", true}, {"AU", true}, {"BR", true},
		{"FR", true}, {"JP", true}, {"CA", true}, {"IN", true}, {"NL", true}, {"AT", true},
		{"CH", true}, {"NO", true}, {"DK", true}, {"NZ", true}, {"DO", true}, {"GS", false},
		{"CN", false}, {"XK", false}, {"AZ", false}, {"SJ", false}, {"BQ", false}, {"SH", false},
		{"UM", false}, {"CD", false}, {"CG", false}, {"GW", false}, {"ST", false}, {"SZ", false},
		{"IM", false}, {"GG", false}, {"JE", false},
		// Lookups are case-insensitive and ignore surrounding spaces.
		{"cn", false}, {" xk ", false}, {"hu", true},
	}
	for _, tt := range tests {
		if got := ReservationsAvailable(tt.code); got != tt.want {
			t.Errorf("ReservationsAvailable(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestReservationUnavailableCodes(t *testing.T) {
	codes := ReservationUnavailableCodes()
	if !sort.StringsAreSorted(codes) {
		t.Errorf("codes not sorted: %v", codes)
	}
	distinct := map[string]bool{}
	for _, u := range ReservationUnavailableMarkets {
		distinct[u.Code] = true
	}
	if len(codes) != len(distinct) {
		t.Errorf("len(codes) = %d, want %d distinct", len(codes), len(distinct))
	}
	for i, c := range codes {
		if !distinct[c] {
			t.Errorf("unexpected code %q", c)
		}
		if i > 0 && codes[i-1] == c {
			t.Errorf("duplicate code %q", c)
		}
	}
	// 109 entries: Bonaire, Saba and Sint Eustatius share BQ; Jan Mayen and Svalbard share SJ.
	if want := len(ReservationUnavailableMarkets) - 3; len(codes) != want {
		t.Errorf("len(codes) = %d, want %d", len(codes), want)
	}
}

func TestCountries(t *testing.T) {
	code := regexp.MustCompile(`^[A-Z]{2}$`)
	currency := regexp.MustCompile(`^[A-Z]{3}$`)
	seen := make(map[string]bool, len(Countries))
	for i, c := range Countries {
		if !code.MatchString(c.Code) {
			t.Errorf("Countries[%d].Code = %q, want two upper-case letters", i, c.Code)
		}
		if !currency.MatchString(c.Currency) {
			t.Errorf("%s: Currency = %q, want three upper-case letters", c.Code, c.Currency)
		}
		if strings.TrimSpace(c.NameEN) == "" || strings.TrimSpace(c.NameHU) == "" {
			t.Errorf("%s: empty name (%q, %q)", c.Code, c.NameEN, c.NameHU)
		}
		if seen[c.Code] {
			t.Errorf("duplicate code %q", c.Code)
		}
		seen[c.Code] = true
		if i > 0 && Countries[i-1].Code >= c.Code {
			t.Errorf("Countries not sorted by code at %d (%s after %s)", i, c.Code, Countries[i-1].Code)
		}
	}
	// 249 ISO 3166-1 alpha-2 codes plus XK (Kosovo).
	if len(Countries) != 250 {
		t.Errorf("len(Countries) = %d, want 250 (249 ISO 3166-1 + XK)", len(Countries))
	}
	for _, u := range ReservationUnavailableMarkets {
		if !seen[u.Code] {
			t.Errorf("unavailable market %q has code %q, not in Countries", u.SeedName, u.Code)
		}
	}
}

func TestCountryByCode(t *testing.T) {
	tests := []struct {
		in               string
		ok               bool
		code, name, curr string
	}{
		{"HU", true, "HU", "Hungary", "HUF"},
		{"hu", true, "HU", "Hungary", "HUF"},
		{" de ", true, "DE", "Germany", "EUR"},
		{"Gb", true, "GB", "United Kingdom", "GBP"},
		{"AU", true, "AU", "Australia", "AUD"},
		{"BR", true, "BR", "Brazil", "BRL"},
		{"XK", true, "XK", "Kosovo", "EUR"},
		{"JE", true, "JE", "Jersey", "GBP"},
		{"LI", true, "LI", "Liechtenstein", "CHF"},
		{"GL", true, "GL", "Greenland", "DKK"},
		{"SJ", true, "SJ", "Svalbard and Jan Mayen", "NOK"},
		{"US", true, "US", "United States", "USD"},
		{"ZZ", false, "", "", ""},
		{"", false, "", "", ""},
		{"HUN", false, "", "", ""},
	}
	for _, tt := range tests {
		c, ok := CountryByCode(tt.in)
		if ok != tt.ok || c.Code != tt.code || c.NameEN != tt.name || c.Currency != tt.curr {
			t.Errorf("CountryByCode(%q) = %+v, %v; want %s %q %s, %v", tt.in, c, ok, tt.code, tt.name, tt.curr, tt.ok)
		}
	}
	if c, _ := CountryByCode("HU"); c.NameHU != "Magyarország" {
		t.Errorf("HU NameHU = %q", c.NameHU)
	}
}

// TestTaxIncluded covers R6. Codes are case-insensitive: "au" is Australia and includes tax.
func TestTaxIncluded(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"AU", true}, {"BR", true}, {"au", true}, {" br ", true},
		{"HU", false}, {"US", false}, {"DE", false}, {"GB", false}, {"NZ", false}, {"CX", false},
		{"", false}, {"ZZ", false},
	}
	for _, tt := range tests {
		if got := TaxIncluded(tt.code); got != tt.want {
			t.Errorf("TaxIncluded(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}
